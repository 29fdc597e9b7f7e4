//! Runs the pytest suite (`tests/*.py`) against the extension module this build made.
//!
//! The module (`lib_zhengzhao.so`, built beside this test by the same `cargo test`, so that
//! RocksDB is compiled once for everything) is put into a `zhengzhao` package folder with the
//! package's Python files, and pytest runs with that folder first on `PYTHONPATH`.
//!
//! The interpreter is `$ZZ_PYTHON` (the virtual environment `scripts/test` prepares, with
//! pytest, hypothesis, cryptography, rfc8785 and PyJWT), else `python3`. Without pytest the
//! suite is skipped with a note, unless `ZZ_REQUIRE_PYTHON=1` (as `scripts/test` sets) makes
//! that a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The extension module: the cdylib in this test's profile folder.
fn module() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    for d in [deps, deps.parent().unwrap()] {
        let so = d.join("lib_zhengzhao.so");
        if so.is_file() {
            return so;
        }
    }
    panic!("lib_zhengzhao.so not found beside {}", exe.display());
}

fn copy_package(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
}

#[test]
fn pytest_suite() {
    let python = std::env::var("ZZ_PYTHON").unwrap_or_else(|_| "python3".into());
    let has_pytest = Command::new(&python)
        .args([
            "-c",
            "import pytest, hypothesis, cryptography, rfc8785, jwt",
        ])
        .status()
        .is_ok_and(|s| s.success());
    if !has_pytest {
        assert!(
            std::env::var_os("ZZ_REQUIRE_PYTHON").is_none_or(|v| v != "1"),
            "{python} lacks pytest or the cross-check packages, and ZZ_REQUIRE_PYTHON=1"
        );
        eprintln!(
            "note: {python} lacks pytest or the cross-check packages: the Python suite is skipped"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let package = dir.path().join("zhengzhao");
    copy_package(&crate_dir().join("python/zhengzhao"), &package);
    std::fs::copy(module(), package.join("_zhengzhao.abi3.so")).unwrap();
    let status = Command::new(&python)
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"])
        .current_dir(crate_dir())
        .env("PYTHONPATH", dir.path())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .status()
        .unwrap();
    assert!(status.success(), "the pytest suite failed ({status})");
}
