//! SM2 certificates: SM2 issuers sign certificates with SM2-with-SM3 (1.2.156.10197.1.501) and
//! the default user ID, path validation checks them, and real SM2 certificates (cut from OFD
//! e-seals, from Chinese CAs and from ofdrw's test CA) are read and judged.

use std::path::PathBuf;

use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use zhengzhao_core::codes::Uscc;
use zhengzhao_core::identifier::TypeCode;
use zhengzhao_core::keys::{Algorithm, KeyError, PublicKey, Signer, SigningKey};
use zhengzhao_core::keystore::AuthorityDir;
use zhengzhao_core::pki::{
    self, validate_chain, validate_signer, Certificate, TrustAnchors, TrustError,
};
use zhengzhao_core::sm2::{self, DEFAULT_USER_ID};
use zhengzhao_core::{Coded, ErrorCode};

const T0: OffsetDateTime = datetime!(2026-01-01 00:00 UTC);
const SM2_WITH_SM3: &str = "1.2.156.10197.1.501";

fn vector(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-vectors/gm/certs")
        .join(path)
}

/// A certificate vector, PEM or DER.
fn cert(path: &str) -> Certificate {
    let bytes = std::fs::read(vector(path)).unwrap();
    let read = if bytes.starts_with(b"-----BEGIN") {
        Certificate::from_pem(&bytes)
    } else {
        Certificate::from_der(&bytes)
    };
    read.unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn code_of<T: std::fmt::Debug>(r: Result<T, TrustError>) -> ErrorCode {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => {
            assert!(!e.to_string().is_empty());
            e.code()
        }
    }
}

fn dept_code() -> Uscc {
    Uscc::parse("11330000002482185W").unwrap()
}

struct Ca {
    key: SigningKey,
    cert: Certificate,
}

fn root(alg: Algorithm) -> Ca {
    let key = SigningKey::generate(alg).unwrap();
    let cert = pki::issue_root(
        &key,
        "浙江省电子证照根CA（国密）",
        T0 - Duration::days(1),
        T0 + Duration::days(3650),
    )
    .unwrap();
    Ca { key, cert }
}

fn intermediate(parent: &Ca, alg: Algorithm) -> Ca {
    let key = SigningKey::generate(alg).unwrap();
    let cert = pki::issue_intermediate(
        &parent.cert,
        &parent.key,
        &key.public_key(),
        "浙江省电子证照中级CA",
        T0 - Duration::days(1),
        T0 + Duration::days(1000),
    )
    .unwrap();
    Ca { key, cert }
}

fn signer(parent: &Ca, alg: Algorithm, types: Option<&[TypeCode]>) -> Ca {
    let key = SigningKey::generate(alg).unwrap();
    let cert = pki::issue_signer(
        &parent.cert,
        &parent.key,
        &key.public_key(),
        "浙江省市场监督管理局",
        &dept_code(),
        types,
        T0 - Duration::hours(1),
        T0 + Duration::days(365),
    )
    .unwrap();
    Ca { key, cert }
}

fn anchors(cas: &[&Certificate]) -> TrustAnchors {
    TrustAnchors::new(cas.iter().map(|c| (*c).clone()).collect()).unwrap()
}

/// The signed part, the signature algorithm (OID, parameters' DER) and the signature value.
fn parts(c: &Certificate) -> (Vec<u8>, String, Option<Vec<u8>>, Vec<u8>) {
    let (_, x) = x509_parser::parse_x509_certificate(c.der()).unwrap();
    (
        x.tbs_certificate.as_ref().to_vec(),
        x.signature_algorithm.algorithm.to_id_string(),
        x.signature_algorithm
            .parameters
            .as_ref()
            .map(|p| p.data.to_vec()),
        x.signature_value.data.to_vec(),
    )
}

// ------------------------------------------------------------------------------------------
// Issuing with SM2
// ------------------------------------------------------------------------------------------

#[test]
fn an_sm2_root_signs_an_sm2_signer_that_validates() {
    let types = [TypeCode::parse("11100000MB03271699001").unwrap()];
    let r = root(Algorithm::Sm2);
    let s = signer(&r, Algorithm::Sm2, Some(&types));
    let v = validate_signer(&anchors(&[&r.cert]), &s.cert, &[], T0).unwrap();
    assert_eq!(v.department_code, dept_code());
    assert_eq!(v.public_key, s.key.public_key());
    assert_eq!(v.allowed_types.as_deref(), Some(&types[..]));
    assert!(validate_chain(&anchors(&[&r.cert]), &s.cert, &[], T0).is_ok());

    // The signature is SM2-with-SM3 without parameters, a DER SEQUENCE { r, s } over the
    // to-be-signed bytes with the default user ID: checked here with the SM2 code directly.
    for (c, issuer) in [(&r.cert, &r.key), (&s.cert, &r.key)] {
        let (tbs, oid, params, sig) = parts(c);
        assert_eq!(oid, SM2_WITH_SM3);
        assert_eq!(params, None);
        let raw = sm2::signature_from_der(&sig).unwrap();
        let pk = issuer.public_key();
        let vk = pk.sm2_verifying_key().unwrap();
        assert!(vk.verify(DEFAULT_USER_ID, &tbs, &raw));
        assert!(!vk.verify(b"", &tbs, &raw));
    }
    // The same name binding and extensions as every other certificate.
    assert_eq!(s.cert.department_code(), Some(dept_code()));
    assert_eq!(s.cert.allowed_types(), Some(&types[..]));
    assert_eq!(s.cert.public_key().unwrap(), s.key.public_key());
    assert!(r.cert.is_ca() && !s.cert.is_ca());
}

#[test]
fn sm2_and_other_algorithms_mix_in_every_position() {
    use Algorithm::{Ed25519, Sm2, P256};
    for (a, b, c) in [
        (Sm2, Sm2, Sm2),
        (Sm2, Ed25519, P256),
        (P256, Sm2, Sm2),
        (Ed25519, Sm2, Ed25519),
        (Sm2, P256, Sm2),
    ] {
        let r = root(a);
        let i = intermediate(&r, b);
        let s = signer(&i, c, None);
        let a_ = anchors(&[&r.cert]);
        let inter = std::slice::from_ref(&i.cert);
        let v =
            validate_signer(&a_, &s.cert, inter, T0).unwrap_or_else(|e| panic!("{a}/{b}/{c}: {e}"));
        assert_eq!(v.public_key.algorithm(), c);
        assert!(validate_chain(&a_, &s.cert, inter, T0).is_ok());
        assert!(validate_chain(&a_, &i.cert, &[], T0).is_ok());
        assert!(s.cert.check_issued_by(&i.cert).is_ok());
        assert!(i.cert.check_issued_by(&r.cert).is_ok());
        // Signed by the intermediate, not by the root.
        assert_eq!(
            code_of(s.cert.check_issued_by(&r.cert)),
            if a == b {
                ErrorCode::CertSignature
            } else {
                ErrorCode::CertAlgorithm
            }
        );
        assert_eq!(
            code_of(validate_signer(&a_, &s.cert, &[], T0)),
            ErrorCode::CertUntrusted
        );
    }
}

#[test]
fn an_sm2_authority_folder_is_made_and_extended() {
    // What `authority init --alg sm2` and `add-signer` need from the core.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("authority");
    let code = dept_code();
    let auth = AuthorityDir::init(
        &dir,
        "浙江省电子证照根CA",
        "浙江省市场监督管理局",
        &code,
        None,
        Algorithm::Sm2,
        2,
    )
    .unwrap();
    let a = TrustAnchors::new(vec![auth.root_certificate().clone()]).unwrap();
    assert_eq!(parts(auth.root_certificate()).1, SM2_WITH_SM3);
    let now = OffsetDateTime::now_utc();
    let (k, c) = auth.load_signer(&code).unwrap();
    assert_eq!(k.algorithm(), Algorithm::Sm2);
    assert_eq!(
        validate_signer(&a, &c, &[], now).unwrap().public_key,
        k.public_key()
    );
    let more = auth
        .add_signer("浙江省市场监督管理局", &code, None, Algorithm::P256, 1)
        .unwrap();
    assert_eq!(parts(&more.certificate).1, SM2_WITH_SM3);
    assert!(validate_signer(&a, &more.certificate, &[], now).is_ok());
}

/// A signer that signs certificates with the empty user ID (as OpenSSL 3 does unless told).
struct EmptyIdSigner(sm2::SigningKey, SigningKey);

impl Signer for EmptyIdSigner {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Sm2
    }
    fn public_key(&self) -> PublicKey {
        self.1.public_key()
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
        Ok(self.0.sign_with_id(b"", msg).unwrap().to_vec())
    }
}

/// A signer whose output is not a signature at all.
struct GarbageSigner(SigningKey);

impl Signer for GarbageSigner {
    fn algorithm(&self) -> Algorithm {
        self.0.algorithm()
    }
    fn public_key(&self) -> PublicKey {
        self.0.public_key()
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
        Ok(if msg.is_empty() { vec![] } else { vec![1; 63] })
    }
}

#[test]
fn a_signer_that_signs_wrongly_is_caught_when_making() {
    let key = SigningKey::generate(Algorithm::Sm2).unwrap();
    let raw = sm2::SigningKey::from_pkcs8_der(::pem::parse(key.to_pkcs8_pem()).unwrap().contents())
        .unwrap();
    let empty_id = EmptyIdSigner(raw, key);
    let e = pki::issue_root(&empty_id, "Root", T0, T0 + Duration::days(1)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::KeySign, "{e}");
    let e = pki::issue_root(
        &GarbageSigner(SigningKey::generate(Algorithm::Sm2).unwrap()),
        "Root",
        T0,
        T0 + Duration::days(1),
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::KeySign, "{e}");
    // The issuer key must be the issuer certificate's.
    let r = root(Algorithm::Sm2);
    let other = SigningKey::generate(Algorithm::Sm2).unwrap();
    let e = pki::issue_signer(
        &r.cert,
        &other,
        &other.public_key(),
        "Dept",
        &dept_code(),
        None,
        T0,
        T0 + Duration::days(1),
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertMalformed, "{e}");
}

// ------------------------------------------------------------------------------------------
// Refusals
// ------------------------------------------------------------------------------------------

#[test]
fn a_tampered_sm2_certificate_is_refused() {
    let r = root(Algorithm::Sm2);
    let s = signer(&r, Algorithm::Sm2, None);
    let a = anchors(&[&r.cert]);
    let name = "浙江省市场监督管理局".as_bytes();
    let mut der = s.cert.der().to_vec();
    let pos = der.windows(name.len()).position(|w| w == name).unwrap();
    der[pos + name.len() - 1] ^= 0x01;
    let forged = Certificate::from_der(&der).unwrap();
    let e = validate_signer(&a, &forged, &[], T0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertSignature, "{e}");
    assert_eq!(
        code_of(validate_chain(&a, &forged, &[], T0)),
        ErrorCode::CertSignature
    );
}

#[test]
fn every_single_byte_change_of_an_sm2_certificate_is_refused_without_panic() {
    let r = root(Algorithm::Sm2);
    let s = signer(&r, Algorithm::Sm2, None);
    let a = anchors(&[&r.cert]);
    let der = s.cert.der().to_vec();
    for i in 0..der.len() {
        let mut bad = der.clone();
        bad[i] ^= 0x01;
        let code = match Certificate::from_der(&bad) {
            Ok(c) => code_of(validate_chain(&a, &c, &[], T0)),
            Err(e) => e.code(),
        };
        assert!(
            matches!(
                code,
                ErrorCode::CertMalformed
                    | ErrorCode::CertSignature
                    | ErrorCode::CertAlgorithm
                    | ErrorCode::CertUntrusted
            ),
            "byte {i}: {code:?}"
        );
    }
}

#[test]
fn expired_and_not_yet_valid_sm2_paths() {
    let r = root(Algorithm::Sm2);
    let i = intermediate(&r, Algorithm::Sm2);
    let s = signer(&i, Algorithm::Sm2, None);
    let a = anchors(&[&r.cert]);
    let inter = std::slice::from_ref(&i.cert);
    let late = s.cert.not_after() + Duration::seconds(1);
    assert_eq!(
        code_of(validate_signer(&a, &s.cert, inter, late)),
        ErrorCode::CertExpired
    );
    assert_eq!(
        code_of(validate_chain(&a, &s.cert, inter, late)),
        ErrorCode::CertExpired
    );
    // The intermediate ends first (1000 days): after it, the chain is expired through it.
    let e = validate_chain(&a, &i.cert, &[], i.cert.not_after() + Duration::days(1)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertExpired);
    assert!(e.to_string().contains("中级CA"), "{e}");
    assert_eq!(
        code_of(validate_chain(&a, &s.cert, inter, T0 - Duration::days(2))),
        ErrorCode::CertNotYetValid
    );
}

#[test]
fn validate_chain_keeps_the_ca_rules_but_not_the_licence_signer_rules() {
    let r = root(Algorithm::Sm2);
    let i = intermediate(&r, Algorithm::Sm2);
    let a = anchors(&[&r.cert]);
    // A CA as the end certificate: fine for validate_chain, not as a licence signer.
    assert!(validate_chain(&a, &i.cert, &[], T0).is_ok());
    assert_eq!(
        code_of(validate_signer(&a, &i.cert, &[], T0)),
        ErrorCode::CertPath
    );
    // An end entity that issues: still refused (not a CA).
    let ee = signer(&r, Algorithm::Sm2, None);
    let below = signer(&ee, Algorithm::Sm2, None);
    assert_eq!(
        code_of(validate_chain(
            &a,
            &below.cert,
            std::slice::from_ref(&ee.cert),
            T0
        )),
        ErrorCode::CertNotCa
    );
    // pathLenConstraint 0 on the intermediate holds for validate_chain too.
    let i2 = intermediate(&i, Algorithm::Sm2);
    let s = signer(&i2, Algorithm::Sm2, None);
    assert_eq!(
        code_of(validate_chain(
            &a,
            &s.cert,
            &[i.cert.clone(), i2.cert.clone()],
            T0
        )),
        ErrorCode::CertPath
    );
    // The OpenSSL-made end entity has no 统一社会信用代码: a chain, not a licence signer.
    let root = cert("generated/root.pem");
    let ee = cert("generated/ee.pem");
    let a = anchors(&[&root]);
    let at = datetime!(2030-01-01 0:00 UTC);
    assert!(validate_chain(&a, &ee, &[], at).is_ok());
    let e = validate_signer(&a, &ee, &[], at).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertMalformed);
    assert!(e.to_string().contains("organizationIdentifier"), "{e}");
}

// ------------------------------------------------------------------------------------------
// Vectors
// ------------------------------------------------------------------------------------------

#[test]
fn the_openssl_made_sm2_end_entity_chains_to_its_root() {
    let root = cert("generated/root.pem");
    let ee = cert("generated/ee.pem");
    let a = anchors(&[&root]);
    // The root's notBefore is 2026-11-23: validate inside both periods.
    let at = datetime!(2030-01-01 0:00 UTC);
    assert!(validate_chain(&a, &ee, &[], at).is_ok());
    assert!(ee.check_issued_by(&root).is_ok());
    assert_eq!(ee.public_key().unwrap().algorithm(), Algorithm::Sm2);
    assert_eq!(
        code_of(validate_chain(&a, &ee, &[], datetime!(2026-06-01 0:00 UTC))),
        ErrorCode::CertNotYetValid
    );
    assert_eq!(
        code_of(validate_chain(&a, &ee, &[], datetime!(2037-01-01 0:00 UTC))),
        ErrorCode::CertExpired
    );
}

#[test]
fn a_certificate_signed_with_another_user_id_is_refused() {
    let root = cert("generated/root.pem");
    let ee = cert("generated/ee-emptyid.pem");
    let a = anchors(&[&root]);
    let at = datetime!(2030-01-01 0:00 UTC);
    let e = validate_chain(&a, &ee, &[], at).unwrap_err();
    assert!(matches!(e, TrustError::Signature { .. }), "{e:?}");
    assert_eq!(e.code(), ErrorCode::CertSignature);
    assert_eq!(code_of(ee.check_issued_by(&root)), ErrorCode::CertSignature);
    // It is a real signature, with the empty ID.
    let (tbs, _, _, sig) = parts(&ee);
    let pk = root.public_key().unwrap();
    let vk = pk.sm2_verifying_key().unwrap();
    assert!(vk.verify(b"", &tbs, &sm2::signature_from_der(&sig).unwrap()));
}

#[test]
fn an_sm2_key_under_the_openssl3_algorithm_oid_is_read_and_checked() {
    // SPKI algorithm 1.2.156.10197.1.301 itself (not id-ecPublicKey); self-signed by OpenSSL 3
    // with the empty user ID, and without a keyUsage extension.
    let c = cert("gmsm/openssl3-sm2-spki-oid-root.pem");
    let (_, x) = x509_parser::parse_x509_certificate(c.der()).unwrap();
    assert_eq!(
        x.public_key().algorithm.algorithm.to_id_string(),
        "1.2.156.10197.1.301"
    );
    let pk = c.public_key().unwrap();
    assert_eq!(pk.algorithm(), Algorithm::Sm2);
    // The key is read right: the self-signature verifies with the ID it was made with…
    let (tbs, oid, _, sig) = parts(&c);
    assert_eq!(oid, SM2_WITH_SM3);
    let raw = sm2::signature_from_der(&sig).unwrap();
    assert!(pk.sm2_verifying_key().unwrap().verify(b"", &tbs, &raw));
    // …and path validation, which uses the default ID, refuses it.
    assert_eq!(code_of(c.check_issued_by(&c)), ErrorCode::CertSignature);
    // As an anchor it fails first on the missing keyUsage keyCertSign.
    let e = TrustAnchors::new(vec![c]).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertKeyUsage, "{e}");
    assert!(e.to_string().contains("keyCertSign"), "{e}");
}

#[test]
fn the_ofdrw_test_ca_lacks_key_cert_sign_and_is_refused() {
    let ofd_root = cert("ofdrw-test-ca/root.cer");
    let user = cert("ofdrw-test-ca/user.cer");
    let maker = cert("ofdrw-test-ca/sealbuilder.cer");
    // The signatures are good…
    assert!(ofd_root.check_issued_by(&ofd_root).is_ok());
    assert!(user.check_issued_by(&ofd_root).is_ok());
    assert!(maker.check_issued_by(&ofd_root).is_ok());
    // …but the root (CA:TRUE, keyUsage digitalSignature + nonRepudiation) may not issue.
    let e = TrustAnchors::new(vec![ofd_root.clone()]).unwrap_err();
    assert!(matches!(e, TrustError::KeyUsage { .. }), "{e:?}");
    assert_eq!(e.code(), ErrorCode::CertKeyUsage);
    let msg = e.to_string();
    assert!(
        msg.contains("keyCertSign") && msg.contains("OFD Reader and WriterROOT"),
        "{msg}"
    );
    // Given as an intermediate under an unrelated anchor, the user chain is refused as well.
    let other = root(Algorithm::Sm2);
    let a = anchors(&[&other.cert]);
    assert_eq!(
        code_of(validate_chain(
            &a,
            &user,
            std::slice::from_ref(&ofd_root),
            datetime!(2021-01-01 0:00 UTC)
        )),
        ErrorCode::CertUntrusted
    );
    for c in [&user, &maker, &cert("ofdrw-test-ca/sign_cert.pem")] {
        assert_eq!(c.public_key().unwrap().algorithm(), Algorithm::Sm2);
    }
}

/// `YYMMDDHHMMSSZ` (as index.json writes the validity) to a time.
fn utc_time(s: &str) -> OffsetDateTime {
    let n = |i: usize| s[i..i + 2].parse::<u8>().unwrap();
    let year = 2000 + i32::from(n(0));
    let date = time::Date::from_calendar_date(year, n(2).try_into().unwrap(), n(4)).unwrap();
    date.with_hms(n(6), n(8), n(10)).unwrap().assume_utc()
}

#[test]
fn the_real_sm2_certificates_of_ofd_seals_are_read() {
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(vector("real-ee/index.json")).unwrap()).unwrap();
    let entries = index.as_array().unwrap();
    assert_eq!(entries.len(), 12);
    for entry in entries {
        let file = entry["file"].as_str().unwrap();
        let c = cert(&format!("real-ee/{file}"));
        let pk = c.public_key().unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(pk.algorithm(), Algorithm::Sm2, "{file}");
        assert_eq!(pk.as_bytes().len(), 65);
        assert_eq!(parts(&c).1, SM2_WITH_SM3, "{file}");
        assert_eq!(
            c.not_before(),
            utc_time(entry["not_before"].as_str().unwrap())
        );
        assert_eq!(
            c.not_after(),
            utc_time(entry["not_after"].as_str().unwrap())
        );
        // Their issuers are not in the set: untrusted, not malformed.
        let a = anchors(&[&root(Algorithm::Sm2).cert]);
        assert_eq!(
            code_of(validate_chain(&a, &c, &[], c.not_before())),
            ErrorCode::CertUntrusted,
            "{file}"
        );
    }
    // Most write NULL parameters with SM2-with-SM3; that is read as none.
    let (_, _, params, _) = parts(&cert("real-ee/zj-invoice-signer-1936384a781f.cer"));
    assert_eq!(params, Some(vec![]));
}

#[test]
fn a_real_self_signed_seal_signer_with_a_critical_crl_point_is_read_not_trusted() {
    // www.dms360.cn: self-signed CA certificate used as a seal signer. Its subjectAltName is
    // wrapped in a second OCTET STRING (malformed, not critical: ignored when reading), and its
    // cRLDistributionPoints is critical, which nothing offline can honour.
    let c = cert("real-ee/dms360-v1-signer-150176873800.cer");
    assert_eq!(c.public_key().unwrap().algorithm(), Algorithm::Sm2);
    assert!(c.check_issued_by(&c).is_ok());
    let e = TrustAnchors::new(vec![c.clone()]).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertMalformed, "{e}");
    assert!(e.to_string().contains("2.5.29.31"), "{e}");
}

#[test]
fn the_real_sm2_ca_certificates_are_read() {
    for (file, subject) in [
        ("gmsm/sheca-sm2-intermediate.pem", "CN=SHECA SM2"),
        ("gmsm/cfca-test-sm2-oca1.pem", "CN=CFCA TEST SM2 OCA1"),
    ] {
        let c = cert(file);
        assert!(c.is_ca(), "{file}");
        assert!(c.subject_name().ends_with(subject), "{}", c.subject_name());
        assert_eq!(c.public_key().unwrap().algorithm(), Algorithm::Sm2);
        assert_eq!(parts(&c).1, SM2_WITH_SM3);
        // Their roots are not in the set.
        let a = anchors(&[&root(Algorithm::Sm2).cert]);
        assert_eq!(
            code_of(validate_chain(&a, &c, &[], datetime!(2020-01-01 0:00 UTC))),
            ErrorCode::CertUntrusted
        );
    }
}

// ------------------------------------------------------------------------------------------
// Interoperability (when OpenSSL 3 is installed)
// ------------------------------------------------------------------------------------------

#[test]
fn openssl_verifies_our_sm2_certificates_with_the_default_id() {
    let openssl = |args: &[&str]| {
        std::process::Command::new("openssl")
            .args(args)
            .output()
            .ok()
    };
    if !openssl(&["version"]).is_some_and(|o| o.status.success()) {
        eprintln!("openssl not installed: skipped");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let r = root(Algorithm::Sm2);
    let s = signer(&r, Algorithm::Sm2, None);
    let root_path = tmp.path().join("root.pem");
    let ee_path = tmp.path().join("ee.pem");
    std::fs::write(&root_path, r.cert.to_pem()).unwrap();
    std::fs::write(&ee_path, s.cert.to_pem()).unwrap();
    let verify = |id: &str| {
        openssl(&[
            "verify",
            "-no_check_time",
            "-vfyopt",
            &format!("distid:{id}"),
            "-CAfile",
            root_path.to_str().unwrap(),
            ee_path.to_str().unwrap(),
        ])
        .unwrap()
    };
    let out = verify("1234567812345678");
    if String::from_utf8_lossy(&out.stderr).contains("vfyopt") {
        eprintln!("this openssl has no -vfyopt: skipped");
        return;
    }
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!verify("another-id").status.success());
}

// ------------------------------------------------------------------------------------------
// NULL parameters (GM/T 0015 writers) on a signature that really verifies
// ------------------------------------------------------------------------------------------

/// One DER TLV: (the whole TLV, the rest).
fn split_tlv(input: &[u8]) -> (&[u8], &[u8]) {
    let (len, header) = match input[1] {
        n if n < 0x80 => (usize::from(n), 2),
        0x81 => (usize::from(input[2]), 3),
        0x82 => (usize::from(input[2]) << 8 | usize::from(input[3]), 4),
        _ => panic!("long DER length"),
    };
    input.split_at(header + len)
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match content.len() {
        n if n < 0x80 => out.push(n as u8),
        n if n < 0x100 => out.extend([0x81, n as u8]),
        n => out.extend([0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(content);
    out
}

/// `root`'s certificate re-signed by its SM2 key with `alg` as signature algorithm.
fn resigned_with_algorithm(root: &Ca, alg: &[u8]) -> Certificate {
    let (tbs, _, _, _) = parts(&root.cert);
    // TBSCertificate: [0] version, serialNumber, signature, then the rest.
    let (_, body) = tbs.split_at(if tbs[1] == 0x82 { 4 } else { 3 });
    let (version, rest) = split_tlv(body);
    let (serial, rest) = split_tlv(rest);
    let (_, rest) = split_tlv(rest);
    let tbs = tlv(0x30, &[version, serial, alg, rest].concat());
    let key =
        sm2::SigningKey::from_pkcs8_der(::pem::parse(root.key.to_pkcs8_pem()).unwrap().contents())
            .unwrap();
    let sig = sm2::signature_to_der(&key.sign(&tbs).unwrap()).unwrap();
    let bits = tlv(0x03, &[&[0u8][..], &sig].concat());
    Certificate::from_der(&tlv(0x30, &[&tbs[..], alg, &bits].concat())).unwrap()
}

#[test]
fn sm2_with_sm3_with_null_parameters_verifies_and_other_parameters_do_not() {
    let r = root(Algorithm::Sm2);
    let oid = [0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x75];
    let with_null = resigned_with_algorithm(&r, &tlv(0x30, &[&oid[..], &[0x05, 0x00]].concat()));
    assert_eq!(parts(&with_null).2, Some(vec![]));
    assert!(with_null.check_issued_by(&with_null).is_ok());
    assert!(TrustAnchors::new(vec![with_null]).is_ok());
    // The control: re-signed without parameters, as written.
    let plain = resigned_with_algorithm(&r, &tlv(0x30, &oid));
    assert!(plain.check_issued_by(&plain).is_ok());
    // Parameters that are not NULL (here the curve OID) are not SM2-with-SM3 as we know it.
    let curve = [0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d];
    let odd = resigned_with_algorithm(&r, &tlv(0x30, &[&oid[..], &curve[..]].concat()));
    assert_eq!(code_of(odd.check_issued_by(&odd)), ErrorCode::CertAlgorithm);
}
