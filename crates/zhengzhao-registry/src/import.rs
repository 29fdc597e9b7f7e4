//! Bulk import of legacy (存量) records: a CSV or JSON Lines export, a [`Mapping`] onto a
//! licence type, and issuance in batches signed on every core.
//!
//! Nothing is lost: every row ends issued, already present, or rejected with a [`RowError`]
//! naming its row, column, rule and value. A licence is one per licence type and 证照编号 (the
//! registry's `number` index), so running an import again never duplicates one: rows whose
//! licence is already there with the same content count as present. Each batch is written
//! atomically, so an import stopped by a crash or Ctrl-C continues where it stopped when run
//! again.
//!
//! ```no_run
//! # fn demo(registry: &zhengzhao_registry::Registry) -> Result<(), zhengzhao_registry::RegistryError> {
//! use zhengzhao_registry::import::{ImportOptions, Observer};
//! use zhengzhao_core::{mapping::Mapping, records::Format};
//! let file = std::fs::File::open("存量-食品经营许可证.csv").expect("the file");
//! let options = ImportOptions::new("11100000MB0143028R104".parse()?, Mapping::default(), Format::Csv);
//! struct Print;
//! impl Observer for Print {
//!     fn rejected(&mut self, e: &zhengzhao_core::records::RowError) { eprintln!("{e}"); }
//! }
//! let summary = registry.import(file, &options, &mut Print)?;
//! println!("{} issued, {} already present, {} rejected", summary.issued, summary.present, summary.rejected);
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::io::Read;
use std::ops::ControlFlow;

use serde::Serialize;
use zhengzhao_core::catalog::LicenceType;
use zhengzhao_core::error::{Coded, ErrorCode};
use zhengzhao_core::identifier::{LicenceId, TypeCode};
use zhengzhao_core::mapping::{Mapping, Record, Target};
use zhengzhao_core::records::{Format, Reader, Row, RowError};

use crate::error::RegistryError;
use crate::issue::IssueRequest;
use crate::registry::Registry;

/// Rows per batch by default: large enough to keep both cores signing, small enough that an
/// interrupted import repeats little.
pub const DEFAULT_BATCH: usize = 500;

/// What to import and how.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// The licence type of every row.
    pub type_code: TypeCode,
    /// Which column holds what.
    pub mapping: Mapping,
    /// CSV or JSON Lines.
    pub format: Format,
    /// Who imports (for the log).
    pub operator: String,
    /// Rows issued per batch (one atomic write each).
    pub batch: usize,
}

impl ImportOptions {
    /// Options with the operator `import` and batches of [`DEFAULT_BATCH`].
    pub fn new(type_code: TypeCode, mapping: Mapping, format: Format) -> ImportOptions {
        ImportOptions {
            type_code,
            mapping,
            format,
            operator: "import".to_owned(),
            batch: DEFAULT_BATCH,
        }
    }
}

/// How far an import has got.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Rows read.
    pub rows: u64,
    /// Licences issued.
    pub issued: u64,
    /// Rows whose licence was already in the registry with the same content.
    pub present: u64,
    /// Rows rejected (each reported to [`Observer::rejected`], with one or more errors).
    pub rejected: u64,
    /// Bytes of the file read.
    pub bytes: u64,
    /// Whether the observer stopped the import before the end of the file.
    pub interrupted: bool,
}

/// Follows an import. Every method has a default that does nothing.
pub trait Observer {
    /// A problem of a rejected row (a row with several problems gets several calls).
    fn rejected(&mut self, error: &RowError) {
        let _ = error;
    }

    /// A row whose licence is now in the registry: issued by this import, or `present` from
    /// an earlier run.
    fn accepted(&mut self, row: u64, id: &LicenceId, present: bool) {
        let _ = (row, id, present);
    }

    /// Called after each batch is written; `Break` stops the import there (what Ctrl-C does).
    fn progress(&mut self, summary: &Summary) -> ControlFlow<()> {
        let _ = summary;
        ControlFlow::Continue(())
    }
}

/// An observer that keeps every row error: convenient for small files and bindings.
#[derive(Clone, Debug, Default)]
pub struct Collect {
    /// The row errors, in file order.
    pub errors: Vec<RowError>,
    /// The accepted rows: row, identifier, and whether it was already present.
    pub accepted: Vec<(u64, LicenceId, bool)>,
}

impl Observer for Collect {
    fn rejected(&mut self, error: &RowError) {
        self.errors.push(error.clone());
    }

    fn accepted(&mut self, row: u64, id: &LicenceId, present: bool) {
        self.accepted.push((row, id.clone(), present));
    }
}

impl IssueRequest {
    /// The request that issues `record` as a licence of type `ty`.
    pub fn from_record(ty: &LicenceType, record: Record, operator: &str) -> IssueRequest {
        IssueRequest {
            type_code: ty.code.clone(),
            type_version: Some(ty.version),
            number: record.number,
            issuer: record.issuer,
            issued_on: record.issued_on,
            validity: record.validity,
            holders: record.holders,
            area: record.area,
            fields: record.fields,
            operator: operator.to_owned(),
        }
    }
}

/// A row converted and waiting for its batch.
struct Pending {
    row: u64,
    /// The column the number came from, for the errors of the issuance.
    number_column: Option<String>,
    record: Record,
}

struct Run<'a> {
    registry: &'a Registry,
    ty: &'a LicenceType,
    options: &'a ImportOptions,
    observer: &'a mut dyn Observer,
    summary: Summary,
}

impl Registry {
    /// Imports the rows of `source` as licences of `options.type_code` (its latest catalogue
    /// version). See the [module documentation](crate::import).
    ///
    /// The error is what stops the whole import: an unknown type, a mapping that does not fit
    /// the file's header, a file that cannot be read, a database failure. Everything written
    /// before it stays written, and running the import again continues from there.
    pub fn import(
        &self,
        source: impl Read,
        options: &ImportOptions,
        observer: &mut dyn Observer,
    ) -> Result<Summary, RegistryError> {
        let ty = self.catalog().get(&options.type_code).ok_or_else(|| {
            zhengzhao_core::catalog::CatalogError::UnknownType {
                code: options.type_code.to_string(),
                version: None,
            }
        })?;
        let mut reader = Reader::new(source, options.format, options.mapping.encoding)
            .map_err(zhengzhao_core::Error::from)?;
        if options.format == Format::Csv {
            options
                .mapping
                .check_header(ty, reader.header())
                .map_err(zhengzhao_core::Error::from)?;
        }
        let mut run = Run {
            registry: self,
            ty,
            options,
            observer,
            summary: Summary::default(),
        };
        // The first row of each number in this file: a second one is a duplicate.
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut batch: Vec<Pending> = Vec::with_capacity(options.batch.max(1));
        while let Some(row) = reader.next_row().map_err(zhengzhao_core::Error::from)? {
            run.summary.rows += 1;
            match row {
                Err(e) => run.reject(&[e]),
                Ok(row) => {
                    if let Some(p) = run.convert(&row, &mut seen) {
                        batch.push(p);
                    }
                }
            }
            if batch.len() >= options.batch.max(1) {
                run.flush(&mut batch)?;
                run.summary.bytes = reader.position();
                if run.observer.progress(&run.summary).is_break() {
                    run.summary.interrupted = true;
                    return Ok(run.summary);
                }
            }
        }
        run.flush(&mut batch)?;
        run.summary.bytes = reader.position();
        let _ = run.observer.progress(&run.summary);
        Ok(run.summary)
    }
}

impl Run<'_> {
    fn reject(&mut self, errors: &[RowError]) {
        self.summary.rejected += 1;
        for e in errors {
            self.observer.rejected(e);
        }
    }

    /// The row converted for its batch, or `None` when it is rejected.
    fn convert(&mut self, row: &Row, seen: &mut HashMap<String, u64>) -> Option<Pending> {
        let mapping = &self.options.mapping;
        let record = match mapping.apply(self.ty, row) {
            Ok(r) => r,
            Err(errors) => {
                self.reject(&errors);
                return None;
            }
        };
        let number_column = mapping.column(row, Target::Number).map(str::to_owned);
        if let Some(first) = seen.get(&record.number) {
            let e = RowError {
                row: row.row,
                column: number_column,
                rule: "duplicate".into(),
                value: Some(record.number.clone()),
                code: ErrorCode::ImportRow,
                message: format!("证照编号 repeats row {first}: a licence is imported once"),
            };
            self.reject(&[e]);
            return None;
        }
        seen.insert(record.number.clone(), row.row);
        Some(Pending {
            row: row.row,
            number_column,
            record,
        })
    }

    /// Issues a batch: rows already present are counted, the others issued in one write.
    fn flush(&mut self, batch: &mut Vec<Pending>) -> Result<(), RegistryError> {
        let mut fresh = Vec::with_capacity(batch.len());
        for p in batch.drain(..) {
            match self
                .registry
                .licence_by_number(&self.ty.code, &p.record.number)?
            {
                None => fresh.push(p),
                Some(id) => {
                    let stored = self.registry.stored_licence(&id)?;
                    if p.record.matches(&stored) {
                        self.summary.present += 1;
                        self.observer.accepted(p.row, &id, true);
                    } else {
                        let e = taken(&p, id.as_ref());
                        self.reject(&[e]);
                    }
                }
            }
        }
        let requests: Vec<IssueRequest> = fresh
            .iter()
            .map(|p| IssueRequest::from_record(self.ty, p.record.clone(), &self.options.operator))
            .collect();
        let results = self.registry.issue_many(&requests)?;
        for (p, result) in fresh.iter().zip(results) {
            match result {
                Ok(issued) => {
                    self.summary.issued += 1;
                    self.observer.accepted(p.row, &issued.id, false);
                }
                Err(RegistryError::NumberTaken { id, .. }) => {
                    let e = taken(p, &id);
                    self.reject(&[e]);
                }
                Err(e) => {
                    let e = RowError {
                        row: p.row,
                        column: None,
                        rule: e.code().family().name().to_owned(),
                        value: None,
                        code: e.code(),
                        message: e.to_string(),
                    };
                    self.reject(&[e]);
                }
            }
        }
        Ok(())
    }
}

fn taken(p: &Pending, id: &str) -> RowError {
    let by = if id.is_empty() {
        "a licence being issued at the same time".to_owned()
    } else {
        format!("licence {id}")
    };
    RowError {
        row: p.row,
        column: p.number_column.clone(),
        rule: "number_taken".into(),
        value: Some(p.record.number.clone()),
        code: ErrorCode::NumberTaken,
        message: format!("证照编号 already belongs to {by}, with other content"),
    }
}
