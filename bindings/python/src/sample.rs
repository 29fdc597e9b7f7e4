//! `Sampler`: deterministic, realistic sample data (holders, issuers, licences) for tests
//! and demonstrations.

use pyo3::prelude::*;
use std::sync::Mutex;
use zhengzhao_core::licence::{Holder, Issuer};
use zhengzhao_core::sample;

use crate::catalog::LicenceType;
use crate::convert::{self, to_py};
use crate::error::{coded, Error, Result};

/// Deterministic sample data: the same seed gives the same holders and licences. Every code
/// it makes passes its check (公民身份号码, 统一社会信用代码), and every licence satisfies its
/// type.
///
/// >>> s = Sampler(7)
/// >>> p = s.person()
/// >>> sorted(p)
/// ['code', 'code_type', 'name']
#[pyclass(frozen, module = "zhengzhao")]
pub struct Sampler(Mutex<sample::Sampler>);

fn from_py<T: serde::de::DeserializeOwned>(obj: &Bound<'_, PyAny>, what: &str) -> Result<T> {
    let text = convert::json_dumps(obj, what)?;
    serde_json::from_str(&text)
        .map_err(|e| Error::new(zhengzhao_core::ErrorCode::Json, format!("{what}: {e}")))
}

impl Sampler {
    fn with<T>(&self, f: impl FnOnce(&mut sample::Sampler) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

#[pymethods]
impl Sampler {
    #[new]
    #[pyo3(signature = (seed = 0))]
    fn new(seed: u64) -> Sampler {
        Sampler(Mutex::new(sample::Sampler::new(seed)))
    }

    /// A person: ``{"name", "code_type": "111", "code"}`` with a valid 公民身份号码.
    fn person<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.with(|s| s.person()))
    }

    /// An organisation: ``{"name", "code_type": "001", "code"}`` with a valid
    /// 统一社会信用代码.
    fn organisation<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.with(|s| s.organisation()))
    }

    /// An issuing department named ``name``: ``{"name", "code"}``.
    fn issuer<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.with(|s| s.issuer(name)))
    }

    /// A licence of ``licence_type`` for ``holder``, issued by ``issuer`` on ``issued_on``
    /// (a ``date``), with serial ``serial``: licence data (a dict) for ``Registry.issue``.
    fn licence<'py>(
        &self,
        py: Python<'py>,
        licence_type: PyRef<'py, LicenceType>,
        issuer: &Bound<'py, PyAny>,
        holder: &Bound<'py, PyAny>,
        serial: &str,
        issued_on: &Bound<'py, PyAny>,
    ) -> Result<Bound<'py, PyAny>> {
        let issuer: Issuer = from_py(issuer, "issuer")?;
        let holder: Holder = from_py(holder, "holder")?;
        let on = convert::date(issued_on, "issued_on")?;
        let l = self
            .with(|s| s.licence(&licence_type.t, &issuer, &holder, serial, on))
            .map_err(coded)?;
        Ok(convert::json_loads(py, &l.to_json())?)
    }
}
