//! libzhengzhao: the C ABI of zhengzhao (证照), for window systems (窗口受理系统) and
//! integrators in C, C++, Java (JNI) and .NET (P/Invoke). A thin shell over the Rust library:
//! no rule of the library is written again here.
//!
//! The header `bindings/c/include/zhengzhao.h` is generated from this crate with cbindgen
//! (`scripts/c-header`); `docs/c-abi.md` documents the ABI as a whole. Conventions:
//!
//! - Every call returns a `zz_status`: `ZZ_OK` (0) or the number of a stable error code of
//!   the table shared with Rust and Python (`zz_error_info`), and sets a thread-local message
//!   (`zz_last_error_message`), empty after success. No panic crosses the boundary: it comes
//!   back as `ZZ-E-USAGE-005`. The `zz_free_*` functions return nothing.
//! - Handles (`zz_registry`, `zz_verifier`) are opaque values, not pointers to memory: a
//!   closed handle, a handle of the other kind or a made-up value gets `ZZ-E-USAGE-003` or
//!   `-004`, never a crash.
//! - Text arguments are NUL-terminated UTF-8; documents and JSON requests are pointer and
//!   length. Results are library-allocated (freed with `zz_free_string` or `zz_free_lookup`)
//!   or, for short texts, written into a caller's buffer with a size query.

#![allow(non_camel_case_types)]
#![warn(missing_docs)]

mod ffi;
mod misc;
mod registry;
mod verify;

pub use ffi::{zz_status, ZZ_OK};
pub use misc::*;
pub use registry::*;
pub use verify::*;
