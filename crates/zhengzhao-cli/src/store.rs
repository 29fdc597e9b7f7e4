//! Where the registry commands find the registry (`--data`) and the signing keys
//! (`--authority`), and how they report what the library refuses.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use time::OffsetDateTime;
use zhengzhao_core::keystore::AuthorityDir;
use zhengzhao_core::{Coded, ErrorCode};
use zhengzhao_registry::options::DEFAULT_CACHE_BYTES;
use zhengzhao_registry::{CachedSigners, Options, Registry, WalSync};

/// A failure of a command: its code and message.
pub type Failure = (ErrorCode, String);

/// The code and message of a library error.
pub fn failure(e: impl Coded + std::fmt::Display) -> Failure {
    (e.code(), e.to_string())
}

/// The registry folder and the authority folder.
#[derive(Args, Clone)]
pub struct Store {
    /// The registry folder.
    #[arg(
        long,
        env = "ZHENGZHAO_DATA",
        default_value = "zhengzhao-data/registry"
    )]
    pub data: PathBuf,
    /// The authority folder with the departments' signing keys (made by `zhengzhao authority
    /// init`); needed to issue, change, renew and bundle.
    #[arg(long, env = "ZHENGZHAO_AUTHORITY")]
    pub authority: Option<PathBuf>,
    /// The block cache shared by the database's column families, in MiB.
    #[arg(long, env = "ZHENGZHAO_CACHE_MIB", default_value_t = DEFAULT_CACHE_BYTES >> 20)]
    pub cache_mib: usize,
    /// When writes reach the disk: every-write (fsync before each call returns) or os-buffered
    /// (survives a killed process, not a power failure).
    #[arg(long, env = "ZHENGZHAO_SYNC", value_enum, default_value_t = Sync::EveryWrite)]
    pub sync: Sync,
}

/// The WAL sync policy, as a command-line value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Sync {
    /// Every write is fsynced before the command goes on.
    EveryWrite,
    /// Writes are synced in the background.
    OsBuffered,
}

impl Store {
    /// The options: the signer source when an authority folder is given.
    pub fn options(&self) -> Result<Options, Failure> {
        let sync = match self.sync {
            Sync::EveryWrite => WalSync::EveryWrite,
            Sync::OsBuffered => WalSync::OsBuffered,
        };
        let mut o = Options::new()
            .cache_bytes(self.cache_mib.saturating_mul(1 << 20))
            .sync(sync);
        if let Some(dir) = &self.authority {
            let authority = AuthorityDir::open(dir).map_err(failure)?;
            o = o.signers(Arc::new(CachedSigners::new(authority)));
        }
        Ok(o)
    }

    /// Opens the registry.
    pub fn open(&self) -> Result<Registry, Failure> {
        Registry::open(&self.data, self.options()?).map_err(failure)
    }
}

/// A time argument: RFC 3339 (`2025-06-01T09:00:00+08:00`) or a date (`2025-06-01`, noon in
/// Beijing); now when absent.
pub fn time_arg(name: &str, at: Option<&str>) -> Result<OffsetDateTime, Failure> {
    let Some(at) = at else {
        return Ok(OffsetDateTime::now_utc());
    };
    zhengzhao_core::date::instant(at).ok_or_else(|| {
        (
            ErrorCode::Usage,
            format!(
                "{name} '{at}' is neither RFC 3339 (2025-06-01T09:00:00+08:00) nor a date (2025-06-01)"
            ),
        )
    })
}

/// Reads a file, or standard input for `-`.
pub fn read_input(path: &std::path::Path) -> Result<Vec<u8>, Failure> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
            .map_err(|e| (ErrorCode::Io, format!("standard input: {e}")))?;
        return Ok(buf);
    }
    std::fs::read(path).map_err(|e| (ErrorCode::Io, format!("{}: {e}", path.display())))
}
