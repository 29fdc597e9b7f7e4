//! Bulk import: bad rows of every kind reported exactly, re-runs that never duplicate, and an
//! interrupted import that continues where it stopped.

mod common;

use std::ops::ControlFlow;

use common::*;
use zhengzhao_core::catalog::{Catalog, LicenceType};
use zhengzhao_core::date;
use zhengzhao_core::identifier::TypeCode;
use zhengzhao_core::mapping::Mapping;
use zhengzhao_core::records::{Format, RowError};
use zhengzhao_core::{Coded, ErrorCode};
use zhengzhao_registry::import::{Collect, ImportOptions, Observer, Summary};

/// 特种设备安全管理和作业人员证: a person's licence with an enum (性别), dates and a photo.
const TYPE: &str = "11100000MB0143028R107";

const HEADER: [&str; 10] = [
    "证书编号",
    "姓名",
    "身份证号码",
    "性别",
    "发证日期",
    "有效期至",
    "作业项目",
    "发证机关",
    "批准日期",
    "照片",
];

fn ty() -> LicenceType {
    Catalog::builtin().find(TYPE).unwrap().clone()
}

/// The mapping of the legacy export above: its column names, dates as the export writes them,
/// the issuing department as constants.
fn mapping(f: &Fixture) -> Mapping {
    Mapping::from_toml(&format!(
        "{}[constants]\nissuer_name = \"{}\"\nissuer_code = \"{}\"\n",
        include_str!("../../../test-vectors/import/special-equipment.toml"),
        f.issuer.name,
        f.issuer.code
    ))
    .unwrap()
}

/// `n` good rows of sample data, as a legacy export writes them.
fn good_rows(f: &mut Fixture, n: usize) -> Vec<Vec<String>> {
    let ty = ty();
    let issued_on = time::macros::date!(2024 - 04 - 01);
    (0..n)
        .map(|_| {
            let holder = f.person();
            let l = f
                .sampler
                .licence(&ty, &f.issuer, &holder, "0000000001", issued_on)
                .unwrap();
            let field = |c: &str| l.fields[c].as_str().unwrap().to_owned();
            let until = l.validity.until.unwrap();
            vec![
                l.number.clone(),
                holder.name.clone(),
                holder.code.clone(),
                field("XB"),
                format!(
                    "{}年{}月{}日",
                    issued_on.year(),
                    issued_on.month() as u8,
                    issued_on.day()
                ),
                date::format(until).replace('-', ""),
                field("ZYXM"),
                field("FZJG"),
                field("PZRQ"),
                field("ZP"),
            ]
        })
        .collect()
}

fn csv_bytes(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    w.write_record(HEADER).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

fn options(f: &Fixture) -> ImportOptions {
    let mut o = ImportOptions::new(TYPE.parse::<TypeCode>().unwrap(), mapping(f), Format::Csv);
    o.batch = 10;
    o
}

fn import(f: &Fixture, bytes: &[u8], o: &ImportOptions) -> (Summary, Collect) {
    let mut c = Collect::default();
    let s = f.reg().import(bytes, o, &mut c).unwrap();
    (s, c)
}

/// (row, column, rule) of each error.
fn errors(c: &Collect) -> Vec<(u64, Option<&str>, &str)> {
    c.errors
        .iter()
        .map(|e| (e.row, e.column.as_deref(), e.rule.as_str()))
        .collect()
}

#[test]
fn bad_rows_of_every_kind_are_reported_exactly_and_the_rest_issued() {
    let mut f = Fixture::new();
    let mut rows = good_rows(&mut f, 12);
    // Data rows start at file row 2 (the header is row 1): rows[i] is file row i + 2.
    rows[1].truncate(9); // row 3: no 照片 at all
    rows[3][4] = "2024年2月30日".into(); // row 5: no such date
    let code = &mut rows[5][2]; // row 7: the 公民身份号码's check character
    let last = code.pop().unwrap();
    code.push(if last == '0' { '1' } else { '0' });
    rows[7][3] = "未知".into(); // row 9: not a 性别
    rows[9][0] = rows[8][0].clone(); // row 11 repeats the number of row 10
    let mut bytes = csv_bytes(&rows[..10]);
    // Row 12 saved in GBK inside a UTF-8 file.
    let row12 = format!("{}\n", rows[10].join(","));
    let (gbk, _, _) = encoding_rs::GB18030.encode(&row12);
    bytes.extend_from_slice(&gbk);
    bytes.extend_from_slice(&csv_bytes(&rows[11..])[HEADER.join(",").len() + 1..]);

    let o = options(&f);
    let (s, c) = import(&f, &bytes, &o);
    assert_eq!(
        errors(&c),
        [
            (3, Some("照片"), "missing_column"),
            (5, Some("发证日期"), "date"),
            (7, Some("身份证号码"), "code"),
            (7, Some("身份证号码"), "code"), // SFZHM prints the holder's code
            (9, Some("性别"), "enum"),
            (11, Some("证书编号"), "duplicate"),
            (12, Some("姓名"), "encoding"),
        ],
        "{:#?}",
        c.errors
    );
    assert_eq!(c.errors[2].code, ErrorCode::SchemaViolation);
    assert_eq!(c.errors[5].value.as_deref(), Some(rows[8][0].as_str()));
    assert!(c.errors[5].message.contains("row 10"), "{}", c.errors[5]);
    assert_eq!(
        (s.rows, s.issued, s.present, s.rejected, s.interrupted),
        (12, 6, 0, 6, false)
    );
    // Every issued row is a stored licence with the row's content.
    let issued_rows: Vec<u64> = c.accepted.iter().map(|(r, _, _)| *r).collect();
    assert_eq!(issued_rows, [2, 4, 6, 8, 10, 13]);
    for (row, id, present) in &c.accepted {
        assert!(!present);
        let l = f.reg().stored_licence(id).unwrap();
        let r = &rows[*row as usize - 2];
        assert_eq!((&l.number, &l.holders[0].code), (&r[0], &r[2]));
        assert_eq!(l.fields["XB"], r[3].as_str());
        assert!(f.verifies(&f.reg().document(id).unwrap()));
    }

    // Run again: nothing new, the same report.
    let (again, c2) = import(&f, &bytes, &o);
    assert_eq!(
        (again.issued, again.present, again.rejected),
        (0, 6, 6),
        "a re-run never duplicates"
    );
    assert_eq!(c2.errors, c.errors);
    let ids = |c: &Collect| c.accepted.iter().map(|a| a.1.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&c2), ids(&c));

    // The corrected rows, imported again, are issued; the others stay as they were.
    let mut fixed = good_rows(&mut f, 0);
    fixed.push(rows[0].clone()); // present
    let mut r5 = rows[3].clone();
    r5[4] = "2024年4月1日".into();
    fixed.push(r5);
    let (s3, c3) = import(&f, &csv_bytes(&fixed), &o);
    assert_eq!(
        (s3.issued, s3.present, s3.rejected),
        (1, 1, 0),
        "{:?}",
        c3.errors
    );
}

#[test]
fn a_number_already_used_with_other_content_is_refused() {
    let mut f = Fixture::new();
    let rows = good_rows(&mut f, 2);
    let o = options(&f);
    let (s, _) = import(&f, &csv_bytes(&rows), &o);
    assert_eq!(s.issued, 2);
    let mut changed = rows.clone();
    changed[1][6] = "叉车司机".into();
    let (s, c) = import(&f, &csv_bytes(&changed), &o);
    assert_eq!((s.present, s.rejected), (1, 1));
    assert_eq!(errors(&c), [(3, Some("证书编号"), "number_taken")]);
    assert_eq!(c.errors[0].code, ErrorCode::NumberTaken);
}

/// Stops after the first batch, as Ctrl-C does.
struct StopAfterFirstBatch(Collect);

impl Observer for StopAfterFirstBatch {
    fn rejected(&mut self, e: &RowError) {
        self.0.rejected(e)
    }
    fn accepted(&mut self, row: u64, id: &zhengzhao_core::identifier::LicenceId, present: bool) {
        self.0.accepted(row, id, present)
    }
    fn progress(&mut self, _: &Summary) -> ControlFlow<()> {
        ControlFlow::Break(())
    }
}

#[test]
fn an_interrupted_import_continues_where_it_stopped() {
    let mut f = Fixture::new();
    let rows = good_rows(&mut f, 35);
    let bytes = csv_bytes(&rows);
    let o = options(&f);
    let mut stop = StopAfterFirstBatch(Collect::default());
    let first = f.reg().import(&bytes[..], &o, &mut stop).unwrap();
    // The two batches already handed out when the observer stopped are issued and reported
    // too; the fourth is not read.
    assert!(first.interrupted);
    assert_eq!((first.rows, first.issued), (30, 30), "{first:?}");
    assert_eq!(stop.0.accepted.len(), 30);
    // Closed and opened again, as after a crash: the rest is issued, the first batch found.
    f.reopen();
    let (rest, c) = import(&f, &bytes, &o);
    assert_eq!(
        (rest.rows, rest.issued, rest.present, rest.interrupted),
        (35, 35 - first.rows, first.rows, false)
    );
    let first_ids: Vec<_> = stop.0.accepted.iter().map(|a| a.1.clone()).collect();
    let present: Vec<_> = c
        .accepted
        .iter()
        .filter(|a| a.2)
        .map(|a| a.1.clone())
        .collect();
    assert_eq!(present, first_ids);
    // 35 licences, no more: the serials end at 35.
    let max = c
        .accepted
        .iter()
        .map(|a| a.1.serial().parse::<u64>().unwrap())
        .max();
    assert_eq!(max, Some(35));
}

#[test]
fn gbk_files_and_jsonl_import_too() {
    let mut f = Fixture::new();
    let rows = good_rows(&mut f, 3);
    let text = String::from_utf8(csv_bytes(&rows)).unwrap();
    let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
    let o = options(&f);
    let (s, c) = import(&f, &gbk, &o);
    assert_eq!((s.issued, s.rejected), (3, 0), "{:?}", c.errors);
    let name = &f.reg().stored_licence(&c.accepted[0].1).unwrap().holders[0].name;
    assert_eq!(name, &rows[0][1], "decoded from GB18030");

    let more = good_rows(&mut f, 2);
    let line = |r: &Vec<String>, skip: Option<&str>| {
        let obj: serde_json::Map<String, serde_json::Value> = HEADER
            .iter()
            .zip(r)
            .filter(|(h, _)| Some(**h) != skip)
            .map(|(h, v)| (h.to_string(), v.clone().into()))
            .collect();
        serde_json::Value::Object(obj).to_string()
    };
    let jsonl = format!(
        "{}\n{}\nnot json\n",
        line(&more[0], None),
        line(&more[1], Some("性别"))
    );
    let o = ImportOptions {
        format: Format::Jsonl,
        ..options(&f)
    };
    let (s, c) = import(&f, jsonl.as_bytes(), &o);
    assert_eq!((s.rows, s.issued, s.rejected), (3, 1, 2));
    assert_eq!(
        errors(&c),
        [(2, Some("性别"), "missing_column"), (3, None, "json")]
    );
}

#[test]
fn files_that_cannot_be_imported_are_refused_before_any_row() {
    let f = Fixture::new();
    let o = options(&f);
    let mut c = Collect::default();
    let wrong_header = "编号,名称\nA,B\n";
    let e = f
        .reg()
        .import(wrong_header.as_bytes(), &o, &mut c)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ImportMapping);
    assert!(e.to_string().contains("证书编号"), "{e}");
    let e = f.reg().import(&b""[..], &o, &mut c).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ImportSource);
    let unknown = ImportOptions {
        type_code: "11100000000013338W999".parse().unwrap(),
        ..options(&f)
    };
    let e = f.reg().import(&b"a\n"[..], &unknown, &mut c).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CatalogUnknownType);
    assert_eq!(f.reg().log_len(), 0, "nothing was issued");
}
