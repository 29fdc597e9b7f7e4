//! Ed25519 batch verification that accepts exactly what `verify_strict` accepts
//! (`docs/ed25519-policy.md`).
//!
//! A batch equation checks one random combination `Σ zᵢ(Rᵢ − [Sᵢ]B + [kᵢ]Aᵢ) = O`. It agrees
//! with the cofactorless single check only when every residue lies in the prime-order
//! subgroup, where a non-zero residue survives a random `zᵢ` but with probability 2⁻¹²⁸. So a
//! signature joins the equation only when its `R` and its key `A` are canonical encodings of
//! prime-order points other than the identity, and its `S` is canonical; any other signature is
//! decided by `verify_strict` alone. The subgroup test is Pornin's point halving (crrl, eprint
//! 2022/1164), about a third of the scalar multiplication `[L]R` would cost, and the equation
//! is evaluated with crrl on the points decoded for it. A failed equation is settled signature
//! by signature, so the verdicts are always those of `verify_strict`.

use crrl::ed25519::{Point, Scalar};
use sha2::{Digest, Sha512};

use crate::cryptosuite::{Check, Cryptosuite, EDDSA_JCS_2022};
use crate::keys::{Algorithm, PublicKey};

/// The point `bytes` encode, when they are the canonical encoding of a point of prime order
/// `L` (so neither the identity nor a point with a small-order component).
pub(crate) fn prime_order_point(bytes: &[u8; 32]) -> Option<Point> {
    if !canonical_y(bytes) {
        return None;
    }
    // crrl and curve25519-dalek (under `verify_strict`) decode the same canonical encodings
    // (RFC 8032 §5.1.3) to the same points; the test `decoders_agree` checks it.
    let point = Point::decode(bytes)?;
    (point.is_in_subgroup() != 0 && point.isneutral() == 0).then_some(point)
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
    r: Point,
    s: Scalar,
    /// `SHA-512(R ‖ A ‖ M)`, reduced mod `L` below.
    hram: [u8; 64],
}

/// The verdicts of `checks`, each exactly `PublicKey::verify`'s (`verify_strict` for Ed25519):
/// the signatures that pass the screen in one equation, the others and those of a failed
/// equation one by one.
pub(crate) fn verify(checks: &[Check<'_>]) -> Vec<bool> {
    let single = |c: &Check<'_>| EDDSA_JCS_2022.verify(c);
    let mut verdicts = vec![false; checks.len()];
    let mut keys: Vec<(&PublicKey, Point)> = Vec::new();
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
    keys: &mut Vec<(&'k PublicKey, Point)>,
) -> Option<(usize, Point, Scalar)> {
    if c.public_key.algorithm() != Algorithm::Ed25519 {
        return None;
    }
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
    let (s, canonical) = Scalar::decode32(&sig[32..]);
    if canonical == 0 {
        return None;
    }
    let r = prime_order_point(sig[..32].try_into().expect("32 bytes"))?;
    Some((key, r, s))
}

/// `Σ zᵢRᵢ − (Σ zᵢSᵢ)B + Σ_A (Σ_{i of A} zᵢkᵢ)A = O`, with 128-bit `zᵢ` drawn from a hash of
/// the whole batch (as ed25519-dalek's `verify_batch` draws them): whoever chose the
/// signatures cannot choose the coefficients.
fn equation(terms: &[Term], keys: &[(&PublicKey, Point)]) -> bool {
    let mut seed = Sha512::new();
    seed.update(b"zhengzhao ed25519 batch v1");
    for t in terms {
        seed.update(t.hram);
        seed.update(t.s.encode32());
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
            zs.push(u128::from_le_bytes(z.try_into().expect("16 bytes")));
        }
    }
    let mut b = Scalar::ZERO;
    let mut a = vec![Scalar::ZERO; keys.len()];
    for (t, &z) in terms.iter().zip(&zs) {
        let z = Scalar::from_w64le(z as u64, (z >> 64) as u64, 0, 0);
        b -= z * t.s;
        a[t.key] += z * Scalar::decode_reduce(&t.hram);
    }
    let mut sum = straus(terms.iter().map(|t| &t.r), &zs);
    for (i, (_, point)) in keys.iter().enumerate() {
        let base = if i == 0 { b } else { Scalar::ZERO };
        sum += point.mul_add_mulgen_vartime(&a[i], &base);
    }
    sum.isneutral() != 0
}

/// `Σ zᵢPᵢ` for 128-bit `zᵢ`: Straus's method, every scalar in width-5 NAF, the points'
/// odd multiples `P, 3P, …, 15P` added into one accumulator that is doubled once a bit.
fn straus<'p>(points: impl Iterator<Item = &'p Point>, zs: &[u128]) -> Point {
    let tables: Vec<[Point; 8]> = points
        .map(|&p| {
            let twice = p.double();
            let mut t = [p; 8];
            for i in 1..8 {
                t[i] = t[i - 1] + twice;
            }
            t
        })
        .collect();
    let digits: Vec<[i8; 129]> = zs.iter().map(|&z| naf5(z)).collect();
    let mut acc = Point::NEUTRAL;
    for bit in (0..129).rev() {
        acc = acc.double();
        for (t, d) in tables.iter().zip(&digits) {
            match d[bit] {
                0 => {}
                d if d > 0 => acc += t[d as usize >> 1],
                d => acc -= t[d.unsigned_abs() as usize >> 1],
            }
        }
    }
    acc
}

/// `z` in width-5 non-adjacent form, least significant digit first: digits odd and in
/// `-15..=15` or zero, `Σ dᵢ2ⁱ = z`.
fn naf5(mut z: u128) -> [i8; 129] {
    let mut digits = [0i8; 129];
    for d in &mut digits {
        if z & 1 == 1 {
            let v = (z & 31) as i8;
            let carry = if v > 16 { 32 } else { 0 };
            *d = v - carry;
            // (z − v + carry) / 2, without overflowing: z − v is even.
            z = ((z - v as u128) >> 1) + (carry >> 1) as u128;
        } else {
            z >>= 1;
        }
    }
    digits
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
    use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};

    /// A point of the prime-order subgroup: `[n]B`.
    fn prime(n: u64) -> EdwardsPoint {
        ED25519_BASEPOINT_POINT * curve25519_dalek::Scalar::from(n)
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
    fn straus_is_the_sum_of_the_products() {
        let points: Vec<Point> = (1..=5u64)
            .map(|n| Point::decode(&prime(n * 101).compress().0).unwrap())
            .collect();
        let zs = [
            0u128,
            1,
            u128::MAX,
            1 << 127,
            0x0123_4567_89ab_cdef_fedc_ba98_7654_3210,
        ];
        let mut want = Point::NEUTRAL;
        for (p, &z) in points.iter().zip(&zs) {
            want += *p * Scalar::from_w64le(z as u64, (z >> 64) as u64, 0, 0);
        }
        assert_eq!(straus(points.iter(), &zs).encode(), want.encode());
        for &z in &zs {
            let digits = naf5(z);
            let mut sum = Scalar::ZERO;
            let mut power = Scalar::from_w64le(1, 0, 0, 0);
            for &d in &digits {
                assert!(
                    d == 0 || (d % 2 != 0 && (-15..=15).contains(&d)),
                    "{z:x}: {d}"
                );
                sum += power * Scalar::from_i32(i32::from(d));
                power = power + power;
            }
            assert_eq!(
                sum.encode32(),
                Scalar::from_w64le(z as u64, (z >> 64) as u64, 0, 0).encode32()
            );
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
