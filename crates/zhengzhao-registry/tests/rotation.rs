//! Signing-key rotation end to end: a department's new signing certificate, new licences signed
//! with it, old ones still verifying, and the retired key's certificate still in bundles.

mod common;

use common::*;
use serde_json::Value;
use zhengzhao_core::bundle;
use zhengzhao_core::keys::Algorithm;
use zhengzhao_core::pki::TrustAnchors;
use zhengzhao_core::verify::Verifier;

fn method(document: &[u8]) -> String {
    let v: Value = serde_json::from_slice(document).unwrap();
    v["proof"]["verificationMethod"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn licences_signed_before_and_after_a_rotation_both_verify() {
    let mut f = Fixture::new();
    let ty = person_type();
    let old_holder = f.person();
    let r = f.request_today(&ty, &old_holder);
    let before = f.reg().issue(&r).unwrap();

    // The department gets a new key and certificate; the registry picks it up when reopened
    // (or when its signer cache is cleared).
    let entry = f
        .authority
        .add_signer(&f.issuer.name, &f.issuer.code, None, Algorithm::Ed25519, 5)
        .unwrap();
    assert_eq!(entry.number, 2);
    f.reopen();
    let new_holder = f.person();
    let r = f.request_today(&ty, &new_holder);
    let after = f.reg().issue(&r).unwrap();
    let (m1, m2) = (method(&before.document), method(&after.document));
    assert_ne!(m1, m2, "the new licence is signed with the new key");
    assert!(m2.ends_with(&hex::encode(entry.certificate.fingerprint())));

    // Both verify offline, with nothing but the root and a bundle of both: the bundle carries
    // both certificates, the retired one included.
    let b = f
        .reg()
        .bundle(
            &[before.id.clone(), after.id.clone()],
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
    let fingerprints: Vec<String> = b.certificates.iter().map(|c| c.fingerprint_hex()).collect();
    assert_eq!(fingerprints.len(), 2, "{fingerprints:?}");
    assert!(fingerprints.iter().any(|fp| m1.ends_with(fp.as_str())));
    assert!(fingerprints.iter().any(|fp| m2.ends_with(fp.as_str())));
    let root = f.authority.root_certificate().clone();
    let verifier = Verifier::new(TrustAnchors::new(vec![root]).unwrap());
    let report = bundle::verify(&verifier, &b.to_json(), time::OffsetDateTime::now_utc()).unwrap();
    assert!(report.valid, "{report:#?}");
    assert_eq!(report.licences.len(), 2);
    // And singly, with the registry's certificates in the trust store.
    for doc in [&before.document, &after.document] {
        assert!(f.verifies(doc));
    }
    // The old licence's lifecycle goes on under the new key: its next version is signed with it.
    let stored = f.reg().stored_licence(&before.id).unwrap();
    let mut req = zhengzhao_registry::IssueRequest::from_licence(&stored, "张科员");
    req.number = format!("{}-1", req.number);
    let changed = f
        .reg()
        .change(
            &before.id,
            &req,
            &zhengzhao_registry::Cause::new("张科员", "变更登记"),
        )
        .unwrap();
    assert_eq!(method(&changed.document), m2);
    assert!(f.verifies(&changed.document));
    // The integrity check knows both certificates.
    let check = f.reg().check().unwrap();
    assert!(check.ok(), "{:#?}", check.problems);
}
