//! Reverse evaluation (逆向评议) and resident satisfaction.
//!
//! The calling street scores each department on each case ("一事一评") on five dimensions of
//! 20 points each. Per-case scores and the annual evaluation combine 7 : 3 (see
//! [`combine_process_and_annual`]).

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::locale::labelled_enum;

/// A score of one dimension, 0–20 points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Score(u8);

impl Score {
    /// The highest score of one dimension.
    pub const MAX: u8 = 20;

    /// Validates 0–20.
    pub fn new(points: u8) -> Result<Self, Error> {
        if points > Self::MAX {
            return Err(Error::invalid("score", &points.to_string(), "must be 0–20"));
        }
        Ok(Self(points))
    }

    /// The points.
    pub fn points(&self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Score {
    type Error = Error;

    fn try_from(points: u8) -> Result<Self, Error> {
        Self::new(points)
    }
}

impl From<Score> for u8 {
    fn from(s: Score) -> u8 {
        s.0
    }
}

impl autosurgeon::Reconcile for Score {
    type Key<'a> = autosurgeon::reconcile::NoKey;

    fn reconcile<R: autosurgeon::Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.u64(u64::from(self.0))
    }
}

impl autosurgeon::Hydrate for Score {
    fn hydrate_uint(points: u64) -> Result<Self, autosurgeon::HydrateError> {
        u8::try_from(points)
            .ok()
            .and_then(|p| Self::new(p).ok())
            .ok_or_else(|| {
                autosurgeon::HydrateError::unexpected("a score 0–20", points.to_string())
            })
    }
}

/// The five dimensions of one case's evaluation of one department.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    autosurgeon::Reconcile,
    autosurgeon::Hydrate,
)]
pub struct Scores {
    /// 报到: checked in on time.
    pub check_in: Score,
    /// 专业性.
    pub professionalism: Score,
    /// 担当意识.
    pub responsibility: Score,
    /// 配合度.
    pub cooperation: Score,
    /// 办理结果.
    pub result: Score,
}

impl Scores {
    /// The total, 0–100.
    pub fn total(&self) -> u8 {
        self.check_in.0
            + self.professionalism.0
            + self.responsibility.0
            + self.cooperation.0
            + self.result.0
    }
}

/// Combines the process score (average of per-case totals) and the annual score, 7 : 3.
pub fn combine_process_and_annual(process: f64, annual: f64) -> f64 {
    0.7 * process + 0.3 * annual
}

labelled_enum! {
    /// A resident's satisfaction with how the case was handled.
    Satisfaction, "satisfaction level" {
        /// 非常满意.
        VerySatisfied = "very_satisfied", "非常满意", "Very satisfied";
        /// 满意.
        Satisfied = "satisfied", "满意", "Satisfied";
        /// 基本满意.
        BasicallySatisfied = "basically_satisfied", "基本满意", "Basically satisfied";
        /// 不满意.
        Dissatisfied = "dissatisfied", "不满意", "Dissatisfied";
    }
}

impl Satisfaction {
    /// Whether this level counts as satisfied for the satisfaction rate (满意度).
    pub fn counts_as_satisfied(&self) -> bool {
        !matches!(self, Satisfaction::Dissatisfied)
    }
}
