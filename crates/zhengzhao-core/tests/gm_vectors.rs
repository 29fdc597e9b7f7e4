//! SM3 and SM2 known answers from `test-vectors/gm/` (GB/T 32905 SM3 examples, the GM/T 0003.5
//! Annex A signature, the 12 verify cases on the Annex A key, ZA), OpenSSL-made SM2 key files,
//! and SM2 sign/verify round trips.

use serde_json::Value;
use zhengzhao_core::keys::{Algorithm, PublicKey, Signer, SigningKey};
use zhengzhao_core::sm2::{self, DEFAULT_USER_ID};
use zhengzhao_core::{Coded, ErrorCode};

fn vectors(name: &str) -> Value {
    let p = format!(
        "{}/../../test-vectors/gm/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn hex(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

fn annex_a() -> Value {
    vectors("sm2_vectors.json")["signature_kats"][0].clone()
}

#[test]
fn sm3_digests() {
    let v = vectors("sm3_vectors.json");
    let cases = v["vectors"].as_array().unwrap();
    assert_eq!(cases.len(), 6);
    for c in cases {
        let input = match c["input_hex"].as_str() {
            Some(h) => hex::decode(h).unwrap(),
            None => {
                assert_eq!(c["id"], "a*1000000");
                vec![b'a'; 1_000_000]
            }
        };
        assert_eq!(sm2::sm3(&input).to_vec(), hex(&c["digest"]), "{}", c["id"]);
    }
}

#[test]
fn za_of_the_annex_a_key_with_the_default_id() {
    let kat = annex_a();
    assert_eq!(kat["id"], "gmt0003.5-annexA-sign");
    assert_eq!(kat["uid"].as_str().unwrap().as_bytes(), DEFAULT_USER_ID);
    let point: [u8; 65] = hex(&kat["pub_sec1"]).try_into().unwrap();
    let za = sm2::za(DEFAULT_USER_ID, &point).unwrap();
    assert_eq!(za.to_vec(), hex(&kat["za"]));
    // The ZA input of the SM3 vectors is exactly what `za` hashes.
    let sm3 = vectors("sm3_vectors.json");
    let input = sm3["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["id"]
                .as_str()
                .unwrap()
                .starts_with("ZA recommended curve")
        })
        .unwrap();
    assert_eq!(hex(&input["digest"]), za.to_vec());
    let curve = &vectors("sm2_vectors.json")["curve"];
    let expected_input = [
        &[0x00, 0x80][..],
        DEFAULT_USER_ID,
        &hex(&curve["a"]),
        &hex(&curve["b"]),
        &hex(&curve["gx"]),
        &hex(&curve["gy"]),
        &point[1..],
    ]
    .concat();
    assert_eq!(hex(&input["input_hex"]), expected_input);
    // e = SM3(ZA || M).
    let e = sm2::sm3(&[&za[..], &hex(&kat["msg_hex"])].concat());
    assert_eq!(e.to_vec(), hex(&kat["e"]));
}

#[test]
fn annex_a_signature_known_answer() {
    let kat = annex_a();
    let key = sm2::SigningKey::from_secret_bytes(&hex(&kat["d"])).unwrap();
    let vk = key.verifying_key();
    assert_eq!(vk.point().to_vec(), hex(&kat["pub_sec1"]));
    let msg = hex(&kat["msg_hex"]);
    let raw = hex(&kat["sig_raw64"]);
    assert_eq!(raw, [hex(&kat["r"]), hex(&kat["s"])].concat());
    assert!(vk.verify(DEFAULT_USER_ID, &msg, &raw));
    let e: [u8; 32] = hex(&kat["e"]).try_into().unwrap();
    assert!(vk.verify_digest(&e, &raw));
    // DER <-> raw.
    let der = hex(&kat["sig_der"]);
    assert_eq!(sm2::signature_from_der(&der).unwrap().to_vec(), raw);
    assert_eq!(sm2::signature_to_der(&raw).unwrap(), der);
    // The standard's (r, s) from its nonce k: r = (e + x1) mod n, s = (1 + d)^-1 (k - r d) mod n.
    let (r, s) = sign_with_nonce(&hex(&kat["d"]), &hex(&kat["k"]), &e);
    assert_eq!(r.to_vec(), hex(&kat["r"]));
    assert_eq!(s.to_vec(), hex(&kat["s"]));
    // Our own signature of the message verifies, under the standard's key, and is not the
    // standard's (our k is derived, not the Annex's).
    let ours = key.sign(&msg).unwrap();
    assert!(vk.verify(DEFAULT_USER_ID, &msg, &ours));
    assert_ne!(ours.to_vec(), raw);
}

/// SM2 signing with a given nonce, on the crate's curve arithmetic: only to reproduce the
/// standard's example, which fixes k.
fn sign_with_nonce(d: &[u8], k: &[u8], e: &[u8; 32]) -> ([u8; 32], [u8; 32]) {
    use ::sm2::elliptic_curve::ff::PrimeField;
    use ::sm2::elliptic_curve::ops::Reduce;
    use ::sm2::elliptic_curve::point::AffineCoordinates;
    use ::sm2::{FieldBytes, ProjectivePoint, Scalar};
    let scalar = |b: &[u8]| Scalar::from_repr(FieldBytes::try_from(b).unwrap()).unwrap();
    let (d, k) = (scalar(d), scalar(k));
    let x1 = (ProjectivePoint::GENERATOR * k).to_affine().x();
    let r = <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(*e))
        + <Scalar as Reduce<FieldBytes>>::reduce(&x1);
    let s = (Scalar::ONE + d).invert().unwrap() * (k - r * d);
    assert!(!bool::from(s.is_zero()));
    (r.to_repr().into(), s.to_repr().into())
}

#[test]
fn the_twelve_verify_cases_on_the_standards_key() {
    let v = vectors("sm2_vectors.json");
    let cases = v["verify_cases_annexA_key"].as_array().unwrap();
    assert_eq!(cases.len(), 12);
    let vk = sm2::VerifyingKey::from_sec1(&hex(&annex_a()["pub_sec1"])).unwrap();
    let (mut valid, mut invalid) = (0, 0);
    for c in cases {
        let msg = hex(&c["msg_hex"]);
        let uid = c["uid"].as_str().unwrap().as_bytes();
        let want = c["valid"].as_bool().unwrap();
        // A DER signature that does not decode strictly is invalid, with its own code.
        let got = match (c.get("sig_der"), c.get("sig_raw64")) {
            (Some(der), _) => match sm2::signature_from_der(&hex(der)) {
                Ok(raw) => vk.verify(uid, &msg, &raw),
                Err(e) => {
                    assert_eq!(e.code(), ErrorCode::SignatureEncoding, "{}", c["id"]);
                    false
                }
            },
            (None, Some(raw)) => vk.verify(uid, &msg, &hex(raw)),
            (None, None) => panic!("{}: no signature", c["id"]),
        };
        assert_eq!(got, want, "{}: {}", c["id"], c["note"]);
        if want {
            valid += 1
        } else {
            invalid += 1
        }
    }
    assert_eq!((valid, invalid), (2, 10));
}

#[test]
fn out_of_range_signatures_are_refused_with_their_code() {
    let kat = annex_a();
    let raw = hex(&kat["sig_raw64"]);
    let n = hex(&vectors("sm2_vectors.json")["curve"]["n"]);
    let vk = sm2::VerifyingKey::from_sec1(&hex(&kat["pub_sec1"])).unwrap();
    let msg = hex(&kat["msg_hex"]);
    for bad in [
        [&raw[..32], &n[..]].concat(),            // s = n
        [&n[..], &raw[32..]].concat(),            // r = n
        [&raw[..32], &[0u8; 32]].concat(),        // s = 0
        [&[0xffu8; 32][..], &raw[32..]].concat(), // r > n
    ] {
        assert!(!vk.verify(DEFAULT_USER_ID, &msg, &bad));
        let e = sm2::signature_to_der(&bad).unwrap_err();
        assert_eq!(e.code(), ErrorCode::SignatureEncoding);
    }
}

#[test]
fn openssl_made_sm2_keys_load_and_match_their_certificates() {
    let dir = format!(
        "{}/../../test-vectors/gm/certs/generated",
        env!("CARGO_MANIFEST_DIR")
    );
    for (key, cert) in [("root.key.pem", "root.pem"), ("ee.key.pem", "ee.pem")] {
        let pem = std::fs::read(format!("{dir}/{key}")).unwrap();
        let k = SigningKey::from_pkcs8_pem(&pem).unwrap();
        assert_eq!(k.algorithm(), Algorithm::Sm2);
        // The certificate's SPKI holds the same public key.
        let cert_pem = std::fs::read(format!("{dir}/{cert}")).unwrap();
        let der = ::pem::parse(cert_pem).unwrap().into_contents();
        let (_, x509) = x509_parser::parse_x509_certificate(&der).unwrap();
        let pk = PublicKey::from_spki_der(x509.public_key().raw).unwrap();
        assert_eq!(pk, k.public_key());
        // Written back and read again, the key is the same key.
        let again = SigningKey::from_pkcs8_pem(k.to_pkcs8_pem().as_bytes()).unwrap();
        assert_eq!(again.public_key(), pk);
        let sig = again.sign(b"m").unwrap();
        assert!(pk.verify(b"m", &sig));
    }
}

#[test]
fn sm2_round_trips_and_negatives() {
    let k = SigningKey::generate(Algorithm::Sm2).unwrap();
    let pk = k.public_key();
    let other = SigningKey::generate(Algorithm::Sm2).unwrap().public_key();
    for len in [0usize, 1, 64, 65, 1000] {
        let msg: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let sig = k.sign(&msg).unwrap();
        assert_eq!(sig.len(), 64);
        assert!(pk.verify(&msg, &sig), "{len}");
        // Deterministic: the same message gives the same signature.
        assert_eq!(k.sign(&msg).unwrap(), sig);
        // Wrong key, wrong message, every byte flipped, truncated, extended.
        assert!(!other.verify(&msg, &sig));
        assert!(!pk.verify(&[&msg[..], b"x"].concat(), &sig));
        for i in 0..64 {
            let mut bad = sig.clone();
            bad[i] ^= 0x01;
            assert!(!pk.verify(&msg, &bad), "{len} byte {i}");
        }
        assert!(!pk.verify(&msg, &sig[..63]));
        assert!(!pk.verify(&msg, &[&sig[..], &[0]].concat()));
        // DER is not the raw form.
        assert!(!pk.verify(&msg, &sm2::signature_to_der(&sig).unwrap()));
    }
    // The user ID is part of what is signed.
    let vk = pk.sm2_verifying_key().unwrap();
    let sig = k.sign(b"m").unwrap();
    assert!(vk.verify(DEFAULT_USER_ID, b"m", &sig));
    assert!(!vk.verify(b"", b"m", &sig));
    assert!(!vk.verify(b"1234567812345679", b"m", &sig));
}

#[test]
fn bad_sm2_key_files_are_refused_with_codes() {
    let k = SigningKey::generate(Algorithm::Sm2).unwrap();
    let pem = k.to_pkcs8_pem();
    // Every prefix of the DER, and a flipped byte in the secret, are refused (or, for the
    // secret, give another key), never a panic.
    let der = ::pem::parse(&pem).unwrap().into_contents();
    for n in 0..der.len() {
        let e = SigningKey::from_pkcs8_der(&der[..n]).unwrap_err();
        assert_eq!(e.code(), ErrorCode::KeyMalformed, "{n}");
    }
    // A public key that does not match the secret is refused.
    let mut mismatched = der.clone();
    let last = mismatched.len() - 1;
    mismatched[last] ^= 1;
    assert!(SigningKey::from_pkcs8_der(&mismatched).is_err());
    // Garbage in the PEM body.
    let garbage = pem.replace(&pem[40..60], "!!!!!!!!!!!!!!!!!!!!");
    let e = SigningKey::from_pkcs8_pem(garbage.as_bytes()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::KeyMalformed);
}
