//! RFC 8785 JSON Canonicalization Scheme (JCS): the bytes that are hashed and signed.
//!
//! - object members sorted by the UTF-16 code units of their names;
//! - numbers written as ECMAScript `Number.prototype.toString` writes IEEE 754 doubles;
//! - strings with the minimal JSON escaping (`\"`, `\\`, `\b \f \n \r \t`, other controls as
//!   `\u00xx`), everything else as UTF-8;
//! - no white space.
//!
//! Input that JCS cannot represent is refused: duplicate member names, lone surrogates, invalid
//! UTF-8, numbers outside the double range.
//!
//! ```
//! let c = zhengzhao_core::jcs::canonicalize(br#"{"b": [1.0, 1e21, "\u00e9"], "a": -0}"#).unwrap();
//! assert_eq!(c, r#"{"a":0,"b":[1,1e+21,"é"]}"#.as_bytes());
//! assert!(zhengzhao_core::jcs::canonicalize(br#"{"a":1,"a":2}"#).is_err());
//! ```

use std::fmt;

use bumpalo::Bump;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::{Coded, ErrorCode};

/// JSON that cannot be canonicalised, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot canonicalise JSON: {0}")]
pub struct JcsError(pub String);

impl Coded for JcsError {
    fn code(&self) -> ErrorCode {
        ErrorCode::Jcs
    }
}

/// Parses JSON text and writes its canonical form.
pub fn canonicalize(json: &[u8]) -> Result<Vec<u8>, JcsError> {
    Ok(canonicalize_value(&parse_strict(json)?))
}

/// Parses JSON text strictly: like `serde_json`, and also refusing duplicate member names
/// (which JSON parsers resolve differently, so a signature over them would be ambiguous).
pub fn parse_strict(json: &[u8]) -> Result<Value, JcsError> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let v = StrictValue
        .deserialize(&mut de)
        .map_err(|e| JcsError(e.to_string()))?;
    de.end().map_err(|e| JcsError(e.to_string()))?;
    Ok(v)
}

/// The canonical form of a JSON value.
pub fn canonicalize_value(v: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(2048);
    write_value(&mut out, v);
    out
}

/// The canonical form of a JSON object without its member `skip`: how a secured document is
/// canonicalised without its proof, and a proof without its value, with no copy of either.
pub fn canonicalize_object_without(map: &Map<String, Value>, skip: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(2048);
    write_object(&mut out, map, Some(skip));
    out
}

fn write_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(map) => write_object(out, map, None),
    }
}

fn write_object(out: &mut Vec<u8>, map: &Map<String, Value>, skip: Option<&str>) {
    out.push(b'{');
    let mut first = true;
    let mut member = |out: &mut Vec<u8>, k: &String, v: &Value| {
        if skip == Some(k.as_str()) {
            return;
        }
        if !first {
            out.push(b',');
        }
        first = false;
        write_string(out, k);
        out.push(b':');
        write_value(out, v);
    };
    // The map iterates in UTF-8 byte order, which is UTF-16 code-unit order unless a name has
    // a character at or above U+E000 (UTF-8 lead byte 0xEE or more): sort only then.
    if map.keys().all(|k| k.bytes().all(|b| b < 0xEE)) {
        for (k, v) in map {
            member(out, k, v);
        }
    } else {
        let mut members: Vec<(&String, &Value)> = map.iter().collect();
        members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
        for (k, v) in members {
            member(out, k, v);
        }
    }
    out.push(b'}');
}

fn write_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    // Most strings need no escaping: copy them whole.
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        return;
    }
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&s.as_bytes()[start..i]);
        if escape.is_empty() {
            out.extend_from_slice(format!("\\u{b:04x}").as_bytes());
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(&s.as_bytes()[start..]);
    out.push(b'"');
}

fn write_number(out: &mut Vec<u8>, n: &Number) {
    // JSON numbers are IEEE 754 doubles to JCS: integers beyond 2^53 round like any other.
    let x = n.as_f64().unwrap_or(f64::NAN);
    out.extend_from_slice(es_number(x).as_bytes());
}

/// Formats a finite double as ECMAScript's `Number.prototype.toString` does.
///
/// ```
/// use zhengzhao_core::jcs::es_number;
/// assert_eq!(es_number(1e21), "1e+21");
/// assert_eq!(es_number(1e-7), "1e-7");
/// assert_eq!(es_number(0.000001), "0.000001");
/// assert_eq!(es_number(-0.0), "0");
/// assert_eq!(es_number(123456789012345680000.0), "123456789012345680000");
/// // Two shortest forms, …312.2 and …312.3, are equally near the double (…312.25): the even one.
/// assert_eq!(es_number(562949953421312.2), "562949953421312.2");
/// ```
pub fn es_number(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    if !x.is_finite() {
        // Unreachable from JSON input (parsing refuses it); kept total rather than panicking.
        return "null".into();
    }
    // Ryu gives the shortest digits that round-trip, the nearest of them to the double, and of
    // two equally near the even one, as ECMAScript says. (Rust's `{:e}` breaks such ties
    // upwards.) Read its output as digits d₁…dₖ and n, the value being 0.d₁…dₖ × 10ⁿ.
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(x.abs());
    let (mantissa, exp) = text.split_once('e').unwrap_or((text, "0"));
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all = [int, frac].concat();
    let digits = all.trim_start_matches('0');
    let leading = (all.len() - digits.len()) as i32;
    let digits = digits.trim_end_matches('0');
    let k = digits.len() as i32;
    let n = int.len() as i32 + exp.parse::<i32>().expect("Ryu's exponent is an integer") - leading;
    let mut s = String::with_capacity(24);
    if x < 0.0 {
        s.push('-');
    }
    if k <= n && n <= 21 {
        s.push_str(digits);
        s.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        s.push_str(&digits[..n as usize]);
        s.push('.');
        s.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        s.push_str("0.");
        s.extend(std::iter::repeat_n('0', (-n) as usize));
        s.push_str(digits);
    } else {
        s.push_str(&digits[..1]);
        if k > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        s.push('e');
        s.push(if n > 0 { '+' } else { '-' });
        s.push_str(&(n - 1).abs().to_string());
    }
    s
}

/// Read access to a parsed JSON document, so that one piece of code reads documents both as
/// `serde_json` values and as [`Canonical`] views of text already in canonical form.
pub(crate) trait JsonRead: Sized {
    /// The member `name` of an object (`None` for an absent member or a non-object).
    fn get(&self, name: &str) -> Option<&Self>;
    /// Whether this is an object.
    fn is_object(&self) -> bool;
    /// Whether this is an array.
    fn is_array(&self) -> bool;
    /// The text of a string.
    fn as_str(&self) -> Option<&str>;
    /// The items of an array.
    fn as_array(&self) -> Option<&[Self]>;
    /// Whether two values are the same JSON value.
    fn same(&self, other: &Self) -> bool;
    /// The canonical form of an object without its member `skip` (of a non-object: its
    /// canonical form).
    fn canonical_without(&self, skip: &str) -> Pieces<'_>;
    /// The value read as a `T`.
    fn deserialize<T: de::DeserializeOwned>(&self) -> Result<T, String>;
}

impl JsonRead for Value {
    fn get(&self, name: &str) -> Option<&Value> {
        self.as_object()?.get(name)
    }
    fn is_object(&self) -> bool {
        self.is_object()
    }
    fn is_array(&self) -> bool {
        self.is_array()
    }
    fn as_str(&self) -> Option<&str> {
        self.as_str()
    }
    fn as_array(&self) -> Option<&[Value]> {
        self.as_array().map(Vec::as_slice)
    }
    fn same(&self, other: &Value) -> bool {
        self == other
    }
    fn canonical_without(&self, skip: &str) -> Pieces<'_> {
        Pieces::whole(match self {
            Value::Object(map) => canonicalize_object_without(map, skip),
            other => canonicalize_value(other),
        })
    }
    fn deserialize<T: de::DeserializeOwned>(&self) -> Result<T, String> {
        T::deserialize(self).map_err(|e| e.to_string())
    }
}

/// Canonical text in two pieces, one after the other: a view cuts a member out of its text
/// without copying the rest.
pub(crate) struct Pieces<'a>(std::borrow::Cow<'a, [u8]>, &'a [u8]);

impl Pieces<'_> {
    fn whole(text: Vec<u8>) -> Pieces<'static> {
        Pieces(text.into(), &[])
    }

    /// The text's two pieces.
    pub(crate) fn as_slices(&self) -> [&[u8]; 2] {
        [&self.0, self.1]
    }
}

/// A view of JSON text that is already in canonical form, read without copying: what
/// [`parse_canonical`] gives. Every value keeps its text, which is its canonical form.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Canonical<'a> {
    raw: &'a str,
    kind: Kind<'a>,
}

#[derive(Clone, Copy, Debug)]
enum Kind<'a> {
    /// A number, `true`, `false` or `null`.
    Literal,
    /// A string (its text needs no unescaping).
    Str(&'a str),
    /// Items, in the parse's arena.
    Array(&'a [Canonical<'a>]),
    /// Members in canonical order, in the parse's arena; each name points into the text.
    Object(&'a [(&'a str, Canonical<'a>)]),
}

/// Nesting deeper than this is left to [`parse_strict`] (whose limit is higher).
const CANONICAL_MAX_DEPTH: usize = 64;

/// Reads JSON text that is already in its canonical form, as this library writes documents,
/// and that uses a subset of JSON chosen so that the test is exact and cheap: no escapes in
/// strings and names, numbers only integers of at most 15 digits. `None` for any other text
/// (which [`parse_strict`] and [`canonicalize_value`] then handle).
///
/// When it gives a view, [`parse_strict`] accepts the same text, its value reads the same, and
/// [`canonicalize_value`] of that value is the text itself: no white space, strings and numbers
/// written as JCS writes them, and members in strictly increasing JCS order (so no duplicates).
///
/// The view's arrays and objects are placed in `arena`.
pub(crate) fn parse_canonical<'a>(json: &'a [u8], arena: &'a Bump) -> Option<Canonical<'a>> {
    let text = simdutf8::basic::from_utf8(json).ok()?;
    // The stacks are kept, empty, for the thread's next document: with their space.
    let (members, items) = SCRATCH.take();
    let mut p = CanonicalParser {
        text,
        i: 0,
        arena,
        members: recycle(members),
        items: recycle(items),
    };
    p.members.reserve(32);
    p.items.reserve(8);
    let v = p.value(0);
    if p.members.capacity() <= SCRATCH_MAX && p.items.capacity() <= SCRATCH_MAX {
        SCRATCH.set((recycle(p.members), recycle(p.items)));
    }
    v.filter(|_| p.i == text.len())
}

/// [`parse_canonical`] of `json` in an arena kept by the thread, given to `f`: once the
/// thread has read a document of this size, reading one allocates nothing.
pub(crate) fn with_canonical<R>(
    json: &[u8],
    f: impl FnOnce(&Canonical<'_>) -> Option<R>,
) -> Option<R> {
    let mut arena = ARENA.take().unwrap_or_default();
    let r = parse_canonical(json, &arena).and_then(|view| f(&view));
    if arena.allocated_bytes() <= ARENA_MAX {
        arena.reset();
        ARENA.set(Some(arena));
    }
    r
}

thread_local! {
    static ARENA: std::cell::Cell<Option<Bump>> = const { std::cell::Cell::new(None) };
}

/// An arena larger than this (in bytes) is not kept.
const ARENA_MAX: usize = 1 << 20;

/// The parser's stacks between documents, always empty.
type Scratch<'a> = (Vec<(&'a str, Canonical<'a>)>, Vec<Canonical<'a>>);

thread_local! {
    static SCRATCH: std::cell::Cell<Scratch<'static>> =
        const { std::cell::Cell::new((Vec::new(), Vec::new())) };
}

/// Stacks larger than this (in entries) are not kept.
const SCRATCH_MAX: usize = 4096;

/// An emptied vector as one of another element type of the same layout (here: the same type
/// with other lifetimes), keeping its allocation: the standard library collects a mapped
/// `into_iter` in place.
fn recycle<T, U>(mut v: Vec<T>) -> Vec<U> {
    v.clear();
    v.into_iter().map(|_| unreachable!("empty")).collect()
}

struct CanonicalParser<'a> {
    text: &'a str,
    i: usize,
    arena: &'a Bump,
    /// The members of the objects and the items of the arrays being read.
    members: Vec<(&'a str, Canonical<'a>)>,
    items: Vec<Canonical<'a>>,
}

impl<'a> CanonicalParser<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.i).copied()
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        (self.peek()? == b).then(|| self.i += 1)
    }

    fn value(&mut self, depth: usize) -> Option<Canonical<'a>> {
        let start = self.i;
        let kind = match self.peek()? {
            b'"' => Kind::Str(self.string()?),
            b'{' if depth < CANONICAL_MAX_DEPTH => self.object(depth + 1)?,
            b'[' if depth < CANONICAL_MAX_DEPTH => self.array(depth + 1)?,
            b't' => self.literal("true")?,
            b'f' => self.literal("false")?,
            b'n' => self.literal("null")?,
            b'-' | b'0'..=b'9' => self.number()?,
            _ => return None,
        };
        Some(Canonical {
            raw: &self.text[start..self.i],
            kind,
        })
    }

    /// A string without escapes or control characters (at its opening quote).
    fn string(&mut self) -> Option<&'a str> {
        let start = self.i + 1;
        let rest = &self.text.as_bytes()[start..];
        let n = string_end(rest)?;
        if rest[n] != b'"' {
            return None;
        }
        self.i = start + n + 1;
        // Both ends are ASCII, so on character boundaries.
        Some(&self.text[start..start + n])
    }

    fn literal(&mut self, word: &str) -> Option<Kind<'a>> {
        self.text[self.i..].starts_with(word).then(|| {
            self.i += word.len();
            Kind::Literal
        })
    }

    /// `0` or `-?[1-9][0-9]{0,14}`: integers that a double holds exactly and that JCS writes as
    /// they are (so not `-0`).
    fn number(&mut self) -> Option<Kind<'a>> {
        let negative = self.eat(b'-').is_some();
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        let canonical = match &self.text.as_bytes()[start..self.i] {
            [b'0'] => !negative,
            digits @ [b'1'..=b'9', ..] => digits.len() <= 15,
            _ => false,
        };
        (canonical && !matches!(self.peek(), Some(b'.' | b'e' | b'E'))).then_some(Kind::Literal)
    }

    fn array(&mut self, depth: usize) -> Option<Kind<'a>> {
        self.eat(b'[')?;
        // Items gather on a stack shared by every array, then move to a vector of their size.
        let mark = self.items.len();
        if self.eat(b']').is_none() {
            loop {
                let item = self.value(depth)?;
                self.items.push(item);
                match self.peek()? {
                    b',' => self.i += 1,
                    b']' => {
                        self.i += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        Some(Kind::Array(
            self.arena.alloc_slice_fill_iter(self.items.drain(mark..)),
        ))
    }

    fn object(&mut self, depth: usize) -> Option<Kind<'a>> {
        self.eat(b'{')?;
        let mark = self.members.len();
        if self.eat(b'}').is_none() {
            loop {
                if self.peek()? != b'"' {
                    return None;
                }
                let name = self.string()?;
                if self.members.len() > mark
                    && self
                        .members
                        .last()
                        .is_some_and(|(prev, _)| !jcs_less(prev, name))
                {
                    return None;
                }
                self.eat(b':')?;
                let value = self.value(depth)?;
                self.members.push((name, value));
                match self.peek()? {
                    b',' => self.i += 1,
                    b'}' => {
                        self.i += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        Some(Kind::Object(
            self.arena.alloc_slice_fill_iter(self.members.drain(mark..)),
        ))
    }
}

/// The index of the first `"`, `\\` or control character, eight bytes at a time.
fn string_end(s: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A high bit set in each byte that is zero (exact for the first such byte, which is all
    // that is looked at), or below 0x20.
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let mut i = 0;
    while let Some(word) = s.get(i..i + 8) {
        let v = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        let hit = zero(v ^ (ONES * u64::from(b'"')))
            | zero(v ^ (ONES * u64::from(b'\\')))
            | (v.wrapping_sub(ONES * 0x20) & !v & HIGH);
        if hit != 0 {
            break;
        }
        i += 8;
    }
    s[i..]
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
        .map(|n| i + n)
}

/// Whether member name `a` sorts strictly before `b` in JCS order (UTF-16 code units). UTF-8
/// byte order is the same unless the first differing bytes are the lead bytes of a character
/// at or above U+E000 (0xEE or more) and of one above U+FFFF: compare code units only then.
fn jcs_less(a: &str, b: &str) -> bool {
    match a.bytes().zip(b.bytes()).find(|(x, y)| x != y) {
        None => a.len() < b.len(),
        Some((x, y)) if x < 0xEE && y < 0xEE => x < y,
        Some(_) => a.encode_utf16().lt(b.encode_utf16()),
    }
}

impl<'a> Canonical<'a> {
    /// Where `part` (a slice of this value's text) starts in it.
    fn offset(&self, part: &str) -> usize {
        part.as_ptr() as usize - self.raw.as_ptr() as usize
    }
}

impl JsonRead for Canonical<'_> {
    fn get(&self, name: &str) -> Option<&Self> {
        match &self.kind {
            Kind::Object(members) => members.iter().find(|(k, _)| *k == name).map(|(_, v)| v),
            _ => None,
        }
    }
    fn is_object(&self) -> bool {
        matches!(self.kind, Kind::Object(_))
    }
    fn is_array(&self) -> bool {
        matches!(self.kind, Kind::Array(_))
    }
    fn as_str(&self) -> Option<&str> {
        match self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }
    fn as_array(&self) -> Option<&[Self]> {
        match &self.kind {
            Kind::Array(items) => Some(items),
            _ => None,
        }
    }
    fn same(&self, other: &Self) -> bool {
        // Canonical text is one-to-one with values here (integers only, no escapes).
        self.raw == other.raw
    }
    fn canonical_without(&self, skip: &str) -> Pieces<'_> {
        let raw = self.raw.as_bytes();
        let Kind::Object(members) = &self.kind else {
            return Pieces(raw.into(), &[]);
        };
        let Some(at) = members.iter().position(|(k, _)| *k == skip) else {
            return Pieces(raw.into(), &[]);
        };
        let (name, value) = &members[at];
        // The member's text, from its name's opening quote to the end of its value, and the
        // comma that joins it to a neighbour.
        let mut start = self.offset(name) - 1;
        let mut end = self.offset(value.raw) + value.raw.len();
        if at > 0 {
            start -= 1;
        } else if members.len() > 1 {
            end += 1;
        }
        Pieces(raw[..start].into(), &raw[end..])
    }
    fn deserialize<T: de::DeserializeOwned>(&self) -> Result<T, String> {
        T::deserialize(self).map_err(|e| e.to_string())
    }
}

/// A view is read as `serde_json` reads the `Value` of the same text: strings, `u64` for
/// non-negative and `i64` for negative integers, `null` as none.
impl<'de> de::Deserializer<'de> for &'de Canonical<'de> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        use de::value::{MapDeserializer, SeqDeserializer};
        match &self.kind {
            Kind::Str(s) => visitor.visit_borrowed_str(s),
            Kind::Array(items) => visitor.visit_seq(SeqDeserializer::new(items.iter())),
            Kind::Object(members) => {
                visitor.visit_map(MapDeserializer::new(members.iter().map(|(k, v)| (*k, v))))
            }
            Kind::Literal => match self.raw {
                "true" => visitor.visit_bool(true),
                "false" => visitor.visit_bool(false),
                "null" => visitor.visit_unit(),
                n if n.starts_with('-') => visitor.visit_i64(n.parse().map_err(de::Error::custom)?),
                n => visitor.visit_u64(n.parse().map_err(de::Error::custom)?),
            },
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match (&self.kind, self.raw) {
            (Kind::Literal, "null") => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.kind {
            // Unit variants, as strings; anything else is left to the general path.
            Kind::Str(s) => visitor.visit_enum(de::IntoDeserializer::into_deserializer(s)),
            _ => Err(de::Error::custom("not a unit variant")),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

impl<'de> de::IntoDeserializer<'de, de::value::Error> for &'de Canonical<'de> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

/// A `serde_json::Value` seed that refuses duplicate member names.
struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number is not a finite double"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(StrictValue)? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(StrictValue)?;
            if members.contains_key(&key) {
                return Err(de::Error::custom(format!("duplicate member name {key:?}")));
            }
            members.insert(key, value);
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> String {
        String::from_utf8(canonicalize(s.as_bytes()).unwrap()).unwrap()
    }

    #[test]
    fn numbers_are_shortest_round_trip_and_break_ties_to_even() {
        // …312.2 and …312.3 are equally near the double (…312.25): ECMAScript takes the even
        // one, as the rfc8785 package does (hypothesis found Rust's `{:e}` taking the other).
        assert_eq!(es_number(562949953421312.2), "562949953421312.2");
        let digits = |t: &str| {
            let m = t.split(['e', 'E']).next().unwrap_or_default();
            let d: String = m.chars().filter(char::is_ascii_digit).collect();
            d.trim_start_matches('0').trim_end_matches('0').len()
        };
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..100_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let x = f64::from_bits(state);
            if !x.is_finite() || x == 0.0 {
                continue;
            }
            let s = es_number(x);
            assert_eq!(s.parse::<f64>().ok(), Some(x), "{s}");
            let shortest = format!("{:e}", x.abs());
            assert_eq!(digits(&s), digits(&shortest), "{s} against {shortest}");
        }
    }

    #[test]
    fn numbers_follow_ecmascript() {
        let cases = [
            ("0", "0"),
            ("-0", "0"),
            ("-0.0", "0"),
            ("1", "1"),
            ("1.0", "1"),
            ("-1.5", "-1.5"),
            ("1e21", "1e+21"),
            ("1e20", "100000000000000000000"),
            ("123e18", "123000000000000000000"),
            ("1.5e21", "1.5e+21"),
            ("0.000001", "0.000001"),
            ("0.0000001", "1e-7"),
            ("1.2345e-7", "1.2345e-7"),
            ("4.94065645841246544e-324", "5e-324"),
            ("1.7976931348623157e308", "1.7976931348623157e+308"),
            ("9007199254740993", "9007199254740992"),
            ("18446744073709551616", "18446744073709552000"),
            ("-9223372036854775808", "-9223372036854776000"),
            ("0.1", "0.1"),
            ("333333333.33333329", "333333333.3333333"),
            ("1E400", ""),
        ];
        for (input, expected) in cases {
            match canonicalize(input.as_bytes()) {
                Ok(out) => assert_eq!(String::from_utf8(out).unwrap(), expected, "{input}"),
                Err(e) => assert!(expected.is_empty(), "{input}: {e}"),
            }
        }
    }

    #[test]
    fn keys_sort_by_utf16_code_units() {
        // U+1F600 (a surrogate pair, D83D DE00) sorts before U+FB01 in UTF-16, after it in UTF-8.
        assert_eq!(c(r#"{"\ufb01":1,"😀":2,"a":3}"#), r#"{"a":3,"😀":2,"ﬁ":1}"#);
    }

    #[test]
    fn the_parser_stacks_and_arena_are_kept_between_documents() {
        let v: Vec<(&str, Canonical<'_>)> = Vec::with_capacity(100);
        let ptr = v.as_ptr() as usize;
        let w: Vec<(&'static str, Canonical<'static>)> = recycle(v);
        assert_eq!((w.as_ptr() as usize, w.capacity()), (ptr, 100));
        for _ in 0..3 {
            let arena = Bump::new();
            let doc = br#"{"a":[1,2,{"b":"c"}],"d":{"e":null}}"#;
            let v = parse_canonical(doc, &arena).unwrap();
            assert_eq!(
                v.get("d").and_then(|d| d.get("e")).map(|e| e.raw),
                Some("null")
            );
            assert!(parse_canonical(br#"{"a":1}x"#, &arena).is_none());
        }
        // The arena is kept by the thread, emptied, after documents that are read and after
        // those that are declined, and does not grow when the same document is read again.
        let doc = br#"{"a":[1,2,{"b":"c"}],"d":{"e":null}}"#;
        let e = |v: &Canonical<'_>| v.get("d")?.get("e").map(|e| e.raw.to_owned());
        assert_eq!(with_canonical(doc, e).as_deref(), Some("null"));
        let size = ARENA.with(|a| {
            let arena = a.take().expect("kept");
            let size = arena.allocated_bytes();
            a.set(Some(arena));
            size
        });
        assert_eq!(with_canonical(br#"{"b":1,"a":2}"#, e), None);
        assert_eq!(with_canonical(doc, e).as_deref(), Some("null"));
        let kept = ARENA.take().expect("kept");
        assert_eq!(kept.allocated_bytes(), size);
        // Not UTF-8 (a lone continuation byte, a truncated CJK character, an overlong '/'):
        // declined, so the strict parser says what is wrong.
        for bad in [
            &b"{\"a\":\"\x80\"}"[..],
            b"{\"a\":\"\xe8\xaf\"}",
            b"{\"a\":\"\xc0\xaf\"}",
        ] {
            assert!(parse_canonical(bad, &Bump::new()).is_none(), "{bad:?}");
            assert!(parse_strict(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn strings_escape_minimally() {
        assert_eq!(
            c(r#""\u0001\u001f\b\f\n\r\t\"\\/\u007f\u2028é""#),
            "\"\\u0001\\u001f\\b\\f\\n\\r\\t\\\"\\\\/\u{7f}\u{2028}é\""
        );
    }

    #[test]
    fn canonical_views_are_exactly_canonical_text() {
        let texts = [
            r#"{"a":1,"b":[true,false,null,"x"],"c":{}}"#,
            r#"{"a":1,"a":2}"#,
            r#"{"b":1,"a":2}"#,
            r#"{"a":-0}"#,
            r#"{"a":01}"#,
            r#"{"a":1.0}"#,
            r#"{"a":1e3}"#,
            r#"{"a":1234567890123456}"#,
            r#"{"a":-123456789012345}"#,
            r#"{"a":"\n"}"#,
            r#"{"a":"é😀"}"#,
            r#"{"a" :1}"#,
            r#"[1,2,]"#,
            r#"{"ﬁ":1,"😀":2}"#,
            r#"{"😀":2,"ﬁ":1}"#,
            r#"{"\u0061":1}"#,
            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
            "\"a\u{1}\"",
            "\"\u{7f}\"",
            "nul",
            "",
        ];
        let mut viewed = 0;
        for t in texts {
            let arena = Bump::new();
            if let Some(v) = parse_canonical(t.as_bytes(), &arena) {
                viewed += 1;
                let value = parse_strict(t.as_bytes()).unwrap();
                assert_eq!(canonicalize_value(&value), t.as_bytes(), "{t}");
                assert_eq!(v.raw, t);
            }
        }
        assert_eq!(viewed, 5);
    }

    #[test]
    fn canonical_text_without_a_member() {
        for (t, skip, want) in [
            (r#"{"a":1,"b":[2],"c":3}"#, "b", r#"{"a":1,"c":3}"#),
            (r#"{"a":1,"b":[2],"c":3}"#, "a", r#"{"b":[2],"c":3}"#),
            (r#"{"a":1,"b":[2],"c":3}"#, "c", r#"{"a":1,"b":[2]}"#),
            (r#"{"a":1}"#, "a", "{}"),
            (r#"{"a":1}"#, "z", r#"{"a":1}"#),
        ] {
            let arena = Bump::new();
            let v = parse_canonical(t.as_bytes(), &arena).unwrap();
            assert_eq!(
                v.canonical_without(skip).as_slices().concat(),
                want.as_bytes()
            );
            let value = parse_strict(t.as_bytes()).unwrap();
            assert_eq!(
                value.canonical_without(skip).as_slices().concat(),
                want.as_bytes()
            );
        }
    }

    #[test]
    fn refuses_what_jcs_cannot_represent() {
        for bad in [
            r#"{"a":1,"a":2}"#,
            r#"{"x":{"b":1,"b":1}}"#,
            r#""\ud800""#,
            r#""\udc00x""#,
            "1e309",
            "-1e309",
            "NaN",
            "[1,]",
            "{} {}",
            "",
            "\"\u{0}\"",
        ] {
            assert!(canonicalize(bad.as_bytes()).is_err(), "{bad}");
        }
        assert!(canonicalize(b"\"\xff\"").is_err(), "invalid UTF-8");
        let deep = "[".repeat(10_000);
        assert!(
            canonicalize(deep.as_bytes()).is_err(),
            "deep nesting is an error, not a stack overflow"
        );
    }
}
