//! Runs the `zhengzhao` binary: exit codes, messages and JSON output.

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::Value;
use std::collections::HashSet;

const REAL: [&str; 2] = [
    "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F",
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
];

fn zz() -> Command {
    Command::cargo_bin("zhengzhao").unwrap()
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

#[test]
fn id_check_accepts_real_identifiers() {
    for id in REAL {
        zz().args(["id", "check", id])
            .assert()
            .code(0)
            .stdout(contains(format!("valid: {id}")));
        let v = json_of(&["id", "check", id, "--json"], 0);
        assert_eq!(v["valid"], true);
        assert_eq!(v["id"], id);
        assert_eq!(v["warnings"], serde_json::json!([]));
    }
}

#[test]
fn id_check_rejects_every_substitution_and_transposition_saying_why() {
    // Through the binary for the first identifier (the library test covers both exhaustively).
    let id = REAL[0];
    let mut variants = Vec::new();
    for (i, orig) in id.char_indices() {
        for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ."
            .chars()
            .filter(|&c| c != orig)
        {
            let mut t = id.to_owned();
            t.replace_range(i..i + 1, c.encode_utf8(&mut [0; 4]));
            variants.push(t);
        }
    }
    for i in 0..id.len() - 1 {
        let mut b = id.as_bytes().to_vec();
        if b[i] != b[i + 1] {
            b.swap(i, i + 1);
            variants.push(String::from_utf8(b).unwrap());
        }
    }
    // One process per variant would take minutes; sample every 7th, plus every transposition.
    let n = variants.len();
    for (k, v) in variants
        .iter()
        .enumerate()
        .filter(|(k, _)| k % 7 == 0 || *k >= n - 50)
    {
        let out = json_of(&["id", "check", v, "--json"], 1);
        assert_eq!(out["valid"], false, "{k}: {v}");
        assert!(
            out["code"].as_str().unwrap().starts_with("ZZ-E-ID-"),
            "{v}: {out}"
        );
        assert!(!out["message"].as_str().unwrap().is_empty());
        assert!(!out["segment"].as_str().unwrap().is_empty());
    }
}

#[test]
fn id_check_says_which_segment_and_the_expected_check() {
    let bad = REAL[0].replace(".F", ".G");
    zz().args(["id", "check", &bad])
        .assert()
        .code(1)
        .stderr(contains(
            "error[ZZ-E-ID-006]: check character is 'G', expected 'F'",
        ));
    let v = json_of(&["id", "check", &bad, "--json"], 1);
    assert_eq!(v["expected"], "F");
    assert_eq!(v["segment"], "check character");
    assert_eq!(v["number"], 1006);
}

#[test]
fn lenient_mode_accepts_legacy_identifiers_with_warnings() {
    // Issuer segment is a 行政区划代码; made with the library's own check function.
    let check = zhengzhao_core::identifier::check_char(&[
        "11100000000013338W032",
        "220100",
        "12345",
        "001",
    ]);
    let legacy = format!("1.2.156.3005.2.11100000000013338W032.220100.12345.001.{check}");
    let strict = json_of(&["id", "check", &legacy, "--json"], 1);
    assert_eq!(strict["code"], "ZZ-E-ID-003");
    let lenient = json_of(&["id", "check", &legacy, "--lenient", "--json"], 0);
    assert_eq!(
        lenient["warnings"].as_array().unwrap().len(),
        2,
        "{lenient}"
    );
}

#[test]
fn id_new_computes_the_check_character() {
    zz().args([
        "id",
        "new",
        "--type",
        "11100000000013338W011",
        "--issuer",
        "11430000006122244L",
        "--serial",
        "20230000403",
    ])
    .assert()
    .code(0)
    .stdout(format!("{}\n", REAL[1]));
    let v = json_of(
        &[
            "id",
            "new",
            "--type",
            "11100000000013338W011",
            "--issuer",
            "11430000006122244L",
            "--serial",
            "20230000403",
            "--version",
            "2",
            "--json",
        ],
        0,
    );
    assert_eq!(v["version"], 2);
    zz().args([
        "id",
        "new",
        "--type",
        "11100000000013338W011",
        "--issuer",
        "11430000006122244X",
        "--serial",
        "20230000403",
    ])
    .assert()
    .code(2)
    .stderr(contains("ZZ-E-ID-003"));
}

#[test]
fn usage_errors_exit_2() {
    zz().args(["id", "check"]).assert().code(2);
    zz().args(["id", "new", "--type", "x"]).assert().code(2);
    zz().args(["frobnicate"]).assert().code(2);
    zz().args([
        "id",
        "new",
        "--type",
        "11100000000013338W011",
        "--issuer",
        "11430000006122244L",
        "--serial",
        "20230000403",
        "--version",
        "x",
    ])
    .assert()
    .code(2);
}

#[test]
fn catalog_list_json_has_at_least_222_well_formed_types() {
    let v = json_of(&["catalog", "list", "--json"], 0);
    let types = v.as_array().unwrap();
    assert!(types.len() >= 222, "{}", types.len());
    let mut codes = HashSet::new();
    for t in types {
        let code = t["code"].as_str().unwrap();
        assert!(codes.insert(code.to_owned()), "{code} repeated");
        let uscc = &code[..18];
        assert!(
            zhengzhao_core::codes::Uscc::parse(uscc).is_ok(),
            "{code}: authority code fails its check"
        );
        assert!(code[18..].bytes().all(|c| c.is_ascii_digit()), "{code}");
        assert!(
            !t["fields"].as_array().unwrap().is_empty(),
            "{code}: no fields"
        );
        assert!(
            !t["replaces"].as_array().unwrap().is_empty(),
            "{code}: replaces nothing"
        );
    }
}

#[test]
fn catalog_show_and_search() {
    let v = json_of(&["catalog", "show", "11100000MB03271699001", "--json"], 0);
    assert_eq!(v["name"], "不动产权证书");
    zz().args(["catalog", "show", "11100000MB0143028R001"])
        .assert()
        .code(0)
        .stdout(contains("法定代表人"));
    let v = json_of(&["catalog", "show", "11100000MB0143028R998", "--json"], 1);
    assert_eq!(v["code"], "ZZ-E-CAT-001");
    zz().args(["catalog", "list", "--search", "驾驶证"])
        .assert()
        .code(0)
        .stdout(contains("机动车驾驶证"));
}
