//! Mapping legacy (存量) rows onto a licence type: which column holds what, and the conversions
//! that legacy data needs. The format of a mapping file is in `docs/import.md`.
//!
//! Without a mapping file every value is looked for under the names legacy exports use: the
//! GB/T 36903 Chinese name (`证照编号`), its pinyin code (`ZZBH`), and for a 照面 field its code
//! (`XM`), its `KZ_` code (`KZ_XM`) or its printed name (`姓名`).
//!
//! Conversions applied to every value: surrounding spaces, full-width ones (U+3000) included,
//! are trimmed and an empty cell counts as absent; dates are read in any of the mapping's
//! date formats (by default `yyyyMMdd`, `yyyy-MM-dd`, `yyyy/MM/dd`, `yyyy.MM.dd` and
//! `yyyy年M月d日`); an end date of `长期` or `长期有效` means no end date; holder code types may
//! be written as names (`身份证`); the start of validity defaults to the issue date; a printed
//! field that repeats the holder's name or code defaults to it.
//!
//! ```
//! use zhengzhao_core::{catalog::Catalog, mapping::Mapping, records::Row};
//! let catalog = Catalog::builtin();
//! let ty = catalog.find("111000000000126728005").unwrap();
//! let mapping = Mapping::from_toml(r#"
//!     [columns]
//!     number = "证明编号"
//!     holder_name = "纳税人名称"
//!     holder_code = "纳税人识别号"
//!     [constants]
//!     issuer_name = "国家税务总局杭州市西湖区税务局"
//!     issuer_code = "11330106MB0000000D"
//! "#)?;
//! let cells = [
//!     ("证明编号", "西税信〔2024〕0012"), ("纳税人名称", "杭州西湖数据有限公司"),
//!     ("纳税人识别号", "91330106MA2GXK8A1D"), ("发证日期", "2024年4月1日"),
//!     ("有效期至", "20250331"), ("评价年度", "2023"), ("纳税信用级别", "A"),
//!     ("评定机关", "国家税务总局杭州市西湖区税务局"), ("发布日期", "2024-04-01"),
//! ];
//! let row = Row { row: 2, cells: cells.map(|(k, v)| (k.to_owned(), v.to_owned())).into() };
//! let record = mapping.apply(ty, &row).unwrap();
//! assert_eq!(record.issued_on.to_string(), "2024-04-01");
//! assert_eq!(record.validity.until.unwrap().to_string(), "2025-03-31");
//! assert_eq!(record.holders[0].code_type.as_ref(), "001"); // from the type's holder category
//!
//! let bad = Row { row: 3, cells: [("纳税信用级别", "AA")].map(|(k, v)| (k.to_owned(), v.to_owned())).into() };
//! let bad = Row { cells: row.cells.clone().into_iter().chain(bad.cells).collect(), ..bad };
//! let errors = mapping.apply(ty, &bad).unwrap_err();
//! assert_eq!((errors[0].row, errors[0].column.as_deref(), errors[0].rule.as_str()), (3, Some("纳税信用级别"), "enum"));
//! # Ok::<(), zhengzhao_core::mapping::MappingError>(())
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::catalog::{FieldKind, HolderRole, LicenceType};
use crate::codes::{AreaCode, HolderCategory, HolderCodeType, IdNumber, Uscc};
use crate::date::{self, Date};
use crate::error::{Coded, ErrorCode};
use crate::identifier::LicenceId;
use crate::licence::{Holder, Issuer, Licence, Validity};
use crate::records::{Encoding, Row, RowError};
use crate::status::Status;
use crate::validate;

/// A licence's metadata that a row supplies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// 证照编号.
    Number,
    /// 颁发日期.
    IssuedOn,
    /// 有效期起始日期 (the issue date when absent).
    ValidFrom,
    /// 有效期截止日期 (长期有效 when absent).
    ValidUntil,
    /// 持证主体名称.
    HolderName,
    /// 持证主体代码.
    HolderCode,
    /// 持证主体代码类型 (from the type's holder category, or the code's form, when absent).
    HolderCodeType,
    /// 颁发机构.
    IssuerName,
    /// 颁发机构代码.
    IssuerCode,
    /// 属地编码.
    Area,
}

impl Target {
    /// Every target.
    pub const ALL: [Target; 10] = [
        Target::Number,
        Target::IssuedOn,
        Target::ValidFrom,
        Target::ValidUntil,
        Target::HolderName,
        Target::HolderCode,
        Target::HolderCodeType,
        Target::IssuerName,
        Target::IssuerCode,
        Target::Area,
    ];

    /// The key of the target in a mapping file.
    pub fn key(self) -> &'static str {
        match self {
            Target::Number => "number",
            Target::IssuedOn => "issued_on",
            Target::ValidFrom => "valid_from",
            Target::ValidUntil => "valid_until",
            Target::HolderName => "holder_name",
            Target::HolderCode => "holder_code",
            Target::HolderCodeType => "holder_code_type",
            Target::IssuerName => "issuer_name",
            Target::IssuerCode => "issuer_code",
            Target::Area => "area",
        }
    }

    fn from_key(key: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.key() == key)
    }

    /// The column names looked for when the mapping names none: the GB/T 36903 names and
    /// codes, and what legacy exports commonly write.
    pub fn default_columns(self) -> &'static [&'static str] {
        match self {
            Target::Number => &["证照编号", "ZZBH", "证书编号", "编号"],
            Target::IssuedOn => &["颁发日期", "ZZBFRQ", "发证日期", "发证时间"],
            Target::ValidFrom => &["有效期起始日期", "ZZYXQQSRQ", "有效期起", "有效期自"],
            Target::ValidUntil => &["有效期截止日期", "ZZYXQJZRQ", "有效期至", "有效期止"],
            Target::HolderName => &["持证主体", "CZZT", "持证人"],
            Target::HolderCode => &["持证主体代码", "CZZTDM", "证件号码"],
            Target::HolderCodeType => &["持证主体代码类型", "CZZTDMLXDM", "CZZTDMLX", "证件类型"],
            Target::IssuerName => &["颁发机构", "ZZBFJG", "发证机关", "发证机构"],
            Target::IssuerCode => &["颁发机构代码", "ZZBFJGDM", "发证机关代码"],
            Target::Area => &["属地编码", "SDBM"],
        }
    }

    /// Whether a licence needs it (the others have defaults).
    fn required(self) -> bool {
        matches!(
            self,
            Target::Number
                | Target::IssuedOn
                | Target::HolderName
                | Target::HolderCode
                | Target::IssuerName
                | Target::IssuerCode
        )
    }

    /// The path of the value in validation reports.
    fn path(self) -> &'static str {
        match self {
            Target::Number => "number",
            Target::IssuedOn => "issued_on",
            Target::ValidFrom => "validity.from",
            Target::ValidUntil => "validity.until",
            Target::HolderName => "holders[0].name",
            Target::HolderCode => "holders[0].code",
            Target::HolderCodeType => "holders[0].code_type",
            Target::IssuerName => "issuer.name",
            Target::IssuerCode => "issuer.code",
            Target::Area => "area",
        }
    }
}

/// A date layout: `yyyy`, `MM`/`M`, `dd`/`d` and literal characters, e.g. `yyyy年M月d日`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateFormat(Vec<DateToken>);

#[derive(Clone, Debug, PartialEq, Eq)]
enum DateToken {
    Year,
    /// Month or day; `true` when exactly two digits are required.
    Month(bool),
    Day(bool),
    Literal(char),
}

impl DateFormat {
    /// Parses a layout.
    pub fn parse(layout: &str) -> Result<DateFormat, String> {
        let chars: Vec<char> = layout.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        let run = |i: usize, c: char| chars[i..].iter().take_while(|&&x| x == c).count();
        while i < chars.len() {
            let (token, n) = match chars[i] {
                'y' if run(i, 'y') == 4 => (DateToken::Year, 4),
                'M' => {
                    let n = run(i, 'M');
                    (DateToken::Month(n == 2), n)
                }
                'd' => {
                    let n = run(i, 'd');
                    (DateToken::Day(n == 2), n)
                }
                'y' => return Err(format!("date format '{layout}': the year is yyyy")),
                c => (DateToken::Literal(c), 1),
            };
            if n > 2 && !matches!(token, DateToken::Year) {
                return Err(format!(
                    "date format '{layout}': months and days are M, MM, d or dd"
                ));
            }
            tokens.push(token);
            i += n;
        }
        let count = |f: fn(&DateToken) -> bool| tokens.iter().filter(|t| f(t)).count();
        if count(|t| matches!(t, DateToken::Year)) != 1
            || count(|t| matches!(t, DateToken::Month(_))) != 1
            || count(|t| matches!(t, DateToken::Day(_))) != 1
        {
            return Err(format!(
                "date format '{layout}' needs one year, one month and one day"
            ));
        }
        Ok(DateFormat(tokens))
    }

    /// The date `s` writes in this layout, when it is a real date.
    pub fn read(&self, s: &str) -> Option<Date> {
        let chars: Vec<char> = s.chars().collect();
        let (mut i, mut y, mut m, mut d) = (0usize, 0i32, 0u8, 0u8);
        let digits = |i: usize, min: usize, max: usize| -> Option<(u32, usize)> {
            let n = chars[i.min(chars.len())..]
                .iter()
                .take(max)
                .take_while(|c| c.is_ascii_digit())
                .count();
            if n < min {
                return None;
            }
            let v = chars[i..i + n].iter().collect::<String>().parse().ok()?;
            Some((v, n))
        };
        for t in &self.0 {
            match t {
                DateToken::Year => {
                    let (v, n) = digits(i, 4, 4)?;
                    y = v as i32;
                    i += n;
                }
                DateToken::Month(two) => {
                    let (v, n) = digits(i, if *two { 2 } else { 1 }, 2)?;
                    m = v as u8;
                    i += n;
                }
                DateToken::Day(two) => {
                    let (v, n) = digits(i, if *two { 2 } else { 1 }, 2)?;
                    d = v as u8;
                    i += n;
                }
                DateToken::Literal(c) => {
                    if chars.get(i) != Some(c) {
                        return None;
                    }
                    i += 1;
                }
            }
        }
        if i != chars.len() {
            return None;
        }
        Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
    }
}

/// A mapping file that cannot be used, or a file whose columns it cannot map.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("mapping: {0}")]
pub struct MappingError(pub String);

impl Coded for MappingError {
    fn code(&self) -> ErrorCode {
        ErrorCode::ImportMapping
    }
}

/// The mapping file, as written (TOML).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    encoding: Option<String>,
    date_formats: Option<Vec<String>>,
    long_term: Option<Vec<String>>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
    #[serde(default)]
    fields: BTreeMap<String, String>,
    #[serde(default)]
    constants: BTreeMap<String, String>,
    #[serde(default)]
    code_types: BTreeMap<String, String>,
}

/// Which column holds what, and how to read it. See the [module documentation](self).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// The file's encoding.
    pub encoding: Encoding,
    date_formats: Vec<DateFormat>,
    long_term: Vec<String>,
    columns: BTreeMap<Target, String>,
    fields: BTreeMap<String, String>,
    constants: BTreeMap<String, String>,
    code_types: BTreeMap<String, HolderCodeType>,
}

impl Default for Mapping {
    fn default() -> Mapping {
        Mapping::from_file(MappingFile::default()).expect("the defaults are valid")
    }
}

/// Where a value of a row came from.
enum Source<'m> {
    Column(&'m str),
    Constant,
}

impl Mapping {
    /// Reads a mapping file (TOML; see `docs/import.md`).
    pub fn from_toml(text: &str) -> Result<Mapping, MappingError> {
        let file: MappingFile = toml::from_str(text).map_err(|e| MappingError(e.to_string()))?;
        Mapping::from_file(file)
    }

    fn from_file(f: MappingFile) -> Result<Mapping, MappingError> {
        let encoding = match f.encoding.as_deref() {
            None => Encoding::Auto,
            Some(e) => Encoding::parse(e).ok_or_else(|| {
                MappingError(format!(
                    "encoding '{e}': use auto, utf-8 or gb18030 (gbk and gb2312 are read as gb18030)"
                ))
            })?,
        };
        let layouts = f.date_formats.unwrap_or_else(|| {
            [
                "yyyyMMdd",
                "yyyy-MM-dd",
                "yyyy/MM/dd",
                "yyyy.MM.dd",
                "yyyy年M月d日",
            ]
            .map(str::to_owned)
            .to_vec()
        });
        let date_formats = layouts
            .iter()
            .map(|l| DateFormat::parse(l).map_err(MappingError))
            .collect::<Result<Vec<_>, _>>()?;
        if date_formats.is_empty() {
            return Err(MappingError("date_formats is empty".into()));
        }
        let mut columns = BTreeMap::new();
        for (k, col) in f.columns {
            let t = Target::from_key(&k).ok_or_else(|| unknown_target(&k, "columns"))?;
            columns.insert(t, col);
        }
        for k in f.constants.keys() {
            if Target::from_key(k).is_none() && !is_field_code(k) {
                return Err(unknown_target(k, "constants"));
            }
        }
        for k in f.fields.keys() {
            if !is_field_code(k) {
                return Err(MappingError(format!(
                    "fields.{k}: field codes are capital letters, digits and _ (see `zhengzhao catalog show`)"
                )));
            }
        }
        let mut code_types = BTreeMap::new();
        for (name, code) in f.code_types {
            let code = HolderCodeType::parse(&code)
                .map_err(|e| MappingError(format!("code_types.{name}: {e}")))?;
            code_types.insert(name, code);
        }
        Ok(Mapping {
            encoding,
            date_formats,
            long_term: f
                .long_term
                .unwrap_or_else(|| vec!["长期".into(), "长期有效".into()]),
            columns,
            fields: f.fields,
            constants: f.constants,
            code_types,
        })
    }

    /// Checks that a CSV header, with the mapping's constants, gives every value a licence of
    /// type `ty` needs: a file that could only produce failed rows is refused before any row.
    pub fn check_header(&self, ty: &LicenceType, header: &[String]) -> Result<(), MappingError> {
        let has = |c: &str| header.iter().any(|h| h == c);
        let mut missing = Vec::new();
        for t in Target::ALL {
            match self.columns.get(&t) {
                Some(c) if !has(c) => {
                    missing.push(format!("column '{c}' ({}) is not in the header", t.key()))
                }
                Some(_) => {}
                None if t.required()
                    && !self.constants.contains_key(t.key())
                    && !t.default_columns().iter().any(|c| has(c)) =>
                {
                    missing.push(format!(
                        "no column for {}: name one with columns.{} or call it {}",
                        t.key(),
                        t.key(),
                        t.default_columns()[0]
                    ))
                }
                None => {}
            }
        }
        for f in &ty.fields {
            match self.fields.get(&f.code) {
                Some(c) if !has(c) => missing.push(format!(
                    "column '{c}' (field {}) is not in the header",
                    f.code
                )),
                Some(_) => {}
                None if f.required
                    && f.holder.is_none()
                    && !self.constants.contains_key(&f.code)
                    && !field_columns(&f.code, &f.name).iter().any(|c| has(c)) =>
                {
                    missing.push(format!(
                        "no column for field {} ({}): name one with fields.{} or call it {}",
                        f.code, f.name, f.code, f.name
                    ))
                }
                None => {}
            }
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(MappingError(format!(
                "{} (the header has: {})",
                missing.join("; "),
                header.join(", ")
            )))
        }
    }

    /// A target's value in `row`: the mapped column, else the constant, else a default column.
    /// `Err` names a mapped column the row lacks.
    fn value<'m>(
        &'m self,
        row: &'m Row,
        target: Target,
    ) -> Result<Option<(String, Source<'m>)>, &'m str> {
        if let Some(col) = self.columns.get(&target) {
            return match row.cells.get(col) {
                None => Err(col),
                Some(v) => Ok(clean(v).map(|v| (v, Source::Column(col)))),
            };
        }
        if let Some(v) = self.constants.get(target.key()) {
            return Ok(clean(v).map(|v| (v, Source::Constant)));
        }
        Ok(target
            .default_columns()
            .iter()
            .find_map(|c| row.cells.get_key_value(*c))
            .and_then(|(c, v)| clean(v).map(|v| (v, Source::Column(c)))))
    }

    /// The column a target's value comes from in `row`: `None` for a constant or no value.
    pub fn column<'m>(&'m self, row: &'m Row, target: Target) -> Option<&'m str> {
        match self.value(row, target) {
            Ok(Some((_, Source::Column(c)))) | Err(c) => Some(c),
            _ => None,
        }
    }

    fn field_value<'m>(
        &'m self,
        row: &'m Row,
        code: &'m str,
        name: &str,
    ) -> Result<Option<(String, Source<'m>)>, &'m str> {
        if let Some(col) = self.fields.get(code) {
            return match row.cells.get(col) {
                None => Err(col),
                Some(v) => Ok(clean(v).map(|v| (v, Source::Column(col)))),
            };
        }
        if let Some(v) = self.constants.get(code) {
            return Ok(clean(v).map(|v| (v, Source::Constant)));
        }
        Ok(field_columns(code, name)
            .iter()
            .find_map(|c| row.cells.get_key_value(c.as_str()))
            .and_then(|(c, v)| clean(v).map(|v| (v, Source::Column(c)))))
    }

    fn date(&self, s: &str) -> Option<Date> {
        self.date_formats.iter().find_map(|f| f.read(s))
    }

    /// The licence content of `row` for type `ty`, converted and validated against the type;
    /// or every problem of the row, each naming its column.
    pub fn apply(&self, ty: &LicenceType, row: &Row) -> Result<Record, Vec<RowError>> {
        let mut cx = RowCx {
            row: row.row,
            errors: Vec::new(),
            columns: BTreeMap::new(),
        };
        let get = |cx: &mut RowCx, t: Target| match self.value(row, t) {
            Err(col) => {
                cx.missing(col, t.key());
                None
            }
            Ok(None) => {
                if t.required() {
                    cx.error(
                        None,
                        "required",
                        None,
                        ErrorCode::ImportRow,
                        format!("no value for {} ({})", t.key(), t.default_columns()[0]),
                    );
                }
                None
            }
            Ok(Some((v, src))) => {
                if let Source::Column(c) = src {
                    cx.columns.insert(t.path().to_owned(), c.to_owned());
                }
                Some(v)
            }
        };
        let number = get(&mut cx, Target::Number);
        let issued_on =
            get(&mut cx, Target::IssuedOn).and_then(|v| cx.date(self, Target::IssuedOn.path(), &v));
        let valid_from = get(&mut cx, Target::ValidFrom)
            .and_then(|v| cx.date(self, Target::ValidFrom.path(), &v));
        let valid_until = match get(&mut cx, Target::ValidUntil) {
            Some(v) if self.long_term.contains(&v) => Ok(None),
            Some(v) => cx
                .date(self, Target::ValidUntil.path(), &v)
                .map(Some)
                .ok_or(()),
            None => Ok(None),
        };
        let holder_name = get(&mut cx, Target::HolderName);
        let holder_code = get(&mut cx, Target::HolderCode).map(|c| c.to_uppercase());
        let code_type = match get(&mut cx, Target::HolderCodeType) {
            Some(v) => match self.code_types.get(&v) {
                Some(c) => Some(c.clone()),
                None => match HolderCodeType::from_name_or_code(&v) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        cx.error_at(
                            Target::HolderCodeType.path(),
                            "code_type",
                            Some(v),
                            e.code(),
                            format!("{e}: add it to [code_types] in the mapping"),
                        );
                        None
                    }
                },
            },
            None => holder_code
                .as_deref()
                .map(|c| infer_code_type(ty.holder, c)),
        };
        let issuer_name = get(&mut cx, Target::IssuerName);
        let issuer_code = get(&mut cx, Target::IssuerCode).and_then(|v| match Uscc::parse(&v) {
            Ok(u) => Some(u),
            Err(e) => {
                cx.error_at(
                    Target::IssuerCode.path(),
                    "code",
                    Some(v),
                    e.code(),
                    e.to_string(),
                );
                None
            }
        });
        let area = get(&mut cx, Target::Area).and_then(|v| match AreaCode::parse(&v) {
            Ok(a) => Some(a),
            Err(e) => {
                cx.error_at(
                    Target::Area.path(),
                    "code",
                    Some(v),
                    e.code(),
                    e.to_string(),
                );
                None
            }
        });

        let mut fields = BTreeMap::new();
        for f in &ty.fields {
            let path = format!("fields.{}", f.code);
            let raw = match self.field_value(row, &f.code, &f.name) {
                Err(col) => {
                    cx.missing(col, &f.code);
                    continue;
                }
                Ok(Some((v, src))) => {
                    if let Source::Column(c) = src {
                        cx.columns.insert(path.clone(), c.to_owned());
                    }
                    v
                }
                Ok(None) => {
                    // A printed field that repeats the holder: its value and its column.
                    let (value, target) = match f.holder {
                        Some(HolderRole::Name) => (&holder_name, Target::HolderName),
                        Some(HolderRole::Code) => (&holder_code, Target::HolderCode),
                        None => continue,
                    };
                    let Some(v) = value else { continue };
                    if let Some(c) = cx.columns.get(target.path()).cloned() {
                        cx.columns.insert(path.clone(), c);
                    }
                    v.clone()
                }
            };
            let value = match &f.kind {
                FieldKind::Date => match cx.date(self, &path, &raw) {
                    Some(d) => Value::String(date::format(d)),
                    None => continue,
                },
                FieldKind::Integer { .. } => match raw.replace([',', '，'], "").parse::<i64>() {
                    Ok(n) => Value::from(n),
                    Err(_) => {
                        cx.error_at(
                            &path,
                            "type",
                            Some(raw),
                            ErrorCode::SchemaViolation,
                            format!("{} must be a whole number", f.name),
                        );
                        continue;
                    }
                },
                FieldKind::IdNumber | FieldKind::Uscc => Value::String(raw.to_uppercase()),
                _ => Value::String(raw),
            };
            fields.insert(f.code.clone(), value);
        }
        if !cx.errors.is_empty() {
            return Err(cx.errors);
        }
        let (
            Some(number),
            Some(issued_on),
            Ok(until),
            Some(holder_name),
            Some(holder_code),
            Some(code_type),
            Some(issuer_name),
            Some(issuer_code),
        ) = (
            number,
            issued_on,
            valid_until,
            holder_name,
            holder_code,
            code_type,
            issuer_name,
            issuer_code,
        )
        else {
            // Every absent value was reported above.
            return Err(vec![RowError::format(
                row.row,
                None,
                "required",
                "the row lacks a required value",
            )]);
        };
        let record = Record {
            number,
            issuer: Issuer {
                name: issuer_name,
                code: issuer_code,
            },
            issued_on,
            validity: Validity {
                from: valid_from.unwrap_or(issued_on),
                until,
            },
            holders: vec![Holder {
                name: holder_name,
                code_type,
                code: holder_code,
            }],
            area,
            fields,
        };
        match record.validate(ty) {
            Ok(()) => Ok(record),
            Err(e) => Err(e
                .violations
                .into_iter()
                .map(|v| RowError {
                    row: row.row,
                    column: cx.columns.get(&v.path).cloned(),
                    rule: v.rule.name().to_owned(),
                    value: v.value,
                    code: ErrorCode::SchemaViolation,
                    message: format!("{}: {}", v.path, v.message),
                })
                .collect()),
        }
    }
}

fn unknown_target(k: &str, table: &str) -> MappingError {
    MappingError(format!(
        "{table}.{k}: not a target ({}) nor a field code",
        Target::ALL.map(Target::key).join(", ")
    ))
}

fn is_field_code(k: &str) -> bool {
    k.starts_with(|c: char| c.is_ascii_uppercase())
        && k.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn field_columns(code: &str, name: &str) -> [String; 3] {
    [code.to_owned(), format!("KZ_{code}"), name.to_owned()]
}

/// Trimmed, with full-width spaces; `None` when nothing is left.
fn clean(v: &str) -> Option<String> {
    let v = v.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    (!v.is_empty()).then(|| v.to_owned())
}

/// The code type a code's form shows, for files without a code-type column.
fn infer_code_type(category: HolderCategory, code: &str) -> HolderCodeType {
    match category {
        HolderCategory::Person => HolderCodeType::ID_NUMBER,
        HolderCategory::Organisation => HolderCodeType::USCC,
        HolderCategory::Both if IdNumber::parse(code).is_ok() => HolderCodeType::ID_NUMBER,
        HolderCategory::Both => HolderCodeType::USCC,
    }
}

struct RowCx {
    row: u64,
    errors: Vec<RowError>,
    /// Validation path → the column the value came from.
    columns: BTreeMap<String, String>,
}

impl RowCx {
    fn error(
        &mut self,
        column: Option<String>,
        rule: &str,
        value: Option<String>,
        code: ErrorCode,
        message: String,
    ) {
        self.errors.push(RowError {
            row: self.row,
            column,
            rule: rule.to_owned(),
            value,
            code,
            message,
        });
    }

    fn error_at(
        &mut self,
        path: &str,
        rule: &str,
        value: Option<String>,
        code: ErrorCode,
        message: String,
    ) {
        let column = self.columns.get(path).cloned();
        self.error(column, rule, value, code, message);
    }

    fn missing(&mut self, column: &str, what: &str) {
        self.error(
            Some(column.to_owned()),
            "missing_column",
            None,
            ErrorCode::ImportRow,
            format!("the row has no column '{column}' (for {what})"),
        );
    }

    fn date(&mut self, m: &Mapping, path: &str, v: &str) -> Option<Date> {
        let d = m.date(v);
        if d.is_none() {
            self.error_at(
                path,
                "date",
                Some(v.to_owned()),
                ErrorCode::ImportRow,
                "not a real date in any of the mapping's date formats".to_owned(),
            );
        }
        d
    }
}

/// The content of one licence that a row gives: what an issuance request needs besides the
/// type and the operator.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// 证照编号.
    pub number: String,
    /// 颁发机构.
    pub issuer: Issuer,
    /// 颁发日期.
    pub issued_on: Date,
    /// 有效期.
    pub validity: Validity,
    /// 持证主体.
    pub holders: Vec<Holder>,
    /// 属地编码.
    pub area: Option<AreaCode>,
    /// The 照面 fields.
    pub fields: BTreeMap<String, Value>,
}

impl Record {
    /// The licence this record makes of type `ty`, under identifier `id`.
    pub fn to_licence(&self, ty: &LicenceType, id: LicenceId) -> Licence {
        Licence {
            id,
            type_version: ty.version,
            name: ty.name.clone(),
            number: self.number.clone(),
            issuer: self.issuer.clone(),
            issued_on: self.issued_on,
            validity: self.validity,
            holders: self.holders.clone(),
            area: self.area.clone(),
            previous: None,
            status: Status::Valid,
            fields: self.fields.clone(),
        }
    }

    /// Whether `licence` has exactly this content (its identifier and status aside): how a
    /// re-run import knows a row it already issued.
    pub fn matches(&self, licence: &Licence) -> bool {
        licence.number == self.number
            && licence.issuer == self.issuer
            && licence.issued_on == self.issued_on
            && licence.validity == self.validity
            && licence.holders == self.holders
            && licence.area == self.area
            && licence.fields == self.fields
    }

    fn validate(&self, ty: &LicenceType) -> Result<(), validate::SchemaError> {
        let placeholder = LicenceId::new(&ty.code, self.issuer.code.as_ref(), "0000000000", 1)
            .expect("a catalogue type code and a 统一社会信用代码 make an identifier");
        validate::validate_against(ty, &self.to_licence(ty, placeholder)).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn row(n: u64, cells: &[(&str, &str)]) -> Row {
        Row {
            row: n,
            cells: cells
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn date_formats() {
        let f = |l: &str, s: &str| DateFormat::parse(l).unwrap().read(s).map(date::format);
        assert_eq!(f("yyyyMMdd", "20240229").as_deref(), Some("2024-02-29"));
        assert_eq!(f("yyyyMMdd", "20230229"), None);
        assert_eq!(f("yyyyMMdd", "2024022"), None);
        assert_eq!(
            f("yyyy年M月d日", "2024年3月1日").as_deref(),
            Some("2024-03-01")
        );
        assert_eq!(
            f("yyyy年M月d日", "2024年12月31日").as_deref(),
            Some("2024-12-31")
        );
        assert_eq!(f("yyyy年M月d日", "2024年3月1"), None);
        assert_eq!(f("yyyy-MM-dd", "2024-3-01"), None);
        assert_eq!(f("yyyy-M-d", "2024-3-1").as_deref(), Some("2024-03-01"));
        for bad in ["yy-MM-dd", "yyyyMMMdd", "yyyyMM", "dd"] {
            assert!(DateFormat::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn mapping_files_are_checked() {
        for bad in [
            "encoding = \"latin1\"",
            "[columns]\nnumbr = \"编号\"",
            "[fields]\nxm = \"姓名\"",
            "[constants]\nnope = \"x\"",
            "[code_types]\n\"身份证\" = \"1\"",
            "date_formats = []",
            "date_formats = [\"dd\"]",
            "extra = 1",
        ] {
            let e = Mapping::from_toml(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::ImportMapping, "{bad}");
        }
    }

    #[test]
    fn header_check_names_what_is_missing() {
        let catalog = Catalog::builtin();
        let ty = catalog.find("111000000000126728005").unwrap();
        let m = Mapping::from_toml("[columns]\nnumber = \"证明编号\"").unwrap();
        let header: Vec<String> = ["编号", "颁发日期"].map(str::to_owned).into();
        let e = m.check_header(ty, &header).unwrap_err().0;
        assert!(
            e.contains("column '证明编号' (number) is not in the header"),
            "{e}"
        );
        assert!(e.contains("no column for issuer_code"), "{e}");
        assert!(e.contains("field XYJB"), "{e}");
        assert!(
            !e.contains("field NSRMC"),
            "the holder's name fills it: {e}"
        );
    }

    #[test]
    fn conversions_and_their_errors() {
        let catalog = Catalog::builtin();
        let ty = catalog.find("11100000000013206X001").unwrap();
        let m = Mapping::default();
        let good = [
            ("证照编号", "\u{3000}330106D156000005\u{3000}"),
            ("颁发日期", "2020.05.06"),
            ("有效期截止日期", "2030/05/05"),
            ("持证主体", "王伟"),
            ("持证主体代码", "11010519491231002x"),
            ("持证主体代码类型", "居民身份证"),
            ("颁发机构", "杭州市人力资源和社会保障局"),
            ("颁发机构代码", "11330106MB0000000D"),
            ("社会保障卡号", "A12345678"),
            ("KZ_FKDQ", "330106"),
            ("FKRQ", "20200506"),
            (
                "照片",
                "sha256:0000000000000000000000000000000000000000000000000000000000000000",
            ),
        ];
        let r = m.apply(ty, &row(2, &good)).unwrap();
        assert_eq!(r.number, "330106D156000005");
        assert_eq!(r.holders[0].code, "11010519491231002X");
        assert_eq!(r.holders[0].code_type, HolderCodeType::ID_NUMBER);
        assert_eq!(r.validity.from, r.issued_on);
        assert_eq!(r.fields["XM"], "王伟");
        assert_eq!(r.fields["SHBZHM"], "11010519491231002X");
        assert_eq!(r.fields["FKRQ"], "2020-05-06");

        let mut bad = good;
        bad[1] = ("颁发日期", "2020-13-01");
        bad[4] = ("持证主体代码", "110105194912310021");
        bad[5] = ("持证主体代码类型", "驾驶证");
        let errors = m.apply(ty, &row(7, &bad)).unwrap_err();
        let found: Vec<_> = errors
            .iter()
            .map(|e| (e.row, e.column.as_deref(), e.rule.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (7, Some("颁发日期"), "date"),
                (7, Some("持证主体代码类型"), "code_type")
            ]
        );
        bad[1] = good[1];
        bad[5] = good[5];
        let errors = m.apply(ty, &row(8, &bad)).unwrap_err();
        assert!(errors
            .iter()
            .any(|e| e.column.as_deref() == Some("持证主体代码") && e.rule == "code"));

        let long_term = [("有效期截止日期", "长期有效")];
        let cells: Vec<_> = good
            .iter()
            .copied()
            .filter(|(k, _)| *k != "有效期截止日期")
            .chain(long_term)
            .collect();
        let errors = m.apply(ty, &row(9, &cells)).unwrap_err();
        assert_eq!(
            (errors[0].column.as_deref(), errors[0].rule.as_str()),
            (Some("有效期截止日期"), "validity")
        );
    }

    #[test]
    fn a_mapped_column_the_row_lacks_is_named() {
        let catalog = Catalog::builtin();
        let ty = catalog.find("111000000000126728005").unwrap();
        let m = Mapping::from_toml("[columns]\nnumber = \"证明编号\"").unwrap();
        let errors = m
            .apply(ty, &row(4, &[("颁发日期", "20240101")]))
            .unwrap_err();
        assert_eq!(
            (errors[0].column.as_deref(), errors[0].rule.as_str()),
            (Some("证明编号"), "missing_column")
        );
        assert!(errors
            .iter()
            .any(|e| e.rule == "required" && e.message.contains("issuer_code")));
    }
}
