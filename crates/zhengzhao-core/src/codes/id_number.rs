use super::{string_code, AreaCode, Ascii, CodeError};

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// A 公民身份号码 (citizen identity number, GB 11643-1999; ISO 7064 MOD 11-2).
///
/// Parsing checks the length, the area prefix, that the birth date is a real date and the check
/// character. A lower-case `x` is accepted and stored as `X`.
///
/// ```
/// use zhengzhao_core::codes::IdNumber;
/// let id = IdNumber::parse("11010519491231002x").unwrap();
/// assert_eq!(id.as_ref(), "11010519491231002X");
/// assert_eq!(id.birth_date().to_string(), "1949-12-31");
/// assert!(IdNumber::parse("110105194902300021").is_err()); // 30 February
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber(Ascii<18>);

impl IdNumber {
    /// Parses and checks a number; see the type documentation.
    pub fn parse(s: &str) -> Result<IdNumber, CodeError> {
        let format = |reason: String| CodeError::IdNumberFormat {
            value: s.to_owned(),
            reason,
        };
        let n = s.chars().count();
        if n != 18 {
            return Err(format(format!("{n} characters, expected 18")));
        }
        let b = s.as_bytes();
        if let Some(i) = b[..17].iter().position(|c| !c.is_ascii_digit()) {
            return Err(format(format!(
                "character at position {} is not a digit",
                i + 1
            )));
        }
        let last = b[17].to_ascii_uppercase();
        if !(last.is_ascii_digit() || last == b'X') {
            return Err(format("the last character must be a digit or X".into()));
        }
        AreaCode::parse(&s[..6])
            .map_err(|_| format(format!("'{}' is not a 行政区划代码", &s[..6])))?;
        if birth_date(&s[6..14]).is_none() {
            return Err(CodeError::IdNumberDate {
                value: s.to_owned(),
                date: s[6..14].to_owned(),
            });
        }
        let expected = check_char(&b[..17]);
        if last as char != expected {
            return Err(CodeError::IdNumberCheck {
                value: s.to_owned(),
                found: b[17] as char,
                expected,
            });
        }
        // 17 digits and an ASCII last character: 18 bytes.
        let mut normalised: [u8; 18] = b.try_into().expect("18 ASCII characters");
        normalised[17] = expected as u8;
        Ok(IdNumber(Ascii::from_bytes(normalised)))
    }

    fn parse_stored(s: &str) -> Result<IdNumber, CodeError> {
        Self::parse(s)
    }

    /// The birth date encoded in the number.
    pub fn birth_date(&self) -> time::Date {
        birth_date(&self.0[6..14]).expect("checked on parse")
    }

    /// The sex encoded in the number: odd 17th digit male (男), even female (女).
    pub fn is_male(&self) -> bool {
        (self.0.as_bytes()[16] - b'0') % 2 == 1
    }

    /// Completes 17 digits into a number with its check character (for test data and demos).
    pub fn complete(first17: &str) -> Result<IdNumber, CodeError> {
        if first17.len() != 17 || !first17.bytes().all(|c| c.is_ascii_digit()) {
            return Err(CodeError::IdNumberFormat {
                value: first17.to_owned(),
                reason: "expected 17 digits".into(),
            });
        }
        let mut s = first17.to_owned();
        s.push(check_char(first17.as_bytes()));
        Self::parse(&s)
    }
}

fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(&c, w)| (c - b'0') as u32 * w)
        .sum();
    CHECK[(sum % 11) as usize] as char
}

fn birth_date(yyyymmdd: &str) -> Option<time::Date> {
    let year: i32 = yyyymmdd[..4].parse().ok()?;
    let month: u8 = yyyymmdd[4..6].parse().ok()?;
    let day: u8 = yyyymmdd[6..8].parse().ok()?;
    // GB 11643 numbers were introduced in 1999 for people alive then; no one living was born before 1850.
    if year < 1850 {
        return None;
    }
    time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

string_code!(IdNumber);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_numbers_and_normalises_x() {
        // The GB 11643-1999 example and a computed one ending in X.
        assert_eq!(
            IdNumber::parse("11010519491231002X").unwrap().as_ref(),
            "11010519491231002X"
        );
        assert_eq!(
            IdNumber::parse("11010519491231002x").unwrap().as_ref(),
            "11010519491231002X"
        );
        let n = IdNumber::parse("440524188001010014").unwrap();
        assert_eq!(n.birth_date(), time::macros::date!(1880 - 01 - 01));
        assert!(n.is_male());
    }

    #[test]
    fn rejects_bad_check_with_expected() {
        match IdNumber::parse("110105194912310021") {
            Err(CodeError::IdNumberCheck {
                found: '1',
                expected: 'X',
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rejects_impossible_birth_dates() {
        for d in ["19490230", "19491301", "19490000", "20230229", "18000101"] {
            let n = IdNumber::complete(&format!("110105{d}002")).unwrap_err();
            assert!(matches!(n, CodeError::IdNumberDate { .. }), "{d}: {n:?}");
        }
        assert!(
            IdNumber::complete("11010520240229002").is_ok(),
            "2024 is a leap year"
        );
    }

    #[test]
    fn rejects_bad_format() {
        for bad in [
            "",
            "11010519491231002",
            "1101051949123100211",
            "11010519491231002Y",
            "1101051949123100X2",
            "00010519491231002X",
            "１10105194912310021",
        ] {
            assert!(
                matches!(IdNumber::parse(bad), Err(CodeError::IdNumberFormat { .. })),
                "{bad}"
            );
        }
    }
}
