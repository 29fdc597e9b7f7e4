//! Signing licences and verifying them offline: the good path for both suites, and every way a
//! licence can be wrong, each with its own stable code.

use serde_json::Value;
use time::macros::datetime;
use time::OffsetDateTime;
use zhengzhao_core::bundle::{self, Bundle};
use zhengzhao_core::codes::Uscc;
use zhengzhao_core::credential::{self, StatusEntry};
use zhengzhao_core::identifier::TypeCode;
use zhengzhao_core::keys::{Algorithm, SigningKey};
use zhengzhao_core::licence::{Licence, Validity};
use zhengzhao_core::pki::{self, Certificate, TrustAnchors};
use zhengzhao_core::status::Status;
use zhengzhao_core::statuslist::StatusList;
use zhengzhao_core::verify::{Context, Outcome, Report, Verifier};
use zhengzhao_core::ErrorCode;

const ISSUER: &str = "11330106MB1742305K";
const BUSINESS_LICENCE: &str = "11100000MB0143028R001";
const NOW: OffsetDateTime = datetime!(2025-06-01 12:00 UTC);

struct Pki {
    root: Certificate,
    root_key: SigningKey,
    signer: Certificate,
    key: SigningKey,
}

fn pki(alg: Algorithm) -> Pki {
    let root_key = SigningKey::generate(alg).unwrap();
    let root = pki::issue_root(
        &root_key,
        "浙江省电子证照根CA",
        datetime!(2020-01-01 0:00 UTC),
        datetime!(2040-01-01 0:00 UTC),
    )
    .unwrap();
    let key = SigningKey::generate(alg).unwrap();
    let signer = signer_cert(
        &root,
        &root_key,
        &key,
        ISSUER,
        Some(&[BUSINESS_LICENCE]),
        datetime!(2021-01-01 0:00 UTC),
        datetime!(2030-01-01 0:00 UTC),
    );
    Pki {
        root,
        root_key,
        signer,
        key,
    }
}

fn signer_cert(
    root: &Certificate,
    root_key: &SigningKey,
    key: &SigningKey,
    uscc: &str,
    types: Option<&[&str]>,
    from: OffsetDateTime,
    until: OffsetDateTime,
) -> Certificate {
    let types: Option<Vec<TypeCode>> =
        types.map(|t| t.iter().map(|c| TypeCode::parse(c).unwrap()).collect());
    pki::issue_signer(
        root,
        root_key,
        &key.public_key(),
        "杭州市西湖区市场监督管理局",
        &Uscc::parse(uscc).unwrap(),
        types.as_deref(),
        from,
        until,
    )
    .unwrap()
}

fn licence() -> Licence {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../test-vectors/licences/business-licence.json"
    );
    Licence::from_json(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn sign(
    l: &Licence,
    key: &SigningKey,
    cert: &Certificate,
    status: Option<&StatusEntry>,
) -> Vec<u8> {
    credential::sign(
        l,
        status,
        key,
        &cert.fingerprint(),
        datetime!(2024-03-18 02:00 UTC),
    )
    .unwrap()
}

fn verifier(p: &Pki) -> Verifier {
    let mut v = Verifier::new(TrustAnchors::new(vec![p.root.clone()]).unwrap());
    v.add_certificate(p.signer.clone());
    v
}

fn at(t: OffsetDateTime) -> Context<'static> {
    Context {
        at: t,
        certificates: &[],
        status_lists: &[],
    }
}

fn code(r: &Report) -> Option<ErrorCode> {
    r.code
}

#[test]
fn a_signed_licence_verifies_with_both_suites() {
    for alg in [Algorithm::Ed25519, Algorithm::P256] {
        let p = pki(alg);
        let doc = sign(&licence(), &p.key, &p.signer, None);
        let r = verifier(&p).verify(&doc, &at(NOW));
        assert!(r.valid, "{alg}: {r:?}");
        assert_eq!(r.id.as_deref(), Some(licence().id.as_ref()));
        for c in &r.checks {
            let expected = if c.name == "status" {
                Outcome::Skipped
            } else {
                Outcome::Passed
            };
            assert_eq!(c.outcome, expected, "{alg}: {c:?}");
        }
        let v: Value = serde_json::from_slice(&doc).unwrap();
        let suite = if alg == Algorithm::Ed25519 {
            "eddsa-jcs-2022"
        } else {
            "ecdsa-jcs-2019"
        };
        assert_eq!(v["proof"]["cryptosuite"], suite);
    }
}

/// Every leaf of the signed document, changed, makes the document invalid with the code of
/// the part it belongs to.
#[test]
fn every_field_changed_is_caught() {
    let p = pki(Algorithm::Ed25519);
    let v = verifier(&p);
    let doc: Value = serde_json::from_slice(&sign(&licence(), &p.key, &p.signer, None)).unwrap();
    let mut leaves = Vec::new();
    collect_leaves(&doc, String::new(), &mut leaves);
    assert!(leaves.len() > 30, "{}", leaves.len());
    for path in leaves {
        let mut changed = doc.clone();
        let leaf = changed.pointer_mut(&path).unwrap();
        *leaf = match leaf.take() {
            Value::String(s) if path.ends_with("/code") || path.ends_with("TYSHXYDM") => {
                Value::String(s.replace('B', "C"))
            }
            Value::String(s)
                if path.ends_with("_on") || path.contains("validity") || path.ends_with("RQ") =>
            {
                Value::String(s.replace("-18", "-19"))
            }
            Value::String(s) => Value::String(format!("{s}X")),
            Value::Number(n) => Value::from(n.as_u64().unwrap_or(0) + 1),
            Value::Bool(b) => Value::Bool(!b),
            Value::Null => Value::from("2030-01-01"),
            other => other,
        };
        let r = v.verify(&serde_json::to_vec(&changed).unwrap(), &at(NOW));
        assert!(!r.valid, "{path} changed but still valid");
        let expected = match path.as_str() {
            "/credentialSubject/id" | "/credentialSubject/previous" => Some(ErrorCode::IdCheck),
            "/@context/0" | "/type/0" | "/type/1" | "/id" | "/issuer/id" | "/validFrom" => {
                Some(ErrorCode::DocumentShape)
            }
            "/credentialSubject/issuer/code"
            | "/credentialSubject/validity/from"
            | "/credentialSubject/validity/until" => Some(ErrorCode::DocumentShape),
            "/credentialSubject/holders/0/code_type"
            | "/credentialSubject/area"
            | "/credentialSubject/status" => Some(ErrorCode::DocumentShape),
            "/credentialSubject/issued_on" => Some(ErrorCode::SignatureInvalid),
            "/proof/type" | "/proof/cryptosuite" => Some(ErrorCode::ProofCryptosuite),
            "/proof/proofPurpose" => Some(ErrorCode::ProofPurpose),
            "/proof/verificationMethod" => Some(ErrorCode::VerificationMethod),
            "/proof/@context/0" | "/proof/@context/1" | "/@context/1" => {
                Some(ErrorCode::ProofMissing)
            }
            _ => Some(ErrorCode::SignatureInvalid),
        };
        if path == "/proof/proofValue" {
            // One more base58 character usually overflows 64 bytes (a malformed value) but,
            // for a signature with small leading bytes, still decodes to 64 (a wrong signature).
            let c = code(&r);
            assert!(
                c == Some(ErrorCode::ProofValue) || c == Some(ErrorCode::SignatureInvalid),
                "{path}: {c:?}"
            );
            continue;
        }
        assert_eq!(code(&r), expected, "{path}: {:?}", r.message);
    }
}

fn collect_leaves(v: &Value, path: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, v)| {
            collect_leaves(
                v,
                format!("{path}/{}", k.replace('~', "~0").replace('/', "~1")),
                out,
            )
        }),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, v)| collect_leaves(v, format!("{path}/{i}"), out)),
        _ => out.push(path),
    }
}

#[test]
fn signature_malleation_truncation_and_other_keys() {
    let p = pki(Algorithm::Ed25519);
    let v = verifier(&p);
    let doc: Value = serde_json::from_slice(&sign(&licence(), &p.key, &p.signer, None)).unwrap();
    let sig = zhengzhao_core::proof::decode_multibase_base58btc(
        doc["proof"]["proofValue"].as_str().unwrap(),
    )
    .unwrap();
    let with_value = |pv: String| {
        let mut d = doc.clone();
        d["proof"]["proofValue"] = pv.into();
        v.verify(&serde_json::to_vec(&d).unwrap(), &at(NOW))
    };
    // S + L (if it still fits in 256 bits) is refused; so is any S with the top bits set.
    let mut malleated = sig.clone();
    add_l(&mut malleated[32..]);
    assert_eq!(
        code(&with_value(zhengzhao_core::proof::multibase_base58btc(
            &malleated
        ))),
        Some(ErrorCode::SignatureInvalid)
    );
    assert_eq!(
        code(&with_value(zhengzhao_core::proof::multibase_base58btc(
            &sig[..40]
        ))),
        Some(ErrorCode::ProofValue)
    );
    assert_eq!(
        code(&with_value(hex::encode(&sig))),
        Some(ErrorCode::ProofValue),
        "not multibase"
    );
    assert_eq!(code(&with_value("z".into())), Some(ErrorCode::ProofValue));

    // Signed by another key under the same certificate name.
    let other = SigningKey::generate(Algorithm::Ed25519).unwrap();
    let forged = sign(&licence(), &other, &p.signer, None);
    assert_eq!(
        code(&v.verify(&forged, &at(NOW))),
        Some(ErrorCode::SignatureInvalid)
    );
}

fn add_l(s: &mut [u8]) {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut carry = 0u16;
    for i in 0..32 {
        let v = s[i] as u16 + L[i] as u16 + carry;
        s[i] = v as u8;
        carry = v >> 8;
    }
}

#[test]
fn certificate_problems_each_have_their_code() {
    let p = pki(Algorithm::Ed25519);
    let doc = sign(&licence(), &p.key, &p.signer, None);
    let v = verifier(&p);
    assert_eq!(
        code(&v.verify(&doc, &at(datetime!(2031-01-01 0:00 UTC)))),
        Some(ErrorCode::CertExpired)
    );
    assert_eq!(
        code(&v.verify(&doc, &at(datetime!(2020-06-01 0:00 UTC)))),
        Some(ErrorCode::CertNotYetValid)
    );

    // Another province's root.
    let other = pki(Algorithm::Ed25519);
    let mut v2 = Verifier::new(TrustAnchors::new(vec![other.root.clone()]).unwrap());
    v2.add_certificate(p.signer.clone());
    assert_eq!(
        code(&v2.verify(&doc, &at(NOW))),
        Some(ErrorCode::CertUntrusted)
    );

    // The certificate is not known at all.
    let bare = Verifier::new(TrustAnchors::new(vec![p.root.clone()]).unwrap());
    assert_eq!(
        code(&bare.verify(&doc, &at(NOW))),
        Some(ErrorCode::VerificationMethod)
    );
    // …but a bundle's certificates are used.
    let certs = [p.signer.clone()];
    assert!(
        bare.verify(
            &doc,
            &Context {
                at: NOW,
                certificates: &certs,
                status_lists: &[]
            }
        )
        .valid
    );

    // A certificate bound to another department.
    let key = SigningKey::generate(Algorithm::Ed25519).unwrap();
    let elsewhere = signer_cert(
        &p.root,
        &p.root_key,
        &key,
        "11330106MB1742306N",
        None,
        datetime!(2021-01-01 0:00 UTC),
        datetime!(2030-01-01 0:00 UTC),
    );
    let doc2 = sign(&licence(), &key, &elsewhere, None);
    let certs = [elsewhere];
    let r = bare.verify(
        &doc2,
        &Context {
            at: NOW,
            certificates: &certs,
            status_lists: &[],
        },
    );
    assert_eq!(code(&r), Some(ErrorCode::CertNameBinding), "{r:?}");

    // A certificate not allowed to sign 营业执照.
    let key = SigningKey::generate(Algorithm::Ed25519).unwrap();
    let food_only = signer_cert(
        &p.root,
        &p.root_key,
        &key,
        ISSUER,
        Some(&["11100000MB0143028R101"]),
        datetime!(2021-01-01 0:00 UTC),
        datetime!(2030-01-01 0:00 UTC),
    );
    let doc3 = sign(&licence(), &key, &food_only, None);
    let certs = [food_only];
    assert_eq!(
        code(&bare.verify(
            &doc3,
            &Context {
                at: NOW,
                certificates: &certs,
                status_lists: &[]
            }
        )),
        Some(ErrorCode::CertTypeNotAllowed)
    );

    // A P-256 certificate named by an Ed25519 proof.
    let p256 = SigningKey::generate(Algorithm::P256).unwrap();
    let p256_cert = signer_cert(
        &p.root,
        &p.root_key,
        &p256,
        ISSUER,
        None,
        datetime!(2021-01-01 0:00 UTC),
        datetime!(2030-01-01 0:00 UTC),
    );
    let mut d: Value = serde_json::from_slice(&doc).unwrap();
    d["proof"]["verificationMethod"] =
        credential::certificate_method(&p256_cert.fingerprint()).into();
    let certs = [p256_cert];
    let r = bare.verify(
        &serde_json::to_vec(&d).unwrap(),
        &Context {
            at: NOW,
            certificates: &certs,
            status_lists: &[],
        },
    );
    assert_eq!(code(&r), Some(ErrorCode::CertAlgorithm));
}

#[test]
fn licence_validity_identifier_and_schema() {
    let p = pki(Algorithm::Ed25519);
    let v = verifier(&p);
    let mut l = licence();
    l.validity = Validity::period(
        time::macros::date!(2024 - 03 - 18),
        time::macros::date!(2025 - 03 - 17),
    );
    let doc = sign(&l, &p.key, &p.signer, None);
    assert!(
        v.verify(&doc, &at(datetime!(2025-03-17 15:59 UTC))).valid,
        "23:59 in Beijing on the last day"
    );
    assert_eq!(
        code(&v.verify(&doc, &at(datetime!(2025-03-17 16:00 UTC)))),
        Some(ErrorCode::LicenceExpired),
        "00:00 the next day in Beijing"
    );
    assert_eq!(
        code(&v.verify(&doc, &at(datetime!(2024-03-17 12:00 UTC)))),
        Some(ErrorCode::LicenceNotYetValid)
    );

    // A wrong check character, however the document was made.
    let mut d: Value = serde_json::from_slice(&sign(&licence(), &p.key, &p.signer, None)).unwrap();
    let id = d["credentialSubject"]["id"].as_str().unwrap().to_owned();
    let bad = format!(
        "{}{}",
        &id[..id.len() - 1],
        if id.ends_with('A') { 'B' } else { 'A' }
    );
    d["credentialSubject"]["id"] = bad.clone().into();
    d["id"] = credential::licence_urn(&bad).into();
    let r = v.verify(&serde_json::to_vec(&d).unwrap(), &at(NOW));
    assert_eq!(code(&r), Some(ErrorCode::IdCheck));
    assert!(r.message.unwrap().contains("expected"));

    // Data that does not satisfy its type, signed anyway: the signature holds, the schema fails.
    let mut l = licence();
    l.fields.remove("FDDBR");
    let r = v.verify(&sign(&l, &p.key, &p.signer, None), &at(NOW));
    assert_eq!(code(&r), Some(ErrorCode::SchemaViolation));
    assert_eq!(r.check("signature").unwrap().outcome, Outcome::Passed);
}

#[test]
fn garbage_and_truncated_input_never_panic() {
    let p = pki(Algorithm::Ed25519);
    let v = verifier(&p);
    let doc = sign(&licence(), &p.key, &p.signer, None);
    for n in 0..doc.len() {
        let r = v.verify(&doc[..n], &at(NOW));
        assert!(!r.valid);
        assert!(r.code.is_some());
        assert_eq!(r.checks.len(), 10, "every check is reported");
    }
    for garbage in [
        &b""[..],
        b"\xff\xfe",
        b"null",
        b"[]",
        b"{}",
        b"{\"proof\":{}}",
        b"\"licence\"",
        b"{\"a\":1,\"a\":1}",
    ] {
        let r = v.verify(garbage, &at(NOW));
        assert!(!r.valid);
    }
}

#[test]
fn batches_agree_with_single_verification() {
    let p = pki(Algorithm::Ed25519);
    let q = pki(Algorithm::P256);
    let mut v = verifier(&p);
    v.add_certificate(q.signer.clone());
    let v = Verifier::new(TrustAnchors::new(vec![p.root.clone(), q.root.clone()]).unwrap());
    let certs = [p.signer.clone(), q.signer.clone()];
    let ctx = Context {
        at: NOW,
        certificates: &certs,
        status_lists: &[],
    };
    let mut docs = Vec::new();
    for i in 0..80 {
        let (key, cert) = if i % 5 == 0 {
            (&q.key, &q.signer)
        } else {
            (&p.key, &p.signer)
        };
        let mut d: Value = serde_json::from_slice(&sign(&licence(), key, cert, None)).unwrap();
        if i % 13 == 7 {
            d["credentialSubject"]["fields"]["FDDBR"] = "李四".into();
        }
        docs.push(serde_json::to_vec(&d).unwrap());
    }
    let refs: Vec<&[u8]> = docs.iter().map(Vec::as_slice).collect();
    let batch = v.verify_many(&refs, &ctx);
    for (i, d) in docs.iter().enumerate() {
        let single = v.verify(d, &ctx);
        assert_eq!(batch[i], single, "document {i}");
        assert_eq!(single.valid, i % 13 != 7, "document {i}");
    }
}

#[test]
fn bundles_carry_certificates_and_status_lists() {
    let p = pki(Algorithm::Ed25519);
    let list_id = format!("urn:zz:statuslist:{ISSUER}:1");
    let good = sign(
        &licence(),
        &p.key,
        &p.signer,
        Some(&StatusEntry {
            list: list_id.clone(),
            index: 17,
        }),
    );
    let mut l2 = licence();
    l2.id = l2.id.with_version(2).unwrap();
    let revoked = sign(
        &l2,
        &p.key,
        &p.signer,
        Some(&StatusEntry {
            list: list_id.clone(),
            index: 18,
        }),
    );
    let mut list = StatusList::new(StatusList::MIN_ENTRIES).unwrap();
    list.set(18, Status::Revoked).unwrap();
    let list_doc = list.to_credential(
        &list_id,
        &format!("urn:zz:org:{ISSUER}"),
        "2025-05-31T00:00:00Z",
    );
    let method = credential::certificate_method(&p.signer.fingerprint());
    let options = zhengzhao_core::proof::ProofOptions {
        suite: &zhengzhao_core::cryptosuite::EDDSA_JCS_2022,
        verification_method: &method,
        created: None,
    };
    let signed_list = zhengzhao_core::proof::sign(list_doc, options, &p.key).unwrap();

    let b = Bundle {
        licences: vec![
            serde_json::from_slice(&good).unwrap(),
            serde_json::from_slice(&revoked).unwrap(),
        ],
        certificates: vec![p.signer.clone()],
        status_lists: vec![signed_list.clone()],
    };
    let bytes = b.to_json();
    let anchors_only = Verifier::new(TrustAnchors::new(vec![p.root.clone()]).unwrap());
    let report = bundle::verify(&anchors_only, &bytes, NOW).unwrap();
    assert!(report.status_lists[0].valid, "{:?}", report.status_lists);
    assert!(report.licences[0].valid, "{:?}", report.licences[0]);
    assert_eq!(
        report.licences[0].check("status").unwrap().outcome,
        Outcome::Passed
    );
    assert_eq!(report.licences[1].code, Some(ErrorCode::LicenceRevoked));
    assert!(!report.valid);

    // A tampered status list is refused, and licences are then checked without it.
    let mut tampered = signed_list;
    tampered["validFrom"] = "2025-06-01T00:00:00Z".into();
    let b2 = Bundle {
        status_lists: vec![tampered],
        ..b
    };
    let report = bundle::verify(&anchors_only, &b2.to_json(), NOW).unwrap();
    assert_eq!(report.status_lists[0].code.as_deref(), Some("ZZ-E-SIG-004"));
    assert_eq!(
        report.licences[1].check("status").unwrap().outcome,
        Outcome::Skipped
    );

    for bad in [
        &b""[..],
        b"{}",
        b"{\"type\":\"ZhengzhaoBundle\",\"version\":2}",
        b"{\"type\":\"ZhengzhaoBundle\",\"version\":1,\"certificates\":[\"x\"]}",
    ] {
        assert_eq!(
            zhengzhao_core::Coded::code(&bundle::verify(&anchors_only, bad, NOW).unwrap_err()),
            ErrorCode::Bundle
        );
    }
}
