//! The flat GB/T 36903 metadata record of provincial sync interfaces (证照数据对接): one JSON
//! object of strings, keyed by the pinyin initials of the metadata items.
//!
//! | key | item | value |
//! |---|---|---|
//! | `ZZMC` | 证照名称 | text |
//! | `ZZLXDM` | 证照类型代码 | 21 characters, the type code of `ZZBS` |
//! | `ZZBH` | 证照编号 | text |
//! | `ZZBS` | 证照标识 | the GB/T 36904 identifier |
//! | `ZZBFJG` | 颁发机构 | text |
//! | `ZZBFJGDM` | 颁发机构代码 | 统一社会信用代码 |
//! | `ZZBFRQ` | 颁发日期 | `yyyyMMdd` |
//! | `ZZYXQQSRQ` | 有效期起始日期 | `yyyyMMdd` |
//! | `ZZYXQJZRQ` | 有效期截止日期 | `yyyyMMdd`, or [`LONG_TERM`] (`长期`) for 长期有效 |
//! | `CZZT` | 持证主体 | names, joined by [`SEPARATOR`] |
//! | `CZZTDM` | 持证主体代码 | codes, joined by `^` |
//! | `CZZTDMLX` | 持证主体代码类型 | code type names (公民身份号码, 统一社会信用代码…), joined by `^` |
//! | `CZZTDMLXDM` | 持证主体代码类型代码 | code types (111, 001, 099…), joined by `^` |
//! | `ZZZT` | 证照状态 (optional) | external status code, `01` 有效 … `99` |
//! | `SDBM` | 属地编码 (optional) | 行政区划代码 |
//! | `GLZZBS` | 关联证照标识 (optional) | the identifier of the version it supersedes |
//! | `ZZLXBB` | 证照类型版本 (optional, ours) | the catalogue version of the type |
//! | `KZ_<code>` | 照面拓展要素 | each 照面 field, as written in the licence |
//!
//! Several holders are the same columns joined by `^`, in the same order: that is how a
//! deployed 不动产 e-licence exchange joins its 权利人 into `CZZT`/`CZZTDM`/`CZZTDMLX`/
//! `CZZTDMLXDM`, and unlike `,` `、` or `;` it never occurs in names, addresses or codes (a
//! licence whose holder contains `^` cannot be written flat, and says so).

use std::collections::BTreeMap;

use serde_json::Value;
use time::{Date, Month};

use crate::catalog::{Catalog, FieldKind};
use crate::codes::{AreaCode, HolderCodeType, Uscc};
use crate::error::{Coded, ErrorCode};
use crate::identifier::{LicenceId, Strictness};
use crate::jcs;
use crate::licence::{Holder, Issuer, Licence, Validity};
use crate::status::Status;
use crate::validate::{self, SchemaError};

/// A flat record: key → value.
pub type Record = BTreeMap<String, String>;

/// What joins the holders in each holder column.
pub const SEPARATOR: char = '^';
/// `ZZYXQJZRQ` of a licence without an end date (长期有效). `长期有效` is read too; an empty
/// value is refused, because legacy data leaves dates empty when they are unknown.
pub const LONG_TERM: &str = "长期";
/// The prefix of the 照面 field keys.
pub const FIELD_PREFIX: &str = "KZ_";

const REQUIRED: [&str; 13] = [
    "ZZMC",
    "ZZLXDM",
    "ZZBH",
    "ZZBS",
    "ZZBFJG",
    "ZZBFJGDM",
    "ZZBFRQ",
    "ZZYXQQSRQ",
    "ZZYXQJZRQ",
    "CZZT",
    "CZZTDM",
    "CZZTDMLX",
    "CZZTDMLXDM",
];
const OPTIONAL: [&str; 4] = ["ZZZT", "SDBM", "GLZZBS", "ZZLXBB"];

/// The metadata items of the record, required then optional: (key, the item's name in
/// GB/T 36903), for readers of other forms that name items either way (OFD custom data).
pub const ITEMS: [(&str, &str); 17] = [
    ("ZZMC", "证照名称"),
    ("ZZLXDM", "证照类型代码"),
    ("ZZBH", "证照编号"),
    ("ZZBS", "证照标识"),
    ("ZZBFJG", "颁发机构"),
    ("ZZBFJGDM", "颁发机构代码"),
    ("ZZBFRQ", "颁发日期"),
    ("ZZYXQQSRQ", "有效期起始日期"),
    ("ZZYXQJZRQ", "有效期截止日期"),
    ("CZZT", "持证主体"),
    ("CZZTDM", "持证主体代码"),
    ("CZZTDMLX", "持证主体代码类型"),
    ("CZZTDMLXDM", "持证主体代码类型代码"),
    ("ZZZT", "证照状态"),
    ("SDBM", "属地编码"),
    ("GLZZBS", "关联证照标识"),
    ("ZZLXBB", "证照类型版本"),
];

/// The record key of an item named by its key (`ZZBS`, any case) or its GB/T 36903 name
/// (`证照标识`); 照面 fields (`KZ_…`) keep their name. `None` for anything else.
///
/// ```
/// use zhengzhao_core::gbt36903::key_of;
/// assert_eq!(key_of("证照标识"), Some("ZZBS".to_owned()));
/// assert_eq!(key_of("zzbh"), Some("ZZBH".to_owned()));
/// assert_eq!(key_of("KZ_ZCZB"), Some("KZ_ZCZB".to_owned()));
/// assert_eq!(key_of("发票号码"), None);
/// ```
pub fn key_of(name: &str) -> Option<String> {
    let name = name.trim();
    if name.starts_with(FIELD_PREFIX) && name.len() > FIELD_PREFIX.len() {
        return Some(name.to_owned());
    }
    ITEMS
        .iter()
        .find(|(key, item)| key.eq_ignore_ascii_case(name) || *item == name)
        .map(|(key, _)| (*key).to_owned())
}

/// The required items that `record` lacks (or holds empty), as `KEY (名称)`.
pub fn missing(record: &Record) -> Vec<String> {
    ITEMS[..REQUIRED.len()]
        .iter()
        .filter(|(key, _)| record.get(*key).is_none_or(|v| v.trim().is_empty()))
        .map(|(key, item)| format!("{key} ({item})"))
        .collect()
}
const HOLDER_KEYS: [&str; 4] = ["CZZT", "CZZTDM", "CZZTDMLX", "CZZTDMLXDM"];

/// Why a record cannot be written or read. Each names the key it is about.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// A key that the record may not have.
    #[error("flat record: unknown key '{key}'")]
    UnknownKey {
        /// The key.
        key: String,
    },
    /// A required key that is absent.
    #[error("flat record: no '{key}'")]
    MissingKey {
        /// The key.
        key: String,
    },
    /// A value that is malformed for its key.
    #[error("flat record: {key}: {reason}")]
    Value {
        /// The key.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// Holder columns with different numbers of holders.
    #[error("flat record: the holder columns disagree: {counts}")]
    Holders {
        /// How many each column names.
        counts: String,
    },
    /// The licence read does not satisfy its type.
    #[error(transparent)]
    Schema(#[from] SchemaError),
}

impl RecordError {
    /// The key the error is about, where there is one.
    pub fn key(&self) -> Option<&str> {
        match self {
            RecordError::UnknownKey { key }
            | RecordError::MissingKey { key }
            | RecordError::Value { key, .. } => Some(key),
            _ => None,
        }
    }
}

impl Coded for RecordError {
    fn code(&self) -> ErrorCode {
        match self {
            RecordError::UnknownKey { .. } | RecordError::MissingKey { .. } => ErrorCode::RecordKey,
            RecordError::Value { .. } => ErrorCode::RecordValue,
            RecordError::Holders { .. } => ErrorCode::RecordHolders,
            RecordError::Schema(e) => e.code(),
        }
    }
}

fn bad(key: &str, reason: impl Into<String>) -> RecordError {
    RecordError::Value {
        key: key.to_owned(),
        reason: reason.into(),
    }
}

/// The flat record of a licence. Fails only for what the flat form cannot hold: a holder
/// value containing `^`, or a 照面 field that is not a string or a number. Empty 照面 fields
/// are left out.
pub fn to_record(licence: &Licence) -> Result<Record, RecordError> {
    let mut r = Record::new();
    let mut put = |k: &str, v: String| {
        r.insert(k.to_owned(), v);
    };
    put("ZZMC", licence.name.clone());
    put("ZZLXDM", licence.type_code().to_string());
    put("ZZBH", licence.number.clone());
    put("ZZBS", licence.id.to_string());
    put("ZZBFJG", licence.issuer.name.clone());
    put("ZZBFJGDM", licence.issuer.code.to_string());
    put("ZZBFRQ", compact_date(licence.issued_on));
    put("ZZYXQQSRQ", compact_date(licence.validity.from));
    put(
        "ZZYXQJZRQ",
        licence
            .validity
            .until
            .map_or_else(|| LONG_TERM.to_owned(), compact_date),
    );
    let column = |key: &str, f: &dyn Fn(&Holder) -> String| -> Result<String, RecordError> {
        let values: Vec<String> = licence.holders.iter().map(f).collect();
        if let Some(i) = values.iter().position(|v| v.contains(SEPARATOR)) {
            return Err(bad(
                key,
                format!(
                    "holder {} contains '{SEPARATOR}', the holder separator",
                    i + 1
                ),
            ));
        }
        Ok(values.join(&SEPARATOR.to_string()))
    };
    put("CZZT", column("CZZT", &|h| h.name.clone())?);
    put("CZZTDM", column("CZZTDM", &|h| h.code.clone())?);
    put(
        "CZZTDMLX",
        column("CZZTDMLX", &|h| {
            h.code_type
                .name()
                .map_or_else(|| h.code_type.to_string(), str::to_owned)
        })?,
    );
    put(
        "CZZTDMLXDM",
        column("CZZTDMLXDM", &|h| h.code_type.to_string())?,
    );
    put("ZZZT", licence.status.external_code().to_owned());
    put("ZZLXBB", licence.type_version.to_string());
    if let Some(a) = &licence.area {
        put("SDBM", a.to_string());
    }
    if let Some(p) = &licence.previous {
        put("GLZZBS", p.to_string());
    }
    for (code, value) in &licence.fields {
        let key = format!("{FIELD_PREFIX}{code}");
        let text = match value {
            Value::String(s) if s.is_empty() => continue,
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return Err(bad(&key, "only text and number fields can be written flat")),
        };
        put(&key, text);
    }
    Ok(r)
}

/// Reads a record from JSON: an object whose values are all strings (duplicate keys refused).
pub fn record_from_json(json: &[u8]) -> Result<Record, RecordError> {
    let v = jcs::parse_strict(json).map_err(|e| bad("(record)", e.to_string()))?;
    let Value::Object(map) = v else {
        return Err(bad("(record)", "not a JSON object"));
    };
    map.into_iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k, s)),
            _ => Err(bad(
                &k,
                "not a string: every value of the record is a string",
            )),
        })
        .collect()
}

/// Writes a record as compact JSON.
pub fn record_to_json(record: &Record) -> String {
    serde_json::to_string(record).expect("strings always serialise")
}

/// Reads a licence back from a record, checking every value against its key and the licence
/// against its catalogue type (the version `ZZLXBB` names, else the latest).
pub fn from_record(record: &Record, catalog: &Catalog) -> Result<Licence, RecordError> {
    if let Some(key) = record.keys().find(|k| {
        !REQUIRED.contains(&k.as_str())
            && !OPTIONAL.contains(&k.as_str())
            && !k.starts_with(FIELD_PREFIX)
    }) {
        return Err(RecordError::UnknownKey { key: key.clone() });
    }
    let get = |key: &str| -> Result<&str, RecordError> {
        record
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| RecordError::MissingKey {
                key: key.to_owned(),
            })
    };
    let text = |key: &str| -> Result<String, RecordError> {
        let v = get(key)?;
        if v.trim().is_empty() {
            return Err(bad(key, "empty"));
        }
        Ok(v.to_owned())
    };
    for key in REQUIRED {
        get(key)?;
    }

    let id = LicenceId::parse_with(get("ZZBS")?, Strictness::Lenient)
        .map_err(|e| bad("ZZBS", e.to_string()))?;
    if get("ZZLXDM")? != id.type_code().as_ref() {
        return Err(bad(
            "ZZLXDM",
            format!(
                "'{}' is not the type code of ZZBS ({})",
                get("ZZLXDM")?,
                id.type_code()
            ),
        ));
    }
    let ty = match record.get("ZZLXBB") {
        None => catalog.get(id.type_code()),
        Some(v) => {
            let version: u32 = v
                .parse()
                .ok()
                .filter(|_| v.bytes().all(|c| c.is_ascii_digit()))
                .ok_or_else(|| bad("ZZLXBB", format!("'{v}' is not a version number")))?;
            catalog.get_version(id.type_code(), version).ok()
        }
    }
    .ok_or_else(|| {
        bad(
            "ZZLXDM",
            format!("licence type {} is not in the catalogue", id.type_code()),
        )
    })?;

    let issued_on = date(record, "ZZBFRQ")?;
    let from = date(record, "ZZYXQQSRQ")?;
    let until = match get("ZZYXQJZRQ")? {
        LONG_TERM | "长期有效" => None,
        "" => {
            return Err(bad(
                "ZZYXQJZRQ",
                format!("empty: write {LONG_TERM} for 长期有效"),
            ))
        }
        _ => Some(date(record, "ZZYXQJZRQ")?),
    };
    if until.is_some_and(|u| u < from) {
        return Err(bad("ZZYXQJZRQ", "before ZZYXQQSRQ"));
    }

    let holders = holders(record)?;
    let status = match record.get("ZZZT") {
        None => Status::Valid,
        Some(c) => Status::from_external_code(c).ok_or_else(|| {
            bad(
                "ZZZT",
                format!("'{c}' is not a status code (01 有效 … 07 吊销, 99)"),
            )
        })?,
    };
    let area = record
        .get("SDBM")
        .map(|a| AreaCode::parse(a).map_err(|e| bad("SDBM", e.to_string())))
        .transpose()?;
    let previous = record
        .get("GLZZBS")
        .map(|p| {
            LicenceId::parse_with(p, Strictness::Lenient).map_err(|e| bad("GLZZBS", e.to_string()))
        })
        .transpose()?;

    let mut fields = BTreeMap::new();
    for (key, value) in record.range(FIELD_PREFIX.to_owned()..) {
        let Some(code) = key.strip_prefix(FIELD_PREFIX) else {
            break;
        };
        let def = ty
            .field(code)
            .ok_or_else(|| RecordError::UnknownKey { key: key.clone() })?;
        if value.is_empty() {
            continue;
        }
        let v = match def.kind {
            FieldKind::Integer { .. } => value
                .parse::<i64>()
                .map(Value::from)
                .map_err(|_| bad(key, format!("'{value}' is not an integer")))?,
            _ => Value::from(value.clone()),
        };
        fields.insert(code.to_owned(), v);
    }

    let licence = Licence {
        id,
        type_version: ty.version,
        name: text("ZZMC")?,
        number: text("ZZBH")?,
        issuer: Issuer {
            name: text("ZZBFJG")?,
            code: Uscc::parse_legacy(get("ZZBFJGDM")?)
                .map_err(|e| bad("ZZBFJGDM", e.to_string()))?,
        },
        issued_on,
        validity: Validity { from, until },
        holders,
        area,
        previous,
        status,
        fields,
    };
    validate::validate_against(ty, &licence)?;
    Ok(licence)
}

fn holders(record: &Record) -> Result<Vec<Holder>, RecordError> {
    let columns: Vec<Vec<&str>> = HOLDER_KEYS
        .iter()
        .map(|k| record[*k].split(SEPARATOR).collect())
        .collect();
    let n = columns[0].len();
    if columns.iter().any(|c| c.len() != n) {
        return Err(RecordError::Holders {
            counts: HOLDER_KEYS
                .iter()
                .zip(&columns)
                .map(|(k, c)| format!("{k} {}", c.len()))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    (0..n)
        .map(|i| {
            let which = |key: &str, reason: String| bad(key, format!("holder {}: {reason}", i + 1));
            let [name, code, type_name, type_code] = [0, 1, 2, 3].map(|c| columns[c][i].trim());
            if name.is_empty() {
                return Err(which("CZZT", "empty name".into()));
            }
            if code.is_empty() {
                return Err(which("CZZTDM", "empty code".into()));
            }
            let code_type =
                HolderCodeType::parse(type_code).map_err(|e| which("CZZTDMLXDM", e.to_string()))?;
            // The name must agree with the code where it names a known type.
            match HolderCodeType::from_name_or_code(type_name) {
                Ok(named) if named == code_type => {}
                Ok(named) => {
                    return Err(which(
                        "CZZTDMLX",
                        format!("'{type_name}' is code type {named}, CZZTDMLXDM says {code_type}"),
                    ))
                }
                Err(_) if code_type.name().is_none() && !type_name.is_empty() => {}
                Err(_) => {
                    return Err(which(
                        "CZZTDMLX",
                        format!(
                            "'{type_name}' is not the name of code type {code_type} ({})",
                            code_type.name().unwrap_or("unknown")
                        ),
                    ))
                }
            }
            Ok(Holder {
                name: name.to_owned(),
                code_type,
                code: code.to_owned(),
            })
        })
        .collect()
}

fn compact_date(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

fn date(record: &Record, key: &str) -> Result<Date, RecordError> {
    let v = record.get(key).map(String::as_str).unwrap_or("");
    let err = || bad(key, format!("'{v}' is not a date in the form yyyyMMdd"));
    if v.len() != 8 || !v.bytes().all(|c| c.is_ascii_digit()) {
        return Err(err());
    }
    let (y, m, d) = (&v[..4], &v[4..6], &v[6..]);
    let month = Month::try_from(m.parse::<u8>().map_err(|_| err())?).map_err(|_| err())?;
    Date::from_calendar_date(
        y.parse().map_err(|_| err())?,
        month,
        d.parse().map_err(|_| err())?,
    )
    .map_err(|_| err())
}
