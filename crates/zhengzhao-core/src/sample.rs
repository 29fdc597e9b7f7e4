//! Deterministic sample data: persons, organisations and licences of any catalogue type, for
//! the demo, benchmarks and tests. The same seed always gives the same data; every licence it
//! makes satisfies its type (a test checks this for every type of the built-in catalogue).
//!
//! ```
//! use zhengzhao_core::{catalog::Catalog, sample::Sampler, validate::validate_against};
//! let catalog = Catalog::builtin();
//! let ty = catalog.get_str("11100000MB0143028R001").unwrap();
//! let mut s = Sampler::new(7);
//! let issuer = s.issuer("杭州市西湖区市场监督管理局");
//! let holder = s.holder_for(ty.holder);
//! let licence = s.licence(ty, &issuer, &holder, "2024000001", time::macros::date!(2024 - 03 - 18)).unwrap();
//! assert!(validate_against(ty, &licence).is_ok());
//! ```

use std::collections::BTreeMap;

use serde_json::Value;

use crate::catalog::{FieldDef, FieldKind, HolderRole, LicenceType, ValidityKind};
use crate::codes::{HolderCategory, HolderCodeType, IdNumber, Uscc};
use crate::date::{self, Date};
use crate::identifier::{IdError, LicenceId};
use crate::licence::{Holder, Issuer, Licence, Validity};
use crate::status::Status;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "晓东", "子涵", "浩然", "雨桐",
];
const TRADE_NAMES: &[&str] = &[
    "青岚", "瑞丰", "恒远", "华信", "宏达", "金桥", "新源", "嘉禾", "博雅", "天成", "锦程", "中和",
    "东方", "汇通", "安泰", "长青",
];
const INDUSTRIES: &[&str] = &[
    "信息技术",
    "餐饮管理",
    "建筑工程",
    "商贸",
    "物流",
    "医药",
    "文化传媒",
    "农业科技",
    "置业",
    "食品",
];
/// Real county-level 行政区划代码 of a few provinces.
const AREAS: &[&str] = &[
    "330106", "330102", "330110", "110105", "110108", "310104", "440305", "320102", "510107",
    "420106", "220102",
];
const USCC_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A seeded generator of sample data (SplitMix64: small, fast, and the same on every platform).
#[derive(Clone, Debug)]
pub struct Sampler {
    state: u64,
}

impl Sampler {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Sampler {
        Sampler { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// A 行政区划代码 of a real county-level division.
    pub fn area(&mut self) -> &'static str {
        AREAS[self.below(AREAS.len() as u64) as usize]
    }

    /// A person with a valid 公民身份号码.
    pub fn person(&mut self) -> Holder {
        let name = format!("{}{}", self.pick(SURNAMES), self.pick(GIVEN));
        let area = self.area();
        let birth =
            Date::from_julian_day(2_433_283 + self.below(20_000) as i32).expect("1950–2004");
        let first17 = format!(
            "{area}{}{:03}",
            date::format(birth).replace('-', ""),
            self.below(1000)
        );
        let code = IdNumber::complete(&first17)
            .expect("valid by construction")
            .to_string();
        Holder {
            name,
            code_type: HolderCodeType::ID_NUMBER,
            code,
        }
    }

    /// A company with a valid 统一社会信用代码.
    pub fn organisation(&mut self) -> Holder {
        let area = self.area();
        let city = match &area[..2] {
            "33" => "杭州",
            "11" => "北京",
            "31" => "上海",
            "44" => "深圳",
            "32" => "南京",
            "51" => "成都",
            "42" => "武汉",
            _ => "长春",
        };
        let name = format!(
            "{city}{}{}有限公司",
            self.pick(TRADE_NAMES),
            self.pick(INDUSTRIES)
        );
        let mut first17 = format!("91{area}");
        for _ in 0..9 {
            first17.push(*self.pick(USCC_ALPHABET) as char);
        }
        let code = Uscc::complete(&first17)
            .expect("valid by construction")
            .to_string();
        Holder {
            name,
            code_type: HolderCodeType::USCC,
            code,
        }
    }

    /// A holder of the kind a type admits.
    pub fn holder_for(&mut self, category: HolderCategory) -> Holder {
        match category {
            HolderCategory::Person => self.person(),
            HolderCategory::Organisation => self.organisation(),
            HolderCategory::Both if self.below(2) == 0 => self.person(),
            HolderCategory::Both => self.organisation(),
        }
    }

    /// An issuing department with a valid 统一社会信用代码 (登记管理部门 1, 机关).
    pub fn issuer(&mut self, name: &str) -> Issuer {
        let mut first17 = format!("11{}", self.area());
        for _ in 0..9 {
            first17.push(*self.pick(USCC_ALPHABET) as char);
        }
        Issuer {
            name: name.to_owned(),
            code: Uscc::complete(&first17).expect("valid by construction"),
        }
    }

    /// A licence of type `ty` for `holder`, issued on `issued_on` by `issuer`, with serial
    /// `serial`, satisfying the type.
    pub fn licence(
        &mut self,
        ty: &LicenceType,
        issuer: &Issuer,
        holder: &Holder,
        serial: &str,
        issued_on: Date,
    ) -> Result<Licence, IdError> {
        let id = LicenceId::new(&ty.code, issuer.code.as_ref(), serial, 1)?;
        let long_term = match ty.validity.kind {
            ValidityKind::LongTerm => true,
            ValidityKind::Period => false,
            ValidityKind::Either => self.below(2) == 0,
        };
        let validity = if long_term {
            Validity::long_term(issued_on)
        } else {
            let years = ty.validity.max_years.unwrap_or(5).min(5) as i32;
            let end = issued_on
                .replace_year(issued_on.year() + years)
                .unwrap_or(issued_on)
                - time::Duration::days(1);
            Validity::period(issued_on, end.max(issued_on))
        };
        let fields = ty
            .fields
            .iter()
            .map(|f| (f.code.clone(), self.field(f, holder, issued_on)))
            .collect::<BTreeMap<_, _>>();
        Ok(Licence {
            id,
            type_version: ty.version,
            name: ty.name.clone(),
            // Random enough that a generated population never repeats a number of a type.
            number: format!(
                "{}{:012}",
                &serial[serial.len().saturating_sub(6)..],
                self.below(1_000_000_000_000)
            ),
            issuer: issuer.clone(),
            issued_on,
            validity,
            holders: vec![holder.clone()],
            area: None,
            previous: None,
            status: Status::Valid,
            fields,
        })
    }

    /// A value for one field.
    pub fn field(&mut self, f: &FieldDef, holder: &Holder, issued_on: Date) -> Value {
        match (f.holder, &f.kind) {
            (Some(HolderRole::Name), _) => return Value::from(holder.name.clone()),
            (Some(HolderRole::Code), _) => return Value::from(holder.code.clone()),
            _ => {}
        }
        match &f.kind {
            FieldKind::Text { max_len } => {
                let text = f
                    .example
                    .clone()
                    .unwrap_or_else(|| format!("{}（示例）", f.name));
                let max = max_len.map_or(usize::MAX, |m| m as usize);
                Value::from(text.chars().take(max).collect::<String>())
            }
            FieldKind::Date => Value::from(date::format(
                issued_on - time::Duration::days(self.below(3650) as i64),
            )),
            FieldKind::Enum { values } => Value::from(self.pick(values).clone()),
            FieldKind::Integer { min, max, .. } => {
                let lo = min.unwrap_or(1);
                let hi = max.unwrap_or(lo.saturating_add(500)).max(lo);
                Value::from(lo + (self.below((hi - lo) as u64 + 1) as i64))
            }
            FieldKind::Decimal { scale, .. } => {
                let digits = scale.unwrap_or(2).min(2);
                let whole = self.below(100_000);
                match digits {
                    0 => Value::from(whole.to_string()),
                    d => Value::from(format!(
                        "{whole}.{:0width$}",
                        self.below(10u64.pow(d)),
                        width = d as usize
                    )),
                }
            }
            FieldKind::IdNumber if holder.code_type == HolderCodeType::ID_NUMBER => {
                Value::from(holder.code.clone())
            }
            FieldKind::IdNumber => Value::from(self.person().code),
            FieldKind::Uscc if holder.code_type == HolderCodeType::USCC => {
                Value::from(holder.code.clone())
            }
            FieldKind::Uscc => Value::from(self.organisation().code),
            FieldKind::AreaCode => Value::from(self.area()),
            FieldKind::Attachment => {
                let hex: String = (0..4)
                    .map(|_| format!("{:016x}", self.next_u64()))
                    .collect();
                Value::from(format!("sha256:{hex}"))
            }
        }
    }
}
