//! `zhengzhao verify` on sealed OFD files: every signature of the vectors gives the result in
//! `test-vectors/gm/ofd/manifest.json`, read from `--json`; exit codes; malformed packages.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::Value;

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors/gm")
}

fn zz() -> Command {
    Command::cargo_bin("zhengzhao").unwrap()
}

fn verify_json(file: &Path, extra: &[&str], exit: i32) -> Value {
    let out = zz()
        .arg("verify")
        .arg(file)
        .args(extra)
        .arg("--json")
        .assert()
        .code(exit)
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out)
        .unwrap_or_else(|e| panic!("{}: {e}: {}", file.display(), String::from_utf8_lossy(&out)))
}

#[test]
fn every_vector_gives_the_manifests_result_signature_by_signature() {
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(vectors().join("ofd/manifest.json")).unwrap())
            .unwrap();
    // The bare signature of DigitalSign.ofd carries no key: the ofdrw USER certificate is given.
    let user = vectors().join("certs/ofdrw-test-ca/user.cer");
    for file in manifest["files"].as_array().unwrap() {
        let name = file["file"].as_str().unwrap();
        let expected = file["signatures"].as_array().unwrap();
        let all_valid = expected.iter().all(|s| s["expected"] == "valid");
        let out = verify_json(
            &vectors().join(name),
            &["--certs", user.to_str().unwrap()],
            if all_valid { 0 } else { 1 },
        );
        let [result] = out["results"].as_array().unwrap().as_slice() else {
            panic!("{out:#}")
        };
        assert_eq!(result["kind"], "ofd");
        let json = &result["report"];
        let got = json["signatures"].as_array().unwrap();
        assert_eq!(got.len(), expected.len(), "{name}: {json:#}");
        for (want, s) in expected.iter().zip(got) {
            let what = format!("{name} signature {}: {s:#}", want["id"]);
            assert_eq!(s["id"], want["id"], "{what}");
            assert_eq!(
                s["signature_xml"].as_str().map(|p| &p[1..]),
                want["signature_xml"].as_str(),
                "{what}"
            );
            let format = want["format"].as_str().unwrap();
            let format_ok = match s["format"].as_str().unwrap() {
                "GB/T 38540 v4" => format.starts_with("GB/T 38540-2020 v4"),
                "GM/T 0031 v1" => format.starts_with("GM/T 0031-2014 v1"),
                "GB/T 35275 SignedData" => format.starts_with("GB/T 35275 SignedData"),
                "SM2 signature" => format.starts_with("bare SM2 signature"),
                other => panic!("{what}: format {other}"),
            };
            assert!(format_ok, "{what}: manifest says {format}");
            let failing: Vec<&str> = want["references_failing"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            let changed: Vec<&str> = s["changed_entries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            assert_eq!(changed, failing, "{what}");
            assert_eq!(s["content_intact"], failing.is_empty(), "{what}");
            // The signer's signature: dataHash and SM2 for seals, SM2 (with the digest) otherwise.
            let signer_ok = match (
                &want["dataHash_ok"],
                &want["signer_sm2_ok"],
                &want["signerInfo"],
            ) {
                (Value::Bool(h), Value::Bool(s), _) => h & s,
                (_, _, Value::Object(info)) => {
                    info["sm2_ok"] == true && want["digest_matches_sm3(Signature.xml)"] == true
                }
                _ => want["expected"] == "valid",
            };
            assert_eq!(s["signature_valid"], signer_ok, "{what}");
            match &want["seal_maker_sm2_ok"] {
                Value::Bool(ok) => assert_eq!(s["seal_valid"], *ok, "{what}"),
                _ => assert_eq!(s["seal_valid"], Value::Null, "{what}"),
            }
            if let Value::Bool(listed) = &want["signer_cert_in_seal_certList"] {
                assert_eq!(s["signer_in_seal"], *listed, "{what}");
            }
            if let (Value::Bool(cert), Value::Bool(seal)) = (
                &want["signed_within_cert_validity"],
                &want["signed_within_seal_validity"],
            ) {
                assert_eq!(s["within_validity"], cert & seal, "{what}");
            }
            assert_eq!(s["chain_trusted"], Value::Null, "{what}: no anchors given");
            let valid = want["expected"] == "valid";
            assert_eq!(s["code"].is_null(), valid, "{what}");
            if want["expected"]
                .as_str()
                .unwrap()
                .contains("outside the cert/seal validity")
            {
                assert_eq!(s["code"], "ZZ-E-OFD-015", "{what}");
            }
            if let Some(subject) = want["signer_cert"]["subject"].as_str() {
                let cn = subject.rsplit("CN=").next().unwrap();
                assert!(
                    s["signer"].as_str().is_some_and(|got| got.contains(cn)),
                    "{what}: signer {cn}"
                );
            }
            if let Some(es_id) = want["seal"]["esID"].as_str() {
                assert_eq!(s["seal"]["es_id"], es_id, "{what}");
                assert_eq!(s["seal"]["name"], want["seal"]["name"], "{what}");
            }
        }
        assert_eq!(json["valid"], all_valid, "{name}");
        assert_eq!(out["valid"], all_valid, "{name}");
    }
}

#[test]
fn ofd_files_print_each_signature_and_exit_by_the_worst() {
    let ofd = vectors().join("ofd");
    zz().arg("verify")
        .arg(ofd.join("1.ofd"))
        .assert()
        .code(0)
        .stdout(contains(
            "✓ valid    signature 2 (GB/T 38540 v4) seal '国家税务总局浙江省税务局'",
        ))
        .stdout(contains("- chain       not checked (no --anchors)"));
    zz().arg("verify")
        .arg(ofd.join("1.ofd"))
        .arg(ofd.join("SESV4SignDoc.ofd"))
        .assert()
        .code(1)
        .stdout(contains("[ZZ-E-OFD-015]"));
    // A bare signature without the signer's certificate: invalid, saying what is missing.
    zz().arg("verify")
        .arg(ofd.join("DigitalSign.ofd"))
        .assert()
        .code(1)
        .stdout(contains("[ZZ-E-OFD-016]"))
        .stdout(contains("--certs"));
}

#[test]
fn malformed_packages_and_missing_anchors_are_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(vectors().join("ofd/1.ofd")).unwrap();
    let cut = dir.path().join("cut.ofd");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let out = verify_json(&cut, &[], 2);
    assert_eq!(out["code"], "ZZ-E-OFD-001", "{out:#}");
    // Licences still need anchors; OFD files do not.
    let licence = dir.path().join("licence.json");
    std::fs::write(&licence, b"{}").unwrap();
    zz().arg("verify")
        .arg(&licence)
        .assert()
        .code(2)
        .stderr(contains("--anchors"));
}
