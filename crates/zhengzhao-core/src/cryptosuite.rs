//! Data Integrity cryptosuites: how the proof configuration and the document become the bytes
//! that are signed, and how those signatures are checked.
//!
//! Every suite here canonicalises with JCS (RFC 8785); they differ in the hash and signature:
//!
//! | name | hash | signature |
//! |---|---|---|
//! | `eddsa-jcs-2022` (default) | SHA-256 | Ed25519, `verify_strict` (`docs/ed25519-policy.md`) |
//! | `ecdsa-jcs-2019` | SHA-256 | ECDSA P-256, IEEE P1363 `r ‖ s` |
//! | `sm2-jcs-2024` | SM3 | SM2 with user ID `1234567812345678`, raw `r ‖ s` (zhengzhao's own; `docs/formats.md`) |
//!
//! `hashData = H(JCS(proofConfig)) ‖ H(JCS(document))`; the signature is over `hashData`.
//! A suite implements [`Cryptosuite`] and is added to [`ALL`]: the verifier looks suites up by
//! name and needs no other change.

use sha2::{Digest, Sha256};

use crate::keys::{Algorithm, PublicKey};

/// One signature to check: the public key, the hash data and the signature.
#[derive(Clone, Copy, Debug)]
pub struct Check<'a> {
    /// The public key.
    pub public_key: &'a PublicKey,
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
    fn algorithm(&self) -> Algorithm;

    /// The length of a signature in bytes.
    fn signature_len(&self) -> usize;

    /// The suite's hash (SHA-256, SM3) of text given in pieces, read one after the other.
    fn digest(&self, pieces: &[&[u8]]) -> [u8; 32];

    /// Checks one signature: a key of the suite's algorithm, and the key's verdict.
    fn verify(&self, check: &Check<'_>) -> bool {
        check.public_key.algorithm() == self.algorithm()
            && check.public_key.verify(check.message, check.signature)
    }

    /// Checks many signatures; accepts exactly what [`Cryptosuite::verify`] accepts. The
    /// default checks them one by one; `eddsa-jcs-2022` checks those it can in one batch
    /// equation (`docs/ed25519-policy.md`).
    fn verify_batch(&self, checks: &[Check<'_>]) -> Vec<bool> {
        checks.iter().map(|c| self.verify(c)).collect()
    }
}

impl dyn Cryptosuite {
    /// `H(proof config) ‖ H(document)` over their canonical forms, each given in pieces read one
    /// after the other: what a proof signs. Not a trait method, so that signing and verifying
    /// derive it from [`Cryptosuite::digest`] the same way for every suite.
    pub fn hash_data(
        &self,
        canonical_proof_config: &[&[u8]],
        canonical_document: &[&[u8]],
    ) -> Vec<u8> {
        [
            self.digest(canonical_proof_config),
            self.digest(canonical_document),
        ]
        .concat()
    }
}

/// `eddsa-jcs-2022`: Ed25519 over SHA-256 hash data.
#[derive(Debug)]
pub struct EddsaJcs2022;

/// `ecdsa-jcs-2019` with P-256: ECDSA over SHA-256 hash data.
#[derive(Debug)]
pub struct EcdsaJcs2019;

/// `sm2-jcs-2024`: SM2 (GM/T 0003, default user ID) over SM3 hash data, for deployments that
/// must use the national algorithms. Not a W3C suite: zhengzhao defines it, in the W3C naming
/// style, in `docs/formats.md`.
#[derive(Debug)]
pub struct Sm2Jcs2024;

/// The default suite.
pub static EDDSA_JCS_2022: EddsaJcs2022 = EddsaJcs2022;
/// The P-256 suite.
pub static ECDSA_JCS_2019: EcdsaJcs2019 = EcdsaJcs2019;

/// The SM2 suite.
pub static SM2_JCS_2024: Sm2Jcs2024 = Sm2Jcs2024;

/// Every suite, the default first.
pub static ALL: &[&dyn Cryptosuite] = &[&EDDSA_JCS_2022, &ECDSA_JCS_2019, &SM2_JCS_2024];

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

/// The suite that signs with keys of this algorithm.
pub fn for_algorithm(algorithm: Algorithm) -> Option<&'static dyn Cryptosuite> {
    ALL.iter().copied().find(|s| s.algorithm() == algorithm)
}

fn sha256(pieces: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    pieces.iter().for_each(|p| h.update(p));
    h.finalize().into()
}

fn sm3(pieces: &[&[u8]]) -> [u8; 32] {
    let mut h = sm3::Sm3::new();
    pieces.iter().for_each(|p| h.update(p));
    h.finalize().into()
}

impl Cryptosuite for EddsaJcs2022 {
    fn name(&self) -> &'static str {
        "eddsa-jcs-2022"
    }
    fn algorithm(&self) -> Algorithm {
        Algorithm::Ed25519
    }
    fn signature_len(&self) -> usize {
        64
    }
    fn digest(&self, pieces: &[&[u8]]) -> [u8; 32] {
        sha256(pieces)
    }
    fn verify_batch(&self, checks: &[Check<'_>]) -> Vec<bool> {
        crate::ed25519_batch::verify(checks)
    }
}

impl Cryptosuite for EcdsaJcs2019 {
    fn name(&self) -> &'static str {
        "ecdsa-jcs-2019"
    }
    fn algorithm(&self) -> Algorithm {
        Algorithm::P256
    }
    fn signature_len(&self) -> usize {
        64
    }
    fn digest(&self, pieces: &[&[u8]]) -> [u8; 32] {
        sha256(pieces)
    }
}

impl Cryptosuite for Sm2Jcs2024 {
    fn name(&self) -> &'static str {
        "sm2-jcs-2024"
    }
    fn algorithm(&self) -> Algorithm {
        Algorithm::Sm2
    }
    fn signature_len(&self) -> usize {
        crate::sm2::SIGNATURE_LEN
    }
    fn digest(&self, pieces: &[&[u8]]) -> [u8; 32] {
        sm3(pieces)
    }
}
