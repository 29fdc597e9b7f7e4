//! Offline bundles: one file with licences, the certificates that verify them and status-list
//! snapshots, for an auditor who has nothing but the root certificates.
//!
//! ```text
//! {
//!   "type": "ZhengzhaoBundle",
//!   "version": 1,
//!   "licences": [ <signed licence credentials> ],
//!   "certificates": [ "-----BEGIN CERTIFICATE-----…", … ],   signing certificates, intermediates
//!   "statusLists": [ <signed status list credentials> ]
//! }
//! ```

use serde::Serialize;
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::error::{Coded, ErrorCode};
use crate::jcs;
use crate::pki::Certificate;
use crate::verify::{Context, Report, VerifiedStatusList, Verifier};

/// The `type` of a bundle.
pub const BUNDLE_TYPE: &str = "ZhengzhaoBundle";
/// The bundle format version this library writes and reads.
pub const BUNDLE_VERSION: u64 = 1;

/// A bundle that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("bundle: {0}")]
pub struct BundleError(pub String);

impl Coded for BundleError {
    fn code(&self) -> ErrorCode {
        ErrorCode::Bundle
    }
}

/// The contents of a bundle.
#[derive(Clone, Debug, Default)]
pub struct Bundle {
    /// Signed licence credentials.
    pub licences: Vec<Value>,
    /// Signing certificates and intermediates.
    pub certificates: Vec<Certificate>,
    /// Signed status list credentials.
    pub status_lists: Vec<Value>,
}

impl Bundle {
    /// Writes the bundle as JSON.
    pub fn to_json(&self) -> Vec<u8> {
        let certs: Vec<String> = self.certificates.iter().map(Certificate::to_pem).collect();
        let v = json!({
            "type": BUNDLE_TYPE,
            "version": BUNDLE_VERSION,
            "licences": self.licences,
            "certificates": certs,
            "statusLists": self.status_lists,
        });
        serde_json::to_vec_pretty(&v).expect("JSON values always serialise")
    }

    /// Reads a bundle (strict JSON: duplicate member names anywhere are refused).
    pub fn from_json(bytes: &[u8]) -> Result<Bundle, BundleError> {
        let v = jcs::parse_strict(bytes).map_err(|e| BundleError(e.to_string()))?;
        if v.get("type").and_then(Value::as_str) != Some(BUNDLE_TYPE) {
            return Err(BundleError(format!(
                "not a bundle ('type' is not {BUNDLE_TYPE})"
            )));
        }
        match v.get("version").and_then(Value::as_u64) {
            Some(BUNDLE_VERSION) => {}
            other => {
                return Err(BundleError(format!(
                    "version {other:?}: this library reads version {BUNDLE_VERSION}"
                )))
            }
        }
        let array = |name: &str| -> Result<Vec<Value>, BundleError> {
            match v.get(name) {
                Some(Value::Array(a)) => Ok(a.clone()),
                None => Ok(Vec::new()),
                Some(_) => Err(BundleError(format!("'{name}' is not an array"))),
            }
        };
        let certificates = array("certificates")?
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let pem = c
                    .as_str()
                    .ok_or_else(|| BundleError(format!("certificates[{i}] is not a PEM string")))?;
                Certificate::from_pem(pem.as_bytes())
                    .map_err(|e| BundleError(format!("certificates[{i}]: {e}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Bundle {
            licences: array("licences")?,
            certificates,
            status_lists: array("statusLists")?,
        })
    }
}

/// The outcome of verifying a status list of a bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatusListReport {
    /// The list's `id`, when it could be read.
    pub id: Option<String>,
    /// Whether it verified.
    pub valid: bool,
    /// The stable code of the failure.
    pub code: Option<String>,
    /// What was wrong.
    pub message: Option<String>,
}

/// The verification report of a bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BundleReport {
    /// Whether every licence and every status list verified.
    pub valid: bool,
    /// One report per licence, in order.
    pub licences: Vec<Report>,
    /// One report per status list, in order.
    pub status_lists: Vec<StatusListReport>,
}

/// Verifies every status list and every licence of a bundle at time `at`. Licences are checked
/// against the status lists that verified.
pub fn verify(
    verifier: &Verifier,
    bytes: &[u8],
    at: OffsetDateTime,
) -> Result<BundleReport, BundleError> {
    let bundle = Bundle::from_json(bytes)?;
    let ctx = Context {
        at,
        certificates: &bundle.certificates,
        status_lists: &[],
    };
    let mut lists: Vec<VerifiedStatusList> = Vec::new();
    let mut list_reports = Vec::new();
    for doc in &bundle.status_lists {
        let id = doc.get("id").and_then(Value::as_str).map(str::to_owned);
        match verifier.verify_status_list(doc, &ctx) {
            Ok(l) => {
                lists.push(l);
                list_reports.push(StatusListReport {
                    id,
                    valid: true,
                    code: None,
                    message: None,
                });
            }
            Err((code, message)) => list_reports.push(StatusListReport {
                id,
                valid: false,
                code: Some(code.name().to_owned()),
                message: Some(message),
            }),
        }
    }
    let ctx = Context {
        status_lists: &lists,
        ..ctx
    };
    let docs: Vec<Vec<u8>> = bundle
        .licences
        .iter()
        .map(|d| serde_json::to_vec(d).expect("JSON values always serialise"))
        .collect();
    let refs: Vec<&[u8]> = docs.iter().map(Vec::as_slice).collect();
    let licences = verifier.verify_many(&refs, &ctx);
    let valid = licences.iter().all(|r| r.valid) && list_reports.iter().all(|r| r.valid);
    Ok(BundleReport {
        valid,
        licences,
        status_lists: list_reports,
    })
}
