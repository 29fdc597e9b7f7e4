//! The library version, the error-code table and the last error, strings, identifiers and the
//! catalogue.

use std::ffi::{c_char, CString};
use std::sync::LazyLock;

use serde_json::json;
use zhengzhao_core::catalog::{Catalog, LicenceType};
use zhengzhao_core::identifier::{LicenceId, Strictness, TypeCode};
use zhengzhao_core::ErrorCode;

use crate::ffi::{
    self, call, fail, new_json, opt_text, out_ptr, text, write_text, zz_status, Fail,
};

static VERSION: &std::ffi::CStr = match std::ffi::CStr::from_bytes_with_nul(
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes(),
) {
    Ok(v) => v,
    Err(_) => panic!("the version has no NUL"),
};

/// The version of the library, e.g. `"0.1.0"`, in `*out`: a static string (never freed).
///
/// Returns `ZZ_OK`; `ZZ-E-USAGE-001` (NULL `out`).
///
/// Thread-safe.
///
/// # Safety
/// `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zz_version(out: *mut *const c_char) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let out = unsafe { out_ptr(out.cast::<*mut c_char>(), "out")? };
        *out = VERSION.as_ptr().cast_mut();
        Ok(())
    })
}

struct CodeText {
    name: CString,
    description: CString,
    hint: CString,
}

static CODES: LazyLock<Vec<(u32, CodeText)>> = LazyLock::new(|| {
    ErrorCode::ALL
        .iter()
        .map(|c| {
            let s = |t: &str| CString::new(t).unwrap_or_default();
            (
                c.number(),
                CodeText {
                    name: s(c.name()),
                    description: s(c.description()),
                    hint: s(c.hint()),
                },
            )
        })
        .collect()
});

/// The number of stable error codes, in `*out` (for walking the table with `zz_error_at`).
///
/// Returns `ZZ_OK`; `ZZ-E-USAGE-001` (NULL `out`).
///
/// Thread-safe.
///
/// # Safety
/// `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zz_error_count(out: *mut usize) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        *unsafe { ffi::out(out, "out")? } = CODES.len();
        Ok(())
    })
}

/// The status number of the `index`-th stable error code (0-based, in numeric order), in
/// `*out_status`.
///
/// Returns `ZZ_OK`; `ZZ-E-USAGE-001` (NULL `out_status`, `index` not below `zz_error_count`).
///
/// Thread-safe.
///
/// # Safety
/// `out_status` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zz_error_at(index: usize, out_status: *mut zz_status) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let o = unsafe { ffi::out(out_status, "out_status")? };
        let (n, _) = CODES.get(index).ok_or_else(|| {
            Fail::usage(format!("index {index}: there are {} codes", CODES.len()))
        })?;
        *o = *n;
        Ok(())
    })
}

/// What a status means: its stable name (e.g. `"ZZ-E-SIG-004"`), a one-line description and
/// a hint of what to do, each a static string (never freed), the same as Rust's `ErrorCode`
/// and Python's. Each output may be NULL when not wanted. Status 0 has the name `"ZZ-OK"`.
///
/// Returns `ZZ_OK`; `ZZ-E-USAGE-001` (`status` is not a code of the table).
///
/// Thread-safe.
///
/// # Safety
/// Each output is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zz_error_info(
    status: zz_status,
    out_name: *mut *const c_char,
    out_description: *mut *const c_char,
    out_hint: *mut *const c_char,
) -> zz_status {
    call(|| {
        let (name, description, hint) = if status == 0 {
            (c"ZZ-OK", c"the call succeeded", c"")
        } else {
            let (_, t) = CODES.iter().find(|(n, _)| *n == status).ok_or_else(|| {
                Fail::usage(format!("{status} is not a status of the code table"))
            })?;
            (
                t.name.as_c_str(),
                t.description.as_c_str(),
                t.hint.as_c_str(),
            )
        };
        for (p, v) in [
            (out_name, name),
            (out_description, description),
            (out_hint, hint),
        ] {
            if !p.is_null() {
                // SAFETY: p is writable (the function's contract).
                unsafe { *p = v.as_ptr() };
            }
        }
        Ok(())
    })
}

/// Copies the message of the last failed call on this thread (empty after a call that
/// succeeded) into `buf` with its NUL, and its length without the NUL into `*out_len`. A size
/// query: `buf` NULL and `cap` 0 sets `*out_len` only.
///
/// Unlike every other call, it leaves the last error as it was, even when it fails.
///
/// Returns `ZZ_OK`; `ZZ-E-USAGE-002` (`cap` is less than the length plus one: nothing
/// written); `ZZ-E-USAGE-001` (NULL `out_len`, or NULL `buf` with a non-zero `cap`).
///
/// Thread-safe: the message is per thread.
///
/// # Safety
/// `buf` is NULL or points to `cap` writable bytes; `out_len` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zz_last_error_message(
    buf: *mut c_char,
    cap: usize,
    out_len: *mut usize,
) -> zz_status {
    let r = std::panic::catch_unwind(|| {
        // SAFETY: the function's contract.
        ffi::with_last_error(|m| unsafe { write_text(m, buf, cap, out_len) })
    });
    match r {
        Ok(Ok(())) => 0,
        Ok(Err(f)) => f.code.number(),
        Err(_) => ErrorCode::Internal.number(),
    }
}

/// Frees a string the library allocated (the `out_json` results). NULL is ignored.
///
/// Thread-safe (for distinct strings).
///
/// # Safety
/// `s` is NULL or a string returned by this library and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn zz_free_string(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: s came from CString::into_raw in this library.
        drop(unsafe { CString::from_raw(s) });
    }
}

/// `zz_id_check` flag: lenient parsing for legacy (存量) identifiers: an issuer code that is a
/// 行政区划代码, 统一社会信用代码 that fail their check, serials of 1–6 characters (each
/// reported as a warning). The identifier's own check character must always match.
pub const ZZ_ID_LENIENT: u32 = 1;

/// Checks a GB/T 36904 licence identifier (电子证照标识), its check character included.
/// `flags`: 0 (strict, for new identifiers) or `ZZ_ID_LENIENT`.
///
/// On success `*out_json` is a library-allocated JSON object, freed with `zz_free_string`:
/// `{"valid": true, "id", "type_code", "type_name" (null when the type is not in the
/// catalogue), "issuer_code", "serial", "version", "check", "warnings": […]}`. NULL on
/// failure: the message names the segment at fault (and the expected check character).
///
/// Returns `ZZ_OK`; `ZZ-E-ID-001`…`ZZ-E-ID-006` (syntax, type code, issuer code, serial,
/// version, check character); `ZZ-E-USAGE-001` (NULL arguments, not UTF-8, unknown flags).
///
/// Thread-safe.
///
/// # Safety
/// `id` is NULL or a NUL-terminated string; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zz_id_check(
    id: *const c_char,
    flags: u32,
    out_json: *mut *mut c_char,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let (id, out) = unsafe { (text(id, "id")?, out_ptr(out_json, "out_json")?) };
        let mode = match flags {
            0 => Strictness::Strict,
            ZZ_ID_LENIENT => Strictness::Lenient,
            f => return Err(Fail::usage(format!("flags {f:#x}: unknown bits"))),
        };
        let id = LicenceId::parse_with(id.trim(), mode).map_err(fail)?;
        let catalog = catalog();
        *out = new_json(&json!({
            "valid": true,
            "id": id.as_ref(),
            "type_code": id.type_code().as_ref(),
            "type_name": catalog.get(id.type_code()).map(|t| t.name.clone()),
            "issuer_code": id.issuer().to_string(),
            "serial": id.serial(),
            "version": id.version(),
            "check": id.check().to_string(),
            "warnings": id.leniencies(),
        }))?;
        Ok(())
    })
}

/// Makes a licence identifier from its parts, computing the check character: the type code
/// (21 characters), the issuer's 统一社会信用代码, a serial of 7–32 characters of `0-9A-Z`
/// and a version 1–999 (strict rules: new identifiers are always strict).
///
/// The identifier goes into the caller's buffer `buf` of `cap` bytes, with its NUL; its
/// length without the NUL into `*out_len`. A size query: `buf` NULL and `cap` 0 sets
/// `*out_len` only (identifiers are at most 94 bytes).
///
/// Returns `ZZ_OK`; `ZZ-E-ID-002`…`ZZ-E-ID-005` (the segment at fault); `ZZ-E-USAGE-002`
/// (`cap` too small: nothing written, `*out_len` set); `ZZ-E-USAGE-001` (NULL arguments, not
/// UTF-8, NULL `buf` with a non-zero `cap`).
///
/// Thread-safe.
///
/// # Safety
/// The strings are NULL or NUL-terminated; `buf` is NULL or points to `cap` writable bytes;
/// `out_len` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zz_id_generate(
    type_code: *const c_char,
    issuer: *const c_char,
    serial: *const c_char,
    version: u32,
    buf: *mut c_char,
    cap: usize,
    out_len: *mut usize,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let (t, issuer, serial) = unsafe {
            (
                text(type_code, "type_code")?,
                text(issuer, "issuer")?,
                text(serial, "serial")?,
            )
        };
        let version = u16::try_from(version).unwrap_or(0);
        let t = TypeCode::parse(t.trim()).map_err(fail)?;
        let id = LicenceId::new(&t, issuer.trim(), serial.trim(), version).map_err(fail)?;
        // SAFETY: the function's contract.
        unsafe { write_text(id.as_ref(), buf, cap, out_len) }
    })
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(Catalog::builtin);

fn catalog() -> &'static Catalog {
    &CATALOG
}

/// The licence types of the built-in catalogue (GB/T 36902), or those whose name, sector or
/// replaceable paper materials contain `search` (NULL for all).
///
/// On success `*out_json` is a library-allocated JSON array, freed with `zz_free_string`,
/// of type objects as `zz_catalog_get` gives them, ordered by type code.
///
/// Returns `ZZ_OK`; `ZZ-E-USAGE-001` (NULL `out_json`, `search` not UTF-8).
///
/// Thread-safe.
///
/// # Safety
/// `search` is NULL or a NUL-terminated string; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zz_catalog_list(
    search: *const c_char,
    out_json: *mut *mut c_char,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let (search, out) =
            unsafe { (opt_text(search, "search")?, out_ptr(out_json, "out_json")?) };
        let types: Vec<&LicenceType> = match search {
            Some(q) => catalog().search(q).collect(),
            None => catalog().iter().collect(),
        };
        *out = new_json(&types)?;
        Ok(())
    })
}

/// One licence type of the built-in catalogue (its latest version), by type code.
///
/// On success `*out_json` is a library-allocated JSON object, freed with `zz_free_string`:
/// `{"code", "version", "name", "authority": {"name", "code", "level"}, "sector", "holder",
/// "validity", "consent", "replaces": [<paper materials>], "services", "fields": […]}` (the
/// format of `zhengzhao catalog show --json`). NULL on failure.
///
/// Returns `ZZ_OK`; `ZZ-E-CAT-001` (no such type); `ZZ-E-USAGE-001` (NULL arguments, not
/// UTF-8).
///
/// Thread-safe.
///
/// # Safety
/// `type_code` is NULL or a NUL-terminated string; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zz_catalog_get(
    type_code: *const c_char,
    out_json: *mut *mut c_char,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let (code, out) = unsafe {
            (
                text(type_code, "type_code")?,
                out_ptr(out_json, "out_json")?,
            )
        };
        let t = catalog().get_str(code.trim()).map_err(fail)?;
        *out = new_json(t)?;
        Ok(())
    })
}
