//! The lookup path (用证): a service window asks, for one holder and the licence types of a
//! service item's materials, which licences can replace the paper. Each type is answered with
//! the current Valid licence's signed bytes, exactly as stored, or a precise refusal.
//!
//! Per type, in this order: the using organisation must hold a grant in force
//! ([`Refusal::NotAuthorised`]); a type that requires consent needs the holder's consent for
//! the organisation, in force, under the reference the request gives
//! ([`Refusal::ConsentMissing`]); then the holder's current licence of the type decides:
//! none, or its state (expiry is computed from the validity period at the time of the request).
//!
//! Reads: one `batched_multi_get_cf` over the sorted `current` keys, whose entries hold the
//! state, validity and signed document of each current licence (and one over the consent keys
//! when a type needs consent). Every request is a `use` event in the log; a batch of requests
//! is one write.

use rocksdb::WriteBatch;
use time::OffsetDateTime;
use zhengzhao_core::catalog::LicenceType;
use zhengzhao_core::codes::{HolderCodeType, Uscc};
use zhengzhao_core::identifier::TypeCode;
use zhengzhao_core::status::Status;

use crate::error::{corrupt, RegistryError};
use crate::event::{self, AnswerEvent, UseEvent, EVENT_FORMAT};
use crate::grant::ConsentRecord;
use crate::layout::{self, CurrentEntry};
use crate::registry::{cst_day, now, rfc3339, Registry};
use crate::secret;

/// The longest use reason, in characters.
pub const MAX_REASON: usize = 200;
/// The longest operator, service-item code, case number or consent reference, in characters.
pub const MAX_FIELD: usize = 64;
/// The most licence types in one request.
pub const MAX_TYPES: usize = 64;

/// Who asks, for what and why. Its JSON form (what the C ABI and Python take) has these
/// members; `consent` may be left out.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UseContext {
    /// The using organisation's 统一社会信用代码.
    pub org: String,
    /// The operator at the window (name or account).
    pub operator: String,
    /// The service item's code (事项编码).
    pub item: String,
    /// The case number (办件编号).
    pub case: String,
    /// The use reason: 1–200 characters.
    pub reason: String,
    /// The reference of the holder's consent, for types that require it.
    #[serde(default)]
    pub consent: Option<String>,
}

/// A window request: a holder, the licence types wanted, and the context. Its JSON form has
/// these members, with the context as an object.
///
/// ```
/// # use zhengzhao_registry::WindowRequest;
/// let r: WindowRequest = serde_json::from_str(r#"{
///     "holder_code_type": "001", "holder_code": "91330106MA2B0W1Q6K",
///     "types": ["11100000MB0143028R001"],
///     "context": {"org": "11330106002491011D", "operator": "窗口01", "item": "330106-FOOD-01",
///                 "case": "2026-000001", "reason": "食品经营许可申请"}
/// }"#).unwrap();
/// assert_eq!(r.context.consent, None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowRequest {
    /// 持证主体代码类型 (e.g. `111`).
    pub holder_code_type: String,
    /// 持证主体代码.
    pub holder_code: String,
    /// The licence type codes of the materials (1–64, distinct).
    pub types: Vec<String>,
    /// The context.
    pub context: UseContext,
}

/// Why a type was not answered with a licence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// The organisation holds no grant in force for the type.
    NotAuthorised,
    /// The type needs the holder's consent, and there is none in force under the reference given.
    ConsentMissing,
    /// The holder has no licence of the type.
    None,
    /// The licence's validity period has ended.
    Expired,
    /// The licence's validity period has not started.
    NotYetValid,
    /// 暂扣.
    Suspended,
    /// 吊销.
    Revoked,
    /// 撤销.
    Withdrawn,
    /// 注销.
    Cancelled,
    /// 转出.
    TransferredOut,
}

impl Refusal {
    /// The stable name (as logged).
    pub const fn name(self) -> &'static str {
        match self {
            Refusal::NotAuthorised => "not_authorised",
            Refusal::ConsentMissing => "consent_missing",
            Refusal::None => "none",
            Refusal::Expired => "expired",
            Refusal::NotYetValid => "not_yet_valid",
            Refusal::Suspended => "suspended",
            Refusal::Revoked => "revoked",
            Refusal::Withdrawn => "withdrawn",
            Refusal::Cancelled => "cancelled",
            Refusal::TransferredOut => "transferred_out",
        }
    }
}

/// The form of a document the registry serves, told from its bytes.
///
/// ```
/// # use zhengzhao_registry::window::DocumentFormat;
/// assert_eq!(DocumentFormat::of(br#"{"@context":[]}"#), DocumentFormat::Vc);
/// assert_eq!(DocumentFormat::of(b"PK\x03\x04..."), DocumentFormat::Ofd);
/// assert_eq!(DocumentFormat::Ofd.name(), "ofd");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentFormat {
    /// A W3C VC 2.0 credential the registry signed: UTF-8 JSON.
    Vc,
    /// A sealed OFD file, imported from the platform that issued it ([`crate::ofd`]): a zip.
    Ofd,
}

impl DocumentFormat {
    /// The form of a stored document.
    pub fn of(document: &[u8]) -> DocumentFormat {
        if crate::ofd::is_ofd(document) {
            DocumentFormat::Ofd
        } else {
            DocumentFormat::Vc
        }
    }

    /// The stable name: `vc` or `ofd`.
    pub const fn name(self) -> &'static str {
        match self {
            DocumentFormat::Vc => "vc",
            DocumentFormat::Ofd => "ofd",
        }
    }
}

/// A signed document as a lookup read it: the stored bytes, pinned in the database's block
/// cache rather than copied. Handed to the closure of [`Registry::lookup_with`] and
/// [`Registry::answer_with`]; dereferences to `[u8]`.
pub struct Document<'r> {
    slice: rocksdb::DBPinnableSlice<'r>,
    start: usize,
}

impl std::ops::Deref for Document<'_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.slice[self.start..]
    }
}

impl AsRef<[u8]> for Document<'_> {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl std::fmt::Debug for Document<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Document({} bytes)", self.len())
    }
}

/// The answer for one requested type. `D` is the document: owned bytes (`Vec<u8>`, from
/// [`Registry::lookup`]) or a [`Document`] pinned in the cache (inside [`Registry::lookup_with`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer<D = Vec<u8>> {
    /// The holder's current Valid licence: its signed document, exactly as stored (a
    /// credential, or an imported OFD file: see [`Answer::format`]).
    Licence {
        /// The requested type.
        type_code: TypeCode,
        /// The licence version's 电子证照标识, as stored (the registry checked it when it
        /// issued the licence; [`zhengzhao_core::identifier::LicenceId::parse`] it where its parts are needed).
        id: String,
        /// The signed document bytes.
        document: D,
    },
    /// No licence can be given.
    Refused {
        /// The requested type.
        type_code: TypeCode,
        /// Why.
        reason: Refusal,
        /// The 电子证照标识 of the licence concerned, when there is one (never for
        /// NotAuthorised or ConsentMissing).
        id: Option<String>,
    },
}

impl<D: AsRef<[u8]>> Answer<D> {
    /// The answer with its document copied out.
    pub fn to_owned_answer(&self) -> Answer {
        match self {
            Answer::Licence {
                type_code,
                id,
                document,
            } => Answer::Licence {
                type_code: type_code.clone(),
                id: id.clone(),
                document: document.as_ref().to_vec(),
            },
            Answer::Refused {
                type_code,
                reason,
                id,
            } => Answer::Refused {
                type_code: type_code.clone(),
                reason: *reason,
                id: id.clone(),
            },
        }
    }

    /// The requested type.
    pub fn type_code(&self) -> &TypeCode {
        match self {
            Answer::Licence { type_code, .. } | Answer::Refused { type_code, .. } => type_code,
        }
    }

    /// The refusal, if the type was refused.
    pub fn refusal(&self) -> Option<Refusal> {
        match self {
            Answer::Licence { .. } => None,
            Answer::Refused { reason, .. } => Some(*reason),
        }
    }

    /// The form of the document, if a licence was given.
    pub fn format(&self) -> Option<DocumentFormat> {
        self.document().map(DocumentFormat::of)
    }

    /// The document, if a licence was given.
    pub fn document(&self) -> Option<&[u8]> {
        match self {
            Answer::Licence { document, .. } => Some(document.as_ref()),
            Answer::Refused { .. } => None,
        }
    }

    /// The licence version concerned, if any.
    pub fn id(&self) -> Option<&str> {
        match self {
            Answer::Licence { id, .. } => Some(id),
            Answer::Refused { id, .. } => id.as_deref(),
        }
    }
}

/// The answers with their documents copied out.
fn owned(answered: Vec<Answered<'_>>) -> Vec<Result<Vec<Answer>, RegistryError>> {
    answered
        .into_iter()
        .map(|a| a.map(|(_, row)| row.into_iter().map(into_owned).collect()))
        .collect()
}

/// An answer with its document copied out, its other parts moved.
fn into_owned(a: Answer<Document<'_>>) -> Answer {
    match a {
        Answer::Licence {
            type_code,
            id,
            document,
        } => Answer::Licence {
            type_code,
            id,
            document: document.to_vec(),
        },
        Answer::Refused {
            type_code,
            reason,
            id,
        } => Answer::Refused {
            type_code,
            reason,
            id,
        },
    }
}

/// The answers of each request, without the checked requests.
fn rows(answered: Vec<Answered<'_>>) -> Vec<Result<Vec<Answer<Document<'_>>>, RegistryError>> {
    answered
        .into_iter()
        .map(|a| a.map(|(_, row)| row))
        .collect()
}

/// A request's answers, with the checked request for its use event (or why it was refused).
type Answered<'c> = Result<(Checked<'c>, Vec<Answer<Document<'c>>>), RegistryError>;

/// A request checked and parsed.
struct Checked<'c> {
    holder: [u8; 32],
    org: Uscc,
    types: Vec<&'c LicenceType>,
}

fn window_err(field: &str, reason: impl Into<String>) -> RegistryError {
    RegistryError::Window {
        field: field.to_owned(),
        reason: reason.into(),
    }
}

fn check_field(field: &str, v: &str, max: usize, required: bool) -> Result<(), RegistryError> {
    if required && v.trim().is_empty() {
        return Err(window_err(field, "must not be empty"));
    }
    let n = v.chars().count();
    if n > max {
        return Err(window_err(field, format!("{n} characters, at most {max}")));
    }
    if v.chars().any(char::is_control) {
        return Err(window_err(field, "control characters are not allowed"));
    }
    Ok(())
}

impl Registry {
    fn check_request(&self, r: &WindowRequest) -> Result<Checked<'_>, RegistryError> {
        let c = &r.context;
        let org = Uscc::parse_legacy(c.org.trim())
            .map_err(|e| window_err("context.org", e.to_string()))?;
        check_field("context.operator", &c.operator, MAX_FIELD, true)?;
        check_field("context.item", &c.item, MAX_FIELD, true)?;
        check_field("context.case", &c.case, MAX_FIELD, true)?;
        check_field("context.reason", &c.reason, MAX_REASON, true)?;
        if let Some(consent) = &c.consent {
            check_field("context.consent", consent, MAX_FIELD, true)?;
        }
        let code_type = HolderCodeType::parse(r.holder_code_type.trim())
            .map_err(|e| window_err("holder_code_type", e.to_string()))?;
        let code = secret::normalise_code(&code_type, &r.holder_code)
            .map_err(|e| window_err("holder_code", e.to_string()))?;
        if r.types.is_empty() || r.types.len() > MAX_TYPES {
            return Err(window_err(
                "types",
                format!("{} types, expected 1–{MAX_TYPES}", r.types.len()),
            ));
        }
        let mut types: Vec<&LicenceType> = Vec::with_capacity(r.types.len());
        for t in &r.types {
            let t = t.trim();
            let Some(ty) = self.catalog.find(t) else {
                // Say what is wrong with the code, or that the catalogue does not have it.
                TypeCode::parse(t).map_err(|e| window_err("types", e.to_string()))?;
                return Err(window_err(
                    "types",
                    format!("{t} is not a licence type of the catalogue"),
                ));
            };
            if types.iter().any(|seen| std::ptr::eq(*seen, ty)) {
                return Err(window_err("types", format!("{t} is asked for twice")));
            }
            types.push(ty);
        }
        Ok(Checked {
            holder: self.secret.holder_hash(&code_type, &code),
            org,
            types,
        })
    }

    /// Answers a window request now, and logs it.
    pub fn lookup(&self, request: &WindowRequest) -> Result<Vec<Answer>, RegistryError> {
        self.lookup_at(request, now())
    }

    /// Answers a window request as at `at` (grants, consents and validity are judged then),
    /// and logs it with that time.
    pub fn lookup_at(
        &self,
        request: &WindowRequest,
        at: OffsetDateTime,
    ) -> Result<Vec<Answer>, RegistryError> {
        let mut out = self.lookup_many_at(std::slice::from_ref(request), at)?;
        out.pop()
            .unwrap_or_else(|| Err(RegistryError::Database("no answer".into())))
    }

    /// Answers many window requests at once: the reads of all of them are batched together and
    /// their use events are one write. A malformed request gets its error; the others are
    /// answered. The outer error is a database failure.
    pub fn lookup_many(
        &self,
        requests: &[WindowRequest],
    ) -> Result<Vec<Result<Vec<Answer>, RegistryError>>, RegistryError> {
        self.lookup_many_at(requests, now())
    }

    /// [`Registry::lookup_many`] as at `at`.
    pub fn lookup_many_at(
        &self,
        requests: &[WindowRequest],
        at: OffsetDateTime,
    ) -> Result<Vec<Result<Vec<Answer>, RegistryError>>, RegistryError> {
        let answered = self.answer_all(requests, at)?;
        self.log_uses(requests, &answered, at)?;
        Ok(owned(answered))
    }

    /// Answers a window request as at `at` and logs it, like [`Registry::lookup_at`], handing
    /// the answers to `f` with their documents pinned in the cache instead of copied: the path
    /// for callers that copy each document once into a buffer of their own (the C ABI) or use
    /// it in place.
    pub fn lookup_with<R>(
        &self,
        request: &WindowRequest,
        at: OffsetDateTime,
        f: impl FnOnce(&[Answer<Document<'_>>]) -> R,
    ) -> Result<R, RegistryError> {
        let requests = std::slice::from_ref(request);
        let mut answered = self.answer_all(requests, at)?;
        self.log_uses(requests, &answered, at)?;
        let (_, row) = answered
            .pop()
            .unwrap_or_else(|| Err(RegistryError::Database("no answer".into())))?;
        Ok(f(&row))
    }

    /// [`Registry::lookup_with`] without recording the use: see [`Registry::answer_many_at`].
    pub fn answer_with<R>(
        &self,
        request: &WindowRequest,
        at: OffsetDateTime,
        f: impl FnOnce(&[Answer<Document<'_>>]) -> R,
    ) -> Result<R, RegistryError> {
        let (_, row) = self
            .answer_all(std::slice::from_ref(request), at)?
            .pop()
            .unwrap_or_else(|| Err(RegistryError::Database("no answer".into())))?;
        Ok(f(&row))
    }

    /// Answers many window requests as at `at` and logs them, like [`Registry::lookup_many_at`],
    /// handing the answers to `f` with their documents pinned in the cache instead of copied:
    /// one result per request, in order (a malformed request gets its error). The outer error
    /// is a database failure.
    pub fn lookup_many_with<R>(
        &self,
        requests: &[WindowRequest],
        at: OffsetDateTime,
        f: impl FnOnce(&[Result<Vec<Answer<Document<'_>>>, RegistryError>]) -> R,
    ) -> Result<R, RegistryError> {
        let answered = self.answer_all(requests, at)?;
        self.log_uses(requests, &answered, at)?;
        Ok(f(&rows(answered)))
    }

    /// [`Registry::lookup_many_with`] without recording the uses: see
    /// [`Registry::answer_many_at`].
    pub fn answer_many_with<R>(
        &self,
        requests: &[WindowRequest],
        at: OffsetDateTime,
        f: impl FnOnce(&[Result<Vec<Answer<Document<'_>>>, RegistryError>]) -> R,
    ) -> Result<R, RegistryError> {
        Ok(f(&rows(self.answer_all(requests, at)?)))
    }

    /// Writes the use events of the answered requests, one write for all of them.
    fn log_uses(
        &self,
        requests: &[WindowRequest],
        answered: &[Answered<'_>],
        at: OffsetDateTime,
    ) -> Result<(), RegistryError> {
        let at_s = rfc3339(at);
        let mut events = Vec::with_capacity(requests.len());
        for (req, a) in requests.iter().zip(answered) {
            let Ok((c, row)) = a else { continue };
            let ctx = &req.context;
            events.push(event::to_bytes(&UseEvent {
                v: EVENT_FORMAT,
                kind: "use",
                at: &at_s,
                org: c.org.as_ref(),
                operator: &ctx.operator,
                item: &ctx.item,
                case: &ctx.case,
                reason: &ctx.reason,
                holder: hex::encode(c.holder),
                consent: ctx.consent.as_deref(),
                answers: row
                    .iter()
                    .map(|a| AnswerEvent {
                        type_code: a.type_code().as_ref(),
                        answer: a.refusal().map_or("valid", Refusal::name),
                        id: a.id(),
                    })
                    .collect(),
            }));
        }
        if events.is_empty() {
            return Ok(());
        }
        if let Some(journal) = &self.journal {
            // A secondary cannot write the log: the writer takes its journal in.
            return journal
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .append(&events, self.sync);
        }
        let guard = self.lock_writer();
        self.commit(guard, WriteBatch::default(), &events, |_| {})?;
        Ok(())
    }

    /// Answers window requests as at `at` exactly as [`Registry::lookup_many_at`] does, but
    /// records nothing in the usage log. A use at a window must be logged: this is for checks
    /// that are not a use (what a holder could present before a case is opened) and for
    /// measuring the read path alone.
    pub fn answer_many_at(
        &self,
        requests: &[WindowRequest],
        at: OffsetDateTime,
    ) -> Result<Vec<Result<Vec<Answer>, RegistryError>>, RegistryError> {
        Ok(owned(self.answer_all(requests, at)?))
    }

    /// The answers to every request, with the checked request for its use event.
    fn answer_all(
        &self,
        requests: &[WindowRequest],
        at: OffsetDateTime,
    ) -> Result<Vec<Answered<'_>>, RegistryError> {
        let day = cst_day(at);
        let checked: Vec<Result<Checked<'_>, RegistryError>> =
            requests.iter().map(|r| self.check_request(r)).collect();

        // Which (request, type) pairs pass the grant, and which of those need consent.
        // slots[r][t] = Some(current-key index) when the type goes on to be read.
        let mut current_keys: Vec<(
            [u8; layout::HOLDER_HASH_LEN + layout::TYPE_CODE_LEN],
            usize,
            usize,
        )> = Vec::new();
        let mut consent_keys: Vec<(Vec<u8>, usize, usize)> = Vec::new();
        let mut answers: Vec<Vec<Option<Answer<Document<'_>>>>> =
            Vec::with_capacity(requests.len());
        {
            let grants = self.grants.read().unwrap_or_else(|p| p.into_inner());
            for (ri, c) in checked.iter().enumerate() {
                let Ok(c) = c else {
                    answers.push(Vec::new());
                    continue;
                };
                let mut row = Vec::with_capacity(c.types.len());
                let mut grant_key = layout::grant_key(c.org.as_ref(), "");
                for (ti, t) in c.types.iter().enumerate() {
                    grant_key.truncate(1 + layout::ORG_CODE_LEN);
                    grant_key.extend_from_slice(t.code.as_ref().as_bytes());
                    let granted = grants
                        .get(grant_key.as_slice())
                        .is_some_and(|g| g.in_force_at(at));
                    if !granted {
                        row.push(Some(Answer::Refused {
                            type_code: t.code.clone(),
                            reason: Refusal::NotAuthorised,
                            id: None,
                        }));
                        continue;
                    }
                    if t.consent {
                        consent_keys.push((
                            layout::consent_key(&c.holder, c.org.as_ref(), t.code.as_ref()),
                            ri,
                            ti,
                        ));
                    }
                    current_keys.push((layout::current_key(&c.holder, t.code.as_ref()), ri, ti));
                    row.push(None);
                }
                answers.push(row);
            }
        }

        // Consents.
        if !consent_keys.is_empty() {
            consent_keys.sort_by(|a, b| a.0.cmp(&b.0));
            let values = self.db.batched_multi_get_cf(
                self.cf(layout::CF_GRANT)?,
                consent_keys.iter().map(|k| &k.0),
                true,
            );
            for ((_, ri, ti), v) in consent_keys.iter().zip(values) {
                let ok = match v? {
                    None => false,
                    Some(v) => {
                        let rec = ConsentRecord::decode(&v)?;
                        let t = at.unix_timestamp();
                        rec.recorded <= t
                            && t < rec.expires
                            && requests[*ri].context.consent.as_deref().map(str::trim)
                                == Some(rec.reference.as_str())
                    }
                };
                if !ok {
                    let Ok(c) = &checked[*ri] else { continue };
                    answers[*ri][*ti] = Some(Answer::Refused {
                        type_code: c.types[*ti].code.clone(),
                        reason: Refusal::ConsentMissing,
                        id: None,
                    });
                }
            }
        }

        // Current licences: one batched read gives the state, validity and document.
        current_keys.retain(|(_, ri, ti)| answers[*ri][*ti].is_none());
        current_keys.sort_by_key(|k| k.0);
        let values = self.db.batched_multi_get_cf(
            self.cf(layout::CF_CURRENT)?,
            current_keys.iter().map(|k| &k.0),
            true,
        );
        for ((_, ri, ti), v) in current_keys.iter().zip(values) {
            let Ok(c) = &checked[*ri] else { continue };
            let type_code = c.types[*ti].code.clone();
            let Some(v) = v? else {
                answers[*ri][*ti] = Some(Answer::Refused {
                    type_code,
                    reason: Refusal::None,
                    id: None,
                });
                continue;
            };
            let e = CurrentEntry::decode(&v)?;
            // Served as stored: the identifier was checked when the licence was issued, and
            // parsing it again here would cost as much as the read itself.
            let id = e.id.to_owned();
            let refusal = match e.state {
                Status::Valid if day < e.valid_from => Some(Refusal::NotYetValid),
                Status::Valid if e.valid_until.is_some_and(|u| day > u) => Some(Refusal::Expired),
                Status::Valid => None,
                Status::Suspended => Some(Refusal::Suspended),
                Status::Expired => Some(Refusal::Expired),
                Status::Revoked => Some(Refusal::Revoked),
                Status::Withdrawn => Some(Refusal::Withdrawn),
                Status::Cancelled => Some(Refusal::Cancelled),
                Status::TransferredOut => Some(Refusal::TransferredOut),
                // The current index never names a superseded version; if it does, the
                // index is damaged.
                Status::Superseded => {
                    return Err(corrupt(
                        "current index",
                        format!("names the superseded version {}", e.id),
                    ))
                }
            };
            let start = v.len() - e.document.len();
            answers[*ri][*ti] = Some(match refusal {
                None => Answer::Licence {
                    type_code,
                    id,
                    // The document is the entry's tail: served from the pinned block.
                    document: Document { slice: v, start },
                },
                Some(reason) => Answer::Refused {
                    type_code,
                    reason,
                    id: Some(id),
                },
            });
        }

        let mut out = Vec::with_capacity(requests.len());
        for (c, row) in checked.into_iter().zip(answers) {
            out.push(match c {
                Err(e) => Err(e),
                Ok(c) => {
                    let row: Vec<Answer<Document<'_>>> = row
                        .into_iter()
                        .map(|a| {
                            a.ok_or_else(|| {
                                RegistryError::Database("a type was not answered".into())
                            })
                        })
                        .collect::<Result<_, _>>()?;
                    Ok((c, row))
                }
            });
        }
        Ok(out)
    }
}
