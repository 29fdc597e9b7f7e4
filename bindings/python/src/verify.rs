//! `Verifier` and its reports: offline verification with nothing but root certificates.

use std::sync::RwLock;

use pyo3::prelude::*;
use zhengzhao_core::bundle::{self, BundleReport as CoreBundleReport};
use zhengzhao_core::interchange::{self, Kind};
use zhengzhao_core::pki::{Certificate, TrustAnchors};
use zhengzhao_core::verify::{self as core, Context, Report, VerifiedStatusList};

use crate::convert::{document, instant, to_py};
use crate::error::{coded, Error, Result};

/// Verifies licences, tokens, QR payloads and bundles offline, against trust anchors (root
/// certificates). Safe to share between threads; verified certificate paths are cached, so
/// verifying many licences of one department checks its chain once.
///
/// ``anchors`` is PEM (``str`` or ``bytes``, one or more certificates) or the path of a PEM
/// file (``str`` or ``os.PathLike``). ``certificates`` (the same forms) are signing and
/// intermediate certificates for documents that do not carry theirs (a bundle does); they are
/// trusted only through a path to an anchor.
#[pyclass(frozen, module = "zhengzhao")]
pub struct Verifier {
    inner: RwLock<core::Verifier>,
    anchors: usize,
}

/// PEM given as text, bytes or a path to a file.
pub fn pem_arg(obj: &Bound<'_, PyAny>, what: &str) -> Result<Vec<u8>> {
    let looks_pem = |b: &[u8]| b.trim_ascii_start().starts_with(b"-----BEGIN");
    if let Ok(s) = obj.extract::<String>() {
        if looks_pem(s.as_bytes()) {
            return Ok(s.into_bytes());
        }
    }
    if let Ok(b) = obj.cast::<pyo3::types::PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    let path: std::path::PathBuf = obj
        .extract()
        .map_err(|_| Error::usage(format!("{what}: expected PEM (str or bytes) or a path")))?;
    std::fs::read(&path).map_err(|e| {
        Error::new(
            zhengzhao_core::ErrorCode::Io,
            format!("{what}: {}: {e}", path.display()),
        )
    })
}

impl Verifier {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, core::Verifier> {
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }
}

/// Status-list credentials to check licences against, verified by `v`.
fn status_lists(
    v: &core::Verifier,
    lists: &[serde_json::Value],
    at: time::OffsetDateTime,
) -> Result<Vec<VerifiedStatusList>> {
    let ctx = Context {
        at,
        certificates: &[],
        status_lists: &[],
    };
    lists
        .iter()
        .map(|l| {
            v.verify_status_list(l, &ctx)
                .map_err(|(code, message)| Error::new(code, message))
        })
        .collect()
}

fn status_list_args(lists: Option<Vec<Bound<'_, PyAny>>>) -> Result<Vec<serde_json::Value>> {
    lists
        .unwrap_or_default()
        .iter()
        .map(|l| {
            let bytes = document(l, "status list")?;
            serde_json::from_slice(&bytes).map_err(|e| {
                Error::new(zhengzhao_core::ErrorCode::Json, format!("status list: {e}"))
            })
        })
        .collect()
}

#[pymethods]
impl Verifier {
    #[new]
    #[pyo3(signature = (anchors, *, certificates = None))]
    fn new(
        anchors: &Bound<'_, PyAny>,
        certificates: Option<&Bound<'_, PyAny>>,
    ) -> Result<Verifier> {
        let pem = pem_arg(anchors, "anchors")?;
        let certs = Certificate::parse_pem_bundle(&pem).map_err(coded)?;
        let anchors = TrustAnchors::new(certs).map_err(coded)?;
        let v = Verifier {
            anchors: anchors.certificates().len(),
            inner: RwLock::new(core::Verifier::new(anchors)),
        };
        if let Some(c) = certificates {
            v.add_certificates(c)?;
        }
        Ok(v)
    }

    /// Adds signing or intermediate certificates (PEM, or a path) to the local trust store:
    /// for documents that do not carry their certificates. They are trusted only through a
    /// path to an anchor.
    fn add_certificates(&self, certificates: &Bound<'_, PyAny>) -> Result<()> {
        let pem = pem_arg(certificates, "certificates")?;
        let certs = Certificate::parse_pem_bundle(&pem).map_err(coded)?;
        let mut v = self.inner.write().unwrap_or_else(|p| p.into_inner());
        for c in certs {
            v.add_certificate(c);
        }
        Ok(())
    }

    /// Verifies a licence presented as its signed document (``str``, ``bytes`` or ``dict``),
    /// a ``vc+jwt`` token or a QR payload (``ZZ1:…``), at ``at`` (default: now), optionally
    /// against signed status lists. Given a bundle, verifies the bundle (a ``BundleReport``).
    ///
    /// Never raises for what is wrong with the licence: the report says it (``valid``,
    /// ``code``, each check); raises only for wrong arguments.
    #[pyo3(signature = (licence, *, at = None, status_lists = None))]
    fn verify(
        &self,
        py: Python<'_>,
        licence: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
        status_lists: Option<Vec<Bound<'_, PyAny>>>,
    ) -> Result<Py<PyAny>> {
        let input = document(licence, "licence")?;
        let at = instant(at, "at")?;
        let lists = status_list_args(status_lists)?;
        if interchange::sniff(&input) == Kind::Bundle {
            if !lists.is_empty() {
                return Err(Error::usage(
                    "a bundle carries its own status lists: give no status_lists",
                ));
            }
            let r = py.detach(|| bundle::verify(&self.read(), &input, at).map_err(coded))?;
            return Ok(Py::new(py, BundleReport(r))?.into_any());
        }
        let (kind, report) = py.detach(|| -> Result<_> {
            let v = self.read();
            let lists = self::status_lists(&v, &lists, at)?;
            let ctx = Context {
                at,
                certificates: &[],
                status_lists: &lists,
            };
            Ok(v.verify_presented(&input, &ctx))
        })?;
        Ok(Py::new(py, VerificationReport::new(kind.name(), report))?.into_any())
    }

    /// Verifies many signed documents at once, on every core, without the GIL: one report per
    /// document, in order, each what ``verify`` gives.
    #[pyo3(signature = (licences, *, at = None, status_lists = None))]
    fn verify_many(
        &self,
        py: Python<'_>,
        licences: Vec<Bound<'_, PyAny>>,
        at: Option<&Bound<'_, PyAny>>,
        status_lists: Option<Vec<Bound<'_, PyAny>>>,
    ) -> Result<Vec<VerificationReport>> {
        let docs = licences
            .iter()
            .map(|d| document(d, "licence"))
            .collect::<Result<Vec<_>>>()?;
        let at = instant(at, "at")?;
        let lists = status_list_args(status_lists)?;
        let reports = py.detach(|| -> Result<_> {
            let v = self.read();
            let lists = self::status_lists(&v, &lists, at)?;
            let ctx = Context {
                at,
                certificates: &[],
                status_lists: &lists,
            };
            let refs: Vec<&[u8]> = docs.iter().map(Vec::as_slice).collect();
            Ok(v.verify_many(&refs, &ctx))
        })?;
        Ok(reports
            .into_iter()
            .map(|r| VerificationReport::new(Kind::Document.name(), r))
            .collect())
    }

    /// Verifies an offline bundle: its status lists, then each licence against them, with
    /// the certificates it carries.
    #[pyo3(signature = (bundle, *, at = None))]
    fn verify_bundle(
        &self,
        py: Python<'_>,
        bundle: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> Result<BundleReport> {
        let input = document(bundle, "bundle")?;
        let at = instant(at, "at")?;
        let r = py.detach(|| bundle::verify(&self.read(), &input, at).map_err(coded))?;
        Ok(BundleReport(r))
    }

    fn __repr__(&self) -> String {
        format!("<Verifier trusting {} root certificate(s)>", self.anchors)
    }
}

/// One check of a verification report.
#[pyclass(frozen, module = "zhengzhao", get_all)]
pub struct Check {
    /// ``document``, ``identifier``, ``proof``, ``certificate``, ``signature``, ``issuer``,
    /// ``licence_type``, ``validity``, ``schema`` or ``status``.
    name: String,
    /// ``passed``, ``failed`` or ``skipped``.
    outcome: String,
    /// The stable code of a failure.
    code: Option<String>,
    /// What was found.
    detail: String,
}

#[pymethods]
impl Check {
    fn __repr__(&self) -> String {
        match &self.code {
            Some(c) => format!(
                "Check({}: {} {c}: {})",
                self.name, self.outcome, self.detail
            ),
            None => format!("Check({}: {})", self.name, self.outcome),
        }
    }
}

/// The report of one verification: ``valid``, the ``code`` and ``message`` of the first
/// failure, and every check. True when valid.
#[pyclass(frozen, module = "zhengzhao")]
pub struct VerificationReport {
    kind: &'static str,
    report: Report,
}

impl VerificationReport {
    fn new(kind: &'static str, report: Report) -> VerificationReport {
        VerificationReport { kind, report }
    }
}

fn outcome(o: core::Outcome) -> &'static str {
    match o {
        core::Outcome::Passed => "passed",
        core::Outcome::Failed => "failed",
        core::Outcome::Skipped => "skipped",
    }
}

#[pymethods]
impl VerificationReport {
    /// Whether every check that ran passed.
    #[getter]
    fn valid(&self) -> bool {
        self.report.valid
    }

    /// How the licence was presented: ``licence`` (the signed document), ``vc-jwt``, ``qr``
    /// or ``gbt36903`` (a flat record, which cannot be verified).
    #[getter]
    fn kind(&self) -> &'static str {
        self.kind
    }

    /// The licence identifier, when the document could be read that far.
    #[getter]
    fn id(&self) -> Option<&str> {
        self.report.id.as_deref()
    }

    /// The stable code of the first failure (``ZZ-E-…``), or None.
    #[getter]
    fn code(&self) -> Option<&'static str> {
        self.report.code.map(|c| c.name())
    }

    /// The message of the first failure, or None.
    #[getter]
    fn message(&self) -> Option<&str> {
        self.report.message.as_deref()
    }

    /// Every check, in order.
    #[getter]
    fn checks(&self) -> Vec<Check> {
        self.report
            .checks
            .iter()
            .map(|c| Check {
                name: c.name.to_owned(),
                outcome: outcome(c.outcome).to_owned(),
                code: c.code.map(|c| c.name().to_owned()),
                detail: c.detail.to_string(),
            })
            .collect()
    }

    /// Things accepted but worth a look (legacy codes, a type this catalogue lacks…).
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.report.warnings.clone()
    }

    /// The check with this name, or None.
    fn check(&self, name: &str) -> Option<Check> {
        self.checks().into_iter().find(|c| c.name == name)
    }

    /// Raises the exception of the first failure (e.g. ``SignatureError``) when invalid.
    fn raise_if_invalid(&self) -> Result<()> {
        match (self.report.valid, self.report.code) {
            (true, _) => Ok(()),
            (false, code) => Err(Error::new(
                code.unwrap_or(zhengzhao_core::ErrorCode::SignatureInvalid),
                self.report.message.clone().unwrap_or_default(),
            )),
        }
    }

    /// The report as a dict (its JSON form, as the command line prints it).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let d = to_py(py, &self.report)?;
        d.set_item("kind", self.kind)?;
        Ok(d)
    }

    fn __bool__(&self) -> bool {
        self.report.valid
    }

    fn __repr__(&self) -> String {
        let id = self.report.id.as_deref().unwrap_or("?");
        match (&self.report.code, &self.report.message) {
            (Some(c), Some(m)) => format!("<VerificationReport {id}: invalid, {c}: {m}>"),
            _ => format!("<VerificationReport {id}: valid>"),
        }
    }
}

/// The report of a bundle: each status list and each licence. True when all are valid.
#[pyclass(frozen, module = "zhengzhao")]
pub struct BundleReport(CoreBundleReport);

#[pymethods]
impl BundleReport {
    /// Whether every status list and every licence verified.
    #[getter]
    fn valid(&self) -> bool {
        self.0.valid
    }

    /// One report per licence, in order.
    #[getter]
    fn licences(&self) -> Vec<VerificationReport> {
        self.0
            .licences
            .iter()
            .map(|r| VerificationReport::new(Kind::Document.name(), r.clone()))
            .collect()
    }

    /// One entry per status list: ``{"id", "valid", "code", "message"}``.
    #[getter]
    fn status_lists<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.0.status_lists)
    }

    /// The report as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.0)
    }

    fn __bool__(&self) -> bool {
        self.0.valid
    }

    fn __repr__(&self) -> String {
        let bad = self.0.licences.iter().filter(|r| !r.valid).count();
        format!(
            "<BundleReport: {} licence(s), {} invalid; {} status list(s)>",
            self.0.licences.len(),
            bad,
            self.0.status_lists.len()
        )
    }
}

/// An OFD file given as its ``bytes`` or its path.
pub fn ofd_arg(document: &Bound<'_, PyAny>) -> Result<Vec<u8>> {
    match document.cast::<pyo3::types::PyBytes>() {
        Ok(b) => Ok(b.as_bytes().to_vec()),
        Err(_) => {
            let path: std::path::PathBuf = document
                .extract()
                .map_err(|_| Error::usage("document: expected the OFD file's bytes or its path"))?;
            std::fs::read(&path).map_err(|e| {
                Error::new(
                    zhengzhao_core::ErrorCode::Io,
                    format!("document: {}: {e}", path.display()),
                )
            })
        }
    }
}

/// Trust anchors given as certificates (see [`certificates_arg`]), or ``None``.
pub fn anchors_arg(anchors: Option<&Bound<'_, PyAny>>) -> Result<Option<TrustAnchors>> {
    anchors
        .filter(|a| !a.is_none())
        .map(|a| certificates_arg(a, "anchors").and_then(|c| TrustAnchors::new(c).map_err(coded)))
        .transpose()
}

/// Certificates given as PEM or DER (``bytes``), PEM text, or the path of a file of either.
pub fn certificates_arg(obj: &Bound<'_, PyAny>, what: &str) -> Result<Vec<Certificate>> {
    Certificate::parse_file(&pem_arg(obj, what)?).map_err(coded)
}

/// Verifies every signature of a sealed OFD file offline: GB/T 38540 and GM/T 0031 seals,
/// GB/T 35275 SignedData, bare SM2 signatures. ``document``: the file's ``bytes`` or its path.
/// ``anchors``: root certificates (PEM or DER, or a path) for the chains of the signer and
/// seal-maker certificates; ``None`` leaves chains unchecked (``chain_trusted`` is ``None``).
/// ``certificates``: the signer's certificate of a bare signature, or intermediates. ``at``:
/// the time used when a signature carries none (default: now).
///
/// Returns the report as a ``dict``: ``valid``, ``code``, ``message`` and ``signatures``, a
/// list of dicts with ``id``, ``type``, ``format``, ``content_intact``, ``changed_entries``,
/// ``signature_valid``, ``seal_valid``, ``signer_in_seal``, ``within_validity``,
/// ``chain_trusted``, ``code``, ``message``, ``signed_at``, ``signer`` and ``seal``.
/// Raises ``OfdError`` for a package that cannot be read at all.
#[pyfunction]
#[pyo3(signature = (document, *, anchors = None, certificates = None, at = None))]
pub fn verify_ofd<'py>(
    py: Python<'py>,
    document: &Bound<'py, PyAny>,
    anchors: Option<&Bound<'py, PyAny>>,
    certificates: Option<&Bound<'py, PyAny>>,
    at: Option<&Bound<'py, PyAny>>,
) -> Result<Bound<'py, PyAny>> {
    let bytes = ofd_arg(document)?;
    let anchors = anchors_arg(anchors)?;
    let certificates = certificates
        .map(|c| certificates_arg(c, "certificates"))
        .transpose()?
        .unwrap_or_default();
    let at = instant(at, "at")?;
    let report = py.detach(|| {
        let options = zhengzhao_core::ofd::Options {
            anchors: anchors.as_ref(),
            certificates: &certificates,
            at,
            ..zhengzhao_core::ofd::Options::default()
        };
        zhengzhao_core::ofd::verify(&bytes, &options).map_err(coded)
    })?;
    Ok(to_py(py, &report)?)
}
