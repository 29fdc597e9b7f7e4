//! `zhengzhao sign`: validate a licence against its catalogue type and sign it with its issuing
//! department's newest signing key from an authority folder.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;
use time::OffsetDateTime;
use zhengzhao_core::catalog::Catalog;
use zhengzhao_core::credential;
use zhengzhao_core::keystore::AuthorityDir;
use zhengzhao_core::licence::Licence;
use zhengzhao_core::{validate, Coded, Error, ErrorCode};

use crate::output::{self, out, Outcome};

#[derive(Args)]
#[command(
    after_help = "Example:\n  zhengzhao sign licence.json --authority ./zj-ca --out signed.json\n  zhengzhao verify signed.json --anchors ./zj-ca/root.pem --certs ./zj-ca/signers/*/1.pem\n\nThe licence is GB/T 36903 metadata and 照面 fields as JSON (see test-vectors/licences/).\nIt is signed with the newest valid signing key of its issuer (issuer.code) in the folder."
)]
pub struct SignArgs {
    /// The licence to sign (JSON).
    licence: PathBuf,
    /// The authority folder (made by `zhengzhao authority init`).
    #[arg(long)]
    authority: PathBuf,
    /// Where to write the signed document (default: standard output).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print a JSON summary (id, file, certificate) instead of the document.
    #[arg(long)]
    json: bool,
}

pub fn run(args: SignArgs) -> Outcome {
    match sign(&args) {
        Ok(()) => Outcome::Ok,
        Err((code, message)) => {
            output::report(code, &message, args.json);
            if code == ErrorCode::SchemaViolation {
                Outcome::Invalid
            } else {
                Outcome::Failed
            }
        }
    }
}

fn sign(args: &SignArgs) -> Result<(), (ErrorCode, String)> {
    let coded = |e: Error| (e.code(), e.to_string());
    let text = std::fs::read_to_string(&args.licence)
        .map_err(|e| (ErrorCode::Io, format!("{}: {e}", args.licence.display())))?;
    let licence = Licence::from_json(&text).map_err(|e| (e.code(), e.to_string()))?;
    let warnings = validate::validate(&Catalog::builtin(), &licence).map_err(coded)?;
    for w in &warnings {
        eprintln!("warning: {}: {}", w.path, w.message);
    }
    let authority = AuthorityDir::open(&args.authority).map_err(coded)?;
    let (key, cert) = authority.load_signer(&licence.issuer.code).map_err(coded)?;
    let doc = credential::sign(
        &licence,
        None,
        &key,
        &cert.fingerprint(),
        OffsetDateTime::now_utc(),
    )
    .map_err(|e| (e.code(), e.to_string()))?;
    match &args.out {
        Some(path) => std::fs::write(path, &doc)
            .map_err(|e| (ErrorCode::Io, format!("{}: {e}", path.display())))?,
        None if !args.json => out!("{}", String::from_utf8_lossy(&doc)),
        None => {}
    }
    if args.json {
        output::json(&json!({
            "id": licence.id.to_string(),
            "out": args.out.as_ref().map(|p| p.display().to_string()),
            "certificate": cert.fingerprint_hex(),
            "warnings": warnings,
        }));
    }
    Ok(())
}
