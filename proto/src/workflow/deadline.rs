//! Deadlines: how long each step may take, counted on the server's clock.
//!
//! The derivation cannot know real time (phone clocks lie), so it reports each open deadline as
//! "`within` seconds after the server received event `anchor`". The server, which records when
//! it received each event, turns that into a point in time, and escalates what is overdue.

use serde::{Deserialize, Serialize};

use super::status::Tier;
use crate::locale::labelled_enum;
use crate::values::{DepartmentCode, EventId};

/// Durations of the steps that have deadlines, in seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlinePolicy {
    /// The community must accept or return a report within this (default 24 h).
    pub review_secs: u64,
    /// A called department must check in within this (default 30 min: "30 分钟内报到").
    pub check_in_secs: u64,
    /// Handling must finish within this, by tier (限时办结).
    pub complete_simple_secs: u64,
    /// See `complete_simple_secs`.
    pub complete_general_secs: u64,
    /// See `complete_simple_secs`.
    pub complete_complex_secs: u64,
    /// See `complete_simple_secs`.
    pub complete_major_secs: u64,
    /// The catalogue item's own time limit, which replaces the tier's when set.
    pub item_limit_secs: Option<u64>,
}

const HOUR: u64 = 3600;
const DAY: u64 = 24 * HOUR;

impl Default for DeadlinePolicy {
    fn default() -> Self {
        Self {
            review_secs: DAY,
            check_in_secs: HOUR / 2,
            complete_simple_secs: DAY,
            complete_general_secs: 3 * DAY,
            complete_complex_secs: 7 * DAY,
            complete_major_secs: DAY,
            item_limit_secs: None,
        }
    }
}

impl DeadlinePolicy {
    /// The time allowed to finish handling a case of this tier.
    pub fn completion_secs(&self, tier: Option<Tier>) -> u64 {
        if let Some(limit) = self.item_limit_secs {
            return limit;
        }
        match tier.unwrap_or(Tier::General) {
            Tier::Simple => self.complete_simple_secs,
            Tier::General => self.complete_general_secs,
            Tier::Complex => self.complete_complex_secs,
            Tier::Major => self.complete_major_secs,
        }
    }
}

labelled_enum! {
    /// What a deadline is for.
    DeadlineKind, "deadline kind" {
        /// The community's review of a report.
        Review = "review", "审核时限", "Review";
        /// A department's check-in after a call.
        CheckIn = "check_in", "报到时限", "Check-in";
        /// Finishing the handling.
        Completion = "completion", "办结时限", "Completion";
    }
}

/// A deadline that is still open, relative to the server's receipt of its anchor event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenDeadline {
    /// What it is for.
    pub kind: DeadlineKind,
    /// The department it binds, for check-ins and joint handling.
    pub department: Option<DepartmentCode>,
    /// The event it is counted from.
    pub anchor: EventId,
    /// Seconds allowed after the server received `anchor`.
    pub within_secs: u64,
}
