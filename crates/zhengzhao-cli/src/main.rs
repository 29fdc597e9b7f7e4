//! `zhengzhao`: the command line of zhengzhao. A thin shell: every rule lives in the library.
//!
//! Exit codes: 0 valid / done; 1 invalid (the input was read and found wrong); 2 usage or input
//! error (the command could not do its work).

mod authority;
mod catalog;
mod errors;
mod id;
mod output;
mod sign;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    Errors {
        /// Print the table as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Verify licence documents and bundles offline against root certificates.
    Verify(verify::VerifyArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Id(c) => id::run(c),
        Command::Catalog(c) => catalog::run(c),
        Command::Authority(c) => authority::run(c),
        Command::Verify(a) => verify::run(a),
        Command::Sign(a) => sign::run(a),
        Command::Errors { json } => errors::run(json),
    };
    ExitCode::from(outcome as u8)
}
