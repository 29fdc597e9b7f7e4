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
//! [`validate_chain`] applies the same path rules, without the licence-signer ones, to
//! certificates of other CAs (the signer and seal-maker certificates of OFD e-seals).
//!
//! Certificates are written with `x509-cert`'s types and the `der` crate, parsed with
//! `x509-parser`, and their signatures checked with `ring` (Ed25519, ECDSA P-256 with SHA-256)
//! and [`crate::sm2`] (SM2-with-SM3, `1.2.156.10197.1.501`, over the to-be-signed bytes with the
//! user ID `1234567812345678` of GM/T 0009 and GM/T 0015); the path rules (validity,
//! basicConstraints, keyUsage, path length, name binding, type restriction) are ours. Issuer and
//! subject keys may each be Ed25519, P-256 or SM2.
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

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use der::asn1::{
    Any, AnyRef, BitStringRef, GeneralizedTime, OctetString, PrintableStringRef, UintRef, UtcTime,
    Utf8StringRef,
};
use der::flagset::FlagSet;
use der::oid::db::rfc4519;
use der::oid::{AssociatedOid, ObjectIdentifier};
use der::{Decode, Encode, Sequence};
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};
use time::{OffsetDateTime, UtcOffset};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::certificate::Version;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::name::{RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_parser::extensions::ParsedExtension;
use x509_parser::x509::X509Name;

use crate::codes::Uscc;
use crate::error::{Coded, ErrorCode};
use crate::identifier::{Strictness, TypeCode};
use crate::keys::{self, Algorithm, KeyError, PublicKey, Signer};
use crate::sm2::DEFAULT_USER_ID;

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

/// OID 2.5.4.97 (organizationIdentifier), content octets.
const OID_ORGANIZATION_IDENTIFIER: &[u8] = &[0x55, 0x04, 0x61];
/// OID 2.5.4.97 (organizationIdentifier), to write names with.
const OID_ORG_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.97");
/// OID 1.3.101.112 (Ed25519 signature), content octets.
const OID_SIG_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
/// OID 1.2.840.10045.4.3.2 (ecdsa-with-SHA256), content octets.
const OID_SIG_ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
/// OID 1.2.156.10197.1.501 (SM2-with-SM3, GM/T 0006), content octets.
const OID_SIG_SM2_SM3: &[u8] = &[0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x75];

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
    Sm2Sm3,
    Unsupported(String),
    Inconsistent(String),
}

impl SigAlg {
    fn name(&self) -> &str {
        match self {
            SigAlg::Ed25519 => "Ed25519",
            SigAlg::EcdsaP256Sha256 => "ECDSA P-256 SHA-256",
            SigAlg::Sm2Sm3 => "SM2-with-SM3",
            SigAlg::Unsupported(what) | SigAlg::Inconsistent(what) => what,
        }
    }
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

    /// Reads the certificates of a file as CAs hand them out: PEM with one or more
    /// `CERTIFICATE` blocks, or one DER certificate (`.cer`, `.crt`), told apart by the first
    /// byte (DER starts with a SEQUENCE tag, PEM with text).
    pub fn parse_file(bytes: &[u8]) -> Result<Vec<Certificate>, TrustError> {
        match bytes.first() {
            Some(0x30) => Self::from_der(bytes).map(|c| vec![c]),
            _ => Self::parse_pem_bundle(bytes),
        }
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

    /// Checks that `issuer`'s key made this certificate's signature: the signature alone, not
    /// the names, validity or CA rules ([`validate_chain`] checks a whole path). SM2 signatures
    /// are checked with the default user ID `1234567812345678`.
    ///
    /// Errors: `CertSignature` if it does not verify (or an SM2 signature was made with another
    /// user ID); `CertAlgorithm` for an unsupported algorithm, or one that is not the issuer
    /// key's.
    pub fn check_issued_by(&self, issuer: &Certificate) -> Result<(), TrustError> {
        check_signature(self, issuer)
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
            ParsedExtension::ParseError { error } if relied_on(ext.oid.as_bytes()) => {
                return Err(fail(format!("extension {oid} cannot be parsed: {error}")));
            }
            // Real certificates carry malformed extensions that nothing here reads (a
            // subjectAltName wrapped in a second OCTET STRING, in an OFD seal signer's): one
            // that is not critical is ignored, as any unread one is; a critical one is not
            // understood, and refused when the certificate is validated.
            ParsedExtension::ParseError { .. } if ext.critical => {
                unknown_critical.push(format!("{oid} (malformed)"));
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
    } else if outer.algorithm.as_bytes() == OID_SIG_SM2_SM3
        // GM/T 0015 writers put NULL parameters here, OpenSSL none: both mean none.
        && outer
            .parameters
            .as_ref()
            .is_none_or(|p| p.tag() == x509_parser::asn1_rs::Tag::Null && p.data.is_empty())
    {
        SigAlg::Sm2Sm3
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

/// Whether validation reads this extension (basicConstraints, keyUsage, subject and authority
/// key identifiers), so that it must be well formed even when not critical.
fn relied_on(oid: &[u8]) -> bool {
    [
        BasicConstraints::OID,
        KeyUsage::OID,
        SubjectKeyIdentifier::OID,
        AuthorityKeyIdentifier::OID,
    ]
    .iter()
    .any(|o| o.as_bytes() == oid)
}

// ---------------------------------------------------------------------------------------------
// A little DER: the certificate's framing, the type-restriction extension
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
/// The type-restriction extension's value: `SEQUENCE OF UTF8String`.
fn encode_allowed_types(types: &[TypeCode]) -> Result<Vec<Utf8StringRef<'_>>, TrustError> {
    types
        .iter()
        .map(|t| Utf8StringRef::new(t.as_ref()))
        .collect::<Result<_, _>>()
        .map_err(der_err("licence type code"))
}

/// Reads the type-restriction extension's value, in strict DER.
fn decode_allowed_types(value: &[u8]) -> Result<Vec<TypeCode>, String> {
    let strings = Vec::<Utf8StringRef<'_>>::from_der(value)
        .map_err(|e| format!("not a DER SEQUENCE OF UTF8String: {e}"))?;
    strings
        .iter()
        .enumerate()
        .map(|(i, s)| {
            TypeCode::parse_with(s.as_str(), Strictness::Lenient)
                .map_err(|e| format!("element {}: {e}", i + 1))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Making certificates
// ---------------------------------------------------------------------------------------------

// Certificates are written with x509-cert's types (names, times, serial numbers, the standard
// extensions) inside our own TBSCertificate: x509-cert's own cannot hold [`OID_ALLOWED_TYPES`],
// whose 128-bit UUID arc const-oid (32-bit arcs) refuses. Every algorithm goes the same way:
// the issuer's [`Signer`] signs the DER to-be-signed bytes.

/// `TBSCertificate` (RFC 5280 §4.1), with the names, key and extension OIDs as raw DER.
#[derive(Sequence)]
struct TbsCertificate<'a> {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    version: Version,
    serial_number: SerialNumber,
    signature: AnyRef<'a>,
    issuer: AnyRef<'a>,
    validity: Validity,
    subject: AnyRef<'a>,
    subject_public_key_info: AnyRef<'a>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT")]
    extensions: Vec<Extension<'a>>,
}

/// `Extension` (RFC 5280 §4.1), its OID as raw DER content octets.
#[derive(Sequence)]
struct Extension<'a> {
    extn_id: AnyRef<'a>,
    #[asn1(default = "Default::default")]
    critical: bool,
    extn_value: OctetString,
}

/// `Certificate` (RFC 5280 §4.1) around to-be-signed bytes already encoded.
#[derive(Sequence)]
struct SignedCertificate<'a> {
    tbs_certificate: AnyRef<'a>,
    signature_algorithm: AnyRef<'a>,
    signature_value: BitStringRef<'a>,
}

/// An ECDSA or SM2 signature value: `SEQUENCE { r INTEGER, s INTEGER }`.
#[derive(Sequence)]
struct EcSignature<'a> {
    r: UintRef<'a>,
    s: UintRef<'a>,
}

/// DER `AlgorithmIdentifier`s of the signatures we write (no parameters, as RFC 8410, RFC 5758
/// and OpenSSL for SM2 write them).
const ALG_ED25519: &[u8] = &[0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70];
const ALG_ECDSA_SHA256: &[u8] = &[
    0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
];
const ALG_SM2_SM3: &[u8] = &[
    0x30, 0x0a, 0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x75,
];

fn der_err(what: &str) -> impl Fn(der::Error) -> TrustError + '_ {
    move |e| make_err(format!("{what}: {e}"))
}

/// Already-encoded DER, to place inside a structure being written.
fn any<'a>(der: &'a [u8], what: &str) -> Result<AnyRef<'a>, TrustError> {
    AnyRef::from_der(der).map_err(der_err(what))
}

/// A certificate to make: what differs between roots, intermediates and signing certificates.
struct Draft<'a> {
    /// The issuer's certificate; `None` for a self-signed root.
    issuer: Option<&'a Certificate>,
    signer: &'a dyn Signer,
    subject_key: &'a PublicKey,
    subject_name: &'a str,
    department_code: Option<&'a Uscc>,
    /// `Some(pathLenConstraint)` for a CA.
    ca: Option<u8>,
    key_usage: FlagSet<KeyUsages>,
    allowed_types: Option<&'a [TypeCode]>,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
}

/// The key identifier of a `SubjectPublicKeyInfo`: the SHA-256 of its whole DER, cut to 20
/// bytes (as the certificates made with rcgen before had them, so that old and new agree).
fn key_identifier(spki: &[u8]) -> Vec<u8> {
    Sha256::digest(spki)[..20].to_vec()
}

fn extension<'a>(
    oid: &'a [u8],
    critical: bool,
    value: &impl Encode,
) -> Result<Extension<'a>, TrustError> {
    Ok(Extension {
        extn_id: AnyRef::new(der::Tag::ObjectIdentifier, oid).map_err(der_err("extension OID"))?,
        critical,
        extn_value: OctetString::new(value.to_der().map_err(der_err("extension value"))?)
            .map_err(der_err("extension value"))?,
    })
}

/// `C=CN, O=name[, organizationIdentifier=code], CN=name`, the strings in UTF-8.
fn subject_name(name: &str, code: Option<&Uscc>) -> Result<Vec<u8>, TrustError> {
    let utf8 = |s: &str| -> Result<Any, TrustError> {
        Any::encode_from(&Utf8StringRef::new(s).map_err(der_err("name"))?).map_err(der_err("name"))
    };
    let mut attrs = vec![
        (
            rfc4519::COUNTRY_NAME,
            Any::encode_from(&PrintableStringRef::new("CN").map_err(der_err("name"))?)
                .map_err(der_err("name"))?,
        ),
        (rfc4519::ORGANIZATION_NAME, utf8(name)?),
    ];
    if let Some(code) = code {
        attrs.push((OID_ORG_IDENTIFIER, utf8(code.as_ref())?));
    }
    attrs.push((rfc4519::COMMON_NAME, utf8(name)?));
    let mut rdns = RdnSequence::default();
    for (oid, value) in attrs {
        let rdn = RelativeDistinguishedName::try_from(vec![AttributeTypeAndValue { oid, value }])
            .map_err(der_err("name"))?;
        rdns.push(rdn);
    }
    rdns.to_der().map_err(der_err("name"))
}

/// A time as RFC 5280 §4.1.2.5 writes it: UTCTime through 2049, GeneralizedTime from 2050.
fn x509_time(t: OffsetDateTime) -> Result<Time, TrustError> {
    let dt = der::DateTime::new(
        t.year() as u16,
        t.month().into(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
    )
    .map_err(der_err("time"))?;
    if t.year() <= 2049 {
        Ok(Time::UtcTime(
            UtcTime::from_date_time(dt).map_err(der_err("time"))?,
        ))
    } else {
        Ok(Time::GeneralTime(GeneralizedTime::from_date_time(dt)))
    }
}

/// The signature value as X.509 carries it: Ed25519's 64 bytes as they are, ECDSA and SM2 as
/// DER `SEQUENCE { r, s }` from the signer's raw `r ‖ s`.
fn signature_value(alg: Algorithm, raw: &[u8]) -> Result<Vec<u8>, TrustError> {
    let bad = || -> TrustError {
        KeyError::Sign {
            reason: format!(
                "the {alg} signer returned {} bytes, not a 64-byte signature",
                raw.len()
            ),
        }
        .into()
    };
    if raw.len() != keys::SIGNATURE_LEN {
        return Err(bad());
    }
    match alg {
        Algorithm::Ed25519 => Ok(raw.to_vec()),
        _ => {
            let (r, s) = raw.split_at(32);
            EcSignature {
                r: UintRef::new(r).map_err(|_| bad())?,
                s: UintRef::new(s).map_err(|_| bad())?,
            }
            .to_der()
            .map_err(|_| bad())
        }
    }
}

/// Makes, signs and reads back a certificate.
fn make(d: &Draft<'_>) -> Result<Certificate, TrustError> {
    let (not_before, not_after) = validity(d.not_before, d.not_after)?;
    let algorithm = d.signer.algorithm();
    let signature_algorithm = match algorithm {
        Algorithm::Ed25519 => ALG_ED25519,
        Algorithm::P256 => ALG_ECDSA_SHA256,
        Algorithm::Sm2 => ALG_SM2_SM3,
    };
    let subject = subject_name(d.subject_name, d.department_code)?;
    let spki = d.subject_key.spki_der();
    let ski = key_identifier(&spki);
    let (issuer, aki) = match d.issuer {
        Some(cert) => (
            cert.info.subject_raw.clone(),
            cert.info.ski.clone().or_else(|| {
                cert.info
                    .public_key
                    .as_ref()
                    .ok()
                    .map(|k| key_identifier(&k.spki_der()))
            }),
        ),
        None => (subject.clone(), None),
    };

    let mut extensions = vec![
        extension(
            BasicConstraints::OID.as_bytes(),
            true,
            &BasicConstraints {
                ca: d.ca.is_some(),
                path_len_constraint: d.ca,
            },
        )?,
        extension(KeyUsage::OID.as_bytes(), true, &KeyUsage(d.key_usage))?,
        extension(
            SubjectKeyIdentifier::OID.as_bytes(),
            false,
            &SubjectKeyIdentifier(OctetString::new(ski).map_err(der_err("key identifier"))?),
        )?,
    ];
    if let Some(aki) = aki {
        extensions.push(extension(
            AuthorityKeyIdentifier::OID.as_bytes(),
            false,
            &AuthorityKeyIdentifier {
                key_identifier: Some(OctetString::new(aki).map_err(der_err("key identifier"))?),
                ..Default::default()
            },
        )?);
    }
    if let Some(types) = d.allowed_types {
        extensions.push(extension(
            &ALLOWED_TYPES_OID_DER,
            false,
            &encode_allowed_types(types)?,
        )?);
    }

    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: random_serial()?,
        signature: any(signature_algorithm, "signature algorithm")?,
        issuer: any(&issuer, "issuer name")?,
        validity: Validity::new(x509_time(not_before)?, x509_time(not_after)?),
        subject: any(&subject, "subject name")?,
        subject_public_key_info: any(&spki, "subject public key")?,
        extensions,
    }
    .to_der()
    .map_err(der_err("the to-be-signed certificate"))?;

    let raw = d.signer.sign(&tbs)?;
    let value = signature_value(algorithm, &raw)?;
    let der = SignedCertificate {
        tbs_certificate: any(&tbs, "the to-be-signed certificate")?,
        signature_algorithm: any(signature_algorithm, "signature algorithm")?,
        signature_value: BitStringRef::from_bytes(&value).map_err(der_err("signature"))?,
    }
    .to_der()
    .map_err(der_err("the certificate"))?;

    let cert = Certificate::from_der(&der)?;
    // A signer (an HSM, say) that signs with another key or garbles its output is caught here,
    // not by the first verifier.
    let issuer_cert = d.issuer.unwrap_or(&cert);
    check_signature(&cert, issuer_cert).map_err(|e| match e {
        TrustError::Signature { .. } => KeyError::Sign {
            reason: "the issuer's signer made a certificate signature that does not verify with its public key".to_owned(),
        }
        .into(),
        other => other,
    })?;
    Ok(cert)
}

/// Times as X.509 writes them: UTC, whole seconds, years 1970–9999, `not_before < not_after`.
fn validity(
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<(OffsetDateTime, OffsetDateTime), TrustError> {
    let norm = |t: OffsetDateTime, which: &str| {
        let t = t.to_offset(UtcOffset::UTC);
        // The der crate's DateTime starts at the Unix epoch.
        if !(1970..=9999).contains(&t.year()) {
            return Err(make_err(format!(
                "{which} {t} is outside the years 1970–9999 that certificates are made for"
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
    SerialNumber::new(&bytes).map_err(der_err("serial number"))
}

/// Checks that `signer` holds the key of `cert`.
fn check_issuer_key(cert: &Certificate, signer: &dyn Signer) -> Result<(), TrustError> {
    match &cert.info.public_key {
        Ok(pk) if *pk == signer.public_key() => Ok(()),
        _ => Err(make_err(format!(
            "the issuer key is not the key of the issuer certificate '{}'",
            cert.info.subject
        ))),
    }
}

/// Makes a self-signed root CA certificate: subject `C=CN, O=name, CN=name`, basicConstraints
/// CA:TRUE with pathLenConstraint 1 (one intermediate CA at most), keyUsage keyCertSign and
/// cRLSign (critical), a subject key identifier and a random positive serial number.
///
/// The key may be Ed25519, P-256 or SM2; the signature is Ed25519, ECDSA P-256 with SHA-256,
/// or SM2-with-SM3 (`1.2.156.10197.1.501`, user ID `1234567812345678`) accordingly. Any
/// [`Signer`] will do (a [`SigningKey`](crate::keys::SigningKey), or a key in an HSM).
pub fn issue_root(
    key: &dyn Signer,
    name: &str,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<Certificate, TrustError> {
    check_name(name, "CA name")?;
    let public = key.public_key();
    make(&Draft {
        issuer: None,
        signer: key,
        subject_key: &public,
        subject_name: name,
        department_code: None,
        ca: Some(1),
        key_usage: KeyUsages::KeyCertSign | KeyUsages::CRLSign,
        allowed_types: None,
        not_before,
        not_after,
    })
}

/// Makes an intermediate CA certificate for `subject`, signed by `issuer_key` (the key of
/// `issuer_cert`, of any algorithm, as for [`issue_root`]): like [`issue_root`] but with
/// pathLenConstraint 0, and an authority key identifier.
pub fn issue_intermediate(
    issuer_cert: &Certificate,
    issuer_key: &dyn Signer,
    subject: &PublicKey,
    name: &str,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<Certificate, TrustError> {
    check_issuer_key(issuer_cert, issuer_key)?;
    check_name(name, "CA name")?;
    make(&Draft {
        issuer: Some(issuer_cert),
        signer: issuer_key,
        subject_key: subject,
        subject_name: name,
        department_code: None,
        ca: Some(0),
        key_usage: KeyUsages::KeyCertSign | KeyUsages::CRLSign,
        allowed_types: None,
        not_before,
        not_after,
    })
}

/// Makes a department's signing certificate (end entity) for `subject`, signed by `issuer_key`
/// (the key of `issuer_cert`, of any algorithm, as for [`issue_root`]).
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
    issuer_key: &dyn Signer,
    subject: &PublicKey,
    department_name: &str,
    department_code: &Uscc,
    allowed_types: Option<&[TypeCode]>,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<Certificate, TrustError> {
    check_issuer_key(issuer_cert, issuer_key)?;
    check_name(department_name, "department name")?;
    make(&Draft {
        issuer: Some(issuer_cert),
        signer: issuer_key,
        subject_key: subject,
        subject_name: department_name,
        department_code: Some(department_code),
        ca: None,
        key_usage: KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
        allowed_types,
        not_before,
        not_after,
    })
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

/// Validates a department's signing certificate at time `at`: builds the path signer →
/// intermediates… → trust anchor and checks it.
///
/// - the path is built by matching each certificate's issuer name with a subject name (and its
///   authority key identifier with the subject key identifier when both are present); no anchor
///   reached → `CertUntrusted`;
/// - every signature is checked (Ed25519, ECDSA P-256 with SHA-256, or SM2-with-SM3 with the
///   default user ID; other algorithms → `CertAlgorithm`; a bad signature, or an SM2 one made
///   with another user ID → `CertSignature`);
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
    validate_path(anchors, signer, intermediates, at).map(|(signer, _)| signer)
}

/// Validates the path of any end certificate at time `at`, for certificates that do not sign
/// licences (the signer and seal-maker certificates of OFD e-seals, issued by other CAs).
///
/// The rules of [`validate_signer`] that hold for every path apply: the path to an anchor,
/// every signature, validity at `at`, the CA rules (basicConstraints CA:TRUE, keyUsage
/// keyCertSign, pathLenConstraint) and no critical extension that is not understood, on `cert`
/// as on its CAs. The licence-signer rules do not: `cert` may be a CA, its keyUsage is not
/// looked at, and it needs no 统一社会信用代码 or type restriction. The caller checks what its
/// own use of the key needs (an e-seal's keyUsage, say).
pub fn validate_chain(
    anchors: &TrustAnchors,
    cert: &Certificate,
    intermediates: &[Certificate],
    at: OffsetDateTime,
) -> Result<(), TrustError> {
    check_path(anchors, cert, intermediates, at, check_understood).map(|_| ())
}

fn validate_path(
    anchors: &TrustAnchors,
    signer: &Certificate,
    intermediates: &[Certificate],
    at: OffsetDateTime,
) -> Result<(ValidatedSigner, Window), TrustError> {
    check_path(anchors, signer, intermediates, at, check_signer)
}

/// Where a checked path holds: the window in which all its certificates are valid, and the
/// intermediates it went through.
struct Window {
    from: OffsetDateTime,
    until: OffsetDateTime,
    intermediates: Vec<[u8; 32]>,
}

/// The path rules shared by [`validate_signer`] and [`validate_chain`]; `check_leaf` adds the
/// rules of the end certificate's role.
fn check_path<T>(
    anchors: &TrustAnchors,
    leaf: &Certificate,
    intermediates: &[Certificate],
    at: OffsetDateTime,
    check_leaf: impl FnOnce(&Certificate) -> Result<T, TrustError>,
) -> Result<(T, Window), TrustError> {
    // Signatures first: what a certificate says counts only once it is known to be unaltered.
    let mut chain = Vec::new();
    build_path(anchors, leaf, intermediates, &mut chain)?;
    let checked = check_leaf(leaf)?;

    for (below, ca) in chain.iter().enumerate() {
        check_understood(ca)?;
        check_issuing(
            ca,
            &format!("it issued '{}'", issued_by_name(leaf, &chain, below)),
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

    let mut from = leaf.info.not_before;
    let mut until = leaf.info.not_after;
    for cert in std::iter::once(leaf).chain(chain.iter().copied()) {
        check_time(cert, at)?;
        from = from.max(cert.info.not_before);
        until = until.min(cert.info.not_after);
    }

    let intermediates_used = chain
        .iter()
        .take(chain.len().saturating_sub(1))
        .map(|c| c.fingerprint)
        .collect();
    Ok((
        checked,
        Window {
            from,
            until,
            intermediates: intermediates_used,
        },
    ))
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
    let bad_signature = || TrustError::Signature {
        subject: child.quoted(),
        issuer: parent.quoted(),
    };
    let (tbs, signature) = (&child.info.tbs, &child.info.signature);
    let ring_check = |algorithm: &'static dyn ring::signature::VerificationAlgorithm| {
        ring::signature::UnparsedPublicKey::new(algorithm, key.as_bytes())
            .verify(tbs, signature)
            .map_err(|_| bad_signature())
    };
    match (&child.info.signature_algorithm, key.algorithm()) {
        (SigAlg::Ed25519, Algorithm::Ed25519) => ring_check(&ring::signature::ED25519),
        (SigAlg::EcdsaP256Sha256, Algorithm::P256) => {
            ring_check(&ring::signature::ECDSA_P256_SHA256_ASN1)
        }
        (SigAlg::Sm2Sm3, Algorithm::Sm2) => {
            // Certificates are signed with the default user ID (GM/T 0015); one signed with
            // another (OpenSSL 3 uses the empty ID unless told) does not verify.
            let raw = crate::sm2::signature_from_der(signature).map_err(|_| bad_signature())?;
            let verified = key
                .sm2_verifying_key()
                .is_some_and(|vk| vk.verify(DEFAULT_USER_ID, tbs, &raw));
            if verified {
                Ok(())
            } else {
                Err(bad_signature())
            }
        }
        (SigAlg::Unsupported(what), _) => Err(TrustError::Algorithm {
            subject: child.quoted(),
            reason: format!("unsupported {what}"),
        }),
        (SigAlg::Inconsistent(what), _) => Err(TrustError::Algorithm {
            subject: child.quoted(),
            reason: what.clone(),
        }),
        (sig, key_alg) => Err(TrustError::Algorithm {
            subject: child.quoted(),
            reason: format!(
                "signed with {} but the key of its issuer '{}' is {key_alg}",
                sig.name(),
                parent.info.subject
            ),
        }),
    }
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
        let (signer, path) = validate_path(anchors, signer, intermediates, at)?;
        let validated = Arc::new(signer);
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
    fn the_type_oid_encodes_the_uuid_arc() {
        let real = ALLOWED_TYPES_OID_DER.clone();
        assert_eq!(real.len(), 20);
        assert_eq!(real[0], 0x69);
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
        // const-oid (and so x509-cert's Extension) cannot hold it: hence our own TBSCertificate.
        assert!(ObjectIdentifier::from_bytes(&real).is_err());
    }

    #[test]
    fn written_algorithm_identifiers_are_the_oids_read() {
        for (alg, oid) in [
            (ALG_ED25519, OID_SIG_ED25519),
            (ALG_ECDSA_SHA256, OID_SIG_ECDSA_SHA256),
            (ALG_SM2_SM3, OID_SIG_SM2_SM3),
        ] {
            let id = x509_cert::spki::AlgorithmIdentifierOwned::from_der(alg).unwrap();
            assert_eq!(id.oid.as_bytes(), oid);
            assert!(id.parameters.is_none());
        }
        assert_eq!(
            ObjectIdentifier::from_bytes(OID_SIG_SM2_SM3).unwrap(),
            ObjectIdentifier::new_unwrap("1.2.156.10197.1.501")
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
        let der = encode_allowed_types(&types).unwrap().to_der().unwrap();
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
            decode_allowed_types(&encode_allowed_types(&many).unwrap().to_der().unwrap()).unwrap(),
            many
        );
    }
}
