//! `zhengzhao import`: bulk import of legacy records, with a progress bar on a terminal (plain
//! progress lines otherwise) and a per-row error report. Ctrl-C needs no handler: each batch is
//! written atomically, so a stopped import loses at most the two batches being issued, which the
//! next run issues.

use std::io::IsTerminal;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use zhengzhao_core::identifier::{LicenceId, Strictness, TypeCode};
use zhengzhao_core::mapping::Mapping;
use zhengzhao_core::records::{Encoding, Format, RowError};
use zhengzhao_core::ErrorCode;
use zhengzhao_registry::import::{ImportOptions, Observer, Summary, DEFAULT_BATCH};

use crate::output::{self, out, Outcome};
use crate::store::{failure, Failure, Store};

#[derive(Args)]
#[command(after_help = "Examples:
  zhengzhao import 存量营业执照.csv --type 11100000MB0327169U001 --authority ./ca
  zhengzhao import export.csv --type 11100000MB0143028R107 --mapping 特种设备.toml --report errors.csv
  zhengzhao import records.jsonl --type 11100000MB0143028R107 --json

Without --mapping, columns are found by their GB/T 36903 names or codes (证照编号 or ZZBH, …) and
照面 fields by their code, KZ_ code or printed name; docs/import.md describes mapping files.
Every row ends issued, already present, or in the report (row, column, rule, value, code,
message); --ids lists the identifier of each row's licence. Running the same import again never duplicates a licence: it issues only what is
missing, so an import stopped by Ctrl-C or a crash continues where it stopped.

Exit codes: 0 every row issued or present; 1 some rows rejected (see the report); 2 the import
could not run, or was interrupted.")]
pub struct ImportArgs {
    #[command(flatten)]
    store: Store,
    /// The file: CSV with a header row, or JSON Lines (one object per line).
    file: PathBuf,
    /// The licence type of every row (see `zhengzhao catalog list`).
    #[arg(long = "type", value_name = "CODE")]
    type_code: String,
    /// The mapping file (TOML): which column holds what.
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// Write the per-row error report to this file (CSV, UTF-8 with a byte-order mark so that
    /// spreadsheet programs read the Chinese text).
    #[arg(long)]
    report: Option<PathBuf>,
    /// Write the identifier of each row's licence to this file (CSV: row, id, present), so
    /// that the legacy system can record its new 电子证照标识.
    #[arg(long)]
    ids: Option<PathBuf>,
    /// The file's encoding: auto, utf-8 or gb18030 (gbk); overrides the mapping's.
    #[arg(long)]
    encoding: Option<String>,
    /// csv or jsonl; by default .jsonl and .ndjson files are JSON Lines, others CSV.
    #[arg(long)]
    format: Option<String>,
    /// Who imports (for the log).
    #[arg(long, default_value = "zhengzhao-import")]
    operator: String,
    /// Rows per batch: each batch is signed on every core and written at once.
    #[arg(long, default_value_t = DEFAULT_BATCH)]
    batch: usize,
    /// Print the summary (and the first errors) as JSON.
    #[arg(long)]
    json: bool,
}

/// Rows errors shown on the terminal (and in JSON) at most; the report has all of them.
const SHOWN: usize = 20;

pub fn run(a: ImportArgs) -> Outcome {
    match import(&a) {
        Ok(o) => o,
        Err((code, message)) => {
            output::report(code, &message, a.json);
            Outcome::Failed
        }
    }
}

fn usage(message: String) -> Failure {
    (ErrorCode::Usage, message)
}

fn import(a: &ImportArgs) -> Result<Outcome, Failure> {
    let type_code = TypeCode::parse_with(&a.type_code, Strictness::Lenient).map_err(failure)?;
    let mut mapping = match &a.mapping {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| (ErrorCode::Io, format!("{}: {e}", p.display())))?;
            Mapping::from_toml(&text).map_err(failure)?
        }
        None => Mapping::default(),
    };
    if let Some(e) = &a.encoding {
        mapping.encoding = Encoding::parse(e)
            .ok_or_else(|| usage(format!("--encoding {e}: use auto, utf-8 or gb18030")))?;
    }
    let format = match a.format.as_deref() {
        None => Format::from_path(&a.file),
        Some("csv") => Format::Csv,
        Some("jsonl") => Format::Jsonl,
        Some(f) => return Err(usage(format!("--format {f}: use csv or jsonl"))),
    };
    if a.batch == 0 {
        return Err(usage("--batch must be at least 1".into()));
    }
    let file = std::fs::File::open(&a.file)
        .map_err(|e| (ErrorCode::Io, format!("{}: {e}", a.file.display())))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let report = match &a.report {
        Some(p) => Some(Report::create(
            p,
            &["row", "column", "rule", "value", "code", "message"],
        )?),
        None => None,
    };
    let ids = match &a.ids {
        Some(p) => Some(Report::create(p, &["row", "id", "present"])?),
        None => None,
    };
    let registry = a.store.open()?;
    let options = ImportOptions {
        operator: a.operator.clone(),
        batch: a.batch,
        ..ImportOptions::new(type_code, mapping, format)
    };
    let mut watch = Watch::new(size, a.json, report, ids);
    let started = Instant::now();
    let summary = registry
        .import(std::io::BufReader::new(file), &options, &mut watch)
        .map_err(failure);
    watch.done();
    let summary = summary?;
    if let Some(f) = watch.report_error.take() {
        return Err(f);
    }
    for r in [watch.report.take(), watch.ids.take()]
        .into_iter()
        .flatten()
    {
        r.finish()?;
    }
    let secs = started.elapsed().as_secs_f64();
    let outcome = if summary.interrupted {
        Outcome::Failed
    } else if summary.rejected > 0 {
        Outcome::Invalid
    } else {
        Outcome::Ok
    };
    if a.json {
        output::json(&json!({
            "file": a.file.display().to_string(),
            "summary": summary,
            "seconds": secs,
            "report": a.report.as_ref().map(|p| p.display().to_string()),
            "errors": watch.shown,
            "errors_shown": watch.shown.len(),
        }));
    } else {
        for e in &watch.shown {
            eprintln!("  {e}");
        }
        if watch.errors > watch.shown.len() as u64 {
            eprintln!(
                "  … {} more error(s){}",
                watch.errors - watch.shown.len() as u64,
                if a.report.is_some() {
                    " in the report"
                } else {
                    ": give --report FILE for all of them"
                }
            );
        }
        out!(
            "{}: {} row(s): {} issued, {} already present, {} rejected ({:.1} s, {:.0} rows/s)",
            a.file.display(),
            summary.rows,
            summary.issued,
            summary.present,
            summary.rejected,
            secs,
            summary.rows as f64 / secs.max(1e-9)
        );
        if summary.interrupted {
            out!(
                "interrupted: what is issued stays issued; run the same command again to continue"
            );
        }
    }
    Ok(outcome)
}

/// A CSV file written as the import goes: the error report, the identifiers.
struct Report {
    path: PathBuf,
    writer: csv::Writer<std::fs::File>,
}

impl Report {
    fn create(path: &PathBuf, header: &[&str]) -> Result<Report, Failure> {
        let io = |e: std::io::Error| (ErrorCode::Io, format!("{}: {e}", path.display()));
        let mut file = std::fs::File::create(path).map_err(io)?;
        std::io::Write::write_all(&mut file, "\u{feff}".as_bytes()).map_err(io)?;
        let writer = csv::Writer::from_writer(file);
        let mut r = Report {
            path: path.clone(),
            writer,
        };
        r.write(header)?;
        Ok(r)
    }

    fn write(&mut self, record: &[&str]) -> Result<(), Failure> {
        self.writer
            .write_record(record)
            .map_err(|err| (ErrorCode::Io, format!("{}: {err}", self.path.display())))
    }

    fn finish(mut self) -> Result<(), Failure> {
        self.writer
            .flush()
            .map_err(|e| (ErrorCode::Io, format!("{}: {e}", self.path.display())))
    }
}

/// Shows progress and keeps the report.
struct Watch {
    bar: Option<ProgressBar>,
    /// For plain progress lines: when the last one was printed.
    last_line: Option<Instant>,
    report: Option<Report>,
    ids: Option<Report>,
    /// The first failure to write the report or the identifiers.
    report_error: Option<Failure>,
    shown: Vec<RowError>,
    errors: u64,
}

impl Watch {
    fn new(size: u64, json: bool, report: Option<Report>, ids: Option<Report>) -> Watch {
        let bar = (!json && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(size);
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
                )
                .expect("a valid template"),
            );
            bar
        });
        Watch {
            bar,
            last_line: None,
            report,
            ids,
            report_error: None,
            shown: Vec::new(),
            errors: 0,
        }
    }

    fn done(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Observer for Watch {
    fn rejected(&mut self, e: &RowError) {
        self.errors += 1;
        if self.shown.len() < SHOWN {
            self.shown.push(e.clone());
        }
        if let Some(r) = &mut self.report {
            let row = e.row.to_string();
            let line = [
                row.as_str(),
                e.column.as_deref().unwrap_or(""),
                &e.rule,
                e.value.as_deref().unwrap_or(""),
                e.code.name(),
                &e.message,
            ];
            if let Err(f) = r.write(&line) {
                self.report_error.get_or_insert(f);
            }
        }
    }

    fn accepted(&mut self, row: u64, id: &LicenceId, present: bool) {
        if let Some(r) = &mut self.ids {
            let line = [row.to_string(), id.to_string(), present.to_string()];
            if let Err(f) = r.write(&line.each_ref().map(String::as_str)) {
                self.report_error.get_or_insert(f);
            }
        }
    }

    fn progress(&mut self, s: &Summary) -> ControlFlow<()> {
        let counts = format!(
            "{} rows: {} issued, {} present, {} rejected",
            s.rows, s.issued, s.present, s.rejected
        );
        match &self.bar {
            Some(bar) => {
                bar.set_position(s.bytes);
                bar.set_message(counts);
            }
            None if self
                .last_line
                .is_none_or(|t| t.elapsed() >= Duration::from_secs(2)) =>
            {
                eprintln!("progress: {counts}");
                self.last_line = Some(Instant::now());
            }
            None => {}
        }
        // A report that cannot be written stops the import: its errors would be lost.
        if self.report_error.is_some() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}
