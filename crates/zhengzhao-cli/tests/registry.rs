//! The registry from the command line: init, issue, grant, lookup, the lifecycle, bundle and
//! the log — with the exit codes and JSON outputs a script relies on.

use assert_cmd::Command;
use serde_json::Value;

const LICENCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../test-vectors/licences/business-licence.json"
);
const TYPE: &str = "11100000MB0143028R001";
const HOLDER: &str = "91330106MA2H3K7P0B";
const ORG: &str = "11330106MB1742305K";

struct Env {
    tmp: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let e = Env {
            tmp: tempfile::tempdir().unwrap(),
        };
        e.zz()
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
                ORG,
            ])
            .assert()
            .code(0);
        e.zz()
            .args(["init", "--origin", "zzk.xihu.example/test"])
            .assert()
            .code(0);
        e
    }

    fn zz(&self) -> Command {
        let mut c = Command::cargo_bin("zhengzhao").unwrap();
        c.current_dir(self.tmp.path())
            .env("ZHENGZHAO_DATA", "reg")
            .env("ZHENGZHAO_AUTHORITY", "ca");
        c
    }

    fn json(&self, args: &[&str], code: i32) -> Value {
        let out = self.zz().args(args).arg("--json").assert().code(code);
        serde_json::from_slice(&out.get_output().stdout)
            .unwrap_or_else(|e| panic!("{args:?}: not JSON: {e}"))
    }

    fn lookup(&self, code: i32) -> Value {
        self.lookup_for("办理食品经营许可：核验营业执照", code)
    }

    fn lookup_for(&self, reason: &str, code: i32) -> Value {
        self.json(
            &[
                "lookup",
                "--holder",
                HOLDER,
                "--holder-type",
                "001",
                "--types",
                TYPE,
                "--org",
                ORG,
                "--operator",
                "王五",
                "--item",
                "330000-000201-001",
                "--case",
                "2025-XH-1",
                "--reason",
                reason,
            ],
            code,
        )
    }
}

#[test]
fn issue_grant_lookup_revoke_and_audit() {
    let e = Env::new();
    let issued = e.json(&["issue", LICENCE], 0);
    let id = issued[0]["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with(&format!("1.2.156.3005.2.{TYPE}.{ORG}.")));

    // No grant yet: refused, exit 1.
    let v = e.lookup(1);
    assert_eq!(v["answers"][0]["answer"], "not_authorised");

    e.zz()
        .args([
            "grant",
            "add",
            "--org",
            ORG,
            "--type",
            TYPE,
            "--until",
            "2099-12-31",
            "--operator",
            "管理员",
        ])
        .assert()
        .code(0);
    let grants = e.json(&["grant", "list"], 0);
    assert_eq!(grants.as_array().unwrap().len(), 1);
    assert_eq!(grants[0]["inForce"], true);

    let v = e.lookup(0);
    assert_eq!(v["answers"][0]["answer"], "valid");
    assert_eq!(v["answers"][0]["id"], id.as_str());
    assert_eq!(
        v["answers"][0]["document"]["credentialSubject"]["holders"][0]["code"], HOLDER,
        "{v}"
    );

    let st = e.json(&["status", &id], 0);
    assert_eq!(st["code"], "01");
    let r = e.json(
        &[
            "revoke",
            &id,
            "--operator",
            "张科长",
            "--reason",
            "杭西市监罚〔2025〕12号",
        ],
        0,
    );
    assert_eq!(r["status"], "吊销");
    // Revoked: the lookup refuses it and names it; a revoked licence is not resumed (exit 1).
    let v = e.lookup(1);
    assert_eq!(v["answers"][0]["answer"], "revoked");
    let err = e.json(&["resume", &id, "--operator", "张科长"], 1);
    assert_eq!(err["code"], "ZZ-E-LIFE-002");

    // A bundle verifies offline with the root alone, and shows the revocation.
    e.zz()
        .args(["bundle", &id, "--out", "audit.json"])
        .assert()
        .code(0);
    let v = e.json(&["verify", "audit.json", "--anchors", "ca/root.pem"], 1);
    assert_eq!(
        v["results"][0]["report"]["licences"][0]["code"], "ZZ-E-STATUS-003",
        "{v}"
    );

    // The log: a checkpoint, an inclusion proof of the first event, verified offline.
    let cp = e.json(&["log", "checkpoint", "--out", "cp.txt"], 0);
    assert_eq!(cp["origin"], "zzk.xihu.example/test");
    let size = cp["size"].as_u64().unwrap();
    assert!(size >= 5, "issue, grant, two lookups at least: {size}");
    let vkey = String::from_utf8(
        e.zz()
            .args(["log", "vkey"])
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone(),
    )
    .unwrap();
    let vj = e.json(&["log", "vkey"], 0);
    assert_eq!(vj["vkey"].as_str(), Some(vkey.trim()));
    assert_eq!(vj["origin"], "zzk.xihu.example/test");
    let proof = e
        .zz()
        .args(["log", "prove", "0"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    std::fs::write(e.tmp.path().join("proof.json"), &proof).unwrap();
    let v = e.json(
        &[
            "log",
            "verify",
            "--vkey",
            vkey.trim(),
            "--checkpoint",
            "cp.txt",
            "--proof",
            "proof.json",
        ],
        0,
    );
    assert_eq!(v["event"]["kind"], "issue");

    // A changed event does not verify (exit 1, with its code).
    let mut p: Value = serde_json::from_slice(&proof).unwrap();
    p["event"] = Value::String(p["event"].as_str().unwrap().replace("issue", "issuE"));
    std::fs::write(e.tmp.path().join("forged.json"), p.to_string()).unwrap();
    let v = e.json(
        &[
            "log",
            "verify",
            "--vkey",
            vkey.trim(),
            "--checkpoint",
            "cp.txt",
            "--proof",
            "forged.json",
        ],
        1,
    );
    assert_eq!(v["code"], "ZZ-E-LOG-002");
    // A proof file that is not a proof, and a verifier key that is not one: exit 2.
    std::fs::write(
        e.tmp.path().join("junk.json"),
        r#"{"inclusion": {"leafIndex": 0}}"#,
    )
    .unwrap();
    let args = [
        "log",
        "verify",
        "--vkey",
        vkey.trim(),
        "--checkpoint",
        "cp.txt",
        "--proof",
        "junk.json",
    ];
    assert_eq!(e.json(&args, 2)["code"], "ZZ-E-LOG-001");
    let args = [
        "log",
        "verify",
        "--vkey",
        "not+a+key",
        "--checkpoint",
        "cp.txt",
    ];
    assert_eq!(e.json(&args, 2)["code"], "ZZ-E-LOG-008");
    // A checkpoint altered after signing is not verified: exit 1.
    let note = std::fs::read_to_string(e.tmp.path().join("cp.txt")).unwrap();
    std::fs::write(
        e.tmp.path().join("cp-bad.txt"),
        note.replacen(&format!("\n{size}\n"), "\n1\n", 1),
    )
    .unwrap();
    let args = [
        "log",
        "verify",
        "--vkey",
        vkey.trim(),
        "--checkpoint",
        "cp-bad.txt",
    ];
    assert_eq!(e.json(&args, 1)["code"], "ZZ-E-LOG-005");

    // Consistency between two checkpoints.
    e.lookup(1);
    e.zz()
        .args(["log", "checkpoint", "--out", "cp2.txt"])
        .assert()
        .code(0);
    let c = e
        .zz()
        .args(["log", "prove", "--from", &size.to_string()])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    std::fs::write(e.tmp.path().join("cons.json"), &c).unwrap();
    e.json(
        &[
            "log",
            "verify",
            "--vkey",
            vkey.trim(),
            "--checkpoint",
            "cp2.txt",
            "--old-checkpoint",
            "cp.txt",
            "--proof",
            "cons.json",
        ],
        0,
    );
}

#[test]
fn bad_inputs_get_their_codes_and_exit_codes() {
    let e = Env::new();
    // A bad identifier (refused before the registry is opened), a second init, an unknown
    // licence, a folder that is not a registry.
    let v = e.json(&["status", "1.2.156.3005.2.x", "--data", "nowhere"], 2);
    assert!(v["code"].as_str().unwrap().starts_with("ZZ-E-ID-"), "{v}");
    assert!(v["message"].as_str().unwrap().contains("segments"), "{v}");
    let v = e.json(&["init"], 2);
    assert_eq!(v["code"], "ZZ-E-STORE-007");
    let v = e.json(
        &[
            "status",
            "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F",
        ],
        2,
    );
    assert_eq!(v["code"], "ZZ-E-LIFE-001");
    let v = e.json(&["status", "x", "--data", "nowhere"], 2);
    assert!(v["code"].as_str().unwrap().starts_with("ZZ-E-ID-"), "{v}");
    let v = e.json(&["grant", "list", "--data", "nowhere"], 2);
    assert_eq!(v["code"], "ZZ-E-STORE-002");
    // A licence that breaks its type's schema: exit 1 with the schema code, nothing issued.
    let mut bad: Value = serde_json::from_str(&std::fs::read_to_string(LICENCE).unwrap()).unwrap();
    bad["fields"]["CLRQ"] = Value::String("2021-02-30".into());
    std::fs::write(e.tmp.path().join("bad.json"), bad.to_string()).unwrap();
    let v = e.json(&["issue", "bad.json"], 1);
    assert_eq!(v[0]["error"]["code"], "ZZ-E-SCHEMA-001");
    // Garbage input: exit 2.
    std::fs::write(e.tmp.path().join("garbage.json"), "{not json").unwrap();
    e.zz().args(["issue", "garbage.json"]).assert().code(2);
    // A window request with a reason too long is refused before anything is read.
    let v = e.lookup_for(&"因".repeat(201), 2);
    assert_eq!(v["code"], "ZZ-E-WINDOW-001");
    // Usage errors are exit 2.
    e.zz().args(["lookup", "--holder", HOLDER]).assert().code(2);
}
