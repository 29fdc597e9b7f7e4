//! The demo end to end, twice in the same folder; and the face of the command line: help with
//! examples, completions, exit codes of usage errors.

use assert_cmd::Command;
use serde_json::Value;

fn zz() -> Command {
    Command::cargo_bin("zhengzhao").unwrap()
}

fn demo(dir: &std::path::Path) -> Value {
    let out = zz()
        .args([
            "demo",
            "--people",
            "300",
            "--companies",
            "100",
            "--visits",
            "400",
            "--json",
            "--dir",
        ])
        .arg(dir)
        .assert()
        .code(0);
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

#[test]
fn the_demo_runs_end_to_end_and_again() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let v = demo(&dir);
    assert_eq!(
        (v["persons"].as_u64(), v["companies"].as_u64()),
        (Some(300), Some(100))
    );
    assert!(v["licences"].as_u64().unwrap() > 400, "{v}");
    assert!(v["types"].as_u64().unwrap() > 20, "many types: {v}");
    assert_eq!(v["materials"], 400 * 5);
    let spared = v["spared"].as_u64().unwrap();
    assert!(spared > 400 && spared < 2000, "{v}");
    let reasons = v["not_spared"].as_object().unwrap();
    let refused: u64 = reasons.values().map(|n| n.as_u64().unwrap()).sum();
    assert_eq!(
        spared + refused,
        2000,
        "every material is spared or has a reason: {v}"
    );
    assert_eq!(
        reasons["无对应的电子证照类型"], 400,
        "one paper-only material per item"
    );
    assert!(reasons.contains_key("须持证人授权同意"), "{v}");
    assert_eq!(v["revoked_refusal"], "revoked");
    assert_eq!(
        v["bundle"]["valid"], false,
        "the revoked licence shows in the audit"
    );
    assert!(v["log_size"].as_u64().unwrap() > v["licences"].as_u64().unwrap());
    for f in [
        "audit-bundle.json",
        "checkpoint.txt",
        "ca/root.pem",
        "registry/db/CURRENT",
    ] {
        assert!(dir.join(f).exists(), "{f}");
    }
    // The bundle verifies offline with the binary too: exit 1, the revoked licence reported.
    let out = zz()
        .args(["verify", "--json", "--anchors"])
        .arg(dir.join("ca/root.pem"))
        .arg(dir.join("audit-bundle.json"))
        .assert()
        .code(1);
    let r: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(r["valid"], false);

    // Deterministic, and safe to run again in the same folder.
    let again = demo(&dir);
    for k in [
        "licences",
        "types",
        "materials",
        "spared",
        "not_spared",
        "log_size",
    ] {
        assert_eq!(again[k], v[k], "{k}");
    }

    // A folder that is not a demo's is never emptied.
    let other = tmp.path().join("mine");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "keep me").unwrap();
    let out = zz()
        .args(["demo", "--json", "--dir"])
        .arg(&other)
        .assert()
        .code(2);
    let e: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(e["code"], "ZZ-E-USAGE-001");
    assert_eq!(
        std::fs::read_to_string(other.join("notes.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn the_narrated_demo_speaks_chinese() {
    let tmp = tempfile::tempdir().unwrap();
    let out = zz()
        .args([
            "demo",
            "--people",
            "50",
            "--companies",
            "20",
            "--visits",
            "20",
            "--dir",
        ])
        .arg(tmp.path().join("d"))
        .assert()
        .code(0);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for s in [
        "免提交",
        "须提交",
        "电子证照已吊销",
        "食品经营许可（新办）",
        "summary",
    ] {
        assert!(text.contains(s), "{s} in:\n{text}");
    }
}

#[test]
fn completions_help_and_usage_errors() {
    for shell in ["bash", "zsh", "fish"] {
        let out = zz().args(["completions", shell]).assert().code(0);
        let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        assert!(
            text.contains("zhengzhao") && text.contains("import"),
            "{shell}"
        );
    }
    zz().args(["completions", "tcsh"]).assert().code(2);
    let out = zz().args(["import", "--help"]).assert().code(0);
    assert!(String::from_utf8_lossy(&out.get_output().stdout).contains("Examples:"));
    // Usage errors exit 2: an unknown command, a missing argument, a bad number.
    zz().arg("nope").assert().code(2);
    zz().args(["export"]).assert().code(2);
    zz().args(["demo", "--people", "many"]).assert().code(2);
    let out = zz()
        .args(["demo", "--people", "0", "--json"])
        .assert()
        .code(2);
    let e: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(e["code"], "ZZ-E-USAGE-001");
}
