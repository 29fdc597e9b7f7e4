//! `zhengzhao authority init` and `add-signer`: files, modes, output and errors.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::Value;
use time::OffsetDateTime;
use zhengzhao_core::codes::Uscc;
use zhengzhao_core::keystore;
use zhengzhao_core::pki::{self, Certificate, TrustAnchors};

const CODE: &str = "11330000002482185W";
const TYPE: &str = "11100000MB03271699001";

fn zz() -> Command {
    Command::cargo_bin("zhengzhao").unwrap()
}

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn init_args<'a>(dir: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "authority",
        "init",
        "--dir",
        dir,
        "--root-name",
        "浙江省电子证照根CA",
        "--issuer-name",
        "浙江省市场监督管理局",
        "--issuer-code",
        CODE,
    ];
    v.extend_from_slice(extra);
    v
}

fn json_of(args: &[&str], exit: i32) -> Value {
    let out = zz()
        .args(args)
        .assert()
        .code(exit)
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out)))
}

fn validates(root_pem: &Path, signer_pem: &Path) -> pki::ValidatedSigner {
    let anchors = TrustAnchors::from_pem(&fs::read(root_pem).unwrap()).unwrap();
    let cert = Certificate::from_pem(&fs::read(signer_pem).unwrap()).unwrap();
    pki::validate_signer(&anchors, &cert, &[], OffsetDateTime::now_utc()).unwrap()
}

#[test]
fn init_writes_the_folder_and_says_what_it_wrote() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ca");
    let d = dir.to_str().unwrap();
    let out = zz()
        .args(init_args(d, &["--types", TYPE]))
        .assert()
        .code(0)
        .stdout(contains("root.pem"))
        .stdout(contains(format!("signers/{CODE}/1.pem")))
        .stdout(contains("sha256:"))
        .stdout(contains(TYPE))
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(mode(&dir.join("root.key")), 0o600);
    assert_eq!(mode(&dir.join("signers").join(CODE).join("1.key")), 0o600);
    let root = Certificate::from_pem(&fs::read(dir.join("root.pem")).unwrap()).unwrap();
    assert!(text.contains(&root.fingerprint_hex()), "{text}");
    let v = validates(
        &dir.join("root.pem"),
        &dir.join("signers").join(CODE).join("1.pem"),
    );
    assert_eq!(v.department_code, Uscc::parse(CODE).unwrap());
    assert_eq!(v.department_name, "浙江省市场监督管理局");
    assert_eq!(v.allowed_types.unwrap()[0].as_ref(), TYPE);
    // The key on disk is the certificate's.
    let key = keystore::load_key(&dir.join("signers").join(CODE).join("1.key")).unwrap();
    assert_eq!(key.public_key(), v.public_key);
}

#[test]
fn init_and_add_signer_in_json_with_rotation() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ca");
    let d = dir.to_str().unwrap();
    let v = json_of(
        &init_args(d, &["--alg", "p256", "--years", "2", "--json"]),
        0,
    );
    assert_eq!(v["root"]["algorithm"], "P-256");
    assert_eq!(v["signer"]["algorithm"], "P-256");
    assert_eq!(v["signer"]["number"], 1);
    assert_eq!(v["signer"]["issuer_code"], CODE);
    assert_eq!(v["signer"]["allowed_types"], Value::Null);
    let root = Certificate::from_pem(&fs::read(dir.join("root.pem")).unwrap()).unwrap();
    assert_eq!(v["root"]["fingerprint"], root.fingerprint_hex());
    assert_eq!(
        v["root"]["certificate"],
        dir.join("root.pem").to_str().unwrap()
    );

    let add = |extra: &[&str]| {
        let mut args = vec![
            "authority",
            "add-signer",
            "--dir",
            d,
            "--issuer-name",
            "浙江省市场监督管理局",
            "--issuer-code",
            CODE,
            "--json",
        ];
        args.extend_from_slice(extra);
        json_of(&args, 0)
    };
    let second = add(&[]);
    assert_eq!(second["signer"]["number"], 2);
    assert_eq!(second["signer"]["algorithm"], "Ed25519");
    let third = add(&["--types", &format!("{TYPE},11100000000013338W032")]);
    assert_eq!(third["signer"]["number"], 3);
    assert_eq!(
        third["signer"]["allowed_types"],
        serde_json::json!([TYPE, "11100000000013338W032"])
    );
    // Every one of them is valid now, and its file is the one reported.
    for n in 1..=3 {
        let pem = dir.join("signers").join(CODE).join(format!("{n}.pem"));
        validates(&dir.join("root.pem"), &pem);
    }
    let cert3 = dir.join("signers").join(CODE).join("3.pem");
    assert_eq!(
        third["signer"]["fingerprint"],
        Certificate::from_pem(&fs::read(cert3).unwrap())
            .unwrap()
            .fingerprint_hex()
    );
    // A second department in the same folder.
    let other = json_of(
        &[
            "authority",
            "add-signer",
            "--dir",
            d,
            "--issuer-name",
            "国家市场监督管理总局",
            "--issuer-code",
            "11100000000013338W",
            "--json",
        ],
        0,
    );
    assert_eq!(other["signer"]["number"], 1);
}

#[test]
fn a_pilot_area_code_is_accepted_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ca");
    zz().args([
        "authority",
        "init",
        "--dir",
        dir.to_str().unwrap(),
        "--root-name",
        "Root",
        "--issuer-name",
        "Fuzhou Dept",
        "--issuer-code",
        "91350100M0001TGQXM",
    ])
    .assert()
    .code(0)
    .stderr(contains("warning"))
    .stderr(contains("91350100M0001TGQXM"));
}

#[test]
fn errors_carry_their_codes_and_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ca");
    let d = dir.to_str().unwrap();
    zz().args(init_args(d, &[])).assert().code(0);

    // Not twice into the same folder.
    zz().args(init_args(d, &[]))
        .assert()
        .code(2)
        .stderr(contains("ZZ-E-KEY-003"))
        .stderr(contains("not empty"));
    // A bad 统一社会信用代码, a bad type code, a bad validity.
    let fresh = tmp.path().join("fresh");
    let f = fresh.to_str().unwrap();
    let mut bad_code = init_args(f, &[]);
    bad_code[9] = "1133000000248218";
    zz().args(&bad_code)
        .assert()
        .code(2)
        .stderr(contains("ZZ-E-CODE-001"));
    let v = json_of(&init_args(f, &["--types", "BAD", "--json"]), 2);
    assert_eq!(v["code"], "ZZ-E-ID-002");
    zz().args(init_args(f, &["--years", "0"]))
        .assert()
        .code(2)
        .stderr(contains("ZZ-E-TRUST-001"));
    assert!(!fresh.exists(), "a failed init leaves nothing behind");
    // An unknown algorithm is a usage error.
    zz().args(init_args(f, &["--alg", "rsa"])).assert().code(2);

    // add-signer on a folder that is not an authority.
    let empty = tempfile::tempdir().unwrap();
    let v = json_of(
        &[
            "authority",
            "add-signer",
            "--dir",
            empty.path().to_str().unwrap(),
            "--issuer-name",
            "D",
            "--issuer-code",
            CODE,
            "--json",
        ],
        2,
    );
    assert_eq!(v["code"], "ZZ-E-KEY-003");
    // A root key that others can read.
    fs::set_permissions(dir.join("root.key"), fs::Permissions::from_mode(0o644)).unwrap();
    zz().args([
        "authority",
        "add-signer",
        "--dir",
        d,
        "--issuer-name",
        "D",
        "--issuer-code",
        CODE,
    ])
    .assert()
    .code(2)
    .stderr(contains("ZZ-E-KEY-004"))
    .stderr(contains("chmod 600"));
}

#[test]
fn help_shows_examples() {
    for sub in ["init", "add-signer"] {
        zz().args(["authority", sub, "--help"])
            .assert()
            .code(0)
            .stdout(contains("Examples:"));
    }
}
