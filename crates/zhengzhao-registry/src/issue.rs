//! Issuance (发证) and the lifecycle of a licence: change (变更) and renewal (延续) make a new
//! version that supersedes the old one; suspend (暂扣), resume (发还), revoke (吊销), withdraw
//! (撤销), cancel (注销) and transfer out (转出) change its state. Expiry is not a step: a Valid
//! licence past its validity end reads as Expired whenever it is read.
//!
//! Allowed steps (anything else is refused with `ZZ-E-LIFE-002`):
//!
//! | from \ step | suspend | resume | revoke | withdraw | cancel | transfer out | change | renew |
//! |---|---|---|---|---|---|---|---|---|
//! | Valid | Suspended | – | Revoked | Withdrawn | Cancelled | TransferredOut | Superseded | Superseded |
//! | Suspended | – | Valid | Revoked | Withdrawn | Cancelled | – | – | – |
//! | Revoked, Withdrawn, Cancelled, TransferredOut, Superseded | – | – | – | – | – | – | – | – |
//!
//! A change needs a licence that has not expired (renew an expired one instead). Every step is
//! one `WriteBatch`: the new status, the status-list entry and the log event together.

use std::collections::BTreeMap;
use std::sync::Arc;

use rocksdb::WriteBatch;
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime};
use zhengzhao_core::catalog::LicenceType;
use zhengzhao_core::codes::AreaCode;
use zhengzhao_core::credential::{self, StatusEntry};
use zhengzhao_core::identifier::{LicenceId, TypeCode};
use zhengzhao_core::licence::{Holder, Issuer, Licence, Validity};
use zhengzhao_core::status::Status;
use zhengzhao_core::validate;

use crate::error::{corrupt, RegistryError};
use crate::event::{self, IssueEvent, StatusEvent, EVENT_FORMAT};
use crate::layout::{self, CurrentEntry, StatusRecord};
use crate::registry::{cst_day, now, rfc3339, Registry, Slot, Writer};
use crate::signer::SigningIdentity;
use zhengzhao_core::parallel;

/// The longest operator name or reason of a lifecycle step, in characters.
pub const MAX_CAUSE: usize = 200;

/// What to issue: the licence's content. The registry fills in the identifier (a new serial of
/// the issuer, version `001`), the type's name and version, and the status-list entry.
#[derive(Clone, Debug, PartialEq)]
pub struct IssueRequest {
    /// 证照类型代码.
    pub type_code: TypeCode,
    /// The catalogue version of the type (the latest when `None`).
    pub type_version: Option<u32>,
    /// 证照编号: the number printed on the licence.
    pub number: String,
    /// 颁发机构 and its code (the department that signs).
    pub issuer: Issuer,
    /// 颁发日期.
    pub issued_on: Date,
    /// 有效期.
    pub validity: Validity,
    /// 持证主体.
    pub holders: Vec<Holder>,
    /// 属地编码.
    pub area: Option<AreaCode>,
    /// The 照面 fields.
    pub fields: BTreeMap<String, Value>,
    /// Who issues it (an operator name or account), for the log.
    pub operator: String,
}

impl IssueRequest {
    /// A request with the content of `licence` (its identifier, status and previous version
    /// are ignored): convenient with [`zhengzhao_core::sample::Sampler`].
    pub fn from_licence(licence: &Licence, operator: &str) -> IssueRequest {
        IssueRequest {
            type_code: licence.type_code().clone(),
            type_version: Some(licence.type_version),
            number: licence.number.clone(),
            issuer: licence.issuer.clone(),
            issued_on: licence.issued_on,
            validity: licence.validity,
            holders: licence.holders.clone(),
            area: licence.area.clone(),
            fields: licence.fields.clone(),
            operator: operator.to_owned(),
        }
    }

    fn to_licence(&self, ty: &LicenceType, id: LicenceId, previous: Option<LicenceId>) -> Licence {
        Licence {
            id,
            type_version: ty.version,
            name: ty.name.clone(),
            number: self.number.clone(),
            issuer: self.issuer.clone(),
            issued_on: self.issued_on,
            validity: self.validity,
            holders: self.holders.clone(),
            area: self.area.clone(),
            previous,
            status: Status::Valid,
            fields: self.fields.clone(),
        }
    }
}

/// A licence version the registry wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issued {
    /// Its identifier.
    pub id: LicenceId,
    /// The signed document, exactly as stored.
    pub document: Vec<u8>,
    /// The sequence number of its log event.
    pub seq: u64,
}

/// Who made a lifecycle step and why: both go to the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cause {
    /// The operator (name or account).
    pub operator: String,
    /// The reason (e.g. the decision's document number).
    pub reason: String,
}

impl Cause {
    /// A cause.
    pub fn new(operator: &str, reason: &str) -> Cause {
        Cause {
            operator: operator.to_owned(),
            reason: reason.to_owned(),
        }
    }

    fn check(&self) -> Result<(), RegistryError> {
        check_text("operator", &self.operator, true)?;
        check_text("reason", &self.reason, false)
    }
}

pub(crate) fn check_text(field: &str, v: &str, required: bool) -> Result<(), RegistryError> {
    let bad = |reason: String| RegistryError::Request {
        field: field.to_owned(),
        reason,
    };
    if required && v.trim().is_empty() {
        return Err(bad("must not be empty".into()));
    }
    if v.chars().count() > MAX_CAUSE {
        return Err(bad(format!("at most {MAX_CAUSE} characters")));
    }
    if v.chars().any(char::is_control) {
        return Err(bad("control characters are not allowed".into()));
    }
    Ok(())
}

/// A change of state of a licence version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// 暂扣: Valid → Suspended.
    Suspend,
    /// 发还: Suspended → Valid.
    Resume,
    /// 吊销: Valid or Suspended → Revoked.
    Revoke,
    /// 撤销: Valid or Suspended → Withdrawn.
    Withdraw,
    /// 注销: Valid or Suspended → Cancelled.
    Cancel,
    /// 转出: Valid → TransferredOut.
    TransferOut,
}

impl Step {
    /// Every step.
    pub const ALL: &'static [Step] = &[
        Step::Suspend,
        Step::Resume,
        Step::Revoke,
        Step::Withdraw,
        Step::Cancel,
        Step::TransferOut,
    ];

    /// The stable name (as logged).
    pub const fn name(self) -> &'static str {
        match self {
            Step::Suspend => "suspend",
            Step::Resume => "resume",
            Step::Revoke => "revoke",
            Step::Withdraw => "withdraw",
            Step::Cancel => "cancel",
            Step::TransferOut => "transfer_out",
        }
    }

    /// The state after the step.
    pub const fn target(self) -> Status {
        match self {
            Step::Suspend => Status::Suspended,
            Step::Resume => Status::Valid,
            Step::Revoke => Status::Revoked,
            Step::Withdraw => Status::Withdrawn,
            Step::Cancel => Status::Cancelled,
            Step::TransferOut => Status::TransferredOut,
        }
    }

    /// Whether the step may be taken from stored state `from`.
    pub const fn allowed_from(self, from: Status) -> bool {
        matches!(
            (self, from),
            (Step::Suspend, Status::Valid)
                | (Step::Resume, Status::Suspended)
                | (
                    Step::Revoke | Step::Withdraw | Step::Cancel,
                    Status::Valid | Status::Suspended
                )
                | (Step::TransferOut, Status::Valid)
        )
    }
}

fn illegal(id: &LicenceId, rec: &StatusRecord, step: &'static str, hint: &str) -> RegistryError {
    let detail = match (&rec.successor, hint) {
        (Some(s), _) => format!(": superseded by {s}; act on the current version"),
        (None, "") => String::new(),
        (None, h) => format!(": {h}"),
    };
    RegistryError::IllegalTransition {
        id: id.to_string(),
        state: rec.state.label().to_owned(),
        step,
        detail,
    }
}

/// An issuance request checked against its type, before anything is allocated.
struct Ready<'t> {
    /// The licence, with a placeholder identifier.
    licence: Licence,
    ty: &'t LicenceType,
    issuer: String,
    holders: Vec<[u8; 32]>,
    identity: Arc<SigningIdentity>,
}

/// A licence version's records, as [`Registry::stage_version`] writes them.
pub(crate) struct StagedVersion<'a> {
    pub id: &'a str,
    pub type_code: &'a str,
    pub number: &'a str,
    pub issuer: &'a str,
    pub record: &'a StatusRecord,
    pub holders: &'a [[u8; 32]],
    pub document: &'a [u8],
}

/// A licence version signed and written into the batch, with what the commit records besides.
struct Staged<'t> {
    id: LicenceId,
    issuer: String,
    /// The serial it used, for a first version (the issuer's counter is persisted with it).
    serial: Option<u64>,
    ty: &'t LicenceType,
    identity: Arc<SigningIdentity>,
    event: Vec<u8>,
    document: Vec<u8>,
}

impl Registry {
    fn licence_type(
        &self,
        code: &TypeCode,
        version: Option<u32>,
    ) -> Result<&LicenceType, RegistryError> {
        Ok(match version {
            Some(v) => self.catalog.get_version(code, v)?,
            None => self.catalog.get(code).ok_or_else(|| {
                zhengzhao_core::catalog::CatalogError::UnknownType {
                    code: code.to_string(),
                    version: None,
                }
            })?,
        })
    }

    pub(crate) fn identity(
        &self,
        issuer: &zhengzhao_core::codes::Uscc,
        at: OffsetDateTime,
    ) -> Result<Arc<SigningIdentity>, RegistryError> {
        let source = self.signers.as_ref().ok_or_else(|| {
            RegistryError::NoSigner("the registry was opened without a signer source".into())
        })?;
        source.signer(issuer, at)
    }

    pub(crate) fn holder_hashes(&self, holders: &[Holder]) -> Result<Vec<[u8; 32]>, RegistryError> {
        let mut out: Vec<[u8; 32]> = Vec::with_capacity(holders.len());
        for h in holders {
            let hash = self.holder_hash(&h.code_type, &h.code)?;
            if !out.contains(&hash) {
                out.push(hash);
            }
        }
        Ok(out)
    }

    /// Issues a licence: validates it against its catalogue type, allocates its identifier
    /// (the issuer's next serial, version 001) and a random status-list entry, signs it, and
    /// writes the document, its holder indexes, its status, its status-list entry and its log
    /// event in one batch.
    pub fn issue(&self, req: &IssueRequest) -> Result<Issued, RegistryError> {
        self.issue_many(std::slice::from_ref(req))?
            .pop()
            .unwrap_or_else(|| Err(RegistryError::Database("no result".into())))
    }

    /// Issues many licences at once: each is checked and signed as [`Registry::issue`] does,
    /// on every core, and all of them are written in one batch with one WAL sync. A request
    /// that is refused gets its error (one refused by validation uses no serial); the others
    /// are issued. The outer error is a database failure, in which case nothing was written.
    ///
    /// Give a few hundred to a few thousand requests per call: the signed documents of a call
    /// are held in memory until its batch is written.
    pub fn issue_many(
        &self,
        requests: &[IssueRequest],
    ) -> Result<Vec<Result<Issued, RegistryError>>, RegistryError> {
        self.writable()?;
        let at = now();
        let ready = parallel::map(requests, |r| self.ready(r, at));

        // Serials and status-list entries, in request order.
        let mut out: Vec<Option<Result<Issued, RegistryError>>> = Vec::with_capacity(ready.len());
        let mut pending = Vec::with_capacity(ready.len());
        // The numbers this call writes, reserved until its batch is in (or failed).
        let mut reserved: Vec<Vec<u8>> = Vec::new();
        {
            let mut w = self.lock_writer();
            for (i, r) in ready.into_iter().enumerate() {
                let allocated = r.and_then(|r| {
                    let key = self.reserve_number(&mut w, &r.licence)?;
                    reserved.push(key);
                    let a = self.issuer_alloc(&mut w, &r.issuer)?;
                    let (n, serial) = Registry::next_serial(a)?;
                    let slot = Registry::next_slot(a)?;
                    Ok((r, n, serial, slot))
                });
                match allocated {
                    Ok(p) => {
                        pending.push((i, p));
                        out.push(None);
                    }
                    Err(e) => out.push(Some(Err(e))),
                }
            }
        }

        // Each licence takes its identifier in place of the placeholder.
        let mut identified = Vec::with_capacity(pending.len());
        for (i, (mut r, n, serial, slot)) in pending {
            match LicenceId::new(&r.ty.code, &r.issuer, &serial, 1) {
                Ok(id) => {
                    r.licence.id = id;
                    identified.push((i, (r, n, serial, slot)));
                }
                Err(e) => {
                    self.release_slot(&r.issuer, slot);
                    out[i] = Some(Err(e.into()));
                }
            }
        }
        let pending = identified;
        let signed = parallel::map(&pending, |(_, (r, _, _, slot))| {
            self.sign(&r.licence, &r.identity, *slot, at)
        });

        // When the write fails, every entry handed out goes back (releasing twice is harmless).
        let release_all = || {
            for (_, (r, _, _, slot)) in &pending {
                self.release_slot(&r.issuer, *slot);
            }
        };
        // Each licence writes its document twice (`licence` and `current`) and about 1.5 KB of
        // indexes, status and log: reserved at once, the batch's buffer is not copied as it grows.
        let bytes = signed
            .iter()
            .map(|s| s.as_ref().map_or(0, |d| 2 * d.len() + 1536))
            .sum();
        let mut batch = WriteBatch::with_capacity_bytes(bytes);
        let mut staged = Vec::with_capacity(pending.len());
        for ((i, (r, n, _, slot)), s) in pending.iter().zip(signed) {
            let licence = &r.licence;
            let document = match s {
                Ok(d) => d,
                Err(e) => {
                    self.release_slot(&r.issuer, *slot);
                    out[*i] = Some(Err(e));
                    continue;
                }
            };
            let cause = Cause::new(&requests[*i].operator, "");
            // Staging fails only when the database does: then nothing of the call is written.
            let event = self.stage(
                &mut batch,
                licence,
                r.ty,
                &r.identity,
                *slot,
                &r.holders,
                at,
                None,
                "issue",
                &cause,
                &document,
            );
            let (event, _) = match event {
                Ok(e) => e,
                Err(e) => {
                    release_all();
                    let mut w = self.lock_writer();
                    for k in &reserved {
                        w.numbers.remove(k);
                    }
                    return Err(e);
                }
            };
            staged.push((
                *i,
                Staged {
                    id: licence.id.clone(),
                    issuer: r.issuer.clone(),
                    serial: Some(*n),
                    ty: r.ty,
                    identity: r.identity.clone(),
                    event,
                    document,
                },
            ));
        }
        let (indexes, staged): (Vec<usize>, Vec<Staged>) = staged.into_iter().unzip();
        let written = if staged.is_empty() {
            Ok(Vec::new())
        } else {
            let guard = self.lock_writer();
            self.finish(guard, batch, staged)
        };
        // Written or not, the numbers are no longer in flight: the index now answers for them.
        {
            let mut w = self.lock_writer();
            for k in &reserved {
                w.numbers.remove(k);
            }
        }
        match written {
            Ok(issued) => {
                for (i, issued) in indexes.into_iter().zip(issued) {
                    out[i] = Some(Ok(issued));
                }
            }
            Err(e) => {
                release_all();
                return Err(e);
            }
        }
        Ok(out
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(RegistryError::Database("no result".into()))))
            .collect())
    }

    /// Reserves the type and 证照编号 of a licence about to be issued: refused when a licence
    /// has them, or an issuance in flight does.
    fn reserve_number(&self, w: &mut Writer, licence: &Licence) -> Result<Vec<u8>, RegistryError> {
        let type_code = licence.type_code();
        let key = layout::number_key(type_code.as_ref(), &licence.number);
        let taken = |id: String| RegistryError::NumberTaken {
            type_code: type_code.to_string(),
            number: licence.number.clone(),
            id,
        };
        if let Some(id) = self.licence_by_number(type_code, &licence.number)? {
            return Err(taken(id.to_string()));
        }
        if !w.numbers.insert(key.clone()) {
            return Err(taken(String::new()));
        }
        Ok(key)
    }

    /// Checks a request against its type and finds its signer: everything before a serial.
    fn ready(&self, req: &IssueRequest, at: OffsetDateTime) -> Result<Ready<'_>, RegistryError> {
        check_text("operator", &req.operator, true)?;
        let ty = self.licence_type(&req.type_code, req.type_version)?;
        let issuer = req.issuer.code.to_string();
        let placeholder = LicenceId::new(&ty.code, &issuer, "0000000000", 1)?;
        let licence = req.to_licence(ty, placeholder, None);
        validate::validate_against(ty, &licence)?;
        let holders = self.holder_hashes(&licence.holders)?;
        let identity = self.identity(&req.issuer.code, at)?;
        Ok(Ready {
            licence,
            ty,
            issuer,
            holders,
            identity,
        })
    }

    /// The signed document of `licence` with its status-list entry.
    fn sign(
        &self,
        licence: &Licence,
        identity: &SigningIdentity,
        slot: Slot,
        at: OffsetDateTime,
    ) -> Result<Vec<u8>, RegistryError> {
        let entry = StatusEntry {
            list: layout::status_list_id(licence.issuer.code.as_ref(), slot.list),
            index: slot.index,
        };
        Ok(credential::sign(
            licence,
            Some(&entry),
            identity.signer.as_ref(),
            &identity.fingerprint,
            at,
        )?)
    }

    /// Writes a signed licence version into `batch`: the document, its status and status-list
    /// entry, its holder indexes (and the current index for a first version). Returns its log
    /// event and its current-index entry.
    #[allow(clippy::too_many_arguments)]
    fn stage(
        &self,
        batch: &mut WriteBatch,
        licence: &Licence,
        ty: &LicenceType,
        identity: &SigningIdentity,
        slot: Slot,
        holders: &[[u8; 32]],
        at: OffsetDateTime,
        previous: Option<&LicenceId>,
        kind: &str,
        cause: &Cause,
        document: &[u8],
    ) -> Result<(Vec<u8>, Vec<u8>), RegistryError> {
        let issuer = licence.issuer.code.as_ref();
        let id = licence.id.as_ref();
        let record = StatusRecord {
            state: Status::Valid,
            since: at,
            valid_from: licence.validity.from,
            valid_until: licence.validity.until,
            list: slot.list,
            index: slot.index,
            successor: None,
            reason: cause.reason.clone(),
        };
        let version = StagedVersion {
            id,
            type_code: ty.code.as_ref(),
            number: &licence.number,
            issuer,
            record: &record,
            holders,
            document,
        };
        let entry = self.stage_version(batch, &version, at, previous.is_none())?;
        let at_s = rfc3339(at);
        let event = event::to_bytes(&IssueEvent {
            v: EVENT_FORMAT,
            kind,
            at: &at_s,
            id,
            previous: previous.map(|p| p.as_ref()),
            holders: holders.iter().map(hex::encode).collect(),
            digest: hex::encode(Sha256::digest(document)),
            certificate: hex::encode(identity.fingerprint),
            status_list: &layout::status_list_id(issuer, slot.list),
            status_index: slot.index,
            operator: &cause.operator,
            reason: &cause.reason,
        });
        Ok((event, entry))
    }

    /// Writes a licence version's records into `batch`: its document, its number, its status
    /// and status-list entry, its holders' history and, with `set_current`, the holders'
    /// current entries. Returns its current-index entry. Shared by issuance, change, renewal
    /// and the import of OFD licences.
    pub(crate) fn stage_version(
        &self,
        batch: &mut WriteBatch,
        v: &StagedVersion<'_>,
        at: OffsetDateTime,
        set_current: bool,
    ) -> Result<Vec<u8>, RegistryError> {
        batch.put_cf(self.cf(layout::CF_LICENCE)?, v.id, v.document);
        batch.put_cf(
            self.cf(layout::CF_NUMBER)?,
            layout::number_key(v.type_code, v.number),
            v.id,
        );
        batch.put_cf(self.cf(layout::CF_STATUS)?, v.id, v.record.encode());
        batch.put_cf(
            self.cf(layout::CF_STATUSLIST)?,
            layout::statuslist_key(v.issuer, v.record.list, v.record.index),
            layout::statuslist_value(v.record.state, v.id),
        );
        let history = self.cf(layout::CF_HOLDER)?;
        for h in v.holders {
            batch.put_cf(history, layout::history_key(h, v.type_code, at, v.id), b"");
        }
        let entry = CurrentEntry::of(v.record, v.id, v.document).encode();
        if set_current {
            let current = self.cf(layout::CF_CURRENT)?;
            for h in v.holders {
                batch.put_cf(current, layout::current_key(h, v.type_code), &entry);
            }
        }
        Ok(entry)
    }

    /// Writes into `batch` that version `id` (status record `rec`) was superseded by
    /// `successor` at `at`: its status and its status-list entry.
    pub(crate) fn stage_superseded(
        &self,
        batch: &mut WriteBatch,
        id: &LicenceId,
        rec: &StatusRecord,
        successor: &str,
        reason: &str,
        at: OffsetDateTime,
    ) -> Result<(), RegistryError> {
        let old = StatusRecord {
            state: Status::Superseded,
            since: at,
            successor: Some(successor.to_owned()),
            reason: reason.to_owned(),
            ..rec.clone()
        };
        batch.put_cf(self.cf(layout::CF_STATUS)?, id.as_ref(), old.encode());
        batch.put_cf(
            self.cf(layout::CF_STATUSLIST)?,
            layout::statuslist_key(&issuer_of(id)?, rec.list, rec.index),
            layout::statuslist_value(Status::Superseded, id.as_ref()),
        );
        Ok(())
    }

    /// Adds what depends on the writer's state (the issuers' serial counters, the first use of
    /// a certificate or type definition) and commits the staged versions with their events.
    fn finish(
        &self,
        mut guard: std::sync::MutexGuard<'_, Writer>,
        mut batch: WriteBatch,
        staged: Vec<Staged<'_>>,
    ) -> Result<Vec<Issued>, RegistryError> {
        let w: &mut Writer = &mut guard;
        let mut serials: Vec<(String, u64)> = Vec::new();
        let mut certs: Vec<[u8; 32]> = Vec::new();
        let mut types: Vec<(String, u32)> = Vec::new();
        for s in &staged {
            if let (Some(n), Some(a)) = (s.serial, w.issuers.get(&s.issuer)) {
                match serials.iter_mut().find(|(i, _)| *i == s.issuer) {
                    Some((_, m)) => *m = (*m).max(n),
                    None if n > a.persisted_serial => serials.push((s.issuer.clone(), n)),
                    None => {}
                }
            }
            let fp = s.identity.fingerprint;
            if !w.certs.contains(&fp) && !certs.contains(&fp) {
                batch.put_cf(self.cf(layout::CF_TRUST)?, fp, s.identity.certificate.der());
                certs.push(fp);
            }
            let type_key = (s.ty.code.to_string(), s.ty.version);
            if !w.types.contains(&type_key) && !types.contains(&type_key) {
                batch.put_cf(
                    self.cf(layout::CF_CATALOG)?,
                    layout::catalog_key(s.ty.code.as_ref(), s.ty.version),
                    serde_json::to_vec(s.ty).expect("a licence type always serialises"),
                );
                types.push(type_key);
            }
        }
        for (issuer, n) in &serials {
            batch.put_cf(
                self.cf(layout::CF_META)?,
                layout::serial_key(issuer),
                n.to_be_bytes(),
            );
        }
        let events: Vec<&[u8]> = staged.iter().map(|s| s.event.as_slice()).collect();
        let first = self.commit(guard, batch, &events, |w| {
            for (issuer, n) in serials {
                if let Some(a) = w.issuers.get_mut(&issuer) {
                    a.persisted_serial = a.persisted_serial.max(n);
                }
            }
            w.certs.extend(certs);
            w.types.extend(types);
        })?;
        Ok(staged
            .into_iter()
            .zip(first..)
            .map(|(s, seq)| Issued {
                id: s.id,
                document: s.document,
                seq,
            })
            .collect())
    }

    fn read_record(&self, id: &LicenceId) -> Result<StatusRecord, RegistryError> {
        self.status_record(id)
    }

    /// Takes a lifecycle step on a licence version. Returns the sequence number of its log
    /// event.
    pub fn transition(
        &self,
        id: &LicenceId,
        step: Step,
        cause: &Cause,
    ) -> Result<u64, RegistryError> {
        cause.check()?;
        let guard = self.lock_writer();
        let rec = self.read_record(id)?;
        if !step.allowed_from(rec.state) {
            return Err(illegal(id, &rec, step.name(), ""));
        }
        let at = now();
        let target = step.target();
        let updated = StatusRecord {
            state: target,
            since: at,
            reason: cause.reason.clone(),
            ..rec.clone()
        };
        let issuer = issuer_of(id)?;
        let mut batch = WriteBatch::default();
        batch.put_cf(self.cf(layout::CF_STATUS)?, id.as_ref(), updated.encode());
        // The holders' current entries that name this version carry its state too.
        let document = self.document(id)?;
        let holders = self.holder_hashes(&self.stored_licence(id)?.holders)?;
        let entry = CurrentEntry::of(&updated, id.as_ref(), &document).encode();
        let current = self.cf(layout::CF_CURRENT)?;
        for h in &holders {
            let key = layout::current_key(h, id.type_code().as_ref());
            if let Some(v) = self.db.get_pinned_cf(current, key)? {
                if CurrentEntry::decode(&v)?.id == id.as_ref() {
                    batch.put_cf(current, key, &entry);
                }
            }
        }
        batch.put_cf(
            self.cf(layout::CF_STATUSLIST)?,
            layout::statuslist_key(&issuer, rec.list, rec.index),
            layout::statuslist_value(target, id.as_ref()),
        );
        let at_s = rfc3339(at);
        let ev = event::to_bytes(&StatusEvent {
            v: EVENT_FORMAT,
            kind: "status",
            at: &at_s,
            id: id.as_ref(),
            step: step.name(),
            from: rec.state.external_code(),
            to: target.external_code(),
            operator: &cause.operator,
            reason: &cause.reason,
        });
        self.commit(guard, batch, &[ev], |_| {})
    }

    /// 暂扣: suspends a Valid licence.
    pub fn suspend(&self, id: &LicenceId, cause: &Cause) -> Result<u64, RegistryError> {
        self.transition(id, Step::Suspend, cause)
    }

    /// 发还: gives a Suspended licence back (Valid again).
    pub fn resume(&self, id: &LicenceId, cause: &Cause) -> Result<u64, RegistryError> {
        self.transition(id, Step::Resume, cause)
    }

    /// 吊销: revokes a licence as a penalty.
    pub fn revoke(&self, id: &LicenceId, cause: &Cause) -> Result<u64, RegistryError> {
        self.transition(id, Step::Revoke, cause)
    }

    /// 撤销: withdraws a licence (the grant itself annulled).
    pub fn withdraw(&self, id: &LicenceId, cause: &Cause) -> Result<u64, RegistryError> {
        self.transition(id, Step::Withdraw, cause)
    }

    /// 注销: cancels a licence.
    pub fn cancel(&self, id: &LicenceId, cause: &Cause) -> Result<u64, RegistryError> {
        self.transition(id, Step::Cancel, cause)
    }

    /// 转出: the licence moves to another jurisdiction.
    pub fn transfer_out(&self, id: &LicenceId, cause: &Cause) -> Result<u64, RegistryError> {
        self.transition(id, Step::TransferOut, cause)
    }

    /// 变更: a new version of a Valid, unexpired licence with the content of `req` (same type
    /// and issuer), linked to it by 关联证照标识; the old version becomes Superseded and the
    /// holders' current licence moves to the new one.
    pub fn change(
        &self,
        id: &LicenceId,
        req: &IssueRequest,
        cause: &Cause,
    ) -> Result<Issued, RegistryError> {
        cause.check()?;
        if &req.type_code != id.type_code() {
            return Err(RegistryError::Request {
                field: "type_code".into(),
                reason: format!("a change keeps the licence type {}", id.type_code()),
            });
        }
        if req.issuer.code.as_ref() != id.issuer().to_string() {
            return Err(RegistryError::Request {
                field: "issuer.code".into(),
                reason: format!("a change keeps the issuer {}", id.issuer()),
            });
        }
        let ty = self.licence_type(&req.type_code, req.type_version)?;
        let at = now();
        self.new_version(
            id,
            "change",
            at,
            cause,
            |rec| {
                if rec.state_on(cst_day(at)) == Status::Expired {
                    return Err(illegal(
                        id,
                        rec,
                        "change",
                        "it has expired: renew it instead",
                    ));
                }
                Ok(())
            },
            |new_id| Ok((ty, req.to_licence(ty, new_id, Some(id.clone())))),
        )
    }

    /// 延续: a new version of a Valid licence with a new validity period that ends later,
    /// issued today; the old version becomes Superseded.
    pub fn renew(
        &self,
        id: &LicenceId,
        validity: Validity,
        cause: &Cause,
    ) -> Result<Issued, RegistryError> {
        cause.check()?;
        let at = now();
        self.new_version(
            id,
            "renew",
            at,
            cause,
            |rec| match (rec.valid_until, validity.until) {
                (None, _) => Err(RegistryError::Request {
                    field: "validity".into(),
                    reason: "a 长期有效 licence is not renewed".into(),
                }),
                (Some(o), Some(n)) if n <= o => Err(RegistryError::Request {
                    field: "validity.until".into(),
                    reason: format!("a renewal must end after the current end {o}"),
                }),
                _ => Ok(()),
            },
            |new_id| {
                let old = self.stored_licence(id)?;
                let ty = self.licence_type(old.type_code(), Some(old.type_version))?;
                let mut l = old;
                l.id = new_id;
                l.previous = Some(id.clone());
                l.validity = validity;
                l.issued_on = cst_day(at).clamp(l.issued_on, validity.from.max(l.issued_on));
                Ok((ty, l))
            },
        )
    }

    /// The licence content of a stored version (status Valid, as signed; for an imported OFD
    /// licence, as registered).
    pub fn stored_licence(&self, id: &LicenceId) -> Result<Licence, RegistryError> {
        let doc = self.document(id)?;
        if crate::ofd::is_ofd(&doc) {
            return self
                .ofd_record(id)?
                .ok_or_else(|| corrupt(format!("licence {id}"), "an OFD file without its record"))?
                .licence(&self.catalog);
        }
        let v: Value = serde_json::from_slice(&doc)
            .map_err(|e| corrupt(format!("licence {id}"), e.to_string()))?;
        let (l, _) = credential::from_credential(&v)
            .map_err(|e| corrupt(format!("licence {id}"), e.to_string()))?;
        Ok(l)
    }

    /// The common path of change and renewal, under the writer lock from start to end.
    fn new_version<'t>(
        &'t self,
        id: &LicenceId,
        kind: &'static str,
        at: OffsetDateTime,
        cause: &Cause,
        check: impl FnOnce(&StatusRecord) -> Result<(), RegistryError>,
        make: impl FnOnce(LicenceId) -> Result<(&'t LicenceType, Licence), RegistryError>,
    ) -> Result<Issued, RegistryError> {
        let issuer = issuer_of(id)?;
        let issuer_code = zhengzhao_core::codes::Uscc::parse_legacy(&issuer)?;
        // An unknown licence is reported as such before a missing key; the record is read
        // again under the lock.
        self.read_record(id)?;
        if self.ofd_record(id)?.is_some() {
            return Err(RegistryError::Form {
                id: id.to_string(),
                reason: format!("it is an imported OFD licence: it is not {kind}d here; the platform that sealed it issues the new version, to be imported in turn"),
            });
        }
        let identity = self.identity(&issuer_code, at)?;
        let mut guard = self.lock_writer();
        let rec = self.read_record(id)?;
        if rec.state != Status::Valid {
            return Err(illegal(id, &rec, kind, ""));
        }
        check(&rec)?;
        let version = id.version() + 1;
        if version > 999 {
            return Err(RegistryError::Allocation(format!(
                "{id} is version 999, the last one"
            )));
        }
        let new_id = LicenceId::new(id.type_code(), &issuer, id.serial(), version)?;
        let (ty, licence) = make(new_id.clone())?;
        validate::validate_against(ty, &licence)?;
        let old = self.stored_licence(id)?;
        let old_holders = self.holder_hashes(&old.holders)?;
        let new_holders = self.holder_hashes(&licence.holders)?;

        let slot = {
            let a = self.issuer_alloc(&mut guard, &issuer)?;
            Registry::next_slot(a)?
        };
        let written = (|| {
            let document = self.sign(&licence, &identity, slot, at)?;
            let mut batch = WriteBatch::default();
            let (event, entry) = self.stage(
                &mut batch,
                &licence,
                ty,
                &identity,
                slot,
                &new_holders,
                at,
                Some(id),
                kind,
                cause,
                &document,
            )?;
            // The old version: Superseded, pointing at the new one.
            self.stage_superseded(&mut batch, id, &rec, new_id.as_ref(), &cause.reason, at)?;
            // The current index moves where it named the old version (or named nothing).
            let current = self.cf(layout::CF_CURRENT)?;
            let type_code = id.type_code().as_ref();
            let mut all: Vec<[u8; 32]> = old_holders.clone();
            all.extend(new_holders.iter().filter(|h| !old_holders.contains(h)));
            for h in &all {
                let key = layout::current_key(h, type_code);
                let now_current = self.db.get_pinned_cf(current, key)?;
                let names_old = match &now_current {
                    Some(v) => CurrentEntry::decode(v)?.id == id.as_ref(),
                    None => false,
                };
                let in_new = new_holders.contains(h);
                if in_new && (names_old || now_current.is_none()) {
                    batch.put_cf(current, key, &entry);
                } else if !in_new && names_old {
                    batch.delete_cf(current, key);
                }
            }
            let staged = Staged {
                id: new_id.clone(),
                issuer: issuer.clone(),
                serial: None,
                ty,
                identity: identity.clone(),
                event,
                document,
            };
            Ok::<_, RegistryError>((batch, staged))
        })();
        let (batch, staged) = match written {
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
        match self.finish(guard, batch, vec![staged]) {
            Ok(mut issued) => issued
                .pop()
                .ok_or_else(|| RegistryError::Database("no result".into())),
            Err(e) => {
                self.release_slot(&issuer, slot);
                Err(e)
            }
        }
    }
}

pub(crate) fn issuer_of(id: &LicenceId) -> Result<String, RegistryError> {
    match id.issuer() {
        zhengzhao_core::identifier::IssuerCode::Uscc(u) => Ok(u.to_string()),
        other => Err(RegistryError::Request {
            field: "id".into(),
            reason: format!(
                "the issuer segment {other} is a 行政区划代码: the registry issues under 统一社会信用代码 only"
            ),
        }),
    }
}
