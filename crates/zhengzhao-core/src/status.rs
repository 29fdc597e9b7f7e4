//! Licence status: the internal states and their lossless mapping to the common external code
//! table (`01 有效 02 暂扣 03 撤销 04 注销 05 失效 06 转出 07 吊销 99 其他`).

use std::fmt;

/// The state of a licence. Only [`Status::Valid`] may replace a paper material.
///
/// The design's "Revoked (吊销/撤销)" is two states here, [`Status::Revoked`] (吊销, a penalty)
/// and [`Status::Withdrawn`] (撤销, the grant itself annulled), because the external table tells
/// them apart and the mapping must be lossless.
///
/// ```
/// use zhengzhao_core::status::Status;
/// assert_eq!(Status::Suspended.external_code(), "02");
/// assert_eq!(Status::from_external_code("07"), Some(Status::Revoked));
/// for s in Status::ALL {
///     assert_eq!(Status::from_external_code(s.external_code()), Some(*s));
/// }
/// ```
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 有效.
    #[default]
    Valid,
    /// 暂扣 / 受限.
    Suspended,
    /// 过期失效: past its validity end.
    Expired,
    /// 吊销: revoked as a penalty.
    Revoked,
    /// 撤销: the grant annulled.
    Withdrawn,
    /// 注销.
    Cancelled,
    /// 转出: transferred to another jurisdiction.
    TransferredOut,
    /// 变更 / 延续: replaced by a newer version.
    Superseded,
}

impl Status {
    /// Every state. The order is part of the status-list encoding (a state's value in a list is
    /// its position here): append, never reorder.
    pub const ALL: &'static [Status] = &[
        Status::Valid,
        Status::Suspended,
        Status::Expired,
        Status::Revoked,
        Status::Withdrawn,
        Status::Cancelled,
        Status::TransferredOut,
        Status::Superseded,
    ];

    /// The external code. `99 其他` stands for [`Status::Superseded`], the only state the table
    /// has no code of its own for.
    pub const fn external_code(self) -> &'static str {
        match self {
            Status::Valid => "01",
            Status::Suspended => "02",
            Status::Withdrawn => "03",
            Status::Cancelled => "04",
            Status::Expired => "05",
            Status::TransferredOut => "06",
            Status::Revoked => "07",
            Status::Superseded => "99",
        }
    }

    /// The state for an external code.
    pub fn from_external_code(code: &str) -> Option<Status> {
        Status::ALL
            .iter()
            .copied()
            .find(|s| s.external_code() == code)
    }

    /// The Chinese label of the external table.
    pub const fn label(self) -> &'static str {
        match self {
            Status::Valid => "有效",
            Status::Suspended => "暂扣",
            Status::Withdrawn => "撤销",
            Status::Cancelled => "注销",
            Status::Expired => "失效",
            Status::TransferredOut => "转出",
            Status::Revoked => "吊销",
            Status::Superseded => "其他（已变更或延续）",
        }
    }

    /// Whether the licence has ended for good: no transition leads back to Valid.
    pub const fn is_final(self) -> bool {
        !matches!(self, Status::Valid | Status::Suspended)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
