//! The Ed25519 acceptance policy, one for single and batch verification (see
//! `docs/ed25519-policy.md`).
//!
//! A signature `(R, S)` by key `A` on message `M` is accepted exactly when ed25519-dalek's
//! `verify_strict` accepts it:
//! - `S` is canonical (`S < L`);
//! - `A` and `R` are not of small order (including every non-canonical encoding of such points);
//! - `R` is the canonical encoding of `[S]B − [k]A`, with `k = SHA-512(R ‖ A ‖ M)` (the
//!   cofactorless equation, checked by re-encoding, so a non-canonical `R` never verifies).
//!
//! Batch verification accepts exactly the same set. The batch equation is a random linear
//! combination; it could accept a signature whose single equation fails by a small-order
//! residue, which can only happen when `A` or `R` has a small-order component. Such entries
//! (and any with a non-canonical encoding or `S`) are screened out and verified singly; the rest
//! go through ed25519-dalek's `verify_batch`, and when a batch fails, each of its entries is
//! verified singly to find the failing ones.

use curve25519_dalek::edwards::CompressedEdwardsY;
use ed25519_dalek::{Signature, VerifyingKey};

/// One signature to verify.
#[derive(Clone, Copy, Debug)]
pub struct Item<'a> {
    /// The 32-byte public key `A`.
    pub public_key: &'a [u8],
    /// The signed message.
    pub message: &'a [u8],
    /// The 64-byte signature `R ‖ S`.
    pub signature: &'a [u8],
}

/// Verifies one signature under the policy.
pub fn verify(item: &Item<'_>) -> bool {
    let (Some(key), Some(sig)) = (key(item.public_key), signature(item.signature)) else {
        return false;
    };
    key.verify_strict(item.message, &sig).is_ok()
}

/// Verifies many signatures, accepting exactly what [`verify`] accepts; returns one verdict per
/// item, in order.
pub fn verify_batch(items: &[Item<'_>]) -> Vec<bool> {
    let mut verdicts = vec![false; items.len()];
    let mut batch: Vec<usize> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if batchable(item) {
            batch.push(i);
        } else {
            verdicts[i] = verify(item);
        }
    }
    // Batches of a bounded size: a failure costs single verification of one chunk only.
    for chunk in batch.chunks(64) {
        let messages: Vec<&[u8]> = chunk.iter().map(|&i| items[i].message).collect();
        let signatures: Vec<Signature> = chunk.iter().filter_map(|&i| signature(items[i].signature)).collect();
        let keys: Vec<VerifyingKey> = chunk.iter().filter_map(|&i| key(items[i].public_key)).collect();
        let ok = signatures.len() == chunk.len()
            && keys.len() == chunk.len()
            && ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok();
        for &i in chunk {
            verdicts[i] = ok || verify(&items[i]);
        }
    }
    verdicts
}

/// Whether the batch equation decides this item exactly as single verification does: canonical
/// encodings of `A` and `R`, canonical `S`, and `A` and `R` free of small-order components.
fn batchable(item: &Item<'_>) -> bool {
    let (Ok(a), Ok(sig)) = (<[u8; 32]>::try_from(item.public_key), <[u8; 64]>::try_from(item.signature)) else {
        return false;
    };
    let r: [u8; 32] = sig[..32].try_into().expect("64 = 32 + 32");
    let s: [u8; 32] = sig[32..].try_into().expect("64 = 32 + 32");
    let canonical_s = bool::from(curve25519_dalek::Scalar::from_canonical_bytes(s).is_some());
    canonical_s && prime_order_point(&a) && prime_order_point(&r)
}

/// A canonical encoding of a point in the prime-order subgroup (not the identity).
fn prime_order_point(bytes: &[u8; 32]) -> bool {
    let compressed = CompressedEdwardsY(*bytes);
    match compressed.decompress() {
        Some(p) => p.compress() == compressed && p.is_torsion_free() && !p.is_small_order(),
        None => false,
    }
}

fn key(bytes: &[u8]) -> Option<VerifyingKey> {
    VerifyingKey::from_bytes(bytes.try_into().ok()?).ok()
}

fn signature(bytes: &[u8]) -> Option<Signature> {
    Some(Signature::from_bytes(bytes.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    fn signed(seed: u8, msg: &[u8]) -> ([u8; 32], Vec<u8>) {
        let k = SigningKey::from_bytes(&[seed; 32]);
        (k.verifying_key().to_bytes(), k.sign(msg).to_bytes().to_vec())
    }

    #[test]
    fn batch_finds_the_bad_ones() {
        let msgs: Vec<Vec<u8>> = (0..100u8).map(|i| vec![i; 64]).collect();
        let sigs: Vec<_> = msgs.iter().enumerate().map(|(i, m)| signed(i as u8, m)).collect();
        let mut tampered = sigs.clone();
        tampered[3].1[10] ^= 1;
        tampered[70].1[40] ^= 1;
        let items: Vec<Item<'_>> = tampered
            .iter()
            .zip(&msgs)
            .map(|((pk, sig), m)| Item { public_key: pk, message: m, signature: sig })
            .collect();
        let verdicts = verify_batch(&items);
        for (i, v) in verdicts.iter().enumerate() {
            assert_eq!(*v, i != 3 && i != 70, "item {i}");
            assert_eq!(*v, verify(&items[i]));
        }
    }

    #[test]
    fn malformed_inputs_are_rejected_not_panicked_on() {
        let (pk, sig) = signed(1, b"m");
        for (pk, sig) in [(&pk[..31], &sig[..]), (&pk[..], &sig[..63]), (&[][..], &[][..])] {
            let item = Item { public_key: pk, message: b"m", signature: sig };
            assert!(!verify(&item));
            assert_eq!(verify_batch(&[item]), vec![false]);
        }
    }

    #[test]
    fn s_plus_l_is_rejected() {
        // The classic malleation: S' = S + L satisfies the equation mod L but is not canonical.
        const L: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        for seed in 0..50u8 {
            let (pk, mut sig) = signed(seed, b"message");
            let mut carry = 0u16;
            for i in 0..32 {
                let v = sig[32 + i] as u16 + L[i] as u16 + carry;
                sig[32 + i] = v as u8;
                carry = v >> 8;
            }
            if carry != 0 || sig[63] & 0xe0 != 0 {
                continue; // S + L overflowed 253 bits: not representable, try the next key
            }
            let item = Item { public_key: &pk, message: b"message", signature: &sig };
            assert!(!verify(&item), "seed {seed}");
            assert_eq!(verify_batch(&[item, item]), vec![false, false]);
        }
    }
}
