//! Offline verification of sealed OFD documents (GB/T 33190), the form in which Chinese
//! platforms issue e-licences and e-invoices today.
//!
//! [`verify`] opens the package defensively ([`package`]), finds each document's
//! `Signatures.xml` from `OFD.xml`, and checks every signature listed ([`xml`]):
//!
//! 1. each `Reference`'s SM3 digest over the raw bytes of its entry (`CheckMethod` `SM3` or
//!    `1.2.156.10197.1.401`; other methods are refused, since nothing they protect can be
//!    confirmed);
//! 2. the signed value, by its form: a GB/T 38540 (v4) or GM/T 0031 (v1) seal signature
//!    ([`seal`]): `dataHash` = SM3(`Signature.xml`), the signer's SM2 signature over
//!    `TBS_Sign`, the seal maker's over the seal, the signer in the seal's certificate list, the
//!    `Seal.esl` beside it equal to the seal inside; a GB/T 35275 `SignedData`
//!    ([`signed_data`]); or a bare SM2 `SEQUENCE { r, s }` over `Signature.xml`, verified with
//!    a certificate given by the caller;
//! 3. the signing time inside the validity of the signer's certificate and of the seal;
//! 4. with trust anchors, the chain of the signer's and the seal maker's certificates to them,
//!    at the signing time.
//!
//! Each signature gets a [`SignatureReport`] with the outcome of each step and the stable
//! code of the first failure. A package that cannot be read at all is an [`OfdError`].
//! [`metadata`] reads the GB/T 36903 items that a licence file carries about itself, and
//! [`licence`] reads the licence a verified file is, as a registry takes it in.
//!
//! ```no_run
//! use zhengzhao_core::ofd::{self, Options};
//! let bytes = std::fs::read("licence.ofd")?;
//! let report = ofd::verify(&bytes, &Options::default())?;
//! for s in &report.signatures {
//!     println!("{} {}: {:?}", s.id, s.format.unwrap_or("?"), s.code);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod licence;
pub mod metadata;
pub mod package;
pub mod seal;
pub mod signed_data;
pub mod xml;

use serde::Serialize;
use time::OffsetDateTime;

use crate::der;
use crate::error::{Coded, ErrorCode};
use crate::gbt36903::RecordError;
use crate::keys::{Algorithm, PublicKey};
use crate::pki::{self, Certificate, TrustAnchors, TrustError};
use crate::sm2;
use package::{Limits, Package};
use seal::{Seal, SealSignature, Version};
use signed_data::{Covers, SignedData};
use xml::{SignatureEntry, SignedInfo};

const SM2_WITH_SM3: &str = "1.2.156.10197.1.501";
const SM2_SIGN: &str = "1.2.156.10197.1.301.1";
const SM3: &str = "1.2.156.10197.1.401";

/// Why an OFD package cannot be verified at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OfdError {
    /// Not a readable zip: truncated, corrupt, encrypted or an unsupported compression.
    #[error("not a readable OFD package: {reason}")]
    Package {
        /// What is wrong.
        reason: String,
    },
    /// Beyond the [`Limits`]: too many entries, too large, or compressed too well (a zip bomb).
    #[error("the OFD package is beyond the limits: {reason}")]
    Limit {
        /// Which limit.
        reason: String,
    },
    /// An entry name that is absolute, leaves the package or collides with another.
    #[error("unsafe entry name '{path}' in the OFD package: {reason}")]
    Path {
        /// The name as written.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An entry that the package needs is missing.
    #[error("the OFD package has no entry {path} (named by {referenced_by})")]
    Missing {
        /// The missing entry.
        path: String,
        /// Where it is named.
        referenced_by: String,
    },
    /// XML that cannot be parsed or lacks what OFD requires.
    #[error("{path} in the OFD package: {reason}")]
    Xml {
        /// The entry.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A signature of the file does not hold (or, with anchors, does not chain to them): a
    /// licence is taken in only when all of them do ([`licence::read`]).
    #[error("the OFD licence does not verify: {message}")]
    Invalid {
        /// The code of the first failure.
        code: ErrorCode,
        /// Its message.
        message: String,
    },
    /// Required metadata items that neither the file (under its seals) nor the caller gives.
    #[error("the OFD licence lacks {}{}", missing.join(", "), unsealed_note(unsealed))]
    MetadataMissing {
        /// The items, as `KEY (名称)`.
        missing: Vec<String>,
        /// The keys of items the file carries outside its seals, which are not used.
        unsealed: Vec<String>,
    },
    /// A supplied item that differs from what the file says under its seal.
    #[error("{key}: the sealed OFD licence says '{sealed}', the supplied item '{supplied}'")]
    MetadataConflict {
        /// The key.
        key: String,
        /// The sealed value.
        sealed: String,
        /// The supplied value.
        supplied: String,
    },
    /// The metadata does not read as a licence of its catalogue type.
    #[error(transparent)]
    Record(#[from] RecordError),
}

fn unsealed_note(unsealed: &[String]) -> String {
    match unsealed {
        [] => String::new(),
        keys => format!(
            " (the file carries {} outside its seals: not used)",
            keys.join(", ")
        ),
    }
}

impl Coded for OfdError {
    fn code(&self) -> ErrorCode {
        match self {
            OfdError::Package { .. } => ErrorCode::OfdPackage,
            OfdError::Limit { .. } => ErrorCode::OfdLimit,
            OfdError::Path { .. } => ErrorCode::OfdPath,
            OfdError::Missing { .. } => ErrorCode::OfdMissing,
            OfdError::Xml { .. } => ErrorCode::OfdXml,
            OfdError::Invalid { code, .. } => *code,
            OfdError::MetadataMissing { .. } => ErrorCode::OfdMetadataMissing,
            OfdError::MetadataConflict { .. } => ErrorCode::OfdMetadataConflict,
            OfdError::Record(e) => e.code(),
        }
    }
}

/// What [`verify`] checks against.
#[derive(Clone, Debug)]
pub struct Options<'a> {
    /// Trust anchors for the chains of signer and seal-maker certificates; `None` skips the
    /// chain check (`chain_trusted` is then `null`).
    pub anchors: Option<&'a TrustAnchors>,
    /// Certificates from the caller: the keys of bare signatures, which carry none, and
    /// intermediate CA certificates for the chains.
    pub certificates: &'a [Certificate],
    /// The verification time, used for chains and validity when a signature carries no time.
    pub at: OffsetDateTime,
    /// Limits on the package.
    pub limits: Limits,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            anchors: None,
            certificates: &[],
            at: OffsetDateTime::now_utc(),
            limits: Limits::default(),
        }
    }
}

/// The verification report of an OFD package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Whether the package is signed and every signature holds.
    pub valid: bool,
    /// The code of the first failure (`ZZ-E-OFD-006` for a package without signatures).
    #[serde(serialize_with = "crate::verify::code_name")]
    pub code: Option<ErrorCode>,
    /// The message of the first failure.
    pub message: Option<String>,
    /// Each signature, in the order of the signature lists.
    pub signatures: Vec<SignatureReport>,
}

/// The outcome of one signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignatureReport {
    /// The `ID` of its `Signature` entry.
    pub id: String,
    /// Its `Type`: `Seal` or `Sign`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its `Signature.xml`.
    pub signature_xml: String,
    /// The form of its signed value: `GB/T 38540 v4`, `GM/T 0031 v1`,
    /// `GB/T 35275 SignedData` or `SM2 signature`; `None` when it could not be read.
    pub format: Option<&'static str>,
    /// Whether every entry it protects is as signed (a `Signatures.xml` rewritten by a later
    /// signature does not count as changed content).
    pub content_intact: bool,
    /// The entries whose digest no longer matches or cannot be checked.
    pub changed_entries: Vec<String>,
    /// The entries whose digest matches: what this signature protects, as `/path`.
    pub protected: Vec<String>,
    /// Whether the signer's signature verifies and binds this `Signature.xml`.
    pub signature_valid: bool,
    /// Whether the seal maker's signature on the seal verifies; `None` without a seal.
    pub seal_valid: Option<bool>,
    /// Whether the signer's certificate lists in the seal; `None` without a seal.
    pub signer_in_seal: Option<bool>,
    /// Whether the signing time is inside the validity of the signer's certificate and the seal.
    pub within_validity: bool,
    /// Whether the certificates chain to the anchors; `None` without anchors.
    pub chain_trusted: Option<bool>,
    /// The code of the first failure; `None` when the signature holds.
    #[serde(serialize_with = "crate::verify::code_name")]
    pub code: Option<ErrorCode>,
    /// The message of the first failure.
    pub message: Option<String>,
    /// The signing time (RFC 3339), when the signature carries one.
    pub signed_at: Option<String>,
    /// The subject of the signer's certificate.
    pub signer: Option<String>,
    /// The seal, when there is one.
    pub seal: Option<SealSummary>,
}

/// What a report says of a seal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SealSummary {
    /// `esID`.
    pub es_id: String,
    /// The seal's name.
    pub name: String,
    /// The maker's `Vid`.
    pub vid: String,
    /// 1 (GM/T 0031) or 4 (GB/T 38540).
    pub version: u32,
    /// Its validity, RFC 3339; `None` when the time cannot be read.
    pub valid_from: Option<String>,
    /// End of its validity.
    pub valid_until: Option<String>,
}

/// Whether `bytes` look like an OFD package (a zip archive), as opposed to the JSON and text
/// documents that [`crate::interchange::sniff`] tells apart.
pub fn is_package(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// Verifies every signature of the OFD package in `bytes`.
pub fn verify(bytes: &[u8], options: &Options<'_>) -> Result<Report, OfdError> {
    let package = Package::read(bytes, &options.limits)?;
    let ofd_xml = package.require("OFD.xml", "the OFD standard (GB/T 33190 §7.4)")?;
    let mut entries = Vec::new();
    for list in xml::signature_lists(ofd_xml)? {
        let bytes = package.require(&list, "OFD.xml")?;
        entries.extend(
            xml::signature_entries(bytes, &list)?
                .into_iter()
                .map(|e| (list.clone(), e)),
        );
    }
    let signatures: Vec<_> = entries
        .iter()
        .enumerate()
        .map(|(i, (list, entry))| {
            // A later signature in the same list explains a rewritten list.
            let later = entries[i + 1..].iter().any(|(l, _)| l == list);
            Check::new(&package, entry, options).run(list, later)
        })
        .collect();
    let first = signatures.iter().find(|s| s.code.is_some());
    let (code, message) = match first {
        _ if signatures.is_empty() => (
            Some(ErrorCode::OfdUnsigned),
            Some("the package carries no signature".to_owned()),
        ),
        Some(s) => (
            s.code,
            Some(format!(
                "signature {}: {}",
                s.id,
                s.message.as_deref().unwrap_or("")
            )),
        ),
        None => (None, None),
    };
    Ok(Report {
        valid: code.is_none(),
        code,
        message,
        signatures,
    })
}

/// The checks of one signature, filling its report.
struct Check<'a> {
    package: &'a Package,
    options: &'a Options<'a>,
    report: SignatureReport,
}

/// What the signed value says, whatever its form.
struct Signed {
    signer: Option<Party>,
    /// Certificates that may be intermediates of the chains.
    pool: Vec<Certificate>,
    maker: Option<Party>,
    /// The signing time: `None` when the signature carries none, the text when it cannot be read.
    time: Option<Result<OffsetDateTime, String>>,
    seal_validity: Option<(Option<OffsetDateTime>, Option<OffsetDateTime>)>,
}

/// The certificate of a signer or a seal maker. Its key and validity are read leniently, so
/// that a signature made under a certificate with a malformed non-critical extension (real
/// producers write some) is still checked; only a certificate that passes the strict parse
/// can chain to the anchors.
struct Party {
    subject: String,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    key: Result<PublicKey, String>,
    strict: Result<Certificate, TrustError>,
}

impl Party {
    fn read(der: &[u8]) -> Result<Party, String> {
        let strict = Certificate::from_der(der);
        if let Ok(cert) = &strict {
            return Ok(Party {
                subject: cert.subject_name().to_owned(),
                not_before: cert.not_before(),
                not_after: cert.not_after(),
                key: cert.public_key().map_err(|e| e.to_string()),
                strict,
            });
        }
        let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|e| e.to_string())?;
        let validity = cert.validity();
        Ok(Party {
            subject: cert.subject().to_string(),
            not_before: validity.not_before.to_datetime(),
            not_after: validity.not_after.to_datetime(),
            key: PublicKey::from_spki_der(cert.public_key().raw).map_err(|e| e.to_string()),
            strict,
        })
    }

    fn is_valid_at(&self, at: OffsetDateTime) -> bool {
        self.not_before <= at && at <= self.not_after
    }
}

impl<'a> Check<'a> {
    fn new(package: &'a Package, entry: &SignatureEntry, options: &'a Options<'a>) -> Check<'a> {
        Check {
            package,
            options,
            report: SignatureReport {
                id: entry.id.clone(),
                kind: entry.kind.clone(),
                signature_xml: format!("/{}", entry.path),
                format: None,
                content_intact: false,
                changed_entries: Vec::new(),
                protected: Vec::new(),
                signature_valid: false,
                seal_valid: None,
                signer_in_seal: None,
                within_validity: false,
                chain_trusted: None,
                code: None,
                message: None,
                signed_at: None,
                signer: None,
                seal: None,
            },
        }
    }

    fn fail(&mut self, code: ErrorCode, message: impl Into<String>) {
        if self.report.code.is_none() {
            self.report.code = Some(code);
            self.report.message = Some(message.into());
        }
    }

    fn run(mut self, list: &str, later: bool) -> SignatureReport {
        let path = self.report.signature_xml[1..].to_owned();
        let Some(signature_xml) = self.package.get(&path) else {
            self.fail(
                ErrorCode::OfdMissing,
                format!("its Signature.xml /{path} is missing"),
            );
            return self.report;
        };
        let info = match xml::signed_info(signature_xml, &path) {
            Ok(info) => info,
            Err(e) => {
                self.fail(e.code(), e.to_string());
                return self.report;
            }
        };
        self.references(&info, list, later);
        let Some(value) = self.package.get(&info.signed_value) else {
            self.fail(
                ErrorCode::OfdMissing,
                format!("its SignedValue /{} is missing", info.signed_value),
            );
            return self.report;
        };
        let signed = match self.signed_value(value, signature_xml, &info) {
            Ok(signed) => signed,
            Err(message) => {
                self.fail(ErrorCode::OfdSignedValue, message);
                return self.report;
            }
        };
        self.validity(&signed);
        self.chains(&signed);
        self.report
    }

    /// Step 1: the digests of the protected entries.
    fn references(&mut self, info: &SignedInfo, list: &str, later: bool) {
        let method = info
            .check_method
            .as_deref()
            .unwrap_or("MD5 (the default of GB/T 33190)");
        let known = matches!(method, "SM3" | "sm3" | SM3);
        let mut changed = Vec::new();
        let mut protected = Vec::new();
        for r in &info.references {
            let found = r
                .path
                .iter()
                .cloned()
                // Some producers write entry paths relative to the package root.
                .chain(package::resolve("", &r.file_ref))
                .find_map(|p| self.package.get(&p).map(|b| (p, b)));
            match found {
                Some((path, bytes))
                    if known && r.check_value.as_deref() == Some(sm2::sm3(bytes).as_slice()) =>
                {
                    protected.push(format!("/{path}"))
                }
                _ => changed.push(r.file_ref.clone()),
            }
        }
        protected.sort();
        protected.dedup();
        self.report.protected = protected;
        let rewritten_list = |c: &String| later && package::resolve("", c).as_deref() == Some(list);
        self.report.content_intact =
            known && !info.references.is_empty() && changed.iter().all(rewritten_list);
        if !known {
            self.fail(
                ErrorCode::OfdCheckMethod,
                format!("CheckMethod {method} is not SM3: nothing it protects can be confirmed"),
            );
        } else if info.references.is_empty() {
            self.fail(
                ErrorCode::OfdContentChanged,
                "the signature protects no entry",
            );
        } else if !self.report.content_intact {
            let missing: Vec<_> = changed
                .iter()
                .filter(|c| !rewritten_list(c))
                .cloned()
                .collect();
            self.fail(
                ErrorCode::OfdContentChanged,
                format!("changed after signing: {}", missing.join(", ")),
            );
        } else if !changed.is_empty() {
            self.fail(
                ErrorCode::OfdSignaturesRewritten,
                format!(
                    "{} was rewritten by a later signature, as adding one does",
                    changed.join(", ")
                ),
            );
        }
        self.report.changed_entries = changed;
    }

    /// Step 2: the signed value, by its form.
    fn signed_value(
        &mut self,
        value: &[u8],
        signature_xml: &[u8],
        info: &SignedInfo,
    ) -> Result<Signed, String> {
        let outer = der::single(value, "SignedValue")?;
        let mut r = outer.reader();
        let first = r.any("SignedValue").ok();
        match (outer.tag, first.map(|t| t.tag)) {
            (der::tag::SEQUENCE, Some(der::tag::SEQUENCE)) => {
                let sig = SealSignature::parse(value)?;
                Ok(self.seal_signature(&sig, signature_xml, info))
            }
            (der::tag::SEQUENCE, Some(der::tag::OID)) if signed_data::looks_like(value) => {
                let sd = SignedData::parse(value)?;
                Ok(self.signed_data(&sd, signature_xml, info))
            }
            (der::tag::SEQUENCE, Some(der::tag::INTEGER)) => {
                let raw = sm2::signature_from_der(value).map_err(|e| format!("SignedValue: {e}"))?;
                Ok(self.bare(&raw, signature_xml, info))
            }
            _ => Err("SignedValue is neither a seal signature (GB/T 38540, GM/T 0031), a GB/T 35275 SignedData nor an SM2 signature".into()),
        }
    }

    fn seal_signature(
        &mut self,
        sig: &SealSignature<'_>,
        signature_xml: &[u8],
        info: &SignedInfo,
    ) -> Signed {
        self.report.format = Some(match sig.version {
            Version::V4 => "GB/T 38540 v4",
            Version::V1 => "GM/T 0031 v1",
        });
        let seal = &sig.seal;
        let seal_from = crate::date::timestamp(&seal.valid_start);
        let seal_until = crate::date::timestamp(&seal.valid_end);
        self.report.seal = Some(SealSummary {
            es_id: seal.es_id.clone(),
            name: seal.name.clone(),
            vid: seal.vid.clone(),
            version: match seal.version {
                Version::V1 => 1,
                Version::V4 => 4,
            },
            valid_from: seal_from.map(rfc3339),
            valid_until: seal_until.map(rfc3339),
        });
        let time = signing_time(Some(&sig.time_info));
        let signer = self.party(sig.signer_cert, "signer");
        let data_hash_ok = sig.data_hash == sm2::sm3(signature_xml).as_slice();
        let signer_ok = match &signer {
            Some(cert) if sig.algorithm == der::oid(SM2_WITH_SM3).as_slice() => {
                self.sm2_verifies(cert, sig.tbs, sig.signature, "signer")
            }
            Some(_) => {
                self.fail(
                    ErrorCode::OfdAlgorithm,
                    format!(
                        "the signature algorithm {} is not SM2-with-SM3",
                        der::oid_text(sig.algorithm)
                    ),
                );
                false
            }
            None => false,
        };
        self.report.signature_valid = data_hash_ok && signer_ok;
        if !data_hash_ok {
            self.fail(
                ErrorCode::OfdDataHash,
                "dataHash is not SM3 of this Signature.xml: the signature is over another one",
            );
        } else if !signer_ok {
            self.fail(
                ErrorCode::OfdSignerSignature,
                "the signer's SM2 signature over TBS_Sign does not verify",
            );
        }
        let maker = self.party(seal.maker_cert, "seal maker");
        let seal_ok = match &maker {
            Some(cert) if seal.maker_algorithm == der::oid(SM2_WITH_SM3).as_slice() => {
                self.sm2_verifies(cert, &seal.maker_signed, seal.maker_signature, "seal maker")
            }
            Some(_) => {
                self.fail(
                    ErrorCode::OfdAlgorithm,
                    format!(
                        "the seal's signature algorithm {} is not SM2-with-SM3",
                        der::oid_text(seal.maker_algorithm)
                    ),
                );
                false
            }
            None => false,
        };
        self.report.seal_valid = Some(seal_ok);
        if !seal_ok {
            self.fail(
                ErrorCode::OfdSealSignature,
                "the seal maker's SM2 signature over the seal does not verify",
            );
        }
        self.seal_file(seal, info);
        let listed = seal.lists(sig.signer_cert);
        self.report.signer_in_seal = Some(listed);
        if !listed {
            self.fail(ErrorCode::OfdSignerNotInSeal, "the signer's certificate is not in the seal's certificate list: the seal was not made for this signer");
        }
        Signed {
            signer,
            pool: Vec::new(),
            maker,
            time,
            seal_validity: Some((seal_from, seal_until)),
        }
    }

    /// The `Seal.esl` beside a seal signature must be the seal inside it.
    fn seal_file(&mut self, seal: &Seal<'_>, info: &SignedInfo) {
        let Some(path) = &info.seal else { return };
        match self.package.get(path) {
            Some(file) if file == seal.raw => {}
            Some(_) => self.fail(
                ErrorCode::OfdSealFile,
                format!("/{path} is not the seal inside the signature"),
            ),
            None => self.fail(
                ErrorCode::OfdMissing,
                format!("its seal file /{path} is missing"),
            ),
        }
    }

    fn signed_data(
        &mut self,
        sd: &SignedData<'_>,
        signature_xml: &[u8],
        info: &SignedInfo,
    ) -> Signed {
        self.report.format = Some("GB/T 35275 SignedData");
        let pool: Vec<Certificate> = sd
            .certificates
            .iter()
            .filter_map(|c| Certificate::from_der(c).ok())
            .collect();
        let signer = sd
            .certificates
            .iter()
            .find(|c| issued_as(c, sd.signer_id))
            .and_then(|c| self.party(c, "signer"));
        if signer.is_none() && self.report.code.is_none() {
            self.fail(
                ErrorCode::OfdSignerSignature,
                "the SignedData carries no certificate of its signer",
            );
        }
        let digest = sm2::sm3(signature_xml);
        let (bound, message): (bool, &[u8]) = match &sd.covers {
            Covers::Attributes { signed, digest: d } => (*d == digest.as_slice(), signed),
            Covers::Content(content) => (
                *content == digest.as_slice() || *content == signature_xml,
                content,
            ),
            Covers::Detached => (true, signature_xml),
        };
        let algorithms_ok = sd.digest_algorithm == der::oid(SM3)
            && [der::oid(SM2_SIGN), der::oid(SM2_WITH_SM3)].contains(&sd.signature_algorithm);
        if !algorithms_ok {
            self.fail(
                ErrorCode::OfdAlgorithm,
                format!(
                    "SignedData uses {} with {}, not SM3 with SM2",
                    der::oid_text(&sd.digest_algorithm),
                    der::oid_text(&sd.signature_algorithm)
                ),
            );
        }
        let signer_ok = algorithms_ok
            && signer
                .as_ref()
                .is_some_and(|cert| self.sm2_verifies(cert, message, sd.signature, "signer"));
        self.report.signature_valid = bound && signer_ok;
        if !bound {
            self.fail(
                ErrorCode::OfdDataHash,
                "the SignedData's digest is not SM3 of this Signature.xml: it signs another one",
            );
        } else if !signer_ok {
            self.fail(
                ErrorCode::OfdSignerSignature,
                "the SM2 signature of the SignedData does not verify",
            );
        }
        let time = signing_time(sd.signing_time.as_deref().or(info.date_time.as_deref()));
        Signed {
            signer,
            pool,
            maker: None,
            time,
            seal_validity: None,
        }
    }

    fn bare(
        &mut self,
        raw: &[u8; sm2::SIGNATURE_LEN],
        signature_xml: &[u8],
        info: &SignedInfo,
    ) -> Signed {
        self.report.format = Some("SM2 signature");
        let candidates: Vec<Party> = self
            .options
            .certificates
            .iter()
            .filter_map(|c| Party::read(c.der()).ok())
            .filter(|p| {
                p.key
                    .as_ref()
                    .is_ok_and(|k| k.algorithm() == Algorithm::Sm2)
            })
            .collect();
        let none_given = candidates.is_empty();
        let signer = candidates.into_iter().find(|p| {
            p.key
                .as_ref()
                .ok()
                .and_then(PublicKey::sm2_verifying_key)
                .is_some_and(|vk| vk.verify(sm2::DEFAULT_USER_ID, signature_xml, raw))
        });
        self.report.signature_valid = signer.is_some();
        if none_given {
            self.fail(
                ErrorCode::OfdKeyRequired,
                "a bare SM2 signature carries no certificate: give the signer's certificate",
            );
        } else if signer.is_none() {
            self.fail(
                ErrorCode::OfdSignerSignature,
                "the SM2 signature over Signature.xml verifies with none of the certificates given",
            );
        }
        if let Some(party) = &signer {
            self.report.signer = Some(party.subject.clone());
        }
        Signed {
            signer,
            pool: Vec::new(),
            maker: None,
            time: signing_time(info.date_time.as_deref()),
            seal_validity: None,
        }
    }

    /// Step 3: the signing time inside the validity of the signer's certificate and the seal.
    fn validity(&mut self, signed: &Signed) {
        let at = match &signed.time {
            Some(Ok(t)) => {
                self.report.signed_at = Some(rfc3339(*t));
                *t
            }
            Some(Err(text)) => {
                self.fail(
                    ErrorCode::OfdOutsideValidity,
                    format!("the signing time '{text}' cannot be read, so its validity cannot be checked"),
                );
                return;
            }
            None => self.options.at,
        };
        let cert_ok = signed.signer.as_ref().is_some_and(|c| c.is_valid_at(at));
        let seal_ok = match signed.seal_validity {
            None => true,
            Some((Some(from), Some(until))) => from <= at && at <= until,
            Some(_) => false,
        };
        self.report.within_validity = cert_ok && seal_ok;
        if signed.signer.is_some() && !cert_ok {
            self.fail(
                ErrorCode::OfdOutsideValidity,
                format!(
                    "signed at {} outside the signer certificate's validity",
                    rfc3339(at)
                ),
            );
        } else if !seal_ok {
            self.fail(
                ErrorCode::OfdOutsideValidity,
                format!("signed at {} outside the seal's validity", rfc3339(at)),
            );
        }
    }

    /// Step 4: the chains to the anchors, at the signing time.
    fn chains(&mut self, signed: &Signed) {
        let Some(anchors) = self.options.anchors else {
            return;
        };
        let at = match signed.time {
            Some(Ok(t)) => t,
            _ => self.options.at,
        };
        let mut pool = signed.pool.clone();
        pool.extend(self.options.certificates.iter().cloned());
        let mut trusted = signed.signer.is_some();
        for party in [&signed.signer, &signed.maker].into_iter().flatten() {
            let result = match &party.strict {
                Ok(cert) => pki::validate_chain(anchors, cert, &pool, at),
                Err(e) => Err(e.clone()),
            };
            if let Err(e) = result {
                trusted = false;
                self.fail(e.code(), e.to_string());
            }
        }
        self.report.chain_trusted = Some(trusted);
    }

    fn party(&mut self, der: &[u8], role: &str) -> Option<Party> {
        match Party::read(der) {
            Ok(party) => {
                if role == "signer" {
                    self.report.signer = Some(party.subject.clone());
                }
                Some(party)
            }
            Err(e) => {
                self.fail(
                    ErrorCode::CertMalformed,
                    format!("the {role}'s certificate cannot be read: {e}"),
                );
                None
            }
        }
    }

    fn sm2_verifies(
        &mut self,
        party: &Party,
        message: &[u8],
        signature: &[u8],
        role: &str,
    ) -> bool {
        let key = match &party.key {
            Ok(key) if key.algorithm() == Algorithm::Sm2 => key,
            Ok(key) => {
                self.fail(
                    ErrorCode::OfdAlgorithm,
                    format!("the {role}'s key is {}, not SM2", key.algorithm()),
                );
                return false;
            }
            Err(e) => {
                self.fail(
                    ErrorCode::CertAlgorithm,
                    format!("the {role}'s certificate: {e}"),
                );
                return false;
            }
        };
        let raw = match signature.len() {
            sm2::SIGNATURE_LEN => signature.try_into().ok(),
            _ => sm2::signature_from_der(signature).ok(),
        };
        match (raw, key.sm2_verifying_key()) {
            (Some(raw), Some(vk)) => vk.verify(sm2::DEFAULT_USER_ID, message, &raw),
            _ => false,
        }
    }
}

/// The signing time as written: `None` when there is none.
fn signing_time(text: Option<&str>) -> Option<Result<OffsetDateTime, String>> {
    let text = text?.trim();
    Some(crate::date::timestamp(text).ok_or_else(|| text.to_owned()))
}

/// Whether the certificate `der` has the issuer and serial number `id`.
fn issued_as(der: &[u8], (issuer, serial): (&[u8], &[u8])) -> bool {
    x509_parser::parse_x509_certificate(der).is_ok_and(|(_, cert)| {
        cert.tbs_certificate.issuer.as_raw() == issuer
            && cert.tbs_certificate.raw_serial() == serial
    })
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
