//! The use journal of a read-only secondary: how a window process that cannot write the
//! registry still has every use logged.
//!
//! A secondary ([`Registry::open_secondary`]) appends the use event of each lookup, byte for
//! byte as the writer would log it, to `uses.journal` in its own folder: one event a line
//! (events are compact JSON, without line breaks), synced before the lookup returns when the
//! sync policy is every-write. The writer takes the journal in with [`Registry::ingest_uses`]
//! (on a timer, or from `zhengzhao log ingest`): the events become leaves of the log, and the
//! offset reached is written in the same batch, so that each event is logged exactly once even
//! when ingestion is interrupted. A last line cut short by a crash is left for the next time.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rocksdb::WriteBatch;

use crate::error::RegistryError;
use crate::layout;
use crate::options::WalSync;
use crate::registry::Registry;

/// The journal's file name in a secondary's folder.
pub const JOURNAL_FILE: &str = "uses.journal";

/// Events taken in per batch by [`Registry::ingest_uses`].
const INGEST_BATCH: usize = 1000;

fn io(path: &Path, e: impl std::fmt::Display) -> RegistryError {
    RegistryError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// A secondary's journal, open for appending.
pub(crate) struct Journal {
    path: PathBuf,
    file: File,
}

impl Journal {
    pub(crate) fn open(folder: &Path) -> Result<Journal, RegistryError> {
        let path = folder.join(JOURNAL_FILE);
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| io(&path, e))?;
        Ok(Journal { path, file })
    }

    /// Appends events, one a line, in one write.
    pub(crate) fn append(
        &mut self,
        events: &[Vec<u8>],
        sync: WalSync,
    ) -> Result<(), RegistryError> {
        let mut buf = Vec::with_capacity(events.iter().map(|e| e.len() + 1).sum());
        for e in events {
            debug_assert!(!e.contains(&b'\n'));
            buf.extend_from_slice(e);
            buf.push(b'\n');
        }
        self.file.write_all(&buf).map_err(|e| io(&self.path, e))?;
        if sync == WalSync::EveryWrite {
            self.file.sync_data().map_err(|e| io(&self.path, e))?;
        }
        Ok(())
    }
}

/// The `meta` key of the offset ingested from a journal.
fn offset_key(journal: &Path) -> Vec<u8> {
    [
        b"journal/".as_slice(),
        journal.as_os_str().as_encoded_bytes(),
    ]
    .concat()
}

impl Registry {
    /// Takes in the use journal of the secondary whose folder is `secondary`: appends to the log
    /// every event written there since the last call, and returns how many. See the [module
    /// documentation](crate::journal).
    pub fn ingest_uses(&self, secondary: &Path) -> Result<u64, RegistryError> {
        self.writable()?;
        let path = std::fs::canonicalize(secondary.join(JOURNAL_FILE))
            .map_err(|e| io(&secondary.join(JOURNAL_FILE), e))?;
        let key = offset_key(&path);
        let meta = self.cf(layout::CF_META)?;
        let offset = match self.db.get_cf(meta, &key)? {
            None => 0,
            Some(v) => layout::read_u64("journal offset", &v)?,
        };
        let mut file = File::open(&path).map_err(|e| io(&path, e))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| io(&path, e))?;
        let mut rest = Vec::new();
        file.read_to_end(&mut rest).map_err(|e| io(&path, e))?;
        // Only whole lines: a line cut short by a crash waits for its end.
        let whole = rest.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        // Each event with the journal offset just past it.
        let mut events: Vec<(&[u8], u64)> = Vec::new();
        let mut at = 0usize;
        for line in rest[..whole].split_inclusive(|&b| b == b'\n') {
            at += line.len();
            let event = &line[..line.len() - 1];
            if event.is_empty() {
                continue;
            }
            let is_use = serde_json::from_slice::<serde_json::Value>(event)
                .is_ok_and(|v| v.get("kind").and_then(|k| k.as_str()) == Some("use"));
            if !is_use {
                return Err(crate::error::corrupt(
                    format!(
                        "journal {} at byte {}",
                        path.display(),
                        offset + (at - line.len()) as u64
                    ),
                    "not a use event: the journal was altered",
                ));
            }
            events.push((event, offset + at as u64));
        }
        let mut taken = 0u64;
        for chunk in events.chunks(INGEST_BATCH) {
            let (_, end) = chunk[chunk.len() - 1];
            let mut batch = WriteBatch::default();
            batch.put_cf(meta, &key, end.to_be_bytes());
            let lines: Vec<&[u8]> = chunk.iter().map(|(e, _)| *e).collect();
            let guard = self.lock_writer();
            self.commit(guard, batch, &lines, |_| {})?;
            taken += chunk.len() as u64;
        }
        Ok(taken)
    }
}
