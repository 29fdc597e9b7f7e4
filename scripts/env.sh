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

command -v cargo >/dev/null || { echo "cargo not found: install Rust (https://rustup.rs) first" >&2; exit 2; }
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt 2>/dev/null || true
