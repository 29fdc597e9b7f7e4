//! The usage and audit log as a Merkle tree: every event (issuance, lifecycle step, grant,
//! consent, use) is a leaf of an RFC 6962 tree whose complete-subtree nodes are written in the
//! same batch as the event. The registry signs checkpoints (C2SP signed notes, Ed25519, with
//! `log.key` in the registry folder) and proves inclusion and consistency; an auditor checks
//! them offline with zhengzhao-core's [`merkle`] and [`checkpoint`] and the log's public key.
//!
//! Leaf `n` is the event with sequence number `n`, hashed as stored (its JSON bytes).

use std::path::{Path, PathBuf};

use rocksdb::WriteBatch;
use zhengzhao_core::checkpoint::{self, Checkpoint};
use zhengzhao_core::keys::{Algorithm, SigningKey};
use zhengzhao_core::keystore;
use zhengzhao_core::merkle::{self, ConsistencyProof, Frontier, Hash, InclusionProof};

use crate::error::{corrupt, RegistryError};
use crate::layout;
use crate::registry::Registry;

/// The log key's file name in the registry folder.
pub const LOG_KEY_FILE: &str = "log.key";

/// The path of the log key in a registry folder.
pub fn log_key_path(dir: &Path) -> PathBuf {
    dir.join(LOG_KEY_FILE)
}

/// Makes the log's signing key (Ed25519, PKCS#8, owner-only) in a new file.
pub(crate) fn create_key(dir: &Path) -> Result<SigningKey, RegistryError> {
    let key = SigningKey::generate(Algorithm::Ed25519).map_err(zhengzhao_core::Error::from)?;
    keystore::save_key(&log_key_path(dir), &key).map_err(zhengzhao_core::Error::from)?;
    Ok(key)
}

/// Loads the log's signing key.
pub(crate) fn load_key(dir: &Path) -> Result<SigningKey, RegistryError> {
    let key = keystore::load_key(&log_key_path(dir)).map_err(zhengzhao_core::Error::from)?;
    if key.algorithm() != Algorithm::Ed25519 {
        return Err(corrupt(LOG_KEY_FILE, "the log key is not an Ed25519 key"));
    }
    Ok(key)
}

/// The default origin of a new registry's log: `zhengzhao/` and the log key's ID in hex, unique
/// enough to tell registries apart when no name is configured.
pub(crate) fn default_origin(key: &SigningKey) -> String {
    let public = key.public_key();
    let id = public
        .ed25519_verifying_key()
        .map_or(0, |k| checkpoint::key_id("zhengzhao", k));
    format!("zhengzhao/{id:08x}")
}

/// Appends the events' leaves to `frontier` and writes the nodes they complete into `batch`.
pub(crate) fn stage_leaves(
    registry: &Registry,
    batch: &mut WriteBatch,
    frontier: &mut Frontier,
    events: &[impl AsRef<[u8]>],
) -> Result<(), RegistryError> {
    let cf = registry.cf(layout::CF_MERKLE)?;
    for e in events {
        for node in frontier.append(merkle::leaf_hash(e.as_ref()))? {
            batch.put_cf(cf, layout::merkle_key(node.level, node.index), node.hash);
        }
    }
    Ok(())
}

impl Registry {
    /// The stored complete-subtree node `(level, index)`.
    fn node(&self, level: u32, index: u64) -> Result<Hash, RegistryError> {
        let v = self
            .db
            .get_pinned_cf(
                self.cf(layout::CF_MERKLE)?,
                layout::merkle_key(level, index),
            )?
            .ok_or(merkle::MerkleError::MissingNode { level, index })?;
        v.as_ref()
            .try_into()
            .map_err(|_| corrupt(format!("merkle node ({level}, {index})"), "not 32 bytes"))
    }

    /// The frontier of the stored tree of `size` leaves (read when the registry opens).
    pub(crate) fn read_frontier(&self, size: u64) -> Result<Frontier, RegistryError> {
        Frontier::from_source(&|l, i| self.node(l, i), size)
    }

    /// The log's origin: the first line of its checkpoints.
    pub fn log_origin(&self) -> &str {
        &self.log_origin
    }

    /// The verifier key of the log in the signed-note text form
    /// (`<origin>+<key ID>+<base64 key>`): what an auditor needs to check checkpoints.
    pub fn log_vkey(&self) -> Result<String, RegistryError> {
        Ok(self.log_verifier()?.vkey())
    }

    /// The log's checkpoint verifier.
    pub fn log_verifier(&self) -> Result<checkpoint::Verifier, RegistryError> {
        let public = self.log_key.public_key();
        let key = public
            .ed25519_verifying_key()
            .ok_or_else(|| corrupt(LOG_KEY_FILE, "the log key is not an Ed25519 key"))?;
        Ok(checkpoint::Verifier::new(&self.log_origin, key)?)
    }

    /// The Merkle root of the first `size` events.
    pub fn log_root(&self, size: u64) -> Result<Hash, RegistryError> {
        self.check_size(size)?;
        merkle::root(&|l, i| self.node(l, i), size)
    }

    /// Signs a checkpoint of the whole log as it is now, and keeps it as the latest one.
    /// Returns the signed note.
    pub fn checkpoint(&self) -> Result<String, RegistryError> {
        self.writable()?;
        // Under the writer lock, so that the size and root belong together.
        let guard = self.lock_writer();
        let cp = Checkpoint::new(
            self.log_origin.clone(),
            guard.next_seq,
            guard.frontier.root(),
        );
        let note = cp.sign_with(&self.log_origin, &self.log_key)?;
        self.db.put_cf(
            self.cf(layout::CF_META)?,
            layout::META_CHECKPOINT,
            note.as_bytes(),
        )?;
        drop(guard);
        Ok(note)
    }

    /// The latest signed checkpoint, if one was made.
    pub fn latest_checkpoint(&self) -> Result<Option<String>, RegistryError> {
        match self
            .db
            .get_cf(self.cf(layout::CF_META)?, layout::META_CHECKPOINT)?
        {
            None => Ok(None),
            Some(v) => String::from_utf8(v)
                .map(Some)
                .map_err(|_| corrupt("meta checkpoint", "not UTF-8")),
        }
    }

    /// The proof that event `seq` is in the tree of the first `size` events.
    pub fn inclusion_proof(&self, seq: u64, size: u64) -> Result<InclusionProof, RegistryError> {
        self.check_size(size)?;
        Ok(InclusionProof {
            leaf_index: seq,
            tree_size: size,
            path: merkle::inclusion_proof(&|l, i| self.node(l, i), seq, size)?,
        })
    }

    /// The proof that the tree of the first `size1` events is a prefix of that of `size2`.
    pub fn consistency_proof(
        &self,
        size1: u64,
        size2: u64,
    ) -> Result<ConsistencyProof, RegistryError> {
        self.check_size(size2)?;
        Ok(ConsistencyProof {
            size1,
            size2,
            path: merkle::consistency_proof(&|l, i| self.node(l, i), size1, size2)?,
        })
    }

    fn check_size(&self, size: u64) -> Result<(), RegistryError> {
        let len = self.log_len();
        if size > len {
            return Err(RegistryError::Request {
                field: "size".into(),
                reason: format!("the log has {len} events, not {size}"),
            });
        }
        Ok(())
    }
}
