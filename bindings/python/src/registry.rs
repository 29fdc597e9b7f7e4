//! `Registry`: the RocksDB registry of issued licences, its lifecycle, grants, window lookup,
//! bulk import, export, bundles and the usage log.

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PySlice, PyString};
use zhengzhao_core::codes::{HolderCodeType, Uscc};
use zhengzhao_core::identifier::{LicenceId, TypeCode};
use zhengzhao_core::keystore::AuthorityDir;
use zhengzhao_core::licence::{Licence, Validity};
use zhengzhao_core::mapping::Mapping;
use zhengzhao_core::records::{Encoding, Format, RowError};
use zhengzhao_core::{Coded, ErrorCode};
use zhengzhao_registry::export::ExportFormat;
use zhengzhao_registry::import::{ImportOptions, Observer, Summary, DEFAULT_BATCH};
use zhengzhao_registry::{
    Answer as CoreAnswer, CachedSigners, Cause, DocumentFormat, IssueRequest, OfdImport, Options,
    Refusal, Registry as Core, RegistryError, Step, UseContext, WalSync, WindowRequest,
};

use crate::convert::{self, document, instant, json_dumps, py_date, py_datetime, to_py};
use crate::error::{coded, Error, Result};
use crate::identifier::id_arg;

/// The registry of issued licences (a folder holding a RocksDB database and the usage log).
///
/// Open it with ``Registry.create``, ``Registry.open`` or ``Registry.open_secondary``; use it
/// as a context manager, or call ``close()``. Safe to share between threads: calls run
/// without the GIL.
#[pyclass(frozen, module = "zhengzhao")]
pub struct Registry {
    inner: RwLock<Option<Arc<Core>>>,
    path: PathBuf,
}

fn options(
    authority: Option<PathBuf>,
    cache_mib: Option<usize>,
    sync: &str,
    origin: Option<String>,
) -> Result<Options> {
    let mut o = Options::new();
    if let Some(mib) = cache_mib {
        let bytes = mib
            .checked_mul(1 << 20)
            .ok_or_else(|| Error::usage(format!("cache_mib {mib} is too large")))?;
        o = o.cache_bytes(bytes);
    }
    o = match sync {
        "every-write" => o.sync(WalSync::EveryWrite),
        "os-buffered" => o.sync(WalSync::OsBuffered),
        other => {
            return Err(Error::usage(format!(
                "sync '{other}' is neither 'every-write' nor 'os-buffered'"
            )))
        }
    };
    if let Some(dir) = authority {
        let a = AuthorityDir::open(&dir).map_err(coded)?;
        o = o.signers(Arc::new(CachedSigners::new(a)));
    }
    if let Some(origin) = origin {
        o = o.log_origin(origin);
    }
    Ok(o)
}

fn step_of(name: &str) -> Result<Step> {
    Ok(match name {
        "suspend" => Step::Suspend,
        "resume" => Step::Resume,
        "revoke" => Step::Revoke,
        "withdraw" => Step::Withdraw,
        "cancel" => Step::Cancel,
        "transfer_out" => Step::TransferOut,
        other => {
            return Err(Error::usage(format!(
                "step '{other}' is none of suspend, resume, revoke, withdraw, cancel, transfer_out"
            )))
        }
    })
}

impl Registry {
    fn wrap(r: Core) -> Registry {
        Registry {
            path: r.dir().to_path_buf(),
            inner: RwLock::new(Some(Arc::new(r))),
        }
    }

    /// The open registry, or ZZ-E-USAGE-003 once closed.
    fn get(&self) -> Result<Arc<Core>> {
        self.inner
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::HandleInvalid,
                    format!("the registry {} is closed", self.path.display()),
                )
            })
    }

    /// Runs `f` on the registry without the GIL.
    fn run<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&Core) -> std::result::Result<T, RegistryError> + Send,
    ) -> Result<T> {
        let r = self.get()?;
        py.detach(|| f(&r)).map_err(Error::from)
    }
}

fn licence_arg(obj: &Bound<'_, PyAny>) -> Result<Licence> {
    let bytes = document(obj, "licence")?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Error::new(ErrorCode::Json, "licence: not UTF-8"))?;
    Licence::from_json(text).map_err(coded)
}

fn org_arg(org: &str) -> Result<Uscc> {
    Uscc::parse_legacy(org.trim()).map_err(coded)
}

fn type_arg(t: &str) -> Result<TypeCode> {
    TypeCode::parse(t.trim()).map_err(coded)
}

fn text_or_path(obj: &Bound<'_, PyAny>, what: &str) -> Result<String> {
    let bytes = if let Ok(s) = obj.extract::<String>() {
        if std::path::Path::new(&s).is_file() {
            read_file(&PathBuf::from(&s), what)?
        } else {
            s.into_bytes()
        }
    } else if let Ok(p) = obj.extract::<PathBuf>() {
        read_file(&p, what)?
    } else {
        document(obj, what)?
    };
    String::from_utf8(bytes).map_err(|_| Error::new(ErrorCode::Io, format!("{what}: not UTF-8")))
}

fn read_file(path: &std::path::Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path)
        .map_err(|e| Error::new(ErrorCode::Io, format!("{what}: {}: {e}", path.display())))
}

/// The result of issuing: the new licence's identifier, its signed document and the log
/// sequence number of its issuance.
#[pyclass(frozen, module = "zhengzhao", get_all)]
pub struct Issued {
    /// The 电子证照标识.
    id: String,
    /// The signed document (W3C VC 2.0 JSON, UTF-8).
    document: Py<PyBytes>,
    /// The event's sequence number in the usage log.
    seq: u64,
}

impl Issued {
    fn new(py: Python<'_>, i: zhengzhao_registry::Issued) -> Issued {
        Issued {
            id: i.id.as_ref().to_owned(),
            document: PyBytes::new(py, &i.document).unbind(),
            seq: i.seq,
        }
    }
}

#[pymethods]
impl Issued {
    fn __repr__(&self) -> String {
        format!("Issued(id='{}', seq={})", self.id, self.seq)
    }
}

/// The answer for one requested licence type at a window: the licence (免提交), or why not.
#[pyclass(frozen, module = "zhengzhao")]
pub struct Answer(
    // Moved out of the lookup as it is: the document is copied into Python only when asked for.
    Arc<CoreAnswer>,
);

#[pymethods]
impl Answer {
    /// The requested type code.
    #[getter]
    fn type_code(&self) -> &str {
        self.0.type_code().as_ref()
    }

    /// The licence concerned, when there is one.
    #[getter]
    fn id(&self) -> Option<&str> {
        self.0.id()
    }

    /// None when a licence is given; otherwise why not: ``not_authorised``,
    /// ``consent_missing``, ``none``, ``expired``, ``not_yet_valid``, ``suspended``,
    /// ``revoked``, ``withdrawn``, ``cancelled`` or ``transferred_out``.
    #[getter]
    fn refusal(&self) -> Option<&'static str> {
        self.0.refusal().map(Refusal::name)
    }

    /// The signed licence document, when given.
    #[getter]
    fn document<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.0.document().map(|d| PyBytes::new(py, d))
    }

    /// The document's form when given: ``vc`` (a credential the registry signed, JSON) or
    /// ``ofd`` (a sealed OFD file imported with ``import_ofd``).
    #[getter]
    fn format(&self) -> Option<&'static str> {
        self.0.format().map(DocumentFormat::name)
    }

    /// Whether the licence was given (the material is 免提交).
    #[getter]
    fn granted(&self) -> bool {
        self.0.refusal().is_none()
    }

    fn __bool__(&self) -> bool {
        self.granted()
    }

    fn __repr__(&self) -> String {
        let t = self.type_code();
        match (self.refusal(), self.id()) {
            (None, id) => format!("Answer({t}: {})", id.unwrap_or("?")),
            (Some(r), Some(id)) => format!("Answer({t}: refused, {r}, {id})"),
            (Some(r), None) => format!("Answer({t}: refused, {r})"),
        }
    }
}

/// The replies of ``Registry.lookup_many``, one per request, in order: its list of
/// ``Answer``, or the exception that refused that request as a whole. A sequence: ``len``,
/// indexing (negative too) and iteration. The answers stay in Rust until read, so that a
/// large batch costs Python one object per reply read.
#[pyclass(frozen, sequence, module = "zhengzhao")]
pub struct Replies(Vec<std::result::Result<Vec<Arc<CoreAnswer>>, RegistryError>>);

#[pymethods]
impl Replies {
    fn __len__(&self) -> usize {
        self.0.len()
    }

    fn __getitem__(&self, py: Python<'_>, index: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        if let Ok(slice) = index.cast::<PySlice>() {
            let s = slice.indices(self.0.len() as isize)?;
            let picked = (0..s.slicelength)
                .map(|k| self.reply(py, (s.start + k as isize * s.step) as usize))
                .collect::<PyResult<Vec<_>>>()?;
            return Ok(picked.into_pyobject(py)?.into_any().unbind());
        }
        let index: isize = index.extract()?;
        let n = self.0.len() as isize;
        let i = if index < 0 { index + n } else { index };
        if !(0..n).contains(&i) {
            return Err(pyo3::exceptions::PyIndexError::new_err(format!(
                "reply {index} of {n}"
            )));
        }
        self.reply(py, i as usize)
    }

    fn __repr__(&self) -> String {
        let refused = self.0.iter().filter(|r| r.is_err()).count();
        format!("Replies({} requests, {refused} refused)", self.0.len())
    }
}

impl Replies {
    /// Reply `i` (in range) as Python objects.
    fn reply(&self, py: Python<'_>, i: usize) -> PyResult<Py<PyAny>> {
        Ok(match &self.0[i] {
            Ok(row) => {
                let answers: Vec<Answer> = row.iter().map(|a| Answer(a.clone())).collect();
                answers.into_pyobject(py)?.into_any().unbind()
            }
            Err(e) => PyErr::from(Error::new(e.code(), e.to_string()))
                .into_value(py)
                .into_any(),
        })
    }
}

/// Requests as given to ``lookup_many``: read from Python objects, or JSON text to be parsed
/// without the GIL.
enum Requests {
    Read(Vec<WindowRequest>),
    Json(Vec<u8>),
}

/// A window request: a ``dict`` of the JSON form of `WindowRequest` (read member by member:
/// the lookup's own cost is a few microseconds, and a round trip through JSON text would cost
/// more), or that JSON as ``str`` or ``bytes``.
///
/// `last` carries the context read for the previous request of a batch: requests that share
/// one context ``dict`` (a batch from one window usually does) read it once.
fn request_arg<'py>(
    obj: &Bound<'py, PyAny>,
    last: &mut Option<(Bound<'py, PyAny>, UseContext)>,
) -> Result<WindowRequest> {
    let bad = |reason: String| Error::new(ErrorCode::WindowRequest, format!("request: {reason}"));
    let Ok(d) = obj.cast::<PyDict>() else {
        let text = document(obj, "request")?;
        return serde_json::from_slice(&text).map_err(|e| bad(e.to_string()));
    };
    let py = obj.py();
    let req = |d: &Bound<'py, PyDict>, what: &str, key: &Bound<'py, PyString>| {
        text(d, what, key)?.ok_or_else(|| format!("missing member '{what}{}'", key))
    };
    (|| {
        only(
            d,
            "request",
            &[
                intern!(py, "holder_code_type"),
                intern!(py, "holder_code"),
                intern!(py, "types"),
                intern!(py, "context"),
            ],
        )?;
        let types = d
            .get_item(intern!(py, "types"))
            .map_err(|e| e.to_string())?
            .ok_or("missing member 'types'")?
            .extract::<Vec<String>>()
            .map_err(|_| "types: expected a list of strings".to_owned())?;
        let context = d
            .get_item(intern!(py, "context"))
            .map_err(|e| e.to_string())?
            .ok_or("missing member 'context'")?;
        let holder_code_type = req(d, "", intern!(py, "holder_code_type"))?;
        let holder_code = req(d, "", intern!(py, "holder_code"))?;
        let context = match last {
            Some((seen, c)) if seen.is(&context) => c.clone(),
            _ => {
                let c = context
                    .cast::<PyDict>()
                    .map_err(|_| "context: expected an object".to_owned())?;
                only(
                    c,
                    "context",
                    &[
                        intern!(py, "org"),
                        intern!(py, "operator"),
                        intern!(py, "item"),
                        intern!(py, "case"),
                        intern!(py, "reason"),
                        intern!(py, "consent"),
                    ],
                )?;
                let read = UseContext {
                    org: req(c, "context.", intern!(py, "org"))?,
                    operator: req(c, "context.", intern!(py, "operator"))?,
                    item: req(c, "context.", intern!(py, "item"))?,
                    case: req(c, "context.", intern!(py, "case"))?,
                    reason: req(c, "context.", intern!(py, "reason"))?,
                    consent: text(c, "context.", intern!(py, "consent"))?,
                };
                *last = Some((context, read.clone()));
                read
            }
        };
        Ok(WindowRequest {
            holder_code_type,
            holder_code,
            types,
            context,
        })
    })()
    .map_err(bad)
}

/// A string member of a request `dict`; None when absent or None.
fn text(
    d: &Bound<'_, PyDict>,
    what: &str,
    key: &Bound<'_, PyString>,
) -> std::result::Result<Option<String>, String> {
    match d.get_item(key).map_err(|e| e.to_string())? {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => v
            .extract::<String>()
            .map(Some)
            .map_err(|_| format!("{what}{key}: expected a string")),
    }
}

/// Checks that every member of `d` is one of `known`. Counting the known ones first (interned
/// keys, their hashes cached) keeps the usual case free of a string per key.
fn only(
    d: &Bound<'_, PyDict>,
    what: &str,
    known: &[&Bound<'_, PyString>],
) -> std::result::Result<(), String> {
    let mut present = 0;
    for k in known {
        present += usize::from(d.contains(k).map_err(|e| e.to_string())?);
    }
    if d.len() == present {
        return Ok(());
    }
    for k in d.keys() {
        let Ok(k) = k.extract::<String>() else {
            return Err(format!("{what}: a key that is not a string"));
        };
        if !known.iter().any(|n| *n == k.as_str()) {
            let names: Vec<String> = known.iter().map(|n| n.to_string()).collect();
            return Err(format!(
                "{what}: unknown member '{k}', expected one of {}",
                names.join(", ")
            ));
        }
    }
    Ok(())
}

/// What an import did: the summary, and each rejected row's problems.
#[pyclass(frozen, module = "zhengzhao", get_all)]
pub struct ImportResult {
    /// Rows read.
    rows: u64,
    /// Licences issued by this run.
    issued: u64,
    /// Rows whose licence an earlier run had issued already.
    present: u64,
    /// Rows rejected.
    rejected: u64,
    /// Whether the progress callback stopped the import before the end.
    interrupted: bool,
    /// Each problem of each rejected row: ``{"row", "column", "rule", "value", "code",
    /// "message"}``, in file order.
    errors: Py<PyAny>,
    /// ``(row, id)`` of each row now in the registry.
    accepted: Vec<(u64, String)>,
}

#[pymethods]
impl ImportResult {
    fn __repr__(&self) -> String {
        format!(
            "ImportResult(rows={}, issued={}, present={}, rejected={}{})",
            self.rows,
            self.issued,
            self.present,
            self.rejected,
            if self.interrupted {
                ", interrupted"
            } else {
                ""
            }
        )
    }
}

/// Collects row errors and calls the progress callback (with the GIL) after each batch.
struct PyObserver {
    errors: Vec<RowError>,
    accepted: Vec<(u64, String)>,
    progress: Option<Py<PyAny>>,
    failure: Option<PyErr>,
}

impl Observer for PyObserver {
    fn rejected(&mut self, error: &RowError) {
        self.errors.push(error.clone());
    }

    fn accepted(&mut self, row: u64, id: &LicenceId, _present: bool) {
        self.accepted.push((row, id.as_ref().to_owned()));
    }

    fn progress(&mut self, summary: &Summary) -> ControlFlow<()> {
        let Some(cb) = &self.progress else {
            return ControlFlow::Continue(());
        };
        Python::attach(|py| {
            let r = to_py(py, summary).and_then(|s| cb.call1(py, (s,)));
            match r {
                // Returning False stops the import (as Ctrl-C does on the command line).
                Ok(v) if matches!(v.extract::<bool>(py), Ok(false)) => ControlFlow::Break(()),
                Ok(_) => ControlFlow::Continue(()),
                Err(e) => {
                    self.failure = Some(e);
                    ControlFlow::Break(())
                }
            }
        })
    }
}

#[pymethods]
impl Registry {
    /// Creates a registry in a new (or empty) folder. ``authority`` is the folder made by
    /// ``Authority.init`` (or ``zhengzhao authority init``), whose signing keys issue
    /// licences; ``sync`` is ``every-write`` (default: each write fsynced) or
    /// ``os-buffered``.
    #[staticmethod]
    #[pyo3(signature = (path, *, authority = None, cache_mib = None, sync = "every-write", origin = None))]
    fn create(
        py: Python<'_>,
        path: PathBuf,
        authority: Option<PathBuf>,
        cache_mib: Option<usize>,
        sync: &str,
        origin: Option<String>,
    ) -> Result<Registry> {
        let o = options(authority, cache_mib, sync, origin)?;
        let r = py.detach(|| Core::create(&path, o))?;
        Ok(Registry::wrap(r))
    }

    /// Opens an existing registry for reading and writing (one writer process at a time).
    #[staticmethod]
    #[pyo3(signature = (path, *, authority = None, cache_mib = None, sync = "every-write"))]
    fn open(
        py: Python<'_>,
        path: PathBuf,
        authority: Option<PathBuf>,
        cache_mib: Option<usize>,
        sync: &str,
    ) -> Result<Registry> {
        let o = options(authority, cache_mib, sync, None)?;
        let r = py.detach(|| Core::open(&path, o))?;
        Ok(Registry::wrap(r))
    }

    /// Opens a read-only secondary of the registry at ``primary`` (beside a running writer,
    /// in another process), keeping its own files in ``secondary``. It sees the writer's
    /// licences after ``catch_up()``; its logged lookups are journaled in ``secondary`` for
    /// the writer's ``ingest_uses``.
    #[staticmethod]
    #[pyo3(signature = (primary, secondary, *, cache_mib = None))]
    fn open_secondary(
        py: Python<'_>,
        primary: PathBuf,
        secondary: PathBuf,
        cache_mib: Option<usize>,
    ) -> Result<Registry> {
        let o = options(None, cache_mib, "every-write", None)?;
        let r = py.detach(|| Core::open_secondary(&primary, &secondary, o))?;
        Ok(Registry::wrap(r))
    }

    /// A secondary: catches up with the writer.
    fn catch_up(&self, py: Python<'_>) -> Result<()> {
        self.run(py, |r| r.catch_up())
    }

    /// The writer: takes a secondary's journal of logged lookups into the usage log (exactly
    /// once). Returns how many uses were taken in.
    fn ingest_uses(&self, py: Python<'_>, secondary: PathBuf) -> Result<u64> {
        self.run(py, |r| r.ingest_uses(&secondary))
    }

    /// Closes the registry: later calls raise ``UsageError`` (ZZ-E-USAGE-003). Calls running
    /// in other threads finish first. Closing twice is harmless.
    fn close(&self) {
        let r = self.inner.write().unwrap_or_else(|p| p.into_inner()).take();
        drop(r);
    }

    /// Whether ``close()`` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.inner
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_none()
    }

    /// The registry's folder.
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// Whether this is a read-only secondary.
    #[getter]
    fn is_secondary(&self) -> Result<bool> {
        Ok(self.get()?.is_secondary())
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        self.close();
        false
    }

    fn __repr__(&self) -> String {
        let state = if self.closed() { "closed" } else { "open" };
        format!("<Registry {} ({state})>", self.path.display())
    }

    // --- issuance and lifecycle ------------------------------------------------------------

    /// Issues a licence: validated against its type, signed with the issuer's current key,
    /// stored and logged. ``licence`` is the licence data (``dict``, ``str`` or ``bytes``:
    /// id, type_version, name, number, issuer, issued_on, validity, holders, fields…).
    /// Raises ``SchemaError`` listing every violation, ``LifecycleError`` for a licence or
    /// number already issued.
    #[pyo3(signature = (licence, *, operator))]
    fn issue(&self, py: Python<'_>, licence: &Bound<'_, PyAny>, operator: &str) -> Result<Issued> {
        let req = IssueRequest::from_licence(&licence_arg(licence)?, operator);
        let i = self.run(py, |r| r.issue(&req))?;
        Ok(Issued::new(py, i))
    }

    /// Issues many licences in one atomic write, signed in parallel. One entry per licence,
    /// in order: an ``Issued``, or the exception that refused that one (the others are
    /// issued all the same).
    #[pyo3(signature = (licences, *, operator))]
    fn issue_many(
        &self,
        py: Python<'_>,
        licences: Vec<Bound<'_, PyAny>>,
        operator: &str,
    ) -> Result<Vec<Py<PyAny>>> {
        let reqs = licences
            .iter()
            .map(|l| Ok(IssueRequest::from_licence(&licence_arg(l)?, operator)))
            .collect::<Result<Vec<_>>>()?;
        let out = self.run(py, |r| r.issue_many(&reqs))?;
        out.into_iter()
            .map(|o| match o {
                Ok(i) => Ok(Py::new(py, Issued::new(py, i))?.into_any()),
                Err(e) => Ok(PyErr::from(Error::from(e)).into_value(py).into_any()),
            })
            .collect()
    }

    /// Moves a licence to another state: ``step`` is ``suspend`` (暂扣), ``resume`` (发还),
    /// ``revoke`` (吊销), ``withdraw`` (撤销), ``cancel`` (注销) or ``transfer_out`` (转出).
    /// Returns the event's sequence number in the usage log.
    #[pyo3(signature = (id, step, *, operator, reason))]
    fn transition(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        step: &str,
        operator: &str,
        reason: &str,
    ) -> Result<u64> {
        let id = id_arg(id)?;
        let step = step_of(step)?;
        let cause = Cause::new(operator, reason);
        self.run(py, |r| r.transition(&id, step, &cause))
    }

    /// 暂扣: Valid → Suspended. Returns the log sequence number.
    #[pyo3(signature = (id, *, operator, reason))]
    fn suspend(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        operator: &str,
        reason: &str,
    ) -> Result<u64> {
        self.transition(py, id, "suspend", operator, reason)
    }

    /// 发还: Suspended → Valid.
    #[pyo3(signature = (id, *, operator, reason))]
    fn resume(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        operator: &str,
        reason: &str,
    ) -> Result<u64> {
        self.transition(py, id, "resume", operator, reason)
    }

    /// 吊销: Valid or Suspended → Revoked.
    #[pyo3(signature = (id, *, operator, reason))]
    fn revoke(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        operator: &str,
        reason: &str,
    ) -> Result<u64> {
        self.transition(py, id, "revoke", operator, reason)
    }

    /// 注销: Valid or Suspended → Cancelled.
    #[pyo3(signature = (id, *, operator, reason))]
    fn cancel(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        operator: &str,
        reason: &str,
    ) -> Result<u64> {
        self.transition(py, id, "cancel", operator, reason)
    }

    /// 变更: issues the next version of a licence with new data (the same type and number);
    /// the old version is superseded.
    #[pyo3(signature = (id, licence, *, operator, reason))]
    fn change(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        licence: &Bound<'_, PyAny>,
        operator: &str,
        reason: &str,
    ) -> Result<Issued> {
        let id = id_arg(id)?;
        let req = IssueRequest::from_licence(&licence_arg(licence)?, operator);
        let cause = Cause::new(operator, reason);
        let i = self.run(py, |r| r.change(&id, &req, &cause))?;
        Ok(Issued::new(py, i))
    }

    /// 延续: issues the next version of a licence with a new validity period (``until`` None
    /// for 长期有效).
    #[pyo3(signature = (id, *, valid_from, until, operator, reason))]
    fn renew(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        valid_from: &Bound<'_, PyAny>,
        until: Option<&Bound<'_, PyAny>>,
        operator: &str,
        reason: &str,
    ) -> Result<Issued> {
        let id = id_arg(id)?;
        let validity = Validity {
            from: convert::date(valid_from, "valid_from")?,
            until: until.map(|u| convert::date(u, "until")).transpose()?,
        };
        let cause = Cause::new(operator, reason);
        let i = self.run(py, |r| r.renew(&id, validity, &cause))?;
        Ok(Issued::new(py, i))
    }

    /// The status of a licence at ``at`` (default now): ``{"id", "status", "label", "code",
    /// "stored", "since", "valid_from", "valid_until", "reason", "successor"}``; ``status``
    /// takes the validity period into account, ``stored`` is the recorded state.
    #[pyo3(signature = (id, *, at = None))]
    fn status<'py>(
        &self,
        py: Python<'py>,
        id: &Bound<'py, PyAny>,
        at: Option<&Bound<'py, PyAny>>,
    ) -> Result<Bound<'py, PyDict>> {
        let id = id_arg(id)?;
        let at = instant(at, "at")?;
        let (rec, now) = self.run(py, |r| Ok((r.status_record(&id)?, r.status_at(&id, at)?)))?;
        let d = PyDict::new(py);
        d.set_item("id", id.as_ref())?;
        d.set_item("status", to_py(py, &now)?)?;
        d.set_item("label", now.label())?;
        d.set_item("code", now.external_code())?;
        d.set_item("stored", to_py(py, &rec.state)?)?;
        d.set_item("since", py_datetime(py, rec.since)?)?;
        d.set_item("valid_from", py_date(py, rec.valid_from)?)?;
        d.set_item(
            "valid_until",
            rec.valid_until.map(|u| py_date(py, u)).transpose()?,
        )?;
        d.set_item("reason", rec.reason)?;
        d.set_item("successor", rec.successor)?;
        Ok(d)
    }

    /// The signed document of a licence, exactly as issued.
    fn document<'py>(
        &self,
        py: Python<'py>,
        id: &Bound<'py, PyAny>,
    ) -> Result<Bound<'py, PyBytes>> {
        let id = id_arg(id)?;
        let d = self.run(py, |r| r.document(&id))?;
        Ok(PyBytes::new(py, &d))
    }

    /// The licence with this type code and 证照编号, or None.
    fn find<'py>(&self, py: Python<'py>, type_code: &str, number: &str) -> Result<Option<String>> {
        let t = type_arg(type_code)?;
        let found = self.run(py, |r| r.licence_by_number(&t, number))?;
        Ok(found.map(|id| id.as_ref().to_owned()))
    }

    // --- grants and consent -------------------------------------------------------------

    /// Grants a using organisation (its 统一社会信用代码) the use of a licence type until
    /// ``until``: a ``date`` means through that day (China Standard Time), an aware
    /// ``datetime`` is taken as given.
    #[pyo3(signature = (org, type_code, *, until, operator, basis = ""))]
    fn grant(
        &self,
        py: Python<'_>,
        org: &str,
        type_code: &str,
        until: &Bound<'_, PyAny>,
        operator: &str,
        basis: &str,
    ) -> Result<()> {
        let (o, t) = (org_arg(org)?, type_arg(type_code)?);
        let until = convert::through(until, "until")?;
        self.run(py, |r| r.add_grant(&o, &t, until, operator, basis))
    }

    /// Ends a grant now.
    #[pyo3(signature = (org, type_code, *, operator, basis = ""))]
    fn revoke_grant(
        &self,
        py: Python<'_>,
        org: &str,
        type_code: &str,
        operator: &str,
        basis: &str,
    ) -> Result<()> {
        let (o, t) = (org_arg(org)?, type_arg(type_code)?);
        self.run(py, |r| r.revoke_grant(&o, &t, operator, basis))
    }

    /// The grants (of one organisation, or all): ``{"org", "type_code", "granted",
    /// "expires", "operator", "basis"}``.
    #[pyo3(signature = (org = None))]
    fn grants<'py>(&self, py: Python<'py>, org: Option<&str>) -> Result<Vec<Bound<'py, PyDict>>> {
        let o = org.map(org_arg).transpose()?;
        let grants = self.run(py, |r| r.grants(o.as_ref()))?;
        let mut out = Vec::with_capacity(grants.len());
        for g in grants {
            let d = PyDict::new(py);
            d.set_item("org", g.org.as_ref())?;
            d.set_item("type_code", g.type_code.as_ref())?;
            d.set_item("granted", py_datetime(py, g.granted)?)?;
            d.set_item("expires", py_datetime(py, g.expires)?)?;
            d.set_item("operator", g.operator)?;
            d.set_item("basis", g.basis)?;
            out.push(d);
        }
        Ok(out)
    }

    /// Records a holder's consent for an organisation to use their licence of a type that
    /// requires it, until ``until`` (a ``date``: through that day).
    #[pyo3(signature = (holder_code_type, holder_code, org, type_code, *, reference, until))]
    #[allow(clippy::too_many_arguments)]
    fn add_consent(
        &self,
        py: Python<'_>,
        holder_code_type: &str,
        holder_code: &str,
        org: &str,
        type_code: &str,
        reference: &str,
        until: &Bound<'_, PyAny>,
    ) -> Result<()> {
        let h = HolderCodeType::parse(holder_code_type.trim()).map_err(coded)?;
        let (o, t) = (org_arg(org)?, type_arg(type_code)?);
        let until = convert::through(until, "until")?;
        self.run(py, |r| {
            r.add_consent(&h, holder_code, &o, &t, reference, until)
        })
    }

    /// Withdraws a holder's consent.
    fn revoke_consent(
        &self,
        py: Python<'_>,
        holder_code_type: &str,
        holder_code: &str,
        org: &str,
        type_code: &str,
    ) -> Result<()> {
        let h = HolderCodeType::parse(holder_code_type.trim()).map_err(coded)?;
        let (o, t) = (org_arg(org)?, type_arg(type_code)?);
        self.run(py, |r| r.revoke_consent(&h, holder_code, &o, &t))
    }

    // --- the window ---------------------------------------------------------------------

    /// A window request (用证): for a holder, the licence types of a service item's
    /// materials, in a context (organisation, operator, item, case, reason, consent). One
    /// ``Answer`` per type, in order. ``log=False`` answers without recording a use (for
    /// checks that are not a use); a use at a window must be logged.
    ///
    /// ``request`` is a dict: ``{"holder_code_type", "holder_code", "types": [...],
    /// "context": {"org", "operator", "item", "case", "reason", "consent"?}}`` (or the same
    /// as JSON ``str`` or ``bytes``).
    #[pyo3(signature = (request, *, at = None, log = true))]
    fn lookup(
        &self,
        py: Python<'_>,
        request: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
        log: bool,
    ) -> Result<Vec<Answer>> {
        let req = request_arg(request, &mut None)?;
        let at = instant(at, "at")?;
        // The lookup runs without the GIL and gives owned answers; the Python objects are
        // made after it, so that threads never wait for the GIL inside a lookup.
        let answers = self.run(py, |r| {
            if log {
                r.lookup_at(&req, at)
            } else {
                let mut out = r.answer_many_at(std::slice::from_ref(&req), at)?;
                out.pop().expect("one request, one reply")
            }
        })?;
        Ok(answers.into_iter().map(|a| Answer(Arc::new(a))).collect())
    }

    /// Many window requests at once, read and answered in one pass. ``requests`` is a list of
    /// requests (each as ``lookup`` takes it), or a JSON array of them as ``str`` or ``bytes``,
    /// which is read without the GIL (every element must then be a well-formed request).
    /// Returns ``Replies``: one entry per request, in order, its list of ``Answer`` or the
    /// exception that refused that request as a whole.
    #[pyo3(signature = (requests, *, at = None, log = true))]
    fn lookup_many(
        &self,
        py: Python<'_>,
        requests: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
        log: bool,
    ) -> Result<Replies> {
        let at = instant(at, "at")?;
        let reqs = if requests.is_instance_of::<PyString>() || requests.is_instance_of::<PyBytes>()
        {
            Requests::Json(document(requests, "requests")?)
        } else {
            let mut last = None;
            let mut reqs = Vec::new();
            for r in requests.try_iter()? {
                reqs.push(request_arg(&r?, &mut last)?);
            }
            Requests::Read(reqs)
        };
        let rows = self.run(py, |r| {
            let parsed;
            let reqs = match &reqs {
                Requests::Read(v) => v,
                Requests::Json(text) => {
                    parsed = serde_json::from_slice::<Vec<WindowRequest>>(text).map_err(|e| {
                        RegistryError::Window {
                            field: "requests".into(),
                            reason: e.to_string(),
                        }
                    })?;
                    &parsed
                }
            };
            let rows = if log {
                r.lookup_many_at(reqs, at)?
            } else {
                r.answer_many_at(reqs, at)?
            };
            Ok(rows
                .into_iter()
                .map(|row| row.map(|a| a.into_iter().map(Arc::new).collect()))
                .collect())
        })?;
        Ok(Replies(rows))
    }

    // --- conversion ---------------------------------------------------------------------

    /// Imports legacy (存量) records: a CSV (UTF-8 or GB18030) or JSON Lines file, as licences
    /// of ``type_code``. ``source`` is a path or the file's ``bytes``; ``mapping`` the TOML
    /// mapping (text or a path; default: columns named as the type's fields). Every row ends
    /// issued, already present (a re-run issues nothing twice), or with its problems in
    /// ``ImportResult.errors``. ``progress`` is called with the summary after each batch;
    /// returning ``False`` stops the import after the batches in flight (run it again to continue).
    #[pyo3(signature = (source, *, type_code, mapping = None, format = None, encoding = None, operator = "import", batch = DEFAULT_BATCH, progress = None))]
    #[allow(clippy::too_many_arguments)]
    fn import_records(
        &self,
        py: Python<'_>,
        source: &Bound<'_, PyAny>,
        type_code: &str,
        mapping: Option<&Bound<'_, PyAny>>,
        format: Option<&str>,
        encoding: Option<&str>,
        operator: &str,
        batch: usize,
        progress: Option<Py<PyAny>>,
    ) -> Result<ImportResult> {
        let (bytes, path) = match source.extract::<PathBuf>() {
            Ok(p) if !source.is_instance_of::<PyBytes>() => (read_file(&p, "source")?, Some(p)),
            _ => (document(source, "source")?, None),
        };
        let mut m = match mapping {
            Some(m) => Mapping::from_toml(&text_or_path(m, "mapping")?).map_err(coded)?,
            None => Mapping::default(),
        };
        if let Some(e) = encoding {
            m.encoding = Encoding::parse(e).ok_or_else(|| {
                Error::usage(format!("encoding '{e}' is none of auto, utf-8, gb18030"))
            })?;
        }
        let format = match format {
            Some("csv") => Format::Csv,
            Some("jsonl") => Format::Jsonl,
            Some(other) => {
                return Err(Error::usage(format!(
                    "format '{other}' is neither csv nor jsonl"
                )))
            }
            None => path.as_deref().map_or(Format::Csv, Format::from_path),
        };
        if batch == 0 {
            return Err(Error::usage("batch must be at least 1"));
        }
        let options = ImportOptions {
            operator: operator.to_owned(),
            batch,
            ..ImportOptions::new(type_arg(type_code)?, m, format)
        };
        let mut obs = PyObserver {
            errors: Vec::new(),
            accepted: Vec::new(),
            progress,
            failure: None,
        };
        let summary = self.run(py, |r| r.import(bytes.as_slice(), &options, &mut obs));
        if let Some(e) = obs.failure.take() {
            return Err(Error::Python(e));
        }
        let s = summary?;
        Ok(ImportResult {
            rows: s.rows,
            issued: s.issued,
            present: s.present,
            rejected: s.rejected,
            interrupted: s.interrupted,
            errors: to_py(py, &obs.errors)?.unbind(),
            accepted: obs.accepted,
        })
    }

    /// A licence in an interchange format: as text, ``vc`` (the signed document), ``vc-jwt``
    /// (JWS compact), ``gbt36903`` (the flat record of provincial sync interfaces, JSON) or
    /// ``qr`` (the ``ZZ1:`` payload for a QR code); as ``bytes``, ``ofd`` (the file of an
    /// imported OFD licence, which exports as ``ofd`` and ``gbt36903`` only).
    #[pyo3(signature = (id, format = "vc"))]
    fn export<'py>(
        &self,
        py: Python<'py>,
        id: &Bound<'py, PyAny>,
        format: &str,
    ) -> Result<Bound<'py, PyAny>> {
        let f = ExportFormat::from_name(format.trim()).ok_or_else(|| {
            Error::usage(format!(
                "format '{format}' is none of vc, vc-jwt, gbt36903, qr, ofd"
            ))
        })?;
        let id = id_arg(id)?;
        let bytes = self.run(py, |r| r.export(&id, f))?;
        if f == ExportFormat::Ofd {
            return Ok(PyBytes::new(py, &bytes).into_any());
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::new(ErrorCode::StorageCorrupt, "the export is not UTF-8"))?;
        Ok(pyo3::types::PyString::new(py, &text).into_any())
    }

    /// Verifies a sealed OFD licence issued elsewhere and takes it in, so that ``lookup``
    /// serves the file itself. ``document``: the file's ``bytes`` or its path. ``anchors``:
    /// the issuing platform's root certificates (PEM or DER, or a path), or ``None`` to take
    /// the file on its signatures alone — it must be given either way. ``certificates``: the
    /// signer of a bare signature, or intermediates. ``fields``: a ``dict`` of GB/T 36903
    /// items (by key like ``ZZBS`` or name like ``证照标识``) for what the file does not carry
    /// under its seals.
    ///
    /// Returns a ``dict``: ``id``, ``imported`` (``False`` when the same file was already
    /// there), ``seq`` (its log event, or ``None``), ``supplied`` and ``unsealed`` (item keys)
    /// and ``report`` (as ``verify_ofd`` gives it). Raises ``OfdError`` when a signature does not
    /// hold or items are missing, ``LifecycleError`` when its number or identifier is taken.
    #[pyo3(signature = (document, *, anchors, certificates = None, fields = None, operator))]
    fn import_ofd<'py>(
        &self,
        py: Python<'py>,
        document: &Bound<'py, PyAny>,
        anchors: Option<&Bound<'py, PyAny>>,
        certificates: Option<&Bound<'py, PyAny>>,
        fields: Option<&Bound<'py, PyAny>>,
        operator: &str,
    ) -> Result<Bound<'py, PyDict>> {
        let bytes = crate::verify::ofd_arg(document)?;
        let anchors = crate::verify::anchors_arg(anchors)?;
        let certificates = certificates
            .filter(|c| !c.is_none())
            .map(|c| crate::verify::certificates_arg(c, "certificates"))
            .transpose()?
            .unwrap_or_default();
        let supplied = match fields.filter(|f| !f.is_none()) {
            None => Default::default(),
            Some(f) => {
                zhengzhao_core::gbt36903::record_from_json(json_dumps(f, "fields")?.as_bytes())
                    .map_err(coded)?
            }
        };
        let how = OfdImport {
            anchors: anchors.as_ref(),
            certificates: &certificates,
            supplied,
            operator: operator.to_owned(),
        };
        let i = self.run(py, |r| r.import_ofd(&bytes, &how))?;
        let d = PyDict::new(py);
        d.set_item("id", i.id.as_ref() as &str)?;
        d.set_item("imported", i.seq.is_some())?;
        d.set_item("seq", i.seq)?;
        d.set_item("supplied", &i.read.supplied)?;
        d.set_item("unsealed", &i.read.unsealed)?;
        d.set_item("report", to_py(py, &i.read.report)?)?;
        Ok(d)
    }

    /// An offline bundle of licences for an auditor: the documents, the certificates they
    /// need and signed status lists as of ``at``. JSON ``bytes``.
    #[pyo3(signature = (ids, *, at = None))]
    fn bundle<'py>(
        &self,
        py: Python<'py>,
        ids: Vec<Bound<'py, PyAny>>,
        at: Option<&Bound<'py, PyAny>>,
    ) -> Result<Bound<'py, PyBytes>> {
        let ids = ids.iter().map(id_arg).collect::<Result<Vec<_>>>()?;
        let at = instant(at, "at")?;
        let b = self.run(py, |r| r.bundle(&ids, at))?;
        Ok(PyBytes::new(py, &b.to_json()))
    }

    /// The signed status list (a W3C Bitstring Status List credential) of an issuer's list
    /// number ``list``, as of now: for verifiers' ``status_lists``.
    #[pyo3(signature = (issuer, list = 0))]
    fn status_list<'py>(
        &self,
        py: Python<'py>,
        issuer: &str,
        list: u32,
    ) -> Result<Bound<'py, PyAny>> {
        let now = time::OffsetDateTime::now_utc();
        let issuer = org_arg(issuer)?;
        let doc = self.run(py, |r| r.signed_status_list(&issuer, list, now))?;
        Ok(to_py(py, &doc)?)
    }

    // --- the usage log ------------------------------------------------------------------

    /// The number of events in the usage log.
    #[getter]
    fn log_size(&self) -> Result<u64> {
        Ok(self.get()?.log_len())
    }

    /// The log's verifier key (``<origin>+<key ID>+<key>``), for auditors.
    #[getter]
    fn log_vkey(&self) -> Result<String> {
        Ok(self.get()?.log_vkey()?)
    }

    /// Signs a checkpoint of the log as it is now: a C2SP signed note (text).
    fn checkpoint(&self, py: Python<'_>) -> Result<String> {
        self.run(py, |r| r.checkpoint())
    }

    /// Event ``seq`` as logged (JSON text), for an inclusion proof.
    fn event(&self, py: Python<'_>, seq: u64) -> Result<String> {
        let events = self.run(py, |r| r.events(seq, seq.saturating_add(1)))?;
        let (_, e) = events
            .into_iter()
            .next()
            .ok_or_else(|| Error::new(ErrorCode::LogRange, format!("no event {seq} in the log")))?;
        String::from_utf8(e).map_err(|_| Error::new(ErrorCode::StorageCorrupt, "event not UTF-8"))
    }

    /// A proof that event ``seq`` is in the log of ``size`` events (default: all):
    /// ``{"leaf_index", "tree_size", "path": [base64, …]}``.
    #[pyo3(signature = (seq, size = None))]
    fn inclusion_proof<'py>(
        &self,
        py: Python<'py>,
        seq: u64,
        size: Option<u64>,
    ) -> Result<Bound<'py, PyAny>> {
        let p = self.run(py, |r| {
            r.inclusion_proof(seq, size.unwrap_or_else(|| r.log_len()))
        })?;
        Ok(to_py(py, &p)?)
    }

    /// A proof that the log of ``old`` events is a prefix of the log of ``new`` events
    /// (default: all): ``{"size1", "size2", "path"}``.
    #[pyo3(signature = (old, new = None))]
    fn consistency_proof<'py>(
        &self,
        py: Python<'py>,
        old: u64,
        new: Option<u64>,
    ) -> Result<Bound<'py, PyAny>> {
        let p = self.run(py, |r| {
            r.consistency_proof(old, new.unwrap_or_else(|| r.log_len()))
        })?;
        Ok(to_py(py, &p)?)
    }

    // --- operations ---------------------------------------------------------------------

    /// Backs the registry up into ``dest`` (a new or empty folder), consistently, while it
    /// serves. Returns ``{"log_size", "log_root"}`` of the backup.
    fn backup<'py>(&self, py: Python<'py>, dest: PathBuf) -> Result<Bound<'py, PyDict>> {
        let info = self.run(py, |r| r.backup(&dest))?;
        let d = PyDict::new(py);
        d.set_item("log_size", info.log_len)?;
        d.set_item("log_root", hex::encode(info.log_root))?;
        Ok(d)
    }

    /// Restores a backup into ``dest`` (a new or empty folder) and opens it.
    #[staticmethod]
    #[pyo3(signature = (backup, dest, *, authority = None))]
    fn restore(
        py: Python<'_>,
        backup: PathBuf,
        dest: PathBuf,
        authority: Option<PathBuf>,
    ) -> Result<Registry> {
        let o = options(authority, None, "every-write", None)?;
        let r = py.detach(|| Core::restore(&backup, &dest, o))?;
        Ok(Registry::wrap(r))
    }

    /// Checks the registry's integrity (every licence against its index entries, the log
    /// against its Merkle tree and checkpoint): ``{"licences", "index_entries", "log_size",
    /// "checkpoint_size", "problems": [...]}``; no problems means intact.
    fn check<'py>(&self, py: Python<'py>) -> Result<Bound<'py, PyAny>> {
        let report = self.run(py, |r| r.check())?;
        Ok(to_py(py, &report)?)
    }
}
