//! `Catalog` and `LicenceType`: the catalogue of licence types (证照目录).

use std::sync::Arc;

use pyo3::prelude::*;
use zhengzhao_core::catalog::{self, LicenceType as CoreType};

use crate::convert::to_py;
use crate::error::{coded, Result};

/// The catalogue of licence types. ``Catalog()`` is the built-in one (the 222 common types).
///
/// >>> c = Catalog()
/// >>> c["11100000MB0143028R001"].name
/// '营业执照'
#[pyclass(frozen, module = "zhengzhao", mapping)]
pub struct Catalog {
    pub catalog: Arc<catalog::Catalog>,
}

#[pymethods]
impl Catalog {
    #[new]
    fn builtin() -> Catalog {
        Catalog {
            catalog: Arc::new(catalog::Catalog::builtin()),
        }
    }

    /// A catalogue from type definitions in TOML (the built-in types are not included): a
    /// list of ``(name, text)`` pairs, as ``zhengzhao catalog`` reads them from files.
    #[staticmethod]
    fn from_toml(files: Vec<(String, String)>) -> Result<Catalog> {
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        let c = catalog::Catalog::from_toml_files(&files).map_err(coded)?;
        Ok(Catalog {
            catalog: Arc::new(c),
        })
    }

    /// The latest version of a type; raises ``CatalogError`` (ZZ-E-CAT-001) when unknown.
    fn __getitem__(&self, code: &str) -> Result<LicenceType> {
        let t = self.catalog.get_str(code.trim()).map_err(coded)?;
        Ok(LicenceType::of(t))
    }

    /// The latest version of a type, or ``default`` when it is unknown.
    #[pyo3(signature = (code, default = None))]
    fn get(&self, code: &str, default: Option<Py<PyAny>>, py: Python<'_>) -> Result<Py<PyAny>> {
        match self.catalog.find(code.trim()) {
            Some(t) => Ok(Py::new(py, LicenceType::of(t))?.into_any()),
            None => Ok(default.unwrap_or_else(|| py.None())),
        }
    }

    /// One version of a type.
    fn version(&self, code: &str, version: u32) -> Result<LicenceType> {
        let t = self.catalog.get_str(code.trim()).map_err(coded)?;
        let t = self.catalog.get_version(&t.code, version).map_err(coded)?;
        Ok(LicenceType::of(t))
    }

    /// The types whose name, sector or replaced materials contain ``query``.
    fn search(&self, query: &str) -> Vec<LicenceType> {
        self.catalog.search(query).map(LicenceType::of).collect()
    }

    /// Every type (latest versions), in code order.
    fn types(&self) -> Vec<LicenceType> {
        self.catalog.iter().map(LicenceType::of).collect()
    }

    fn __contains__(&self, code: &str) -> bool {
        self.catalog.find(code.trim()).is_some()
    }

    fn __len__(&self) -> usize {
        self.catalog.len()
    }

    fn __iter__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let list = pyo3::types::PyList::new(py, self.types())?;
        Ok(list.try_iter()?.into_any().unbind())
    }

    fn __repr__(&self) -> String {
        format!("<Catalog of {} licence types>", self.catalog.len())
    }
}

/// A licence type (证照类型): its code, name, defining authority, validity rule and 照面
/// fields.
#[pyclass(frozen, module = "zhengzhao")]
pub struct LicenceType {
    pub t: CoreType,
}

impl LicenceType {
    pub fn of(t: &CoreType) -> LicenceType {
        LicenceType { t: t.clone() }
    }
}

#[pymethods]
impl LicenceType {
    /// 证照类型代码.
    #[getter]
    fn code(&self) -> &str {
        self.t.code.as_ref()
    }

    /// The version of the definition.
    #[getter]
    fn version(&self) -> u32 {
        self.t.version
    }

    /// 证照名称.
    #[getter]
    fn name(&self) -> &str {
        &self.t.name
    }

    /// The sector (行业).
    #[getter]
    fn sector(&self) -> &str {
        &self.t.sector
    }

    /// 持证主体类别: ``person``, ``organisation`` or ``both``.
    #[getter]
    fn holder<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.t.holder)
    }

    /// 证照定义机构: ``{"name", "code", "level"}``.
    #[getter]
    fn authority<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.t.authority)
    }

    /// The validity rule: ``{"kind": "long_term" | "period" | "either", "max_years"?}``.
    #[getter]
    fn validity<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.t.validity)
    }

    /// Whether a window needs the holder's consent to use a licence of this type.
    #[getter]
    fn consent(&self) -> bool {
        self.t.consent
    }

    /// The paper materials a licence of this type replaces.
    #[getter]
    fn replaces(&self) -> Vec<String> {
        self.t.replaces.clone()
    }

    /// The field schema: each 照面 field as ``{"code", "name", "kind", "required", …}``, in
    /// printed order.
    #[getter]
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.t.fields)
    }

    /// The whole definition as a dict (the JSON form of the catalogue).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.t)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .extract::<PyRef<'_, LicenceType>>()
            .is_ok_and(|o| o.t == self.t)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (self.t.code.as_ref(), self.t.version).hash(&mut h);
        h.finish()
    }

    fn __repr__(&self) -> String {
        format!(
            "LicenceType('{}', '{}', version={})",
            self.t.code, self.t.name, self.t.version
        )
    }
}
