//! zhengzhao-registry: the registry of electronic licences (电子证照库) in RocksDB.
//!
//! - [`Registry::create`] / [`Registry::open`]: a folder with the database (`db/`, the column
//!   families of [`layout`]) and the holder-index secret (`holder.secret`, see [`secret`]);
//!   [`Options`] sets the shared block cache, the WAL sync policy, the catalogue and the
//!   [`SignerSource`].
//! - Issuance and lifecycle ([`issue`]): [`Registry::issue`], [`Registry::change`],
//!   [`Registry::renew`], [`Registry::suspend`], [`Registry::resume`], [`Registry::revoke`],
//!   [`Registry::withdraw`], [`Registry::cancel`], [`Registry::transfer_out`].
//! - Bulk import of legacy records ([`import`]): [`Registry::import`]; export in the interchange
//!   formats ([`export`]): [`Registry::export`].
//! - Sealed OFD licences issued elsewhere ([`ofd`]): [`Registry::import_ofd`].
//! - Online backup and restore ([`backup`]): [`Registry::backup`], [`Registry::restore`]; the
//!   integrity check ([`check`]): [`Registry::check`].
//! - Grants and consent ([`grant`]).
//! - Offline bundles for auditors ([`bundle`]): [`Registry::bundle`].
//! - The lookup path (用证, [`window`]): [`Registry::lookup`] and [`Registry::lookup_many`].
//! - The usage and audit log ([`event`]): every issuance, step, grant, consent and use, each a
//!   leaf of a Merkle tree with signed checkpoints and inclusion and consistency proofs
//!   ([`log`]).
//!
//! Every error carries a stable [`zhengzhao_core::ErrorCode`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod backup;
pub mod bundle;
pub mod check;
pub mod error;
pub mod event;
pub mod export;
pub mod grant;
pub mod import;
pub mod issue;
pub mod journal;
pub mod layout;
pub mod log;
pub mod ofd;
pub mod options;
pub mod registry;
pub mod secret;
pub mod signer;
pub mod window;

pub use error::RegistryError;
pub use grant::Grant;
pub use issue::{Cause, IssueRequest, Issued, Step};
pub use ofd::{OfdImport, OfdImported};
pub use options::{Options, WalSync};
pub use registry::Registry;
pub use signer::{CachedSigners, SignerSource, SigningIdentity};
pub use window::{Answer, DocumentFormat, Refusal, UseContext, WindowRequest};

#[cfg(test)]
mod tests {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn the_registry_is_send_and_sync() {
        assert_send_sync::<crate::Registry>();
    }
}
