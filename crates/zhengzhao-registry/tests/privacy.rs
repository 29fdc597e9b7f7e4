//! No plaintext holder code in any RocksDB key: every key of every column family is scanned
//! for the 公民身份号码 of the persons and the 统一社会信用代码 of the organisations that
//! hold licences (whole, and their distinctive 10-character middles).

mod common;

use common::*;
use zhengzhao_core::codes::HolderCodeType;
use zhengzhao_registry::layout::COLUMN_FAMILIES;
use zhengzhao_registry::Cause;

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn no_key_of_any_column_family_holds_a_holder_code() {
    let mut f = Fixture::new();
    let person_ty = person_type();
    let org_ty = org_type();
    let consent_ty = consent_type();
    let using_org = org(1);
    for t in [&person_ty, &org_ty, &consent_ty] {
        f.reg()
            .add_grant(&using_org, &t.code, years_ahead(1), "管理员", "")
            .unwrap();
    }
    let mut codes = Vec::new();
    for i in 0..15 {
        let person = f.person();
        let company = f.organisation();
        let p = f.request_today(&person_ty, &person);
        let issued = f.reg().issue(&p).unwrap();
        let o = f.request_today(&org_ty, &company);
        f.reg().issue(&o).unwrap();
        let c = f.request_today(&consent_ty, &person);
        f.reg().issue(&c).unwrap();
        f.reg()
            .add_consent(
                &HolderCodeType::ID_NUMBER,
                &person.code,
                &using_org,
                &consent_ty.code,
                &format!("SQ-{i}"),
                years_ahead(1),
            )
            .unwrap();
        if i % 3 == 0 {
            f.reg()
                .change(&issued.id, &p, &Cause::new("李处长", "变更"))
                .unwrap();
        }
        f.reg()
            .lookup(&window(&person, &[&person_ty, &consent_ty], &using_org))
            .unwrap();
        f.reg()
            .lookup(&window(&company, &[&org_ty], &using_org))
            .unwrap();
        codes.push(person.code.clone());
        codes.push(company.code.clone());
    }
    drop(f.registry.take());

    let path = f.dir.join("db");
    let cfs = rocksdb::DB::list_cf(&rocksdb::Options::default(), &path).unwrap();
    let db = rocksdb::DB::open_cf_for_read_only(&rocksdb::Options::default(), &path, &cfs, false)
        .unwrap();
    let mut keys = 0;
    let mut licence_values_with_codes = 0;
    for name in COLUMN_FAMILIES {
        let cf = db.cf_handle(name).unwrap();
        for item in db.iterator_cf(cf, rocksdb::IteratorMode::Start) {
            let (k, v) = item.unwrap();
            keys += 1;
            for code in &codes {
                let code = code.as_bytes();
                assert!(!contains(&k, code), "{name} key holds a holder code");
                // The middle of the code (birth date and sequence; registration number).
                assert!(
                    !contains(&k, &code[6..16]),
                    "{name} key holds part of a holder code"
                );
                if *name == "licence" && contains(&v, code) {
                    licence_values_with_codes += 1;
                }
                if *name == "log" {
                    assert!(!contains(&v, code), "a log event holds a holder code");
                }
            }
        }
    }
    assert!(keys > 200, "the scan saw the registry ({keys} keys)");
    // The scan can find codes where they are: the signed documents carry them.
    assert!(licence_values_with_codes >= 30);
}
