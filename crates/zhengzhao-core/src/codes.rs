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
