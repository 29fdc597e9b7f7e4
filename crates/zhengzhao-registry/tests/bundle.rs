//! Bundles from the registry verify offline with nothing but the root certificate, and carry
//! each licence's status as the registry knows it.

mod common;

use common::{person_type, Fixture};
use zhengzhao_core::bundle;
use zhengzhao_core::pki::TrustAnchors;
use zhengzhao_core::verify::Verifier;
use zhengzhao_registry::Cause;

#[test]
fn a_bundle_verifies_with_the_root_alone_and_shows_a_revocation() {
    let mut f = Fixture::new();
    let ty = person_type();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let holder = f.person();
        let req = f.request_today(&ty, &holder);
        ids.push(f.reg().issue(&req).unwrap().id);
    }
    f.reg()
        .revoke(&ids[1], &Cause::new("张科长", "杭西市监罚〔2025〕12号"))
        .unwrap();
    let at = time::OffsetDateTime::now_utc();
    let b = f.reg().bundle(&ids, at).unwrap();
    // Licences exactly as stored.
    for (doc, id) in b.licences.iter().zip(&ids) {
        let stored: serde_json::Value =
            serde_json::from_slice(&f.reg().document(id).unwrap()).unwrap();
        assert_eq!(doc, &stored);
    }
    assert_eq!(b.status_lists.len(), 1, "one issuer, one list");

    let anchors = TrustAnchors::new(vec![f.authority.root_certificate().clone()]).unwrap();
    let report = bundle::verify(&Verifier::new(anchors), &b.to_json(), at).unwrap();
    assert!(report.status_lists.iter().all(|l| l.valid), "{report:?}");
    let valid: Vec<bool> = report.licences.iter().map(|r| r.valid).collect();
    assert_eq!(valid, [true, false, true]);
    assert_eq!(
        report.licences[1].code.map(|c| c.name()),
        Some("ZZ-E-STATUS-003")
    );
}

#[test]
fn a_bundle_of_an_unknown_licence_is_refused() {
    let mut f = Fixture::new();
    let ty = person_type();
    let holder = f.person();
    let req = f.request_today(&ty, &holder);
    let id = f.reg().issue(&req).unwrap().id;
    let unknown = id.with_version(2).unwrap();
    let e = f
        .reg()
        .bundle(&[id, unknown], time::OffsetDateTime::now_utc())
        .unwrap_err();
    assert_eq!(
        zhengzhao_core::Coded::code(&e),
        zhengzhao_core::ErrorCode::LicenceNotFound
    );
}
