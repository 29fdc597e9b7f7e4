//! The key layout: column families, how keys are built and how small records are encoded.
//!
//! | column family | key | value |
//! |---|---|---|
//! | `licence` | 电子证照标识 (ASCII) | the signed document exactly as served: compact JSON bytes, or the OFD file of an imported OFD licence |
//! | `current` | holder hash (32) ‖ type code (21) | [`CurrentEntry`]: the holder's current licence of the type — its state, validity, 电子证照标识 and signed document |
//! | `number` | type code (21) ‖ 证照编号 (UTF-8) | 电子证照标识 of the latest version: one licence per type and number |
//! | `holder` | holder hash (32) ‖ type code (21) ‖ issue time (u64 BE, Unix seconds) ‖ 电子证照标识 | empty |
//! | `status` | 电子证照标识 | [`StatusRecord`] (binary, see [`StatusRecord::encode`]) |
//! | `statuslist` | issuer code (18) ‖ list number (u32 BE) ‖ index (u64 BE) | external status code (2) ‖ 电子证照标识 |
//! | `catalog` | type code (21) ‖ type version (u32 BE) | the licence type definition (JSON) it was issued under |
//! | `trust` | certificate SHA-256 (32) | certificate DER |
//! | `ofd` | 电子证照标识 | [`crate::ofd::OfdRecord`] (JSON) of an imported OFD licence: its verification report, metadata and the record it was registered with |
//! | `grant` | `G` ‖ organisation code (18) ‖ type code (21) | grant (JSON) |
//! |         | `C` ‖ holder hash (32) ‖ organisation code (18) ‖ type code (21) | consent (JSON) |
//! | `log` | sequence number (u64 BE, from 0) | event (JSON) |
//! | `merkle` | level (u8) ‖ index (u64 BE) | SHA-256 of the complete subtree (see [`crate::log`]) |
//! | `meta` | `schema` / `secret-check` / `created` / `serial/<issuer code>` / `log-origin` / `checkpoint` | u32 BE / 32 bytes / RFC 3339 / u64 BE / text / signed note |
//!
//! The holder hash is HMAC-SHA-256 under the registry's secret (see [`crate::secret`]): no key
//! holds a plaintext 公民身份号码 or other holder code.

use time::{Date, OffsetDateTime};
use zhengzhao_core::status::Status;

use crate::error::{corrupt, RegistryError};

/// The schema version this crate reads and writes. Version 2 registries are upgraded when
/// opened for writing (version 3 added the `ofd` column family).
pub const SCHEMA_VERSION: u32 = 3;

/// The column families each schema version added after version 2, which opening for writing
/// creates: (version, column family).
pub const ADDED: &[(u32, &str)] = &[(3, CF_OFD)];

/// `licence`: id → signed document.
pub const CF_LICENCE: &str = "licence";
/// `current`: holder hash ‖ type → [`CurrentEntry`].
pub const CF_CURRENT: &str = "current";
/// `number`: type ‖ 证照编号 → id.
pub const CF_NUMBER: &str = "number";
/// `holder`: holder hash ‖ type ‖ time ‖ id → ∅.
pub const CF_HOLDER: &str = "holder";
/// `status`: id → status record.
pub const CF_STATUS: &str = "status";
/// `statuslist`: issuer ‖ list ‖ index → status code ‖ id.
pub const CF_STATUSLIST: &str = "statuslist";
/// `catalog`: type ‖ version → definition.
pub const CF_CATALOG: &str = "catalog";
/// `trust`: fingerprint → certificate DER.
pub const CF_TRUST: &str = "trust";
/// `ofd`: id → the record of an imported OFD licence.
pub const CF_OFD: &str = "ofd";
/// `grant`: grants and consents.
pub const CF_GRANT: &str = "grant";
/// `log`: seq → event.
pub const CF_LOG: &str = "log";
/// `merkle`: level ‖ index → hash of a complete subtree of the log.
pub const CF_MERKLE: &str = "merkle";
/// `meta`: schema version, secret check, serial counters, the log's origin and checkpoint.
pub const CF_META: &str = "meta";

/// Every column family of a registry (besides RocksDB's `default`, which stays empty).
pub const COLUMN_FAMILIES: &[&str] = &[
    CF_LICENCE,
    CF_CURRENT,
    CF_NUMBER,
    CF_HOLDER,
    CF_STATUS,
    CF_STATUSLIST,
    CF_CATALOG,
    CF_TRUST,
    CF_OFD,
    CF_GRANT,
    CF_LOG,
    CF_MERKLE,
    CF_META,
];

/// `meta` key of the schema version.
pub const META_SCHEMA: &[u8] = b"schema";
/// `meta` key of the secret check value.
pub const META_SECRET_CHECK: &[u8] = b"secret-check";
/// `meta` key of the creation time.
pub const META_CREATED: &[u8] = b"created";
/// `meta` key of the log's origin.
pub const META_LOG_ORIGIN: &[u8] = b"log-origin";
/// `meta` key of the latest signed checkpoint.
pub const META_CHECKPOINT: &[u8] = b"checkpoint";

/// Length of a holder hash.
pub const HOLDER_HASH_LEN: usize = 32;
/// Length of a type code.
pub const TYPE_CODE_LEN: usize = 21;
/// Length of an organisation or issuer code.
pub const ORG_CODE_LEN: usize = 18;

/// `meta` key of an issuer's serial counter.
pub fn serial_key(issuer: &str) -> Vec<u8> {
    [b"serial/".as_slice(), issuer.as_bytes()].concat()
}

/// `current` key.
///
/// A fixed-size array, so that the lookup path builds its keys without allocating; `type_code`
/// is a [`zhengzhao_core::identifier::TypeCode`]'s text, always 21 ASCII characters.
pub fn current_key(
    holder: &[u8; HOLDER_HASH_LEN],
    type_code: &str,
) -> [u8; HOLDER_HASH_LEN + TYPE_CODE_LEN] {
    let mut k = [0u8; HOLDER_HASH_LEN + TYPE_CODE_LEN];
    k[..HOLDER_HASH_LEN].copy_from_slice(holder);
    let t = type_code.as_bytes();
    let n = t.len().min(TYPE_CODE_LEN);
    k[HOLDER_HASH_LEN..HOLDER_HASH_LEN + n].copy_from_slice(&t[..n]);
    k
}

/// `number` key.
pub fn number_key(type_code: &str, number: &str) -> Vec<u8> {
    [type_code.as_bytes(), number.as_bytes()].concat()
}

/// `holder` history key.
pub fn history_key(
    holder: &[u8; HOLDER_HASH_LEN],
    type_code: &str,
    issued: OffsetDateTime,
    id: &str,
) -> Vec<u8> {
    let mut k = current_key(holder, type_code).to_vec();
    k.extend_from_slice(&(issued.unix_timestamp().max(0) as u64).to_be_bytes());
    k.extend_from_slice(id.as_bytes());
    k
}

/// `statuslist` key.
pub fn statuslist_key(issuer: &str, list: u32, index: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(ORG_CODE_LEN + 12);
    k.extend_from_slice(issuer.as_bytes());
    k.extend_from_slice(&list.to_be_bytes());
    k.extend_from_slice(&index.to_be_bytes());
    k
}

/// `statuslist` value.
pub fn statuslist_value(status: Status, id: &str) -> Vec<u8> {
    [status.external_code().as_bytes(), id.as_bytes()].concat()
}

/// `catalog` key.
pub fn catalog_key(type_code: &str, version: u32) -> Vec<u8> {
    [type_code.as_bytes(), &version.to_be_bytes()].concat()
}

/// `merkle` key of node `(level, index)`.
pub fn merkle_key(level: u32, index: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    // Levels go up to 64: one byte.
    k[0] = level as u8;
    k[1..].copy_from_slice(&index.to_be_bytes());
    k
}

/// `grant` key of a grant.
pub fn grant_key(org: &str, type_code: &str) -> Vec<u8> {
    [b"G".as_slice(), org.as_bytes(), type_code.as_bytes()].concat()
}

/// `grant` key of a consent.
pub fn consent_key(holder: &[u8; HOLDER_HASH_LEN], org: &str, type_code: &str) -> Vec<u8> {
    [
        b"C".as_slice(),
        holder,
        org.as_bytes(),
        type_code.as_bytes(),
    ]
    .concat()
}

/// The identifier of a status list credential.
pub fn status_list_id(issuer: &str, list: u32) -> String {
    format!("urn:zz:statuslist:{issuer}:{list}")
}

/// The status of one licence version, as the registry keeps it: the stored state (never
/// `Expired`: expiry is computed when read), when and why it was set, the validity (so that
/// expiry needs no parsing of the document), the status-list entry and, once superseded, the
/// version that replaced it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusRecord {
    /// The stored state.
    pub state: Status,
    /// When it was set (whole seconds).
    pub since: OffsetDateTime,
    /// 有效期起始.
    pub valid_from: Date,
    /// 有效期截止; `None` is 长期有效.
    pub valid_until: Option<Date>,
    /// The status list number within the issuer.
    pub list: u32,
    /// The index in the list.
    pub index: u64,
    /// The version that superseded this one.
    pub successor: Option<String>,
    /// Why the state was set (empty at issuance).
    pub reason: String,
}

const RECORD_FORMAT: u8 = 1;
const LONG_TERM: i32 = i32::MIN;

impl StatusRecord {
    /// Binary form: format (1) ‖ external code (2) ‖ since (i64 BE) ‖ from (i32 BE Julian day) ‖
    /// until (i32 BE, `i32::MIN` for 长期有效) ‖ list (u32 BE) ‖ index (u64 BE) ‖
    /// successor length (u8) ‖ successor ‖ reason (UTF-8, the rest).
    pub fn encode(&self) -> Vec<u8> {
        let successor = self.successor.as_deref().unwrap_or("");
        let mut v = Vec::with_capacity(32 + successor.len() + self.reason.len());
        v.push(RECORD_FORMAT);
        v.extend_from_slice(self.state.external_code().as_bytes());
        v.extend_from_slice(&self.since.unix_timestamp().to_be_bytes());
        v.extend_from_slice(&self.valid_from.to_julian_day().to_be_bytes());
        let until = self.valid_until.map_or(LONG_TERM, Date::to_julian_day);
        v.extend_from_slice(&until.to_be_bytes());
        v.extend_from_slice(&self.list.to_be_bytes());
        v.extend_from_slice(&self.index.to_be_bytes());
        // Identifiers are at most 106 characters, well under 255.
        v.push(successor.len().min(255) as u8);
        v.extend_from_slice(&successor.as_bytes()[..successor.len().min(255)]);
        v.extend_from_slice(self.reason.as_bytes());
        v
    }

    /// Reads the binary form; `id` names the record in errors.
    pub fn decode(id: &str, v: &[u8]) -> Result<StatusRecord, RegistryError> {
        let bad = |reason: &str| corrupt(format!("status {id}"), reason);
        if v.len() < 32 {
            return Err(bad("too short"));
        }
        if v[0] != RECORD_FORMAT {
            return Err(bad(&format!("unknown record format {}", v[0])));
        }
        let code = std::str::from_utf8(&v[1..3]).map_err(|_| bad("status code"))?;
        let state = Status::from_external_code(code).ok_or_else(|| bad("status code"))?;
        let i64_at = |o: usize| i64::from_be_bytes(v[o..o + 8].try_into().expect("8 bytes"));
        let i32_at = |o: usize| i32::from_be_bytes(v[o..o + 4].try_into().expect("4 bytes"));
        let since = OffsetDateTime::from_unix_timestamp(i64_at(3)).map_err(|_| bad("time"))?;
        let valid_from = Date::from_julian_day(i32_at(11)).map_err(|_| bad("valid from"))?;
        let valid_until = match i32_at(15) {
            LONG_TERM => None,
            d => Some(Date::from_julian_day(d).map_err(|_| bad("valid until"))?),
        };
        let list = u32::from_be_bytes(v[19..23].try_into().expect("4 bytes"));
        let index = u64::from_be_bytes(v[23..31].try_into().expect("8 bytes"));
        let n = v[31] as usize;
        let rest = &v[32..];
        if rest.len() < n {
            return Err(bad("successor"));
        }
        let successor = match n {
            0 => None,
            _ => Some(
                std::str::from_utf8(&rest[..n])
                    .map_err(|_| bad("successor"))?
                    .to_owned(),
            ),
        };
        let reason = std::str::from_utf8(&rest[n..])
            .map_err(|_| bad("reason"))?
            .to_owned();
        Ok(StatusRecord {
            state,
            since,
            valid_from,
            valid_until,
            list,
            index,
            successor,
            reason,
        })
    }

    /// The state on `day` (China Standard Time): a Valid licence outside its validity period
    /// reads as Expired, whether or not anything recorded it.
    pub fn state_on(&self, day: Date) -> Status {
        match self.state {
            Status::Valid if day < self.valid_from || self.valid_until.is_some_and(|u| day > u) => {
                Status::Expired
            }
            s => s,
        }
    }
}

/// A `current` value: what the window needs to answer for one holder and type, in one read —
/// the state and validity of the current licence version, its identifier and its signed
/// document exactly as stored in `licence`. The registry rewrites it in the same batch as any
/// change of the version's status, so it always agrees with `status`; the document is kept
/// twice (here and in `licence`) so that the lookup path is a single batched read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CurrentEntry<'a> {
    /// The stored state.
    pub state: Status,
    /// 有效期起始.
    pub valid_from: Date,
    /// 有效期截止; `None` is 长期有效.
    pub valid_until: Option<Date>,
    /// 电子证照标识.
    pub id: &'a str,
    /// The signed document.
    pub document: &'a [u8],
}

const CURRENT_FORMAT: u8 = 1;

impl<'a> CurrentEntry<'a> {
    /// The entry of a version with status record `rec`.
    pub fn of(rec: &StatusRecord, id: &'a str, document: &'a [u8]) -> CurrentEntry<'a> {
        CurrentEntry {
            state: rec.state,
            valid_from: rec.valid_from,
            valid_until: rec.valid_until,
            id,
            document,
        }
    }

    /// Binary form: format (1) ‖ external code (2) ‖ from (i32 BE Julian day) ‖ until (i32 BE,
    /// `i32::MIN` for 长期有效) ‖ identifier length (u8) ‖ identifier ‖ document (the rest).
    pub fn encode(&self) -> Vec<u8> {
        let id = &self.id.as_bytes()[..self.id.len().min(255)];
        let mut v = Vec::with_capacity(12 + id.len() + self.document.len());
        v.push(CURRENT_FORMAT);
        v.extend_from_slice(self.state.external_code().as_bytes());
        v.extend_from_slice(&self.valid_from.to_julian_day().to_be_bytes());
        let until = self.valid_until.map_or(LONG_TERM, Date::to_julian_day);
        v.extend_from_slice(&until.to_be_bytes());
        v.push(id.len() as u8);
        v.extend_from_slice(id);
        v.extend_from_slice(self.document);
        v
    }

    /// Reads the binary form, borrowing the identifier and document from `v`.
    pub fn decode(v: &'a [u8]) -> Result<CurrentEntry<'a>, RegistryError> {
        let bad = |reason: &str| corrupt("current index entry", reason);
        if v.len() < 12 || v[0] != CURRENT_FORMAT {
            return Err(bad("too short, or of an unknown format"));
        }
        let code = std::str::from_utf8(&v[1..3]).map_err(|_| bad("status code"))?;
        let state = Status::from_external_code(code).ok_or_else(|| bad("status code"))?;
        let i32_at = |o: usize| i32::from_be_bytes(v[o..o + 4].try_into().expect("4 bytes"));
        let valid_from = Date::from_julian_day(i32_at(3)).map_err(|_| bad("valid from"))?;
        let valid_until = match i32_at(7) {
            LONG_TERM => None,
            d => Some(Date::from_julian_day(d).map_err(|_| bad("valid until"))?),
        };
        let n = v[11] as usize;
        let rest = &v[12..];
        if rest.len() < n {
            return Err(bad("identifier"));
        }
        let id = std::str::from_utf8(&rest[..n]).map_err(|_| bad("identifier"))?;
        Ok(CurrentEntry {
            state,
            valid_from,
            valid_until,
            id,
            document: &rest[n..],
        })
    }
}

/// Reads a big-endian u64 value.
pub fn read_u64(what: &str, v: &[u8]) -> Result<u64, RegistryError> {
    v.try_into()
        .map(u64::from_be_bytes)
        .map_err(|_| corrupt(what, "not an 8-byte counter"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn record() -> StatusRecord {
        StatusRecord {
            state: Status::Suspended,
            since: datetime!(2024-03-01 08:00 UTC),
            valid_from: date!(2024 - 03 - 01),
            valid_until: Some(date!(2029 - 02 - 28)),
            list: 3,
            index: 131_071,
            successor: Some("1.2.156.3005.2.X".into()),
            reason: "暂扣：违法行为处理中".into(),
        }
    }

    #[test]
    fn current_entries_round_trip_and_refuse_damage() {
        let rec = record();
        let e = CurrentEntry::of(&rec, "1.2.156.3005.2.X", br#"{"a":1}"#);
        let bytes = e.encode();
        assert_eq!(CurrentEntry::decode(&bytes).unwrap(), e);
        let long_term = StatusRecord {
            valid_until: None,
            ..record()
        };
        let e = CurrentEntry::of(&long_term, "id", b"");
        assert_eq!(CurrentEntry::decode(&e.encode()).unwrap(), e);
        for n in 0..bytes.len() {
            let _ = CurrentEntry::decode(&bytes[..n]);
        }
        assert!(CurrentEntry::decode(&bytes[..11]).is_err());
        let mut bad = bytes.clone();
        bad[0] = 2;
        assert!(CurrentEntry::decode(&bad).is_err());
        let mut bad = bytes;
        bad[11] = 250;
        assert!(CurrentEntry::decode(&bad).is_err());
    }

    #[test]
    fn status_records_round_trip() {
        let r = record();
        assert_eq!(StatusRecord::decode("x", &r.encode()).unwrap(), r);
        let r = StatusRecord {
            valid_until: None,
            successor: None,
            reason: String::new(),
            state: Status::Superseded,
            ..record()
        };
        assert_eq!(StatusRecord::decode("x", &r.encode()).unwrap(), r);
    }

    #[test]
    fn corrupt_records_are_refused_without_panics() {
        let good = record().encode();
        for n in 0..good.len() {
            // Every prefix either decodes to something or is refused: never a panic.
            let _ = StatusRecord::decode("x", &good[..n]);
        }
        assert!(StatusRecord::decode("x", &good[..31]).is_err());
        let mut bad = good.clone();
        bad[0] = 9;
        assert!(StatusRecord::decode("x", &bad).is_err());
        let mut bad = good.clone();
        bad[1] = b'8';
        assert!(StatusRecord::decode("x", &bad).is_err());
        let mut bad = good.clone();
        bad[31] = 200;
        assert!(StatusRecord::decode("x", &bad).is_err());
        let mut bad = good;
        let n = bad.len();
        bad[n - 1] = 0xff;
        assert!(StatusRecord::decode("x", &bad).is_err());
    }

    #[test]
    fn expiry_is_computed_when_read() {
        let r = StatusRecord {
            state: Status::Valid,
            ..record()
        };
        assert_eq!(r.state_on(date!(2029 - 02 - 28)), Status::Valid);
        assert_eq!(r.state_on(date!(2029 - 03 - 01)), Status::Expired);
        assert_eq!(r.state_on(date!(2024 - 02 - 29)), Status::Expired);
        let long = StatusRecord {
            valid_until: None,
            ..r.clone()
        };
        assert_eq!(long.state_on(date!(2099 - 01 - 01)), Status::Valid);
        let revoked = StatusRecord {
            state: Status::Revoked,
            ..r
        };
        assert_eq!(revoked.state_on(date!(2030 - 01 - 01)), Status::Revoked);
    }
}
