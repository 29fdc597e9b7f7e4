//! `zhengzhao import-ofd`: sealed OFD licences issued by other platforms, verified and taken
//! into the registry so that the window lookup serves them (`Registry::import_ofd`).

use std::path::PathBuf;

use clap::Args;
use serde_json::{json, Value};
use zhengzhao_core::error::Family;
use zhengzhao_core::gbt36903::{self, Record};
use zhengzhao_core::pki::{Certificate, TrustAnchors};
use zhengzhao_core::{Coded, ErrorCode};
use zhengzhao_registry::OfdImport;

use crate::output::{self, out, Outcome};
use crate::store::{failure, Failure, Store};

#[derive(Args)]
#[command(after_help = "Examples:
  zhengzhao import-ofd 营业执照.ofd --anchors province-sm2-root.cer
  zhengzhao import-ofd *.ofd --anchors root.cer --certs signer.cer --json
  zhengzhao import-ofd 探矿权.ofd --anchors root.cer --fields 探矿权-items.json

Each file is verified (every signature, and the chains to --anchors) and read: the GB/T 36903
items it carries under its seals (custom data or custom tags), and what --fields supplies for the
rest (a JSON object of items by key or name: {\"ZZBS\": \"1.2.156.3005.2…\", \"证照编号\": \"…\"}).
Items outside the seals are not used; a supplied item that contradicts a sealed one is refused.
The lookup then answers with the file itself. Importing a file again changes nothing.

Exit codes: 0 every file imported or already present; 1 some refused or unreadable (each with
its code); 2 usage error, unusable certificates or fields, or the registry failed.")]
pub struct ImportOfdArgs {
    #[command(flatten)]
    store: Store,
    /// The sealed OFD files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Certificate file(s) (PEM or DER) with the issuing platform's root certificates.
    #[arg(long)]
    anchors: Vec<PathBuf>,
    /// Take the files on their signatures alone, without checking who sealed them (instead of
    /// --anchors).
    #[arg(long, conflicts_with = "anchors")]
    no_anchors: bool,
    /// Certificate file(s) (PEM or DER): the signer of a bare signature, intermediate CAs.
    #[arg(long)]
    certs: Vec<PathBuf>,
    /// A JSON object of GB/T 36903 items for what the files do not carry under their seals;
    /// the same items go with every file.
    #[arg(long, value_name = "FILE")]
    fields: Option<PathBuf>,
    /// Who imports (for the log).
    #[arg(long, default_value = "zhengzhao-import-ofd")]
    operator: String,
    /// Print the results as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(a: ImportOfdArgs) -> Outcome {
    match import(&a) {
        Ok(o) => o,
        Err((code, message)) => {
            output::report(code, &message, a.json);
            Outcome::Failed
        }
    }
}

fn read(path: &PathBuf) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| (ErrorCode::Io, format!("{}: {e}", path.display())))
}

fn certificates(paths: &[PathBuf]) -> Result<Vec<Certificate>, Failure> {
    let mut out = Vec::new();
    for p in paths {
        let certs = Certificate::parse_file(&read(p)?)
            .map_err(|e| (e.code(), format!("{}: {e}", p.display())))?;
        out.extend(certs);
    }
    Ok(out)
}

fn import(a: &ImportOfdArgs) -> Result<Outcome, Failure> {
    if a.anchors.is_empty() && !a.no_anchors {
        return Err((
            ErrorCode::Usage,
            "give --anchors with the issuing platform's root certificates, or --no-anchors to take the files on their signatures alone".into(),
        ));
    }
    let anchors = match a.anchors.as_slice() {
        [] => None,
        paths => Some(
            TrustAnchors::new(certificates(paths)?)
                .map_err(|e| (e.code(), format!("--anchors: {e}")))?,
        ),
    };
    let certs = certificates(&a.certs)?;
    let supplied: Record = match &a.fields {
        None => Record::new(),
        Some(p) => gbt36903::record_from_json(&read(p)?)
            .map_err(|e| (e.code(), format!("{}: {e}", p.display())))?,
    };
    let registry = a.store.open()?;
    let how = OfdImport {
        anchors: anchors.as_ref(),
        certificates: &certs,
        supplied,
        operator: a.operator.clone(),
    };
    let mut results = Vec::new();
    let (mut imported, mut present, mut refused) = (0, 0, 0);
    for path in &a.files {
        let file = path.display().to_string();
        // One file at a time: a folder of licences need not fit in memory, and a file that
        // cannot be read is refused alone.
        let outcome = match read(path) {
            Err(f) => Err(f),
            Ok(bytes) => match registry.import_ofd(&bytes, &how) {
                // The registry failing is not the file's fault: nothing after it is tried.
                Err(e) if e.code().family() == Family::Storage => return Err(failure(e)),
                r => r.map_err(failure),
            },
        };
        match outcome {
            Ok(i) => {
                let new = i.seq.is_some();
                if new {
                    imported += 1;
                } else {
                    present += 1;
                }
                if !a.json {
                    let what = if new { "imported" } else { "already present" };
                    let supplied = match i.read.supplied.as_slice() {
                        [] => String::new(),
                        keys => format!("; supplied: {}", keys.join(", ")),
                    };
                    out!("✓ {file}: {} {what}{supplied}", i.id);
                }
                results.push(json!({
                    "file": file, "id": i.id.to_string(), "imported": new, "seq": i.seq,
                    "supplied": i.read.supplied, "unsealed": i.read.unsealed,
                }));
            }
            Err((code, message)) => {
                refused += 1;
                if !a.json {
                    out!("✗ {file}: [{code}] {message}");
                }
                let mut r = output::error_json(code, &message);
                r["file"] = Value::String(file);
                results.push(r);
            }
        }
    }
    if a.json {
        output::json(&json!({
            "files": results, "imported": imported, "present": present, "refused": refused,
        }));
    } else {
        out!("{imported} imported, {present} already present, {refused} refused");
    }
    Ok(if refused == 0 {
        Outcome::Ok
    } else {
        Outcome::Invalid
    })
}
