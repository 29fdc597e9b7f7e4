//! Validation of a licence against its licence type: every violation is reported at once, each
//! with the path of the offending element, the rule it breaks and the offending value.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::catalog::{Catalog, FieldDef, FieldKind, HolderRole, LicenceType, ValidityKind};
use crate::codes::{AreaCode, HolderCodeType, IdNumber, Uscc};
use crate::date::{self, Date};
use crate::error::{Coded, ErrorCode};
use crate::identifier::IssuerCode;
use crate::licence::Licence;
use crate::Error;

/// A rule of validation. The names are stable (they appear in reports and import error files).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Rule {
    /// A required value is missing or empty.
    Required,
    /// A field that the type does not define.
    UnknownField,
    /// A value of the wrong JSON type (e.g. a number where a string is expected).
    Type,
    /// Text longer than allowed.
    MaxLen,
    /// A value outside an enum.
    Enum,
    /// A number outside its bounds.
    Range,
    /// Too many digits after the decimal point.
    Scale,
    /// Not a date in the form `yyyy-MM-dd`.
    Date,
    /// A malformed code: identity number, credit code, area code, attachment digest.
    Code,
    /// The licence names another type, or another version or name of it.
    LicenceType,
    /// The holder's kind is not admitted by the type.
    HolderCategory,
    /// A printed field differs from the holder metadata it repeats.
    HolderMismatch,
    /// The issuer code differs from the identifier's issuer segment.
    IssuerMismatch,
    /// The validity does not follow the type's rule.
    Validity,
    /// The previous version belongs to another licence type or is not older.
    Previous,
}

impl Rule {
    /// The stable name of the rule.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Required => "required",
            Rule::UnknownField => "unknown_field",
            Rule::Type => "type",
            Rule::MaxLen => "max_len",
            Rule::Enum => "enum",
            Rule::Range => "range",
            Rule::Scale => "scale",
            Rule::Date => "date",
            Rule::Code => "code",
            Rule::LicenceType => "licence_type",
            Rule::HolderCategory => "holder_category",
            Rule::HolderMismatch => "holder_mismatch",
            Rule::IssuerMismatch => "issuer_mismatch",
            Rule::Validity => "validity",
            Rule::Previous => "previous",
        }
    }
}

/// One broken rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// Where: `name`, `holders[0].code`, `validity.until`, `fields.XM`, …
    pub path: String,
    /// The rule broken.
    #[serde(serialize_with = "rule_name")]
    pub rule: Rule,
    /// The offending value as text, when there is one.
    pub value: Option<String>,
    /// What is wrong, in words.
    pub message: String,
}

fn rule_name<S: serde::Serializer>(r: &Rule, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(r.name())
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} [{}]", self.path, self.message, self.rule.name())?;
        if let Some(v) = &self.value {
            write!(f, " (value: {v:?})")?;
        }
        Ok(())
    }
}

/// Something accepted but worth a look (e.g. a legacy 统一社会信用代码 that fails its check).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Where.
    pub path: String,
    /// What, in words.
    pub message: String,
}

/// Licence data that does not satisfy its type: every violation found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("licence {licence} breaks {} rule(s) of its type: {}", violations.len(), violations.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("; "))]
pub struct SchemaError {
    /// The licence identifier.
    pub licence: String,
    /// Every violation, in document order.
    pub violations: Vec<Violation>,
    /// Warnings found along the way.
    pub warnings: Vec<Warning>,
}

impl Coded for SchemaError {
    fn code(&self) -> ErrorCode {
        ErrorCode::SchemaViolation
    }
}

/// Validates a licence against the version of its type it was issued under.
///
/// ```
/// use zhengzhao_core::{catalog::Catalog, validate};
/// # let json = include_str!("../../../test-vectors/licences/business-licence.json");
/// let licence = zhengzhao_core::licence::Licence::from_json(json).unwrap();
/// let warnings = validate::validate(&Catalog::builtin(), &licence).unwrap();
/// assert!(warnings.is_empty());
/// ```
pub fn validate(catalog: &Catalog, licence: &Licence) -> Result<Vec<Warning>, Error> {
    let ty = catalog.get_version(licence.type_code(), licence.type_version)?;
    Ok(validate_against(ty, licence)?)
}

/// Validates a licence against a given licence type definition.
pub fn validate_against(ty: &LicenceType, licence: &Licence) -> Result<Vec<Warning>, SchemaError> {
    let mut c = Checker {
        violations: Vec::new(),
        warnings: Vec::new(),
    };
    c.metadata(ty, licence);
    c.holders(ty, licence);
    c.validity(ty, licence);
    c.fields(ty, licence);
    if c.violations.is_empty() {
        Ok(c.warnings)
    } else {
        Err(SchemaError {
            licence: licence.id.to_string(),
            violations: c.violations,
            warnings: c.warnings,
        })
    }
}

/// The path `fields.<code>` of a field, written out only for a violation or warning.
#[derive(Clone, Copy)]
struct FieldPath<'a>(&'a str);

impl From<FieldPath<'_>> for String {
    fn from(p: FieldPath<'_>) -> String {
        format!("fields.{}", p.0)
    }
}

/// The path `holders[<i>].<member>` of a holder's member, written out only for a violation or
/// warning.
#[derive(Clone, Copy)]
struct HolderPath(usize, &'static str);

impl From<HolderPath> for String {
    fn from(p: HolderPath) -> String {
        format!("holders[{}].{}", p.0, p.1)
    }
}

struct Checker {
    violations: Vec<Violation>,
    warnings: Vec<Warning>,
}

impl Checker {
    fn violation(
        &mut self,
        path: impl Into<String>,
        rule: Rule,
        value: Option<String>,
        message: impl Into<String>,
    ) {
        self.violations.push(Violation {
            path: path.into(),
            rule,
            value,
            message: message.into(),
        });
    }

    fn warn(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.warnings.push(Warning {
            path: path.into(),
            message: message.into(),
        });
    }

    fn metadata(&mut self, ty: &LicenceType, l: &Licence) {
        if l.type_code() != &ty.code {
            self.violation(
                "id",
                Rule::LicenceType,
                Some(l.id.to_string()),
                format!(
                    "the identifier names type {}, not {}",
                    l.type_code(),
                    ty.code
                ),
            );
        }
        if l.type_version != ty.version {
            self.violation(
                "type_version",
                Rule::LicenceType,
                Some(l.type_version.to_string()),
                format!("checked against version {} of the type", ty.version),
            );
        }
        if l.name != ty.name {
            self.violation(
                "name",
                Rule::LicenceType,
                Some(l.name.clone()),
                format!("the type is named '{}'", ty.name),
            );
        }
        if l.number.trim().is_empty() {
            self.violation("number", Rule::Required, None, "证照编号 is empty");
        }
        if l.issuer.name.trim().is_empty() {
            self.violation("issuer.name", Rule::Required, None, "颁发机构 is empty");
        }
        if !l.issuer.code.is_check_valid() {
            self.warn(
                "issuer.code",
                format!(
                    "{} fails the GB 32100 check (legacy pilot-area code?)",
                    l.issuer.code
                ),
            );
        }
        match l.id.issuer() {
            IssuerCode::Uscc(u) if *u != l.issuer.code => self.violation(
                "issuer.code",
                Rule::IssuerMismatch,
                Some(l.issuer.code.to_string()),
                format!("the identifier's issuer segment is {u}"),
            ),
            IssuerCode::Area(a) => self.warn(
                "id",
                format!("legacy identifier: issuer segment is the 行政区划代码 {a}"),
            ),
            _ => {}
        }
        if let Some(prev) = &l.previous {
            if prev.type_code() != l.type_code() {
                self.violation(
                    "previous",
                    Rule::Previous,
                    Some(prev.to_string()),
                    "关联证照标识 names a licence of another type",
                );
            } else if prev.serial() == l.id.serial()
                && prev.issuer() == l.id.issuer()
                && prev.version() >= l.id.version()
            {
                self.violation(
                    "previous",
                    Rule::Previous,
                    Some(prev.to_string()),
                    "关联证照标识 must be an older version",
                );
            }
        }
    }

    fn holders(&mut self, ty: &LicenceType, l: &Licence) {
        if l.holders.is_empty() {
            self.violation(
                "holders",
                Rule::Required,
                None,
                "a licence has at least one holder",
            );
        }
        for (i, h) in l.holders.iter().enumerate() {
            if h.name.trim().is_empty() {
                self.violation(
                    HolderPath(i, "name"),
                    Rule::Required,
                    None,
                    "持证主体名称 is empty",
                );
            }
            self.holder_code(HolderPath(i, "code"), &h.code_type, &h.code);
            match h.code_type.category() {
                Some(cat) if !ty.holder.admits(cat) => self.violation(
                    HolderPath(i, "code_type"),
                    Rule::HolderCategory,
                    Some(h.code_type.to_string()),
                    format!(
                        "a {} code, but the type is for {}",
                        cat.label(),
                        ty.holder.label()
                    ),
                ),
                None => self.warn(
                    HolderPath(i, "code_type"),
                    format!("holder code type {} is not a known one", h.code_type),
                ),
                _ => {}
            }
        }
    }

    fn holder_code(&mut self, path: HolderPath, code_type: &HolderCodeType, code: &str) {
        if code.trim().is_empty() {
            self.violation(path, Rule::Required, None, "持证主体代码 is empty");
        } else if *code_type == HolderCodeType::ID_NUMBER {
            self.id_number(path, code);
        } else if *code_type == HolderCodeType::USCC {
            self.uscc(path, code);
        }
    }

    fn id_number(&mut self, path: impl Into<String>, v: &str) {
        if let Err(e) = IdNumber::parse(v) {
            self.violation(path, Rule::Code, Some(v.to_owned()), e.to_string());
        }
    }

    fn uscc(&mut self, path: impl Into<String>, v: &str) {
        match Uscc::parse_legacy(v) {
            Err(e) => self.violation(path, Rule::Code, Some(v.to_owned()), e.to_string()),
            Ok(u) if !u.is_check_valid() => self.warn(
                path,
                format!("{v} fails the GB 32100 check (legacy pilot-area code?)"),
            ),
            Ok(_) => {}
        }
    }

    fn validity(&mut self, ty: &LicenceType, l: &Licence) {
        let v = &l.validity;
        match (ty.validity.kind, v.until) {
            (ValidityKind::LongTerm, Some(u)) => self.violation(
                "validity.until",
                Rule::Validity,
                Some(date::format(u)),
                "licences of this type are 长期有效: no end date",
            ),
            (ValidityKind::Period, None) => self.violation(
                "validity.until",
                Rule::Validity,
                None,
                "licences of this type need an end date",
            ),
            _ => {}
        }
        if let Some(until) = v.until {
            if until < v.from {
                self.violation(
                    "validity.until",
                    Rule::Validity,
                    Some(date::format(until)),
                    format!("ends before it starts ({})", date::format(v.from)),
                );
            } else if let Some(max) = ty.validity.max_years {
                let limit = add_years(v.from, max);
                if until > limit {
                    self.violation(
                        "validity.until",
                        Rule::Validity,
                        Some(date::format(until)),
                        format!(
                            "longer than the {max} years the type allows (latest {})",
                            date::format(limit)
                        ),
                    );
                }
            }
            if l.issued_on > until {
                self.violation(
                    "issued_on",
                    Rule::Validity,
                    Some(date::format(l.issued_on)),
                    "issued after its validity ends",
                );
            }
        }
    }

    fn fields(&mut self, ty: &LicenceType, l: &Licence) {
        let mut known = 0;
        for f in &ty.fields {
            let path = FieldPath(&f.code);
            let value = l.fields.get(&f.code);
            known += usize::from(value.is_some());
            match value {
                None | Some(Value::Null) => {
                    if f.required {
                        self.violation(
                            path,
                            Rule::Required,
                            None,
                            format!("{} is required", f.name),
                        );
                    }
                }
                Some(v) => self.field(path, f, v, l),
            }
        }
        // A type's field codes are unique: when each of the licence's fields is one of them,
        // there is no other to look for.
        if known == l.fields.len() {
            return;
        }
        for (k, v) in &l.fields {
            if ty.field(k).is_none() {
                self.violation(
                    format!("fields.{k}"),
                    Rule::UnknownField,
                    Some(v.to_string()),
                    format!("the type {} has no field {k}", ty.name),
                );
            }
        }
    }

    fn field(&mut self, path: FieldPath<'_>, f: &FieldDef, v: &Value, l: &Licence) {
        let text = v.as_str();
        // The value as shown in a violation: built only for one.
        let shown = || {
            Some(match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        };
        let wrong_type = |c: &mut Checker, expected: &str| {
            c.violation(
                path,
                Rule::Type,
                shown(),
                format!("{} must be {expected}", f.name),
            );
        };
        match &f.kind {
            FieldKind::Text { max_len } => match text {
                None => wrong_type(self, "a string"),
                Some(s) if f.required && s.trim().is_empty() => self.violation(
                    path,
                    Rule::Required,
                    shown(),
                    format!("{} is empty", f.name),
                ),
                Some(s) => {
                    if let Some(max) = max_len {
                        let n = s.chars().count();
                        if n > *max as usize {
                            self.violation(
                                path,
                                Rule::MaxLen,
                                shown(),
                                format!("{n} characters, at most {max}"),
                            );
                        }
                    }
                }
            },
            FieldKind::Date => match text {
                None => wrong_type(self, "a date string yyyy-MM-dd"),
                Some(s) if date::parse(s).is_none() => self.violation(
                    path,
                    Rule::Date,
                    shown(),
                    "not a real date in the form yyyy-MM-dd",
                ),
                _ => {}
            },
            FieldKind::Enum { values } => match text {
                None => wrong_type(self, "a string"),
                Some(s) if !values.iter().any(|x| x == s) => self.violation(
                    path,
                    Rule::Enum,
                    shown(),
                    format!("not one of {}", values.join(", ")),
                ),
                _ => {}
            },
            FieldKind::Integer { min, max, .. } => match v.as_i64() {
                None => wrong_type(self, "an integer"),
                Some(n) => {
                    if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                        let bound = |b: &Option<i64>| b.map_or("…".to_owned(), |b| b.to_string());
                        self.violation(
                            path,
                            Rule::Range,
                            shown(),
                            format!("outside {}..={}", bound(min), bound(max)),
                        );
                    }
                }
            },
            FieldKind::Decimal { scale, .. } => {
                let digits = match v {
                    Value::Number(n) => Some(n.to_string()),
                    Value::String(s) if is_decimal(s) => Some(s.clone()),
                    _ => None,
                };
                match digits {
                    None => wrong_type(self, "a number"),
                    Some(d) => {
                        let frac = d.split_once('.').map_or(0, |(_, f)| f.len());
                        if d.contains(['e', 'E']) {
                            wrong_type(self, "a plain decimal number");
                        } else if scale.is_some_and(|s| frac > s as usize) {
                            self.violation(
                                path,
                                Rule::Scale,
                                shown(),
                                format!(
                                    "{frac} digits after the point, at most {}",
                                    scale.unwrap_or(0)
                                ),
                            );
                        }
                    }
                }
            }
            FieldKind::IdNumber => match text {
                None => wrong_type(self, "a string"),
                Some(s) => self.id_number(path, s),
            },
            FieldKind::Uscc => match text {
                None => wrong_type(self, "a string"),
                Some(s) => self.uscc(path, s),
            },
            FieldKind::AreaCode => match text {
                None => wrong_type(self, "a string"),
                Some(s) => {
                    if let Err(e) = AreaCode::parse(s) {
                        self.violation(path, Rule::Code, shown(), e.to_string());
                    }
                }
            },
            FieldKind::Attachment => match text {
                Some(s) if is_attachment_digest(s) => {}
                _ => self.violation(
                    path,
                    Rule::Code,
                    shown(),
                    "an attachment is written sha256:<64 lower-case hex digits>",
                ),
            },
        }
        if let (Some(role), Some(first)) = (f.holder, l.holders.first()) {
            let (expected, what) = match role {
                HolderRole::Name => (&first.name, "name"),
                HolderRole::Code => (&first.code, "code"),
            };
            let same = text.is_some_and(|s| {
                s == expected || (role == HolderRole::Code && s.eq_ignore_ascii_case(expected))
            });
            if !same {
                self.violation(
                    path,
                    Rule::HolderMismatch,
                    shown(),
                    format!(
                        "{} prints the holder's {what}, which is '{expected}'",
                        f.name
                    ),
                );
            }
        }
    }
}

fn is_decimal(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = s.split_once('.').unwrap_or((s, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|c| c.is_ascii_digit())
        && frac.bytes().all(|c| c.is_ascii_digit())
}

fn is_attachment_digest(s: &str) -> bool {
    s.strip_prefix("sha256:").is_some_and(|h| {
        h.len() == 64
            && h.bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
    })
}

/// `from` plus `years`; 29 February becomes 28 February in a common year.
fn add_years(from: Date, years: u32) -> Date {
    let year = from.year().saturating_add(years as i32).min(9999);
    from.replace_year(year)
        .or_else(|_| from.replace_day(28).and_then(|d| d.replace_year(year)))
        .unwrap_or(from)
}
