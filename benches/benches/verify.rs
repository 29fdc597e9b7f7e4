//! Verifying a typical licence (about 1 KiB), singly and in batches of 64, beside bare
//! ed25519-dalek `verify_strict` on the same 64-byte hash data, in the same run; and the same
//! for a licence signed with the SM2 suite (`sm2-jcs-2024`, an all-SM2 path) beside the bare
//! `sm2` crate verifying the same hash data (group `verify_sm2`).
//!
//! `cargo bench --workspace --bench verify`, then `scripts/bench-report verify` and
//! `scripts/bench-report verify_sm2`. `verify_rounds.rs` measures the same ratios in
//! alternating rounds, which a drifting machine does not bias.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ed25519_dalek::{Signature, VerifyingKey};
use zhengzhao_benches::{signed_licences, AT};
use zhengzhao_core::keys::Algorithm;
use zhengzhao_core::proof;
use zhengzhao_core::verify::Context;

/// A bare signature check made from a public key and a signature; it checks a message.
type Bare = Box<dyn Fn(&[u8]) -> bool>;

/// One group: `baseline`, the bare check of `algorithm` over the first licence's hash data and
/// signature, then the verifier on that licence and on 64 at once.
fn group(
    c: &mut Criterion,
    name: &str,
    algorithm: Algorithm,
    baseline: &str,
    bare: fn(&[u8], &[u8]) -> Bare,
) {
    let s = signed_licences(algorithm, 64);
    let ctx = Context {
        at: AT,
        certificates: &[],
        status_lists: &[],
    };
    let doc = &s.documents[0];
    assert!(s.verifier.verify(doc, &ctx).valid);
    eprintln!("{name}: document size {} bytes", doc.len());

    // The same hash data and signature, for the bare baseline.
    let prepared = proof::prepare(&serde_json::from_slice(doc).unwrap()).unwrap();
    let check = bare(s.key.public_key().as_bytes(), &prepared.signature);
    let hash = prepared.hash_data.clone();
    assert!(check(&hash));

    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(1));
    g.bench_function(baseline, |b| b.iter(|| check(std::hint::black_box(&hash))));
    g.bench_function("licence_single", |b| {
        b.iter(|| s.verifier.verify(std::hint::black_box(doc), &ctx).valid)
    });
    g.throughput(Throughput::Elements(64));
    let refs: Vec<&[u8]> = s.documents.iter().map(Vec::as_slice).collect();
    g.bench_function("licence_batch64", |b| {
        b.iter(|| {
            s.verifier
                .verify_many(std::hint::black_box(&refs), &ctx)
                .len()
        })
    });
    g.finish();
}

fn verify(c: &mut Criterion) {
    group(
        c,
        "verify",
        Algorithm::Ed25519,
        "bare_verify_strict",
        |key, sig| {
            let key = VerifyingKey::from_bytes(key.try_into().unwrap()).unwrap();
            let sig = Signature::from_bytes(sig.try_into().unwrap());
            Box::new(move |m| key.verify_strict(m, &sig).is_ok())
        },
    );
}

fn verify_sm2(c: &mut Criterion) {
    // The sm2 crate with its own ZA (user ID 1234567812345678), SM3(ZA ‖ M) and the equation.
    group(
        c,
        "verify_sm2",
        Algorithm::Sm2,
        "bare_sm2_verify",
        |key, sig| {
            use sm2::dsa::signature::Verifier as _;
            let key = sm2::dsa::VerifyingKey::from_sec1_bytes("1234567812345678", key).unwrap();
            let sig = sm2::dsa::Signature::from_slice(sig).unwrap();
            Box::new(move |m| key.verify(m, &sig).is_ok())
        },
    );
}

criterion_group!(benches, verify, verify_sm2);
criterion_main!(benches);
