//! The registry's errors: each carries a stable [`ErrorCode`] (the `ZZ-E-STORE-*`,
//! `ZZ-E-LIFE-*`, `ZZ-E-GRANT-*` and `ZZ-E-WINDOW-*` families, and the codes of
//! zhengzhao-core for what it checks).

use zhengzhao_core::error::{Coded, ErrorCode};
use zhengzhao_core::licence::JsonError;

/// Any error of the registry.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// An error of zhengzhao-core: a code, identifier, catalogue type, schema violation, key or
    /// certificate.
    #[error(transparent)]
    Core(#[from] zhengzhao_core::Error),
    /// Signing failed.
    #[error("signing: {0}")]
    Sign(#[from] zhengzhao_core::proof::ProofError),
    /// The database failed.
    #[error("registry database: {0}")]
    Database(String),
    /// The folder is not a registry.
    #[error("{path}: not a zhengzhao registry: {reason}")]
    NotRegistry {
        /// The folder.
        path: String,
        /// What is missing.
        reason: String,
    },
    /// The schema version differs.
    #[error(
        "{path}: the registry has schema version {found}, this program reads version {expected}"
    )]
    Schema {
        /// The folder.
        path: String,
        /// The version stored.
        found: u32,
        /// The version this program reads.
        expected: u32,
    },
    /// The registry is open for writing elsewhere.
    #[error("{path}: the registry is open for writing by another process or handle ({detail})")]
    Locked {
        /// The folder.
        path: String,
        /// RocksDB's message.
        detail: String,
    },
    /// The holder-index secret cannot be used.
    #[error("{path}: holder-index secret: {reason}")]
    Secret {
        /// The secret file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A write on a read-only secondary.
    #[error("{path}: this handle is a read-only secondary: writes go to the registry's writer")]
    ReadOnly {
        /// The registry folder.
        path: String,
    },
    /// A stored record does not decode.
    #[error("corrupt {what} record: {reason}")]
    Corrupt {
        /// Which record (column family and key, without personal data).
        what: String,
        /// What is wrong.
        reason: String,
    },
    /// The folder for a new registry is not empty.
    #[error("{path}: {reason}")]
    Exists {
        /// The folder.
        path: String,
        /// What is there.
        reason: String,
    },
    /// A file of the registry folder cannot be read or written.
    #[error("{path}: {reason}")]
    Io {
        /// The path.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// No such licence.
    #[error("no licence {id} in the registry")]
    NotFound {
        /// The identifier asked for.
        id: String,
    },
    /// A lifecycle step the state does not allow.
    #[error("licence {id} is {state}: cannot {step} it{detail}")]
    IllegalTransition {
        /// The licence.
        id: String,
        /// Its state (the external label, e.g. `吊销`).
        state: String,
        /// The step refused, e.g. `resume`.
        step: &'static str,
        /// More about why (starts with a separator, may be empty).
        detail: String,
    },
    /// An inconsistent issuance, change or renewal request.
    #[error("{field}: {reason}")]
    Request {
        /// The field at fault.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// The type and 证照编号 are those of a licence already issued.
    #[error("licence type {type_code} already has a licence numbered '{number}': {id}")]
    NumberTaken {
        /// The licence type.
        type_code: String,
        /// The 证照编号.
        number: String,
        /// The licence that has it (empty while a concurrent issuance is writing it).
        id: String,
    },
    /// The licence is not in the form the operation needs: an imported OFD file where a
    /// credential this registry signed is needed, or the other way round.
    #[error("licence {id}: {reason}")]
    Form {
        /// The licence.
        id: String,
        /// What it is and what was asked.
        reason: String,
    },
    /// Nothing left to allocate.
    #[error("allocation: {0}")]
    Allocation(String),
    /// No signing key for the issuer.
    #[error("no signer: {0}")]
    NoSigner(String),
    /// A malformed grant or consent request.
    #[error("grant: {field}: {reason}")]
    GrantRequest {
        /// The field at fault.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// No such grant or consent.
    #[error("{0}")]
    GrantNotFound(String),
    /// Consent for a type that does not need it.
    #[error("licence type {0} does not require the holder's consent")]
    ConsentNotRequired(String),
    /// A malformed window request.
    #[error("window request: {field}: {reason}")]
    Window {
        /// The field at fault.
        field: String,
        /// What is wrong.
        reason: String,
    },
}

impl Coded for RegistryError {
    fn code(&self) -> ErrorCode {
        match self {
            RegistryError::Core(e) => e.code(),
            RegistryError::Sign(e) => e.code(),
            RegistryError::Database(_) => ErrorCode::StorageDatabase,
            RegistryError::NotRegistry { .. } => ErrorCode::StorageNotRegistry,
            RegistryError::Schema { .. } => ErrorCode::StorageSchema,
            RegistryError::Locked { .. } => ErrorCode::StorageLocked,
            RegistryError::Secret { .. } => ErrorCode::StorageSecret,
            RegistryError::Corrupt { .. } => ErrorCode::StorageCorrupt,
            RegistryError::ReadOnly { .. } => ErrorCode::StorageReadOnly,
            RegistryError::Exists { .. } => ErrorCode::StorageExists,
            RegistryError::Io { .. } => ErrorCode::Io,
            RegistryError::NotFound { .. } => ErrorCode::LicenceNotFound,
            RegistryError::IllegalTransition { .. } => ErrorCode::IllegalTransition,
            RegistryError::Request { .. } => ErrorCode::LifecycleRequest,
            RegistryError::NumberTaken { .. } => ErrorCode::NumberTaken,
            RegistryError::Allocation(_) => ErrorCode::Allocation,
            RegistryError::Form { .. } => ErrorCode::LicenceForm,
            RegistryError::NoSigner(_) => ErrorCode::NoSigner,
            RegistryError::GrantRequest { .. } => ErrorCode::GrantRequest,
            RegistryError::GrantNotFound(_) => ErrorCode::GrantNotFound,
            RegistryError::ConsentNotRequired(_) => ErrorCode::ConsentNotRequired,
            RegistryError::Window { .. } => ErrorCode::WindowRequest,
        }
    }
}

impl From<rocksdb::Error> for RegistryError {
    fn from(e: rocksdb::Error) -> RegistryError {
        RegistryError::Database(e.into_string())
    }
}

impl From<zhengzhao_core::identifier::IdError> for RegistryError {
    fn from(e: zhengzhao_core::identifier::IdError) -> RegistryError {
        RegistryError::Core(e.into())
    }
}

impl From<zhengzhao_core::codes::CodeError> for RegistryError {
    fn from(e: zhengzhao_core::codes::CodeError) -> RegistryError {
        RegistryError::Core(e.into())
    }
}

impl From<zhengzhao_core::catalog::CatalogError> for RegistryError {
    fn from(e: zhengzhao_core::catalog::CatalogError) -> RegistryError {
        RegistryError::Core(e.into())
    }
}

impl From<zhengzhao_core::validate::SchemaError> for RegistryError {
    fn from(e: zhengzhao_core::validate::SchemaError) -> RegistryError {
        RegistryError::Core(e.into())
    }
}

impl From<zhengzhao_core::merkle::MerkleError> for RegistryError {
    fn from(e: zhengzhao_core::merkle::MerkleError) -> RegistryError {
        RegistryError::Core(e.into())
    }
}

impl From<zhengzhao_core::checkpoint::CheckpointError> for RegistryError {
    fn from(e: zhengzhao_core::checkpoint::CheckpointError) -> RegistryError {
        RegistryError::Core(e.into())
    }
}

impl From<JsonError> for RegistryError {
    fn from(e: JsonError) -> RegistryError {
        RegistryError::Core(e.into())
    }
}

/// A shorthand for a corrupt-record error.
pub(crate) fn corrupt(what: impl Into<String>, reason: impl Into<String>) -> RegistryError {
    RegistryError::Corrupt {
        what: what.into(),
        reason: reason.into(),
    }
}
