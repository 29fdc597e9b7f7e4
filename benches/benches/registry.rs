//! The window lookup (用证) on a registry of a million licences, beside a bare
//! `batched_multi_get_cf` of the same 10 `current` values, in the same run; and issuance.
//!
//! `cargo bench --workspace --bench registry`, then `scripts/bench-report window10` and
//! `scripts/bench-report issue1000`. The first run generates the registry (see
//! `zhengzhao_benches::registry`); p50 and p99 latencies are printed at the end.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use time::OffsetDateTime;
use zhengzhao_benches::registry::{self, holders, million, request, HOLDERS};
use zhengzhao_core::sample::Sampler;
use zhengzhao_registry::layout::{current_key, CF_CURRENT};
use zhengzhao_registry::options::DEFAULT_CACHE_BYTES;
use zhengzhao_registry::window::Document;
use zhengzhao_registry::{Answer, IssueRequest, Registry, WindowRequest};

/// Distinct requests cycled through: random holders over the whole registry, so that the
/// working set (about 1.3 GB of entries) is far larger than the 64 MiB cache.
const PICKS: usize = 65_536;

fn percentiles(name: &str, mut f: impl FnMut(usize)) {
    let mut t: Vec<Duration> = (0..20_000)
        .map(|i| {
            let s = Instant::now();
            f(i % PICKS);
            s.elapsed()
        })
        .collect();
    t.sort();
    let p = |q: f64| t[((t.len() as f64 * q) as usize).min(t.len() - 1)].as_secs_f64() * 1e6;
    eprintln!(
        "latency {name:<18} p50 {:>8.1} µs   p99 {:>8.1} µs",
        p(0.50),
        p(0.99)
    );
}

fn window(c: &mut Criterion) {
    let b = million();
    let reg = Registry::open(&b.dir, registry::options(&b.authority)).unwrap();
    let raw = registry::raw(&b.dir, DEFAULT_CACHE_BYTES);
    let cf = raw.cf_handle(CF_CURRENT).unwrap();
    let holders = holders();
    let mut rng = Sampler::new(9);
    let picks: Vec<usize> = (0..PICKS)
        .map(|_| rng.below(HOLDERS as u64) as usize)
        .collect();
    let requests: Vec<WindowRequest> = picks.iter().map(|&i| request(&b, &holders[i])).collect();
    let keys: Vec<Vec<[u8; 53]>> = picks
        .iter()
        .map(|&i| {
            let h = reg
                .holder_hash(&holders[i].code_type, &holders[i].code)
                .unwrap();
            let mut ks: Vec<[u8; 53]> = b
                .types
                .iter()
                .map(|t| current_key(&h, t.code.as_ref()))
                .collect();
            ks.sort();
            ks
        })
        .collect();
    let at = OffsetDateTime::now_utc();
    // Every type of every request is answered with a licence, and the bare read finds the same
    // ten values.
    for (r, ks) in requests.iter().zip(&keys).take(64) {
        let answers = reg.answer_many_at(std::slice::from_ref(r), at).unwrap();
        let answers = answers[0].as_ref().unwrap();
        assert!(answers.iter().all(|a| matches!(a, Answer::Licence { .. })));
        let values = raw.batched_multi_get_cf(cf, ks, true);
        assert!(values.iter().all(|v| matches!(v, Ok(Some(_)))));
    }

    let mut g = c.benchmark_group("window10");
    g.throughput(Throughput::Elements(1));
    let mut i = 0usize;
    g.bench_function("bare_multi_get", |bn| {
        bn.iter(|| {
            i = (i + 1) % PICKS;
            let values = raw.batched_multi_get_cf(cf, black_box(&keys[i]), true);
            values
                .iter()
                .map(|v| v.as_ref().map_or(0, |v| v.as_ref().map_or(0, |s| s.len())))
                .sum::<usize>()
        })
    });
    // The documents' lengths, as the bare read sums them.
    let lengths = |a: &[Answer<Document<'_>>]| {
        a.iter()
            .map(|a| a.document().map_or(0, <[u8]>::len))
            .sum::<usize>()
    };
    g.bench_function("lookup_unlogged", |bn| {
        bn.iter(|| {
            i = (i + 1) % PICKS;
            reg.answer_with(black_box(&requests[i]), at, lengths)
                .unwrap()
        })
    });
    g.bench_function("lookup_logged", |bn| {
        bn.iter(|| {
            i = (i + 1) % PICKS;
            reg.lookup_with(black_box(&requests[i]), at, lengths)
                .unwrap()
        })
    });
    // The owned answers (documents copied out), for comparison.
    g.bench_function("lookup_unlogged_owned", |bn| {
        bn.iter(|| {
            i = (i + 1) % PICKS;
            reg.answer_many_at(std::slice::from_ref(black_box(&requests[i])), at)
                .unwrap()
                .len()
        })
    });
    g.finish();

    percentiles("bare_multi_get", |i| {
        black_box(raw.batched_multi_get_cf(cf, &keys[i], true));
    });
    percentiles("lookup_unlogged", |i| {
        black_box(
            reg.answer_many_at(std::slice::from_ref(&requests[i]), at)
                .unwrap(),
        );
    });
    percentiles("lookup_logged", |i| {
        black_box(reg.lookup_at(&requests[i], at).unwrap());
    });
}

fn issuance(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let b = million();
    // The default policy: the WAL is synced once per issue_many call.
    let reg = Registry::create(
        &tmp.path().join("r"),
        zhengzhao_registry::Options::new().signers(std::sync::Arc::new(
            zhengzhao_registry::CachedSigners::new(b.authority.clone()),
        )),
    )
    .unwrap();
    let mut sampler = Sampler::new(11);
    let today = OffsetDateTime::now_utc().date();
    let requests: Vec<IssueRequest> = (0..1000)
        .map(|k| {
            let holder = sampler.person();
            let l = sampler
                .licence(
                    &b.types[k % b.types.len()],
                    &b.issuer,
                    &holder,
                    "0000000001",
                    today,
                )
                .unwrap();
            IssueRequest::from_licence(&l, "基准测试")
        })
        .collect();
    let mut g = c.benchmark_group("issue1000");
    g.throughput(Throughput::Elements(1000));
    g.sample_size(10);
    g.bench_function("issue_many", |bn| {
        bn.iter(|| reg.issue_many(black_box(&requests)).unwrap().len())
    });
    g.finish();
}

criterion_group!(benches, window, issuance);
criterion_main!(benches);
