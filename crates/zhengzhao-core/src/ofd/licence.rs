//! An OFD licence as a registry takes it in: the file verified, and the licence it is, read
//! from the metadata it carries under its seals and from what the caller supplies for the rest.
//!
//! The rules, in order:
//!
//! 1. every signature of the file holds ([`super::verify`]; with anchors, every chain too),
//!    else [`OfdError::Invalid`] with the code of the first failure;
//! 2. an item the file carries counts only when every entry it was read from is protected by
//!    a signature that holds: metadata outside the seals could have been written by anyone
//!    after sealing, so it is set aside (and named in [`OfdLicence::unsealed`]);
//! 3. the caller supplies what the file lacks (many real licences, like the Yunnan 探矿权
//!    licence among the vectors, carry no metadata at all), as GB/T 36903 items by key or name;
//!    a supplied item that differs from a sealed one is refused ([`OfdError::MetadataConflict`]):
//!    the seal wins;
//! 4. every required item must then be there ([`OfdError::MetadataMissing`]), and the record
//!    must read as a licence of its catalogue type ([`OfdError::Record`]).

use crate::catalog::Catalog;
use crate::gbt36903::{self, Record, RecordError};
use crate::licence::Licence;

use super::metadata::{self, Metadata};
use super::{verify, OfdError, Options, Report};

/// A verified OFD licence and the licence it is.
#[derive(Clone, Debug, PartialEq)]
pub struct OfdLicence {
    /// The licence, checked against its catalogue type.
    pub licence: Licence,
    /// The record it was read from: the sealed items of the file and the supplied ones.
    pub record: Record,
    /// The verification report (every signature holds).
    pub report: Report,
    /// The metadata the file carries, sealed or not.
    pub metadata: Metadata,
    /// The keys of the items the caller supplied that the file did not carry sealed.
    pub supplied: Vec<String>,
    /// The keys of items the file carries outside every seal, which were not used.
    pub unsealed: Vec<String>,
}

/// Verifies the OFD package in `bytes` with `options` and reads the licence it is, with
/// `supplied` (GB/T 36903 items, by key like `ZZBS` or by name like `证照标识`) for what the
/// file does not carry under its seals.
///
/// ```no_run
/// use zhengzhao_core::catalog::Catalog;
/// use zhengzhao_core::gbt36903::Record;
/// use zhengzhao_core::ofd::{self, Options};
/// let bytes = std::fs::read("licence.ofd")?;
/// let supplied: Record = serde_json::from_str(r#"{"ZZBS": "…", "ZZBH": "…"}"#)?;
/// let read = ofd::licence::read(&bytes, &Options::default(), &supplied, &Catalog::builtin())?;
/// println!("{} ({} items supplied)", read.licence.id, read.supplied.len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read(
    bytes: &[u8],
    options: &Options<'_>,
    supplied: &Record,
    catalog: &Catalog,
) -> Result<OfdLicence, OfdError> {
    let report = verify(bytes, options)?;
    if let Some(code) = report.code {
        return Err(OfdError::Invalid {
            code,
            message: report.message.clone().unwrap_or_default(),
        });
    }
    let metadata = metadata::read(bytes, &options.limits)?;
    let sealed = |entry: &String| {
        report
            .signatures
            .iter()
            .any(|s| s.code.is_none() && s.protected.contains(entry))
    };
    let mut record = Record::new();
    let mut unsealed = Vec::new();
    for (key, value) in &metadata.record {
        let origin = metadata.origins.get(key).map_or(&[][..], Vec::as_slice);
        if !origin.is_empty() && origin.iter().all(sealed) {
            record.insert(key.clone(), value.clone());
        } else {
            unsealed.push(key.clone());
        }
    }
    let mut taken = Vec::new();
    for (name, value) in supplied {
        let key = gbt36903::key_of(name).ok_or_else(|| {
            OfdError::Record(RecordError::UnknownKey {
                key: name.to_owned(),
            })
        })?;
        let value = value.trim();
        match record.get(&key) {
            Some(sealed) if sealed.trim() == value => {}
            Some(sealed) if !taken.contains(&key) => {
                return Err(OfdError::MetadataConflict {
                    key,
                    sealed: sealed.clone(),
                    supplied: value.to_owned(),
                })
            }
            Some(first) => {
                return Err(OfdError::Record(RecordError::Value {
                    reason: format!("supplied twice: '{first}' and '{value}'"),
                    key,
                }))
            }
            None => {
                record.insert(key.clone(), value.to_owned());
                taken.push(key);
            }
        }
    }
    let missing = gbt36903::missing(&record);
    if !missing.is_empty() {
        return Err(OfdError::MetadataMissing { missing, unsealed });
    }
    let licence = gbt36903::from_record(&record, catalog).map_err(OfdError::Record)?;
    Ok(OfdLicence {
        licence,
        record,
        report,
        metadata,
        supplied: taken,
        unsealed,
    })
}
