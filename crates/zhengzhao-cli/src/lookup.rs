//! `zhengzhao lookup`: a window request (用证) — for one holder and the licence types of a
//! service item's materials, the current Valid licences or why not. Every lookup is logged.

use std::path::PathBuf;

use base64::Engine as _;
use clap::Args;
use serde_json::json;
use zhengzhao_registry::{Answer, DocumentFormat, UseContext, WindowRequest};

use crate::output::{self, out, Outcome};
use crate::registry::finish;
use crate::store::{failure, Failure, Store};

#[derive(Args)]
#[command(
    after_help = "Example:\n  zhengzhao lookup --holder 330106199001011234 --types 11100000MB0143028R001,11100000000013338W032 \\\n      --org 11330106MB1742305K --operator 王五 --item 330000-000201-001 --case 2025-XH-000123 \\\n      --reason '办理食品经营许可：核验营业执照' --out-dir ./materials\n\nExit codes: 0 every type answered with a licence; 1 some refused (each with its reason); 2 error."
)]
pub struct LookupArgs {
    #[command(flatten)]
    store: Store,
    /// 持证主体代码: the holder's 公民身份号码, 统一社会信用代码 or other code.
    #[arg(long)]
    holder: String,
    /// 持证主体代码类型: 111 公民身份号码, 001 统一社会信用代码, 099 other.
    #[arg(long, default_value = "111")]
    holder_type: String,
    /// The licence type codes of the materials, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    types: Vec<String>,
    /// The using organisation's 统一社会信用代码.
    #[arg(long)]
    org: String,
    /// The operator at the window.
    #[arg(long)]
    operator: String,
    /// The service item's code (事项编码).
    #[arg(long)]
    item: String,
    /// The case number (办件编号).
    #[arg(long)]
    case: String,
    /// The use reason (1–200 characters).
    #[arg(long)]
    reason: String,
    /// The reference of the holder's consent, for types that require it.
    #[arg(long)]
    consent: Option<String>,
    /// Write each licence given into this folder, as <identifier>.json (or .ofd for an
    /// imported OFD licence).
    #[arg(long)]
    out_dir: Option<PathBuf>,
    /// Print the answers as JSON (licences included as documents, OFD files in base64).
    #[arg(long)]
    json: bool,
}

pub fn run(a: LookupArgs) -> Outcome {
    let mut refused = false;
    let r = (|| -> Result<(), Failure> {
        let reg = a.store.open()?;
        let request = WindowRequest {
            holder_code_type: a.holder_type.clone(),
            holder_code: a.holder.clone(),
            types: a.types.clone(),
            context: UseContext {
                org: a.org.clone(),
                operator: a.operator.clone(),
                item: a.item.clone(),
                case: a.case.clone(),
                reason: a.reason.clone(),
                consent: a.consent.clone(),
            },
        };
        let answers = reg.lookup(&request).map_err(failure)?;
        let mut rows = Vec::new();
        for answer in &answers {
            let name = reg
                .catalog()
                .get(answer.type_code())
                .map_or("", |t| t.name.as_str());
            match answer {
                Answer::Licence {
                    type_code,
                    id,
                    document,
                } => {
                    let format = DocumentFormat::of(document);
                    if let Some(dir) = &a.out_dir {
                        std::fs::create_dir_all(dir).map_err(|e| {
                            (
                                zhengzhao_core::ErrorCode::Io,
                                format!("{}: {e}", dir.display()),
                            )
                        })?;
                        let extension = match format {
                            DocumentFormat::Vc => "json",
                            DocumentFormat::Ofd => "ofd",
                        };
                        let path = dir.join(format!("{id}.{extension}"));
                        std::fs::write(&path, document).map_err(|e| {
                            (
                                zhengzhao_core::ErrorCode::Io,
                                format!("{}: {e}", path.display()),
                            )
                        })?;
                    }
                    // A credential is included as JSON, an OFD file as base64.
                    let doc = match format {
                        DocumentFormat::Vc => serde_json::from_slice(document).map_err(|e| {
                            (zhengzhao_core::ErrorCode::StorageCorrupt, e.to_string())
                        })?,
                        DocumentFormat::Ofd => serde_json::Value::String(
                            base64::engine::general_purpose::STANDARD.encode(document),
                        ),
                    };
                    rows.push(json!({ "type": type_code.to_string(), "name": name, "answer": "valid", "id": id.to_string(), "format": format.name(), "document": doc }));
                    if !a.json {
                        let form = match format {
                            DocumentFormat::Vc => "",
                            DocumentFormat::Ofd => " (OFD)",
                        };
                        out!("✓ {name} ({type_code}): {id}{form} — 免提交");
                    }
                }
                Answer::Refused {
                    type_code,
                    reason,
                    id,
                } => {
                    refused = true;
                    rows.push(json!({ "type": type_code.to_string(), "name": name, "answer": reason.name(), "id": id.as_ref().map(|i| i.to_string()) }));
                    if !a.json {
                        let about = id.as_ref().map(|i| format!(" ({i})")).unwrap_or_default();
                        out!(
                            "✗ {name} ({type_code}): {}{about} — 需提交纸质材料",
                            reason.name()
                        );
                    }
                }
            }
        }
        if a.json {
            output::json(&json!({ "answers": rows }));
        }
        Ok(())
    })();
    match finish(r, a.json) {
        Outcome::Ok if refused => Outcome::Invalid,
        o => o,
    }
}
