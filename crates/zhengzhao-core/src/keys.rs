//! Signing keys: Ed25519, ECDSA P-256 and SM2, PKCS#8 PEM, and the `Signer` trait.
//!
//! - [`SigningKey`] is a private key held in memory (Ed25519 via `ed25519-dalek`, P-256 via
//!   `ring`, SM2 via [`crate::sm2`]), read from and written to PKCS#8 (DER or PEM, label
//!   `PRIVATE KEY`; SM2 keys are `id-ecPublicKey` on curve 1.2.156.10197.1.301);
//! - [`PublicKey`] is the raw public key with its [`Algorithm`], read from and written to an X.509
//!   `SubjectPublicKeyInfo`;
//! - [`Signer`] is what signs licences: [`SigningKey`] implements it, and so will an HSM.
//!
//! Signatures are 64 bytes for every algorithm: Ed25519 (RFC 8032); ECDSA P-256 over SHA-256
//! in the fixed `r || s` form (IEEE P1363), as JOSE and the W3C Data Integrity suites use it; and
//! SM2 over `SM3(ZA || msg)` with the default user ID `1234567812345678`, also as raw `r || s`.
//!
//! ```
//! use zhengzhao_core::keys::{Algorithm, Signer, SigningKey};
//! let key = SigningKey::generate(Algorithm::Ed25519)?;
//! let sig = key.sign(b"licence")?;
//! assert!(key.public_key().verify(b"licence", &sig));
//! assert!(!key.public_key().verify(b"licence!", &sig));
//! let again = SigningKey::from_pkcs8_pem(key.to_pkcs8_pem().as_bytes())?;
//! assert_eq!(again.public_key(), key.public_key());
//! # Ok::<(), zhengzhao_core::keys::KeyError>(())
//! ```

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{
    EcdsaKeyPair, KeyPair as _, UnparsedPublicKey, ECDSA_P256_SHA256_FIXED,
    ECDSA_P256_SHA256_FIXED_SIGNING,
};

use crate::error::{Coded, ErrorCode};

/// The PEM label of a PKCS#8 private key.
pub const PKCS8_PEM_LABEL: &str = "PRIVATE KEY";

/// DER of the `SubjectPublicKeyInfo` prefix of an Ed25519 key (RFC 8410), before the 32 key bytes.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];
/// DER of the `SubjectPublicKeyInfo` prefix of a P-256 key (RFC 5480), before the 65-byte point.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];
/// OID 1.3.101.112 (id-Ed25519), content octets.
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
/// OID 1.2.840.10045.2.1 (id-ecPublicKey), content octets.
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// OID 1.2.840.10045.3.1.7 (prime256v1 / secp256r1), content octets.
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// OID 1.2.156.10197.1.301 (sm2p256v1, also used as a key algorithm OID), content octets.
pub(crate) const OID_SM2: &[u8] = &[0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d];
/// DER of the `SubjectPublicKeyInfo` prefix of an SM2 key (`id-ecPublicKey`, curve
/// `sm2p256v1`, GM/T 0010), before the 65-byte point.
const SM2_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d, 0x03, 0x42, 0x00,
];

/// Length of an Ed25519 public key.
const ED25519_KEY_LEN: usize = 32;
/// Length of an uncompressed SEC1 P-256 point (`04 || x || y`).
const P256_POINT_LEN: usize = 65;
/// Length of a signature of either algorithm.
pub const SIGNATURE_LEN: usize = 64;

/// Why a key could not be read, written, used or made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// Not a key of the expected encoding (PKCS#8 PEM or DER, SubjectPublicKeyInfo, raw bytes).
    #[error("the key cannot be read: {reason}")]
    Malformed {
        /// What is wrong with it.
        reason: String,
    },
    /// A key algorithm (or algorithm name) this library does not support.
    #[error("unsupported key algorithm: {found} (Ed25519, P-256 and SM2 are supported)")]
    Algorithm {
        /// The algorithm found, as far as it could be named.
        found: String,
    },
    /// A key file (or the folder holding it) that cannot be read or written.
    #[error("{path}: {reason}")]
    Io {
        /// The file or folder.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// A private key file that the group or others may access.
    #[error("{path}: the private key file has mode {mode:04o}; only its owner may access it (chmod 600)")]
    Permissions {
        /// The file.
        path: String,
        /// Its permission bits.
        mode: u32,
    },
    /// Signing (or making a key) failed: the random source, the key store or the HSM failed.
    #[error("signing failed: {reason}")]
    Sign {
        /// What went wrong.
        reason: String,
    },
}

impl Coded for KeyError {
    fn code(&self) -> ErrorCode {
        match self {
            KeyError::Malformed { .. } => ErrorCode::KeyMalformed,
            KeyError::Algorithm { .. } => ErrorCode::KeyAlgorithm,
            KeyError::Io { .. } => ErrorCode::KeyIo,
            KeyError::Permissions { .. } => ErrorCode::KeyPermissions,
            KeyError::Sign { .. } => ErrorCode::KeySign,
        }
    }
}

fn malformed(reason: impl Into<String>) -> KeyError {
    KeyError::Malformed {
        reason: reason.into(),
    }
}

/// A signature algorithm. More may join, hence `non_exhaustive`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Algorithm {
    /// Ed25519 (RFC 8032): the default.
    Ed25519,
    /// ECDSA over NIST P-256 with SHA-256.
    P256,
    /// SM2 (GM/T 0003, GB/T 32918) on `sm2p256v1` with SM3 and the default user ID.
    Sm2,
}

impl Algorithm {
    /// Every supported algorithm.
    pub const ALL: &'static [Algorithm] = &[Algorithm::Ed25519, Algorithm::P256, Algorithm::Sm2];

    /// The algorithm's usual name: `Ed25519`, `P-256` or `SM2`.
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::Ed25519 => "Ed25519",
            Algorithm::P256 => "P-256",
            Algorithm::Sm2 => "SM2",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Algorithm {
    type Err = KeyError;

    /// Reads `ed25519`, `p256` or `sm2` (also `Ed25519`, `P-256`, `ES256`, `sm2p256v1`),
    /// ignoring case.
    fn from_str(s: &str) -> Result<Algorithm, KeyError> {
        match s.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "ed25519" | "eddsa" => Ok(Algorithm::Ed25519),
            "p256" | "es256" | "ecdsap256" | "secp256r1" | "prime256v1" => Ok(Algorithm::P256),
            "sm2" | "sm2p256v1" | "sm2dsa" => Ok(Algorithm::Sm2),
            _ => Err(KeyError::Algorithm {
                found: s.to_owned(),
            }),
        }
    }
}

/// Something that signs: a [`SigningKey`] in memory, or a key held in a hardware security module.
///
/// An HSM (or a remote signing service) implements this trait so that licences are signed
/// without the private key ever entering the process. Implementations must return signatures
/// in the form [`PublicKey::verify`] accepts: 64 bytes for Ed25519, the fixed `r || s`
/// form (IEEE P1363, 64 bytes) for ECDSA P-256 over SHA-256, and raw `r || s` (64 bytes, not
/// DER) for SM2 over `SM3(ZA || msg)` with the user ID [`crate::sm2::DEFAULT_USER_ID`].
pub trait Signer: Send + Sync {
    /// The signature algorithm.
    fn algorithm(&self) -> Algorithm;
    /// The public key that verifies this signer's signatures.
    fn public_key(&self) -> PublicKey;
    /// Signs `msg` (the whole message: the algorithm hashes it as it requires).
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, KeyError>;
}

/// A private signing key held in memory.
///
/// Its `Debug` form shows the algorithm and the public key only, never secret material.
pub struct SigningKey {
    inner: Inner,
}

enum Inner {
    Ed25519(ed25519_dalek::SigningKey),
    P256 {
        pair: EcdsaKeyPair,
        /// The PKCS#8 document the pair was read from (ring cannot write one back).
        pkcs8: Vec<u8>,
    },
    Sm2(Box<crate::sm2::SigningKey>),
}

impl SigningKey {
    /// Makes a new random key, from the operating system's random source.
    pub fn generate(algorithm: Algorithm) -> Result<SigningKey, KeyError> {
        let rng = SystemRandom::new();
        let fail = |_| KeyError::Sign {
            reason: "the system random source failed".to_owned(),
        };
        match algorithm {
            Algorithm::Ed25519 => {
                let mut secret = [0u8; 32];
                rng.fill(&mut secret).map_err(fail)?;
                let key = ed25519_dalek::SigningKey::from_bytes(&secret);
                secret.fill(0);
                Ok(SigningKey {
                    inner: Inner::Ed25519(key),
                })
            }
            Algorithm::P256 => {
                let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
                    .map_err(fail)?;
                Self::p256_from_pkcs8(doc.as_ref())
            }
            Algorithm::Sm2 => {
                let key = crate::sm2::SigningKey::generate().map_err(|e| KeyError::Sign {
                    reason: e.to_string(),
                })?;
                Ok(SigningKey {
                    inner: Inner::Sm2(Box::new(key)),
                })
            }
        }
    }

    /// Reads a PKCS#8 (RFC 5208 / RFC 5958) private key in DER: Ed25519, P-256 or SM2.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<SigningKey, KeyError> {
        let info = ed25519_dalek::pkcs8::PrivateKeyInfoRef::try_from(der)
            .map_err(|e| malformed(format!("not a PKCS#8 private key: {e}")))?;
        let oid = info.algorithm.oid.as_bytes();
        if oid == OID_ED25519 {
            let key = ed25519_dalek::SigningKey::from_pkcs8_der(der)
                .map_err(|e| malformed(format!("not a valid Ed25519 PKCS#8 key: {e}")))?;
            Ok(SigningKey {
                inner: Inner::Ed25519(key),
            })
        } else if oid == OID_EC_PUBLIC_KEY {
            match info.algorithm.parameters_oid() {
                Ok(curve) if curve.as_bytes() == OID_P256 => Self::p256_from_pkcs8(der),
                Ok(curve) if curve.as_bytes() == OID_SM2 => Self::sm2_from_pkcs8(der),
                Ok(curve) => Err(KeyError::Algorithm {
                    found: format!("EC key on curve {curve}"),
                }),
                Err(_) => Err(malformed("EC key without a named curve")),
            }
        } else {
            Err(KeyError::Algorithm {
                found: format!("key algorithm {}", info.algorithm.oid),
            })
        }
    }

    fn sm2_from_pkcs8(der: &[u8]) -> Result<SigningKey, KeyError> {
        let key =
            crate::sm2::SigningKey::from_pkcs8_der(der).map_err(|e| malformed(e.to_string()))?;
        Ok(SigningKey {
            inner: Inner::Sm2(Box::new(key)),
        })
    }

    fn p256_from_pkcs8(der: &[u8]) -> Result<SigningKey, KeyError> {
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der, &SystemRandom::new())
                .map_err(|e| malformed(format!("not a valid P-256 PKCS#8 key: {e}")))?;
        Ok(SigningKey {
            inner: Inner::P256 {
                pair,
                pkcs8: der.to_vec(),
            },
        })
    }

    /// Reads a PKCS#8 private key in PEM (label `PRIVATE KEY`). Encrypted keys are refused.
    pub fn from_pkcs8_pem(pem_text: &[u8]) -> Result<SigningKey, KeyError> {
        let blocks = pem::parse_many(pem_text).map_err(|e| malformed(format!("not PEM: {e}")))?;
        let block = match blocks.as_slice() {
            [one] => one,
            [] => {
                return Err(malformed(
                    "no PEM block (-----BEGIN PRIVATE KEY-----) found",
                ))
            }
            more => {
                return Err(malformed(format!(
                    "{} PEM blocks, expected one private key",
                    more.len()
                )))
            }
        };
        match block.tag() {
            PKCS8_PEM_LABEL => Self::from_pkcs8_der(block.contents()),
            "ENCRYPTED PRIVATE KEY" => Err(malformed(
                "the key is encrypted; give an unencrypted PKCS#8 key (keep it owner-only)",
            )),
            other => Err(malformed(format!(
                "PEM label is '{other}', expected '{PKCS8_PEM_LABEL}' (PKCS#8)"
            ))),
        }
    }

    /// The PKCS#8 DER form. This is secret material.
    pub(crate) fn pkcs8_der(&self) -> Result<Vec<u8>, KeyError> {
        match &self.inner {
            // PKCS#8 v1 (RFC 8410 without the optional public key), as OpenSSL writes and
            // reads it; OpenSSL 3.0 refuses the v2 form.
            Inner::Ed25519(key) => ed25519_dalek::pkcs8::KeypairBytes {
                secret_key: key.to_bytes(),
                public_key: None,
            }
            .to_pkcs8_der()
            .map(|doc| doc.as_bytes().to_vec())
            .map_err(|e| KeyError::Sign {
                reason: format!("cannot encode the Ed25519 key as PKCS#8: {e}"),
            }),
            Inner::P256 { pkcs8, .. } => Ok(pkcs8.clone()),
            Inner::Sm2(key) => key.to_pkcs8_der().map_err(|e| KeyError::Sign {
                reason: e.to_string(),
            }),
        }
    }

    /// The PKCS#8 PEM form (label `PRIVATE KEY`, LF line endings). This is secret material:
    /// store it owner-only (see [`crate::keystore::save_key`]).
    pub fn to_pkcs8_pem(&self) -> String {
        // Encoding an in-memory key cannot fail; should it ever, the empty string is refused by
        // every reader (and by `save_key`, which uses `try_pkcs8_pem`) rather than panicking.
        self.try_pkcs8_pem().unwrap_or_default()
    }

    /// [`SigningKey::to_pkcs8_pem`], reporting an encoding failure.
    pub(crate) fn try_pkcs8_pem(&self) -> Result<String, KeyError> {
        Ok(pem::encode_config(
            &pem::Pem::new(PKCS8_PEM_LABEL, self.pkcs8_der()?),
            pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
        ))
    }

    /// The algorithm of the key.
    pub fn algorithm(&self) -> Algorithm {
        match self.inner {
            Inner::Ed25519(_) => Algorithm::Ed25519,
            Inner::P256 { .. } => Algorithm::P256,
            Inner::Sm2(_) => Algorithm::Sm2,
        }
    }

    /// The public key.
    pub fn public_key(&self) -> PublicKey {
        match &self.inner {
            Inner::Ed25519(key) => {
                let vk = key.verifying_key();
                PublicKey {
                    algorithm: Algorithm::Ed25519,
                    bytes: vk.to_bytes().to_vec(),
                    ed25519: Some(vk),
                    sm2: None,
                    ed25519_prime: OnceLock::new(),
                }
            }
            Inner::P256 { pair, .. } => PublicKey {
                algorithm: Algorithm::P256,
                bytes: pair.public_key().as_ref().to_vec(),
                ed25519: None,
                sm2: None,
                ed25519_prime: OnceLock::new(),
            },
            Inner::Sm2(key) => {
                let vk = key.verifying_key();
                PublicKey {
                    algorithm: Algorithm::Sm2,
                    bytes: vk.point().to_vec(),
                    ed25519: None,
                    sm2: Some(Arc::new(vk.clone())),
                    ed25519_prime: OnceLock::new(),
                }
            }
        }
    }
}

impl Signer for SigningKey {
    fn algorithm(&self) -> Algorithm {
        SigningKey::algorithm(self)
    }

    fn public_key(&self) -> PublicKey {
        SigningKey::public_key(self)
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
        match &self.inner {
            Inner::Ed25519(key) => {
                use ed25519_dalek::Signer as _;
                Ok(key.sign(msg).to_bytes().to_vec())
            }
            Inner::P256 { pair, .. } => pair
                .sign(&SystemRandom::new(), msg)
                .map(|sig| sig.as_ref().to_vec())
                .map_err(|_| KeyError::Sign {
                    reason: "ECDSA P-256 signing failed (random source)".to_owned(),
                }),
            Inner::Sm2(key) => key
                .sign(msg)
                .map(|sig| sig.to_vec())
                .map_err(|e| KeyError::Sign {
                    reason: e.to_string(),
                }),
        }
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &self.algorithm())
            .field("public_key", &hex::encode(self.public_key().as_bytes()))
            .finish_non_exhaustive()
    }
}

/// A public key: its algorithm and raw bytes (Ed25519: 32 bytes; P-256 and SM2: the 65-byte
/// uncompressed SEC1 point `04 || x || y`).
#[derive(Clone)]
pub struct PublicKey {
    algorithm: Algorithm,
    bytes: Vec<u8>,
    /// The decompressed Ed25519 point, kept so that verifying many signatures decodes it once.
    ed25519: Option<ed25519_dalek::VerifyingKey>,
    /// The decoded SM2 point with its default-ID `ZA`, computed once for the same reason.
    sm2: Option<Arc<crate::sm2::VerifyingKey>>,
    /// An Ed25519 key's point if it may join a batch equation (prime order, canonical),
    /// worked out on the first batch that needs it.
    ed25519_prime: OnceLock<Option<crrl::ed25519::Point>>,
}

impl PublicKey {
    /// Makes a public key from its raw bytes, checking their length (and, for Ed25519, that
    /// they decode to a curve point; for P-256, the form `04 || x || y`; for SM2, a point on
    /// the curve, uncompressed or compressed, kept uncompressed).
    pub fn from_raw(algorithm: Algorithm, bytes: &[u8]) -> Result<PublicKey, KeyError> {
        match algorithm {
            Algorithm::Ed25519 => {
                let arr: &[u8; ED25519_KEY_LEN] = bytes.try_into().map_err(|_| {
                    malformed(format!(
                        "an Ed25519 public key has 32 bytes, found {}",
                        bytes.len()
                    ))
                })?;
                let vk = ed25519_dalek::VerifyingKey::from_bytes(arr)
                    .map_err(|_| malformed("the Ed25519 public key is not a curve point"))?;
                Ok(PublicKey {
                    algorithm,
                    bytes: bytes.to_vec(),
                    ed25519: Some(vk),
                    sm2: None,
                    ed25519_prime: OnceLock::new(),
                })
            }
            Algorithm::P256 => {
                if bytes.len() == 33 && matches!(bytes[0], 2 | 3) {
                    return Err(malformed(
                        "compressed P-256 points are not supported here; give the 65-byte uncompressed point",
                    ));
                }
                if bytes.len() != P256_POINT_LEN || bytes[0] != 0x04 {
                    return Err(malformed(format!(
                        "a P-256 public key is a 65-byte uncompressed point starting with 04, found {} bytes",
                        bytes.len()
                    )));
                }
                Ok(PublicKey {
                    algorithm,
                    bytes: bytes.to_vec(),
                    ed25519: None,
                    sm2: None,
                    ed25519_prime: OnceLock::new(),
                })
            }
            Algorithm::Sm2 => {
                let vk = crate::sm2::VerifyingKey::from_sec1(bytes).map_err(|_| {
                    malformed(format!(
                        "an SM2 public key is a SEC1 point on sm2p256v1 (65 bytes from 04, or 33 from 02/03); these {} bytes are not",
                        bytes.len()
                    ))
                })?;
                Ok(PublicKey {
                    algorithm,
                    bytes: vk.point().to_vec(),
                    ed25519: None,
                    sm2: Some(Arc::new(vk)),
                    ed25519_prime: OnceLock::new(),
                })
            }
        }
    }

    /// Reads an X.509 `SubjectPublicKeyInfo` in DER: Ed25519 (RFC 8410), P-256 (RFC 5480) or
    /// SM2 (GM/T 0010: `id-ecPublicKey` with curve `sm2p256v1`, or OpenSSL 3's algorithm OID
    /// 1.2.156.10197.1.301 itself).
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        use x509_parser::prelude::FromDer;
        let (rest, spki) = x509_parser::x509::SubjectPublicKeyInfo::from_der(der)
            .map_err(|e| malformed(format!("not a SubjectPublicKeyInfo: {e}")))?;
        if !rest.is_empty() {
            return Err(malformed(format!(
                "{} bytes after the SubjectPublicKeyInfo",
                rest.len()
            )));
        }
        let algorithm = spki_algorithm(&spki)?;
        if spki.subject_public_key.unused_bits != 0 {
            return Err(malformed("the public key bit string has unused bits"));
        }
        PublicKey::from_raw(algorithm, &spki.subject_public_key.data)
    }

    /// The X.509 `SubjectPublicKeyInfo` DER.
    pub fn spki_der(&self) -> Vec<u8> {
        let prefix: &[u8] = match self.algorithm {
            Algorithm::Ed25519 => &ED25519_SPKI_PREFIX,
            Algorithm::P256 => &P256_SPKI_PREFIX,
            Algorithm::Sm2 => &SM2_SPKI_PREFIX,
        };
        [prefix, &self.bytes].concat()
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The raw public key bytes (Ed25519: 32; P-256 and SM2: 65, uncompressed SEC1).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The compressed SEC1 form of a P-256 or SM2 key (33 bytes: `02`/`03` and `x`), as
    /// Multikey encodes it; `None` for Ed25519.
    pub fn compressed_sec1(&self) -> Option<[u8; 33]> {
        if self.algorithm == Algorithm::Ed25519 || self.bytes.len() != P256_POINT_LEN {
            return None;
        }
        let mut out = [0u8; 33];
        out[0] = 0x02 | (self.bytes[64] & 1);
        out[1..].copy_from_slice(&self.bytes[1..33]);
        Some(out)
    }

    /// An Ed25519 key's point when it may join a batch equation: a canonical encoding of a
    /// point of prime order (`crate::ed25519_batch`).
    pub(crate) fn ed25519_prime_point(&self) -> Option<&crrl::ed25519::Point> {
        self.ed25519_prime
            .get_or_init(|| {
                let bytes = self.bytes.as_slice().try_into().ok()?;
                crate::ed25519_batch::prime_order_point(bytes)
            })
            .as_ref()
    }

    /// The `ed25519-dalek` verifying key of an Ed25519 key.
    pub fn ed25519_verifying_key(&self) -> Option<&ed25519_dalek::VerifyingKey> {
        self.ed25519.as_ref()
    }

    /// Whether `sig` is a valid signature of `msg` by this key.
    ///
    /// Ed25519 uses `verify_strict` (no small-order keys, canonical `S`); P-256 expects the fixed
    /// 64-byte `r || s` form over SHA-256; SM2 the 64-byte `r || s` form over `SM3(ZA || msg)`
    /// with the default user ID. A signature of the wrong length is simply invalid.
    #[must_use]
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        match self.algorithm {
            Algorithm::Ed25519 => {
                let (Some(vk), Ok(sig)) = (
                    self.ed25519.as_ref(),
                    ed25519_dalek::Signature::from_slice(sig),
                ) else {
                    return false;
                };
                vk.verify_strict(msg, &sig).is_ok()
            }
            Algorithm::P256 => UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &self.bytes)
                .verify(msg, sig)
                .is_ok(),
            Algorithm::Sm2 => self
                .sm2
                .as_ref()
                .is_some_and(|vk| vk.verify(crate::sm2::DEFAULT_USER_ID, msg, sig)),
        }
    }

    /// The SM2 key of an SM2 public key (to verify with another user ID, or a digest).
    pub fn sm2_verifying_key(&self) -> Option<&crate::sm2::VerifyingKey> {
        self.sm2.as_deref()
    }
}

/// The algorithm of an X.509 `SubjectPublicKeyInfo`, if supported.
pub(crate) fn spki_algorithm(
    spki: &x509_parser::x509::SubjectPublicKeyInfo<'_>,
) -> Result<Algorithm, KeyError> {
    let oid = spki.algorithm.algorithm.as_bytes();
    if oid == OID_ED25519 {
        if spki.algorithm.parameters.is_some() {
            return Err(malformed("Ed25519 keys take no algorithm parameters"));
        }
        Ok(Algorithm::Ed25519)
    } else if oid == OID_EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.as_oid().ok());
        match curve {
            Some(c) if c.as_bytes() == OID_P256 => Ok(Algorithm::P256),
            Some(c) if c.as_bytes() == OID_SM2 => Ok(Algorithm::Sm2),
            Some(c) => Err(KeyError::Algorithm {
                found: format!("EC key on curve {c}"),
            }),
            None => Err(malformed("EC key without a named curve")),
        }
    } else if oid == OID_SM2 {
        // OpenSSL 3 writes SM2 keys this way; the parameters, if any, may only repeat the curve.
        match spki.algorithm.parameters.as_ref().map(|p| p.as_oid()) {
            None => Ok(Algorithm::Sm2),
            Some(Ok(c)) if c.as_bytes() == OID_SM2 => Ok(Algorithm::Sm2),
            Some(_) => Err(malformed(
                "SM2 key with parameters other than the sm2p256v1 curve",
            )),
        }
    } else {
        Err(KeyError::Algorithm {
            found: format!("key algorithm {}", spki.algorithm.algorithm),
        })
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &PublicKey) -> bool {
        self.algorithm == other.algorithm && self.bytes == other.bytes
    }
}

impl Eq for PublicKey {}

impl Hash for PublicKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.algorithm.hash(state);
        self.bytes.hash(state);
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("algorithm", &self.algorithm)
            .field("bytes", &hex::encode(&self.bytes))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both() -> [SigningKey; 3] {
        [
            SigningKey::generate(Algorithm::Ed25519).unwrap(),
            SigningKey::generate(Algorithm::P256).unwrap(),
            SigningKey::generate(Algorithm::Sm2).unwrap(),
        ]
    }

    #[test]
    fn pem_round_trip_keeps_the_key() {
        for key in both() {
            let pem = key.to_pkcs8_pem();
            assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{pem}");
            let back = SigningKey::from_pkcs8_pem(pem.as_bytes()).unwrap();
            assert_eq!(back.algorithm(), key.algorithm());
            assert_eq!(back.public_key(), key.public_key());
            let sig = back.sign(b"m").unwrap();
            assert!(key.public_key().verify(b"m", &sig));
        }
    }

    #[test]
    fn signatures_are_64_bytes_and_tampering_is_detected() {
        for key in both() {
            let pk = key.public_key();
            let sig = key.sign(b"licence").unwrap();
            assert_eq!(sig.len(), SIGNATURE_LEN);
            assert!(pk.verify(b"licence", &sig));
            assert!(!pk.verify(b"licencf", &sig));
            for i in [0, 31, 32, 63] {
                let mut bad = sig.clone();
                bad[i] ^= 1;
                assert!(
                    !pk.verify(b"licence", &bad),
                    "{:?} byte {i}",
                    key.algorithm()
                );
            }
            assert!(!pk.verify(b"licence", &sig[..63]));
            assert!(!pk.verify(b"licence", &[]));
            let mut long = sig.clone();
            long.push(0);
            assert!(!pk.verify(b"licence", &long));
        }
    }

    #[test]
    fn a_key_does_not_verify_another_keys_signature() {
        let [a, _, _] = both();
        let b = SigningKey::generate(Algorithm::Ed25519).unwrap();
        let sig = a.sign(b"x").unwrap();
        assert!(!b.public_key().verify(b"x", &sig));
        let p = SigningKey::generate(Algorithm::P256).unwrap();
        let q = SigningKey::generate(Algorithm::P256).unwrap();
        assert!(!q.public_key().verify(b"x", &p.sign(b"x").unwrap()));
    }

    #[test]
    fn spki_round_trip_and_sizes() {
        for key in both() {
            let pk = key.public_key();
            let spki = pk.spki_der();
            assert_eq!(PublicKey::from_spki_der(&spki).unwrap(), pk);
            match pk.algorithm() {
                Algorithm::Ed25519 => {
                    assert_eq!(pk.as_bytes().len(), 32);
                    assert_eq!(pk.compressed_sec1(), None);
                }
                Algorithm::P256 | Algorithm::Sm2 => {
                    assert_eq!(pk.as_bytes().len(), 65);
                    let c = pk.compressed_sec1().unwrap();
                    assert!(c[0] == 2 || c[0] == 3);
                    assert_eq!(&c[1..], &pk.as_bytes()[1..33]);
                }
            }
            // Every prefix and a trailing byte are refused.
            for n in 0..spki.len() {
                assert!(PublicKey::from_spki_der(&spki[..n]).is_err());
            }
            let mut long = spki.clone();
            long.push(0);
            assert!(PublicKey::from_spki_der(&long).is_err());
        }
    }

    #[test]
    fn spki_of_p256_matches_rings_encoding_from_the_pkcs8() {
        // The SPKI prefix constants are checked against x509-parser reading them back.
        let key = SigningKey::generate(Algorithm::P256).unwrap();
        let spki = key.public_key().spki_der();
        use x509_parser::prelude::FromDer;
        let (_, parsed) = x509_parser::x509::SubjectPublicKeyInfo::from_der(&spki).unwrap();
        assert_eq!(spki_algorithm(&parsed).unwrap(), Algorithm::P256);
    }

    #[test]
    fn bad_pem_and_der_are_refused_with_codes() {
        let cases: [(&[u8], ErrorCode); 6] = [
            (b"", ErrorCode::KeyMalformed),
            (b"not pem at all", ErrorCode::KeyMalformed),
            (
                b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                ErrorCode::KeyMalformed,
            ),
            (
                b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                ErrorCode::KeyMalformed,
            ),
            (
                b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
                ErrorCode::KeyMalformed,
            ),
            (
                b"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
                ErrorCode::KeyMalformed,
            ),
        ];
        for (input, code) in cases {
            let e = SigningKey::from_pkcs8_pem(input).unwrap_err();
            assert_eq!(e.code(), code, "{e}");
        }
    }

    #[test]
    fn every_prefix_of_a_pkcs8_key_is_refused() {
        for key in both() {
            let der = key.pkcs8_der().unwrap();
            for n in 0..der.len() {
                assert!(SigningKey::from_pkcs8_der(&der[..n]).is_err(), "{n}");
            }
        }
    }

    #[test]
    fn other_key_algorithms_are_named() {
        // An X25519 PKCS#8 key (OID 1.3.101.110) is well-formed but not a signing key we support.
        let mut der = SigningKey::generate(Algorithm::Ed25519)
            .unwrap()
            .pkcs8_der()
            .unwrap();
        let pos = der.windows(3).position(|w| w == OID_ED25519).unwrap();
        der[pos + 2] = 110;
        let e = SigningKey::from_pkcs8_der(&der).unwrap_err();
        assert_eq!(e.code(), ErrorCode::KeyAlgorithm, "{e}");
    }

    #[test]
    fn raw_public_keys_are_checked() {
        assert!(PublicKey::from_raw(Algorithm::Ed25519, &[0; 31]).is_err());
        assert!(PublicKey::from_raw(Algorithm::P256, &[4; 64]).is_err());
        assert!(PublicKey::from_raw(Algorithm::P256, &[2; 33]).is_err());
        let mut not_uncompressed = [0u8; 65];
        not_uncompressed[0] = 5;
        assert!(PublicKey::from_raw(Algorithm::P256, &not_uncompressed).is_err());
        // A P-256 "point" that is not on the curve never verifies anything.
        let mut off_curve = [1u8; 65];
        off_curve[0] = 4;
        let pk = PublicKey::from_raw(Algorithm::P256, &off_curve).unwrap();
        assert!(!pk.verify(b"m", &[1; 64]));
    }

    #[test]
    fn sm2_keys_round_trip_and_refuse_what_is_not_theirs() {
        let k = SigningKey::generate(Algorithm::Sm2).unwrap();
        let pk = k.public_key();
        // The SPKI is id-ecPublicKey with the sm2p256v1 curve.
        let spki = pk.spki_der();
        assert!(spki.windows(OID_SM2.len()).any(|w| w == OID_SM2));
        assert!(spki
            .windows(OID_EC_PUBLIC_KEY.len())
            .any(|w| w == OID_EC_PUBLIC_KEY));
        // The compressed point is read back to the same key.
        let c = pk.compressed_sec1().unwrap();
        assert_eq!(PublicKey::from_raw(Algorithm::Sm2, &c).unwrap(), pk);
        // Off-curve points are refused when read, not at verification.
        let mut off = [1u8; 65];
        off[0] = 4;
        let e = PublicKey::from_raw(Algorithm::Sm2, &off).unwrap_err();
        assert_eq!(e.code(), ErrorCode::KeyMalformed);
        // An SM2 key and a P-256 key with the same point bytes are different keys.
        let q = SigningKey::generate(Algorithm::P256).unwrap().public_key();
        let as_p256 = PublicKey::from_raw(Algorithm::P256, pk.as_bytes()).unwrap();
        assert_ne!(as_p256, pk);
        let sig = k.sign(b"m").unwrap();
        assert!(
            !as_p256.verify(b"m", &sig),
            "the P-256 check must not accept SM2"
        );
        assert!(!q.verify(b"m", &sig));
        // A P-256 PKCS#8 with its curve OID changed to sm2p256v1 is not a valid SM2 key file.
        let mut der = SigningKey::generate(Algorithm::P256)
            .unwrap()
            .pkcs8_der()
            .unwrap();
        let pos = der
            .windows(OID_P256.len())
            .position(|w| w == OID_P256)
            .unwrap();
        der[pos..pos + OID_P256.len()].copy_from_slice(OID_SM2);
        // (The secret may happen to be a valid SM2 scalar; the embedded public key then
        // belongs to another curve, so either way it must not load as the P-256 key.)
        if let Ok(odd) = SigningKey::from_pkcs8_der(&der) {
            assert_eq!(odd.algorithm(), Algorithm::Sm2);
        }
    }

    #[test]
    fn debug_shows_no_secret() {
        let key = SigningKey::generate(Algorithm::Ed25519).unwrap();
        let der = key.pkcs8_der().unwrap();
        let debug = format!("{key:?}");
        // The secret sits in the inner OCTET STRING (bytes 16..48); it must not show.
        let secret_hex = hex::encode(&der[16..48]);
        assert!(!debug.contains(&secret_hex), "{debug}");
        assert!(debug.contains("Ed25519"));
        let p = SigningKey::generate(Algorithm::P256).unwrap();
        assert!(!format!("{p:?}").contains(&hex::encode(&p.pkcs8_der().unwrap()[36..68])));
    }

    #[test]
    fn algorithm_names_parse() {
        assert_eq!("ed25519".parse::<Algorithm>().unwrap(), Algorithm::Ed25519);
        assert_eq!("P-256".parse::<Algorithm>().unwrap(), Algorithm::P256);
        assert_eq!("p256".parse::<Algorithm>().unwrap(), Algorithm::P256);
        let e = "rsa".parse::<Algorithm>().unwrap_err();
        assert_eq!(e.code(), ErrorCode::KeyAlgorithm);
        for a in Algorithm::ALL {
            assert_eq!(a.name().parse::<Algorithm>().unwrap(), *a);
        }
    }
}
