//! `zhengzhao verify`: exit codes 0 / 1 / 2 and JSON reports, for documents and bundles.

use std::path::Path;

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::Value;
use time::macros::datetime;
use zhengzhao_core::bundle::Bundle;
use zhengzhao_core::codes::Uscc;
use zhengzhao_core::credential;
use zhengzhao_core::keys::{Algorithm, SigningKey};
use zhengzhao_core::licence::Licence;
use zhengzhao_core::pki;

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let root_key = SigningKey::generate(Algorithm::Ed25519).unwrap();
        let root = pki::issue_root(
            &root_key,
            "测试省电子证照根CA",
            datetime!(2020-01-01 0:00 UTC),
            datetime!(2040-01-01 0:00 UTC),
        )
        .unwrap();
        let key = SigningKey::generate(Algorithm::Ed25519).unwrap();
        let uscc = Uscc::parse("11330106MB1742305K").unwrap();
        let cert = pki::issue_signer(
            &root,
            &root_key,
            &key.public_key(),
            "杭州市西湖区市场监督管理局",
            &uscc,
            None,
            datetime!(2021-01-01 0:00 UTC),
            datetime!(2035-01-01 0:00 UTC),
        )
        .unwrap();
        let other_root_key = SigningKey::generate(Algorithm::Ed25519).unwrap();
        let other_root = pki::issue_root(
            &other_root_key,
            "另一省根CA",
            datetime!(2020-01-01 0:00 UTC),
            datetime!(2040-01-01 0:00 UTC),
        )
        .unwrap();
        let licence = Licence::from_json(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../test-vectors/licences/business-licence.json"
            ))
            .unwrap(),
        )
        .unwrap();
        let doc = credential::sign(
            &licence,
            None,
            &key,
            &cert.fingerprint(),
            datetime!(2024-03-18 02:00 UTC),
        )
        .unwrap();
        let mut tampered: Value = serde_json::from_slice(&doc).unwrap();
        tampered["credentialSubject"]["fields"]["FDDBR"] = "李四".into();
        let bundle = Bundle {
            licences: vec![serde_json::from_slice(&doc).unwrap(), tampered.clone()],
            certificates: vec![cert.clone()],
            status_lists: vec![],
        };
        let p = dir.path();
        std::fs::write(p.join("root.pem"), root.to_pem()).unwrap();
        std::fs::write(p.join("other-root.pem"), other_root.to_pem()).unwrap();
        std::fs::write(p.join("signer.pem"), cert.to_pem()).unwrap();
        std::fs::write(p.join("licence.json"), &doc).unwrap();
        std::fs::write(
            p.join("tampered.json"),
            serde_json::to_vec(&tampered).unwrap(),
        )
        .unwrap();
        std::fs::write(p.join("bundle.json"), bundle.to_json()).unwrap();
        Fixture { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn verify(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        Command::cargo_bin("zhengzhao")
            .unwrap()
            .current_dir(self.dir.path())
            .arg("verify")
            .args(args)
            .assert()
    }
}

fn stdout_json(a: &assert_cmd::assert::Assert) -> Value {
    serde_json::from_slice(&a.get_output().stdout).unwrap()
}

#[test]
fn valid_documents_exit_0() {
    let f = Fixture::new();
    f.verify(&[
        "licence.json",
        "--anchors",
        "root.pem",
        "--certs",
        "signer.pem",
        "--at",
        "2025-06-01",
    ])
    .code(0)
    .stdout(contains("✓ valid"));
    let a = f
        .verify(&[
            "licence.json",
            "--anchors",
            "root.pem",
            "--certs",
            "signer.pem",
            "--json",
        ])
        .code(0);
    let v = stdout_json(&a);
    assert_eq!(v["valid"], true);
    assert_eq!(
        v["results"][0]["report"]["checks"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
}

#[test]
fn invalid_documents_exit_1_with_their_code() {
    let f = Fixture::new();
    f.verify(&[
        "licence.json",
        "tampered.json",
        "--anchors",
        "root.pem",
        "--certs",
        "signer.pem",
    ])
    .code(1)
    .stdout(contains("ZZ-E-SIG-004"));
    let a = f
        .verify(&[
            "licence.json",
            "--anchors",
            "other-root.pem",
            "--certs",
            "signer.pem",
            "--json",
        ])
        .code(1);
    assert_eq!(
        stdout_json(&a)["results"][0]["report"]["code"],
        "ZZ-E-TRUST-002"
    );
    let a = f
        .verify(&["licence.json", "--anchors", "root.pem", "--json"])
        .code(1);
    assert_eq!(
        stdout_json(&a)["results"][0]["report"]["code"],
        "ZZ-E-SIG-005",
        "no certificate without --certs or a bundle"
    );
    let a = f
        .verify(&[
            "licence.json",
            "--anchors",
            "root.pem",
            "--certs",
            "signer.pem",
            "--at",
            "2036-01-01",
            "--json",
        ])
        .code(1);
    assert_eq!(
        stdout_json(&a)["results"][0]["report"]["code"],
        "ZZ-E-TRUST-004"
    );
    std::fs::write(f.path("garbage.json"), b"\x00\x01 not json").unwrap();
    f.verify(&["garbage.json", "--anchors", "root.pem"])
        .code(1)
        .stdout(contains("ZZ-E-FMT-00"));
}

#[test]
fn bundles_carry_their_certificates() {
    let f = Fixture::new();
    let a = f
        .verify(&["bundle.json", "--anchors", "root.pem", "--json"])
        .code(1);
    let v = stdout_json(&a);
    let licences = v["results"][0]["report"]["licences"].as_array().unwrap();
    assert_eq!(licences[0]["valid"], true);
    assert_eq!(licences[1]["code"], "ZZ-E-SIG-004");
}

#[test]
fn usage_and_input_errors_exit_2() {
    let f = Fixture::new();
    f.verify(&["licence.json"]).code(2); // --anchors is required
    f.verify(&["--anchors", "root.pem"]).code(2); // no file
    f.verify(&["missing.json", "--anchors", "root.pem"])
        .code(2)
        .stderr(contains("ZZ-E-IO-001"));
    f.verify(&["licence.json", "--anchors", "licence.json"])
        .code(2)
        .stderr(contains("ZZ-E-"));
    f.verify(&["licence.json", "--anchors", "signer.pem"])
        .code(2)
        .stderr(contains("ZZ-E-TRUST"));
    f.verify(&["licence.json", "--anchors", "root.pem", "--at", "yesterday"])
        .code(2)
        .stderr(contains("ZZ-E-USAGE-001"));
    std::fs::write(
        f.path("bad-bundle.json"),
        br#"{"type":"ZhengzhaoBundle","version":9}"#,
    )
    .unwrap();
    f.verify(&["bad-bundle.json", "--anchors", "root.pem"])
        .code(2)
        .stderr(contains("ZZ-E-FMT-004"));
    assert!(Path::new(&f.path("root.pem")).exists());
}
