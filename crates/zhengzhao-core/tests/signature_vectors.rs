//! Known answers for the signature algorithms under the cryptosuites: RFC 8032, Wycheproof
//! (Ed25519, ECDSA P-256 P1363) and C2SP CCTV (Ed25519 edge cases), checked through
//! `keys::PublicKey::verify` (where the policy lives) and the suites' single and batch calls.

use std::fs;
use std::path::PathBuf;

use serde_json::Value;
use zhengzhao_core::cryptosuite::{self, Check, Cryptosuite};
use zhengzhao_core::keys::{Algorithm, PublicKey};

/// Ed25519 verification under the policy: a key that is not a curve point verifies nothing.
fn ed25519_verify(public: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    PublicKey::from_raw(Algorithm::Ed25519, public).is_ok_and(|k| k.verify(msg, sig))
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
    let mut accepted = 0;
    for (i, (k, m, s, expected, n)) in cases.iter().enumerate() {
        let single = ed25519_verify(k, m, s);
        assert_eq!(single, *expected, "vector {n}");
        assert_eq!(batch[i], single, "vector {n}: batch and single disagree");
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
