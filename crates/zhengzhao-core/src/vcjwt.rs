//! Licences as `vc+jwt` (W3C VC-JOSE-COSE): a JWS compact serialisation whose payload is the
//! licence credential without its Data Integrity proof.
//!
//! ```text
//! BASE64URL(header) . BASE64URL(payload) . BASE64URL(signature)
//! header:  {"alg":"EdDSA"|"ES256","cty":"vc","kid":"urn:zz:cert:sha256:<hex>","typ":"vc+jwt","x5c":[…]}
//! payload: the credential of `credential::to_credential`, RFC 8785 canonical, without `proof`
//! ```
//!
//! EdDSA is Ed25519 (RFC 8037); ES256 is ECDSA P-256 over SHA-256 with the signature as the
//! 64 bytes `r ‖ s` (RFC 7518 §3.4). `kid` is the same certificate URN a Data Integrity proof
//! names as its `verificationMethod`; `x5c` carries the signing certificate and any
//! intermediates (never the root: the verifier brings it).
//!
//! Checking is [`crate::verify::Verifier::verify_jwt`]: the same checks as a signed document,
//! with the JWS in place of the proof. [`import`] returns the licence only once they all pass.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Map, Value};

use crate::credential::{self, StatusEntry};
use crate::error::{Coded, ErrorCode};
use crate::jcs;
use crate::keys::{Algorithm, KeyError, Signer, SIGNATURE_LEN};
use crate::licence::Licence;
use crate::pki::Certificate;
use crate::verify::{Context, Rejected, Report, Verifier};

/// The `typ` of a licence token.
pub const TYP: &str = "vc+jwt";
/// The `cty` of a licence token.
pub const CTY: &str = "vc";
/// The longest token read: a licence with a few certificates is under 8 KiB, so anything far
/// larger is not one (and is refused before it is decoded).
pub const MAX_TOKEN_LEN: usize = 64 * 1024;
/// The most certificates `x5c` may carry.
const MAX_X5C: usize = 8;

/// A JWS algorithm a licence token may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JwsAlgorithm {
    /// Ed25519 (RFC 8037).
    EdDsa,
    /// ECDSA P-256 with SHA-256 (RFC 7518).
    Es256,
}

impl JwsAlgorithm {
    /// The `alg` value.
    pub const fn name(self) -> &'static str {
        match self {
            JwsAlgorithm::EdDsa => "EdDSA",
            JwsAlgorithm::Es256 => "ES256",
        }
    }

    /// The key algorithm it needs.
    pub const fn key_algorithm(self) -> Algorithm {
        match self {
            JwsAlgorithm::EdDsa => Algorithm::Ed25519,
            JwsAlgorithm::Es256 => Algorithm::P256,
        }
    }

    /// The JWS algorithm for a key algorithm.
    pub fn for_key(algorithm: Algorithm) -> Option<JwsAlgorithm> {
        match algorithm {
            Algorithm::Ed25519 => Some(JwsAlgorithm::EdDsa),
            Algorithm::P256 => Some(JwsAlgorithm::Es256),
            // No JOSE algorithm is registered for SM2: SM2 licences use Data Integrity only.
            Algorithm::Sm2 => None,
        }
    }
}

/// Why a token cannot be made or read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwtError {
    /// Not three unpadded base64url parts, or a header or payload that is not a JSON object.
    #[error("vc+jwt: {0}")]
    Malformed(String),
    /// Longer than [`MAX_TOKEN_LEN`].
    #[error("vc+jwt: the token is {len} bytes, more than the {max} a licence token may have")]
    TooLarge {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// JSON that is not strict (duplicate member names, lone surrogates…).
    #[error("vc+jwt {part}: {error}")]
    Json {
        /// `header` or `payload`.
        part: &'static str,
        /// What is wrong.
        error: jcs::JcsError,
    },
    /// A header that is not that of a licence token.
    #[error("vc+jwt header: {0}")]
    Header(String),
    /// `alg` is `none` or not EdDSA / ES256.
    #[error("vc+jwt header: {0}")]
    Algorithm(String),
    /// What was to be encoded is not a licence credential.
    #[error("vc+jwt: {0}")]
    Credential(#[from] credential::CredentialError),
    /// The certificate chain does not fit the signer.
    #[error("vc+jwt: {0}")]
    Chain(String),
    /// The signer failed.
    #[error(transparent)]
    Key(#[from] KeyError),
}

impl Coded for JwtError {
    fn code(&self) -> ErrorCode {
        match self {
            JwtError::Malformed(_) => ErrorCode::JwtMalformed,
            JwtError::TooLarge { .. } => ErrorCode::TooLarge,
            JwtError::Json { error, .. } => error.code(),
            JwtError::Header(_) => ErrorCode::JwtHeader,
            JwtError::Algorithm(_) => ErrorCode::JwtAlgorithm,
            JwtError::Credential(e) => e.code(),
            JwtError::Chain(_) => ErrorCode::Usage,
            JwtError::Key(e) => e.code(),
        }
    }
}

/// Signs a licence credential as a `vc+jwt` token.
///
/// `credential` is the credential of [`credential::to_credential`], or a signed document (its
/// `proof` is dropped: the JWS replaces it). `chain` starts with the signer's certificate,
/// whose key must be the signer's, followed by any intermediates; it goes into `x5c`.
pub fn encode(
    credential: &Value,
    signer: &dyn Signer,
    chain: &[Certificate],
) -> Result<String, JwtError> {
    let mut payload = credential
        .as_object()
        .cloned()
        .ok_or_else(|| JwtError::Malformed("the credential is not a JSON object".into()))?;
    payload.remove("proof");
    let payload = Value::Object(payload);
    // Never sign what does not read back as a licence.
    credential::from_credential(&payload)?;
    let cert = chain.first().ok_or_else(|| {
        JwtError::Chain("no certificate: the chain starts with the signer's".into())
    })?;
    if chain.len() > MAX_X5C {
        return Err(JwtError::Chain(format!(
            "{} certificates; x5c carries at most {MAX_X5C}",
            chain.len()
        )));
    }
    match cert.public_key() {
        Ok(k) if k == signer.public_key() => {}
        _ => {
            return Err(JwtError::Chain(format!(
                "the first certificate ('{}') does not hold the signer's key",
                cert.subject_name()
            )))
        }
    }
    let alg = JwsAlgorithm::for_key(signer.algorithm()).ok_or_else(|| {
        JwtError::Algorithm(format!("no JWS algorithm for {} keys", signer.algorithm()))
    })?;
    let x5c: Vec<String> = chain.iter().map(|c| STANDARD.encode(c.der())).collect();
    let header = json!({
        "alg": alg.name(),
        "typ": TYP,
        "cty": CTY,
        "kid": credential::certificate_method(&cert.fingerprint()),
        "x5c": x5c,
    });
    let mut token = URL_SAFE_NO_PAD.encode(jcs::canonicalize_value(&header));
    token.push('.');
    token.push_str(&URL_SAFE_NO_PAD.encode(jcs::canonicalize_value(&payload)));
    let signature = signer.sign(token.as_bytes())?;
    if signature.len() != SIGNATURE_LEN {
        return Err(JwtError::Key(KeyError::Sign {
            reason: format!(
                "the signer made a {}-byte signature; {} signatures are {SIGNATURE_LEN} bytes",
                signature.len(),
                alg.name()
            ),
        }));
    }
    token.push('.');
    token.push_str(&URL_SAFE_NO_PAD.encode(signature));
    Ok(token)
}

/// A token taken apart, before any check of what it says.
#[derive(Clone, Debug)]
pub struct Parts<'a> {
    /// The header, a JSON object.
    pub header: Value,
    /// The payload, a JSON object.
    pub payload: Value,
    /// The decoded signature.
    pub signature: Vec<u8>,
    /// What the signature is over: `header.payload` as it appears in the token.
    pub signing_input: &'a str,
}

/// Takes a token apart: length, three unpadded base64url parts, strict JSON objects. Nothing
/// is trimmed: whitespace or anything after the signature is an error.
pub fn split(token: &str) -> Result<Parts<'_>, JwtError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(JwtError::TooLarge {
            len: token.len(),
            max: MAX_TOKEN_LEN,
        });
    }
    let mut it = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (it.next(), it.next(), it.next(), it.next()) else {
        return Err(JwtError::Malformed(format!(
            "{} parts separated by '.', expected 3",
            token.split('.').count()
        )));
    };
    let decode = |part: &str, what: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|e| JwtError::Malformed(format!("the {what} is not unpadded base64url: {e}")))
    };
    let object = |bytes: Vec<u8>, part: &'static str| -> Result<Value, JwtError> {
        // Not JSON at all is a malformed token; JSON that is not strict has the JCS code.
        if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
            return Err(JwtError::Malformed(format!("the {part} is not JSON: {e}")));
        }
        let v = jcs::parse_strict(&bytes).map_err(|error| JwtError::Json { part, error })?;
        if v.is_object() {
            Ok(v)
        } else {
            Err(JwtError::Malformed(format!(
                "the {part} is not a JSON object"
            )))
        }
    };
    let header = object(decode(h, "header")?, "header")?;
    let payload = object(decode(p, "payload")?, "payload")?;
    let signature = decode(s, "signature")?;
    Ok(Parts {
        header,
        payload,
        signature,
        signing_input: &token[..h.len() + 1 + p.len()],
    })
}

/// The header of a licence token, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// `alg`.
    pub alg: JwsAlgorithm,
    /// `kid`: the certificate URN, if given.
    pub kid: Option<String>,
    /// `x5c`: DER certificates, the signer's first, if given.
    pub x5c: Vec<Vec<u8>>,
}

const HEADER_MEMBERS: [&str; 5] = ["alg", "typ", "cty", "kid", "x5c"];

/// Checks a header: `typ` is `vc+jwt`, `cty` (if any) is `vc`, `alg` is EdDSA or ES256, a `kid`
/// or an `x5c` names the certificate, and no other member (`crit`, `jwk`, `x5u`… are refused:
/// keys come from certificates that chain to the verifier's anchors, nowhere else).
pub fn check_header(header: &Value) -> Result<Header, JwtError> {
    let h: &Map<String, Value> = header
        .as_object()
        .ok_or_else(|| JwtError::Malformed("the header is not a JSON object".into()))?;
    if let Some(k) = h.keys().find(|k| !HEADER_MEMBERS.contains(&k.as_str())) {
        return Err(JwtError::Header(format!(
            "member '{k}' is not allowed in a licence token"
        )));
    }
    let alg = match h.get("alg") {
        Some(Value::String(a)) if a == "EdDSA" => JwsAlgorithm::EdDsa,
        Some(Value::String(a)) if a == "ES256" => JwsAlgorithm::Es256,
        Some(Value::String(a)) if a.eq_ignore_ascii_case("none") => {
            return Err(JwtError::Algorithm(
                "alg 'none': unsigned tokens are never accepted".into(),
            ))
        }
        Some(Value::String(a)) => {
            return Err(JwtError::Algorithm(format!(
                "alg '{a}' is not EdDSA or ES256"
            )))
        }
        Some(_) => return Err(JwtError::Algorithm("alg is not a string".into())),
        None => return Err(JwtError::Algorithm("no alg".into())),
    };
    if h.get("typ").and_then(Value::as_str) != Some(TYP) {
        return Err(JwtError::Header(format!("typ must be '{TYP}'")));
    }
    if h.get("cty").is_some_and(|c| c.as_str() != Some(CTY)) {
        return Err(JwtError::Header(format!(
            "cty must be '{CTY}' when present"
        )));
    }
    let kid = match h.get("kid") {
        None => None,
        Some(Value::String(k)) => Some(k.clone()),
        Some(_) => return Err(JwtError::Header("kid is not a string".into())),
    };
    let x5c = match h.get("x5c") {
        None => Vec::new(),
        Some(Value::Array(a)) if !a.is_empty() && a.len() <= MAX_X5C => a
            .iter()
            .enumerate()
            .map(|(i, c)| {
                c.as_str()
                    .and_then(|s| STANDARD.decode(s).ok())
                    .ok_or_else(|| {
                        JwtError::Header(format!("x5c[{i}] is not base64 (RFC 4648 §4) DER"))
                    })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(JwtError::Header(format!(
                "x5c is not an array of 1 to {MAX_X5C} certificates"
            )))
        }
    };
    if kid.is_none() && x5c.is_empty() {
        return Err(JwtError::Header(
            "neither kid nor x5c names the signing certificate".into(),
        ));
    }
    Ok(Header { alg, kid, x5c })
}

/// A token that passed every check, and what it carries.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The licence (status Valid, as signed: the status comes from the status list).
    pub licence: Licence,
    /// Where its status is kept.
    pub status: Option<StatusEntry>,
    /// The credential (the token's payload), ready to be signed again in another format.
    pub credential: Value,
    /// The verification report.
    pub report: Report,
}

/// Reads a licence back from a token, only once [`Verifier::verify_jwt`] accepts it.
pub fn import(verifier: &Verifier, token: &str, ctx: &Context<'_>) -> Result<Imported, Rejected> {
    let report = verifier.verify_jwt(token, ctx);
    if !report.valid {
        return Err(Rejected(report));
    }
    // Both cannot fail: verification just did the same.
    let parts = split(token).map_err(|_| Rejected(report.clone()))?;
    let (licence, status) =
        credential::from_credential(&parts.payload).map_err(|_| Rejected(report.clone()))?;
    Ok(Imported {
        licence,
        status,
        credential: parts.payload,
        report,
    })
}
