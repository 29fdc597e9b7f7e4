//! Licences signed with `sm2-jcs-2024` under an SM2 signing certificate: they verify offline,
//! and each way of breaking one is refused with its own code.

use serde_json::Value;
use time::macros::datetime;
use time::OffsetDateTime;
use zhengzhao_core::codes::Uscc;
use zhengzhao_core::credential;
use zhengzhao_core::cryptosuite;
use zhengzhao_core::identifier::TypeCode;
use zhengzhao_core::jcs;
use zhengzhao_core::keys::{Algorithm, SigningKey};
use zhengzhao_core::licence::Licence;
use zhengzhao_core::pki::{self, Certificate, TrustAnchors};
use zhengzhao_core::proof;
use zhengzhao_core::sm2;
use zhengzhao_core::verify::{Context, Report, Verifier};
use zhengzhao_core::ErrorCode;

const ISSUER: &str = "11330106MB1742305K";
const BUSINESS_LICENCE: &str = "11100000MB0143028R001";
const NOW: OffsetDateTime = datetime!(2025-06-01 12:00 UTC);

struct Setup {
    root: Certificate,
    root_key: SigningKey,
    signer: Certificate,
    key: SigningKey,
}

fn setup(root_alg: Algorithm) -> Setup {
    let root_key = SigningKey::generate(root_alg).unwrap();
    let root = pki::issue_root(
        &root_key,
        "浙江省电子证照根CA",
        datetime!(2020-01-01 0:00 UTC),
        datetime!(2040-01-01 0:00 UTC),
    )
    .unwrap();
    let key = SigningKey::generate(Algorithm::Sm2).unwrap();
    let signer = cert_for(&root, &root_key, &key);
    Setup {
        root,
        root_key,
        signer,
        key,
    }
}

fn cert_for(root: &Certificate, root_key: &SigningKey, key: &SigningKey) -> Certificate {
    pki::issue_signer(
        root,
        root_key,
        &key.public_key(),
        "杭州市西湖区市场监督管理局",
        &Uscc::parse(ISSUER).unwrap(),
        Some(&[TypeCode::parse(BUSINESS_LICENCE).unwrap()]),
        datetime!(2021-01-01 0:00 UTC),
        datetime!(2030-01-01 0:00 UTC),
    )
    .unwrap()
}

fn licence() -> Licence {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../test-vectors/licences/business-licence.json"
    );
    Licence::from_json(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn signed(s: &Setup) -> Value {
    let doc = credential::sign(
        &licence(),
        None,
        &s.key,
        &s.signer.fingerprint(),
        datetime!(2024-03-18 02:00 UTC),
    )
    .unwrap();
    serde_json::from_slice(&doc).unwrap()
}

fn verify(s: &Setup, doc: &Value) -> Report {
    let mut v = Verifier::new(TrustAnchors::new(vec![s.root.clone()]).unwrap());
    v.add_certificate(s.signer.clone());
    v.verify(
        &serde_json::to_vec(doc).unwrap(),
        &Context {
            at: NOW,
            certificates: &[],
            status_lists: &[],
        },
    )
}

/// The proof's hash data, recomputed from the document as `sm2-jcs-2024` defines it.
fn hash_data(doc: &Value) -> Vec<u8> {
    let mut config = doc["proof"].clone();
    config.as_object_mut().unwrap().remove("proofValue");
    let mut body = doc.clone();
    body.as_object_mut().unwrap().remove("proof");
    [
        sm2::sm3(&jcs::canonicalize_value(&config)),
        sm2::sm3(&jcs::canonicalize_value(&body)),
    ]
    .concat()
}

fn with_signature(doc: &Value, sig: &[u8]) -> Value {
    let mut d = doc.clone();
    d["proof"]["proofValue"] = proof::multibase_base58btc(sig).into();
    d
}

fn signature(doc: &Value) -> Vec<u8> {
    proof::decode_multibase_base58btc(doc["proof"]["proofValue"].as_str().unwrap()).unwrap()
}

#[test]
fn the_suite_is_found_by_name_and_algorithm() {
    let s = cryptosuite::by_name("sm2-jcs-2024").unwrap();
    assert_eq!(s.algorithm(), Algorithm::Sm2);
    assert_eq!(s.signature_len(), 64);
    assert_eq!(
        cryptosuite::for_algorithm(Algorithm::Sm2).unwrap().name(),
        "sm2-jcs-2024"
    );
    // hashData is SM3 of each part, not SHA-256.
    let h = s.hash_data(&[b"{}"], &[b"[]"]);
    assert_eq!(h, [sm2::sm3(b"{}"), sm2::sm3(b"[]")].concat());
    assert_ne!(
        h,
        cryptosuite::for_algorithm(Algorithm::P256)
            .unwrap()
            .hash_data(&[b"{}"], &[b"[]"])
    );
}

#[test]
fn an_sm2_licence_verifies_under_an_sm2_signing_certificate() {
    for root_alg in [Algorithm::Ed25519, Algorithm::P256, Algorithm::Sm2] {
        let s = setup(root_alg);
        assert_eq!(s.signer.public_key().unwrap(), s.key.public_key());
        let doc = signed(&s);
        assert_eq!(doc["proof"]["cryptosuite"], "sm2-jcs-2024");
        let r = verify(&s, &doc);
        assert!(r.valid, "{root_alg}: {r:?}");
        // The signature is over exactly the hash data defined in docs/formats.md, with the
        // default user ID, in raw r || s.
        let sig = signature(&doc);
        assert_eq!(sig.len(), 64);
        let vk = s.key.public_key();
        let vk = vk.sm2_verifying_key().unwrap();
        assert!(vk.verify(sm2::DEFAULT_USER_ID, &hash_data(&doc), &sig));
    }
}

#[test]
fn a_signature_made_with_another_user_id_is_refused() {
    let s = setup(Algorithm::Ed25519);
    let doc = signed(&s);
    let sm2_key =
        sm2::SigningKey::from_pkcs8_der(&pem::parse(s.key.to_pkcs8_pem()).unwrap().into_contents())
            .unwrap();
    for id in [&b""[..], b"ALICE123@YAHOO.COM", b"1234567812345679"] {
        let sig = sm2_key.sign_with_id(id, &hash_data(&doc)).unwrap();
        let r = verify(&s, &with_signature(&doc, &sig));
        assert_eq!(r.code, Some(ErrorCode::SignatureInvalid), "{id:?}");
    }
    // The default ID signed the same way is accepted: the test itself is sound.
    let sig = sm2_key
        .sign_with_id(sm2::DEFAULT_USER_ID, &hash_data(&doc))
        .unwrap();
    assert!(verify(&s, &with_signature(&doc, &sig)).valid);
}

#[test]
fn tampering_is_refused_with_its_code() {
    let s = setup(Algorithm::Ed25519);
    let doc = signed(&s);
    // The document.
    let mut changed = doc.clone();
    changed["credentialSubject"]["issued_on"] = "2024-03-19".into();
    assert_eq!(verify(&s, &changed).code, Some(ErrorCode::SignatureInvalid));
    // The proof configuration.
    let mut changed = doc.clone();
    changed["proof"]["created"] = "2024-03-18T02:00:01Z".into();
    assert_eq!(verify(&s, &changed).code, Some(ErrorCode::SignatureInvalid));
    // The signature, malleated: r + 1, s replaced by n - s, r and s swapped, a flipped bit.
    let sig = signature(&doc);
    let n =
        hex::decode("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123").unwrap();
    let mut r_plus_1 = sig.clone();
    let mut i = 31;
    loop {
        r_plus_1[i] = r_plus_1[i].wrapping_add(1);
        if r_plus_1[i] != 0 || i == 0 {
            break;
        }
        i -= 1;
    }
    let neg_s = {
        let mut out = [0u8; 32];
        let mut borrow = 0i16;
        for j in (0..32).rev() {
            let d = i16::from(n[j]) - i16::from(sig[32 + j]) - borrow;
            out[j] = d.rem_euclid(256) as u8;
            borrow = i16::from(d < 0);
        }
        [&sig[..32], &out[..]].concat()
    };
    let swapped = [&sig[32..], &sig[..32]].concat();
    let mut flipped = sig.clone();
    flipped[40] ^= 0x80;
    for bad in [r_plus_1, neg_s, swapped, flipped] {
        assert_eq!(
            verify(&s, &with_signature(&doc, &bad)).code,
            Some(ErrorCode::SignatureInvalid)
        );
    }
    // Truncated, extended, or DER instead of raw r || s: not a proofValue of the suite.
    let der = sm2::signature_to_der(&sig).unwrap();
    for bad in [&sig[..63], &[&sig[..], &[0]].concat()[..], &der[..]] {
        assert_eq!(
            verify(&s, &with_signature(&doc, bad)).code,
            Some(ErrorCode::ProofValue)
        );
    }
    // r or s out of range (s = 0).
    let zero_s = [&sig[..32], &[0u8; 32][..]].concat();
    assert_eq!(
        verify(&s, &with_signature(&doc, &zero_s)).code,
        Some(ErrorCode::SignatureInvalid)
    );
}

#[test]
fn another_key_or_another_suite_is_refused() {
    let s = setup(Algorithm::Ed25519);
    let doc = signed(&s);
    // Signed by another SM2 key than the certificate's.
    let other = Setup {
        key: SigningKey::generate(Algorithm::Sm2).unwrap(),
        ..setup(Algorithm::Ed25519)
    };
    let forged = credential::sign(
        &licence(),
        None,
        &other.key,
        &s.signer.fingerprint(),
        datetime!(2024-03-18 02:00 UTC),
    )
    .unwrap();
    let forged: Value = serde_json::from_slice(&forged).unwrap();
    assert_eq!(verify(&s, &forged).code, Some(ErrorCode::SignatureInvalid));
    // An SM2 proof named by a certificate holding a P-256 key.
    let p256 = SigningKey::generate(Algorithm::P256).unwrap();
    let p256_cert = cert_for(&s.root, &s.root_key, &p256);
    let mut d = doc.clone();
    d["proof"]["verificationMethod"] = doc["proof"]["verificationMethod"]
        .as_str()
        .unwrap()
        .replace(&s.signer.fingerprint_hex(), &p256_cert.fingerprint_hex())
        .into();
    let mut v = Verifier::new(TrustAnchors::new(vec![s.root.clone()]).unwrap());
    v.add_certificate(p256_cert.clone());
    let r = v.verify(
        &serde_json::to_vec(&d).unwrap(),
        &Context {
            at: NOW,
            certificates: &[],
            status_lists: &[],
        },
    );
    assert_eq!(r.code, Some(ErrorCode::CertAlgorithm), "{r:?}");
    // The SM2 proof relabelled as ecdsa-jcs-2019: another hash, so it does not verify.
    let mut relabelled = doc.clone();
    relabelled["proof"]["cryptosuite"] = "ecdsa-jcs-2019".into();
    assert_ne!(verify(&s, &relabelled).code, None);
}

#[test]
fn an_all_sm2_path_verifies_a_licence() {
    // SM2 root, SM2 signing certificate, SM2 proof: the 国密-only deployment.
    let s = setup(Algorithm::Sm2);
    let doc = signed(&s);
    let r = verify(&s, &doc);
    assert!(r.valid, "{r:?}");
    // The certificates are SM2-with-SM3 (1.2.156.10197.1.501).
    for cert in [&s.root, &s.signer] {
        let (_, x) = x509_parser::parse_x509_certificate(cert.der()).unwrap();
        assert_eq!(
            x.signature_algorithm.algorithm.to_id_string(),
            "1.2.156.10197.1.501"
        );
    }
}
