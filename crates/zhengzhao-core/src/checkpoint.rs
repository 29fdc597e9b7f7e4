//! Signed checkpoints of the usage log: C2SP signed notes (<https://c2sp.org/signed-note>) whose
//! text is a C2SP tlog checkpoint (<https://c2sp.org/tlog-checkpoint>), signed with Ed25519.
//!
//! A checkpoint states the log's origin, its size and its [Merkle root](crate::merkle):
//!
//! ```text
//! log.example.gov.cn/zhengzhao
//! 20852163
//! CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=
//!
//! — log.example.gov.cn/zhengzhao Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
//! ```
//!
//! Each signature line is an em dash (U+2014), a space, the key name, a space and
//! `base64(key ID || signature)`; the key ID is the first 4 bytes of
//! `SHA-256(key name || 0x0A || 0x01 || public key)`. Verifiers are configured with the text form
//! `<name>+<key ID in hex>+<base64(0x01 || public key)>` ([`Verifier::from_vkey`]), the same as
//! Go's `golang.org/x/mod/sumdb/note`, so other tools check our checkpoints and we check theirs.
//!
//! Reading is strict: exactly the bytes a signer writes are accepted (no carriage returns,
//! trailing spaces, leading zeros or non-canonical base64). Signatures by unknown keys are
//! ignored, as the specification requires (they allow key rotation and witness cosignatures), but
//! a signature by a known key that does not verify rejects the note, and at least one known key
//! must have signed. Ed25519 verification is the crate's one policy, `verify_strict`
//! ([`crate::keys::PublicKey::verify`], `docs/ed25519-policy.md`).
//!
//! ```
//! use zhengzhao_core::checkpoint::{Checkpoint, Verifier};
//! use zhengzhao_core::merkle::EMPTY_ROOT;
//! let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
//! let cp = Checkpoint::new("log.example/zz", 0, EMPTY_ROOT);
//! let note = cp.sign("log.example/zz", &key)?;
//! let verifier = Verifier::new("log.example/zz", &key.verifying_key())?;
//! assert_eq!(Checkpoint::open_from(&note, "log.example/zz", &[verifier])?, cp);
//! # Ok::<(), zhengzhao_core::checkpoint::CheckpointError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::error::{Coded, ErrorCode};
use crate::keys::{self, Algorithm, KeyError, PublicKey};
use crate::merkle::{ConsistencyProof, Hash, InclusionProof, MerkleError};

/// The signature type byte of Ed25519 in key IDs and verifier keys.
pub const ALG_ED25519: u8 = 0x01;

/// The most signature lines a note may carry (Go's limit; the specification asks for at least 16).
pub const MAX_SIGNATURES: usize = 100;

/// What starts a signature line: an em dash and a space.
const SIG_PREFIX: &str = "\u{2014} ";

/// Why a checkpoint cannot be made, read or trusted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// Not a signed note: no blank line before the signatures, a malformed signature line, a
    /// control character, too many signatures.
    #[error("not a well-formed signed note: {0}")]
    Note(String),
    /// A note whose text is not a checkpoint (or a checkpoint that cannot be written).
    #[error("not a well-formed checkpoint: {0}")]
    Body(String),
    /// A signature by a known key that does not verify.
    #[error("the signature by key {name}+{key_id:08x} does not verify")]
    BadSignature {
        /// The key name.
        name: String,
        /// The key ID.
        key_id: u32,
    },
    /// No known key signed the note.
    #[error("no known key signed the note (signed by: {})", .signers.join(", "))]
    Unverified {
        /// The `<name>+<key ID>` of each signature found.
        signers: Vec<String>,
    },
    /// A checkpoint of another log.
    #[error("the checkpoint is of log {found:?}, not {expected:?}")]
    Origin {
        /// The origin expected.
        expected: String,
        /// The origin in the checkpoint.
        found: String,
    },
    /// A verifier key or key name that is not valid.
    #[error("invalid note key: {0}")]
    Key(String),
    /// The signing key could not sign.
    #[error(transparent)]
    Signing(#[from] KeyError),
}

impl Coded for CheckpointError {
    fn code(&self) -> ErrorCode {
        match self {
            CheckpointError::Note(_) | CheckpointError::Body(_) => {
                ErrorCode::LogCheckpointMalformed
            }
            CheckpointError::BadSignature { .. } => ErrorCode::LogCheckpointSignature,
            CheckpointError::Unverified { .. } => ErrorCode::LogCheckpointUnverified,
            CheckpointError::Origin { .. } => ErrorCode::LogCheckpointOrigin,
            CheckpointError::Key(_) => ErrorCode::LogKey,
            CheckpointError::Signing(e) => e.code(),
        }
    }
}

fn note_err(reason: impl Into<String>) -> CheckpointError {
    CheckpointError::Note(reason.into())
}

fn body_err(reason: impl Into<String>) -> CheckpointError {
    CheckpointError::Body(reason.into())
}

/// Whether `name` may name a note key: non-empty, without Unicode spaces, `+` or control
/// characters.
pub fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
}

fn check_key_name(name: &str) -> Result<(), CheckpointError> {
    if is_valid_key_name(name) {
        Ok(())
    } else {
        Err(CheckpointError::Key(format!(
            "{name:?} is not a key name (non-empty, no spaces, no '+')"
        )))
    }
}

/// The key ID of an Ed25519 key: the first 4 bytes (big-endian) of
/// `SHA-256(name || 0x0A || 0x01 || public key)`.
pub fn key_id(name: &str, key: &ed25519_dalek::VerifyingKey) -> u32 {
    key_id_of(name, key.as_bytes())
}

fn key_id_of(name: &str, public: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ALG_ED25519]);
    h.update(public);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// A key that verifies note signatures: a name, its key ID and an Ed25519 public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verifier {
    name: String,
    key_id: u32,
    key: PublicKey,
}

impl Verifier {
    /// The verifier of `name` with this public key.
    pub fn new(name: &str, key: &ed25519_dalek::VerifyingKey) -> Result<Verifier, CheckpointError> {
        check_key_name(name)?;
        // A small-order key verifies nothing under verify_strict: refuse it where it is configured.
        if key.is_weak() {
            return Err(CheckpointError::Key(format!(
                "the key of {name} is of small order"
            )));
        }
        let public = PublicKey::from_raw(Algorithm::Ed25519, key.as_bytes())
            .map_err(|e| CheckpointError::Key(e.to_string()))?;
        Ok(Verifier {
            name: name.to_owned(),
            key_id: key_id(name, key),
            key: public,
        })
    }

    /// Reads the text form `<name>+<8 hex digits of key ID>+<base64(0x01 || 32-byte key)>`,
    /// checking that the key ID is the key's.
    pub fn from_vkey(vkey: &str) -> Result<Verifier, CheckpointError> {
        let bad =
            |why: &str| CheckpointError::Key(format!("{vkey:?} is not a verifier key: {why}"));
        let (name, rest) = vkey
            .split_once('+')
            .ok_or_else(|| bad("expected <name>+<key ID>+<key>"))?;
        let (id_hex, key64) = rest
            .split_once('+')
            .ok_or_else(|| bad("expected <name>+<key ID>+<key>"))?;
        check_key_name(name)?;
        if id_hex.len() != 8 || !id_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("the key ID is not 8 hex digits"));
        }
        let id = u32::from_str_radix(id_hex, 16).map_err(|_| bad("the key ID is not hex"))?;
        let raw = STANDARD
            .decode(key64)
            .map_err(|_| bad("the key is not base64"))?;
        let (&alg, public) = raw.split_first().ok_or_else(|| bad("the key is empty"))?;
        if alg != ALG_ED25519 {
            return Err(bad(&format!(
                "signature type {alg:#04x} is not Ed25519 (0x01)"
            )));
        }
        let public: &[u8; 32] = public
            .try_into()
            .map_err(|_| bad("an Ed25519 key has 32 bytes"))?;
        let vk = ed25519_dalek::VerifyingKey::from_bytes(public)
            .map_err(|_| bad("the key is not a curve point"))?;
        let v = Verifier::new(name, &vk)?;
        if v.key_id != id {
            return Err(bad(&format!(
                "the key ID is {:08x} for this name and key",
                v.key_id
            )));
        }
        Ok(v)
    }

    /// The text form (see [`Verifier::from_vkey`]).
    pub fn vkey(&self) -> String {
        let mut raw = vec![ALG_ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        format!("{}+{:08x}+{}", self.name, self.key_id, STANDARD.encode(raw))
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }
}

impl FromStr for Verifier {
    type Err = CheckpointError;

    fn from_str(s: &str) -> Result<Verifier, CheckpointError> {
        Verifier::from_vkey(s)
    }
}

impl fmt::Display for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.vkey())
    }
}

/// A key that signed a note: its name and key ID.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SignerId {
    /// The key name.
    pub name: String,
    /// The key ID.
    pub key_id: u32,
}

impl fmt::Display for SignerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}+{:08x}", self.name, self.key_id)
    }
}

/// An opened signed note: its text and who signed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// The text, with its final newline (what the signatures cover).
    pub text: String,
    /// The known keys whose signatures verified, in the order of the note.
    pub verified: Vec<SignerId>,
    /// The signatures by unknown keys, ignored, in the order of the note.
    pub unverified: Vec<SignerId>,
}

fn check_note_chars(s: &str, err: fn(String) -> CheckpointError) -> Result<(), CheckpointError> {
    match s.char_indices().find(|&(_, c)| c < ' ' && c != '\n') {
        Some((i, c)) => Err(err(format!(
            "control character {:?} at byte {i} (only newline is allowed)",
            c
        ))),
        None => Ok(()),
    }
}

/// Signs `text` (non-empty, ending in a newline) as key `key_name`: the text, a blank line and
/// one signature line.
pub fn sign_note(
    text: &str,
    key_name: &str,
    key: &ed25519_dalek::SigningKey,
) -> Result<String, CheckpointError> {
    use ed25519_dalek::Signer as _;
    sign_text(text, key_name, key.verifying_key().as_bytes(), |msg| {
        Ok(key.sign(msg).to_bytes().to_vec())
    })
}

/// Like [`sign_note`], with any [`keys::Signer`] (a key store or HSM) that holds an Ed25519 key.
pub fn sign_note_with(
    text: &str,
    key_name: &str,
    signer: &dyn keys::Signer,
) -> Result<String, CheckpointError> {
    if signer.algorithm() != Algorithm::Ed25519 {
        return Err(KeyError::Algorithm {
            found: format!("{} (note signatures are Ed25519)", signer.algorithm()),
        }
        .into());
    }
    let public: [u8; 32] =
        signer
            .public_key()
            .as_bytes()
            .try_into()
            .map_err(|_| KeyError::Malformed {
                reason: "an Ed25519 public key has 32 bytes".to_owned(),
            })?;
    sign_text(text, key_name, &public, |msg| Ok(signer.sign(msg)?))
}

fn sign_text(
    text: &str,
    key_name: &str,
    public: &[u8; 32],
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, CheckpointError>,
) -> Result<String, CheckpointError> {
    check_key_name(key_name)?;
    if !text.ends_with('\n') {
        return Err(note_err("the text must end with a newline"));
    }
    check_note_chars(text, CheckpointError::Note)?;
    let sig = sign(text.as_bytes())?;
    if sig.len() != keys::SIGNATURE_LEN {
        return Err(KeyError::Sign {
            reason: format!("the signer returned {} bytes, not 64", sig.len()),
        }
        .into());
    }
    let mut blob = key_id_of(key_name, public).to_be_bytes().to_vec();
    blob.extend_from_slice(&sig);
    Ok(format!(
        "{text}\n{SIG_PREFIX}{key_name} {}\n",
        STANDARD.encode(blob)
    ))
}

/// Opens a signed note: checks its form and the signatures by the `verifiers`' keys.
///
/// Fails when the note is malformed, when a signature by a known key (same name and key ID) does
/// not verify, or when no known key signed it. Signatures by other keys are listed, unchecked.
pub fn open_note(note: &str, verifiers: &[Verifier]) -> Result<Note, CheckpointError> {
    check_note_chars(note, CheckpointError::Note)?;
    // The text ends at the last blank line: the text may hold blank lines, signatures do not.
    let split = note
        .rfind("\n\n")
        .ok_or_else(|| note_err("no blank line between the text and the signatures"))?;
    let (text, sigs) = (&note[..split + 1], &note[split + 2..]);
    let Some(lines) = sigs.strip_suffix('\n') else {
        return Err(note_err(if sigs.is_empty() {
            "no signature lines"
        } else {
            "the last signature line does not end with a newline"
        }));
    };
    let mut out = Note {
        text: text.to_owned(),
        verified: Vec::new(),
        unverified: Vec::new(),
    };
    let mut seen_unknown: Vec<&str> = Vec::new();
    for (n, line) in lines.split('\n').enumerate() {
        if n == MAX_SIGNATURES {
            return Err(note_err(format!("more than {MAX_SIGNATURES} signatures")));
        }
        let rest = line
            .strip_prefix(SIG_PREFIX)
            .ok_or_else(|| note_err(format!("line {:?} is not a signature line", line)))?;
        let (name, b64) = rest
            .split_once(' ')
            .ok_or_else(|| note_err(format!("signature line {:?} has no signature", line)))?;
        if !is_valid_key_name(name) {
            return Err(note_err(format!("{name:?} is not a key name")));
        }
        let blob = STANDARD
            .decode(b64)
            .map_err(|_| note_err(format!("the signature of {name} is not base64")))?;
        if blob.len() < 5 {
            return Err(note_err(format!(
                "the signature of {name} has {} bytes",
                blob.len()
            )));
        }
        let id = SignerId {
            name: name.to_owned(),
            key_id: u32::from_be_bytes([blob[0], blob[1], blob[2], blob[3]]),
        };
        let sig = &blob[4..];
        let mut known = verifiers
            .iter()
            .filter(|v| v.name == id.name && v.key_id == id.key_id);
        let Some(v) = known.next() else {
            if !seen_unknown.contains(&line) {
                seen_unknown.push(line);
                out.unverified.push(id);
            }
            continue;
        };
        if known.any(|other| other.key != v.key) {
            return Err(CheckpointError::Key(format!(
                "two verifier keys are named {id}"
            )));
        }
        // The first signature by a key decides; repeats are skipped, as Go's note.Open does.
        if out.verified.contains(&id) {
            continue;
        }
        if !v.key.verify(text.as_bytes(), sig) {
            return Err(CheckpointError::BadSignature {
                name: id.name,
                key_id: id.key_id,
            });
        }
        out.verified.push(id);
    }
    if out.verified.is_empty() {
        return Err(CheckpointError::Unverified {
            signers: out.unverified.iter().map(ToString::to_string).collect(),
        });
    }
    Ok(out)
}

/// A tree head of the usage log: the log's origin, its size and its Merkle root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's identity, e.g. `log.example.gov.cn/zhengzhao`: non-empty, one line, no leading
    /// or trailing spaces.
    pub origin: String,
    /// The number of leaves.
    pub size: u64,
    /// The root of the tree of `size` leaves.
    pub root: Hash,
}

impl Checkpoint {
    /// Checks, offline, that `proof` puts the event whose logged bytes are `event` in the log
    /// this checkpoint commits to: the proof must be for this checkpoint's tree size.
    pub fn verify_inclusion(
        &self,
        proof: &InclusionProof,
        event: &[u8],
    ) -> Result<(), MerkleError> {
        if proof.tree_size != self.size {
            return Err(MerkleError::SizeMismatch {
                proof: vec![proof.tree_size],
                checkpoints: vec![self.size],
            });
        }
        proof.verify(&crate::merkle::leaf_hash(event), &self.root)
    }

    /// Checks, offline, that the log this checkpoint commits to extends the one `old` commits
    /// to (nothing logged was changed or dropped): `proof` must go from `old`'s size to this
    /// one's.
    pub fn verify_consistency(
        &self,
        old: &Checkpoint,
        proof: &ConsistencyProof,
    ) -> Result<(), MerkleError> {
        if (proof.size1, proof.size2) != (old.size, self.size) {
            return Err(MerkleError::SizeMismatch {
                proof: vec![proof.size1, proof.size2],
                checkpoints: vec![old.size, self.size],
            });
        }
        proof.verify(&old.root, &self.root)
    }

    /// A checkpoint (checked when written: [`Checkpoint::body`]).
    pub fn new(origin: impl Into<String>, size: u64, root: Hash) -> Checkpoint {
        Checkpoint {
            origin: origin.into(),
            size,
            root,
        }
    }

    fn check_origin(origin: &str) -> Result<(), CheckpointError> {
        if origin.is_empty() {
            return Err(body_err("the origin is empty"));
        }
        if origin.chars().any(char::is_control) {
            return Err(body_err("the origin holds a control character"));
        }
        // Allowed by the specification, but a source of look-alike origins: refused both ways.
        if origin.starts_with(char::is_whitespace) || origin.ends_with(char::is_whitespace) {
            return Err(body_err(format!(
                "the origin {origin:?} starts or ends with a space"
            )));
        }
        Ok(())
    }

    /// The note text: `<origin>\n<size>\n<base64 root>\n`.
    pub fn body(&self) -> Result<String, CheckpointError> {
        Self::check_origin(&self.origin)?;
        Ok(format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root)
        ))
    }

    /// Reads a note text written by [`Checkpoint::body`], strictly: three lines, a decimal size
    /// without leading zeros, a canonical base64 root of 32 bytes. Extension lines are refused:
    /// this log writes none, and monitors cannot audit them.
    pub fn parse_body(text: &str) -> Result<Checkpoint, CheckpointError> {
        check_note_chars(text, CheckpointError::Body)?;
        let lines = text
            .strip_suffix('\n')
            .ok_or_else(|| body_err("the text does not end with a newline"))?;
        let mut it = lines.split('\n');
        let (Some(origin), Some(size), Some(root)) = (it.next(), it.next(), it.next()) else {
            return Err(body_err("a checkpoint has three lines: origin, size, root"));
        };
        if it.next().is_some() {
            return Err(body_err(
                "more than three lines (extension lines are not used by this log)",
            ));
        }
        Self::check_origin(origin)?;
        if size.is_empty()
            || !size.bytes().all(|b| b.is_ascii_digit())
            || (size.len() > 1 && size.starts_with('0'))
        {
            return Err(body_err(format!(
                "the size {size:?} is not a decimal number without leading zeros"
            )));
        }
        let size = size
            .parse::<u64>()
            .map_err(|_| body_err(format!("the size {size} is too large")))?;
        let root_bytes = STANDARD
            .decode(root)
            .map_err(|_| body_err(format!("the root {root:?} is not canonical base64")))?;
        let root: Hash = root_bytes
            .as_slice()
            .try_into()
            .map_err(|_| body_err(format!("the root has {} bytes, not 32", root_bytes.len())))?;
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
        })
    }

    /// The signed note of this checkpoint, signed as key `key_name` (by convention the origin).
    pub fn sign(
        &self,
        key_name: &str,
        key: &ed25519_dalek::SigningKey,
    ) -> Result<String, CheckpointError> {
        sign_note(&self.body()?, key_name, key)
    }

    /// Like [`Checkpoint::sign`], with any [`keys::Signer`] that holds an Ed25519 key.
    pub fn sign_with(
        &self,
        key_name: &str,
        signer: &dyn keys::Signer,
    ) -> Result<String, CheckpointError> {
        sign_note_with(&self.body()?, key_name, signer)
    }

    /// Opens a signed checkpoint (see [`open_note`]) and reads its text.
    ///
    /// This trusts any log the `verifiers` vouch for; [`Checkpoint::open_from`] also checks the
    /// origin, which is what an auditor of one log wants.
    pub fn open(note: &str, verifiers: &[Verifier]) -> Result<Checkpoint, CheckpointError> {
        let note = open_note(note, verifiers)?;
        Checkpoint::parse_body(&note.text)
    }

    /// Opens a signed checkpoint of the log `origin`.
    pub fn open_from(
        note: &str,
        origin: &str,
        verifiers: &[Verifier],
    ) -> Result<Checkpoint, CheckpointError> {
        let cp = Checkpoint::open(note, verifiers)?;
        if cp.origin != origin {
            return Err(CheckpointError::Origin {
                expected: origin.to_owned(),
                found: cp.origin,
            });
        }
        Ok(cp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(
            CheckpointError::Note(String::new()).code(),
            ErrorCode::LogCheckpointMalformed
        );
        assert_eq!(
            CheckpointError::Unverified { signers: vec![] }.code(),
            ErrorCode::LogCheckpointUnverified
        );
        assert_eq!(
            CheckpointError::Signing(KeyError::Sign {
                reason: String::new()
            })
            .code(),
            ErrorCode::KeySign
        );
    }

    #[test]
    fn key_names() {
        assert!(is_valid_key_name("log.example/zz"));
        for bad in [
            "",
            "a b",
            "a+b",
            "a\u{a0}b",
            "a\u{3000}b",
            "a\tb",
            "a\u{1}b",
        ] {
            assert!(!is_valid_key_name(bad), "{bad:?}");
        }
    }
}
