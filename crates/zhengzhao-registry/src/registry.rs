//! The registry: a folder with the RocksDB database (`db/`) and the holder-index secret
//! (`holder.secret`); opening, the writer's state (serials, status-list entries, the log
//! sequence) and the reads that every other module shares.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use ring::rand::{SecureRandom, SystemRandom};
use rocksdb::{
    Cache, ColumnFamily, ColumnFamilyDescriptor, Direction, IteratorMode, WriteBatch, WriteOptions,
    DB,
};
use time::{Date, OffsetDateTime, UtcOffset};
use zhengzhao_core::catalog::Catalog;
use zhengzhao_core::codes::HolderCodeType;
use zhengzhao_core::identifier::{LicenceId, Strictness, TypeCode};
use zhengzhao_core::keys::SigningKey;
use zhengzhao_core::merkle::Frontier;
use zhengzhao_core::status::Status;
use zhengzhao_core::statuslist::StatusList;

use crate::error::{corrupt, RegistryError};
use crate::grant::GrantRecord;
use crate::layout::{self, StatusRecord, COLUMN_FAMILIES};
use crate::log;
use crate::options::{Options, WalSync};
use crate::secret::{self, HolderSecret};
use crate::signer::SignerSource;

/// The database folder inside a registry folder.
pub const DB_DIR: &str = "db";

/// China Standard Time, in which licences are dated.
pub(crate) const CST: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// A certificate the registry signed with: its SHA-256 fingerprint and its DER.
pub type CertificateEntry = ([u8; 32], Vec<u8>);

/// Entries per status list (the minimum of the specification).
pub const STATUS_LIST_ENTRIES: u64 = StatusList::MIN_ENTRIES;

/// A licence registry. `Send + Sync`: share it between threads with an `Arc`.
///
/// One process writes a registry: a second [`Registry::open`] of the same folder, in this process
/// or another, fails with `ZZ-E-STORE-004` while the first is open.
pub struct Registry {
    pub(crate) db: DB,
    /// For a read-only secondary ([`Registry::open_secondary`]): its use journal.
    pub(crate) journal: Option<Mutex<crate::journal::Journal>>,
    dir: PathBuf,
    pub(crate) secret: HolderSecret,
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) signers: Option<Arc<dyn SignerSource>>,
    pub(crate) sync: WalSync,
    pub(crate) writer: Mutex<Writer>,
    pub(crate) grants: RwLock<HashMap<Vec<u8>, GrantRecord>>,
    pub(crate) log_key: SigningKey,
    pub(crate) log_origin: String,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("dir", &self.dir)
            .field("sync", &self.sync)
            .finish_non_exhaustive()
    }
}

/// What the writer keeps in memory, under one mutex: the next log sequence number, each
/// issuer's serial counter and status-list allocation, and what is already recorded.
pub(crate) struct Writer {
    pub next_seq: u64,
    /// The right edge of the log's Merkle tree of `next_seq` leaves.
    pub frontier: Frontier,
    pub issuers: HashMap<String, IssuerAlloc>,
    pub certs: HashSet<[u8; 32]>,
    pub types: HashSet<(String, u32)>,
    /// `number` keys of licences being issued and not yet written.
    pub numbers: HashSet<Vec<u8>>,
}

/// One issuer's allocation state.
pub(crate) struct IssuerAlloc {
    /// The next serial to hand out.
    pub next_serial: u64,
    /// The highest serial counter value written to `meta`.
    pub persisted_serial: u64,
    /// The list entries are allocated from.
    pub list: u32,
    /// Used entries of that list, one bit each.
    pub used: Vec<u64>,
    /// How many are used.
    pub used_count: u64,
    /// Random numbers for picking entries.
    pub draws: Draws,
}

impl IssuerAlloc {
    fn is_used(&self, i: u64) -> bool {
        self.used[(i / 64) as usize] & (1 << (i % 64)) != 0
    }

    /// Frees an entry that was handed out but not written.
    pub fn release(&mut self, i: u64) {
        self.mark(i, false);
    }

    fn mark(&mut self, i: u64, used: bool) {
        let w = &mut self.used[(i / 64) as usize];
        let bit = 1u64 << (i % 64);
        if used && *w & bit == 0 {
            *w |= bit;
            self.used_count += 1;
        } else if !used && *w & bit != 0 {
            *w &= !bit;
            self.used_count -= 1;
        }
    }
}

/// A status-list entry handed out to a licence version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slot {
    pub list: u32,
    pub index: u64,
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> RegistryError {
    RegistryError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Random numbers from the system's source, drawn 64 at a time: one system call per block
/// rather than one per licence (a bulk import spent 1% of its time in `getrandom`).
#[derive(Default)]
pub(crate) struct Draws(Vec<u64>);

impl Draws {
    const BLOCK: usize = 64;

    fn next(&mut self) -> Result<u64, RegistryError> {
        if self.0.is_empty() {
            let mut b = [0u8; 8 * Draws::BLOCK];
            SystemRandom::new()
                .fill(&mut b)
                .map_err(|_| RegistryError::Allocation("the system random source failed".into()))?;
            self.0 = b
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().expect("chunks of 8 bytes")))
                .collect();
        }
        Ok(self.0.pop().expect("a block was just drawn"))
    }
}

/// Whole seconds of now, UTC.
pub(crate) fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(0).unwrap_or(t)
}

/// The calendar day of `t` in China Standard Time.
pub(crate) fn cst_day(t: OffsetDateTime) -> Date {
    t.to_offset(CST).date()
}

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl Registry {
    /// Creates a registry in `dir`, which must be absent or empty: the holder-index secret
    /// (`holder.secret`, mode 0600) and the database (`db/`) with every column family and the
    /// schema version.
    pub fn create(dir: &Path, options: Options) -> Result<Registry, RegistryError> {
        match fs::read_dir(dir) {
            Ok(mut entries) => {
                if entries.next().is_some() {
                    return Err(RegistryError::Exists {
                        path: dir.display().to_string(),
                        reason: "the folder is not empty: a registry is created in a new or empty folder".into(),
                    });
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
            }
            Err(e) => return Err(io_err(dir, e)),
        }
        let made = (|| {
            let secret = HolderSecret::create(&secret::secret_path(dir))?;
            let log_key = log::create_key(dir)?;
            let origin = match &options.log_origin {
                Some(o) => o.clone(),
                None => log::default_origin(&log_key),
            };
            zhengzhao_core::checkpoint::Checkpoint::new(origin.clone(), 0, [0; 32]).body()?;
            let db = open_db(dir, &options, OpenMode::Create, &[])?;
            let mut batch = WriteBatch::default();
            let meta = cf(&db, layout::CF_META)?;
            batch.put_cf(
                meta,
                layout::META_SCHEMA,
                layout::SCHEMA_VERSION.to_be_bytes(),
            );
            batch.put_cf(meta, layout::META_SECRET_CHECK, secret.check_value());
            batch.put_cf(meta, layout::META_CREATED, rfc3339(now()));
            batch.put_cf(meta, layout::META_LOG_ORIGIN, origin.as_bytes());
            let mut wo = WriteOptions::default();
            wo.set_sync(true);
            db.write_opt(batch, &wo)?;
            Ok((db, secret, log_key, origin))
        })();
        match made {
            Ok((db, secret, log_key, origin)) => {
                Registry::finish_open(dir, db, secret, log_key, origin, options, None)
            }
            Err(e) => {
                // The folder was empty: what is in it now is ours.
                let _ = fs::remove_dir_all(dir.join(DB_DIR));
                let _ = fs::remove_file(secret::secret_path(dir));
                let _ = fs::remove_file(log::log_key_path(dir));
                Err(e)
            }
        }
    }

    /// Opens the registry in `dir`, checking that it is one, that its schema version is
    /// [`layout::SCHEMA_VERSION`] and that `holder.secret` is its secret.
    pub fn open(dir: &Path, options: Options) -> Result<Registry, RegistryError> {
        Registry::open_as(dir, None, options)
    }

    /// Opens the registry in `dir` read-only, as a RocksDB secondary instance kept in
    /// `secondary` (a folder of its own, created when absent): while one process writes the
    /// registry, any number of others on the same machine can read it this way. A secondary
    /// sees what the writer had written when it was opened, and more after each
    /// [`Registry::catch_up`].
    ///
    /// A secondary answers every read, lookups included: it writes their use events to a
    /// journal in `secondary`, which the writer takes into the log with
    /// [`Registry::ingest_uses`] (see [`crate::journal`]). It refuses every other write with
    /// `ZZ-E-STORE-008`.
    pub fn open_secondary(
        dir: &Path,
        secondary: &Path,
        options: Options,
    ) -> Result<Registry, RegistryError> {
        fs::create_dir_all(secondary).map_err(|e| io_err(secondary, e))?;
        Registry::open_as(dir, Some(secondary), options)
    }

    /// Brings a secondary up to date with what the writer has written since (a no-op on the
    /// writer itself): the database, the grants and the log's tree.
    pub fn catch_up(&self) -> Result<(), RegistryError> {
        if self.journal.is_none() {
            return Ok(());
        }
        self.db.try_catch_up_with_primary()?;
        let (next_seq, grants) = read_state(&self.db)?;
        let frontier = self.read_frontier(next_seq)?;
        *self.grants.write().unwrap_or_else(|p| p.into_inner()) = grants;
        let mut w = self.lock_writer();
        w.next_seq = next_seq;
        w.frontier = frontier;
        Ok(())
    }

    /// Whether this handle is a read-only secondary ([`Registry::open_secondary`]).
    pub fn is_secondary(&self) -> bool {
        self.journal.is_some()
    }

    /// Refuses a write on a secondary.
    pub(crate) fn writable(&self) -> Result<(), RegistryError> {
        if self.journal.is_some() {
            return Err(RegistryError::ReadOnly {
                path: self.dir.display().to_string(),
            });
        }
        Ok(())
    }

    fn open_as(
        dir: &Path,
        secondary: Option<&Path>,
        options: Options,
    ) -> Result<Registry, RegistryError> {
        let not_registry = |reason: &str| RegistryError::NotRegistry {
            path: dir.display().to_string(),
            reason: reason.to_owned(),
        };
        if !dir.join(DB_DIR).join("CURRENT").is_file() {
            return Err(not_registry("there is no database (db/CURRENT)"));
        }
        let secret_path = secret::secret_path(dir);
        if !secret_path.exists() {
            return Err(RegistryError::Secret {
                path: secret_path.display().to_string(),
                reason: "the holder-index secret file is missing".into(),
            });
        }
        let existing =
            DB::list_cf(&rocksdb::Options::default(), dir.join(DB_DIR)).map_err(|e| {
                not_registry(&format!("the database cannot be read: {}", e.into_string()))
            })?;
        let missing: Vec<&str> = COLUMN_FAMILIES
            .iter()
            .copied()
            .filter(|c| !existing.iter().any(|e| e == c))
            .collect();
        let mode = match missing.first() {
            None => OpenMode::from(secondary),
            Some(first) => {
                // Column families that a newer schema added: the writer creates them, if the
                // stored version is older than the one that added them.
                let older = match secondary {
                    Some(_) => false,
                    None => {
                        let found = stored_version(dir, &existing)?;
                        found < layout::SCHEMA_VERSION
                            && missing
                                .iter()
                                .all(|c| layout::ADDED.iter().any(|(v, a)| a == c && *v > found))
                    }
                };
                if !older {
                    let hint = if secondary.is_some()
                        && layout::ADDED.iter().any(|(_, a)| a == first)
                    {
                        ": the registry may have an older schema; open it once for writing to upgrade it"
                    } else {
                        ""
                    };
                    return Err(not_registry(&format!("no column family '{first}'{hint}")));
                }
                OpenMode::Upgrade
            }
        };
        let db = open_db(dir, &options, mode, &existing)?;
        let meta = cf(&db, layout::CF_META)?;
        let version =
            read_version(&db)?.ok_or_else(|| not_registry("no schema version in 'meta'"))?;
        // Each version after 2 only added column families: opening created them; the version
        // is recorded once they are there.
        if matches!(mode, OpenMode::Upgrade) {
            let mut wo = WriteOptions::default();
            wo.set_sync(true);
            db.put_cf_opt(
                meta,
                layout::META_SCHEMA,
                layout::SCHEMA_VERSION.to_be_bytes(),
                &wo,
            )?;
        } else if version != layout::SCHEMA_VERSION {
            return Err(RegistryError::Schema {
                path: dir.display().to_string(),
                found: version,
                expected: layout::SCHEMA_VERSION,
            });
        }
        let secret = HolderSecret::load(&secret_path)?;
        match db.get_cf(meta, layout::META_SECRET_CHECK)? {
            Some(v) if v.as_slice() == secret.check_value() => {}
            Some(_) => {
                return Err(RegistryError::Secret {
                    path: secret_path.display().to_string(),
                    reason: "this is not the secret the registry was made with".into(),
                })
            }
            None => return Err(not_registry("no secret check in 'meta'")),
        }
        let origin = match db.get_cf(meta, layout::META_LOG_ORIGIN)? {
            None => return Err(not_registry("no log origin in 'meta'")),
            Some(v) => String::from_utf8(v).map_err(|_| corrupt("meta log-origin", "not UTF-8"))?,
        };
        let log_key = log::load_key(dir)?;
        Registry::finish_open(dir, db, secret, log_key, origin, options, secondary)
    }

    fn finish_open(
        dir: &Path,
        db: DB,
        secret: HolderSecret,
        log_key: SigningKey,
        log_origin: String,
        options: Options,
        secondary: Option<&Path>,
    ) -> Result<Registry, RegistryError> {
        let journal = match secondary {
            Some(folder) => Some(Mutex::new(crate::journal::Journal::open(folder)?)),
            None => None,
        };
        let (next_seq, grants) = read_state(&db)?;
        let mut registry = Registry {
            db,
            journal,
            dir: dir.to_path_buf(),
            secret,
            catalog: options.catalog,
            signers: options.signers,
            sync: options.sync,
            writer: Mutex::new(Writer {
                next_seq,
                frontier: Frontier::new(),
                issuers: HashMap::new(),
                certs: HashSet::new(),
                types: HashSet::new(),
                numbers: HashSet::new(),
            }),
            grants: RwLock::new(grants),
            log_key,
            log_origin,
        };
        let frontier = registry.read_frontier(next_seq)?;
        registry
            .writer
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .frontier = frontier;
        Ok(registry)
    }

    /// The registry folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The catalogue the registry checks licences against.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub(crate) fn cf(&self, name: &str) -> Result<&ColumnFamily, RegistryError> {
        cf(&self.db, name)
    }

    pub(crate) fn lock_writer(&self) -> MutexGuard<'_, Writer> {
        // A panic while holding the lock cannot leave the database inconsistent (writes are
        // atomic batches); the in-memory counters only ever move forward.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes `batch` with `events` appended to the log, under the writer lock `guard`, then
    /// (after releasing it) syncs the WAL if the policy says so. `on_success` updates the
    /// in-memory state once the batch is in. Returns the sequence number of the first event.
    pub(crate) fn commit(
        &self,
        mut guard: MutexGuard<'_, Writer>,
        mut batch: WriteBatch,
        events: &[impl AsRef<[u8]>],
        on_success: impl FnOnce(&mut Writer),
    ) -> Result<u64, RegistryError> {
        self.writable()?;
        let first = guard.next_seq;
        let log = self.cf(layout::CF_LOG)?;
        for (i, e) in events.iter().enumerate() {
            batch.put_cf(log, (first + i as u64).to_be_bytes(), e.as_ref());
        }
        // The tree moves on only once the batch is in.
        let mut frontier = guard.frontier.clone();
        log::stage_leaves(self, &mut batch, &mut frontier, events)?;
        // Written under the lock, so that log order is write order; synced after it, so that
        // concurrent writers share one fsync.
        let mut wo = WriteOptions::default();
        wo.set_sync(false);
        self.db.write_opt(batch, &wo)?;
        guard.next_seq += events.len() as u64;
        guard.frontier = frontier;
        on_success(&mut guard);
        drop(guard);
        if self.sync == WalSync::EveryWrite {
            self.db.flush_wal(true)?;
        }
        Ok(first)
    }

    /// The state of an issuer's allocation, loaded from the database on first use.
    pub(crate) fn issuer_alloc<'w>(
        &self,
        w: &'w mut Writer,
        issuer: &str,
    ) -> Result<&'w mut IssuerAlloc, RegistryError> {
        if !w.issuers.contains_key(issuer) {
            let serial = match self
                .db
                .get_pinned_cf(self.cf(layout::CF_META)?, layout::serial_key(issuer))?
            {
                None => 0,
                Some(v) => layout::read_u64("meta serial counter", &v)?,
            };
            let mut alloc = IssuerAlloc {
                next_serial: serial + 1,
                persisted_serial: serial,
                list: 0,
                used: vec![0; (STATUS_LIST_ENTRIES / 64) as usize],
                used_count: 0,
                draws: Draws::default(),
            };
            // The highest list of the issuer, and its used entries.
            let slcf = self.cf(layout::CF_STATUSLIST)?;
            let mut it = self.db.raw_iterator_cf(slcf);
            it.seek_for_prev(layout::statuslist_key(issuer, u32::MAX, u64::MAX));
            it.status()?;
            if let Some(k) = it.key().filter(|k| k.starts_with(issuer.as_bytes())) {
                let (list, _) = parse_slot_key(k)?;
                alloc.list = list;
                let prefix = layout::statuslist_key(issuer, list, 0);
                let prefix = &prefix[..prefix.len() - 8];
                for item in self
                    .db
                    .iterator_cf(slcf, IteratorMode::From(prefix, Direction::Forward))
                {
                    let (k, _) = item?;
                    if !k.starts_with(prefix) {
                        break;
                    }
                    let (_, index) = parse_slot_key(&k)?;
                    if index < STATUS_LIST_ENTRIES {
                        alloc.mark(index, true);
                    }
                }
            }
            w.issuers.insert(issuer.to_owned(), alloc);
        }
        Ok(w.issuers.get_mut(issuer).expect("inserted above"))
    }

    /// Hands out a serial of `issuer`: 10 or more digits.
    pub(crate) fn next_serial(alloc: &mut IssuerAlloc) -> Result<(u64, String), RegistryError> {
        let n = alloc.next_serial;
        if n >= 10u64.pow(19) {
            return Err(RegistryError::Allocation(
                "the issuer's serials are exhausted".into(),
            ));
        }
        alloc.next_serial += 1;
        Ok((n, format!("{n:010}")))
    }

    /// Hands out a random free status-list entry of the issuer, opening a new list when the
    /// current one is full.
    pub(crate) fn next_slot(alloc: &mut IssuerAlloc) -> Result<Slot, RegistryError> {
        if alloc.used_count >= STATUS_LIST_ENTRIES {
            alloc.list = alloc
                .list
                .checked_add(1)
                .ok_or_else(|| RegistryError::Allocation("status lists exhausted".into()))?;
            alloc.used.iter_mut().for_each(|w| *w = 0);
            alloc.used_count = 0;
        }
        for _ in 0..64 {
            let i = alloc.draws.next()? % STATUS_LIST_ENTRIES;
            if !alloc.is_used(i) {
                alloc.mark(i, true);
                return Ok(Slot {
                    list: alloc.list,
                    index: i,
                });
            }
        }
        // A nearly full list: the first free entry from a random start.
        let start = alloc.draws.next()? % STATUS_LIST_ENTRIES;
        for k in 0..STATUS_LIST_ENTRIES {
            let i = (start + k) % STATUS_LIST_ENTRIES;
            if !alloc.is_used(i) {
                alloc.mark(i, true);
                return Ok(Slot {
                    list: alloc.list,
                    index: i,
                });
            }
        }
        Err(RegistryError::Allocation(
            "no free status-list entry".into(),
        ))
    }

    /// Gives back an entry that was handed out but not written.
    pub(crate) fn release_slot(&self, issuer: &str, slot: Slot) {
        let mut w = self.lock_writer();
        if let Some(a) = w.issuers.get_mut(issuer) {
            if a.list == slot.list {
                a.release(slot.index);
            }
        }
    }

    /// The holder hash of a holder code, normalising the code first.
    pub fn holder_hash(
        &self,
        code_type: &HolderCodeType,
        code: &str,
    ) -> Result<[u8; 32], RegistryError> {
        let code = secret::normalise_code(code_type, code)?;
        Ok(self.secret.holder_hash(code_type, &code))
    }

    /// The signed document of a licence version, exactly as stored.
    pub fn document(&self, id: &LicenceId) -> Result<Vec<u8>, RegistryError> {
        self.db
            .get_cf(self.cf(layout::CF_LICENCE)?, id.as_ref())?
            .ok_or_else(|| RegistryError::NotFound { id: id.to_string() })
    }

    /// The stored status record of a licence version.
    pub fn status_record(&self, id: &LicenceId) -> Result<StatusRecord, RegistryError> {
        let v = self
            .db
            .get_pinned_cf(self.cf(layout::CF_STATUS)?, id.as_ref())?
            .ok_or_else(|| RegistryError::NotFound { id: id.to_string() })?;
        StatusRecord::decode(id.as_ref(), &v)
    }

    /// The status of a licence version now: the stored state, or Expired for a Valid licence
    /// outside its validity period.
    pub fn status(&self, id: &LicenceId) -> Result<Status, RegistryError> {
        self.status_at(id, now())
    }

    /// The status of a licence version at `at`.
    pub fn status_at(&self, id: &LicenceId, at: OffsetDateTime) -> Result<Status, RegistryError> {
        Ok(self.status_record(id)?.state_on(cst_day(at)))
    }

    /// Every licence version a holder has held, of every type, oldest first per type.
    pub fn history(
        &self,
        code_type: &HolderCodeType,
        code: &str,
    ) -> Result<Vec<LicenceId>, RegistryError> {
        let h = self.holder_hash(code_type, code)?;
        let mut out = Vec::new();
        for item in self.db.prefix_iterator_cf(self.cf(layout::CF_HOLDER)?, h) {
            let (k, _) = item?;
            if !k.starts_with(&h) {
                break;
            }
            let id_bytes = k
                .get(layout::HOLDER_HASH_LEN + layout::TYPE_CODE_LEN + 8..)
                .ok_or_else(|| corrupt("holder index", "key too short"))?;
            let text = std::str::from_utf8(id_bytes)
                .map_err(|_| corrupt("holder index", "identifier is not UTF-8"))?;
            out.push(LicenceId::parse(text).map_err(|e| corrupt("holder index", e.to_string()))?);
        }
        Ok(out)
    }

    /// The number of events in the usage and audit log.
    pub fn log_len(&self) -> u64 {
        self.lock_writer().next_seq
    }

    /// The events with sequence numbers in `from..to`, as stored (JSON bytes).
    pub fn events(&self, from: u64, to: u64) -> Result<Vec<(u64, Vec<u8>)>, RegistryError> {
        let mut out = Vec::new();
        let start = from.to_be_bytes();
        for item in self.db.iterator_cf(
            self.cf(layout::CF_LOG)?,
            IteratorMode::From(&start, Direction::Forward),
        ) {
            let (k, v) = item?;
            let seq = layout::read_u64("log key", &k)?;
            if seq >= to {
                break;
            }
            out.push((seq, v.to_vec()));
        }
        Ok(out)
    }

    /// The status list `list` of `issuer` (统一社会信用代码), built from the registry's
    /// entries: unsigned (the issuer signs the list credential when it is published).
    pub fn status_list(&self, issuer: &str, list: u32) -> Result<StatusList, RegistryError> {
        let mut out = StatusList::new(STATUS_LIST_ENTRIES)
            .map_err(|e| RegistryError::Allocation(e.to_string()))?;
        let prefix = layout::statuslist_key(issuer, list, 0);
        let prefix = &prefix[..prefix.len() - 8];
        for item in self.db.iterator_cf(
            self.cf(layout::CF_STATUSLIST)?,
            IteratorMode::From(prefix, Direction::Forward),
        ) {
            let (k, v) = item?;
            if !k.starts_with(prefix) {
                break;
            }
            let (_, index) = parse_slot_key(&k)?;
            let code = v
                .get(..2)
                .and_then(|c| std::str::from_utf8(c).ok())
                .and_then(Status::from_external_code)
                .ok_or_else(|| corrupt("status list entry", "status code"))?;
            out.set(index, code)
                .map_err(|e| corrupt("status list entry", e.to_string()))?;
        }
        Ok(out)
    }

    /// The licence of type `type_code` with 证照编号 `number` (its latest version), if any.
    pub fn licence_by_number(
        &self,
        type_code: &TypeCode,
        number: &str,
    ) -> Result<Option<LicenceId>, RegistryError> {
        let key = layout::number_key(type_code.as_ref(), number);
        match self.db.get_pinned_cf(self.cf(layout::CF_NUMBER)?, key)? {
            None => Ok(None),
            Some(v) => {
                let id =
                    std::str::from_utf8(&v).map_err(|_| corrupt("number", "value is not UTF-8"))?;
                Ok(Some(
                    LicenceId::parse_with(id, Strictness::Lenient)
                        .map_err(|e| corrupt("number", e.to_string()))?,
                ))
            }
        }
    }

    /// The certificates the registry has signed with, as DER, by SHA-256 fingerprint.
    pub fn certificates(&self) -> Result<Vec<CertificateEntry>, RegistryError> {
        let mut out = Vec::new();
        for item in self
            .db
            .iterator_cf(self.cf(layout::CF_TRUST)?, IteratorMode::Start)
        {
            let (k, v) = item?;
            let fp: [u8; 32] = k[..]
                .try_into()
                .map_err(|_| corrupt("trust", "key is not a SHA-256 fingerprint"))?;
            out.push((fp, v.to_vec()));
        }
        Ok(out)
    }
}

fn parse_slot_key(k: &[u8]) -> Result<(u32, u64), RegistryError> {
    if k.len() != layout::ORG_CODE_LEN + 12 {
        return Err(corrupt("status list entry", "key of the wrong length"));
    }
    let list = u32::from_be_bytes(k[18..22].try_into().expect("4 bytes"));
    let index = u64::from_be_bytes(k[22..30].try_into().expect("8 bytes"));
    Ok((list, index))
}

pub(crate) fn cf<'a>(db: &'a DB, name: &str) -> Result<&'a ColumnFamily, RegistryError> {
    db.cf_handle(name)
        .ok_or_else(|| RegistryError::NotRegistry {
            path: db.path().display().to_string(),
            reason: format!("no column family '{name}'"),
        })
}

/// Opens the database with the registry's column families and any other it has (RocksDB opens
/// all or none).
/// How [`open_db`] opens the database.
#[derive(Clone, Copy)]
enum OpenMode<'a> {
    Create,
    Open,
    /// Open, creating the column families of a newer schema.
    Upgrade,
    Secondary(&'a Path),
}

impl<'a> From<Option<&'a Path>> for OpenMode<'a> {
    fn from(secondary: Option<&'a Path>) -> OpenMode<'a> {
        secondary.map_or(OpenMode::Open, OpenMode::Secondary)
    }
}

/// The schema version in `meta`, if there is one.
fn read_version(db: &DB) -> Result<Option<u32>, RegistryError> {
    db.get_cf(cf(db, layout::CF_META)?, layout::META_SCHEMA)?
        .map(|v| {
            v.as_slice()
                .try_into()
                .map(u32::from_be_bytes)
                .map_err(|_| corrupt("meta schema", "not a 4-byte version"))
        })
        .transpose()
}

/// The schema version of the registry in `dir`, read without changing anything.
fn stored_version(dir: &Path, existing: &[String]) -> Result<u32, RegistryError> {
    let db = DB::open_cf_for_read_only(
        &rocksdb::Options::default(),
        dir.join(DB_DIR),
        existing,
        false,
    )?;
    read_version(&db)?.ok_or_else(|| RegistryError::NotRegistry {
        path: dir.display().to_string(),
        reason: "no schema version in 'meta'".into(),
    })
}

/// The next log sequence number and the grants, as stored.
fn read_state(db: &DB) -> Result<(u64, HashMap<Vec<u8>, GrantRecord>), RegistryError> {
    let next_seq = {
        let mut it = db.raw_iterator_cf(cf(db, layout::CF_LOG)?);
        it.seek_to_last();
        it.status()?;
        match it.key() {
            None => 0,
            Some(k) => layout::read_u64("log key", k)?.saturating_add(1),
        }
    };
    let mut grants = HashMap::new();
    for item in db.prefix_iterator_cf(cf(db, layout::CF_GRANT)?, b"G") {
        let (k, v) = item?;
        if !k.starts_with(b"G") {
            break;
        }
        grants.insert(k.to_vec(), GrantRecord::decode(&v)?);
    }
    Ok((next_seq, grants))
}

fn open_db(
    dir: &Path,
    options: &Options,
    mode: OpenMode<'_>,
    existing: &[String],
) -> Result<DB, RegistryError> {
    let create = matches!(mode, OpenMode::Create);
    let upgrade = matches!(mode, OpenMode::Upgrade);
    let cache = Cache::new_lru_cache(options.cache_bytes.max(1 << 20));
    let cf_options = |name: &str| {
        let mut o = rocksdb::Options::default();
        o.set_block_based_table_factory(&crate::options::table_options(&cache));
        o.set_compression_type(rocksdb::DBCompressionType::Lz4);
        match name {
            // Random keys (holder hashes) with a whole document each: every flush overlaps the
            // whole last level, and each compaction rewrites it. Fewer, larger flushes made a
            // 1,000,000-row import about twice as fast (docs/performance.md, "Import").
            layout::CF_CURRENT => o.set_write_buffer_size(128 << 20),
            layout::CF_LICENCE | layout::CF_LOG | layout::CF_HOLDER => {
                o.set_write_buffer_size(32 << 20)
            }
            _ => o.set_write_buffer_size(8 << 20),
        }
        o
    };
    let mut db_options = rocksdb::Options::default();
    db_options.create_if_missing(create);
    db_options.create_missing_column_families(create || upgrade);
    db_options.set_error_if_exists(create);
    db_options.set_db_write_buffer_size(256 << 20);
    db_options.set_max_background_jobs(2);
    // Seldom-flushed column families keep a bulk import's log files alive (and replayed on the
    // next open): past 256 MiB of log, RocksDB flushes them. Spent log files are then written
    // again instead of new ones: overwriting pages the OS already holds costs far less than
    // taking fresh ones (a 300,000-row import: 8.6 s -> 4.5 s of system time; docs/performance.md).
    db_options.set_max_total_wal_size(256 << 20);
    db_options.set_recycle_log_file_num(4);
    let mut names: Vec<&str> = std::iter::once("default")
        .chain(COLUMN_FAMILIES.iter().copied())
        .collect();
    for e in existing {
        if !names.contains(&e.as_str()) {
            names.push(e);
        }
    }
    let descriptors: Vec<ColumnFamilyDescriptor> = names
        .into_iter()
        .map(|n| ColumnFamilyDescriptor::new(n, cf_options(n)))
        .collect();
    let path = dir.join(DB_DIR);
    let opened = match mode {
        OpenMode::Secondary(secondary) => {
            // A secondary keeps every table file open: it must not lose one the writer deletes.
            db_options.set_max_open_files(-1);
            DB::open_cf_descriptors_as_secondary(
                &db_options,
                &path,
                &secondary.to_path_buf(),
                descriptors,
            )
        }
        OpenMode::Create | OpenMode::Open | OpenMode::Upgrade => {
            DB::open_cf_descriptors(&db_options, &path, descriptors)
        }
    };
    opened.map_err(|e| {
        let detail = e.into_string();
        if detail.contains("LOCK") || detail.contains("lock") {
            RegistryError::Locked {
                path: dir.display().to_string(),
                detail,
            }
        } else {
            RegistryError::Database(detail)
        }
    })
}
