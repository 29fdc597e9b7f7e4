//! The usage log as a Merkle tree: signed checkpoints, inclusion and consistency proofs that an
//! auditor checks offline with nothing but the log's verifier key.

mod common;

use common::{person_type, Fixture};
use zhengzhao_core::checkpoint::{Checkpoint, Verifier};
use zhengzhao_core::error::{Coded, ErrorCode};
use zhengzhao_core::merkle::{leaf_hash, MemoryTree, EMPTY_ROOT};
use zhengzhao_registry::{log::LOG_KEY_FILE, Options, Registry};

fn issue_some(f: &mut Fixture, n: usize) {
    let ty = person_type();
    for _ in 0..n {
        let holder = f.person();
        let req = f.request_today(&ty, &holder);
        f.reg().issue(&req).unwrap();
    }
}

/// What an auditor has: the verifier key as published, and the checkpoint note.
fn open_checkpoint(f: &Fixture, note: &str) -> Checkpoint {
    let verifier = Verifier::from_vkey(&f.reg().log_vkey().unwrap()).unwrap();
    Checkpoint::open_from(note, f.reg().log_origin(), &[verifier]).unwrap()
}

#[test]
fn a_new_log_is_empty_and_its_checkpoint_says_so() {
    let f = Fixture::new();
    let note = f.reg().checkpoint().unwrap();
    let cp = open_checkpoint(&f, &note);
    assert_eq!((cp.size, cp.root), (0, EMPTY_ROOT));
    assert!(f.reg().log_origin().starts_with("zhengzhao/"));
    assert_eq!(
        f.reg().latest_checkpoint().unwrap().as_deref(),
        Some(note.as_str())
    );
}

#[test]
fn every_event_is_proven_in_the_checkpointed_tree() {
    let mut f = Fixture::new();
    issue_some(&mut f, 13);
    let note = f.reg().checkpoint().unwrap();
    let cp = open_checkpoint(&f, &note);
    let events = f.reg().events(0, u64::MAX).unwrap();
    assert_eq!(cp.size, events.len() as u64);
    // The same tree an auditor builds from the events themselves.
    let tree = MemoryTree::from_leaves(events.iter().map(|(_, e)| e));
    assert_eq!(cp.root, tree.root());
    for (seq, e) in &events {
        let proof = f.reg().inclusion_proof(*seq, cp.size).unwrap();
        proof.verify(&leaf_hash(e), &cp.root).unwrap();
        // Through its JSON form, as handed over.
        let back =
            zhengzhao_core::merkle::InclusionProof::from_json(proof.to_json().as_bytes()).unwrap();
        back.verify(&leaf_hash(e), &cp.root).unwrap();
    }
    // A changed event is not in the tree.
    let mut changed = events[3].1.clone();
    changed[10] ^= 1;
    let proof = f.reg().inclusion_proof(3, cp.size).unwrap();
    assert_eq!(
        proof
            .verify(&leaf_hash(&changed), &cp.root)
            .unwrap_err()
            .code(),
        ErrorCode::LogProofInvalid
    );
}

#[test]
fn later_checkpoints_are_consistent_with_earlier_ones_across_reopening() {
    let mut f = Fixture::new();
    issue_some(&mut f, 5);
    let first = open_checkpoint(&f, &f.reg().checkpoint().unwrap());
    f.reopen();
    issue_some(&mut f, 9);
    let second = open_checkpoint(&f, &f.reg().checkpoint().unwrap());
    assert!(second.size > first.size);
    let proof = f.reg().consistency_proof(first.size, second.size).unwrap();
    proof.verify(&first.root, &second.root).unwrap();
    // The root the registry kept in memory is the root of what it stored.
    let events = f.reg().events(0, u64::MAX).unwrap();
    assert_eq!(
        second.root,
        MemoryTree::from_leaves(events.iter().map(|(_, e)| e)).root()
    );
    // A forged earlier root is caught.
    let mut forged = first.root;
    forged[0] ^= 1;
    assert_eq!(
        proof.verify(&forged, &second.root).unwrap_err().code(),
        ErrorCode::LogProofInvalid
    );
}

#[test]
fn proofs_beyond_the_log_are_refused() {
    let mut f = Fixture::new();
    issue_some(&mut f, 3);
    let len = f.reg().log_len();
    let code = |e: zhengzhao_registry::RegistryError| e.code();
    assert_eq!(
        code(f.reg().inclusion_proof(0, len + 1).unwrap_err()),
        ErrorCode::LifecycleRequest
    );
    assert_eq!(
        code(f.reg().inclusion_proof(len, len).unwrap_err()),
        ErrorCode::LogRange
    );
    assert_eq!(
        code(f.reg().consistency_proof(2, 1).unwrap_err()),
        ErrorCode::LogRange
    );
    assert_eq!(
        code(f.reg().consistency_proof(0, len).unwrap_err()),
        ErrorCode::LogRange
    );
    assert!(f.reg().consistency_proof(len, len).unwrap().path.is_empty());
}

#[test]
fn a_checkpoint_from_another_registry_or_altered_is_refused() {
    let f = Fixture::new();
    let g = Fixture::new();
    let note = f.reg().checkpoint().unwrap();
    let other = Verifier::from_vkey(&g.reg().log_vkey().unwrap()).unwrap();
    assert_eq!(
        Checkpoint::open(&note, &[other]).unwrap_err().code(),
        ErrorCode::LogCheckpointUnverified
    );
    let verifier = Verifier::from_vkey(&f.reg().log_vkey().unwrap()).unwrap();
    let altered = note.replacen("\n0\n", "\n1\n", 1);
    assert_ne!(altered, note);
    assert_eq!(
        Checkpoint::open(&altered, &[verifier]).unwrap_err().code(),
        ErrorCode::LogCheckpointSignature
    );
}

#[test]
fn the_log_origin_is_chosen_at_creation_and_the_key_must_be_there() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    let r = Registry::create(&dir, Options::new().log_origin("zzk.xihu.example/registry")).unwrap();
    assert_eq!(r.log_origin(), "zzk.xihu.example/registry");
    assert!(r
        .log_vkey()
        .unwrap()
        .starts_with("zzk.xihu.example/registry+"));
    drop(r);
    // Another origin on open changes nothing.
    let r = Registry::open(&dir, Options::new().log_origin("other")).unwrap();
    assert_eq!(r.log_origin(), "zzk.xihu.example/registry");
    drop(r);
    std::fs::remove_file(dir.join(LOG_KEY_FILE)).unwrap();
    assert_eq!(
        Registry::open(&dir, Options::new()).unwrap_err().code(),
        ErrorCode::KeyIo
    );

    let bad = tmp.path().join("bad");
    let e = Registry::create(&bad, Options::new().log_origin("two\nlines")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::LogCheckpointMalformed);
    assert!(
        std::fs::read_dir(&bad).unwrap().next().is_none(),
        "nothing left behind"
    );
}
