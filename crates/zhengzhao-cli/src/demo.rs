//! `zhengzhao demo`: a district government service centre in under a minute, on a registry of its
//! own. Every step is a call of the library, as a window system would make it.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use clap::Args;
use serde_json::json;
use time::{Duration, OffsetDateTime, UtcOffset};
use unicode_width::UnicodeWidthStr;
use zhengzhao_core::bundle;
use zhengzhao_core::catalog::{Catalog, LicenceType};
use zhengzhao_core::checkpoint::Checkpoint;
use zhengzhao_core::codes::{HolderCategory, HolderCodeType, Uscc};
use zhengzhao_core::identifier::{LicenceId, TypeCode};
use zhengzhao_core::keys::Algorithm;
use zhengzhao_core::keystore::AuthorityDir;
use zhengzhao_core::licence::{Holder, Issuer};
use zhengzhao_core::merkle::leaf_hash;
use zhengzhao_core::pki::TrustAnchors;
use zhengzhao_core::sample::Sampler;
use zhengzhao_core::verify::Verifier;
use zhengzhao_core::ErrorCode;
use zhengzhao_registry::{
    Answer, CachedSigners, Cause, IssueRequest, Options, Refusal, Registry, UseContext, WalSync,
    WindowRequest,
};

use crate::output::{self, out, Outcome};
use crate::registry::finish;
use crate::store::{failure, Failure};

#[derive(Args)]
#[command(after_help = "Examples:
  zhengzhao demo
  zhengzhao demo --dir /tmp/xihu --people 5000 --companies 2000 --visits 4000
  zhengzhao demo --json

The demo sets up a provincial root CA and four issuing departments, issues a population of
persons and companies their licences (deterministic sample data), grants the district's service
centre the licence types its service items need, and serves a day of window visits: for each
paper material, whether an electronic licence replaces it (免提交) and why not where not. Then
it revokes a licence, verifies an audit bundle offline, and checks the usage log's signed
checkpoint. Running it again starts over in the same folder; a folder that is not a demo's is
never touched.")]
pub struct DemoArgs {
    /// The folder of the demo (made anew on every run).
    #[arg(long, default_value = "zhengzhao-data/demo")]
    dir: PathBuf,
    /// Persons in the population.
    #[arg(long, default_value_t = 3000)]
    people: usize,
    /// Companies in the population.
    #[arg(long, default_value_t = 1000)]
    companies: usize,
    /// Window visits to serve (the district's service centre has about 4,000 a day).
    #[arg(long, default_value_t = 4000)]
    visits: usize,
    /// Print only a JSON summary.
    #[arg(long)]
    json: bool,
}

/// The file that marks a folder as the demo's, so that a re-run may empty it.
const MARKER: &str = ".zhengzhao-demo";

const BUSINESS: &str = "11100000MB0143028R001"; // 营业执照
const FOOD: &str = "11100000MB0143028R104"; // 食品经营许可证
const ID_CARD: &str = "11100000000013127D001"; // 居民身份证
const HEALTH: &str = "11100000MB03166458017"; // 健康证明
const PROPERTY: &str = "11100000MB03271699001"; // 不动产权证书 (needs the holder's consent)
const LAND_PLAN: &str = "11100000MB03271699101"; // 建设用地规划许可证
const BUILD_PLAN: &str = "11100000MB03271699102"; // 建设工程规划许可证

/// The issuing departments and the sector of the catalogue each signs for: its signing
/// certificate is restricted to those types.
const DEPARTMENTS: [(&str, &str); 4] = [
    ("杭州市西湖区市场监督管理局", "市场监管"),
    ("杭州市公安局西湖区分局", "公安"),
    ("杭州市西湖区卫生健康局", "卫生健康"),
    ("杭州市规划和自然资源局西湖分局", "自然资源"),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Whose {
    Company,
    Representative,
}

/// A material of a service item: a licence type that can replace it, or none.
struct Material {
    label: &'static str,
    ty: Option<&'static str>,
    whose: Whose,
}

const fn m(label: &'static str, ty: Option<&'static str>, whose: Whose) -> Material {
    Material { label, ty, whose }
}

/// A service item (政务服务事项) and its materials.
struct Item {
    code: &'static str,
    name: &'static str,
    materials: &'static [Material],
}

const ITEMS: [Item; 2] = [
    Item {
        code: "330106-000201-001",
        name: "食品经营许可（新办）",
        materials: &[
            m("营业执照", Some(BUSINESS), Whose::Company),
            m("法定代表人居民身份证", Some(ID_CARD), Whose::Representative),
            m(
                "食品安全管理人员健康证明",
                Some(HEALTH),
                Whose::Representative,
            ),
            m("经营场所不动产权证书", Some(PROPERTY), Whose::Company),
            m("食品安全管理制度文本", None, Whose::Company),
        ],
    },
    Item {
        code: "330106-000401-002",
        name: "建设工程规划许可证（调整）",
        materials: &[
            m("营业执照", Some(BUSINESS), Whose::Company),
            m("法定代表人居民身份证", Some(ID_CARD), Whose::Representative),
            m("建设用地规划许可证", Some(LAND_PLAN), Whose::Company),
            m("原建设工程规划许可证", Some(BUILD_PLAN), Whose::Company),
            m("调整后的设计方案图", None, Whose::Company),
        ],
    },
];

fn refusal_label(r: Refusal) -> &'static str {
    match r {
        Refusal::NotAuthorised => "窗口单位未获该类证照的用证授权",
        Refusal::ConsentMissing => "须持证人授权同意",
        Refusal::None => "持证人无此电子证照",
        Refusal::Expired => "电子证照已过有效期",
        Refusal::NotYetValid => "电子证照尚未生效",
        Refusal::Suspended => "电子证照已暂扣",
        Refusal::Revoked => "电子证照已吊销",
        Refusal::Withdrawn => "电子证照已撤销",
        Refusal::Cancelled => "电子证照已注销",
        Refusal::TransferredOut => "电子证照已转出",
    }
}

/// What the demo prints, unless it prints JSON only.
struct Say(bool);

impl Say {
    fn step(&self, title: &str) {
        if !self.0 {
            out!("");
            out!("── {title}");
        }
    }
    fn line(&self, text: &str) {
        if !self.0 {
            out!("{text}");
        }
    }
}

pub fn run(a: DemoArgs) -> Outcome {
    let r = demo(&a);
    finish(r, a.json)
}

fn usage(message: impl Into<String>) -> Failure {
    (ErrorCode::Usage, message.into())
}

/// Empties the demo's folder: only when it is absent, empty, or the demo's own.
fn fresh_folder(dir: &Path) -> Result<(), Failure> {
    let io = |e: std::io::Error| (ErrorCode::Io, format!("{}: {e}", dir.display()));
    if dir.exists() {
        let empty = std::fs::read_dir(dir).map_err(io)?.next().is_none();
        if !empty && !dir.join(MARKER).is_file() {
            return Err(usage(format!(
                "{} is not empty and not a demo folder: give another --dir",
                dir.display()
            )));
        }
        std::fs::remove_dir_all(dir).map_err(io)?;
    }
    std::fs::create_dir_all(dir).map_err(io)?;
    std::fs::write(
        dir.join(MARKER),
        "made by `zhengzhao demo`; emptied by its next run\n",
    )
    .map_err(io)
}

/// Beijing time's date today.
fn today() -> time::Date {
    OffsetDateTime::now_utc()
        .to_offset(UtcOffset::from_hms(8, 0, 0).expect("+08:00"))
        .date()
}

struct Population {
    persons: Vec<Holder>,
    companies: Vec<Holder>,
    /// Requests, and for each the holder (person or company index) and type.
    requests: Vec<IssueRequest>,
}

fn sector_types<'c>(catalog: &'c Catalog, sector: &str) -> Vec<&'c LicenceType> {
    catalog.iter().filter(|t| t.sector == sector).collect()
}

fn demo(a: &DemoArgs) -> Result<(), Failure> {
    if a.people == 0 || a.companies == 0 || a.people > 1_000_000 || a.companies > 1_000_000 {
        return Err(usage("--people and --companies are 1 to 1,000,000"));
    }
    let started = Instant::now();
    let say = Say(a.json);
    fresh_folder(&a.dir)?;
    let catalog = Catalog::builtin();
    let mut s = Sampler::new(20_261_201);
    let departments: Vec<(Issuer, &str)> = DEPARTMENTS
        .iter()
        .map(|(name, sector)| (s.issuer(name), *sector))
        .collect();
    let centre = s.issuer("杭州市西湖区行政服务中心").code;

    say.step("a provincial root CA and four departments' signing certificates");
    let allowed = |sector: &str| -> Option<Vec<TypeCode>> {
        Some(
            sector_types(&catalog, sector)
                .into_iter()
                .map(|t| t.code.clone())
                .collect(),
        )
    };
    let (first, first_sector) = &departments[0];
    let authority = AuthorityDir::init(
        &a.dir.join("ca"),
        "浙江省电子证照根CA（演示）",
        &first.name,
        &first.code,
        allowed(first_sector),
        Algorithm::Ed25519,
        5,
    )
    .map_err(failure)?;
    for (d, sector) in &departments[1..] {
        authority
            .add_signer(&d.name, &d.code, allowed(sector), Algorithm::Ed25519, 5)
            .map_err(failure)?;
    }
    for (d, sector) in &departments {
        let n = sector_types(&catalog, sector).len();
        say.line(&format!(
            "  {} ({}): may sign the {n} licence types of {sector}",
            d.name, d.code
        ));
    }

    say.step(&format!(
        "a registry (RocksDB) with the catalogue of {} licence types",
        catalog.len()
    ));
    let registry = Registry::create(
        &a.dir.join("registry"),
        Options::new()
            .sync(WalSync::EveryWrite)
            .signers(Arc::new(CachedSigners::new(authority.clone()))),
    )
    .map_err(failure)?;

    let t = Instant::now();
    let pop = population(&mut s, &catalog, &departments, a)?;
    let mut issued = 0usize;
    let mut types_issued = std::collections::BTreeSet::new();
    for chunk in pop.requests.chunks(1000) {
        for (r, req) in registry
            .issue_many(chunk)
            .map_err(failure)?
            .iter()
            .zip(chunk)
        {
            match r {
                Ok(_) => {
                    issued += 1;
                    types_issued.insert(req.type_code.clone());
                }
                Err(e) => return Err(failure(e.clone())),
            }
        }
    }
    say.line(&format!(
        "  issued {issued} licences of {} types to {} persons and {} companies in {:.1} s (signed on every core, each batch fsynced)",
        types_issued.len(),
        pop.persons.len(),
        pop.companies.len(),
        t.elapsed().as_secs_f64()
    ));

    say.step("the service centre is granted the licence types its service items need");
    let now = OffsetDateTime::now_utc();
    let mut granted = std::collections::BTreeSet::new();
    for item in &ITEMS {
        for ty in item.materials.iter().filter_map(|m| m.ty) {
            if granted.insert(ty) {
                let code: TypeCode = ty.parse().map_err(failure)?;
                registry
                    .add_grant(
                        &centre,
                        &code,
                        now + Duration::days(365),
                        "西湖区数据资源管理局",
                        "西数资〔2026〕18号",
                    )
                    .map_err(failure)?;
            }
        }
    }
    say.line(&format!(
        "  杭州市西湖区行政服务中心 ({centre}): {} types, for one year",
        granted.len()
    ));
    // One company has given its consent for its 不动产权证书 (a type that needs it).
    let consenting = 0;
    registry
        .add_consent(
            &HolderCodeType::USCC,
            &pop.companies[consenting].code,
            &centre,
            &PROPERTY.parse().map_err(failure)?,
            "授权书 XH-2026-0001",
            now + Duration::days(30),
        )
        .map_err(failure)?;

    say.step(&format!(
        "a day at the windows: {} visits, each a service item and its materials",
        a.visits
    ));
    let t = Instant::now();
    let mut tally = Tally::default();
    let mut shown = 0;
    let mut example: Option<(usize, Vec<LicenceId>)> = None;
    for batch in (0..a.visits).collect::<Vec<_>>().chunks(200) {
        let visits: Vec<Visit> = batch
            .iter()
            .map(|&v| Visit::new(v, &mut s, pop.companies.len(), pop.persons.len()))
            .collect();
        let requests: Vec<WindowRequest> = visits
            .iter()
            .flat_map(|v| v.requests(&pop, &centre))
            .collect();
        let answers = registry.lookup_many(&requests).map_err(failure)?;
        for (i, v) in visits.iter().enumerate() {
            let company = answers[2 * i].as_ref().map_err(|e| failure(e.clone()))?;
            let rep = answers[2 * i + 1]
                .as_ref()
                .map_err(|e| failure(e.clone()))?;
            let rows = v.rows(company, rep);
            tally.add(&rows);
            if shown < 3 && (v.company == consenting || shown > 0) {
                shown += 1;
                show_visit(&say, v, &pop, &rows);
                if example.is_none() {
                    example = Some((
                        v.company,
                        company
                            .iter()
                            .filter_map(Answer::id)
                            .filter_map(|id| id.parse().ok())
                            .collect(),
                    ));
                }
            }
        }
    }
    let visit_secs = t.elapsed().as_secs_f64();
    say.line(&format!(
        "  … {} visits served in {:.2} s: {} of {} paper materials spared (免提交)",
        a.visits, visit_secs, tally.spared, tally.materials
    ));

    // The consenting company's licences: one of them is revoked, then audited.
    let (company, ids) = example.ok_or_else(|| usage("no visit was shown"))?;
    let holder = &pop.companies[company];
    say.step(&format!(
        "the 营业执照 of {} is revoked (吊销)",
        holder.name
    ));
    let business = ids
        .iter()
        .find(|id| id.type_code().as_ref() == BUSINESS)
        .cloned()
        .ok_or_else(|| usage("the example company has no 营业执照"))?;
    registry
        .revoke(
            &business,
            &Cause::new("西湖区市场监管局执法人员", "杭西市监罚〔2026〕12号"),
        )
        .map_err(failure)?;
    let again = registry
        .lookup(&WindowRequest {
            holder_code_type: HolderCodeType::USCC.to_string(),
            holder_code: holder.code.clone(),
            types: vec![BUSINESS.to_owned()],
            context: context(&centre, &ITEMS[0], 1, a.visits + 1),
        })
        .map_err(failure)?;
    let refused = again[0].refusal();
    say.line(&format!(
        "  the window asks again: ✗ 营业执照 — {}",
        refused.map_or("(answered)", refusal_label)
    ));

    say.step(
        "an auditor verifies the company's licences offline: a bundle and the root certificate",
    );
    let bundle_path = a.dir.join("audit-bundle.json");
    let audit = registry.bundle(&ids, now).map_err(failure)?;
    let bytes = audit.to_json();
    std::fs::write(&bundle_path, &bytes).map_err(|e| (ErrorCode::Io, e.to_string()))?;
    let anchors = TrustAnchors::new(vec![authority.root_certificate().clone()]).map_err(failure)?;
    let verifier = Verifier::new(anchors);
    let report = bundle::verify(&verifier, &bytes, OffsetDateTime::now_utc()).map_err(failure)?;
    for l in &report.licences {
        let name = l.id.as_deref().unwrap_or("?");
        match l.code {
            None => say.line(&format!("  ✓ {name}")),
            Some(c) => say.line(&format!(
                "  ✗ {name}: [{c}] {}",
                l.message.as_deref().unwrap_or("")
            )),
        }
    }
    say.line(&format!(
        "  {} ({} bytes): {} licences, {} certificates, {} status lists",
        bundle_path.display(),
        bytes.len(),
        report.licences.len(),
        audit.certificates.len(),
        report.status_lists.len()
    ));

    say.step(
        "the usage log: a signed checkpoint, and a proof that the last window request is in it",
    );
    let note = registry.checkpoint().map_err(failure)?;
    std::fs::write(a.dir.join("checkpoint.txt"), &note)
        .map_err(|e| (ErrorCode::Io, e.to_string()))?;
    let log_verifier = registry.log_verifier().map_err(failure)?;
    let cp = Checkpoint::open_from(
        &note,
        log_verifier.name(),
        std::slice::from_ref(&log_verifier),
    )
    .map_err(failure)?;
    let last = cp.size - 1;
    let (_, event) = registry
        .events(last, cp.size)
        .map_err(failure)?
        .pop()
        .ok_or_else(|| usage("the log is empty"))?;
    registry
        .inclusion_proof(last, cp.size)
        .map_err(failure)?
        .verify(&leaf_hash(&event), &cp.root)
        .map_err(failure)?;
    for line in note.lines().take(3) {
        say.line(&format!("  {line}"));
    }
    say.line(&format!(
        "  ✓ event {last} (a window request) is in the log of {} events signed by {}",
        cp.size,
        log_verifier.name()
    ));

    let secs = started.elapsed().as_secs_f64();
    say.step("summary");
    say.line(&format!(
        "  {} visits, {} paper materials: {} spared by electronic licences ({:.0}%), {} still on paper",
        a.visits,
        tally.materials,
        tally.spared,
        100.0 * tally.spared as f64 / tally.materials.max(1) as f64,
        tally.materials - tally.spared
    ));
    for (reason, n) in &tally.reasons {
        say.line(&format!("    {n:>6} {reason}"));
    }
    say.line(&format!(
        "  done in {secs:.1} s; everything is in {}",
        a.dir.display()
    ));
    if a.json {
        output::json(&json!({
            "dir": a.dir.display().to_string(),
            "licences": issued,
            "types": types_issued.len(),
            "persons": pop.persons.len(),
            "companies": pop.companies.len(),
            "visits": a.visits,
            "materials": tally.materials,
            "spared": tally.spared,
            "not_spared": tally.reasons,
            "revoked_refusal": refused.map(Refusal::name),
            "bundle": { "valid": report.valid, "licences": report.licences.len() },
            "log_size": cp.size,
            "seconds": secs,
        }));
    }
    Ok(())
}

/// The population and the licences to issue them, deterministic from the seed.
fn population(
    s: &mut Sampler,
    catalog: &Catalog,
    departments: &[(Issuer, &str)],
    a: &DemoArgs,
) -> Result<Population, Failure> {
    let today = today();
    let find = |code: &str| {
        catalog
            .find(code)
            .ok_or_else(|| usage(format!("no type {code}")))
    };
    let issuer_of = |ty: &LicenceType| {
        departments
            .iter()
            .find(|(_, sec)| *sec == ty.sector)
            .map(|(d, _)| d.clone())
    };
    let others = |cat: HolderCategory| -> Vec<&LicenceType> {
        catalog
            .iter()
            .filter(|t| t.holder.admits(cat) && issuer_of(t).is_some())
            .collect()
    };
    let (person_others, company_others) = (
        others(HolderCategory::Person),
        others(HolderCategory::Organisation),
    );
    let persons: Vec<Holder> = (0..a.people).map(|_| s.person()).collect();
    let companies: Vec<Holder> = (0..a.companies).map(|_| s.organisation()).collect();
    let mut requests = Vec::new();
    let mut seen: HashMap<(String, String), ()> = HashMap::new();
    let mut add =
        |s: &mut Sampler, ty: &LicenceType, holder: &Holder, recent: bool| -> Result<(), Failure> {
            // One licence of a type per holder here: the current one is what windows see.
            if seen
                .insert((holder.code.clone(), ty.code.to_string()), ())
                .is_some()
            {
                return Ok(());
            }
            let issuer =
                issuer_of(ty).ok_or_else(|| usage(format!("no department signs {}", ty.code)))?;
            // Issued over the last five years: some have expired since.
            let days = if recent { 30 } else { s.below(5 * 365) as i64 };
            let issued_on = today - Duration::days(days);
            let l = s
                .licence(ty, &issuer, holder, "0000000001", issued_on)
                .map_err(failure)?;
            requests.push(IssueRequest::from_licence(&l, "演示发证员"));
            Ok(())
        };
    for p in &persons {
        add(s, find(ID_CARD)?, p, false)?;
        if s.below(2) == 0 {
            add(s, find(HEALTH)?, p, false)?;
        }
        let other = person_others[s.below(person_others.len() as u64) as usize];
        add(s, other, p, false)?;
    }
    for (i, c) in companies.iter().enumerate() {
        // The first company (the one shown first) has recent licences of every type its items
        // need.
        let all = i == 0;
        add(s, find(BUSINESS)?, c, all)?;
        if all || s.below(10) < 6 {
            add(s, find(FOOD)?, c, all)?;
        }
        if all || s.below(10) < 4 {
            add(s, find(PROPERTY)?, c, all)?;
        }
        if all || s.below(10) < 3 {
            add(s, find(LAND_PLAN)?, c, all)?;
            add(s, find(BUILD_PLAN)?, c, all)?;
        }
        let other = company_others[s.below(company_others.len() as u64) as usize];
        add(s, other, c, false)?;
    }
    Ok(Population {
        persons,
        companies,
        requests,
    })
}

fn context(centre: &Uscc, item: &Item, window: usize, visit: usize) -> UseContext {
    UseContext {
        org: centre.to_string(),
        operator: format!("{window}号窗口"),
        item: item.code.to_owned(),
        case: format!("XH-2026-{visit:06}"),
        reason: format!("办理{}：核验申请材料", item.name),
        consent: None,
    }
}

/// A visit: a company (and its legal representative) applying for a service item.
struct Visit {
    n: usize,
    item: &'static Item,
    company: usize,
    representative: usize,
    window: usize,
}

/// One material of a visit: its label, and the licence that replaces it or why not.
struct Row {
    label: &'static str,
    outcome: Result<String, &'static str>,
}

impl Visit {
    fn new(n: usize, s: &mut Sampler, companies: usize, persons: usize) -> Visit {
        let company = if n == 0 {
            0
        } else {
            s.below(companies as u64) as usize
        };
        Visit {
            n,
            item: &ITEMS[n % ITEMS.len()],
            company,
            representative: company % persons,
            window: 1 + s.below(222) as usize,
        }
    }

    fn types(&self, whose: Whose) -> Vec<String> {
        self.item
            .materials
            .iter()
            .filter(|m| m.whose == whose)
            .filter_map(|m| m.ty.map(str::to_owned))
            .collect()
    }

    /// The company's request and the representative's.
    fn requests(&self, pop: &Population, centre: &Uscc) -> [WindowRequest; 2] {
        let mut company = context(centre, self.item, self.window, self.n + 1);
        if self.company == 0 {
            company.consent = Some("授权书 XH-2026-0001".into());
        }
        let rep = &pop.persons[self.representative];
        [
            WindowRequest {
                holder_code_type: HolderCodeType::USCC.to_string(),
                holder_code: pop.companies[self.company].code.clone(),
                types: self.types(Whose::Company),
                context: company,
            },
            WindowRequest {
                holder_code_type: rep.code_type.to_string(),
                holder_code: rep.code.clone(),
                types: self.types(Whose::Representative),
                context: context(centre, self.item, self.window, self.n + 1),
            },
        ]
    }

    fn rows(&self, company: &[Answer], rep: &[Answer]) -> Vec<Row> {
        let (mut c, mut r) = (company.iter(), rep.iter());
        self.item
            .materials
            .iter()
            .map(|m| {
                let outcome = match (m.ty, m.whose) {
                    (None, _) => Err("无对应的电子证照类型"),
                    (Some(_), w) => {
                        let answer = if w == Whose::Company {
                            c.next()
                        } else {
                            r.next()
                        };
                        match answer {
                            Some(a) => match (a.refusal(), a.id()) {
                                (Some(why), _) => Err(refusal_label(why)),
                                (None, Some(id)) => Ok(id.to_owned()),
                                (None, None) => Err("无答复"),
                            },
                            None => Err("无答复"),
                        }
                    }
                };
                Row {
                    label: m.label,
                    outcome,
                }
            })
            .collect()
    }
}

#[derive(Default)]
struct Tally {
    materials: usize,
    spared: usize,
    reasons: BTreeMap<&'static str, usize>,
}

impl Tally {
    fn add(&mut self, rows: &[Row]) {
        for r in rows {
            self.materials += 1;
            match r.outcome {
                Ok(_) => self.spared += 1,
                Err(why) => *self.reasons.entry(why).or_default() += 1,
            }
        }
    }
}

fn show_visit(say: &Say, v: &Visit, pop: &Population, rows: &[Row]) {
    let c = &pop.companies[v.company];
    let p = &pop.persons[v.representative];
    say.line(&format!(
        "  {}号窗口 · {} ({}) · 申请人 {} ({}), 法定代表人 {}",
        v.window, v.item.name, v.item.code, c.name, c.code, p.name
    ));
    for r in rows {
        // Chinese characters take two columns of a terminal.
        let pad = " ".repeat(26usize.saturating_sub(r.label.width()));
        match &r.outcome {
            Ok(id) => say.line(&format!("    ✓ {}{pad}免提交 — {id}", r.label)),
            Err(why) => say.line(&format!("    ✗ {}{pad}须提交 — {why}", r.label)),
        }
    }
}
