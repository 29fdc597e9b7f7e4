//! The Rust side of the Python benchmark (`scripts/bench python` runs `benches/python/bench.py`,
//! which runs this): the same work as the Python calls, on the same inputs, in the same run.
//! Without arguments (as `cargo bench` runs it) it does nothing. Reads the folder the script
//! prepared
//! (`root.pem`, `signers.pem`, `documents.json`, `requests.json`, `registry/`), then prints, as JSON, the
//! median rate of `Verifier::verify_many` over the documents (documents/s) and of
//! `Registry::answer_many_at` over the requests (requests/s), each over `rounds` rounds.
//!
//! Usage: `python DIR ROUNDS` (the bench binary, `$CARGO_TARGET_DIR/release/deps/python-*`).

use std::path::PathBuf;
use std::time::Instant;

use time::OffsetDateTime;
use zhengzhao_core::pki::{Certificate, TrustAnchors};
use zhengzhao_core::verify::{Context, Verifier};
use zhengzhao_registry::{Options, Registry, WindowRequest};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("the Python benchmark runs this: scripts/bench python");
        return;
    };
    let rounds: usize = args
        .next()
        .map_or(7, |r| r.parse().expect("ROUNDS is a number"));

    let anchors = TrustAnchors::from_pem(&std::fs::read(dir.join("root.pem")).unwrap()).unwrap();
    let mut verifier = Verifier::new(anchors);
    for c in
        Certificate::parse_pem_bundle(&std::fs::read(dir.join("signers.pem")).unwrap()).unwrap()
    {
        verifier.add_certificate(c);
    }
    let docs: Vec<String> =
        serde_json::from_slice(&std::fs::read(dir.join("documents.json")).unwrap()).unwrap();
    let refs: Vec<&[u8]> = docs.iter().map(|d| d.as_bytes()).collect();
    let at = OffsetDateTime::now_utc();
    let ctx = Context {
        at,
        certificates: &[],
        status_lists: &[],
    };
    assert!(verifier.verify_many(&refs, &ctx).iter().all(|r| r.valid));
    let verify: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            // Dropped inside the timing, as Python frees its results inside its own.
            drop(std::hint::black_box(verifier.verify_many(&refs, &ctx)));
            refs.len() as f64 / t.elapsed().as_secs_f64()
        })
        .collect();

    let requests: Vec<WindowRequest> =
        serde_json::from_slice(&std::fs::read(dir.join("requests.json")).unwrap()).unwrap();
    let reg = Registry::open(&dir.join("registry"), Options::new()).unwrap();
    reg.answer_many_at(&requests, at).unwrap();
    let lookup: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            drop(std::hint::black_box(
                reg.answer_many_at(&requests, at).unwrap(),
            ));
            requests.len() as f64 / t.elapsed().as_secs_f64()
        })
        .collect();
    println!(
        "{}",
        serde_json::json!({ "verify_many": median(verify), "lookup_many": median(lookup) })
    );
}
