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

/// `zhengzhao` in a temporary folder with a registry.
fn registry_env() -> (tempfile::TempDir, impl Fn() -> Command) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let zz_in = move || {
        let mut c = zz();
        c.current_dir(&dir).env("ZHENGZHAO_DATA", "reg");
        c
    };
    zz_in().args(["init"]).assert().code(0);
    (tmp, zz_in)
}

fn json_of(out: &assert_cmd::assert::Assert) -> Value {
    let stdout = &out.get_output().stdout;
    serde_json::from_slice(stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(stdout)))
}

#[test]
fn import_ofd_takes_a_sealed_licence_in_and_the_lookup_serves_the_file() {
    let (tmp, zz_in) = registry_env();
    let sealed = vectors().join("../licences/sealed-licence.ofd");
    let root = vectors().join("certs/generated/root.pem");
    let user = vectors().join("certs/generated/ee.pem");
    let import = |exit: i32| {
        json_of(
            &zz_in()
                .arg("import-ofd")
                .arg(&sealed)
                .arg("--anchors")
                .arg(&root)
                .arg("--certs")
                .arg(&user)
                .arg("--json")
                .assert()
                .code(exit),
        )
    };
    let v = import(0);
    let id = "1.2.156.3005.2.11100000MB0143028R001.11330110JYW46KJ7BA.2025000001.001.R";
    assert_eq!(v["files"][0]["id"], id, "{v}");
    assert_eq!(
        (v["imported"].clone(), v["present"].clone()),
        (1.into(), 0.into())
    );
    let v = import(0);
    assert_eq!(v["files"][0]["imported"], false, "{v}");
    assert_eq!(v["present"], 1);

    let org = "11330106MB1742305K";
    zz_in()
        .args([
            "grant",
            "add",
            "--org",
            org,
            "--type",
            "11100000MB0143028R001",
        ])
        .args(["--until", "2099-12-31", "--operator", "管理员"])
        .assert()
        .code(0);
    let v = json_of(
        &zz_in()
            .args([
                "lookup",
                "--holder",
                "91330106CT4KKYNAF9",
                "--holder-type",
                "001",
            ])
            .args([
                "--types",
                "11100000MB0143028R001",
                "--org",
                org,
                "--operator",
                "王五",
            ])
            .args([
                "--item",
                "330000-000201-001",
                "--case",
                "2026-XH-1",
                "--reason",
                "核验营业执照",
            ])
            .args(["--out-dir", "materials", "--json"])
            .assert()
            .code(0),
    );
    let answer = &v["answers"][0];
    assert_eq!(
        (answer["answer"].as_str(), answer["format"].as_str()),
        (Some("valid"), Some("ofd"))
    );
    use base64::Engine as _;
    let served = base64::engine::general_purpose::STANDARD
        .decode(answer["document"].as_str().unwrap())
        .unwrap();
    let original = std::fs::read(&sealed).unwrap();
    assert_eq!(served, original);
    assert_eq!(
        std::fs::read(tmp.path().join(format!("materials/{id}.ofd"))).unwrap(),
        original
    );
    // Exported as the file; not as a credential.
    let out = zz_in()
        .args(["export", id, "--format", "ofd"])
        .assert()
        .code(0);
    assert_eq!(out.get_output().stdout, original);
    zz_in()
        .args(["export", id, "--format", "vc"])
        .assert()
        .code(2)
        .stderr(contains("ZZ-E-LIFE-007"));
    zz_in().args(["check"]).assert().code(0);
}

#[test]
fn import_ofd_reports_each_refusal_and_takes_supplied_items() {
    let (tmp, zz_in) = registry_env();
    let real = vectors().join("ofd/testImageNotFound.ofd");
    // Anchors, or an explicit --no-anchors.
    zz_in()
        .arg("import-ofd")
        .arg(&real)
        .assert()
        .code(2)
        .stderr(contains("--no-anchors"));
    // No metadata in the file, none supplied; a truncated copy: both refused, exit 1.
    let truncated = tmp.path().join("truncated.ofd");
    let bytes = std::fs::read(&real).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    let v = json_of(
        &zz_in()
            .arg("import-ofd")
            .arg(&real)
            .arg(&truncated)
            .arg(tmp.path().join("missing.ofd"))
            .args(["--no-anchors", "--json"])
            .assert()
            .code(1),
    );
    assert_eq!(v["files"][2]["code"], "ZZ-E-IO-001", "{v}");
    assert_eq!(v["files"][0]["code"], "ZZ-E-OFD-019", "{v}");
    assert!(v["files"][0]["message"]
        .as_str()
        .unwrap()
        .contains("ZZBS (证照标识)"));
    assert_eq!(v["files"][1]["code"], "ZZ-E-OFD-001", "{v}");
    assert_eq!(v["refused"], 3);

    // The items, supplied: a 采矿许可证 of the department.
    let fields = tmp.path().join("items.json");
    let catalog = zhengzhao_core::catalog::Catalog::builtin();
    let ty = catalog.iter().find(|t| t.name == "采矿许可证").unwrap();
    let mut sampler = zhengzhao_core::sample::Sampler::new(11);
    let issuer = sampler.issuer("云南省自然资源厅");
    let holder = sampler.organisation();
    let licence = sampler
        .licence(
            ty,
            &issuer,
            &holder,
            "0000000001",
            time::macros::date!(2025 - 06 - 01),
        )
        .unwrap();
    let items = zhengzhao_core::gbt36903::record_to_json(
        &zhengzhao_core::gbt36903::to_record(&licence).unwrap(),
    );
    std::fs::write(&fields, items).unwrap();
    let out = zz_in()
        .arg("import-ofd")
        .arg(&real)
        .args(["--no-anchors", "--fields"])
        .arg(&fields)
        .assert();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert_eq!(out.get_output().status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("imported; supplied: "), "{stdout}");
}
