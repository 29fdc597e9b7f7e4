//! What every call of the ABI shares: the status, the thread-local last error, the panic
//! guard, reading arguments, writing results, and the handle table.

use std::cell::RefCell;
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, RwLock};

use time::OffsetDateTime;
use zhengzhao_core::verify::Verifier;
use zhengzhao_core::{Coded, ErrorCode};
use zhengzhao_registry::Registry;

#[cfg(not(target_pointer_width = "64"))]
compile_error!("the zhengzhao C ABI encodes handles in 64-bit pointers");

/// The status every call returns: `0` (`ZZ_OK`) or the number of a stable error code
/// (`ZZ-E-…`, see `zz_error_info`), the same codes as the Rust library and the Python package.
pub type zz_status = u32;

/// The call succeeded.
pub const ZZ_OK: zz_status = 0;

/// A failed call: its code and a message with the details.
#[derive(Debug)]
pub(crate) struct Fail {
    pub code: ErrorCode,
    pub message: String,
}

impl Fail {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Fail {
        Fail {
            code,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Fail {
        Fail::new(ErrorCode::Usage, message)
    }
}

/// The code and message of a library error.
pub(crate) fn fail(e: impl Coded + std::fmt::Display) -> Fail {
    Fail::new(e.code(), e.to_string())
}

pub(crate) type Result<T> = std::result::Result<T, Fail>;

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

pub(crate) fn set_last_error(message: &str) {
    LAST_ERROR.with(|l| {
        let mut l = l.borrow_mut();
        l.clear();
        l.push_str(message);
    });
}

pub(crate) fn with_last_error<R>(f: impl FnOnce(&str) -> R) -> R {
    LAST_ERROR.with(|l| f(&l.borrow()))
}

/// Runs the body of a call: its status, the last error set (cleared on success), and no
/// panic crossing the boundary.
pub(crate) fn call(body: impl FnOnce() -> Result<()>) -> zz_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => {
            set_last_error("");
            ZZ_OK
        }
        Ok(Err(f)) => {
            set_last_error(&f.message);
            f.code.number()
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned());
            set_last_error(&format!(
                "internal error (a bug in zhengzhao, please report it): {what}"
            ));
            ErrorCode::Internal.number()
        }
    }
}

/// A NUL-terminated UTF-8 argument.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that stays valid during the call.
pub(crate) unsafe fn text<'a>(p: *const c_char, name: &str) -> Result<&'a str> {
    if p.is_null() {
        return Err(Fail::usage(format!("{name} is NULL")));
    }
    // SAFETY: the caller passes a NUL-terminated string (the function's contract).
    let c = unsafe { CStr::from_ptr(p) };
    c.to_str()
        .map_err(|e| Fail::usage(format!("{name} is not UTF-8 ({e})")))
}

/// An optional NUL-terminated UTF-8 argument: `None` for NULL.
///
/// # Safety
/// As [`text`].
pub(crate) unsafe fn opt_text<'a>(p: *const c_char, name: &str) -> Result<Option<&'a str>> {
    if p.is_null() {
        Ok(None)
    } else {
        // SAFETY: as the caller's contract.
        unsafe { text(p, name) }.map(Some)
    }
}

/// A byte argument given as pointer and length. NULL with length 0 is the empty input.
///
/// # Safety
/// `p` is NULL or points to `len` readable bytes that stay valid during the call.
pub(crate) unsafe fn bytes<'a>(p: *const u8, len: usize, name: &str) -> Result<&'a [u8]> {
    if p.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return Err(Fail::usage(format!("{name} is NULL with length {len}")));
    }
    if len > isize::MAX as usize {
        return Err(Fail::usage(format!(
            "{name}: length {len} is not a valid length"
        )));
    }
    // SAFETY: p points to len readable bytes (the function's contract), len fits an isize.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// Byte input that must be UTF-8 text (JSON, tokens).
pub(crate) fn utf8<'a>(b: &'a [u8], name: &str) -> Result<&'a str> {
    std::str::from_utf8(b)
        .map_err(|e| Fail::new(ErrorCode::Json, format!("{name} is not UTF-8 ({e})")))
}

/// Checks an output pointer and clears what it points to, so that a failed call leaves NULL
/// (or 0) there.
///
/// # Safety
/// `p` is NULL or points to a writable `T`.
pub(crate) unsafe fn out<'a, T: Default>(p: *mut T, name: &str) -> Result<&'a mut T> {
    if p.is_null() {
        return Err(Fail::usage(format!("{name} is NULL")));
    }
    // SAFETY: p points to a writable T (the function's contract).
    let r = unsafe { &mut *p };
    *r = T::default();
    Ok(r)
}

/// Checks an output pointer of pointer type and sets it to NULL.
///
/// # Safety
/// `p` is NULL or points to a writable pointer.
pub(crate) unsafe fn out_ptr<'a, T>(p: *mut *mut T, name: &str) -> Result<&'a mut *mut T> {
    if p.is_null() {
        return Err(Fail::usage(format!("{name} is NULL")));
    }
    // SAFETY: p points to a writable pointer (the function's contract).
    let r = unsafe { &mut *p };
    *r = std::ptr::null_mut();
    Ok(r)
}

/// A library-allocated NUL-terminated string, freed with `zz_free_string`.
pub(crate) fn new_string(s: String) -> Result<*mut c_char> {
    CString::new(s)
        .map(CString::into_raw)
        .map_err(|_| Fail::new(ErrorCode::Internal, "a result contains a NUL byte"))
}

/// A JSON value as a library-allocated string.
pub(crate) fn new_json(v: &impl serde::Serialize) -> Result<*mut c_char> {
    let s = serde_json::to_string(v)
        .map_err(|e| Fail::new(ErrorCode::Internal, format!("result JSON: {e}")))?;
    new_string(s)
}

/// Writes `s` and a NUL into a caller's buffer, with the size query of the ABI: `buf` NULL and
/// `cap` 0 asks for the length only (`ZZ_OK`); a buffer shorter than the length plus one gets
/// `ZZ-E-USAGE-002` and nothing written. `*len` is the length without the NUL either way.
///
/// # Safety
/// `buf` is NULL or points to `cap` writable bytes; `len` is NULL or writable.
pub(crate) unsafe fn write_text(
    s: &str,
    buf: *mut c_char,
    cap: usize,
    len: *mut usize,
) -> Result<()> {
    // SAFETY: as the caller's contract.
    let len = unsafe { out(len, "out_len") }?;
    *len = s.len();
    if buf.is_null() {
        if cap == 0 {
            return Ok(());
        }
        return Err(Fail::usage(format!("buf is NULL with capacity {cap}")));
    }
    if cap < s.len() + 1 {
        return Err(Fail::new(
            ErrorCode::BufferTooSmall,
            format!(
                "the buffer holds {cap} bytes, the result needs {} (with its NUL)",
                s.len() + 1
            ),
        ));
    }
    // SAFETY: buf has cap >= s.len() + 1 writable bytes, and does not overlap s (ours).
    unsafe {
        std::ptr::copy_nonoverlapping(s.as_ptr(), buf.cast::<u8>(), s.len());
        *buf.add(s.len()) = 0;
    }
    Ok(())
}

/// A time argument: NULL for now, RFC 3339 (`2025-06-01T09:00:00+08:00`) or a date
/// (`2025-06-01`, noon in China Standard Time), as the command line reads `--at`.
pub(crate) fn parse_at(name: &str, at: Option<&str>) -> Result<OffsetDateTime> {
    let Some(at) = at else {
        return Ok(OffsetDateTime::now_utc());
    };
    zhengzhao_core::date::instant(at).ok_or_else(|| {
        Fail::usage(format!(
            "{name} '{at}' is neither RFC 3339 (2025-06-01T09:00:00+08:00) nor a date (2025-06-01)"
        ))
    })
}

// ---------------------------------------------------------------------------------------------
// Handles.

/// What a handle stands for.
#[derive(Clone)]
pub(crate) enum Object {
    Registry(Arc<Registry>),
    Verifier(Arc<RwLock<Verifier>>),
}

impl Object {
    fn kind(&self) -> &'static str {
        match self {
            Object::Registry(_) => "a registry",
            Object::Verifier(_) => "a verifier",
        }
    }
}

struct Slot {
    generation: u32,
    object: Option<Object>,
}

/// Every open handle. A handle is not a pointer to memory but `generation << 32 | index + 1`
/// in a pointer's clothing: a closed handle (its slot empty, or reused under a newer
/// generation), a handle of another kind or a made-up value is recognised without reading
/// memory the caller may no longer own.
static TABLE: RwLock<Vec<Slot>> = RwLock::new(Vec::new());

fn token(index: usize, generation: u32) -> usize {
    (u64::from(generation) << 32 | (index as u64 + 1)) as usize
}

pub(crate) fn insert(object: Object) -> usize {
    let mut t = TABLE.write().unwrap_or_else(|p| p.into_inner());
    if let Some(i) = t.iter().position(|s| s.object.is_none()) {
        let s = &mut t[i];
        s.generation = s.generation.wrapping_add(1).max(1);
        s.object = Some(object);
        return token(i, s.generation);
    }
    t.push(Slot {
        generation: 1,
        object: Some(object),
    });
    token(t.len() - 1, 1)
}

fn slot_of(handle: usize) -> Option<(usize, u32)> {
    let h = handle as u64;
    let index = (h & 0xffff_ffff).checked_sub(1)? as usize;
    Some((index, (h >> 32) as u32))
}

/// The object of a handle, which stays alive for the call even if another thread closes the
/// handle meanwhile.
pub(crate) fn get(handle: usize, name: &str) -> Result<Object> {
    if handle == 0 {
        return Err(Fail::usage(format!("{name} is NULL")));
    }
    let t = TABLE.read().unwrap_or_else(|p| p.into_inner());
    slot_of(handle)
        .and_then(|(i, g)| t.get(i).filter(|s| s.generation == g))
        .and_then(|s| s.object.clone())
        .ok_or_else(|| {
            Fail::new(
                ErrorCode::HandleInvalid,
                format!("{name} is closed or was never opened"),
            )
        })
}

/// Closes a handle of the kind `want` accepts: the object goes when the last call using it
/// ends.
pub(crate) fn remove(
    handle: usize,
    name: &str,
    want: fn(&Object) -> bool,
    kind: &str,
) -> Result<()> {
    let object = {
        let mut t = TABLE.write().unwrap_or_else(|p| p.into_inner());
        let slot = slot_of(handle)
            .filter(|_| handle != 0)
            .and_then(|(i, g)| t.get_mut(i).filter(|s| s.generation == g))
            .filter(|s| s.object.is_some());
        let Some(slot) = slot else {
            if handle == 0 {
                return Err(Fail::usage(format!("{name} is NULL")));
            }
            return Err(Fail::new(
                ErrorCode::HandleInvalid,
                format!("{name} is closed or was never opened"),
            ));
        };
        let o = slot.object.as_ref().expect("checked above");
        if !want(o) {
            return Err(wrong_kind(name, o, kind));
        }
        slot.object.take()
    };
    // Dropped outside the lock: closing a registry flushes and closes its database.
    drop(object);
    Ok(())
}

pub(crate) fn wrong_kind(name: &str, found: &Object, want: &str) -> Fail {
    Fail::new(
        ErrorCode::HandleKind,
        format!("{name} is {}, not {want}", found.kind()),
    )
}

pub(crate) fn registry(handle: usize, name: &str) -> Result<Arc<Registry>> {
    match get(handle, name)? {
        Object::Registry(r) => Ok(r),
        o => Err(wrong_kind(name, &o, "a registry")),
    }
}

pub(crate) fn verifier(handle: usize, name: &str) -> Result<Arc<RwLock<Verifier>>> {
    match get(handle, name)? {
        Object::Verifier(v) => Ok(v),
        o => Err(wrong_kind(name, &o, "a verifier")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_status() {
        let s = call(|| panic!("boom"));
        assert_eq!(s, ErrorCode::Internal.number());
        with_last_error(|m| assert!(m.contains("boom"), "{m}"));
        assert_eq!(call(|| Ok(())), ZZ_OK);
        with_last_error(|m| assert!(m.is_empty()));
    }

    #[test]
    fn closed_and_made_up_handles_are_recognised() {
        use zhengzhao_core::keys::{Algorithm, SigningKey};
        let key = SigningKey::generate(Algorithm::Ed25519).unwrap();
        let t0 = OffsetDateTime::now_utc();
        let root =
            zhengzhao_core::pki::issue_root(&key, "测试根CA", t0, t0 + time::Duration::days(1))
                .unwrap();
        let anchors = zhengzhao_core::pki::TrustAnchors::new(vec![root]).unwrap();
        let v = Verifier::new(anchors);
        let h = insert(Object::Verifier(Arc::new(RwLock::new(v))));
        assert!(verifier(h, "v").is_ok());
        assert_eq!(registry(h, "v").err().unwrap().code, ErrorCode::HandleKind);
        remove(h, "v", |o| matches!(o, Object::Verifier(_)), "a verifier").unwrap();
        assert_eq!(
            verifier(h, "v").err().unwrap().code,
            ErrorCode::HandleInvalid
        );
        assert_eq!(
            get(0xdead_beef, "v").err().unwrap().code,
            ErrorCode::HandleInvalid
        );
        assert_eq!(get(0, "v").err().unwrap().code, ErrorCode::Usage);
    }
}
