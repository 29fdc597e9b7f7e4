//! The C ABI's entry points that take bytes, fed the fuzz corpora (`fuzz/corpus/`), every
//! prefix of each file and seeded byte flips: each call returns `ZZ_OK` or a code of the
//! table, its output is NULL or JSON, and nothing panics or leaks (the C tests run the same
//! functions under valgrind). libFuzzer targets for the ABI would need a sanitizer build of
//! RocksDB, which the C library links; this replay runs in CI instead.

use std::ffi::{c_char, CStr, CString};
use std::fs;
use std::path::{Path, PathBuf};

use zhengzhao::*;
use zhengzhao_core::ErrorCode;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files of a corpus.
fn corpus(name: &str) -> Vec<Vec<u8>> {
    let dir = fuzz_dir().join("corpus").join(name);
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| fs::read(e.unwrap().path()).unwrap())
        .collect();
    assert!(!files.is_empty(), "{name}: empty corpus");
    files.sort();
    files
}

/// Each input, every 64th of its prefixes, and 32 copies with one byte changed (a fixed
/// xorshift sequence, so that a failure repeats).
fn variants(inputs: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for input in inputs {
        out.push(input.clone());
        for cut in (0..input.len()).step_by(input.len() / 64 + 1) {
            out.push(input[..cut].to_vec());
        }
        for _ in 0..32 {
            if input.is_empty() {
                break;
            }
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let mut v = input.clone();
            let i = (x % v.len() as u64) as usize;
            v[i] ^= (x >> 32) as u8 | 1;
            out.push(v);
        }
    }
    out
}

/// Checks a call's status and output, and frees the output.
fn judge(what: &str, status: zz_status, out: *mut c_char) {
    assert!(
        status == ZZ_OK || ErrorCode::from_number(status).is_some(),
        "{what}: status {status} is not a code of the table"
    );
    if !out.is_null() {
        // SAFETY: a library string, NUL-terminated, freed once below.
        let text = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_owned();
        unsafe { zz_free_string(out) };
        serde_json::from_str::<serde_json::Value>(&text)
            .unwrap_or_else(|e| panic!("{what}: output is not JSON: {e}"));
    }
}

#[test]
fn documents_bundles_tokens_and_qr_payloads_through_zz_verifier_verify() {
    let root = fs::read(fuzz_dir().join("corpus-root.pem")).unwrap();
    let mut verifier: *mut zz_verifier = std::ptr::null_mut();
    // SAFETY: valid pointers and lengths throughout.
    assert_eq!(
        unsafe { zz_verifier_new(root.as_ptr(), root.len(), &mut verifier) },
        ZZ_OK
    );
    let at = c"2027-06-01";
    let mut inputs = Vec::new();
    for name in [
        "verify",
        "bundle",
        "vcjwt",
        "qr",
        "licence_json",
        "gbt36903",
    ] {
        inputs.extend(corpus(name));
    }
    let mut valid = 0;
    for v in variants(&inputs) {
        let mut out: *mut c_char = std::ptr::null_mut();
        let status =
            unsafe { zz_verifier_verify(verifier, v.as_ptr(), v.len(), at.as_ptr(), &mut out) };
        valid += usize::from(status == ZZ_OK);
        judge("zz_verifier_verify", status, out);
    }
    // The seeds hold a signed licence and a bundle that pass every check: the replay reaches
    // the end of verification, not only the parsers.
    assert!(valid >= 2, "{valid} valid inputs");
    assert_eq!(unsafe { zz_verifier_close(verifier) }, ZZ_OK);
}

#[test]
fn ofd_packages_through_zz_ofd_verify() {
    let mut valid = 0;
    for v in variants(&corpus("ofd")) {
        let mut out: *mut c_char = std::ptr::null_mut();
        let status = unsafe {
            zz_ofd_verify(
                v.as_ptr(),
                v.len(),
                std::ptr::null(),
                0,
                std::ptr::null(),
                0,
                std::ptr::null(),
                &mut out,
            )
        };
        valid += usize::from(status == ZZ_OK);
        judge("zz_ofd_verify", status, out);
    }
    assert!(valid >= 2, "{valid} valid packages");
}

#[test]
fn identifiers_and_type_codes_through_zz_id_check_and_zz_catalog_get() {
    let mut inputs = corpus("identifier");
    inputs.extend(corpus("codes"));
    for v in variants(&inputs) {
        // Text arguments end at their first NUL.
        let text = CString::new(v.split(|b| *b == 0).next().unwrap()).unwrap();
        for flags in [0, ZZ_ID_LENIENT, 7] {
            let mut out: *mut c_char = std::ptr::null_mut();
            let status = unsafe { zz_id_check(text.as_ptr(), flags, &mut out) };
            judge("zz_id_check", status, out);
        }
        let mut out: *mut c_char = std::ptr::null_mut();
        let status = unsafe { zz_catalog_get(text.as_ptr(), &mut out) };
        judge("zz_catalog_get", status, out);
    }
}

#[test]
fn window_requests_through_zz_registry_lookup() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = CString::new(tmp.path().join("reg").to_str().unwrap()).unwrap();
    let mut reg: *mut zz_registry = std::ptr::null_mut();
    assert_eq!(
        unsafe {
            zz_registry_create(
                dir.as_ptr(),
                c"{\"sync\":\"os-buffered\"}".as_ptr(),
                &mut reg,
            )
        },
        ZZ_OK
    );
    let request = r#"{"holder_code_type":"001","holder_code":"91330106MA2H3K7P0B","types":["11100000MB0143028R001","11100000MB0143028R104"],"context":{"org":"11330106MB1742305K","operator":"王五","item":"330106-000201-002","case":"2025-XH-000123","reason":"办理食品经营许可","consent":null}}"#.as_bytes();
    let many = [b"[".as_slice(), request, b",", request, b"]"].concat();
    for v in variants(&[request.to_vec()]) {
        let mut out: *mut zz_lookup = std::ptr::null_mut();
        let status =
            unsafe { zz_registry_lookup(reg, v.as_ptr(), v.len(), std::ptr::null(), 0, &mut out) };
        judge("zz_registry_lookup", status, std::ptr::null_mut());
        assert_eq!(status == ZZ_OK, !out.is_null());
        unsafe { zz_free_lookup(out) };
    }
    for v in variants(&[many]) {
        let mut out: *mut zz_lookup = std::ptr::null_mut();
        let status = unsafe {
            zz_registry_lookup_many(reg, v.as_ptr(), v.len(), std::ptr::null(), 0, &mut out)
        };
        judge("zz_registry_lookup_many", status, std::ptr::null_mut());
        unsafe { zz_free_lookup(out) };
    }
    assert_eq!(unsafe { zz_registry_close(reg) }, ZZ_OK);
}
