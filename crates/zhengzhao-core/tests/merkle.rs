//! RFC 6962 / RFC 9162 Merkle proofs: every transparency-dev/merkle test vector
//! (`test-vectors/merkle/`), generated proofs for every index and size pair up to 70 leaves
//! against a naive recursive reference, and very large trees read through a counting store.

use std::cell::Cell;
use std::fs;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use proptest::prelude::*;
use serde_json::Value;
use zhengzhao_core::merkle::{
    self, consistency_proof, hash_from_slice, inclusion_proof, leaf_hash, node_hash, root,
    verify_consistency, verify_inclusion, ConsistencyProof, Frontier, Hash, InclusionProof,
    MemoryTree, MerkleError, Node, NodeSource, EMPTY_ROOT,
};
use zhengzhao_core::{Coded, ErrorCode};

// ---------------------------------------------------------------------------------------------
// The naive reference: RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 as written, recursively.
// ---------------------------------------------------------------------------------------------

fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

fn mth(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => EMPTY_ROOT,
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

fn path(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    let n = leaves.len();
    if n == 1 {
        return vec![];
    }
    let k = split(n);
    if m < k {
        let mut p = path(m, &leaves[..k]);
        p.push(mth(&leaves[k..]));
        p
    } else {
        let mut p = path(m - k, &leaves[k..]);
        p.push(mth(&leaves[..k]));
        p
    }
}

fn subproof(m: usize, leaves: &[Hash], whole: bool) -> Vec<Hash> {
    let n = leaves.len();
    if m == n {
        return if whole { vec![] } else { vec![mth(leaves)] };
    }
    let k = split(n);
    if m <= k {
        let mut p = subproof(m, &leaves[..k], whole);
        p.push(mth(&leaves[k..]));
        p
    } else {
        let mut p = subproof(m - k, &leaves[k..], false);
        p.push(mth(&leaves[..k]));
        p
    }
}

const N: usize = 70;

fn leaves() -> Vec<Hash> {
    (0..N)
        .map(|i| leaf_hash(format!("event {i}").as_bytes()))
        .collect()
}

fn tree() -> MemoryTree {
    let mut t = MemoryTree::new();
    for h in leaves() {
        t.append(h).unwrap();
    }
    t
}

// ---------------------------------------------------------------------------------------------
// The transparency-dev/merkle vectors
// ---------------------------------------------------------------------------------------------

fn vector_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors/merkle")
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

/// A hash field as our API takes it: decoding is part of verification, so a value that is not
/// 32 bytes of base64 is a rejection (`HashLength`), as the API reports it.
fn hash(v: &Value) -> Result<Hash, MerkleError> {
    let bytes = STANDARD
        .decode(v.as_str().unwrap())
        .map_err(|e| MerkleError::Malformed(e.to_string()))?;
    hash_from_slice(&bytes)
}

fn proof(v: &Value) -> Result<Vec<Hash>, MerkleError> {
    match v {
        Value::Null => Ok(vec![]),
        Value::Array(a) => a.iter().map(hash).collect(),
        _ => panic!("proof is {v}"),
    }
}

/// Runs one vector file through our verifier.
fn check_vector(v: &Value) -> Result<(), MerkleError> {
    if v.get("leafIdx").is_some() {
        verify_inclusion(
            v["leafIdx"].as_u64().unwrap(),
            v["treeSize"].as_u64().unwrap(),
            &hash(&v["leafHash"])?,
            &proof(&v["proof"])?,
            &hash(&v["root"])?,
        )
    } else {
        verify_consistency(
            v["size1"].as_u64().unwrap(),
            v["size2"].as_u64().unwrap(),
            &hash(&v["root1"])?,
            &hash(&v["root2"])?,
            &proof(&v["proof"])?,
        )
    }
}

/// The one vector we deliberately disagree with. Its roots are 12-byte placeholders ("don't
/// care 2") and it expects success because only their equality is compared for equal sizes; a
/// root here is a SHA-256 hash, so the placeholder is refused when it is decoded.
const DEVIATIONS: &[&str] = &["consistency/additional/sizes-are-equal-one-and-proof-is-empty.json"];

#[test]
fn every_transparency_dev_vector_agrees() {
    let dir = vector_dir();
    let mut files = Vec::new();
    json_files(&dir, &mut files);
    files.sort();
    assert_eq!(files.len(), 196, "the vector set is complete");
    let (mut accepted, mut rejected) = (0, 0);
    let mut disagree = Vec::new();
    for f in &files {
        let name = f.strip_prefix(&dir).unwrap().to_str().unwrap().to_owned();
        let v: Value = serde_json::from_str(&fs::read_to_string(f).unwrap()).unwrap();
        let want_err = v["wantErr"].as_bool().unwrap();
        let got = check_vector(&v);
        if got.is_err() != want_err {
            disagree.push(name.clone());
            continue;
        }
        match got {
            Ok(()) => accepted += 1,
            Err(e) => {
                rejected += 1;
                // Every rejection carries a log code.
                let code = e.code();
                assert!(
                    matches!(
                        code,
                        ErrorCode::LogProofMalformed
                            | ErrorCode::LogProofInvalid
                            | ErrorCode::LogRange
                    ),
                    "{name}: {e} has {code}"
                );
            }
        }
    }
    assert_eq!(disagree, DEVIATIONS, "vectors we disagree with");
    assert_eq!(accepted, 11);
    assert_eq!(rejected, 184);
}

#[test]
fn the_deviation_is_only_the_placeholder_roots() {
    // The same case with real 32-byte roots verifies, so only the hash length differs.
    let v: Value =
        serde_json::from_str(&fs::read_to_string(vector_dir().join(DEVIATIONS[0])).unwrap())
            .unwrap();
    assert_eq!(check_vector(&v), Err(MerkleError::HashLength(12)));
    let r = leaf_hash(b"any");
    assert_eq!(verify_consistency(1, 1, &r, &r, &[]), Ok(()));
}

/// transparency-dev/merkle `testonly/constants.go` `LeafInputs()`: the tree its vectors use.
fn reference_leaves() -> Vec<Vec<u8>> {
    [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
    .iter()
    .map(|h| hex::decode(h).unwrap())
    .collect()
}

#[test]
fn generated_proofs_reproduce_the_happy_path_vectors() {
    let tree = MemoryTree::from_leaves(reference_leaves());
    let mut n = 0;
    for i in 0..=4 {
        let v: Value = serde_json::from_str(
            &fs::read_to_string(vector_dir().join(format!("inclusion/{i}/happy-path.json")))
                .unwrap(),
        )
        .unwrap();
        let (index, size) = (
            v["leafIdx"].as_u64().unwrap(),
            v["treeSize"].as_u64().unwrap(),
        );
        assert_eq!(root(&tree, size).unwrap(), hash(&v["root"]).unwrap());
        assert_eq!(tree.node(0, index).unwrap(), hash(&v["leafHash"]).unwrap());
        assert_eq!(
            inclusion_proof(&tree, index, size).unwrap(),
            proof(&v["proof"]).unwrap()
        );
        let v: Value = serde_json::from_str(
            &fs::read_to_string(vector_dir().join(format!("consistency/{i}/happy-path.json")))
                .unwrap(),
        )
        .unwrap();
        let (s1, s2) = (v["size1"].as_u64().unwrap(), v["size2"].as_u64().unwrap());
        assert_eq!(root(&tree, s1).unwrap(), hash(&v["root1"]).unwrap());
        assert_eq!(root(&tree, s2).unwrap(), hash(&v["root2"]).unwrap());
        assert_eq!(
            consistency_proof(&tree, s1, s2).unwrap(),
            proof(&v["proof"]).unwrap()
        );
        n += 2;
    }
    assert_eq!(n, 10);
    // And the root of every size, as testonly/constants.go `RootHashes()` states them.
    let roots = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    for (size, want) in roots.iter().enumerate() {
        assert_eq!(
            hex::encode(root(&tree, size as u64).unwrap()),
            *want,
            "size {size}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Generated proofs, every size up to 70
// ---------------------------------------------------------------------------------------------

#[test]
fn roots_match_the_naive_reference() {
    let leaves = leaves();
    let tree = tree();
    let mut frontier = Frontier::new();
    for n in 0..=N {
        let want = mth(&leaves[..n]);
        assert_eq!(root(&tree, n as u64).unwrap(), want, "size {n}");
        assert_eq!(frontier.root(), want, "frontier of size {n}");
        let restored = Frontier::from_source(&tree, n as u64).unwrap();
        assert_eq!(restored, frontier, "frontier of size {n} read back");
        assert_eq!(
            Frontier::from_peaks(n as u64, frontier.peaks().to_vec()).unwrap(),
            frontier
        );
        if n < N {
            frontier.append(leaves[n]).unwrap();
        }
    }
    assert_eq!(tree.root(), mth(&leaves));
    assert_eq!(tree.size(), N as u64);
}

#[test]
fn append_returns_exactly_the_subtrees_each_leaf_completes() {
    let leaves = leaves();
    let mut f = Frontier::new();
    for (n, leaf) in leaves.iter().enumerate() {
        let nodes = f.append(*leaf).unwrap();
        let mut want = vec![];
        let mut level = 0;
        // Subtree (level, n >> level) is complete once leaf n is its last leaf.
        while (n + 1) % (1 << level) == 0 {
            let index = n >> level;
            let start = index << level;
            want.push(Node {
                level,
                index: index as u64,
                hash: mth(&leaves[start..start + (1 << level)]),
            });
            level += 1;
        }
        assert_eq!(nodes, want, "leaf {n}");
    }
}

#[test]
fn every_inclusion_proof_up_to_70_leaves() {
    let leaves = leaves();
    let tree = tree();
    let mut checked = 0;
    for n in 1..=N {
        let r = mth(&leaves[..n]);
        for m in 0..n {
            let (mi, ni) = (m as u64, n as u64);
            let p = inclusion_proof(&tree, mi, ni).unwrap();
            assert_eq!(p, path(m, &leaves[..n]), "PATH({m}, {n})");
            assert_eq!(verify_inclusion(mi, ni, &leaves[m], &p, &r), Ok(()));
            assert_eq!(
                merkle::root_from_inclusion_proof(mi, ni, &leaves[m], &p),
                Ok(r)
            );
            // Another leaf, another index, another root, a changed hash: all refused.
            let other = leaves[(m + 1) % n];
            if n > 1 {
                assert!(verify_inclusion(mi, ni, &other, &p, &r).is_err());
                assert!(verify_inclusion((mi + 1) % ni, ni, &leaves[m], &p, &r).is_err());
            }
            assert_eq!(
                verify_inclusion(mi, ni, &leaves[m], &p, &leaf_hash(b"x")),
                Err(MerkleError::RootMismatch)
            );
            for i in 0..p.len() {
                let mut bad = p.clone();
                bad[i][i % 32] ^= 1;
                assert_eq!(
                    verify_inclusion(mi, ni, &leaves[m], &bad, &r),
                    Err(MerkleError::RootMismatch)
                );
            }
            let mut long = p.clone();
            long.push(r);
            assert!(matches!(
                verify_inclusion(mi, ni, &leaves[m], &long, &r),
                Err(MerkleError::ProofLength { .. })
            ));
            if !p.is_empty() {
                assert!(matches!(
                    verify_inclusion(mi, ni, &leaves[m], &p[1..], &r),
                    Err(MerkleError::ProofLength { .. })
                ));
            }
            // The proof document says the same.
            let doc = InclusionProof {
                leaf_index: mi,
                tree_size: ni,
                path: p,
            };
            let back = InclusionProof::from_json(doc.to_json().as_bytes()).unwrap();
            assert_eq!(back, doc);
            assert_eq!(back.verify(&leaves[m], &r), Ok(()));
            checked += 1;
        }
    }
    assert_eq!(checked, N * (N + 1) / 2);
}

#[test]
fn every_consistency_proof_up_to_70_leaves() {
    let leaves = leaves();
    let tree = tree();
    let mut checked = 0;
    for n in 1..=N {
        let r2 = mth(&leaves[..n]);
        for m in 1..=n {
            let (mi, ni) = (m as u64, n as u64);
            let r1 = mth(&leaves[..m]);
            let p = consistency_proof(&tree, mi, ni).unwrap();
            assert_eq!(p, subproof(m, &leaves[..n], true), "PROOF({m}, {n})");
            assert_eq!(verify_consistency(mi, ni, &r1, &r2, &p), Ok(()));
            let x = leaf_hash(b"x");
            assert!(verify_consistency(mi, ni, &x, &r2, &p).is_err());
            assert!(verify_consistency(mi, ni, &r1, &x, &p).is_err());
            for i in 0..p.len() {
                let mut bad = p.clone();
                bad[i][31 - i % 32] ^= 0x80;
                assert_eq!(
                    verify_consistency(mi, ni, &r1, &r2, &bad),
                    Err(MerkleError::RootMismatch),
                    "PROOF({m}, {n}) hash {i} changed"
                );
            }
            let mut long = p.clone();
            long.push(r1);
            assert!(matches!(
                verify_consistency(mi, ni, &r1, &r2, &long),
                Err(MerkleError::ProofLength { .. })
            ));
            if !p.is_empty() {
                assert!(matches!(
                    verify_consistency(mi, ni, &r1, &r2, &p[..p.len() - 1]),
                    Err(MerkleError::ProofLength { .. })
                ));
            }
            if m < n {
                assert!(verify_consistency(ni, mi, &r2, &r1, &p).is_err());
            }
            let doc = ConsistencyProof {
                size1: mi,
                size2: ni,
                path: p,
            };
            let back = ConsistencyProof::from_json(doc.to_json().as_bytes()).unwrap();
            assert_eq!(back.verify(&r1, &r2), Ok(()));
            checked += 1;
        }
    }
    assert_eq!(checked, N * (N + 1) / 2);
}

#[test]
fn edge_sizes() {
    let tree = tree();
    let r1 = root(&tree, 1).unwrap();
    // The empty tree: its root, no inclusion, no consistency from it.
    assert_eq!(
        verify_consistency(0, 0, &EMPTY_ROOT, &EMPTY_ROOT, &[]),
        Ok(())
    );
    assert_eq!(
        verify_consistency(0, 0, &r1, &r1, &[]),
        Err(MerkleError::RootMismatch)
    );
    assert_eq!(
        verify_consistency(0, 1, &EMPTY_ROOT, &r1, &[]),
        Err(MerkleError::EmptyTree)
    );
    assert_eq!(consistency_proof(&tree, 0, 5), Err(MerkleError::EmptyTree));
    assert_eq!(consistency_proof(&tree, 5, 5), Ok(vec![]));
    assert_eq!(
        consistency_proof(&tree, 6, 5),
        Err(MerkleError::SizeOrder { size1: 6, size2: 5 })
    );
    assert_eq!(
        verify_inclusion(0, 0, &r1, &[], &EMPTY_ROOT),
        Err(MerkleError::IndexOutOfRange { index: 0, size: 0 })
    );
    assert_eq!(
        verify_consistency(3, 3, &r1, &r1, &[r1]),
        Err(MerkleError::ProofLength { got: 1, want: 0 })
    );
    // Nodes past the stored tree are reported, not invented.
    assert_eq!(
        root(&tree, N as u64 + 1),
        Err(MerkleError::MissingNode {
            level: 0,
            index: N as u64
        })
    );
    assert_eq!(
        MerkleError::IndexOutOfRange { index: 0, size: 0 }.code(),
        ErrorCode::LogRange
    );
}

#[test]
fn proof_documents_are_read_strictly() {
    let h = STANDARD.encode([7u8; 32]);
    let ok = format!(r#"{{"leafIndex":1,"treeSize":2,"path":["{h}"]}}"#);
    assert!(InclusionProof::from_json(ok.as_bytes()).is_ok());
    let short = STANDARD.encode([7u8; 31]);
    for bad in [
        format!(r#"{{"leafIndex":1,"treeSize":2,"path":["{short}"]}}"#),
        format!(r#"{{"leafIndex":1,"treeSize":2,"path":["{h} "]}}"#),
        format!(r#"{{"leafIndex":1,"treeSize":2,"path":["{h}"],"extra":1}}"#),
        format!(r#"{{"leafIndex":-1,"treeSize":2,"path":["{h}"]}}"#),
        format!(r#"{{"leafIndex":1,"path":["{h}"]}}"#),
        format!(
            r#"{{"leafIndex":1,"treeSize":2,"path":[{}]}}"#,
            vec![format!("\"{h}\""); 131].join(",")
        ),
    ] {
        let e = InclusionProof::from_json(bad.as_bytes()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::LogProofMalformed, "{bad}: {e}");
    }
    assert!(ConsistencyProof::from_json(br#"{"size1":1,"size2":1,"path":[]}"#).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Very large trees, read through a store that counts and checks every read
// ---------------------------------------------------------------------------------------------

/// A tree of `size` identical leaves: every node of level `k` has the same hash, so any size,
/// up to `u64::MAX`, is a consistent tree. Each read is counted and must be of a complete subtree.
struct Uniform {
    size: u64,
    levels: Vec<Hash>,
    reads: Cell<usize>,
}

impl Uniform {
    fn new(size: u64) -> Uniform {
        let mut levels = vec![leaf_hash(b"same")];
        for k in 0..63 {
            let h = levels[k];
            levels.push(node_hash(&h, &h));
        }
        Uniform {
            size,
            levels,
            reads: Cell::new(0),
        }
    }
}

impl NodeSource for Uniform {
    type Error = MerkleError;

    fn node(&self, level: u32, index: u64) -> Result<Hash, MerkleError> {
        self.reads.set(self.reads.get() + 1);
        assert!(level < 64, "level {level}");
        let end = (u128::from(index) + 1) << level;
        assert!(
            end <= u128::from(self.size),
            "node ({level}, {index}) is not complete in a tree of {}",
            self.size
        );
        Ok(self.levels[level as usize])
    }
}

fn large_sizes() -> Vec<u64> {
    vec![
        u64::MAX,
        u64::MAX - 1,
        1 << 63,
        (1 << 63) + 1,
        (1 << 63) - 1,
        (1 << 40) + 12345,
        0x5555_5555_5555_5555,
        0xaaaa_aaaa_aaaa_aaaa,
    ]
}

#[test]
fn large_trees_take_logarithmic_reads_and_verify() {
    for size in large_sizes() {
        let src = Uniform::new(size);
        let r = root(&src, size).unwrap();
        assert_eq!(src.reads.get(), size.count_ones() as usize);
        for index in [0, 1, size / 3, size / 2, size - 2, size - 1] {
            src.reads.set(0);
            let p = inclusion_proof(&src, index, size).unwrap();
            assert!(src.reads.get() <= 2 * 64, "{} reads", src.reads.get());
            assert_eq!(
                verify_inclusion(index, size, &src.levels[0], &p, &r),
                Ok(()),
                "leaf {index} of {size}"
            );
        }
        for size1 in [1, 2, 3, size / 2, size - 2, size - 1, size] {
            let r1 = root(&Uniform::new(size1), size1).unwrap();
            src.reads.set(0);
            let p = consistency_proof(&src, size1, size).unwrap();
            assert!(src.reads.get() <= 2 * 64 + 1, "{} reads", src.reads.get());
            assert_eq!(
                verify_consistency(size1, size, &r1, &r, &p),
                Ok(()),
                "{size1} -> {size}"
            );
        }
        let f = Frontier::from_source(&src, size).unwrap();
        assert_eq!(f.root(), r);
    }
}

#[test]
fn a_closure_is_a_node_source() {
    let tree = tree();
    let reads = Cell::new(0);
    let src = |level: u32, index: u64| {
        reads.set(reads.get() + 1);
        tree.node(level, index)
    };
    assert_eq!(root(&src, 70).unwrap(), tree.root());
    // 70 = 64 + 4 + 2: three complete subtrees.
    assert_eq!(reads.get(), 3);
}

proptest! {
    #[test]
    fn verification_never_panics(
        index in any::<u64>(),
        size in any::<u64>(),
        size2 in any::<u64>(),
        leaf in any::<[u8; 32]>(),
        hashes in proptest::collection::vec(any::<[u8; 32]>(), 0..140),
    ) {
        let _ = verify_inclusion(index, size, &leaf, &hashes, &leaf);
        let _ = verify_consistency(size, size2, &leaf, &leaf, &hashes);
        let _ = verify_consistency(index.min(size), size.max(index), &leaf, &leaf, &hashes);
    }

    #[test]
    fn generated_proofs_of_any_size_verify(
        size in 1..=u64::MAX,
        a in any::<u64>(),
        b in any::<u64>(),
    ) {
        let src = Uniform::new(size);
        let r = root(&src, size).unwrap();
        let index = a % size;
        let p = inclusion_proof(&src, index, size).unwrap();
        prop_assert_eq!(verify_inclusion(index, size, &src.levels[0], &p, &r), Ok(()));
        let size1 = 1 + b % size;
        let r1 = root(&Uniform::new(size1), size1).unwrap();
        let p = consistency_proof(&src, size1, size).unwrap();
        prop_assert_eq!(verify_consistency(size1, size, &r1, &r, &p), Ok(()));
    }
}
