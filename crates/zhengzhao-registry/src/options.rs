//! How a registry is opened: cache size, WAL sync policy, catalogue and signing source.

use std::sync::Arc;

use zhengzhao_core::catalog::Catalog;

use crate::signer::SignerSource;

/// The table settings of every column family: data, index and filter blocks all in the one
/// shared `cache`, so that memory stays bounded by it; indexes and bloom filters (10 bits a key)
/// partitioned into 4 KiB blocks with only their top level pinned, so that a lookup reads the
/// few partitions it needs instead of a whole file's index, which at a million licences is
/// megabytes and would be evicted and read again under a small cache. Public so that a raw
/// baseline (the benches) reads the database the same way.
pub fn table_options(cache: &rocksdb::Cache) -> rocksdb::BlockBasedOptions {
    let mut table = rocksdb::BlockBasedOptions::default();
    table.set_block_cache(cache);
    table.set_cache_index_and_filter_blocks(true);
    table.set_cache_index_and_filter_blocks_with_high_priority(true);
    table.set_index_type(rocksdb::BlockBasedIndexType::TwoLevelIndexSearch);
    table.set_partition_filters(true);
    table.set_metadata_block_size(4096);
    table.set_pin_top_level_index_and_filter(true);
    table.set_pin_l0_filter_and_index_blocks_in_cache(true);
    table.set_bloom_filter(10.0, false);
    table
}

/// The default block cache: 64 MiB, shared by every column family.
pub const DEFAULT_CACHE_BYTES: usize = 64 << 20;

/// When a write reaches the disk before the call that made it returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WalSync {
    /// Every write is synced (fsync of the write-ahead log) before the call returns: an issued
    /// licence, a status change or a usage event survives a power failure. The default.
    #[default]
    EveryWrite,
    /// Writes go to the write-ahead log in the operating system's buffers and are synced in the
    /// background: they survive the process being killed, not a power failure.
    OsBuffered,
}

/// Options for [`crate::Registry::create`] and [`crate::Registry::open`].
#[derive(Clone)]
pub struct Options {
    /// Bytes of the LRU block cache shared by all column families (index and filter blocks
    /// included, so that memory stays bounded).
    pub cache_bytes: usize,
    /// The WAL sync policy.
    pub sync: WalSync,
    /// The catalogue licences are checked against (the built-in one by default).
    pub catalog: Arc<Catalog>,
    /// Where signing keys come from; without one the registry serves lookups but cannot issue.
    pub signers: Option<Arc<dyn SignerSource>>,
    /// The origin of a new registry's log (the first line of its checkpoints, e.g.
    /// `zzk.hangzhou.gov.cn/xihu`); `zhengzhao/<log key ID>` when `None`. Ignored on open: the
    /// origin is fixed when the registry is created.
    pub log_origin: Option<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            cache_bytes: DEFAULT_CACHE_BYTES,
            sync: WalSync::default(),
            catalog: Arc::new(Catalog::builtin()),
            signers: None,
            log_origin: None,
        }
    }
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("cache_bytes", &self.cache_bytes)
            .field("sync", &self.sync)
            .field("catalog_types", &self.catalog.len())
            .field("signers", &self.signers.is_some())
            .finish()
    }
}

impl Options {
    /// The defaults: 64 MiB cache, every write synced, the built-in catalogue, no signer.
    pub fn new() -> Options {
        Options::default()
    }

    /// Sets the block cache size.
    pub fn cache_bytes(mut self, bytes: usize) -> Options {
        self.cache_bytes = bytes;
        self
    }

    /// Sets the WAL sync policy.
    pub fn sync(mut self, sync: WalSync) -> Options {
        self.sync = sync;
        self
    }

    /// Sets the catalogue.
    pub fn catalog(mut self, catalog: Arc<Catalog>) -> Options {
        self.catalog = catalog;
        self
    }

    /// Sets the origin of a new registry's log.
    pub fn log_origin(mut self, origin: impl Into<String>) -> Options {
        self.log_origin = Some(origin.into());
        self
    }

    /// Sets the signing source.
    pub fn signers(mut self, signers: Arc<dyn SignerSource>) -> Options {
        self.signers = Some(signers);
        self
    }
}
