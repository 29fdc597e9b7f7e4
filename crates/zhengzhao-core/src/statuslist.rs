//! W3C Bitstring Status List: the statuses of many licences in one signed, compressed bitstring.
//!
//! zhengzhao uses the `message` purpose with 3 bits per entry, so that every internal
//! [`Status`] has its own value (the mapping is lossless) and one list serves revocation and
//! suspension alike. A list has at least 131,072 entries (VC Bitstring Status List §3.1: large
//! enough that an index tells little about the licence). Entry `i` occupies bits
//! `3i .. 3i+3`, most significant bit first, as the specification orders them.
//!
//! ```
//! use zhengzhao_core::{statuslist::StatusList, status::Status};
//! let mut list = StatusList::new(StatusList::MIN_ENTRIES).unwrap();
//! list.set(4711, Status::Revoked).unwrap();
//! let encoded = list.encode();
//! let back = StatusList::decode(&encoded).unwrap();
//! assert_eq!(back.get(4711).unwrap(), Status::Revoked);
//! assert_eq!(back.get(4712).unwrap(), Status::Valid);
//! ```

use std::io::{Read, Write};

use base64::Engine;
use serde_json::{json, Value};

use crate::error::{Coded, ErrorCode};
use crate::status::Status;

/// Bits per entry.
pub const STATUS_SIZE: u32 = 3;

/// The largest decoded list accepted (a guard against compression bombs): 64 MiB, about 179
/// million entries.
const MAX_DECODED: u64 = 64 << 20;

/// Status values in list order: the value of an entry is its position in [`Status::ALL`].
const ORDER: &[Status] = Status::ALL;

/// A status list that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("status list: {0}")]
pub struct StatusListError(pub String);

impl Coded for StatusListError {
    fn code(&self) -> ErrorCode {
        ErrorCode::StatusList
    }
}

/// A bitstring of 3-bit licence statuses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusList {
    bits: Vec<u8>,
}

impl StatusList {
    /// The smallest list: 131,072 entries.
    pub const MIN_ENTRIES: u64 = 131_072;

    /// A list of `entries` entries (at least [`StatusList::MIN_ENTRIES`], a multiple of 8), all Valid.
    pub fn new(entries: u64) -> Result<StatusList, StatusListError> {
        if entries < Self::MIN_ENTRIES || !entries.is_multiple_of(8) {
            return Err(StatusListError(format!(
                "{entries} entries: a list has at least {} and a multiple of 8",
                Self::MIN_ENTRIES
            )));
        }
        let bytes = entries * STATUS_SIZE as u64 / 8;
        if bytes > MAX_DECODED {
            return Err(StatusListError(format!(
                "{entries} entries is more than a list holds"
            )));
        }
        Ok(StatusList {
            bits: vec![0; bytes as usize],
        })
    }

    /// The number of entries.
    pub fn len(&self) -> u64 {
        self.bits.len() as u64 * 8 / STATUS_SIZE as u64
    }

    /// Whether the list has no entries (never true for a list made by [`StatusList::new`]).
    pub fn is_empty(&self) -> bool {
        self.bits.is_empty()
    }

    /// The status at `index`.
    pub fn get(&self, index: u64) -> Result<Status, StatusListError> {
        self.check_index(index)?;
        let mut v = 0usize;
        for b in 0..STATUS_SIZE as u64 {
            let bit = index * STATUS_SIZE as u64 + b;
            let set = self.bits[(bit / 8) as usize] & (0x80 >> (bit % 8)) != 0;
            v = (v << 1) | set as usize;
        }
        Ok(ORDER[v])
    }

    /// Sets the status at `index`.
    pub fn set(&mut self, index: u64, status: Status) -> Result<(), StatusListError> {
        self.check_index(index)?;
        let v = ORDER
            .iter()
            .position(|s| *s == status)
            .expect("every status has a value");
        for b in 0..STATUS_SIZE as u64 {
            let bit = index * STATUS_SIZE as u64 + b;
            let mask = 0x80 >> (bit % 8);
            let byte = &mut self.bits[(bit / 8) as usize];
            if v >> (STATUS_SIZE as u64 - 1 - b) & 1 == 1 {
                *byte |= mask;
            } else {
                *byte &= !mask;
            }
        }
        Ok(())
    }

    fn check_index(&self, index: u64) -> Result<(), StatusListError> {
        if index >= self.len() {
            return Err(StatusListError(format!(
                "index {index} is outside the list of {} entries",
                self.len()
            )));
        }
        Ok(())
    }

    /// `encodedList`: multibase base64url (no padding) of the GZIP-compressed bitstring.
    pub fn encode(&self) -> String {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&self.bits).expect("writing to memory");
        let compressed = gz.finish().expect("writing to memory");
        format!(
            "u{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(compressed)
        )
    }

    /// Decodes `encodedList`.
    pub fn decode(encoded: &str) -> Result<StatusList, StatusListError> {
        let body = encoded.strip_prefix('u').ok_or_else(|| {
            StatusListError("encodedList is not multibase base64url ('u' prefix)".into())
        })?;
        let compressed = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|e| StatusListError(format!("encodedList is not base64url: {e}")))?;
        let mut bits = Vec::new();
        flate2::read::GzDecoder::new(&compressed[..])
            .take(MAX_DECODED + 1)
            .read_to_end(&mut bits)
            .map_err(|e| StatusListError(format!("encodedList is not GZIP: {e}")))?;
        if bits.len() as u64 > MAX_DECODED {
            return Err(StatusListError(
                "encodedList decompresses to more than 64 MiB".into(),
            ));
        }
        let list = StatusList { bits };
        if list.len() < Self::MIN_ENTRIES {
            return Err(StatusListError(format!(
                "the list has {} entries, fewer than {}",
                list.len(),
                Self::MIN_ENTRIES
            )));
        }
        Ok(list)
    }

    /// The unsigned status list credential, with identifier `id`, issued by `issuer` (the
    /// department's `urn:zz:org:…`), valid from `valid_from` (an XML Schema dateTime).
    pub fn to_credential(&self, id: &str, issuer: &str, valid_from: &str) -> Value {
        let messages: Vec<Value> = ORDER
            .iter()
            .enumerate()
            .map(|(i, s)| json!({ "status": format!("0x{i:x}"), "message": serde_json::to_value(s).expect("serialises") }))
            .collect();
        json!({
            "@context": [crate::credential::CONTEXT_VC2],
            "id": id,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer,
            "validFrom": valid_from,
            "credentialSubject": {
                "id": format!("{id}#list"),
                "type": "BitstringStatusList",
                "statusPurpose": "message",
                "statusSize": STATUS_SIZE,
                "statusMessage": messages,
                "encodedList": self.encode(),
            },
        })
    }

    /// Reads the list of a status list credential: its `id`, its `issuer` and the list.
    pub fn from_credential(doc: &Value) -> Result<(String, String, StatusList), StatusListError> {
        let err = |m: &str| StatusListError(m.to_owned());
        let text = |v: Option<&Value>, what: &str| {
            v.and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| err(what))
        };
        let id = text(doc.get("id"), "no 'id'")?;
        let issuer = text(doc.get("issuer"), "no 'issuer'")?;
        let types = doc
            .get("type")
            .and_then(Value::as_array)
            .ok_or_else(|| err("no 'type'"))?;
        if !types.iter().any(|t| t == "BitstringStatusListCredential") {
            return Err(err("not a BitstringStatusListCredential"));
        }
        let subject = doc
            .get("credentialSubject")
            .ok_or_else(|| err("no 'credentialSubject'"))?;
        if subject.get("statusPurpose").and_then(Value::as_str) != Some("message")
            || subject.get("statusSize").and_then(Value::as_u64) != Some(STATUS_SIZE as u64)
        {
            return Err(err(
                "not a zhengzhao list (statusPurpose 'message', statusSize 3)",
            ));
        }
        let list = StatusList::decode(&text(subject.get("encodedList"), "no 'encodedList'")?)?;
        Ok((id, issuer, list))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_at_every_position_in_a_byte() {
        let mut l = StatusList::new(StatusList::MIN_ENTRIES).unwrap();
        for i in 0..64u64 {
            l.set(i, ORDER[(i % 8) as usize]).unwrap();
        }
        let back = StatusList::decode(&l.encode()).unwrap();
        for i in 0..64u64 {
            assert_eq!(back.get(i).unwrap(), ORDER[(i % 8) as usize], "{i}");
        }
        assert_eq!(back.get(64).unwrap(), Status::Valid);
        assert_eq!(back.len(), StatusList::MIN_ENTRIES);
        // Setting back to Valid clears the bits.
        let mut l = back;
        l.set(3, Status::Valid).unwrap();
        assert_eq!(l.get(3).unwrap(), Status::Valid);
        assert_eq!(l.get(2).unwrap(), Status::Expired);
    }

    #[test]
    fn entry_one_is_bits_3_to_5_msb_first() {
        let mut l = StatusList::new(StatusList::MIN_ENTRIES).unwrap();
        l.set(1, Status::Superseded).unwrap(); // value 7: bits 3, 4, 5 of byte 0
        assert_eq!(l.bits[0], 0b0001_1100);
    }

    #[test]
    fn bad_lists_are_refused() {
        assert!(StatusList::new(1000).is_err());
        let l = StatusList::new(StatusList::MIN_ENTRIES).unwrap();
        assert!(l.get(StatusList::MIN_ENTRIES).is_err());
        for bad in ["", "x", "u", "u!!!", "uAAAA"] {
            assert_eq!(
                StatusList::decode(bad).unwrap_err().code(),
                ErrorCode::StatusList,
                "{bad}"
            );
        }
        // A valid GZIP of a list that is too short.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&[0u8; 100]).unwrap();
        let short = format!(
            "u{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(gz.finish().unwrap())
        );
        assert!(StatusList::decode(&short).unwrap_err().0.contains("fewer"));
        // A compression bomb: 100 MiB of zeros compresses to about 100 KiB.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..100 {
            gz.write_all(&zeros).unwrap();
        }
        let bomb = format!(
            "u{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(gz.finish().unwrap())
        );
        assert!(StatusList::decode(&bomb).unwrap_err().0.contains("64 MiB"));
    }

    #[test]
    fn credential_round_trip() {
        let mut l = StatusList::new(StatusList::MIN_ENTRIES).unwrap();
        l.set(9, Status::Suspended).unwrap();
        let doc = l.to_credential(
            "urn:zz:statuslist:X:1",
            "urn:zz:org:X",
            "2024-01-01T00:00:00Z",
        );
        let (id, issuer, back) = StatusList::from_credential(&doc).unwrap();
        assert_eq!(
            (id.as_str(), issuer.as_str()),
            ("urn:zz:statuslist:X:1", "urn:zz:org:X")
        );
        assert_eq!(back, l);
        assert_eq!(
            doc["credentialSubject"]["statusMessage"]
                .as_array()
                .unwrap()
                .len(),
            8
        );
    }
}
