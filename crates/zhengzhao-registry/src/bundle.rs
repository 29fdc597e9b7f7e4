//! Offline bundles from the registry: licences exactly as stored, the signing certificates that
//! verify them, and a snapshot of each status list they name, signed by its department now, so
//! that an auditor verifies the lot with nothing but the root certificates
//! (`zhengzhao verify BUNDLE --anchors ROOT.pem`).

use std::collections::BTreeSet;

use serde_json::Value;
use time::OffsetDateTime;
use zhengzhao_core::bundle::Bundle;
use zhengzhao_core::codes::Uscc;
use zhengzhao_core::credential;
use zhengzhao_core::cryptosuite;
use zhengzhao_core::identifier::LicenceId;
use zhengzhao_core::pki::Certificate;
use zhengzhao_core::proof::{self, ProofOptions};

use crate::error::{corrupt, RegistryError};
use crate::layout;
use crate::registry::{rfc3339, Registry};

impl Registry {
    /// A bundle of the licence versions `ids`, as at `at` (the time the status lists are
    /// dated and signed). Every department of the licences must have a signing key in the
    /// registry's signer source, to sign its status list snapshot.
    pub fn bundle(&self, ids: &[LicenceId], at: OffsetDateTime) -> Result<Bundle, RegistryError> {
        let mut out = Bundle::default();
        let mut fingerprints = BTreeSet::new();
        let mut lists = BTreeSet::new();
        for id in ids {
            let doc = self.document(id)?;
            if crate::ofd::is_ofd(&doc) {
                return Err(RegistryError::Form {
                    id: id.to_string(),
                    reason: "it is an imported OFD licence: the file itself is verified offline (export it as ofd), not bundled".into(),
                });
            }
            let v: Value = serde_json::from_slice(&doc)
                .map_err(|e| corrupt(format!("licence {id}"), e.to_string()))?;
            let method = v
                .pointer("/proof/verificationMethod")
                .and_then(Value::as_str)
                .and_then(credential::certificate_fingerprint)
                .ok_or_else(|| corrupt(format!("licence {id}"), "no certificate in its proof"))?;
            fingerprints.insert(method);
            let rec = self.status_record(id)?;
            lists.insert((issuer_code(id)?, rec.list));
            out.licences.push(v);
        }
        let trust = self.cf(layout::CF_TRUST)?;
        for fp in fingerprints {
            let der = self
                .db
                .get_cf(trust, fp)?
                .ok_or_else(|| corrupt("trust", format!("no certificate {}", hex::encode(fp))))?;
            out.certificates
                .push(Certificate::from_der(&der).map_err(zhengzhao_core::Error::from)?);
        }
        for (issuer, list) in lists {
            let (doc, cert) = self.sign_status_list(&issuer, list, at)?;
            if !out
                .certificates
                .iter()
                .any(|c| c.fingerprint() == cert.fingerprint())
            {
                out.certificates.push(cert);
            }
            out.status_lists.push(doc);
        }
        Ok(out)
    }

    /// The status list `list` of department `issuer`, as a credential signed by the department
    /// with its key at `at`.
    pub fn signed_status_list(
        &self,
        issuer: &Uscc,
        list: u32,
        at: OffsetDateTime,
    ) -> Result<Value, RegistryError> {
        Ok(self.sign_status_list(issuer, list, at)?.0)
    }

    fn sign_status_list(
        &self,
        issuer: &Uscc,
        list: u32,
        at: OffsetDateTime,
    ) -> Result<(Value, Certificate), RegistryError> {
        let code = issuer.to_string();
        let identity = self.identity(issuer, at)?;
        let doc = self.status_list(&code, list)?.to_credential(
            &layout::status_list_id(&code, list),
            &format!("urn:zz:org:{code}"),
            &rfc3339(at),
        );
        let suite = cryptosuite::for_algorithm(identity.signer.algorithm()).ok_or_else(|| {
            RegistryError::NoSigner(format!(
                "no cryptosuite signs with {}",
                identity.signer.algorithm()
            ))
        })?;
        let method = credential::certificate_method(&identity.fingerprint);
        let options = ProofOptions {
            suite,
            verification_method: &method,
            created: None,
        };
        let signed = proof::sign(doc, options, identity.signer.as_ref())?;
        Ok((signed, identity.certificate.clone()))
    }
}

fn issuer_code(id: &LicenceId) -> Result<Uscc, RegistryError> {
    match id.issuer() {
        zhengzhao_core::identifier::IssuerCode::Uscc(u) => Ok(u.clone()),
        other => Err(corrupt(
            format!("licence {id}"),
            format!("issuer {other} is not a 统一社会信用代码"),
        )),
    }
}
