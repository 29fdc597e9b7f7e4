//! `zhengzhao log checkpoint|vkey|prove|verify`: the usage log's signed checkpoints and Merkle
//! proofs. `verify` runs offline, with nothing but the log's verifier key.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde_json::{json, Value};
use zhengzhao_core::checkpoint::{Checkpoint, Verifier};
use zhengzhao_core::merkle::{ConsistencyProof, InclusionProof};
use zhengzhao_core::{Coded, ErrorCode};

use crate::output::{self, out, Outcome};
use crate::registry::finish;
use crate::store::{failure, read_input, Failure, Store};

#[derive(Subcommand)]
pub enum LogCommand {
    /// Sign a checkpoint of the log as it is now and print it (a C2SP signed note).
    #[command(after_help = "Example:\n  zhengzhao log checkpoint --out checkpoint.txt")]
    Checkpoint {
        #[command(flatten)]
        store: Store,
        /// Also write the note to this file.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print origin, size, root and note as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Take a window process's use journal into the log (run by the writer, on a timer).
    #[command(
        after_help = "Example:\n  zhengzhao log ingest --from /var/lib/zhengzhao/window-1\n\nA window process that opened the registry as a read-only secondary journals its uses in its\nown folder; this appends them to the log, each exactly once."
    )]
    Ingest {
        #[command(flatten)]
        store: Store,
        /// The secondary's folder.
        #[arg(long)]
        from: std::path::PathBuf,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the log's verifier key, for auditors.
    #[command(
        after_help = "Example:\n  zhengzhao log vkey > log.vkey      (publish it: auditors check checkpoints with it)"
    )]
    Vkey {
        #[command(flatten)]
        store: Store,
        /// Print it as JSON, with the log's origin.
        #[arg(long)]
        json: bool,
    },
    /// Prove that an event is in the log (inclusion), or that an older log is a prefix of the
    /// current one (consistency, with --from).
    #[command(
        after_help = "Examples:\n  zhengzhao log prove 41 --size 120 > proof.json      (event 41 in the tree of 120 events)\n  zhengzhao log prove --from 100 --size 120 > consistency.json"
    )]
    Prove {
        #[command(flatten)]
        store: Store,
        /// The event's sequence number.
        #[arg(required_unless_present = "from")]
        seq: Option<u64>,
        /// The older tree size, for a consistency proof.
        #[arg(long, conflicts_with = "seq")]
        from: Option<u64>,
        /// The tree size to prove against (default: the whole log).
        #[arg(long)]
        size: Option<u64>,
    },
    /// Verify a checkpoint, and a proof against it, offline.
    #[command(
        after_help = "Examples:\n  zhengzhao log verify --vkey \"$(cat log.vkey)\" --checkpoint checkpoint.txt --proof proof.json\n  zhengzhao log verify --vkey … --checkpoint new.txt --old-checkpoint old.txt --proof consistency.json\n\nExit codes: 0 verified; 1 not verified (with its code); 2 usage or input error."
    )]
    Verify {
        /// The log's verifier key (`<origin>+<key ID>+<key>`, from `zhengzhao log vkey`).
        #[arg(long)]
        vkey: String,
        /// The signed checkpoint.
        #[arg(long)]
        checkpoint: PathBuf,
        /// A proof made by `zhengzhao log prove`.
        #[arg(long)]
        proof: Option<PathBuf>,
        /// The older checkpoint, for a consistency proof.
        #[arg(long)]
        old_checkpoint: Option<PathBuf>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

fn checkpoint_json(cp: &Checkpoint) -> Value {
    use base64::Engine;
    json!({
        "origin": cp.origin,
        "size": cp.size,
        "root": base64::engine::general_purpose::STANDARD.encode(cp.root),
    })
}

pub fn run(c: LogCommand) -> Outcome {
    match c {
        LogCommand::Checkpoint {
            store,
            out: file,
            json,
        } => {
            let r = (|| {
                let reg = store.open()?;
                let note = reg.checkpoint().map_err(failure)?;
                if let Some(path) = &file {
                    std::fs::write(path, &note)
                        .map_err(|e| (ErrorCode::Io, format!("{}: {e}", path.display())))?;
                }
                if json {
                    let cp = Checkpoint::open(&note, &[reg.log_verifier().map_err(failure)?])
                        .map_err(failure)?;
                    let mut v = checkpoint_json(&cp);
                    v["note"] = json!(note);
                    output::json(&v);
                } else {
                    out!("{}", note.trim_end());
                }
                Ok(())
            })();
            finish(r, json)
        }
        LogCommand::Ingest { store, from, json } => {
            let r = (|| {
                let reg = store.open()?;
                let n = reg.ingest_uses(&from).map_err(failure)?;
                if json {
                    output::json(&json!({ "ingested": n, "log_size": reg.log_len() }));
                } else {
                    out!(
                        "took {n} use event(s) into the log ({} events)",
                        reg.log_len()
                    );
                }
                Ok(())
            })();
            finish(r, json)
        }
        LogCommand::Vkey { store, json } => finish(
            (|| {
                let reg = store.open()?;
                let vkey = reg.log_vkey().map_err(failure)?;
                if json {
                    output::json(&json!({ "vkey": vkey, "origin": reg.log_origin() }));
                } else {
                    out!("{vkey}");
                }
                Ok(())
            })(),
            json,
        ),
        LogCommand::Prove {
            store,
            seq,
            from,
            size,
        } => finish(
            (|| {
                let reg = store.open()?;
                let size = size.unwrap_or_else(|| reg.log_len());
                let v = match (seq, from) {
                    (Some(seq), _) => {
                        let proof = reg.inclusion_proof(seq, size).map_err(failure)?;
                        let (_, event) = reg
                            .events(seq, seq + 1)
                            .map_err(failure)?
                            .pop()
                            .ok_or((ErrorCode::LogRange, format!("no event {seq}")))?;
                        let event = String::from_utf8(event).map_err(|_| {
                            (
                                ErrorCode::StorageCorrupt,
                                format!("event {seq} is not UTF-8"),
                            )
                        })?;
                        json!({ "event": event, "inclusion": proof })
                    }
                    (None, Some(from)) => {
                        json!({ "consistency": reg.consistency_proof(from, size).map_err(failure)? })
                    }
                    (None, None) => unreachable!("clap requires one of them"),
                };
                output::json(&v);
                Ok(())
            })(),
            false,
        ),
        LogCommand::Verify {
            vkey,
            checkpoint,
            proof,
            old_checkpoint,
            json,
        } => {
            let result = verify(
                &vkey,
                &checkpoint,
                proof.as_deref(),
                old_checkpoint.as_deref(),
            );
            match result {
                Ok(Ok(v)) => {
                    if json {
                        output::json(&v);
                    } else {
                        out!("verified: {}", v["verified"].as_str().unwrap_or(""));
                    }
                    Outcome::Ok
                }
                Ok(Err((code, message))) => {
                    output::report(code, &message, json);
                    Outcome::Invalid
                }
                Err((code, message)) => {
                    output::report(code, &message, json);
                    Outcome::Failed
                }
            }
        }
    }
}

fn read_text(path: &Path) -> Result<String, Failure> {
    String::from_utf8(read_input(path)?)
        .map_err(|_| (ErrorCode::Io, format!("{}: not UTF-8 text", path.display())))
}

/// The outer error is an input error (exit 2); the inner one a failed check (exit 1).
fn verify(
    vkey: &str,
    checkpoint: &Path,
    proof: Option<&Path>,
    old_checkpoint: Option<&Path>,
) -> Result<Result<Value, Failure>, Failure> {
    let verifier = Verifier::from_vkey(vkey.trim()).map_err(failure)?;
    let open = |path: &Path| -> Result<Result<Checkpoint, Failure>, Failure> {
        let note = read_text(path)?;
        Ok(
            Checkpoint::open_from(&note, verifier.name(), std::slice::from_ref(&verifier))
                .map_err(|e| (e.code(), format!("{}: {e}", path.display()))),
        )
    };
    let cp = match open(checkpoint)? {
        Ok(cp) => cp,
        Err(e) => return Ok(Err(e)),
    };
    let Some(proof) = proof else {
        return Ok(Ok(
            json!({ "verified": "checkpoint", "checkpoint": checkpoint_json(&cp) }),
        ));
    };
    let doc: Value = serde_json::from_slice(&read_input(proof)?).map_err(|e| {
        (
            ErrorCode::LogProofMalformed,
            format!("{}: {e}", proof.display()),
        )
    })?;
    let malformed = |e: &dyn std::fmt::Display| {
        (
            ErrorCode::LogProofMalformed,
            format!("{}: {e}", proof.display()),
        )
    };
    if let Some(inc) = doc.get("inclusion") {
        let p: InclusionProof = serde_json::from_value(inc.clone()).map_err(|e| malformed(&e))?;
        let event = doc
            .get("event")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed(&"no \"event\" text beside the inclusion proof"))?;
        return Ok(cp
            .verify_inclusion(&p, event.as_bytes())
            .map(|()| json!({ "verified": format!("event {} is in the log of {} events", p.leaf_index, cp.size), "checkpoint": checkpoint_json(&cp), "event": serde_json::from_str::<Value>(event).unwrap_or(Value::Null) }))
            .map_err(failure));
    }
    if let Some(con) = doc.get("consistency") {
        let p: ConsistencyProof = serde_json::from_value(con.clone()).map_err(|e| malformed(&e))?;
        let old_path = old_checkpoint.ok_or((
            ErrorCode::Usage,
            "a consistency proof needs --old-checkpoint".to_owned(),
        ))?;
        let old = match open(old_path)? {
            Ok(cp) => cp,
            Err(e) => return Ok(Err(e)),
        };
        return Ok(cp
            .verify_consistency(&old, &p)
            .map(|()| json!({ "verified": format!("the log of {} events extends the log of {}", cp.size, old.size), "checkpoint": checkpoint_json(&cp), "old": checkpoint_json(&old) }))
            .map_err(failure));
    }
    Err(malformed(
        &"neither an \"inclusion\" nor a \"consistency\" proof",
    ))
}
