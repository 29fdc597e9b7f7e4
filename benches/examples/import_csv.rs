//! Writes the legacy export that `scripts/bench import` imports end to end: a UTF-8 CSV of
//! 特种设备安全管理和作业人员证 rows (ten columns, as in the CLI's conversion tests) and the
//! mapping onto the catalogue type. Streams the rows to the file; the same seed gives the same
//! file.
//!
//! `import_csv DIR [ROWS]` writes `DIR/import.csv` (1,000,000 rows by default) and
//! `DIR/mapping.toml`, and prints the type code to import them as.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use zhengzhao_core::catalog::Catalog;
use zhengzhao_core::licence::Issuer;
use zhengzhao_core::sample::Sampler;

const TYPE: &str = "11100000MB0143028R107";
const ISSUER: &str = "11330106MB1742305K";
const ISSUER_NAME: &str = "杭州市西湖区市场监督管理局";

const MAPPING: &str = concat!(
    include_str!("../../test-vectors/import/special-equipment.toml"),
    "[constants]\nissuer_name = \"杭州市西湖区市场监督管理局\"\nissuer_code = \"11330106MB1742305K\"\n",
);

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("usage: import_csv DIR [ROWS]"));
    let rows: u64 = args
        .next()
        .map(|n| n.parse().expect("ROWS is a number"))
        .unwrap_or(1_000_000);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("mapping.toml"), MAPPING)?;

    let catalog = Catalog::builtin();
    let ty = catalog.find(TYPE).expect("a type of the catalogue");
    let issuer = Issuer {
        name: ISSUER_NAME.into(),
        code: ISSUER.parse().expect("a valid USCC"),
    };
    let on = time::macros::date!(2024 - 04 - 01);
    let mut s = Sampler::new(11);
    let mut out = BufWriter::new(std::fs::File::create(dir.join("import.csv"))?);
    writeln!(
        out,
        "证书编号,姓名,身份证号码,性别,发证日期,有效期至,作业项目,发证机关,批准日期,照片"
    )?;
    for n in 0..rows {
        let h = s.person();
        let l = s
            .licence(ty, &issuer, &h, "0000000001", on)
            .expect("a valid sample");
        let f = |c: &str| l.fields[c].as_str().unwrap_or_default().to_owned();
        let until = l.validity.until.map(|d| d.to_string().replace('-', ""));
        // The number carries the row, so that no two rows share one.
        writeln!(
            out,
            "T{n:09},{},{},{},2024年4月1日,{},{},{},{},{}",
            h.name,
            h.code,
            f("XB"),
            until.unwrap_or_else(|| "长期".into()),
            f("ZYXM"),
            f("FZJG"),
            f("PZRQ"),
            f("ZP"),
        )?;
    }
    out.flush()?;
    println!("{TYPE}");
    Ok(())
}
