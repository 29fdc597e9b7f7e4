//! The window lookup (用证) on a registry of a million licences, beside a bare
//! `batched_multi_get_cf` of the same 10 `current` values, in the same run, through the Rust
//! API and through the C ABI (`zz_registry_lookup`, called from Rust via the rlib: the request
//! as JSON, each document copied once into the result); and issuance.
//!
//! `cargo bench --workspace --bench registry`, then `scripts/bench-report window10` and
//! `scripts/bench-report issue1000`. The first run generates the registry (see
//! `zhengzhao_benches::registry`); p50 and p99 latencies are printed at the end.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use time::OffsetDateTime;
use zhengzhao_benches::registry::{self, holder_count, holders, million, request};
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
    let reg = std::sync::Arc::new(Registry::open(&b.dir, registry::options(&b.authority)).unwrap());
    // The same registry as a C ABI handle.
    let handle = zhengzhao::handle_of(reg.clone());
    let raw = registry::raw(&b.dir, DEFAULT_CACHE_BYTES);
    let cf = raw.cf_handle(CF_CURRENT).unwrap();
    let holders = holders();
    let mut rng = Sampler::new(9);
    let picks: Vec<usize> = (0..PICKS)
        .map(|_| rng.below(holder_count() as u64) as usize)
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
    // The requests as a C caller sends them.
    let request_json: Vec<Vec<u8>> = requests.iter().map(c_request).collect();
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
    // The same requests through the C ABI.
    let c_lookup = |json: &[u8], flags: u32| -> usize {
        let mut out: *mut zhengzhao::zz_lookup = std::ptr::null_mut();
        // SAFETY: valid pointers and lengths; the result is freed below.
        let status = unsafe {
            zhengzhao::zz_registry_lookup(
                handle,
                json.as_ptr(),
                json.len(),
                std::ptr::null(),
                flags,
                &mut out,
            )
        };
        assert_eq!(status, 0);
        // SAFETY: a result of zz_registry_lookup, read then freed once.
        unsafe {
            let reply = &*(*out).replies;
            let answers = std::slice::from_raw_parts(reply.answers, reply.answer_count);
            let n = answers.iter().map(|a| a.document_len).sum::<usize>();
            zhengzhao::zz_free_lookup(out);
            n
        }
    };
    assert_eq!(
        c_lookup(&request_json[0], zhengzhao::ZZ_LOOKUP_UNLOGGED),
        reg.answer_with(&requests[0], at, lengths).unwrap()
    );
    g.bench_function("c_abi_unlogged", |bn| {
        bn.iter(|| {
            i = (i + 1) % PICKS;
            c_lookup(black_box(&request_json[i]), zhengzhao::ZZ_LOOKUP_UNLOGGED)
        })
    });
    g.bench_function("c_abi_logged", |bn| {
        bn.iter(|| {
            i = (i + 1) % PICKS;
            c_lookup(black_box(&request_json[i]), 0)
        })
    });
    g.finish();
    // SAFETY: the handle is open; the registry stays alive in `reg`.
    assert_eq!(unsafe { zhengzhao::zz_registry_close(handle) }, 0);

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

/// A window request as the JSON a C caller passes to `zz_registry_lookup`.
fn c_request(r: &WindowRequest) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "holder_code_type": r.holder_code_type,
        "holder_code": r.holder_code,
        "types": r.types,
        "context": {
            "org": r.context.org,
            "operator": r.context.operator,
            "item": r.context.item,
            "case": r.context.case,
            "reason": r.context.reason,
            "consent": r.context.consent,
        },
    }))
    .unwrap()
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
    // Each call issues new licences: a 证照编号 is issued once, so every round gets its own.
    let mut round = 0u64;
    g.bench_function("issue_many", |bn| {
        bn.iter_batched(
            || {
                round += 1;
                let mut r = requests.clone();
                for (k, q) in r.iter_mut().enumerate() {
                    q.number = format!("B{round:08}{k:04}");
                }
                r
            },
            |r| {
                let out = reg.issue_many(black_box(&r)).unwrap();
                assert!(out.iter().all(Result::is_ok), "every licence is issued");
                out.len()
            },
            criterion::BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, window, issuance);
criterion_main!(benches);
