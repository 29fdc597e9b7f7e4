//! Verifying a typical licence (about 1 KiB), singly and in batches of 64, beside bare
//! ed25519-dalek `verify_strict` on the same 64-byte hash data, in the same run; and the same
//! for a licence signed with the SM2 suite (`sm2-jcs-2024`, an all-SM2 path) beside the bare
//! `sm2` crate verifying the same hash data (group `verify_sm2`).
//!
//! `cargo bench --workspace --bench verify`, then `scripts/bench-report verify` and
//! `scripts/bench-report verify_sm2`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ed25519_dalek::{Signature, VerifyingKey};
use zhengzhao_benches::{signed_licences, AT};
use zhengzhao_core::keys::Algorithm;
use zhengzhao_core::proof;
use zhengzhao_core::verify::Context;

fn verify(c: &mut Criterion) {
    let s = signed_licences(Algorithm::Ed25519, 64);
    let ctx = Context {
        at: AT,
        certificates: &[],
        status_lists: &[],
    };
    let doc = &s.documents[0];
    assert!(s.verifier.verify(doc, &ctx).valid);
    eprintln!("document size: {} bytes", doc.len());

    // The same hash data and signature, for the bare baseline.
    let prepared = proof::prepare(&serde_json::from_slice(doc).unwrap()).unwrap();
    let key = VerifyingKey::from_bytes(s.key.public_key().as_bytes().try_into().unwrap()).unwrap();
    let sig = Signature::from_bytes(prepared.signature.as_slice().try_into().unwrap());
    let hash = prepared.hash_data.clone();
    assert!(key.verify_strict(&hash, &sig).is_ok());

    let mut g = c.benchmark_group("verify");
    g.throughput(Throughput::Elements(1));
    g.bench_function("bare_verify_strict", |b| {
        b.iter(|| key.verify_strict(std::hint::black_box(&hash), &sig).is_ok())
    });
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

fn verify_sm2(c: &mut Criterion) {
    use sm2::dsa::signature::Verifier as _;
    let s = signed_licences(Algorithm::Sm2, 64);
    let ctx = Context {
        at: AT,
        certificates: &[],
        status_lists: &[],
    };
    let doc = &s.documents[0];
    assert!(s.verifier.verify(doc, &ctx).valid);

    // The same hash data and signature, for the bare baseline: the sm2 crate with its own ZA
    // (user ID 1234567812345678), SM3(ZA ‖ M) and the verification equation.
    let prepared = proof::prepare(&serde_json::from_slice(doc).unwrap()).unwrap();
    let key =
        sm2::dsa::VerifyingKey::from_sec1_bytes("1234567812345678", s.key.public_key().as_bytes())
            .unwrap();
    let sig = sm2::dsa::Signature::from_slice(&prepared.signature).unwrap();
    let hash = prepared.hash_data.clone();
    assert!(key.verify(&hash, &sig).is_ok());

    let mut g = c.benchmark_group("verify_sm2");
    g.throughput(Throughput::Elements(1));
    g.bench_function("bare_sm2_verify", |b| {
        b.iter(|| key.verify(std::hint::black_box(&hash), &sig).is_ok())
    });
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

criterion_group!(benches, verify, verify_sm2);
criterion_main!(benches);
