//! `Identifier`: a GB/T 36904 电子证照标识.

use pyo3::prelude::*;
use zhengzhao_core::identifier::{LicenceId, Strictness, TypeCode};

use crate::error::{coded, Result};

/// A licence identifier (电子证照标识, GB/T 36904), parsed and checked.
///
/// >>> i = Identifier.parse("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F")
/// >>> i.type_code, i.version, i.check
/// ('11100000000013338W032', 1, 'F')
#[pyclass(frozen, module = "zhengzhao")]
pub struct Identifier {
    pub id: LicenceId,
}

fn strictness(lenient: bool) -> Strictness {
    if lenient {
        Strictness::Lenient
    } else {
        Strictness::Strict
    }
}

#[pymethods]
impl Identifier {
    /// Parses and checks an identifier. ``lenient=True`` also accepts what legacy (存量)
    /// identifiers have: a 行政区划代码 as issuer code, 统一社会信用代码 that fail their check,
    /// short serials (see ``warnings``). The check character must always match.
    /// Raises ``IdentifierError`` (or ``CodeError``) naming what is wrong.
    #[staticmethod]
    #[pyo3(signature = (text, *, lenient = false))]
    fn parse(text: &str, lenient: bool) -> Result<Identifier> {
        let id = LicenceId::parse_with(text.trim(), strictness(lenient)).map_err(coded)?;
        Ok(Identifier { id })
    }

    /// Whether ``text`` is a well-formed identifier with a matching check character.
    #[staticmethod]
    #[pyo3(signature = (text, *, lenient = false))]
    fn is_valid(text: &str, lenient: bool) -> bool {
        LicenceId::parse_with(text.trim(), strictness(lenient)).is_ok()
    }

    /// Makes the identifier of a new licence: type code, issuer's 统一社会信用代码, serial and
    /// version (1–999); the check character is computed.
    #[staticmethod]
    #[pyo3(signature = (type_code, issuer, serial, version = 1))]
    fn new(type_code: &str, issuer: &str, serial: &str, version: u32) -> Result<Identifier> {
        let t = TypeCode::parse(type_code.trim()).map_err(coded)?;
        let version = u16::try_from(version).unwrap_or(0);
        let id = LicenceId::new(&t, issuer.trim(), serial.trim(), version).map_err(coded)?;
        Ok(Identifier { id })
    }

    /// The same licence at another version (a change supersedes 001 with 002).
    fn with_version(&self, version: u32) -> Result<Identifier> {
        let version = u16::try_from(version).unwrap_or(0);
        let id = self.id.with_version(version).map_err(coded)?;
        Ok(Identifier { id })
    }

    /// 证照类型代码: the defining authority's 统一社会信用代码 and a 3-digit sequence.
    #[getter]
    fn type_code(&self) -> &str {
        self.id.type_code().as_ref()
    }

    /// The issuer code (颁证单位代码).
    #[getter]
    fn issuer(&self) -> String {
        self.id.issuer().to_string()
    }

    /// The serial (证照顺序码).
    #[getter]
    fn serial(&self) -> &str {
        self.id.serial()
    }

    /// The version, from 1.
    #[getter]
    fn version(&self) -> u16 {
        self.id.version()
    }

    /// The ISO/IEC 7064 MOD 37,36 check character.
    #[getter]
    fn check(&self) -> String {
        self.id.check().to_string()
    }

    /// What lenient parsing accepted that strict parsing would not (empty when strict).
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.id.leniencies()
    }

    fn __str__(&self) -> &str {
        self.id.as_ref()
    }

    fn __repr__(&self) -> String {
        format!("Identifier('{}')", self.id.as_ref())
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.id.as_ref().hash(&mut h);
        h.finish()
    }

    /// Equal to the same identifier, as an ``Identifier`` or as text.
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.extract::<PyRef<'_, Identifier>>() {
            Ok(o) => o.id == self.id,
            Err(_) => other
                .extract::<String>()
                .is_ok_and(|s| s == self.id.as_ref()),
        }
    }
}

/// The text of an identifier argument: an `Identifier` or `str`, parsed strictly.
pub fn id_arg(obj: &Bound<'_, PyAny>) -> Result<LicenceId> {
    if let Ok(i) = obj.extract::<PyRef<'_, Identifier>>() {
        return Ok(i.id.clone());
    }
    let text: String = obj.extract().map_err(|_| {
        crate::error::Error::usage("an identifier is an Identifier or a str".to_string())
    })?;
    LicenceId::parse(text.trim()).map_err(coded)
}
