//! The native module of the `zhengzhao` Python package (`zhengzhao._zhengzhao`): a thin
//! shell over the Rust library. Documents cross as bytes or JSON, errors as exceptions that
//! carry the library's stable codes (`zhengzhao.errors`), and every call that does real work
//! (issuance, lookup, verification, import) runs without the GIL.

mod audit;
mod authority;
mod catalog;
mod convert;
mod error;
mod identifier;
mod registry;
mod sample;
mod verify;

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::error::{coded, Result};

/// RFC 8785 (JCS) canonical form of a JSON document (``str``, ``bytes`` or a JSON value),
/// as UTF-8 bytes. Raises ``FormatError`` for what JCS cannot represent: duplicate keys,
/// lone surrogates, numbers that are not finite doubles.
#[pyfunction]
fn canonicalize<'py>(py: Python<'py>, document: &Bound<'py, PyAny>) -> Result<Bound<'py, PyBytes>> {
    let bytes = convert::document(document, "document")?;
    let out = zhengzhao_core::jcs::canonicalize(&bytes).map_err(coded)?;
    Ok(PyBytes::new(py, &out))
}

/// Every stable error code: ``(name, number, family, description, hint)``.
#[pyfunction]
fn error_codes() -> Vec<(&'static str, u32, &'static str, &'static str, &'static str)> {
    zhengzhao_core::ErrorCode::ALL
        .iter()
        .map(|c| {
            (
                c.name(),
                c.number(),
                c.family().name(),
                c.description(),
                c.hint(),
            )
        })
        .collect()
}

/// A new signing key, as PKCS#8 PEM: ``ed25519`` (default), ``p256`` or ``sm2``.
#[pyfunction]
#[pyo3(signature = (algorithm = "ed25519"))]
fn generate_key(algorithm: &str) -> Result<String> {
    let a = algorithm
        .parse::<zhengzhao_core::keys::Algorithm>()
        .map_err(coded)?;
    let k = zhengzhao_core::keys::SigningKey::generate(a).map_err(coded)?;
    Ok(k.to_pkcs8_pem())
}

#[pymodule]
fn _zhengzhao(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<catalog::Catalog>()?;
    m.add_class::<catalog::LicenceType>()?;
    m.add_class::<identifier::Identifier>()?;
    m.add_class::<verify::Verifier>()?;
    m.add_class::<verify::VerificationReport>()?;
    m.add_class::<verify::BundleReport>()?;
    m.add_class::<verify::Check>()?;
    m.add_class::<registry::Registry>()?;
    m.add_class::<registry::Issued>()?;
    m.add_class::<registry::Answer>()?;
    m.add_class::<registry::Replies>()?;
    m.add_class::<registry::ImportResult>()?;
    m.add_class::<authority::Authority>()?;
    m.add_class::<sample::Sampler>()?;
    m.add_function(wrap_pyfunction!(canonicalize, m)?)?;
    m.add_function(wrap_pyfunction!(error_codes, m)?)?;
    m.add_function(wrap_pyfunction!(generate_key, m)?)?;
    m.add_function(wrap_pyfunction!(audit::verify_checkpoint, m)?)?;
    m.add_function(wrap_pyfunction!(audit::verify_inclusion, m)?)?;
    m.add_function(wrap_pyfunction!(audit::verify_consistency, m)?)?;
    m.add_function(wrap_pyfunction!(verify::verify_ofd, m)?)?;
    Ok(())
}
