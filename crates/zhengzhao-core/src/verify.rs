//! Offline verification of licences, singly or in batches, against trust anchors: nothing here
//! touches the network.
//!
//! For each document the [`Verifier`] runs these checks, in this order, and reports every one
//! ([`Report::checks`]); the first failure gives the report its stable [`ErrorCode`]:
//!
//! | check | what | codes |
//! |---|---|---|
//! | `document` | strict JSON, a licence credential whose envelope agrees with its subject | `ZZ-E-FMT-*`, `ZZ-E-SIG-007` |
//! | `identifier` | the GB/T 36904 identifier, its check character | `ZZ-E-ID-*` |
//! | `proof` | a Data Integrity proof of a known suite for assertionMethod | `ZZ-E-SIG-001…003, 006` |
//! | `certificate` | the verificationMethod names a certificate of the bundle or trust store, which chains to an anchor at the verification time | `ZZ-E-SIG-005`, `ZZ-E-TRUST-*` |
//! | `signature` | the signature over the canonical proof configuration and document | `ZZ-E-SIG-004` |
//! | `issuer` | the certificate belongs to the licence's issuing department | `ZZ-E-TRUST-008` |
//! | `licence_type` | the certificate may sign this licence type | `ZZ-E-TRUST-009` |
//! | `validity` | the licence is within its validity period at the verification time | `ZZ-E-STATUS-001/002` |
//! | `schema` | the licence data satisfies its catalogue type | `ZZ-E-SCHEMA-001` |
//! | `status` | a status-list snapshot, when given, says the licence is valid | `ZZ-E-STATUS-003/004` |
//!
//! [`Verifier::verify_many`] spreads documents over the cores; each gets exactly the report
//! [`Verifier::verify`] gives. Validated certificate paths are cached across calls, so verifying
//! many licences of one issuer checks its chain once.

use std::borrow::Cow;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;
use time::{OffsetDateTime, UtcOffset};

use crate::catalog::Catalog;
use crate::codes::Uscc;
use crate::credential::{self, StatusEntry};
use crate::error::{Coded, ErrorCode};
use crate::identifier::{LicenceId, Strictness};
use crate::interchange::{self, Kind};
use crate::jcs;
use crate::licence::Licence;
use crate::pki::{Certificate, PathCache, TrustAnchors, ValidatedSigner};
use crate::proof::{self, Prepared};
use crate::qr;
use crate::status::Status;
use crate::statuslist::StatusList;
use crate::validate;
use crate::vcjwt;

/// The outcome of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The check passed.
    Passed,
    /// The check failed.
    Failed,
    /// The check could not run (an earlier one failed, or what it needs was not given).
    Skipped,
}

/// One check of a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    /// The check's name (see the [module documentation](self)).
    pub name: &'static str,
    /// Its outcome.
    pub outcome: Outcome,
    /// The stable code of a failure.
    #[serde(serialize_with = "code_name")]
    pub code: Option<ErrorCode>,
    /// What was found, in words.
    pub detail: Cow<'static, str>,
}

pub(crate) fn code_name<S: serde::Serializer>(
    c: &Option<ErrorCode>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match c {
        Some(c) => s.serialize_str(c.name()),
        None => s.serialize_none(),
    }
}

/// The verification report of one document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The licence identifier, when the document could be read that far.
    pub id: Option<String>,
    /// Whether every check that ran passed (skipped checks for absent inputs do not count).
    pub valid: bool,
    /// The code of the first failure.
    #[serde(serialize_with = "code_name")]
    pub code: Option<ErrorCode>,
    /// The message of the first failure.
    pub message: Option<String>,
    /// Every check, in order.
    pub checks: Vec<Check>,
    /// Things accepted but worth a look (legacy codes, a type unknown to this catalogue…).
    pub warnings: Vec<String>,
}

const CHECKS: [&str; 10] = [
    "document",
    "identifier",
    "proof",
    "certificate",
    "signature",
    "issuer",
    "licence_type",
    "validity",
    "schema",
    "status",
];

impl Report {
    fn new() -> Report {
        Report {
            id: None,
            valid: true,
            code: None,
            message: None,
            checks: Vec::with_capacity(CHECKS.len()),
            warnings: Vec::new(),
        }
    }

    fn pass(&mut self, name: &'static str, detail: impl Into<Cow<'static, str>>) {
        self.checks.push(Check {
            name,
            outcome: Outcome::Passed,
            code: None,
            detail: detail.into(),
        });
    }

    fn skip(&mut self, name: &'static str, detail: impl Into<Cow<'static, str>>) {
        self.checks.push(Check {
            name,
            outcome: Outcome::Skipped,
            code: None,
            detail: detail.into(),
        });
    }

    fn fail(&mut self, name: &'static str, code: ErrorCode, detail: impl Into<Cow<'static, str>>) {
        let detail = detail.into();
        if self.valid {
            self.valid = false;
            self.code = Some(code);
            self.message = Some(format!("{name}: {detail}"));
        }
        self.checks.push(Check {
            name,
            outcome: Outcome::Failed,
            code: Some(code),
            detail,
        });
    }

    /// A report whose `document` check failed, every other one skipped.
    fn refused(code: ErrorCode, detail: impl Into<Cow<'static, str>>) -> Report {
        let mut r = Report::new();
        r.fail("document", code, detail);
        r.skip_rest();
        r
    }

    /// Marks every check not yet run as skipped after a failure that stops verification.
    fn skip_rest(&mut self) {
        for name in CHECKS {
            if !self.checks.iter().any(|c| c.name == name) {
                self.skip(name, "not run: an earlier check failed");
            }
        }
    }

    /// The `document` and `identifier` checks passed for `licence`.
    fn pass_licence(&mut self, licence: &Licence, what: &'static str) {
        self.pass("document", what);
        self.warnings.extend(
            licence
                .id
                .leniencies()
                .into_iter()
                .map(|w| format!("identifier: {w}")),
        );
        self.pass(
            "identifier",
            format!("check character {} matches", licence.id.check()),
        );
    }

    fn pass_certificate(&mut self, signer: &ValidatedSigner) {
        self.pass(
            "certificate",
            format!(
                "{} ({}), chains to a trust anchor",
                signer.department_name, signer.department_code
            ),
        );
    }

    fn fail_signature(&mut self) {
        self.fail(
            "signature",
            ErrorCode::SignatureInvalid,
            "the signature does not verify: the document was altered or signed by another key",
        );
    }

    /// The check with this name.
    pub fn check(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }
}

/// A document refused by verification, as an error: for calls that hand back what a
/// document carries only once it verifies (such as [`crate::vcjwt::import`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.message.as_deref().unwrap_or("verification failed"))]
pub struct Rejected(pub Report);

impl Coded for Rejected {
    fn code(&self) -> ErrorCode {
        // A failed report always has a code; the fallback is never reached in practice.
        self.0.code.unwrap_or(ErrorCode::SignatureInvalid)
    }
}

/// What a verification is run against besides the verifier's own trust anchors.
#[derive(Clone, Debug)]
pub struct Context<'a> {
    /// The verification time.
    pub at: OffsetDateTime,
    /// Certificates that came with the documents (a bundle's): signing certificates and
    /// intermediates.
    pub certificates: &'a [Certificate],
    /// Verified status-list snapshots.
    pub status_lists: &'a [VerifiedStatusList],
}

impl Context<'_> {
    /// Verification now, with nothing but the verifier's trust store.
    pub fn now() -> Context<'static> {
        Context {
            at: OffsetDateTime::now_utc(),
            certificates: &[],
            status_lists: &[],
        }
    }
}

/// A status list whose signature and issuer were checked.
#[derive(Clone, Debug)]
pub struct VerifiedStatusList {
    /// The list credential's `id`.
    pub id: String,
    /// The department that signed it.
    pub issuer: Uscc,
    /// The list.
    pub list: StatusList,
}

/// How many documents [`Verifier::verify_many`] checks in one batch equation: enough that the
/// equation's fixed cost (a few hundred point doublings) is small beside the documents' (64
/// documents on 2 cores: 2.2–2.5× the single rate in batches of 32 or of 16, 1.8–1.9× of 8),
/// few enough that the cores share a few hundred documents evenly. Fewer documents
/// than the cores could take in such batches go in smaller ones, one a core.
pub const BATCH: usize = 32;

/// A document whose every check before the signature's passed.
struct Signed {
    licence: Licence,
    status: Option<StatusEntry>,
    prepared: Prepared,
    signer: Arc<ValidatedSigner>,
}

impl Signed {
    fn check(&self) -> crate::cryptosuite::Check<'_> {
        crate::cryptosuite::Check {
            public_key: &self.signer.public_key,
            message: &self.prepared.hash_data,
            signature: &self.prepared.signature,
        }
    }
}

/// Verifies licences offline. Cheap to share between threads (`Send + Sync`); keeps its
/// certificate-path cache across calls.
pub struct Verifier {
    anchors: TrustAnchors,
    catalog: Catalog,
    /// The trust store: signing certificates and intermediates known without a bundle.
    known: Vec<Certificate>,
    cache: PathCache,
}

impl Verifier {
    /// A verifier trusting `anchors`, checking licence data against the built-in catalogue.
    pub fn new(anchors: TrustAnchors) -> Verifier {
        Verifier {
            anchors,
            catalog: Catalog::builtin(),
            known: Vec::new(),
            cache: PathCache::new(),
        }
    }

    /// Checks licence data against `catalog` instead of the built-in one.
    pub fn with_catalog(mut self, catalog: Catalog) -> Verifier {
        self.catalog = catalog;
        self
    }

    /// Adds a signing (or intermediate) certificate to the trust store, so that documents
    /// that come without a bundle can name it.
    pub fn add_certificate(&mut self, cert: Certificate) {
        if !self
            .known
            .iter()
            .any(|c| c.fingerprint() == cert.fingerprint())
        {
            self.known.push(cert);
        }
    }

    /// Verifies many documents, spread over the machine's cores, their signatures checked in
    /// batches (Ed25519: one batch equation for every [`BATCH`] documents). One report per
    /// document, in order; each is the report [`Verifier::verify`] gives.
    pub fn verify_many(&self, documents: &[&[u8]], ctx: &Context<'_>) -> Vec<Report> {
        crate::parallel::map_chunks(documents, BATCH, |chunk| self.verify_batch(chunk, ctx))
    }

    /// The reports of `documents`, every signature checked at once by its suite.
    fn verify_batch(&self, documents: &[&[u8]], ctx: &Context<'_>) -> Vec<Report> {
        let mut reports = Vec::with_capacity(documents.len());
        let mut signed = Vec::with_capacity(documents.len());
        for d in documents {
            let mut r = Report::new();
            let s = self.up_to_signature(d, ctx, &mut r);
            if s.is_err() {
                r.skip_rest();
            }
            reports.push(r);
            signed.push(s.ok());
        }
        let mut verdicts = vec![false; documents.len()];
        for suite in crate::cryptosuite::ALL {
            let (indices, checks): (Vec<usize>, Vec<_>) = signed
                .iter()
                .enumerate()
                .filter_map(|(i, s)| {
                    let s = s.as_ref()?;
                    (s.prepared.suite.name() == suite.name()).then(|| (i, s.check()))
                })
                .unzip();
            if !checks.is_empty() {
                for (i, v) in indices.into_iter().zip(suite.verify_batch(&checks)) {
                    verdicts[i] = v;
                }
            }
        }
        for ((r, s), verified) in reports.iter_mut().zip(signed).zip(verdicts) {
            if let Some(s) = s {
                if let Err(()) = self.signature_and_after(r, s, verified, ctx) {
                    r.skip_rest();
                }
            }
        }
        reports
    }

    /// Verifies one document: every check of the [module documentation](self), in order.
    pub fn verify(&self, bytes: &[u8], ctx: &Context<'_>) -> Report {
        let mut r = Report::new();
        if let Err(()) = self.checks(bytes, ctx, &mut r) {
            r.skip_rest();
        }
        r
    }

    /// Verifies a `vc+jwt` token ([`crate::vcjwt`]): the checks of [`Verifier::verify`], with
    /// the JWS in place of the Data Integrity proof. `proof` checks the JWS header (`typ`,
    /// `alg`, how it names its certificate); `certificate` takes the certificate from `x5c`
    /// (its other members serve as intermediates) or, without one, finds the one `kid` names in
    /// the bundle or the trust store.
    pub fn verify_jwt(&self, token: &str, ctx: &Context<'_>) -> Report {
        let mut r = Report::new();
        if let Err(()) = self.jwt_checks(token, ctx, &mut r) {
            r.skip_rest();
        }
        r
    }

    /// Verifies a licence presented in any of its signed forms: the document itself, a
    /// `vc+jwt` token or a QR payload, told apart by [`interchange::sniff`]. Returns the form it
    /// found (a [`Kind`]) and the report of [`Verifier::verify`] or [`Verifier::verify_jwt`].
    /// A QR payload that does not decode, a bundle and a flat GB/T 36903 record (which carries
    /// no signature) fail the `document` check: a bundle is verified with
    /// [`crate::bundle::verify`].
    pub fn verify_presented(&self, input: &[u8], ctx: &Context<'_>) -> (Kind, Report) {
        let kind = interchange::sniff(input);
        let text = || std::str::from_utf8(input.trim_ascii()).unwrap_or_default();
        let report = match kind {
            Kind::Jwt => self.verify_jwt(text(), ctx),
            Kind::Qr => match qr::decode(text()) {
                Ok(doc) => self.verify(&doc, ctx),
                Err(e) => Report::refused(e.code(), e.to_string()),
            },
            Kind::Bundle => Report::refused(
                ErrorCode::Usage,
                "this is an offline bundle: verify it as a bundle",
            ),
            Kind::FlatRecord => Report::refused(
                ErrorCode::Usage,
                "a flat GB/T 36903 record carries no signature: verify the signed document, its vc+jwt or QR payload, or a bundle",
            ),
            Kind::Document | Kind::Unknown => self.verify(input, ctx),
        };
        (kind, report)
    }

    /// Runs the checks; `Err` when a failure stops verification.
    fn checks(&self, bytes: &[u8], ctx: &Context<'_>, r: &mut Report) -> Result<(), ()> {
        let s = self.up_to_signature(bytes, ctx, r)?;
        let verified = s.prepared.verify(&s.signer.public_key);
        self.signature_and_after(r, s, verified, ctx)
    }

    /// The checks before the signature's; `Err` when a failure stops verification.
    fn up_to_signature(
        &self,
        bytes: &[u8],
        ctx: &Context<'_>,
        r: &mut Report,
    ) -> Result<Signed, ()> {
        const WHAT: &str = "a licence credential (W3C VC 2.0)";
        // A document in canonical form (as signed) is read without a `Value`; the general path
        // decides every other one, and says what is wrong with it.
        let (licence, status, prepared) = match credential::read_canonical(bytes) {
            Some((id, licence, status, prepared)) => {
                r.id = Some(id);
                r.pass_licence(&licence, WHAT);
                (licence, status, prepared)
            }
            None => {
                let doc: Value = jcs::parse_strict(bytes)
                    .map_err(|e| r.fail("document", e.code(), e.to_string()))?;
                let (licence, status) = self.licence_checks(&doc, WHAT, r)?;
                let prepared =
                    proof::prepare(&doc).map_err(|e| r.fail("proof", e.code(), e.to_string()))?;
                (licence, status, prepared)
            }
        };
        r.pass(
            "proof",
            format!("{} proof for assertionMethod", prepared.suite.name()),
        );
        let signer = self
            .signer(&prepared, ctx)
            .map_err(|(code, message)| r.fail("certificate", code, message))?;
        r.pass_certificate(&signer);
        Ok(Signed {
            licence,
            status,
            prepared,
            signer,
        })
    }

    /// The `signature` check with its verdict, and the checks after it.
    fn signature_and_after(
        &self,
        r: &mut Report,
        s: Signed,
        verified: bool,
        ctx: &Context<'_>,
    ) -> Result<(), ()> {
        if !verified {
            r.fail_signature();
            return Err(());
        }
        r.pass("signature", "verifies");
        self.after_signature(r, &s.licence, s.status, &s.signer, ctx);
        Ok(())
    }

    /// The checks of a token; `Err` when a failure stops verification.
    fn jwt_checks(&self, token: &str, ctx: &Context<'_>, r: &mut Report) -> Result<(), ()> {
        let parts = vcjwt::split(token).map_err(|e| r.fail("document", e.code(), e.to_string()))?;
        if parts.payload.get("proof").is_some() {
            r.fail(
                "document",
                ErrorCode::DocumentShape,
                "the payload carries a Data Integrity proof: a vc+jwt payload is the credential without one",
            );
            return Err(());
        }
        let (licence, status) = self.licence_checks(
            &parts.payload,
            "a licence credential (W3C VC 2.0) secured as vc+jwt",
            r,
        )?;
        let header = vcjwt::check_header(&parts.header)
            .map_err(|e| r.fail("proof", e.code(), e.to_string()))?;
        if parts.signature.len() != crate::keys::SIGNATURE_LEN {
            r.fail(
                "proof",
                ErrorCode::JwtMalformed,
                format!(
                    "the signature is {} bytes; {} signatures are {}",
                    parts.signature.len(),
                    header.alg.name(),
                    crate::keys::SIGNATURE_LEN
                ),
            );
            return Err(());
        }
        r.pass("proof", format!("JWS {} (typ vc+jwt)", header.alg.name()));
        let signer = self
            .jwt_signer(&header, ctx)
            .map_err(|(code, message)| r.fail("certificate", code, message))?;
        r.pass_certificate(&signer);
        if !signer
            .public_key
            .verify(parts.signing_input.as_bytes(), &parts.signature)
        {
            r.fail_signature();
            return Err(());
        }
        r.pass("signature", "verifies");
        self.after_signature(r, &licence, status, &signer, ctx);
        Ok(())
    }

    /// The `document` and `identifier` checks of a parsed credential.
    fn licence_checks(
        &self,
        doc: &Value,
        what: &'static str,
        r: &mut Report,
    ) -> Result<(Licence, Option<StatusEntry>), ()> {
        // The identifier first, so that a mistyped one gets its own code.
        let id_text = doc.pointer("/credentialSubject/id").and_then(Value::as_str);
        r.id = id_text.map(str::to_owned);
        if let Some(id) = id_text {
            if let Err(e) = LicenceId::parse_with(id, Strictness::Lenient) {
                r.pass("document", "well-formed JSON");
                r.fail("identifier", e.code(), e.to_string());
                return Err(());
            }
        }
        let (licence, status) = credential::from_credential(doc)
            .map_err(|e| r.fail("document", e.code(), e.to_string()))?;
        r.pass_licence(&licence, what);
        Ok((licence, status))
    }

    /// Resolves the verificationMethod to a certificate and validates its path.
    fn signer(
        &self,
        prepared: &Prepared,
        ctx: &Context<'_>,
    ) -> Result<Arc<ValidatedSigner>, (ErrorCode, String)> {
        let cert = self.find_certificate(&prepared.verification_method, ctx)?;
        self.validate(cert, &[], ctx, prepared.suite.algorithm(), || {
            format!("the proof uses {}", prepared.suite.name())
        })
    }

    /// The certificate of a token: `x5c[0]` (which `kid`, if given, must name), or the one
    /// `kid` names in the bundle or trust store.
    fn jwt_signer(
        &self,
        header: &vcjwt::Header,
        ctx: &Context<'_>,
    ) -> Result<Arc<ValidatedSigner>, (ErrorCode, String)> {
        let x5c = header
            .x5c
            .iter()
            .enumerate()
            .map(|(i, der)| {
                Certificate::from_der(der).map_err(|e| (e.code(), format!("x5c[{i}]: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let cert = match (x5c.first(), &header.kid) {
            (Some(first), Some(kid)) => {
                if credential::certificate_fingerprint(kid) != Some(first.fingerprint()) {
                    return Err((
                        ErrorCode::VerificationMethod,
                        format!("kid '{kid}' does not name the certificate x5c[0]"),
                    ));
                }
                first
            }
            (Some(first), None) => first,
            (None, Some(kid)) => self.find_certificate(kid, ctx)?,
            (None, None) => {
                return Err((
                    ErrorCode::JwtHeader,
                    "neither kid nor x5c names the signing certificate".into(),
                ))
            }
        };
        let intermediates = x5c.get(1..).unwrap_or(&[]);
        self.validate(cert, intermediates, ctx, header.alg.key_algorithm(), || {
            format!("the JWS alg is {}", header.alg.name())
        })
    }

    /// The certificate a `urn:zz:cert:sha256:…` method names, from the bundle or trust store.
    fn find_certificate<'c>(
        &'c self,
        method: &str,
        ctx: &'c Context<'_>,
    ) -> Result<&'c Certificate, (ErrorCode, String)> {
        let fingerprint = credential::certificate_fingerprint(method).ok_or_else(|| {
            (ErrorCode::VerificationMethod, format!("verificationMethod '{method}' does not name a certificate (urn:zz:cert:sha256:…)"))
        })?;
        ctx.certificates
            .iter()
            .chain(&self.known)
            .find(|c| c.fingerprint() == fingerprint)
            .ok_or_else(|| {
                let hex = hex::encode(fingerprint);
                (
                    ErrorCode::VerificationMethod,
                    format!(
                        "no certificate with fingerprint {hex} in the bundle or the trust store"
                    ),
                )
            })
    }

    /// Validates the path of a signing certificate, with the bundle's, the trust store's and
    /// `extra` certificates as intermediates, and checks that its key is of `algorithm`.
    fn validate(
        &self,
        cert: &Certificate,
        extra: &[Certificate],
        ctx: &Context<'_>,
        algorithm: crate::keys::Algorithm,
        uses: impl FnOnce() -> String,
    ) -> Result<Arc<ValidatedSigner>, (ErrorCode, String)> {
        // Intermediates may come from the bundle, the trust store or the token; the signer
        // among them is harmless (it never issues itself). Copied only when several sources
        // have certificates.
        let sources = [ctx.certificates, self.known.as_slice(), extra];
        let mut given = sources.iter().filter(|s| !s.is_empty());
        let combined: Vec<Certificate>;
        let intermediates: &[Certificate] = match (given.next(), given.next()) {
            (None, _) => &[],
            (Some(one), None) => one,
            (Some(_), Some(_)) => {
                combined = sources.concat();
                &combined
            }
        };
        let signer = self
            .cache
            .validate_cached(&self.anchors, cert, intermediates, ctx.at)
            .map_err(|e| (e.code(), e.to_string()))?;
        if signer.public_key.algorithm() != algorithm {
            return Err((
                ErrorCode::CertAlgorithm,
                format!(
                    "the certificate holds a {} key but {}",
                    signer.public_key.algorithm(),
                    uses(),
                ),
            ));
        }
        Ok(signer)
    }

    /// The checks of what the signed licence says: issuer, type, validity, schema, status.
    fn after_signature(
        &self,
        r: &mut Report,
        licence: &Licence,
        status: Option<StatusEntry>,
        signer: &ValidatedSigner,
        ctx: &Context<'_>,
    ) {
        if signer.department_code == licence.issuer.code {
            r.pass(
                "issuer",
                format!("signed by the issuing department {}", licence.issuer.code),
            );
        } else {
            r.fail(
                "issuer",
                ErrorCode::CertNameBinding,
                format!(
                    "the certificate belongs to {} ({}), the licence names {}",
                    signer.department_name, signer.department_code, licence.issuer.code
                ),
            );
        }
        if signer.permits(licence.type_code()) {
            r.pass(
                "licence_type",
                format!("the certificate may sign {}", licence.type_code()),
            );
        } else {
            r.fail(
                "licence_type",
                ErrorCode::CertTypeNotAllowed,
                format!(
                    "the certificate may not sign licences of type {}",
                    licence.type_code()
                ),
            );
        }
        let day = ctx
            .at
            .to_offset(UtcOffset::from_hms(8, 0, 0).expect("+08:00"))
            .date();
        if day < licence.validity.from {
            r.fail(
                "validity",
                ErrorCode::LicenceNotYetValid,
                format!("valid from {}, verified on {day}", licence.validity.from),
            );
        } else if licence.validity.until.is_some_and(|u| day > u) {
            r.fail(
                "validity",
                ErrorCode::LicenceExpired,
                format!(
                    "valid until {}, verified on {day}",
                    licence.validity.until.expect("checked")
                ),
            );
        } else {
            r.pass(
                "validity",
                format!("in force on {day} (China Standard Time)"),
            );
        }
        match self
            .catalog
            .get_version(licence.type_code(), licence.type_version)
        {
            Err(_) => {
                r.warnings.push(format!(
                    "licence type {} version {} is not in this verifier's catalogue",
                    licence.type_code(),
                    licence.type_version
                ));
                r.skip(
                    "schema",
                    "the licence type is not in this verifier's catalogue",
                );
            }
            Ok(ty) => match validate::validate_against(ty, licence) {
                Ok(w) => {
                    r.warnings
                        .extend(w.into_iter().map(|w| format!("{}: {}", w.path, w.message)));
                    r.pass(
                        "schema",
                        format!("satisfies {} version {}", ty.name, ty.version),
                    );
                }
                Err(e) => r.fail("schema", e.code(), e.to_string()),
            },
        }
        match status {
            None => r.skip("status", "the licence names no status list"),
            Some(entry) => match ctx.status_lists.iter().find(|l| l.id == entry.list) {
                None => r.skip(
                    "status",
                    format!("no snapshot of status list {} was given", entry.list),
                ),
                Some(list) if list.issuer != licence.issuer.code => r.fail(
                    "status",
                    ErrorCode::StatusList,
                    format!(
                        "status list {} was signed by {}, not the licence's issuer",
                        list.id, list.issuer
                    ),
                ),
                Some(list) => match list.list.get(entry.index) {
                    Err(e) => r.fail("status", e.code(), e.to_string()),
                    Ok(Status::Valid) => r.pass(
                        "status",
                        format!("valid in status list {} at index {}", list.id, entry.index),
                    ),
                    Ok(s) => {
                        let code = if s == Status::Expired {
                            ErrorCode::LicenceExpired
                        } else {
                            ErrorCode::LicenceRevoked
                        };
                        r.fail(
                            "status",
                            code,
                            format!(
                                "status list {} says {} ({s})",
                                list.id,
                                serde_json::to_value(s).expect("serialises")
                            ),
                        );
                    }
                },
            },
        }
    }

    /// Verifies a status list credential: its proof, its certificate, and that the
    /// certificate belongs to the department named as the list's issuer.
    pub fn verify_status_list(
        &self,
        document: &Value,
        ctx: &Context<'_>,
    ) -> Result<VerifiedStatusList, (ErrorCode, String)> {
        let (id, issuer, list) =
            StatusList::from_credential(document).map_err(|e| (e.code(), e.to_string()))?;
        let issuer_code = issuer
            .strip_prefix("urn:zz:org:")
            .and_then(|c| Uscc::parse_legacy(c).ok())
            .ok_or_else(|| {
                (
                    ErrorCode::StatusList,
                    format!("status list issuer '{issuer}' is not urn:zz:org:<统一社会信用代码>"),
                )
            })?;
        let prepared =
            proof::prepare(document).map_err(|e| (e.code(), format!("status list {id}: {e}")))?;
        let signer = self.signer(&prepared, ctx)?;
        if !prepared.verify(&signer.public_key) {
            return Err((
                ErrorCode::SignatureInvalid,
                format!("status list {id}: the signature does not verify"),
            ));
        }
        if signer.department_code != issuer_code {
            return Err((
                ErrorCode::CertNameBinding,
                format!(
                    "status list {id} names issuer {issuer_code} but was signed by {}",
                    signer.department_code
                ),
            ));
        }
        Ok(VerifiedStatusList {
            id,
            issuer: issuer_code,
            list,
        })
    }
}
