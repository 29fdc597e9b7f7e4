//! The whole offline flow from the command line: make an authority, sign a licence, verify it;
//! and the error-code table.

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::Value;

fn zz(dir: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("zhengzhao").unwrap();
    c.current_dir(dir);
    c
}

const LICENCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../test-vectors/licences/business-licence.json"
);

#[test]
fn authority_sign_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    zz(d)
        .args([
            "authority",
            "init",
            "--dir",
            "ca",
            "--root-name",
            "浙江省电子证照根CA",
            "--issuer-name",
            "杭州市西湖区市场监督管理局",
            "--issuer-code",
            "11330106MB1742305K",
        ])
        .assert()
        .code(0);
    zz(d)
        .args(["sign", LICENCE, "--authority", "ca", "--out", "signed.json"])
        .assert()
        .code(0);
    let a = zz(d)
        .args([
            "verify",
            "signed.json",
            "--anchors",
            "ca/root.pem",
            "--certs",
            "ca/signers/11330106MB1742305K/1.pem",
            "--json",
        ])
        .assert()
        .code(0);
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert_eq!(v["results"][0]["report"]["valid"], true);

    // To standard output, and a JSON summary.
    let out = zz(d)
        .args(["sign", LICENCE, "--authority", "ca"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let doc: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["proof"]["cryptosuite"], "eddsa-jcs-2022");
    let a = zz(d)
        .args([
            "sign",
            LICENCE,
            "--authority",
            "ca",
            "--out",
            "s2.json",
            "--json",
        ])
        .assert()
        .code(0);
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert_eq!(v["id"], doc["credentialSubject"]["id"]);
}

#[test]
fn sign_refuses_invalid_licences_and_unknown_issuers() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    zz(d)
        .args([
            "authority",
            "init",
            "--dir",
            "ca",
            "--root-name",
            "根CA",
            "--issuer-name",
            "另一部门",
            "--issuer-code",
            "11330106MB1742306N",
        ])
        .assert()
        .code(0);
    // The licence's issuer has no signing key in this folder.
    zz(d)
        .args(["sign", LICENCE, "--authority", "ca"])
        .assert()
        .code(2)
        .stderr(contains("ZZ-E-"));
    // Invalid licence data: exit 1 with the schema code, every violation listed.
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(LICENCE).unwrap()).unwrap();
    v["fields"].as_object_mut().unwrap().remove("FDDBR");
    v["fields"]["CLRQ"] = "2021-02-30".into();
    std::fs::write(d.join("bad.json"), v.to_string()).unwrap();
    zz(d)
        .args(["sign", "bad.json", "--authority", "ca"])
        .assert()
        .code(1)
        .stderr(contains("ZZ-E-SCHEMA-001"))
        .stderr(contains("fields.FDDBR"))
        .stderr(contains("fields.CLRQ"));
    std::fs::write(d.join("garbage.json"), "{").unwrap();
    zz(d)
        .args(["sign", "garbage.json", "--authority", "ca"])
        .assert()
        .code(2)
        .stderr(contains("ZZ-E-FMT-001"));
    zz(d)
        .args(["sign", "missing.json", "--authority", "ca"])
        .assert()
        .code(2)
        .stderr(contains("ZZ-E-IO-001"));
    zz(d)
        .args(["sign", LICENCE, "--authority", "nowhere"])
        .assert()
        .code(2);
}

#[test]
fn the_error_table_lists_every_code() {
    let tmp = tempfile::tempdir().unwrap();
    let a = zz(tmp.path()).args(["errors", "--json"]).assert().code(0);
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), zhengzhao_core::ErrorCode::ALL.len());
    assert!(rows
        .iter()
        .any(|r| r["code"] == "ZZ-E-ID-006" && r["number"] == 1006));
    zz(tmp.path())
        .args(["errors"])
        .assert()
        .code(0)
        .stdout(contains("ZZ-E-SIG-004"));
}
