//! `Authority`: a certification authority's folder (root CA, departments' signing
//! certificates and keys), as `zhengzhao authority` makes it.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use zhengzhao_core::codes::Uscc;
use zhengzhao_core::identifier::TypeCode;
use zhengzhao_core::keys::Algorithm;
use zhengzhao_core::keystore::{AuthorityDir, SignerEntry};

use crate::convert::py_datetime;
use crate::error::{coded, Result};

/// A certification authority's folder: the root CA (``root.pem``, whose certificate
/// verifiers trust) and each department's signing certificates and keys (owner-only files).
#[pyclass(frozen, module = "zhengzhao")]
pub struct Authority {
    dir: AuthorityDir,
}

fn types_arg(types: Option<Vec<String>>) -> Result<Option<Vec<TypeCode>>> {
    types
        .map(|ts| {
            ts.iter()
                .map(|t| TypeCode::parse(t.trim()).map_err(coded))
                .collect()
        })
        .transpose()
}

fn algorithm_arg(a: &str) -> Result<Algorithm> {
    a.parse::<Algorithm>().map_err(coded)
}

fn entry<'py>(py: Python<'py>, e: &SignerEntry) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("issuer_code", e.issuer_code.as_ref())?;
    d.set_item("number", e.number)?;
    d.set_item("subject", e.certificate.subject_name())?;
    d.set_item(
        "algorithm",
        e.certificate
            .public_key()
            .ok()
            .map(|k| k.algorithm().name()),
    )?;
    d.set_item("not_before", py_datetime(py, e.certificate.not_before())?)?;
    d.set_item("not_after", py_datetime(py, e.certificate.not_after())?)?;
    d.set_item(
        "allowed_types",
        e.certificate
            .allowed_types()
            .map(|ts| ts.iter().map(|t| t.as_ref().to_owned()).collect::<Vec<_>>()),
    )?;
    d.set_item("certificate", e.certificate.to_pem())?;
    d.set_item("certificate_path", e.certificate_path.clone())?;
    d.set_item("key_path", e.key_path.clone())?;
    Ok(d)
}

#[pymethods]
impl Authority {
    /// Makes a new authority in ``path`` (absent or empty): a root CA named ``root_name``
    /// and a first signing certificate for the department ``issuer_name`` (its
    /// 统一社会信用代码 ``issuer_code``), optionally restricted to the licence types
    /// ``allowed_types``. ``algorithm``: ``ed25519`` (default), ``p256`` or ``sm2``.
    #[staticmethod]
    #[pyo3(signature = (path, *, root_name, issuer_name, issuer_code, allowed_types = None, algorithm = "ed25519", years = 10))]
    fn init(
        path: PathBuf,
        root_name: &str,
        issuer_name: &str,
        issuer_code: &str,
        allowed_types: Option<Vec<String>>,
        algorithm: &str,
        years: u32,
    ) -> Result<Authority> {
        let code = Uscc::parse(issuer_code.trim()).map_err(coded)?;
        let dir = AuthorityDir::init(
            &path,
            root_name,
            issuer_name,
            &code,
            types_arg(allowed_types)?,
            algorithm_arg(algorithm)?,
            years,
        )?;
        Ok(Authority { dir })
    }

    /// Opens an existing authority folder.
    #[staticmethod]
    fn open(path: PathBuf) -> Result<Authority> {
        Ok(Authority {
            dir: AuthorityDir::open(&path)?,
        })
    }

    /// Adds a signing certificate for a department: a new one, or another for one that has
    /// some (key rotation: validity periods overlap). Returns the new signer's entry.
    #[pyo3(signature = (*, issuer_name, issuer_code, allowed_types = None, algorithm = "ed25519", years = 5))]
    fn add_signer<'py>(
        &self,
        py: Python<'py>,
        issuer_name: &str,
        issuer_code: &str,
        allowed_types: Option<Vec<String>>,
        algorithm: &str,
        years: u32,
    ) -> Result<Bound<'py, PyDict>> {
        let code = Uscc::parse(issuer_code.trim()).map_err(coded)?;
        let e = self.dir.add_signer(
            issuer_name,
            &code,
            types_arg(allowed_types)?,
            algorithm_arg(algorithm)?,
            years,
        )?;
        Ok(entry(py, &e)?)
    }

    /// The folder.
    #[getter]
    fn path(&self) -> PathBuf {
        self.dir.dir().to_path_buf()
    }

    /// The root certificate, PEM: what verifiers trust.
    #[getter]
    fn root_certificate(&self) -> String {
        self.dir.root_certificate().to_pem()
    }

    /// The path of the root certificate file.
    #[getter]
    fn root_certificate_path(&self) -> PathBuf {
        self.dir.root_certificate_path()
    }

    /// Every signing certificate: ``{"issuer_code", "number", "subject", "algorithm"
    /// (``Ed25519``, ``P-256`` or ``SM2``), "not_before", "not_after", "allowed_types",
    /// "certificate" (PEM), "certificate_path", "key_path"}``.
    fn signers<'py>(&self, py: Python<'py>) -> Result<Vec<Bound<'py, PyDict>>> {
        let entries = self.dir.entries()?;
        Ok(entries
            .iter()
            .map(|e| entry(py, e))
            .collect::<PyResult<_>>()?)
    }

    fn __repr__(&self) -> String {
        format!(
            "<Authority {} ({})>",
            self.dir.dir().display(),
            self.dir.root_certificate().subject_name()
        )
    }
}
