//! Offline verification: a verifier handle that trusts root certificates and keeps its
//! certificate-path cache, and verifies documents, bundles, `vc+jwt` tokens and QR payloads.

use std::ffi::c_char;
use std::sync::{Arc, RwLock};

use serde_json::json;
use zhengzhao_core::bundle;
use zhengzhao_core::interchange::{self, Kind};
use zhengzhao_core::ofd;
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

/// Verifies, offline, every signature of the sealed OFD file `input`/`len` (GB/T 38540 and
/// GM/T 0031 seals, GB/T 35275 SignedData, bare SM2 signatures). `anchors`/`anchors_len`:
/// root certificates (PEM, or one DER certificate) for the chains of signer and seal-maker
/// certificates, or NULL/0 not to check chains. `certificates`/`certificates_len`: the
/// signer's certificate of a bare signature, or intermediate CA certificates, or NULL/0.
/// `at`: NULL for now, or RFC 3339 / `yyyy-MM-dd`: the time used when a signature carries
/// none.
///
/// `*out_json` is set whenever the package could be read, valid or not: a library-allocated
/// JSON object, freed with `zz_free_string`: `{"valid", "code", "message", "signatures":
/// [{"id", "type", "signature_xml", "format", "content_intact", "changed_entries",
/// "signature_valid", "seal_valid", "signer_in_seal", "within_validity", "chain_trusted",
/// "code", "message", "signed_at", "signer", "seal"}, …]}` (docs/ofd.md). NULL otherwise.
///
/// Returns `ZZ_OK` when every signature holds; otherwise the code of the first failure with
/// the report, e.g. `ZZ-E-OFD-007` (changed content), `ZZ-E-OFD-011` (a signature that does
/// not verify), `ZZ-E-OFD-006` (no signature), `ZZ-E-TRUST-002` (not under the anchors).
/// Without a report: `ZZ-E-OFD-001`…`-005` (not a readable package, beyond the limits, unsafe
/// names, missing entries, malformed XML); `ZZ-E-USAGE-001` (NULL arguments, bad `at`);
/// `ZZ-E-FMT-003`, `ZZ-E-TRUST-*` (certificates that cannot be used).
///
/// Thread-safe.
///
/// # Safety
/// `input` is NULL or points to `len` readable bytes, `anchors` to `anchors_len` and
/// `certificates` to `certificates_len` (each may be NULL with length 0); `at` is NULL or a
/// NUL-terminated string; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zz_ofd_verify(
    input: *const u8,
    len: usize,
    anchors: *const u8,
    anchors_len: usize,
    certificates: *const u8,
    certificates_len: usize,
    at: *const c_char,
    out_json: *mut *mut c_char,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let (input, roots, certs, at, out) = unsafe {
            (
                bytes(input, len, "input")?,
                bytes(anchors, anchors_len, "anchors")?,
                bytes(certificates, certificates_len, "certificates")?,
                opt_text(at, "at")?,
                out_ptr(out_json, "out_json")?,
            )
        };
        let at = parse_at("at", at)?;
        let (anchors, certificates) = ofd_certificates(roots, certs)?;
        let options = ofd::Options {
            anchors: anchors.as_ref(),
            certificates: &certificates,
            at,
            ..ofd::Options::default()
        };
        let report = ofd::verify(input, &options).map_err(fail)?;
        *out = new_json(&report)?;
        match report.code {
            Some(code) => Err(Fail::new(code, report.message.unwrap_or_default())),
            None => Ok(()),
        }
    })
}

/// The anchors (none when `roots` is empty) and certificates that OFD verification takes, each
/// PEM or one DER certificate.
pub(crate) fn ofd_certificates(
    roots: &[u8],
    certs: &[u8],
) -> Result<(Option<TrustAnchors>, Vec<Certificate>)> {
    let anchors = (!roots.is_empty())
        .then(|| Certificate::parse_file(roots).and_then(TrustAnchors::new))
        .transpose()
        .map_err(fail)?;
    let certificates = match certs {
        [] => Vec::new(),
        certs => Certificate::parse_file(certs).map_err(fail)?,
    };
    Ok((anchors, certificates))
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
