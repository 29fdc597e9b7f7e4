//! `zhengzhao check`: the registry's integrity check.

use clap::Args;
use serde_json::json;

use crate::output::{self, out, Outcome};
use crate::store::{failure, Store};

#[derive(Args)]
#[command(after_help = "Examples:
  zhengzhao check --data /srv/zhengzhao/registry
  zhengzhao check --json | jq '.problems[] | .kind'

Walks every licence, index entry and log event: documents parse and verify with their signing
certificate, indexes and licences point at each other, statuses agree with the status lists, the
log's tree and latest signed checkpoint match its events. It reads and never repairs.

Exit codes: 0 no problem; 1 problems found (each listed); 2 the check could not run.")]
pub struct CheckArgs {
    #[command(flatten)]
    store: Store,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(a: CheckArgs) -> Outcome {
    let report = a.store.open().and_then(|r| r.check().map_err(failure));
    match report {
        Err((code, message)) => {
            output::report(code, &message, a.json);
            Outcome::Failed
        }
        Ok(report) => {
            if a.json {
                output::json(&json!({ "ok": report.ok(), "report": report }));
            } else {
                for p in &report.problems {
                    out!("✗ [{}] {}: {}", p.kind, p.at, p.message);
                }
                out!(
                    "{}: {} licences, {} index entries, {} log events (checkpoint: {}): {} problem(s)",
                    a.store.data.display(),
                    report.licences,
                    report.index_entries,
                    report.log_size,
                    report.checkpoint_size.map_or("none".to_owned(), |s| format!("{s} events")),
                    report.problems.len()
                );
            }
            if report.ok() {
                Outcome::Ok
            } else {
                Outcome::Invalid
            }
        }
    }
}
