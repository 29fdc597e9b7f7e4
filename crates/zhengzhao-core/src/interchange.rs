//! Telling the interchange formats apart, so that one entry point (the CLI's `verify`) takes
//! any of them.

use serde_json::Value;

/// What a piece of input is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A signed licence, VC-DI JSON ([`crate::credential`]).
    Document,
    /// An offline bundle ([`crate::bundle`]).
    Bundle,
    /// A `vc+jwt` token ([`crate::vcjwt`]).
    Jwt,
    /// A QR payload ([`crate::qr`]).
    Qr,
    /// A flat GB/T 36903 record ([`crate::gbt36903`]).
    FlatRecord,
    /// None of these.
    Unknown,
}

impl Kind {
    /// A stable name: `licence`, `bundle`, `vc-jwt`, `qr`, `gbt36903` or `unknown` (what
    /// verification reports carry in the C ABI and Python).
    pub const fn name(self) -> &'static str {
        match self {
            Kind::Document => "licence",
            Kind::Bundle => "bundle",
            Kind::Jwt => "vc-jwt",
            Kind::Qr => "qr",
            Kind::FlatRecord => "gbt36903",
            Kind::Unknown => "unknown",
        }
    }
}

/// Guesses the kind of `input` from its shape alone, ignoring surrounding whitespace (files end
/// with a newline). Nothing is verified: a JSON object that does not parse is reported as a
/// [`Kind::Document`], so that verifying it says precisely what is wrong.
pub fn sniff(input: &[u8]) -> Kind {
    let t = input.trim_ascii();
    if t.starts_with(crate::qr::PREFIX.as_bytes()) {
        return Kind::Qr;
    }
    if t.first() == Some(&b'{') {
        let Ok(v) = serde_json::from_slice::<Value>(t) else {
            return Kind::Document;
        };
        if v.get("type").and_then(Value::as_str) == Some(crate::bundle::BUNDLE_TYPE) {
            return Kind::Bundle;
        }
        if v.get("credentialSubject").is_none() && v.get("ZZBS").is_some_and(Value::is_string) {
            return Kind::FlatRecord;
        }
        return Kind::Document;
    }
    let is_b64url = |p: &[u8]| {
        !p.is_empty()
            && p.iter()
                .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
    };
    let parts: Vec<&[u8]> = t.split(|c| *c == b'.').collect();
    // A JWS header is a JSON object, so its base64url starts with "ey" ('{"').
    if parts.len() == 3 && t.starts_with(b"ey") && is_b64url(parts[0]) && is_b64url(parts[1]) {
        return Kind::Jwt;
    }
    Kind::Unknown
}
