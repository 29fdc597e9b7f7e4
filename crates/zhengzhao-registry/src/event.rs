//! Events of the usage and audit log (用证记录): issuance, lifecycle steps, grants, consents and
//! uses. Each is one JSON object, stored under its sequence number in the `log` column family
//! and a leaf of the log's Merkle tree ([`crate::log`]).
//!
//! Holders appear as the hex of their holder hash, never as plaintext codes: the log is handed
//! to auditors, and the registry can still find a holder's events by computing the hash.

use serde::Serialize;

/// The version of the event format.
pub const EVENT_FORMAT: u32 = 1;

/// A licence version was issued (`issue`), or made by a change (`change`) or renewal (`renew`).
#[derive(Debug, Serialize)]
pub struct IssueEvent<'a> {
    /// Format version.
    pub v: u32,
    /// `issue`, `change` or `renew`.
    pub kind: &'a str,
    /// When (RFC 3339, UTC).
    pub at: &'a str,
    /// The new licence version.
    pub id: &'a str,
    /// The version it supersedes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<&'a str>,
    /// Holder hashes (hex).
    pub holders: Vec<String>,
    /// SHA-256 of the signed document bytes (hex): the log commits to the content.
    pub digest: String,
    /// The signing certificate's SHA-256 (hex).
    pub certificate: String,
    /// The status list credential and index.
    pub status_list: &'a str,
    /// The index in it.
    pub status_index: u64,
    /// Who did it.
    pub operator: &'a str,
    /// Why (empty at issuance).
    pub reason: &'a str,
}

/// An OFD licence sealed elsewhere was taken in (`import_ofd`, see [`crate::ofd`]).
#[derive(Debug, Serialize)]
pub struct OfdImportEvent<'a> {
    /// Format version.
    pub v: u32,
    /// `import_ofd`.
    pub kind: &'a str,
    /// When (RFC 3339, UTC).
    pub at: &'a str,
    /// The licence version.
    pub id: &'a str,
    /// The version it supersedes (its 关联证照标识), when the registry holds that one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<&'a str>,
    /// Holder hashes (hex).
    pub holders: Vec<String>,
    /// SHA-256 of the OFD file (hex): the log commits to the file as served.
    pub digest: String,
    /// The subjects of the certificates that signed it, one per signature.
    pub signers: Vec<&'a str>,
    /// Whether the signers' chains were checked against trust anchors.
    pub anchored: bool,
    /// The metadata items the operator supplied (GB/T 36903 keys).
    pub supplied: &'a [String],
    /// The status list credential.
    pub status_list: &'a str,
    /// The index in it.
    pub status_index: u64,
    /// Who did it.
    pub operator: &'a str,
}

/// A licence changed state: suspend, resume, revoke, withdraw, cancel, transfer out.
#[derive(Debug, Serialize)]
pub struct StatusEvent<'a> {
    /// Format version.
    pub v: u32,
    /// Always `status`.
    pub kind: &'a str,
    /// When.
    pub at: &'a str,
    /// The licence version.
    pub id: &'a str,
    /// The step: `suspend`, `resume`, `revoke`, `withdraw`, `cancel`, `transfer_out`.
    pub step: &'a str,
    /// The state before (external code).
    pub from: &'a str,
    /// The state after (external code).
    pub to: &'a str,
    /// Who did it.
    pub operator: &'a str,
    /// Why.
    pub reason: &'a str,
}

/// A grant was added or revoked.
#[derive(Debug, Serialize)]
pub struct GrantEvent<'a> {
    /// Format version.
    pub v: u32,
    /// `grant_add` or `grant_revoke`.
    pub kind: &'a str,
    /// When.
    pub at: &'a str,
    /// The using organisation.
    pub org: &'a str,
    /// The licence type.
    #[serde(rename = "type")]
    pub type_code: &'a str,
    /// The grant's end (RFC 3339), for `grant_add`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<&'a str>,
    /// Who did it.
    pub operator: &'a str,
    /// The basis (a document number, a note).
    pub basis: &'a str,
}

/// A consent was recorded or withdrawn.
#[derive(Debug, Serialize)]
pub struct ConsentEvent<'a> {
    /// Format version.
    pub v: u32,
    /// `consent_add` or `consent_revoke`.
    pub kind: &'a str,
    /// When.
    pub at: &'a str,
    /// Holder hash (hex).
    pub holder: String,
    /// The using organisation.
    pub org: &'a str,
    /// The licence type.
    #[serde(rename = "type")]
    pub type_code: &'a str,
    /// The consent's reference.
    pub reference: &'a str,
    /// Its end (RFC 3339), for `consent_add`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<&'a str>,
}

/// One answer of a use, as logged.
#[derive(Debug, Serialize)]
pub struct AnswerEvent<'a> {
    /// The requested type.
    #[serde(rename = "type")]
    pub type_code: &'a str,
    /// `valid` or the refusal's name.
    pub answer: &'a str,
    /// The licence version concerned, when there is one and the organisation may know it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a str>,
}

/// A use (用证): a window request and what it was answered.
#[derive(Debug, Serialize)]
pub struct UseEvent<'a> {
    /// Format version.
    pub v: u32,
    /// Always `use`.
    pub kind: &'a str,
    /// When.
    pub at: &'a str,
    /// The using organisation.
    pub org: &'a str,
    /// The operator at the window.
    pub operator: &'a str,
    /// The service item (事项编码).
    pub item: &'a str,
    /// The case number (办件编号).
    pub case: &'a str,
    /// The use reason.
    pub reason: &'a str,
    /// Holder hash (hex).
    pub holder: String,
    /// The consent reference given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<&'a str>,
    /// The answers, one per requested type.
    pub answers: Vec<AnswerEvent<'a>>,
}

/// Serialises an event.
pub fn to_bytes<T: Serialize>(event: &T) -> Vec<u8> {
    serde_json::to_vec(event).expect("events always serialise")
}
