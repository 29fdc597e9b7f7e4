use super::{string_code, Ascii, CodeError};

/// The GB 32100-2015 alphabet: digits and capitals without I, O, S, V, Z.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Each byte's value in [`ALPHABET`], or `NOT_IN_ALPHABET`.
const NOT_IN_ALPHABET: u8 = 0xff;
const VALUES: [u8; 256] = {
    let mut t = [NOT_IN_ALPHABET; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        t[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Whether `s` is 18 characters of the alphabet (the format [`Uscc::parse_legacy`] accepts).
fn well_formed(s: &str) -> bool {
    s.len() == 18 && s.bytes().all(|c| VALUES[c as usize] != NOT_IN_ALPHABET)
}

/// A 统一社会信用代码 (unified social credit code, GB 32100-2015).
///
/// [`Uscc::parse`] requires the check character to match. Some codes issued in early pilot areas
/// are legal but fail the check (e.g. `91350100M0001TGQXM`); [`Uscc::parse_legacy`] accepts them
/// and [`Uscc::is_check_valid`] tells them apart, so callers can warn instead of rejecting.
///
/// ```
/// use zhengzhao_core::codes::Uscc;
/// let code = Uscc::parse("11100000000013338W").unwrap();
/// assert_eq!(code.as_ref(), "11100000000013338W");
/// assert!(Uscc::parse("11100000000013338X").is_err());
/// let pilot = Uscc::parse_legacy("91350100M0001TGQXM").unwrap();
/// assert!(!pilot.is_check_valid());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc(Ascii<18>);

impl Uscc {
    /// Parses a code, requiring a matching check character.
    pub fn parse(s: &str) -> Result<Uscc, CodeError> {
        let code = Self::parse_legacy(s)?;
        let expected = check_char(&s.as_bytes()[..17]);
        let found = s.as_bytes()[17] as char;
        if found != expected {
            return Err(CodeError::UsccCheck {
                value: s.to_owned(),
                found,
                expected,
            });
        }
        Ok(code)
    }

    /// Parses a code that may fail the check (legacy pilot-area codes): only the length and the
    /// alphabet are checked.
    pub fn parse_legacy(s: &str) -> Result<Uscc, CodeError> {
        Self::check_legacy(s)?;
        Ok(Uscc(Ascii::new(s).expect("18 ASCII characters")))
    }

    /// What [`Uscc::parse_legacy`] checks, without keeping the code.
    pub(crate) fn check_legacy(s: &str) -> Result<(), CodeError> {
        if well_formed(s) {
            return Ok(());
        }
        let err = |reason: String| CodeError::UsccFormat {
            value: s.to_owned(),
            reason,
        };
        let n = s.chars().count();
        if n != 18 {
            return Err(err(format!("{n} characters, expected 18")));
        }
        if let Some((i, c)) = s
            .chars()
            .enumerate()
            .find(|&(_, c)| !c.is_ascii() || !ALPHABET.contains(&(c as u8)))
        {
            return Err(err(format!(
                "character '{c}' at position {} is not allowed",
                i + 1
            )));
        }
        // Not reached: 18 characters of the alphabet are well formed.
        Ok(())
    }

    /// Whether the GB 32100 check character of a well-formed code matches.
    pub(crate) fn check_valid(s: &str) -> bool {
        check_char(&s.as_bytes()[..17]) == s.as_bytes()[17] as char
    }

    /// Stored data is accepted as written: the check is a matter for validation, which warns.
    fn parse_stored(s: &str) -> Result<Uscc, CodeError> {
        Self::parse_legacy(s)
    }

    /// Whether the GB 32100 check character matches.
    pub fn is_check_valid(&self) -> bool {
        Self::check_valid(&self.0)
    }

    /// Completes 17 characters of the alphabet into a code with its check character.
    ///
    /// ```
    /// use zhengzhao_core::codes::Uscc;
    /// assert_eq!(Uscc::complete("11100000000013338").unwrap().as_ref(), "11100000000013338W");
    /// ```
    pub fn complete(first17: &str) -> Result<Uscc, CodeError> {
        let mut s = first17.to_owned();
        s.push('0');
        Self::parse_legacy(&s)?;
        s.pop();
        s.push(check_char(first17.as_bytes()));
        Self::parse_legacy(&s)
    }

    /// The 6-digit 登记管理机关行政区划码 (positions 3–8).
    pub fn area(&self) -> &str {
        &self.0[2..8]
    }
}

fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        // Outside the alphabet (never the case for a parsed code) counts as 0.
        .map(|(&c, w)| u32::from(VALUES[c as usize] % NOT_IN_ALPHABET) * w)
        .sum();
    ALPHABET[((31 - sum % 31) % 31) as usize] as char
}

string_code!(Uscc);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_codes() {
        for c in [
            "11100000000013338W",
            "11100000MB03271699",
            "11220000013544541J",
            "11430000006122244L",
        ] {
            let u = Uscc::parse(c).unwrap_or_else(|e| panic!("{c}: {e}"));
            assert!(u.is_check_valid());
        }
    }

    #[test]
    fn rejects_bad_check_and_names_the_expected_one() {
        match Uscc::parse("11100000000013338X") {
            Err(CodeError::UsccCheck {
                found: 'X',
                expected: 'W',
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_table_agrees_with_the_alphabet() {
        for b in 0..=255u8 {
            let s = format!("11100000000013338{}", b as char);
            let in_alphabet = ALPHABET.contains(&b);
            assert_eq!(well_formed(&s), in_alphabet, "{b}");
            assert_eq!(Uscc::check_legacy(&s).is_ok(), in_alphabet, "{b}");
            if in_alphabet {
                assert_eq!(Uscc::check_valid(&s), b == b'W', "{b}");
            }
        }
    }

    #[test]
    fn pilot_codes_parse_only_as_legacy() {
        assert!(matches!(
            Uscc::parse("91350100M0001TGQXM"),
            Err(CodeError::UsccCheck { .. })
        ));
        let u = Uscc::parse_legacy("91350100M0001TGQXM").unwrap();
        assert!(!u.is_check_valid());
    }

    #[test]
    fn rejects_bad_format() {
        for bad in [
            "",
            "1110000000001333",
            "11100000000013338WW",
            "11100000000013338w",
            "1110000000001333OW",
            "11100000000013338Ｗ",
            "11100000000013I38W",
        ] {
            assert!(
                matches!(Uscc::parse_legacy(bad), Err(CodeError::UsccFormat { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn every_single_substitution_fails_the_check() {
        let good = "11100000000013338W";
        for i in 0..18 {
            for &a in ALPHABET {
                let mut b = good.as_bytes().to_vec();
                if b[i] == a {
                    continue;
                }
                b[i] = a;
                let s = String::from_utf8(b).unwrap();
                assert!(Uscc::parse(&s).is_err(), "{s}");
            }
        }
    }

    #[test]
    fn complete_adds_the_check() {
        assert_eq!(
            Uscc::complete("11100000MB0327169").unwrap().as_ref(),
            "11100000MB03271699"
        );
        assert!(Uscc::complete("1110000").is_err());
    }
}
