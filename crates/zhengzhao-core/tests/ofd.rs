//! OFD sealed-document verification against the expected results of the vectors
//! (`test-vectors/gm/ofd/manifest.json`), and malformed packages.

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;
use zhengzhao_core::catalog::Catalog;
use zhengzhao_core::gbt36903::{self, Record};
use zhengzhao_core::ofd::licence::OfdLicence;
use zhengzhao_core::ofd::package::Limits;
use zhengzhao_core::ofd::{self, OfdError, Options, Report};
use zhengzhao_core::pki::Certificate;
use zhengzhao_core::{sm2, Coded, ErrorCode};

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors/gm")
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(vectors().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn manifest() -> Value {
    serde_json::from_slice(&read("ofd/manifest.json")).unwrap()
}

fn ofdrw_user() -> Certificate {
    Certificate::from_der(&read("certs/ofdrw-test-ca/user.cer")).unwrap()
}

fn verify(bytes: &[u8], certificates: &[Certificate]) -> Report {
    let options = Options {
        certificates,
        ..Options::default()
    };
    ofd::verify(bytes, &options).unwrap()
}

#[test]
fn the_vectors_verify_as_the_manifest_says() {
    // Field by field, the manifest is compared with `zhengzhao verify --json` in the CLI's
    // tests; here, the verdict of each signature through the library.
    let user = [ofdrw_user()];
    for file in manifest()["files"].as_array().unwrap() {
        let name = file["file"].as_str().unwrap();
        let report = verify(&read(name), &user);
        let expected: Vec<bool> = file["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["expected"] == "valid")
            .collect();
        let got: Vec<bool> = report.signatures.iter().map(|s| s.code.is_none()).collect();
        assert_eq!(got, expected, "{name}: {report:#?}");
    }
}

/// The entries of an OFD file, in order.
fn entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (String::from_utf8_lossy(f.name_raw()).into_owned(), data)
        })
        .collect()
}

/// A zip of `entries`, deflated.
fn package(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        if name.ends_with('/') {
            continue;
        }
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// `file` with the entry `name` replaced by `change(old bytes)`.
fn changed(file: &str, name: &str, change: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let mut found = false;
    let entries: Vec<_> = entries(&read(file))
        .into_iter()
        .map(|(n, d)| {
            if n == name {
                found = true;
                let new = change(&d);
                (n, new)
            } else {
                (n, d)
            }
        })
        .collect();
    assert!(found, "{file} has no {name}");
    package(&entries)
}

fn replace(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = std::str::from_utf8(bytes).unwrap();
    assert!(text.contains(from), "{from}");
    text.replacen(from, to, 1).into_bytes()
}

fn package_error(bytes: &[u8], limits: Limits) -> OfdError {
    let options = Options {
        limits,
        ..Options::default()
    };
    ofd::verify(bytes, &options).expect_err("a package error")
}

#[test]
fn a_repacked_package_verifies_as_the_original() {
    // The tests below change one entry and repack: the repacking itself must change nothing.
    let report = verify(&package(&entries(&read("ofd/allprotected.ofd"))), &[]);
    assert!(report.valid, "{report:#?}");
}

#[test]
fn changed_content_is_named_entry_by_entry() {
    let bytes = changed(
        "ofd/allprotected.ofd",
        "Doc_0/Pages/Page_0/Content.xml",
        |d| {
            let mut d = d.to_vec();
            d.push(b' ');
            d
        },
    );
    let report = verify(&bytes, &[]);
    let s = &report.signatures[0];
    assert!(!report.valid);
    assert_eq!(s.code, Some(ErrorCode::OfdContentChanged));
    assert_eq!(s.changed_entries, ["/Doc_0/Pages/Page_0/Content.xml"]);
    assert!(!s.content_intact);
    // The signature itself still holds: only the content changed.
    assert!(s.signature_valid);
    assert_eq!(s.seal_valid, Some(true));
}

#[test]
fn a_rewritten_signature_xml_breaks_the_binding() {
    let bytes = changed(
        "ofd/allprotected.ofd",
        "Doc_0/Signs/Sign_0/Signature.xml",
        |d| replace(d, "2020-10-23 19:45:37", "2020-10-23 19:45:38"),
    );
    let s = &verify(&bytes, &[]).signatures[0];
    assert!(s.content_intact);
    assert!(!s.signature_valid);
    assert_eq!(s.code, Some(ErrorCode::OfdDataHash));
}

#[test]
fn a_tampered_signature_or_seal_is_refused() {
    // The last byte of SignedValue.dat is inside the signer's signature.
    let bytes = changed(
        "ofd/allprotected.ofd",
        "Doc_0/Signs/Sign_0/SignedValue.dat",
        |d| {
            let mut d = d.to_vec();
            *d.last_mut().unwrap() ^= 1;
            d
        },
    );
    let s = &verify(&bytes, &[]).signatures[0];
    assert!(!s.signature_valid);
    assert_eq!(s.code, Some(ErrorCode::OfdSignerSignature));

    // A bare signature checked with another key than its signer's.
    let other = Certificate::from_der(&read("certs/ofdrw-test-ca/sealbuilder.cer")).unwrap();
    let s = &verify(&read("ofd/DigitalSign.ofd"), &[other]).signatures[0];
    assert_eq!(s.code, Some(ErrorCode::OfdSignerSignature));
    let s = &verify(&read("ofd/DigitalSign.ofd"), &[]).signatures[0];
    assert_eq!(s.code, Some(ErrorCode::OfdKeyRequired));
    assert!(!s.signature_valid);
}

/// The ofdrw USER key, the signer the ofdrw test seals were made for.
fn ofdrw_user_key() -> sm2::SigningKey {
    let pem = pem::parse(read("certs/ofdrw-test-ca/user.key.pem")).unwrap();
    sm2::SigningKey::from_pkcs8_der(pem.contents()).unwrap()
}

/// A bare SM2 signature of the page `Doc_0/Pages/Page_0/Content.xml` among `entries`, signed
/// at `when`, its signed value at `signed_value` (as `Signature.xml` writes it): the
/// `Signature.xml` and the `SignedValue.dat` bytes.
fn bare_signature(
    key: &sm2::SigningKey,
    entries: &[(String, Vec<u8>)],
    when: &str,
    signed_value: &str,
) -> (Vec<u8>, Vec<u8>) {
    bare_signature_over(
        key,
        entries,
        &["Doc_0/Pages/Page_0/Content.xml"],
        when,
        signed_value,
    )
}

/// A bare SM2 signature protecting the entries `protect` of `entries`.
fn bare_signature_over(
    key: &sm2::SigningKey,
    entries: &[(String, Vec<u8>)],
    protect: &[&str],
    when: &str,
    signed_value: &str,
) -> (Vec<u8>, Vec<u8>) {
    let references: String = protect
        .iter()
        .map(|name| {
            let content = &entries.iter().find(|(n, _)| n == name).unwrap().1;
            format!(
                r#"<ofd:Reference FileRef="/{name}"><ofd:CheckValue>{}</ofd:CheckValue></ofd:Reference>"#,
                base64_encode(&sm2::sm3(content))
            )
        })
        .collect();
    let signature_xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Signature xmlns:ofd="http://www.ofdspec.org/2016"><ofd:SignedInfo><ofd:SignatureMethod>1.2.156.10197.1.501</ofd:SignatureMethod><ofd:SignatureDateTime>{when}</ofd:SignatureDateTime><ofd:References CheckMethod="SM3">{references}</ofd:References></ofd:SignedInfo><ofd:SignedValue>{signed_value}</ofd:SignedValue></ofd:Signature>"#,
    )
    .into_bytes();
    let value = sm2::signature_to_der(&key.sign(&signature_xml).unwrap()).unwrap();
    (signature_xml, value)
}

#[test]
fn a_later_signature_that_rewrote_the_list_is_not_tampering() {
    // allprotected.ofd protects its Signatures.xml; a second signature is added the way
    // producers add one: a new Signature.xml, signed, and the list rewritten to name it.
    let mut entries = entries(&read("ofd/allprotected.ofd"));
    let (signature_xml, signed_value) = bare_signature(
        &ofdrw_user_key(),
        &entries,
        "2021-01-05 10:00:00",
        "SignedValue.dat",
    );
    for (name, data) in &mut entries {
        if name == "Doc_0/Signs/Signatures.xml" {
            *data = replace(
                data,
                "<ofd:MaxSignId>",
                r#"<ofd:Signature ID="002" Type="Sign" BaseLoc="Sign_1/Signature.xml"/><ofd:MaxSignId>"#,
            );
        }
    }
    entries.push(("Doc_0/Signs/Sign_1/Signature.xml".into(), signature_xml));
    entries.push(("Doc_0/Signs/Sign_1/SignedValue.dat".into(), signed_value));
    let report = verify(&package(&entries), &[ofdrw_user()]);
    let [first, second] = report.signatures.as_slice() else {
        panic!("{report:#?}")
    };
    assert_eq!(
        first.code,
        Some(ErrorCode::OfdSignaturesRewritten),
        "{first:#?}"
    );
    assert!(first.content_intact);
    assert_eq!(first.changed_entries, ["/Doc_0/Signs/Signatures.xml"]);
    assert!(first.signature_valid);
    assert_eq!(second.code, None, "{second:#?}");
    assert_eq!(second.format, Some("SM2 signature"));
    assert_eq!(second.signed_at.as_deref(), Some("2021-01-05T02:00:00Z"));

    // Without the later signature, the same change is tampering.
    let lone = changed("ofd/allprotected.ofd", "Doc_0/Signs/Signatures.xml", |d| {
        replace(d, "002", "003")
    });
    assert_eq!(
        verify(&lone, &[]).signatures[0].code,
        Some(ErrorCode::OfdContentChanged)
    );
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn a_replaced_seal_file_is_refused() {
    // Another seal (the v1 one) in place of the v4 seal inside the signature.
    let other = read("ofd/seals/UserV1.esl");
    let bytes = changed(
        "ofd/allprotected.ofd",
        "Doc_0/Signs/Sign_0/Seal.esl",
        |_| other.clone(),
    );
    let s = &verify(&bytes, &[]).signatures[0];
    // Seal.esl is protected too, so the content check names it first.
    assert_eq!(s.code, Some(ErrorCode::OfdContentChanged));
    assert_eq!(s.changed_entries, ["/Doc_0/Signs/Sign_0/Seal.esl"]);
}

#[test]
fn unsigned_and_incomplete_packages() {
    let unsigned = changed("ofd/DigitalSign.ofd", "OFD.xml", |d| {
        replace(
            d,
            "<ofd:Signatures>/Doc_0/Signs/Signatures.xml</ofd:Signatures>",
            "",
        )
    });
    let report = verify(&unsigned, &[]);
    assert!(!report.valid);
    assert_eq!(report.code, Some(ErrorCode::OfdUnsigned));

    let mut without_ofd_xml = entries(&read("ofd/DigitalSign.ofd"));
    without_ofd_xml.retain(|(n, _)| n != "OFD.xml");
    let e = package_error(&package(&without_ofd_xml), Limits::default());
    assert_eq!(e.code(), ErrorCode::OfdMissing, "{e}");

    let mut without_list = entries(&read("ofd/DigitalSign.ofd"));
    without_list.retain(|(n, _)| n != "Doc_0/Signs/Signatures.xml");
    let e = package_error(&package(&without_list), Limits::default());
    assert!(
        matches!(&e, OfdError::Missing { path, .. } if path == "/Doc_0/Signs/Signatures.xml"),
        "{e}"
    );

    for missing in [
        "Doc_0/Signs/Sign_0/Signature.xml",
        "Doc_0/Signs/Sign_0/SignedValue.dat",
        "Doc_0/Signs/Sign_0/Seal.esl",
    ] {
        let mut entries = entries(&read("ofd/allprotected.ofd"));
        entries.retain(|(n, _)| n != missing);
        let s = &verify(&package(&entries), &[]).signatures[0];
        let code = if missing.ends_with("Seal.esl") {
            ErrorCode::OfdContentChanged
        } else {
            ErrorCode::OfdMissing
        };
        assert_eq!(s.code, Some(code), "{missing}: {s:#?}");
    }
}

#[test]
fn malformed_xml_and_der_get_their_codes() {
    let e = package_error(
        &changed("ofd/DigitalSign.ofd", "OFD.xml", |d| {
            d[..d.len() / 2].to_vec()
        }),
        Limits::default(),
    );
    assert_eq!(e.code(), ErrorCode::OfdXml, "{e}");
    // A DTD (entity expansion, external entities) is refused outright.
    let dtd = changed("ofd/DigitalSign.ofd", "OFD.xml", |d| {
        replace(
            d,
            "<ofd:OFD ",
            "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><ofd:OFD ",
        )
    });
    assert_eq!(
        package_error(&dtd, Limits::default()).code(),
        ErrorCode::OfdXml
    );
    let not_utf8 = changed("ofd/DigitalSign.ofd", "Doc_0/Signs/Signatures.xml", |d| {
        [d, b"\xff"].concat()
    });
    assert_eq!(
        package_error(&not_utf8, Limits::default()).code(),
        ErrorCode::OfdXml
    );

    for garbage in [
        &b""[..],
        b"\x30\x03\x02\x01",
        b"not DER at all",
        &[0x30, 0x02, 0x05, 0x00],
    ] {
        let bytes = changed(
            "ofd/allprotected.ofd",
            "Doc_0/Signs/Sign_0/SignedValue.dat",
            |_| garbage.to_vec(),
        );
        let s = &verify(&bytes, &[]).signatures[0];
        assert_eq!(
            s.code,
            Some(ErrorCode::OfdSignedValue),
            "{garbage:02x?}: {s:#?}"
        );
        assert!(!s.signature_valid);
    }
    // A seal signature cut short inside: still a clear error, naming the part.
    let bytes = changed(
        "ofd/allprotected.ofd",
        "Doc_0/Signs/Sign_0/SignedValue.dat",
        |d| {
            let mut d = d[..d.len() - 100].to_vec();
            d[2] = ((d.len() - 4) >> 8) as u8;
            d[3] = (d.len() - 4) as u8;
            d
        },
    );
    let s = &verify(&bytes, &[]).signatures[0];
    assert_eq!(s.code, Some(ErrorCode::OfdSignedValue), "{s:#?}");
}

#[test]
fn hostile_packages_are_refused_before_they_cost_anything() {
    // Every truncation of a real package: a clear error or a report, never a panic.
    let bytes = read("ofd/DigitalSign.ofd");
    for len in 0..bytes.len() {
        if let Err(e) = ofd::verify(&bytes[..len], &Options::default()) {
            assert_eq!(e.code().family(), zhengzhao_core::error::Family::Ofd, "{e}");
        }
    }
    assert_eq!(
        package_error(&bytes[..bytes.len() - 1], Limits::default()).code(),
        ErrorCode::OfdPackage
    );
    assert_eq!(
        package_error(b"PK\x03\x04 garbage", Limits::default()).code(),
        ErrorCode::OfdPackage
    );
    assert_eq!(
        package_error(b"%PDF-1.7", Limits::default()).code(),
        ErrorCode::OfdPackage
    );

    // A zip bomb: 8 MiB of zeros deflate to a few KiB.
    let mut bomb = entries(&bytes);
    bomb.push(("Doc_0/Res/bomb.bin".into(), vec![0; 8 << 20]));
    let e = package_error(&package(&bomb), Limits::default());
    assert_eq!(e.code(), ErrorCode::OfdLimit, "{e}");
    assert!(e.to_string().contains("bomb.bin"), "{e}");

    let small = Limits {
        max_entry_size: 1000,
        ..Limits::default()
    };
    assert_eq!(package_error(&bytes, small).code(), ErrorCode::OfdLimit);
    let few = Limits {
        max_entries: 3,
        ..Limits::default()
    };
    assert_eq!(package_error(&bytes, few).code(), ErrorCode::OfdLimit);
    let total = Limits {
        max_total_size: 2000,
        ..Limits::default()
    };
    assert_eq!(package_error(&bytes, total).code(), ErrorCode::OfdLimit);

    for name in [
        "../../etc/passwd",
        "/OFD.xml",
        "Doc_0\\..\\x",
        "Doc_0/../../x",
    ] {
        let mut evil = entries(&bytes);
        evil.push((name.into(), b"x".to_vec()));
        let e = package_error(&package(&evil), Limits::default());
        assert_eq!(e.code(), ErrorCode::OfdPath, "{name}: {e}");
    }
    let mut twice = entries(&bytes);
    twice.push(("Doc_0/./Document.xml".into(), b"x".to_vec()));
    assert_eq!(
        package_error(&package(&twice), Limits::default()).code(),
        ErrorCode::OfdPath
    );

    // A signature list pointing out of the package.
    let out = changed("ofd/DigitalSign.ofd", "Doc_0/Signs/Signatures.xml", |d| {
        replace(
            d,
            "/Doc_0/Signs/Sign_0/Signature.xml",
            "../../../Sign_0/Signature.xml",
        )
    });
    assert_eq!(
        package_error(&out, Limits::default()).code(),
        ErrorCode::OfdXml
    );
}

#[test]
fn seeded_byte_flips_never_panic() {
    let original = read("ofd/allprotected.ofd");
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..300 {
        let mut bytes = original.clone();
        for _ in 0..4 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let at = (state % bytes.len() as u64) as usize;
            bytes[at] ^= (state >> 32) as u8 | 1;
        }
        match ofd::verify(&bytes, &Options::default()) {
            Ok(report) => assert_eq!(
                report.valid,
                !report.signatures.is_empty() && report.signatures.iter().all(|s| s.code.is_none())
            ),
            Err(e) => assert_eq!(e.code().family(), zhengzhao_core::error::Family::Ofd, "{e}"),
        }
    }
}

#[test]
fn bare_seal_files_are_read_and_unknown_versions_refused() {
    use zhengzhao_core::ofd::seal::{Seal, SealSignature, Version};
    let v1 = read("ofd/seals/UserV1.esl");
    let seal = Seal::parse(&v1).unwrap();
    assert_eq!(
        (seal.version, seal.name.as_str(), seal.vid.as_str()),
        (Version::V1, "OFDRW测试用印章", "OFDR&WTest")
    );
    let v4 = read("ofd/seals/UserV4.esl");
    let seal = Seal::parse(&v4).unwrap();
    assert_eq!(
        (seal.version, seal.name.as_str()),
        (Version::V4, "OFD R&W 测试用印章")
    );
    // The seal's certificate list names the ofdrw USER certificate: the signer it was made for.
    assert!(seal.lists(&read("certs/ofdrw-test-ca/user.cer")));
    assert!(!seal.lists(&read("certs/ofdrw-test-ca/sealbuilder.cer")));
    let hebei = read("ofd/seals/SESealData.DER");
    assert_eq!(Seal::parse(&hebei).unwrap().es_id, "esID130600");
    let sig = read("ofd/seals/SignedValueV4.dat");
    assert_eq!(
        SealSignature::parse(&sig).unwrap().property_info.trim(),
        "/Doc_0/Signs/Sign_0/Signature.xml"
    );

    // Version 5 (written by ofdrw) is neither GM/T 0031's 1 nor GB/T 38540's 4: refused by
    // name rather than read with a layout it may not have.
    for file in ["ofd/seals/UserV5.esl", "ofd/seals/SignedValueV5.dat"] {
        let bytes = read(file);
        let e = if file.ends_with(".esl") {
            Seal::parse(&bytes).unwrap_err()
        } else {
            SealSignature::parse(&bytes).unwrap_err()
        };
        assert!(e.contains("version 5"), "{file}: {e}");
    }
    // Every truncation of a seal is an error, never a panic.
    for len in 0..v4.len() {
        assert!(Seal::parse(&v4[..len]).is_err());
    }
}

/// An OFD whose one bare SM2 signature is made with `key`, signed at `when`.
fn signed_with(key: &sm2::SigningKey, when: &str) -> Vec<u8> {
    resigned(
        entries(&read("ofd/DigitalSign.ofd")),
        key,
        &["Doc_0/Pages/Page_0/Content.xml"],
        when,
    )
}

/// `entries` (of DigitalSign.ofd, maybe changed) with its one bare signature made again with
/// `key` over `protect`.
fn resigned(
    mut entries: Vec<(String, Vec<u8>)>,
    key: &sm2::SigningKey,
    protect: &[&str],
    when: &str,
) -> Vec<u8> {
    let (signature_xml, signed_value) = bare_signature_over(
        key,
        &entries,
        protect,
        when,
        "/Doc_0/Signs/Sign_0/SignedValue.dat",
    );
    for (name, data) in &mut entries {
        match name.as_str() {
            "Doc_0/Signs/Sign_0/Signature.xml" => *data = signature_xml.clone(),
            "Doc_0/Signs/Sign_0/SignedValue.dat" => *data = signed_value.clone(),
            _ => {}
        }
    }
    package(&entries)
}

#[test]
fn chains_are_checked_at_the_signing_time_when_anchors_are_given() {
    use time::macros::datetime;
    use zhengzhao_core::keys::{Algorithm, SigningKey};
    use zhengzhao_core::pki::{self, TrustAnchors};
    let root_key = SigningKey::generate(Algorithm::Sm2).unwrap();
    let root = pki::issue_root(
        &root_key,
        "省电子证照 SM2 根",
        datetime!(2024-01-01 0:00 UTC),
        datetime!(2034-01-01 0:00 UTC),
    )
    .unwrap();
    let signer_key = sm2::SigningKey::generate().unwrap();
    let signer_public = zhengzhao_core::keys::PublicKey::from_raw(
        Algorithm::Sm2,
        signer_key.verifying_key().point(),
    )
    .unwrap();
    let code = zhengzhao_core::codes::Uscc::parse("11220000013544541J").unwrap();
    let signer = pki::issue_signer(
        &root,
        &root_key,
        &signer_public,
        "某市市场监督管理局",
        &code,
        None,
        datetime!(2025-01-01 0:00 UTC),
        datetime!(2026-01-01 0:00 UTC),
    )
    .unwrap();
    let anchors = TrustAnchors::new(vec![root]).unwrap();
    let certificates = [signer];
    let options = |at| Options {
        anchors: Some(&anchors),
        certificates: &certificates,
        at,
        ..Options::default()
    };

    // Signed inside the signer certificate's validity: trusted, even verified long after it ended.
    let bytes = signed_with(&signer_key, "2025-06-01 10:00:00");
    let report = ofd::verify(&bytes, &options(datetime!(2030-01-01 0:00 UTC))).unwrap();
    let s = &report.signatures[0];
    assert!(report.valid, "{report:#?}");
    assert_eq!(
        (s.chain_trusted, s.within_validity, s.signature_valid),
        (Some(true), true, true)
    );

    // Signed after it ended: outside its validity, and the chain does not hold at that time.
    let late = signed_with(&signer_key, "2026-06-01 10:00:00");
    let s = &ofd::verify(&late, &options(datetime!(2030-01-01 0:00 UTC)))
        .unwrap()
        .signatures[0];
    assert_eq!(s.code, Some(ErrorCode::OfdOutsideValidity));
    assert_eq!((s.within_validity, s.chain_trusted), (false, Some(false)));

    // Real e-seals under other roots: the signatures hold, the chain does not.
    let report = ofd::verify(&read("ofd/1.ofd"), &options(datetime!(2030-01-01 0:00 UTC))).unwrap();
    let s = &report.signatures[0];
    assert!(s.signature_valid && s.seal_valid == Some(true) && s.within_validity);
    assert_eq!(s.chain_trusted, Some(false));
    assert_eq!(s.code, Some(ErrorCode::CertUntrusted), "{s:#?}");
}

#[test]
fn an_unreadable_signing_time_is_not_taken_as_now() {
    let s = &verify(
        &signed_with(&ofdrw_user_key(), "the day before yesterday"),
        &[ofdrw_user()],
    )
    .signatures[0];
    assert!(s.signature_valid);
    assert!(!s.within_validity);
    assert_eq!(s.signed_at, None);
    assert_eq!(s.code, Some(ErrorCode::OfdOutsideValidity));
    assert!(
        s.message
            .as_deref()
            .unwrap()
            .contains("the day before yesterday"),
        "{s:#?}"
    );
}

/// A sample licence, and the entries of DigitalSign.ofd with its metadata written in: half as
/// custom data by item name in `OFD.xml`, half as a custom tag file by key.
fn licence_entries() -> (zhengzhao_core::licence::Licence, Vec<(String, Vec<u8>)>) {
    use zhengzhao_core::catalog::Catalog;
    use zhengzhao_core::gbt36903;
    use zhengzhao_core::sample::Sampler;
    let catalog = Catalog::builtin();
    let mut s = Sampler::new(7);
    let issuer = s.issuer("杭州市西湖区市场监督管理局");
    let holder = s.organisation();
    let ty = catalog.get_str("11100000MB0143028R001").unwrap();
    let licence = s
        .licence(
            ty,
            &issuer,
            &holder,
            "2025000001",
            time::macros::date!(2025 - 03 - 01),
        )
        .unwrap();
    let record = gbt36903::to_record(&licence).unwrap();
    let names: std::collections::BTreeMap<_, _> = gbt36903::ITEMS.iter().copied().collect();
    let (data, tags): (Vec<_>, Vec<_>) = record.iter().partition(|(k, _)| k.starts_with("ZZ"));
    let custom_data: String = data
        .iter()
        .map(|(k, v)| {
            format!(
                r#"<ofd:CustomData Name="{}">{v}</ofd:CustomData>"#,
                names.get(k.as_str()).copied().unwrap_or(k.as_str())
            )
        })
        .collect();
    let tag_xml: String = tags
        .iter()
        .map(|(k, v)| format!("<{k}>{v}</{k}>"))
        .collect();
    let mut entries = entries(&read("ofd/DigitalSign.ofd"));
    for (name, data) in &mut entries {
        match name.as_str() {
            "OFD.xml" => {
                *data = replace(
                    data,
                    "</ofd:DocInfo>",
                    &format!("<ofd:CustomDatas>{custom_data}</ofd:CustomDatas></ofd:DocInfo>"),
                )
            }
            "Doc_0/Document.xml" => {
                *data = replace(
                    data,
                    "</ofd:Document>",
                    "<ofd:CustomTags>Tags/CustomTags.xml</ofd:CustomTags></ofd:Document>",
                )
            }
            _ => {}
        }
    }
    entries.push((
        "Doc_0/Tags/CustomTags.xml".into(),
        br#"<?xml version="1.0" encoding="UTF-8"?><ofd:CustomTags xmlns:ofd="http://www.ofdspec.org/2016"><ofd:CustomTag TypeID="licence"><ofd:FileLoc>Licence.xml</ofd:FileLoc></ofd:CustomTag></ofd:CustomTags>"#.to_vec(),
    ));
    entries.push((
        "Doc_0/Tags/Licence.xml".into(),
        format!("<Licence><Holder>{tag_xml}</Holder></Licence>").into_bytes(),
    ));
    (licence, entries)
}

#[test]
fn metadata_says_what_a_licence_file_carries_and_what_it_lacks() {
    use zhengzhao_core::ofd::metadata;
    // The real e-licence of the vectors names its producer only.
    let m = metadata::read(&read("ofd/testImageNotFound.ofd"), &Limits::default()).unwrap();
    assert_eq!(
        m.doc_id.as_deref(),
        Some("31b08f9d6f9248a291eb9e983323d77c")
    );
    assert_eq!(
        m.custom_data[0],
        ("native-producer".to_owned(), "SuwellFormSDK".to_owned())
    );
    assert_eq!((m.identifier(), m.missing.len()), (None, 13));
    assert!(
        m.missing.contains(&"ZZBS (证照标识)".to_owned()),
        "{:?}",
        m.missing
    );
    // An e-invoice with custom tags: read, and nothing of a licence in them.
    let m = metadata::read(&read("ofd/v4signed.ofd"), &Limits::default()).unwrap();
    assert!(m.record.is_empty() && m.missing.len() == 13, "{m:#?}");

    // A licence written half as custom data by item name, half as a custom tag file by key.
    let (licence, mut entries) = licence_entries();
    let catalog = zhengzhao_core::catalog::Catalog::builtin();
    let m = metadata::read(&package(&entries), &Limits::default()).unwrap();
    assert_eq!(m.missing, Vec::<String>::new(), "{m:#?}");
    assert_eq!(m.identifier(), Some(licence.id.to_string().as_str()));
    assert_eq!(m.licence(&catalog).unwrap(), licence);
    assert_eq!(m.origins["ZZBS"], ["/OFD.xml"]);
    assert_eq!(
        m.origins["CZZTDM"],
        [
            "/OFD.xml",
            "/Doc_0/Document.xml",
            "/Doc_0/Tags/CustomTags.xml",
            "/Doc_0/Tags/Licence.xml"
        ]
    );

    // A tag file that the list names but the package lacks.
    entries.retain(|(n, _)| n != "Doc_0/Tags/Licence.xml");
    let e = metadata::read(&package(&entries), &Limits::default()).unwrap_err();
    assert!(
        matches!(&e, OfdError::Missing { path, .. } if path == "/Doc_0/Tags/Licence.xml"),
        "{e}"
    );
}

/// Every entry of a licence package but its signature files.
const LICENCE_ENTRIES: [&str; 6] = [
    "OFD.xml",
    "Doc_0/Document.xml",
    "Doc_0/PublicRes.xml",
    "Doc_0/Pages/Page_0/Content.xml",
    "Doc_0/Tags/CustomTags.xml",
    "Doc_0/Tags/Licence.xml",
];

fn read_licence(bytes: &[u8], supplied: &Record) -> Result<OfdLicence, OfdError> {
    let certificates = [ofdrw_user()];
    let options = Options {
        certificates: &certificates,
        ..Options::default()
    };
    ofd::licence::read(bytes, &options, supplied, &Catalog::builtin())
}

#[test]
fn a_sealed_licence_file_reads_as_its_licence() {
    let (licence, entries) = licence_entries();
    let key = ofdrw_user_key();
    let bytes = resigned(
        entries.clone(),
        &key,
        &LICENCE_ENTRIES,
        "2021-01-05 10:00:00",
    );
    let read = read_licence(&bytes, &Record::new()).unwrap();
    assert_eq!(read.licence, licence);
    assert!(read.report.valid);
    assert_eq!(read.report.signatures[0].protected.len(), 6);
    assert!(read.supplied.is_empty() && read.unsealed.is_empty());

    // A supplied item that agrees with the seal is fine; one that differs is refused.
    let agree = Record::from([("证照编号".to_owned(), format!(" {} ", licence.number))]);
    assert!(read_licence(&bytes, &agree).unwrap().supplied.is_empty());
    let differ = Record::from([("ZZBH".to_owned(), "2025000002".to_owned())]);
    let e = read_licence(&bytes, &differ).unwrap_err();
    assert_eq!(e.code(), ErrorCode::OfdMetadataConflict, "{e}");
    assert!(e.to_string().contains("2025000002"), "{e}");
    let unknown = Record::from([("发票号码".to_owned(), "1".to_owned())]);
    let e = read_licence(&bytes, &unknown).unwrap_err();
    assert_eq!(e.code(), ErrorCode::RecordKey, "{e}");

    // The tag file outside the seal: its items are not taken, and are missing until supplied.
    let protect: Vec<&str> = LICENCE_ENTRIES
        .iter()
        .copied()
        .filter(|n| *n != "Doc_0/Tags/Licence.xml")
        .collect();
    let bytes = resigned(entries.clone(), &key, &protect, "2021-01-05 10:00:00");
    let e = read_licence(&bytes, &Record::new()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::OfdMetadataMissing, "{e}");
    let OfdError::MetadataMissing { missing, unsealed } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(missing.len(), 4, "{missing:?}");
    assert!(missing.contains(&"CZZTDM (持证主体代码)".to_owned()));
    assert!(
        unsealed.iter().all(|k| !k.starts_with("ZZ")) && unsealed.contains(&"CZZTDM".to_owned())
    );
    let full = gbt36903::to_record(&licence).unwrap();
    let holders: Record = full
        .iter()
        .filter(|(k, _)| !k.starts_with("ZZ"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let read = read_licence(&bytes, &holders).unwrap();
    assert_eq!(read.licence, licence);
    assert_eq!(read.supplied, holders.keys().cloned().collect::<Vec<_>>());
    assert_eq!(read.unsealed, read.supplied);

    // A supplied record that does not make a licence of its type.
    let mut bad = holders.clone();
    bad.insert("CZZTDM".into(), "91330106MA2B0W1Q6X".into());
    let e = read_licence(&bytes, &bad).unwrap_err();
    assert!(matches!(e, OfdError::Record(_)), "{e:?}");
}

#[test]
fn a_licence_file_that_does_not_verify_is_not_read() {
    let (_, parts) = licence_entries();
    let bytes = resigned(
        parts,
        &ofdrw_user_key(),
        &LICENCE_ENTRIES,
        "2021-01-05 10:00:00",
    );
    let mut changed = entries(&bytes);
    for (name, data) in &mut changed {
        if name == "OFD.xml" {
            *data = replace(data, "2025000001", "2025000009");
        }
    }
    let e = read_licence(&package(&changed), &Record::new()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::OfdContentChanged, "{e}");
    // Without the signer's certificate, the bare signature cannot be checked.
    let e = ofd::licence::read(
        &bytes,
        &Options::default(),
        &Record::new(),
        &Catalog::builtin(),
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::OfdKeyRequired, "{e}");
    // An unsigned package.
    let unsigned = package(
        &entries(&bytes)
            .into_iter()
            .filter(|(n, _)| !n.contains("Signs/"))
            .collect::<Vec<_>>(),
    );
    let e = read_licence(&unsigned, &Record::new()).unwrap_err();
    assert!(
        matches!(e.code(), ErrorCode::OfdUnsigned | ErrorCode::OfdMissing),
        "{e}"
    );
}

#[test]
fn a_real_licence_without_metadata_reads_with_what_the_caller_supplies() {
    // The Yunnan 探矿权 licence carries no metadata: everything comes from the caller (the
    // catalogue has no 探矿权 type, so a 采矿许可证 stands in for its content).
    let bytes = read("ofd/testImageNotFound.ofd");
    let e = read_licence(&bytes, &Record::new()).unwrap_err();
    let OfdError::MetadataMissing { missing, unsealed } = &e else {
        panic!("{e:?}")
    };
    assert_eq!((missing.len(), unsealed.len()), (13, 0));
    let catalog = Catalog::builtin();
    let ty = catalog.iter().find(|t| t.name == "采矿许可证").unwrap();
    let mut s = zhengzhao_core::sample::Sampler::new(3);
    let issuer = s.issuer("云南省自然资源厅");
    let holder = s.organisation();
    let licence = s
        .licence(
            ty,
            &issuer,
            &holder,
            "T5300002019012010001",
            time::macros::date!(2019 - 06 - 01),
        )
        .unwrap();
    let supplied = gbt36903::to_record(&licence).unwrap();
    let read = read_licence(&bytes, &supplied).unwrap();
    assert_eq!(read.licence, licence);
    assert_eq!(read.report.signatures.len(), 2);
    assert_eq!(read.supplied.len(), supplied.len());
}

/// `test-vectors/licences/sealed-licence.ofd`: the sample licence of [`licence_entries`] as an
/// OFD file whose metadata is all under one bare SM2 signature by the generated SM2 test
/// end-entity key (`gm/certs/generated/ee.key.pem`, under `root.pem`), for the registry's, the
/// CLI's and the bindings' tests. SM2 signatures are randomised, so the file is written once
/// (`ZZ_WRITE_VECTORS=1`) and checked here.
#[test]
fn the_sealed_licence_vector_reads_as_its_licence() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-vectors/licences/sealed-licence.ofd");
    let (licence, entries) = licence_entries();
    if std::env::var_os("ZZ_WRITE_VECTORS").is_some() {
        let pem = pem::parse(read("certs/generated/ee.key.pem")).unwrap();
        let key = sm2::SigningKey::from_pkcs8_der(pem.contents()).unwrap();
        let bytes = resigned(entries, &key, &LICENCE_ENTRIES, "2026-12-01 10:00:00");
        std::fs::write(&path, bytes).unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    let signer = Certificate::parse_file(&read("certs/generated/ee.pem")).unwrap();
    let anchors = zhengzhao_core::pki::TrustAnchors::new(
        Certificate::parse_file(&read("certs/generated/root.pem")).unwrap(),
    )
    .unwrap();
    let options = Options {
        anchors: Some(&anchors),
        certificates: &signer,
        ..Options::default()
    };
    let read = ofd::licence::read(&bytes, &options, &Record::new(), &Catalog::builtin()).unwrap();
    assert_eq!(read.licence, licence);
    assert_eq!(read.report.signatures[0].chain_trusted, Some(true));
    assert!(read.supplied.is_empty() && read.unsealed.is_empty());
}
