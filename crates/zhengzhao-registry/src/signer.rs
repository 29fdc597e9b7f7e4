//! Where the registry gets its signing keys: a [`SignerSource`] gives, for an issuing
//! department and a time, the key to sign with and its certificate. Private keys stay with the
//! source (the authority folder, or an HSM later): they never go into the database. The
//! certificates used are recorded in the `trust` column family, so that bundles can carry them.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use time::OffsetDateTime;
use zhengzhao_core::codes::Uscc;
use zhengzhao_core::keys::Signer;
use zhengzhao_core::keystore::AuthorityDir;
use zhengzhao_core::pki::Certificate;

use crate::error::RegistryError;

/// A signing key and its certificate.
#[derive(Clone)]
pub struct SigningIdentity {
    /// The key (kept by the source: a file key store, an HSM).
    pub signer: Arc<dyn Signer>,
    /// The department's signing certificate for the key.
    pub certificate: Certificate,
    /// The SHA-256 fingerprint of the certificate's DER.
    pub fingerprint: [u8; 32],
}

impl SigningIdentity {
    /// An identity from a key and its certificate.
    pub fn new(signer: Arc<dyn Signer>, certificate: Certificate) -> SigningIdentity {
        let fingerprint = certificate.fingerprint();
        SigningIdentity {
            signer,
            certificate,
            fingerprint,
        }
    }
}

impl std::fmt::Debug for SigningIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningIdentity")
            .field("certificate", &self.certificate)
            .finish_non_exhaustive()
    }
}

/// A source of signing keys: for an issuing department (its 统一社会信用代码) and a time, the
/// key it signs with then and its certificate.
pub trait SignerSource: Send + Sync {
    /// The identity `issuer` signs with at `at`.
    fn signer(
        &self,
        issuer: &Uscc,
        at: OffsetDateTime,
    ) -> Result<Arc<SigningIdentity>, RegistryError>;
}

/// The authority folder: loads the department's newest certificate valid at the time, and its
/// key, on every call (see [`CachedSigners`] to keep them in memory).
impl SignerSource for AuthorityDir {
    fn signer(
        &self,
        issuer: &Uscc,
        at: OffsetDateTime,
    ) -> Result<Arc<SigningIdentity>, RegistryError> {
        let (key, certificate) = self.load_signer_at(issuer, at).map_err(|e| match e {
            zhengzhao_core::Error::Key(k) => RegistryError::NoSigner(k.to_string()),
            other => RegistryError::Core(other),
        })?;
        Ok(Arc::new(SigningIdentity::new(Arc::new(key), certificate)))
    }
}

/// A [`SignerSource`] that keeps each department's identity in memory while its certificate is
/// valid at the times asked for. A certificate added later (key rotation) is picked up when the
/// cached one stops being valid, or after [`CachedSigners::clear`].
pub struct CachedSigners<S> {
    inner: S,
    cache: RwLock<HashMap<Uscc, Arc<SigningIdentity>>>,
}

impl<S: SignerSource> CachedSigners<S> {
    /// Caches the identities of `inner`.
    pub fn new(inner: S) -> CachedSigners<S> {
        CachedSigners {
            inner,
            cache: RwLock::new(HashMap::new()),
        }
    }

    /// Forgets every cached identity.
    pub fn clear(&self) {
        self.cache
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

impl<S: SignerSource> SignerSource for CachedSigners<S> {
    fn signer(
        &self,
        issuer: &Uscc,
        at: OffsetDateTime,
    ) -> Result<Arc<SigningIdentity>, RegistryError> {
        if let Some(id) = self
            .cache
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(issuer)
            .filter(|id| id.certificate.is_valid_at(at))
        {
            return Ok(id.clone());
        }
        let id = self.inner.signer(issuer, at)?;
        self.cache
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(issuer.clone(), id.clone());
        Ok(id)
    }
}
