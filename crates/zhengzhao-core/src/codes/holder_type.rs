use super::{string_code, Ascii, CodeError};

/// The kind of holder a licence type is for (GB/T 36902 持证主体类别).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolderCategory {
    /// 自然人.
    Person,
    /// 法人和其他组织.
    Organisation,
    /// Either.
    Both,
}

impl HolderCategory {
    /// Whether a holder of category `other` (a person or an organisation) may hold the type.
    pub fn admits(self, other: HolderCategory) -> bool {
        self == HolderCategory::Both || other == HolderCategory::Both || self == other
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            HolderCategory::Person => "自然人",
            HolderCategory::Organisation => "法人和其他组织",
            HolderCategory::Both => "自然人、法人和其他组织",
        }
    }
}

/// A 持证主体代码类型 (holder code type): three digits. The set is open; the known ones say what
/// the code is and which kind of holder uses it.
///
/// ```
/// use zhengzhao_core::codes::{HolderCodeType, HolderCategory};
/// assert_eq!(HolderCodeType::ID_NUMBER.category(), Some(HolderCategory::Person));
/// assert_eq!(HolderCodeType::parse("001").unwrap(), HolderCodeType::USCC);
/// assert_eq!(HolderCodeType::parse("777").unwrap().name(), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HolderCodeType(Ascii<3>);

const KNOWN: [(&str, &str, HolderCategory); 8] = [
    ("001", "统一社会信用代码", HolderCategory::Organisation),
    ("099", "其他组织代码", HolderCategory::Organisation),
    ("111", "公民身份号码", HolderCategory::Person),
    ("414", "普通护照", HolderCategory::Person),
    ("511", "台湾居民来往大陆通行证", HolderCategory::Person),
    ("516", "港澳居民来往内地通行证", HolderCategory::Person),
    ("553", "外国人永久居留身份证", HolderCategory::Person),
    ("990", "其他证件", HolderCategory::Both),
];

impl HolderCodeType {
    /// 统一社会信用代码.
    pub const USCC: HolderCodeType = HolderCodeType(Ascii::from_bytes(*b"001"));
    /// 公民身份号码.
    pub const ID_NUMBER: HolderCodeType = HolderCodeType(Ascii::from_bytes(*b"111"));

    /// Parses three digits.
    pub fn parse(s: &str) -> Result<HolderCodeType, CodeError> {
        if s.len() != 3 || !s.bytes().all(|c| c.is_ascii_digit()) {
            return Err(CodeError::HolderCodeType {
                value: s.to_owned(),
            });
        }
        Ok(HolderCodeType(Ascii::new(s).expect("3 digits")))
    }

    fn parse_stored(s: &str) -> Result<HolderCodeType, CodeError> {
        Self::parse(s)
    }

    /// Parses a code type given as its digits or as a known Chinese name (legacy data often
    /// writes `身份证` or `统一社会信用代码`).
    pub fn from_name_or_code(s: &str) -> Result<HolderCodeType, CodeError> {
        let s = s.trim();
        if let Some((code, _, _)) = KNOWN.iter().find(|(_, name, _)| *name == s) {
            return Self::parse(code);
        }
        match s {
            "身份证" | "居民身份证" | "身份证号" | "身份证号码" => {
                Ok(Self::ID_NUMBER)
            }
            "信用代码" | "社会信用代码" => Ok(Self::USCC),
            "护照" => Self::parse("414"),
            _ => Self::parse(s),
        }
    }

    /// The name of a known code type.
    pub fn name(&self) -> Option<&'static str> {
        KNOWN
            .iter()
            .find(|(c, _, _)| *c == self.0.as_str())
            .map(|(_, n, _)| *n)
    }

    /// The kind of holder that uses a known code type.
    pub fn category(&self) -> Option<HolderCategory> {
        KNOWN
            .iter()
            .find(|(c, _, _)| *c == self.0.as_str())
            .map(|(_, _, k)| *k)
    }
}

string_code!(HolderCodeType);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_codes() {
        assert_eq!(
            HolderCodeType::from_name_or_code("身份证").unwrap(),
            HolderCodeType::ID_NUMBER
        );
        assert_eq!(
            HolderCodeType::from_name_or_code(" 统一社会信用代码 ").unwrap(),
            HolderCodeType::USCC
        );
        assert_eq!(
            HolderCodeType::from_name_or_code("414").unwrap().name(),
            Some("普通护照")
        );
        assert!(HolderCodeType::from_name_or_code("驾照").is_err());
        assert!(HolderCodeType::parse("11").is_err());
        assert!(HolderCodeType::parse("1111").is_err());
    }

    #[test]
    fn categories_admit() {
        assert!(HolderCategory::Both.admits(HolderCategory::Person));
        assert!(HolderCategory::Person.admits(HolderCategory::Person));
        assert!(!HolderCategory::Person.admits(HolderCategory::Organisation));
    }
}
