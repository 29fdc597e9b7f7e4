//! `zhengzhao verify`: offline verification of licence documents and bundles.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;
use time::OffsetDateTime;
use zhengzhao_core::bundle;
use zhengzhao_core::interchange::{self, Kind};
use zhengzhao_core::ofd;
use zhengzhao_core::pki::{Certificate, TrustAnchors};
use zhengzhao_core::verify::{Context, Outcome as CheckOutcome, Report, Verifier};
use zhengzhao_core::{Coded, ErrorCode};

use crate::output::{self, out, Outcome};

#[derive(Args)]
#[command(
    after_help = "Examples:\n  zhengzhao verify licence.json --anchors root.pem\n  zhengzhao verify audit-bundle.json --anchors root.pem --at 2025-06-01 --json\n  zhengzhao verify licence.ofd --anchors province-sm2-root.cer --json\n\nExit codes: 0 every document valid; 1 some invalid (each reported with its code); 2 usage or input error."
)]
pub struct VerifyArgs {
    /// Licence documents (signed JSON), vc+jwt tokens, QR payload text (ZZ1:…), bundles made
    /// by `zhengzhao bundle`, or sealed OFD files: each file is recognised by its content.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Certificate file(s) (PEM or DER) with the trusted root certificates. Required for
    /// licences; for OFD files, without anchors the chains are not checked.
    #[arg(long)]
    anchors: Vec<PathBuf>,
    /// Certificate file(s) (PEM or DER): signing certificates for documents without a bundle,
    /// the signer of a bare OFD signature, intermediate CA certificates.
    #[arg(long)]
    certs: Vec<PathBuf>,
    /// Verification time: RFC 3339 (2025-06-01T09:00:00+08:00) or a date (2025-06-01, noon in Beijing). Default: now.
    #[arg(long)]
    at: Option<String>,
    /// Print the reports as JSON.
    #[arg(long)]
    json: bool,
}

/// An input error: message and code, printed before exiting with 2.
struct InputError(ErrorCode, String);

pub fn run(args: VerifyArgs) -> Outcome {
    match verify(&args) {
        Ok(outcome) => outcome,
        Err(InputError(code, message)) => {
            output::report(code, &message, args.json);
            Outcome::Failed
        }
    }
}

fn verify(args: &VerifyArgs) -> Result<Outcome, InputError> {
    let at = parse_time(args.at.as_deref())?;
    let mut roots = Vec::new();
    for path in &args.anchors {
        roots.extend(certificates(path)?);
    }
    let anchors = (!roots.is_empty())
        .then(|| TrustAnchors::new(roots))
        .transpose()
        .map_err(|e| InputError(e.code(), format!("anchors: {e}")))?;
    let mut certs = Vec::new();
    for path in &args.certs {
        certs.extend(certificates(path)?);
    }
    let verifier = anchors.clone().map(|anchors| {
        let mut verifier = Verifier::new(anchors);
        certs
            .iter()
            .cloned()
            .for_each(|c| verifier.add_certificate(c));
        verifier
    });
    let mut results = Vec::new();
    let mut all_valid = true;
    for path in &args.files {
        let bytes = read(path)?;
        let file = path.display().to_string();
        if ofd::is_package(&bytes) {
            let options = ofd::Options {
                anchors: anchors.as_ref(),
                certificates: &certs,
                at,
                ..ofd::Options::default()
            };
            let report = ofd::verify(&bytes, &options)
                .map_err(|e| InputError(e.code(), format!("{file}: {e}")))?;
            all_valid &= report.valid;
            if !args.json {
                print_ofd(&file, &report);
            }
            results.push(json!({ "file": file, "kind": "ofd", "report": report }));
            continue;
        }
        let Some(verifier) = &verifier else {
            return Err(InputError(
                ErrorCode::Usage,
                format!(
                    "{file}: verifying a licence needs the root certificate(s): give --anchors"
                ),
            ));
        };
        let kind = interchange::sniff(&bytes);
        if kind == Kind::FlatRecord {
            return Err(InputError(
                ErrorCode::Usage,
                format!("{file}: a flat GB/T 36903 record carries no signature: verify the signed document, its vc+jwt or QR payload, or a bundle"),
            ));
        }
        if kind == Kind::Bundle {
            let report = bundle::verify(verifier, &bytes, at)
                .map_err(|e| InputError(e.code(), format!("{file}: {e}")))?;
            all_valid &= report.valid;
            if !args.json {
                out!(
                    "{file}: bundle of {} licence(s), {} status list(s)",
                    report.licences.len(),
                    report.status_lists.len()
                );
                for l in &report.status_lists {
                    match (&l.valid, &l.code) {
                        (true, _) => out!("  ✓ status list {}", l.id.as_deref().unwrap_or("?")),
                        (false, code) => out!(
                            "  ✗ status list {}: [{}] {}",
                            l.id.as_deref().unwrap_or("?"),
                            code.as_deref().unwrap_or("?"),
                            l.message.as_deref().unwrap_or("")
                        ),
                    }
                }
                report.licences.iter().for_each(print_report);
            }
            results.push(json!({ "file": file, "kind": "bundle", "report": report }));
        } else {
            let ctx = Context {
                at,
                certificates: &[],
                status_lists: &[],
            };
            let (kind, report) = verifier.verify_presented(&bytes, &ctx);
            let kind = kind.name();
            all_valid &= report.valid;
            if !args.json {
                out!("{file}:");
                print_report(&report);
            }
            results.push(json!({ "file": file, "kind": kind, "report": report }));
        }
    }
    if args.json {
        output::json(
            &json!({ "valid": all_valid, "at": at.format(&time::format_description::well_known::Rfc3339).ok(), "results": results }),
        );
    }
    Ok(if all_valid {
        Outcome::Ok
    } else {
        Outcome::Invalid
    })
}

fn print_report(r: &Report) {
    let id = r.id.as_deref().unwrap_or("(unreadable)");
    if r.valid {
        out!("  ✓ valid    {id}");
    } else {
        out!("  ✗ INVALID  {id}");
        out!(
            "    [{}] {}",
            r.code.map_or("?", |c| c.name()),
            r.message.as_deref().unwrap_or("")
        );
        if let Some(c) = r.code {
            out!("    hint: {}", c.hint());
        }
    }
    for c in r
        .checks
        .iter()
        .filter(|c| c.outcome != CheckOutcome::Skipped || r.valid)
    {
        let mark = match c.outcome {
            CheckOutcome::Passed => "✓",
            CheckOutcome::Failed => "✗",
            CheckOutcome::Skipped => "-",
        };
        out!("      {mark} {:<13} {}", c.name, c.detail);
    }
    for w in &r.warnings {
        out!("    warning: {w}");
    }
}

fn print_ofd(file: &str, report: &ofd::Report) {
    out!("{file}: OFD with {} signature(s)", report.signatures.len());
    if report.signatures.is_empty() {
        out!(
            "  ✗ INVALID  [{}] {}",
            report.code.map_or("?", |c| c.name()),
            report.message.as_deref().unwrap_or("")
        );
    }
    let yes_no = |b: bool| if b { "✓" } else { "✗" };
    for s in &report.signatures {
        let seal = s
            .seal
            .as_ref()
            .map(|seal| format!(" seal '{}'", seal.name))
            .unwrap_or_default();
        match s.code {
            None => out!(
                "  ✓ valid    signature {} ({}){seal}",
                s.id,
                s.format.unwrap_or("?")
            ),
            Some(code) => {
                out!(
                    "  ✗ INVALID  signature {} ({}){seal}",
                    s.id,
                    s.format.unwrap_or("?")
                );
                out!(
                    "    [{}] {}",
                    code.name(),
                    s.message.as_deref().unwrap_or("")
                );
                out!("    hint: {}", code.hint());
            }
        }
        out!(
            "      {} content     {}",
            yes_no(s.content_intact),
            if s.changed_entries.is_empty() {
                "every protected entry as signed".to_owned()
            } else {
                format!("changed: {}", s.changed_entries.join(", "))
            }
        );
        out!(
            "      {} signature   {}",
            yes_no(s.signature_valid),
            s.signer.as_deref().unwrap_or("signer unknown")
        );
        if let Some(valid) = s.seal_valid {
            out!("      {} seal        maker's signature", yes_no(valid));
        }
        out!(
            "      {} validity    signed {}",
            yes_no(s.within_validity),
            s.signed_at.as_deref().unwrap_or("at an unknown time")
        );
        match s.chain_trusted {
            Some(trusted) => out!("      {} chain       to the anchors", yes_no(trusted)),
            None => out!("      - chain       not checked (no --anchors)"),
        }
    }
}

fn certificates(path: &PathBuf) -> Result<Vec<Certificate>, InputError> {
    Certificate::parse_file(&read(path)?)
        .map_err(|e| InputError(e.code(), format!("{}: {e}", path.display())))
}

fn read(path: &PathBuf) -> Result<Vec<u8>, InputError> {
    std::fs::read(path).map_err(|e| InputError(ErrorCode::Io, format!("{}: {e}", path.display())))
}

fn parse_time(at: Option<&str>) -> Result<OffsetDateTime, InputError> {
    crate::store::time_arg("--at", at).map_err(|(code, message)| InputError(code, message))
}
