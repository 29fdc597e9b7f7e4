//! Data Integrity cryptosuites: how the proof configuration and the document become the bytes
//! that are signed, and how those signatures are checked.
//!
//! Every suite here canonicalises with JCS (RFC 8785); they differ in the hash and signature:
//!
//! | name | hash | signature |
//! |---|---|---|
//! | `eddsa-jcs-2022` (default) | SHA-256 | Ed25519, [the zhengzhao policy](crate::ed25519) |
//! | `ecdsa-jcs-2019` | SHA-256 | ECDSA P-256, IEEE P1363 `r ‖ s` |
//!
//! `hashData = H(JCS(proofConfig)) ‖ H(JCS(document))`; the signature is over `hashData`.
//! A new suite (SM2 with SM3) implements [`Cryptosuite`] and is added to [`ALL`]: the verifier
//! looks suites up by name and needs no other change.

use sha2::{Digest, Sha256};

/// The key algorithm a suite signs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// Ed25519: 32-byte public keys.
    Ed25519,
    /// ECDSA P-256: 65-byte uncompressed SEC1 public keys.
    P256,
}

/// One signature to check: the raw public key, the hash data and the signature.
#[derive(Clone, Copy, Debug)]
pub struct Check<'a> {
    /// The raw public key, in the form of the suite's [`KeyType`].
    pub public_key: &'a [u8],
    /// The hash data that was signed.
    pub message: &'a [u8],
    /// The signature.
    pub signature: &'a [u8],
}

/// A Data Integrity cryptosuite.
pub trait Cryptosuite: Send + Sync + 'static {
    /// The `cryptosuite` name written in proofs.
    fn name(&self) -> &'static str;

    /// The key algorithm of the suite.
    fn key_type(&self) -> KeyType;

    /// The length of a signature in bytes.
    fn signature_len(&self) -> usize;

    /// `H(proof config) ‖ H(document)` over their canonical forms.
    fn hash_data(&self, canonical_proof_config: &[u8], canonical_document: &[u8]) -> Vec<u8>;

    /// Checks one signature.
    fn verify(&self, check: &Check<'_>) -> bool;

    /// Checks many signatures; accepts exactly what [`Cryptosuite::verify`] accepts. The
    /// default checks them one by one.
    fn verify_batch(&self, checks: &[Check<'_>]) -> Vec<bool> {
        checks.iter().map(|c| self.verify(c)).collect()
    }
}

/// `eddsa-jcs-2022`: Ed25519 over SHA-256 hash data.
#[derive(Debug)]
pub struct EddsaJcs2022;

/// `ecdsa-jcs-2019` with P-256: ECDSA over SHA-256 hash data.
#[derive(Debug)]
pub struct EcdsaJcs2019;

/// The default suite.
pub static EDDSA_JCS_2022: EddsaJcs2022 = EddsaJcs2022;
/// The P-256 suite.
pub static ECDSA_JCS_2019: EcdsaJcs2019 = EcdsaJcs2019;

/// Every suite, the default first.
pub static ALL: &[&dyn Cryptosuite] = &[&EDDSA_JCS_2022, &ECDSA_JCS_2019];

/// The suite with this name.
///
/// ```
/// let s = zhengzhao_core::cryptosuite::by_name("ecdsa-jcs-2019").unwrap();
/// assert_eq!(s.signature_len(), 64);
/// assert!(zhengzhao_core::cryptosuite::by_name("ecdsa-rdfc-2019").is_none());
/// ```
pub fn by_name(name: &str) -> Option<&'static dyn Cryptosuite> {
    ALL.iter().copied().find(|s| s.name() == name)
}

/// The suite that signs with keys of this type.
pub fn for_key_type(key_type: KeyType) -> Option<&'static dyn Cryptosuite> {
    ALL.iter().copied().find(|s| s.key_type() == key_type)
}

fn sha256_pair(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(&Sha256::digest(a));
    out.extend_from_slice(&Sha256::digest(b));
    out
}

impl Cryptosuite for EddsaJcs2022 {
    fn name(&self) -> &'static str {
        "eddsa-jcs-2022"
    }
    fn key_type(&self) -> KeyType {
        KeyType::Ed25519
    }
    fn signature_len(&self) -> usize {
        64
    }
    fn hash_data(&self, proof_config: &[u8], document: &[u8]) -> Vec<u8> {
        sha256_pair(proof_config, document)
    }
    fn verify(&self, c: &Check<'_>) -> bool {
        crate::ed25519::verify(&as_ed25519(c))
    }
    fn verify_batch(&self, checks: &[Check<'_>]) -> Vec<bool> {
        let items: Vec<_> = checks.iter().map(as_ed25519).collect();
        crate::ed25519::verify_batch(&items)
    }
}

fn as_ed25519<'a>(c: &Check<'a>) -> crate::ed25519::Item<'a> {
    crate::ed25519::Item { public_key: c.public_key, message: c.message, signature: c.signature }
}

impl Cryptosuite for EcdsaJcs2019 {
    fn name(&self) -> &'static str {
        "ecdsa-jcs-2019"
    }
    fn key_type(&self) -> KeyType {
        KeyType::P256
    }
    fn signature_len(&self) -> usize {
        64
    }
    fn hash_data(&self, proof_config: &[u8], document: &[u8]) -> Vec<u8> {
        sha256_pair(proof_config, document)
    }
    fn verify(&self, c: &Check<'_>) -> bool {
        c.signature.len() == 64
            && ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, c.public_key)
                .verify(c.message, c.signature)
                .is_ok()
    }
}
