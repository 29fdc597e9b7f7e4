//! Offline verification: a verifier handle that trusts root certificates and keeps its
//! certificate-path cache, and verifies documents, bundles, `vc+jwt` tokens and QR payloads.

use std::ffi::c_char;
use std::sync::{Arc, RwLock};

use serde_json::json;
use zhengzhao_core::bundle;
use zhengzhao_core::interchange::{self, Kind};
use zhengzhao_core::pki::{Certificate, TrustAnchors};
use zhengzhao_core::verify::{Context, Report, Verifier};
use zhengzhao_core::ErrorCode;

use crate::ffi::{
    self, bytes, call, fail, new_json, opt_text, out_ptr, parse_at, text, zz_status, Fail, Object,
    Result,
};

/// A verifier made by `zz_verifier_new` or `zz_verifier_new_from_file`. Opaque: never
/// dereference it.
pub struct zz_verifier {
    _opaque: [u8; 0],
}

fn anchors(pem: &[u8], what: &str) -> Result<TrustAnchors> {
    let certs = Certificate::parse_pem_bundle(pem)
        .map_err(|e| Fail::new(zhengzhao_core::Coded::code(&e), format!("{what}: {e}")))?;
    TrustAnchors::new(certs)
        .map_err(|e| Fail::new(zhengzhao_core::Coded::code(&e), format!("{what}: {e}")))
}

fn new_verifier(a: TrustAnchors, out: &mut *mut zz_verifier) {
    let v = Verifier::new(a);
    *out = ffi::insert(Object::Verifier(Arc::new(RwLock::new(v)))) as *mut zz_verifier;
}

/// Makes a verifier that trusts the root certificates of `anchors_pem`/`len` (one or more PEM
/// `CERTIFICATE` blocks) and checks licence data against the built-in catalogue. It keeps
/// validated certificate paths across calls.
///
/// On success `*out` is a new verifier handle, closed with `zz_verifier_close`; NULL on
/// failure.
///
/// Returns `ZZ_OK`; `ZZ-E-USAGE-001` (NULL arguments, bad length); `ZZ-E-FMT-003` (not PEM),
/// `ZZ-E-TRUST-001` (a certificate that does not parse), `ZZ-E-TRUST-*` (not a CA, no
/// anchors at all).
///
/// Thread-safe.
///
/// # Safety
/// `anchors_pem` is NULL or points to `len` readable bytes; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zz_verifier_new(
    anchors_pem: *const u8,
    len: usize,
    out: *mut *mut zz_verifier,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let (pem, out) = unsafe {
            (
                bytes(anchors_pem, len, "anchors_pem")?,
                out_ptr(out, "out")?,
            )
        };
        new_verifier(anchors(pem, "anchors")?, out);
        Ok(())
    })
}

/// As `zz_verifier_new`, with the root certificates read from the PEM file `anchors_path`.
///
/// Returns `ZZ_OK`; `ZZ-E-USAGE-001` (NULL arguments, not UTF-8); `ZZ-E-IO-001` (the file
/// cannot be read); the codes of `zz_verifier_new`.
///
/// Thread-safe.
///
/// # Safety
/// `anchors_path` is NULL or a NUL-terminated string; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zz_verifier_new_from_file(
    anchors_path: *const c_char,
    out: *mut *mut zz_verifier,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let (path, out) = unsafe { (text(anchors_path, "anchors_path")?, out_ptr(out, "out")?) };
        let pem =
            std::fs::read(path).map_err(|e| Fail::new(ErrorCode::Io, format!("{path}: {e}")))?;
        new_verifier(anchors(&pem, path)?, out);
        Ok(())
    })
}

/// Adds signing (or intermediate) certificates, PEM, to the verifier's trust store, so that
/// documents that come without a bundle can name them. They are not trust anchors: each must
/// still chain to one.
///
/// Returns `ZZ_OK`; `ZZ-E-USAGE-001`; `ZZ-E-FMT-003`, `ZZ-E-TRUST-001`;
/// `ZZ-E-USAGE-003`/`-004` (bad handle).
///
/// Thread-safe: it waits for verifications running on the handle.
///
/// # Safety
/// `certificates_pem` is NULL or points to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn zz_verifier_add_certificates(
    verifier: *mut zz_verifier,
    certificates_pem: *const u8,
    len: usize,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let pem = unsafe { bytes(certificates_pem, len, "certificates_pem")? };
        let v = ffi::verifier(verifier as usize, "verifier")?;
        let certs = Certificate::parse_pem_bundle(pem).map_err(fail)?;
        let mut v = v.write().unwrap_or_else(|p| p.into_inner());
        for c in certs {
            v.add_certificate(c);
        }
        Ok(())
    })
}

/// The code of a report's first failure as a status.
fn status_of(r: &Report) -> Option<Fail> {
    (!r.valid).then(|| {
        Fail::new(
            r.code.unwrap_or(ErrorCode::SignatureInvalid),
            r.message.clone().unwrap_or_else(|| "invalid".to_owned()),
        )
    })
}

/// Verifies, offline, what `input`/`len` is: a signed licence document (VC-DI JSON), an
/// offline bundle (its certificates and status lists are used), a `vc+jwt` token or a QR
/// payload (`ZZ1:…`), told apart by their shape. `at`: NULL for now, or RFC 3339 /
/// `yyyy-MM-dd` (noon, China Standard Time).
///
/// `*out_json` is set whenever verification ran, valid or not: a library-allocated JSON
/// object, freed with `zz_free_string`: `{"kind": "licence" | "vc-jwt" | "qr" | "bundle" |
/// "gbt36903",
/// "valid": true | false, "report": <the report>}`, where the report of a single licence is
/// `{"id", "valid", "code", "message", "checks": [{"name", "outcome", "code", "detail"}, …],
/// "warnings"}` (every check, in order: document, identifier, proof, certificate,
/// signature, issuer, licence_type, validity, schema, status) and that of a bundle is
/// `{"valid", "licences": [<report>, …], "status_lists": [{"id", "valid", "code",
/// "message"}, …]}`. It is NULL when the input could not be verified at all.
///
/// Returns `ZZ_OK` when valid; when invalid, the code of the first failed check (the report
/// is still given), e.g. `ZZ-E-SIG-004` (altered document), `ZZ-E-TRUST-002` (does not
/// chain to the verifier's anchors: wrong anchors), `ZZ-E-STATUS-001` (expired),
/// `ZZ-E-FMT-001` (not JSON), `ZZ-E-FMT-008`…`-011` (a QR payload that does not decode),
/// `ZZ-E-USAGE-001` (a flat GB/T 36903 record, which carries no signature: its report's
/// `kind` is `gbt36903`). Without a report: `ZZ-E-USAGE-001` (NULL arguments, bad length, bad
/// `at`); `ZZ-E-FMT-004` (a malformed bundle); `ZZ-E-USAGE-003`/`-004` (bad handle).
///
/// Thread-safe: any number of threads may verify on one handle, sharing its path cache.
///
/// # Safety
/// `input` is NULL or points to `len` readable bytes; `at` is NULL or a NUL-terminated
/// string; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zz_verifier_verify(
    verifier: *mut zz_verifier,
    input: *const u8,
    len: usize,
    at: *const c_char,
    out_json: *mut *mut c_char,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let (input, at, out) = unsafe {
            (
                bytes(input, len, "input")?,
                opt_text(at, "at")?,
                out_ptr(out_json, "out_json")?,
            )
        };
        let at = parse_at("at", at)?;
        let v = ffi::verifier(verifier as usize, "verifier")?;
        let v = v.read().unwrap_or_else(|p| p.into_inner());
        let ctx = Context {
            at,
            certificates: &[],
            status_lists: &[],
        };
        if interchange::sniff(input) == Kind::Bundle {
            let report = bundle::verify(&v, input, at).map_err(fail)?;
            let failure = (!report.valid).then(|| {
                report
                    .licences
                    .iter()
                    .find_map(status_of)
                    .or_else(|| {
                        report.status_lists.iter().find(|l| !l.valid).map(|l| {
                            Fail::new(
                                l.code
                                    .as_deref()
                                    .and_then(ErrorCode::from_name)
                                    .unwrap_or(ErrorCode::StatusList),
                                l.message.clone().unwrap_or_default(),
                            )
                        })
                    })
                    .unwrap_or_else(|| Fail::new(ErrorCode::Bundle, "the bundle is not valid"))
            });
            *out = new_json(&json!({ "kind": "bundle", "valid": report.valid, "report": report }))?;
            return failure.map_or(Ok(()), Err);
        }
        let (kind, report) = v.verify_presented(input, &ctx);
        let kind = kind.name();
        *out = new_json(&json!({ "kind": kind, "valid": report.valid, "report": report }))?;
        status_of(&report).map_or(Ok(()), Err)
    })
}

/// Closes a verifier handle (verifications running on it in other threads finish first).
///
/// Returns `ZZ_OK`; `ZZ-E-USAGE-001` (NULL); `ZZ-E-USAGE-003` (already closed, or never
/// opened); `ZZ-E-USAGE-004` (a registry handle).
///
/// Thread-safe.
///
/// # Safety
/// `verifier` is any value: it is not dereferenced.
#[no_mangle]
pub unsafe extern "C" fn zz_verifier_close(verifier: *mut zz_verifier) -> zz_status {
    call(|| {
        ffi::remove(
            verifier as usize,
            "verifier",
            |o| matches!(o, Object::Verifier(_)),
            "a verifier",
        )
    })
}
