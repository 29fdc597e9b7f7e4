//! The built-in catalogue: at least 222 real licence types, well formed, and every one usable.

use std::collections::HashSet;
use zhengzhao_core::catalog::{Catalog, CatalogError, LicenceType};
use zhengzhao_core::codes::Uscc;
use zhengzhao_core::sample::Sampler;
use zhengzhao_core::validate::validate_against;
use zhengzhao_core::{Coded, ErrorCode};

#[test]
fn at_least_222_types_with_unique_check_valid_codes() {
    let c = Catalog::builtin();
    assert!(c.len() >= 222, "{} types", c.len());
    let mut codes = HashSet::new();
    for t in c.iter() {
        assert!(codes.insert(t.code.clone()), "{} repeated", t.code);
        assert!(
            Uscc::parse(t.authority.code.as_ref()).is_ok(),
            "{}: authority code",
            t.code
        );
        assert_eq!(t.code.authority(), t.authority.code);
        assert!(!t.fields.is_empty(), "{} {} has no fields", t.code, t.name);
        assert!(
            !t.replaces.is_empty(),
            "{} {} replaces nothing",
            t.code,
            t.name
        );
        t.check().unwrap();
    }
}

#[test]
fn real_national_codes_are_where_they_belong() {
    let c = Catalog::builtin();
    for (code, name) in [
        ("11100000MB03271699001", "不动产权证书"),
        ("11100000MB03271699022", "不动产登记证明"),
        ("11100000MB0143028R001", "营业执照"),
        ("11100000000013127D001", "居民身份证"),
    ] {
        assert_eq!(c.get_str(code).unwrap().name, name);
    }
    let names: HashSet<&str> = c.iter().map(|t| t.name.as_str()).collect();
    for required in [
        "居民户口簿",
        "结婚证",
        "出生医学证明",
        "食品经营许可证",
        "建设工程规划许可证",
        "建筑工程施工许可证",
        "道路运输证",
        "机动车驾驶证",
        "残疾人证",
        "社会保障卡",
        "医师执业证书",
        "教师资格证书",
        "排污许可证",
        "取水许可证",
        "特种设备使用登记证",
    ] {
        assert!(
            names.iter().any(|n| n.contains(required)),
            "{required} missing"
        );
    }
}

#[test]
fn every_type_admits_a_valid_licence() {
    let c = Catalog::builtin();
    let mut s = Sampler::new(1);
    let issuer = s.issuer("测试颁证单位");
    for (i, t) in c.iter().enumerate() {
        let holder = s.holder_for(t.holder);
        let l = s
            .licence(
                t,
                &issuer,
                &holder,
                &format!("{:010}", i + 1),
                time::macros::date!(2024 - 06 - 01),
            )
            .unwrap();
        if let Err(e) = validate_against(t, &l) {
            panic!("{} {}: {e}", t.code, t.name);
        }
    }
}

#[test]
fn search_finds_by_name_sector_and_material() {
    let c = Catalog::builtin();
    assert!(c.search("驾驶证").any(|t| t.name == "机动车驾驶证"));
    assert!(c.search("身份证复印件").any(|t| t.name == "居民身份证"));
    assert!(c.search("不存在的证照").next().is_none());
}

#[test]
fn definitions_round_trip_through_json() {
    let c = Catalog::builtin();
    for t in c.iter() {
        let json = serde_json::to_string(t).unwrap();
        assert_eq!(&LicenceType::from_json(&json).unwrap(), t);
    }
}

#[test]
fn registration_refuses_bad_definitions_with_every_problem() {
    let mut c = Catalog::builtin();
    let mut t = c.get_str("11100000MB0143028R001").unwrap().clone();
    t.version = 2;
    t.replaces.clear();
    t.fields[1].code = "mc".into();
    t.fields[2].code = t.fields[0].code.clone();
    let e = c.register(t).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CatalogDefinition);
    let CatalogError::Definition { problems, .. } = &e else {
        panic!()
    };
    assert_eq!(problems.len(), 3, "{problems:?}");

    let t = c.get_str("11100000MB0143028R001").unwrap().clone();
    assert!(matches!(
        c.register(t.clone()),
        Err(CatalogError::Duplicate { .. })
    ));
    let mut skip = t;
    skip.version = 3;
    let e = c.register(skip).unwrap_err();
    assert!(e.to_string().contains("the next version is 2"), "{e}");

    for bad in ["", "{}", "[]", r#"{"code":"11100000MB0143028R001"}"#] {
        assert_eq!(
            LicenceType::from_json(bad).unwrap_err().code(),
            ErrorCode::CatalogDefinition
        );
    }
    let mut json: serde_json::Value =
        serde_json::to_value(c.get_str("11100000MB0143028R001").unwrap()).unwrap();
    json["fields"][0]["kind"] = "colour".into();
    assert!(LicenceType::from_json(&json.to_string())
        .unwrap_err()
        .to_string()
        .contains("unknown kind"));
    json["fields"][0]["kind"] = "text".into();
    json["fields"][0]["values"] = serde_json::json!(["a"]);
    assert!(LicenceType::from_json(&json.to_string())
        .unwrap_err()
        .to_string()
        .contains("does not apply"));
}

#[test]
fn a_new_type_can_be_registered() {
    let mut c = Catalog::builtin();
    let n = c.len();
    let mut t = c.get_str("11100000MB0143028R001").unwrap().clone();
    t.code = zhengzhao_core::identifier::TypeCode::parse("11100000MB0143028R999").unwrap();
    t.name = "测试证照".into();
    c.register(t).unwrap();
    assert_eq!(c.len(), n + 1);
    assert_eq!(
        c.versions(&"11100000MB0143028R999".parse().unwrap()).len(),
        1
    );
}
