//! Keys, certificates, path validation, the path cache and the key store.
//!
//! Odd certificates (a CA without keyCertSign, a signer without digitalSignature, unknown
//! critical extensions, P-384) are made with rcgen directly; everything else with the library.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use proptest::prelude::*;
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType, DnValue, IsCa,
    Issuer, KeyUsagePurpose,
};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use zhengzhao_core::codes::Uscc;
use zhengzhao_core::identifier::TypeCode;
use zhengzhao_core::keys::{Algorithm, PublicKey, Signer, SigningKey};
use zhengzhao_core::keystore::{self, AuthorityDir};
use zhengzhao_core::pki::{
    self, validate_signer, Certificate, PathCache, TrustAnchors, TrustError, OID_ALLOWED_TYPES,
};
use zhengzhao_core::{Coded, ErrorCode};

const T0: OffsetDateTime = datetime!(2026-01-01 00:00 UTC);
const ALGS: [Algorithm; 2] = [Algorithm::Ed25519, Algorithm::P256];

fn dept_code() -> Uscc {
    Uscc::complete("11330000002482185").unwrap()
}

fn types() -> Vec<TypeCode> {
    vec![
        TypeCode::parse("11100000MB03271699001").unwrap(),
        TypeCode::parse("11100000000013338W032").unwrap(),
    ]
}

fn key(alg: Algorithm) -> SigningKey {
    SigningKey::generate(alg).unwrap()
}

struct Ca {
    key: SigningKey,
    cert: Certificate,
}

fn root(alg: Algorithm, name: &str) -> Ca {
    let key = key(alg);
    let cert = pki::issue_root(
        &key,
        name,
        T0 - Duration::days(1),
        T0 + Duration::days(3650),
    )
    .unwrap();
    Ca { key, cert }
}

fn intermediate(parent: &Ca, alg: Algorithm, name: &str) -> Ca {
    let key = key(alg);
    let cert = pki::issue_intermediate(
        &parent.cert,
        &parent.key,
        &key.public_key(),
        name,
        T0 - Duration::days(1),
        T0 + Duration::days(1000),
    )
    .unwrap();
    Ca { key, cert }
}

fn signer_under(parent: &Ca, alg: Algorithm, allowed: Option<&[TypeCode]>) -> Ca {
    let key = key(alg);
    let cert = pki::issue_signer(
        &parent.cert,
        &parent.key,
        &key.public_key(),
        "浙江省市场监督管理局",
        &dept_code(),
        allowed,
        T0 - Duration::hours(1),
        T0 + Duration::days(365),
    )
    .unwrap();
    Ca { key, cert }
}

fn anchors(cas: &[&Ca]) -> TrustAnchors {
    TrustAnchors::new(cas.iter().map(|c| c.cert.clone()).collect()).unwrap()
}

fn code_of(r: Result<impl std::fmt::Debug, TrustError>) -> ErrorCode {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => {
            // Every message names what is wrong; none is empty.
            assert!(!e.to_string().is_empty());
            e.code()
        }
    }
}

// ------------------------------------------------------------------------------------------
// Keys
// ------------------------------------------------------------------------------------------

#[test]
fn keys_round_trip_through_pem_and_sign_for_both_algorithms() {
    for alg in ALGS {
        let k = key(alg);
        let pem = k.to_pkcs8_pem();
        let back = SigningKey::from_pkcs8_pem(pem.as_bytes()).unwrap();
        assert_eq!(back.public_key(), k.public_key());
        assert_eq!(Signer::algorithm(&back), alg);
        let sig = back.sign(b"hello").unwrap();
        assert_eq!(sig.len(), 64);
        assert!(k.public_key().verify(b"hello", &sig));
        let mut tampered = sig.clone();
        tampered[10] ^= 0x40;
        assert!(!k.public_key().verify(b"hello", &tampered));
        assert!(!k.public_key().verify(b"hellO", &sig));
        // The SPKI form round-trips, as certificates carry it.
        assert_eq!(
            PublicKey::from_spki_der(&k.public_key().spki_der()).unwrap(),
            k.public_key()
        );
    }
}

#[test]
fn a_signer_is_usable_as_a_trait_object() {
    let boxed: Box<dyn Signer> = Box::new(key(Algorithm::P256));
    let sig = boxed.sign(b"m").unwrap();
    assert!(boxed.public_key().verify(b"m", &sig));
    assert_eq!(boxed.algorithm(), Algorithm::P256);
}

// ------------------------------------------------------------------------------------------
// Good paths
// ------------------------------------------------------------------------------------------

#[test]
fn root_to_signer_validates_for_every_algorithm_pair() {
    for root_alg in ALGS {
        for signer_alg in ALGS {
            let r = root(root_alg, "浙江省电子证照根CA");
            let s = signer_under(&r, signer_alg, None);
            let v = validate_signer(&anchors(&[&r]), &s.cert, &[], T0).unwrap();
            assert_eq!(v.department_code, dept_code());
            assert_eq!(v.department_name, "浙江省市场监督管理局");
            assert_eq!(v.public_key, s.key.public_key());
            assert_eq!(v.fingerprint, s.cert.fingerprint());
            assert_eq!(v.allowed_types, None);
            assert!(v.permits(&types()[0]));
            assert_eq!(v.not_before, s.cert.not_before());
            assert_eq!(v.not_after, s.cert.not_after());
        }
    }
}

#[test]
fn root_to_intermediate_to_signer_validates_for_mixed_algorithms() {
    for (a, b, c) in [
        (Algorithm::Ed25519, Algorithm::Ed25519, Algorithm::Ed25519),
        (Algorithm::P256, Algorithm::P256, Algorithm::P256),
        (Algorithm::Ed25519, Algorithm::P256, Algorithm::Ed25519),
        (Algorithm::P256, Algorithm::Ed25519, Algorithm::P256),
    ] {
        let r = root(a, "Root");
        let i = intermediate(&r, b, "Zhejiang Intermediate");
        let s = signer_under(&i, c, None);
        let anchors = anchors(&[&r]);
        let v = validate_signer(&anchors, &s.cert, std::slice::from_ref(&i.cert), T0).unwrap();
        assert_eq!(v.public_key.algorithm(), c);
        // Without the intermediate there is no path.
        assert_eq!(
            code_of(validate_signer(&anchors, &s.cert, &[], T0)),
            ErrorCode::CertUntrusted
        );
        // Unrelated certificates among the intermediates do no harm.
        let other = root(a, "Other");
        let v2 = validate_signer(
            &anchors,
            &s.cert,
            &[other.cert.clone(), s.cert.clone(), i.cert.clone()],
            T0,
        )
        .unwrap();
        assert_eq!(v, v2);
    }
}

#[test]
fn certificates_carry_what_was_asked() {
    let r = root(Algorithm::Ed25519, "浙江省电子证照根CA");
    let s = signer_under(&r, Algorithm::P256, Some(&types()));
    assert_eq!(r.cert.subject_name(), r.cert.issuer_name());
    assert!(r.cert.subject_name().contains("浙江省电子证照根CA"));
    assert!(r.cert.is_ca());
    assert!(!s.cert.is_ca());
    assert_eq!(s.cert.issuer_name(), r.cert.subject_name());
    assert_eq!(
        s.cert.subject_name(),
        format!(
            "C=CN, O=浙江省市场监督管理局, organizationIdentifier={}, CN=浙江省市场监督管理局",
            dept_code()
        )
    );
    assert_eq!(s.cert.department_code(), Some(dept_code()));
    assert_eq!(s.cert.fingerprint_hex().len(), 64);
    assert_eq!(
        s.cert.fingerprint_hex(),
        s.cert.fingerprint_hex().to_lowercase()
    );
    assert_eq!(s.cert.not_before(), T0 - Duration::hours(1));
    assert_eq!(s.cert.not_after(), T0 + Duration::days(365));
    assert_eq!(s.cert.public_key().unwrap(), s.key.public_key());

    // Read with x509-parser: the extensions are where and how the design says.
    let (_, x) = x509_parser::parse_x509_certificate(s.cert.der()).unwrap();
    let bc = x.basic_constraints().unwrap().unwrap();
    assert!(bc.critical && !bc.value.ca);
    let ku = x.key_usage().unwrap().unwrap();
    assert!(ku.critical && ku.value.digital_signature() && ku.value.non_repudiation());
    assert!(!ku.value.key_cert_sign());
    let oi: Vec<_> = x
        .subject()
        .iter_attributes()
        .filter(|a| a.attr_type().to_id_string() == "2.5.4.97")
        .collect();
    assert_eq!(oi.len(), 1);
    assert_eq!(
        oi[0].attr_value().tag(),
        x509_parser::asn1_rs::Tag::Utf8String
    );
    assert_eq!(oi[0].as_str().unwrap(), dept_code().as_ref());
    assert!(x.iter_extensions().any(|e| matches!(
        e.parsed_extension(),
        x509_parser::extensions::ParsedExtension::AuthorityKeyIdentifier(_)
    )));
    let (_, rx) = x509_parser::parse_x509_certificate(r.cert.der()).unwrap();
    let rbc = rx.basic_constraints().unwrap().unwrap().value.clone();
    assert!(rbc.ca);
    assert_eq!(rbc.path_len_constraint, Some(1));
    let rku = rx.key_usage().unwrap().unwrap();
    assert!(rku.critical && rku.value.key_cert_sign() && rku.value.crl_sign());
    assert!(rx.iter_extensions().any(|e| matches!(
        e.parsed_extension(),
        x509_parser::extensions::ParsedExtension::SubjectKeyIdentifier(_)
    )));
    assert!(rx.tbs_certificate.serial.bits() > 64);
    let i = intermediate(&r, Algorithm::Ed25519, "I");
    let (_, ix) = x509_parser::parse_x509_certificate(i.cert.der()).unwrap();
    assert_eq!(
        ix.basic_constraints()
            .unwrap()
            .unwrap()
            .value
            .path_len_constraint,
        Some(0)
    );

    // The type restriction: non-critical, under the UUID OID, with the codes.
    let ext = x
        .iter_extensions()
        .find(|e| e.oid.as_bytes()[0] == 0x69 && e.oid.as_bytes().len() == 20)
        .expect("the type-restriction extension");
    assert!(!ext.critical);
    assert!(OID_ALLOWED_TYPES.starts_with("2.25."));
    assert!(ext.value.windows(21).any(|w| w == b"11100000MB03271699001"));
}

#[test]
fn allowed_types_are_read_back() {
    let r = root(Algorithm::Ed25519, "Root");
    let s = signer_under(&r, Algorithm::Ed25519, Some(&types()));
    assert_eq!(s.cert.allowed_types(), Some(types().as_slice()));
    let v = validate_signer(&anchors(&[&r]), &s.cert, &[], T0).unwrap();
    assert_eq!(v.allowed_types, Some(types()));
    assert!(v.permits(&types()[0]));
    assert!(v.permits(&types()[1]));
    assert!(!v.permits(&TypeCode::parse("11100000000013338W011").unwrap()));

    let none = signer_under(&r, Algorithm::Ed25519, Some(&[]));
    let v = validate_signer(&anchors(&[&r]), &none.cert, &[], T0).unwrap();
    assert_eq!(v.allowed_types, Some(vec![]));
    assert!(!v.permits(&types()[0]));
}

#[test]
fn anchors_load_from_a_pem_bundle_and_der() {
    let a = root(Algorithm::Ed25519, "A");
    let b = root(Algorithm::P256, "B");
    let bundle = format!(
        "# two roots\n{}\nsome text between\n{}",
        a.cert.to_pem(),
        b.cert.to_pem()
    );
    let anchors = TrustAnchors::from_pem(bundle.as_bytes()).unwrap();
    assert_eq!(anchors.certificates().len(), 2);
    let sa = signer_under(&a, Algorithm::P256, None);
    let sb = signer_under(&b, Algorithm::Ed25519, None);
    assert!(validate_signer(&anchors, &sa.cert, &[], T0).is_ok());
    assert!(validate_signer(&anchors, &sb.cert, &[], T0).is_ok());
    let from_der = TrustAnchors::from_der_list(&[b.cert.der(), a.cert.der()]).unwrap();
    assert_eq!(from_der.id(), anchors.id());
    // Duplicates are dropped.
    let dup = TrustAnchors::new(vec![a.cert.clone(), a.cert.clone()]).unwrap();
    assert_eq!(dup.certificates().len(), 1);
}

// ------------------------------------------------------------------------------------------
// Each failure, its own code
// ------------------------------------------------------------------------------------------

#[test]
fn expired_and_not_yet_valid() {
    let r = root(Algorithm::Ed25519, "Root");
    let s = signer_under(&r, Algorithm::Ed25519, None);
    let anchors = anchors(&[&r]);
    let end = s.cert.not_after();
    assert!(validate_signer(&anchors, &s.cert, &[], end).is_ok());
    let e = validate_signer(&anchors, &s.cert, &[], end + Duration::seconds(1)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertExpired);
    assert!(e.to_string().contains("浙江省市场监督管理局"), "{e}");
    let start = s.cert.not_before();
    assert!(validate_signer(&anchors, &s.cert, &[], start).is_ok());
    assert_eq!(
        code_of(validate_signer(
            &anchors,
            &s.cert,
            &[],
            start - Duration::seconds(1)
        )),
        ErrorCode::CertNotYetValid
    );

    // The root's period counts too: a signer outliving its root.
    let short_root_key = key(Algorithm::P256);
    let short_root =
        pki::issue_root(&short_root_key, "Short", T0, T0 + Duration::days(10)).unwrap();
    let long = pki::issue_signer(
        &short_root,
        &short_root_key,
        &key(Algorithm::Ed25519).public_key(),
        "Dept",
        &dept_code(),
        None,
        T0,
        T0 + Duration::days(100),
    )
    .unwrap();
    let a = TrustAnchors::new(vec![short_root]).unwrap();
    assert!(validate_signer(&a, &long, &[], T0 + Duration::days(5)).is_ok());
    let e = validate_signer(&a, &long, &[], T0 + Duration::days(50)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertExpired);
    assert!(e.to_string().contains("Short"), "{e}");
}

#[test]
fn signed_by_another_root_is_untrusted() {
    for alg in ALGS {
        let trusted = root(alg, "浙江省电子证照根CA");
        // Same name, other key: the authority key identifier tells them apart.
        let impostor = root(alg, "浙江省电子证照根CA");
        let s = signer_under(&impostor, alg, None);
        let e = validate_signer(&anchors(&[&trusted]), &s.cert, &[], T0).unwrap_err();
        assert_eq!(e.code(), ErrorCode::CertUntrusted, "{e}");
        assert!(e.to_string().contains("浙江省电子证照根CA"), "{e}");
        // Another name altogether.
        let other = root(alg, "Another Province");
        let s = signer_under(&other, alg, None);
        assert_eq!(
            code_of(validate_signer(&anchors(&[&trusted]), &s.cert, &[], T0)),
            ErrorCode::CertUntrusted
        );
        // Even handed the other root as an "intermediate".
        assert_eq!(
            code_of(validate_signer(
                &anchors(&[&trusted]),
                &s.cert,
                std::slice::from_ref(&other.cert),
                T0
            )),
            ErrorCode::CertUntrusted
        );
    }
}

#[test]
fn an_end_entity_that_signs_is_not_a_ca() {
    let r = root(Algorithm::Ed25519, "Root");
    let ee = signer_under(&r, Algorithm::Ed25519, None);
    // The end entity "issues" a certificate: making is permissive, validation is not.
    let victim_key = key(Algorithm::P256);
    let forged = pki::issue_signer(
        &ee.cert,
        &ee.key,
        &victim_key.public_key(),
        "Forged Dept",
        &dept_code(),
        None,
        T0 - Duration::hours(1),
        T0 + Duration::days(10),
    )
    .unwrap();
    let e =
        validate_signer(&anchors(&[&r]), &forged, std::slice::from_ref(&ee.cert), T0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertNotCa, "{e}");
    assert!(e.to_string().contains("Forged Dept"), "{e}");
}

#[test]
fn a_ca_as_signer_and_a_path_too_long_are_refused() {
    let r = root(Algorithm::Ed25519, "Root");
    let i = intermediate(&r, Algorithm::Ed25519, "Intermediate");
    // The intermediate itself as a licence signer.
    assert_eq!(
        code_of(validate_signer(&anchors(&[&r]), &i.cert, &[], T0)),
        ErrorCode::CertPath
    );
    // A second intermediate below one with pathLenConstraint 0.
    let i2 = intermediate(&i, Algorithm::P256, "Second Intermediate");
    let s = signer_under(&i2, Algorithm::Ed25519, None);
    let e = validate_signer(
        &anchors(&[&r]),
        &s.cert,
        &[i.cert.clone(), i2.cert.clone()],
        T0,
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertPath, "{e}");
    assert!(e.to_string().contains("Intermediate"), "{e}");
}

#[test]
fn anchors_must_be_cas_with_key_cert_sign() {
    let r = root(Algorithm::Ed25519, "Root");
    let s = signer_under(&r, Algorithm::Ed25519, None);
    assert_eq!(
        code_of(TrustAnchors::new(vec![s.cert.clone()])),
        ErrorCode::CertNotCa
    );
    assert_eq!(
        code_of(TrustAnchors::from_pem(s.cert.to_pem().as_bytes())),
        ErrorCode::CertNotCa
    );
    let no_cert_sign = custom_root(vec![KeyUsagePurpose::CrlSign]);
    assert_eq!(
        code_of(TrustAnchors::new(vec![no_cert_sign.cert])),
        ErrorCode::CertKeyUsage
    );
    let no_ku = custom_root(vec![]);
    assert_eq!(
        code_of(TrustAnchors::new(vec![no_ku.cert])),
        ErrorCode::CertKeyUsage
    );
    assert_eq!(code_of(TrustAnchors::new(vec![])), ErrorCode::CertUntrusted);
    assert_eq!(code_of(TrustAnchors::from_pem(b"")), ErrorCode::Pem);
}

// -- certificates made with rcgen directly ----------------------------------------------------

struct Custom {
    params: CertificateParams,
    key: rcgen::KeyPair,
    ours: Option<SigningKey>,
    cert: Certificate,
}

fn rc_key(k: &SigningKey) -> rcgen::KeyPair {
    rcgen::KeyPair::from_pem(&k.to_pkcs8_pem()).unwrap()
}

fn dn(name: &str, code: Option<&str>) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(
        DnType::CountryName,
        DnValue::PrintableString("CN".try_into().unwrap()),
    );
    dn.push(DnType::OrganizationName, name);
    if let Some(code) = code {
        dn.push(DnType::CustomDnType(vec![2, 5, 4, 97]), code);
    }
    dn.push(DnType::CommonName, name);
    dn
}

#[allow(clippy::too_many_arguments)]
fn custom(
    name: &str,
    code: Option<&str>,
    is_ca: IsCa,
    key_usages: Vec<KeyUsagePurpose>,
    extensions: Vec<CustomExtension>,
    subject: rcgen::KeyPair,
    ours: Option<SigningKey>,
    issuer: Option<&Custom>,
) -> Custom {
    let mut p = CertificateParams::default();
    p.not_before = T0 - Duration::days(1);
    p.not_after = T0 + Duration::days(365);
    p.distinguished_name = dn(name, code);
    p.is_ca = is_ca;
    p.key_usages = key_usages;
    p.custom_extensions = extensions;
    p.serial_number = Some(rcgen::SerialNumber::from(rand_serial()));
    let der = match issuer {
        None => p.self_signed(&subject).unwrap().der().to_vec(),
        Some(parent) => {
            p.use_authority_key_identifier_extension = true;
            let issuer = Issuer::from_params(&parent.params, &parent.key);
            p.signed_by(&subject, &issuer).unwrap().der().to_vec()
        }
    };
    Custom {
        params: p,
        key: subject,
        ours,
        cert: Certificate::from_der(&der).unwrap(),
    }
}

fn rand_serial() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1000);
    N.fetch_add(1, Ordering::Relaxed)
}

fn custom_root(key_usages: Vec<KeyUsagePurpose>) -> Custom {
    let k = key(Algorithm::Ed25519);
    custom(
        "Custom Root",
        None,
        IsCa::Ca(BasicConstraints::Constrained(1)),
        key_usages,
        vec![],
        rc_key(&k),
        Some(k),
        None,
    )
}

fn good_custom_root() -> Custom {
    custom_root(vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign])
}

fn custom_signer(
    root: &Custom,
    code: Option<&str>,
    key_usages: Vec<KeyUsagePurpose>,
    extensions: Vec<CustomExtension>,
) -> Certificate {
    let k = key(Algorithm::P256);
    custom(
        "Custom Dept",
        code,
        IsCa::ExplicitNoCa,
        key_usages,
        extensions,
        rc_key(&k),
        Some(k),
        Some(root),
    )
    .cert
}

fn signing_usages() -> Vec<KeyUsagePurpose> {
    vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ]
}

#[test]
fn rcgen_made_certificates_validate_when_they_follow_the_rules() {
    // The control for the tests below: the same shape, done right, passes.
    let r = good_custom_root();
    let s = custom_signer(&r, Some(dept_code().as_ref()), signing_usages(), vec![]);
    let a = TrustAnchors::new(vec![r.cert.clone()]).unwrap();
    let v = validate_signer(&a, &s, &[], T0).unwrap();
    assert_eq!(v.department_name, "Custom Dept");
    // And our own issue_signer works under a root made elsewhere.
    let k = key(Algorithm::Ed25519);
    let ours = pki::issue_signer(
        &r.cert,
        r.ours.as_ref().unwrap(),
        &k.public_key(),
        "Dept",
        &dept_code(),
        None,
        T0,
        T0 + Duration::days(2),
    )
    .unwrap();
    assert!(validate_signer(&a, &ours, &[], T0).is_ok());
}

#[test]
fn a_ca_lacking_key_cert_sign_gives_cert_key_usage() {
    let r = good_custom_root();
    let k = key(Algorithm::Ed25519);
    let weak_ca = custom(
        "CA Without keyCertSign",
        None,
        IsCa::Ca(BasicConstraints::Constrained(0)),
        vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::CrlSign],
        vec![],
        rc_key(&k),
        Some(k),
        Some(&r),
    );
    let signer = pki::issue_signer(
        &weak_ca.cert,
        weak_ca.ours.as_ref().unwrap(),
        &key(Algorithm::Ed25519).public_key(),
        "Dept",
        &dept_code(),
        None,
        T0,
        T0 + Duration::days(2),
    )
    .unwrap();
    let e = validate_signer(
        &TrustAnchors::new(vec![r.cert.clone()]).unwrap(),
        &signer,
        std::slice::from_ref(&weak_ca.cert),
        T0,
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertKeyUsage, "{e}");
    assert!(e.to_string().contains("keyCertSign"), "{e}");
}

#[test]
fn a_signer_lacking_digital_signature_gives_cert_key_usage() {
    let r = good_custom_root();
    let a = TrustAnchors::new(vec![r.cert.clone()]).unwrap();
    let code = dept_code();
    let only_nr = custom_signer(
        &r,
        Some(code.as_ref()),
        vec![KeyUsagePurpose::ContentCommitment],
        vec![],
    );
    let e = validate_signer(&a, &only_nr, &[], T0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertKeyUsage, "{e}");
    assert!(e.to_string().contains("digitalSignature"), "{e}");
    let no_ku = custom_signer(&r, Some(code.as_ref()), vec![], vec![]);
    assert_eq!(
        code_of(validate_signer(&a, &no_ku, &[], T0)),
        ErrorCode::CertKeyUsage
    );
}

#[test]
fn a_signer_without_a_uscc_is_malformed() {
    let r = good_custom_root();
    let a = TrustAnchors::new(vec![r.cert.clone()]).unwrap();
    let missing = custom_signer(&r, None, signing_usages(), vec![]);
    let e = validate_signer(&a, &missing, &[], T0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertMalformed);
    assert!(e.to_string().contains("organizationIdentifier"), "{e}");
    let bad = custom_signer(&r, Some("NTRCN-123"), signing_usages(), vec![]);
    let e = validate_signer(&a, &bad, &[], T0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertMalformed);
    assert!(e.to_string().contains("NTRCN-123"), "{e}");
    // A legacy pilot-area code that fails its check is still a 统一社会信用代码.
    let pilot = custom_signer(&r, Some("91350100M0001TGQXM"), signing_usages(), vec![]);
    let v = validate_signer(&a, &pilot, &[], T0).unwrap();
    assert_eq!(v.department_code.as_ref(), "91350100M0001TGQXM");
}

#[test]
fn unknown_critical_extensions_are_malformed_and_non_critical_ones_ignored() {
    let r = good_custom_root();
    let a = TrustAnchors::new(vec![r.cert.clone()]).unwrap();
    let code = dept_code();
    let mut critical = CustomExtension::from_oid_content(&[1, 2, 3, 4, 5], vec![0x05, 0x00]);
    critical.set_criticality(true);
    let s = custom_signer(&r, Some(code.as_ref()), signing_usages(), vec![critical]);
    let e = validate_signer(&a, &s, &[], T0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertMalformed);
    assert!(e.to_string().contains("1.2.3.4.5"), "{e}");
    let quiet = CustomExtension::from_oid_content(&[1, 2, 3, 4, 5], vec![0x05, 0x00]);
    let s = custom_signer(&r, Some(code.as_ref()), signing_usages(), vec![quiet]);
    assert!(validate_signer(&a, &s, &[], T0).is_ok());
}

/// The DER content octets of an OID from (40·a + b, rest…).
fn oid_bytes(first: u128, rest: &[u128]) -> Vec<u8> {
    let mut out = Vec::new();
    for &arc in std::iter::once(&first).chain(rest) {
        let mut groups = vec![(arc & 0x7f) as u8];
        let mut v = arc >> 7;
        while v > 0 {
            groups.push((v & 0x7f) as u8 | 0x80);
            v >>= 7;
        }
        out.extend(groups.iter().rev());
    }
    out
}

#[test]
fn a_malformed_type_restriction_is_malformed() {
    // rcgen cannot write the 128-bit UUID arc: write a same-length stand-in and swap the bytes.
    let r = good_custom_root();
    let stand_in = [2u64, 25, 0x0100_0000_0000_1234, 0xffff_ffff_ffff_4321];
    let stand_in_bytes = oid_bytes(105, &[u128::from(stand_in[2]), u128::from(stand_in[3])]);
    let uuid: u128 = OID_ALLOWED_TYPES[5..].parse().unwrap();
    let real_bytes = oid_bytes(105, &[uuid]);
    assert_eq!(stand_in_bytes.len(), real_bytes.len());
    for bad_value in [
        vec![0x02, 0x01, 0x05],             // an INTEGER
        vec![0x30, 0x03, 0x02, 0x01, 0x05], // SEQUENCE OF INTEGER
        vec![0x30, 0x03, 0x0c, 0x01, b'X'], // not a type code
        vec![0x30, 0x05, 0x0c, 0x01, b'X'], // truncated
    ] {
        let ext = CustomExtension::from_oid_content(&stand_in, bad_value);
        let s = custom_signer(&r, Some(dept_code().as_ref()), signing_usages(), vec![ext]);
        let mut der = s.der().to_vec();
        let pos = der
            .windows(stand_in_bytes.len())
            .position(|w| w == stand_in_bytes.as_slice())
            .unwrap();
        der[pos..pos + real_bytes.len()].copy_from_slice(&real_bytes);
        let e = Certificate::from_der(&der).unwrap_err();
        assert_eq!(e.code(), ErrorCode::CertMalformed, "{e}");
        assert!(e.to_string().contains(OID_ALLOWED_TYPES), "{e}");
    }
}

#[test]
fn unsupported_algorithms_give_cert_algorithm() {
    // A P-384 root: rcgen (ring) can make one; zhengzhao does not accept it.
    let p384 = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
    let r = custom(
        "P-384 Root",
        None,
        IsCa::Ca(BasicConstraints::Constrained(1)),
        vec![KeyUsagePurpose::KeyCertSign],
        vec![],
        p384,
        None,
        None,
    );
    assert_eq!(
        code_of(TrustAnchors::new(vec![r.cert.clone()])),
        ErrorCode::CertAlgorithm
    );
    // A P-384 signer under a good root.
    let good = good_custom_root();
    let p384 = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
    let code = dept_code();
    let s = custom(
        "P-384 Dept",
        Some(code.as_ref()),
        IsCa::ExplicitNoCa,
        signing_usages(),
        vec![],
        p384,
        None,
        Some(&good),
    );
    let a = TrustAnchors::new(vec![good.cert.clone()]).unwrap();
    assert_eq!(
        code_of(validate_signer(&a, &s.cert, &[], T0)),
        ErrorCode::CertAlgorithm
    );
    assert_eq!(code_of(s.cert.public_key()), ErrorCode::CertAlgorithm);
    // A P-384 CA signing a signer: the signature algorithm is refused.
    let p384_ca = custom(
        "P-384 CA",
        None,
        IsCa::Ca(BasicConstraints::Constrained(0)),
        vec![KeyUsagePurpose::KeyCertSign],
        vec![],
        rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap(),
        None,
        Some(&good),
    );
    let k = key(Algorithm::Ed25519);
    let under = custom(
        "Dept",
        Some(code.as_ref()),
        IsCa::ExplicitNoCa,
        signing_usages(),
        vec![],
        rc_key(&k),
        Some(k),
        Some(&p384_ca),
    );
    assert_eq!(
        code_of(validate_signer(
            &a,
            &under.cert,
            std::slice::from_ref(&p384_ca.cert),
            T0
        )),
        ErrorCode::CertAlgorithm
    );
}

#[test]
fn a_corrupted_signature_is_refused() {
    for alg in ALGS {
        let r = root(alg, "Root");
        let s = signer_under(&r, Algorithm::Ed25519, None);
        let a = anchors(&[&r]);
        let mut der = s.cert.der().to_vec();
        let last = der.len() - 1;
        der[last] ^= 0x01;
        let code = match Certificate::from_der(&der) {
            Ok(c) => code_of(validate_signer(&a, &c, &[], T0)),
            Err(e) => e.code(),
        };
        assert!(
            matches!(code, ErrorCode::CertSignature | ErrorCode::CertMalformed),
            "{code:?}"
        );
        // A flipped byte inside the department's name: the signature no longer covers it.
        let mut der = s.cert.der().to_vec();
        let name = "浙江省市场监督管理局".as_bytes();
        let pos = der.windows(name.len()).position(|w| w == name).unwrap();
        der[pos + name.len() - 1] ^= 0x01;
        let c = Certificate::from_der(&der).unwrap();
        assert_eq!(
            code_of(validate_signer(&a, &c, &[], T0)),
            ErrorCode::CertSignature
        );
    }
}

#[test]
fn every_single_byte_change_of_a_signer_is_refused_without_panic() {
    let r = root(Algorithm::Ed25519, "Root");
    let s = signer_under(&r, Algorithm::P256, Some(&types()));
    let a = anchors(&[&r]);
    let der = s.cert.der().to_vec();
    for i in 0..der.len() {
        for flip in [0x01u8, 0x80] {
            let mut bad = der.clone();
            bad[i] ^= flip;
            let code = match Certificate::from_der(&bad) {
                Ok(c) => match validate_signer(&a, &c, &[], T0) {
                    Ok(v) => panic!(
                        "byte {i} ^ {flip:#x} of {} validates: {v:?}",
                        hex::encode(&der)
                    ),
                    Err(e) => e.code(),
                },
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
                "byte {i} ^ {flip:#x}: {code:?}"
            );
        }
    }
}

#[test]
fn every_prefix_of_a_certificate_is_an_error() {
    let r = root(Algorithm::P256, "Root");
    let s = signer_under(&r, Algorithm::Ed25519, Some(&types()));
    for cert in [&r.cert, &s.cert] {
        let der = cert.der();
        for n in 0..der.len() {
            let e = Certificate::from_der(&der[..n]).unwrap_err();
            assert_eq!(e.code(), ErrorCode::CertMalformed, "DER prefix {n}");
        }
        let mut long = der.to_vec();
        long.push(0);
        assert_eq!(
            code_of(Certificate::from_der(&long)),
            ErrorCode::CertMalformed
        );

        let pem = cert.to_pem();
        assert_eq!(Certificate::from_pem(pem.as_bytes()).unwrap(), *cert);
        // Every prefix short of the END line's last character fails (PEM or DER error).
        let complete = pem.trim_end().len();
        for n in 0..complete {
            let e = Certificate::from_pem(&pem.as_bytes()[..n]).unwrap_err();
            assert!(
                matches!(e.code(), ErrorCode::Pem | ErrorCode::CertMalformed),
                "PEM prefix {n}: {e:?}"
            );
        }
    }
}

#[test]
fn garbage_pem_gives_pem_or_malformed_codes() {
    let r = root(Algorithm::Ed25519, "Root");
    let cases: Vec<(Vec<u8>, ErrorCode)> = vec![
        (b"".to_vec(), ErrorCode::Pem),
        (b"hello".to_vec(), ErrorCode::Pem),
        (
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".to_vec(),
            ErrorCode::CertMalformed,
        ),
        (
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".to_vec(),
            ErrorCode::Pem,
        ),
        (
            format!("{}{}", r.cert.to_pem(), r.cert.to_pem()).into_bytes(),
            ErrorCode::Pem,
        ),
        (r.cert.der().to_vec(), ErrorCode::Pem),
    ];
    for (input, code) in cases {
        assert_eq!(code_of(Certificate::from_pem(&input)), code, "{input:?}");
    }
    // A bundle with one bad block names it.
    let bundle = format!(
        "{}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        r.cert.to_pem()
    );
    let e = Certificate::parse_pem_bundle(bundle.as_bytes()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertMalformed);
    assert!(e.to_string().contains("certificate 2"), "{e}");
    assert_eq!(
        Certificate::parse_pem_bundle(format!("{}{}", r.cert.to_pem(), r.cert.to_pem()).as_bytes())
            .unwrap()
            .len(),
        2
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = Certificate::from_der(&bytes);
        let _ = Certificate::from_pem(&bytes);
        let _ = Certificate::parse_pem_bundle(&bytes);
        let _ = TrustAnchors::from_pem(&bytes);
        let _ = SigningKey::from_pkcs8_der(&bytes);
        let _ = SigningKey::from_pkcs8_pem(&bytes);
        let _ = PublicKey::from_spki_der(&bytes);
    }

    #[test]
    fn der_shaped_garbage_never_panics(tail in proptest::collection::vec(any::<u8>(), 0..400)) {
        // Starts like a certificate so that the parser goes deeper.
        let mut bytes = vec![0x30, 0x82, 0x01, 0x80, 0x30, 0x82, 0x01, 0x20, 0xa0, 0x03, 0x02, 0x01, 0x02];
        bytes.extend(tail);
        let _ = Certificate::from_der(&bytes);
    }
}

#[test]
fn making_refuses_bad_arguments() {
    let r = root(Algorithm::Ed25519, "Root");
    let k = key(Algorithm::Ed25519);
    let pk = k.public_key();
    let code = dept_code();
    let make = |name: &str, nb: OffsetDateTime, na: OffsetDateTime, issuer_key: &SigningKey| {
        pki::issue_signer(&r.cert, issuer_key, &pk, name, &code, None, nb, na)
    };
    assert_eq!(
        code_of(make("", T0, T0 + Duration::days(1), &r.key)),
        ErrorCode::CertMalformed
    );
    assert_eq!(
        code_of(make("a\nb", T0, T0 + Duration::days(1), &r.key)),
        ErrorCode::CertMalformed
    );
    assert_eq!(
        code_of(make("Dept", T0, T0, &r.key)),
        ErrorCode::CertMalformed
    );
    assert_eq!(
        code_of(make("Dept", T0, T0 - Duration::days(1), &r.key)),
        ErrorCode::CertMalformed
    );
    assert_eq!(
        code_of(make("Dept", datetime!(1900-01-01 0:00 UTC), T0, &r.key)),
        ErrorCode::CertMalformed
    );
    // The issuer key must be the issuer certificate's.
    assert_eq!(
        code_of(make("Dept", T0, T0 + Duration::days(1), &k)),
        ErrorCode::CertMalformed
    );
    assert_eq!(
        code_of(pki::issue_root(&k, " ", T0, T0 + Duration::days(1))),
        ErrorCode::CertMalformed
    );
    // Years from 2050 are written as GeneralizedTime and read back.
    let late = pki::issue_root(
        &k,
        "Late",
        datetime!(2049-12-31 0:00 UTC),
        datetime!(2150-01-01 0:00 UTC),
    )
    .unwrap();
    assert_eq!(late.not_after(), datetime!(2150-01-01 0:00 UTC));
    // Sub-second times are truncated, other offsets converted to UTC.
    let odd = pki::issue_root(
        &k,
        "Odd",
        datetime!(2026-01-01 08:00:00.75 +08:00),
        datetime!(2027-01-01 0:00 UTC),
    )
    .unwrap();
    assert_eq!(odd.not_before(), datetime!(2026-01-01 0:00 UTC));
}

// ------------------------------------------------------------------------------------------
// The path cache
// ------------------------------------------------------------------------------------------

#[test]
fn the_path_cache_returns_the_same_result_within_the_window_only() {
    let r = root(Algorithm::Ed25519, "Root");
    let i = intermediate(&r, Algorithm::P256, "Intermediate");
    let s = signer_under(&i, Algorithm::Ed25519, Some(&types()));
    let a = anchors(&[&r]);
    let inter = std::slice::from_ref(&i.cert);
    let cache = PathCache::new();
    let direct = validate_signer(&a, &s.cert, inter, T0).unwrap();
    assert_eq!(
        *cache.validate_cached(&a, &s.cert, inter, T0).unwrap(),
        direct
    );
    assert_eq!(cache.len(), 1);
    assert_eq!(cache.hits(), 0);
    for d in [0, 1, 100, 364] {
        let at = T0 + Duration::days(d);
        assert_eq!(
            *cache.validate_cached(&a, &s.cert, inter, at).unwrap(),
            direct
        );
    }
    assert_eq!(cache.hits(), 4);

    // Outside the window: validated again, and refused.
    let late = s.cert.not_after() + Duration::seconds(1);
    assert_eq!(
        code_of(cache.validate_cached(&a, &s.cert, inter, late)),
        ErrorCode::CertExpired
    );
    let early = s.cert.not_before() - Duration::seconds(1);
    assert_eq!(
        code_of(cache.validate_cached(&a, &s.cert, inter, early)),
        ErrorCode::CertNotYetValid
    );
    assert_eq!(cache.hits(), 4);

    // The intermediate is needed again: a cached path is not served without it.
    assert_eq!(
        code_of(cache.validate_cached(&a, &s.cert, &[], T0)),
        ErrorCode::CertUntrusted
    );
    // Other anchors, another entry; failures are not cached.
    let other = anchors(&[&root(Algorithm::Ed25519, "Other")]);
    assert_eq!(
        code_of(cache.validate_cached(&other, &s.cert, inter, T0)),
        ErrorCode::CertUntrusted
    );
    assert_eq!(cache.len(), 1);
    cache.clear();
    assert!(cache.is_empty());
}

#[test]
fn the_path_cache_window_is_the_whole_paths() {
    // The intermediate ends before the signer: the cached entry must stop there.
    let r = root(Algorithm::Ed25519, "Root");
    let ik = key(Algorithm::Ed25519);
    let i = pki::issue_intermediate(
        &r.cert,
        &r.key,
        &ik.public_key(),
        "Short CA",
        T0 - Duration::days(1),
        T0 + Duration::days(30),
    )
    .unwrap();
    let ica = Ca { key: ik, cert: i };
    let s = signer_under(&ica, Algorithm::Ed25519, None);
    let a = anchors(&[&r]);
    let cache = PathCache::with_capacity(2);
    let inter = std::slice::from_ref(&ica.cert);
    assert!(cache.validate_cached(&a, &s.cert, inter, T0).is_ok());
    let e = cache
        .validate_cached(&a, &s.cert, inter, T0 + Duration::days(31))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertExpired);
    assert!(e.to_string().contains("Short CA"), "{e}");
    assert_eq!(cache.hits(), 0);
}

#[test]
fn the_path_cache_is_shared_between_threads() {
    let r = root(Algorithm::Ed25519, "Root");
    let s = signer_under(&r, Algorithm::P256, None);
    let a = anchors(&[&r]);
    let cache = PathCache::with_capacity(1);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..50 {
                    cache.validate_cached(&a, &s.cert, &[], T0).unwrap();
                }
            });
        }
    });
    assert!(cache.hits() >= 196 - 4);
    // A second signer in a cache of one: the cache starts over, results stay right.
    let s2 = signer_under(&r, Algorithm::Ed25519, None);
    assert!(cache.validate_cached(&a, &s2.cert, &[], T0).is_ok());
    assert_eq!(cache.len(), 1);
    assert!(cache.validate_cached(&a, &s.cert, &[], T0).is_ok());
}

// ------------------------------------------------------------------------------------------
// The key store
// ------------------------------------------------------------------------------------------

fn mode(p: &std::path::Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn saved_keys_are_owner_only_and_load_back() {
    let dir = tempfile::tempdir().unwrap();
    for alg in ALGS {
        let k = key(alg);
        let p = dir.path().join(format!("{alg}.key"));
        keystore::save_key(&p, &k).unwrap();
        assert_eq!(mode(&p), 0o600);
        assert_eq!(keystore::load_key(&p).unwrap().public_key(), k.public_key());
        // Never overwritten.
        let e = keystore::save_key(&p, &key(alg)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::KeyIo);
        assert_eq!(keystore::load_key(&p).unwrap().public_key(), k.public_key());
    }
    // No temporary file left behind.
    for entry in fs::read_dir(dir.path()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(name.ends_with(".key") && !name.starts_with('.'), "{name}");
    }
}

#[test]
fn key_files_others_can_read_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("k.key");
    keystore::save_key(&p, &key(Algorithm::Ed25519)).unwrap();
    for bad in [0o644, 0o640, 0o604, 0o660, 0o602] {
        fs::set_permissions(&p, fs::Permissions::from_mode(bad)).unwrap();
        let e = keystore::load_key(&p).unwrap_err();
        assert_eq!(e.code(), ErrorCode::KeyPermissions, "{bad:o}");
        assert!(e.to_string().contains("k.key"), "{e}");
    }
    fs::set_permissions(&p, fs::Permissions::from_mode(0o400)).unwrap();
    assert!(keystore::load_key(&p).is_ok());
    // I/O and content errors name the path.
    let e = keystore::load_key(&dir.path().join("missing.key")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::KeyIo);
    assert!(e.to_string().contains("missing.key"), "{e}");
    let garbage = dir.path().join("garbage.key");
    fs::write(&garbage, "not a key").unwrap();
    fs::set_permissions(&garbage, fs::Permissions::from_mode(0o600)).unwrap();
    let e = keystore::load_key(&garbage).unwrap_err();
    assert_eq!(e.code(), ErrorCode::KeyMalformed);
    assert!(e.to_string().contains("garbage.key"), "{e}");
    assert_eq!(
        keystore::load_key(dir.path()).unwrap_err().code(),
        ErrorCode::KeyIo
    );
}

#[test]
fn an_authority_is_made_extended_and_rotated() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("authority");
    let code = dept_code();
    let auth = AuthorityDir::init(
        &dir,
        "浙江省电子证照根CA",
        "浙江省市场监督管理局",
        &code,
        Some(types()),
        Algorithm::Ed25519,
        2,
    )
    .unwrap();
    assert_eq!(mode(&dir.join("root.key")), 0o600);
    assert!(dir.join("root.pem").is_file());
    let first_key = dir.join("signers").join(code.as_ref()).join("1.key");
    assert_eq!(mode(&first_key), 0o600);
    assert!(dir
        .join("signers")
        .join(code.as_ref())
        .join("1.pem")
        .is_file());

    let now = OffsetDateTime::now_utc();
    let anchors = TrustAnchors::from_pem(&fs::read(dir.join("root.pem")).unwrap()).unwrap();
    assert_eq!(anchors.certificates()[0], *auth.root_certificate());
    let (k1, c1) = auth.load_signer(&code).unwrap();
    let v = validate_signer(&anchors, &c1, &[], now).unwrap();
    assert_eq!(v.department_code, code);
    assert_eq!(v.allowed_types, Some(types()));
    assert_eq!(v.public_key, k1.public_key());

    // Rotation: a second certificate for the same department, with a P-256 key.
    let opened = AuthorityDir::open(&dir).unwrap();
    let e2 = opened
        .add_signer("浙江省市场监督管理局", &code, None, Algorithm::P256, 1)
        .unwrap();
    assert_eq!(e2.number, 2);
    assert_eq!(mode(&e2.key_path), 0o600);
    // Another department.
    let other = Uscc::parse("11100000000013338W").unwrap();
    let e3 = opened
        .add_signer("国家市场监督管理总局", &other, None, Algorithm::Ed25519, 5)
        .unwrap();
    assert_eq!(e3.number, 1);

    let signers = opened.signers().unwrap();
    assert_eq!(signers.len(), 3);
    let ours: Vec<_> = signers.iter().filter(|(c, _, _)| *c == code).collect();
    assert_eq!(ours.len(), 2);
    // Both of the department's certificates are valid now, with overlapping periods.
    for (_, cert, key_path) in &ours {
        let v = validate_signer(&anchors, cert, &[], now).unwrap();
        assert_eq!(v.department_code, code);
        let k = keystore::load_key(key_path).unwrap();
        assert_eq!(k.public_key(), v.public_key);
    }
    // The newest signs from now on.
    let (k, c) = opened.load_signer(&code).unwrap();
    assert_eq!(c, e2.certificate);
    assert_eq!(k.algorithm(), Algorithm::P256);
    // Before the second existed, and after it ended, the first one.
    let (_, c_late) = opened
        .load_signer_at(&code, e2.certificate.not_after() + Duration::days(1))
        .unwrap();
    assert_eq!(c_late, c1);
    // Nothing valid at all / unknown department: a clear key-store error.
    let far = c1.not_after() + Duration::days(1);
    assert_eq!(
        opened.load_signer_at(&code, far).unwrap_err().code(),
        ErrorCode::KeyIo
    );
    let unknown = Uscc::parse("11220000013544541J").unwrap();
    assert_eq!(
        opened.load_signer(&unknown).unwrap_err().code(),
        ErrorCode::KeyIo
    );

    // The folder is not initialised twice.
    let again = AuthorityDir::init(&dir, "R", "D", &code, None, Algorithm::Ed25519, 1).unwrap_err();
    assert_eq!(again.code(), ErrorCode::KeyIo);
    // A root key others can read stops add-signer.
    fs::set_permissions(dir.join("root.key"), fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(
        opened
            .add_signer("D", &code, None, Algorithm::Ed25519, 1)
            .unwrap_err()
            .code(),
        ErrorCode::KeyPermissions
    );
}

#[test]
fn a_failed_init_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let code = dept_code();
    // An empty department name fails after the folder was made: the folder goes again.
    let dir = tmp.path().join("a");
    let e = AuthorityDir::init(&dir, "Root", "", &code, None, Algorithm::Ed25519, 1).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertMalformed);
    assert!(!dir.exists());
    // An empty existing folder stays, and stays empty.
    let empty = tmp.path().join("b");
    fs::create_dir(&empty).unwrap();
    assert!(AuthorityDir::init(&empty, "", "D", &code, None, Algorithm::P256, 1).is_err());
    assert_eq!(fs::read_dir(&empty).unwrap().count(), 0);
    assert_eq!(
        AuthorityDir::init(&empty, "R", "D", &code, None, Algorithm::P256, 0)
            .unwrap_err()
            .code(),
        ErrorCode::CertMalformed
    );
    // A folder that is not an authority.
    assert_eq!(
        AuthorityDir::open(&empty).unwrap_err().code(),
        ErrorCode::KeyIo
    );
}

// ------------------------------------------------------------------------------------------
// Interoperability (when OpenSSL is installed)
// ------------------------------------------------------------------------------------------

fn openssl(args: &[&str]) -> Option<std::process::Output> {
    std::process::Command::new("openssl")
        .args(args)
        .output()
        .ok()
}

#[test]
fn openssl_reads_our_keys_and_certificates_and_we_read_its_keys() {
    if !openssl(&["version"]).is_some_and(|o| o.status.success()) {
        eprintln!("openssl not installed: skipped");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let p = |name: &str| tmp.path().join(name).to_str().unwrap().to_owned();
    for root_alg in ALGS {
        for signer_alg in ALGS {
            let r = root(root_alg, "浙江省电子证照根CA");
            let s = signer_under(&r, signer_alg, Some(&types()));
            let tag = format!("{root_alg}-{signer_alg}");
            fs::write(p(&format!("root-{tag}.pem")), r.cert.to_pem()).unwrap();
            fs::write(p(&format!("signer-{tag}.pem")), s.cert.to_pem()).unwrap();
            let out = openssl(&[
                "verify",
                "-no_check_time",
                "-CAfile",
                &p(&format!("root-{tag}.pem")),
                &p(&format!("signer-{tag}.pem")),
            ])
            .unwrap();
            assert!(
                out.status.success(),
                "{tag}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let k = key(root_alg);
        let path = p(&format!("{root_alg}.key"));
        keystore::save_key(std::path::Path::new(&path), &k).unwrap();
        let out = openssl(&["pkey", "-in", &path, "-pubout"]).unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let spki = pem::parse(&out.stdout).unwrap();
        assert_eq!(
            PublicKey::from_spki_der(spki.contents()).unwrap(),
            k.public_key()
        );
    }
    // Keys OpenSSL makes, we read.
    for (name, args) in [
        ("ed.key", vec!["genpkey", "-algorithm", "ed25519"]),
        (
            "ec.key",
            vec![
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
            ],
        ),
    ] {
        let out = openssl(&args).unwrap();
        assert!(out.status.success());
        let k = SigningKey::from_pkcs8_pem(&out.stdout).unwrap_or_else(|e| panic!("{name}: {e}"));
        let sig = k.sign(b"m").unwrap();
        assert!(k.public_key().verify(b"m", &sig));
    }
    // A P-384 key is named as unsupported.
    let out = openssl(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-384",
    ])
    .unwrap();
    assert_eq!(
        SigningKey::from_pkcs8_pem(&out.stdout).unwrap_err().code(),
        ErrorCode::KeyAlgorithm
    );
}
