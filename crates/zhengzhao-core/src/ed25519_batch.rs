//! Ed25519 batch verification that accepts exactly what `verify_strict` accepts
//! (`docs/ed25519-policy.md`).
//!
//! A batch equation checks one random combination `Σ zᵢ(Rᵢ − [Sᵢ]B + [kᵢ]Aᵢ) = O`. It agrees
//! with the cofactorless single check only when every residue lies in the prime-order
//! subgroup, where a non-zero residue survives a random `zᵢ` but with probability 2⁻¹²⁸. So a
//! signature joins the equation only when its `R` and its key `A` are canonical encodings of
//! prime-order points other than the identity, and its `S` is canonical; any other signature is
//! decided by `verify_strict` alone. The subgroup test is Pornin's point halving (crrl, eprint
//! 2022/1164), about a third of the scalar multiplication `[L]R` would cost. A failed equation
//! is settled signature by signature, so the verdicts are always those of `verify_strict`.

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use sha2::{Digest, Sha512};

use crate::cryptosuite::Check;
use crate::keys::{Algorithm, PublicKey};

/// The point `bytes` encode, when they are the canonical encoding of a point of prime order
/// `L` (so neither the identity nor a point with a small-order component).
pub(crate) fn prime_order_point(bytes: &[u8; 32]) -> Option<EdwardsPoint> {
    if !canonical_y(bytes) {
        return None;
    }
    // crrl and curve25519-dalek decode the same canonical encodings (RFC 8032 §5.1.3); the
    // test `decoders_agree` checks it.
    let in_subgroup = crrl::ed25519::Point::decode(bytes)?.is_in_subgroup() != 0;
    let point = CompressedEdwardsY(*bytes).decompress()?;
    (in_subgroup && !point.is_identity()).then_some(point)
}

/// Whether the `y` of an encoding is below `p = 2²⁵⁵ − 19`: `verify_strict` compares `R` with
/// a canonical encoding, so a non-canonical `R` never verifies.
fn canonical_y(bytes: &[u8; 32]) -> bool {
    // y ≥ p only when y = 2²⁵⁵ − 19 + t, t < 19: every byte but the first is 0xff (the last
    // 0x7f once the sign bit is masked) and the first is at least 0xed.
    !(bytes[0] >= 0xed && bytes[1..31].iter().all(|&b| b == 0xff) && bytes[31] & 0x7f == 0x7f)
}

/// One signature in the equation.
struct Term {
    index: usize,
    /// Index of its key in `keys`.
    key: usize,
    r: EdwardsPoint,
    s: Scalar,
    /// `SHA-512(R ‖ A ‖ M)`, reduced mod `L` below.
    hram: [u8; 64],
}

/// The verdicts of `checks`, each exactly `PublicKey::verify`'s (`verify_strict` for Ed25519):
/// the signatures that pass the screen in one equation, the others and those of a failed
/// equation one by one.
pub(crate) fn verify(checks: &[Check<'_>]) -> Vec<bool> {
    let single = |c: &Check<'_>| {
        c.public_key.algorithm() == Algorithm::Ed25519
            && c.public_key.verify(c.message, c.signature)
    };
    let mut verdicts = vec![false; checks.len()];
    let mut keys: Vec<(&PublicKey, EdwardsPoint)> = Vec::new();
    let mut terms = Vec::with_capacity(checks.len());
    for (index, c) in checks.iter().enumerate() {
        match screen(c, &mut keys) {
            Some((key, r, s)) => {
                let mut h = Sha512::new();
                h.update(&c.signature[..32]);
                h.update(c.public_key.as_bytes());
                h.update(c.message);
                terms.push(Term {
                    index,
                    key,
                    r,
                    s,
                    hram: h.finalize().into(),
                });
            }
            None => verdicts[index] = single(c),
        }
    }
    let holds = !terms.is_empty() && equation(&terms, &keys);
    for t in &terms {
        verdicts[t.index] = holds || single(&checks[t.index]);
    }
    verdicts
}

/// The key's index in `keys`, `R` and `S` of a signature that may join the equation.
fn screen<'k>(
    c: &Check<'k>,
    keys: &mut Vec<(&'k PublicKey, EdwardsPoint)>,
) -> Option<(usize, EdwardsPoint, Scalar)> {
    let sig: &[u8; 64] = c.signature.try_into().ok()?;
    let key = match keys
        .iter()
        .position(|(k, _)| k.as_bytes() == c.public_key.as_bytes())
    {
        Some(i) => i,
        None => {
            keys.push((c.public_key, *c.public_key.ed25519_prime_point()?));
            keys.len() - 1
        }
    };
    let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(
        sig[32..].try_into().expect("32 bytes"),
    ))?;
    let r = prime_order_point(sig[..32].try_into().expect("32 bytes"))?;
    Some((key, r, s))
}

/// `Σ zᵢRᵢ − (Σ zᵢSᵢ)B + Σ_A (Σ_{i of A} zᵢkᵢ)A = O`, with 128-bit `zᵢ` drawn from a hash of
/// the whole batch (as ed25519-dalek's `verify_batch` draws them): whoever chose the
/// signatures cannot choose the coefficients.
fn equation(terms: &[Term], keys: &[(&PublicKey, EdwardsPoint)]) -> bool {
    let mut seed = Sha512::new();
    seed.update(b"zhengzhao ed25519 batch v1");
    for t in terms {
        seed.update(t.hram);
        seed.update(t.s.as_bytes());
    }
    let seed: [u8; 64] = seed.finalize().into();
    let mut zs = Vec::with_capacity(terms.len());
    for block in 0..terms.len().div_ceil(4) {
        let wide: [u8; 64] = Sha512::new()
            .chain_update(seed)
            .chain_update((block as u64).to_le_bytes())
            .finalize()
            .into();
        for z in wide.chunks_exact(16).take(terms.len() - zs.len()) {
            zs.push(Scalar::from(u128::from_le_bytes(
                z.try_into().expect("16 bytes"),
            )));
        }
    }
    let mut b = Scalar::ZERO;
    let mut a = vec![Scalar::ZERO; keys.len()];
    for (t, z) in terms.iter().zip(&zs) {
        b -= z * t.s;
        a[t.key] += z * Scalar::from_bytes_mod_order_wide(&t.hram);
    }
    let scalars = zs.iter().copied().chain([b]).chain(a);
    let points = terms
        .iter()
        .map(|t| t.r)
        .chain([ED25519_BASEPOINT_POINT])
        .chain(keys.iter().map(|(_, p)| *p));
    EdwardsPoint::vartime_multiscalar_mul(scalars, points).is_identity()
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::EIGHT_TORSION;

    /// A point of the prime-order subgroup: `[n]B`.
    fn prime(n: u64) -> EdwardsPoint {
        ED25519_BASEPOINT_POINT * Scalar::from(n)
    }

    #[test]
    fn prime_order_points_pass_and_every_torsion_offset_fails() {
        for n in 1..=40u64 {
            let p = prime(n * 7919);
            assert!(prime_order_point(&p.compress().0).is_some(), "[{n}]B");
            for (i, t) in EIGHT_TORSION.iter().enumerate().skip(1) {
                let mixed = (p + t).compress().0;
                assert!(prime_order_point(&mixed).is_none(), "[{n}]B + T{i}");
            }
        }
        for (i, t) in EIGHT_TORSION.iter().enumerate() {
            assert!(prime_order_point(&t.compress().0).is_none(), "T{i}");
        }
    }

    #[test]
    fn decoders_agree() {
        // Every encoding whose y is small or near p, with both sign bits, and pseudo-random
        // ones: crrl and curve25519-dalek accept the same canonical encodings.
        let mut encodings: Vec<[u8; 32]> = Vec::new();
        for y in 0u8..=40 {
            let mut low = [0u8; 32];
            low[0] = y;
            let mut high = [0xffu8; 32];
            high[31] = 0x7f;
            high[0] = 0xed - 20 + y.min(19);
            encodings.extend([low, high]);
        }
        let mut x = [0u8; 64];
        for i in 0..2000u32 {
            x = Sha512::digest([&x[..], &i.to_le_bytes()].concat()).into();
            encodings.push(x[..32].try_into().unwrap());
        }
        for e in encodings {
            for sign in [0u8, 0x80] {
                let mut e = e;
                e[31] = (e[31] & 0x7f) | sign;
                if !canonical_y(&e) {
                    continue;
                }
                let dalek = CompressedEdwardsY(e).decompress();
                let crrl = crrl::ed25519::Point::decode(&e);
                // RFC 8032 refuses x = 0 with the sign bit set; curve25519-dalek takes it as
                // x = 0. Those points (y = ±1) are of small order and never batched.
                if let (Some(d), None) = (dalek, crrl) {
                    assert!(d.is_small_order(), "{}", hex::encode(e));
                    continue;
                }
                assert_eq!(dalek.is_some(), crrl.is_some(), "{}", hex::encode(e));
                if let (Some(d), Some(c)) = (dalek, crrl) {
                    assert_eq!(d.compress().0, c.encode(), "{}", hex::encode(e));
                }
            }
        }
    }

    #[test]
    fn canonical_y_is_y_below_p() {
        let mut p_minus_1 = [0xffu8; 32];
        p_minus_1[31] = 0x7f;
        p_minus_1[0] = 0xec;
        assert!(canonical_y(&p_minus_1));
        for t in 0..19u8 {
            let mut e = p_minus_1;
            e[0] = 0xed + t;
            assert!(!canonical_y(&e), "p + {t}");
            e[31] |= 0x80;
            assert!(!canonical_y(&e), "p + {t}, sign bit");
        }
        assert!(canonical_y(&[0u8; 32]));
    }
}
