//! The QR payload of a signed licence, for 亮证 / 扫码核验: the whole signed document, so that a
//! verifier checks it offline without asking anyone.
//!
//! ```text
//! ZZ1:<base45 (RFC 9285) of raw deflate (RFC 1951) with the preset dictionary of version 1>
//! ```
//!
//! The document is compressed in its RFC 8785 canonical form, and decoding gives those bytes
//! back: the proof verifies over them as over the original. Nothing of the document is dropped
//! or rewritten; the strings every licence repeats (the contexts, member names, URN prefixes,
//! the cryptosuite names) are in a preset dictionary instead, which saves about a third of the
//! compressed size (measured in `docs/formats.md`). base45 fits the QR alphanumeric mode, whose
//! 5.5 bits per character make 2 bytes in 3 characters cost what they would in byte mode
//! (16 bits) less 3 %. The prefix names the dictionary: a new dictionary is a new prefix.
//!
//! Decoding is defensive: a payload over [`MAX_PAYLOAD_LEN`] characters or a document that
//! inflates beyond [`MAX_DOCUMENT_LEN`] bytes (a zip bomb) is refused before it is finished,
//! and a bad prefix, bad base45, corrupt or truncated data each have their own code.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use crate::error::{Coded, ErrorCode};
use crate::jcs;

/// The prefix of version 1 payloads.
pub const PREFIX: &str = "ZZ1:";
/// The longest payload read, in characters (a version 40 QR code holds 4,296 alphanumeric
/// characters; twice that leaves room for other carriers, such as NFC).
pub const MAX_PAYLOAD_LEN: usize = 8 * 1024;
/// The largest document written or read back, in bytes.
pub const MAX_DOCUMENT_LEN: usize = 64 * 1024;

/// The preset dictionary of version 1: what licence documents have in common. Never change it:
/// payloads in the field were compressed against it. A new one goes with a new prefix.
pub const DICTIONARY: &[u8] = concat!(
    r#"{"@context":["https://www.w3.org/ns/credentials/v2","urn:zhengzhao:context:licence:v1"],"#,
    r#""credentialStatus":{"id":"urn:zz:statuslist:","statusListCredential":"urn:zz:statuslist:","#,
    r#""statusListIndex":"","statusPurpose":"message","statusSize":3,"type":"BitstringStatusListEntry"},"#,
    r#""credentialSubject":{"area":"","fields":{},"holders":[{"code":"","code_type":"001","name":""},"#,
    r#"{"code":"","code_type":"111","name":""}],"id":"1.2.156.3005.2.","issued_on":"20","#,
    r#""issuer":{"code":"","name":""},"name":"","number":"","previous":"","type_version":1,"#,
    r#""validity":{"from":"20","until":null}},"id":"urn:zz:licence:1.2.156.3005.2.","#,
    r#""issuer":{"id":"urn:zz:org:","name":""},"proof":{"@context":["https://www.w3.org/ns/credentials/v2","#,
    r#""urn:zhengzhao:context:licence:v1"],"created":"20","cryptosuite":"ecdsa-jcs-2019","#,
    r#""cryptosuite":"eddsa-jcs-2022","proofPurpose":"assertionMethod","proofValue":"z","#,
    r#""type":"DataIntegrityProof","verificationMethod":"urn:zz:cert:sha256:"},"#,
    r#""type":["VerifiableCredential","ElectronicLicence"],"validFrom":"T00:00:00+08:00","#,
    r#""validUntil":"T23:59:59+08:00"}"#
)
.as_bytes();

/// Why a QR payload cannot be made or read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QrError {
    /// No `ZZ1:` prefix.
    #[error("QR payload: {0}")]
    Prefix(String),
    /// A payload or document larger than the limits.
    #[error("QR payload: {0}")]
    TooLarge(String),
    /// Not base45.
    #[error("QR payload: {0}")]
    Base45(String),
    /// Compressed data that is corrupt or truncated, or does not hold a canonical document.
    #[error("QR payload: {0}")]
    Data(String),
    /// The document to encode is not strict JSON.
    #[error("QR payload: {0}")]
    Json(#[from] jcs::JcsError),
}

impl Coded for QrError {
    fn code(&self) -> ErrorCode {
        match self {
            QrError::Prefix(_) => ErrorCode::QrPrefix,
            QrError::TooLarge(_) => ErrorCode::TooLarge,
            QrError::Base45(_) => ErrorCode::QrBase45,
            QrError::Data(_) => ErrorCode::QrData,
            QrError::Json(e) => e.code(),
        }
    }
}

/// The QR payload of a document (a signed licence, as stored or as any JSON that canonicalises
/// to it).
pub fn encode(document: &[u8]) -> Result<String, QrError> {
    let canonical = jcs::canonicalize(document)?;
    if canonical.len() > MAX_DOCUMENT_LEN {
        return Err(QrError::TooLarge(format!(
            "the document is {} bytes canonical, more than {MAX_DOCUMENT_LEN}",
            canonical.len()
        )));
    }
    Ok(format!("{PREFIX}{}", base45::encode(deflate(&canonical))))
}

/// The document of a QR payload: its RFC 8785 canonical JSON, on which its proof verifies.
pub fn decode(payload: &str) -> Result<Vec<u8>, QrError> {
    let body = payload.strip_prefix(PREFIX).ok_or_else(|| {
        QrError::Prefix(if payload.starts_with("ZZ") && payload[2..].contains(':') {
            "a version of the payload this library does not read (it reads ZZ1:)".into()
        } else {
            "no ZZ1: prefix: not a zhengzhao licence payload".into()
        })
    })?;
    if body.len() > MAX_PAYLOAD_LEN {
        return Err(QrError::TooLarge(format!(
            "{} characters, more than the {MAX_PAYLOAD_LEN} a payload may have",
            body.len()
        )));
    }
    let compressed = base45::decode(body)
        .map_err(|_| QrError::Base45("not base45: a character outside the alphabet, a group of 3 above 65535, or a lone last character".into()))?;
    // The crate wraps a final 2-character group above 255 round instead of refusing it
    // (RFC 9285 §6): only canonical text is read.
    if base45::encode(&compressed) != body {
        return Err(QrError::Base45(
            "not canonical base45: a final 2-character group above 255".into(),
        ));
    }
    let document = inflate(&compressed)?;
    match jcs::canonicalize(&document) {
        Ok(c) if c == document => Ok(document),
        _ => Err(QrError::Data(
            "the payload does not hold a canonical JSON document".into(),
        )),
    }
}

/// Raw deflate of `data` with [`DICTIONARY`] as history: the dictionary is compressed first and
/// flushed to a byte boundary, and only what follows is kept. Any raw inflater given the
/// dictionary (zlib's `inflateSetDictionary`, Python's `zdict`) reads the result.
fn deflate(data: &[u8]) -> Vec<u8> {
    let mut c = Compress::new(Compression::best(), false);
    let mut out = Vec::new();
    compress_all(&mut c, DICTIONARY, &mut out, FlushCompress::Sync);
    let primed = out.len();
    compress_all(&mut c, data, &mut out, FlushCompress::Finish);
    out.split_off(primed)
}

fn compress_all(c: &mut Compress, input: &[u8], out: &mut Vec<u8>, flush: FlushCompress) {
    let start = c.total_in();
    loop {
        out.reserve(input.len() / 2 + 256);
        let done = (c.total_in() - start) as usize;
        let status = c
            .compress_vec(&input[done..], out, flush)
            .expect("deflate into memory cannot fail");
        let all_in = (c.total_in() - start) as usize == input.len();
        let finished = match flush {
            FlushCompress::Finish => status == Status::StreamEnd,
            // A flush is complete when it left output space unused.
            _ => all_in && out.len() < out.capacity(),
        };
        if finished {
            return;
        }
    }
}

/// Inflates raw deflate data against [`DICTIONARY`], never holding more than the limit.
fn inflate(data: &[u8]) -> Result<Vec<u8>, QrError> {
    // The dictionary as a stored block (BFINAL 0, BTYPE 00, LEN, NLEN) ahead of the data puts
    // it in the inflater's history, as a preset dictionary does.
    let len = u16::try_from(DICTIONARY.len()).expect("the dictionary fits a stored block");
    let mut input = Vec::with_capacity(5 + DICTIONARY.len() + data.len());
    input.push(0);
    input.extend_from_slice(&len.to_le_bytes());
    input.extend_from_slice(&(!len).to_le_bytes());
    input.extend_from_slice(DICTIONARY);
    input.extend_from_slice(data);

    let limit = DICTIONARY.len() + MAX_DOCUMENT_LEN;
    let mut d = Decompress::new(false);
    let mut out: Vec<u8> = Vec::with_capacity(4096);
    loop {
        if out.len() == out.capacity() {
            if out.len() > limit {
                return Err(too_large());
            }
            // At most one byte past the limit: enough to know it was passed.
            out.reserve_exact((limit + 1 - out.len()).min(out.len().max(4096)));
        }
        let consumed = d.total_in() as usize;
        let before = out.len();
        let status = d
            .decompress_vec(&input[consumed..], &mut out, FlushDecompress::None)
            .map_err(|e| QrError::Data(format!("the compressed document is corrupt: {e}")))?;
        if out.len() > limit {
            return Err(too_large());
        }
        if status == Status::StreamEnd {
            break;
        }
        let stuck = d.total_in() as usize == consumed && out.len() == before;
        if stuck || (d.total_in() as usize == input.len() && out.len() < out.capacity()) {
            return Err(QrError::Data("the compressed document is truncated".into()));
        }
    }
    if d.total_in() as usize != input.len() {
        return Err(QrError::Data(
            "bytes follow the end of the compressed document".into(),
        ));
    }
    Ok(out.split_off(DICTIONARY.len()))
}

fn too_large() -> QrError {
    QrError::TooLarge(format!(
        "the document inflates beyond {MAX_DOCUMENT_LEN} bytes"
    ))
}
