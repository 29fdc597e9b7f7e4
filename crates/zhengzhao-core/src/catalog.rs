//! The catalogue of licence types (电子证照目录, GB/T 36902-2018).
//!
//! The built-in catalogue is data in `crates/zhengzhao-core/catalog/*.toml` (format:
//! `docs/catalog-format.md`), embedded at build time. Types, and new versions of a type, can be
//! registered at run time; every version stays available so that a licence is always checked
//! against the definition it was issued under.

use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::codes::{HolderCategory, Uscc};
use crate::error::{Coded, ErrorCode};
use crate::identifier::{Strictness, TypeCode};

/// The level of the authority that defines a licence type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 国家级.
    National,
    /// 省级.
    Provincial,
    /// 地市级.
    Municipal,
    /// 区县级.
    County,
}

impl Level {
    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Level::National => "国家级",
            Level::Provincial => "省级",
            Level::Municipal => "地市级",
            Level::County => "区县级",
        }
    }
}

/// The authority that defines a licence type (证照定义机构).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authority {
    /// Name.
    pub name: String,
    /// 统一社会信用代码.
    pub code: Uscc,
    /// Level.
    pub level: Level,
}

/// Whether licences of a type have an end date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValidityKind {
    /// Always 长期有效 (no end date).
    LongTerm,
    /// Always an end date.
    Period,
    /// Either.
    Either,
}

/// The validity rule of a licence type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidityRule {
    /// Whether an end date is required, forbidden or optional.
    pub kind: ValidityKind,
    /// The longest period allowed, in years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_years: Option<u32>,
}

/// What a 照面 field holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A string of at most `max_len` characters.
    Text {
        /// The longest value in characters.
        max_len: Option<u32>,
    },
    /// A date, `yyyy-MM-dd`.
    Date,
    /// One of a closed set of values.
    Enum {
        /// The allowed values.
        values: Vec<String>,
    },
    /// An integer.
    Integer {
        /// The unit, e.g. `人`.
        unit: Option<String>,
        /// Lowest allowed value.
        min: Option<i64>,
        /// Highest allowed value.
        max: Option<i64>,
    },
    /// A decimal number (a JSON number or a decimal string).
    Decimal {
        /// The unit, e.g. `万元`.
        unit: Option<String>,
        /// At most this many digits after the point.
        scale: Option<u32>,
    },
    /// A 公民身份号码.
    IdNumber,
    /// A 统一社会信用代码.
    Uscc,
    /// A 行政区划代码.
    AreaCode,
    /// The digest of an attachment, `sha256:<64 hex digits>`.
    Attachment,
}

impl FieldKind {
    /// The kind's name as written in definitions.
    pub fn name(&self) -> &'static str {
        match self {
            FieldKind::Text { .. } => "text",
            FieldKind::Date => "date",
            FieldKind::Enum { .. } => "enum",
            FieldKind::Integer { .. } => "integer",
            FieldKind::Decimal { .. } => "decimal",
            FieldKind::IdNumber => "id_number",
            FieldKind::Uscc => "uscc",
            FieldKind::AreaCode => "area_code",
            FieldKind::Attachment => "attachment",
        }
    }
}

/// Which holder metadata a printed field repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolderRole {
    /// The first holder's name.
    Name,
    /// The first holder's code.
    Code,
}

/// A 照面 field of a licence type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "FieldSpec", into = "FieldSpec")]
pub struct FieldDef {
    /// The key of the field in licence data: `[A-Z][A-Z0-9_]*`.
    pub code: String,
    /// The label printed on the licence.
    pub name: String,
    /// What the field holds.
    pub kind: FieldKind,
    /// Whether every licence must carry it.
    pub required: bool,
    /// Set when the field prints the holder's name or code.
    pub holder: Option<HolderRole>,
    /// A realistic value, for generators and documentation.
    pub example: Option<String>,
}

/// The flat form of a field definition, as written in files.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldSpec {
    code: String,
    name: String,
    kind: String,
    required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    holder: Option<HolderRole>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    example: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_len: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    values: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scale: Option<u32>,
}

impl TryFrom<FieldSpec> for FieldDef {
    type Error = String;
    fn try_from(s: FieldSpec) -> Result<FieldDef, String> {
        let extra = |names: &[(&str, bool)]| -> Result<(), String> {
            match names.iter().find(|(_, present)| *present) {
                Some((n, _)) => Err(format!(
                    "field {}: '{n}' does not apply to kind '{}'",
                    s.code, s.kind
                )),
                None => Ok(()),
            }
        };
        let kind = match s.kind.as_str() {
            "text" => {
                extra(&[
                    ("values", s.values.is_some()),
                    ("unit", s.unit.is_some()),
                    ("min", s.min.is_some()),
                    ("max", s.max.is_some()),
                    ("scale", s.scale.is_some()),
                ])?;
                FieldKind::Text { max_len: s.max_len }
            }
            "enum" => {
                extra(&[
                    ("max_len", s.max_len.is_some()),
                    ("unit", s.unit.is_some()),
                    ("min", s.min.is_some()),
                    ("max", s.max.is_some()),
                    ("scale", s.scale.is_some()),
                ])?;
                FieldKind::Enum {
                    values: s.values.clone().unwrap_or_default(),
                }
            }
            "integer" => {
                extra(&[
                    ("max_len", s.max_len.is_some()),
                    ("values", s.values.is_some()),
                    ("scale", s.scale.is_some()),
                ])?;
                FieldKind::Integer {
                    unit: s.unit.clone(),
                    min: s.min,
                    max: s.max,
                }
            }
            "decimal" => {
                extra(&[
                    ("max_len", s.max_len.is_some()),
                    ("values", s.values.is_some()),
                    ("min", s.min.is_some()),
                    ("max", s.max.is_some()),
                ])?;
                FieldKind::Decimal {
                    unit: s.unit.clone(),
                    scale: s.scale,
                }
            }
            other => {
                let kind = match other {
                    "date" => FieldKind::Date,
                    "id_number" => FieldKind::IdNumber,
                    "uscc" => FieldKind::Uscc,
                    "area_code" => FieldKind::AreaCode,
                    "attachment" => FieldKind::Attachment,
                    _ => return Err(format!("field {}: unknown kind '{other}'", s.code)),
                };
                extra(&[
                    ("max_len", s.max_len.is_some()),
                    ("values", s.values.is_some()),
                    ("unit", s.unit.is_some()),
                    ("min", s.min.is_some()),
                    ("max", s.max.is_some()),
                    ("scale", s.scale.is_some()),
                ])?;
                kind
            }
        };
        Ok(FieldDef {
            code: s.code,
            name: s.name,
            kind,
            required: s.required,
            holder: s.holder,
            example: s.example,
        })
    }
}

impl From<FieldDef> for FieldSpec {
    fn from(f: FieldDef) -> FieldSpec {
        let mut s = FieldSpec {
            code: f.code,
            name: f.name,
            kind: f.kind.name().to_owned(),
            required: f.required,
            holder: f.holder,
            example: f.example,
            max_len: None,
            values: None,
            unit: None,
            min: None,
            max: None,
            scale: None,
        };
        match f.kind {
            FieldKind::Text { max_len } => s.max_len = max_len,
            FieldKind::Enum { values } => s.values = Some(values),
            FieldKind::Integer { unit, min, max } => (s.unit, s.min, s.max) = (unit, min, max),
            FieldKind::Decimal { unit, scale } => (s.unit, s.scale) = (unit, scale),
            _ => {}
        }
        s
    }
}

/// A licence type (one version of it).
///
/// ```
/// use zhengzhao_core::catalog::Catalog;
/// let catalog = Catalog::builtin();
/// let t = catalog.get_str("11100000MB03271699001").unwrap();
/// assert_eq!(t.name, "不动产权证书");
/// assert!(!t.fields.is_empty() && !t.replaces.is_empty());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceType {
    /// 证照类型代码: authority code + 3-digit sequence.
    pub code: TypeCode,
    /// The version of the definition, from 1.
    pub version: u32,
    /// 证照名称.
    pub name: String,
    /// 证照定义机构.
    pub authority: Authority,
    /// The sector (行业), e.g. `住建`.
    pub sector: String,
    /// 持证主体类别.
    pub holder: HolderCategory,
    /// 有效期 rule.
    pub validity: ValidityRule,
    /// Whether a window needs the holder's consent to use a licence of this type.
    #[serde(default)]
    pub consent: bool,
    /// The paper materials a licence of this type can replace.
    pub replaces: Vec<String>,
    /// Related service items (政务服务事项).
    #[serde(default)]
    pub services: Vec<String>,
    /// The 照面 fields, in printed order.
    pub fields: Vec<FieldDef>,
}

impl LicenceType {
    /// Reads a definition from JSON and checks that it is well formed.
    pub fn from_json(json: &str) -> Result<LicenceType, CatalogError> {
        let t: LicenceType = serde_json::from_str(json).map_err(|e| CatalogError::Definition {
            code: String::new(),
            problems: vec![e.to_string()],
        })?;
        t.check()?;
        Ok(t)
    }

    /// The field with this code.
    pub fn field(&self, code: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.code == code)
    }

    /// Checks that the definition is well formed: codes valid and check-valid, the type code
    /// under its authority, names present, at least one field and one replaceable material,
    /// field codes well formed and unique, enums non-empty and without repeats, bounds ordered.
    /// Reports every problem at once.
    pub fn check(&self) -> Result<(), CatalogError> {
        let mut p = Vec::new();
        if let Err(e) = TypeCode::parse_with(self.code.as_ref(), Strictness::Strict) {
            p.push(e.to_string());
        }
        if self.code.authority() != self.authority.code {
            p.push(format!(
                "type code {} is not under the authority code {}",
                self.code, self.authority.code
            ));
        }
        if !self.authority.code.is_check_valid() {
            p.push(format!(
                "authority code {} fails the GB 32100 check",
                self.authority.code
            ));
        }
        if self.version == 0 {
            p.push("version must be 1 or more".into());
        }
        for (what, v) in [
            ("name", &self.name),
            ("authority.name", &self.authority.name),
            ("sector", &self.sector),
        ] {
            if v.trim().is_empty() {
                p.push(format!("{what} is empty"));
            }
        }
        if self.replaces.iter().all(|r| r.trim().is_empty()) {
            p.push("no replaceable paper material".into());
        }
        if self.validity.max_years == Some(0) {
            p.push("validity.max_years must be 1 or more".into());
        }
        if self.validity.kind == ValidityKind::LongTerm && self.validity.max_years.is_some() {
            p.push("validity.max_years does not apply to long_term".into());
        }
        if self.fields.is_empty() {
            p.push("no 照面 fields".into());
        }
        let mut seen = HashSet::new();
        for f in &self.fields {
            let well_formed = f
                .code
                .bytes()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase())
                && f.code
                    .bytes()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_');
            if !well_formed {
                p.push(format!("field code '{}' is not [A-Z][A-Z0-9_]*", f.code));
            }
            if !seen.insert(&f.code) {
                p.push(format!("field code '{}' is repeated", f.code));
            }
            if f.name.trim().is_empty() {
                p.push(format!("field {} has no name", f.code));
            }
            match &f.kind {
                FieldKind::Enum { values } => {
                    if values.is_empty() {
                        p.push(format!("field {}: enum without values", f.code));
                    }
                    if values.iter().collect::<HashSet<_>>().len() != values.len() {
                        p.push(format!("field {}: enum values repeat", f.code));
                    }
                }
                FieldKind::Integer {
                    min: Some(lo),
                    max: Some(hi),
                    ..
                } if lo > hi => {
                    p.push(format!("field {}: min {lo} is above max {hi}", f.code));
                }
                FieldKind::Text { max_len: Some(0) } => {
                    p.push(format!("field {}: max_len 0", f.code))
                }
                _ => {}
            }
            let holder_kind_ok = match f.holder {
                None | Some(HolderRole::Name) => true,
                Some(HolderRole::Code) => matches!(
                    f.kind,
                    FieldKind::IdNumber | FieldKind::Uscc | FieldKind::Text { .. }
                ),
            };
            if !holder_kind_ok {
                p.push(format!(
                    "field {}: a holder code field must be id_number, uscc or text",
                    f.code
                ));
            }
        }
        if p.is_empty() {
            Ok(())
        } else {
            Err(CatalogError::Definition {
                code: self.code.to_string(),
                problems: p,
            })
        }
    }
}

/// Why the catalogue refused a request.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// No such type, or no such version of it.
    #[error("no licence type {code}{} in the catalogue", version.map(|v| format!(" version {v}")).unwrap_or_default())]
    UnknownType {
        /// The type code asked for.
        code: String,
        /// The version asked for, if one was.
        version: Option<u32>,
    },
    /// The definition is not well formed.
    #[error("licence type definition {code} is invalid: {}", problems.join("; "))]
    Definition {
        /// The type code of the definition (empty when it could not be read).
        code: String,
        /// Every problem found.
        problems: Vec<String>,
    },
    /// The type, or this version of it, is already registered, or the version is not the next one.
    #[error("licence type {code} version {version}: {reason}")]
    Duplicate {
        /// The type code.
        code: String,
        /// The version offered.
        version: u32,
        /// Why it cannot be registered.
        reason: String,
    },
}

impl Coded for CatalogError {
    fn code(&self) -> ErrorCode {
        match self {
            CatalogError::UnknownType { .. } => ErrorCode::CatalogUnknownType,
            CatalogError::Definition { .. } => ErrorCode::CatalogDefinition,
            CatalogError::Duplicate { .. } => ErrorCode::CatalogDuplicate,
        }
    }
}

/// The catalogue: every registered version of every licence type.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    types: BTreeMap<TypeCode, Vec<LicenceType>>,
}

/// One catalogue file: an authority and the types it defines.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthorityFile {
    authority: AuthorityEntry,
    types: Vec<TypeEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthorityEntry {
    name: String,
    code: Uscc,
    level: Level,
    sector: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TypeEntry {
    seq: String,
    name: String,
    holder: HolderCategory,
    validity: ValidityRule,
    #[serde(default)]
    consent: bool,
    replaces: Vec<String>,
    #[serde(default)]
    services: Vec<String>,
    fields: Vec<FieldDef>,
}

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/catalog_files.rs"));
}

static BUILTIN: LazyLock<Catalog> = LazyLock::new(|| {
    let files: Vec<(&str, &str)> = embedded::FILES.to_vec();
    Catalog::from_toml_files(&files)
        .unwrap_or_else(|e| panic!("the built-in catalogue is invalid: {e}"))
});

impl Catalog {
    /// The built-in catalogue (a copy that can be extended).
    pub fn builtin() -> Catalog {
        BUILTIN.clone()
    }

    /// An empty catalogue.
    pub fn new() -> Catalog {
        Catalog::default()
    }

    /// Builds a catalogue from files in the format of `docs/catalog-format.md`, given as
    /// `(name, text)` pairs. Every type comes in as version 1.
    pub fn from_toml_files(files: &[(&str, &str)]) -> Result<Catalog, CatalogError> {
        let mut c = Catalog::new();
        for (name, text) in files {
            let file: AuthorityFile =
                toml::from_str(text).map_err(|e| CatalogError::Definition {
                    code: (*name).to_owned(),
                    problems: vec![e.to_string()],
                })?;
            for t in file.types {
                let code = format!("{}{}", file.authority.code, t.seq);
                let code = TypeCode::parse(&code).map_err(|e| CatalogError::Definition {
                    code: format!("{name}: {}", t.name),
                    problems: vec![e.to_string()],
                })?;
                c.register(LicenceType {
                    code,
                    version: 1,
                    name: t.name,
                    authority: Authority {
                        name: file.authority.name.clone(),
                        code: file.authority.code.clone(),
                        level: file.authority.level,
                    },
                    sector: file.authority.sector.clone(),
                    holder: t.holder,
                    validity: t.validity,
                    consent: t.consent,
                    replaces: t.replaces,
                    services: t.services,
                    fields: t.fields,
                })?;
            }
        }
        Ok(c)
    }

    /// Registers a new type (version 1) or the next version of a registered one.
    ///
    /// ```
    /// use zhengzhao_core::catalog::Catalog;
    /// let mut catalog = Catalog::builtin();
    /// let mut next = catalog.get_str("11100000MB03271699001").unwrap().clone();
    /// next.version += 1;
    /// catalog.register(next.clone()).unwrap();
    /// assert_eq!(catalog.get_str("11100000MB03271699001").unwrap().version, next.version);
    /// assert!(catalog.register(next).is_err()); // the same version again
    /// ```
    pub fn register(&mut self, t: LicenceType) -> Result<(), CatalogError> {
        t.check()?;
        let versions = self.types.entry(t.code.clone()).or_default();
        let expected = versions.last().map_or(1, |l| l.version + 1);
        if t.version != expected {
            let reason = if versions.iter().any(|v| v.version == t.version) {
                "already registered".to_owned()
            } else {
                format!("the next version is {expected}")
            };
            if versions.is_empty() {
                self.types.remove(&t.code);
            }
            return Err(CatalogError::Duplicate {
                code: t.code.to_string(),
                version: t.version,
                reason,
            });
        }
        versions.push(t);
        Ok(())
    }

    /// The latest version of a type.
    pub fn get(&self, code: &TypeCode) -> Option<&LicenceType> {
        self.types.get(code).and_then(|v| v.last())
    }

    /// The latest version of the type whose code is exactly `code`: a map search, without
    /// parsing (for hot paths that take codes as text, such as the window lookup).
    pub fn find(&self, code: &str) -> Option<&LicenceType> {
        self.types.get(code).and_then(|v| v.last())
    }

    /// The latest version of a type given as text.
    pub fn get_str(&self, code: &str) -> Result<&LicenceType, CatalogError> {
        TypeCode::parse_with(code, Strictness::Lenient)
            .ok()
            .and_then(|c| self.get(&c))
            .ok_or_else(|| CatalogError::UnknownType {
                code: code.to_owned(),
                version: None,
            })
    }

    /// A given version of a type.
    pub fn get_version(&self, code: &TypeCode, version: u32) -> Result<&LicenceType, CatalogError> {
        self.types
            .get(code)
            .and_then(|v| v.iter().find(|t| t.version == version))
            .ok_or_else(|| CatalogError::UnknownType {
                code: code.to_string(),
                version: Some(version),
            })
    }

    /// The latest version of every type, ordered by type code.
    pub fn iter(&self) -> impl Iterator<Item = &LicenceType> {
        self.types.values().filter_map(|v| v.last())
    }

    /// Every version of a type, oldest first.
    pub fn versions(&self, code: &TypeCode) -> &[LicenceType] {
        self.types.get(code).map_or(&[], |v| v.as_slice())
    }

    /// The number of types.
    pub fn len(&self) -> usize {
        self.types.len()
    }

    /// Whether the catalogue has no types.
    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }

    /// Types whose name, sector or replaceable materials contain `query`.
    pub fn search<'a>(&'a self, query: &'a str) -> impl Iterator<Item = &'a LicenceType> + 'a {
        let q = query.trim();
        self.iter().filter(move |t| {
            t.name.contains(q) || t.sector.contains(q) || t.replaces.iter().any(|r| r.contains(q))
        })
    }
}
