//! Conversion from the command line: `import` with its report, re-runs and a killed run;
//! `export` in every format and `qr`, each read back by `verify`.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use assert_cmd::Command;
use serde_json::Value;
use zhengzhao_core::catalog::Catalog;
use zhengzhao_core::licence::Issuer;
use zhengzhao_core::sample::Sampler;

/// 特种设备安全管理和作业人员证.
const TYPE: &str = "11100000MB0143028R107";
const ISSUER: &str = "11330106MB1742305K";
const ISSUER_NAME: &str = "杭州市西湖区市场监督管理局";

const MAPPING: &str = concat!(
    include_str!("../../../test-vectors/import/special-equipment.toml"),
    "[constants]\nissuer_name = \"杭州市西湖区市场监督管理局\"\nissuer_code = \"11330106MB1742305K\"\n",
);

const HEADER: &str =
    "证书编号,姓名,身份证号码,性别,发证日期,有效期至,作业项目,发证机关,批准日期,照片";

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
                ISSUER_NAME,
                "--issuer-code",
                ISSUER,
            ])
            .assert()
            .code(0);
        e.zz().args(["init"]).assert().code(0);
        std::fs::write(e.tmp.path().join("mapping.toml"), MAPPING).unwrap();
        e
    }

    fn zz(&self) -> Command {
        let mut c = Command::cargo_bin("zhengzhao").unwrap();
        c.current_dir(self.tmp.path())
            .env("ZHENGZHAO_DATA", "reg")
            .env("ZHENGZHAO_AUTHORITY", "ca")
            .env("ZHENGZHAO_SYNC", "os-buffered");
        c
    }

    fn json(&self, args: &[&str], code: i32) -> Value {
        let out = self.zz().args(args).arg("--json").assert().code(code);
        serde_json::from_slice(&out.get_output().stdout)
            .unwrap_or_else(|e| panic!("{args:?}: not JSON: {e}"))
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.tmp.path().join(name), text).unwrap();
    }

    fn import(&self, file: &str, code: i32) -> Value {
        self.json(
            &[
                "import",
                file,
                "--type",
                TYPE,
                "--mapping",
                "mapping.toml",
                "--report",
                "report.csv",
            ],
            code,
        )
    }
}

/// `n` CSV rows of valid sample licences, as a legacy export writes them.
fn rows(seed: u64, n: usize) -> Vec<String> {
    let catalog = Catalog::builtin();
    let ty = catalog.find(TYPE).unwrap();
    let mut s = Sampler::new(seed);
    let issuer = Issuer {
        name: ISSUER_NAME.into(),
        code: ISSUER.parse().unwrap(),
    };
    let on = time::macros::date!(2024 - 04 - 01);
    (0..n)
        .map(|_| {
            let h = s.person();
            let l = s.licence(ty, &issuer, &h, "0000000001", on).unwrap();
            let f = |c: &str| l.fields[c].as_str().unwrap().to_owned();
            let until = l.validity.until.unwrap().to_string().replace('-', "");
            [
                l.number.clone(),
                h.name.clone(),
                h.code.clone(),
                f("XB"),
                "2024年4月1日".into(),
                until,
                f("ZYXM"),
                f("FZJG"),
                f("PZRQ"),
                f("ZP"),
            ]
            .join(",")
        })
        .collect()
}

#[test]
fn import_reports_bad_rows_and_never_duplicates() {
    let e = Env::new();
    let mut r = rows(1, 6);
    r[1] = r[1].replacen("2024年4月1日", "2024年4月31日", 1); // row 3: no such date
    r[3] = r[3].replacen(",男,", ",M,", 1).replacen(",女,", ",M,", 1); // row 5: not a 性别
    e.write("licences.csv", &format!("{HEADER}\n{}\n", r.join("\n")));

    let v = e.import("licences.csv", 1);
    let s = &v["summary"];
    assert_eq!(
        (
            s["rows"].as_u64(),
            s["issued"].as_u64(),
            s["rejected"].as_u64()
        ),
        (Some(6), Some(4), Some(2)),
        "{v}"
    );
    let errors: Vec<(u64, &str, &str)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["column"].as_str().unwrap(),
                e["rule"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(errors, [(3, "发证日期", "date"), (5, "性别", "enum")]);
    // The report: a header and the same two rows, readable as CSV (after its BOM).
    let report = std::fs::read_to_string(e.tmp.path().join("report.csv")).unwrap();
    let report = report.strip_prefix('\u{feff}').unwrap();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines[0], "row,column,rule,value,code,message");
    assert!(
        lines[1].starts_with("3,发证日期,date,2024年4月31日,ZZ-E-IMPORT-003,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("5,性别,enum,M,ZZ-E-SCHEMA-001,"),
        "{}",
        lines[2]
    );
    assert_eq!(lines.len(), 3);

    let again = e.import("licences.csv", 1);
    assert_eq!(again["summary"]["issued"], 0);
    assert_eq!(again["summary"]["present"], 4);

    // A file whose header the mapping does not fit: exit 2 with the mapping code.
    e.write("wrong.csv", "编号,名称\nA,B\n");
    let v = e.import("wrong.csv", 2);
    assert_eq!(v["code"], "ZZ-E-IMPORT-001");
    // Usage errors.
    let v = e.json(
        &[
            "import",
            "licences.csv",
            "--type",
            TYPE,
            "--encoding",
            "latin1",
        ],
        2,
    );
    assert_eq!(v["code"], "ZZ-E-USAGE-001");
    let v = e.json(&["import", "missing.csv", "--type", TYPE], 2);
    assert_eq!(v["code"], "ZZ-E-IO-001");
}

#[test]
fn a_killed_import_continues_where_it_stopped() {
    let e = Env::new();
    let n = 3000;
    e.write("big.csv", &format!("{HEADER}\n{}\n", rows(2, n).join("\n")));
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("zhengzhao"))
        .current_dir(e.tmp.path())
        .env("ZHENGZHAO_DATA", "reg")
        .env("ZHENGZHAO_AUTHORITY", "ca")
        .args([
            "import",
            "big.csv",
            "--type",
            TYPE,
            "--mapping",
            "mapping.toml",
            "--batch",
            "100",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Plain progress lines (standard error is not a terminal): the first comes after a batch.
    let mut first = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("progress: "), "{first}");
    child.kill().unwrap(); // SIGKILL, mid-import
    assert!(!child.wait().unwrap().success());

    let v = e.json(
        &[
            "import",
            "big.csv",
            "--type",
            TYPE,
            "--mapping",
            "mapping.toml",
        ],
        0,
    );
    let s = &v["summary"];
    let (issued, present) = (
        s["issued"].as_u64().unwrap(),
        s["present"].as_u64().unwrap(),
    );
    assert!(present >= 100, "at least the first batch was written: {v}");
    assert_eq!(issued + present, n as u64, "{v}");
    let v = e.json(
        &[
            "import",
            "big.csv",
            "--type",
            TYPE,
            "--mapping",
            "mapping.toml",
        ],
        0,
    );
    assert_eq!(
        v["summary"]["present"], n as u64,
        "nothing issued twice: {v}"
    );
    assert_eq!(v["summary"]["issued"], 0);
}

#[test]
fn every_export_format_reads_back() {
    let e = Env::new();
    e.write("one.csv", &format!("{HEADER}\n{}\n", rows(3, 1)[0]));
    e.zz()
        .args([
            "import",
            "one.csv",
            "--type",
            TYPE,
            "--mapping",
            "mapping.toml",
            "--ids",
            "ids.csv",
        ])
        .assert()
        .code(0);
    let ids = std::fs::read_to_string(e.tmp.path().join("ids.csv")).unwrap();
    let line = ids
        .strip_prefix('\u{feff}')
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_owned();
    let fields: Vec<&str> = line.split(',').collect();
    assert_eq!((fields[0], fields[2]), ("2", "false"), "{ids}");
    let id = fields[1].to_owned();

    for (format, file) in [("vc", "l.json"), ("vc-jwt", "l.jwt"), ("qr", "l.qr")] {
        e.zz()
            .args(["export", &id, "--format", format, "--out", file])
            .assert()
            .code(0);
        // The document and the QR payload name their certificate; a window has it in its
        // trust store (--certs). The token carries it (x5c).
        let signer = format!("ca/signers/{ISSUER}/1.pem");
        let v = e.json(
            &[
                "verify",
                file,
                "--anchors",
                "ca/root.pem",
                "--certs",
                &signer,
            ],
            0,
        );
        assert_eq!(v["valid"], true, "{format}: {v}");
        assert_eq!(v["results"][0]["report"]["id"], id.as_str(), "{format}");
    }
    let v = e.json(&["verify", "l.jwt", "--anchors", "ca/root.pem"], 0);
    assert_eq!(
        v["results"][0]["kind"], "vc-jwt",
        "the token carries its certificate: {v}"
    );
    let out = e
        .zz()
        .args(["export", &id, "--format", "gbt36903"])
        .assert()
        .code(0);
    let record: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(record["ZZBS"], id.as_str());
    assert_eq!(record["ZZLXDM"], TYPE);
    assert_eq!(record["ZZBFRQ"], "20240401");
    // A flat record carries no signature: verify refuses it as input, not as a forgery.
    e.write("record.json", &record.to_string());
    let v = e.json(&["verify", "record.json", "--anchors", "ca/root.pem"], 2);
    assert_eq!(v["code"], "ZZ-E-USAGE-001");

    let v = e.json(&["qr", &id, "--png", "l.png", "--svg", "l.svg"], 0);
    assert!(v["version"].as_u64().unwrap() <= 25, "{v}");
    let png = std::fs::read(e.tmp.path().join("l.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let svg = std::fs::read_to_string(e.tmp.path().join("l.svg")).unwrap();
    assert!(svg.contains("<svg"));
    let v = e.json(&["export", &id, "--format", "pdf"], 2);
    assert_eq!(v["code"], "ZZ-E-USAGE-001");
    let v = e.json(&["qr", &id], 2);
    assert_eq!(v["code"], "ZZ-E-USAGE-001");
    // A damaged QR payload: an invalid licence, with the QR payload's own code (as the C ABI
    // and Python report it).
    let qr = std::fs::read_to_string(e.tmp.path().join("l.qr")).unwrap();
    e.write("cut.qr", &qr.trim()[..qr.trim().len() / 2]);
    let v = e.json(&["verify", "cut.qr", "--anchors", "ca/root.pem"], 1);
    let r = &v["results"][0];
    assert_eq!(r["kind"], "qr", "{v}");
    assert!(
        r["report"]["code"]
            .as_str()
            .unwrap()
            .starts_with("ZZ-E-FMT-01"),
        "{v}"
    );
}

#[test]
fn backup_and_restore_from_the_command_line() {
    let e = Env::new();
    e.write("one.csv", &format!("{HEADER}\n{}\n", rows(4, 2).join("\n")));
    e.import("one.csv", 0);
    let b = e.json(&["backup", "bk"], 0);
    assert_eq!(b["log_size"], 2);
    let r = e.json(&["restore", "bk", "--data", "restored"], 0);
    assert_eq!(r["log_size"], 2);
    let again = e.json(
        &[
            "import",
            "one.csv",
            "--type",
            TYPE,
            "--mapping",
            "mapping.toml",
            "--data",
            "restored",
        ],
        0,
    );
    assert_eq!(
        again["summary"]["present"], 2,
        "the restored registry has both licences"
    );
    let v = e.json(&["backup", "bk"], 2);
    assert_eq!(v["code"], "ZZ-E-STORE-007");
    let c = e.json(&["check", "--data", "restored"], 0);
    assert_eq!(c["ok"], true, "{c}");
    assert_eq!(c["report"]["licences"], 2);
    let v = e.json(&["check", "--data", "nowhere"], 2);
    assert_eq!(v["code"], "ZZ-E-STORE-002");
}
