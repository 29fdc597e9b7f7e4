//! Replays every file of every fuzz corpus (`fuzz/corpus/<target>/`) through the fuzz target's
//! own code, so that CI on stable Rust catches a regression the fuzzers once found.

use std::fs;
use std::path::Path;

#[path = "../../../fuzz/targets.rs"]
mod targets;

#[test]
fn every_corpus_file_replays_cleanly() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let mut replayed = 0;
    for (name, target) in targets::TARGETS {
        let dir = corpus.join(name);
        let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let mut n = 0;
        for entry in entries {
            let path = entry.unwrap().path();
            target(&fs::read(&path).unwrap());
            // Every prefix too: truncated input is the commonest malformed input there is.
            let data = fs::read(&path).unwrap();
            for cut in (0..data.len()).step_by(data.len() / 64 + 1) {
                target(&data[..cut]);
            }
            n += 1;
        }
        assert!(n > 0, "the {name} corpus is empty");
        replayed += n;
    }
    assert!(replayed >= 20, "{replayed} corpus files");
}

#[test]
fn the_verify_corpus_holds_a_valid_and_a_tampered_licence() {
    // Guards the seeds themselves: the fuzzer starts from a document that passes every check.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let root =
        zhengzhao_core::pki::Certificate::from_pem(&fs::read(dir.join("corpus-root.pem")).unwrap())
            .unwrap();
    let verifier = zhengzhao_core::verify::Verifier::new(
        zhengzhao_core::pki::TrustAnchors::new(vec![root]).unwrap(),
    );
    let at = time::macros::datetime!(2027-06-01 12:00 UTC);
    let bundle = fs::read(dir.join("corpus/bundle/bundle.json")).unwrap();
    assert!(
        zhengzhao_core::bundle::verify(&verifier, &bundle, at)
            .unwrap()
            .valid
    );
    let ctx = zhengzhao_core::verify::Context {
        at,
        certificates: &[],
        status_lists: &[],
    };
    let tampered = verifier.verify(
        &fs::read(dir.join("corpus/verify/tampered.json")).unwrap(),
        &ctx,
    );
    assert!(!tampered.valid);
    // The QR seed carries the valid licence; the flat records read as licences.
    let qr = fs::read_to_string(dir.join("corpus/qr/licence.txt")).unwrap();
    let doc = zhengzhao_core::qr::decode(&qr).unwrap();
    let licence = fs::read(dir.join("corpus/verify/licence.json")).unwrap();
    assert_eq!(doc, zhengzhao_core::jcs::canonicalize(&licence).unwrap());
    let catalog = zhengzhao_core::catalog::Catalog::builtin();
    for seed in ["business-licence.json", "two-holders.json"] {
        let bytes = fs::read(dir.join("corpus/gbt36903").join(seed)).unwrap();
        let record = zhengzhao_core::gbt36903::record_from_json(&bytes).unwrap();
        assert!(
            zhengzhao_core::gbt36903::from_record(&record, &catalog).is_ok(),
            "{seed}"
        );
    }
}

#[test]
fn the_log_corpora_hold_proofs_and_checkpoints_that_verify() {
    // Guards the seeds: the fuzzers start from inputs that pass, so they explore near the
    // accepting paths.
    use zhengzhao_core::checkpoint::{Checkpoint, Verifier};
    use zhengzhao_core::merkle::{self, ConsistencyProof, InclusionProof, MemoryTree};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let tree = MemoryTree::from_leaves((0..70u32).map(|i| format!("event {i}")));
    let root = |n| merkle::root(&tree, n).unwrap();
    let p = InclusionProof::from_json(&fs::read(dir.join("merkle_proof/inclusion.json")).unwrap())
        .unwrap();
    let leaf = merkle::NodeSource::node(&tree, 0, p.leaf_index).unwrap();
    assert!(p.verify(&leaf, &root(p.tree_size)).is_ok());
    let p =
        ConsistencyProof::from_json(&fs::read(dir.join("merkle_proof/consistency.json")).unwrap())
            .unwrap();
    assert!(p.verify(&root(p.size1), &root(p.size2)).is_ok());
    let log = Verifier::from_vkey(targets::FUZZ_LOG_VKEY).unwrap();
    for seed in ["signed", "cosigned", "empty-tree"] {
        let note = fs::read_to_string(dir.join("checkpoint").join(seed)).unwrap();
        assert!(
            Checkpoint::open(&note, std::slice::from_ref(&log)).is_ok(),
            "{seed}"
        );
    }
}

#[test]
fn the_import_corpus_holds_rows_that_import_and_rows_that_do_not() {
    // Guards the seeds: the fuzzer starts from rows that reach the end of the mapping.
    use zhengzhao_core::catalog::Catalog;
    use zhengzhao_core::mapping::Mapping;
    use zhengzhao_core::records::{Encoding, Format, Reader};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/import_rows");
    let catalog = Catalog::builtin();
    let ty = catalog.find("11100000MB0143028R107").unwrap();
    let mapping = Mapping::from_toml(targets::IMPORT_MAPPING).unwrap();
    let outcomes = |file: &str| {
        let data = fs::read(dir.join(file)).unwrap();
        let mut reader = Reader::new(&data[..], Format::Csv, Encoding::Auto).unwrap();
        let (mut ok, mut bad) = (0, 0);
        while let Some(row) = reader.next_row().unwrap() {
            match row.map(|r| mapping.apply(ty, &r)) {
                Ok(Ok(_)) => ok += 1,
                _ => bad += 1,
            }
        }
        (ok, bad)
    };
    assert_eq!(outcomes("good.csv"), (3, 0));
    assert_eq!(outcomes("gbk.csv"), (3, 0));
    let (ok, bad) = outcomes("bad-rows.csv");
    assert_eq!(
        (ok, bad),
        (2, 4),
        "a duplicate number is only found by the import"
    );
}
