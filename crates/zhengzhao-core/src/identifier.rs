//! GB/T 36904-2018 electronic licence identifiers (电子证照标识):
//! `1.2.156.3005.2.<type code>.<issuer code>.<serial>.<version>.<check>`.
//!
//! - type code: 21 characters, the defining authority's 统一社会信用代码 and a 3-digit sequence;
//! - issuer code: the issuer's 统一社会信用代码 (legacy data: a 6-digit 行政区划代码);
//! - serial: chosen by the issuer, `[0-9A-Z]`;
//! - version: 3 digits, `001` first;
//! - check: ISO/IEC 7064 MOD 37,36 over type, issuer, serial and version concatenated.

use std::fmt;
use std::str::FromStr;

use crate::codes::{AreaCode, Ascii, Uscc};
use crate::error::{Coded, ErrorCode};

/// The OID arc every licence identifier starts with.
pub const ROOT: &str = "1.2.156.3005.2";

/// The alphabet of the check character, valued 0–35.
const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Each byte's value in [`ALPHABET`] (0 for any other byte, as callers never pass one).
const VALUES: [u8; 256] = {
    let mut t = [0; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        t[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Serial lengths accepted in strict mode (what real issuers write) and in lenient mode.
const STRICT_SERIAL: std::ops::RangeInclusive<usize> = 7..=32;
const LENIENT_SERIAL: std::ops::RangeInclusive<usize> = 1..=32;

/// How strictly to parse an identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Strictness {
    /// New identifiers: every 统一社会信用代码 check-valid, serial 7–32 characters.
    #[default]
    Strict,
    /// Legacy (存量) data: also an issuer code that is a 行政区划代码, 统一社会信用代码 that fail
    /// their GB 32100 check (early pilot areas), and serials of 1–6 characters. The identifier's
    /// own check character must always match.
    Lenient,
}

/// A segment of an identifier, named in errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Segment {
    /// `1.2.156.3005.2`.
    Root,
    /// The licence type code.
    TypeCode,
    /// The issuer code.
    IssuerCode,
    /// The serial.
    Serial,
    /// The version.
    Version,
    /// The check character.
    Check,
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Segment::Root => "root",
            Segment::TypeCode => "type code",
            Segment::IssuerCode => "issuer code",
            Segment::Serial => "serial",
            Segment::Version => "version",
            Segment::Check => "check character",
        })
    }
}

/// Why an identifier was refused: the segment that is wrong and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// Not `1.2.156.3005.2` followed by five segments.
    #[error("not a licence identifier: {reason}")]
    Syntax {
        /// What is wrong with it.
        reason: String,
    },
    /// A segment other than the check character is malformed.
    #[error("{segment} '{value}' is invalid: {reason}")]
    Segment {
        /// The segment at fault.
        segment: Segment,
        /// The input as given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The check character does not match.
    #[error("check character is '{found}', expected '{expected}'")]
    Check {
        /// The check character found.
        found: String,
        /// The check character expected.
        expected: char,
    },
}

impl IdError {
    /// The segment at fault.
    pub fn segment(&self) -> Segment {
        match self {
            IdError::Syntax { .. } => Segment::Root,
            IdError::Segment { segment, .. } => *segment,
            IdError::Check { .. } => Segment::Check,
        }
    }
}

impl Coded for IdError {
    fn code(&self) -> ErrorCode {
        match self.segment() {
            Segment::Root => ErrorCode::IdSyntax,
            Segment::TypeCode => ErrorCode::IdTypeCode,
            Segment::IssuerCode => ErrorCode::IdIssuerCode,
            Segment::Serial => ErrorCode::IdSerial,
            Segment::Version => ErrorCode::IdVersion,
            Segment::Check => ErrorCode::IdCheck,
        }
    }
}

/// A licence type code (证照类型代码): the defining authority's 统一社会信用代码 and a 3-digit
/// sequence, 21 characters.
///
/// ```
/// use zhengzhao_core::identifier::TypeCode;
/// let t = TypeCode::parse("11100000MB03271699001").unwrap();
/// assert_eq!(t.authority().as_ref(), "11100000MB03271699");
/// assert_eq!(t.sequence(), "001");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeCode(Ascii<21>);

// Ordered and hashed as its text, so maps keyed by type code are searched with a `&str`.
impl std::borrow::Borrow<str> for TypeCode {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl TypeCode {
    /// Parses a type code whose authority code passes the GB 32100 check.
    pub fn parse(s: &str) -> Result<TypeCode, IdError> {
        Self::parse_with(s, Strictness::Strict)
    }

    /// Parses a type code with the given strictness (lenient: the authority code may fail its check).
    pub fn parse_with(s: &str, strictness: Strictness) -> Result<TypeCode, IdError> {
        let err = |reason: String| IdError::Segment {
            segment: Segment::TypeCode,
            value: s.to_owned(),
            reason,
        };
        if s.len() != 21 || !s.is_ascii() {
            return Err(err(format!(
                "{} characters, expected 21 (an 18-character 统一社会信用代码 and 3 digits)",
                s.chars().count()
            )));
        }
        let (authority, seq) = s.split_at(18);
        // Checked in place; `Uscc::parse` says what is wrong with a code that fails its check.
        match strictness {
            Strictness::Strict if Uscc::check_legacy(authority).is_ok() => {
                if Uscc::check_valid(authority) {
                    Ok(())
                } else {
                    Uscc::parse(authority).map(drop)
                }
            }
            Strictness::Strict => Uscc::parse(authority).map(drop),
            Strictness::Lenient => Uscc::check_legacy(authority),
        }
        .map_err(|e| err(format!("defining authority code: {e}")))?;
        if !seq.bytes().all(|c| c.is_ascii_digit()) {
            return Err(err(format!("sequence '{seq}' is not 3 digits")));
        }
        Ok(TypeCode(Ascii::new(s).expect("21 ASCII characters")))
    }

    /// The defining authority's 统一社会信用代码.
    pub fn authority(&self) -> Uscc {
        Uscc::parse_legacy(&self.0[..18]).expect("checked on parse")
    }

    /// The 3-digit sequence within the authority.
    pub fn sequence(&self) -> &str {
        &self.0[18..]
    }
}

impl fmt::Display for TypeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for TypeCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for TypeCode {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        TypeCode::parse(s)
    }
}

/// The issuer segment of an identifier.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IssuerCode {
    /// The issuer's 统一社会信用代码 (the norm).
    Uscc(Uscc),
    /// A 6-digit 行政区划代码, seen in legacy data (lenient parsing only).
    Area(AreaCode),
}

impl IssuerCode {
    fn parse(s: &str, strictness: Strictness) -> Result<IssuerCode, IdError> {
        let err = |reason: String| IdError::Segment {
            segment: Segment::IssuerCode,
            value: s.to_owned(),
            reason,
        };
        match (s.len(), strictness) {
            (6, Strictness::Lenient) => AreaCode::parse(s)
                .map(IssuerCode::Area)
                .map_err(|e| err(e.to_string())),
            (6, Strictness::Strict) => Err(err(
                "a 行政区划代码 as issuer code is accepted only in lenient mode".into(),
            )),
            (_, Strictness::Strict) => Uscc::parse(s)
                .map(IssuerCode::Uscc)
                .map_err(|e| err(e.to_string())),
            (_, Strictness::Lenient) => Uscc::parse_legacy(s)
                .map(IssuerCode::Uscc)
                .map_err(|e| err(e.to_string())),
        }
    }
}

impl IssuerCode {
    fn as_str(&self) -> &str {
        match self {
            IssuerCode::Uscc(u) => u.as_ref(),
            IssuerCode::Area(a) => a.as_ref(),
        }
    }
}

impl fmt::Display for IssuerCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A GB/T 36904 electronic licence identifier.
///
/// ```
/// use zhengzhao_core::identifier::{LicenceId, Segment};
/// let id: LicenceId = "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F".parse().unwrap();
/// assert_eq!(id.type_code().as_ref(), "11100000000013338W032");
/// assert_eq!(id.version(), 1);
///
/// let err = LicenceId::parse("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.G").unwrap_err();
/// assert_eq!(err.segment(), Segment::Check);
/// assert!(err.to_string().contains("expected 'F'"));
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LicenceId {
    text: String,
    type_code: TypeCode,
    issuer: IssuerCode,
    /// Where the serial is in `text` (start, end).
    serial: (u8, u8),
    version: u16,
}

impl LicenceId {
    /// Parses an identifier strictly.
    pub fn parse(s: &str) -> Result<LicenceId, IdError> {
        Self::parse_with(s, Strictness::Strict)
    }

    /// Parses an identifier with the given strictness.
    pub fn parse_with(s: &str, strictness: Strictness) -> Result<LicenceId, IdError> {
        let rest = s
            .strip_prefix(ROOT)
            .and_then(|r| r.strip_prefix('.'))
            .ok_or_else(|| IdError::Syntax {
                reason: format!("does not start with '{ROOT}.'"),
            })?;
        let mut parts = [""; 5];
        let mut n = 0;
        for part in rest.split('.') {
            if let Some(p) = parts.get_mut(n) {
                *p = part;
            }
            n += 1;
        }
        if n != 5 {
            return Err(IdError::Syntax {
                reason: format!(
                    "{n} segments after the root, expected 5 (type.issuer.serial.version.check)"
                ),
            });
        }
        let type_code = TypeCode::parse_with(parts[0], strictness)?;
        let issuer = IssuerCode::parse(parts[1], strictness)?;
        parse_serial(parts[2], strictness)?;
        let version = parse_version(parts[3])?;
        let check = parts[4];
        let expected = check_char(&[parts[0], parts[1], parts[2], parts[3]]);
        if check.len() != 1 || check.as_bytes()[0] as char != expected {
            return Err(IdError::Check {
                found: check.to_owned(),
                expected,
            });
        }
        // The segments lie in `s`, which is at most ~100 bytes once each is checked.
        let start = parts[2].as_ptr() as usize - s.as_ptr() as usize;
        Ok(LicenceId {
            text: s.to_owned(),
            type_code,
            issuer,
            serial: (start as u8, (start + parts[2].len()) as u8),
            version,
        })
    }

    /// Makes an identifier from its parts, computing the check character. The issuer must be a
    /// check-valid 统一社会信用代码 and the serial 7–32 characters of `[0-9A-Z]` (strict rules:
    /// new identifiers are always strict).
    ///
    /// ```
    /// use zhengzhao_core::identifier::{LicenceId, TypeCode};
    /// let t = TypeCode::parse("11100000000013338W011").unwrap();
    /// let id = LicenceId::new(&t, "11430000006122244L", "20230000403", 1).unwrap();
    /// assert_eq!(id.as_ref(), "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U");
    /// ```
    pub fn new(
        type_code: &TypeCode,
        issuer: &str,
        serial: &str,
        version: u16,
    ) -> Result<LicenceId, IdError> {
        TypeCode::parse(type_code.as_ref())?;
        let issuer = IssuerCode::parse(issuer, Strictness::Strict)?;
        parse_serial(serial, Strictness::Strict)?;
        Self::compose(type_code.clone(), issuer, serial, version)
    }

    /// The identifier of checked segments, with its check character.
    fn compose(
        type_code: TypeCode,
        issuer: IssuerCode,
        serial: &str,
        version: u16,
    ) -> Result<LicenceId, IdError> {
        if !(1..=999).contains(&version) {
            return Err(IdError::Segment {
                segment: Segment::Version,
                value: version.to_string(),
                reason: "must be 1–999".into(),
            });
        }
        let digits = [100, 10, 1].map(|d| b'0' + (version / d % 10) as u8);
        let v = std::str::from_utf8(&digits).expect("digits");
        let mut text = String::with_capacity(ROOT.len() + 72 + serial.len());
        for part in [ROOT, ".", type_code.as_ref(), ".", issuer.as_str(), "."] {
            text.push_str(part);
        }
        let start = text.len();
        for part in [serial, ".", v, "."] {
            text.push_str(part);
        }
        text.push(check_char(&[
            type_code.as_ref(),
            issuer.as_str(),
            serial,
            v,
        ]));
        Ok(LicenceId {
            text,
            type_code,
            issuer,
            serial: (start as u8, (start + serial.len()) as u8),
            version,
        })
    }

    /// The same licence at another version (e.g. `002` for a change that supersedes `001`).
    pub fn with_version(&self, version: u16) -> Result<LicenceId, IdError> {
        Self::compose(
            self.type_code.clone(),
            self.issuer.clone(),
            self.serial(),
            version,
        )
    }

    /// The licence type code.
    pub fn type_code(&self) -> &TypeCode {
        &self.type_code
    }

    /// The issuer code.
    pub fn issuer(&self) -> &IssuerCode {
        &self.issuer
    }

    /// The serial.
    pub fn serial(&self) -> &str {
        &self.text[self.serial.0 as usize..self.serial.1 as usize]
    }

    /// The version, 1 for `001`.
    pub fn version(&self) -> u16 {
        self.version
    }

    /// The check character.
    pub fn check(&self) -> char {
        *self.text.as_bytes().last().expect("non-empty") as char
    }

    /// What lenient parsing tolerated in this identifier: an issuer segment that is a
    /// 行政区划代码, codes that fail the GB 32100 check, a short serial. Empty for an identifier
    /// that strict parsing accepts. A failed GB 32100 check deserves attention: the identifier's
    /// own MOD 37,36 check does not catch every adjacent transposition, the code's check does.
    pub fn leniencies(&self) -> Vec<String> {
        let mut w = Vec::new();
        let authority = &self.type_code.0[..18];
        if !Uscc::check_valid(authority) {
            w.push(format!(
                "type code: the defining authority code {authority} fails the GB 32100 check"
            ));
        }
        match &self.issuer {
            IssuerCode::Uscc(u) if !u.is_check_valid() => w.push(format!(
                "issuer code {u} fails the GB 32100 check (legacy pilot-area code, or mistyped)"
            )),
            IssuerCode::Area(a) => w.push(format!(
                "issuer code {a} is a 行政区划代码, not a 统一社会信用代码"
            )),
            _ => {}
        }
        let serial = self.serial();
        if !STRICT_SERIAL.contains(&serial.len()) {
            w.push(format!(
                "serial {serial} has {} characters; new identifiers use 7–32",
                serial.len()
            ));
        }
        w
    }
}

fn parse_serial(s: &str, strictness: Strictness) -> Result<(), IdError> {
    let err = |reason: String| IdError::Segment {
        segment: Segment::Serial,
        value: s.to_owned(),
        reason,
    };
    let range = match strictness {
        Strictness::Strict => STRICT_SERIAL,
        Strictness::Lenient => LENIENT_SERIAL,
    };
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_digit() || c.is_ascii_uppercase()))
    {
        return Err(err(format!("character '{c}' is not one of 0-9 A-Z")));
    }
    if !range.contains(&s.len()) {
        return Err(err(format!(
            "{} characters, expected {}–{}",
            s.len(),
            range.start(),
            range.end()
        )));
    }
    Ok(())
}

fn parse_version(s: &str) -> Result<u16, IdError> {
    let err = |reason: &str| IdError::Segment {
        segment: Segment::Version,
        value: s.to_owned(),
        reason: reason.to_owned(),
    };
    if s.len() != 3 || !s.bytes().all(|c| c.is_ascii_digit()) {
        return Err(err("expected 3 digits"));
    }
    match s.parse::<u16>() {
        Ok(0) => Err(err("versions start at 001")),
        Ok(v) => Ok(v),
        Err(_) => Err(err("expected 3 digits")),
    }
}

/// The ISO/IEC 7064 MOD 37,36 check character over the concatenated segments.
///
/// Callers pass segments already restricted to `[0-9A-Z]`.
pub fn check_char(segments: &[&str]) -> char {
    let mut p = 36;
    for c in segments.iter().flat_map(|s| s.bytes()) {
        p = STEP[p as usize][VALUES[c as usize] as usize];
    }
    ALPHABET[((37 - p) % 36) as usize] as char
}

/// One step of MOD 37,36 as a table, `STEP[p][v]`: ((p + v) mod 36, with 0 as 36) × 2 mod 37.
/// A lookup a character instead of two divisions: identifiers are checked on every read.
const STEP: [[u8; 36]; 37] = {
    let mut t = [[0; 36]; 37];
    let mut p = 0;
    while p < 37 {
        let mut v = 0;
        while v < 36 {
            let s = match (p + v) % 36 {
                0 => 36,
                s => s,
            };
            t[p][v] = (2 * s % 37) as u8;
            v += 1;
        }
        p += 1;
    }
    t
};

impl fmt::Debug for LicenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Every part is read from the text.
        f.debug_tuple("LicenceId").field(&self.text).finish()
    }
}

impl fmt::Display for LicenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl AsRef<str> for LicenceId {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl FromStr for LicenceId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        LicenceId::parse(s)
    }
}

impl serde::Serialize for LicenceId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> serde::Deserialize<'de> for LicenceId {
    /// Stored identifiers are read leniently: legacy licences stay readable; validation applies
    /// the policy.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        LicenceId::parse_with(&s, Strictness::Lenient).map_err(serde::de::Error::custom)
    }
}

impl serde::Serialize for TypeCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for TypeCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        TypeCode::parse_with(&s, Strictness::Lenient).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const REAL: [&str; 2] = [
        "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F",
        "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
    ];

    #[test]
    fn real_identifiers_parse_and_round_trip() {
        for s in REAL {
            let id = LicenceId::parse(s).unwrap();
            assert_eq!(id.to_string(), s);
            let rebuilt = LicenceId::new(
                id.type_code(),
                &id.issuer().to_string(),
                id.serial(),
                id.version(),
            )
            .unwrap();
            assert_eq!(rebuilt, id);
            for v in [1, 42, 999] {
                let other = id.with_version(v).unwrap();
                assert_eq!(LicenceId::parse(other.as_ref()).unwrap(), other);
                assert_eq!((other.serial(), other.version()), (id.serial(), v));
            }
            let json = serde_json::to_string(&id).unwrap();
            assert_eq!(serde_json::from_str::<LicenceId>(&json).unwrap(), id);
        }
    }

    #[test]
    fn errors_name_the_segment() {
        let cases = [
            (
                "1.2.156.3005.3.11100000000013338W032.11220000013544541J.2430599.001.F",
                Segment::Root,
            ),
            (
                "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001",
                Segment::Root,
            ),
            (
                "1.2.156.3005.2.11100000000013338X032.11220000013544541J.2430599.001.F",
                Segment::TypeCode,
            ),
            (
                "1.2.156.3005.2.11100000000013338W03.11220000013544541J.2430599.001.F",
                Segment::TypeCode,
            ),
            (
                "1.2.156.3005.2.11100000000013338W032.11220000013544541K.2430599.001.F",
                Segment::IssuerCode,
            ),
            (
                "1.2.156.3005.2.11100000000013338W032.220100.2430599.001.F",
                Segment::IssuerCode,
            ),
            (
                "1.2.156.3005.2.11100000000013338W032.11220000013544541J.243059a.001.F",
                Segment::Serial,
            ),
            (
                "1.2.156.3005.2.11100000000013338W032.11220000013544541J.24305.001.F",
                Segment::Serial,
            ),
            (
                "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.000.F",
                Segment::Version,
            ),
            (
                "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.01.F",
                Segment::Version,
            ),
            (
                "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.FF",
                Segment::Check,
            ),
            (
                "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.",
                Segment::Check,
            ),
        ];
        for (s, seg) in cases {
            let e = LicenceId::parse(s).unwrap_err();
            assert_eq!(e.segment(), seg, "{s}: {e}");
        }
    }

    #[test]
    fn lenient_accepts_area_issuers_and_pilot_codes_but_keeps_the_check() {
        let t = TypeCode::parse("11100000000013338W032").unwrap();
        let area = "220100";
        let text = format!(
            "{ROOT}.{t}.{area}.12345.001.{}",
            check_char(&[t.as_ref(), area, "12345", "001"])
        );
        assert!(LicenceId::parse(&text).is_err());
        let id = LicenceId::parse_with(&text, Strictness::Lenient).unwrap();
        assert!(matches!(id.issuer(), IssuerCode::Area(_)));
        assert_eq!(id.to_string(), text);

        let pilot = "91350100M0001TGQXM";
        let text = format!(
            "{ROOT}.{t}.{pilot}.1234567.001.{}",
            check_char(&[t.as_ref(), pilot, "1234567", "001"])
        );
        assert_eq!(
            LicenceId::parse(&text).unwrap_err().segment(),
            Segment::IssuerCode
        );
        assert!(LicenceId::parse_with(&text, Strictness::Lenient).is_ok());

        let mut bad = text.clone();
        bad.pop();
        bad.push(if text.ends_with('0') { '1' } else { '0' });
        assert_eq!(
            LicenceId::parse_with(&bad, Strictness::Lenient)
                .unwrap_err()
                .segment(),
            Segment::Check
        );
    }

    #[test]
    fn new_versions_get_their_own_check() {
        let id = LicenceId::parse(REAL[0]).unwrap();
        let v2 = id.with_version(2).unwrap();
        assert_eq!(v2.version(), 2);
        assert!(v2.as_ref().contains(".002."));
        assert_eq!(LicenceId::parse(v2.as_ref()).unwrap(), v2);
        assert!(id.with_version(0).is_err());
        assert!(id.with_version(1000).is_err());
    }

    #[test]
    fn new_refuses_bad_parts() {
        let t = TypeCode::parse("11100000000013338W032").unwrap();
        assert_eq!(
            LicenceId::new(&t, "11220000013544541K", "2430599", 1)
                .unwrap_err()
                .segment(),
            Segment::IssuerCode
        );
        assert_eq!(
            LicenceId::new(&t, "11220000013544541J", "24305-99", 1)
                .unwrap_err()
                .segment(),
            Segment::Serial
        );
        assert_eq!(
            LicenceId::new(&t, "11220000013544541J", &"9".repeat(33), 1)
                .unwrap_err()
                .segment(),
            Segment::Serial
        );
        assert_eq!(
            LicenceId::new(&t, "11220000013544541J", "2430599", 0)
                .unwrap_err()
                .segment(),
            Segment::Version
        );
    }
}
