//! Known answers for the signature algorithms under the cryptosuites: RFC 8032, Wycheproof
//! (Ed25519, ECDSA P-256 P1363) and C2SP CCTV (Ed25519 edge cases), checked through
//! `keys::PublicKey::verify` (where the policy lives) and the suites' single and batch calls.

use std::fs;
use std::path::PathBuf;

use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
use curve25519_dalek::{EdwardsPoint, Scalar};
use serde_json::Value;
use sha2::{Digest, Sha512};
use zhengzhao_core::cryptosuite::{self, Check, Cryptosuite};
use zhengzhao_core::keys::{Algorithm, PublicKey};

/// Ed25519 verification under the policy: a key that is not a curve point verifies nothing.
fn ed25519_verify(public: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    PublicKey::from_raw(Algorithm::Ed25519, public).is_ok_and(|k| k.verify(msg, sig))
}

/// The single verdicts of `items`, once the batch call is checked to give exactly them.
fn single_verdicts_of_the_batch(items: &[(&[u8], &[u8], &[u8])], case: &str) -> Vec<bool> {
    let single: Vec<bool> = items
        .iter()
        .map(|(k, m, s)| ed25519_verify(k, m, s))
        .collect();
    assert_eq!(ed25519_batch(items), single, "{case}");
    single
}

/// The same through the suite's batch call (keys that are not points are left out, rejected).
fn ed25519_batch(items: &[(&[u8], &[u8], &[u8])]) -> Vec<bool> {
    let keys: Vec<Option<PublicKey>> = items
        .iter()
        .map(|(k, _, _)| PublicKey::from_raw(Algorithm::Ed25519, k).ok())
        .collect();
    let mut verdicts = vec![false; items.len()];
    let idx: Vec<usize> = (0..items.len()).filter(|&i| keys[i].is_some()).collect();
    let checks: Vec<Check<'_>> = idx
        .iter()
        .map(|&i| Check {
            public_key: keys[i].as_ref().unwrap(),
            message: items[i].1,
            signature: items[i].2,
        })
        .collect();
    for (&i, v) in idx
        .iter()
        .zip(cryptosuite::EDDSA_JCS_2022.verify_batch(&checks))
    {
        verdicts[i] = v;
    }
    verdicts
}

fn vectors(name: &str) -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-vectors")
        .join(name);
    serde_json::from_str(&fs::read_to_string(p).unwrap()).unwrap()
}

/// Key, message, signature, expected verdict, vector number.
type Case = (Vec<u8>, Vec<u8>, Vec<u8>, bool, u64);

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

#[test]
fn rfc8032() {
    for v in vectors("rfc8032.json")["vectors"].as_array().unwrap() {
        let secret: [u8; 32] = unhex(v["secret"].as_str().unwrap()).try_into().unwrap();
        let key = ed25519_dalek::SigningKey::from_bytes(&secret);
        let public = unhex(v["public"].as_str().unwrap());
        let msg = unhex(v["message"].as_str().unwrap());
        let sig = unhex(v["signature"].as_str().unwrap());
        assert_eq!(
            key.verifying_key().to_bytes().to_vec(),
            public,
            "{}",
            v["name"]
        );
        assert_eq!(
            ed25519_dalek::Signer::sign(&key, &msg).to_bytes().to_vec(),
            sig,
            "{}",
            v["name"]
        );
        assert!(ed25519_verify(&public, &msg, &sig));
        let mut bad = sig.clone();
        bad[0] ^= 1;
        assert!(!ed25519_verify(&public, &msg, &bad));
        assert_eq!(
            ed25519_batch(&[(&public, &msg, &sig), (&public, &msg, &bad)]),
            vec![true, false]
        );
    }
}

#[test]
fn wycheproof_ed25519() {
    let d = vectors("wycheproof/ed25519_test.json");
    let mut owned = Vec::new();
    for g in d["testGroups"].as_array().unwrap() {
        let pk = unhex(g["publicKey"]["pk"].as_str().unwrap());
        for t in g["tests"].as_array().unwrap() {
            let expected = match t["result"].as_str().unwrap() {
                "valid" => true,
                "invalid" => false,
                other => panic!("unexpected result {other}"),
            };
            owned.push((
                pk.clone(),
                unhex(t["msg"].as_str().unwrap()),
                unhex(t["sig"].as_str().unwrap()),
                expected,
                t["tcId"].clone(),
            ));
        }
    }
    let items: Vec<(&[u8], &[u8], &[u8])> = owned
        .iter()
        .map(|(pk, m, s, _, _)| (&pk[..], &m[..], &s[..]))
        .collect();
    let batch = ed25519_batch(&items);
    for (i, (pk, m, s, expected, id)) in owned.iter().enumerate() {
        assert_eq!(ed25519_verify(pk, m, s), *expected, "tcId {id}");
        assert_eq!(batch[i], *expected, "tcId {id} (batch)");
    }
    assert_eq!(owned.len(), 151);
}

/// The acceptance policy written in docs/ed25519-policy.md, stated over the CCTV flags: accept
/// exactly when neither A nor R is of small order, neither is a non-canonical encoding, and the
/// cofactorless equation holds (no low-order residue). Points with a low-order *component* are
/// accepted when the equation holds.
fn policy_accepts(flags: &[&str]) -> bool {
    !flags.iter().any(|f| {
        matches!(
            *f,
            "low_order_A"
                | "low_order_R"
                | "non_canonical_A"
                | "non_canonical_R"
                | "low_order_residue"
        )
    })
}

#[test]
fn cctv_ed25519_edge_cases_follow_the_written_policy() {
    let d = vectors("cctv-ed25519/ed25519vectors.json");
    let cases: Vec<Case> = d
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let flags: Vec<&str> = v["flags"]
                .as_array()
                .map(|a| a.iter().map(|f| f.as_str().unwrap()).collect())
                .unwrap_or_default();
            (
                unhex(v["key"].as_str().unwrap()),
                v["msg"].as_str().unwrap().as_bytes().to_vec(),
                unhex(v["sig"].as_str().unwrap()),
                policy_accepts(&flags),
                v["number"].as_u64().unwrap(),
            )
        })
        .collect();
    let items: Vec<(&[u8], &[u8], &[u8])> = cases
        .iter()
        .map(|(k, m, s, _, _)| (&k[..], &m[..], &s[..]))
        .collect();
    let batch = ed25519_batch(&items);
    // Each vector also in a batch of its own beside valid signatures, so that a vector the
    // screen lets into the equation decides that equation alone.
    let signer = Signer::new(1);
    let valid: Vec<(Vec<u8>, [u8; 64])> = (0..3u8)
        .map(|i| (vec![i; 40], signer.sign(&[i; 40], &IDENTITY)))
        .collect();
    let mut accepted = 0;
    for (i, (k, m, s, expected, n)) in cases.iter().enumerate() {
        let single = ed25519_verify(k, m, s);
        assert_eq!(single, *expected, "vector {n}");
        assert_eq!(batch[i], single, "vector {n}: batch and single disagree");
        let mut small: Vec<(&[u8], &[u8], &[u8])> = valid
            .iter()
            .map(|(m, s)| (&signer.public[..], &m[..], &s[..]))
            .collect();
        small.insert(1, (k, m, s));
        assert_eq!(
            ed25519_batch(&small),
            [true, single, true, true],
            "vector {n} beside valid signatures"
        );
        accepted += single as usize;
    }
    // Every CCTV vector is valid under some verification rule; the strict policy keeps these.
    assert_eq!((cases.len(), accepted), (914, 43), "(vectors, accepted)");
}

#[test]
fn wycheproof_p256_p1363_through_the_suite() {
    let d = vectors("wycheproof/ecdsa_secp256r1_sha256_p1363_test.json");
    let suite = &cryptosuite::ECDSA_JCS_2019;
    let mut n = 0;
    for g in d["testGroups"].as_array().unwrap() {
        let pk = PublicKey::from_raw(
            Algorithm::P256,
            &unhex(g["publicKey"]["uncompressed"].as_str().unwrap()),
        )
        .unwrap();
        for t in g["tests"].as_array().unwrap() {
            let msg = unhex(t["msg"].as_str().unwrap());
            let sig = unhex(t["sig"].as_str().unwrap());
            let got = suite.verify(&Check {
                public_key: &pk,
                message: &msg,
                signature: &sig,
            });
            assert_eq!(got, pk.verify(&msg, &sig));
            match t["result"].as_str().unwrap() {
                "valid" => assert!(got, "tcId {}", t["tcId"]),
                "invalid" => assert!(!got, "tcId {}", t["tcId"]),
                _ => {} // "acceptable": either answer is allowed
            }
            n += 1;
        }
    }
    assert_eq!(n, 262, "P-256 P1363 vectors");
}

/// The identity: no small-order component.
const IDENTITY: EdwardsPoint = EIGHT_TORSION[0];

/// An Ed25519 signer by scalar, so that tests can make what honest signers never do: a nonce
/// point `R = [r]B + T` or a key `A = [a]B + T` with a small-order component `T`.
struct Signer {
    a: Scalar,
    public: [u8; 32],
    seed: u64,
}

impl Signer {
    fn new(seed: u64) -> Signer {
        Signer::with_key_torsion(seed, &IDENTITY)
    }

    fn with_key_torsion(seed: u64, t: &EdwardsPoint) -> Signer {
        let a = scalar(seed, b"key");
        Signer {
            a,
            public: (ED25519_BASEPOINT_POINT * a + t).compress().0,
            seed,
        }
    }

    /// `R = [r]B + t`, `S = r + k·a`: the cofactored equation holds; the cofactorless one
    /// (`verify_strict`) only when `[k]` clears the key's and `t`'s small-order components.
    fn sign(&self, msg: &[u8], t: &EdwardsPoint) -> [u8; 64] {
        let r = scalar(self.seed, msg);
        let big_r = (ED25519_BASEPOINT_POINT * r + t).compress().0;
        let k = Scalar::from_bytes_mod_order_wide(
            &Sha512::new()
                .chain_update(big_r)
                .chain_update(self.public)
                .chain_update(msg)
                .finalize()
                .into(),
        );
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&big_r);
        sig[32..].copy_from_slice((r + k * self.a).as_bytes());
        sig
    }
}

fn scalar(seed: u64, label: &[u8]) -> Scalar {
    Scalar::from_bytes_mod_order_wide(
        &Sha512::new()
            .chain_update(seed.to_le_bytes())
            .chain_update(label)
            .finalize()
            .into(),
    )
}

/// What the written policy forbids a batch to do: a signature whose residue is a small-order
/// point (its `R` has a small-order component) passes a batch equation whenever that order
/// divides its random coefficient. Every such signature is refused in every batch here, as
/// `verify_strict` refuses it, while ed25519-dalek's own `verify_batch` accepts some of the
/// same batches: the screen is what makes the difference.
#[test]
fn batches_refuse_small_order_residues_as_single_verification_does() {
    let signer = Signer::new(7);
    let mut dalek_accepted = 0;
    for (ti, t) in EIGHT_TORSION.iter().enumerate().skip(1) {
        for trial in 0..8u8 {
            let msgs: Vec<Vec<u8>> = (0..16u8).map(|i| vec![ti as u8, trial, i]).collect();
            let bad = usize::from(trial) * 2;
            let sigs: Vec<[u8; 64]> = msgs
                .iter()
                .enumerate()
                .map(|(i, m)| signer.sign(m, if i == bad { t } else { &IDENTITY }))
                .collect();
            let items: Vec<(&[u8], &[u8], &[u8])> = msgs
                .iter()
                .zip(&sigs)
                .map(|(m, s)| (&signer.public[..], &m[..], &s[..]))
                .collect();
            let expected: Vec<bool> = (0..16).map(|i| i != bad).collect();
            assert_eq!(ed25519_batch(&items), expected, "T{ti}, trial {trial}");
            for (i, (k, m, s)) in items.iter().enumerate() {
                assert_eq!(
                    ed25519_verify(k, m, s),
                    expected[i],
                    "T{ti}, trial {trial}, {i}"
                );
            }
            let vk = ed25519_dalek::VerifyingKey::from_bytes(&signer.public).unwrap();
            let dalek_sigs: Vec<_> = sigs
                .iter()
                .map(ed25519_dalek::Signature::from_bytes)
                .collect();
            let msg_refs: Vec<&[u8]> = msgs.iter().map(|m| &m[..]).collect();
            dalek_accepted +=
                ed25519_dalek::verify_batch(&msg_refs, &dalek_sigs, &[vk; 16]).is_ok() as usize;
        }
    }
    assert!(
        dalek_accepted > 0,
        "no batch that a plain batch equation accepts"
    );
}

/// A key with a small-order component signs validly only when `[k]` clears that component:
/// such keys never join the equation, and the batch gives each signature the single verdict.
#[test]
fn keys_with_a_small_order_component_get_single_verdicts_in_batches() {
    for (ti, t) in EIGHT_TORSION.iter().enumerate().skip(1) {
        let mixed = Signer::with_key_torsion(11 + ti as u64, t);
        let honest = Signer::new(3);
        let msgs: Vec<Vec<u8>> = (0..48u8).map(|i| vec![ti as u8, i]).collect();
        let sigs: Vec<([u8; 32], [u8; 64])> = msgs
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let s = if i % 3 == 0 { &honest } else { &mixed };
                (s.public, s.sign(m, &IDENTITY))
            })
            .collect();
        let items: Vec<(&[u8], &[u8], &[u8])> = msgs
            .iter()
            .zip(&sigs)
            .map(|(m, (k, s))| (&k[..], &m[..], &s[..]))
            .collect();
        let single = single_verdicts_of_the_batch(&items, &format!("T{ti}"));
        // Some signatures by the mixed key verify (k happened to clear T), most do not.
        let by_mixed: Vec<bool> = (0..48).filter(|i| i % 3 != 0).map(|i| single[i]).collect();
        assert!(
            by_mixed.contains(&true) && by_mixed.contains(&false),
            "T{ti}: {by_mixed:?}"
        );
        assert!((0..48).filter(|i| i % 3 == 0).all(|i| single[i]), "T{ti}");
    }
}

/// Batches of valid signatures by several keys, some of them changed (a byte of the
/// signature, of the message, or the key swapped): the batch gives exactly the single
/// verdicts.
#[test]
fn changed_signatures_in_batches_get_single_verdicts() {
    let signers: Vec<Signer> = (20..24).map(Signer::new).collect();
    for round in 0..40u64 {
        let mut items: Vec<([u8; 32], Vec<u8>, [u8; 64])> = (0..24u64)
            .map(|i| {
                let s = &signers[(i % 4) as usize];
                let m = format!("licence {round}-{i}").into_bytes();
                (s.public, m.clone(), s.sign(&m, &IDENTITY))
            })
            .collect();
        let mut x = scalar(round, b"changes").to_bytes();
        for change in 0..(round % 4) as usize {
            let i = x[change] as usize % items.len();
            let at = x[change + 8] as usize;
            match x[change + 16] % 4 {
                0 => items[i].2[at % 64] ^= 1 << (at % 8),
                1 => {
                    let len = items[i].1.len();
                    items[i].1[at % len] ^= 1
                }
                2 => items[i].0 = signers[(i + 1) % 4].public,
                _ => {
                    let s_plus_l = add_l(&items[i].2[32..]);
                    items[i].2[32..].copy_from_slice(&s_plus_l)
                }
            }
            x = scalar(round, &x).to_bytes();
        }
        let refs: Vec<(&[u8], &[u8], &[u8])> = items
            .iter()
            .map(|(k, m, s)| (&k[..], &m[..], &s[..]))
            .collect();
        let single = single_verdicts_of_the_batch(&refs, &format!("round {round}"));
        assert_eq!(
            single.iter().filter(|v| !**v).count() > 0,
            round % 4 > 0,
            "round {round}: {single:?}"
        );
    }
}

/// `S + L` (little-endian): the same scalar, non-canonical.
fn add_l(s: &[u8]) -> [u8; 32] {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let v = u16::from(s[i]) + u16::from(L[i]) + carry;
        out[i] = v as u8;
        carry = v >> 8;
    }
    out
}

/// The Ed25519 suite's batch call given keys of other algorithms: refused, as its single call
/// refuses them, beside Ed25519 signatures that still verify.
#[test]
fn the_ed25519_batch_refuses_keys_of_other_algorithms() {
    use zhengzhao_core::keys::{Signer as _, SigningKey};
    let msg = b"licence";
    let keys: Vec<SigningKey> = [
        Algorithm::Ed25519,
        Algorithm::P256,
        Algorithm::Sm2,
        Algorithm::Ed25519,
    ]
    .into_iter()
    .map(|a| SigningKey::generate(a).unwrap())
    .collect();
    let publics: Vec<PublicKey> = keys.iter().map(SigningKey::public_key).collect();
    let sigs: Vec<Vec<u8>> = keys.iter().map(|k| k.sign(msg).unwrap()).collect();
    let checks: Vec<Check<'_>> = publics
        .iter()
        .zip(&sigs)
        .map(|(public_key, signature)| Check {
            public_key,
            message: msg,
            signature,
        })
        .collect();
    assert_eq!(
        cryptosuite::EDDSA_JCS_2022.verify_batch(&checks),
        [true, false, false, true]
    );
    // Each of them verifies under its own suite.
    assert!(checks
        .iter()
        .all(|c| c.public_key.verify(c.message, c.signature)));
}
