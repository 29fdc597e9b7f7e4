//! Resident memory while serving the million-licence registry with the default cache: opens it
//! (generating it first if needed, in another run), answers 200,000 window requests for random
//! holders, and prints the process's resident set (VmRSS) and its peak (VmHWM).
//!
//! `cargo build --release --workspace --examples`, then
//! `$CARGO_TARGET_DIR/release/examples/serve_rss` (see docs/performance.md).

use time::OffsetDateTime;
use zhengzhao_benches::registry::{self, holders, million, request, HOLDERS};
use zhengzhao_core::sample::Sampler;
use zhengzhao_registry::Registry;

fn status(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .map(|l| l.trim().to_owned())
        .unwrap_or_else(|| format!("{field} unknown"))
}

fn main() {
    let b = million();
    if std::env::args().any(|a| a == "--generate-only") {
        return;
    }
    let holders = holders();
    let reg = Registry::open(&b.dir, registry::options(&b.authority)).unwrap();
    println!("opened: {} {}", status("VmRSS"), status("VmHWM"));
    let mut rng = Sampler::new(5);
    let at = OffsetDateTime::now_utc();
    let mut licences = 0usize;
    for n in 0..200_000 {
        let h = &holders[rng.below(HOLDERS as u64) as usize];
        let r = request(&b, h);
        let answers = if n % 2 == 0 {
            reg.lookup_at(&r, at).unwrap()
        } else {
            reg.answer_many_at(std::slice::from_ref(&r), at)
                .unwrap()
                .pop()
                .unwrap()
                .unwrap()
        };
        licences += answers.iter().filter(|a| a.document().is_some()).count();
    }
    println!("served 200000 requests, {licences} licences given");
    println!("{}  {}", status("VmRSS"), status("VmHWM"));
}
