//! X.509 certificates: making a root CA and issuer signing certificates, and validating an issuer certificate path to a trust anchor.
//!
//! A province's 电子证照 root CA (see [`issue_root`]) certifies, directly or through an
//! intermediate CA ([`issue_intermediate`]), each issuing department's signing certificate
//! ([`issue_signer`]). A signing certificate binds the department's 统一社会信用代码 (subject
//! attribute `organizationIdentifier`, OID 2.5.4.97) and may restrict the licence types it signs
//! (extension [`OID_ALLOWED_TYPES`]).
//!
//! [`validate_signer`] checks a signing certificate against [`TrustAnchors`] at a given time and
//! returns a [`ValidatedSigner`]; [`PathCache`] remembers validated paths so that verifying many
//! licences of one issuer validates its chain once.
//!
//! Certificates are made with `rcgen`, parsed with `x509-parser`, and their signatures checked
//! with `ring`; the path rules (validity, basicConstraints, keyUsage, path length, name binding,
//! type restriction) are ours. Signatures are Ed25519 or ECDSA P-256 with SHA-256, by the
//! issuer's key; a subject key may be Ed25519, P-256 or SM2 (an SM2 key is certified, it does not
//! yet sign certificates).
//!
//! ```
//! use time::{Duration, OffsetDateTime};
//! use zhengzhao_core::codes::Uscc;
//! use zhengzhao_core::keys::{Algorithm, SigningKey};
//! use zhengzhao_core::pki::{self, TrustAnchors};
//!
//! let now = OffsetDateTime::now_utc();
//! let root_key = SigningKey::generate(Algorithm::Ed25519)?;
//! let root = pki::issue_root(&root_key, "浙江省电子证照根CA", now, now + Duration::days(3650))?;
//! let dept_key = SigningKey::generate(Algorithm::P256)?;
//! let code = Uscc::parse("11330000002482185W")?;
//! let cert = pki::issue_signer(&root, &root_key, &dept_key.public_key(), "浙江省市场监督管理局",
//!     &code, None, now, now + Duration::days(365))?;
//! let anchors = TrustAnchors::new(vec![root])?;
//! let signer = pki::validate_signer(&anchors, &cert, &[], now)?;
//! assert_eq!(signer.department_code, code);
//! assert_eq!(signer.public_key, dept_key.public_key());
//! # Ok::<(), zhengzhao_core::Error>(())
//! ```

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType, DnValue, IsCa,
    Issuer, KeyIdMethod, KeyUsagePurpose, PublicKeyData, SerialNumber, SignatureAlgorithm,
};
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};
use time::{OffsetDateTime, UtcOffset};
use x509_parser::asn1_rs::Tag;
use x509_parser::extensions::ParsedExtension;
use x509_parser::x509::X509Name;

use crate::codes::Uscc;
use crate::error::{Coded, ErrorCode};
use crate::identifier::{Strictness, TypeCode};
use crate::keys::{self, Algorithm, KeyError, PublicKey, SigningKey};

/// The OID of the extension that restricts the licence types a signing certificate may sign:
/// a UUID OID (ITU-T X.667, arc `2.25`) minted for zhengzhao, so that it needs no registration.
///
/// The extension is non-critical; its value is a DER `SEQUENCE OF UTF8String`, each a 21-character
/// licence type code (证照类型代码). A certificate without it may sign every type.
pub const OID_ALLOWED_TYPES: &str = "2.25.329800735698586629295641978511506172918";

/// The UUID arc of [`OID_ALLOWED_TYPES`] (below `2.25`).
const ALLOWED_TYPES_UUID: u128 = 329_800_735_698_586_629_295_641_978_511_506_172_918;

/// DER content octets of [`OID_ALLOWED_TYPES`].
static ALLOWED_TYPES_OID_DER: LazyLock<Vec<u8>> =
    LazyLock::new(|| oid_content(2 * 40 + 25, &[ALLOWED_TYPES_UUID]));

/// rcgen writes OIDs whose arcs fit in 64 bits only; it writes this stand-in of the same encoded
/// length, which is replaced by [`OID_ALLOWED_TYPES`] before signing (see [`issue_signer`]).
const PLACEHOLDER_ARCS: [u64; 4] = [2, 25, 0x0100_0000_0000_5a5a, 0xffff_ffff_ffff_a5a5];

/// OID 2.5.4.97 (organizationIdentifier), content octets.
const OID_ORGANIZATION_IDENTIFIER: &[u8] = &[0x55, 0x04, 0x61];
/// OID 1.3.101.112 (Ed25519 signature), content octets.
const OID_SIG_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
/// OID 1.2.840.10045.4.3.2 (ecdsa-with-SHA256), content octets.
const OID_SIG_ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];

/// The most certificates a path may hold between the signer and its anchor.
const MAX_INTERMEDIATES: usize = 6;

/// Why a certificate could not be read, made, or trusted. Messages name the certificate by its
/// subject.
///
/// Making and validating certificates share this one error type; [`PkiError`] is another name
/// for it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// Not PEM text holding certificates.
    #[error("{reason}")]
    Pem {
        /// What is wrong with it.
        reason: String,
    },
    /// A certificate that cannot be parsed, or lacks what its role needs (the department's
    /// 统一社会信用代码, a readable type restriction, only understood critical extensions).
    #[error("{certificate}: {reason}")]
    Malformed {
        /// Which certificate (its subject, or its place in the input).
        certificate: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No trust anchor (or intermediate leading to one) issued the certificate.
    #[error("certificate '{subject}' does not chain to a trust anchor: no trusted or intermediate certificate is its issuer '{issuer}'")]
    Untrusted {
        /// The certificate whose issuer is missing.
        subject: String,
        /// The issuer it names.
        issuer: String,
    },
    /// No trust anchor was given at all.
    #[error("no trust anchors were given: verify with the root certificate(s) of the licence's province")]
    NoAnchors,
    /// A certificate signature that does not verify.
    #[error("the signature of certificate '{subject}' by '{issuer}' does not verify")]
    Signature {
        /// The signed certificate.
        subject: String,
        /// The certificate whose key should have signed it.
        issuer: String,
    },
    /// A certificate expired at the verification time.
    #[error("certificate '{subject}' expired at {not_after} (verification time {at})")]
    Expired {
        /// The certificate.
        subject: String,
        /// Its notAfter, RFC 3339.
        not_after: String,
        /// The verification time, RFC 3339.
        at: String,
    },
    /// A certificate not yet valid at the verification time.
    #[error("certificate '{subject}' is valid only from {not_before} (verification time {at})")]
    NotYetValid {
        /// The certificate.
        subject: String,
        /// Its notBefore, RFC 3339.
        not_before: String,
        /// The verification time, RFC 3339.
        at: String,
    },
    /// A certificate that issues others (or is a trust anchor) without being a CA.
    #[error("certificate '{subject}' is not a CA (basicConstraints CA:TRUE), yet {role}")]
    NotCa {
        /// The certificate.
        subject: String,
        /// What it was used for.
        role: String,
    },
    /// A certificate without the key usage its role needs.
    #[error("certificate '{subject}' lacks keyUsage {needed}, which its role as {role} needs")]
    KeyUsage {
        /// The certificate.
        subject: String,
        /// The key usage it needs.
        needed: String,
        /// Its role.
        role: String,
    },
    /// An unsupported or inconsistent key or signature algorithm.
    #[error("certificate '{subject}': {reason}")]
    Algorithm {
        /// The certificate.
        subject: String,
        /// What is wrong.
        reason: String,
    },
    /// A path that is not allowed: a CA as signing certificate, a path longer than a CA's
    /// pathLenConstraint, or too long altogether.
    #[error("certificate '{subject}': {reason}")]
    Path {
        /// The certificate.
        subject: String,
        /// What is wrong.
        reason: String,
    },
    /// A certificate that cannot be made from the given arguments.
    #[error("cannot make the certificate: {reason}")]
    Make {
        /// What is wrong.
        reason: String,
    },
    /// The issuer's key could not be used to sign.
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// Another name for [`TrustError`]: making and validating certificates share one error type.
pub type PkiError = TrustError;

impl Coded for TrustError {
    fn code(&self) -> ErrorCode {
        match self {
            TrustError::Pem { .. } => ErrorCode::Pem,
            TrustError::Malformed { .. } => ErrorCode::CertMalformed,
            TrustError::Untrusted { .. } | TrustError::NoAnchors => ErrorCode::CertUntrusted,
            TrustError::Signature { .. } => ErrorCode::CertSignature,
            TrustError::Expired { .. } => ErrorCode::CertExpired,
            TrustError::NotYetValid { .. } => ErrorCode::CertNotYetValid,
            TrustError::NotCa { .. } => ErrorCode::CertNotCa,
            TrustError::KeyUsage { .. } => ErrorCode::CertKeyUsage,
            TrustError::Algorithm { .. } => ErrorCode::CertAlgorithm,
            TrustError::Path { .. } => ErrorCode::CertPath,
            TrustError::Make { .. } => ErrorCode::CertMalformed,
            TrustError::Key(e) => e.code(),
        }
    }
}

fn make_err(reason: impl Into<String>) -> TrustError {
    TrustError::Make {
        reason: reason.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Certificates
// ---------------------------------------------------------------------------------------------

/// An X.509 certificate: its DER bytes, parsed once when it is read.
///
/// Reading checks the structure (and that the extensions zhengzhao relies on are well formed),
/// not trust: see [`validate_signer`].
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    fingerprint: [u8; 32],
    info: Box<Info>,
}

/// What validation needs of a certificate, extracted once.
#[derive(Clone, Debug)]
struct Info {
    subject: String,
    subject_raw: Vec<u8>,
    issuer: String,
    issuer_raw: Vec<u8>,
    organization: Option<String>,
    common_name: Option<String>,
    org_identifier: OrgId,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    /// basicConstraints: (cA, pathLenConstraint), if present.
    basic_constraints: Option<(bool, Option<u32>)>,
    /// keyUsage flags (bit 0 digitalSignature … bit 8 decipherOnly), if present.
    key_usage: Option<u16>,
    ski: Option<Vec<u8>>,
    aki: Option<Vec<u8>>,
    allowed_types: Option<Vec<TypeCode>>,
    /// Critical extensions zhengzhao does not understand (OIDs).
    unknown_critical: Vec<String>,
    public_key: Result<PublicKey, KeyError>,
    signature_algorithm: SigAlg,
    signature: Vec<u8>,
    tbs: Vec<u8>,
}

#[derive(Clone, Debug)]
enum OrgId {
    Absent,
    One(String),
    Bad(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum SigAlg {
    Ed25519,
    EcdsaP256Sha256,
    Unsupported(String),
    Inconsistent(String),
}

const KU_DIGITAL_SIGNATURE: u16 = 1;
const KU_KEY_CERT_SIGN: u16 = 1 << 5;

impl Certificate {
    /// Reads a certificate from DER. Trailing bytes are refused.
    pub fn from_der(der: &[u8]) -> Result<Certificate, TrustError> {
        Self::from_der_named(der, "the certificate")
    }

    fn from_der_named(der: &[u8], what: &str) -> Result<Certificate, TrustError> {
        let info = read_info(der).map_err(|(subject, reason)| TrustError::Malformed {
            certificate: subject.map_or_else(|| what.to_owned(), |s| format!("certificate '{s}'")),
            reason,
        })?;
        Ok(Certificate {
            der: der.to_vec(),
            fingerprint: Sha256::digest(der).into(),
            info: Box::new(info),
        })
    }

    /// Reads one certificate from PEM text (label `CERTIFICATE`).
    pub fn from_pem(pem_text: &[u8]) -> Result<Certificate, TrustError> {
        let mut certs = Self::parse_pem_bundle(pem_text)?;
        if certs.len() != 1 {
            return Err(TrustError::Pem {
                reason: format!("{} certificates in the PEM text, expected one", certs.len()),
            });
        }
        Ok(certs.remove(0))
    }

    /// Reads every certificate of a PEM text holding one or more `CERTIFICATE` blocks (text
    /// between blocks is ignored; blocks with other labels are refused).
    pub fn parse_pem_bundle(pem_text: &[u8]) -> Result<Vec<Certificate>, TrustError> {
        let blocks = pem::parse_many(pem_text).map_err(|e| TrustError::Pem {
            reason: format!("not PEM: {e}"),
        })?;
        if blocks.is_empty() {
            return Err(TrustError::Pem {
                reason: "no PEM block (-----BEGIN CERTIFICATE-----) found".to_owned(),
            });
        }
        blocks
            .iter()
            .enumerate()
            .map(|(i, block)| {
                if block.tag() != "CERTIFICATE" {
                    return Err(TrustError::Pem {
                        reason: format!(
                            "PEM block {} is labelled '{}', expected 'CERTIFICATE'",
                            i + 1,
                            block.tag()
                        ),
                    });
                }
                let what = if blocks.len() == 1 {
                    "the certificate".to_owned()
                } else {
                    format!("certificate {} of the PEM text", i + 1)
                };
                Self::from_der_named(block.contents(), &what)
            })
            .collect()
    }

    /// The DER bytes.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The PEM text (label `CERTIFICATE`, LF line endings).
    pub fn to_pem(&self) -> String {
        pem::encode_config(
            &pem::Pem::new("CERTIFICATE", self.der.clone()),
            pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
        )
    }

    /// The SHA-256 of the DER bytes: how licences name their signing certificate.
    pub fn fingerprint(&self) -> [u8; 32] {
        self.fingerprint
    }

    /// The fingerprint in lower-case hex (64 characters).
    pub fn fingerprint_hex(&self) -> String {
        hex::encode(self.fingerprint)
    }

    /// The subject, as `C=CN, O=…, CN=…`.
    pub fn subject_name(&self) -> &str {
        &self.info.subject
    }

    /// The issuer, as `C=CN, O=…, CN=…`.
    pub fn issuer_name(&self) -> &str {
        &self.info.issuer
    }

    /// The start of the validity period.
    pub fn not_before(&self) -> OffsetDateTime {
        self.info.not_before
    }

    /// The end of the validity period (inclusive).
    pub fn not_after(&self) -> OffsetDateTime {
        self.info.not_after
    }

    /// Whether the certificate is valid at `at` (its own period only; not a path validation).
    pub fn is_valid_at(&self, at: OffsetDateTime) -> bool {
        self.info.not_before <= at && at <= self.info.not_after
    }

    /// Whether basicConstraints says CA:TRUE.
    pub fn is_ca(&self) -> bool {
        matches!(self.info.basic_constraints, Some((true, _)))
    }

    /// The subject public key.
    pub fn public_key(&self) -> Result<PublicKey, TrustError> {
        self.info
            .public_key
            .clone()
            .map_err(|e| key_error_in(self, &e))
    }

    /// The 统一社会信用代码 in the subject's organizationIdentifier, if there is a valid one.
    pub fn department_code(&self) -> Option<Uscc> {
        match &self.info.org_identifier {
            OrgId::One(s) => Uscc::parse_legacy(s).ok(),
            _ => None,
        }
    }

    /// The licence types the certificate may sign, if it restricts them.
    pub fn allowed_types(&self) -> Option<&[TypeCode]> {
        self.info.allowed_types.as_deref()
    }

    fn quoted(&self) -> String {
        self.info.subject.clone()
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Certificate) -> bool {
        self.der == other.der
    }
}

impl Eq for Certificate {}

impl std::hash::Hash for Certificate {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.fingerprint.hash(state);
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.info.subject)
            .field("issuer", &self.info.issuer)
            .field("fingerprint", &self.fingerprint_hex())
            .finish()
    }
}

fn key_error_in(cert: &Certificate, e: &KeyError) -> TrustError {
    match e {
        KeyError::Algorithm { found } => TrustError::Algorithm {
            subject: cert.quoted(),
            reason: format!("unsupported subject key: {found}"),
        },
        other => TrustError::Malformed {
            certificate: format!("certificate '{}'", cert.info.subject),
            reason: format!("subject public key: {other}"),
        },
    }
}

/// A name as `C=CN, O=…, organizationIdentifier=…, CN=…` (other attributes by dotted OID; values
/// that are not text, in hex).
fn name_string(name: &X509Name<'_>) -> String {
    let mut parts = Vec::new();
    for rdn in name.iter() {
        let attrs: Vec<String> = rdn
            .iter()
            .map(|a| {
                let key = match a.attr_type().as_bytes() {
                    [0x55, 0x04, 0x06] => "C".to_owned(),
                    [0x55, 0x04, 0x0a] => "O".to_owned(),
                    [0x55, 0x04, 0x0b] => "OU".to_owned(),
                    [0x55, 0x04, 0x03] => "CN".to_owned(),
                    [0x55, 0x04, 0x07] => "L".to_owned(),
                    [0x55, 0x04, 0x08] => "ST".to_owned(),
                    [0x55, 0x04, 0x05] => "serialNumber".to_owned(),
                    [0x55, 0x04, 0x61] => "organizationIdentifier".to_owned(),
                    _ => a.attr_type().to_id_string(),
                };
                let value = match a.as_str() {
                    Ok(v) => v.to_owned(),
                    Err(_) => format!("#{}", hex::encode(a.as_slice())),
                };
                format!("{key}={value}")
            })
            .collect();
        parts.push(attrs.join("+"));
    }
    parts.join(", ")
}

fn first_str(name: &X509Name<'_>, oid: &[u8]) -> Option<String> {
    name.iter_attributes()
        .find(|a| a.attr_type().as_bytes() == oid)
        .and_then(|a| a.as_str().ok())
        .map(str::to_owned)
}

/// Parses a certificate; on failure, the subject (when it could be read) and the reason.
fn read_info(der: &[u8]) -> Result<Info, (Option<String>, String)> {
    let (rest, x) = x509_parser::parse_x509_certificate(der)
        .map_err(|e| (None, format!("not an X.509 certificate in DER: {e}")))?;
    if !rest.is_empty() {
        return Err((
            None,
            format!("{} bytes after the certificate's DER", rest.len()),
        ));
    }
    let subject = name_string(x.subject());
    let fail = |reason: String| (Some(subject.clone()), reason);
    check_framing(der, x.tbs_certificate.as_ref()).map_err(fail)?;

    let org_ids: Vec<_> = x
        .subject()
        .iter_attributes()
        .filter(|a| a.attr_type().as_bytes() == OID_ORGANIZATION_IDENTIFIER)
        .collect();
    let org_identifier = match org_ids.as_slice() {
        [] => OrgId::Absent,
        [one] => match one.as_str() {
            Ok(s) => OrgId::One(s.to_owned()),
            Err(_) => OrgId::Bad("the organizationIdentifier is not a text string".to_owned()),
        },
        _ => OrgId::Bad("the subject has several organizationIdentifier attributes".to_owned()),
    };

    if let Err(e) = x.tbs_certificate.extensions_map() {
        return Err(fail(format!("extensions: {e}")));
    }
    let mut basic_constraints = None;
    let mut key_usage = None;
    let mut ski = None;
    let mut aki = None;
    let mut allowed_types = None;
    let mut unknown_critical = Vec::new();
    for ext in x.extensions() {
        let oid = ext.oid.to_id_string();
        if ext.oid.as_bytes() == ALLOWED_TYPES_OID_DER.as_slice() {
            let types = decode_allowed_types(ext.value).map_err(|e| {
                fail(format!(
                    "the licence-type restriction ({OID_ALLOWED_TYPES}): {e}"
                ))
            })?;
            allowed_types = Some(types);
            continue;
        }
        match ext.parsed_extension() {
            ParsedExtension::BasicConstraints(bc) => {
                basic_constraints = Some((bc.ca, bc.path_len_constraint));
            }
            ParsedExtension::KeyUsage(ku) => key_usage = Some(ku.flags),
            ParsedExtension::SubjectKeyIdentifier(k) => ski = Some(k.0.to_vec()),
            ParsedExtension::AuthorityKeyIdentifier(a) => {
                aki = a.key_identifier.as_ref().map(|k| k.0.to_vec());
            }
            ParsedExtension::SubjectAlternativeName(_) => {}
            ParsedExtension::ParseError { error } => {
                return Err(fail(format!("extension {oid} cannot be parsed: {error}")));
            }
            _ if ext.critical => unknown_critical.push(oid),
            _ => {}
        }
    }

    let outer = &x.signature_algorithm;
    let inner = &x.tbs_certificate.signature;
    let signature_algorithm = if outer != inner {
        SigAlg::Inconsistent(format!(
            "the signature algorithm {} differs from the one inside the signed part ({})",
            outer.algorithm.to_id_string(),
            inner.algorithm.to_id_string()
        ))
    } else if outer.parameters.is_some() {
        SigAlg::Unsupported(format!(
            "signature algorithm {} with parameters",
            outer.algorithm.to_id_string()
        ))
    } else if outer.algorithm.as_bytes() == OID_SIG_ED25519 {
        SigAlg::Ed25519
    } else if outer.algorithm.as_bytes() == OID_SIG_ECDSA_SHA256 {
        SigAlg::EcdsaP256Sha256
    } else {
        SigAlg::Unsupported(format!(
            "signature algorithm {}",
            outer.algorithm.to_id_string()
        ))
    };
    if x.signature_value.unused_bits != 0 {
        return Err(fail("the signature bit string has unused bits".to_owned()));
    }

    let public_key = keys::spki_algorithm(x.public_key()).and_then(|alg| {
        if x.public_key().subject_public_key.unused_bits != 0 {
            return Err(KeyError::Malformed {
                reason: "the public key bit string has unused bits".to_owned(),
            });
        }
        PublicKey::from_raw(alg, &x.public_key().subject_public_key.data)
    });

    Ok(Info {
        issuer: name_string(x.issuer()),
        issuer_raw: x.issuer().as_raw().to_vec(),
        subject_raw: x.subject().as_raw().to_vec(),
        organization: first_str(x.subject(), &[0x55, 0x04, 0x0a]),
        common_name: first_str(x.subject(), &[0x55, 0x04, 0x03]),
        org_identifier,
        not_before: x.validity().not_before.to_datetime(),
        not_after: x.validity().not_after.to_datetime(),
        basic_constraints,
        key_usage,
        ski,
        aki,
        allowed_types,
        unknown_critical,
        public_key,
        signature_algorithm,
        signature: x.signature_value.data.to_vec(),
        tbs: x.tbs_certificate.as_ref().to_vec(),
        subject,
    })
}

// ---------------------------------------------------------------------------------------------
// A little DER, for the type-restriction extension and OIDs beyond 64 bits
// ---------------------------------------------------------------------------------------------

/// Checks the unsigned framing of a certificate strictly (x509-parser is lenient there):
/// `SEQUENCE { tbsCertificate, signatureAlgorithm, BIT STRING }` in DER, where
/// signatureAlgorithm is byte for byte the algorithm inside the signed part. Together with the
/// signature over the to-be-signed part, this leaves no byte of the certificate unchecked.
fn check_framing(der: &[u8], tbs: &[u8]) -> Result<(), String> {
    let bad = |what: &str| format!("not DER: {what}");
    let (tag, body, rest) = der_tlv(der).map_err(|e| bad(&e))?;
    if tag != TAG_SEQUENCE || !rest.is_empty() {
        return Err(bad("the certificate is not one SEQUENCE"));
    }
    let (tag, _, after_tbs) = der_tlv(body).map_err(|e| bad(&e))?;
    if tag != TAG_SEQUENCE || &body[..body.len() - after_tbs.len()] != tbs {
        return Err(bad("the to-be-signed part is not a SEQUENCE"));
    }
    let (tag, _, after_alg) = der_tlv(after_tbs).map_err(|e| bad(&e))?;
    let outer_alg = &after_tbs[..after_tbs.len() - after_alg.len()];
    if tag != TAG_SEQUENCE {
        return Err(bad("the signature algorithm is not a SEQUENCE"));
    }
    let (tag, _, end) = der_tlv(after_alg).map_err(|e| bad(&e))?;
    if tag != 0x03 || !end.is_empty() {
        return Err(bad("the signature is not one BIT STRING"));
    }
    // Inside the signed part: [0] version, serialNumber, then the signature algorithm.
    let (_, mut fields, _) = der_tlv(tbs).map_err(|e| bad(&e))?;
    let (tag, _, rest) = der_tlv(fields).map_err(|e| bad(&e))?;
    if tag == 0xa0 {
        fields = rest;
        let (_, _, rest) = der_tlv(fields).map_err(|e| bad(&e))?;
        fields = rest;
    } else {
        fields = rest;
    }
    let (_, _, rest) = der_tlv(fields).map_err(|e| bad(&e))?;
    let inner_alg = &fields[..fields.len() - rest.len()];
    if inner_alg != outer_alg {
        return Err(
            "the signature algorithm differs from the one inside the signed part".to_owned(),
        );
    }
    Ok(())
}

/// The content octets of an OID whose first subidentifier (40·a + b) is `first`.
fn oid_content(first: u128, rest: &[u128]) -> Vec<u8> {
    let mut out = Vec::new();
    for &arc in std::iter::once(&first).chain(rest) {
        let mut groups = Vec::new();
        let mut v = arc;
        loop {
            groups.push((v & 0x7f) as u8);
            v >>= 7;
            if v == 0 {
                break;
            }
        }
        for (i, g) in groups.iter().enumerate().rev() {
            out.push(if i == 0 { *g } else { g | 0x80 });
        }
    }
    out
}

fn der_push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// One DER TLV with a one-byte tag: (tag, content, rest). Definite, minimal lengths only.
fn der_tlv(input: &[u8]) -> Result<(u8, &[u8], &[u8]), String> {
    let truncated = || "truncated DER".to_owned();
    let (&tag, rest) = input.split_first().ok_or_else(truncated)?;
    let (&first, rest) = rest.split_first().ok_or_else(truncated)?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return Err("unsupported DER length".to_owned());
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        if rest[0] == 0 || len < 0x80 {
            return Err("non-minimal DER length".to_owned());
        }
        (len, &rest[n..])
    };
    if rest.len() < len {
        return Err(truncated());
    }
    Ok((tag, &rest[..len], &rest[len..]))
}

const TAG_SEQUENCE: u8 = 0x30;
const TAG_UTF8STRING: u8 = 0x0c;

/// DER `SEQUENCE OF UTF8String` of type codes.
fn encode_allowed_types(types: &[TypeCode]) -> Vec<u8> {
    let mut body = Vec::new();
    for t in types {
        body.push(TAG_UTF8STRING);
        der_push_len(&mut body, t.as_ref().len());
        body.extend_from_slice(t.as_ref().as_bytes());
    }
    let mut out = vec![TAG_SEQUENCE];
    der_push_len(&mut out, body.len());
    out.extend(body);
    out
}

fn decode_allowed_types(value: &[u8]) -> Result<Vec<TypeCode>, String> {
    let (tag, mut body, rest) = der_tlv(value)?;
    if tag != TAG_SEQUENCE {
        return Err("not a SEQUENCE".to_owned());
    }
    if !rest.is_empty() {
        return Err("bytes after the SEQUENCE".to_owned());
    }
    let mut types = Vec::new();
    while !body.is_empty() {
        let (tag, content, rest) = der_tlv(body)?;
        if tag != TAG_UTF8STRING {
            return Err(format!("element {} is not a UTF8String", types.len() + 1));
        }
        let s = std::str::from_utf8(content)
            .map_err(|_| format!("element {} is not UTF-8", types.len() + 1))?;
        let t = TypeCode::parse_with(s, Strictness::Lenient)
            .map_err(|e| format!("element {}: {e}", types.len() + 1))?;
        types.push(t);
        body = rest;
    }
    Ok(types)
}

// ---------------------------------------------------------------------------------------------
// Making certificates
// ---------------------------------------------------------------------------------------------

/// A public key as rcgen wants it for the subject of a certificate.
struct SubjectKey<'a>(&'a PublicKey);

/// The rcgen algorithm of a key. rcgen knows no SM2: an SM2 subject key is written as a P-256
/// key (same point length, curve OIDs of the same length) and its curve OID patched afterwards
/// (see [`sm2_curve_patch`]).
fn rcgen_algorithm(alg: Algorithm) -> &'static SignatureAlgorithm {
    match alg {
        Algorithm::Ed25519 => &rcgen::PKCS_ED25519,
        Algorithm::P256 | Algorithm::Sm2 => &rcgen::PKCS_ECDSA_P256_SHA256,
    }
}

impl PublicKeyData for SubjectKey<'_> {
    fn der_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        rcgen_algorithm(self.0.algorithm())
    }

    /// The real SPKI (the key identifiers are derived from it), not rcgen's stand-in.
    fn subject_public_key_info(&self) -> Vec<u8> {
        self.0.spki_der()
    }
}

/// The replacement that turns the stand-in P-256 curve OID of an SM2 subject key into
/// `sm2p256v1`, or `None` for other keys.
fn sm2_curve_patch(subject: &PublicKey) -> Option<(Vec<u8>, Vec<u8>)> {
    (subject.algorithm() == Algorithm::Sm2).then(|| {
        (
            oid_tlv(&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]),
            oid_tlv(keys::OID_SM2),
        )
    })
}

/// Signs with the issuer's key after making same-length replacements in the to-be-signed bytes
/// (the stand-in OID by [`OID_ALLOWED_TYPES`], the stand-in curve of an SM2 key by
/// `sm2p256v1`); the same replacements are then made in the written certificate, so that the
/// signature covers exactly what is published.
struct PatchingKey<'a> {
    key: &'a rcgen::KeyPair,
    patches: &'a [(Vec<u8>, Vec<u8>)],
    failed: Cell<bool>,
}

/// `der` with every patch applied once; `None` unless each `from` occurs exactly once.
fn apply_patches(der: &[u8], patches: &[(Vec<u8>, Vec<u8>)]) -> Option<Vec<u8>> {
    patches
        .iter()
        .try_fold(der.to_vec(), |d, (from, to)| replace_once(&d, from, to))
}

/// Signs `params` for `subject` under the issuer, with `patches` made in what is signed and
/// written.
fn sign_patched(
    params: &CertificateParams,
    subject: &PublicKey,
    issuer_params: CertificateParams,
    pair: &rcgen::KeyPair,
    patches: &[(Vec<u8>, Vec<u8>)],
) -> Result<Vec<u8>, TrustError> {
    if patches.is_empty() {
        let issuer = Issuer::new(issuer_params, pair);
        return Ok(params
            .signed_by(&SubjectKey(subject), &issuer)
            .map_err(rcgen_failure)?
            .der()
            .to_vec());
    }
    let key = PatchingKey {
        key: pair,
        patches,
        failed: Cell::new(false),
    };
    let issuer = Issuer::new(issuer_params, key);
    let made = params.signed_by(&SubjectKey(subject), &issuer);
    if issuer.key().failed.get() {
        return Err(make_err(
            "the certificate's patched fields could not be placed",
        ));
    }
    let written = made.map_err(rcgen_failure)?;
    apply_patches(written.der(), patches)
        .ok_or_else(|| make_err("the certificate's patched fields could not be placed"))
}

impl PublicKeyData for PatchingKey<'_> {
    fn der_bytes(&self) -> &[u8] {
        self.key.der_bytes()
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        PublicKeyData::algorithm(self.key)
    }
}

impl rcgen::SigningKey for PatchingKey<'_> {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        match apply_patches(msg, self.patches) {
            Some(patched) => self.key.sign(&patched),
            None => {
                self.failed.set(true);
                Err(rcgen::Error::RingUnspecified)
            }
        }
    }
}

/// `haystack` with the single occurrence of `from` replaced by `to` (same length); `None` unless
/// `from` occurs exactly once.
fn replace_once(haystack: &[u8], from: &[u8], to: &[u8]) -> Option<Vec<u8>> {
    if from.len() != to.len() || from.is_empty() {
        return None;
    }
    let mut hits = haystack
        .windows(from.len())
        .enumerate()
        .filter(|(_, w)| *w == from);
    let (pos, _) = hits.next()?;
    if hits.next().is_some() {
        return None;
    }
    let mut out = haystack.to_vec();
    out[pos..pos + from.len()].copy_from_slice(to);
    Some(out)
}

/// The DER TLV of an OID from its content octets.
fn oid_tlv(content: &[u8]) -> Vec<u8> {
    let mut out = vec![0x06];
    der_push_len(&mut out, content.len());
    out.extend_from_slice(content);
    out
}

fn rcgen_key(key: &SigningKey) -> Result<rcgen::KeyPair, TrustError> {
    if key.algorithm() == Algorithm::Sm2 {
        return Err(KeyError::Algorithm {
            found: "SM2 as a certificate issuer key (SM2 keys are certified, they do not yet sign certificates)".into(),
        }
        .into());
    }
    let der = key.pkcs8_der()?;
    let pair = rcgen::KeyPair::try_from(der.as_slice()).map_err(|e| KeyError::Malformed {
        reason: format!("the issuer key cannot be used to sign certificates: {e}"),
    })?;
    if !pair.is_compatible(rcgen_algorithm(key.algorithm())) {
        return Err(KeyError::Algorithm {
            found: format!("{:?}", pair.algorithm()),
        }
        .into());
    }
    Ok(pair)
}

fn rcgen_failure(e: rcgen::Error) -> TrustError {
    match e {
        rcgen::Error::RingUnspecified | rcgen::Error::RingKeyRejected(_) => KeyError::Sign {
            reason: format!("signing the certificate failed: {e}"),
        }
        .into(),
        other => make_err(other.to_string()),
    }
}

/// Times as X.509 writes them: UTC, whole seconds, years 1950–9999, `not_before < not_after`.
fn validity(
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<(OffsetDateTime, OffsetDateTime), TrustError> {
    let norm = |t: OffsetDateTime, which: &str| {
        let t = t.to_offset(UtcOffset::UTC);
        if !(1950..=9999).contains(&t.year()) {
            return Err(make_err(format!(
                "{which} {t} is outside the years 1950–9999 that X.509 can write"
            )));
        }
        t.replace_nanosecond(0)
            .map_err(|e| make_err(format!("{which}: {e}")))
    };
    let (a, b) = (norm(not_before, "notBefore")?, norm(not_after, "notAfter")?);
    if a >= b {
        return Err(make_err(format!(
            "the validity period is empty: notBefore {} is not before notAfter {}",
            rfc3339(a),
            rfc3339(b)
        )));
    }
    Ok((a, b))
}

fn check_name(name: &str, what: &str) -> Result<(), TrustError> {
    if name.trim().is_empty() {
        return Err(make_err(format!("the {what} is empty")));
    }
    if name.chars().any(char::is_control) {
        return Err(make_err(format!("the {what} contains control characters")));
    }
    if name.trim() != name {
        return Err(make_err(format!(
            "the {what} '{name}' has leading or trailing spaces"
        )));
    }
    Ok(())
}

fn random_serial() -> Result<SerialNumber, TrustError> {
    let mut bytes = [0u8; 16];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| KeyError::Sign {
            reason: "the system random source failed".to_owned(),
        })?;
    // Positive, and exactly 16 bytes long.
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    Ok(SerialNumber::from_slice(&bytes))
}

fn ca_params(
    name: &str,
    path_len: u8,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<CertificateParams, TrustError> {
    check_name(name, "CA name")?;
    let (not_before, not_after) = validity(not_before, not_after)?;
    let mut p = CertificateParams::default();
    p.not_before = not_before;
    p.not_after = not_after;
    p.serial_number = Some(random_serial()?);
    p.distinguished_name = subject_dn(name, None)?;
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(path_len));
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.key_identifier_method = KeyIdMethod::Sha256;
    Ok(p)
}

fn subject_dn(name: &str, code: Option<&Uscc>) -> Result<DistinguishedName, TrustError> {
    let mut dn = DistinguishedName::new();
    let cn = rcgen::string::PrintableString::try_from("CN")
        .map_err(|e| make_err(format!("country name: {e}")))?;
    dn.push(DnType::CountryName, DnValue::PrintableString(cn));
    dn.push(
        DnType::OrganizationName,
        DnValue::Utf8String(name.to_owned()),
    );
    if let Some(code) = code {
        dn.push(
            DnType::CustomDnType(vec![2, 5, 4, 97]),
            DnValue::Utf8String(code.as_ref().to_owned()),
        );
    }
    dn.push(DnType::CommonName, DnValue::Utf8String(name.to_owned()));
    Ok(dn)
}

/// The issuer's subject name, rebuilt for rcgen so that the new certificate's issuer field is
/// byte for byte the issuer certificate's subject.
fn issuer_dn(cert: &Certificate) -> Result<DistinguishedName, TrustError> {
    let (_, x) = x509_parser::parse_x509_certificate(&cert.der)
        .map_err(|e| make_err(format!("the issuer certificate cannot be parsed: {e}")))?;
    let unsupported = |why: &str| {
        make_err(format!(
            "the issuer certificate's subject '{}' cannot be reproduced: {why}",
            cert.info.subject
        ))
    };
    let mut dn = DistinguishedName::new();
    let mut seen = HashSet::new();
    for rdn in x.subject().iter() {
        let mut attrs = rdn.iter();
        let (Some(attr), None) = (attrs.next(), attrs.next()) else {
            return Err(unsupported("multi-valued RDN"));
        };
        let arcs: Vec<u64> = attr
            .attr_type()
            .iter()
            .ok_or_else(|| unsupported("attribute OID arcs beyond 64 bits"))?
            .collect();
        let ty = DnType::from_oid(&arcs);
        if !seen.insert(ty.clone()) {
            return Err(unsupported("an attribute type appears twice"));
        }
        let value = attr.attr_value();
        let data: &[u8] = value.data;
        let text = || std::str::from_utf8(data).map_err(|_| unsupported("invalid string"));
        let v = match value.tag() {
            Tag::Utf8String => DnValue::Utf8String(text()?.to_owned()),
            Tag::PrintableString => DnValue::PrintableString(
                text()?
                    .try_into()
                    .map_err(|_| unsupported("invalid PrintableString"))?,
            ),
            Tag::Ia5String => DnValue::Ia5String(
                text()?
                    .try_into()
                    .map_err(|_| unsupported("invalid IA5String"))?,
            ),
            Tag::BmpString => DnValue::BmpString(
                rcgen::string::BmpString::from_utf16be(data.to_vec())
                    .map_err(|_| unsupported("invalid BMPString"))?,
            ),
            Tag::UniversalString => DnValue::UniversalString(
                rcgen::string::UniversalString::from_utf32be(data.to_vec())
                    .map_err(|_| unsupported("invalid UniversalString"))?,
            ),
            Tag::T61String => DnValue::TeletexString(
                text()?
                    .try_into()
                    .map_err(|_| unsupported("invalid TeletexString"))?,
            ),
            _ => return Err(unsupported("an attribute that is not a string")),
        };
        dn.push(ty, v);
    }
    Ok(dn)
}

fn issuer_params(issuer_cert: &Certificate) -> Result<CertificateParams, TrustError> {
    let mut p = CertificateParams::default();
    p.distinguished_name = issuer_dn(issuer_cert)?;
    p.key_identifier_method = match &issuer_cert.info.ski {
        Some(ski) => KeyIdMethod::PreSpecified(ski.clone()),
        None => KeyIdMethod::Sha256,
    };
    Ok(p)
}

/// Checks that `key` is the key of `cert`.
fn check_issuer_key(cert: &Certificate, key: &SigningKey) -> Result<(), TrustError> {
    match &cert.info.public_key {
        Ok(pk) if *pk == key.public_key() => Ok(()),
        _ => Err(make_err(format!(
            "the issuer key is not the key of the issuer certificate '{}'",
            cert.info.subject
        ))),
    }
}

/// Reads back a certificate just made, and checks its issuer field against the issuer.
fn finish(der: &[u8], issuer: Option<&Certificate>) -> Result<Certificate, TrustError> {
    let cert = Certificate::from_der(der)?;
    if let Some(issuer) = issuer {
        if cert.info.issuer_raw != issuer.info.subject_raw {
            return Err(make_err(format!(
                "the issuer name written differs from the subject of '{}'",
                issuer.info.subject
            )));
        }
    }
    Ok(cert)
}

/// Makes a self-signed root CA certificate: subject `C=CN, O=name, CN=name`, basicConstraints
/// CA:TRUE with pathLenConstraint 1 (one intermediate CA at most), keyUsage keyCertSign and
/// cRLSign (critical), a subject key identifier and a random positive serial number.
pub fn issue_root(
    key: &SigningKey,
    name: &str,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<Certificate, TrustError> {
    let params = ca_params(name, 1, not_before, not_after)?;
    let pair = rcgen_key(key)?;
    let cert = params.self_signed(&pair).map_err(rcgen_failure)?;
    finish(cert.der(), None)
}

/// Makes an intermediate CA certificate for `subject`, signed by `issuer_key` (the key of
/// `issuer_cert`): like [`issue_root`] but with pathLenConstraint 0, and an authority key
/// identifier.
pub fn issue_intermediate(
    issuer_cert: &Certificate,
    issuer_key: &SigningKey,
    subject: &PublicKey,
    name: &str,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<Certificate, TrustError> {
    check_issuer_key(issuer_cert, issuer_key)?;
    let mut params = ca_params(name, 0, not_before, not_after)?;
    params.use_authority_key_identifier_extension = true;
    let pair = rcgen_key(issuer_key)?;
    let patches: Vec<_> = sm2_curve_patch(subject).into_iter().collect();
    let der = sign_patched(
        &params,
        subject,
        issuer_params(issuer_cert)?,
        &pair,
        &patches,
    )?;
    finish(&der, Some(issuer_cert))
}

/// Makes a department's signing certificate (end entity) for `subject`, signed by `issuer_key`
/// (the key of `issuer_cert`).
///
/// Subject `C=CN, O=department_name, organizationIdentifier=<统一社会信用代码>,
/// CN=department_name`; basicConstraints CA:FALSE; keyUsage digitalSignature and nonRepudiation
/// (critical); subject and authority key identifiers; a random positive serial number; and, when
/// `allowed_types` is given, the non-critical [`OID_ALLOWED_TYPES`] extension listing them.
///
/// The issuer is not checked to be a CA here: making is permissive, [`validate_signer`] is strict.
#[allow(clippy::too_many_arguments)]
pub fn issue_signer(
    issuer_cert: &Certificate,
    issuer_key: &SigningKey,
    subject: &PublicKey,
    department_name: &str,
    department_code: &Uscc,
    allowed_types: Option<&[TypeCode]>,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<Certificate, TrustError> {
    check_issuer_key(issuer_cert, issuer_key)?;
    check_name(department_name, "department name")?;
    let (not_before, not_after) = validity(not_before, not_after)?;
    let mut params = CertificateParams::default();
    params.not_before = not_before;
    params.not_after = not_after;
    params.serial_number = Some(random_serial()?);
    params.distinguished_name = subject_dn(department_name, Some(department_code))?;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    params.key_identifier_method = KeyIdMethod::Sha256;
    params.use_authority_key_identifier_extension = true;

    let pair = rcgen_key(issuer_key)?;
    let mut patches: Vec<_> = sm2_curve_patch(subject).into_iter().collect();
    if let Some(types) = allowed_types {
        let mut ext =
            CustomExtension::from_oid_content(&PLACEHOLDER_ARCS, encode_allowed_types(types));
        ext.set_criticality(false);
        params.custom_extensions.push(ext);
        let placeholder = oid_tlv(&oid_content(
            u128::from(PLACEHOLDER_ARCS[0] * 40 + PLACEHOLDER_ARCS[1]),
            &[
                u128::from(PLACEHOLDER_ARCS[2]),
                u128::from(PLACEHOLDER_ARCS[3]),
            ],
        ));
        patches.push((placeholder, oid_tlv(&ALLOWED_TYPES_OID_DER)));
    }
    let der = sign_patched(
        &params,
        subject,
        issuer_params(issuer_cert)?,
        &pair,
        &patches,
    )?;
    finish(&der, Some(issuer_cert))
}

// ---------------------------------------------------------------------------------------------
// Trust
// ---------------------------------------------------------------------------------------------

/// The trust anchors: root (or otherwise trusted CA) certificates.
///
/// Each anchor must be a CA (basicConstraints CA:TRUE) with keyUsage keyCertSign and no critical
/// extension zhengzhao does not understand; a self-issued anchor must carry a valid self-signature.
/// Anchors are checked when loaded; their validity period is checked at verification time.
#[derive(Clone, Debug)]
pub struct TrustAnchors {
    certs: Vec<Certificate>,
    id: [u8; 32],
}

impl TrustAnchors {
    /// Trusts these certificates (duplicates are dropped). At least one is needed.
    pub fn new(certs: Vec<Certificate>) -> Result<TrustAnchors, TrustError> {
        if certs.is_empty() {
            return Err(TrustError::NoAnchors);
        }
        let mut unique: Vec<Certificate> = Vec::with_capacity(certs.len());
        for cert in certs {
            if unique.iter().any(|c| c.fingerprint == cert.fingerprint) {
                continue;
            }
            check_understood(&cert)?;
            check_issuing(&cert, "it is a trust anchor")?;
            if cert.info.subject_raw == cert.info.issuer_raw {
                check_signature(&cert, &cert)?;
            }
            unique.push(cert);
        }
        let mut fingerprints: Vec<[u8; 32]> = unique.iter().map(|c| c.fingerprint).collect();
        fingerprints.sort_unstable();
        let mut h = Sha256::new();
        for f in &fingerprints {
            h.update(f);
        }
        Ok(TrustAnchors {
            certs: unique,
            id: h.finalize().into(),
        })
    }

    /// Trusts the certificates of a PEM text (one or more `CERTIFICATE` blocks).
    pub fn from_pem(pem_text: &[u8]) -> Result<TrustAnchors, TrustError> {
        Self::new(Certificate::parse_pem_bundle(pem_text)?)
    }

    /// Trusts DER certificates.
    pub fn from_der_list<B: AsRef<[u8]>>(ders: &[B]) -> Result<TrustAnchors, TrustError> {
        let certs = ders
            .iter()
            .enumerate()
            .map(|(i, d)| {
                Certificate::from_der_named(d.as_ref(), &format!("trust anchor {}", i + 1))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(certs)
    }

    /// The anchors.
    pub fn certificates(&self) -> &[Certificate] {
        &self.certs
    }

    /// An identity of this set of anchors: the SHA-256 over their sorted fingerprints.
    pub fn id(&self) -> [u8; 32] {
        self.id
    }
}

/// A signing certificate that chains to a trust anchor at the verification time: what the
/// verifier needs to know about the department that signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatedSigner {
    /// SHA-256 of the signing certificate's DER.
    pub fingerprint: [u8; 32],
    /// The department's name (subject organizationName, else commonName).
    pub department_name: String,
    /// The department's 统一社会信用代码 (subject organizationIdentifier).
    pub department_code: Uscc,
    /// The licence types it may sign; `None`: every type.
    pub allowed_types: Option<Vec<TypeCode>>,
    /// The key that verifies its signatures.
    pub public_key: PublicKey,
    /// The start of the signing certificate's validity.
    pub not_before: OffsetDateTime,
    /// The end of the signing certificate's validity.
    pub not_after: OffsetDateTime,
}

impl ValidatedSigner {
    /// Whether the certificate may sign licences of this type.
    pub fn permits(&self, type_code: &TypeCode) -> bool {
        self.allowed_types
            .as_ref()
            .is_none_or(|types| types.contains(type_code))
    }
}

/// A validated path: the signer, the window in which the whole path is valid, and the
/// intermediates it went through.
struct ValidPath {
    signer: ValidatedSigner,
    from: OffsetDateTime,
    until: OffsetDateTime,
    intermediates: Vec<[u8; 32]>,
}

/// Validates a department's signing certificate at time `at`: builds the path signer →
/// intermediates… → trust anchor and checks it.
///
/// - the path is built by matching each certificate's issuer name with a subject name (and its
///   authority key identifier with the subject key identifier when both are present); no anchor
///   reached → `CertUntrusted`;
/// - every signature is checked (Ed25519, or ECDSA P-256 with SHA-256; other algorithms →
///   `CertAlgorithm`; a bad signature → `CertSignature`);
/// - every certificate must be valid at `at` (`CertExpired`, `CertNotYetValid`);
/// - every issuing certificate must be a CA (`CertNotCa`) with keyUsage keyCertSign
///   (`CertKeyUsage`), and its pathLenConstraint must hold (`CertPath`);
/// - the signing certificate must not be a CA (`CertPath`), must have keyUsage digitalSignature
///   (`CertKeyUsage`) and an organizationIdentifier holding a 统一社会信用代码, and a well-formed
///   type restriction if any (`CertMalformed`);
/// - a critical extension that is not understood → `CertMalformed`.
pub fn validate_signer(
    anchors: &TrustAnchors,
    signer: &Certificate,
    intermediates: &[Certificate],
    at: OffsetDateTime,
) -> Result<ValidatedSigner, TrustError> {
    validate_path(anchors, signer, intermediates, at).map(|p| p.signer)
}

fn validate_path(
    anchors: &TrustAnchors,
    signer: &Certificate,
    intermediates: &[Certificate],
    at: OffsetDateTime,
) -> Result<ValidPath, TrustError> {
    // Signatures first: what a certificate says counts only once it is known to be unaltered.
    let mut chain = Vec::new();
    build_path(anchors, signer, intermediates, &mut chain)?;
    let validated = check_signer(signer)?;

    for (below, ca) in chain.iter().enumerate() {
        check_understood(ca)?;
        check_issuing(
            ca,
            &format!("it issued '{}'", issued_by_name(signer, &chain, below)),
        )?;
        if let Some((_, Some(max))) = ca.info.basic_constraints {
            if below as u64 > u64::from(max) {
                return Err(TrustError::Path {
                    subject: ca.quoted(),
                    reason: format!(
                        "its pathLenConstraint {max} allows {max} intermediate CA certificate(s) below it, the path has {below}"
                    ),
                });
            }
        }
    }

    let mut from = signer.info.not_before;
    let mut until = signer.info.not_after;
    for cert in std::iter::once(signer).chain(chain.iter().copied()) {
        check_time(cert, at)?;
        from = from.max(cert.info.not_before);
        until = until.min(cert.info.not_after);
    }

    let intermediates_used = chain
        .iter()
        .take(chain.len().saturating_sub(1))
        .map(|c| c.fingerprint)
        .collect();
    Ok(ValidPath {
        signer: validated,
        from,
        until,
        intermediates: intermediates_used,
    })
}

/// The subject of the certificate that `chain[index]` issued.
fn issued_by_name<'a>(signer: &'a Certificate, chain: &[&'a Certificate], index: usize) -> &'a str {
    if index == 0 {
        &signer.info.subject
    } else {
        &chain[index - 1].info.subject
    }
}

/// The checks of the signing certificate's own content.
fn check_signer(signer: &Certificate) -> Result<ValidatedSigner, TrustError> {
    let info = &signer.info;
    let malformed = |reason: String| TrustError::Malformed {
        certificate: format!("signing certificate '{}'", info.subject),
        reason,
    };
    if let Some((true, _)) = info.basic_constraints {
        return Err(TrustError::Path {
            subject: signer.quoted(),
            reason: "a CA certificate (basicConstraints CA:TRUE) cannot sign licences; use an end-entity signing certificate".to_owned(),
        });
    }
    check_understood(signer)?;
    match info.key_usage {
        Some(ku) if ku & KU_DIGITAL_SIGNATURE != 0 => {}
        Some(_) => {
            return Err(TrustError::KeyUsage {
                subject: signer.quoted(),
                needed: "digitalSignature".to_owned(),
                role: "a licence signing certificate".to_owned(),
            })
        }
        None => {
            return Err(TrustError::KeyUsage {
                subject: signer.quoted(),
                needed: "digitalSignature (it has no keyUsage extension)".to_owned(),
                role: "a licence signing certificate".to_owned(),
            })
        }
    }
    let department_code = match &info.org_identifier {
        OrgId::One(s) => Uscc::parse_legacy(s).map_err(|e| {
            malformed(format!(
                "its organizationIdentifier '{s}' is not a 统一社会信用代码: {e}"
            ))
        })?,
        OrgId::Absent => {
            return Err(malformed(
                "its subject has no organizationIdentifier (2.5.4.97) holding the department's 统一社会信用代码".to_owned(),
            ))
        }
        OrgId::Bad(reason) => return Err(malformed(reason.clone())),
    };
    let department_name = info
        .organization
        .clone()
        .or_else(|| info.common_name.clone())
        .ok_or_else(|| malformed("its subject has no organizationName or commonName".to_owned()))?;
    let public_key = signer.public_key()?;
    Ok(ValidatedSigner {
        fingerprint: signer.fingerprint,
        department_name,
        department_code,
        allowed_types: info.allowed_types.clone(),
        public_key,
        not_before: info.not_before,
        not_after: info.not_after,
    })
}

/// The checks of a certificate that issues others (or is an anchor).
fn check_issuing(cert: &Certificate, role: &str) -> Result<(), TrustError> {
    if !matches!(cert.info.basic_constraints, Some((true, _))) {
        return Err(TrustError::NotCa {
            subject: cert.quoted(),
            role: role.to_owned(),
        });
    }
    match cert.info.key_usage {
        Some(ku) if ku & KU_KEY_CERT_SIGN != 0 => Ok(()),
        ku => Err(TrustError::KeyUsage {
            subject: cert.quoted(),
            needed: if ku.is_none() {
                "keyCertSign (it has no keyUsage extension)".to_owned()
            } else {
                "keyCertSign".to_owned()
            },
            role: "a CA".to_owned(),
        }),
    }
}

fn check_understood(cert: &Certificate) -> Result<(), TrustError> {
    if cert.info.unknown_critical.is_empty() {
        return Ok(());
    }
    Err(TrustError::Malformed {
        certificate: format!("certificate '{}'", cert.info.subject),
        reason: format!(
            "critical extension(s) not understood: {}",
            cert.info.unknown_critical.join(", ")
        ),
    })
}

fn check_time(cert: &Certificate, at: OffsetDateTime) -> Result<(), TrustError> {
    if at < cert.info.not_before {
        return Err(TrustError::NotYetValid {
            subject: cert.quoted(),
            not_before: rfc3339(cert.info.not_before),
            at: rfc3339(at),
        });
    }
    if at > cert.info.not_after {
        return Err(TrustError::Expired {
            subject: cert.quoted(),
            not_after: rfc3339(cert.info.not_after),
            at: rfc3339(at),
        });
    }
    Ok(())
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// Whether `parent` is a candidate issuer of `child` by name and key identifier.
fn names_issuer(child: &Certificate, parent: &Certificate) -> bool {
    child.info.issuer_raw == parent.info.subject_raw
        && match (&child.info.aki, &parent.info.ski) {
            (Some(aki), Some(ski)) => aki == ski,
            _ => true,
        }
}

/// Checks that `parent`'s key signed `child`.
fn check_signature(child: &Certificate, parent: &Certificate) -> Result<(), TrustError> {
    let key = parent.public_key().map_err(|e| match e {
        TrustError::Algorithm { subject, reason } => TrustError::Algorithm {
            subject,
            reason: format!("{reason}; it cannot have signed '{}'", child.info.subject),
        },
        other => other,
    })?;
    let algorithm: &dyn ring::signature::VerificationAlgorithm =
        match (&child.info.signature_algorithm, key.algorithm()) {
            (SigAlg::Ed25519, Algorithm::Ed25519) => &ring::signature::ED25519,
            (SigAlg::EcdsaP256Sha256, Algorithm::P256) => &ring::signature::ECDSA_P256_SHA256_ASN1,
            (SigAlg::Unsupported(what), _) => {
                return Err(TrustError::Algorithm {
                    subject: child.quoted(),
                    reason: format!("unsupported {what}"),
                })
            }
            (SigAlg::Inconsistent(what), _) => {
                return Err(TrustError::Algorithm {
                    subject: child.quoted(),
                    reason: what.clone(),
                })
            }
            (sig, key_alg) => {
                return Err(TrustError::Algorithm {
                    subject: child.quoted(),
                    reason: format!(
                        "signed with {} but the key of its issuer '{}' is {key_alg}",
                        match sig {
                            SigAlg::Ed25519 => "Ed25519",
                            _ => "ECDSA P-256 SHA-256",
                        },
                        parent.info.subject
                    ),
                })
            }
        };
    ring::signature::UnparsedPublicKey::new(algorithm, key.as_bytes())
        .verify(&child.info.tbs, &child.info.signature)
        .map_err(|_| TrustError::Signature {
            subject: child.quoted(),
            issuer: parent.quoted(),
        })
}

/// Finds the issuers of `child` up to an anchor, pushing them on `chain` (the anchor last).
fn build_path<'a>(
    anchors: &'a TrustAnchors,
    child: &'a Certificate,
    intermediates: &'a [Certificate],
    chain: &mut Vec<&'a Certificate>,
) -> Result<(), TrustError> {
    let mut best: Option<TrustError> = None;
    let keep = |e: TrustError, best: &mut Option<TrustError>| {
        // A specific failure says more than "no issuer found".
        if best
            .as_ref()
            .is_none_or(|b| matches!(b, TrustError::Untrusted { .. }))
        {
            *best = Some(e);
        }
    };
    for anchor in anchors.certs.iter().filter(|a| names_issuer(child, a)) {
        match check_signature(child, anchor) {
            Ok(()) => {
                chain.push(anchor);
                return Ok(());
            }
            Err(e) => keep(e, &mut best),
        }
    }
    let candidates: Vec<&Certificate> = intermediates
        .iter()
        .filter(|c| {
            names_issuer(child, c)
                && c.fingerprint != child.fingerprint
                && !chain.iter().any(|x| x.fingerprint == c.fingerprint)
        })
        .collect();
    for ca in candidates {
        if chain.len() >= MAX_INTERMEDIATES {
            keep(
                TrustError::Path {
                    subject: child.quoted(),
                    reason: format!(
                        "the path to a trust anchor would hold more than {MAX_INTERMEDIATES} intermediate certificates"
                    ),
                },
                &mut best,
            );
            break;
        }
        if let Err(e) = check_signature(child, ca) {
            keep(e, &mut best);
            continue;
        }
        chain.push(ca);
        match build_path(anchors, ca, intermediates, chain) {
            Ok(()) => return Ok(()),
            Err(e) => {
                let depth = chain.len();
                let at = chain
                    .iter()
                    .position(|x| x.fingerprint == ca.fingerprint)
                    .unwrap_or(depth);
                chain.truncate(at);
                keep(e, &mut best);
            }
        }
    }
    Err(best.unwrap_or_else(|| TrustError::Untrusted {
        subject: child.quoted(),
        issuer: child.info.issuer.clone(),
    }))
}

// ---------------------------------------------------------------------------------------------
// The path cache
// ---------------------------------------------------------------------------------------------

/// A thread-safe cache of validated signing certificates, so that verifying many licences of
/// one department validates its certificate path once.
///
/// Entries are keyed by the signing certificate's fingerprint and the [`TrustAnchors::id`]. An
/// entry is reused only when the verification time lies within the validity of every certificate
/// of its path and the intermediates it went through are given again; otherwise the path is
/// validated afresh. Failures are never cached. When full, the cache starts over.
#[derive(Debug)]
pub struct PathCache {
    entries: Mutex<CacheMap>,
    capacity: usize,
    hits: AtomicU64,
}

/// Cached paths by (signer fingerprint, anchors id).
type CacheMap = HashMap<([u8; 32], [u8; 32]), CacheEntry>;

#[derive(Debug)]
struct CacheEntry {
    signer: Arc<ValidatedSigner>,
    from: OffsetDateTime,
    until: OffsetDateTime,
    intermediates: Vec<[u8; 32]>,
}

impl Default for PathCache {
    fn default() -> PathCache {
        PathCache::new()
    }
}

impl PathCache {
    /// An empty cache of up to 4096 signing certificates.
    pub fn new() -> PathCache {
        PathCache::with_capacity(4096)
    }

    /// An empty cache of up to `capacity` signing certificates (at least 1).
    pub fn with_capacity(capacity: usize) -> PathCache {
        PathCache {
            entries: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
            hits: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheMap> {
        // A panic elsewhere while holding the lock cannot leave an entry half-written: entries
        // are inserted whole. Carry on with the map.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// [`validate_signer`], remembering successes.
    pub fn validate_cached(
        &self,
        anchors: &TrustAnchors,
        signer: &Certificate,
        intermediates: &[Certificate],
        at: OffsetDateTime,
    ) -> Result<Arc<ValidatedSigner>, TrustError> {
        let key = (signer.fingerprint, anchors.id);
        {
            let entries = self.lock();
            if let Some(e) = entries.get(&key) {
                let given = |f: &[u8; 32]| intermediates.iter().any(|c| c.fingerprint == *f);
                if e.from <= at && at <= e.until && e.intermediates.iter().all(given) {
                    self.hits.fetch_add(1, Ordering::Relaxed);
                    return Ok(Arc::clone(&e.signer));
                }
            }
        }
        let path = validate_path(anchors, signer, intermediates, at)?;
        let validated = Arc::new(path.signer);
        let mut entries = self.lock();
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(
            key,
            CacheEntry {
                signer: Arc::clone(&validated),
                from: path.from,
                until: path.until,
                intermediates: path.intermediates,
            },
        );
        Ok(validated)
    }

    /// How many validations were answered from the cache.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// The number of cached signing certificates.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        self.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_oid_encodes_to_twenty_octets_like_its_stand_in() {
        let real = ALLOWED_TYPES_OID_DER.clone();
        assert_eq!(real.len(), 20);
        assert_eq!(real[0], 0x69);
        let stand_in = oid_content(
            u128::from(PLACEHOLDER_ARCS[0] * 40 + PLACEHOLDER_ARCS[1]),
            &[
                u128::from(PLACEHOLDER_ARCS[2]),
                u128::from(PLACEHOLDER_ARCS[3]),
            ],
        );
        assert_eq!(stand_in.len(), real.len());
        // Decode the UUID arc back.
        let mut v: u128 = 0;
        for b in &real[1..] {
            v = (v << 7) | u128::from(b & 0x7f);
        }
        assert_eq!(v, ALLOWED_TYPES_UUID);
        assert_eq!(
            OID_ALLOWED_TYPES,
            format!("2.25.{ALLOWED_TYPES_UUID}").as_str()
        );
    }

    #[test]
    fn oid_content_matches_known_encodings() {
        // 1.2.840.10045.4.3.2
        assert_eq!(
            oid_content(42, &[840, 10045, 4, 3, 2]),
            OID_SIG_ECDSA_SHA256.to_vec()
        );
        assert_eq!(
            oid_content(85, &[4, 97]),
            OID_ORGANIZATION_IDENTIFIER.to_vec()
        );
    }

    #[test]
    fn allowed_types_round_trip_and_bad_values() {
        let types = vec![
            TypeCode::parse("11100000MB03271699001").unwrap(),
            TypeCode::parse("11100000000013338W032").unwrap(),
        ];
        let der = encode_allowed_types(&types);
        assert_eq!(decode_allowed_types(&der).unwrap(), types);
        assert_eq!(decode_allowed_types(&[0x30, 0x00]).unwrap(), vec![]);
        for n in 0..der.len() {
            assert!(decode_allowed_types(&der[..n]).is_err(), "{n}");
        }
        let mut trailing = der.clone();
        trailing.push(0);
        assert!(decode_allowed_types(&trailing).is_err());
        // An IA5String element, a bad type code, a non-minimal length.
        assert!(decode_allowed_types(&[0x30, 0x03, 0x16, 0x01, b'A']).is_err());
        assert!(decode_allowed_types(&[0x30, 0x03, 0x0c, 0x01, b'A']).is_err());
        assert!(decode_allowed_types(&[0x30, 0x81, 0x02, 0x0c, 0x00]).is_err());
        // Long lengths encode and decode.
        let many: Vec<TypeCode> = (0..20).map(|_| types[0].clone()).collect();
        assert_eq!(
            decode_allowed_types(&encode_allowed_types(&many)).unwrap(),
            many
        );
    }

    #[test]
    fn replace_once_needs_exactly_one_occurrence() {
        assert_eq!(replace_once(b"abcabc", b"bc", b"XY"), None);
        assert_eq!(replace_once(b"abcd", b"bc", b"XY").unwrap(), b"aXYd");
        assert_eq!(replace_once(b"abcd", b"zz", b"XY"), None);
        assert_eq!(replace_once(b"abcd", b"bc", b"X"), None);
    }
}
