//! The licence model (GB/T 36903-2018 metadata plus the type's 照面 fields).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::codes::{AreaCode, HolderCodeType, Uscc};
use crate::date::{self, Date};
use crate::error::{Coded, ErrorCode};
use crate::identifier::{LicenceId, TypeCode};
use crate::status::Status;

/// An electronic licence: its GB/T 36903 metadata and the type-specific 照面 fields.
///
/// The licence type code is the one in the identifier ([`Licence::type_code`]); the type's
/// catalogue version is [`Licence::type_version`], so that a licence stays checkable against the
/// definition it was issued under after the type gains new versions.
///
/// ```
/// use zhengzhao_core::licence::Licence;
/// let json = r#"{
///   "id": "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F",
///   "type_version": 1,
///   "name": "建筑施工特种作业操作资格证书",
///   "number": "吉A042024000123",
///   "issuer": { "name": "长春市规划和自然资源局", "code": "11220000013544541J" },
///   "issued_on": "2024-03-01",
///   "validity": { "from": "2024-03-01", "until": "2026-02-28" },
///   "holders": [{ "name": "王伟", "code_type": "111", "code": "11010519491231002X" }],
///   "status": "valid",
///   "fields": { "XM": "王伟" }
/// }"#;
/// let licence = Licence::from_json(json).unwrap();
/// assert_eq!(licence.type_code().as_ref(), "11100000000013338W032");
/// assert_eq!(Licence::from_json(&licence.to_json()).unwrap(), licence);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Licence {
    /// 电子证照标识.
    pub id: LicenceId,
    /// The catalogue version of the licence type it was issued under.
    pub type_version: u32,
    /// 证照名称.
    pub name: String,
    /// 证照编号: the number printed on the licence.
    pub number: String,
    /// 颁发机构 and its code.
    pub issuer: Issuer,
    /// 颁发日期.
    #[serde(with = "date::serde_iso")]
    pub issued_on: Date,
    /// 有效期.
    pub validity: Validity,
    /// 持证主体: one or more.
    pub holders: Vec<Holder>,
    /// 属地编码 (GB/T 2260), where the licence belongs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<AreaCode>,
    /// 关联证照标识: the version this one supersedes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<LicenceId>,
    /// The state of the licence when this record was written (Valid when absent).
    #[serde(default)]
    pub status: Status,
    /// The 照面 fields, keyed by the field codes of the licence type.
    #[serde(default)]
    pub fields: BTreeMap<String, Value>,
}

/// The issuing department (颁发机构).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Issuer {
    /// 颁发机构名称.
    pub name: String,
    /// 颁发机构代码: its 统一社会信用代码.
    pub code: Uscc,
}

/// A holder (持证主体).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holder {
    /// 持证主体名称.
    pub name: String,
    /// 持证主体代码类型, e.g. `111` (公民身份号码) or `001` (统一社会信用代码).
    pub code_type: HolderCodeType,
    /// 持证主体代码: checked against its code type by validation.
    pub code: String,
}

/// The validity period (有效期): from a start date, to an end date or 长期有效.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Validity {
    /// 有效期起始日期.
    #[serde(with = "date::serde_iso")]
    pub from: Date,
    /// 有效期截止日期; `None` is 长期有效.
    #[serde(default, with = "date::serde_iso_option")]
    pub until: Option<Date>,
}

impl Validity {
    /// A period with an end.
    pub fn period(from: Date, until: Date) -> Validity {
        Validity {
            from,
            until: Some(until),
        }
    }

    /// 长期有效: no end date.
    pub fn long_term(from: Date) -> Validity {
        Validity { from, until: None }
    }

    /// Whether `day` lies within the period (both ends included).
    pub fn contains(&self, day: Date) -> bool {
        day >= self.from && self.until.is_none_or(|u| day <= u)
    }
}

/// A licence document that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("licence JSON: {0}")]
pub struct JsonError(pub String);

impl Coded for JsonError {
    fn code(&self) -> ErrorCode {
        ErrorCode::Json
    }
}

impl Licence {
    /// The licence type code (from the identifier).
    pub fn type_code(&self) -> &TypeCode {
        self.id.type_code()
    }

    /// Reads a licence from JSON.
    pub fn from_json(json: &str) -> Result<Licence, JsonError> {
        serde_json::from_str(json).map_err(|e| JsonError(e.to_string()))
    }

    /// Writes the licence as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a licence always serialises")
    }

    /// The status on `day`: a Valid licence past its validity end is Expired, whether or not a
    /// sweep has recorded it (and not yet valid before its start is reported as Expired too:
    /// either way it may not replace a paper material).
    pub fn status_on(&self, day: Date) -> Status {
        match self.status {
            Status::Valid if !self.validity.contains(day) => Status::Expired,
            s => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn sample() -> Licence {
        let mut fields = BTreeMap::new();
        fields.insert("XM".into(), Value::from("张三"));
        fields.insert("ZJCX".into(), Value::from("C1"));
        fields.insert("CCLZRQ".into(), Value::from("2010-05-04"));
        Licence {
            id: LicenceId::parse(
                "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
            )
            .unwrap(),
            type_version: 3,
            name: "机动车驾驶证".into(),
            number: "430102199001011234".into(),
            issuer: Issuer {
                name: "长沙市公安局交通警察支队".into(),
                code: Uscc::parse("11430000006122244L").unwrap(),
            },
            issued_on: date!(2020 - 05 - 04),
            validity: Validity::period(date!(2020 - 05 - 04), date!(2030 - 05 - 04)),
            holders: vec![
                Holder {
                    name: "张三".into(),
                    code_type: HolderCodeType::ID_NUMBER,
                    code: "11010519491231002X".into(),
                },
                Holder {
                    name: "某公司".into(),
                    code_type: HolderCodeType::USCC,
                    code: "91350100M0001TGQXM".into(),
                },
            ],
            area: Some(AreaCode::parse("430102").unwrap()),
            previous: Some(
                LicenceId::parse(
                    "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F",
                )
                .unwrap(),
            ),
            status: Status::Suspended,
            fields,
        }
    }

    #[test]
    fn serde_round_trip_is_lossless() {
        let l = sample();
        let json = l.to_json();
        assert_eq!(Licence::from_json(&json).unwrap(), l);
        let long = Licence {
            validity: Validity::long_term(date!(2020 - 01 - 01)),
            area: None,
            previous: None,
            ..l
        };
        let json = long.to_json();
        assert!(json.contains(r#""until":null"#));
        assert_eq!(Licence::from_json(&json).unwrap(), long);
    }

    #[test]
    fn unreadable_documents_say_why() {
        let mut v: Value = serde_json::from_str(&sample().to_json()).unwrap();
        v["issued_on"] = Value::from("2020/05/04");
        let e = Licence::from_json(&v.to_string()).unwrap_err();
        assert!(e.0.contains("yyyy-MM-dd"), "{e}");
        assert_eq!(e.code(), ErrorCode::Json);

        let mut v: Value = serde_json::from_str(&sample().to_json()).unwrap();
        v["id"] = Value::from("1.2.156.3005.2.x");
        assert!(Licence::from_json(&v.to_string())
            .unwrap_err()
            .0
            .contains("segments"));

        let mut v: Value = serde_json::from_str(&sample().to_json()).unwrap();
        v["colour"] = Value::from("red");
        assert!(Licence::from_json(&v.to_string())
            .unwrap_err()
            .0
            .contains("colour"));

        for bad in ["", "{", "[]", "null", "{\"id\": 1}"] {
            assert!(Licence::from_json(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn expiry_does_not_wait_for_a_sweep() {
        let l = Licence {
            status: Status::Valid,
            ..sample()
        };
        assert_eq!(l.status_on(date!(2025 - 01 - 01)), Status::Valid);
        assert_eq!(l.status_on(date!(2030 - 05 - 04)), Status::Valid);
        assert_eq!(l.status_on(date!(2030 - 05 - 05)), Status::Expired);
        assert_eq!(l.status_on(date!(2019 - 01 - 01)), Status::Expired);
        let revoked = Licence {
            status: Status::Revoked,
            ..sample()
        };
        assert_eq!(revoked.status_on(date!(2031 - 01 - 01)), Status::Revoked);
    }
}
