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

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::ops::ControlFlow;
use std::sync::{mpsc, Mutex};

use serde::Serialize;
use zhengzhao_core::catalog::LicenceType;
use zhengzhao_core::error::{Coded, ErrorCode};
use zhengzhao_core::identifier::{LicenceId, TypeCode};
use zhengzhao_core::mapping::{Mapping, Record, Target};
use zhengzhao_core::records::{Format, Reader, Row, RowError};

use crate::error::RegistryError;
use crate::issue::IssueRequest;
use crate::registry::Registry;

/// Rows per batch by default: large enough that the per-batch costs (a log sync, starting the
/// signing threads) are small beside the rows' (a 1,000,000-row import took 6% less time than
/// with batches of 500), small enough to keep memory low with two batches in flight.
pub const DEFAULT_BATCH: usize = 2000;

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

/// A row of a batch: converted, or already rejected (kept in place so that the observer hears
/// of every row in file order).
enum Item {
    Pending(Pending),
    Rejected(Vec<RowError>),
}

/// How a row ended.
enum Outcome {
    Accepted {
        row: u64,
        id: LicenceId,
        present: bool,
    },
    Rejected(Vec<RowError>),
}

/// Rows cut from the file, to be issued together.
struct Batch {
    index: u64,
    /// How far into the file its last row ends.
    bytes: u64,
    items: Vec<Item>,
}

/// A batch issued (or the failure that stopped it).
struct Done {
    bytes: u64,
    outcomes: Result<Vec<Outcome>, RegistryError>,
}

/// Batches issued at the same time: while one waits for its write (and the sync of the
/// write-ahead log), the next is signed, so that no core waits for the disk or the writer.
const IN_FLIGHT: usize = 2;

impl Registry {
    /// Imports the rows of `source` as licences of `options.type_code` (its latest catalogue
    /// version). See the [module documentation](crate::import).
    ///
    /// The rows are read and converted on the calling thread, which also makes every call to
    /// `observer`, in file order; batches are issued on other threads, two at a time, so
    /// licences are not necessarily numbered in file order.
    ///
    /// The error is what stops the whole import: an unknown type, a mapping that does not fit
    /// the file's header, a file that cannot be read, a database failure. Everything written
    /// before it stays written (and is reported to `observer`), and running the import again
    /// continues from there.
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
        let size = options.batch.max(1);
        let (to_issue, queue) = mpsc::sync_channel::<Batch>(0);
        let queue = Mutex::new(queue);
        let (finished, done) = mpsc::channel::<(u64, Done)>();
        std::thread::scope(|scope| {
            for _ in 0..IN_FLIGHT {
                let finished = finished.clone();
                let queue = &queue;
                scope.spawn(move || loop {
                    // The lock is held only while waiting for the next batch.
                    let next = queue
                        .lock()
                        .map_err(|_| ())
                        .and_then(|q| q.recv().map_err(|_| ()));
                    let Ok(batch) = next else { return };
                    let outcomes = self.settle(ty, &options.operator, batch.items);
                    let done = Done {
                        bytes: batch.bytes,
                        outcomes,
                    };
                    if finished.send((batch.index, done)).is_err() {
                        return;
                    }
                });
            }
            drop(finished);
            let mut report = Report {
                observer,
                summary: Summary::default(),
                waiting: BTreeMap::new(),
                next: 0,
                stopped: false,
                failure: None,
            };
            let mut sent = 0u64;
            let read = (|| {
                // The first row of each number in this file: a second one is a duplicate.
                let mut seen: HashMap<String, u64> = HashMap::new();
                loop {
                    // At most one batch waits for a worker while two are issued: the observer
                    // hears of a batch soon after it ends, and a stop leaves at most two more.
                    while sent - report.next > IN_FLIGHT as u64 {
                        match done.recv() {
                            Ok((index, d)) => report.arrived(index, d),
                            Err(_) => return Err(stopped_workers()),
                        }
                    }
                    if report.stopped || report.failure.is_some() {
                        report.summary.interrupted = report.stopped;
                        return Ok(());
                    }
                    let mut items = Vec::with_capacity(size);
                    let mut end = false;
                    while items.len() < size {
                        let Some(row) = reader.next_row().map_err(zhengzhao_core::Error::from)?
                        else {
                            end = true;
                            break;
                        };
                        report.summary.rows += 1;
                        items.push(match row {
                            Err(e) => Item::Rejected(vec![e]),
                            Ok(row) => convert(ty, &options.mapping, &row, &mut seen),
                        });
                    }
                    if !items.is_empty() {
                        let batch = Batch {
                            index: sent,
                            bytes: reader.position(),
                            items,
                        };
                        to_issue.send(batch).map_err(|_| stopped_workers())?;
                        sent += 1;
                    }
                    if end {
                        return Ok(());
                    }
                }
            })();
            // What is in flight is written anyway: wait for it and report it.
            drop(to_issue);
            while report.next < sent {
                match done.recv() {
                    Ok((index, d)) => report.arrived(index, d),
                    Err(_) => break,
                }
            }
            read?;
            if let Some(e) = report.failure {
                return Err(e);
            }
            Ok(report.summary)
        })
    }

    /// Issues a batch: rows already present are counted, the others issued in one write.
    fn settle(
        &self,
        ty: &LicenceType,
        operator: &str,
        items: Vec<Item>,
    ) -> Result<Vec<Outcome>, RegistryError> {
        let mut outcomes = Vec::with_capacity(items.len());
        // Rows to issue: their place in `outcomes`, and what their errors need.
        let mut fresh: Vec<(usize, u64, Option<String>, String)> = Vec::new();
        let mut requests = Vec::new();
        for item in items {
            let p = match item {
                Item::Rejected(errors) => {
                    outcomes.push(Outcome::Rejected(errors));
                    continue;
                }
                Item::Pending(p) => p,
            };
            let outcome = match self.licence_by_number(&ty.code, &p.record.number)? {
                None => {
                    fresh.push((
                        outcomes.len(),
                        p.row,
                        p.number_column,
                        p.record.number.clone(),
                    ));
                    requests.push(IssueRequest::from_record(ty, p.record, operator));
                    Outcome::Rejected(Vec::new())
                }
                Some(id) => {
                    let stored = self.stored_licence(&id)?;
                    if p.record.matches(&stored) {
                        Outcome::Accepted {
                            row: p.row,
                            id,
                            present: true,
                        }
                    } else {
                        let e = taken(p.row, p.number_column, &p.record.number, id.as_ref());
                        Outcome::Rejected(vec![e])
                    }
                }
            };
            outcomes.push(outcome);
        }
        let results = self.issue_many(&requests)?;
        for ((at, row, column, number), result) in fresh.into_iter().zip(results) {
            outcomes[at] = match result {
                Ok(issued) => Outcome::Accepted {
                    row,
                    id: issued.id,
                    present: false,
                },
                Err(RegistryError::NumberTaken { id, .. }) => {
                    Outcome::Rejected(vec![taken(row, column, &number, &id)])
                }
                Err(e) => Outcome::Rejected(vec![RowError {
                    row,
                    column: None,
                    rule: e.code().family().name().to_owned(),
                    value: None,
                    code: e.code(),
                    message: e.to_string(),
                }]),
            };
        }
        Ok(outcomes)
    }
}

/// The row converted for its batch, or its errors.
fn convert(
    ty: &LicenceType,
    mapping: &Mapping,
    row: &Row,
    seen: &mut HashMap<String, u64>,
) -> Item {
    let record = match mapping.apply(ty, row) {
        Ok(r) => r,
        Err(errors) => return Item::Rejected(errors),
    };
    let number_column = mapping.column(row, Target::Number).map(str::to_owned);
    if let Some(first) = seen.get(&record.number) {
        return Item::Rejected(vec![RowError {
            row: row.row,
            column: number_column,
            rule: "duplicate".into(),
            value: Some(record.number.clone()),
            code: ErrorCode::ImportRow,
            message: format!("证照编号 repeats row {first}: a licence is imported once"),
        }]);
    }
    seen.insert(record.number.clone(), row.row);
    Item::Pending(Pending {
        row: row.row,
        number_column,
        record,
    })
}

/// Tells the observer how the batches ended, in file order, whatever order they end in.
struct Report<'o> {
    observer: &'o mut dyn Observer,
    summary: Summary,
    /// Batches that ended before one ahead of them.
    waiting: BTreeMap<u64, Done>,
    /// The batch to report next.
    next: u64,
    /// Whether the observer asked to stop.
    stopped: bool,
    /// The first failure of a batch (its rows are not reported: they were not written).
    failure: Option<RegistryError>,
}

impl Report<'_> {
    fn arrived(&mut self, index: u64, done: Done) {
        self.waiting.insert(index, done);
        while let Some(d) = self.waiting.remove(&self.next) {
            self.next += 1;
            let outcomes = match d.outcomes {
                Ok(o) => o,
                Err(e) => {
                    self.failure.get_or_insert(e);
                    continue;
                }
            };
            for o in outcomes {
                match o {
                    Outcome::Accepted { row, id, present } => {
                        if present {
                            self.summary.present += 1;
                        } else {
                            self.summary.issued += 1;
                        }
                        self.observer.accepted(row, &id, present);
                    }
                    Outcome::Rejected(errors) => {
                        self.summary.rejected += 1;
                        for e in &errors {
                            self.observer.rejected(e);
                        }
                    }
                }
            }
            self.summary.bytes = self.summary.bytes.max(d.bytes);
            if !self.stopped && self.failure.is_none() {
                self.stopped = self.observer.progress(&self.summary).is_break();
            }
        }
    }
}

/// Both workers ended before the import did: only a panic does that, and it is passed on.
fn stopped_workers() -> RegistryError {
    RegistryError::Database("the import's workers stopped".into())
}

fn taken(row: u64, column: Option<String>, number: &str, id: &str) -> RowError {
    let by = if id.is_empty() {
        "a licence being issued at the same time".to_owned()
    } else {
        format!("licence {id}")
    };
    RowError {
        row,
        column,
        rule: "number_taken".into(),
        value: Some(number.to_owned()),
        code: ErrorCode::NumberTaken,
        message: format!("证照编号 already belongs to {by}, with other content"),
    }
}
