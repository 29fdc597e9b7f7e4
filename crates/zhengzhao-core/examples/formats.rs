//! Prints the examples and size figures of `docs/formats.md` for the interchange formats:
//! `cargo run -p zhengzhao-core --example formats`. Keys are fresh each run, so tokens and
//! payloads differ from one run to the next; the sizes do not, to within a few characters.

use std::io::Write;

use time::macros::{date, datetime};
use zhengzhao_core::catalog::Catalog;
use zhengzhao_core::codes::Uscc;
use zhengzhao_core::credential::{self, StatusEntry};
use zhengzhao_core::identifier::TypeCode;
use zhengzhao_core::keys::{Algorithm, SigningKey};
use zhengzhao_core::licence::Licence;
use zhengzhao_core::pki;
use zhengzhao_core::sample::Sampler;
use zhengzhao_core::{gbt36903, jcs, qr, vcjwt};

fn version(payload: &str) -> i16 {
    let code = qrcode::QrCode::with_error_correction_level(payload, qrcode::EcLevel::M)
        .expect("fits a QR code");
    match code.version() {
        qrcode::Version::Normal(v) | qrcode::Version::Micro(v) => v,
    }
}

/// Base45 characters of the same document deflated without the dictionary.
fn without_dictionary(doc: &[u8]) -> usize {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&jcs::canonicalize(doc).unwrap()).unwrap();
    base45::encode(e.finish().unwrap()).len() + qr::PREFIX.len()
}

fn main() {
    let root_key = SigningKey::generate(Algorithm::Ed25519).unwrap();
    let root = pki::issue_root(
        &root_key,
        "浙江省电子证照根CA",
        datetime!(2020-01-01 0:00 UTC),
        datetime!(2040-01-01 0:00 UTC),
    )
    .unwrap();
    let key = SigningKey::generate(Algorithm::Ed25519).unwrap();
    let signer = pki::issue_signer(
        &root,
        &root_key,
        &key.public_key(),
        "杭州市西湖区市场监督管理局",
        &Uscc::parse("11330106MB1742305K").unwrap(),
        Some(&[TypeCode::parse("11100000MB0143028R001").unwrap()][..]),
        datetime!(2021-01-01 0:00 UTC),
        datetime!(2030-01-01 0:00 UTC),
    )
    .unwrap();
    let licence = Licence::from_json(include_str!(
        "../../../test-vectors/licences/business-licence.json"
    ))
    .unwrap();
    let status = StatusEntry {
        list: "urn:zz:statuslist:11330106MB1742305K:1".into(),
        index: 4711,
    };
    let doc = credential::sign(
        &licence,
        Some(&status),
        &key,
        &signer.fingerprint(),
        datetime!(2024-03-18 02:00 UTC),
    )
    .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&doc).unwrap();

    let token = vcjwt::encode(&value, &key, std::slice::from_ref(&signer)).unwrap();
    let parts = vcjwt::split(&token).unwrap();
    println!("## vc+jwt ({} characters)\n\n{token}\n", token.len());
    println!(
        "header:\n{}\n",
        serde_json::to_string_pretty(&parts.header).unwrap()
    );

    let record = gbt36903::to_record(&licence).unwrap();
    println!(
        "## flat record\n\n{}\n",
        serde_json::to_string_pretty(&record).unwrap()
    );

    let payload = qr::encode(&doc).unwrap();
    println!(
        "## QR payload: {} bytes of JSON, {} characters ({} without the dictionary), version {} at level M\n\n{payload}\n",
        doc.len(),
        payload.len(),
        without_dictionary(&doc),
        version(&payload)
    );

    // One sample licence of every type of the built-in catalogue, with a status entry.
    let catalog = Catalog::builtin();
    let mut s = Sampler::new(36903);
    let issuer = s.issuer("杭州市西湖区市场监督管理局");
    let mut rows: Vec<(usize, usize, usize, i16)> = catalog
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
            let entry = StatusEntry {
                list: format!("urn:zz:statuslist:{}:1", issuer.code),
                index: 100_000 + i as u64,
            };
            let d = credential::sign(
                &l,
                Some(&entry),
                &key,
                &signer.fingerprint(),
                datetime!(2024-03-18 02:00 UTC),
            )
            .unwrap();
            let p = qr::encode(&d).unwrap();
            (d.len(), p.len(), without_dictionary(&d), version(&p))
        })
        .collect();
    rows.sort_unstable();
    let n = rows.len();
    let col = |f: fn(&(usize, usize, usize, i16)) -> usize| {
        let mut v: Vec<usize> = rows.iter().map(f).collect();
        v.sort_unstable();
        (v[0], v[n / 2], v[n - 1])
    };
    println!("## sizes over {n} types (min / median / max)");
    println!("JSON bytes: {:?}", col(|r| r.0));
    println!("payload characters: {:?}", col(|r| r.1));
    println!(
        "payload characters without the dictionary: {:?}",
        col(|r| r.2)
    );
    println!("QR version at level M: {:?}", col(|r| r.3 as usize));
}
