//! Shared fixtures: a temporary authority folder with one issuing department, a registry that
//! signs with it, and sample data of chosen licence types.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use time::{Date, OffsetDateTime};
use zhengzhao_core::catalog::{Catalog, LicenceType, ValidityKind};
use zhengzhao_core::codes::{HolderCategory, Uscc};
use zhengzhao_core::keys::Algorithm;
use zhengzhao_core::keystore::AuthorityDir;
use zhengzhao_core::licence::{Holder, Issuer};
use zhengzhao_core::pki::TrustAnchors;
use zhengzhao_core::sample::Sampler;
use zhengzhao_core::verify::{Context, Verifier};
use zhengzhao_registry::{
    CachedSigners, IssueRequest, Options, Registry, UseContext, WalSync, WindowRequest,
};

pub struct Fixture {
    pub tmp: tempfile::TempDir,
    pub dir: PathBuf,
    pub authority: AuthorityDir,
    pub issuer: Issuer,
    pub registry: Option<Registry>,
    pub sampler: Sampler,
}

/// A using organisation (a window system's department).
pub fn org(n: u64) -> Uscc {
    let mut s = Sampler::new(1000 + n);
    s.issuer("窗口单位").code
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture::with_sync(WalSync::OsBuffered)
    }

    pub fn with_sync(sync: WalSync) -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let mut sampler = Sampler::new(42);
        let issuer = sampler.issuer("杭州市西湖区市场监督管理局");
        let authority = AuthorityDir::init(
            &tmp.path().join("authority"),
            "浙江省电子证照根CA（测试）",
            &issuer.name,
            &issuer.code,
            None,
            Algorithm::Ed25519,
            5,
        )
        .unwrap();
        let dir = tmp.path().join("registry");
        let registry = Registry::create(&dir, options(&authority, sync)).unwrap();
        Fixture {
            tmp,
            dir,
            authority,
            issuer,
            registry: Some(registry),
            sampler,
        }
    }

    pub fn options(&self) -> Options {
        options(&self.authority, WalSync::OsBuffered)
    }

    /// The registry.
    pub fn reg(&self) -> &Registry {
        self.registry.as_ref().unwrap()
    }

    /// Closes the registry and opens it again.
    pub fn reopen(&mut self) {
        drop(self.registry.take());
        self.registry = Some(Registry::open(&self.dir, self.options()).unwrap());
    }

    pub fn person(&mut self) -> Holder {
        self.sampler.person()
    }

    pub fn organisation(&mut self) -> Holder {
        self.sampler.organisation()
    }

    /// A request for a licence of `ty` for `holder`, issued on `issued_on`.
    pub fn request(&mut self, ty: &LicenceType, holder: &Holder, issued_on: Date) -> IssueRequest {
        let l = self
            .sampler
            .licence(ty, &self.issuer, holder, "0000000001", issued_on)
            .unwrap();
        IssueRequest::from_licence(&l, "张科员")
    }

    /// A request issued today.
    pub fn request_today(&mut self, ty: &LicenceType, holder: &Holder) -> IssueRequest {
        let today = OffsetDateTime::now_utc()
            .to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap())
            .date();
        self.request(ty, holder, today)
    }

    pub fn verifier(&self) -> Verifier {
        let mut v = Verifier::new(
            TrustAnchors::new(vec![self.authority.root_certificate().clone()]).unwrap(),
        );
        for (_, cert, _) in self.authority.signers().unwrap() {
            v.add_certificate(cert);
        }
        v
    }

    /// Whether the document verifies now (signature, certificate path, schema, validity).
    pub fn verifies(&self, document: &[u8]) -> bool {
        let report = self.verifier().verify(document, &Context::now());
        if !report.valid {
            eprintln!("{report:?}");
        }
        report.valid
    }
}

fn options(authority: &AuthorityDir, sync: WalSync) -> Options {
    Options::new()
        .sync(sync)
        .signers(Arc::new(CachedSigners::new(authority.clone())))
}

/// A licence type of the built-in catalogue with the given holder category, consent rule and
/// validity kind.
pub fn find_type(holder: HolderCategory, consent: bool, validity: ValidityKind) -> LicenceType {
    Catalog::builtin()
        .iter()
        .find(|t| t.holder == holder && t.consent == consent && t.validity.kind == validity)
        .unwrap_or_else(|| panic!("no {holder:?} type with consent {consent} and {validity:?}"))
        .clone()
}

/// A person type without consent whose licences have an end date.
pub fn person_type() -> LicenceType {
    find_type(HolderCategory::Person, false, ValidityKind::Period)
}

/// Another person type without consent, distinct from [`person_type`].
pub fn person_type_2() -> LicenceType {
    let first = person_type();
    Catalog::builtin()
        .iter()
        .find(|t| {
            t.holder == HolderCategory::Person
                && !t.consent
                && t.validity.kind == ValidityKind::Period
                && t.code != first.code
        })
        .unwrap()
        .clone()
}

/// A person type that requires consent.
pub fn consent_type() -> LicenceType {
    Catalog::builtin()
        .iter()
        .find(|t| t.holder == HolderCategory::Person && t.consent)
        .unwrap()
        .clone()
}

/// An organisation type.
pub fn org_type() -> LicenceType {
    Catalog::builtin()
        .iter()
        .find(|t| t.holder == HolderCategory::Organisation && !t.consent)
        .unwrap()
        .clone()
}

pub fn context(org: &Uscc) -> UseContext {
    UseContext {
        org: org.to_string(),
        operator: "窗口人员王五".into(),
        item: "330000-000201-001".into(),
        case: "2024-XH-000123".into(),
        reason: "办理不动产登记：核验申请人资格".into(),
        consent: None,
    }
}

pub fn window(holder: &Holder, types: &[&LicenceType], org: &Uscc) -> WindowRequest {
    WindowRequest {
        holder_code_type: holder.code_type.to_string(),
        holder_code: holder.code.clone(),
        types: types.iter().map(|t| t.code.to_string()).collect(),
        context: context(org),
    }
}

/// A time far enough ahead that grants given now are still in force.
pub fn years_ahead(n: i64) -> OffsetDateTime {
    OffsetDateTime::now_utc() + time::Duration::days(365 * n)
}

/// Reads the log events as JSON.
pub fn events(r: &Registry) -> Vec<serde_json::Value> {
    r.events(0, u64::MAX)
        .unwrap()
        .into_iter()
        .map(|(_, v)| serde_json::from_slice(&v).unwrap())
        .collect()
}
