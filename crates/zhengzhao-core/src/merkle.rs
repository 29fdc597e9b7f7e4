//! RFC 6962 / RFC 9162 Merkle trees: the hashes of the usage log, and its inclusion and
//! consistency proofs.
//!
//! Every event of the usage and audit log is a leaf. A leaf hashes as `SHA-256(0x00 || data)`,
//! an interior node as `SHA-256(0x01 || left || right)`, and the empty tree's root is
//! `SHA-256("")` (RFC 9162 §2.1.1). Verification ([`verify_inclusion`], [`verify_consistency`])
//! follows the algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2 step by step, and needs no store: an
//! auditor checks proofs offline against a signed [checkpoint](crate::checkpoint).
//!
//! # Storing a tree
//!
//! A tree is stored as the hashes of its *complete subtrees*: node `(level k, index i)` is the
//! root of the `2^k` leaves `[i·2^k, (i+1)·2^k)`; level 0 holds the leaf hashes. A node never
//! changes once its last leaf is appended, so the store only grows. [`Frontier::append`] returns
//! the nodes a new leaf completes, for the registry to write in the same batch as the leaf;
//! [`root`], [`inclusion_proof`] and [`consistency_proof`] then read `O(log n)` nodes through a
//! [`NodeSource`] (a key-value store keyed by level and index, or a closure).
//!
//! ```
//! use zhengzhao_core::merkle::{self, leaf_hash, MemoryTree};
//! let mut tree = MemoryTree::new();
//! for event in ["issue", "use", "revoke"] {
//!     tree.append(leaf_hash(event.as_bytes()))?;
//! }
//! let root = merkle::root(&tree, 3)?;
//! let proof = merkle::inclusion_proof(&tree, 1, 3)?;
//! merkle::verify_inclusion(1, 3, &leaf_hash(b"use"), &proof, &root)?;
//! # Ok::<(), merkle::MerkleError>(())
//! ```

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Coded, ErrorCode};

/// A SHA-256 hash: of a leaf, a node or a whole tree.
pub type Hash = [u8; 32];

/// The length of a [`Hash`](tyalias@Hash).
pub const HASH_LEN: usize = 32;

/// The root of the empty tree: `SHA-256("")`.
pub const EMPTY_ROOT: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// A proof may hold at most this many hashes: a tree of `u64` leaves is 64 levels deep, and a
/// consistency proof adds at most one hash per level on each side of the split.
const MAX_PROOF_LEN: usize = 130;

/// Why a proof cannot be made or does not verify.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MerkleError {
    /// A leaf index at or past the end of the tree.
    #[error("leaf index {index} is outside the tree of {size} leaves")]
    IndexOutOfRange {
        /// The leaf index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A consistency proof asked from a larger tree to a smaller one.
    #[error("tree size {size1} is larger than tree size {size2}")]
    SizeOrder {
        /// The first (older) tree size.
        size1: u64,
        /// The second (newer) tree size.
        size2: u64,
    },
    /// A consistency proof from the empty tree, which proves nothing (RFC 9162 needs `0 < size1`).
    #[error("a consistency proof from the empty tree proves nothing (size1 must be at least 1)")]
    EmptyTree,
    /// The tree already has `u64::MAX` leaves.
    #[error("the tree is full ({} leaves)", u64::MAX)]
    TreeFull,
    /// A [`NodeSource`] does not have a node it must have.
    #[error("node (level {level}, index {index}) is not stored")]
    MissingNode {
        /// The node's level.
        level: u32,
        /// The node's index on its level.
        index: u64,
    },
    /// A proof with the wrong number of hashes for its tree sizes.
    #[error("the proof has {got} hashes; a proof for these tree sizes has {want}")]
    ProofLength {
        /// Hashes in the proof.
        got: usize,
        /// Hashes a proof for these sizes has.
        want: usize,
    },
    /// A hash that is not 32 bytes long.
    #[error("a hash has {0} bytes, not 32")]
    HashLength(usize),
    /// A proof document that cannot be read.
    #[error("the proof cannot be read: {0}")]
    Malformed(String),
    /// The proof does not lead to the root it is checked against.
    #[error("the proof does not verify: it leads to another root")]
    RootMismatch,
    /// A proof for other tree sizes than the checkpoints it is checked against.
    #[error("the proof is for tree sizes {proof:?}, the checkpoints have {checkpoints:?}")]
    SizeMismatch {
        /// The tree sizes of the proof (one for inclusion, two for consistency).
        proof: Vec<u64>,
        /// Those of the checkpoints.
        checkpoints: Vec<u64>,
    },
}

impl Coded for MerkleError {
    fn code(&self) -> ErrorCode {
        match self {
            MerkleError::IndexOutOfRange { .. }
            | MerkleError::SizeOrder { .. }
            | MerkleError::EmptyTree
            | MerkleError::TreeFull
            | MerkleError::MissingNode { .. }
            | MerkleError::SizeMismatch { .. } => ErrorCode::LogRange,
            MerkleError::ProofLength { .. }
            | MerkleError::HashLength(_)
            | MerkleError::Malformed(_) => ErrorCode::LogProofMalformed,
            MerkleError::RootMismatch => ErrorCode::LogProofInvalid,
        }
    }
}

/// The hash of a leaf: `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    h.finalize().into()
}

/// The hash of an interior node: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// A hash from bytes that must be exactly 32 long.
pub fn hash_from_slice(bytes: &[u8]) -> Result<Hash, MerkleError> {
    bytes
        .try_into()
        .map_err(|_| MerkleError::HashLength(bytes.len()))
}

// ---------------------------------------------------------------------------------------------
// Verification (RFC 9162 §2.1.3.2 and §2.1.4.2)
// ---------------------------------------------------------------------------------------------

/// The number of iterations of the RFC 9162 walk (§2.1.3.2 step 4, §2.1.4.2 step 6) from `fn`
/// and `sn` until `sn` is 0. The walk moves `fn` and `sn` the same way whatever the hashes are,
/// so a proof's length is fixed by its tree sizes.
fn walk_len(mut f: u64, mut s: u64) -> usize {
    let mut n = 0;
    while s != 0 {
        // Step b: when LSB(fn) is clear and fn equals sn, shift until LSB(fn) is set or fn is 0.
        if f & 1 == 0 && f == s {
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        }
        // Step c.
        f >>= 1;
        s >>= 1;
        n += 1;
    }
    n
}

/// The number of hashes in the inclusion proof of leaf `index` in a tree of `size` leaves
/// (`index < size`).
fn inclusion_len(index: u64, size: u64) -> usize {
    walk_len(index, size - 1)
}

/// The number of hashes in the consistency proof between `0 < size1 < size2`.
fn consistency_len(size1: u64, size2: u64) -> usize {
    // Steps 3 and 4.
    let (mut f, mut s) = (size1 - 1, size2 - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    // Step 5 takes the first hash, step 6 one per iteration; step 2 supplies the first itself
    // when size1 is a power of two.
    let path = 1 + walk_len(f, s);
    if size1.is_power_of_two() {
        path - 1
    } else {
        path
    }
}

/// The root that an inclusion proof of `leaf_hash` at `index` in a tree of `size` leaves leads to
/// (RFC 9162 §2.1.3.2 steps 1–4). [`verify_inclusion`] compares it with the expected root.
pub fn root_from_inclusion_proof(
    index: u64,
    size: u64,
    leaf_hash: &Hash,
    proof: &[Hash],
) -> Result<Hash, MerkleError> {
    // Step 1.
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    // The length is fixed by index and size; checking it first gives a precise error (the steps
    // below would reject a proof of any other length too).
    let want = inclusion_len(index, size);
    if proof.len() != want {
        return Err(MerkleError::ProofLength {
            got: proof.len(),
            want,
        });
    }
    // Steps 2–4.
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf_hash;
    for p in proof {
        if s == 0 {
            return Err(MerkleError::ProofLength {
                got: proof.len(),
                want,
            });
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    // Step 5, first half.
    if s != 0 {
        return Err(MerkleError::ProofLength {
            got: proof.len(),
            want,
        });
    }
    Ok(r)
}

/// Checks that `proof` proves the leaf with hash `leaf_hash` is leaf `index` of the tree of
/// `size` leaves whose root is `root` (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf_hash: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), MerkleError> {
    if root_from_inclusion_proof(index, size, leaf_hash, proof)? == *root {
        Ok(())
    } else {
        Err(MerkleError::RootMismatch)
    }
}

/// Checks that `proof` proves the tree of `size2` leaves with root `root2` extends the tree of
/// `size1` leaves with root `root1` (RFC 9162 §2.1.4.2).
///
/// Equal sizes need an empty proof and equal roots (and, for size 0, the [`EMPTY_ROOT`]). A proof
/// from size 0 to a larger tree is refused: RFC 9162 defines proofs for `0 < size1` only, and the
/// empty tree is a prefix of every tree, so such a proof would prove nothing.
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    root1: &Hash,
    root2: &Hash,
    proof: &[Hash],
) -> Result<(), MerkleError> {
    if size1 > size2 {
        return Err(MerkleError::SizeOrder { size1, size2 });
    }
    if size1 == size2 {
        if !proof.is_empty() {
            return Err(MerkleError::ProofLength {
                got: proof.len(),
                want: 0,
            });
        }
        if root1 != root2 || (size1 == 0 && *root1 != EMPTY_ROOT) {
            return Err(MerkleError::RootMismatch);
        }
        return Ok(());
    }
    if size1 == 0 {
        return Err(MerkleError::EmptyTree);
    }
    let want = consistency_len(size1, size2);
    let length = || MerkleError::ProofLength {
        got: proof.len(),
        want,
    };
    // Step 1 (a proof for 0 < size1 < size2 is never empty, so the length check covers it).
    if proof.len() != want {
        return Err(length());
    }
    // Step 2: the path, with root1 in front when size1 is a power of two.
    let seed: &[Hash] = if size1.is_power_of_two() {
        std::slice::from_ref(root1)
    } else {
        &[]
    };
    let mut path = seed.iter().chain(proof);
    // Step 3.
    let (mut f, mut s) = (size1 - 1, size2 - 1);
    // Step 4.
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    // Step 5.
    let first = path.next().ok_or_else(length)?;
    let (mut fr, mut sr) = (*first, *first);
    // Step 6.
    for c in path {
        if s == 0 {
            return Err(length());
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    // Step 7.
    if s != 0 {
        return Err(length());
    }
    if fr != *root1 || sr != *root2 {
        return Err(MerkleError::RootMismatch);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Proofs from stored nodes
// ---------------------------------------------------------------------------------------------

/// A complete-subtree node: the root of leaves `[index·2^level, (index+1)·2^level)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Node {
    /// The level: 0 for a leaf, `k` for a subtree of `2^k` leaves.
    pub level: u32,
    /// The position of the node on its level.
    pub index: u64,
    /// The hash.
    pub hash: Hash,
}

/// Where the hashes of complete subtrees are stored.
///
/// The functions of this module only ask for nodes that are complete in the tree they work on,
/// so a store that holds every node [`Frontier::append`] returned can answer every call. A
/// closure `Fn(level, index) -> Result<Hash, E>` is a `NodeSource` too.
pub trait NodeSource {
    /// The store's error; proof errors convert into it, so that one `?` serves both.
    type Error: From<MerkleError>;

    /// The hash of complete subtree `(level, index)`.
    fn node(&self, level: u32, index: u64) -> Result<Hash, Self::Error>;
}

impl<F, E> NodeSource for F
where
    F: Fn(u32, u64) -> Result<Hash, E>,
    E: From<MerkleError>,
{
    type Error = E;

    fn node(&self, level: u32, index: u64) -> Result<Hash, E> {
        self(level, index)
    }
}

/// The largest power of two below `n` (`n >= 2`): where RFC 9162 splits a tree of `n` leaves.
fn split(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// The root of the `len` leaves starting at `start` (the empty root for none), where `start` is
/// a multiple of the largest power of two not above `len`, as every range of the RFC's recursion
/// is. It is made of the complete subtrees of `len`'s binary digits, largest first: one read per
/// digit.
fn range_hash<S: NodeSource + ?Sized>(src: &S, start: u64, len: u64) -> Result<Hash, S::Error> {
    let mut parts = Vec::with_capacity(len.count_ones() as usize);
    let mut at = start;
    for level in (0..64u32).rev() {
        let width = 1u64 << level;
        if len & width != 0 {
            parts.push(src.node(level, at >> level)?);
            // Cannot overflow: start + len is at most a tree size.
            at += width;
        }
    }
    let mut parts = parts.into_iter().rev();
    let Some(last) = parts.next() else {
        return Ok(EMPTY_ROOT);
    };
    Ok(parts.fold(last, |h, left| node_hash(&left, &h)))
}

/// The root of the tree of the first `size` leaves (`popcount(size)` node reads).
pub fn root<S: NodeSource + ?Sized>(src: &S, size: u64) -> Result<Hash, S::Error> {
    range_hash(src, 0, size)
}

/// The inclusion proof of leaf `index` in the tree of the first `size` leaves (RFC 9162 §2.1.3.1
/// `PATH`), from the leaf's sibling up to the root's child.
///
/// Every sibling is one complete subtree except at most one, so it reads `O(log size)` nodes.
pub fn inclusion_proof<S: NodeSource + ?Sized>(
    src: &S,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, S::Error> {
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size }.into());
    }
    // Walk down from the root; the RFC appends each level's sibling after the deeper ones.
    let mut path = Vec::new();
    let (mut start, mut n, mut m) = (0u64, size, index);
    while n > 1 {
        let k = split(n);
        if m < k {
            path.push(range_hash(src, start + k, n - k)?);
            n = k;
        } else {
            path.push(src.node(k.trailing_zeros(), start / k)?);
            start += k;
            m -= k;
            n -= k;
        }
    }
    path.reverse();
    Ok(path)
}

/// The consistency proof from the tree of the first `size1` leaves to that of the first `size2`
/// (RFC 9162 §2.1.4.1 `PROOF`): empty when the sizes are equal; an error from size 0 (see
/// [`verify_consistency`]). Reads `O(log size2)` nodes.
pub fn consistency_proof<S: NodeSource + ?Sized>(
    src: &S,
    size1: u64,
    size2: u64,
) -> Result<Vec<Hash>, S::Error> {
    if size1 > size2 {
        return Err(MerkleError::SizeOrder { size1, size2 }.into());
    }
    if size1 == size2 {
        return Ok(Vec::new());
    }
    if size1 == 0 {
        return Err(MerkleError::EmptyTree.into());
    }
    // SUBPROOF(m, D[start..start+n], b), unrolled; outer hashes come last, so push and reverse.
    let mut path = Vec::new();
    let (mut start, mut n, mut m, mut whole) = (0u64, size2, size1, true);
    loop {
        if m == n {
            if !whole {
                path.push(range_hash(src, start, n)?);
            }
            break;
        }
        let k = split(n);
        if m <= k {
            path.push(range_hash(src, start + k, n - k)?);
            n = k;
        } else {
            path.push(src.node(k.trailing_zeros(), start / k)?);
            start += k;
            m -= k;
            n -= k;
            whole = false;
        }
    }
    path.reverse();
    Ok(path)
}

// ---------------------------------------------------------------------------------------------
// Appending
// ---------------------------------------------------------------------------------------------

/// The right edge of a tree: the roots of the complete subtrees that make up its first `size`
/// leaves (one per binary digit of `size`, largest first). Enough to append leaves and to know
/// the root without reading the store.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    peaks: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Frontier {
        Frontier::default()
    }

    /// The frontier of the tree of the first `size` leaves, read from a store
    /// (`popcount(size)` reads), e.g. when the registry opens.
    pub fn from_source<S: NodeSource + ?Sized>(src: &S, size: u64) -> Result<Frontier, S::Error> {
        let mut peaks = Vec::with_capacity(size.count_ones() as usize);
        for (level, index) in Self::peak_positions(size) {
            peaks.push(src.node(level, index)?);
        }
        Ok(Frontier { size, peaks })
    }

    /// A frontier from its parts: `peaks` are the hashes of the nodes of
    /// [`Frontier::peak_positions`]`(size)`, in that order.
    pub fn from_peaks(size: u64, peaks: Vec<Hash>) -> Result<Frontier, MerkleError> {
        let want = size.count_ones() as usize;
        if peaks.len() != want {
            return Err(MerkleError::ProofLength {
                got: peaks.len(),
                want,
            });
        }
        Ok(Frontier { size, peaks })
    }

    /// The `(level, index)` of the complete subtrees that make up a tree of `size` leaves,
    /// largest (leftmost) first.
    pub fn peak_positions(size: u64) -> Vec<(u32, u64)> {
        let mut out = Vec::with_capacity(size.count_ones() as usize);
        let mut start = 0u64;
        for level in (0..64u32).rev() {
            if size & (1 << level) != 0 {
                out.push((level, start >> level));
                start += 1 << level;
            }
        }
        out
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The hashes of the complete subtrees of the right edge, largest first.
    pub fn peaks(&self) -> &[Hash] {
        &self.peaks
    }

    /// The root of the tree.
    pub fn root(&self) -> Hash {
        let mut peaks = self.peaks.iter().rev();
        let Some(last) = peaks.next() else {
            return EMPTY_ROOT;
        };
        peaks.fold(*last, |h, left| node_hash(left, &h))
    }

    /// Appends the leaf with hash `leaf_hash` as leaf number [`Frontier::size`], and returns the
    /// nodes it completes for the store: the leaf `(0, n)`, then `(k, n >> k)` for each level `k`
    /// whose subtree the leaf closes.
    pub fn append(&mut self, leaf_hash: Hash) -> Result<Vec<Node>, MerkleError> {
        let n = self.size;
        let size = n.checked_add(1).ok_or(MerkleError::TreeFull)?;
        let mut nodes = vec![Node {
            level: 0,
            index: n,
            hash: leaf_hash,
        }];
        let mut h = leaf_hash;
        let mut level = 0u32;
        // Each set low bit of n is a complete left sibling waiting for this leaf's subtree.
        while (n >> level) & 1 == 1 {
            let left = self.peaks.pop().ok_or(MerkleError::MissingNode {
                level,
                index: (n >> level) - 1,
            })?;
            h = node_hash(&left, &h);
            level += 1;
            nodes.push(Node {
                level,
                index: n >> level,
                hash: h,
            });
        }
        self.peaks.push(h);
        self.size = size;
        Ok(nodes)
    }
}

/// A tree held in memory: every complete-subtree node, by level. For tests, tools and small
/// logs; the registry keeps its nodes in RocksDB and uses a [`Frontier`].
#[derive(Clone, Debug, Default)]
pub struct MemoryTree {
    levels: Vec<Vec<Hash>>,
    frontier: Frontier,
}

impl MemoryTree {
    /// The empty tree.
    pub fn new() -> MemoryTree {
        MemoryTree::default()
    }

    /// A tree of these leaf data, in order.
    pub fn from_leaves<D: AsRef<[u8]>>(leaves: impl IntoIterator<Item = D>) -> MemoryTree {
        let mut t = MemoryTree::new();
        for d in leaves {
            // A tree in memory cannot reach u64::MAX leaves.
            let _ = t.append(leaf_hash(d.as_ref()));
        }
        t
    }

    /// Appends a leaf by its hash; returns the nodes it completed (see [`Frontier::append`]).
    pub fn append(&mut self, leaf_hash: Hash) -> Result<Vec<Node>, MerkleError> {
        let nodes = self.frontier.append(leaf_hash)?;
        for node in &nodes {
            let level = node.level as usize;
            if self.levels.len() <= level {
                self.levels.resize_with(level + 1, Vec::new);
            }
            self.levels[level].push(node.hash);
        }
        Ok(nodes)
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// The root of the whole tree.
    pub fn root(&self) -> Hash {
        self.frontier.root()
    }

    /// The frontier of the whole tree.
    pub fn frontier(&self) -> &Frontier {
        &self.frontier
    }
}

impl NodeSource for MemoryTree {
    type Error = MerkleError;

    fn node(&self, level: u32, index: u64) -> Result<Hash, MerkleError> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.levels.get(level as usize)?.get(i))
            .copied()
            .ok_or(MerkleError::MissingNode { level, index })
    }
}

// ---------------------------------------------------------------------------------------------
// Proof documents
// ---------------------------------------------------------------------------------------------

/// An inclusion proof as handed to an auditor: JSON
/// `{"leafIndex": 5, "treeSize": 8, "path": ["<base64>", …]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InclusionProof {
    /// The leaf's index.
    pub leaf_index: u64,
    /// The size of the tree the proof is for.
    pub tree_size: u64,
    /// The hashes, from the leaf's sibling up.
    #[serde(with = "base64_hashes")]
    pub path: Vec<Hash>,
}

impl InclusionProof {
    /// Checks the proof for the leaf with hash `leaf_hash` against `root`
    /// (see [`verify_inclusion`]).
    pub fn verify(&self, leaf_hash: &Hash, root: &Hash) -> Result<(), MerkleError> {
        verify_inclusion(self.leaf_index, self.tree_size, leaf_hash, &self.path, root)
    }

    /// Reads the JSON form.
    pub fn from_json(json: &[u8]) -> Result<InclusionProof, MerkleError> {
        serde_json::from_slice(json).map_err(|e| MerkleError::Malformed(e.to_string()))
    }

    /// The JSON form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a proof serialises")
    }
}

/// A consistency proof as handed to an auditor: JSON
/// `{"size1": 3, "size2": 8, "path": ["<base64>", …]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyProof {
    /// The older tree size.
    pub size1: u64,
    /// The newer tree size.
    pub size2: u64,
    /// The hashes.
    #[serde(with = "base64_hashes")]
    pub path: Vec<Hash>,
}

impl ConsistencyProof {
    /// Checks the proof between the two roots (see [`verify_consistency`]).
    pub fn verify(&self, root1: &Hash, root2: &Hash) -> Result<(), MerkleError> {
        verify_consistency(self.size1, self.size2, root1, root2, &self.path)
    }

    /// Reads the JSON form.
    pub fn from_json(json: &[u8]) -> Result<ConsistencyProof, MerkleError> {
        serde_json::from_slice(json).map_err(|e| MerkleError::Malformed(e.to_string()))
    }

    /// The JSON form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a proof serialises")
    }
}

/// Hashes as standard base64 strings, each exactly 32 bytes, at most [`MAX_PROOF_LEN`] of them.
mod base64_hashes {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use serde::de::{Error, SeqAccess, Visitor};
    use serde::{Deserializer, Serializer};

    use super::{Hash, MAX_PROOF_LEN};

    pub fn serialize<S: Serializer>(hashes: &[Hash], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(hashes.iter().map(|h| STANDARD.encode(h)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Hash>, D::Error> {
        struct Hashes;
        impl<'de> Visitor<'de> for Hashes {
            type Value = Vec<Hash>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an array of base64 SHA-256 hashes")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Hash>, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    // A longer proof can never verify; refusing it bounds the work on hostile
                    // input.
                    if out.len() == MAX_PROOF_LEN {
                        return Err(A::Error::custom(format!(
                            "more than {MAX_PROOF_LEN} hashes"
                        )));
                    }
                    let bytes = STANDARD
                        .decode(s.as_bytes())
                        .map_err(|e| A::Error::custom(format!("a hash is not base64: {e}")))?;
                    let h: Hash = bytes.as_slice().try_into().map_err(|_| {
                        A::Error::custom(format!("a hash has {} bytes, not 32", bytes.len()))
                    })?;
                    out.push(h);
                }
                Ok(out)
            }
        }
        d.deserialize_seq(Hashes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(EMPTY_ROOT, <Hash>::from(Sha256::digest(b"")));
        assert_eq!(root(&MemoryTree::new(), 0), Ok(EMPTY_ROOT));
        assert_eq!(Frontier::new().root(), EMPTY_ROOT);
    }

    #[test]
    fn proof_lengths_match_the_walk_at_the_edges() {
        assert_eq!(inclusion_len(0, 1), 0);
        // The last leaf of 2^64 - 1 leaves is a lone peak: its siblings are the 63 other peaks.
        assert_eq!(inclusion_len(u64::MAX - 1, u64::MAX), 63);
        assert_eq!(inclusion_len(0, u64::MAX), 64);
        assert_eq!(consistency_len(1, 2), 1);
        assert_eq!(consistency_len(1, u64::MAX), 64);
        assert_eq!(consistency_len(u64::MAX - 1, u64::MAX), 64);
        assert!(consistency_len(3, u64::MAX) <= MAX_PROOF_LEN);
    }

    #[test]
    fn extreme_arguments_are_errors_not_panics() {
        let t = MemoryTree::from_leaves([b"a", b"b", b"c"]);
        let h = leaf_hash(b"a");
        assert!(verify_inclusion(u64::MAX, u64::MAX, &h, &[], &h).is_err());
        assert!(verify_inclusion(0, 0, &h, &[], &EMPTY_ROOT).is_err());
        assert!(verify_consistency(u64::MAX, u64::MAX, &h, &h, &[]).is_ok());
        assert!(verify_consistency(1, u64::MAX, &h, &h, &[h; 64]).is_err());
        assert!(verify_consistency(u64::MAX, 1, &h, &h, &[]).is_err());
        assert_eq!(
            inclusion_proof(&t, 3, 3),
            Err(MerkleError::IndexOutOfRange { index: 3, size: 3 })
        );
        assert!(matches!(
            inclusion_proof(&t, 0, u64::MAX),
            Err(MerkleError::MissingNode { .. })
        ));
        assert_eq!(consistency_proof(&t, 0, 3), Err(MerkleError::EmptyTree));
        assert!(consistency_proof(&t, 2, u64::MAX).is_err());
        assert!(root(&t, u64::MAX).is_err());
        let mut full = Frontier::from_peaks(u64::MAX, vec![h; 64]).unwrap();
        assert_eq!(full.append(h), Err(MerkleError::TreeFull));
        assert!(Frontier::from_peaks(3, vec![h]).is_err());
    }

    #[test]
    fn codes() {
        assert_eq!(MerkleError::RootMismatch.code(), ErrorCode::LogProofInvalid);
        assert_eq!(
            MerkleError::HashLength(3).code(),
            ErrorCode::LogProofMalformed
        );
        assert_eq!(MerkleError::EmptyTree.code(), ErrorCode::LogRange);
    }
}
