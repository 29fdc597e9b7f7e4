//! Replays the C ABI fuzz target's corpus (`fuzz/corpus/c_abi/`) through the target's own body
//! (`fuzz/c_abi.rs`), with the other corpora that reach the same entry points, every 64th
//! prefix of each input and seeded one-byte changes, so that CI on stable Rust runs the C ABI
//! through what the fuzzer exercises. The C tests run the same functions under valgrind.

use std::fs;
use std::path::{Path, PathBuf};

#[path = "../../../fuzz/c_abi.rs"]
mod c_abi;

use zhengzhao::ZZ_OK;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files of a corpus, each behind `selector` (`None`: the files carry their own).
fn corpus(name: &str, selector: Option<u8>) -> Vec<Vec<u8>> {
    let dir = fuzz_dir().join("corpus").join(name);
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let data = fs::read(e.unwrap().path()).unwrap();
            match selector {
                Some(s) => [&[s][..], &data].concat(),
                None => data,
            }
        })
        .collect();
    assert!(!files.is_empty(), "{name}: empty corpus");
    files.sort();
    files
}

/// Each input, every 64th prefix of what follows its selector byte, and 32 copies with one
/// byte of it changed (a fixed xorshift sequence, so that a failure repeats).
fn variants(inputs: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for input in inputs {
        out.push(input.clone());
        let body = input.len().saturating_sub(1);
        for cut in (1..input.len()).step_by(body / 64 + 1) {
            out.push(input[..cut].to_vec());
        }
        for _ in 0..32 {
            if body == 0 {
                break;
            }
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let mut v = input.clone();
            let i = 1 + (x % body as u64) as usize;
            v[i] ^= (x >> 32) as u8 | 1;
            out.push(v);
        }
    }
    out
}

#[test]
fn the_c_abi_corpus_and_its_variants_replay_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let abi = c_abi::Abi::new(&tmp.path().join("registry"));
    let seeds = corpus("c_abi", None);
    // The seeds reach past the parsers: a bundle, an identifier, a catalogue entry and both
    // lookups succeed (the lone licence and the token stop at their signing certificate, which
    // only a bundle carries, as in the core's verify target).
    let ok = seeds.iter().filter(|s| abi.run(s) == ZZ_OK).count();
    assert_eq!(ok, 5, "{ok} of {} seeds succeed", seeds.len());

    let mut inputs = seeds;
    for (name, selector) in [
        ("verify", 0),
        ("bundle", 0),
        ("vcjwt", 0),
        ("qr", 0),
        ("licence_json", 0),
        ("gbt36903", 0),
        ("ofd", 1),
        ("identifier", 2),
        ("codes", 2),
        ("identifier", 3),
    ] {
        inputs.extend(corpus(name, Some(selector)));
    }
    let all = variants(&inputs);
    for v in &all {
        abi.run(v);
    }
    assert!(all.len() > 2_000, "{} inputs", all.len());
}
