//! `zhengzhao`: the command line of zhengzhao. A thin shell: every rule lives in the library.
//!
//! Exit codes: 0 valid / done; 1 invalid (the input was read and found wrong); 2 usage or input
//! error (the command could not do its work).

mod authority;
mod backup;
mod catalog;
mod check;
mod demo;
mod errors;
mod export;
mod grant;
mod id;
mod import;
mod import_ofd;
mod log;
mod lookup;
mod output;
mod registry;
mod sign;
mod store;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use zhengzhao_registry::Step;

// A bulk import allocates and frees a few dozen small objects a row on three threads; glibc's
// malloc spent about a fifth of an import's CPU on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// zhengzhao (证照): China's government electronic licences — identifiers, catalogue, signing,
/// verification, registry.
#[derive(Parser)]
#[command(name = "zhengzhao", version, about, long_about = None, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

const EXIT_CODES: &str =
    "Exit codes: 0 valid or done; 1 invalid (reported with its code); 2 usage or input error.";

#[derive(Subcommand)]
enum Command {
    /// The demo: a district service centre on a registry of its own, in under a minute.
    Demo(demo::DemoArgs),
    /// Check, explain and make GB/T 36904 licence identifiers.
    #[command(subcommand)]
    Id(id::IdCommand),
    /// Browse the catalogue of licence types (GB/T 36902).
    #[command(subcommand)]
    Catalog(catalog::CatalogCommand),
    /// Make the PKI: a root CA and issuer signing certificates.
    #[command(subcommand)]
    Authority(authority::AuthorityCommand),
    /// Validate a licence against its type and sign it with its department's key.
    Sign(sign::SignArgs),
    /// List the stable error codes (the same in Rust, C and Python).
    #[command(
        after_help = "Examples:\n  zhengzhao errors\n  zhengzhao errors --json | jq '.[] | select(.family == \"signature\")'"
    )]
    Errors {
        /// Print the table as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Verify licence documents and bundles offline against root certificates.
    Verify(verify::VerifyArgs),
    /// Create a registry (RocksDB) in a new folder.
    Init(registry::InitArgs),
    /// Issue licences into the registry: validate, allocate the identifier, sign, store, log.
    Issue(registry::IssueArgs),
    /// A window request (用证): which licences can replace the paper materials, or why not.
    Lookup(lookup::LookupArgs),
    /// The status of a licence version.
    Status(registry::StatusArgs),
    /// 暂扣: suspend a Valid licence.
    Suspend(registry::StepArgs),
    /// 发还: give a Suspended licence back.
    Resume(registry::StepArgs),
    /// 吊销: revoke a licence as a penalty.
    Revoke(registry::StepArgs),
    /// 撤销: withdraw a licence (its grant annulled).
    Withdraw(registry::StepArgs),
    /// 注销: cancel a licence.
    Cancel(registry::StepArgs),
    /// 转出: the licence moves to another jurisdiction.
    TransferOut(registry::StepArgs),
    /// 变更: a new version of a licence with changed content.
    Change(registry::ChangeArgs),
    /// 延续: a new version of a licence with a later end of validity.
    Renew(registry::RenewArgs),
    /// Grants: which using organisations may look up which licence types.
    #[command(subcommand)]
    Grant(grant::GrantCommand),
    /// The usage log: signed checkpoints and Merkle proofs.
    #[command(subcommand)]
    Log(log::LogCommand),
    /// Export licences with their certificates and status lists, for offline verification.
    Bundle(registry::BundleArgs),
    /// Import legacy (存量) records from CSV or JSON Lines as licences of one type.
    Import(import::ImportArgs),
    /// Take sealed OFD licences issued elsewhere into the registry, verified.
    ImportOfd(import_ofd::ImportOfdArgs),
    /// A stored licence in an interchange format: vc, vc-jwt, gbt36903, qr or ofd.
    Export(export::ExportArgs),
    /// A stored licence's QR code (亮证 / 扫码核验), as PNG or SVG.
    Qr(export::QrArgs),
    /// The integrity check: every licence, index entry and log event.
    Check(check::CheckArgs),
    /// Back the registry up into a new folder, while it serves.
    Backup(backup::BackupArgs),
    /// Restore a backup into a new registry folder.
    Restore(backup::RestoreArgs),
    /// Shell completions: `zhengzhao completions bash > /etc/bash_completion.d/zhengzhao`.
    #[command(
        after_help = "Examples:\n  zhengzhao completions bash > ~/.local/share/bash-completion/completions/zhengzhao\n  zhengzhao completions zsh > ~/.zfunc/_zhengzhao\n  zhengzhao completions fish > ~/.config/fish/completions/zhengzhao.fish"
    )]
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Demo(a) => demo::run(a),
        Command::Id(c) => id::run(c),
        Command::Catalog(c) => catalog::run(c),
        Command::Authority(c) => authority::run(c),
        Command::Verify(a) => verify::run(a),
        Command::Sign(a) => sign::run(a),
        Command::Errors { json } => errors::run(json),
        Command::Init(a) => registry::init(a),
        Command::Issue(a) => registry::issue(a),
        Command::Lookup(a) => lookup::run(a),
        Command::Status(a) => registry::status(a),
        Command::Suspend(a) => registry::step(Step::Suspend, a),
        Command::Resume(a) => registry::step(Step::Resume, a),
        Command::Revoke(a) => registry::step(Step::Revoke, a),
        Command::Withdraw(a) => registry::step(Step::Withdraw, a),
        Command::Cancel(a) => registry::step(Step::Cancel, a),
        Command::TransferOut(a) => registry::step(Step::TransferOut, a),
        Command::Change(a) => registry::change(a),
        Command::Renew(a) => registry::renew(a),
        Command::Grant(c) => grant::run(c),
        Command::Log(c) => log::run(c),
        Command::Bundle(a) => registry::bundle(a),
        Command::Import(a) => import::run(a),
        Command::ImportOfd(a) => import_ofd::run(a),
        Command::Export(a) => export::export(a),
        Command::Qr(a) => export::qr(a),
        Command::Check(a) => check::run(a),
        Command::Backup(a) => backup::backup(a),
        Command::Restore(a) => backup::restore(a),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "zhengzhao", &mut std::io::stdout());
            output::Outcome::Ok
        }
    };
    ExitCode::from(outcome as u8)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every command a user can run shows examples in its --help.
    #[test]
    fn every_command_has_examples() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            let path = format!("{path} {}", cmd.get_name());
            if cmd.get_subcommands().next().is_none() {
                let help = cmd
                    .get_after_help()
                    .map(|h| h.to_string())
                    .unwrap_or_default();
                if !help.contains("Example") {
                    missing.push(path.clone());
                }
            }
            for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
                walk(sub, &path, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&super::Cli::command(), "", &mut missing);
        assert!(missing.is_empty(), "without examples: {missing:?}");
    }
}
