//! `zhengzhao authority`: make the PKI — a root CA and the departments' signing certificates —
//! in an authority folder (see `zhengzhao_core::keystore`).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use zhengzhao_core::codes::{CodeError, Uscc};
use zhengzhao_core::identifier::TypeCode;
use zhengzhao_core::keys::Algorithm;
use zhengzhao_core::keystore::{AuthorityDir, SignerEntry};
use zhengzhao_core::pki::Certificate;
use zhengzhao_core::Error;

use crate::output::{self, Outcome};

#[derive(Subcommand)]
pub enum AuthorityCommand {
    /// Make a new authority folder: a root CA and a first signing certificate for a department.
    #[command(
        after_help = "Examples:\n  zhengzhao authority init --dir ./zj-ca --root-name 浙江省电子证照根CA \\\n      --issuer-name 浙江省市场监督管理局 --issuer-code 11330000002482185W\n  zhengzhao authority init --dir ./zj-ca --root-name 'ZJ Root' --issuer-name 'ZJ AMR' \\\n      --issuer-code 11330000002482185W --types 11100000MB0143028R001 --alg p256 --years 2 --json\n  zhengzhao authority init --dir ./gm-ca --root-name 浙江省电子证照SM2根CA --issuer-name 浙江省市场监督管理局 \\\n      --issuer-code 11330000002482185W --alg sm2\n\nWrites DIR/root.pem, DIR/root.key (0600), DIR/signers/<code>/1.pem and 1.key (0600).\nGive root.pem to verifiers (--anchors); the keys never leave the folder."
    )]
    Init {
        /// The folder to make (it must be absent or empty).
        #[arg(long)]
        dir: PathBuf,
        /// The root CA's name (subject O and CN), e.g. 浙江省电子证照根CA.
        #[arg(long)]
        root_name: String,
        #[command(flatten)]
        signer: SignerArgs,
    },
    /// Add a signing certificate (and key) signed by the root: for a new department, or another
    /// one for a department that has some (key rotation; the periods overlap).
    #[command(
        after_help = "Examples:\n  zhengzhao authority add-signer --dir ./zj-ca --issuer-name 浙江省市场监督管理局 --issuer-code 11330000002482185W\n  zhengzhao authority add-signer --dir ./zj-ca --issuer-name 'ZJ AMR' --issuer-code 11330000002482185W --alg p256 --json\n\nWrites DIR/signers/<code>/<n>.pem and <n>.key (0600), n being the department's next number.\nThe root key (DIR/root.key) must be readable by its owner only."
    )]
    AddSigner {
        /// The authority folder made by `zhengzhao authority init`.
        #[arg(long)]
        dir: PathBuf,
        #[command(flatten)]
        signer: SignerArgs,
    },
}

/// What a signing certificate is made of.
#[derive(Args)]
pub struct SignerArgs {
    /// The department's name (subject O and CN), e.g. 浙江省市场监督管理局.
    #[arg(long)]
    issuer_name: String,
    /// The department's 统一社会信用代码 (18 characters).
    #[arg(long)]
    issuer_code: String,
    /// Restrict the certificate to these licence type codes (comma-separated). Default: any type.
    #[arg(long, value_delimiter = ',')]
    types: Option<Vec<String>>,
    /// The key algorithm.
    #[arg(long, value_enum, default_value_t = AlgArg::Ed25519)]
    alg: AlgArg,
    /// Validity of the signing certificate in years, 1–100 (the root lasts at least 20).
    #[arg(long, default_value_t = 3)]
    years: u32,
    /// Print what was written as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum AlgArg {
    /// Ed25519 (the default; eddsa-jcs-2022).
    Ed25519,
    /// ECDSA P-256 with SHA-256 (ecdsa-jcs-2019).
    P256,
    /// 国密 SM2 with SM3 (sm2-jcs-2024); certificates signed with SM2-with-SM3.
    Sm2,
}

impl From<AlgArg> for Algorithm {
    fn from(a: AlgArg) -> Algorithm {
        match a {
            AlgArg::Ed25519 => Algorithm::Ed25519,
            AlgArg::P256 => Algorithm::P256,
            AlgArg::Sm2 => Algorithm::Sm2,
        }
    }
}

/// The parsed department arguments.
struct Department {
    name: String,
    code: Uscc,
    types: Option<Vec<TypeCode>>,
    algorithm: Algorithm,
    years: u32,
    warnings: Vec<String>,
}

fn department(args: &SignerArgs) -> Result<Department, Error> {
    let raw = args.issuer_code.trim();
    let mut warnings = Vec::new();
    let code = match Uscc::parse(raw) {
        Ok(code) => code,
        // Early pilot-area codes are legal but fail the check: warn, do not reject.
        Err(e @ CodeError::UsccCheck { .. }) => {
            warnings.push(format!("{e} (accepted as a legacy pilot-area code)"));
            Uscc::parse_legacy(raw)?
        }
        Err(e) => return Err(e.into()),
    };
    let types = match &args.types {
        None => None,
        Some(list) => Some(
            list.iter()
                .map(|t| TypeCode::parse(t.trim()))
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    Ok(Department {
        name: args.issuer_name.clone(),
        code,
        types,
        algorithm: args.alg.into(),
        years: args.years,
        warnings,
    })
}

pub fn run(cmd: AuthorityCommand) -> Outcome {
    let (json, result) = match &cmd {
        AuthorityCommand::Init {
            dir,
            root_name,
            signer,
        } => (signer.json, init(dir, root_name, signer)),
        AuthorityCommand::AddSigner { dir, signer } => (signer.json, add_signer(dir, signer)),
    };
    match result {
        Ok(report) => {
            if json {
                output::json(&report.json);
            } else {
                for w in &report.warnings {
                    eprintln!("warning: {w}");
                }
                print!("{}", report.text);
            }
            Outcome::Ok
        }
        Err(e) => {
            output::report_error(&e, json);
            Outcome::Failed
        }
    }
}

/// What a command wrote, for printing.
struct Report {
    text: String,
    json: Value,
    warnings: Vec<String>,
}

fn init(dir: &Path, root_name: &str, args: &SignerArgs) -> Result<Report, Error> {
    let d = department(args)?;
    let authority = AuthorityDir::init(
        dir,
        root_name,
        &d.name,
        &d.code,
        d.types.clone(),
        d.algorithm,
        d.years,
    )?;
    let entry = authority
        .entries()?
        .into_iter()
        .find(|e| e.issuer_code == d.code)
        .ok_or_else(|| {
            // The folder was just written; not finding the signer means it was changed meanwhile.
            Error::from(zhengzhao_core::keys::KeyError::Io {
                path: dir.display().to_string(),
                reason: "the signing certificate just written is missing".to_owned(),
            })
        })?;
    let root = authority.root_certificate();
    let mut text = format!("authority initialised in {}\n", dir.display());
    text += &cert_text(
        "root certificate",
        &authority.root_certificate_path(),
        &authority.root_key_path(),
        root,
    );
    text += &signer_text(&entry);
    text += &format!(
        "Give {} to verifiers (--anchors); keep the keys in this folder, owner-only.\n",
        authority.root_certificate_path().display()
    );
    let json = json!({
        "dir": dir.display().to_string(),
        "root": cert_json(&authority.root_certificate_path(), &authority.root_key_path(), root),
        "signer": signer_json(&entry),
        "warnings": d.warnings,
    });
    Ok(Report {
        text,
        json,
        warnings: d.warnings,
    })
}

fn add_signer(dir: &Path, args: &SignerArgs) -> Result<Report, Error> {
    let d = department(args)?;
    let authority = AuthorityDir::open(dir)?;
    let entry = authority.add_signer(&d.name, &d.code, d.types.clone(), d.algorithm, d.years)?;
    let mut text = format!(
        "signing certificate {} added for {} in {}\n",
        entry.number,
        entry.issuer_code,
        dir.display()
    );
    text += &signer_text(&entry);
    let json = json!({
        "dir": dir.display().to_string(),
        "signer": signer_json(&entry),
        "warnings": d.warnings,
    });
    Ok(Report {
        text,
        json,
        warnings: d.warnings,
    })
}

fn time(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

fn algorithm(cert: &Certificate) -> &'static str {
    cert.public_key()
        .map(|k| k.algorithm().name())
        .unwrap_or("unknown")
}

fn cert_text(label: &str, cert_path: &Path, key_path: &Path, cert: &Certificate) -> String {
    format!(
        "  {label:<20} {}\n    subject          {}\n    fingerprint      sha256:{}\n    valid            {} – {}\n    key              {} ({}, owner-only)\n",
        cert_path.display(),
        cert.subject_name(),
        cert.fingerprint_hex(),
        time(cert.not_before()),
        time(cert.not_after()),
        key_path.display(),
        algorithm(cert),
    )
}

fn signer_text(entry: &SignerEntry) -> String {
    let mut text = cert_text(
        "signing certificate",
        &entry.certificate_path,
        &entry.key_path,
        &entry.certificate,
    );
    let types = match entry.certificate.allowed_types() {
        None => "any".to_owned(),
        Some(t) => t
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    };
    text += &format!("    licence types    {types}\n");
    text
}

fn cert_json(cert_path: &Path, key_path: &Path, cert: &Certificate) -> Value {
    json!({
        "certificate": cert_path.display().to_string(),
        "key": key_path.display().to_string(),
        "subject": cert.subject_name(),
        "fingerprint": cert.fingerprint_hex(),
        "algorithm": algorithm(cert),
        "not_before": time(cert.not_before()),
        "not_after": time(cert.not_after()),
    })
}

fn signer_json(entry: &SignerEntry) -> Value {
    let mut v = cert_json(&entry.certificate_path, &entry.key_path, &entry.certificate);
    v["issuer_code"] = json!(entry.issuer_code.to_string());
    v["number"] = json!(entry.number);
    v["allowed_types"] = json!(entry
        .certificate
        .allowed_types()
        .map(|t| t.iter().map(ToString::to_string).collect::<Vec<_>>()));
    v
}
