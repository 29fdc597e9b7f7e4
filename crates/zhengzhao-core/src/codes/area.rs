use super::{string_code, Ascii, CodeError};

/// GB/T 2260 province-level codes (the first two digits of every 行政区划代码).
const PROVINCES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

/// A 行政区划代码 (administrative division code, GB/T 2260): six digits whose first two name a
/// province-level division.
///
/// ```
/// use zhengzhao_core::codes::AreaCode;
/// assert!(AreaCode::parse("330106").is_ok());
/// assert!(AreaCode::parse("990106").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AreaCode(Ascii<6>);

impl AreaCode {
    /// Parses a six-digit code with a known province prefix.
    pub fn parse(s: &str) -> Result<AreaCode, CodeError> {
        let err = |reason: &str| CodeError::Area {
            value: s.to_owned(),
            reason: reason.to_owned(),
        };
        if s.len() != 6 || !s.bytes().all(|c| c.is_ascii_digit()) {
            return Err(err("expected 6 digits"));
        }
        if !PROVINCES.contains(&&s[..2]) {
            return Err(err(
                "the first two digits are not a province-level division",
            ));
        }
        Ok(AreaCode(Ascii::new(s).expect("6 digits")))
    }

    fn parse_stored(s: &str) -> Result<AreaCode, CodeError> {
        Self::parse(s)
    }

    /// The province-level code (first two digits).
    pub fn province(&self) -> &str {
        &self.0[..2]
    }
}

string_code!(AreaCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn province_prefix_is_checked() {
        for ok in ["110000", "330106", "820000", "650102"] {
            assert_eq!(AreaCode::parse(ok).unwrap().province(), &ok[..2]);
        }
        for bad in [
            "", "33010", "3301060", "000000", "190000", "33O106", "-30106",
        ] {
            assert!(AreaCode::parse(bad).is_err(), "{bad}");
        }
    }
}
