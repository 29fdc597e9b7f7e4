//! Holder and issuer codes: 统一社会信用代码 ([`Uscc`]), 公民身份号码 ([`IdNumber`]),
//! 行政区划代码 ([`AreaCode`]) and the holder code types of GB/T 36903 ([`HolderCodeType`]).

mod area;
mod holder_type;
mod id_number;
mod uscc;

pub use area::AreaCode;
pub use holder_type::{HolderCategory, HolderCodeType};
pub use id_number::IdNumber;
pub use uscc::Uscc;

use crate::error::{Coded, ErrorCode};

/// Why a holder or issuer code was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodeError {
    /// Wrong length or characters for a 统一社会信用代码.
    #[error("'{value}' is not a 统一社会信用代码: {reason}")]
    UsccFormat {
        /// The input as given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The GB 32100 check character does not match.
    #[error("统一社会信用代码 '{value}': check character is '{found}', expected '{expected}'")]
    UsccCheck {
        /// The input as given.
        value: String,
        /// The check character found.
        found: char,
        /// The check character expected.
        expected: char,
    },
    /// Wrong length or characters for a 公民身份号码.
    #[error("'{value}' is not a 公民身份号码: {reason}")]
    IdNumberFormat {
        /// The input as given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The birth date is not a real date.
    #[error("公民身份号码 '{value}': birth date {date} is not a real date")]
    IdNumberDate {
        /// The input as given.
        value: String,
        /// The date digits.
        date: String,
    },
    /// The GB 11643 check character does not match.
    #[error("公民身份号码 '{value}': check character is '{found}', expected '{expected}'")]
    IdNumberCheck {
        /// The input as given.
        value: String,
        /// The check character found.
        found: char,
        /// The check character expected.
        expected: char,
    },
    /// Not a 行政区划代码.
    #[error("'{value}' is not a 行政区划代码: {reason}")]
    Area {
        /// The input as given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Not a holder code type.
    #[error("'{value}' is not a holder code type: expected 3 digits such as 111 or 001")]
    HolderCodeType {
        /// The input as given.
        value: String,
    },
}

impl Coded for CodeError {
    fn code(&self) -> ErrorCode {
        match self {
            CodeError::UsccFormat { .. } => ErrorCode::UsccFormat,
            CodeError::UsccCheck { .. } => ErrorCode::UsccCheck,
            CodeError::IdNumberFormat { .. } => ErrorCode::IdNumberFormat,
            CodeError::IdNumberDate { .. } => ErrorCode::IdNumberDate,
            CodeError::IdNumberCheck { .. } => ErrorCode::IdNumberCheck,
            CodeError::Area { .. } => ErrorCode::AreaCode,
            CodeError::HolderCodeType { .. } => ErrorCode::HolderCodeType,
        }
    }
}

/// The text of a code of exactly `N` ASCII characters, held inline. Codes are read by the
/// million (every licence names several) and a `String` each would be an allocation each.
/// Compared, ordered and hashed as its text.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Ascii<const N: usize>([u8; N]);

impl<const N: usize> Ascii<N> {
    /// `None` unless `s` is exactly `N` ASCII characters.
    pub(crate) fn new(s: &str) -> Option<Ascii<N>> {
        s.is_ascii()
            .then(|| s.as_bytes().try_into().ok().map(Ascii))?
    }

    /// Exactly `N` ASCII bytes, for constants.
    pub(crate) const fn from_bytes(b: [u8; N]) -> Ascii<N> {
        assert!(b.is_ascii());
        Ascii(b)
    }

    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII")
    }
}

impl<const N: usize> std::ops::Deref for Ascii<N> {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl<const N: usize> std::hash::Hash for Ascii<N> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.as_str().hash(h)
    }
}

impl<const N: usize> std::fmt::Debug for Ascii<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

/// Implements `Display`, `FromStr`, `AsRef<str>` and string serde for a code newtype whose
/// `parse` is the validating constructor.
macro_rules! string_code {
    ($ty:ident) => {
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl std::str::FromStr for $ty {
            type Err = CodeError;
            fn from_str(s: &str) -> Result<Self, CodeError> {
                $ty::parse(s)
            }
        }
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $ty::parse_stored(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use string_code;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ascii_codes_are_exactly_n_ascii_characters() {
        assert_eq!(Ascii::<3>::new("001").map(|a| a.len()), Some(3));
        for bad in ["", "01", "0011", "0１", "é1"] {
            assert!(Ascii::<3>::new(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn ascii_codes_hash_order_and_show_as_their_text() {
        // Maps keyed by a code are searched with a `&str` (`Borrow<str>`): the hashes must agree.
        let codes: HashSet<crate::identifier::TypeCode> =
            [crate::identifier::TypeCode::parse("11100000MB03271699001").unwrap()].into();
        assert!(codes.contains("11100000MB03271699001"));
        assert!(!codes.contains("11100000MB03271699002"));
        let (a, b) = (
            Ascii::<2>::new("0A").unwrap(),
            Ascii::<2>::new("10").unwrap(),
        );
        assert!(a < b && "0A" < "10");
        assert_eq!(format!("{a:?}"), "\"0A\"");
        let u = Uscc::parse("11100000000013338W").unwrap();
        assert_eq!(format!("{u:?}"), "Uscc(\"11100000000013338W\")");
    }
}
