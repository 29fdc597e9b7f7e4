//! `zhengzhao id`: check and make licence identifiers.

use clap::Subcommand;
use serde_json::json;
use zhengzhao_core::catalog::Catalog;
use zhengzhao_core::identifier::{IdError, LicenceId, Strictness, TypeCode};
use zhengzhao_core::Coded;

use crate::output::{self, out, Outcome};

#[derive(Subcommand)]
pub enum IdCommand {
    /// Check an identifier: its segments, its codes and its check character.
    #[command(
        after_help = "Examples:\n  zhengzhao id check 1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F\n  zhengzhao id check --lenient 1.2.156.3005.2.11100000000013338W032.220100.12345.001.X --json"
    )]
    Check {
        /// The identifier, e.g. 1.2.156.3005.2.<type>.<issuer>.<serial>.<version>.<check>.
        id: String,
        /// Accept legacy identifiers (issuer 行政区划代码, codes failing GB 32100, short serials), with warnings.
        #[arg(long)]
        lenient: bool,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Make an identifier from its parts, computing the check character.
    #[command(
        after_help = "Example:\n  zhengzhao id new --type 11100000000013338W011 --issuer 11430000006122244L --serial 20230000403"
    )]
    New {
        /// The licence type code (21 characters).
        #[arg(long = "type")]
        type_code: String,
        /// The issuer's 统一社会信用代码.
        #[arg(long)]
        issuer: String,
        /// The serial: 7–32 characters of 0-9 A-Z.
        #[arg(long)]
        serial: String,
        /// The version, 1–999.
        #[arg(long, default_value_t = 1)]
        version: u16,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: IdCommand) -> Outcome {
    match cmd {
        IdCommand::Check { id, lenient, json } => {
            let mode = if lenient {
                Strictness::Lenient
            } else {
                Strictness::Strict
            };
            match LicenceId::parse_with(id.trim(), mode) {
                Ok(parsed) => {
                    report(&parsed, json);
                    Outcome::Ok
                }
                Err(e) => {
                    report_invalid(&e, json);
                    Outcome::Invalid
                }
            }
        }
        IdCommand::New {
            type_code,
            issuer,
            serial,
            version,
            json,
        } => {
            let made = TypeCode::parse(&type_code)
                .and_then(|t| LicenceId::new(&t, &issuer, &serial, version));
            match made {
                Ok(id) if json => {
                    output::json(&describe(&id));
                    Outcome::Ok
                }
                Ok(id) => {
                    out!("{id}");
                    Outcome::Ok
                }
                Err(e) => {
                    report_invalid(&e, json);
                    Outcome::Failed
                }
            }
        }
    }
}

fn describe(id: &LicenceId) -> serde_json::Value {
    let catalog = Catalog::builtin();
    let ty = catalog.get(id.type_code());
    json!({
        "valid": true,
        "id": id.to_string(),
        "type_code": id.type_code().to_string(),
        "type_name": ty.map(|t| t.name.clone()),
        "issuer_code": id.issuer().to_string(),
        "serial": id.serial(),
        "version": id.version(),
        "check": id.check().to_string(),
        "warnings": id.leniencies(),
    })
}

/// Reports a refused identifier; the JSON form adds the segment and the expected check character.
fn report_invalid(e: &IdError, json: bool) {
    if json {
        output::json(&invalid_json(e));
    } else {
        output::report_error(e, false);
    }
}

fn invalid_json(e: &IdError) -> serde_json::Value {
    let mut v = json!({ "valid": false, "segment": e.segment().to_string() });
    v.as_object_mut().unwrap().extend(
        output::error_json(e.code(), &e.to_string())
            .as_object()
            .unwrap()
            .clone(),
    );
    if let IdError::Check { expected, .. } = e {
        v["expected"] = json!(expected.to_string());
    }
    v
}

fn report(id: &LicenceId, json: bool) {
    if json {
        output::json(&describe(id));
        return;
    }
    let catalog = Catalog::builtin();
    out!("valid: {id}");
    let name = catalog
        .get(id.type_code())
        .map_or("not in the built-in catalogue", |t| t.name.as_str());
    out!("  type code    {} ({name})", id.type_code());
    out!("  issuer code  {}", id.issuer());
    out!("  serial       {}", id.serial());
    out!("  version      {:03}", id.version());
    out!("  check        {}", id.check());
    for w in id.leniencies() {
        out!("  warning: {w}");
    }
}
