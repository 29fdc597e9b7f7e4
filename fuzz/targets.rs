#![allow(dead_code)] // each fuzz binary uses one target; the replay test uses them all
//! The fuzz targets' bodies, shared by the cargo-fuzz binaries (`fuzz_targets/*.rs`) and by the
//! corpus replay test of zhengzhao-core (`tests/fuzz_corpus.rs`), so that CI on stable Rust runs
//! every corpus file through exactly the code the fuzzers exercise. Each body must never panic;
//! where a parser accepts, it also checks a property that must hold.

use std::sync::LazyLock;

use zhengzhao_core::catalog::Catalog;
use zhengzhao_core::codes::{AreaCode, HolderCodeType, IdNumber, Uscc};
use zhengzhao_core::identifier::{LicenceId, Strictness};
use zhengzhao_core::licence::Licence;
use zhengzhao_core::pki::{Certificate, TrustAnchors};
use zhengzhao_core::verify::{Context, Verifier};
use zhengzhao_core::{bundle, jcs, statuslist, validate};

/// Every target, by name (the corpus folder of each is `fuzz/corpus/<name>/`).
pub const TARGETS: &[(&str, fn(&[u8]))] = &[
    ("identifier", identifier),
    ("codes", codes),
    ("licence_json", licence_json),
    ("jcs", jcs_canonical),
    ("certificate", certificate),
    ("statuslist", status_list),
    ("verify", verify_document),
    ("bundle", verify_bundle),
];

/// Identifiers: parsing never panics, and what parses prints back as it was written.
pub fn identifier(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    for mode in [Strictness::Strict, Strictness::Lenient] {
        if let Ok(id) = LicenceId::parse_with(s, mode) {
            assert_eq!(id.to_string(), s);
            assert!(
                LicenceId::parse_with(s, Strictness::Lenient).is_ok(),
                "lenient accepts what strict accepts"
            );
        }
    }
}

/// 统一社会信用代码, 公民身份号码, 行政区划代码, holder code types.
pub fn codes(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(u) = Uscc::parse(s) {
        assert!(u.is_check_valid());
    }
    let _ = Uscc::parse_legacy(s);
    if let Ok(n) = IdNumber::parse(s) {
        assert_eq!(
            IdNumber::parse(n.as_ref()).unwrap(),
            n,
            "normalised numbers parse to themselves"
        );
    }
    let _ = AreaCode::parse(s);
    let _ = HolderCodeType::from_name_or_code(s);
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(Catalog::builtin);

/// Licence JSON and its validation against the catalogue; what reads, writes back the same.
pub fn licence_json(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(l) = Licence::from_json(s) {
        assert_eq!(Licence::from_json(&l.to_json()).unwrap(), l);
        let _ = validate::validate(&CATALOG, &l);
    }
}

/// RFC 8785: canonical output is canonical (canonicalising it again changes nothing).
pub fn jcs_canonical(data: &[u8]) {
    if let Ok(c) = jcs::canonicalize(data) {
        assert_eq!(jcs::canonicalize(&c).unwrap(), c);
    }
}

/// Certificates in DER and PEM, and trust anchors made of them.
pub fn certificate(data: &[u8]) {
    if let Ok(c) = Certificate::from_der(data) {
        assert_eq!(c.der(), data);
        let _ = TrustAnchors::new(vec![c]);
    }
    let _ = Certificate::parse_pem_bundle(data);
}

/// Status lists: `encodedList` text.
pub fn status_list(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(list) = statuslist::StatusList::decode(s) {
        let _ = list.get(list.len() - 1);
        assert!(list.get(list.len()).is_err());
    }
}

static VERIFIER: LazyLock<Verifier> = LazyLock::new(|| {
    let root =
        Certificate::from_pem(include_bytes!("corpus-root.pem")).expect("the corpus root parses");
    Verifier::new(TrustAnchors::new(vec![root]).expect("the corpus root is a CA"))
});

fn context() -> Context<'static> {
    Context {
        at: time::macros::datetime!(2027-06-01 12:00 UTC),
        certificates: &[],
        status_lists: &[],
    }
}

/// A licence document through every check: a report, never a panic; a failure always has a code.
pub fn verify_document(data: &[u8]) {
    let r = VERIFIER.verify(data, &context());
    assert_eq!(r.valid, r.code.is_none());
}

/// A bundle through the whole bundle verification.
pub fn verify_bundle(data: &[u8]) {
    if let Ok(report) = bundle::verify(&VERIFIER, data, context().at) {
        assert_eq!(
            report.valid,
            report.licences.iter().all(|r| r.valid) && report.status_lists.iter().all(|l| l.valid)
        );
    }
}
