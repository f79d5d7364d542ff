//! What the app's forms send: a new case, a field edit, a workflow step, a list filter.
//!
//! Enumerated values travel as their stable codes (the same codes the server and the catalogues
//! use); each is parsed here and a wrong one is an `InvalidInput` error naming the field, before
//! anything is written.

use std::str::FromStr;

use wangge_mobile::store::{CaseFilter, FieldEdit, NewCaseInput};
use wangge_proto::case::Location;
use wangge_proto::values::{GeoPoint, Timestamp};
use wangge_proto::workflow::{Action, DispatchRound, Score, Scores};

use crate::WanggeError;
use crate::views::Place;

/// Parses a code or an id, naming the field when it is wrong.
pub(crate) fn parse<T: FromStr>(field: &str, text: &str) -> Result<T, WanggeError> {
    text.parse().map_err(|_| {
        WanggeError::invalid(
            "ffi.invalid_value",
            format!("{field}「{text}」无效 / {field} {text:?} is not valid"),
        )
    })
}

fn parse_all<T: FromStr>(field: &str, texts: &[String]) -> Result<Vec<T>, WanggeError> {
    texts.iter().map(|t| parse(field, t)).collect()
}

fn time(field: &str, millis: i64) -> Result<Timestamp, WanggeError> {
    Timestamp::from_millis(millis).map_err(|_| {
        WanggeError::invalid(
            "ffi.invalid_value",
            format!("{field}: {millis} is not a time"),
        )
    })
}

pub(crate) fn location(place: Option<Place>) -> Result<Option<Location>, WanggeError> {
    place
        .map(|place| {
            let point = GeoPoint::new(place.lat, place.lon)
                .map_err(|e| WanggeError::invalid("ffi.invalid_value", e.to_string()))?;
            Ok(Location {
                point,
                accuracy_m: place.accuracy_m,
                address: place.address,
            })
        })
        .transpose()
}

/// A new case as the user filled it in.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NewCase {
    /// Grid code (one of the user's grids).
    pub grid: String,
    /// Catalogue item code.
    pub category: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Where, if known.
    pub place: Option<Place>,
    /// How it came in: `patrol`, `hotline`, `wechat`, `visit`, `leader`.
    pub source: String,
}

impl NewCase {
    pub(crate) fn into_core(self) -> Result<NewCaseInput, WanggeError> {
        Ok(NewCaseInput {
            grid: parse("grid", &self.grid)?,
            category: parse("category", &self.category)?,
            title: self.title,
            description: self.description,
            location: location(self.place)?,
            source: parse("source", &self.source)?,
        })
    }
}

/// One field edit.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum CaseEdit {
    /// New title (merged character by character with concurrent edits).
    Title {
        /// The whole new title.
        text: String,
    },
    /// New description (merged character by character).
    Description {
        /// The whole new description.
        text: String,
    },
    /// Another catalogue item.
    Category {
        /// Item code.
        code: String,
    },
    /// New place, or none.
    Place {
        /// The place.
        place: Option<Place>,
    },
}

impl CaseEdit {
    pub(crate) fn into_core(self) -> Result<FieldEdit, WanggeError> {
        Ok(match self {
            Self::Title { text } => FieldEdit::Title(text),
            Self::Description { text } => FieldEdit::Description(text),
            Self::Category { code } => FieldEdit::Category(parse("category", &code)?),
            Self::Place { place } => FieldEdit::Location(location(place)?),
        })
    }
}

/// A workflow step. Codes: tiers `simple`, `complex`, `major`…; departments by code;
/// satisfaction `very_satisfied`, `satisfied`, `basically_satisfied`, `dissatisfied`.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum CaseAction {
    /// 上报.
    Report {
        /// Already fixed on the spot (当场处置).
        on_site_resolved: bool,
    },
    /// 受理.
    Accept,
    /// 退回补充.
    ReturnForMore {
        /// What is missing.
        reason: String,
    },
    /// 分级.
    Grade {
        /// Tier code.
        tier: String,
    },
    /// 合并重复.
    MarkDuplicate {
        /// The case this one duplicates.
        of: String,
    },
    /// 自行处置.
    SelfHandle,
    /// 街道呼叫.
    CallDepartment {
        /// Department codes.
        departments: Vec<String>,
    },
    /// 派单 (`second_round` for 二次派单).
    Dispatch {
        /// The second round.
        second_round: bool,
        /// Department codes.
        departments: Vec<String>,
    },
    /// 逆向派单.
    ReverseDispatch {
        /// Department codes.
        departments: Vec<String>,
    },
    /// 报到.
    CheckIn {
        /// The department checking in.
        department: String,
    },
    /// 进展.
    Progress {
        /// What happened.
        note: String,
    },
    /// 办结.
    Handled {
        /// The department; none when the community or street handled it itself.
        department: Option<String>,
        /// The result.
        result: String,
    },
    /// 核查通过.
    Verify {
        /// What the verifier saw.
        note: String,
    },
    /// 重新处置.
    Reopen {
        /// Why.
        reason: String,
    },
    /// 结案.
    Close,
    /// 归档.
    Archive,
    /// 一事一评: five scores of 0–20.
    Evaluate {
        /// The department scored.
        department: String,
        /// 报到.
        check_in: u8,
        /// 专业.
        professionalism: u8,
        /// 责任.
        responsibility: u8,
        /// 配合.
        cooperation: u8,
        /// 结果.
        result: u8,
    },
    /// 满意度.
    RateSatisfaction {
        /// Satisfaction code.
        level: String,
    },
}

fn score(field: &str, points: u8) -> Result<Score, WanggeError> {
    Score::new(points).map_err(|_| {
        WanggeError::invalid(
            "ffi.invalid_value",
            format!("{field} 应为 0–20 分 / {field} must be 0–20 (got {points})"),
        )
    })
}

impl CaseAction {
    pub(crate) fn into_core(self) -> Result<Action, WanggeError> {
        Ok(match self {
            Self::Report { on_site_resolved } => Action::Report { on_site_resolved },
            Self::Accept => Action::Accept,
            Self::ReturnForMore { reason } => Action::ReturnForMore { reason },
            Self::Grade { tier } => Action::Grade {
                tier: parse("tier", &tier)?,
            },
            Self::MarkDuplicate { of } => Action::MarkDuplicate {
                of: parse("case", &of)?,
            },
            Self::SelfHandle => Action::SelfHandle,
            Self::CallDepartment { departments } => Action::CallDepartment {
                departments: parse_all("department", &departments)?,
            },
            Self::Dispatch {
                second_round,
                departments,
            } => Action::Dispatch {
                round: if second_round {
                    DispatchRound::Second
                } else {
                    DispatchRound::First
                },
                departments: parse_all("department", &departments)?,
            },
            Self::ReverseDispatch { departments } => Action::ReverseDispatch {
                departments: parse_all("department", &departments)?,
            },
            Self::CheckIn { department } => Action::CheckIn {
                department: parse("department", &department)?,
            },
            Self::Progress { note } => Action::Progress { note },
            Self::Handled { department, result } => Action::Handled {
                department: department.map(|d| parse("department", &d)).transpose()?,
                result,
            },
            Self::Verify { note } => Action::Verify { note },
            Self::Reopen { reason } => Action::Reopen { reason },
            Self::Close => Action::Close,
            Self::Archive => Action::Archive,
            Self::Evaluate {
                department,
                check_in,
                professionalism,
                responsibility,
                cooperation,
                result,
            } => Action::Evaluate {
                department: parse("department", &department)?,
                scores: Scores {
                    check_in: score("check_in", check_in)?,
                    professionalism: score("professionalism", professionalism)?,
                    responsibility: score("responsibility", responsibility)?,
                    cooperation: score("cooperation", cooperation)?,
                    result: score("result", result)?,
                },
            },
            Self::RateSatisfaction { level } => Action::RateSatisfaction {
                level: parse("satisfaction", &level)?,
            },
        })
    }
}

/// Which cases to list (all fields optional: the default lists everything, newest first).
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct ListFilter {
    /// Only cases the user registered that are not finished.
    #[uniffi(default = false)]
    pub mine_open: bool,
    /// Only this grid.
    #[uniffi(default = None)]
    pub grid: Option<String>,
    /// Only this status code.
    #[uniffi(default = None)]
    pub status: Option<String>,
    /// Only cases past their estimated deadline at this time.
    #[uniffi(default = None)]
    pub overdue_at_ms: Option<i64>,
    /// Only cases containing this text (title, description, address, category, comments).
    #[uniffi(default = None)]
    pub text: Option<String>,
    /// Only cases with unsent edits.
    #[uniffi(default = false)]
    pub unsent: bool,
    /// Continue after this line (the last of the previous page).
    #[uniffi(default = None)]
    pub after: Option<PageMark>,
    /// At most this many (default 50).
    #[uniffi(default = None)]
    pub limit: Option<u32>,
}

/// Where a page ended: the last line's update time and id.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PageMark {
    /// `updated_at_ms` of the last line.
    pub updated_at_ms: i64,
    /// `id` of the last line.
    pub id: String,
}

impl ListFilter {
    pub(crate) fn into_core(self) -> Result<CaseFilter, WanggeError> {
        Ok(CaseFilter {
            mine_open: self.mine_open,
            grid: self.grid.map(|g| parse("grid", &g)).transpose()?,
            status: self.status.map(|s| parse("status", &s)).transpose()?,
            overdue_at: self
                .overdue_at_ms
                .map(|at| time("overdue_at_ms", at))
                .transpose()?,
            text: self.text,
            unsent: self.unsent,
            after: self
                .after
                .map(|mark| -> Result<_, WanggeError> {
                    Ok((
                        time("after.updated_at_ms", mark.updated_at_ms)?,
                        parse("after.id", &mark.id)?,
                    ))
                })
                .transpose()?,
            limit: self.limit,
        })
    }
}
