//! Verifying a typical licence (about 1 KiB), singly and in batches of 64, beside bare
//! ed25519-dalek `verify_strict` on the same 64-byte hash data, in the same run.
//!
//! `cargo bench -p zhengzhao-benches --bench verify`, then `scripts/bench-report verify`.

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

criterion_group!(benches, verify);
criterion_main!(benches);
