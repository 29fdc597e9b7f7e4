//! The verification ratios of `benches/benches/verify.rs`, measured in alternating rounds.
//!
//! Criterion measures its benches one after another, each for several seconds; on a shared
//! machine whose speed drifts by 20% within minutes, a ratio of two of them partly measures the
//! drift. Here every round times four contenders on the same 64 licences back to back
//! (in a rotating order): bare ed25519-dalek `verify_strict` on each licence's 64-byte hash
//! data, the verifier on each licence singly, `verify_many` on the 64 at once (batch
//! equations of 32 signatures, spread over the cores), and the bare checks spread over the
//! cores by `parallel::map`, which shows what the machine's cores give to one-by-one checks at
//! that moment. The ratios are taken within each round, and their median over the rounds is
//! reported with the quartiles.
//!
//! `cargo bench --workspace --bench verify_rounds` (a few seconds once built).

use std::hint::black_box;
use std::time::{Duration, Instant};

use ed25519_dalek::{Signature, VerifyingKey};
use zhengzhao_benches::{signed_licences, AT};
use zhengzhao_core::keys::Algorithm;
use zhengzhao_core::verify::Context;
use zhengzhao_core::{parallel, proof};

const ROUNDS: usize = 300;

fn main() {
    let s = signed_licences(Algorithm::Ed25519, 64);
    let ctx = Context {
        at: AT,
        certificates: &[],
        status_lists: &[],
    };
    let key = VerifyingKey::from_bytes(s.key.public_key().as_bytes().try_into().unwrap()).unwrap();
    let bare: Vec<(Vec<u8>, Signature)> = s
        .documents
        .iter()
        .map(|d| {
            let p = proof::prepare(&serde_json::from_slice(d).unwrap()).unwrap();
            let sig = Signature::from_bytes(p.signature.as_slice().try_into().unwrap());
            (p.hash_data, sig)
        })
        .collect();
    let refs: Vec<&[u8]> = s.documents.iter().map(Vec::as_slice).collect();
    assert!(bare
        .iter()
        .all(|(m, sig)| key.verify_strict(m, sig).is_ok()));
    assert!(s.verifier.verify_many(&refs, &ctx).iter().all(|r| r.valid));

    let time = |f: &dyn Fn() -> usize| {
        let t = Instant::now();
        assert_eq!(black_box(f()), refs.len());
        t.elapsed()
    };
    let contenders: [&dyn Fn() -> usize; 4] = [
        &|| {
            bare.iter()
                .filter(|(m, sig)| key.verify_strict(black_box(m), sig).is_ok())
                .count()
        },
        &|| {
            refs.iter()
                .filter(|d| s.verifier.verify(black_box(d), &ctx).valid)
                .count()
        },
        &|| {
            s.verifier
                .verify_many(black_box(&refs), &ctx)
                .iter()
                .filter(|r| r.valid)
                .count()
        },
        &|| {
            parallel::map(&bare, |(m, sig)| {
                key.verify_strict(black_box(m), sig).is_ok()
            })
            .iter()
            .filter(|ok| **ok)
            .count()
        },
    ];
    for f in contenders {
        time(f); // warm-up
    }
    let mut times: Vec<[Duration; 4]> = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let mut t = [Duration::ZERO; 4];
        for k in 0..4 {
            let which = (round + k) % 4;
            t[which] = time(contenders[which]);
        }
        times.push(t);
    }

    let per_licence = |d: Duration| d.as_secs_f64() * 1e6 / refs.len() as f64;
    println!("verify_rounds: {ROUNDS} rounds of 64 licences each, µs per licence (median)");
    for (k, name) in [
        "bare_verify_strict",
        "licence_single",
        "licence_batch64",
        "bare_parallel64",
    ]
    .iter()
    .enumerate()
    {
        let (_, m, _) = quartiles(times.iter().map(|t| per_licence(t[k])).collect());
        println!("  {name:<20} {m:>8.2} µs");
    }
    // Rates: the ratio of rates is the inverse ratio of times.
    let ratio = |num: usize, den: usize| -> (f64, f64, f64) {
        quartiles(
            times
                .iter()
                .map(|t| t[den].as_secs_f64() / t[num].as_secs_f64())
                .collect(),
        )
    };
    for (label, (q1, m, q3), target) in [
        ("single vs bare", ratio(1, 0), "target 0.85×"),
        ("batch vs single", ratio(2, 1), "target 1.8×"),
        ("bare on the cores", ratio(3, 0), "what the cores give"),
        ("batch vs that", ratio(2, 3), "what the batch equation adds"),
    ] {
        println!("  {label:<20} {m:>8.2}×  (quartiles {q1:.2}× – {q3:.2}×; {target})");
    }
}

/// The first quartile, median and third quartile of `v`.
fn quartiles(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.25), at(0.5), at(0.75))
}
