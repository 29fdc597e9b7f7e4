//! C2SP signed notes and checkpoints: the Go `sumdb/note` known answers
//! (`test-vectors/go-sumdb-note.json`), round trips, and every way a note can be altered.

use std::fs;
use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::SigningKey;
use serde_json::Value;
use zhengzhao_core::checkpoint::{
    key_id, open_note, sign_note, sign_note_with, Checkpoint, CheckpointError, SignerId, Verifier,
};
use zhengzhao_core::keys::{self, Algorithm};
use zhengzhao_core::merkle::{leaf_hash, MemoryTree, EMPTY_ROOT};
use zhengzhao_core::{Coded, ErrorCode};

fn go() -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors/go-sumdb-note.json");
    serde_json::from_str(&fs::read_to_string(p).unwrap()).unwrap()
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap()
}

/// The Ed25519 seed of a Go signer key `PRIVATE+KEY+<name>+<id>+<base64(0x01 || seed)>`.
fn go_signing_key(skey: &str) -> SigningKey {
    // The base64 part may itself hold '+': split off the four fields before it.
    let b64 = skey.splitn(5, '+').nth(4).unwrap();
    let raw = STANDARD.decode(b64).unwrap();
    assert_eq!(raw[0], 0x01);
    SigningKey::from_bytes(&raw[1..].try_into().unwrap())
}

const ORIGIN: &str = "log.example.gov.cn/zhengzhao";

fn log_key() -> SigningKey {
    SigningKey::from_bytes(&[0x5a; 32])
}

fn log_verifier() -> Verifier {
    Verifier::new(ORIGIN, &log_key().verifying_key()).unwrap()
}

fn checkpoint() -> Checkpoint {
    let tree = MemoryTree::from_leaves((0..13).map(|i| format!("event {i}")));
    Checkpoint::new(ORIGIN, 13, tree.root())
}

fn signed() -> String {
    checkpoint().sign(ORIGIN, &log_key()).unwrap()
}

fn code(r: Result<Checkpoint, CheckpointError>) -> ErrorCode {
    r.unwrap_err().code()
}

// ---------------------------------------------------------------------------------------------
// Known answers from golang.org/x/mod/sumdb/note
// ---------------------------------------------------------------------------------------------

#[test]
fn go_peter_neumann_note_byte_for_byte() {
    let v = go();
    let key = go_signing_key(s(&v, "peter_skey"));
    let peter = Verifier::from_vkey(s(&v, "peter_vkey")).unwrap();
    assert_eq!(peter.name(), "PeterNeumann");
    assert_eq!(peter.key_id(), 0xc74f20a3);
    assert_eq!(key_id("PeterNeumann", &key.verifying_key()), 0xc74f20a3);
    // The key derived from the Go signer key writes the Go verifier key.
    let ours = Verifier::new("PeterNeumann", &key.verifying_key()).unwrap();
    assert_eq!(ours.vkey(), s(&v, "peter_vkey"));
    assert_eq!(ours, peter);
    assert_eq!(ours.to_string().parse::<Verifier>().unwrap(), peter);
    // Ed25519 is deterministic, so signing reproduces Go's note exactly (TestSign).
    let note = sign_note(s(&v, "text"), "PeterNeumann", &key).unwrap();
    assert_eq!(note, s(&v, "signed_note"));
    let opened = open_note(&note, &[peter]).unwrap();
    assert_eq!(opened.text, s(&v, "text"));
    assert_eq!(
        opened.verified,
        vec![SignerId {
            name: "PeterNeumann".into(),
            key_id: 0xc74f20a3
        }]
    );
    assert!(opened.unverified.is_empty());
}

#[test]
fn go_open_cases() {
    // TestOpen, case by case.
    let v = go();
    let peter = Verifier::from_vkey(s(&v, "peter_vkey")).unwrap();
    let enoch = Verifier::from_vkey(s(&v, "enoch_vkey")).unwrap();
    let (text, psig, esig) = (s(&v, "text"), s(&v, "peter_sig"), s(&v, "enoch_sig"));
    let both = format!("{text}\n{psig}{esig}");
    let peter_id = SignerId {
        name: "PeterNeumann".into(),
        key_id: 0xc74f20a3,
    };
    let enoch_id = SignerId {
        name: "EnochRoot".into(),
        key_id: 0xaf0cfe78,
    };

    // One signature verified, one not.
    let n = open_note(&both, std::slice::from_ref(&peter)).unwrap();
    assert_eq!(n.text, text);
    assert_eq!(n.verified, vec![peter_id.clone()]);
    assert_eq!(n.unverified, vec![enoch_id.clone()]);

    // Both verified.
    let n = open_note(&both, &[peter.clone(), enoch.clone()]).unwrap();
    assert_eq!(n.verified, vec![peter_id.clone(), enoch_id.clone()]);
    assert!(n.unverified.is_empty());

    // Both unverified.
    let e = open_note(&both, &[]).unwrap_err();
    assert_eq!(
        e,
        CheckpointError::Unverified {
            signers: vec!["PeterNeumann+c74f20a3".into(), "EnochRoot+af0cfe78".into()]
        }
    );
    assert_eq!(e.code(), ErrorCode::LogCheckpointUnverified);

    // An unused verifier listed twice is harmless (Go: "unused duplicated verifier").
    assert!(open_note(
        &format!("{text}\n{psig}"),
        &[enoch.clone(), peter.clone(), enoch.clone()]
    )
    .is_ok());

    // Too many signatures, known or not.
    let many = format!("{text}\n{}", psig.repeat(101));
    for vs in [vec![peter.clone()], vec![]] {
        let e = open_note(&many, &vs).unwrap_err();
        assert_eq!(e.code(), ErrorCode::LogCheckpointMalformed, "{e}");
    }
    assert!(open_note(
        &format!("{text}\n{}", psig.repeat(100)),
        std::slice::from_ref(&peter)
    )
    .is_ok());

    // A signature by a known key that does not verify.
    let bad = format!("{text}\n{}ABCD{}", &psig[..60], &psig[60..]);
    let e = open_note(&bad, std::slice::from_ref(&peter)).unwrap_err();
    assert_eq!(
        e,
        CheckpointError::BadSignature {
            name: "PeterNeumann".into(),
            key_id: 0xc74f20a3
        }
    );
    assert_eq!(e.code(), ErrorCode::LogCheckpointSignature);

    // Repeated verified and unverified signatures are reported once.
    let dup = format!(
        "{text}\n{psig}{psig}{esig}{esig}{}ABCD{}",
        &esig[..60],
        &esig[60..]
    );
    let n = open_note(&dup, std::slice::from_ref(&peter)).unwrap();
    assert_eq!(n.verified, vec![peter_id]);
    assert_eq!(n.unverified, vec![enoch_id.clone(), enoch_id]);

    // Malformed notes (Go's badMsgs; "\xff" is left out: a &str is UTF-8 by construction).
    for msg in [
        text.to_owned(),
        format!("{text}\n"),
        format!("{text}\n{}", &psig[..psig.len() - 1]),
        format!("\x01{text}\n{psig}"),
        format!(
            "{text}\n\u{2014} Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
        ),
        format!("{text}\n{psig}Unexpected line.\n"),
    ] {
        let e = open_note(&msg, std::slice::from_ref(&peter)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::LogCheckpointMalformed, "{msg:?}: {e}");
    }
}

#[test]
fn go_verifier_key_manglings_are_refused() {
    // TestNewVerifier: every proper substring and every single-byte change is refused.
    let v = go();
    let vkey = s(&v, "peter_vkey");
    assert!(Verifier::from_vkey(vkey).is_ok());
    let b = vkey.as_bytes();
    let mut refused = 0;
    for i in 0..=b.len() {
        for j in i + 1..=b.len() {
            if i != 0 || j != b.len() {
                let k = std::str::from_utf8(&b[i..j]).unwrap();
                let e = Verifier::from_vkey(k).unwrap_err();
                assert_eq!(e.code(), ErrorCode::LogKey, "{k}");
                refused += 1;
            }
        }
    }
    let mut m = b.to_vec();
    for i in 0..m.len() {
        m[i] += 1;
        let k = std::str::from_utf8(&m).unwrap();
        assert!(Verifier::from_vkey(k).is_err(), "{k}");
        m[i] -= 1;
        refused += 1;
    }
    for k in v["bad_vkeys"].as_array().unwrap() {
        assert!(Verifier::from_vkey(k.as_str().unwrap()).is_err(), "{k}");
    }
    assert!(refused > 2000);
}

#[test]
fn a_note_signed_by_unknown_keys_only_is_refused() {
    // The example of c2sp.org/tlog-checkpoint (C2SP/C2SP tlog-checkpoint.md): its key is not
    // published, so the note parses but nothing vouches for it.
    let note = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\u{2014} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";
    let e = Checkpoint::open(note, &[log_verifier()]).unwrap_err();
    assert_eq!(
        e,
        CheckpointError::Unverified {
            signers: vec!["example.com/behind-the-sofa+033de0ae".into()]
        }
    );
    assert_eq!(e.code(), ErrorCode::LogCheckpointUnverified);
    // Its text is a well-formed checkpoint.
    let body = &note[..note.find("\n\n").unwrap() + 1];
    let cp = Checkpoint::parse_body(body).unwrap();
    assert_eq!(cp.origin, "example.com/behind-the-sofa");
    assert_eq!(cp.size, 20852163);
    assert_eq!(cp.body().unwrap(), body);
    // And the Go note is not a checkpoint of ours either.
    let v = go();
    assert_eq!(
        code(Checkpoint::open(s(&v, "signed_note"), &[log_verifier()])),
        ErrorCode::LogCheckpointUnverified
    );
}

// ---------------------------------------------------------------------------------------------
// Checkpoints
// ---------------------------------------------------------------------------------------------

#[test]
fn round_trip() {
    let cp = checkpoint();
    let note = signed();
    let b64 = STANDARD.encode(cp.root);
    assert!(note.starts_with(&format!("{ORIGIN}\n13\n{b64}\n\n\u{2014} {ORIGIN} ")));
    assert!(note.ends_with("=\n"));
    assert_eq!(note.lines().count(), 5);
    assert_eq!(Checkpoint::open(&note, &[log_verifier()]).unwrap(), cp);
    assert_eq!(
        Checkpoint::open_from(&note, ORIGIN, &[log_verifier()]).unwrap(),
        cp
    );
    assert_eq!(Checkpoint::parse_body(&cp.body().unwrap()).unwrap(), cp);
    // The empty tree and the largest size.
    for cp in [
        Checkpoint::new(ORIGIN, 0, EMPTY_ROOT),
        Checkpoint::new(ORIGIN, u64::MAX, leaf_hash(b"x")),
    ] {
        let note = cp.sign(ORIGIN, &log_key()).unwrap();
        assert_eq!(Checkpoint::open(&note, &[log_verifier()]).unwrap(), cp);
    }
    // The verifier key is the text form Go reads.
    let vkey = log_verifier().vkey();
    assert!(vkey.starts_with(&format!("{ORIGIN}+")));
    assert_eq!(Verifier::from_vkey(&vkey).unwrap(), log_verifier());
}

#[test]
fn signed_through_the_key_store_signer() {
    let key = keys::SigningKey::generate(Algorithm::Ed25519).unwrap();
    let vk = *keys::Signer::public_key(&key)
        .ed25519_verifying_key()
        .unwrap();
    let note = checkpoint().sign_with(ORIGIN, &key).unwrap();
    let v = Verifier::new(ORIGIN, &vk).unwrap();
    assert_eq!(Checkpoint::open(&note, &[v]).unwrap(), checkpoint());
    let p256 = keys::SigningKey::generate(Algorithm::P256).unwrap();
    let e = checkpoint().sign_with(ORIGIN, &p256).unwrap_err();
    assert_eq!(e.code(), ErrorCode::KeyAlgorithm);
    assert!(sign_note_with("x\n", "bad name", &key).is_err());
}

#[test]
fn a_tampered_body_is_refused() {
    let note = signed();
    let verifiers = [log_verifier()];
    // The size, the origin, a character of the root: each breaks the signature.
    for (from, to) in [("\n13\n", "\n14\n"), ("zhengzhao\n", "zhengzhaO\n")] {
        let t = note.replacen(from, to, 1);
        assert_ne!(t, note);
        assert_eq!(
            code(Checkpoint::open(&t, &verifiers)),
            ErrorCode::LogCheckpointSignature,
            "{t}"
        );
    }
    let root_at = note.find("\n13\n").unwrap() + 4;
    let mut t = note.clone().into_bytes();
    t[root_at] = if t[root_at] == b'A' { b'B' } else { b'A' };
    let t = String::from_utf8(t).unwrap();
    assert_eq!(
        code(Checkpoint::open(&t, &verifiers)),
        ErrorCode::LogCheckpointSignature
    );
    // A changed signature byte.
    let sig_at = note.len() - 10;
    let mut t = note.clone().into_bytes();
    t[sig_at] = if t[sig_at] == b'A' { b'B' } else { b'A' };
    let t = String::from_utf8(t).unwrap();
    assert_eq!(
        code(Checkpoint::open(&t, &verifiers)),
        ErrorCode::LogCheckpointSignature
    );
}

#[test]
fn a_wrong_key_is_refused() {
    let note = signed();
    // Another key under the same name has another key ID: the signature is not its.
    let other = Verifier::new(ORIGIN, &SigningKey::from_bytes(&[1; 32]).verifying_key()).unwrap();
    assert_ne!(other.key_id(), log_verifier().key_id());
    assert_eq!(
        code(Checkpoint::open(&note, std::slice::from_ref(&other))),
        ErrorCode::LogCheckpointUnverified
    );
    // The right key under another name, likewise.
    let renamed = Verifier::new("other.example/log", &log_key().verifying_key()).unwrap();
    assert_eq!(
        code(Checkpoint::open(&note, &[renamed])),
        ErrorCode::LogCheckpointUnverified
    );
    // With the right key among others, it opens.
    assert!(Checkpoint::open(&note, &[other, log_verifier()]).is_ok());
    // Of another log.
    let e =
        Checkpoint::open_from(&note, "log.example.gov.cn/other", &[log_verifier()]).unwrap_err();
    assert_eq!(e.code(), ErrorCode::LogCheckpointOrigin);
}

#[test]
fn newlines_must_be_exact() {
    let note = signed();
    let verifiers = [log_verifier()];
    let split = note.find("\n\n").unwrap();
    let malformed = [
        // No final newline.
        note[..note.len() - 1].to_owned(),
        // One newline too many at the end: no signature line after the last blank line.
        format!("{note}\n"),
        // No blank line.
        format!("{}{}", &note[..split + 1], &note[split + 2..]),
        // CRLF line endings.
        note.replace('\n', "\r\n"),
        // A signature line without its signature.
        format!("{}\n\u{2014} {ORIGIN}\n", &note[..split + 1]),
        // A hyphen where the em dash goes.
        note.replace('\u{2014}', "-"),
        // Two spaces after the key name.
        note.replacen(&format!("{ORIGIN} "), &format!("{ORIGIN}  "), 2),
        // A trailing space after the signature.
        format!("{} \n", &note[..note.len() - 1]),
    ];
    for t in malformed {
        assert_eq!(
            code(Checkpoint::open(&t, &verifiers)),
            ErrorCode::LogCheckpointMalformed,
            "{t:?}"
        );
    }
    // A second blank line moves the text's end: what was signed is no longer the text.
    let t = format!("{}\n{}", &note[..split + 1], &note[split + 1..]);
    assert_eq!(
        code(Checkpoint::open(&t, &verifiers)),
        ErrorCode::LogCheckpointSignature
    );
}

#[test]
fn bad_base64_is_refused() {
    let note = signed();
    let verifiers = [log_verifier()];
    let last = note.trim_end_matches('\n');
    let (head, sig) = last.rsplit_once(' ').unwrap();
    for bad in [
        format!("{}!", &sig[..sig.len() - 1]),
        sig.trim_end_matches('=').to_owned(),
        format!("{sig}="),
        format!(" {sig}"),
        String::new(),
        STANDARD.encode([0u8; 4]),
    ] {
        let t = format!("{head} {bad}\n");
        assert_eq!(
            code(Checkpoint::open(&t, &verifiers)),
            ErrorCode::LogCheckpointMalformed,
            "{t:?}"
        );
    }
    // A 4-byte key ID and a short signature by the known key: a bad signature.
    let mut blob = log_verifier().key_id().to_be_bytes().to_vec();
    blob.extend_from_slice(&[0; 10]);
    let t = format!("{head} {}\n", STANDARD.encode(blob));
    assert_eq!(
        code(Checkpoint::open(&t, &verifiers)),
        ErrorCode::LogCheckpointSignature
    );
}

#[test]
fn checkpoint_text_is_read_strictly() {
    let root = STANDARD.encode(leaf_hash(b"r"));
    let short = STANDARD.encode([9u8; 31]);
    // Last character changed so that its unused low bits are not zero.
    let noncanonical = format!("{}9=", &root[..root.len() - 2]);
    assert!(STANDARD.decode(&noncanonical).is_err());
    let bad_bodies = [
        format!("{ORIGIN}\n007\n{root}\n"),
        format!("{ORIGIN}\n+7\n{root}\n"),
        format!("{ORIGIN}\n 7\n{root}\n"),
        format!("{ORIGIN}\n7 \n{root}\n"),
        format!("{ORIGIN}\n-1\n{root}\n"),
        format!("{ORIGIN}\n\n{root}\n"),
        format!("{ORIGIN}\n18446744073709551616\n{root}\n"),
        format!("{ORIGIN}\n7\n{short}\n"),
        format!("{ORIGIN}\n7\n{noncanonical}\n"),
        format!("{ORIGIN}\n7\n{root} \n"),
        format!("{ORIGIN}\n7\n{}\n", root.trim_end_matches('=')),
        format!("{ORIGIN}\n7\n{root}\nextension line\n"),
        format!("{ORIGIN}\n7\n"),
        format!("\n7\n{root}\n"),
        format!("{ORIGIN} \n7\n{root}\n"),
        format!(" {ORIGIN}\n7\n{root}\n"),
    ];
    for body in &bad_bodies {
        let e = Checkpoint::parse_body(body).unwrap_err();
        assert_eq!(e.code(), ErrorCode::LogCheckpointMalformed, "{body:?}");
        // Signed by the right key, it is still refused: a valid signature on a bad body.
        let note = sign_note(body, ORIGIN, &log_key()).unwrap();
        let e = Checkpoint::open(&note, &[log_verifier()]).unwrap_err();
        assert!(matches!(e, CheckpointError::Body(_)), "{body:?}: {e}");
    }
    assert!(Checkpoint::parse_body(&format!("{ORIGIN}\n7\n{root}")).is_err());
    assert!(Checkpoint::parse_body(&format!("{ORIGIN}\r\n7\n{root}\n")).is_err());
    for size in ["0", "7", "18446744073709551615"] {
        let cp = Checkpoint::parse_body(&format!("{ORIGIN}\n{size}\n{root}\n")).unwrap();
        assert_eq!(cp.size.to_string(), size);
    }
    // What cannot be read back is not written either.
    for origin in ["", " lead", "trail ", "two\nlines"] {
        let e = Checkpoint::new(origin, 1, EMPTY_ROOT)
            .sign(ORIGIN, &log_key())
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::LogCheckpointMalformed, "{origin:?}");
    }
}

#[test]
fn keys_and_names_are_checked() {
    let vk = log_key().verifying_key();
    for name in ["", "a b", "a+b", "tab\there"] {
        assert_eq!(
            Verifier::new(name, &vk).unwrap_err().code(),
            ErrorCode::LogKey
        );
        assert!(checkpoint().sign(name, &log_key()).is_err());
    }
    // A small-order key (here the identity point) verifies nothing under verify_strict.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let weak = ed25519_dalek::VerifyingKey::from_bytes(&identity).unwrap();
    assert_eq!(
        Verifier::new("weak", &weak).unwrap_err().code(),
        ErrorCode::LogKey
    );
    let mut raw = vec![0x01];
    raw.extend_from_slice(&identity);
    let vkey = format!(
        "weak+{:08x}+{}",
        key_id("weak", &weak),
        STANDARD.encode(raw)
    );
    assert!(Verifier::from_vkey(&vkey).is_err());
    // Upper-case hex key IDs are read (Go reads them), and written lower-case.
    let v = log_verifier();
    let upper = v.vkey().replacen(
        &format!("{:08x}", v.key_id()),
        &format!("{:08X}", v.key_id()),
        1,
    );
    assert_eq!(Verifier::from_vkey(&upper).unwrap(), v);
    // Texts that cannot be a note are not signed.
    for text in ["", "no newline", "bell\x07\n"] {
        assert_eq!(
            sign_note(text, ORIGIN, &log_key()).unwrap_err().code(),
            ErrorCode::LogCheckpointMalformed,
            "{text:?}"
        );
    }
}

#[test]
fn signing_then_opening_agrees_for_any_text() {
    // The text may hold blank lines; the signatures start after the last one.
    for text in [
        "\n",
        "a\n\nb\n",
        "a\n\n\n",
        "\u{2014} looks like a signature\n",
    ] {
        let note = sign_note(text, ORIGIN, &log_key()).unwrap();
        let n = open_note(&note, &[log_verifier()]).unwrap();
        assert_eq!(n.text, text);
    }
}
