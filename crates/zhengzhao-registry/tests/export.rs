//! Export of a stored licence in every interchange format, each read back.

mod common;

use common::*;
use zhengzhao_core::catalog::Catalog;
use zhengzhao_core::status::Status;
use zhengzhao_core::verify::Context;
use zhengzhao_core::{gbt36903, qr, Coded, ErrorCode};
use zhengzhao_registry::export::ExportFormat;
use zhengzhao_registry::Cause;

#[test]
fn every_format_reads_back_to_the_stored_licence() {
    let mut f = Fixture::new();
    let ty = person_type();
    let holder = f.person();
    let req = f.request_today(&ty, &holder);
    let issued = f.reg().issue(&req).unwrap();
    let id = &issued.id;
    let stored = f.reg().stored_licence(id).unwrap();
    let ctx = Context::now();

    assert_eq!(
        f.reg().export(id, ExportFormat::Vc).unwrap(),
        issued.document
    );

    let token = String::from_utf8(f.reg().export(id, ExportFormat::VcJwt).unwrap()).unwrap();
    let report = f.verifier().verify_jwt(&token, &ctx);
    assert!(report.valid, "{report:?}");
    assert_eq!(report.id.as_deref(), Some(id.as_ref()));

    let payload = String::from_utf8(f.reg().export(id, ExportFormat::Qr).unwrap()).unwrap();
    assert!(payload.starts_with(qr::PREFIX));
    let report = f.verifier().verify(&qr::decode(&payload).unwrap(), &ctx);
    assert!(report.valid, "{report:?}");

    // The flat record carries the current status: revoke, then export.
    f.reg()
        .revoke(
            id,
            &Cause::new("张科员", "行政处罚决定书 西市监罚〔2024〕7号"),
        )
        .unwrap();
    let json = f.reg().export(id, ExportFormat::Gbt36903).unwrap();
    let record = gbt36903::record_from_json(&json).unwrap();
    let back = gbt36903::from_record(&record, &Catalog::builtin()).unwrap();
    assert_eq!(back.status, Status::Revoked);
    assert_eq!(
        back,
        zhengzhao_core::licence::Licence {
            status: Status::Revoked,
            ..stored
        }
    );

    for name in ["vc", "vc-jwt", "gbt36903", "qr"] {
        assert_eq!(ExportFormat::from_name(name).unwrap().name(), name);
    }
    assert_eq!(ExportFormat::from_name("pdf"), None);
    let missing = "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F";
    let e = f
        .reg()
        .export(&missing.parse().unwrap(), ExportFormat::Vc)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::LicenceNotFound);
}
