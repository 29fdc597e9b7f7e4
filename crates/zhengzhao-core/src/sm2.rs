//! 国密 glue: SM3 (GM/T 0004, GB/T 32905) and SM2 signatures (GM/T 0003, GB/T 32918) on the
//! recommended curve `sm2p256v1` (OID 1.2.156.10197.1.301), with RustCrypto's `sm3` and `sm2`.
//!
//! An SM2 signature is over `e = SM3(ZA ‖ M)`, where `ZA = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA
//! ‖ yA)` binds the signer's user ID (distinguishing identifier) and public key. Signer and
//! verifier must use the same ID: [`DEFAULT_USER_ID`] (`1234567812345678`, GM/T 0009-2012 §10)
//! unless a protocol says otherwise. `ZA` is computed here rather than by the `sm2` crate,
//! because that crate takes IDs as `str` while the standard allows any bytes.
//!
//! Signatures are handled as the 64-byte `r ‖ s` form; [`signature_from_der`] and
//! [`signature_to_der`] convert from and to the DER `SEQUENCE { r, s }` that X.509 and
//! GB/T 38540 seals use.
//!
//! ```
//! use zhengzhao_core::sm2::{self, DEFAULT_USER_ID};
//! let key = sm2::SigningKey::generate()?;
//! let sig = key.sign(b"licence")?;
//! let vk = key.verifying_key();
//! assert!(vk.verify(DEFAULT_USER_ID, b"licence", &sig));
//! assert!(!vk.verify(b"", b"licence", &sig));
//! # Ok::<(), zhengzhao_core::sm2::Sm2Error>(())
//! ```

use std::fmt;

use ::sm2::dsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use ::sm2::elliptic_curve::sec1::ToSec1Point;
use ::sm3::{Digest, Sm3};
use ring::rand::{SecureRandom, SystemRandom};

use crate::error::{Coded, ErrorCode};

/// The default SM2 user ID (GM/T 0009-2012 §10): what every Chinese CA and seal system uses
/// unless told otherwise.
pub const DEFAULT_USER_ID: &[u8] = b"1234567812345678";

/// Length of a raw SM2 signature `r ‖ s`.
pub const SIGNATURE_LEN: usize = 64;
/// Length of an uncompressed SEC1 point `04 ‖ x ‖ y`.
pub const POINT_LEN: usize = 65;
/// The longest user ID: its bit length must fit the 16-bit ENTL field.
pub const MAX_USER_ID_LEN: usize = 8191;

/// The curve's `a`, `b`, `xG`, `yG` (GB/T 32918.5), in the order `ZA` hashes them.
const CURVE_ZA_PARAMS: [[u8; 32]; 4] = [
    hex32("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC"),
    hex32("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93"),
    hex32("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"),
    hex32("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"),
];

const fn hex32(s: &str) -> [u8; 32] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'A'..=b'F' => c - b'A' + 10,
            _ => panic!("not upper-case hex"),
        }
    }
    let b = s.as_bytes();
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = nibble(b[2 * i]) << 4 | nibble(b[2 * i + 1]);
        i += 1;
    }
    out
}

/// Why an SM2 key, user ID or signature cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Sm2Error {
    /// A user ID longer than [`MAX_USER_ID_LEN`] bytes.
    #[error("the SM2 user ID has {0} bytes; at most 8191 fit the ENTL field")]
    UserId(usize),
    /// Not an SM2 public or private key.
    #[error("not an SM2 key: {0}")]
    Key(String),
    /// A signature that is neither 64-byte `r ‖ s` nor strict DER `SEQUENCE { r, s }`, or whose
    /// `r` or `s` is outside `[1, n-1]`.
    #[error("not an SM2 signature: {0}")]
    Signature(String),
    /// The random source failed while making a key.
    #[error("the system random source failed")]
    Random,
}

impl Coded for Sm2Error {
    fn code(&self) -> ErrorCode {
        match self {
            Sm2Error::UserId(_) => ErrorCode::Sm2UserId,
            Sm2Error::Key(_) => ErrorCode::KeyMalformed,
            Sm2Error::Signature(_) => ErrorCode::SignatureEncoding,
            Sm2Error::Random => ErrorCode::KeySign,
        }
    }
}

/// SM3 of `data`.
pub fn sm3(data: &[u8]) -> [u8; 32] {
    Sm3::digest(data).into()
}

/// `ZA = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA)` for a user ID and an uncompressed public
/// point `04 ‖ xA ‖ yA`.
pub fn za(user_id: &[u8], point: &[u8; POINT_LEN]) -> Result<[u8; 32], Sm2Error> {
    if user_id.len() > MAX_USER_ID_LEN {
        return Err(Sm2Error::UserId(user_id.len()));
    }
    // Cannot truncate: 8191 * 8 < 2^16.
    let entl = (user_id.len() * 8) as u16;
    let mut h = Sm3::new();
    h.update(entl.to_be_bytes());
    h.update(user_id);
    for p in &CURVE_ZA_PARAMS {
        h.update(p);
    }
    h.update(&point[1..]);
    Ok(h.finalize().into())
}

/// `e = SM3(ZA ‖ M)`: the digest an SM2 signature signs.
fn message_digest(za: &[u8; 32], msg: &[u8]) -> [u8; 32] {
    let mut h = Sm3::new();
    h.update(za);
    h.update(msg);
    h.finalize().into()
}

/// A raw `r ‖ s` signature from strict DER `SEQUENCE { INTEGER r, INTEGER s }` (minimal
/// integers, nothing after it); `r` and `s` must be in `[1, n-1]`.
pub fn signature_from_der(der: &[u8]) -> Result<[u8; SIGNATURE_LEN], Sm2Error> {
    let sig = ::sm2::dsa::Signature::from_der(der).map_err(|_| {
        Sm2Error::Signature("not strict DER SEQUENCE { r, s } with r, s in [1, n-1]".into())
    })?;
    Ok(sig.to_bytes().into())
}

/// The DER `SEQUENCE { r, s }` of a raw `r ‖ s` signature.
pub fn signature_to_der(raw: &[u8]) -> Result<Vec<u8>, Sm2Error> {
    Ok(parse_raw(raw)?.to_der().to_vec())
}

fn parse_raw(raw: &[u8]) -> Result<::sm2::dsa::Signature, Sm2Error> {
    if raw.len() != SIGNATURE_LEN {
        return Err(Sm2Error::Signature(format!(
            "a raw SM2 signature has 64 bytes, found {}",
            raw.len()
        )));
    }
    ::sm2::dsa::Signature::from_slice(raw)
        .map_err(|_| Sm2Error::Signature("r or s is zero or not below the group order".into()))
}

/// An SM2 public key on `sm2p256v1`, with `ZA` for the default user ID computed once.
#[derive(Clone)]
pub struct VerifyingKey {
    key: ::sm2::dsa::VerifyingKey,
    point: [u8; POINT_LEN],
    za_default: [u8; 32],
}

impl VerifyingKey {
    /// Reads a SEC1 point: uncompressed (65 bytes) or compressed (33 bytes). The point must be
    /// on the curve and not the identity.
    pub fn from_sec1(bytes: &[u8]) -> Result<VerifyingKey, Sm2Error> {
        let id = std::str::from_utf8(DEFAULT_USER_ID).unwrap_or_default();
        let key = ::sm2::dsa::VerifyingKey::from_sec1_bytes(id, bytes)
            .map_err(|_| Sm2Error::Key("the SEC1 point is not on sm2p256v1".into()))?;
        Self::from_dsa(key)
    }

    fn from_dsa(key: ::sm2::dsa::VerifyingKey) -> Result<VerifyingKey, Sm2Error> {
        let encoded = key.as_affine().to_sec1_point(false);
        let point: [u8; POINT_LEN] = encoded
            .as_bytes()
            .try_into()
            .map_err(|_| Sm2Error::Key("the point at infinity is not a public key".into()))?;
        let za_default = za(DEFAULT_USER_ID, &point)?;
        Ok(VerifyingKey {
            key,
            point,
            za_default,
        })
    }

    /// The uncompressed point `04 ‖ x ‖ y`.
    pub fn point(&self) -> &[u8; POINT_LEN] {
        &self.point
    }

    /// The compressed point `02/03 ‖ x`.
    pub fn compressed(&self) -> [u8; 33] {
        let mut out = [0u8; 33];
        out[0] = 0x02 | (self.point[64] & 1);
        out[1..].copy_from_slice(&self.point[1..33]);
        out
    }

    /// `ZA` of this key with `user_id`.
    pub fn za(&self, user_id: &[u8]) -> Result<[u8; 32], Sm2Error> {
        if user_id == DEFAULT_USER_ID {
            return Ok(self.za_default);
        }
        za(user_id, &self.point)
    }

    /// Whether `sig` (raw `r ‖ s`) is this key's signature of `msg` with `user_id`. A user ID
    /// too long for ZA, or a malformed signature, is simply invalid.
    #[must_use]
    pub fn verify(&self, user_id: &[u8], msg: &[u8], sig: &[u8]) -> bool {
        match self.za(user_id) {
            Ok(za) => self.verify_digest(&message_digest(&za, msg), sig),
            Err(_) => false,
        }
    }

    /// Whether `sig` (raw `r ‖ s`) is a signature of `e` (`SM3(ZA ‖ M)`, computed by the caller).
    #[must_use]
    pub fn verify_digest(&self, e: &[u8; 32], sig: &[u8]) -> bool {
        match parse_raw(sig) {
            Ok(sig) => self.key.verify_prehash(e, &sig).is_ok(),
            Err(_) => false,
        }
    }
}

impl PartialEq for VerifyingKey {
    fn eq(&self, other: &VerifyingKey) -> bool {
        self.point == other.point
    }
}

impl Eq for VerifyingKey {}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Sm2VerifyingKey")
            .field(&hex::encode(self.point))
            .finish()
    }
}

/// An SM2 private key. Signatures are deterministic (the nonce `k` is derived from the key and
/// `e` as RFC 6979 does it, with SM3): no random source is needed at signing time, so a weak one
/// cannot leak the key, and verifiers cannot tell such `k` from a random one.
#[derive(Clone)]
pub struct SigningKey {
    key: ::sm2::dsa::SigningKey,
    public: VerifyingKey,
}

impl SigningKey {
    /// Makes a new random key from the operating system's random source.
    pub fn generate() -> Result<SigningKey, Sm2Error> {
        let rng = SystemRandom::new();
        // A random 256-bit value is a valid scalar except with probability about 2^-32.
        for _ in 0..64 {
            let mut secret = [0u8; 32];
            rng.fill(&mut secret).map_err(|_| Sm2Error::Random)?;
            let made = SigningKey::from_secret_bytes(&secret);
            secret.fill(0);
            if let Ok(key) = made {
                return Ok(key);
            }
        }
        Err(Sm2Error::Random)
    }

    /// Reads the 32-byte big-endian secret scalar `d`, in `[1, n-2]`.
    pub fn from_secret_bytes(d: &[u8]) -> Result<SigningKey, Sm2Error> {
        let id = std::str::from_utf8(DEFAULT_USER_ID).unwrap_or_default();
        let key = ::sm2::dsa::SigningKey::from_slice(id, d)
            .map_err(|_| Sm2Error::Key("the secret is not a scalar in [1, n-2]".into()))?;
        Self::from_dsa(key)
    }

    fn from_dsa(key: ::sm2::dsa::SigningKey) -> Result<SigningKey, Sm2Error> {
        // d = n-1 makes 1 + d = 0 mod n, which SM2 signing cannot invert.
        let d_plus_1 = *key.as_nonzero_scalar().as_ref() + ::sm2::Scalar::ONE;
        if bool::from(d_plus_1.is_zero()) {
            return Err(Sm2Error::Key("the secret d = n-1 cannot sign".into()));
        }
        let public = VerifyingKey::from_dsa(key.verifying_key().clone())?;
        Ok(SigningKey { key, public })
    }

    /// Reads a PKCS#8 private key (DER): `id-ecPublicKey` with the `sm2p256v1` curve OID, as
    /// OpenSSL, GmSSL and Tongsuo write them.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<SigningKey, Sm2Error> {
        use ::sm2::pkcs8::DecodePrivateKey;
        let secret = ::sm2::SecretKey::from_pkcs8_der(der)
            .map_err(|e| Sm2Error::Key(format!("not an SM2 PKCS#8 key: {e}")))?;
        Self::from_secret_bytes(&secret.to_bytes())
    }

    /// The PKCS#8 DER form. This is secret material.
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, Sm2Error> {
        use ::sm2::pkcs8::EncodePrivateKey;
        let secret = ::sm2::SecretKey::from(self.key.as_nonzero_scalar());
        secret
            .to_pkcs8_der()
            .map(|doc| doc.as_bytes().to_vec())
            .map_err(|e| Sm2Error::Key(format!("cannot encode as PKCS#8: {e}")))
    }

    /// The public key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.public
    }

    /// Signs `msg` with the default user ID; returns raw `r ‖ s`.
    pub fn sign(&self, msg: &[u8]) -> Result<[u8; SIGNATURE_LEN], Sm2Error> {
        self.sign_with_id(DEFAULT_USER_ID, msg)
    }

    /// Signs `msg` with `user_id`; returns raw `r ‖ s`.
    pub fn sign_with_id(
        &self,
        user_id: &[u8],
        msg: &[u8],
    ) -> Result<[u8; SIGNATURE_LEN], Sm2Error> {
        let e = message_digest(&self.public.za(user_id)?, msg);
        let sig: ::sm2::dsa::Signature = self
            .key
            .sign_prehash(&e)
            .map_err(|_| Sm2Error::Signature("SM2 signing failed".into()))?;
        Ok(sig.to_bytes().into())
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sm2SigningKey")
            .field("public_key", &self.public)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curve_parameters_are_those_of_the_crate() {
        use ::sm2::elliptic_curve::point::AffineCoordinates;
        let g = ::sm2::AffinePoint::GENERATOR;
        assert_eq!(<[u8; 32]>::from(g.x()), CURVE_ZA_PARAMS[2]);
    }

    #[test]
    fn user_ids_too_long_are_refused() {
        let key = SigningKey::generate().unwrap();
        let long = vec![b'a'; MAX_USER_ID_LEN + 1];
        let e = key.sign_with_id(&long, b"m").unwrap_err();
        assert_eq!(e.code(), ErrorCode::Sm2UserId);
        assert!(key.sign_with_id(&long[..MAX_USER_ID_LEN], b"m").is_ok());
        let sig = key.sign(b"m").unwrap();
        assert!(!key.verifying_key().verify(&long, b"m", &sig));
    }

    #[test]
    fn the_secret_n_minus_1_is_refused() {
        let n_minus_1 = hex32("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54122");
        let e = SigningKey::from_secret_bytes(&n_minus_1).unwrap_err();
        assert_eq!(e.code(), ErrorCode::KeyMalformed);
        assert!(SigningKey::from_secret_bytes(&[0; 32]).is_err());
        assert!(SigningKey::from_secret_bytes(&[0xff; 32]).is_err());
        assert!(SigningKey::from_secret_bytes(&[1; 31]).is_err());
    }

    #[test]
    fn der_and_raw_convert_both_ways() {
        let key = SigningKey::generate().unwrap();
        let raw = key.sign(b"m").unwrap();
        let der = signature_to_der(&raw).unwrap();
        assert_eq!(signature_from_der(&der).unwrap(), raw);
        assert_eq!(
            signature_to_der(&raw[..63]).unwrap_err().code(),
            ErrorCode::SignatureEncoding
        );
        for n in 0..der.len() {
            assert_eq!(
                signature_from_der(&der[..n]).unwrap_err().code(),
                ErrorCode::SignatureEncoding
            );
        }
        let mut long = der.clone();
        long.push(0);
        assert!(signature_from_der(&long).is_err());
    }
}
