#![allow(dead_code)] // each fuzz binary uses one target; the replay test uses them all
//! The fuzz targets' bodies, shared by the cargo-fuzz binaries (`fuzz_targets/*.rs`) and by the
//! corpus replay test of zhengzhao-core (`tests/fuzz_corpus.rs`), so that CI on stable Rust runs
//! every corpus file through exactly the code the fuzzers exercise. Each body must never panic;
//! where a parser accepts, it also checks a property that must hold.

use std::sync::LazyLock;

use zhengzhao_core::catalog::Catalog;
use zhengzhao_core::checkpoint::{self, Checkpoint};
use zhengzhao_core::codes::{AreaCode, HolderCodeType, IdNumber, Uscc};
use zhengzhao_core::cryptosuite::{Check, Cryptosuite, EDDSA_JCS_2022};
use zhengzhao_core::identifier::{LicenceId, Strictness};
use zhengzhao_core::keys::{Algorithm, PublicKey};
use zhengzhao_core::licence::Licence;
use zhengzhao_core::mapping::Mapping;
use zhengzhao_core::merkle::{self, Hash, MemoryTree};
use zhengzhao_core::pki::{Certificate, TrustAnchors};
use zhengzhao_core::records::{Encoding, Format, Reader};
use zhengzhao_core::verify::{Context, Verifier};
use zhengzhao_core::{bundle, gbt36903, jcs, ofd, qr, statuslist, validate, vcjwt};

/// A target: its name and its body.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by name (the corpus folder of each is `fuzz/corpus/<name>/`).
pub const TARGETS: &[Target] = &[
    ("identifier", identifier),
    ("codes", codes),
    ("licence_json", licence_json),
    ("jcs", jcs_canonical),
    ("certificate", certificate),
    ("statuslist", status_list),
    ("verify", verify_document),
    ("bundle", verify_bundle),
    ("merkle_proof", merkle_proof),
    ("checkpoint", checkpoint_note),
    ("vcjwt", vc_jwt),
    ("qr", qr_payload),
    ("gbt36903", flat_record),
    ("import_rows", import_rows),
    ("ofd", ofd_package),
    ("ed25519_batch", ed25519_batch),
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

/// The tree the Merkle seeds were made from: 70 leaves `event 0` … `event 69`.
static TREE: LazyLock<MemoryTree> =
    LazyLock::new(|| MemoryTree::from_leaves((0..70u32).map(|i| format!("event {i}"))));

const TREE_SIZE: u64 = 70;

fn tree_root(size: u64) -> Hash {
    merkle::root(&*TREE, size).expect("the tree has 70 leaves")
}

/// Merkle proofs: proof documents (JSON), and raw bytes read as two big-endian `u64` and then
/// 32-byte hashes. Verification never panics, and a proof that verifies against the 70-leaf tree
/// is exactly the one the tree generates (for given sizes only one proof can verify).
pub fn merkle_proof(data: &[u8]) {
    if let Ok(p) = merkle::InclusionProof::from_json(data) {
        assert_eq!(
            merkle::InclusionProof::from_json(p.to_json().as_bytes()).unwrap(),
            p
        );
        if p.leaf_index < p.tree_size && p.tree_size <= TREE_SIZE {
            let leaf = merkle::NodeSource::node(&*TREE, 0, p.leaf_index).unwrap();
            if p.verify(&leaf, &tree_root(p.tree_size)).is_ok() {
                let want = merkle::inclusion_proof(&*TREE, p.leaf_index, p.tree_size).unwrap();
                assert_eq!(p.path, want);
            }
        } else {
            let _ = p.verify(&merkle::EMPTY_ROOT, &merkle::EMPTY_ROOT);
        }
    }
    if let Ok(p) = merkle::ConsistencyProof::from_json(data) {
        assert_eq!(
            merkle::ConsistencyProof::from_json(p.to_json().as_bytes()).unwrap(),
            p
        );
        if p.size1 <= p.size2 && p.size2 <= TREE_SIZE {
            if p.verify(&tree_root(p.size1), &tree_root(p.size2)).is_ok() {
                let want = merkle::consistency_proof(&*TREE, p.size1, p.size2).unwrap();
                assert_eq!(p.path, want);
            }
        } else {
            let _ = p.verify(&merkle::EMPTY_ROOT, &merkle::EMPTY_ROOT);
        }
    }
    let Some((head, rest)) = data.split_at_checked(16) else {
        return;
    };
    let a = u64::from_be_bytes(head[..8].try_into().unwrap());
    let b = u64::from_be_bytes(head[8..].try_into().unwrap());
    let hashes: Vec<Hash> = rest
        .chunks_exact(32)
        .map(|c| c.try_into().unwrap())
        .collect();
    // As given, at any sizes: errors, never panics.
    let first = hashes.first().copied().unwrap_or(merkle::EMPTY_ROOT);
    let last = hashes.last().copied().unwrap_or(merkle::EMPTY_ROOT);
    let _ = merkle::verify_inclusion(a, b, &first, hashes.get(1..).unwrap_or(&[]), &last);
    let _ = merkle::verify_consistency(a, b, &first, &last, &hashes);
    // Against the tree: leaf `a` of `b` leaves (first hash the leaf, then the path), and the
    // consistency of `a` and `b` leaves (every hash the path).
    if a < b && b <= TREE_SIZE && !hashes.is_empty() {
        let root = tree_root(b);
        if merkle::verify_inclusion(a, b, &hashes[0], &hashes[1..], &root).is_ok() {
            assert_eq!(hashes[0], merkle::NodeSource::node(&*TREE, 0, a).unwrap());
            assert_eq!(hashes[1..], merkle::inclusion_proof(&*TREE, a, b).unwrap());
        }
    }
    if a <= b
        && b <= TREE_SIZE
        && merkle::verify_consistency(a, b, &tree_root(a), &tree_root(b), &hashes).is_ok()
    {
        assert_eq!(hashes, merkle::consistency_proof(&*TREE, a, b).unwrap());
    }
    // Generated proofs at sizes drawn from the input always verify.
    let size = b % TREE_SIZE + 1;
    let index = a % size;
    let p = merkle::inclusion_proof(&*TREE, index, size).unwrap();
    let leaf = merkle::NodeSource::node(&*TREE, 0, index).unwrap();
    assert!(merkle::verify_inclusion(index, size, &leaf, &p, &tree_root(size)).is_ok());
    let size1 = index + 1;
    let p = merkle::consistency_proof(&*TREE, size1, size).unwrap();
    assert!(
        merkle::verify_consistency(size1, size, &tree_root(size1), &tree_root(size), &p).is_ok()
    );
}

/// The log key of the checkpoint seeds: RFC 8032 §7.1 TEST 1's public key (its secret key is
/// published in the RFC, so anyone can sign new seeds).
pub const FUZZ_LOG_VKEY: &str =
    "fuzz.zhengzhao.example/log+0f935fb6+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea";

static LOG: LazyLock<checkpoint::Verifier> = LazyLock::new(|| {
    checkpoint::Verifier::from_vkey(FUZZ_LOG_VKEY).expect("the fuzz log key reads")
});

/// Signed notes, checkpoints and verifier keys. What opens was signed by the log key and starts
/// with its text; what parses as checkpoint text or a verifier key writes back the same.
pub fn checkpoint_note(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let known = std::slice::from_ref(&*LOG);
    if let Ok(note) = checkpoint::open_note(s, known) {
        assert!(s.starts_with(&note.text) && note.text.ends_with('\n'));
        assert_eq!(note.verified.len(), 1);
        if let Ok(cp) = Checkpoint::open(s, known) {
            assert_eq!(cp.body().unwrap(), note.text);
            assert!(Checkpoint::open_from(s, &cp.origin, known).is_ok());
        }
    }
    // Checkpoint text is read strictly: exactly what `body` writes.
    if let Ok(cp) = Checkpoint::parse_body(s) {
        assert_eq!(cp.body().unwrap(), s);
    }
    if let Ok(v) = checkpoint::Verifier::from_vkey(s) {
        assert_eq!(checkpoint::Verifier::from_vkey(&v.vkey()).unwrap(), v);
    }
}

/// vc+jwt tokens through every check: a report, never a panic; a failure always has a code, and
/// a token whose header reads has an allowed algorithm.
pub fn vc_jwt(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let r = VERIFIER.verify_jwt(s, &context());
    assert_eq!(r.valid, r.code.is_none());
    if let Ok(parts) = vcjwt::split(s) {
        if let Ok(h) = vcjwt::check_header(&parts.header) {
            assert!(matches!(h.alg.name(), "EdDSA" | "ES256"));
        }
    }
}

/// QR payloads: what decodes is canonical JSON, and encodes back to a payload that decodes to
/// the same bytes.
pub fn qr_payload(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(doc) = qr::decode(s) {
        assert_eq!(jcs::canonicalize(&doc).unwrap(), doc);
        assert_eq!(qr::decode(&qr::encode(&doc).unwrap()).unwrap(), doc);
    }
}

/// Flat GB/T 36903 records: what reads writes back and reads again to the same licence.
pub fn flat_record(data: &[u8]) {
    if let Ok(record) = gbt36903::record_from_json(data) {
        if let Ok(licence) = gbt36903::from_record(&record, &CATALOG) {
            let again = gbt36903::to_record(&licence).expect("a licence read from a record writes");
            assert_eq!(gbt36903::from_record(&again, &CATALOG).unwrap(), licence);
        }
    }
}

/// The mapping of the import tests (`test-vectors/import/`), for 特种设备安全管理和作业人员证.
pub const IMPORT_MAPPING: &str = concat!(
    include_str!("../test-vectors/import/special-equipment.toml"),
    "[constants]\nissuer_name = \"杭州市西湖区市场监督管理局\"\nissuer_code = \"11330106MB1742305K\"\n",
);

static MAPPINGS: LazyLock<[Mapping; 2]> = LazyLock::new(|| {
    [
        Mapping::from_toml(IMPORT_MAPPING).expect("the mapping reads"),
        Mapping::default(),
    ]
});

/// Legacy import files (CSV and JSON Lines, any encoding) through the reader and the mapping:
/// every row ends as a record or as errors naming their row, and a record is a licence that
/// satisfies its type.
pub fn import_rows(data: &[u8]) {
    let ty = CATALOG
        .find("11100000MB0143028R107")
        .expect("a built-in type");
    for format in [Format::Csv, Format::Jsonl] {
        for mapping in MAPPINGS.iter() {
            let Ok(mut reader) = Reader::new(data, format, Encoding::Auto) else {
                continue;
            };
            if format == Format::Csv && mapping.check_header(ty, reader.header()).is_err() {
                continue;
            }
            let mut last = 0;
            while let Ok(Some(row)) = reader.next_row() {
                let row = match row {
                    Ok(row) => row,
                    Err(e) => {
                        assert!(e.row > last, "rows go forward");
                        last = e.row;
                        continue;
                    }
                };
                assert!(row.row > last, "rows go forward");
                last = row.row;
                match mapping.apply(ty, &row) {
                    Ok(record) => {
                        let id = zhengzhao_core::identifier::LicenceId::new(
                            &ty.code,
                            record.issuer.code.as_ref(),
                            "0000000001",
                            1,
                        )
                        .expect("an identifier");
                        validate::validate_against(ty, &record.to_licence(ty, id))
                            .expect("a mapped record satisfies its type");
                    }
                    Err(errors) => {
                        assert!(!errors.is_empty());
                        assert!(errors.iter().all(|e| e.row == row.row));
                    }
                }
            }
        }
    }
}

/// Sealed OFD packages (zip, XML, seals, SignedData): a report or a package error, never a
/// panic; a report is valid exactly when it has signatures and each of them holds; the
/// metadata read names where each item came from.
pub fn ofd_package(data: &[u8]) {
    let options = ofd::Options {
        at: time::macros::datetime!(2026-01-01 0:00 UTC),
        ..ofd::Options::default()
    };
    if let Ok(report) = ofd::verify(data, &options) {
        let holds =
            !report.signatures.is_empty() && report.signatures.iter().all(|s| s.code.is_none());
        assert_eq!(report.valid, holds);
        for s in &report.signatures {
            // Intact content may differ only in a signature list that a later signature rewrote.
            assert!(
                !s.content_intact
                    || s.changed_entries
                        .iter()
                        .all(|e| e.ends_with("Signatures.xml"))
            );
            if s.code.is_none() {
                assert!(s.content_intact && s.signature_valid && s.within_validity);
                assert!(!s.protected.is_empty());
            }
        }
    }
    if let Ok(m) = ofd::metadata::read(data, &options.limits) {
        // Every item read names the entries it came from, `OFD.xml` first.
        assert_eq!(m.origins.len(), m.record.len());
        assert!(m
            .origins
            .values()
            .all(|o| o.first().map(String::as_str) == Some("/OFD.xml")));
    }
}

/// Ed25519 signatures, as records of key (32 bytes) ‖ signature (64) ‖ message length (1) ‖
/// message: the suite's batch call gives every signature exactly the single verdict
/// (`docs/ed25519-policy.md`).
pub fn ed25519_batch(data: &[u8]) {
    let mut records = Vec::new();
    let mut rest = data;
    while rest.len() >= 97 {
        let end = (97 + usize::from(rest[96])).min(rest.len());
        let key = PublicKey::from_raw(Algorithm::Ed25519, &rest[..32]).ok();
        records.push((key, &rest[32..96], &rest[97..end]));
        rest = &rest[end..];
    }
    let checks: Vec<Check<'_>> = records
        .iter()
        .filter_map(|(key, signature, message)| {
            Some(Check {
                public_key: key.as_ref()?,
                message,
                signature,
            })
        })
        .collect();
    for (c, batch) in checks.iter().zip(EDDSA_JCS_2022.verify_batch(&checks)) {
        assert_eq!(batch, c.public_key.verify(c.message, c.signature));
    }
}
