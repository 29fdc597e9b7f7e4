//! Validation of licence data against its type: every violation at once.

use serde_json::{json, Value};
use zhengzhao_core::catalog::Catalog;
use zhengzhao_core::licence::Licence;
use zhengzhao_core::validate::{validate, Rule};
use zhengzhao_core::{Coded, Error, ErrorCode};

fn business_licence() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../test-vectors/licences/business-licence.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn check(v: &Value) -> Result<Vec<zhengzhao_core::validate::Warning>, Error> {
    validate(
        &Catalog::builtin(),
        &Licence::from_json(&v.to_string()).unwrap(),
    )
}

#[test]
fn a_good_licence_passes() {
    assert_eq!(check(&business_licence()).unwrap(), vec![]);
}

#[test]
fn every_violation_is_reported_at_once() {
    let mut v = business_licence();
    v["name"] = json!("营业执照（副本）");
    v["validity"]["until"] = json!("2020-01-01"); // before it starts
    v["holders"][0]["code"] = json!("91330106MA2H3K7P0I"); // I is not in the GB 32100 alphabet
    let f = &mut v["fields"];
    f.as_object_mut().unwrap().remove("FDDBR"); // required
    f["CLRQ"] = json!("2021-02-30"); // not a real date
    f["ZCZB"] = json!("100.1234567"); // scale 6
    f["MC"] = json!("另一家公司"); // not the holder's name
    f["DJRQ"] = json!(20240318); // wrong JSON type
    f["COLOUR"] = json!("红"); // not in the type

    let Err(Error::Schema(e)) = check(&v) else {
        panic!("expected a schema error")
    };
    assert_eq!(e.code(), ErrorCode::SchemaViolation);
    let got: Vec<(&str, Rule)> = e
        .violations
        .iter()
        .map(|x| (x.path.as_str(), x.rule))
        .collect();
    let expected = [
        ("name", Rule::LicenceType),
        ("holders[0].code", Rule::Code),
        ("validity.until", Rule::Validity),
        ("issued_on", Rule::Validity),
        ("fields.TYSHXYDM", Rule::HolderMismatch),
        ("fields.MC", Rule::HolderMismatch),
        ("fields.FDDBR", Rule::Required),
        ("fields.ZCZB", Rule::Scale),
        ("fields.CLRQ", Rule::Date),
        ("fields.DJRQ", Rule::Type),
        ("fields.COLOUR", Rule::UnknownField),
    ];
    assert_eq!(got, expected, "{e}");
    let clrq = e
        .violations
        .iter()
        .find(|x| x.path == "fields.CLRQ")
        .unwrap();
    assert_eq!(clrq.value.as_deref(), Some("2021-02-30"));
    assert!(e.to_string().contains("11 rule(s)"));
}

#[test]
fn legacy_codes_warn_instead_of_failing() {
    let mut v = business_licence();
    v["holders"][0]["code"] = json!("91350100M0001TGQXM");
    v["fields"]["TYSHXYDM"] = json!("91350100M0001TGQXM");
    let warnings = check(&v).unwrap();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings.iter().all(|w| w.message.contains("GB 32100")));
}

#[test]
fn holders_of_the_wrong_kind_and_validity_rules() {
    let mut v = business_licence();
    v["holders"] = json!([{ "name": "张三", "code_type": "111", "code": "11010519491231002X" }]);
    v["validity"] = json!({ "from": "2021-03-18", "until": "2121-03-18" });
    let Err(Error::Schema(e)) = check(&v) else {
        panic!()
    };
    assert!(
        e.violations
            .iter()
            .any(|x| x.path == "holders[0].code_type" && x.rule == Rule::HolderCategory),
        "{e}"
    );

    v["holders"] = json!([]);
    let Err(Error::Schema(e)) = check(&v) else {
        panic!()
    };
    assert!(
        e.violations
            .iter()
            .any(|x| x.path == "holders" && x.rule == Rule::Required),
        "{e}"
    );
}

#[test]
fn unknown_type_or_version_is_a_catalogue_error() {
    let mut v = business_licence();
    v["type_version"] = json!(7);
    let e = check(&v).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CatalogUnknownType);
    assert!(e.to_string().contains("version 7"));
}

#[test]
fn a_licence_stays_checked_against_its_own_version() {
    let mut catalog = Catalog::builtin();
    let mut v2 = catalog.get_str("11100000MB0143028R001").unwrap().clone();
    v2.version = 2;
    v2.fields.retain(|f| f.code != "JYFW"); // version 2 drops 经营范围
    catalog.register(v2).unwrap();
    let licence = Licence::from_json(&business_licence().to_string()).unwrap();
    assert!(
        validate(&catalog, &licence).is_ok(),
        "version 1 still applies to a version-1 licence"
    );
    let mut newer = licence.clone();
    newer.type_version = 2;
    let Err(Error::Schema(e)) = validate(&catalog, &newer) else {
        panic!()
    };
    assert_eq!(e.violations.len(), 1);
    assert_eq!(e.violations[0].path, "fields.JYFW");
    assert_eq!(e.violations[0].rule, Rule::UnknownField);
}
