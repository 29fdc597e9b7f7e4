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
    // The usual form, eight digits and two dashes, read directly; anything else by `time`.
    let b = s.as_bytes();
    let digit = |i: usize| (b[i] as char).to_digit(10);
    if b[4] == b'-' && b[7] == b'-' {
        let mut n = [0u32; 8];
        if [0, 1, 2, 3, 5, 6, 8, 9]
            .iter()
            .zip(&mut n)
            .all(|(&i, d)| digit(i).map(|v| *d = v).is_some())
        {
            let year = (n[0] * 1000 + n[1] * 100 + n[2] * 10 + n[3]) as i32;
            let month = time::Month::try_from((n[4] * 10 + n[5]) as u8).ok()?;
            return Date::from_calendar_date(year, month, (n[6] * 10 + n[7]) as u8).ok();
        }
    }
    Date::parse(s, ISO).ok()
}

/// Formats as `yyyy-MM-dd`.
pub fn format(d: Date) -> String {
    match ascii(d) {
        // ASCII digits and dashes.
        Some(b) => String::from_utf8(b.to_vec()).expect("ASCII"),
        None => d.format(ISO).expect("a Date always formats"),
    }
}

/// Whether `s` is `d` formatted as [`format`] does, without formatting it.
pub(crate) fn is_formatted(s: &str, d: Date) -> bool {
    match ascii(d) {
        Some(b) => s.as_bytes() == b,
        None => s == format(d),
    }
}

/// `yyyy-MM-dd` of a date of the years 0–9999.
fn ascii(d: Date) -> Option<[u8; 10]> {
    let year = u32::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
    let mut b = [b'-'; 10];
    for (i, n) in [year / 1000, year / 100 % 10, year / 10 % 10, year % 10]
        .into_iter()
        .enumerate()
    {
        b[i] = b'0' + n as u8;
    }
    for (i, n) in [(5, u8::from(d.month())), (8, d.day())] {
        b[i] = b'0' + n / 10;
        b[i + 1] = b'0' + n % 10;
    }
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_direct_forms_agree_with_time() {
        let mut d = Date::from_calendar_date(-10, time::Month::January, 1).unwrap();
        let end = Date::from_calendar_date(2500, time::Month::January, 1).unwrap();
        while d < end {
            assert_eq!(format(d), d.format(ISO).unwrap());
            // Negative years take eleven characters, which `parse` refuses.
            assert_eq!(parse(&format(d)), (d.year() >= 0).then_some(d));
            assert!(is_formatted(&format(d), d));
            let next = d.next_day().unwrap();
            assert!(!is_formatted(&format(d), next) && !is_formatted(&format(next), d));
            d = next;
        }
        for s in [
            "2023-02-29",
            "2024-02-30",
            "2024-13-01",
            "2024-00-10",
            "2024-01-00",
            "2024-1-011",
            "+024-01-01",
            "-024-01-01",
            "2024/01/01",
            "２０２4-01-01",
            "0000-01-01",
            "9999-12-31",
            "2024-01-3a",
            "2024-04-31",
        ] {
            assert_eq!(parse(s), Date::parse(s, ISO).ok(), "{s}");
        }
    }
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

/// China Standard Time (UTC+08:00), the zone of licence dates.
pub const CST: time::UtcOffset = match time::UtcOffset::from_hms(8, 0, 0) {
    Ok(o) => o,
    Err(_) => panic!("+08:00 is a valid offset"),
};

/// An instant as the command line, the C ABI and Python take it (`--at`, `at`): RFC 3339
/// (`2025-06-01T09:00:00+08:00`), or a date (`2025-06-01`), which means noon of that day in
/// China Standard Time, well inside it whatever the reader's zone. `None` for anything else.
///
/// ```
/// use zhengzhao_core::date::instant;
/// assert_eq!(instant("2025-06-01").unwrap().to_string(), "2025-06-01 12:00:00.0 +08:00:00");
/// assert_eq!(instant("2025-06-01T01:00:00Z").unwrap().unix_timestamp(), 1748739600);
/// assert!(instant("1 June").is_none());
/// ```
pub fn instant(s: &str) -> Option<time::OffsetDateTime> {
    let s = s.trim();
    if let Ok(t) = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        return Some(t);
    }
    let noon = time::Time::from_hms(12, 0, 0).expect("noon is a time");
    parse(s).map(|d| d.with_time(noon).assume_offset(CST))
}

/// The end of a period given as its last day or as an instant (a grant's `until`): a date
/// means "through that day", so the period ends (exclusive) at the next midnight in China
/// Standard Time; RFC 3339 is taken as given. `None` for anything else.
///
/// ```
/// use zhengzhao_core::date::through;
/// assert_eq!(through("2026-12-31").unwrap().to_string(), "2027-01-01 0:00:00.0 +08:00:00");
/// ```
pub fn through(s: &str) -> Option<time::OffsetDateTime> {
    match parse(s.trim()) {
        Some(d) => Some(d.next_day()?.midnight().assume_offset(CST)),
        None => instant(s),
    }
}
