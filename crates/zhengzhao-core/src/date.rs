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

/// A timestamp as Chinese signature and seal producers write it: ASN.1 UTCTime
/// (`200422021807Z`) and GeneralizedTime (`20200723130907.763Z`), `2020-04-22 16:22:44`, and
/// RFC 3339 with or without a zone. A time without a zone is China Standard Time, as these
/// producers mean it. `None` for anything else.
///
/// ```
/// use zhengzhao_core::date::timestamp;
/// let t = timestamp("20201010071120Z").unwrap();
/// assert_eq!(timestamp("20201010151120"), Some(t));
/// assert_eq!(timestamp("2020-10-10 15:11:20"), Some(t));
/// assert_eq!(timestamp("201010071120Z"), Some(t));
/// assert_eq!(timestamp("2020-10-10T07:11:20.000Z"), Some(t));
/// assert!(timestamp("10/10/2020").is_none());
/// ```
pub fn timestamp(s: &str) -> Option<time::OffsetDateTime> {
    let s = s.trim();
    // The zone, then the fraction of a second, are cut off the end.
    let (rest, offset) = if let Some(rest) = s.strip_suffix('Z') {
        (rest, time::UtcOffset::UTC)
    } else {
        split_offset(s).unwrap_or((s, CST))
    };
    let (rest, nanos) = match rest.split_once('.') {
        Some((rest, fraction))
            if !fraction.is_empty() && fraction.bytes().all(|b| b.is_ascii_digit()) =>
        {
            let digits = &fraction[..fraction.len().min(9)];
            let nanos: u32 = digits.parse().ok()?;
            (rest, nanos * 10u32.pow(9 - digits.len() as u32))
        }
        Some(_) => return None,
        None => (rest, 0),
    };
    let digits: String = rest
        .chars()
        .filter(|c| !matches!(c, '-' | ':' | ' ' | 'T'))
        .collect();
    let separated = digits.len() != rest.len();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let full = match digits.len() {
        14 => digits,
        // UTCTime: years 50–99 are 19xx (RFC 5280 §4.1.2.5.1).
        12 if !separated => {
            let century = if digits[..2] >= *"50" { "19" } else { "20" };
            format!("{century}{digits}")
        }
        _ => return None,
    };
    let n = |range: std::ops::Range<usize>| full[range].parse::<u32>().ok();
    let date = time::Date::from_calendar_date(
        i32::try_from(n(0..4)?).ok()?,
        time::Month::try_from(u8::try_from(n(4..6)?).ok()?).ok()?,
        u8::try_from(n(6..8)?).ok()?,
    )
    .ok()?;
    let t = time::Time::from_hms_nano(
        u8::try_from(n(8..10)?).ok()?,
        u8::try_from(n(10..12)?).ok()?,
        u8::try_from(n(12..14)?).ok()?,
        nanos,
    )
    .ok()?;
    Some(date.with_time(t).assume_offset(offset))
}

/// Splits a trailing `+hh:mm`, `+hhmm` or `-…` zone off `s`.
fn split_offset(s: &str) -> Option<(&str, time::UtcOffset)> {
    let at = s.rfind(['+', '-'])?;
    let zone = &s[at + 1..];
    let digits: String = zone.chars().filter(|c| *c != ':').collect();
    let shaped = zone.len() == 4 || (zone.len() == 5 && zone.as_bytes()[2] == b':');
    if !shaped || digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sign = if s.as_bytes()[at] == b'-' { -1 } else { 1 };
    let hours: i8 = digits[..2].parse().ok()?;
    let minutes: i8 = digits[2..].parse().ok()?;
    let offset = time::UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()?;
    Some((&s[..at], offset))
}
