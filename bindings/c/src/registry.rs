//! The registry: open and close, issuance, lifecycle steps, grants and the window lookup.

use std::ffi::{c_char, CStr};
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::json;
use zhengzhao_core::codes::Uscc;
use zhengzhao_core::identifier::{LicenceId, TypeCode};
use zhengzhao_core::keystore::AuthorityDir;
use zhengzhao_core::licence::Licence;
use zhengzhao_core::{Coded, ErrorCode};
use zhengzhao_registry::export::ExportFormat;
use zhengzhao_registry::window::Document;
use zhengzhao_registry::{
    Answer, CachedSigners, Cause, DocumentFormat, IssueRequest, OfdImport, Options, Refusal,
    Registry, RegistryError, Step, WalSync, WindowRequest,
};

use crate::ffi::{
    self, bytes, call, fail, new_json, new_string, opt_text, out_ptr, parse_at, text, utf8,
    zz_status, Fail, Object, Result,
};

/// A registry opened by `zz_registry_open`, `zz_registry_create` or
/// `zz_registry_open_secondary`. Opaque: never dereference it.
pub struct zz_registry {
    _opaque: [u8; 0],
}

/// `zz_registry_step`: 暂扣, Valid → Suspended.
pub const ZZ_STEP_SUSPEND: u32 = 1;
/// `zz_registry_step`: 发还, Suspended → Valid.
pub const ZZ_STEP_RESUME: u32 = 2;
/// `zz_registry_step`: 吊销, Valid or Suspended → Revoked.
pub const ZZ_STEP_REVOKE: u32 = 3;
/// `zz_registry_step`: 撤销, Valid or Suspended → Withdrawn.
pub const ZZ_STEP_WITHDRAW: u32 = 4;
/// `zz_registry_step`: 注销, Valid or Suspended → Cancelled.
pub const ZZ_STEP_CANCEL: u32 = 5;
/// `zz_registry_step`: 转出, Valid → TransferredOut.
pub const ZZ_STEP_TRANSFER_OUT: u32 = 6;

/// `zz_registry_lookup` flag: answer without recording a use in the usage log. A use at a
/// window must be logged: this is for checks that are not a use (what a holder could present
/// before a case is opened).
pub const ZZ_LOOKUP_UNLOGGED: u32 = 1;

/// The answer for one requested licence type. Every pointer points into the `zz_lookup` it
/// belongs to and is valid until `zz_free_lookup`.
#[repr(C)]
pub struct zz_answer {
    /// The requested type code (证照类型代码), NUL-terminated.
    pub type_code: *const c_char,
    /// The 电子证照标识 of the licence concerned, NUL-terminated; NULL when there is none
    /// (never for `not_authorised` or `consent_missing`).
    pub id: *const c_char,
    /// NULL when a licence is given (免提交); otherwise why not, a stable name:
    /// `not_authorised`, `consent_missing`, `none`, `expired`, `not_yet_valid`, `suspended`,
    /// `revoked`, `withdrawn`, `cancelled`, `transferred_out`. A static string.
    pub refusal: *const c_char,
    /// The signed licence document exactly as stored (UTF-8 JSON, W3C VC 2.0, or the bytes of
    /// an imported OFD file: see `format`), followed by a NUL byte that `document_len` does not
    /// count; NULL when refused.
    pub document: *const u8,
    /// The length of `document` in bytes, without the NUL; 0 when refused.
    pub document_len: usize,
    /// The document's form, a static string: `vc` (a credential the registry signed, UTF-8
    /// JSON) or `ofd` (a sealed OFD file imported with `zz_registry_import_ofd`, binary);
    /// NULL when refused.
    pub format: *const c_char,
}

/// The answers to one window request.
#[repr(C)]
pub struct zz_reply {
    /// `ZZ_OK`, or why this request was refused as a whole (e.g. `ZZ-E-WINDOW-001`, a
    /// malformed request): then `answers` is NULL.
    pub status: zz_status,
    /// The message of a refused request, NUL-terminated; NULL when `status` is `ZZ_OK`.
    pub message: *const c_char,
    /// One answer per requested type, in the order of the request's `types`.
    pub answers: *const zz_answer,
    /// The number of answers.
    pub answer_count: usize,
}

/// The result of `zz_registry_lookup` or `zz_registry_lookup_many`: one library allocation,
/// freed with `zz_free_lookup`.
#[repr(C)]
pub struct zz_lookup {
    /// One reply per request, in order.
    pub replies: *const zz_reply,
    /// The number of replies (1 for `zz_registry_lookup`).
    pub reply_count: usize,
}

/// What a `zz_lookup` points into: the storage of its replies, answers, texts and documents.
/// `head` comes first, so that a pointer to the box is a pointer to it.
#[repr(C)]
struct LookupBox {
    head: zz_lookup,
    _replies: Vec<zz_reply>,
    _answers: Vec<zz_answer>,
    _arena: Vec<u8>,
}

/// One request's answers, or its error.
enum Row<'a, D> {
    Answers(&'a [Answer<D>]),
    Error(ErrorCode, String),
}

fn refusal_name(r: Refusal) -> &'static CStr {
    match r {
        Refusal::NotAuthorised => c"not_authorised",
        Refusal::ConsentMissing => c"consent_missing",
        Refusal::None => c"none",
        Refusal::Expired => c"expired",
        Refusal::NotYetValid => c"not_yet_valid",
        Refusal::Suspended => c"suspended",
        Refusal::Revoked => c"revoked",
        Refusal::Withdrawn => c"withdrawn",
        Refusal::Cancelled => c"cancelled",
        Refusal::TransferredOut => c"transferred_out",
    }
}

/// Copies the answers into one arena, each document exactly once.
fn build_lookup<D: AsRef<[u8]>>(rows: &[Row<'_, D>]) -> *mut zz_lookup {
    let mut size = 0usize;
    let mut n_answers = 0usize;
    for row in rows {
        match row {
            Row::Error(_, m) => size += m.len() + 1,
            Row::Answers(a) => {
                n_answers += a.len();
                for a in a.iter() {
                    size += a.type_code().as_ref().len() + 1;
                    size += a.id().map_or(0, |i| i.len() + 1);
                    size += a.document().map_or(0, |d| d.len() + 1);
                }
            }
        }
    }
    let mut arena: Vec<u8> = Vec::with_capacity(size);
    let base = arena.as_ptr();
    // Appends bytes and a NUL; the arena never grows past its capacity, so `base` stays put.
    let push = |arena: &mut Vec<u8>, b: &[u8]| -> *const u8 {
        let start = arena.len();
        debug_assert!(start + b.len() < arena.capacity() + 1);
        arena.extend_from_slice(b);
        arena.push(0);
        // SAFETY: start <= len <= capacity of the one allocation that starts at base.
        unsafe { base.add(start) }
    };
    let mut answers: Vec<zz_answer> = Vec::with_capacity(n_answers);
    let mut spans = Vec::with_capacity(rows.len());
    for row in rows {
        match row {
            Row::Error(code, m) => {
                let p = push(&mut arena, m.as_bytes());
                spans.push((code.number(), p.cast::<c_char>(), 0usize, 0usize));
            }
            Row::Answers(a) => {
                let first = answers.len();
                for a in a.iter() {
                    let type_code = push(&mut arena, a.type_code().as_ref().as_bytes()).cast();
                    let id = a
                        .id()
                        .map_or(std::ptr::null(), |i| push(&mut arena, i.as_bytes()).cast());
                    let (document, document_len, format) = match a.document() {
                        Some(d) => (
                            push(&mut arena, d),
                            d.len(),
                            match DocumentFormat::of(d) {
                                DocumentFormat::Vc => c"vc".as_ptr(),
                                DocumentFormat::Ofd => c"ofd".as_ptr(),
                            },
                        ),
                        None => (std::ptr::null(), 0, std::ptr::null()),
                    };
                    answers.push(zz_answer {
                        type_code,
                        id,
                        refusal: a
                            .refusal()
                            .map_or(std::ptr::null(), |r| refusal_name(r).as_ptr()),
                        document,
                        document_len,
                        format,
                    });
                }
                spans.push((0, std::ptr::null(), first, a.len()));
            }
        }
    }
    debug_assert_eq!(arena.as_ptr(), base);
    let replies: Vec<zz_reply> = spans
        .into_iter()
        .map(|(status, message, first, count)| zz_reply {
            status,
            message,
            answers: if status == 0 {
                // SAFETY: first + count <= answers.len(), within the allocation.
                unsafe { answers.as_ptr().add(first) }
            } else {
                std::ptr::null()
            },
            answer_count: count,
        })
        .collect();
    let b = Box::new(LookupBox {
        head: zz_lookup {
            replies: replies.as_ptr(),
            reply_count: replies.len(),
        },
        _replies: replies,
        _answers: answers,
        _arena: arena,
    });
    // `head` is the first field of the #[repr(C)] box: hand out the box itself, found back in
    // zz_free_lookup.
    Box::into_raw(b).cast::<zz_lookup>()
}

// `head` must be at offset 0 for the cast above and back.
const _: () = assert!(std::mem::offset_of!(LookupBox, head) == 0);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionsJson {
    cache_mib: Option<usize>,
    sync: Option<String>,
    authority: Option<String>,
    origin: Option<String>,
}

fn options(json: Option<&str>) -> Result<Options> {
    let o: OptionsJson = match json {
        None => OptionsJson {
            cache_mib: None,
            sync: None,
            authority: None,
            origin: None,
        },
        Some(j) => serde_json::from_str(j)
            .map_err(|e| Fail::new(ErrorCode::Json, format!("options: {e}")))?,
    };
    let mut opts = Options::new();
    if let Some(mib) = o.cache_mib {
        let bytes = mib
            .checked_mul(1 << 20)
            .ok_or_else(|| Fail::usage(format!("options: cache_mib {mib} is too large")))?;
        opts = opts.cache_bytes(bytes);
    }
    match o.sync.as_deref() {
        None | Some("every-write") => {}
        Some("os-buffered") => opts = opts.sync(WalSync::OsBuffered),
        Some(other) => {
            return Err(Fail::usage(format!(
                "options: sync '{other}' is neither every-write nor os-buffered"
            )))
        }
    }
    if let Some(dir) = &o.authority {
        let a = AuthorityDir::open(Path::new(dir)).map_err(fail)?;
        opts = opts.signers(Arc::new(CachedSigners::new(a)));
    }
    if let Some(origin) = o.origin {
        opts = opts.log_origin(origin);
    }
    Ok(opts)
}

fn new_handle(r: Registry, out: &mut *mut zz_registry) {
    *out = ffi::insert(Object::Registry(Arc::new(r))) as *mut zz_registry;
}

/// Wraps a registry the caller opened in Rust as a handle (for the benches and Rust hosts
/// that mix both APIs). Not part of the C header.
pub fn handle_of(registry: Arc<Registry>) -> *mut zz_registry {
    ffi::insert(Object::Registry(registry)) as *mut zz_registry
}

fn reg(handle: *mut zz_registry) -> Result<Arc<Registry>> {
    ffi::registry(handle as usize, "registry")
}

/// Creates a registry in the folder `data_dir`, which must be absent or empty, and opens it
/// read-write.
///
/// `options_json` (NULL for the defaults) is a JSON object with any of: `"cache_mib"` (the
/// block cache shared by the column families, MiB, default 64), `"sync"` (`"every-write"`,
/// the default: every write is fsynced before the call returns; or `"os-buffered"`: survives a
/// killed process, not a power failure), `"authority"` (the authority folder made by
/// `zhengzhao authority init`, with the departments' signing keys: needed to issue),
/// `"origin"` (the origin of the new registry's log, e.g. `"zzk.xihu.example/registry"`).
///
/// On success `*out` is a new registry handle, to be closed with `zz_registry_close`; on
/// failure it is NULL.
///
/// Returns `ZZ_OK`; `ZZ-E-USAGE-001` (NULL `data_dir` or `out`, text not UTF-8, a bad option
/// value); `ZZ-E-FMT-001` (`options_json` is not JSON of that shape); `ZZ-E-STORE-007` (the
/// folder is not empty); `ZZ-E-STORE-001`, `ZZ-E-IO-001`, `ZZ-E-KEY-*` (the authority
/// folder) or another storage code.
///
/// Thread-safe.
///
/// # Safety
/// `data_dir` and `options_json` are NULL or NUL-terminated strings; `out` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn zz_registry_create(
    data_dir: *const c_char,
    options_json: *const c_char,
    out: *mut *mut zz_registry,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let (dir, json, out) = unsafe {
            (
                text(data_dir, "data_dir")?,
                opt_text(options_json, "options_json")?,
                out_ptr(out, "out")?,
            )
        };
        let r = Registry::create(Path::new(dir), options(json)?).map_err(fail)?;
        new_handle(r, out);
        Ok(())
    })
}

/// Opens the registry in the folder `data_dir` read-write. One process writes a registry: a
/// second read-write open of the same folder, in this process or another, fails with
/// `ZZ-E-STORE-004` while the first is open (window processes open read-only secondaries with
/// `zz_registry_open_secondary`).
///
/// `options_json`: as `zz_registry_create` (`"origin"` is ignored). On success `*out` is a
/// new registry handle, to be closed with `zz_registry_close`; on failure it is NULL.
///
/// Returns `ZZ_OK`; `ZZ-E-USAGE-001` (NULL `data_dir` or `out`, text not UTF-8, a bad option
/// value); `ZZ-E-FMT-001` (bad `options_json`); `ZZ-E-STORE-002` (not a registry),
/// `ZZ-E-STORE-003` (another schema version), `ZZ-E-STORE-004` (open for writing elsewhere),
/// `ZZ-E-STORE-005` (holder-index secret), `ZZ-E-STORE-001`, `ZZ-E-IO-001`, `ZZ-E-KEY-*`.
///
/// Thread-safe.
///
/// # Safety
/// As `zz_registry_create`.
#[no_mangle]
pub unsafe extern "C" fn zz_registry_open(
    data_dir: *const c_char,
    options_json: *const c_char,
    out: *mut *mut zz_registry,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let (dir, json, out) = unsafe {
            (
                text(data_dir, "data_dir")?,
                opt_text(options_json, "options_json")?,
                out_ptr(out, "out")?,
            )
        };
        let r = Registry::open(Path::new(dir), options(json)?).map_err(fail)?;
        new_handle(r, out);
        Ok(())
    })
}

/// Opens the registry in `primary_dir` read-only, as a secondary instance kept in the folder
/// `secondary_dir` (of its own, created when absent; one per process): while one process
/// writes the registry, any number of window processes on the same machine can read it this
/// way. A secondary sees what the writer had written when it was opened, and more after each
/// `zz_registry_catch_up`. It answers every read and every lookup: a logged lookup's use
/// event goes to a journal in `secondary_dir`, which the writer takes into the log with
/// `zz_registry_ingest_uses`. It refuses every other write with `ZZ-E-STORE-008`.
///
/// `options_json`: as `zz_registry_open` (`"authority"` is not needed). On success `*out` is
/// a new registry handle, closed with `zz_registry_close`; NULL on failure.
///
/// Returns `ZZ_OK`; `ZZ-E-USAGE-001` (NULL arguments, not UTF-8, a bad option value);
/// `ZZ-E-FMT-001` (bad `options_json`); `ZZ-E-STORE-002`, `ZZ-E-STORE-003`,
/// `ZZ-E-STORE-005`, `ZZ-E-STORE-001`, `ZZ-E-IO-001`.
///
/// Thread-safe.
///
/// # Safety
/// `primary_dir`, `secondary_dir` and `options_json` are NULL or NUL-terminated strings;
/// `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zz_registry_open_secondary(
    primary_dir: *const c_char,
    secondary_dir: *const c_char,
    options_json: *const c_char,
    out: *mut *mut zz_registry,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let (dir, secondary, json, out) = unsafe {
            (
                text(primary_dir, "primary_dir")?,
                text(secondary_dir, "secondary_dir")?,
                opt_text(options_json, "options_json")?,
                out_ptr(out, "out")?,
            )
        };
        let r = Registry::open_secondary(Path::new(dir), Path::new(secondary), options(json)?)
            .map_err(fail)?;
        new_handle(r, out);
        Ok(())
    })
}

/// Brings a secondary up to date with what the writer has written since it was opened or
/// last caught up: licences, statuses, grants and the log. A no-op on a read-write handle.
///
/// Returns `ZZ_OK`; `ZZ-E-STORE-001`, `ZZ-E-STORE-006`; `ZZ-E-USAGE-001` (NULL);
/// `ZZ-E-USAGE-003`/`-004` (bad handle).
///
/// Thread-safe: lookups on the handle may run meanwhile.
///
/// # Safety
/// `registry` is any value: it is not dereferenced.
#[no_mangle]
pub unsafe extern "C" fn zz_registry_catch_up(registry: *mut zz_registry) -> zz_status {
    call(|| reg(registry)?.catch_up().map_err(fail))
}

/// Takes the use journal of the secondary whose folder is `secondary_dir` into the log (call
/// it on the writer, on a timer): every use event journaled since the last call, each exactly
/// once. `*count` (when not NULL) is set to how many were taken in.
///
/// Returns `ZZ_OK`; `ZZ-E-STORE-008` (a secondary handle); `ZZ-E-IO-001` (no journal there);
/// `ZZ-E-STORE-006` (a journal holding anything but use events: nothing is taken in);
/// `ZZ-E-STORE-001`; `ZZ-E-USAGE-001` (NULL, not UTF-8); `ZZ-E-USAGE-003`/`-004` (bad handle).
///
/// Thread-safe.
///
/// # Safety
/// `secondary_dir` is NULL or a NUL-terminated string; `count` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zz_registry_ingest_uses(
    registry: *mut zz_registry,
    secondary_dir: *const c_char,
    count: *mut u64,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let dir = unsafe { text(secondary_dir, "secondary_dir")? };
        let n = reg(registry)?.ingest_uses(Path::new(dir)).map_err(fail)?;
        if !count.is_null() {
            // SAFETY: `count` is writable (the function's contract).
            unsafe { *count = n };
        }
        Ok(())
    })
}

/// Backs the registry up into `dest_dir`, a new or empty folder, consistently, while it goes
/// on serving: the backup is itself a registry folder (`zz_registry_open` opens it;
/// `zz_registry_restore` copies it into a new one). Refused on a read-only secondary.
///
/// On success `*out_json` (may be NULL: not wanted) is a library-allocated JSON object freed
/// with `zz_free_string`: `{"log_size": <events in the backup's log>, "log_root": "<its Merkle
/// root, hex>"}`.
///
/// Returns `ZZ_OK`; `ZZ-E-STORE-007` (the folder is not empty); `ZZ-E-STORE-008` (a
/// secondary); `ZZ-E-IO-001`, `ZZ-E-STORE-001`; `ZZ-E-USAGE-001` (NULL `dest_dir`, not
/// UTF-8); `ZZ-E-USAGE-003`/`-004` (bad handle).
///
/// Thread-safe.
///
/// # Safety
/// `dest_dir` is NULL or a NUL-terminated string; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zz_registry_backup(
    registry: *mut zz_registry,
    dest_dir: *const c_char,
    out_json: *mut *mut c_char,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let dest = unsafe { text(dest_dir, "dest_dir")? };
        let r = reg(registry)?;
        let info = r.backup(Path::new(dest)).map_err(fail)?;
        if !out_json.is_null() {
            // SAFETY: non-NULL and writable by the contract.
            unsafe {
                *out_json = new_json(&json!({
                    "log_size": info.log_len,
                    "log_root": hex::encode(info.log_root),
                }))?;
            }
        }
        Ok(())
    })
}

/// Restores the backup in `backup_dir` (made by `zz_registry_backup`) into `dest_dir`, a new
/// or empty folder, and opens it read-write: the registry with its log as it was at the
/// backup. The backup itself is only read. `options_json`: as `zz_registry_open`.
///
/// On success `*out` is a new registry handle, to be closed with `zz_registry_close`; on
/// failure it is NULL and nothing is left in `dest_dir`.
///
/// Returns `ZZ_OK`; `ZZ-E-STORE-002` (`backup_dir` is not a backup); `ZZ-E-STORE-007`
/// (`dest_dir` is not empty); the codes of `zz_registry_open`; `ZZ-E-USAGE-001` (NULL
/// arguments, not UTF-8, bad options).
///
/// Thread-safe.
///
/// # Safety
/// `backup_dir`, `dest_dir` and `options_json` are NULL or NUL-terminated strings; `out` is
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zz_registry_restore(
    backup_dir: *const c_char,
    dest_dir: *const c_char,
    options_json: *const c_char,
    out: *mut *mut zz_registry,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let (backup, dest, json, out) = unsafe {
            (
                text(backup_dir, "backup_dir")?,
                text(dest_dir, "dest_dir")?,
                opt_text(options_json, "options_json")?,
                out_ptr(out, "out")?,
            )
        };
        let r =
            Registry::restore(Path::new(backup), Path::new(dest), options(json)?).map_err(fail)?;
        new_handle(r, out);
        Ok(())
    })
}

/// The integrity check: walks the whole registry — every licence parses and verifies with
/// its certificate (an imported OFD file is the one imported and its signatures hold), every
/// index entry points at a licence and every licence is indexed, statuses agree with the
/// status lists, the log's tree and latest signed checkpoint match its events. It reads and
/// never repairs.
///
/// On success `*out_json` is a library-allocated JSON object freed with `zz_free_string`:
/// `{"ok": <no problem found>, "report": {"licences", "index_entries", "log_size",
/// "checkpoint_size", "problems": [{"kind", "at", "message"}, …]}}`. Problems found are not an
/// error: the call returns `ZZ_OK` with `"ok": false`.
///
/// Returns `ZZ_OK`; `ZZ-E-STORE-001` (the database failed during the walk);
/// `ZZ-E-USAGE-001` (NULL `out_json`); `ZZ-E-USAGE-003`/`-004` (bad handle).
///
/// Thread-safe; it runs beside lookups and writes, and sees the registry as each read finds it.
///
/// # Safety
/// `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zz_registry_check(
    registry: *mut zz_registry,
    out_json: *mut *mut c_char,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let out = unsafe { out_ptr(out_json, "out_json")? };
        let r = reg(registry)?;
        let report = r.check().map_err(fail)?;
        *out = new_json(&json!({ "ok": report.ok(), "report": report }))?;
        Ok(())
    })
}

/// Closes a registry handle. Calls already running on it in other threads finish first; the
/// database is closed when the last of them returns. Any later use of the handle returns
/// `ZZ-E-USAGE-003`.
///
/// Returns `ZZ_OK`; `ZZ-E-USAGE-001` (NULL); `ZZ-E-USAGE-003` (already closed, or never
/// opened); `ZZ-E-USAGE-004` (a verifier handle).
///
/// Thread-safe.
///
/// # Safety
/// `registry` is any value: it is not dereferenced.
#[no_mangle]
pub unsafe extern "C" fn zz_registry_close(registry: *mut zz_registry) -> zz_status {
    call(|| {
        ffi::remove(
            registry as usize,
            "registry",
            |o| matches!(o, Object::Registry(_)),
            "a registry",
        )
    })
}

/// Issues a licence: validates it against its catalogue type, allocates its identifier (a
/// new serial of the issuer, version 001) and status-list entry, signs it with the issuer's
/// key from the authority folder, and stores it with its log event in one write.
///
/// `licence_json`/`len`: GB/T 36903 licence JSON, as `zhengzhao issue` reads it (see
/// `test-vectors/licences/`; its `id` and `status` are ignored). `operator`: who issues, for
/// the log (1–200 characters).
///
/// On success `*out_json` is a library-allocated NUL-terminated JSON object, freed with
/// `zz_free_string`: `{"id": "<电子证照标识>", "seq": <log sequence number>, "document":
/// <the signed document, verbatim>}`. NULL on failure.
///
/// Returns `ZZ_OK`; `ZZ-E-USAGE-001` (NULL arguments, a bad length, `operator` not UTF-8);
/// `ZZ-E-FMT-001` (not licence JSON); `ZZ-E-SCHEMA-001` (the data does not satisfy its type,
/// every violation in the message); `ZZ-E-CAT-001` (unknown type); `ZZ-E-LIFE-003`
/// (inconsistent request), `ZZ-E-LIFE-005` (no signing key for the issuer), `ZZ-E-LIFE-006`
/// (the 证照编号 is taken), `ZZ-E-STORE-001`; `ZZ-E-USAGE-003`/`-004` (bad handle).
///
/// Thread-safe: issuances from several threads are serialised by the registry.
///
/// # Safety
/// `licence_json` is NULL or points to `len` readable bytes; `operator` is NULL or a
/// NUL-terminated string; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zz_registry_issue(
    registry: *mut zz_registry,
    licence_json: *const u8,
    len: usize,
    operator: *const c_char,
    out_json: *mut *mut c_char,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let (input, operator, out) = unsafe {
            (
                bytes(licence_json, len, "licence_json")?,
                text(operator, "operator")?,
                out_ptr(out_json, "out_json")?,
            )
        };
        let r = reg(registry)?;
        let licence = Licence::from_json(utf8(input, "licence_json")?).map_err(fail)?;
        let issued = r
            .issue(&IssueRequest::from_licence(&licence, operator))
            .map_err(fail)?;
        let doc = std::str::from_utf8(&issued.document).map_err(|_| {
            Fail::new(
                ErrorCode::StorageCorrupt,
                "the signed document is not UTF-8",
            )
        })?;
        let id = serde_json::to_string(issued.id.as_ref()).expect("strings serialise");
        *out = new_string(format!(
            "{{\"id\":{id},\"seq\":{},\"document\":{doc}}}",
            issued.seq
        ))?;
        Ok(())
    })
}

/// Takes a lifecycle step on a licence version: `step` is one of `ZZ_STEP_SUSPEND` (暂扣),
/// `ZZ_STEP_RESUME` (发还), `ZZ_STEP_REVOKE` (吊销), `ZZ_STEP_WITHDRAW` (撤销),
/// `ZZ_STEP_CANCEL` (注销), `ZZ_STEP_TRANSFER_OUT` (转出). `operator` (required) and `reason`
/// (may be empty, e.g. the decision's document number) go to the log. The new state, the
/// status-list entry and the log event are one write.
///
/// `out_seq` (may be NULL) receives the log sequence number of the step's event.
///
/// Returns `ZZ_OK`; `ZZ-E-USAGE-001` (NULL arguments, not UTF-8, an unknown `step`);
/// `ZZ-E-ID-*` (not a licence identifier); `ZZ-E-LIFE-001` (no such licence);
/// `ZZ-E-LIFE-002` (the licence's state does not allow the step, e.g. resuming a revoked
/// licence); `ZZ-E-LIFE-003` (operator or reason too long, control characters);
/// `ZZ-E-STORE-001`; `ZZ-E-USAGE-003`/`-004` (bad handle).
///
/// Thread-safe.
///
/// # Safety
/// `id`, `operator` and `reason` are NULL or NUL-terminated strings; `out_seq` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn zz_registry_step(
    registry: *mut zz_registry,
    id: *const c_char,
    step: u32,
    operator: *const c_char,
    reason: *const c_char,
    out_seq: *mut u64,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let (id, operator, reason) = unsafe {
            (
                text(id, "id")?,
                text(operator, "operator")?,
                text(reason, "reason")?,
            )
        };
        let step = match step {
            ZZ_STEP_SUSPEND => Step::Suspend,
            ZZ_STEP_RESUME => Step::Resume,
            ZZ_STEP_REVOKE => Step::Revoke,
            ZZ_STEP_WITHDRAW => Step::Withdraw,
            ZZ_STEP_CANCEL => Step::Cancel,
            ZZ_STEP_TRANSFER_OUT => Step::TransferOut,
            other => {
                return Err(Fail::usage(format!(
                    "step {other} is not a ZZ_STEP_* value"
                )))
            }
        };
        let r = reg(registry)?;
        let id = LicenceId::parse(id.trim()).map_err(fail)?;
        let seq = r
            .transition(&id, step, &Cause::new(operator, reason))
            .map_err(fail)?;
        if !out_seq.is_null() {
            // SAFETY: out_seq is writable (the function's contract).
            unsafe { *out_seq = seq };
        }
        Ok(())
    })
}

/// The status of a licence version now (a Valid licence past its validity end reads as
/// expired).
///
/// On success `*out_json` is a library-allocated JSON object, freed with `zz_free_string`:
/// `{"id": "…", "status": "<label, e.g. 有效 or 吊销>", "code": "<external code, 01–99>",
/// "stored": "<the stored state's label>", "reason": "<reason of the last step>",
/// "successor": "<identifier of the version that superseded it>" | null}`.
///
/// Returns `ZZ_OK`; `ZZ-E-USAGE-001` (NULL arguments, not UTF-8); `ZZ-E-ID-*`;
/// `ZZ-E-LIFE-001` (no such licence); `ZZ-E-STORE-*`; `ZZ-E-USAGE-003`/`-004` (bad handle).
///
/// Thread-safe.
///
/// # Safety
/// `id` is NULL or a NUL-terminated string; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zz_registry_status(
    registry: *mut zz_registry,
    id: *const c_char,
    out_json: *mut *mut c_char,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let (id, out) = unsafe { (text(id, "id")?, out_ptr(out_json, "out_json")?) };
        let r = reg(registry)?;
        let id = LicenceId::parse(id.trim()).map_err(fail)?;
        let rec = r.status_record(&id).map_err(fail)?;
        let now = r.status(&id).map_err(fail)?;
        *out = new_json(&json!({
            "id": id.as_ref(),
            "status": now.label(),
            "code": now.external_code(),
            "stored": rec.state.label(),
            "reason": rec.reason,
            "successor": rec.successor,
        }))?;
        Ok(())
    })
}

/// A stored licence version in an interchange format: `format` is `"vc"` (the signed
/// document, exactly as stored), `"vc-jwt"` (a W3C VC-JOSE-COSE token signed now by the
/// department: needs the authority folder), `"gbt36903"` (the flat GB/T 36903 record with the
/// current status) or `"qr"` (the `ZZ1:` payload for 亮证 / 扫码核验).
///
/// On success `*out_text` is a library-allocated NUL-terminated UTF-8 text, freed with
/// `zz_free_string`. NULL on failure.
///
/// Returns `ZZ_OK`; `ZZ-E-USAGE-001` (NULL arguments, not UTF-8, an unknown format);
/// `ZZ-E-ID-*`; `ZZ-E-LIFE-001` (no such licence); `ZZ-E-LIFE-005` (`vc-jwt` without a
/// signing key); `ZZ-E-FMT-008` (too large for a QR payload); `ZZ-E-STORE-*`;
/// `ZZ-E-USAGE-003`/`-004` (bad handle).
///
/// Thread-safe.
///
/// # Safety
/// `id` and `format` are NULL or NUL-terminated strings; `out_text` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zz_registry_export(
    registry: *mut zz_registry,
    id: *const c_char,
    format: *const c_char,
    out_text: *mut *mut c_char,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let (id, format, out) = unsafe {
            (
                text(id, "id")?,
                text(format, "format")?,
                out_ptr(out_text, "out_text")?,
            )
        };
        let f = ExportFormat::from_name(format.trim())
            .filter(|f| *f != ExportFormat::Ofd)
            .ok_or_else(|| {
                Fail::usage(format!(
                    "format '{format}' is none of vc, vc-jwt, gbt36903, qr (an imported OFD file is binary: the lookup answers with it)"
                ))
            })?;
        let r = reg(registry)?;
        let id = LicenceId::parse(id.trim()).map_err(fail)?;
        let bytes = r.export(&id, f).map_err(fail)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Fail::new(ErrorCode::StorageCorrupt, "the export is not UTF-8"))?;
        *out = new_string(text)?;
        Ok(())
    })
}

/// `zz_registry_import_ofd` flag: take the file on its signatures alone, without anchors
/// (which proves it unaltered, not who sealed it). Without it, anchors are required.
pub const ZZ_OFD_SIGNATURES_ONLY: u32 = 1;

/// Verifies a sealed OFD licence issued elsewhere (`input`/`len`, the file's bytes) and takes
/// it into the registry, so that the lookup answers with the file itself (`format` `ofd`).
/// `anchors`/`anchors_len`: the issuing platform's root certificates (PEM, or one DER
/// certificate), checked for the chains of every signer and seal maker; NULL/0 only with the
/// flag `ZZ_OFD_SIGNATURES_ONLY`. `certificates`/`certificates_len`: the signer of a bare
/// signature, or intermediates, or NULL/0. `fields_json`: NULL, or a JSON object of GB/T 36903
/// items (by key like `ZZBS` or name like `证照标识`, string values) for what the file does
/// not carry under its seals. `operator` (required) goes to the log. Importing the same file
/// again changes nothing.
///
/// On success `*out_json` is a library-allocated JSON object freed with `zz_free_string`:
/// `{"id", "imported" (false when the same file was already there), "seq" (its log event, or
/// null), "supplied", "unsealed" (item keys), "report" (as `zz_ofd_verify` gives it)}`. NULL
/// on failure.
///
/// Returns `ZZ_OK`; the code of the first signature that does not hold (e.g. `ZZ-E-OFD-007`,
/// `ZZ-E-OFD-016` without the bare signature's certificate, `ZZ-E-TRUST-002` not under the
/// anchors); `ZZ-E-OFD-001`…`-005` (a package that cannot be read); `ZZ-E-OFD-019` (items
/// missing, listed in the message), `ZZ-E-OFD-020` (a supplied item contradicts a sealed one),
/// `ZZ-E-FMT-012`/`-013` (malformed `fields_json`, or items that do not read), `ZZ-E-SCHEMA-001`
/// (the items do not make a licence of its type);
/// `ZZ-E-LIFE-003` (its identifier is taken, or its issuer is not a 统一社会信用代码),
/// `ZZ-E-LIFE-006` (its 证照编号 is taken); `ZZ-E-USAGE-001` (NULL arguments, bad lengths, an
/// unknown flag, no anchors without `ZZ_OFD_SIGNATURES_ONLY`); `ZZ-E-STORE-*`;
/// `ZZ-E-USAGE-003`/`-004` (bad handle).
///
/// Thread-safe.
///
/// # Safety
/// `input` is NULL or points to `len` readable bytes, `anchors` to `anchors_len` and
/// `certificates` to `certificates_len` (each may be NULL with length 0); `fields_json` is NULL
/// or a NUL-terminated string; `operator` is NULL or a NUL-terminated string; `out_json` is
/// NULL or writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn zz_registry_import_ofd(
    registry: *mut zz_registry,
    input: *const u8,
    len: usize,
    anchors: *const u8,
    anchors_len: usize,
    certificates: *const u8,
    certificates_len: usize,
    fields_json: *const c_char,
    operator: *const c_char,
    flags: u32,
    out_json: *mut *mut c_char,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let (input, roots, certs, fields, operator, out) = unsafe {
            (
                bytes(input, len, "input")?,
                bytes(anchors, anchors_len, "anchors")?,
                bytes(certificates, certificates_len, "certificates")?,
                opt_text(fields_json, "fields_json")?,
                text(operator, "operator")?,
                out_ptr(out_json, "out_json")?,
            )
        };
        if flags & !ZZ_OFD_SIGNATURES_ONLY != 0 {
            return Err(Fail::usage(format!("flags: unknown bits {flags:#x}")));
        }
        if roots.is_empty() && flags & ZZ_OFD_SIGNATURES_ONLY == 0 {
            return Err(Fail::usage(
                "anchors: give the issuing platform's root certificates, or the flag ZZ_OFD_SIGNATURES_ONLY",
            ));
        }
        let (anchors, certificates) = crate::verify::ofd_certificates(roots, certs)?;
        let supplied = match fields {
            None => Default::default(),
            Some(f) => zhengzhao_core::gbt36903::record_from_json(f.as_bytes()).map_err(fail)?,
        };
        let r = reg(registry)?;
        let how = OfdImport {
            anchors: anchors.as_ref(),
            certificates: &certificates,
            supplied,
            operator: operator.to_owned(),
        };
        let i = r.import_ofd(input, &how).map_err(fail)?;
        *out = new_json(&json!({
            "id": i.id.to_string(),
            "imported": i.seq.is_some(),
            "seq": i.seq,
            "supplied": i.read.supplied,
            "unsealed": i.read.unsealed,
            "report": i.read.report,
        }))?;
        Ok(())
    })
}

/// An offline bundle for an auditor: the licence versions named by `ids_json` (a JSON array
/// of 电子证照标识), the certificates that verify them and signed status-list snapshots as at
/// `at` (NULL for now; RFC 3339 or `yyyy-MM-dd`). Needs the authority folder (the
/// departments sign their status lists). Verify it with `zz_verifier_verify`.
///
/// On success `*out_json` is the bundle, library-allocated JSON freed with `zz_free_string`.
/// NULL on failure.
///
/// Returns `ZZ_OK`; `ZZ-E-USAGE-001` (NULL arguments, bad length, bad `at`); `ZZ-E-FMT-001`
/// (not a JSON array of strings); `ZZ-E-ID-*`; `ZZ-E-LIFE-001`; `ZZ-E-LIFE-005`;
/// `ZZ-E-STORE-*`; `ZZ-E-USAGE-003`/`-004` (bad handle).
///
/// Thread-safe.
///
/// # Safety
/// `ids_json` is NULL or points to `len` readable bytes; `at` is NULL or a NUL-terminated
/// string; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zz_registry_bundle(
    registry: *mut zz_registry,
    ids_json: *const u8,
    len: usize,
    at: *const c_char,
    out_json: *mut *mut c_char,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let (input, at, out) = unsafe {
            (
                bytes(ids_json, len, "ids_json")?,
                opt_text(at, "at")?,
                out_ptr(out_json, "out_json")?,
            )
        };
        let at = parse_at("at", at)?;
        let r = reg(registry)?;
        let ids = parse_json::<Vec<String>>(input, "ids_json")?
            .iter()
            .map(|i| LicenceId::parse(i.trim()).map_err(fail))
            .collect::<Result<Vec<_>>>()?;
        let bundle = r.bundle(&ids, at).map_err(fail)?;
        let text = String::from_utf8(bundle.to_json())
            .map_err(|_| Fail::new(ErrorCode::Internal, "the bundle is not UTF-8"))?;
        *out = new_string(text)?;
        Ok(())
    })
}

fn org_and_type(org: &str, type_code: &str) -> Result<(Uscc, TypeCode)> {
    let org = Uscc::parse_legacy(org.trim()).map_err(fail)?;
    let t = TypeCode::parse(type_code.trim()).map_err(fail)?;
    Ok((org, t))
}

/// Grants the using organisation `org` (统一社会信用代码) the use of licences of type
/// `type_code` until `until`: RFC 3339 (exclusive), or a date `yyyy-MM-dd` meaning through
/// the end of that day in China Standard Time (as `zhengzhao grant add --until`). A grant
/// already there is replaced. `operator` (required) and `basis` (may be empty) go to the log.
///
/// Returns `ZZ_OK`; `ZZ-E-USAGE-001` (NULL arguments, not UTF-8, a bad `until`);
/// `ZZ-E-CODE-*` (bad `org`); `ZZ-E-ID-002` (bad type code); `ZZ-E-CAT-001` (not in the
/// catalogue); `ZZ-E-GRANT-001` (`until` not in the future, bad operator or basis);
/// `ZZ-E-STORE-001`; `ZZ-E-USAGE-003`/`-004` (bad handle).
///
/// Thread-safe.
///
/// # Safety
/// Every string argument is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn zz_registry_grant_add(
    registry: *mut zz_registry,
    org: *const c_char,
    type_code: *const c_char,
    until: *const c_char,
    operator: *const c_char,
    basis: *const c_char,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let (org, type_code, until, operator, basis) = unsafe {
            (
                text(org, "org")?,
                text(type_code, "type_code")?,
                text(until, "until")?,
                text(operator, "operator")?,
                text(basis, "basis")?,
            )
        };
        let r = reg(registry)?;
        let (o, t) = org_and_type(org, type_code)?;
        let until = zhengzhao_core::date::through(until).ok_or_else(|| {
            Fail::usage(format!(
                "until '{until}' is neither a date (2026-12-31, through that day) nor RFC 3339"
            ))
        })?;
        r.add_grant(&o, &t, until, operator, basis).map_err(fail)
    })
}

/// Revokes the grant of `type_code` to `org`. `operator` (required) and `basis` (may be
/// empty) go to the log.
///
/// Returns `ZZ_OK`; `ZZ-E-USAGE-001` (NULL arguments, not UTF-8); `ZZ-E-CODE-*`,
/// `ZZ-E-ID-002`; `ZZ-E-GRANT-002` (no such grant); `ZZ-E-GRANT-001`; `ZZ-E-STORE-001`;
/// `ZZ-E-USAGE-003`/`-004` (bad handle).
///
/// Thread-safe.
///
/// # Safety
/// Every string argument is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn zz_registry_grant_revoke(
    registry: *mut zz_registry,
    org: *const c_char,
    type_code: *const c_char,
    operator: *const c_char,
    basis: *const c_char,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let (org, type_code, operator, basis) = unsafe {
            (
                text(org, "org")?,
                text(type_code, "type_code")?,
                text(operator, "operator")?,
                text(basis, "basis")?,
            )
        };
        let r = reg(registry)?;
        let (o, t) = org_and_type(org, type_code)?;
        r.revoke_grant(&o, &t, operator, basis).map_err(fail)
    })
}

fn parse_json<T: serde::de::DeserializeOwned>(input: &[u8], what: &str) -> Result<T> {
    serde_json::from_slice(input).map_err(|e| Fail::new(ErrorCode::Json, format!("{what}: {e}")))
}

fn lookup_flags(flags: u32) -> Result<bool> {
    if flags & !ZZ_LOOKUP_UNLOGGED != 0 {
        return Err(Fail::usage(format!("flags {flags:#x}: unknown bits")));
    }
    Ok(flags & ZZ_LOOKUP_UNLOGGED == 0)
}

/// The window lookup (用证) for one request: for one holder and the licence types of a
/// service item's materials, per type the holder's current Valid licence (its signed bytes,
/// exactly as stored: 免提交) or the precise reason why not. The use is recorded in the
/// usage log unless `flags` has `ZZ_LOOKUP_UNLOGGED`.
///
/// `request_json`/`len` is a JSON object:
/// `{"holder_code_type": "111", "holder_code": "<持证主体代码>", "types": ["<证照类型代码>", …
/// (1–64, distinct)], "context": {"org": "<using organisation's 统一社会信用代码>", "operator":
/// "…", "item": "<事项编码>", "case": "<办件编号>", "reason": "<use reason, 1–200 characters>",
/// "consent": "<reference of the holder's consent>" | null}}`.
/// `at`: NULL for now, or RFC 3339 / `yyyy-MM-dd` (noon, China Standard Time): grants,
/// consents and validity are judged then. `flags`: 0 or `ZZ_LOOKUP_UNLOGGED`.
///
/// On success `*out` is one library allocation with one `zz_reply` (status `ZZ_OK`) holding
/// one `zz_answer` per requested type, in order; each document is copied once, from the
/// database's block cache into it. Free it with `zz_free_lookup`. NULL on failure.
///
/// Returns `ZZ_OK` (whatever the answers: refusals are answers); `ZZ-E-USAGE-001` (NULL
/// arguments, bad length, unknown flags, bad `at`); `ZZ-E-FMT-001` (not JSON of that shape);
/// `ZZ-E-WINDOW-001` (a malformed request: the field is named in the message);
/// `ZZ-E-STORE-001`, `ZZ-E-STORE-006`; `ZZ-E-USAGE-003`/`-004` (bad handle).
///
/// Thread-safe: any number of threads may look up on one handle while others issue.
///
/// # Safety
/// `request_json` is NULL or points to `len` readable bytes; `at` is NULL or a NUL-terminated
/// string; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zz_registry_lookup(
    registry: *mut zz_registry,
    request_json: *const u8,
    len: usize,
    at: *const c_char,
    flags: u32,
    out: *mut *mut zz_lookup,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let (input, at, out) = unsafe {
            (
                bytes(request_json, len, "request_json")?,
                opt_text(at, "at")?,
                out_ptr(out, "out")?,
            )
        };
        let logged = lookup_flags(flags)?;
        let at = parse_at("at", at)?;
        let r = reg(registry)?;
        let request: WindowRequest = parse_json(input, "request_json")?;
        let build = |a: &[Answer<Document<'_>>]| build_lookup(&[Row::Answers(a)]);
        *out = if logged {
            r.lookup_with(&request, at, build)
        } else {
            r.answer_with(&request, at, build)
        }
        .map_err(fail)?;
        Ok(())
    })
}

/// The window lookup for many requests at once: their reads are batched together and their
/// use events are one write (unless `flags` has `ZZ_LOOKUP_UNLOGGED`).
///
/// `requests_json`/`len` is a JSON array of request objects as `zz_registry_lookup` takes.
/// `at` and `flags` as `zz_registry_lookup`.
///
/// On success `*out` holds one `zz_reply` per request, in order: a malformed request gets its
/// status (e.g. `ZZ-E-WINDOW-001`) and message in its reply, and the others are answered.
/// Free it with `zz_free_lookup`. NULL on failure.
///
/// Returns `ZZ_OK`; `ZZ-E-USAGE-001`; `ZZ-E-FMT-001` (not a JSON array of request objects);
/// `ZZ-E-STORE-001`, `ZZ-E-STORE-006`; `ZZ-E-USAGE-003`/`-004` (bad handle).
///
/// Thread-safe.
///
/// # Safety
/// As `zz_registry_lookup`.
#[no_mangle]
pub unsafe extern "C" fn zz_registry_lookup_many(
    registry: *mut zz_registry,
    requests_json: *const u8,
    len: usize,
    at: *const c_char,
    flags: u32,
    out: *mut *mut zz_lookup,
) -> zz_status {
    call(|| {
        // SAFETY: the function's contract.
        let (input, at, out) = unsafe {
            (
                bytes(requests_json, len, "requests_json")?,
                opt_text(at, "at")?,
                out_ptr(out, "out")?,
            )
        };
        let logged = lookup_flags(flags)?;
        let at = parse_at("at", at)?;
        let r = reg(registry)?;
        let requests: Vec<WindowRequest> = parse_json(input, "requests_json")?;
        let build = |rows: &[std::result::Result<Vec<Answer<Document<'_>>>, RegistryError>]| {
            let rows: Vec<Row<'_, Document<'_>>> = rows
                .iter()
                .map(|r| match r {
                    Ok(a) => Row::Answers(a.as_slice()),
                    Err(e) => Row::Error(e.code(), e.to_string()),
                })
                .collect();
            build_lookup(&rows)
        };
        *out = if logged {
            r.lookup_many_with(&requests, at, build)
        } else {
            r.answer_many_with(&requests, at, build)
        }
        .map_err(fail)?;
        Ok(())
    })
}

/// Frees a lookup result. NULL is ignored.
///
/// Thread-safe (for distinct results).
///
/// # Safety
/// `lookup` is NULL or a result of `zz_registry_lookup` or `zz_registry_lookup_many` not yet
/// freed; nothing it points to is used afterwards.
#[no_mangle]
pub unsafe extern "C" fn zz_free_lookup(lookup: *mut zz_lookup) {
    if lookup.is_null() {
        return;
    }
    // SAFETY: lookup came from Box::into_raw of a LookupBox, whose first field it is.
    drop(unsafe { Box::from_raw(lookup.cast::<LookupBox>()) });
}
