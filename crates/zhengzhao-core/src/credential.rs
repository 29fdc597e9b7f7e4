//! A licence as a W3C Verifiable Credential 2.0 document: the signed form in which licences are
//! stored and exchanged (see `docs/formats.md`).
//!
//! ```text
//! {
//!   "@context": ["https://www.w3.org/ns/credentials/v2", "urn:zhengzhao:context:licence:v1"],
//!   "id": "urn:zz:licence:<电子证照标识>",
//!   "type": ["VerifiableCredential", "ElectronicLicence"],
//!   "issuer": { "id": "urn:zz:org:<颁发机构代码>", "name": "<颁发机构>" },
//!   "validFrom": "2024-03-18T00:00:00+08:00",
//!   "validUntil": "2029-03-17T23:59:59+08:00",          (absent for 长期有效)
//!   "credentialSubject": { <the GB/T 36903 metadata and 照面 fields> },
//!   "credentialStatus": { BitstringStatusListEntry },     (when the registry keeps a list)
//!   "proof": { DataIntegrityProof, "verificationMethod": "urn:zz:cert:sha256:<hex>" }
//! }
//! ```
//!
//! The licence's status is not in the signed document (it changes after signing); it comes from
//! the status list named by `credentialStatus`.

use serde::Deserialize;
use serde_json::{json, Value};

use time::OffsetDateTime;

use crate::cryptosuite;
use crate::date::{self, Date};
use crate::error::{Coded, ErrorCode};
use crate::keys::Signer;
use crate::licence::Licence;
use crate::proof::{self, ProofError, ProofOptions};

/// The base context of VC 2.0.
pub const CONTEXT_VC2: &str = "https://www.w3.org/ns/credentials/v2";
/// zhengzhao's context: names the terms of `credentialSubject` (a URN: JCS suites do not
/// dereference contexts).
pub const CONTEXT_LICENCE: &str = "urn:zhengzhao:context:licence:v1";
/// The credential type of a licence.
pub const LICENCE_TYPE: &str = "ElectronicLicence";
/// Licences are dated in China Standard Time.
const CST: &str = "+08:00";

/// A `credentialStatus` entry: where the licence's status is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusEntry {
    /// The `id` of the status list credential.
    pub list: String,
    /// The licence's index in the list.
    pub index: u64,
}

/// A document that is not a licence credential of the expected shape.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("licence credential: {0}")]
pub struct CredentialError(pub String);

impl Coded for CredentialError {
    fn code(&self) -> ErrorCode {
        ErrorCode::DocumentShape
    }
}

/// The URN of a licence credential.
pub fn licence_urn(id: &str) -> String {
    format!("urn:zz:licence:{id}")
}

/// The `verificationMethod` that names a certificate by the SHA-256 of its DER.
pub fn certificate_method(fingerprint: &[u8; 32]) -> String {
    format!("urn:zz:cert:sha256:{}", hex::encode(fingerprint))
}

/// The certificate fingerprint a `verificationMethod` names, if it names one.
pub fn certificate_fingerprint(method: &str) -> Option<[u8; 32]> {
    let h = method.strip_prefix("urn:zz:cert:sha256:")?;
    if h.len() != 64 || h.bytes().any(|c| c.is_ascii_uppercase()) {
        return None;
    }
    hex::decode(h).ok()?.try_into().ok()
}

/// The unsigned credential of a licence.
pub fn to_credential(licence: &Licence, status: Option<&StatusEntry>) -> Value {
    let mut subject = serde_json::to_value(licence).expect("a licence always serialises");
    subject
        .as_object_mut()
        .expect("a licence is an object")
        .remove("status");
    let mut doc = json!({
        "@context": [CONTEXT_VC2, CONTEXT_LICENCE],
        "id": licence_urn(licence.id.as_ref()),
        "type": ["VerifiableCredential", LICENCE_TYPE],
        "issuer": { "id": format!("urn:zz:org:{}", licence.issuer.code), "name": licence.issuer.name },
        "validFrom": valid_from(licence.validity.from),
        "credentialSubject": subject,
    });
    let obj = doc.as_object_mut().expect("built as an object");
    if let Some(until) = licence.validity.until {
        obj.insert("validUntil".into(), valid_until(until).into());
    }
    if let Some(s) = status {
        obj.insert(
            "credentialStatus".into(),
            json!({
                "id": format!("{}#{}", s.list, s.index),
                "type": "BitstringStatusListEntry",
                "statusPurpose": "message",
                "statusSize": crate::statuslist::STATUS_SIZE,
                "statusListIndex": s.index.to_string(),
                "statusListCredential": s.list,
            }),
        );
    }
    doc
}

fn valid_from(d: Date) -> String {
    format!("{}T00:00:00{CST}", date::format(d))
}

fn valid_until(d: Date) -> String {
    format!("{}T23:59:59{CST}", date::format(d))
}

/// Signs a licence: its credential with a proof by `signer`, whose certificate has SHA-256
/// fingerprint `certificate`, made at `created`. The cryptosuite follows the key's algorithm.
/// Returns the document as compact JSON bytes, the form in which it is stored and served.
pub fn sign(
    licence: &Licence,
    status: Option<&StatusEntry>,
    signer: &dyn Signer,
    certificate: &[u8; 32],
    created: OffsetDateTime,
) -> Result<Vec<u8>, ProofError> {
    let suite = cryptosuite::for_algorithm(signer.algorithm()).ok_or_else(|| {
        ProofError::Cryptosuite(format!("no cryptosuite for {} keys", signer.algorithm()))
    })?;
    let created = created
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(created)
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| ProofError::Sign(format!("creation time: {e}")))?;
    let method = certificate_method(certificate);
    let options = ProofOptions {
        suite,
        verification_method: &method,
        created: Some(&created),
    };
    let secured = proof::sign(&to_credential(licence, status), options, signer)?;
    Ok(serde_json::to_vec(&secured).expect("JSON values always serialise"))
}

/// Reads the licence (with status Valid, as signed) and its status entry from a credential,
/// checking that the envelope agrees with the subject: identifier, issuer, validity.
pub fn from_credential(doc: &Value) -> Result<(Licence, Option<StatusEntry>), CredentialError> {
    let err = |m: &str| CredentialError(m.to_owned());
    let obj = doc.as_object().ok_or_else(|| err("not a JSON object"))?;
    let types = obj
        .get("type")
        .and_then(Value::as_array)
        .ok_or_else(|| err("no 'type' array"))?;
    if !types.iter().any(|t| t == "VerifiableCredential")
        || !types.iter().any(|t| t == LICENCE_TYPE)
    {
        return Err(err(
            "'type' must include VerifiableCredential and ElectronicLicence",
        ));
    }
    match obj.get("@context").and_then(Value::as_array) {
        Some(ctx) if ctx.first().and_then(Value::as_str) == Some(CONTEXT_VC2) => {}
        _ => {
            return Err(err(
                "'@context' must be an array starting with the VC 2.0 context",
            ))
        }
    }
    let subject = match obj.get("credentialSubject") {
        Some(s @ Value::Object(m)) if !m.contains_key("status") => s,
        Some(Value::Object(_)) => {
            return Err(err(
                "credentialSubject carries a status: status comes from the status list",
            ))
        }
        _ => return Err(err("no 'credentialSubject' object")),
    };
    // Without a status member the licence reads as Valid: as it was when signed.
    let licence = Licence::deserialize(subject)
        .map_err(|e| CredentialError(format!("credentialSubject: {e}")))?;

    let field = |name: &str| obj.get(name).and_then(Value::as_str);
    if field("id") != Some(licence_urn(licence.id.as_ref()).as_str()) {
        return Err(err("'id' does not name the licence in credentialSubject"));
    }
    let issuer_id = obj
        .get("issuer")
        .and_then(|i| i.get("id"))
        .and_then(Value::as_str);
    if issuer_id != Some(format!("urn:zz:org:{}", licence.issuer.code).as_str()) {
        return Err(err(
            "'issuer' does not name the issuing department in credentialSubject",
        ));
    }
    if field("validFrom") != Some(valid_from(licence.validity.from).as_str()) {
        return Err(err("'validFrom' does not match the licence's validity"));
    }
    if field("validUntil") != licence.validity.until.map(valid_until).as_deref() {
        return Err(err("'validUntil' does not match the licence's validity"));
    }
    let status = match obj.get("credentialStatus") {
        None => None,
        Some(s) => Some(status_entry(s).ok_or_else(|| {
            err("'credentialStatus' is not a BitstringStatusListEntry of this library")
        })?),
    };
    Ok((licence, status))
}

fn status_entry(v: &Value) -> Option<StatusEntry> {
    if v.get("type")? != "BitstringStatusListEntry" || v.get("statusPurpose")? != "message" {
        return None;
    }
    let list = v.get("statusListCredential")?.as_str()?.to_owned();
    let index_text = v.get("statusListIndex")?.as_str()?;
    if index_text.is_empty()
        || index_text.len() > 12
        || !index_text.bytes().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let index = index_text.parse().ok()?;
    (v.get("id")?.as_str()? == format!("{list}#{index}")).then_some(StatusEntry { list, index })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn licence() -> Licence {
        let p = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../test-vectors/licences/business-licence.json"
        );
        Licence::from_json(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    #[test]
    fn round_trip() {
        let l = licence();
        let entry = StatusEntry {
            list: "urn:zz:statuslist:11330106MB1742305K:1".into(),
            index: 4711,
        };
        let doc = to_credential(&l, Some(&entry));
        assert_eq!(doc["validFrom"], "2021-03-18T00:00:00+08:00");
        assert!(doc.get("validUntil").is_none(), "长期有效");
        let (back, status) = from_credential(&doc).unwrap();
        assert_eq!(back, l);
        assert_eq!(status, Some(entry));
    }

    #[test]
    fn envelope_and_subject_must_agree() {
        let doc = to_credential(&licence(), None);
        let broken: [fn(&mut Value); 10] = [
            |d| d["id"] = "urn:zz:licence:other".into(),
            |d| d["issuer"]["id"] = "urn:zz:org:91330106MA2H3K7P0B".into(),
            |d| d["validFrom"] = "2021-03-19T00:00:00+08:00".into(),
            |d| d["validUntil"] = "2031-03-19T23:59:59+08:00".into(),
            |d| d["type"] = json!(["VerifiableCredential"]),
            |d| d["@context"] = json!(["https://example.org"]),
            |d| d["credentialSubject"]["status"] = "valid".into(),
            |d| d["credentialSubject"]["issued_on"] = "2024-13-01".into(),
            |d| d["credentialStatus"] = json!({ "type": "BitstringStatusListEntry" }),
            |d| {
                d.as_object_mut().unwrap().remove("credentialSubject");
            },
        ];
        for (i, f) in broken.iter().enumerate() {
            let mut d = doc.clone();
            f(&mut d);
            let e = from_credential(&d).unwrap_err();
            assert_eq!(e.code(), ErrorCode::DocumentShape, "case {i}: {e}");
        }
    }

    #[test]
    fn verification_methods_name_certificates() {
        let fp = [0xab; 32];
        let m = certificate_method(&fp);
        assert_eq!(certificate_fingerprint(&m), Some(fp));
        assert_eq!(certificate_fingerprint(&m.to_uppercase()), None);
        assert_eq!(certificate_fingerprint("did:key:z6Mk"), None);
        assert_eq!(certificate_fingerprint(&m[..m.len() - 1]), None);
    }
}
