#![no_main]
//! The C ABI's entry points that take bytes (see `c_abi.rs`). Needs the `c-abi` feature, which
//! links the C library and RocksDB: `docs/fuzzing.md` says how to build it.
#[path = "../c_abi.rs"]
mod c_abi;

static ABI: std::sync::LazyLock<c_abi::Abi> = std::sync::LazyLock::new(|| {
    let dir = std::env::temp_dir().join(format!("zz-fuzz-c-abi-{}", std::process::id()));
    c_abi::Abi::new(&dir)
});

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ABI.run(data);
});
