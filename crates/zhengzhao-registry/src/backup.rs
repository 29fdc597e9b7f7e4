//! Online backup and restore.
//!
//! A backup is a registry folder in its own right: a RocksDB checkpoint of the database (its
//! table files hard-linked when the backup is on the same file system, copied otherwise) beside
//! copies of the holder-index secret and the log key. It is consistent as of one moment, taken
//! while the registry goes on serving lookups; writes wait for it. Restoring copies a backup
//! into a new folder and checks that it opens as a registry.
//!
//! The backup holds the holder-index secret and the log's signing key: keep it as guarded as
//! the registry itself.

use std::fs;
use std::path::Path;

use rocksdb::checkpoint::Checkpoint;

use crate::error::RegistryError;
use crate::options::Options;
use crate::registry::{Registry, DB_DIR};
use crate::{log, secret};

/// What a backup holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackupInfo {
    /// The number of events of the log at the moment of the backup.
    pub log_len: u64,
    /// The log's Merkle root at that moment.
    pub log_root: [u8; 32],
}

fn io(path: &Path, e: impl std::fmt::Display) -> RegistryError {
    RegistryError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Refuses a destination that exists and is not empty.
fn empty_destination(dest: &Path) -> Result<(), RegistryError> {
    match fs::read_dir(dest) {
        Ok(mut entries) => match entries.next() {
            None => Ok(()),
            Some(_) => Err(RegistryError::Exists {
                path: dest.display().to_string(),
                reason:
                    "the folder is not empty: a backup or restore goes to a new or empty folder"
                        .into(),
            }),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(dest, e)),
    }
}

/// Copies the registry's key files (owner-only) from `from` to `to`.
fn copy_keys(from: &Path, to: &Path) -> Result<(), RegistryError> {
    for path in [secret::secret_path(from), log::log_key_path(from)] {
        let name = path.file_name().expect("a file name");
        let target = to.join(name);
        let bytes = fs::read(&path).map_err(|e| io(&path, e))?;
        write_private(&target, &bytes)?;
    }
    Ok(())
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), RegistryError> {
    use std::io::Write;
    let mut o = fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o.open(path).map_err(|e| io(path, e))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| io(path, e))
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), RegistryError> {
    fs::create_dir_all(to).map_err(|e| io(to, e))?;
    for entry in fs::read_dir(from).map_err(|e| io(from, e))? {
        let entry = entry.map_err(|e| io(from, e))?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().map_err(|e| io(&src, e))?;
        if kind.is_dir() {
            copy_tree(&src, &dst)?;
        } else {
            fs::copy(&src, &dst).map_err(|e| io(&src, e))?;
        }
    }
    Ok(())
}

impl Registry {
    /// Backs the registry up into `dest`, a new or empty folder, while it goes on serving: the
    /// backup is itself a registry folder that [`Registry::open`] opens. Refused on a read-only
    /// secondary (back the writer up).
    pub fn backup(&self, dest: &Path) -> Result<BackupInfo, RegistryError> {
        self.writable()?;
        empty_destination(dest)?;
        fs::create_dir_all(dest).map_err(|e| io(dest, e))?;
        let made = (|| {
            // Under the writer lock: the backup's log is exactly the tree described below.
            let guard = self.lock_writer();
            let info = BackupInfo {
                log_len: guard.next_seq,
                log_root: guard.frontier.root(),
            };
            Checkpoint::new(&self.db)?.create_checkpoint(dest.join(DB_DIR))?;
            drop(guard);
            copy_keys(self.dir(), dest)?;
            Ok(info)
        })();
        if made.is_err() {
            // The folder was empty: what is in it now is the failed backup's.
            let _ = fs::remove_dir_all(dest.join(DB_DIR));
            let _ = fs::remove_file(secret::secret_path(dest));
            let _ = fs::remove_file(log::log_key_path(dest));
        }
        made
    }

    /// Restores the backup in `backup` into `dest`, a new or empty folder, and opens it: the
    /// restored registry, with the log as it was at the backup.
    pub fn restore(
        backup: &Path,
        dest: &Path,
        options: Options,
    ) -> Result<Registry, RegistryError> {
        empty_destination(dest)?;
        if !backup.join(DB_DIR).join("CURRENT").is_file() {
            return Err(RegistryError::NotRegistry {
                path: backup.display().to_string(),
                reason: "not a backup: there is no database (db/CURRENT)".into(),
            });
        }
        // The backup is copied, never opened: it stays as it was made.
        let restored = copy_tree(&backup.join(DB_DIR), &dest.join(DB_DIR))
            .and_then(|()| copy_keys(backup, dest))
            .and_then(|()| Registry::open(dest, options));
        if restored.is_err() {
            let _ = fs::remove_dir_all(dest.join(DB_DIR));
            let _ = fs::remove_file(secret::secret_path(dest));
            let _ = fs::remove_file(log::log_key_path(dest));
        }
        restored
    }
}
