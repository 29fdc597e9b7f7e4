//! The registry commands: `init`, `issue`, `status`, the lifecycle steps (`suspend`, `resume`,
//! `revoke`, `withdraw`, `cancel`, `transfer-out`), `change`, `renew` and `bundle`.

use std::path::PathBuf;

use clap::Args;
use serde_json::{json, Value};
use zhengzhao_core::identifier::LicenceId;
use zhengzhao_core::licence::{Licence, Validity};
use zhengzhao_core::{Coded, ErrorCode};
use zhengzhao_registry::{Cause, IssueRequest, Issued, Registry, Step};

use crate::output::{self, out, Outcome};
use crate::store::{failure, read_input, time_arg, Failure, Store};

/// Runs a command body and reports its failure.
pub fn finish(result: Result<(), Failure>, json: bool) -> Outcome {
    match result {
        Ok(()) => Outcome::Ok,
        Err((code, message)) => {
            output::report(code, &message, json);
            match code {
                ErrorCode::SchemaViolation | ErrorCode::IllegalTransition => Outcome::Invalid,
                _ => Outcome::Failed,
            }
        }
    }
}

#[derive(Args)]
#[command(
    after_help = "Example:\n  zhengzhao init --data ./xihu-registry --origin zzk.xihu.example/registry"
)]
pub struct InitArgs {
    #[command(flatten)]
    store: Store,
    /// The log's origin, the first line of its checkpoints (default: zhengzhao/<log key ID>).
    #[arg(long)]
    origin: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn init(a: InitArgs) -> Outcome {
    let r = (|| {
        let mut o = a.store.options()?;
        if let Some(origin) = &a.origin {
            o = o.log_origin(origin.clone());
        }
        let r = Registry::create(&a.store.data, o).map_err(failure)?;
        let vkey = r.log_vkey().map_err(failure)?;
        if a.json {
            output::json(
                &json!({ "data": a.store.data.display().to_string(), "origin": r.log_origin(), "vkey": vkey }),
            );
        } else {
            out!("created a registry in {}", a.store.data.display());
            out!("log origin: {}", r.log_origin());
            out!("log verifier key (give it to auditors): {vkey}");
        }
        Ok(())
    })();
    finish(r, a.json)
}

#[derive(Args)]
#[command(
    after_help = "Examples:\n  zhengzhao issue licence.json --authority ./ca --operator 张科员\n  zhengzhao issue licences.json --json      (a JSON array: issued together)\n\nThe input is GB/T 36903 licence JSON (see test-vectors/licences/); its identifier and status\nare ignored: the registry allocates the identifier (a new serial of the issuer, version 001)."
)]
pub struct IssueArgs {
    #[command(flatten)]
    store: Store,
    /// The licence JSON, a JSON array of licences, or `-` for standard input.
    file: PathBuf,
    /// Who issues (for the log).
    #[arg(long, default_value = "zhengzhao-cli")]
    operator: String,
    /// Write the signed documents into this folder, as <identifier>.json.
    #[arg(long)]
    out_dir: Option<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

fn licences_of(bytes: &[u8]) -> Result<Vec<Licence>, Failure> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| (ErrorCode::Json, "the input is not UTF-8".to_owned()))?;
    if text.trim_start().starts_with('[') {
        let items: Vec<Value> = serde_json::from_str(text).map_err(|e| {
            (
                ErrorCode::Json,
                format!("the input is not a JSON array: {e}"),
            )
        })?;
        items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                Licence::from_json(&v.to_string())
                    .map_err(|e| (e.code(), format!("licence {}: {e}", i + 1)))
            })
            .collect()
    } else {
        Ok(vec![Licence::from_json(text).map_err(failure)?])
    }
}

fn write_out(dir: &Option<PathBuf>, issued: &Issued) -> Result<Option<String>, Failure> {
    let Some(dir) = dir else { return Ok(None) };
    std::fs::create_dir_all(dir).map_err(|e| (ErrorCode::Io, format!("{}: {e}", dir.display())))?;
    let path = dir.join(format!("{}.json", issued.id));
    std::fs::write(&path, &issued.document)
        .map_err(|e| (ErrorCode::Io, format!("{}: {e}", path.display())))?;
    Ok(Some(path.display().to_string()))
}

pub fn issue(a: IssueArgs) -> Outcome {
    let mut failed = false;
    let r = (|| {
        let licences = licences_of(&read_input(&a.file)?)?;
        let reg = a.store.open()?;
        let requests: Vec<IssueRequest> = licences
            .iter()
            .map(|l| IssueRequest::from_licence(l, &a.operator))
            .collect();
        let results = reg.issue_many(&requests).map_err(failure)?;
        let mut rows = Vec::new();
        for (i, r) in results.iter().enumerate() {
            match r {
                Ok(issued) => {
                    let file = write_out(&a.out_dir, issued)?;
                    if !a.json {
                        out!(
                            "issued {}{}",
                            issued.id,
                            file.as_ref().map(|f| format!(" → {f}")).unwrap_or_default()
                        );
                    }
                    rows.push(
                        json!({ "id": issued.id.to_string(), "seq": issued.seq, "file": file }),
                    );
                }
                Err(e) => {
                    failed = true;
                    let (code, message) = (e.code(), e.to_string());
                    if !a.json {
                        output::report(code, &format!("licence {}: {message}", i + 1), false);
                    }
                    rows.push(json!({ "error": output::error_json(code, &message) }));
                }
            }
        }
        if a.json {
            output::json(&Value::Array(rows));
        }
        Ok(())
    })();
    match finish(r, a.json) {
        Outcome::Ok if failed => Outcome::Invalid,
        o => o,
    }
}

/// Who takes a lifecycle step and why: both go to the log.
#[derive(Args)]
pub struct CauseArgs {
    /// Who takes the step (for the log).
    #[arg(long)]
    operator: String,
    /// Why (e.g. the decision's document number).
    #[arg(long, default_value = "")]
    reason: String,
}

impl CauseArgs {
    fn cause(&self) -> Cause {
        Cause::new(&self.operator, &self.reason)
    }
}

fn parse_id(text: &str) -> Result<LicenceId, Failure> {
    LicenceId::parse(text.trim()).map_err(failure)
}

#[derive(Args)]
#[command(after_help = "Example:\n  zhengzhao status 1.2.156.3005.2.…001.F --json")]
pub struct StatusArgs {
    #[command(flatten)]
    store: Store,
    /// The licence identifier (电子证照标识).
    id: String,
    /// Judge expiry at this time (RFC 3339 or yyyy-MM-dd; default now).
    #[arg(long)]
    at: Option<String>,
    /// Print the status as JSON.
    #[arg(long)]
    json: bool,
}

pub fn status(a: StatusArgs) -> Outcome {
    let r = (|| {
        let id = parse_id(&a.id)?;
        let at = time_arg("--at", a.at.as_deref())?;
        let reg = a.store.open()?;
        let rec = reg.status_record(&id).map_err(failure)?;
        let now = reg.status_at(&id, at).map_err(failure)?;
        let until = rec.valid_until.map(zhengzhao_core::date::format);
        if a.json {
            output::json(&json!({
                "id": id.to_string(),
                "status": now.label(),
                "code": now.external_code(),
                "stored": rec.state.label(),
                "since": rec.since.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
                "validFrom": zhengzhao_core::date::format(rec.valid_from),
                "validUntil": until,
                "successor": rec.successor,
                "reason": rec.reason,
            }));
        } else {
            out!("{id}");
            out!("  status:   {} ({})", now.label(), now.external_code());
            out!(
                "  validity: {} – {}",
                rec.valid_from,
                until.as_deref().unwrap_or("长期有效")
            );
            if let Some(s) = &rec.successor {
                out!("  superseded by {s}");
            }
            if !rec.reason.is_empty() {
                out!("  reason:   {}", rec.reason);
            }
        }
        Ok(())
    })();
    finish(r, a.json)
}

#[derive(Args)]
#[command(
    after_help = "Example:\n  zhengzhao revoke 1.2.156.3005.2.…001.F --operator 张科长 --reason '杭西市监罚〔2025〕12号'"
)]
pub struct StepArgs {
    #[command(flatten)]
    store: Store,
    /// The licence identifier (电子证照标识).
    id: String,
    #[command(flatten)]
    cause: CauseArgs,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn step(step: Step, a: StepArgs) -> Outcome {
    let r = (|| {
        let id = parse_id(&a.id)?;
        let reg = a.store.open()?;
        let seq = reg
            .transition(&id, step, &a.cause.cause())
            .map_err(failure)?;
        let status = reg.status(&id).map_err(failure)?;
        if a.json {
            output::json(
                &json!({ "id": id.to_string(), "step": step.name(), "status": status.label(), "seq": seq }),
            );
        } else {
            out!("{id}: {} → {}", step.name(), status.label());
        }
        Ok(())
    })();
    finish(r, a.json)
}

#[derive(Args)]
#[command(
    after_help = "Example:\n  zhengzhao change 1.2.156.3005.2.…001.F changed.json --authority ./ca --operator 张科员 --reason 变更法定代表人"
)]
pub struct ChangeArgs {
    #[command(flatten)]
    store: Store,
    /// The licence identifier of the version to change.
    id: String,
    /// The new content (licence JSON, same type and issuer).
    file: PathBuf,
    #[command(flatten)]
    cause: CauseArgs,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

fn print_version(kind: &str, old: &LicenceId, issued: &Issued, json: bool) {
    if json {
        output::json(
            &json!({ "kind": kind, "previous": old.to_string(), "id": issued.id.to_string(), "seq": issued.seq }),
        );
    } else {
        out!("{old} → {} ({kind})", issued.id);
    }
}

pub fn change(a: ChangeArgs) -> Outcome {
    let r = (|| {
        let id = parse_id(&a.id)?;
        let licence = Licence::from_json(
            std::str::from_utf8(&read_input(&a.file)?)
                .map_err(|_| (ErrorCode::Json, "the input is not UTF-8".to_owned()))?,
        )
        .map_err(failure)?;
        let reg = a.store.open()?;
        let issued = reg
            .change(
                &id,
                &IssueRequest::from_licence(&licence, &a.cause.operator),
                &a.cause.cause(),
            )
            .map_err(failure)?;
        print_version("change", &id, &issued, a.json);
        Ok(())
    })();
    finish(r, a.json)
}

#[derive(Args)]
#[command(
    after_help = "Example:\n  zhengzhao renew 1.2.156.3005.2.…001.F --until 2031-06-30 --authority ./ca --operator 张科员"
)]
pub struct RenewArgs {
    #[command(flatten)]
    store: Store,
    /// The licence identifier of the version to renew.
    id: String,
    /// The new 有效期起始 (yyyy-MM-dd; default: the current start).
    #[arg(long)]
    from: Option<String>,
    /// The new 有效期截止 (yyyy-MM-dd), after the current end.
    #[arg(long)]
    until: String,
    #[command(flatten)]
    cause: CauseArgs,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

fn date_arg(name: &str, v: &str) -> Result<time::Date, Failure> {
    zhengzhao_core::date::parse(v.trim()).ok_or_else(|| {
        (
            ErrorCode::Usage,
            format!("{name} '{v}' is not a date (yyyy-MM-dd)"),
        )
    })
}

pub fn renew(a: RenewArgs) -> Outcome {
    let r = (|| {
        let id = parse_id(&a.id)?;
        let until = date_arg("--until", &a.until)?;
        let reg = a.store.open()?;
        let from = match &a.from {
            Some(f) => date_arg("--from", f)?,
            None => reg.status_record(&id).map_err(failure)?.valid_from,
        };
        let validity = Validity {
            from,
            until: Some(until),
        };
        let issued = reg
            .renew(&id, validity, &a.cause.cause())
            .map_err(failure)?;
        print_version("renew", &id, &issued, a.json);
        Ok(())
    })();
    finish(r, a.json)
}

#[derive(Args)]
#[command(
    after_help = "Example:\n  zhengzhao bundle 1.2.156.3005.2.…001.F 1.2.156.3005.2.…001.K --authority ./ca --out audit.json\n  zhengzhao verify audit.json --anchors ./ca/root.pem"
)]
pub struct BundleArgs {
    #[command(flatten)]
    store: Store,
    /// The licence identifiers.
    #[arg(required = true)]
    ids: Vec<String>,
    /// Where to write the bundle.
    #[arg(long)]
    out: PathBuf,
    /// Print a JSON summary.
    #[arg(long)]
    json: bool,
}

pub fn bundle(a: BundleArgs) -> Outcome {
    let r = (|| {
        let ids = a
            .ids
            .iter()
            .map(|i| parse_id(i))
            .collect::<Result<Vec<_>, _>>()?;
        let reg = a.store.open()?;
        let b = reg
            .bundle(&ids, time::OffsetDateTime::now_utc())
            .map_err(failure)?;
        std::fs::write(&a.out, b.to_json())
            .map_err(|e| (ErrorCode::Io, format!("{}: {e}", a.out.display())))?;
        if a.json {
            output::json(&json!({
                "out": a.out.display().to_string(),
                "licences": b.licences.len(),
                "certificates": b.certificates.len(),
                "statusLists": b.status_lists.len(),
            }));
        } else {
            out!(
                "wrote {} ({} licences, {} certificates, {} status lists)",
                a.out.display(),
                b.licences.len(),
                b.certificates.len(),
                b.status_lists.len()
            );
        }
        Ok(())
    })();
    finish(r, a.json)
}
