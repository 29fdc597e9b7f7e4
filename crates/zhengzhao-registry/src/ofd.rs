//! Imported OFD licences (`zhengzhao import-ofd`): a sealed OFD e-licence that another platform
//! issued, verified and taken in so that the window lookup serves it like a native licence.
//!
//! [`Registry::import_ofd`] verifies the file and reads the licence it is
//! ([`zhengzhao_core::ofd::licence::read`]: every signature holds, metadata counts only from
//! under the seals, the operator supplies the rest), then writes in one batch what an issuance
//! writes — the file as the licence's document (in `licence` and the holders' `current`
//! entries, so that a lookup answers with the file's bytes), its number, status, status-list
//! entry and holder history — and its [`OfdRecord`] (in `ofd`), with an `import_ofd` event
//! that commits to the file's SHA-256. Importing the same file again changes nothing. A file
//! whose 关联证照标识 names a version the registry holds supersedes it, as a change would.
//!
//! The registry does not sign it: it serves it as sealed. Lifecycle steps (suspend, revoke…)
//! apply as to any licence; change and renewal do not (the platform that sealed it issues the
//! new version, which is imported in turn), and it exports as the file (`ofd`) or its flat
//! record (`gbt36903`) only.

use rocksdb::WriteBatch;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use zhengzhao_core::gbt36903::{self, Record};
use zhengzhao_core::identifier::{IssuerCode, LicenceId};
use zhengzhao_core::licence::Licence;
use zhengzhao_core::ofd::{self, licence::OfdLicence};
use zhengzhao_core::pki::{Certificate, TrustAnchors};
use zhengzhao_core::status::Status;

use crate::error::{corrupt, RegistryError};
use crate::event::{self, OfdImportEvent, EVENT_FORMAT};
use crate::issue::{check_text, StagedVersion};
use crate::layout::{self, CurrentEntry, StatusRecord};
use crate::registry::{now, rfc3339, Registry};

/// How [`Registry::import_ofd`] takes a file in.
#[derive(Clone, Debug, Default)]
pub struct OfdImport<'a> {
    /// Roots for the chains of the signer and seal-maker certificates. `None` takes the file on
    /// its signatures alone, which proves it unaltered but not who sealed it: give the
    /// issuing platform's roots wherever they are known.
    pub anchors: Option<&'a TrustAnchors>,
    /// The signer's certificate of a bare signature, or intermediates of the chains.
    pub certificates: &'a [Certificate],
    /// GB/T 36903 items (by key or name) for what the file does not carry under its seals.
    pub supplied: Record,
    /// Who imports it (an operator name or account), for the log.
    pub operator: String,
}

/// An OFD licence the registry took in.
#[derive(Clone, Debug, PartialEq)]
pub struct OfdImported {
    /// Its identifier (the file's, or the supplied `ZZBS`).
    pub id: LicenceId,
    /// The sequence number of its `import_ofd` event; `None` when the same file was already
    /// in the registry, and nothing was written.
    pub seq: Option<u64>,
    /// The file verified and read.
    pub read: OfdLicence,
}

/// What the registry keeps of an imported OFD licence, beside the file itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OfdRecord {
    /// SHA-256 of the file (hex).
    pub sha256: String,
    /// When it was imported (RFC 3339, UTC).
    pub imported_at: String,
    /// Who imported it.
    pub operator: String,
    /// The record the licence was registered with: the sealed items and the supplied ones.
    pub record: Record,
    /// The keys of the supplied items.
    pub supplied: Vec<String>,
    /// The keys of items the file carries outside its seals, which were not used.
    pub unsealed: Vec<String>,
    /// Whether the chains were checked against trust anchors.
    pub anchored: bool,
    /// The verification report at import ([`zhengzhao_core::ofd::Report`] as JSON).
    pub report: serde_json::Value,
    /// `DocInfo/DocID` of the file.
    pub doc_id: Option<String>,
    /// The certificates given at import (DER, hex), so that the file can be verified again.
    pub certificates: Vec<String>,
}

impl OfdRecord {
    /// The licence it records, read against `catalog`.
    pub fn licence(
        &self,
        catalog: &zhengzhao_core::catalog::Catalog,
    ) -> Result<Licence, RegistryError> {
        gbt36903::from_record(&self.record, catalog)
            .map_err(|e| corrupt("ofd record", e.to_string()))
    }

    /// The certificates given at import.
    pub fn certificates(&self) -> Result<Vec<Certificate>, RegistryError> {
        self.certificates
            .iter()
            .map(|h| {
                let der = hex::decode(h).map_err(|e| corrupt("ofd record", e.to_string()))?;
                Certificate::from_der(&der).map_err(|e| corrupt("ofd record", e.to_string()))
            })
            .collect()
    }
}

/// Whether a stored document is an imported OFD file (rather than a signed credential).
pub fn is_ofd(document: &[u8]) -> bool {
    ofd::is_package(document)
}

impl Registry {
    /// Verifies the OFD licence in `bytes` and takes it in (see the [module
    /// documentation](crate::ofd)). Refused, with nothing written, when a signature does not
    /// hold (the code of the first failure), when the licence lacks items or they do not make
    /// a licence of its type, when its identifier's issuer is not a 统一社会信用代码, or when
    /// its identifier or its type and 证照编号 are taken by another licence.
    pub fn import_ofd(
        &self,
        bytes: &[u8],
        how: &OfdImport<'_>,
    ) -> Result<OfdImported, RegistryError> {
        self.writable()?;
        check_text("operator", &how.operator, true)?;
        let at = now();
        let options = ofd::Options {
            anchors: how.anchors,
            certificates: how.certificates,
            at,
            ..ofd::Options::default()
        };
        let mut read = ofd::licence::read(bytes, &options, &how.supplied, &self.catalog)
            .map_err(zhengzhao_core::Error::from)?;
        let licence = &read.licence;
        let id = licence.id.clone();
        let IssuerCode::Uscc(issuer) = id.issuer() else {
            return Err(RegistryError::Request {
                field: "ZZBS".into(),
                reason: format!(
                    "the issuer segment of {id} is a 行政区划代码: the registry keeps licences under 统一社会信用代码 only"
                ),
            });
        };
        let issuer = issuer.to_string();
        // Early pilot areas wrote identifiers that read only leniently; the registry, and
        // everything that names a stored licence, works with strict ones.
        LicenceId::parse(id.as_ref()).map_err(|e| RegistryError::Request {
            field: "ZZBS".into(),
            reason: format!("{id}: {e}: the registry keeps licences under strict identifiers"),
        })?;
        let state = match licence.status {
            Status::Valid | Status::Expired => Status::Valid,
            Status::Superseded => {
                return Err(RegistryError::Request {
                    field: "ZZZT".into(),
                    reason: "the file is of a superseded version: import the current one".into(),
                })
            }
            other => other,
        };
        let ty = self
            .catalog
            .get_version(licence.type_code(), licence.type_version)?;
        let holders = self.holder_hashes(&licence.holders)?;
        let digest = hex::encode(Sha256::digest(bytes));
        // The type version goes into the stored record, so that it reads back under the same
        // definition when the catalogue moves on.
        read.record
            .insert("ZZLXBB".into(), licence.type_version.to_string());

        let key = id.to_string();
        let mut guard = self.lock_writer();
        if let Some(existing) = self.db.get_pinned_cf(self.cf(layout::CF_LICENCE)?, &key)? {
            let same = match self.ofd_record(&id)? {
                Some(r) => is_ofd(&existing) && r.sha256 == digest,
                None => false,
            };
            if same {
                return Ok(OfdImported {
                    id,
                    seq: None,
                    read,
                });
            }
            return Err(RegistryError::Request {
                field: "ZZBS".into(),
                reason: format!("licence {id} is already in the registry, with other content"),
            });
        }
        // A new version of a licence the registry holds (关联证照标识, GLZZBS) supersedes it,
        // as a change made here would: the previous version must be of the same type and in
        // force (Valid or Suspended).
        let superseded = match &licence.previous {
            None => None,
            Some(p) => match self.status_record(p) {
                Err(RegistryError::NotFound { .. }) => None,
                Err(e) => return Err(e),
                Ok(rec) => {
                    if p.type_code() != id.type_code() {
                        return Err(RegistryError::Request {
                            field: "GLZZBS".into(),
                            reason: format!("{p} is of another licence type than {id}"),
                        });
                    }
                    if !matches!(rec.state, Status::Valid | Status::Suspended) {
                        return Err(RegistryError::IllegalTransition {
                            id: p.to_string(),
                            state: rec.state.label().to_owned(),
                            step: "supersede",
                            detail: format!(": {id} names it as the version it replaces"),
                        });
                    }
                    Some((p.clone(), rec))
                }
            },
        };
        let number_key = layout::number_key(ty.code.as_ref(), &licence.number);
        let taken = self.licence_by_number(&ty.code, &licence.number)?;
        if let Some(other) = taken.filter(|o| superseded.as_ref().map(|(p, _)| p) != Some(o)) {
            return Err(RegistryError::NumberTaken {
                type_code: ty.code.to_string(),
                number: licence.number.clone(),
                id: other.to_string(),
            });
        }
        if guard.numbers.contains(&number_key) {
            return Err(RegistryError::NumberTaken {
                type_code: ty.code.to_string(),
                number: licence.number.clone(),
                id: String::new(),
            });
        }
        let serial: Option<u64> = id.serial().parse().ok();
        let alloc = self.issuer_alloc(&mut guard, &issuer)?;
        // The issuer's serials move past the file's, so that no licence this registry issues
        // later takes its identifier.
        let persist_serial = match serial {
            Some(n) if n >= alloc.next_serial => {
                alloc.next_serial = n + 1;
                (n > alloc.persisted_serial).then_some(n)
            }
            _ => None,
        };
        let slot = Registry::next_slot(alloc)?;

        let written = (|| {
            let record = StatusRecord {
                state,
                since: at,
                valid_from: licence.validity.from,
                valid_until: licence.validity.until,
                list: slot.list,
                index: slot.index,
                successor: None,
                reason: String::new(),
            };
            let stored = OfdRecord {
                sha256: digest.clone(),
                imported_at: rfc3339(at),
                operator: how.operator.clone(),
                record: read.record.clone(),
                supplied: read.supplied.clone(),
                unsealed: read.unsealed.clone(),
                anchored: how.anchors.is_some(),
                report: serde_json::to_value(&read.report)
                    .map_err(|e| RegistryError::Database(e.to_string()))?,
                doc_id: read.metadata.doc_id.clone(),
                certificates: how
                    .certificates
                    .iter()
                    .map(|c| hex::encode(c.der()))
                    .collect(),
            };
            let mut batch = WriteBatch::default();
            let key = key.as_str();
            let version = StagedVersion {
                id: key,
                type_code: ty.code.as_ref(),
                number: &licence.number,
                issuer: &issuer,
                record: &record,
                holders: &holders,
                document: bytes,
            };
            self.stage_version(&mut batch, &version, at, true)?;
            batch.put_cf(
                self.cf(layout::CF_OFD)?,
                key,
                serde_json::to_vec(&stored).map_err(|e| RegistryError::Database(e.to_string()))?,
            );
            if let Some((previous, rec)) = &superseded {
                self.stage_superseded(&mut batch, previous, rec, key, "", at)?;
                // A holder of the old version who is not one of the new one's loses it as
                // current.
                let current = self.cf(layout::CF_CURRENT)?;
                for h in self.holder_hashes(&self.stored_licence(previous)?.holders)? {
                    if holders.contains(&h) {
                        continue;
                    }
                    let k = layout::current_key(&h, ty.code.as_ref());
                    if let Some(v) = self.db.get_pinned_cf(current, k)? {
                        if CurrentEntry::decode(&v)?.id == previous.as_ref() {
                            batch.delete_cf(current, k);
                        }
                    }
                }
            }
            if let Some(n) = persist_serial {
                batch.put_cf(
                    self.cf(layout::CF_META)?,
                    layout::serial_key(&issuer),
                    n.to_be_bytes(),
                );
            }
            let type_key = (ty.code.to_string(), ty.version);
            let new_type = !guard.types.contains(&type_key);
            if new_type {
                batch.put_cf(
                    self.cf(layout::CF_CATALOG)?,
                    layout::catalog_key(ty.code.as_ref(), ty.version),
                    serde_json::to_vec(ty).expect("a licence type always serialises"),
                );
            }
            let at_s = rfc3339(at);
            let event = event::to_bytes(&OfdImportEvent {
                v: EVENT_FORMAT,
                kind: "import_ofd",
                at: &at_s,
                id: key,
                previous: superseded.as_ref().map(|(p, _)| p.as_ref()),
                holders: holders.iter().map(hex::encode).collect(),
                digest: digest.clone(),
                signers: read
                    .report
                    .signatures
                    .iter()
                    .map(|s| s.signer.as_deref().unwrap_or(""))
                    .collect(),
                anchored: how.anchors.is_some(),
                supplied: &read.supplied,
                status_list: &layout::status_list_id(&issuer, slot.list),
                status_index: slot.index,
                operator: &how.operator,
            });
            Ok::<_, RegistryError>((batch, event, type_key, new_type))
        })();
        let (batch, event, type_key, new_type) = match written {
            Ok(w) => w,
            Err(e) => {
                if let Some(a) = guard.issuers.get_mut(&issuer) {
                    if a.list == slot.list {
                        a.release(slot.index);
                    }
                }
                return Err(e);
            }
        };
        let seq = self.commit(guard, batch, &[event], |w| {
            if let (Some(n), Some(a)) = (persist_serial, w.issuers.get_mut(&issuer)) {
                a.persisted_serial = a.persisted_serial.max(n);
            }
            if new_type {
                w.types.insert(type_key);
            }
        });
        match seq {
            Ok(seq) => Ok(OfdImported {
                id,
                seq: Some(seq),
                read,
            }),
            Err(e) => {
                self.release_slot(&issuer, slot);
                Err(e)
            }
        }
    }

    /// What the registry keeps of an imported OFD licence; `None` for a licence it issued.
    pub fn ofd_record(&self, id: &LicenceId) -> Result<Option<OfdRecord>, RegistryError> {
        self.db
            .get_pinned_cf(self.cf(layout::CF_OFD)?, id.as_ref())?
            .map(|v| {
                serde_json::from_slice(&v).map_err(|e| corrupt(format!("ofd {id}"), e.to_string()))
            })
            .transpose()
    }

    /// Verifies a stored OFD file again (its signatures, with the certificates given at
    /// import; chains were checked then, against the anchors of the day), and reads its
    /// licence: what the integrity check does for each imported licence.
    pub(crate) fn recheck_ofd(
        &self,
        id: &LicenceId,
        bytes: &[u8],
    ) -> Result<Licence, (&'static str, String)> {
        let record = self
            .ofd_record(id)
            .map_err(|e| ("ofd_record", e.to_string()))?
            .ok_or(("ofd_record", "no ofd record for an OFD file".to_owned()))?;
        if hex::encode(Sha256::digest(bytes)) != record.sha256 {
            return Err((
                "signature",
                "the stored file is not the one imported".into(),
            ));
        }
        let certificates = record
            .certificates()
            .map_err(|e| ("ofd_record", e.to_string()))?;
        let at = OffsetDateTime::parse(
            &record.imported_at,
            &time::format_description::well_known::Rfc3339,
        )
        .map_err(|e| ("ofd_record", format!("imported_at: {e}")))?;
        let options = ofd::Options {
            certificates: &certificates,
            at,
            ..ofd::Options::default()
        };
        match ofd::verify(bytes, &options) {
            Ok(r) if r.valid => {}
            Ok(r) => {
                return Err((
                    "signature",
                    r.message.unwrap_or_else(|| "does not verify".into()),
                ))
            }
            Err(e) => return Err(("signature", e.to_string())),
        }
        record
            .licence(&self.catalog)
            .map_err(|e| ("ofd_record", e.to_string()))
    }
}
