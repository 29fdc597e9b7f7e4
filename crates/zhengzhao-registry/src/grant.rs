//! Grants and consent: which using organisations may use which licence types, until when; and,
//! for types whose catalogue entry says `consent = true`, the holder's consent to one
//! organisation using the type (with the consent's reference and end).
//!
//! Grants are few (organisations × types) and read on every lookup: the registry keeps them in
//! memory as well as in the `grant` column family. Consents are per holder and read from the
//! database.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use zhengzhao_core::codes::{HolderCodeType, Uscc};
use zhengzhao_core::identifier::TypeCode;

use crate::error::{corrupt, RegistryError};
use crate::event::{self, ConsentEvent, GrantEvent, EVENT_FORMAT};
use crate::layout;
use crate::registry::{now, rfc3339, Registry};

/// The longest operator name, basis or consent reference, in characters.
pub const MAX_TEXT: usize = 200;

/// A grant as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantRecord {
    /// When it was granted (Unix seconds).
    pub granted: i64,
    /// When it ends (Unix seconds, exclusive).
    pub expires: i64,
    /// Who granted it.
    pub operator: String,
    /// The basis: a document number or note.
    pub basis: String,
}

impl GrantRecord {
    pub(crate) fn decode(v: &[u8]) -> Result<GrantRecord, RegistryError> {
        serde_json::from_slice(v).map_err(|e| corrupt("grant", e.to_string()))
    }

    /// Whether the grant is in force at `at`.
    pub fn in_force_at(&self, at: OffsetDateTime) -> bool {
        let t = at.unix_timestamp();
        self.granted <= t && t < self.expires
    }
}

/// A consent as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    /// The consent's reference (e.g. the number of the signed consent form or app record).
    pub reference: String,
    /// When it was recorded (Unix seconds).
    pub recorded: i64,
    /// When it ends (Unix seconds, exclusive).
    pub expires: i64,
}

impl ConsentRecord {
    pub(crate) fn decode(v: &[u8]) -> Result<ConsentRecord, RegistryError> {
        serde_json::from_slice(v).map_err(|e| corrupt("consent", e.to_string()))
    }
}

/// A grant of a licence type to a using organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// The using organisation's 统一社会信用代码.
    pub org: Uscc,
    /// The licence type.
    pub type_code: TypeCode,
    /// When it was granted.
    pub granted: OffsetDateTime,
    /// When it ends (exclusive).
    pub expires: OffsetDateTime,
    /// Who granted it.
    pub operator: String,
    /// The basis.
    pub basis: String,
}

fn text(field: &str, v: &str, required: bool) -> Result<(), RegistryError> {
    let bad = |reason: &str| RegistryError::GrantRequest {
        field: field.to_owned(),
        reason: reason.to_owned(),
    };
    if required && v.trim().is_empty() {
        return Err(bad("must not be empty"));
    }
    if v.chars().count() > MAX_TEXT {
        return Err(bad(&format!("at most {MAX_TEXT} characters")));
    }
    if v.chars().any(char::is_control) {
        return Err(bad("control characters are not allowed"));
    }
    Ok(())
}

fn time_of(secs: i64) -> Result<OffsetDateTime, RegistryError> {
    OffsetDateTime::from_unix_timestamp(secs).map_err(|_| corrupt("grant", "time out of range"))
}

impl Registry {
    /// Grants `org` the use of licences of `type_code` until `expires` (exclusive). A grant
    /// already there is replaced. Logged as `grant_add`.
    pub fn add_grant(
        &self,
        org: &Uscc,
        type_code: &TypeCode,
        expires: OffsetDateTime,
        operator: &str,
        basis: &str,
    ) -> Result<(), RegistryError> {
        text("operator", operator, true)?;
        text("basis", basis, false)?;
        self.catalog.get(type_code).ok_or_else(|| {
            zhengzhao_core::catalog::CatalogError::UnknownType {
                code: type_code.to_string(),
                version: None,
            }
        })?;
        let at = now();
        if expires <= at {
            return Err(RegistryError::GrantRequest {
                field: "expires".into(),
                reason: format!("{} is not in the future", rfc3339(expires)),
            });
        }
        let record = GrantRecord {
            granted: at.unix_timestamp(),
            expires: expires.unix_timestamp(),
            operator: operator.to_owned(),
            basis: basis.to_owned(),
        };
        let key = layout::grant_key(org.as_ref(), type_code.as_ref());
        let mut batch = rocksdb::WriteBatch::default();
        batch.put_cf(
            self.cf(layout::CF_GRANT)?,
            &key,
            serde_json::to_vec(&record).expect("serialises"),
        );
        let (at_s, exp_s) = (rfc3339(at), rfc3339(expires));
        let ev = event::to_bytes(&GrantEvent {
            v: EVENT_FORMAT,
            kind: "grant_add",
            at: &at_s,
            org: org.as_ref(),
            type_code: type_code.as_ref(),
            expires: Some(&exp_s),
            operator,
            basis,
        });
        let guard = self.lock_writer();
        self.commit(guard, batch, &[ev], |_| {
            self.grants
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .insert(key, record);
        })?;
        Ok(())
    }

    /// Revokes a grant. Logged as `grant_revoke`.
    pub fn revoke_grant(
        &self,
        org: &Uscc,
        type_code: &TypeCode,
        operator: &str,
        basis: &str,
    ) -> Result<(), RegistryError> {
        text("operator", operator, true)?;
        text("basis", basis, false)?;
        let key = layout::grant_key(org.as_ref(), type_code.as_ref());
        let guard = self.lock_writer();
        if !self
            .grants
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(&key)
        {
            return Err(RegistryError::GrantNotFound(format!(
                "{org} holds no grant for type {type_code}"
            )));
        }
        let mut batch = rocksdb::WriteBatch::default();
        batch.delete_cf(self.cf(layout::CF_GRANT)?, &key);
        let at_s = rfc3339(now());
        let ev = event::to_bytes(&GrantEvent {
            v: EVENT_FORMAT,
            kind: "grant_revoke",
            at: &at_s,
            org: org.as_ref(),
            type_code: type_code.as_ref(),
            expires: None,
            operator,
            basis,
        });
        self.commit(guard, batch, &[ev], |_| {
            self.grants
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&key);
        })?;
        Ok(())
    }

    /// The grants of `org` (all organisations when `None`), expired ones included, by
    /// organisation and type.
    pub fn grants(&self, org: Option<&Uscc>) -> Result<Vec<Grant>, RegistryError> {
        let grants = self.grants.read().unwrap_or_else(|p| p.into_inner());
        let mut out = Vec::new();
        for (k, r) in grants.iter() {
            let org_s = std::str::from_utf8(&k[1..1 + layout::ORG_CODE_LEN])
                .map_err(|_| corrupt("grant", "key"))?;
            if org.is_some_and(|o| o.as_ref() != org_s) {
                continue;
            }
            let type_s = std::str::from_utf8(&k[1 + layout::ORG_CODE_LEN..])
                .map_err(|_| corrupt("grant", "key"))?;
            out.push(Grant {
                org: Uscc::parse_legacy(org_s).map_err(|e| corrupt("grant", e.to_string()))?,
                type_code: TypeCode::parse_with(
                    type_s,
                    zhengzhao_core::identifier::Strictness::Lenient,
                )
                .map_err(|e| corrupt("grant", e.to_string()))?,
                granted: time_of(r.granted)?,
                expires: time_of(r.expires)?,
                operator: r.operator.clone(),
                basis: r.basis.clone(),
            });
        }
        out.sort_by(|a, b| (&a.org, &a.type_code).cmp(&(&b.org, &b.type_code)));
        Ok(out)
    }

    /// Whether `org` holds a grant for `type_code` in force at `at`.
    pub fn has_grant(&self, org: &Uscc, type_code: &TypeCode, at: OffsetDateTime) -> bool {
        self.grants
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&layout::grant_key(org.as_ref(), type_code.as_ref()))
            .is_some_and(|g| g.in_force_at(at))
    }

    /// Records the holder's consent to `org` using their licences of `type_code`, under
    /// `reference`, until `expires`. Only for types that require consent. A consent already
    /// there is replaced. Logged as `consent_add`.
    pub fn add_consent(
        &self,
        holder_code_type: &HolderCodeType,
        holder_code: &str,
        org: &Uscc,
        type_code: &TypeCode,
        reference: &str,
        expires: OffsetDateTime,
    ) -> Result<(), RegistryError> {
        text("reference", reference, true)?;
        let ty = self.catalog.get(type_code).ok_or_else(|| {
            zhengzhao_core::catalog::CatalogError::UnknownType {
                code: type_code.to_string(),
                version: None,
            }
        })?;
        if !ty.consent {
            return Err(RegistryError::ConsentNotRequired(type_code.to_string()));
        }
        let at = now();
        if expires <= at {
            return Err(RegistryError::GrantRequest {
                field: "expires".into(),
                reason: format!("{} is not in the future", rfc3339(expires)),
            });
        }
        let h = self.holder_hash(holder_code_type, holder_code)?;
        let record = ConsentRecord {
            reference: reference.to_owned(),
            recorded: at.unix_timestamp(),
            expires: expires.unix_timestamp(),
        };
        let mut batch = rocksdb::WriteBatch::default();
        batch.put_cf(
            self.cf(layout::CF_GRANT)?,
            layout::consent_key(&h, org.as_ref(), type_code.as_ref()),
            serde_json::to_vec(&record).expect("serialises"),
        );
        let (at_s, exp_s) = (rfc3339(at), rfc3339(expires));
        let ev = event::to_bytes(&ConsentEvent {
            v: EVENT_FORMAT,
            kind: "consent_add",
            at: &at_s,
            holder: hex::encode(h),
            org: org.as_ref(),
            type_code: type_code.as_ref(),
            reference,
            expires: Some(&exp_s),
        });
        let guard = self.lock_writer();
        self.commit(guard, batch, &[ev], |_| {})?;
        Ok(())
    }

    /// Withdraws a consent. Logged as `consent_revoke`.
    pub fn revoke_consent(
        &self,
        holder_code_type: &HolderCodeType,
        holder_code: &str,
        org: &Uscc,
        type_code: &TypeCode,
    ) -> Result<(), RegistryError> {
        let h = self.holder_hash(holder_code_type, holder_code)?;
        let key = layout::consent_key(&h, org.as_ref(), type_code.as_ref());
        let guard = self.lock_writer();
        let grant_cf = self.cf(layout::CF_GRANT)?;
        let existing = self
            .db
            .get_pinned_cf(grant_cf, &key)?
            .map(|v| ConsentRecord::decode(&v))
            .transpose()?
            .ok_or_else(|| {
                RegistryError::GrantNotFound(format!(
                    "no consent of this holder for {org} and type {type_code}"
                ))
            })?;
        let mut batch = rocksdb::WriteBatch::default();
        batch.delete_cf(grant_cf, &key);
        let at_s = rfc3339(now());
        let ev = event::to_bytes(&ConsentEvent {
            v: EVENT_FORMAT,
            kind: "consent_revoke",
            at: &at_s,
            holder: hex::encode(h),
            org: org.as_ref(),
            type_code: type_code.as_ref(),
            reference: &existing.reference,
            expires: None,
        });
        self.commit(guard, batch, &[ev], |_| {})?;
        Ok(())
    }
}
