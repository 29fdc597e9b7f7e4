//! Data Integrity proofs (W3C VC Data Integrity 1.0) with the JCS cryptosuites: adding a proof
//! to a JSON document, and taking a secured document apart for checking.
//!
//! This module knows nothing of licences or certificates: it turns a document and a proof into
//! `hashData`, a signature and the name of the key that should have made it.

use serde_json::{Map, Value};

use crate::cryptosuite::{self, Cryptosuite};
use crate::error::{Coded, ErrorCode};
use crate::jcs;
use crate::keys::Signer;

/// The proof type of every Data Integrity proof.
pub const PROOF_TYPE: &str = "DataIntegrityProof";
/// The proof purpose of licences.
pub const ASSERTION_METHOD: &str = "assertionMethod";

/// What to put in a new proof.
#[derive(Clone, Copy)]
pub struct ProofOptions<'a> {
    /// The cryptosuite.
    pub suite: &'static dyn Cryptosuite,
    /// The `verificationMethod`: what names the key.
    pub verification_method: &'a str,
    /// The `created` time (an XML Schema dateTime), if any.
    pub created: Option<&'a str>,
}

/// Why a proof cannot be made or checked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The document is not a JSON object, or already has a proof when signing.
    #[error("document: {0}")]
    Document(String),
    /// No proof, or a proof without the members a proof must have.
    #[error("proof: {0}")]
    Missing(String),
    /// An unknown proof type or cryptosuite.
    #[error("proof: unsupported {0}")]
    Cryptosuite(String),
    /// proofValue is not multibase base58btc of the suite's signature length.
    #[error("proof: proofValue {0}")]
    ProofValue(String),
    /// proofPurpose is not assertionMethod.
    #[error("proof: proofPurpose is '{0}', expected 'assertionMethod'")]
    Purpose(String),
    /// JSON that JCS cannot canonicalise.
    #[error(transparent)]
    Jcs(#[from] jcs::JcsError),
    /// The signer failed, or signed with a key of another type than the suite's.
    #[error("signing: {0}")]
    Sign(String),
}

impl Coded for ProofError {
    fn code(&self) -> ErrorCode {
        match self {
            ProofError::Document(_) => ErrorCode::DocumentShape,
            ProofError::Missing(_) => ErrorCode::ProofMissing,
            ProofError::Cryptosuite(_) => ErrorCode::ProofCryptosuite,
            ProofError::ProofValue(_) => ErrorCode::ProofValue,
            ProofError::Purpose(_) => ErrorCode::ProofPurpose,
            ProofError::Jcs(e) => e.code(),
            ProofError::Sign(_) => ErrorCode::KeySign,
        }
    }
}

/// Adds a proof to `document` (a JSON object without one) and returns the secured document.
///
/// The document is taken by value: it becomes the secured document without being copied.
pub fn sign(
    document: Value,
    options: ProofOptions<'_>,
    signer: &dyn Signer,
) -> Result<Value, ProofError> {
    let Value::Object(mut doc) = document else {
        return Err(ProofError::Document("not a JSON object".into()));
    };
    if signer.algorithm() != options.suite.algorithm() {
        return Err(ProofError::Sign(format!(
            "{} needs a {} key, the signer has {}",
            options.suite.name(),
            options.suite.algorithm(),
            signer.algorithm()
        )));
    }
    if doc.contains_key("proof") {
        return Err(ProofError::Document("already has a proof".into()));
    }
    let mut config = Map::new();
    config.insert("type".into(), PROOF_TYPE.into());
    config.insert("cryptosuite".into(), options.suite.name().into());
    if let Some(created) = options.created {
        config.insert("created".into(), created.into());
    }
    config.insert(
        "verificationMethod".into(),
        options.verification_method.into(),
    );
    config.insert("proofPurpose".into(), ASSERTION_METHOD.into());
    if let Some(ctx) = doc.get("@context") {
        config.insert("@context".into(), ctx.clone());
    }
    // Neither holds the member left out: a proof was refused above, its value comes below.
    let hash = options.suite.hash_data(
        &[&jcs::canonicalize_object_without(&config, "proofValue")],
        &[&jcs::canonicalize_object_without(&doc, "proof")],
    );
    let signature = signer
        .sign(&hash)
        .map_err(|e| ProofError::Sign(e.to_string()))?;
    if signature.len() != options.suite.signature_len() {
        return Err(ProofError::Sign(format!(
            "the signer made a {}-byte signature; {} signatures are {} bytes (key of another type?)",
            signature.len(),
            options.suite.name(),
            options.suite.signature_len()
        )));
    }
    config.insert("proofValue".into(), multibase_base58btc(&signature).into());
    doc.insert("proof".into(), Value::Object(config));
    Ok(Value::Object(doc))
}

/// A secured document taken apart: everything needed to check its signature, once the key
/// named by `verification_method` is known.
#[derive(Clone)]
pub struct Prepared {
    /// The cryptosuite named by the proof.
    pub suite: &'static dyn Cryptosuite,
    /// The proof's `verificationMethod`.
    pub verification_method: String,
    /// The proof's `created`, if any.
    pub created: Option<String>,
    /// `hashData`: what the signature must be over.
    pub hash_data: Vec<u8>,
    /// The signature decoded from `proofValue`.
    pub signature: Vec<u8>,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("suite", &self.suite.name())
            .field("verification_method", &self.verification_method)
            .field("created", &self.created)
            .finish_non_exhaustive()
    }
}

impl Prepared {
    /// Checks the signature with a public key.
    pub fn verify(&self, public_key: &crate::keys::PublicKey) -> bool {
        self.suite.verify(&cryptosuite::Check {
            public_key,
            message: &self.hash_data,
            signature: &self.signature,
        })
    }
}

/// Takes a secured document apart: checks the proof's shape, suite and purpose, decodes the
/// signature and computes `hashData` over the proof configuration and the document without
/// its proof.
pub fn prepare(secured: &Value) -> Result<Prepared, ProofError> {
    prepare_from(secured)
}

/// [`prepare`] of a document read as a `Value` or as a view of canonical text.
pub(crate) fn prepare_from<J: jcs::JsonRead>(doc: &J) -> Result<Prepared, ProofError> {
    if !doc.is_object() {
        return Err(ProofError::Document("not a JSON object".into()));
    }
    let proof = match doc.get("proof") {
        Some(p) if p.is_object() => p,
        Some(p) if p.is_array() => {
            return Err(ProofError::Missing(
                "several proofs (a proof set) are not supported".into(),
            ))
        }
        Some(_) => return Err(ProofError::Missing("'proof' is not an object".into())),
        None => return Err(ProofError::Missing("the document has no proof".into())),
    };
    let text = |name: &str| -> Result<&str, ProofError> {
        match proof.get(name) {
            Some(v) => v
                .as_str()
                .ok_or_else(|| ProofError::Missing(format!("'{name}' is not a string"))),
            None => Err(ProofError::Missing(format!("no '{name}'"))),
        }
    };
    let proof_type = text("type")?;
    if proof_type != PROOF_TYPE {
        return Err(ProofError::Cryptosuite(format!(
            "proof type '{proof_type}'"
        )));
    }
    let suite_name = text("cryptosuite")?;
    let suite = cryptosuite::by_name(suite_name)
        .ok_or_else(|| ProofError::Cryptosuite(format!("cryptosuite '{suite_name}'")))?;
    let purpose = text("proofPurpose")?;
    if purpose != ASSERTION_METHOD {
        return Err(ProofError::Purpose(purpose.to_owned()));
    }
    let verification_method = text("verificationMethod")?.to_owned();
    let created = match proof.get("created") {
        None => None,
        Some(v) => Some(
            v.as_str()
                .ok_or_else(|| ProofError::Missing("'created' is not a string".into()))?
                .to_owned(),
        ),
    };
    let signature =
        decode_multibase_base58btc(text("proofValue")?).map_err(ProofError::ProofValue)?;
    if signature.len() != suite.signature_len() {
        return Err(ProofError::ProofValue(format!(
            "decodes to {} bytes; {suite_name} signatures are {}",
            signature.len(),
            suite.signature_len()
        )));
    }
    if let Some(proof_ctx) = proof.get("@context") {
        // The proof's context must be a prefix of the document's (VC Data Integrity, JCS suites).
        fn as_list<J: jcs::JsonRead>(v: Option<&J>) -> &[J] {
            match v {
                Some(v) => v.as_array().unwrap_or(std::slice::from_ref(v)),
                None => &[],
            }
        }
        let (p, d) = (as_list(Some(proof_ctx)), as_list(doc.get("@context")));
        if p.len() > d.len() || !p.iter().zip(d).all(|(a, b)| a.same(b)) {
            return Err(ProofError::Missing(
                "the proof's @context does not match the document's".into(),
            ));
        }
    }
    let hash_data = suite.hash_data(
        &proof.canonical_without("proofValue").as_slices(),
        &doc.canonical_without("proof").as_slices(),
    );
    Ok(Prepared {
        suite,
        verification_method,
        created,
        hash_data,
        signature,
    })
}

/// `z` + base58btc: the multibase form of proof values and Multikeys.
pub fn multibase_base58btc(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(1 + five8::BASE58_ENCODED_64_MAX_LEN);
    out.push('z');
    match <&[u8; 64]>::try_from(bytes) {
        // A signature: every proof value.
        Ok(sig) => {
            let mut text = [0u8; five8::BASE58_ENCODED_64_MAX_LEN];
            let len = five8::encode_64(sig, &mut text) as usize;
            out.push_str(std::str::from_utf8(&text[..len]).expect("base58 is ASCII"));
        }
        Err(_) => {
            bs58::encode(bytes)
                .onto(&mut out)
                .expect("a String takes any length");
        }
    }
    out
}

/// Decodes `z` + base58btc.
pub fn decode_multibase_base58btc(s: &str) -> Result<Vec<u8>, String> {
    let body = s.strip_prefix('z').ok_or_else(|| {
        format!(
            "'{}' is not multibase base58btc (no 'z' prefix)",
            truncate(s)
        )
    })?;
    if let Some(bytes) = decode_base58_short(body) {
        return Ok(bytes);
    }
    bs58::decode(body)
        .into_vec()
        .map_err(|e| format!("is not base58btc: {e}"))
}

/// Base58 (Bitcoin alphabet) of at most [`SHORT_BASE58`] characters, decoded as the `bs58`
/// crate decodes it (each leading `1` a zero byte, then the number's big-endian bytes), in
/// linear time per limb instead of per byte. `None` for a longer text or a character outside
/// the alphabet: `bs58` then decodes it or says why not.
fn decode_base58_short(s: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    const DIGITS: [u8; 128] = {
        let mut t = [0xff; 128];
        let mut i = 0;
        while i < 58 {
            t[ALPHABET[i] as usize] = i as u8;
            i += 1;
        }
        t
    };
    // 58^SHORT_BASE58 < 2^(32 * LIMBS): the number always fits.
    const LIMBS: usize = 20;
    let s = s.as_bytes();
    if s.len() > SHORT_BASE58 {
        return None;
    }
    let zeros = s.iter().take_while(|&&c| c == b'1').count();
    // Little-endian 32-bit limbs; five digits (58^5 < 2^32) folded in at a time.
    let mut limbs = [0u32; LIMBS];
    let mut used = 0;
    for chunk in s[zeros..].chunks(5) {
        let (mut value, mut scale) = (0u64, 1u64);
        for &c in chunk {
            let d = *DIGITS.get(usize::from(c))?;
            if d == 0xff {
                return None;
            }
            value = value * 58 + u64::from(d);
            scale *= 58;
        }
        let mut carry = value;
        for limb in &mut limbs[..used] {
            let t = u64::from(*limb) * scale + carry;
            *limb = t as u32;
            carry = t >> 32;
        }
        if carry != 0 {
            limbs[used] = carry as u32;
            used += 1;
        }
    }
    let mut out = Vec::with_capacity(zeros + 4 * used);
    out.resize(zeros, 0);
    let number = limbs[..used].iter().rev().flat_map(|l| l.to_be_bytes());
    out.extend(number.skip_while(|&b| b == 0));
    Some(out)
}

/// The longest base58 text decoded by [`decode_base58_short`]: a 64-byte signature is 86 to
/// 88 characters, a Multikey 46 to 48.
const SHORT_BASE58: usize = 100;

fn truncate(s: &str) -> String {
    s.chars().take(16).collect::<String>() + if s.chars().count() > 16 { "…" } else { "" }
}

/// Multikey (W3C Controlled Identifiers): a public key as multibase base58btc of its multicodec
/// prefix and bytes. Ed25519 keys are `0xed 0x01` + 32 bytes; P-256 keys are `0x80 0x24` + the
/// 33-byte compressed point; SM2 keys are `0x86 0x24` (multicodec `sm2-pub`, 0x1206, whose
/// status in the multicodec table is *draft*) + the 33-byte compressed point.
pub mod multikey {
    use super::{decode_multibase_base58btc, multibase_base58btc};

    const ED25519_PUB: [u8; 2] = [0xed, 0x01];
    const ED25519_PRIV: [u8; 2] = [0x80, 0x26];
    const P256_PUB: [u8; 2] = [0x80, 0x24];
    /// `sm2-pub` (0x1206) as an unsigned varint.
    const SM2_PUB: [u8; 2] = [0x86, 0x24];

    /// Encodes an Ed25519 public key.
    ///
    /// ```
    /// use zhengzhao_core::proof::multikey;
    /// let key = multikey::decode_ed25519("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2").unwrap();
    /// assert_eq!(multikey::encode_ed25519(&key), "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2");
    /// ```
    pub fn encode_ed25519(key: &[u8; 32]) -> String {
        multibase_base58btc(&[&ED25519_PUB[..], key].concat())
    }

    /// Decodes an Ed25519 public key.
    pub fn decode_ed25519(s: &str) -> Result<[u8; 32], String> {
        decode(s, ED25519_PUB, "Ed25519 public key")
    }

    /// Decodes an Ed25519 secret key (seed), as in the W3C test vectors.
    pub fn decode_ed25519_secret(s: &str) -> Result<[u8; 32], String> {
        decode(s, ED25519_PRIV, "Ed25519 secret key")
    }

    /// Encodes a P-256 public key given as a 33-byte compressed point.
    pub fn encode_p256(compressed: &[u8; 33]) -> String {
        multibase_base58btc(&[&P256_PUB[..], compressed].concat())
    }

    /// Encodes an SM2 public key given as a 33-byte compressed point.
    pub fn encode_sm2(compressed: &[u8; 33]) -> String {
        multibase_base58btc(&[&SM2_PUB[..], compressed].concat())
    }

    /// Decodes an SM2 public key to its 33-byte compressed point (not checked to be on the
    /// curve: [`crate::keys::PublicKey::from_raw`] does that).
    pub fn decode_sm2(s: &str) -> Result<[u8; 33], String> {
        decode(s, SM2_PUB, "SM2 public key")
    }

    fn decode<const N: usize>(s: &str, prefix: [u8; 2], what: &str) -> Result<[u8; N], String> {
        let bytes = decode_multibase_base58btc(s)?;
        match bytes.strip_prefix(&prefix[..]) {
            Some(key) => key
                .try_into()
                .map_err(|_| format!("{what}: {} bytes after the prefix, expected {N}", key.len())),
            None => Err(format!("not a multikey {what} (wrong multicodec prefix)")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multibase_encodes_as_bs58_does() {
        let mut sampler = crate::sample::Sampler::new(9);
        for zeros in [0usize, 1, 2, 5, 64] {
            for len in [0usize, 1, 32, 63, 64, 65] {
                let mut bytes = vec![0u8; zeros.min(len)];
                bytes.extend((bytes.len()..len).map(|_| sampler.below(256) as u8));
                let want = format!("z{}", bs58::encode(&bytes).into_string());
                assert_eq!(
                    multibase_base58btc(&bytes),
                    want,
                    "{zeros} zeros, {len} bytes"
                );
            }
        }
        assert_eq!(multibase_base58btc(&[0xff; 64]).len(), 1 + 88);
    }

    #[test]
    fn short_base58_decodes_as_bs58_does() {
        let mut texts: Vec<String> = [
            "", "1", "11", "12", "z", "1z", "2", "111z", "0", "l", "é", "zz1",
        ]
        .map(String::from)
        .to_vec();
        let mut sampler = crate::sample::Sampler::new(3);
        for len in [1usize, 2, 5, 31, 32, 33, 63, 64, 65, 80] {
            for zeros in [0usize, 1, 3] {
                let mut bytes = vec![0u8; zeros];
                bytes.extend((0..len).map(|_| sampler.below(256) as u8));
                texts.push(bs58::encode(&bytes).into_string());
            }
        }
        texts.push("z".repeat(SHORT_BASE58));
        texts.push("z".repeat(SHORT_BASE58 + 1));
        texts.push("1".repeat(SHORT_BASE58));
        for t in &texts {
            let want = bs58::decode(t).into_vec().ok();
            if let Some(got) = decode_base58_short(t) {
                assert_eq!(Some(got), want, "{t}");
            } else {
                assert!(want.is_none() || t.len() > SHORT_BASE58, "{t}");
            }
        }
    }
}
