//! zhengzhao-core: the pure logic of zhengzhao (证照), China's government electronic licences.
//!
//! No I/O and no storage: identifiers ([`identifier`]), holder and issuer codes ([`codes`]), the
//! licence model ([`licence`]) and its status ([`status`]), the catalogue of licence types
//! ([`catalog`]), validation of licence data against its type ([`validate`]), deterministic sample data
//! ([`sample`]), and the offline checks of the usage log: Merkle proofs ([`merkle`]) and signed
//! checkpoints ([`checkpoint`]); the interchange formats `vc+jwt` ([`vcjwt`]), the flat GB/T 36903
//! record ([`gbt36903`]) and the QR payload ([`qr`]), told apart by [`interchange::sniff`]; rows
//! of legacy exports ([`records`]) and their mapping onto a licence type ([`mapping`]). Every error
//! carries a stable [`ErrorCode`], shared with the C ABI and the Python package.
//!
//! ```
//! use zhengzhao_core::{catalog::Catalog, identifier::LicenceId};
//! let id = LicenceId::parse("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F")?;
//! let catalog = Catalog::builtin();
//! assert!(catalog.len() >= 222);
//! # Ok::<(), zhengzhao_core::Error>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod bundle;
pub mod catalog;
pub mod checkpoint;
pub mod codes;
pub mod credential;
pub mod cryptosuite;
pub mod date;
mod der;
mod ed25519_batch;
pub mod error;
pub mod gbt36903;
pub mod identifier;
pub mod interchange;
pub mod jcs;
pub mod keys;
pub mod keystore;
pub mod licence;
pub mod mapping;
pub mod merkle;
pub mod ofd;
pub mod parallel;
pub mod pki;
pub mod proof;
pub mod qr;
pub mod records;
pub mod sample;
pub mod sm2;
pub mod status;
pub mod statuslist;
pub mod validate;
pub mod vcjwt;
pub mod verify;

pub use error::{Coded, ErrorCode};

/// Any error of zhengzhao-core. Each carries its stable [`ErrorCode`] via [`Coded::code`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A licence identifier.
    #[error(transparent)]
    Identifier(#[from] identifier::IdError),
    /// A holder or issuer code.
    #[error(transparent)]
    Code(#[from] codes::CodeError),
    /// The catalogue.
    #[error(transparent)]
    Catalog(#[from] catalog::CatalogError),
    /// Licence data against its type.
    #[error(transparent)]
    Schema(#[from] validate::SchemaError),
    /// An unreadable document.
    #[error(transparent)]
    Json(#[from] licence::JsonError),
    /// A signing key or key file.
    #[error(transparent)]
    Key(#[from] keys::KeyError),
    /// A certificate, or its path to a trust anchor.
    #[error(transparent)]
    Trust(#[from] pki::TrustError),
    /// A Merkle proof of the usage log.
    #[error(transparent)]
    Merkle(#[from] merkle::MerkleError),
    /// A signed checkpoint of the usage log.
    #[error(transparent)]
    Checkpoint(#[from] checkpoint::CheckpointError),
    /// An import mapping.
    #[error(transparent)]
    Mapping(#[from] mapping::MappingError),
    /// A file to import.
    #[error(transparent)]
    Source(#[from] records::SourceError),
    /// A `vc+jwt` token.
    #[error(transparent)]
    Jwt(#[from] vcjwt::JwtError),
    /// A QR payload.
    #[error(transparent)]
    Qr(#[from] qr::QrError),
    /// A flat GB/T 36903 record.
    #[error(transparent)]
    Record(#[from] gbt36903::RecordError),
    /// A document that verification refused.
    #[error(transparent)]
    Rejected(#[from] verify::Rejected),
    /// An SM2 key, user ID or signature encoding.
    #[error(transparent)]
    Sm2(#[from] sm2::Sm2Error),
    /// An OFD package, or the licence it is.
    #[error(transparent)]
    Ofd(#[from] ofd::OfdError),
}

impl Coded for Error {
    fn code(&self) -> ErrorCode {
        match self {
            Error::Identifier(e) => e.code(),
            Error::Code(e) => e.code(),
            Error::Catalog(e) => e.code(),
            Error::Schema(e) => e.code(),
            Error::Json(e) => e.code(),
            Error::Key(e) => e.code(),
            Error::Trust(e) => e.code(),
            Error::Merkle(e) => e.code(),
            Error::Checkpoint(e) => e.code(),
            Error::Mapping(e) => e.code(),
            Error::Source(e) => e.code(),
            Error::Jwt(e) => e.code(),
            Error::Qr(e) => e.code(),
            Error::Record(e) => e.code(),
            Error::Rejected(e) => e.code(),
            Error::Sm2(e) => e.code(),
            Error::Ofd(e) => e.code(),
        }
    }
}
