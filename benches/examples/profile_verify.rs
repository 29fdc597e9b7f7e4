//! Verifies one licence many times: a target for profilers (`valgrind --tool=callgrind`).
use zhengzhao_benches::{signed_licences, AT};
use zhengzhao_core::keys::Algorithm;
use zhengzhao_core::verify::Context;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let s = signed_licences(Algorithm::Ed25519, 1);
    let ctx = Context {
        at: AT,
        certificates: &[],
        status_lists: &[],
    };
    let mut ok = 0;
    for _ in 0..n {
        ok += s.verifier.verify(&s.documents[0], &ctx).valid as usize;
    }
    assert_eq!(ok, n);
}
