//! The integrity check: a walk over the whole registry that reports every problem it finds.
//!
//! - every stored licence parses, is stored under its own identifier, and its proof verifies
//!   with the signing certificate it names (kept in `trust`); an imported OFD file is the one
//!   imported (its SHA-256), its signatures verify again, and its record reads;
//! - every licence is indexed (its status record, its status-list entry, its number, its
//!   holders' history) and every index entry points at a licence (`status`, `statuslist`,
//!   `number`, `holder`, `ofd`, and `current`, whose embedded document and state must agree
//!   too);
//! - each status record agrees with its status-list entry;
//! - the log has no gap, its stored Merkle tree is the tree of its events, and the latest
//!   signed checkpoint verifies with the log key and has the root of the events it counts.
//!
//! The check reads; it never repairs. Restore from a backup what it reports.

use std::collections::HashSet;

use rocksdb::IteratorMode;
use serde::Serialize;
use serde_json::Value;
use zhengzhao_core::checkpoint::Checkpoint;
use zhengzhao_core::identifier::{LicenceId, Strictness};
use zhengzhao_core::merkle::{leaf_hash, Frontier};
use zhengzhao_core::pki::Certificate;
use zhengzhao_core::{credential, proof};

use crate::error::RegistryError;
use crate::layout::{self, CurrentEntry, StatusRecord, HOLDER_HASH_LEN, TYPE_CODE_LEN};
use crate::registry::Registry;

/// One problem found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// What kind of problem: a stable name (`signature`, `status_missing`, `log_tree`, …).
    pub kind: &'static str,
    /// Where: the licence identifier, or the column family and key.
    pub at: String,
    /// What is wrong, in words.
    pub message: String,
}

/// The result of [`Registry::check`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// Licences read.
    pub licences: u64,
    /// Index entries read (every column family but `licence` and `log`).
    pub index_entries: u64,
    /// Log events read.
    pub log_size: u64,
    /// The size of the latest signed checkpoint, if there is one.
    pub checkpoint_size: Option<u64>,
    /// Every problem, in the order found.
    pub problems: Vec<Problem>,
}

impl CheckReport {
    /// Whether nothing is wrong.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    fn problem(&mut self, kind: &'static str, at: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            kind,
            at: at.into(),
            message: message.into(),
        });
    }
}

impl Registry {
    /// Walks the whole registry and reports every problem (see the [module
    /// documentation](crate::check)). The error is a database failure that stops the walk.
    pub fn check(&self) -> Result<CheckReport, RegistryError> {
        let mut r = CheckReport::default();
        let mut ids: HashSet<Vec<u8>> = HashSet::new();
        for item in self
            .db
            .iterator_cf(self.cf(layout::CF_LICENCE)?, IteratorMode::Start)
        {
            let (k, doc) = item?;
            r.licences += 1;
            ids.insert(k.to_vec());
            self.check_licence(&k, &doc, &mut r)?;
        }
        self.check_indexes(&ids, &mut r)?;
        self.check_log(&mut r)?;
        Ok(r)
    }

    fn check_licence(
        &self,
        key: &[u8],
        doc: &[u8],
        r: &mut CheckReport,
    ) -> Result<(), RegistryError> {
        let at = String::from_utf8_lossy(key).into_owned();
        let Ok(id) = LicenceId::parse_with(&at, Strictness::Lenient) else {
            r.problem(
                "licence_unreadable",
                at,
                "the key is not a licence identifier",
            );
            return Ok(());
        };
        let licence = if crate::ofd::is_ofd(doc) {
            match self.recheck_ofd(&id, doc) {
                Ok(l) => l,
                Err((kind, e)) => {
                    r.problem(kind, at, e);
                    return Ok(());
                }
            }
        } else {
            let parsed = serde_json::from_slice::<Value>(doc)
                .map_err(|e| e.to_string())
                .and_then(|v| {
                    credential::from_credential(&v)
                        .map(|l| (v, l))
                        .map_err(|e| e.to_string())
                });
            let (value, (licence, _)) = match parsed {
                Ok(p) => p,
                Err(e) => {
                    r.problem(
                        "licence_unreadable",
                        at,
                        format!("the document does not read: {e}"),
                    );
                    return Ok(());
                }
            };
            if let Err(e) = self.proof_holds(&value) {
                r.problem("signature", &at, e);
            }
            licence
        };
        if licence.id != id {
            r.problem(
                "identifier_mismatch",
                &at,
                format!("the document is licence {}", licence.id),
            );
        }
        // Its indexes.
        match self.db.get_cf(self.cf(layout::CF_STATUS)?, key)? {
            None => r.problem("status_missing", &at, "no status record"),
            Some(v) => match StatusRecord::decode(&at, &v) {
                Err(e) => r.problem("status_unreadable", &at, e.to_string()),
                Ok(rec) => {
                    let k =
                        layout::statuslist_key(licence.issuer.code.as_ref(), rec.list, rec.index);
                    let want = layout::statuslist_value(rec.state, &at);
                    match self.db.get_cf(self.cf(layout::CF_STATUSLIST)?, k)? {
                        None => r.problem(
                            "statuslist_missing",
                            &at,
                            format!("no entry {} of status list {}", rec.index, rec.list),
                        ),
                        Some(v) if v != want => r.problem(
                            "statuslist_mismatch",
                            &at,
                            format!(
                                "status list {} entry {} says '{}', the status record '{}'",
                                rec.list,
                                rec.index,
                                String::from_utf8_lossy(&v[..v.len().min(2)]),
                                rec.state.external_code()
                            ),
                        ),
                        Some(_) => {}
                    }
                }
            },
        }
        let type_code = licence.type_code().to_string();
        let number = layout::number_key(&type_code, &licence.number);
        if self
            .db
            .get_pinned_cf(self.cf(layout::CF_NUMBER)?, number)?
            .is_none()
        {
            r.problem(
                "number_missing",
                &at,
                format!("证照编号 '{}' is not in the number index", licence.number),
            );
        }
        for h in &licence.holders {
            let Ok(hash) = self.holder_hash(&h.code_type, &h.code) else {
                r.problem("holder_missing", &at, "a holder code does not normalise");
                continue;
            };
            let prefix = layout::current_key(&hash, &type_code);
            let found = self
                .db
                .prefix_iterator_cf(self.cf(layout::CF_HOLDER)?, prefix)
                .map_while(|i| i.ok())
                .take_while(|(k, _)| k.starts_with(&prefix))
                .any(|(k, _)| k.ends_with(key));
            if !found {
                r.problem("holder_missing", &at, "a holder's history does not list it");
            }
        }
        Ok(())
    }

    /// Whether the document's proof verifies with the certificate it names.
    fn proof_holds(&self, value: &Value) -> Result<(), String> {
        let prepared =
            proof::prepare(value).map_err(|e| format!("the proof does not read: {e}"))?;
        let fp = credential::certificate_fingerprint(&prepared.verification_method)
            .ok_or("the verificationMethod names no certificate")?;
        let der = self
            .db
            .get_cf(self.cf(layout::CF_TRUST).map_err(|e| e.to_string())?, fp)
            .map_err(|e| e.to_string())?
            .ok_or("its signing certificate is not in the registry")?;
        let key = Certificate::from_der(&der)
            .and_then(|c| c.public_key())
            .map_err(|e| format!("its signing certificate does not read: {e}"))?;
        if prepared.verify(&key) {
            Ok(())
        } else {
            Err("the signature does not verify: the stored document was altered".into())
        }
    }

    fn check_indexes(
        &self,
        ids: &HashSet<Vec<u8>>,
        r: &mut CheckReport,
    ) -> Result<(), RegistryError> {
        let has = |id: &[u8]| ids.contains(id);
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        for item in self
            .db
            .iterator_cf(self.cf(layout::CF_STATUS)?, IteratorMode::Start)
        {
            let (k, _) = item?;
            r.index_entries += 1;
            if !has(&k) {
                r.problem(
                    "status_orphan",
                    format!("status {}", text(&k)),
                    "a status record without a licence",
                );
            }
        }
        for item in self
            .db
            .iterator_cf(self.cf(layout::CF_STATUSLIST)?, IteratorMode::Start)
        {
            let (k, v) = item?;
            r.index_entries += 1;
            if v.len() < 2 || !has(&v[2..]) {
                r.problem(
                    "statuslist_orphan",
                    format!("statuslist {}", hex::encode(&k)),
                    format!(
                        "an entry for {}, which is not stored",
                        text(v.get(2..).unwrap_or_default())
                    ),
                );
            }
        }
        for item in self
            .db
            .iterator_cf(self.cf(layout::CF_NUMBER)?, IteratorMode::Start)
        {
            let (k, v) = item?;
            r.index_entries += 1;
            if !has(&v) {
                r.problem(
                    "number_orphan",
                    format!("number {}", text(&k)),
                    format!("points at {}, which is not stored", text(&v)),
                );
            }
        }
        for item in self
            .db
            .iterator_cf(self.cf(layout::CF_OFD)?, IteratorMode::Start)
        {
            let (k, _) = item?;
            r.index_entries += 1;
            if !has(&k) {
                r.problem(
                    "ofd_orphan",
                    format!("ofd {}", text(&k)),
                    "an OFD record without a licence",
                );
            }
        }
        let id_at = HOLDER_HASH_LEN + TYPE_CODE_LEN + 8;
        for item in self
            .db
            .iterator_cf(self.cf(layout::CF_HOLDER)?, IteratorMode::Start)
        {
            let (k, _) = item?;
            r.index_entries += 1;
            if k.len() <= id_at || !has(&k[id_at..]) {
                r.problem(
                    "holder_orphan",
                    format!("holder {}", hex::encode(&k[..k.len().min(id_at)])),
                    "a history entry for a licence that is not stored",
                );
            }
        }
        for item in self
            .db
            .iterator_cf(self.cf(layout::CF_CURRENT)?, IteratorMode::Start)
        {
            let (k, v) = item?;
            r.index_entries += 1;
            let at = format!("current {}", hex::encode(&k));
            let entry = match CurrentEntry::decode(&v) {
                Ok(e) => e,
                Err(e) => {
                    r.problem("current_unreadable", at, e.to_string());
                    continue;
                }
            };
            if !has(entry.id.as_bytes()) {
                r.problem(
                    "current_orphan",
                    at,
                    format!("points at {}, which is not stored", entry.id),
                );
                continue;
            }
            let doc = self
                .db
                .get_pinned_cf(self.cf(layout::CF_LICENCE)?, entry.id)?;
            if doc.as_deref() != Some(entry.document) {
                r.problem(
                    "current_mismatch",
                    &at,
                    format!("its copy of {} differs from the stored document", entry.id),
                );
            }
            let state = self
                .db
                .get_cf(self.cf(layout::CF_STATUS)?, entry.id)?
                .and_then(|v| StatusRecord::decode(entry.id, &v).ok())
                .map(|rec| rec.state);
            if state.is_some_and(|s| s != entry.state) {
                r.problem(
                    "current_mismatch",
                    at,
                    format!(
                        "says {} is '{}', its status record otherwise",
                        entry.id,
                        entry.state.external_code()
                    ),
                );
            }
        }
        Ok(())
    }

    fn check_log(&self, r: &mut CheckReport) -> Result<(), RegistryError> {
        let checkpoint = match self.latest_checkpoint()? {
            None => None,
            Some(note) => {
                let verifier = self.log_verifier()?;
                match Checkpoint::open_from(&note, verifier.name(), std::slice::from_ref(&verifier))
                {
                    Ok(cp) => Some(cp),
                    Err(e) => {
                        r.problem(
                            "checkpoint",
                            "meta checkpoint",
                            format!("the latest checkpoint does not verify: {e}"),
                        );
                        None
                    }
                }
            }
        };
        r.checkpoint_size = checkpoint.as_ref().map(|c| c.size);
        let mut tree = Frontier::new();
        let mut at_checkpoint = None;
        for item in self
            .db
            .iterator_cf(self.cf(layout::CF_LOG)?, IteratorMode::Start)
        {
            let (k, v) = item?;
            let seq = layout::read_u64("log key", &k)?;
            if seq != tree.size() {
                r.problem(
                    "log_gap",
                    format!("log {seq}"),
                    format!("event {} is missing", tree.size()),
                );
                break;
            }
            tree.append(leaf_hash(&v))?;
            if checkpoint.as_ref().is_some_and(|c| c.size == tree.size()) {
                at_checkpoint = Some(tree.root());
            }
        }
        r.log_size = tree.size();
        if self.log_root(tree.size()).ok() != Some(tree.root()) {
            r.problem(
                "log_tree",
                "merkle",
                "the stored Merkle tree is not the tree of the stored events",
            );
        }
        if let Some(cp) = checkpoint {
            let root = if cp.size == 0 {
                Some(Frontier::new().root())
            } else {
                at_checkpoint
            };
            match root {
                None => r.problem("checkpoint", "meta checkpoint", format!("the checkpoint counts {} events, the log has {}", cp.size, tree.size())),
                Some(root) if root != cp.root => r.problem("checkpoint", "meta checkpoint", format!("the events do not have the root the checkpoint of {} events signs: the log was altered", cp.size)),
                Some(_) => {}
            }
        }
        Ok(())
    }
}
