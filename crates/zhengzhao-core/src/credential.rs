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

use serde_json::{json, Value};

use time::OffsetDateTime;

use crate::cryptosuite;
use crate::date::{self, Date};
use crate::error::{Coded, ErrorCode};
use crate::jcs::{self, JsonRead};
use crate::keys::Signer;
use crate::licence::Licence;
use crate::proof::{self, Prepared, ProofError, ProofOptions};

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
    let mut fingerprint = [0u8; 32];
    hex::decode_to_slice(h, &mut fingerprint).ok()?;
    Some(fingerprint)
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
    let secured = proof::sign(to_credential(licence, status), options, signer)?;
    Ok(serde_json::to_vec(&secured).expect("JSON values always serialise"))
}

/// Reads the licence (with status Valid, as signed) and its status entry from a credential,
/// checking that the envelope agrees with the subject: identifier, issuer, validity.
pub fn from_credential(doc: &Value) -> Result<(Licence, Option<StatusEntry>), CredentialError> {
    read_credential(doc)
}

/// A secured licence credential taken apart without building a `serde_json::Value`: the
/// subject's identifier, the licence, its status entry and the prepared proof.
pub(crate) type Secured = (String, Licence, Option<StatusEntry>, Prepared);

/// Reads a secured licence credential whose text is already in canonical form (as
/// [`sign`] writes it; see [`jcs::with_canonical`]) and whose reading and proof succeed.
///
/// `None` for anything else: the caller then parses the document strictly and reads it with
/// [`from_credential`] and [`proof::prepare`], which give the same results (the same view of
/// the same text, and its canonical form is the text) and say what is wrong. So this is a
/// shortcut that can never decide differently.
pub(crate) fn read_canonical(bytes: &[u8]) -> Option<Secured> {
    jcs::with_canonical(bytes, |doc| {
        let id = doc
            .get("credentialSubject")?
            .get("id")?
            .as_str()?
            .to_owned();
        let (licence, status) = read_credential(doc).ok()?;
        let prepared = proof::prepare_from(doc).ok()?;
        Some((id, licence, status, prepared))
    })
}

fn read_credential<J: JsonRead>(
    doc: &J,
) -> Result<(Licence, Option<StatusEntry>), CredentialError> {
    let err = |m: &str| CredentialError(m.to_owned());
    if !doc.is_object() {
        return Err(err("not a JSON object"));
    }
    let types = doc
        .get("type")
        .and_then(J::as_array)
        .ok_or_else(|| err("no 'type' array"))?;
    let has = |name: &str| types.iter().any(|t| t.as_str() == Some(name));
    if !has("VerifiableCredential") || !has(LICENCE_TYPE) {
        return Err(err(
            "'type' must include VerifiableCredential and ElectronicLicence",
        ));
    }
    match doc.get("@context").and_then(J::as_array) {
        Some(ctx) if ctx.first().and_then(J::as_str) == Some(CONTEXT_VC2) => {}
        _ => {
            return Err(err(
                "'@context' must be an array starting with the VC 2.0 context",
            ))
        }
    }
    let subject = match doc.get("credentialSubject") {
        Some(s) if s.is_object() && s.get("status").is_none() => s,
        Some(s) if s.is_object() => {
            return Err(err(
                "credentialSubject carries a status: status comes from the status list",
            ))
        }
        _ => return Err(err("no 'credentialSubject' object")),
    };
    // Without a status member the licence reads as Valid: as it was when signed.
    let licence: Licence = subject
        .deserialize()
        .map_err(|e| CredentialError(format!("credentialSubject: {e}")))?;

    let field = |name: &str| doc.get(name).and_then(J::as_str);
    let id = field("id");
    if id.and_then(|i| i.strip_prefix("urn:zz:licence:")) != Some(licence.id.as_ref()) {
        return Err(err("'id' does not name the licence in credentialSubject"));
    }
    let issuer_id = doc
        .get("issuer")
        .and_then(|i| i.get("id"))
        .and_then(J::as_str);
    if issuer_id.and_then(|i| i.strip_prefix("urn:zz:org:")) != Some(licence.issuer.code.as_ref()) {
        return Err(err(
            "'issuer' does not name the issuing department in credentialSubject",
        ));
    }
    // The same comparisons as with `valid_from` and `valid_until`, without writing them.
    let is_time = |text: Option<&str>, d: Date, time: &str| {
        text.and_then(|t| t.strip_suffix(CST))
            .and_then(|t| t.strip_suffix(time))
            .is_some_and(|day| date::is_formatted(day, d))
    };
    if !is_time(field("validFrom"), licence.validity.from, "T00:00:00") {
        return Err(err("'validFrom' does not match the licence's validity"));
    }
    let until_matches = match (field("validUntil"), licence.validity.until) {
        (None, None) => true,
        (text @ Some(_), Some(d)) => is_time(text, d, "T23:59:59"),
        _ => false,
    };
    if !until_matches {
        return Err(err("'validUntil' does not match the licence's validity"));
    }
    let status = match doc.get("credentialStatus") {
        None => None,
        Some(s) => Some(status_entry(s).ok_or_else(|| {
            err("'credentialStatus' is not a BitstringStatusListEntry of this library")
        })?),
    };
    Ok((licence, status))
}

fn status_entry<J: JsonRead>(v: &J) -> Option<StatusEntry> {
    if v.get("type")?.as_str() != Some("BitstringStatusListEntry")
        || v.get("statusPurpose")?.as_str() != Some("message")
    {
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
    let index: u64 = index_text.parse().ok()?;
    let id = v.get("id")?.as_str()?;
    (id.strip_prefix(list.as_str())
        .and_then(|r| r.strip_prefix('#'))
        == Some(index.to_string().as_str()))
    .then_some(StatusEntry { list, index })
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

    /// What the general path reads from a document: `read_canonical` must give exactly this
    /// whenever it gives anything.
    fn read_general(bytes: &[u8]) -> Option<Secured> {
        let doc = jcs::parse_strict(bytes).ok()?;
        let id = doc.pointer("/credentialSubject/id")?.as_str()?.to_owned();
        let (licence, status) = from_credential(&doc).ok()?;
        Some((id, licence, status, proof::prepare(&doc).ok()?))
    }

    fn same(a: &Secured, b: &Secured) -> bool {
        let (p, q) = (&a.3, &b.3);
        (&a.0, &a.1, &a.2) == (&b.0, &b.1, &b.2)
            && p.suite.name() == q.suite.name()
            && (
                &p.verification_method,
                &p.created,
                &p.hash_data,
                &p.signature,
            ) == (
                &q.verification_method,
                &q.created,
                &q.hash_data,
                &q.signature,
            )
    }

    #[test]
    fn the_canonical_shortcut_reads_what_the_general_path_reads() {
        use crate::catalog::Catalog;
        use crate::keys::{Algorithm, SigningKey};
        use crate::sample::Sampler;
        let catalog = Catalog::builtin();
        let mut sampler = Sampler::new(7);
        let issuer = sampler.issuer("某市市场监督管理局");
        let mut taken = 0;
        for (i, ty) in catalog.iter().enumerate() {
            let algorithm = [Algorithm::Ed25519, Algorithm::P256][i % 2];
            let key = SigningKey::generate(algorithm).unwrap();
            let holder = sampler.organisation();
            let Ok(licence) = sampler.licence(
                ty,
                &issuer,
                &holder,
                &format!("{:010}", i + 1),
                time::macros::date!(2024 - 03 - 18),
            ) else {
                continue;
            };
            let status = (i % 3 == 0).then(|| StatusEntry {
                list: "urn:zz:statuslist:11330106MB1742305K:1".into(),
                index: i as u64,
            });
            let created = time::macros::datetime!(2024-03-18 02:00 UTC);
            let doc = sign(&licence, status.as_ref(), &key, &[7; 32], created).unwrap();
            let general = read_general(&doc).expect("a signed licence reads");
            let fast = read_canonical(&doc).expect("signed licences are canonical");
            assert!(same(&fast, &general), "{}", ty.code);
            taken += 1;
            // Every one-byte change: the shortcut declines, or reads what the general path reads.
            let mut sampler_bytes = Sampler::new(i as u64);
            for _ in 0..400 {
                let mut d = doc.clone();
                let at = sampler_bytes.below(d.len() as u64) as usize;
                let choices = b" \\\"{}[],:01-.eEz\x7f";
                d[at] = match sampler_bytes.below(3) {
                    0 => choices[sampler_bytes.below(choices.len() as u64) as usize],
                    1 => d[at].wrapping_add(1),
                    _ => sampler_bytes.below(256) as u8,
                };
                if let Some(fast) = read_canonical(&d) {
                    let general = read_general(&d).expect("the general path reads it too");
                    assert!(same(&fast, &general), "{}", String::from_utf8_lossy(&d));
                }
            }
        }
        assert!(taken > 10, "{taken}");
    }

    #[test]
    fn the_shortcut_declines_what_is_not_canonical() {
        let licence = licence();
        let key = crate::keys::SigningKey::generate(crate::keys::Algorithm::Ed25519).unwrap();
        let created = time::macros::datetime!(2024-03-18 02:00 UTC);
        let doc = sign(&licence, None, &key, &[7; 32], created).unwrap();
        assert!(read_canonical(&doc).is_some());
        let text = String::from_utf8(doc).unwrap();
        for changed in [
            text.replacen(",", ", ", 1),
            text.replacen("\"type_version\":1", "\"type_version\":1.0", 1),
            text.replacen("营业执照", "\\u8425业执照", 1),
            format!("{text}\n"),
            text.replacen("{\"@context\"", "{\"@context\":[],\"@context\"", 1),
        ] {
            assert_ne!(changed, text);
            assert!(read_canonical(changed.as_bytes()).is_none(), "{changed}");
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
        assert_eq!(
            certificate_fingerprint(&m.replace('b', "g")),
            None,
            "not hex"
        );
        assert_eq!(
            certificate_fingerprint(&[&m[..m.len() - 1], "é"].concat()),
            None
        );
    }
}
