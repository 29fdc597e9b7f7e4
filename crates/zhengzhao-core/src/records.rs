//! Rows of legacy (存量) exports: CSV in UTF-8 or GB18030/GBK, and JSON Lines.
//!
//! A [`Reader`] hands out one row at a time, so that a province's export of millions of rows
//! never sits in memory. A row that cannot be read (a cell in the wrong encoding, a line that is
//! not a JSON object, more values than columns) is handed out as a [`RowError`] and reading goes
//! on; only a file that cannot be read at all (no header, an I/O failure) stops it.
//!
//! ```
//! use zhengzhao_core::records::{Encoding, Format, Reader};
//! let csv = "证照编号,姓名\nA001,王伟\n".as_bytes();
//! let mut rows = Reader::new(csv, Format::Csv, Encoding::Auto)?;
//! let row = rows.next_row()?.unwrap().unwrap();
//! assert_eq!((row.row, row.get("姓名")), (2, Some("王伟")));
//! assert!(rows.next_row()?.is_none());
//! # Ok::<(), zhengzhao_core::records::SourceError>(())
//! ```

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};

use serde::Serialize;
use serde_json::Value;

use crate::error::{Coded, ErrorCode};

/// The longest JSON Lines record, in bytes: a legacy record is a few KiB.
pub const MAX_LINE: usize = 1 << 20;

/// How the bytes of the file encode text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// UTF-8 when the first row with non-ASCII text is valid UTF-8, GB18030 otherwise; the
    /// rest of the file is then read in that encoding.
    #[default]
    Auto,
    /// UTF-8 (a byte-order mark is skipped).
    Utf8,
    /// GB18030, which includes GBK and GB2312: what Chinese office software exports.
    Gb18030,
}

impl Encoding {
    /// Parses `auto`, `utf-8` (`utf8`), `gb18030`, `gbk` or `gb2312`.
    pub fn parse(s: &str) -> Option<Encoding> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Some(Encoding::Auto),
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            "gb18030" | "gbk" | "gb2312" => Some(Encoding::Gb18030),
            _ => None,
        }
    }

    /// The name, as [`Encoding::parse`] takes it.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Auto => "auto",
            Encoding::Utf8 => "utf-8",
            Encoding::Gb18030 => "gb18030",
        }
    }

    fn decode(self, bytes: &[u8]) -> Option<String> {
        match self {
            Encoding::Gb18030 => encoding_rs::GB18030
                .decode_without_bom_handling_and_without_replacement(bytes)
                .map(|s| s.into_owned()),
            Encoding::Utf8 | Encoding::Auto => std::str::from_utf8(bytes).ok().map(str::to_owned),
        }
    }
}

/// The layout of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Comma-separated values with a header row (RFC 4180 quoting).
    Csv,
    /// One JSON object per line; its keys are the columns.
    Jsonl,
}

impl Format {
    /// The format a file name suggests: `.jsonl`/`.ndjson` are JSON Lines, anything else CSV.
    pub fn from_path(path: &std::path::Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson") => {
                Format::Jsonl
            }
            _ => Format::Csv,
        }
    }
}

/// One row: its number and its cells by column name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Where the row starts in the file, counting lines from 1 (in a CSV the header is row 1,
    /// as a spreadsheet numbers it).
    pub row: u64,
    /// The cells, by column name. A CSV row shorter than the header lacks the last columns.
    pub cells: BTreeMap<String, String>,
}

impl Row {
    /// The cell of a column, as it stands in the file.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.cells.get(column).map(String::as_str)
    }
}

/// What is wrong with one input row: the line of the per-row error report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The row (see [`Row::row`]).
    pub row: u64,
    /// The column at fault, when one is.
    pub column: Option<String>,
    /// The rule broken: a stable name (`encoding`, `json`, `columns`, `missing_column`, `date`,
    /// `duplicate`, …, or a validation rule such as `enum` or `code`).
    pub rule: String,
    /// The offending value, when there is one.
    pub value: Option<String>,
    /// The stable code of the cause.
    #[serde(serialize_with = "code_name")]
    pub code: ErrorCode,
    /// What is wrong, in words.
    pub message: String,
}

fn code_name<S: serde::Serializer>(c: &ErrorCode, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(c.name())
}

impl RowError {
    /// An error of the row's format (encoding, JSON, shape), code `ZZ-E-IMPORT-003`.
    pub fn format(row: u64, column: Option<&str>, rule: &str, message: impl Into<String>) -> Self {
        RowError {
            row,
            column: column.map(str::to_owned),
            rule: rule.to_owned(),
            value: None,
            code: ErrorCode::ImportRow,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {}", self.row)?;
        if let Some(c) = &self.column {
            write!(f, ", column {c}")?;
        }
        write!(f, ": {} [{}]", self.message, self.rule)?;
        if let Some(v) = &self.value {
            write!(f, " (value: {v:?})")?;
        }
        Ok(())
    }
}

/// A file that cannot be read at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SourceError(pub String);

impl Coded for SourceError {
    fn code(&self) -> ErrorCode {
        ErrorCode::ImportSource
    }
}

/// Reads rows from a CSV or JSON Lines file.
pub struct Reader<R: Read> {
    inner: Inner<R>,
    encoding: Encoding,
}

enum Inner<R: Read> {
    Csv {
        reader: csv::Reader<Lf<R>>,
        header: Vec<String>,
        record: csv::ByteRecord,
    },
    Jsonl {
        lines: BufReader<R>,
        line: u64,
        read: u64,
        buf: Vec<u8>,
    },
}

impl<R: Read> Reader<R> {
    /// A reader of `source`. For a CSV this reads the header row.
    pub fn new(source: R, format: Format, encoding: Encoding) -> Result<Reader<R>, SourceError> {
        let mut encoding = encoding;
        let inner = match format {
            Format::Csv => {
                // Records end at `\n` only (CRLF is read as LF): a stray `\r` inside a row
                // stays in its cell instead of splitting the row in two.
                let mut reader = csv::ReaderBuilder::new()
                    .flexible(true)
                    .has_headers(false)
                    .terminator(csv::Terminator::Any(b'\n'))
                    .from_reader(Lf::new(source));
                let mut raw = csv::ByteRecord::new();
                let found = reader
                    .read_byte_record(&mut raw)
                    .map_err(|e| SourceError(format!("the header row cannot be read: {e}")))?;
                if !found {
                    return Err(SourceError(
                        "the file is empty: a CSV starts with a header row".into(),
                    ));
                }
                let header = decode_header(&raw, &mut encoding)?;
                Inner::Csv {
                    reader,
                    header,
                    record: csv::ByteRecord::new(),
                }
            }
            Format::Jsonl => Inner::Jsonl {
                lines: BufReader::new(source),
                line: 0,
                read: 0,
                buf: Vec::new(),
            },
        };
        Ok(Reader { inner, encoding })
    }

    /// The CSV header (empty for JSON Lines).
    pub fn header(&self) -> &[String] {
        match &self.inner {
            Inner::Csv { header, .. } => header,
            Inner::Jsonl { .. } => &[],
        }
    }

    /// The encoding in use: [`Encoding::Auto`] until a row with non-ASCII text decided it.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// How many bytes of the file have been read (for progress).
    pub fn position(&self) -> u64 {
        match &self.inner {
            Inner::Csv { reader, .. } => reader.position().byte(),
            Inner::Jsonl { read, .. } => *read,
        }
    }

    /// The next row: `None` at the end of the file, `Some(Err)` for a row that cannot be read.
    pub fn next_row(&mut self) -> Result<Option<Result<Row, RowError>>, SourceError> {
        match &mut self.inner {
            Inner::Csv {
                reader,
                header,
                record,
            } => {
                let line = reader.position().line();
                match reader.read_byte_record(record) {
                    Ok(false) => Ok(None),
                    Ok(true) => {
                        let line = record.position().map_or(line, |p| p.line());
                        Ok(Some(csv_row(header, record, line, &mut self.encoding)))
                    }
                    Err(e) => match e.kind() {
                        csv::ErrorKind::Io(_) => Err(SourceError(format!("reading: {e}"))),
                        _ => Ok(Some(Err(RowError::format(
                            line,
                            None,
                            "csv",
                            format!("not a CSV row: {e}"),
                        )))),
                    },
                }
            }
            Inner::Jsonl {
                lines,
                line,
                read,
                buf,
            } => loop {
                buf.clear();
                let n = read_line(lines, buf)?;
                if n == 0 {
                    return Ok(None);
                }
                *read += n as u64;
                *line += 1;
                if buf.len() > MAX_LINE {
                    return Ok(Some(Err(RowError::format(
                        *line,
                        None,
                        "json",
                        format!("the line is longer than {MAX_LINE} bytes"),
                    ))));
                }
                let text = trim_line(buf);
                if text.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                return Ok(Some(json_row(text, *line, &mut self.encoding)));
            },
        }
    }
}

/// `\r\n` read as `\n`: the CSV reader then counts the lines of Windows files as an editor does
/// (it would otherwise start each record on the line before).
struct Lf<R> {
    inner: R,
    /// Converted bytes not yet handed out, from `pos`.
    buf: Vec<u8>,
    pos: usize,
    /// A `\r` was read last: whether it is kept depends on the next byte.
    cr: bool,
}

impl<R: Read> Lf<R> {
    fn new(inner: R) -> Lf<R> {
        Lf {
            inner,
            buf: Vec::new(),
            pos: 0,
            cr: false,
        }
    }

    fn refill(&mut self) -> std::io::Result<()> {
        let mut raw = [0u8; 8192];
        self.buf.clear();
        self.pos = 0;
        while self.buf.is_empty() {
            let n = self.inner.read(&mut raw)?;
            if n == 0 {
                if std::mem::take(&mut self.cr) {
                    self.buf.push(b'\r');
                }
                return Ok(());
            }
            for &b in &raw[..n] {
                if std::mem::take(&mut self.cr) && b != b'\n' {
                    self.buf.push(b'\r');
                }
                if b == b'\r' {
                    self.cr = true;
                } else {
                    self.buf.push(b);
                }
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for Lf<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.buf.len() {
            self.refill()?;
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Reads up to and including the next `\n`, keeping at most [`MAX_LINE`] + 1 bytes of it.
fn read_line<R: Read>(r: &mut BufReader<R>, buf: &mut Vec<u8>) -> Result<usize, SourceError> {
    let mut total = 0;
    loop {
        let chunk = r
            .fill_buf()
            .map_err(|e| SourceError(format!("reading: {e}")))?;
        if chunk.is_empty() {
            return Ok(total);
        }
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = (MAX_LINE + 1).saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..take.min(room)]);
        r.consume(take);
        total += take;
        if done {
            return Ok(total);
        }
    }
}

fn trim_line(buf: &[u8]) -> &[u8] {
    let buf = buf.strip_suffix(b"\n").unwrap_or(buf);
    let buf = buf.strip_suffix(b"\r").unwrap_or(buf);
    buf.strip_prefix("\u{feff}".as_bytes()).unwrap_or(buf)
}

/// Decides the encoding on the first non-ASCII bytes seen, and decodes them.
fn decide(bytes: &[u8], encoding: &mut Encoding) -> Option<String> {
    if *encoding == Encoding::Auto && !bytes.is_ascii() {
        *encoding = if std::str::from_utf8(bytes).is_ok() {
            Encoding::Utf8
        } else {
            Encoding::Gb18030
        };
    }
    encoding.decode(bytes)
}

fn decode_header(
    raw: &csv::ByteRecord,
    encoding: &mut Encoding,
) -> Result<Vec<String>, SourceError> {
    let joined: Vec<u8> = raw.iter().flatten().copied().collect();
    decide(strip_bom(&joined), encoding);
    let mut header = Vec::with_capacity(raw.len());
    for (i, cell) in raw.iter().enumerate() {
        let cell = if i == 0 { strip_bom(cell) } else { cell };
        let name = encoding.decode(cell).ok_or_else(|| {
            SourceError(format!(
                "header column {} is not valid {}: give the file's encoding (utf-8 or gb18030)",
                i + 1,
                encoding.name()
            ))
        })?;
        let name = name.trim().to_owned();
        if header.contains(&name) {
            return Err(SourceError(format!(
                "the header names column '{name}' twice"
            )));
        }
        header.push(name);
    }
    Ok(header)
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix("\u{feff}".as_bytes()).unwrap_or(b)
}

fn csv_row(
    header: &[String],
    record: &csv::ByteRecord,
    line: u64,
    encoding: &mut Encoding,
) -> Result<Row, RowError> {
    if record.len() > header.len() {
        return Err(RowError::format(
            line,
            None,
            "columns",
            format!(
                "{} values for {} columns: a value holds an unquoted comma, or the row is shifted",
                record.len(),
                header.len()
            ),
        ));
    }
    if *encoding == Encoding::Auto {
        let joined: Vec<u8> = record.iter().flatten().copied().collect();
        decide(&joined, encoding);
    }
    let mut cells = BTreeMap::new();
    for (name, bytes) in header.iter().zip(record.iter()) {
        let value = encoding.decode(bytes).ok_or_else(|| {
            RowError::format(
                line,
                Some(name),
                "encoding",
                format!(
                    "not valid {}: the row was saved in another encoding than the file",
                    encoding.name()
                ),
            )
        })?;
        cells.insert(name.clone(), value);
    }
    Ok(Row { row: line, cells })
}

fn json_row(text: &[u8], line: u64, encoding: &mut Encoding) -> Result<Row, RowError> {
    let decoded = decide(text, encoding).ok_or_else(|| {
        RowError::format(
            line,
            None,
            "encoding",
            format!(
                "not valid {}: the line was saved in another encoding than the file",
                encoding.name()
            ),
        )
    })?;
    let object: serde_json::Map<String, Value> = serde_json::from_str(&decoded)
        .map_err(|e| RowError::format(line, None, "json", format!("not a JSON object: {e}")))?;
    let mut cells = BTreeMap::new();
    for (k, v) in object {
        let text = match v {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => continue,
            Value::Array(_) | Value::Object(_) => {
                return Err(RowError::format(
                    line,
                    Some(&k),
                    "type",
                    "a value must be a string, a number or null",
                ))
            }
        };
        cells.insert(k, text);
    }
    Ok(Row { row: line, cells })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(bytes: &[u8], format: Format, encoding: Encoding) -> Vec<Result<Row, RowError>> {
        let mut r = Reader::new(bytes, format, encoding).unwrap();
        let mut out = Vec::new();
        while let Some(row) = r.next_row().unwrap() {
            out.push(row);
        }
        out
    }

    #[test]
    fn gbk_csv_is_detected_and_decoded() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("证照编号,姓名\r\nA1,王伟\r\nA2,李娜\r\n");
        let mut r = Reader::new(&bytes[..], Format::Csv, Encoding::Auto).unwrap();
        assert_eq!(r.header(), ["证照编号", "姓名"]);
        assert_eq!(r.encoding(), Encoding::Gb18030);
        let row = r.next_row().unwrap().unwrap().unwrap();
        assert_eq!(row.get("姓名"), Some("王伟"));
        assert_eq!(row.row, 2);
    }

    #[test]
    fn a_row_in_another_encoding_is_an_error_of_that_row_only() {
        let mut bytes = "编号,姓名\nA1,王伟\n".as_bytes().to_vec();
        let (gbk, _, _) = encoding_rs::GB18030.encode("A2,李娜\n");
        bytes.extend_from_slice(&gbk);
        bytes.extend_from_slice("A3,张敏\n".as_bytes());
        let out = rows(&bytes, Format::Csv, Encoding::Auto);
        assert_eq!(out.len(), 3);
        assert!(out[0].is_ok() && out[2].is_ok());
        let e = out[1].as_ref().unwrap_err();
        assert_eq!((e.row, e.rule.as_str()), (3, "encoding"));
        assert_eq!(e.column.as_deref(), Some("姓名"));
    }

    #[test]
    fn bom_quotes_and_short_rows() {
        let text = "\u{feff}a,b,c\n\"x,1\",\"line\nbreak\"\nshort\n1,2,3,4\n";
        let out = rows(text.as_bytes(), Format::Csv, Encoding::Utf8);
        let first = out[0].as_ref().unwrap();
        assert_eq!(first.get("a"), Some("x,1"));
        assert_eq!(first.get("b"), Some("line\nbreak"));
        let short = out[1].as_ref().unwrap();
        assert_eq!((short.row, short.get("b")), (4, None));
        let long = out[2].as_ref().unwrap_err();
        assert_eq!((long.row, long.rule.as_str()), (5, "columns"));
    }

    #[test]
    fn jsonl_rows_and_their_errors() {
        let text = "{\"a\":\"x\",\"n\":12,\"z\":null}\n\n[1]\n{\"a\":{\"b\":1}}\n{\"a\":\"y\"}";
        let out = rows(text.as_bytes(), Format::Jsonl, Encoding::Auto);
        assert_eq!(out.len(), 4);
        let r = out[0].as_ref().unwrap();
        assert_eq!((r.get("n"), r.get("z")), (Some("12"), None));
        assert_eq!(out[1].as_ref().unwrap_err().rule, "json");
        assert_eq!(out[1].as_ref().unwrap_err().row, 3);
        assert_eq!(out[2].as_ref().unwrap_err().rule, "type");
        assert_eq!(out[3].as_ref().unwrap().row, 5);
    }

    #[test]
    fn over_long_lines_are_refused_without_reading_them_into_memory() {
        let mut text = vec![b'{'; MAX_LINE * 3];
        text.extend_from_slice(b"\n{\"a\":\"b\"}\n");
        let out = rows(&text, Format::Jsonl, Encoding::Utf8);
        assert_eq!(out[0].as_ref().unwrap_err().rule, "json");
        assert_eq!(out[1].as_ref().unwrap().get("a"), Some("b"));
    }

    #[test]
    fn a_stray_carriage_return_stays_in_its_cell() {
        // Found by the import_rows fuzzer: a lone CR split the row and repeated its number.
        let out = rows(b"a,b\r\n1,2\r3\r\n4,5\n", Format::Csv, Encoding::Utf8);
        let rows: Vec<_> = out.iter().map(|r| r.as_ref().unwrap()).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].row, rows[0].get("b")), (2, Some("2\r3")));
        assert_eq!((rows[1].row, rows[1].get("a")), (3, Some("4")));
    }

    #[test]
    fn crlf_becomes_lf_across_reads() {
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(out.len()).min(1);
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut text = String::new();
        Lf::new(Trickle(b"a\r\nb\rc\r\r\n\r"))
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "a\nb\rc\r\n\r");
    }

    #[test]
    fn files_that_cannot_be_read() {
        assert!(Reader::new(&b""[..], Format::Csv, Encoding::Auto).is_err());
        assert!(Reader::new(&b"a,a\n1,2\n"[..], Format::Csv, Encoding::Auto).is_err());
        assert!(Reader::new(&b"\xff\xfe,b\n"[..], Format::Csv, Encoding::Utf8).is_err());
    }
}
