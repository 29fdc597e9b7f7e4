//! `zhengzhao catalog`: the catalogue of licence types.

use clap::Subcommand;
use serde_json::json;
use zhengzhao_core::catalog::{Catalog, FieldKind, LicenceType, ValidityKind};

use crate::output::{self, out, Outcome};

#[derive(Subcommand)]
pub enum CatalogCommand {
    /// List licence types.
    #[command(
        after_help = "Examples:\n  zhengzhao catalog list\n  zhengzhao catalog list --search 驾驶证\n  zhengzhao catalog list --json"
    )]
    List {
        /// Only types whose name, sector or replaceable materials contain this text.
        #[arg(long)]
        search: Option<String>,
        /// Print every type's full definition as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one licence type: authority, validity, materials it replaces, 照面 fields.
    #[command(after_help = "Example:\n  zhengzhao catalog show 11100000MB0143028R001")]
    Show {
        /// The 21-character type code.
        code: String,
        /// Print the definition as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: CatalogCommand) -> Outcome {
    let catalog = Catalog::builtin();
    match cmd {
        CatalogCommand::List { search, json } => {
            let types: Vec<&LicenceType> = match &search {
                Some(q) => catalog.search(q).collect(),
                None => catalog.iter().collect(),
            };
            if json {
                output::json(&json!(types));
            } else {
                for t in &types {
                    out!(
                        "{}  {}  [{}·{}]",
                        t.code,
                        t.name,
                        t.sector,
                        t.authority.level.label()
                    );
                }
                out!("{} licence types", types.len());
            }
            Outcome::Ok
        }
        CatalogCommand::Show { code, json } => match catalog.get_str(code.trim()) {
            Ok(t) if json => {
                output::json(&json!(t));
                Outcome::Ok
            }
            Ok(t) => {
                show(t);
                Outcome::Ok
            }
            Err(e) => {
                output::report_error(&e, json);
                Outcome::Invalid
            }
        },
    }
}

fn show(t: &LicenceType) {
    out!("{}  {} (version {})", t.code, t.name, t.version);
    out!(
        "  defined by   {} ({}, {})",
        t.authority.name,
        t.authority.code,
        t.authority.level.label()
    );
    out!("  holders      {}", t.holder.label());
    let validity = match (t.validity.kind, t.validity.max_years) {
        (ValidityKind::LongTerm, _) => "长期有效".to_owned(),
        (kind, max) => format!(
            "{}{}",
            if kind == ValidityKind::Either {
                "a period or 长期有效"
            } else {
                "a period"
            },
            max.map(|y| format!(", at most {y} years"))
                .unwrap_or_default()
        ),
    };
    out!("  validity     {validity}");
    out!(
        "  consent      {}",
        if t.consent {
            "the holder's consent is needed to use it"
        } else {
            "not needed"
        }
    );
    out!("  replaces     {}", t.replaces.join("、"));
    if !t.services.is_empty() {
        out!("  services     {}", t.services.join("、"));
    }
    out!("  fields:");
    for f in &t.fields {
        let kind = match &f.kind {
            FieldKind::Enum { values } => format!("enum: {}", values.join(" | ")),
            FieldKind::Integer { unit: Some(u), .. } | FieldKind::Decimal { unit: Some(u), .. } => {
                format!("{} ({u})", f.kind.name())
            }
            k => k.name().to_owned(),
        };
        out!(
            "    {:<10} {}  {}{}",
            f.code,
            f.name,
            kind,
            if f.required { "" } else { "  (optional)" }
        );
    }
}
