//! A small DER reader for the structures that no X.509 parser covers: GB/T 38540 and
//! GM/T 0031 seals, GB/T 35275 SignedData. It hands out each element's content and its raw
//! bytes (tag and length included), because signatures over these structures are over the
//! bytes as they stand in the file, not over a re-encoding.

/// Tags used by the readers of this crate.
pub(crate) mod tag {
    pub const INTEGER: u8 = 0x02;
    pub const BIT_STRING: u8 = 0x03;
    pub const OCTET_STRING: u8 = 0x04;
    pub const OID: u8 = 0x06;
    pub const UTF8_STRING: u8 = 0x0c;
    pub const IA5_STRING: u8 = 0x16;
    pub const UTC_TIME: u8 = 0x17;
    pub const GENERALIZED_TIME: u8 = 0x18;
    pub const SEQUENCE: u8 = 0x30;
    pub const SET: u8 = 0x31;
    /// `[0]` constructed (EXPLICIT, or IMPLICIT of a constructed type).
    pub const CONTEXT_0: u8 = 0xa0;
    /// `[1]` constructed.
    pub const CONTEXT_1: u8 = 0xa1;
}

/// One element: its tag (one byte: low tag numbers only), content and raw encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    pub raw: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// A reader over this element's content (for SEQUENCE, SET and explicit tags).
    pub fn reader(&self) -> Reader<'a> {
        Reader::new(self.content)
    }

    /// The content of a BIT STRING without its unused-bits octet, which must be 0.
    pub fn bit_string(&self, what: &str) -> Result<&'a [u8], String> {
        match self.content.split_first() {
            Some((0, bits)) => Ok(bits),
            _ => Err(format!("{what}: not a whole-octet BIT STRING")),
        }
    }

    /// A small non-negative INTEGER.
    pub fn small_uint(&self, what: &str) -> Result<u32, String> {
        match self.content {
            [] => Err(format!("{what}: an empty INTEGER")),
            [b, ..] if b & 0x80 != 0 => Err(format!("{what}: a negative INTEGER")),
            c if c.len() > 4 => Err(format!("{what}: an INTEGER too large")),
            c => Ok(c.iter().fold(0, |acc, &b| (acc << 8) | u32::from(b))),
        }
    }

    /// The content as text (IA5String, PrintableString, UTF8String, times, or the text a
    /// GM/T 0031 seal puts in a BIT STRING), lossy for bytes that are not UTF-8.
    pub fn text(&self) -> String {
        let bytes = if self.tag == tag::BIT_STRING {
            self.content.get(1..).unwrap_or_default()
        } else {
            self.content
        };
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// Reads DER elements one after another. Definite, minimal lengths only; indefinite lengths
/// (BER) are refused.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { rest: bytes }
    }

    /// Whether everything has been read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The tag of the next element, if any.
    pub fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// The next element, whatever its tag.
    pub fn any(&mut self, what: &str) -> Result<Tlv<'a>, String> {
        let (tlv, rest) = parse(self.rest).map_err(|e| format!("{what}: {e}"))?;
        self.rest = rest;
        Ok(tlv)
    }

    /// The next element, which must have tag `tag`.
    pub fn expect(&mut self, tag: u8, what: &str) -> Result<Tlv<'a>, String> {
        match self.peek() {
            Some(t) if t == tag => self.any(what),
            Some(t) => Err(format!("{what}: found tag 0x{t:02x}, expected 0x{tag:02x}")),
            None => Err(format!("{what}: missing")),
        }
    }

    /// The next element if it has tag `tag`.
    pub fn optional(&mut self, tag: u8, what: &str) -> Result<Option<Tlv<'a>>, String> {
        match self.peek() {
            Some(t) if t == tag => self.any(what).map(Some),
            _ => Ok(None),
        }
    }

    /// Fails unless everything has been read.
    pub fn end(&self, what: &str) -> Result<(), String> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(format!("{what}: {} bytes after its end", self.rest.len()))
        }
    }
}

/// Reads exactly one element from `bytes`, nothing after it.
pub(crate) fn single<'a>(bytes: &'a [u8], what: &str) -> Result<Tlv<'a>, String> {
    let mut reader = Reader::new(bytes);
    let tlv = reader.any(what)?;
    reader.end(what)?;
    Ok(tlv)
}

fn parse(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), &'static str> {
    let (&tag, after_tag) = input.split_first().ok_or("truncated")?;
    if tag & 0x1f == 0x1f {
        return Err("a high tag number, which these structures never use");
    }
    let (&first, rest) = after_tag.split_first().ok_or("truncated")?;
    let (len, rest) = match first {
        0..=0x7f => (usize::from(first), rest),
        0x80 => return Err("an indefinite length (BER, not DER)"),
        _ => {
            let n = usize::from(first & 0x7f);
            if n > 4 || rest.len() < n {
                return Err("a length that does not fit");
            }
            let len = rest[..n]
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            if rest[0] == 0 || len < 0x80 {
                return Err("a non-minimal length");
            }
            (len, &rest[n..])
        }
    };
    if rest.len() < len {
        return Err("truncated");
    }
    let header = input.len() - rest.len();
    Ok((
        Tlv {
            tag,
            content: &rest[..len],
            raw: &input[..header + len],
        },
        &rest[len..],
    ))
}

/// The DER content of an OID written in dotted form (`1.2.156.10197.1.501`), for comparison.
pub(crate) fn oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u128> = dotted.split('.').filter_map(|a| a.parse().ok()).collect();
    let mut out = Vec::new();
    let mut push = |mut v: u128| {
        let mut bytes = vec![(v & 0x7f) as u8];
        v >>= 7;
        while v > 0 {
            bytes.push((v & 0x7f) as u8 | 0x80);
            v >>= 7;
        }
        out.extend(bytes.iter().rev());
    };
    if let [a, b, rest @ ..] = arcs.as_slice() {
        push(a * 40 + b);
        rest.iter().copied().for_each(push);
    }
    out
}

/// The dotted form of OID content, for messages; `?` for malformed content.
pub(crate) fn oid_text(content: &[u8]) -> String {
    let mut arcs = Vec::new();
    let mut v: u128 = 0;
    for &b in content {
        if v > u128::MAX >> 7 {
            return "?".into();
        }
        v = (v << 7) | u128::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (v / 40).min(2);
                arcs.push(first);
                arcs.push(v - first * 40);
            } else {
                arcs.push(v);
            }
            v = 0;
        }
    }
    if content.is_empty() || content.last().is_some_and(|b| b & 0x80 != 0) {
        return "?".into();
    }
    arcs.iter()
        .map(u128::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_elements_with_their_raw_bytes() {
        let bytes = [0x30, 0x06, 0x02, 0x01, 0x04, 0x16, 0x01, b'E', 0xff];
        let mut r = Reader::new(&bytes);
        let seq = r.expect(tag::SEQUENCE, "seq").unwrap();
        assert_eq!(seq.raw, &bytes[..8]);
        let mut inner = seq.reader();
        assert_eq!(
            inner.expect(tag::INTEGER, "v").unwrap().small_uint("v"),
            Ok(4)
        );
        assert_eq!(inner.expect(tag::IA5_STRING, "s").unwrap().text(), "E");
        assert!(inner.end("seq").is_ok());
        assert!(r.end("all").is_err());
        assert!(r.any("garbage").is_err());
    }

    #[test]
    fn refuses_what_is_not_der() {
        for bad in [
            &[0x30, 0x80, 0, 0][..],
            &[0x30, 0x81, 0x05, 0, 0, 0, 0, 0],
            &[0x30, 0x05, 1],
            &[0x1f, 0x01, 0x00],
            &[0x30],
        ] {
            assert!(single(bad, "x").is_err(), "{bad:02x?}");
        }
    }

    #[test]
    fn oids_round_trip() {
        for dotted in ["1.2.156.10197.1.501", "1.2.840.113549.1.9.4", "2.5.29.15"] {
            assert_eq!(oid_text(&oid(dotted)), dotted);
        }
        assert_eq!(oid(" SM2"), Vec::<u8>::new());
        assert_eq!(oid_text(&[0x81]), "?");
    }
}
