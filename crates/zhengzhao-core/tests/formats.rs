//! The interchange formats: vc+jwt, the flat GB/T 36903 record and the QR payload. Round trips
//! of each, and every bad input with its own stable code.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Value};
use time::macros::{date, datetime};
use time::OffsetDateTime;
use zhengzhao_core::catalog::Catalog;
use zhengzhao_core::codes::{HolderCodeType, Uscc};
use zhengzhao_core::credential::{self, StatusEntry};
use zhengzhao_core::gbt36903::{self, Record};
use zhengzhao_core::identifier::TypeCode;
use zhengzhao_core::interchange::{self, Kind};
use zhengzhao_core::keys::{Algorithm, Signer, SigningKey};
use zhengzhao_core::licence::{Holder, Licence};
use zhengzhao_core::pki::{self, Certificate, TrustAnchors};
use zhengzhao_core::sample::Sampler;
use zhengzhao_core::verify::{Context, Outcome, Verifier};
use zhengzhao_core::{jcs, qr, vcjwt, Coded, ErrorCode};

const ISSUER: &str = "11330106MB1742305K";
const BUSINESS_LICENCE: &str = "11100000MB0143028R001";
const NOW: OffsetDateTime = datetime!(2025-06-01 12:00 UTC);

struct Pki {
    root: Certificate,
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
    let types = [TypeCode::parse(BUSINESS_LICENCE).unwrap()];
    let signer = pki::issue_signer(
        &root,
        &root_key,
        &key.public_key(),
        "杭州市西湖区市场监督管理局",
        &Uscc::parse(ISSUER).unwrap(),
        Some(&types[..]),
        datetime!(2021-01-01 0:00 UTC),
        datetime!(2030-01-01 0:00 UTC),
    )
    .unwrap();
    Pki { root, signer, key }
}

fn licence() -> Licence {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../test-vectors/licences/business-licence.json"
    );
    Licence::from_json(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn sign(l: &Licence, p: &Pki, status: Option<&StatusEntry>) -> Vec<u8> {
    credential::sign(
        l,
        status,
        &p.key,
        &p.signer.fingerprint(),
        datetime!(2024-03-18 02:00 UTC),
    )
    .unwrap()
}

fn verifier(p: &Pki) -> Verifier {
    Verifier::new(TrustAnchors::new(vec![p.root.clone()]).unwrap())
}

fn ctx() -> Context<'static> {
    Context {
        at: NOW,
        certificates: &[],
        status_lists: &[],
    }
}

fn token(p: &Pki) -> String {
    let doc: Value = serde_json::from_slice(&sign(&licence(), p, None)).unwrap();
    vcjwt::encode(&doc, &p.key, std::slice::from_ref(&p.signer)).unwrap()
}

/// A token made by hand: any header and payload, signed by `key`.
fn forge(header: &Value, payload: &Value, key: &dyn Signer) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    );
    let sig = key.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

fn parts(token: &str) -> (Value, Value) {
    let p = vcjwt::split(token).unwrap();
    (p.header, p.payload)
}

// ---- vc+jwt --------------------------------------------------------------------------------

#[test]
fn a_token_verifies_and_imports_with_both_algorithms() {
    for alg in [Algorithm::Ed25519, Algorithm::P256] {
        let p = pki(alg);
        let doc: Value = serde_json::from_slice(&sign(&licence(), &p, None)).unwrap();
        let t = vcjwt::encode(&doc, &p.key, std::slice::from_ref(&p.signer)).unwrap();
        let (header, payload) = parts(&t);
        let expected_alg = if alg == Algorithm::Ed25519 {
            "EdDSA"
        } else {
            "ES256"
        };
        assert_eq!(header["alg"], expected_alg);
        assert_eq!(header["typ"], "vc+jwt");
        assert_eq!(header["cty"], "vc");
        assert_eq!(header["kid"], doc["proof"]["verificationMethod"]);
        assert_eq!(header["x5c"][0], STANDARD.encode(p.signer.der()));
        assert!(payload.get("proof").is_none());

        let v = verifier(&p);
        let r = v.verify_jwt(&t, &ctx());
        assert!(r.valid, "{alg}: {r:?}");
        for c in &r.checks {
            let expected = if c.name == "status" {
                Outcome::Skipped
            } else {
                Outcome::Passed
            };
            assert_eq!(c.outcome, expected, "{alg}: {c:?}");
        }
        let imported = vcjwt::import(&v, &t, &ctx()).unwrap();
        assert_eq!(imported.licence, licence());
        assert_eq!(imported.status, None);
        assert_eq!(imported.credential, payload);
    }
}

#[test]
fn a_token_naming_its_certificate_by_kid_alone_uses_the_trust_store() {
    let p = pki(Algorithm::Ed25519);
    let (mut header, payload) = parts(&token(&p));
    header.as_object_mut().unwrap().remove("x5c");
    let t = forge(&header, &payload, &p.key);
    let mut v = verifier(&p);
    let r = v.verify_jwt(&t, &ctx());
    assert_eq!(r.code, Some(ErrorCode::VerificationMethod), "{r:?}");
    v.add_certificate(p.signer.clone());
    assert!(v.verify_jwt(&t, &ctx()).valid);
    // The bundle's certificates serve as well as the trust store's.
    let certs = [p.signer.clone()];
    let bundle_ctx = Context {
        certificates: &certs,
        ..ctx()
    };
    assert!(verifier(&p).verify_jwt(&t, &bundle_ctx).valid);
}

#[test]
fn tampered_payloads_and_other_keys_fail_the_signature() {
    let p = pki(Algorithm::Ed25519);
    let t = token(&p);
    let v = verifier(&p);
    // Another payload under the original header and signature.
    let (_, mut payload) = parts(&t);
    payload["credentialSubject"]["fields"]["ZCZB"] = "1000.5".into();
    let segs: Vec<&str> = t.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        segs[0],
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        segs[2]
    );
    let r = v.verify_jwt(&tampered, &ctx());
    assert_eq!(r.code, Some(ErrorCode::SignatureInvalid), "{r:?}");
    assert_eq!(
        vcjwt::import(&v, &tampered, &ctx()).unwrap_err().code(),
        ErrorCode::SignatureInvalid
    );
    // The right header and payload, signed by a key that is not the certificate's.
    let (header, payload) = parts(&t);
    let other = SigningKey::generate(Algorithm::Ed25519).unwrap();
    let r = v.verify_jwt(&forge(&header, &payload, &other), &ctx());
    assert_eq!(r.code, Some(ErrorCode::SignatureInvalid), "{r:?}");
    // A certificate of another root.
    let stranger = pki(Algorithm::Ed25519);
    let r = v.verify_jwt(&token(&stranger), &ctx());
    assert_eq!(r.code, Some(ErrorCode::CertUntrusted), "{r:?}");
}

#[test]
fn algorithms_none_unknown_and_mismatched_are_refused() {
    let p = pki(Algorithm::Ed25519);
    let v = verifier(&p);
    let (header, payload) = parts(&token(&p));
    for alg in ["none", "None", "HS256", "RS256"] {
        let mut h = header.clone();
        h["alg"] = alg.into();
        let unsigned = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(h.to_string()),
            URL_SAFE_NO_PAD.encode(payload.to_string())
        );
        let r = v.verify_jwt(&unsigned, &ctx());
        assert_eq!(r.code, Some(ErrorCode::JwtAlgorithm), "{alg}: {r:?}");
        assert_eq!(r.check("proof").unwrap().outcome, Outcome::Failed);
    }
    // ES256 claimed for an Ed25519 certificate: the key decides, not the header.
    let mut h = header.clone();
    h["alg"] = "ES256".into();
    let r = v.verify_jwt(&forge(&h, &payload, &p.key), &ctx());
    assert_eq!(r.code, Some(ErrorCode::CertAlgorithm), "{r:?}");
}

type HeaderChange = fn(&mut Value);

#[test]
fn headers_other_than_a_licence_tokens_are_refused() {
    let p = pki(Algorithm::Ed25519);
    let v = verifier(&p);
    let (header, payload) = parts(&token(&p));
    let cases: [(HeaderChange, ErrorCode); 7] = [
        (|h| h["typ"] = "JWT".into(), ErrorCode::JwtHeader),
        (|h| h["cty"] = "json".into(), ErrorCode::JwtHeader),
        (|h| h["crit"] = json!(["exp"]), ErrorCode::JwtHeader),
        (|h| h["jwk"] = json!({"kty": "OKP"}), ErrorCode::JwtHeader),
        (|h| h["x5c"] = json!(["not base64!"]), ErrorCode::JwtHeader),
        (
            |h| h["kid"] = format!("urn:zz:cert:sha256:{}", "ab".repeat(32)).into(),
            ErrorCode::VerificationMethod,
        ),
        (
            |h| h["x5c"] = json!([STANDARD.encode(b"junk")]),
            ErrorCode::CertMalformed,
        ),
    ];
    for (i, (change, code)) in cases.iter().enumerate() {
        let mut h = header.clone();
        change(&mut h);
        let r = v.verify_jwt(&forge(&h, &payload, &p.key), &ctx());
        assert_eq!(r.code, Some(*code), "case {i}: {r:?}");
    }
    // A payload that is not a licence credential, or that still carries its proof.
    let doc: Value = serde_json::from_slice(&sign(&licence(), &p, None)).unwrap();
    let r = v.verify_jwt(&forge(&header, &doc, &p.key), &ctx());
    assert_eq!(r.code, Some(ErrorCode::DocumentShape), "{r:?}");
    let r = v.verify_jwt(&forge(&header, &json!({"a": 1}), &p.key), &ctx());
    assert_eq!(r.code, Some(ErrorCode::DocumentShape), "{r:?}");
}

#[test]
fn malformed_tokens_have_their_codes() {
    let p = pki(Algorithm::Ed25519);
    let v = verifier(&p);
    let t = token(&p);
    let segs: Vec<&str> = t.split('.').collect();
    let malformed = [
        format!("{t}\n"),
        format!(" {t}"),
        format!("{t}.e30"),
        format!("{}.{}", segs[0], segs[1]),
        format!("{}=.{}.{}", segs[0], segs[1], segs[2]),
        format!("{}.{}.{}", segs[0], segs[1].replace('-', "+"), segs[2]),
        format!("{}.{}.{}", segs[0], segs[1], &segs[2][..segs[2].len() - 1]),
        format!("{}.{}.{}", URL_SAFE_NO_PAD.encode("[1]"), segs[1], segs[2]),
        String::new(),
        "..".into(),
    ];
    for (i, bad) in malformed.iter().enumerate() {
        let r = v.verify_jwt(bad, &ctx());
        assert_eq!(r.code, Some(ErrorCode::JwtMalformed), "case {i}: {r:?}");
        assert!(!r.valid);
    }
    // Duplicate member names in the header are refused as in documents.
    let dup = format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"EdDSA","alg":"none"}"#),
        segs[1],
        segs[2]
    );
    assert_eq!(v.verify_jwt(&dup, &ctx()).code, Some(ErrorCode::Jcs));
    let huge = "e".repeat(vcjwt::MAX_TOKEN_LEN + 1);
    assert_eq!(v.verify_jwt(&huge, &ctx()).code, Some(ErrorCode::TooLarge));
    // Every prefix is an error, never a panic.
    for cut in (0..t.len()).step_by(7) {
        assert!(!v.verify_jwt(&t[..cut], &ctx()).valid, "prefix {cut}");
    }
}

#[test]
fn encoding_refuses_what_is_not_a_licence_or_a_chain_of_another_key() {
    let p = pki(Algorithm::Ed25519);
    let doc: Value = serde_json::from_slice(&sign(&licence(), &p, None)).unwrap();
    let other = SigningKey::generate(Algorithm::Ed25519).unwrap();
    let e = vcjwt::encode(&doc, &other, std::slice::from_ref(&p.signer)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Usage, "{e}");
    assert_eq!(
        vcjwt::encode(&doc, &p.key, &[]).unwrap_err().code(),
        ErrorCode::Usage
    );
    let e = vcjwt::encode(&json!({"a": 1}), &p.key, std::slice::from_ref(&p.signer)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::DocumentShape, "{e}");
}

// ---- QR -----------------------------------------------------------------------------------

#[test]
fn a_qr_payload_gives_back_a_document_that_verifies() {
    let p = pki(Algorithm::Ed25519);
    let status = StatusEntry {
        list: format!("urn:zz:statuslist:{ISSUER}:1"),
        index: 4711,
    };
    let doc = sign(&licence(), &p, Some(&status));
    let payload = qr::encode(&doc).unwrap();
    assert!(payload.starts_with("ZZ1:"));
    assert!(payload
        .bytes()
        .all(|c| b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".contains(&c)));
    let back = qr::decode(&payload).unwrap();
    assert_eq!(back, jcs::canonicalize(&doc).unwrap());
    let mut v = verifier(&p);
    v.add_certificate(p.signer.clone());
    let r = v.verify(&back, &ctx());
    assert!(r.valid, "{r:?}");
    // Compression pays: the payload is shorter than the JSON it carries.
    assert!(
        payload.len() < doc.len(),
        "{} vs {}",
        payload.len(),
        doc.len()
    );
    let code = qrcode::QrCode::with_error_correction_level(&payload, qrcode::EcLevel::M).unwrap();
    assert!(version(&code) <= 25, "version {}", version(&code));
}

fn version(code: &qrcode::QrCode) -> i16 {
    match code.version() {
        qrcode::Version::Normal(v) => v,
        qrcode::Version::Micro(v) => v,
    }
}

/// Signs one sample licence of every type in the built-in catalogue, with a status entry, and
/// returns (type code, JSON bytes, payload chars, QR version at level M).
fn qr_sizes() -> Vec<(String, usize, usize, i16)> {
    let key = SigningKey::generate(Algorithm::Ed25519).unwrap();
    let catalog = Catalog::builtin();
    let mut s = Sampler::new(36903);
    let issuer = s.issuer("杭州市西湖区市场监督管理局");
    catalog
        .iter()
        .enumerate()
        .map(|(i, ty)| {
            let holder = s.holder_for(ty.holder);
            let l = s
                .licence(
                    ty,
                    &issuer,
                    &holder,
                    &format!("2024{i:06}"),
                    date!(2024 - 03 - 18),
                )
                .unwrap();
            let status = StatusEntry {
                list: format!("urn:zz:statuslist:{}:1", issuer.code),
                index: 100_000 + i as u64,
            };
            let doc = credential::sign(&l, Some(&status), &key, &[7; 32], NOW).unwrap();
            let payload = qr::encode(&doc).unwrap();
            assert_eq!(
                qr::decode(&payload).unwrap(),
                jcs::canonicalize(&doc).unwrap()
            );
            let code =
                qrcode::QrCode::with_error_correction_level(&payload, qrcode::EcLevel::M).unwrap();
            (
                ty.code.to_string(),
                doc.len(),
                payload.len(),
                version(&code),
            )
        })
        .collect()
}

#[test]
fn every_catalogue_types_sample_fits_a_version_25_qr_code_at_level_m() {
    let sizes = qr_sizes();
    assert!(sizes.len() >= 222);
    for (ty, json, chars, v) in &sizes {
        assert!(
            *v <= 25,
            "{ty}: {json} bytes of JSON, {chars} characters, version {v}"
        );
    }
}

#[test]
fn bad_qr_payloads_have_their_codes() {
    let p = pki(Algorithm::Ed25519);
    let payload = qr::encode(&sign(&licence(), &p, None)).unwrap();
    let body = &payload[4..];
    let cases = [
        (String::new(), ErrorCode::QrPrefix),
        (body.to_owned(), ErrorCode::QrPrefix),
        (format!("ZZ2:{body}"), ErrorCode::QrPrefix),
        (format!("zz1:{body}"), ErrorCode::QrPrefix),
        (format!("ZZ1:{}", body.to_lowercase()), ErrorCode::QrBase45),
        // A lone last character (3k + 1 characters).
        (
            format!(
                "ZZ1:{body}{}",
                if body.len().is_multiple_of(3) {
                    "A"
                } else {
                    "AA"
                }
            ),
            ErrorCode::QrBase45,
        ),
        // "::" is 44 + 44·45 = 2024, more than a last byte can be.
        ("ZZ1:::".to_owned(), ErrorCode::QrBase45),
        ("ZZ1:GGW".to_owned(), ErrorCode::QrBase45),
        // Whole groups cut off: valid base45, truncated deflate.
        (
            format!("ZZ1:{}", &body[..body.len() / 3 * 3 - 30]),
            ErrorCode::QrData,
        ),
        (
            format!("ZZ1:{}", base45::encode(b"certainly not deflate data")),
            ErrorCode::QrData,
        ),
        ("ZZ1:".to_owned(), ErrorCode::QrData),
        (
            format!("ZZ1:{}", "0".repeat(qr::MAX_PAYLOAD_LEN + 3)),
            ErrorCode::TooLarge,
        ),
    ];
    for (i, (bad, code)) in cases.iter().enumerate() {
        let e = qr::decode(bad).unwrap_err();
        assert_eq!(e.code(), *code, "case {i}: {e}");
    }
    // Bytes after the end of the deflate stream.
    let mut raw = base45::decode(body).unwrap();
    raw.extend_from_slice(b"\0\0");
    let e = qr::decode(&format!("ZZ1:{}", base45::encode(&raw))).unwrap_err();
    assert_eq!(e.code(), ErrorCode::QrData, "{e}");
}

fn raw_deflate(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn a_qr_zip_bomb_is_stopped_at_the_limit() {
    // 4 MiB of spaces deflate to 4 KiB: a payload that fits the length limit.
    let bomb = raw_deflate(&vec![b' '; 4 << 20]);
    let payload = format!("ZZ1:{}", base45::encode(&bomb));
    assert!(
        payload.len() <= qr::MAX_PAYLOAD_LEN + 4,
        "{}",
        payload.len()
    );
    let e = qr::decode(&payload).unwrap_err();
    assert_eq!(e.code(), ErrorCode::TooLarge, "{e}");
    // A valid stream of JSON that is not canonical is refused too: what comes out must be
    // exactly what was signed.
    let e = qr::decode(&format!(
        "ZZ1:{}",
        base45::encode(raw_deflate(b"{ \"a\": 1 }"))
    ))
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::QrData, "{e}");
    // Encoding refuses what is not strict JSON.
    assert_eq!(
        qr::encode(br#"{"a":1,"a":2}"#).unwrap_err().code(),
        ErrorCode::Jcs
    );
}

// ---- the flat GB/T 36903 record -------------------------------------------------------------

#[test]
fn the_flat_record_round_trips_the_business_licence() {
    let l = licence();
    let r = gbt36903::to_record(&l).unwrap();
    assert_eq!(r["ZZBS"], l.id.to_string());
    assert_eq!(r["ZZLXDM"], BUSINESS_LICENCE);
    assert_eq!(r["ZZBFRQ"], "20240318");
    assert_eq!(r["ZZYXQJZRQ"], "长期");
    assert_eq!(r["CZZTDMLX"], "统一社会信用代码");
    assert_eq!(r["CZZTDMLXDM"], "001");
    assert_eq!(r["KZ_FDDBR"], "张三");
    assert_eq!(gbt36903::from_record(&r, &Catalog::builtin()).unwrap(), l);
    let json = gbt36903::record_to_json(&r);
    assert_eq!(gbt36903::record_from_json(json.as_bytes()).unwrap(), r);
}

#[test]
fn the_flat_record_round_trips_a_sample_of_every_type() {
    let catalog = Catalog::builtin();
    let mut s = Sampler::new(2018);
    let issuer = s.issuer("杭州市西湖区市场监督管理局");
    for (i, ty) in catalog.iter().enumerate() {
        let holder = s.holder_for(ty.holder);
        let mut l = s
            .licence(
                ty,
                &issuer,
                &holder,
                &format!("2024{i:06}"),
                date!(2024 - 03 - 18),
            )
            .unwrap();
        l.area = Some(zhengzhao_core::codes::AreaCode::parse("330106").unwrap());
        l.status = zhengzhao_core::status::Status::Suspended;
        let r = gbt36903::to_record(&l).unwrap();
        let back =
            gbt36903::from_record(&r, &catalog).unwrap_or_else(|e| panic!("{}: {e}", ty.code));
        assert_eq!(back, l, "{}", ty.code);
    }
}

fn two_holders() -> Licence {
    let mut l = licence();
    l.holders.push(Holder {
        name: "杭州瑞丰商贸有限公司".into(),
        code_type: HolderCodeType::USCC,
        code: "91330106MA2H3K7P0B".into(),
    });
    l
}

#[test]
fn several_holders_are_joined_in_order() {
    let l = two_holders();
    let r = gbt36903::to_record(&l).unwrap();
    assert_eq!(r["CZZT"], "杭州青岚信息技术有限公司^杭州瑞丰商贸有限公司");
    assert_eq!(r["CZZTDMLXDM"], "001^001");
    assert_eq!(gbt36903::from_record(&r, &Catalog::builtin()).unwrap(), l);
    let mut caret = licence();
    caret.holders[0].name = "A^B".into();
    let e = gbt36903::to_record(&caret).unwrap_err();
    assert_eq!((e.code(), e.key()), (ErrorCode::RecordValue, Some("CZZT")));
}

type RecordChange = fn(&mut Record);

#[test]
fn bad_flat_records_name_the_key() {
    let catalog = Catalog::builtin();
    let good = gbt36903::to_record(&two_holders()).unwrap();
    let cases: [(RecordChange, ErrorCode, Option<&str>); 17] = [
        (
            |r| set(r, "ZZBFRQ", "2024-03-18"),
            ErrorCode::RecordValue,
            Some("ZZBFRQ"),
        ),
        (
            |r| set(r, "ZZBFRQ", "20230229"),
            ErrorCode::RecordValue,
            Some("ZZBFRQ"),
        ),
        (
            |r| set(r, "ZZYXQQSRQ", "2021031"),
            ErrorCode::RecordValue,
            Some("ZZYXQQSRQ"),
        ),
        (
            |r| set(r, "ZZYXQJZRQ", ""),
            ErrorCode::RecordValue,
            Some("ZZYXQJZRQ"),
        ),
        (
            |r| set(r, "ZZYXQJZRQ", "20200101"),
            ErrorCode::RecordValue,
            Some("ZZYXQJZRQ"),
        ),
        (
            |r| set(r, "ZZLXDM", "11100000MB0143028R002"),
            ErrorCode::RecordValue,
            Some("ZZLXDM"),
        ),
        (
            |r| set(r, "ZZBS", "1.2.156.3005.2.x"),
            ErrorCode::RecordValue,
            Some("ZZBS"),
        ),
        (
            |r| set(r, "ZZBFJGDM", "1133010"),
            ErrorCode::RecordValue,
            Some("ZZBFJGDM"),
        ),
        (
            |r| set(r, "ZZZT", "08"),
            ErrorCode::RecordValue,
            Some("ZZZT"),
        ),
        (
            |r| set(r, "CZZTDMLX", "公民身份号码^统一社会信用代码"),
            ErrorCode::RecordValue,
            Some("CZZTDMLX"),
        ),
        (
            |r| set(r, "CZZTDMLXDM", "001^1"),
            ErrorCode::RecordValue,
            Some("CZZTDMLXDM"),
        ),
        (
            |r| set(r, "CZZT", "杭州青岚信息技术有限公司"),
            ErrorCode::RecordHolders,
            None,
        ),
        (
            |r| set(r, "CZZTDM", "a^b^c"),
            ErrorCode::RecordHolders,
            None,
        ),
        (
            |r| set(r, "COLOUR", "red"),
            ErrorCode::RecordKey,
            Some("COLOUR"),
        ),
        (
            |r| set(r, "KZ_NOPE", "x"),
            ErrorCode::RecordKey,
            Some("KZ_NOPE"),
        ),
        (
            |r| {
                r.remove("ZZBS");
            },
            ErrorCode::RecordKey,
            Some("ZZBS"),
        ),
        // A holder code that fails its check: the licence breaks its type.
        (
            |r| set(r, "CZZTDM", "91330106MA2H3K7P0C^91330106MA2H3K7P0B"),
            ErrorCode::SchemaViolation,
            None,
        ),
    ];
    for (i, (change, code, key)) in cases.iter().enumerate() {
        let mut r = good.clone();
        change(&mut r);
        let e = gbt36903::from_record(&r, &catalog).unwrap_err();
        assert_eq!((e.code(), e.key()), (*code, *key), "case {i}: {e}");
    }
    let mut long = good.clone();
    set(&mut long, "ZZYXQJZRQ", "长期有效");
    assert_eq!(
        gbt36903::from_record(&long, &catalog)
            .unwrap()
            .validity
            .until,
        None
    );
    let e = gbt36903::record_from_json(br#"{"ZZMC": 1}"#).unwrap_err();
    assert_eq!((e.code(), e.key()), (ErrorCode::RecordValue, Some("ZZMC")));
}

fn set(r: &mut Record, k: &str, v: &str) {
    r.insert(k.to_owned(), v.to_owned());
}

// ---- sniffing ------------------------------------------------------------------------------

#[test]
fn sniff_tells_the_formats_apart() {
    let p = pki(Algorithm::Ed25519);
    let doc = sign(&licence(), &p, None);
    assert_eq!(interchange::sniff(&doc), Kind::Document);
    let bundle = zhengzhao_core::bundle::Bundle {
        licences: vec![serde_json::from_slice(&doc).unwrap()],
        certificates: vec![p.signer.clone()],
        status_lists: vec![],
    };
    assert_eq!(interchange::sniff(&bundle.to_json()), Kind::Bundle);
    assert_eq!(
        interchange::sniff(format!("{}\n", token(&p)).as_bytes()),
        Kind::Jwt
    );
    assert_eq!(
        interchange::sniff(qr::encode(&doc).unwrap().as_bytes()),
        Kind::Qr
    );
    let record = gbt36903::record_to_json(&gbt36903::to_record(&licence()).unwrap());
    assert_eq!(interchange::sniff(record.as_bytes()), Kind::FlatRecord);
    assert_eq!(interchange::sniff(b"{not json"), Kind::Document);
    for other in [&b""[..], b"hello", b"a.b.c", b"[1,2]", b"\xff\xfe"] {
        assert_eq!(interchange::sniff(other), Kind::Unknown, "{other:?}");
    }
}
