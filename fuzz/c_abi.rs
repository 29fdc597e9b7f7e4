#![allow(dead_code)] // the fuzz binary and the replay test each use part of it
//! The C ABI fuzz target's body, shared by the cargo-fuzz binary (`fuzz_targets/c_abi.rs`) and
//! the C ABI's corpus replay (`bindings/c/tests/corpus.rs`). The first byte of an input picks
//! the entry point, the rest is what it is given:
//!
//! | byte % 6 | entry point |
//! |---|---|
//! | 0 | `zz_verifier_verify` (documents, bundles, `vc+jwt`, QR payloads), under `corpus-root.pem` |
//! | 1 | `zz_ofd_verify` |
//! | 2 | `zz_id_check`, strict, lenient and with an unknown flag |
//! | 3 | `zz_catalog_get` |
//! | 4 | `zz_registry_lookup` |
//! | 5 | `zz_registry_lookup_many` |
//!
//! Every call must return `ZZ_OK` or a code of the table, with NULL or JSON as its output.

use std::ffi::{c_char, CStr, CString};
use std::path::Path;

use zhengzhao::*;
use zhengzhao_core::ErrorCode;

/// The handles the entry points run on: a verifier trusting the corpus CA and an empty
/// registry (kept as addresses, so that they can live in a static).
pub struct Abi {
    verifier: usize,
    registry: usize,
}

impl Abi {
    /// Opens the handles, with the registry in `dir` (absent or empty).
    pub fn new(dir: &Path) -> Abi {
        let root = include_bytes!("corpus-root.pem");
        let mut verifier: *mut zz_verifier = std::ptr::null_mut();
        let mut registry: *mut zz_registry = std::ptr::null_mut();
        let dir = CString::new(dir.to_str().expect("a UTF-8 path")).expect("no NUL");
        // SAFETY: valid pointers and lengths.
        unsafe {
            assert_eq!(
                zz_verifier_new(root.as_ptr(), root.len(), &mut verifier),
                ZZ_OK
            );
            assert_eq!(
                zz_registry_create(
                    dir.as_ptr(),
                    c"{\"sync\":\"os-buffered\"}".as_ptr(),
                    &mut registry
                ),
                ZZ_OK
            );
        }
        Abi {
            verifier: verifier as usize,
            registry: registry as usize,
        }
    }

    /// Runs one input; returns the status of the call.
    pub fn run(&self, data: &[u8]) -> zz_status {
        let Some((&which, input)) = data.split_first() else {
            return ZZ_OK;
        };
        let mut out: *mut c_char = std::ptr::null_mut();
        // SAFETY: the handles are open, `input` is readable for its length, the outputs are
        // writable; each output is judged and freed once.
        unsafe {
            match which % 6 {
                0 => {
                    let s = zz_verifier_verify(
                        self.verifier as *mut zz_verifier,
                        input.as_ptr(),
                        input.len(),
                        c"2027-06-01".as_ptr(),
                        &mut out,
                    );
                    judge(s, out)
                }
                1 => {
                    let null = std::ptr::null();
                    let s = zz_ofd_verify(
                        input.as_ptr(),
                        input.len(),
                        null,
                        0,
                        null,
                        0,
                        null.cast(),
                        &mut out,
                    );
                    judge(s, out)
                }
                2 => {
                    // Strict, lenient, and an unknown flag (refused); the strict call's status.
                    let text = text(input);
                    let statuses = [0, ZZ_ID_LENIENT, 7].map(|flags| {
                        let mut out: *mut c_char = std::ptr::null_mut();
                        judge(zz_id_check(text.as_ptr(), flags, &mut out), out)
                    });
                    assert_ne!(statuses[2], ZZ_OK, "an unknown flag is refused");
                    statuses[0]
                }
                3 => {
                    let text = text(input);
                    judge(zz_catalog_get(text.as_ptr(), &mut out), out)
                }
                w => {
                    let mut lookup: *mut zz_lookup = std::ptr::null_mut();
                    let r = self.registry as *mut zz_registry;
                    let null = std::ptr::null();
                    let s = if w == 4 {
                        zz_registry_lookup(
                            r,
                            input.as_ptr(),
                            input.len(),
                            null,
                            ZZ_LOOKUP_UNLOGGED,
                            &mut lookup,
                        )
                    } else {
                        zz_registry_lookup_many(
                            r,
                            input.as_ptr(),
                            input.len(),
                            null,
                            ZZ_LOOKUP_UNLOGGED,
                            &mut lookup,
                        )
                    };
                    assert_eq!(s == ZZ_OK, !lookup.is_null(), "a result exactly on success");
                    zz_free_lookup(lookup);
                    judge(s, std::ptr::null_mut())
                }
            }
        }
    }
}

impl Drop for Abi {
    fn drop(&mut self) {
        // SAFETY: the handles were opened by `new` and are closed once.
        unsafe {
            zz_verifier_close(self.verifier as *mut zz_verifier);
            zz_registry_close(self.registry as *mut zz_registry);
        }
    }
}

/// A text argument: the input up to its first NUL.
fn text(input: &[u8]) -> CString {
    CString::new(input.split(|b| *b == 0).next().unwrap_or_default()).expect("no NUL")
}

/// Checks a call's status and output, frees the output, and returns the status.
///
/// # Safety
/// `out` is NULL or a string the library returned.
unsafe fn judge(status: zz_status, out: *mut c_char) -> zz_status {
    assert!(
        status == ZZ_OK || ErrorCode::from_number(status).is_some(),
        "status {status} is not a code of the table"
    );
    if !out.is_null() {
        // SAFETY: a library string, NUL-terminated, freed once here.
        let text = unsafe { CStr::from_ptr(out) }.to_str().map(str::to_owned);
        unsafe { zz_free_string(out) };
        let text = text.expect("output is UTF-8");
        serde_json::from_str::<serde_json::Value>(&text).expect("output is JSON");
    }
    status
}
