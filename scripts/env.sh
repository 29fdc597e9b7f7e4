# Shared by the scripts: installs what a fresh Debian machine lacks and sets the build location.
# shellcheck shell=bash

zz_step() { printf '\n==> %s\n' "$*"; }

# One target directory outside the clone, reused by every clone on this machine.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/zhengzhao/target}"
mkdir -p "$CARGO_TARGET_DIR"

zz_apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        zz_step "installing ${missing[*]}"
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
    fi
}

# RocksDB is built from source: its build script needs a C++ compiler and libclang. The C ABI's
# tests build C and C++ programs (gcc, g++, pkg-config) and run them under valgrind.
zz_apt_install clang libclang-dev gcc g++ pkg-config valgrind

# The Python extension module leaves the interpreter's symbols to be resolved when Python
# loads it (maturin sets this too); only pyo3's own build script reads it.
export PYO3_BUILD_EXTENSION_MODULE=1

# A virtual environment with pytest and the packages the Python suite cross-checks against
# (cryptography, rfc8785, PyJWT), kept beside the target directory; sets ZZ_PYTHON.
zz_python_env() {
    local venv="${ZZ_VENV:-$HOME/.cache/zhengzhao/venv}"
    if [ ! -x "$venv/bin/python" ]; then
        zz_step "Python virtual environment in $venv"
        python3 -m venv "$venv" 2>/dev/null || { zz_apt_install python3-venv; python3 -m venv "$venv"; }
    fi
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r bindings/python/requirements-test.txt
    export ZZ_PYTHON="$venv/bin/python"
}

command -v python3 >/dev/null || zz_apt_install python3
command -v cargo >/dev/null || { echo "cargo not found: install Rust (https://rustup.rs) first" >&2; exit 2; }
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt 2>/dev/null || true
