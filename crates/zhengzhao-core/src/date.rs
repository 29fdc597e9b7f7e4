//! Calendar dates as licences write them: `yyyy-MM-dd` (ISO 8601), with serde helpers.

use time::format_description::FormatItem;
use time::macros::format_description;
pub use time::Date;

const ISO: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// Parses `yyyy-MM-dd`.
///
/// ```
/// assert_eq!(zhengzhao_core::date::parse("2024-02-29").unwrap().to_string(), "2024-02-29");
/// assert!(zhengzhao_core::date::parse("2023-02-29").is_none());
/// assert!(zhengzhao_core::date::parse("2023-2-1").is_none());
/// ```
pub fn parse(s: &str) -> Option<Date> {
    if s.len() != 10 {
        return None;
    }
    Date::parse(s, ISO).ok()
}

/// Formats as `yyyy-MM-dd`.
pub fn format(d: Date) -> String {
    d.format(ISO).expect("a Date always formats")
}

/// serde for `Date` as `yyyy-MM-dd`.
pub mod serde_iso {
    use super::*;

    /// Serialises as `yyyy-MM-dd`.
    pub fn serialize<S: serde::Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*d))
    }

    /// Deserialises from `yyyy-MM-dd`.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("'{s}' is not a date in the form yyyy-MM-dd"))
        })
    }

    use serde::Deserialize;
}

/// serde for `Option<Date>` as `yyyy-MM-dd` or null.
pub mod serde_iso_option {
    use super::*;
    use serde::Deserialize;

    /// Serialises as `yyyy-MM-dd` or null.
    pub fn serialize<S: serde::Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&format(*d)),
            None => s.serialize_none(),
        }
    }

    /// Deserialises from `yyyy-MM-dd` or null.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        match <Option<std::borrow::Cow<'de, str>>>::deserialize(d)? {
            None => Ok(None),
            Some(s) => parse(&s).map(Some).ok_or_else(|| {
                serde::de::Error::custom(format!("'{s}' is not a date in the form yyyy-MM-dd"))
            }),
        }
    }
}
