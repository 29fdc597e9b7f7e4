//! The W3C vc-di-eddsa `eddsa-jcs-2022` test vectors, reproduced byte for byte: canonical
//! document and proof configuration, their hashes, the signature and the proofValue.

use std::fs;
use std::path::PathBuf;

use ed25519_dalek::{Signer, SigningKey};
use serde_json::Value;
use zhengzhao_core::cryptosuite::{self, Cryptosuite};
use zhengzhao_core::jcs;
use zhengzhao_core::proof::{self, multikey, ProofError, ProofOptions};
use zhengzhao_core::{Coded, ErrorCode};

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors/w3c-vc-di-eddsa")
}

fn read(name: &str) -> String {
    fs::read_to_string(vectors().join(name))
        .unwrap()
        .trim()
        .to_owned()
}

fn json(name: &str) -> Value {
    serde_json::from_str(&read(name)).unwrap()
}

fn key() -> (SigningKey, zhengzhao_core::keys::PublicKey) {
    let pair = json("keyPair.json");
    let secret =
        multikey::decode_ed25519_secret(pair["privateKeyMultibase"].as_str().unwrap()).unwrap();
    let public = multikey::decode_ed25519(pair["publicKeyMultibase"].as_str().unwrap()).unwrap();
    let k = SigningKey::from_bytes(&secret);
    assert_eq!(k.verifying_key().to_bytes(), public);
    (
        k,
        zhengzhao_core::keys::PublicKey::from_raw(
            zhengzhao_core::keys::Algorithm::Ed25519,
            &public,
        )
        .unwrap(),
    )
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn eddsa_jcs_2022_reproduces_every_intermediate_value() {
    let (k, _) = key();
    let unsigned = json("unsigned.json");
    let config = json("eddsa-jcs-2022/proofConfigJCS.json");
    let suite: &dyn Cryptosuite = &cryptosuite::EDDSA_JCS_2022;

    let canon_doc = jcs::canonicalize_value(&unsigned);
    assert_eq!(
        String::from_utf8(canon_doc.clone()).unwrap(),
        read("eddsa-jcs-2022/canonDocJCS.txt")
    );
    let canon_proof = jcs::canonicalize_value(&config);
    assert_eq!(
        String::from_utf8(canon_proof.clone()).unwrap(),
        read("eddsa-jcs-2022/proofCanonJCS.txt")
    );
    let hash = suite.hash_data(&[&canon_proof], &[&canon_doc]);
    assert_eq!(hex(&hash[..32]), read("eddsa-jcs-2022/proofHashJCS.txt"));
    assert_eq!(hex(&hash[32..]), read("eddsa-jcs-2022/docHashJCS.txt"));
    assert_eq!(hex(&hash), read("eddsa-jcs-2022/combinedHashJCS.txt"));
    let sig = k.sign(&hash).to_bytes();
    assert_eq!(hex(&sig), read("eddsa-jcs-2022/sigHexJCS.txt"));
    assert_eq!(
        proof::multibase_base58btc(&sig),
        read("eddsa-jcs-2022/sigBTC58JCS.txt")
    );
}

#[test]
fn signing_the_unsigned_credential_gives_the_signed_one() {
    let (k, public) = key();
    let config = json("eddsa-jcs-2022/proofConfigJCS.json");
    let signer = zhengzhao_core::keys::SigningKey::from_pkcs8_pem(
        ed25519_dalek::pkcs8::EncodePrivateKey::to_pkcs8_pem(&k, Default::default())
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    let options = ProofOptions {
        suite: &cryptosuite::EDDSA_JCS_2022,
        verification_method: config["verificationMethod"].as_str().unwrap(),
        created: config["created"].as_str(),
    };
    let signed = proof::sign(json("unsigned.json"), options, &signer).unwrap();
    assert_eq!(signed, json("eddsa-jcs-2022/signedJCS.json"));

    let prepared = proof::prepare(&json("eddsa-jcs-2022/signedJCS.json")).unwrap();
    assert_eq!(
        hex(&prepared.hash_data),
        read("eddsa-jcs-2022/combinedHashJCS.txt")
    );
    assert!(prepared.verify(&public));
    assert_eq!(prepared.created.as_deref(), Some("2023-02-24T23:36:38Z"));
}

#[test]
fn the_signed_vector_rejects_every_alteration() {
    let (_, public) = key();
    let signed = json("eddsa-jcs-2022/signedJCS.json");
    let altered = |f: &dyn Fn(&mut Value)| {
        let mut v = signed.clone();
        f(&mut v);
        v
    };
    // Content changes: the signature no longer verifies.
    for doc in [
        altered(&|v| v["name"] = "Alumni Credentia1".into()),
        altered(&|v| v["credentialSubject"]["alumniOf"] = "Another School".into()),
        altered(&|v| v["validFrom"] = "2023-01-01T00:00:01Z".into()),
        altered(&|v| v["proof"]["created"] = "2023-02-24T23:36:39Z".into()),
        altered(&|v| v["proof"]["verificationMethod"] = "did:key:z6Mk#x".into()),
        // One base58 character dropped still decodes to 64 bytes: a wrong signature, not a malformed one.
        altered(&|v| {
            v["proof"]["proofValue"] = "z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51a".into()
        }),
        altered(&|v| {
            v.as_object_mut().unwrap().insert("extra".into(), 1.into());
        }),
    ] {
        let p = proof::prepare(&doc).unwrap();
        assert!(!p.verify(&public));
    }
    // Structure changes: refused before any signature check, each with its code.
    let cases: Vec<(Value, ErrorCode)> = vec![
        (
            altered(&|v| v["proof"]["proofValue"] = "2HnFSSPPBzR36zdDgK8".into()),
            ErrorCode::ProofValue,
        ),
        (
            altered(&|v| {
                v["proof"]["proofValue"] =
                    "z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FC".into()
            }),
            ErrorCode::ProofValue,
        ),
        (
            altered(&|v| v["proof"]["proofValue"] = "z0OIl".into()),
            ErrorCode::ProofValue,
        ),
        (
            altered(&|v| v["proof"]["cryptosuite"] = "eddsa-rdfc-2022".into()),
            ErrorCode::ProofCryptosuite,
        ),
        (
            altered(&|v| v["proof"]["type"] = "Ed25519Signature2020".into()),
            ErrorCode::ProofCryptosuite,
        ),
        (
            altered(&|v| v["proof"]["proofPurpose"] = "authentication".into()),
            ErrorCode::ProofPurpose,
        ),
        (
            altered(&|v| v["proof"]["@context"] = serde_json::json!(["https://example.org"])),
            ErrorCode::ProofMissing,
        ),
        (
            altered(&|v| {
                v.as_object_mut().unwrap().remove("proof");
            }),
            ErrorCode::ProofMissing,
        ),
        (
            altered(&|v| v["proof"] = serde_json::json!([])),
            ErrorCode::ProofMissing,
        ),
        (
            altered(&|v| {
                v["proof"]
                    .as_object_mut()
                    .unwrap()
                    .remove("verificationMethod");
            }),
            ErrorCode::ProofMissing,
        ),
        (Value::from("not an object"), ErrorCode::DocumentShape),
    ];
    for (doc, code) in cases {
        let e: ProofError = proof::prepare(&doc).unwrap_err();
        assert_eq!(e.code(), code, "{e}");
    }
}

#[test]
fn signing_refuses_a_signer_of_the_wrong_kind() {
    let signer =
        zhengzhao_core::keys::SigningKey::generate(zhengzhao_core::keys::Algorithm::P256).unwrap();
    let options = ProofOptions {
        suite: &cryptosuite::EDDSA_JCS_2022,
        verification_method: "x",
        created: None,
    };
    let e = proof::sign(json("unsigned.json"), options, &signer).unwrap_err();
    assert_eq!(e.code(), ErrorCode::KeySign);
    let ed25519 =
        zhengzhao_core::keys::SigningKey::generate(zhengzhao_core::keys::Algorithm::Ed25519)
            .unwrap();
    let e = proof::sign(json("eddsa-jcs-2022/signedJCS.json"), options, &ed25519).unwrap_err();
    assert_eq!(e.code(), ErrorCode::DocumentShape);
}
