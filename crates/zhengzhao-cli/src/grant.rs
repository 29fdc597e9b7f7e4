//! `zhengzhao grant add|list|revoke`: which using organisations may look up which licence
//! types.

use clap::{Args, Subcommand};
use serde_json::json;
use zhengzhao_core::codes::Uscc;
use zhengzhao_core::identifier::TypeCode;

use crate::output::{self, out, Outcome};
use crate::registry::finish;
use crate::store::{failure, Failure, Store};

#[derive(Subcommand)]
pub enum GrantCommand {
    /// Grant an organisation the use of a licence type until a date.
    #[command(
        after_help = "Example:\n  zhengzhao grant add --org 11330106MB1742305K --type 11100000MB0143028R001 --until 2027-12-31 --operator 管理员"
    )]
    Add {
        #[command(flatten)]
        store: Store,
        #[command(flatten)]
        grant: Which,
        /// When the grant ends: an RFC 3339 time, or a date (yyyy-MM-dd), the grant then being
        /// in force through that whole day in Beijing.
        #[arg(long)]
        until: String,
        /// Who grants (for the log).
        #[arg(long)]
        operator: String,
        /// The basis (e.g. the data-sharing agreement's number).
        #[arg(long, default_value = "")]
        basis: String,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the grants (of one organisation).
    #[command(after_help = "Example:\n  zhengzhao grant list --org 11330106MB1742305K --json")]
    List {
        #[command(flatten)]
        store: Store,
        /// Only this organisation's grants.
        #[arg(long)]
        org: Option<String>,
        /// Print the grants as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a grant.
    #[command(
        after_help = "Example:\n  zhengzhao grant revoke --org 11330106MB1742305K --type 11100000MB0143028R001 --operator 管理员"
    )]
    Revoke {
        #[command(flatten)]
        store: Store,
        #[command(flatten)]
        grant: Which,
        /// Who revokes (for the log).
        #[arg(long)]
        operator: String,
        /// Why.
        #[arg(long, default_value = "")]
        basis: String,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// An organisation and a licence type.
#[derive(Args)]
pub struct Which {
    /// The using organisation's 统一社会信用代码.
    #[arg(long)]
    org: String,
    /// The licence type code.
    #[arg(long = "type")]
    type_code: String,
}

impl Which {
    fn parse(&self) -> Result<(Uscc, TypeCode), Failure> {
        Ok((
            org(&self.org)?,
            TypeCode::parse(self.type_code.trim()).map_err(failure)?,
        ))
    }
}

fn org(s: &str) -> Result<Uscc, Failure> {
    Uscc::parse_legacy(s.trim()).map_err(failure)
}

fn time_text(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub fn run(c: GrantCommand) -> Outcome {
    match c {
        GrantCommand::Add {
            store,
            grant,
            until,
            operator,
            basis,
            json,
        } => {
            let r = (|| {
                let (o, t) = grant.parse()?;
                let until = zhengzhao_core::date::through(&until).ok_or((
                    zhengzhao_core::ErrorCode::Usage,
                    format!("--until '{until}' is neither a date (2026-12-31, through that day) nor RFC 3339"),
                ))?;
                store
                    .open()?
                    .add_grant(&o, &t, until, &operator, &basis)
                    .map_err(failure)?;
                if json {
                    output::json(
                        &json!({ "org": o.to_string(), "type": t.to_string(), "expires": time_text(until) }),
                    );
                } else {
                    out!("granted {t} to {o} until {}", time_text(until));
                }
                Ok(())
            })();
            finish(r, json)
        }
        GrantCommand::List {
            store,
            org: o,
            json,
        } => {
            let r = (|| {
                let o = o.as_deref().map(org).transpose()?;
                let reg = store.open()?;
                let grants = reg.grants(o.as_ref()).map_err(failure)?;
                let now = time::OffsetDateTime::now_utc();
                if json {
                    let rows: Vec<_> = grants
                        .iter()
                        .map(|g| {
                            json!({
                                "org": g.org.to_string(),
                                "type": g.type_code.to_string(),
                                "granted": time_text(g.granted),
                                "expires": time_text(g.expires),
                                "inForce": g.granted <= now && now < g.expires,
                                "operator": g.operator,
                                "basis": g.basis,
                            })
                        })
                        .collect();
                    output::json(&serde_json::Value::Array(rows));
                } else {
                    for g in &grants {
                        let name = reg
                            .catalog()
                            .get(&g.type_code)
                            .map_or("", |t| t.name.as_str());
                        out!(
                            "{} {} {name} until {}",
                            g.org,
                            g.type_code,
                            time_text(g.expires)
                        );
                    }
                    out!("{} grants", grants.len());
                }
                Ok(())
            })();
            finish(r, json)
        }
        GrantCommand::Revoke {
            store,
            grant,
            operator,
            basis,
            json,
        } => {
            let r = (|| {
                let (o, t) = grant.parse()?;
                store
                    .open()?
                    .revoke_grant(&o, &t, &operator, &basis)
                    .map_err(failure)?;
                if json {
                    output::json(
                        &json!({ "org": o.to_string(), "type": t.to_string(), "revoked": true }),
                    );
                } else {
                    out!("revoked the grant of {t} to {o}");
                }
                Ok(())
            })();
            finish(r, json)
        }
    }
}
