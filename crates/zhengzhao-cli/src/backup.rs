//! `zhengzhao backup` and `zhengzhao restore`: online backup of a registry, and restore into a
//! new folder.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;
use zhengzhao_registry::Registry;

use crate::output::{self, out, Outcome};
use crate::registry::finish;
use crate::store::{failure, Store};

#[derive(Args)]
#[command(after_help = "Example:
  zhengzhao backup /backups/xihu-2026-12-01 --data /srv/zhengzhao/registry

The registry goes on serving while the backup is made; the backup is a registry folder of its
own (database checkpoint, holder-index secret, log key): keep it as guarded as the registry.")]
pub struct BackupArgs {
    #[command(flatten)]
    store: Store,
    /// The backup folder: new or empty.
    dest: PathBuf,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn backup(a: BackupArgs) -> Outcome {
    let r = (|| {
        let info = a.store.open()?.backup(&a.dest).map_err(failure)?;
        let root = hex::encode(info.log_root);
        if a.json {
            output::json(
                &json!({ "backup": a.dest.display().to_string(), "log_size": info.log_len, "log_root": root }),
            );
        } else {
            out!(
                "backed up into {}: a log of {} events, root {root}",
                a.dest.display(),
                info.log_len
            );
        }
        Ok(())
    })();
    finish(r, a.json)
}

#[derive(Args)]
#[command(after_help = "Example:
  zhengzhao restore /backups/xihu-2026-12-01 --data /srv/zhengzhao/registry-restored

The backup is copied into the --data folder (new or empty), never changed, and the copy is
opened to check it.")]
pub struct RestoreArgs {
    #[command(flatten)]
    store: Store,
    /// The backup folder made by `zhengzhao backup`.
    backup: PathBuf,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn restore(a: RestoreArgs) -> Outcome {
    let r = (|| {
        let reg =
            Registry::restore(&a.backup, &a.store.data, a.store.options()?).map_err(failure)?;
        let size = reg.log_len();
        if a.json {
            output::json(&json!({ "data": a.store.data.display().to_string(), "log_size": size }));
        } else {
            out!(
                "restored {} into {}: a log of {size} events",
                a.backup.display(),
                a.store.data.display()
            );
        }
        Ok(())
    })();
    finish(r, a.json)
}
