//! Offline checks of the usage log for auditors: signed checkpoints and the Merkle proofs
//! checked against them, with nothing but the log's verifier key.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use zhengzhao_core::checkpoint::{Checkpoint, Verifier};
use zhengzhao_core::merkle::{ConsistencyProof, InclusionProof};
use zhengzhao_core::ErrorCode;

use crate::convert::json_dumps;
use crate::error::{coded, Error, Result};

fn open(vkey: &str, note: &str) -> Result<Checkpoint> {
    let v = Verifier::from_vkey(vkey.trim()).map_err(coded)?;
    Checkpoint::open_from(note, v.name(), std::slice::from_ref(&v)).map_err(coded)
}

fn described<'py>(py: Python<'py>, cp: &Checkpoint) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("origin", &cp.origin)?;
    d.set_item("size", cp.size)?;
    d.set_item("root", hex::encode(cp.root))?;
    Ok(d)
}

fn proof<T: serde::de::DeserializeOwned>(obj: &Bound<'_, PyAny>) -> Result<T> {
    let text = match obj.extract::<String>() {
        Ok(s) => s,
        Err(_) => json_dumps(obj, "proof")?,
    };
    serde_json::from_str(&text)
        .map_err(|e| Error::new(ErrorCode::LogProofMalformed, format!("proof: {e}")))
}

/// Opens a signed checkpoint (a C2SP note) with the log's verifier key (from
/// ``Registry.log_vkey``): ``{"origin", "size", "root"}``. Raises ``LogError`` when the
/// signature or origin is wrong.
#[pyfunction]
pub fn verify_checkpoint<'py>(
    py: Python<'py>,
    vkey: &str,
    checkpoint: &str,
) -> Result<Bound<'py, PyDict>> {
    let cp = open(vkey, checkpoint)?;
    Ok(described(py, &cp)?)
}

/// Checks that ``event`` (the event's text as logged, from ``Registry.event``) is in the log
/// a signed checkpoint commits to, by an inclusion proof (a dict or its JSON). Returns the
/// checkpoint; raises ``LogError`` when anything does not verify.
#[pyfunction]
pub fn verify_inclusion<'py>(
    py: Python<'py>,
    vkey: &str,
    checkpoint: &str,
    proof: &Bound<'py, PyAny>,
    event: &Bound<'py, PyAny>,
) -> Result<Bound<'py, PyDict>> {
    let cp = open(vkey, checkpoint)?;
    let p: InclusionProof = self::proof(proof)?;
    let event = crate::convert::document(event, "event")?;
    cp.verify_inclusion(&p, &event).map_err(coded)?;
    Ok(described(py, &cp)?)
}

/// Checks that the log a newer signed checkpoint commits to extends the one an older
/// checkpoint commits to (nothing logged was changed or dropped), by a consistency proof.
#[pyfunction]
pub fn verify_consistency<'py>(
    py: Python<'py>,
    vkey: &str,
    old_checkpoint: &str,
    checkpoint: &str,
    proof: &Bound<'py, PyAny>,
) -> Result<Bound<'py, PyDict>> {
    let old = open(vkey, old_checkpoint)?;
    let cp = open(vkey, checkpoint)?;
    let p: ConsistencyProof = self::proof(proof)?;
    cp.verify_consistency(&old, &p).map_err(coded)?;
    Ok(described(py, &cp)?)
}
