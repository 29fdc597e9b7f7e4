//! Imported OFD licences: taken in verified, served by the lookup as sealed, refused with
//! nothing written when they do not hold, and kept apart from what the registry signs.

mod common;

use std::path::Path;

use common::*;
use sha2::{Digest, Sha256};
use zhengzhao_core::catalog::Catalog;
use zhengzhao_core::codes::HolderCodeType;
use zhengzhao_core::gbt36903::{self, Record};
use zhengzhao_core::licence::Holder;
use zhengzhao_core::pki::{Certificate, TrustAnchors};
use zhengzhao_core::sample::Sampler;
use zhengzhao_core::{Coded, ErrorCode};
use zhengzhao_registry::export::ExportFormat;
use zhengzhao_registry::{Answer, Cause, DocumentFormat, OfdImport, Refusal, Registry};

fn vector(path: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-vectors")
        .join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The sample 营业执照 sealed with all its metadata (test-vectors/SOURCES.md).
fn sealed() -> Vec<u8> {
    vector("licences/sealed-licence.ofd")
}

const SEALED_ID: &str = "1.2.156.3005.2.11100000MB0143028R001.11330110JYW46KJ7BA.2025000001.001.R";

/// The generated SM2 test root and the signer of the sealed licence under it.
fn generated(name: &str) -> Vec<Certificate> {
    Certificate::parse_file(&vector(&format!("gm/certs/generated/{name}"))).unwrap()
}

fn user() -> Vec<Certificate> {
    generated("ee.pem")
}

fn how<'a>(
    anchors: Option<&'a TrustAnchors>,
    certificates: &'a [Certificate],
    supplied: Record,
) -> OfdImport<'a> {
    OfdImport {
        anchors,
        certificates,
        supplied,
        operator: "王科员".into(),
    }
}

/// The holder of the sealed licence.
fn sealed_holder() -> Holder {
    Holder {
        name: "杭州东方信息技术有限公司".into(),
        code_type: HolderCodeType::parse("001").unwrap(),
        code: "91330106CT4KKYNAF9".into(),
    }
}

fn lookup(r: &Registry, holder: &Holder, type_code: &str) -> Answer {
    let org = org(1);
    let ty = Catalog::builtin().get_str(type_code).unwrap().clone();
    r.add_grant(&org, &ty.code, years_ahead(1), "管理员", "")
        .unwrap();
    r.lookup(&window(holder, &[&ty], &org)).unwrap().remove(0)
}

#[test]
fn an_imported_ofd_licence_is_served_as_sealed() {
    let mut f = Fixture::new();
    let bytes = sealed();
    let anchors = TrustAnchors::new(generated("root.pem")).unwrap();
    let certs = user();
    let imported = f
        .reg()
        .import_ofd(&bytes, &how(Some(&anchors), &certs, Record::new()))
        .unwrap();
    assert_eq!(imported.id.to_string(), SEALED_ID);
    assert!(imported.read.report.signatures[0].chain_trusted == Some(true));
    let seq = imported.seq.unwrap();
    let id = imported.id;

    // The log commits to the file.
    let event = &events(f.reg())[seq as usize];
    assert_eq!(event["kind"], "import_ofd");
    assert_eq!(event["digest"], hex::encode(Sha256::digest(&bytes)));
    assert_eq!(event["anchored"], true);
    assert_eq!(event["supplied"], serde_json::json!([]));

    // The window gets the file's bytes, exactly.
    let answer = lookup(f.reg(), &sealed_holder(), "11100000MB0143028R001");
    assert_eq!(answer.format(), Some(DocumentFormat::Ofd));
    assert_eq!(answer.document(), Some(&bytes[..]));
    assert_eq!(answer.id(), Some(SEALED_ID));

    // Importing it again changes nothing.
    let len = f.reg().log_len();
    let again = f
        .reg()
        .import_ofd(&bytes, &how(Some(&anchors), &certs, Record::new()))
        .unwrap();
    assert_eq!((again.seq, f.reg().log_len()), (None, len));

    // What the registry keeps, and what it exports.
    let record = f.reg().ofd_record(&id).unwrap().unwrap();
    assert!(record.anchored && record.supplied.is_empty());
    assert_eq!(record.report["valid"], true);
    assert_eq!(record.record["ZZLXBB"], "1");
    assert_eq!(f.reg().export(&id, ExportFormat::Ofd).unwrap(), bytes);
    let flat: Record =
        serde_json::from_slice(&f.reg().export(&id, ExportFormat::Gbt36903).unwrap()).unwrap();
    assert_eq!(flat["ZZBS"], SEALED_ID);
    assert_eq!(flat["CZZTDM"], "91330106CT4KKYNAF9");
    for format in [ExportFormat::Vc, ExportFormat::VcJwt, ExportFormat::Qr] {
        let e = f.reg().export(&id, format).unwrap_err();
        assert_eq!(e.code(), ErrorCode::LicenceForm, "{e}");
    }
    let e = f
        .reg()
        .bundle(std::slice::from_ref(&id), years_ahead(0))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::LicenceForm, "{e}");
    assert_eq!(
        f.reg()
            .history(&sealed_holder().code_type, &sealed_holder().code)
            .unwrap(),
        std::slice::from_ref(&id)
    );
    let report = f.reg().check().unwrap();
    assert!(report.ok(), "{report:#?}");

    // It is not changed or renewed here; its state changes like any licence's.
    let cause = Cause::new("李处长", "决定书 2026-009");
    let licence = f.reg().stored_licence(&id).unwrap();
    let req = zhengzhao_registry::IssueRequest::from_licence(&licence, "张科员");
    let e = f.reg().change(&id, &req, &cause).unwrap_err();
    assert_eq!(e.code(), ErrorCode::LicenceForm, "{e}");
    let e = f.reg().renew(&id, licence.validity, &cause).unwrap_err();
    assert_eq!(e.code(), ErrorCode::LicenceForm, "{e}");
    f.reg().revoke(&id, &cause).unwrap();
    f.reopen();
    let answer = lookup(f.reg(), &sealed_holder(), "11100000MB0143028R001");
    assert_eq!(answer.refusal(), Some(Refusal::Revoked));
    assert!(f.reg().check().unwrap().ok());
}

/// A 采矿许可证 of the fixture's department, numbered `number`, serial `serial`, as the
/// record an operator supplies for a file that carries no metadata.
fn supplied_record(f: &mut Fixture, number: &str, serial: &str) -> (Record, Holder) {
    let catalog = Catalog::builtin();
    let ty = catalog.iter().find(|t| t.name == "采矿许可证").unwrap();
    let holder = Sampler::new(5).organisation();
    let licence = f
        .sampler
        .licence(
            ty,
            &f.issuer,
            &holder,
            serial,
            time::macros::date!(2025 - 06 - 01),
        )
        .unwrap();
    let mut record = gbt36903::to_record(&licence).unwrap();
    record.insert("ZZBH".into(), number.into());
    (record, holder)
}

#[test]
fn a_real_licence_without_metadata_is_imported_with_what_the_operator_supplies() {
    let mut f = Fixture::new();
    let bytes = vector("gm/ofd/testImageNotFound.ofd");
    let len = f.reg().log_len();
    let e = f
        .reg()
        .import_ofd(&bytes, &how(None, &[], Record::new()))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::OfdMetadataMissing, "{e}");
    assert!(e.to_string().contains("ZZBS (证照标识)"), "{e}");
    assert_eq!(f.reg().log_len(), len);

    let (supplied, holder) = supplied_record(&mut f, "C5300002019011110000001", "0000000005");
    let imported = f
        .reg()
        .import_ofd(&bytes, &how(None, &[], supplied.clone()))
        .unwrap();
    assert_eq!(imported.read.supplied.len(), supplied.len());
    let record = f.reg().ofd_record(&imported.id).unwrap().unwrap();
    assert!(!record.anchored);
    assert_eq!(record.supplied.len(), supplied.len());
    assert_eq!(
        events(f.reg()).last().unwrap()["supplied"]
            .as_array()
            .unwrap()
            .len(),
        supplied.len()
    );
    let answer = lookup(f.reg(), &holder, imported.id.type_code().as_ref());
    assert_eq!(answer.document(), Some(&bytes[..]));

    // The department's serials move past the imported one: what it issues next does not
    // take its identifier.
    assert_eq!(imported.id.serial(), "0000000005");
    let ty = person_type();
    let person = f.person();
    let req = f.request_today(&ty, &person);
    let issued = f.reg().issue(&req).unwrap();
    assert_eq!(issued.id.serial(), "0000000006");
    f.reopen();
    let person = f.person();
    let req = f.request_today(&ty, &person);
    assert_eq!(f.reg().issue(&req).unwrap().id.serial(), "0000000007");
    assert!(f.reg().check().unwrap().ok());
}

#[test]
fn files_that_do_not_hold_are_refused_and_nothing_is_written() {
    let mut f = Fixture::new();
    let bytes = sealed();
    let certs = user();
    let len = f.reg().log_len();
    let code = |r: Result<zhengzhao_registry::OfdImported, zhengzhao_registry::RegistryError>| {
        r.map(|i| i.id.to_string()).unwrap_err().code()
    };
    let reg = f.reg();
    let none = Record::new();
    assert_eq!(
        code(reg.import_ofd(&bytes[..bytes.len() / 2], &how(None, &certs, none.clone()))),
        ErrorCode::OfdPackage
    );
    assert_eq!(
        code(reg.import_ofd(b"{\"not\": \"ofd\"}", &how(None, &certs, none.clone()))),
        ErrorCode::OfdPackage
    );
    // The bare signature needs its signer's certificate.
    assert_eq!(
        code(reg.import_ofd(&bytes, &how(None, &[], none.clone()))),
        ErrorCode::OfdKeyRequired
    );
    // Another root than the one the signer chains to.
    let other = TrustAnchors::new(vec![f.authority.root_certificate().clone()]).unwrap();
    assert_eq!(
        code(reg.import_ofd(&bytes, &how(Some(&other), &certs, none.clone()))),
        ErrorCode::CertUntrusted
    );
    // A supplied item that the seal contradicts.
    let conflict = Record::from([("证照编号".to_owned(), "2025-999".to_owned())]);
    assert_eq!(
        code(reg.import_ofd(&bytes, &how(None, &certs, conflict))),
        ErrorCode::OfdMetadataConflict
    );
    let mut nobody = how(None, &certs, none.clone());
    nobody.operator = " ".into();
    assert_eq!(
        code(reg.import_ofd(&bytes, &nobody)),
        ErrorCode::LifecycleRequest
    );
    assert_eq!(reg.log_len(), len);

    // A type and 证照编号 that a licence the registry issued already has.
    let (supplied, _) = supplied_record(&mut f, "C5300002019011110000001", "0000000005");
    let ty = Catalog::builtin()
        .get_str(&supplied["ZZLXDM"])
        .unwrap()
        .clone();
    let company = f.organisation();
    let mut req = f.request_today(&ty, &company);
    req.number = supplied["ZZBH"].clone();
    let native = f.reg().issue(&req).unwrap().id;
    let len = f.reg().log_len();
    let real = vector("gm/ofd/testImageNotFound.ofd");
    let e = f
        .reg()
        .import_ofd(&real, &how(None, &[], supplied.clone()))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NumberTaken, "{e}");
    assert!(e.to_string().contains(&native.to_string()), "{e}");
    // An identifier that another licence has.
    let mut taken = supplied;
    taken.insert("ZZBH".into(), "C5300002019011110000002".into());
    taken.insert("ZZBS".into(), native.to_string());
    let e = f
        .reg()
        .import_ofd(&real, &how(None, &[], taken.clone()))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::LifecycleRequest, "{e}");
    // An identifier that reads only leniently (a 6-character serial of an early pilot).
    let mut lenient = taken.clone();
    let issuer = f.issuer.code.to_string();
    let type_code = lenient["ZZLXDM"].clone();
    let check = zhengzhao_core::identifier::check_char(&[&type_code, &issuer, "123456", "001"]);
    lenient.insert(
        "ZZBS".into(),
        format!("1.2.156.3005.2.{type_code}.{issuer}.123456.001.{check}"),
    );
    lenient.insert("ZZBH".into(), "C5300002019011110000003".into());
    let e = f
        .reg()
        .import_ofd(&real, &how(None, &[], lenient))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::LifecycleRequest, "{e}");
    assert!(e.to_string().contains("strict identifiers"), "{e}");
    assert_eq!(f.reg().log_len(), len);
    assert!(f.reg().check().unwrap().ok());

    // A secondary takes nothing in.
    let secondary =
        Registry::open_secondary(&f.dir, &f.tmp.path().join("ro"), f.options()).unwrap();
    let e = secondary
        .import_ofd(&bytes, &how(None, &certs, Record::new()))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::StorageReadOnly, "{e}");
}

#[test]
fn a_stored_file_that_was_altered_is_found_by_the_check() {
    let mut f = Fixture::new();
    let certs = user();
    let id = f
        .reg()
        .import_ofd(&sealed(), &how(None, &certs, Record::new()))
        .unwrap()
        .id;
    drop(f.registry.take());
    {
        let cfs = rocksdb::DB::list_cf(&rocksdb::Options::default(), f.dir.join("db")).unwrap();
        let db =
            rocksdb::DB::open_cf(&rocksdb::Options::default(), f.dir.join("db"), &cfs).unwrap();
        let cf = db.cf_handle("licence").unwrap();
        let mut bytes = db.get_cf(cf, id.to_string()).unwrap().unwrap();
        let n = bytes.len();
        bytes[n - 30] ^= 1;
        db.put_cf(cf, id.to_string(), bytes).unwrap();
    }
    f.reopen();
    let report = f.reg().check().unwrap();
    let kinds: Vec<&str> = report.problems.iter().map(|p| p.kind).collect();
    assert!(kinds.contains(&"signature"), "{report:#?}");
    assert!(kinds.contains(&"current_mismatch"), "{report:#?}");
}

#[test]
fn a_new_version_supersedes_the_one_it_names() {
    let mut f = Fixture::new();
    let (first, holder) = supplied_record(&mut f, "C5300002019011110000001", "0000000005");
    let v1 = f
        .reg()
        .import_ofd(
            &vector("gm/ofd/testImageNotFound.ofd"),
            &how(None, &[], first.clone()),
        )
        .unwrap()
        .id;
    // The platform issues version 002 (a change made there), naming version 001.
    let v2 = v1.with_version(2).unwrap();
    let mut second = first.clone();
    second.insert("ZZBS".into(), v2.to_string());
    second.insert("GLZZBS".into(), v1.to_string());
    let ofdrw_user = Certificate::from_der(&vector("gm/certs/ofdrw-test-ca/user.cer")).unwrap();
    let certs = [ofdrw_user];
    let imported = f
        .reg()
        .import_ofd(
            &vector("gm/ofd/DigitalSign.ofd"),
            &how(None, &certs, second.clone()),
        )
        .unwrap();
    assert_eq!(imported.id, v2);
    let old = f.reg().status_record(&v1).unwrap();
    assert_eq!(old.state, zhengzhao_core::status::Status::Superseded);
    assert_eq!(old.successor.as_deref(), Some(v2.as_ref()));
    assert_eq!(events(f.reg()).last().unwrap()["previous"], v1.to_string());
    let answer = lookup(f.reg(), &holder, v1.type_code().as_ref());
    assert_eq!(answer.id(), Some(v2.as_ref()));
    assert_eq!(
        answer.document(),
        Some(&vector("gm/ofd/DigitalSign.ofd")[..])
    );
    assert_eq!(
        f.reg()
            .licence_by_number(v1.type_code(), "C5300002019011110000001")
            .unwrap(),
        Some(v2.clone())
    );
    assert!(f.reg().check().unwrap().ok());

    // A version that names one no longer in force is refused, and nothing is written.
    f.reg()
        .revoke(&v2, &Cause::new("李处长", "吊销决定书 2026-3"))
        .unwrap();
    let len = f.reg().log_len();
    let mut third = second;
    third.insert("ZZBS".into(), v1.with_version(3).unwrap().to_string());
    third.insert("GLZZBS".into(), v2.to_string());
    let e = f
        .reg()
        .import_ofd(
            &vector("gm/ofd/synthetic-v1-seal.ofd"),
            &how(None, &certs, third),
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::IllegalTransition, "{e}");
    assert_eq!(f.reg().log_len(), len);
}
