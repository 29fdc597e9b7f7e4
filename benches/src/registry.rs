//! A registry of a million licences for the lookup benches, generated once and reused: 100,000
//! persons with one licence of each of 10 person types, issued by one department, and a using
//! organisation granted the 10 types.
//!
//! It lives in `$CARGO_TARGET_DIR/bench-data/registry-1m` (made anew when incomplete, or of an
//! older schema).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use time::OffsetDateTime;
use zhengzhao_core::catalog::{Catalog, LicenceType, ValidityKind};
use zhengzhao_core::codes::{HolderCategory, Uscc};
use zhengzhao_core::keys::Algorithm;
use zhengzhao_core::keystore::AuthorityDir;
use zhengzhao_core::licence::{Holder, Issuer};
use zhengzhao_core::sample::Sampler;
use zhengzhao_registry::layout;
use zhengzhao_registry::{
    CachedSigners, IssueRequest, Options, Registry, UseContext, WalSync, WindowRequest,
};

/// Persons in the registry.
pub const HOLDERS: usize = 100_000;

/// Persons in the registry of this run: [`HOLDERS`], or `ZZ_BENCH_HOLDERS` where a disk has no
/// room for the million licences (about 5 GB while they are generated, 2.8 GB after).
pub fn holder_count() -> usize {
    std::env::var("ZZ_BENCH_HOLDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(HOLDERS)
}
/// Licence types per person (the materials of one service item).
pub const TYPES: usize = 10;
/// Requests per `issue_many` call while generating.
pub const CHUNK: usize = 2_000;

/// The generated registry and what the benches need to ask it.
pub struct BenchRegistry {
    /// The registry folder.
    pub dir: PathBuf,
    /// The authority folder.
    pub authority: AuthorityDir,
    /// The issuing department.
    pub issuer: Issuer,
    /// The 10 licence types.
    pub types: Vec<LicenceType>,
    /// The using organisation, granted the 10 types.
    pub org: Uscc,
}

/// The 10 person types without consent whose licences have an end date.
pub fn person_types() -> Vec<LicenceType> {
    Catalog::builtin()
        .iter()
        .filter(|t| {
            t.holder == HolderCategory::Person
                && !t.consent
                && t.validity.kind == ValidityKind::Period
        })
        .take(TYPES)
        .cloned()
        .collect()
}

/// The holders, in order (the same every time: a fixed seed).
pub fn holders() -> Vec<Holder> {
    let mut s = Sampler::new(7);
    (0..holder_count()).map(|_| s.person()).collect()
}

fn base() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    target.join("bench-data")
}

/// Options for the benches: the default cache, OS-buffered WAL (the generator's batches and
/// the lookups' use events are not fsynced one by one).
pub fn options(authority: &AuthorityDir) -> Options {
    Options::new()
        .sync(WalSync::OsBuffered)
        .signers(Arc::new(CachedSigners::new(authority.clone())))
}

/// A window request of `holder` for the 10 types.
pub fn request(b: &BenchRegistry, holder: &Holder) -> WindowRequest {
    WindowRequest {
        holder_code_type: holder.code_type.to_string(),
        holder_code: holder.code.clone(),
        types: b.types.iter().map(|t| t.code.to_string()).collect(),
        context: UseContext {
            org: b.org.to_string(),
            operator: "窗口人员王五".into(),
            item: "330000-000201-001".into(),
            case: "2025-XH-000123".into(),
            reason: "办理不动产登记：核验申请人资格".into(),
            consent: None,
        },
    }
}

/// The registry of a million licences, generated on first use (a few minutes).
pub fn million() -> BenchRegistry {
    let base = base();
    let name = match holder_count() {
        HOLDERS => "registry-1m".to_owned(),
        n => format!("registry-{n}-holders"),
    };
    let dir = base.join(&name);
    let done = base.join(format!("{name}.complete"));
    let mut sampler = Sampler::new(42);
    let issuer = sampler.issuer("杭州市西湖区市场监督管理局");
    let org = sampler.issuer("杭州市西湖区行政服务中心").code;
    let types = person_types();
    // The marker holds the schema version it was made with: a registry of an older layout is
    // made anew (only this one: others of other sizes and the authority stay).
    let current = std::fs::read_to_string(&done).ok().as_deref()
        == Some(layout::SCHEMA_VERSION.to_string().as_str());
    if !current {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&base).unwrap();
    }
    if !base.join("authority").exists() {
        AuthorityDir::init(
            &base.join("authority"),
            "浙江省电子证照根CA（基准测试）",
            &issuer.name,
            &issuer.code,
            None,
            Algorithm::Ed25519,
            10,
        )
        .unwrap();
    }
    let authority = AuthorityDir::open(&base.join("authority")).unwrap();
    let b = BenchRegistry {
        dir,
        authority,
        issuer,
        types,
        org,
    };
    if !current {
        generate(&b, &mut sampler);
        std::fs::write(&done, layout::SCHEMA_VERSION.to_string()).unwrap();
    }
    b
}

fn generate(b: &BenchRegistry, sampler: &mut Sampler) {
    let reg = Registry::create(&b.dir, options(&b.authority)).unwrap();
    let today = OffsetDateTime::now_utc().date();
    let holders = holders();
    let started = Instant::now();
    let mut requests = Vec::with_capacity(CHUNK);
    let mut issued = 0usize;
    for holder in &holders {
        for ty in &b.types {
            let l = sampler
                .licence(ty, &b.issuer, holder, "0000000001", today)
                .unwrap();
            requests.push(IssueRequest::from_licence(&l, "基准测试"));
            if requests.len() == CHUNK {
                issued += issue_chunk(&reg, &requests);
                requests.clear();
            }
        }
    }
    issued += issue_chunk(&reg, &requests);
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "generated {issued} licences in {secs:.0} s ({:.0} licences/s, sampling included)",
        issued as f64 / secs
    );
    let until = OffsetDateTime::now_utc() + time::Duration::days(3650);
    for ty in &b.types {
        reg.add_grant(&b.org, &ty.code, until, "基准测试", "")
            .unwrap();
    }
    reg.checkpoint().unwrap();
}

fn issue_chunk(reg: &Registry, requests: &[IssueRequest]) -> usize {
    let results = reg.issue_many(requests).unwrap();
    results.iter().map(|r| r.as_ref().map(|_| 1).unwrap()).sum()
}

/// Opens the registry's database read-only beside the registry, with the registry's table
/// settings and a cache of the same size: the baseline of the lookup benches reads it raw.
pub fn raw(dir: &Path, cache_bytes: usize) -> rocksdb::DB {
    let cache = rocksdb::Cache::new_lru_cache(cache_bytes);
    let mut o = rocksdb::Options::default();
    o.set_block_based_table_factory(&zhengzhao_registry::options::table_options(&cache));
    let path = dir.join("db");
    let names = rocksdb::DB::list_cf(&rocksdb::Options::default(), &path).unwrap();
    let cfs = names
        .iter()
        .map(|n| rocksdb::ColumnFamilyDescriptor::new(n, o.clone()));
    rocksdb::DB::open_cf_descriptors_read_only(&o, &path, cfs, false).unwrap()
}
