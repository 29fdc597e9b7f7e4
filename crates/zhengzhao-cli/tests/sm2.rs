//! 国密 from the command line: an all-SM2 authority (root and signing certificates signed with
//! SM2-with-SM3), licences signed with `sm2-jcs-2024`, offline verification and the registry.

use assert_cmd::Command;
use serde_json::Value;

const LICENCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../test-vectors/licences/business-licence.json"
);
const ORG: &str = "11330106MB1742305K";

fn zz(dir: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("zhengzhao").unwrap();
    c.current_dir(dir)
        .env("ZHENGZHAO_DATA", "reg")
        .env("ZHENGZHAO_AUTHORITY", "ca");
    c
}

fn json(dir: &std::path::Path, args: &[&str], code: i32) -> Value {
    let out = zz(dir).args(args).arg("--json").assert().code(code);
    serde_json::from_slice(&out.get_output().stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not JSON: {e}: {}",
            String::from_utf8_lossy(&out.get_output().stdout)
        )
    })
}

#[test]
fn an_sm2_authority_signs_licences_that_verify_offline_and_in_the_registry() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let init = json(
        d,
        &[
            "authority",
            "init",
            "--dir",
            "ca",
            "--root-name",
            "浙江省电子证照SM2根CA",
            "--issuer-name",
            "杭州市西湖区市场监督管理局",
            "--issuer-code",
            ORG,
            "--alg",
            "sm2",
        ],
        0,
    );
    assert_eq!(init["root"]["algorithm"], "SM2", "{init:#}");
    // The root's SM2 key verifies its own signature: the certificates are SM2-with-SM3.
    let root =
        zhengzhao_core::pki::Certificate::from_pem(&std::fs::read(d.join("ca/root.pem")).unwrap())
            .unwrap();
    assert!(root.check_issued_by(&root).is_ok());
    // Key rotation: a second SM2 signing certificate.
    let added = json(
        d,
        &[
            "authority",
            "add-signer",
            "--dir",
            "ca",
            "--issuer-name",
            "杭州市西湖区市场监督管理局",
            "--issuer-code",
            ORG,
            "--alg",
            "sm2",
        ],
        0,
    );
    assert_eq!(added["signer"]["algorithm"], "SM2", "{added:#}");

    zz(d)
        .args(["sign", LICENCE, "--authority", "ca", "--out", "signed.json"])
        .assert()
        .code(0);
    let doc: Value =
        serde_json::from_slice(&std::fs::read(d.join("signed.json")).unwrap()).unwrap();
    assert_eq!(doc["proof"]["cryptosuite"], "sm2-jcs-2024");
    let certs = format!("ca/signers/{ORG}/2.pem");
    let v = json(
        d,
        &[
            "verify",
            "signed.json",
            "--anchors",
            "ca/root.pem",
            "--certs",
            &certs,
        ],
        0,
    );
    assert_eq!(v["results"][0]["report"]["valid"], true, "{v:#}");

    // Tampering is refused for SM2 as for the other suites.
    let mut forged = doc.clone();
    forged["credentialSubject"]["fields"]["ZCZB"] = Value::String("999.5".into());
    std::fs::write(d.join("forged.json"), forged.to_string()).unwrap();
    let v = json(
        d,
        &[
            "verify",
            "forged.json",
            "--anchors",
            "ca/root.pem",
            "--certs",
            &certs,
        ],
        1,
    );
    assert_eq!(v["results"][0]["report"]["code"], "ZZ-E-SIG-004", "{v:#}");

    // The registry issues with the SM2 signing certificate; a bundle verifies with the root alone.
    zz(d)
        .args(["init", "--origin", "zzk.xihu.example/sm2"])
        .assert()
        .code(0);
    let issued = json(d, &["issue", LICENCE], 0);
    let id = issued[0]["id"].as_str().unwrap().to_owned();
    let exported = zz(d)
        .args(["export", &id, "--format", "vc"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let exported: Value = serde_json::from_slice(&exported).unwrap();
    assert_eq!(exported["proof"]["cryptosuite"], "sm2-jcs-2024");
    zz(d)
        .args(["bundle", &id, "--out", "audit.json"])
        .assert()
        .code(0);
    let v = json(d, &["verify", "audit.json", "--anchors", "ca/root.pem"], 0);
    assert_eq!(
        v["results"][0]["report"]["licences"][0]["valid"], true,
        "{v:#}"
    );
}
