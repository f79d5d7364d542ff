//! The derived state of a case and the rules that move it, one event at a time.
//!
//! [`CaseState::apply`] is the state machine: the permission matrix decides whether the role
//! may take the step in the current status, then the step's own guards (tier, which
//! departments were called, what they did) decide whether it makes sense now. An event that
//! fails either check changes nothing and is recorded with its [`Refusal`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::action::{Action, ActionKind, DispatchRound};
use super::deadline::{DeadlineKind, DeadlinePolicy, OpenDeadline};
use super::evaluation::{Satisfaction, Scores};
use super::event::WorkflowEvent;
use super::refusal::Refusal;
use super::status::{Status, Tier};
use crate::permissions;
use crate::role::Role;
use crate::values::{CaseId, DepartmentCode, EventId};

/// What one department has done on a case (joint handling keeps one of these per department).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentProgress {
    /// The call or dispatch that brought the department in.
    pub called_by: EventId,
    /// How: call, dispatch or reverse dispatch.
    pub via: ActionKind,
    /// The dispatch round, for dispatches.
    pub round: Option<DispatchRound>,
    /// The department's check-in (报到), if made.
    pub checked_in: Option<EventId>,
    /// The department's report that it handled the case (办结), since the last reopen.
    pub handled: Option<EventId>,
}

/// One department's score on this case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationEntry {
    /// The department scored.
    pub department: DepartmentCode,
    /// The scores.
    pub scores: Scores,
    /// The evaluate event.
    pub event: EventId,
}

/// One line of the timeline: an event in application order and whether it was applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// The event.
    pub event: EventId,
    /// The step.
    pub action: ActionKind,
    /// `None` when applied; otherwise why not (the event is kept for the audit trail).
    pub refused: Option<Refusal>,
}

/// The state of a case, derived from its events by [`super::derive`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseState {
    /// Where the case stands.
    pub status: Status,
    /// The tier, once graded (a reverse dispatch makes it major).
    pub tier: Option<Tier>,
    /// The reporter fixed it on the spot and reported for the record.
    pub on_site_resolved: bool,
    /// The community or street handles it itself.
    pub self_handling: bool,
    /// The community's or street's own report that it handled the case.
    pub self_handled: Option<EventId>,
    /// Departments responsible, with what each has done.
    pub departments: BTreeMap<DepartmentCode, DepartmentProgress>,
    /// The case this one duplicates.
    pub duplicate_of: Option<CaseId>,
    /// Reverse evaluations, in order.
    pub evaluations: Vec<EvaluationEntry>,
    /// The resident's satisfaction, if recorded.
    pub satisfaction: Option<Satisfaction>,
    /// How often verification failed or the case was reopened.
    pub reopen_count: u32,
    /// Every event in application order.
    pub timeline: Vec<TimelineEntry>,
    /// Deadlines still running, to be anchored on the server's clock.
    pub deadlines: Vec<OpenDeadline>,
    #[serde(skip)]
    anchors: Anchors,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Anchors {
    review: Option<EventId>,
    completion: Option<EventId>,
}

impl Default for CaseState {
    fn default() -> Self {
        Self {
            status: Status::Draft,
            tier: None,
            on_site_resolved: false,
            self_handling: false,
            self_handled: None,
            departments: BTreeMap::new(),
            duplicate_of: None,
            evaluations: Vec::new(),
            satisfaction: None,
            reopen_count: 0,
            timeline: Vec::new(),
            deadlines: Vec::new(),
            anchors: Anchors::default(),
        }
    }
}

impl CaseState {
    /// Events that were applied, in order.
    pub fn applied(&self) -> impl Iterator<Item = EventId> + '_ {
        self.timeline
            .iter()
            .filter(|t| t.refused.is_none())
            .map(|t| t.event)
    }

    /// Events that were kept but not applied, with the reason.
    pub fn not_applied(&self) -> impl Iterator<Item = (EventId, &Refusal)> + '_ {
        self.timeline
            .iter()
            .filter_map(|t| t.refused.as_ref().map(|r| (t.event, r)))
    }

    /// Whether `role` could take this step now (matrix and guards), without changing anything.
    pub fn check(&self, role: Role, action: &Action) -> Result<(), Refusal> {
        self.clone().transition(role, action, None)
    }

    /// Applies one event in order: on success the state moves, otherwise it is unchanged and
    /// the refusal is recorded on the timeline.
    pub(crate) fn apply(&mut self, event: &WorkflowEvent, broken: Option<Refusal>) {
        let refused = match broken {
            Some(refusal) => Some(refusal),
            None => {
                // Try the step on a copy so a refused step leaves no half-made change.
                let timeline = std::mem::take(&mut self.timeline);
                let mut next = self.clone();
                let outcome = next.transition(event.role, &event.action, Some(event.id));
                if outcome.is_ok() {
                    *self = next;
                }
                self.timeline = timeline;
                outcome.err()
            }
        };
        self.timeline.push(TimelineEntry {
            event: event.id,
            action: event.action.kind(),
            refused,
        });
    }

    /// Recomputes the open deadlines from the final state.
    pub(crate) fn settle_deadlines(&mut self, policy: &DeadlinePolicy) {
        let mut deadlines = Vec::new();
        if self.status == Status::Reported
            && let Some(anchor) = self.anchors.review
        {
            deadlines.push(OpenDeadline {
                kind: DeadlineKind::Review,
                department: None,
                anchor,
                within_secs: policy.review_secs,
            });
        }
        if matches!(self.status, Status::Dispatched | Status::Handling) {
            for (code, progress) in &self.departments {
                if progress.checked_in.is_none() {
                    deadlines.push(OpenDeadline {
                        kind: DeadlineKind::CheckIn,
                        department: Some(code.clone()),
                        anchor: progress.called_by,
                        within_secs: policy.check_in_secs,
                    });
                }
            }
            if let Some(anchor) = self.anchors.completion {
                deadlines.push(OpenDeadline {
                    kind: DeadlineKind::Completion,
                    department: None,
                    anchor,
                    within_secs: policy.completion_secs(self.tier),
                });
            }
        }
        self.deadlines = deadlines;
    }

    /// The state machine. `id` is `None` when only checking.
    fn transition(
        &mut self,
        role: Role,
        action: &Action,
        id: Option<EventId>,
    ) -> Result<(), Refusal> {
        permissions::check_action(role, action.kind(), self.status)?;
        // A check (no event yet) uses a placeholder id: nothing of the result is kept.
        let id = id.unwrap_or(PLACEHOLDER);
        match action {
            Action::Report { on_site_resolved } => {
                self.on_site_resolved = *on_site_resolved;
                self.anchors.review = Some(id);
                self.status = Status::Reported;
            }
            Action::Accept => self.status = Status::Accepted,
            Action::ReturnForMore { reason } => {
                require_text(reason)?;
                self.status = Status::Returned;
            }
            Action::Grade { tier } => self.tier = Some(*tier),
            Action::MarkDuplicate { of } => {
                self.duplicate_of = Some(*of);
                self.status = Status::Merged;
            }
            Action::SelfHandle => {
                let allowed: &[Tier] = match role {
                    Role::CommunitySecretary => &[Tier::Simple],
                    _ => &[Tier::Simple, Tier::General],
                };
                if !self.tier.is_some_and(|t| allowed.contains(&t)) {
                    return Err(Refusal::WrongTier {
                        action: ActionKind::SelfHandle,
                        tier: self.tier,
                    });
                }
                self.self_handling = true;
                self.anchors.completion = Some(id);
                self.status = Status::Handling;
            }
            Action::CallDepartment { departments } => {
                if self.status == Status::Accepted && self.tier != Some(Tier::General) {
                    return Err(Refusal::WrongTier {
                        action: ActionKind::CallDepartment,
                        tier: self.tier,
                    });
                }
                self.bring_in(departments, id, ActionKind::CallDepartment, None)?;
            }
            Action::Dispatch { round, departments } => {
                let first_done = self
                    .departments
                    .values()
                    .any(|d| d.round == Some(DispatchRound::First));
                match round {
                    DispatchRound::First if first_done => return Err(Refusal::FirstRoundDone),
                    DispatchRound::First if self.tier != Some(Tier::Complex) => {
                        return Err(Refusal::WrongTier {
                            action: ActionKind::Dispatch,
                            tier: self.tier,
                        });
                    }
                    DispatchRound::Second if !first_done => return Err(Refusal::NoFirstRound),
                    _ => {}
                }
                self.bring_in(departments, id, ActionKind::Dispatch, Some(*round))?;
            }
            Action::ReverseDispatch { departments } => {
                self.bring_in(departments, id, ActionKind::ReverseDispatch, None)?;
                self.tier = Some(Tier::Major);
            }
            Action::CheckIn { department } => {
                let progress = self.called(department)?;
                if progress.checked_in.is_some() {
                    return Err(Refusal::AlreadyCheckedIn {
                        department: department.clone(),
                    });
                }
                progress.checked_in = Some(id);
                self.status = Status::Handling;
            }
            Action::Progress { note } => require_text(note)?,
            Action::Handled { department, result } => {
                require_text(result)?;
                match (role, department) {
                    (Role::DepartmentHandler, Some(code)) => {
                        let progress = self.called(code)?;
                        if progress.checked_in.is_none() {
                            return Err(Refusal::NotCheckedIn {
                                department: code.clone(),
                            });
                        }
                        if progress.handled.is_some() {
                            return Err(Refusal::AlreadyHandled {
                                department: code.clone(),
                            });
                        }
                        progress.handled = Some(id);
                    }
                    (Role::CommunitySecretary | Role::StreetOffice, None) if self.self_handling => {
                        if self.self_handled.is_some() {
                            return Err(Refusal::WrongHandler);
                        }
                        self.self_handled = Some(id);
                    }
                    _ => return Err(Refusal::WrongHandler),
                }
                let departments_done = self.departments.values().all(|d| d.handled.is_some());
                let self_done = !self.self_handling || self.self_handled.is_some();
                if departments_done && self_done {
                    self.status = Status::Handled;
                }
            }
            Action::Verify { note } => {
                require_text(note)?;
                self.status = Status::Verified;
            }
            Action::Reopen { reason } => {
                require_text(reason)?;
                for progress in self.departments.values_mut() {
                    progress.handled = None;
                }
                self.self_handled = None;
                self.reopen_count += 1;
                self.anchors.completion = Some(id);
                self.status = Status::Handling;
            }
            Action::Close => {
                if role == Role::CommunitySecretary && self.tier != Some(Tier::Simple) {
                    return Err(Refusal::WrongTier {
                        action: ActionKind::Close,
                        tier: self.tier,
                    });
                }
                self.status = Status::Closed;
            }
            Action::Archive => self.status = Status::Archived,
            Action::Evaluate { department, scores } => {
                let handled = self
                    .departments
                    .get(department)
                    .is_some_and(|d| d.handled.is_some());
                if !handled {
                    return Err(Refusal::NotHandledByDepartment {
                        department: department.clone(),
                    });
                }
                if self.evaluations.iter().any(|e| &e.department == department) {
                    return Err(Refusal::AlreadyEvaluated {
                        department: department.clone(),
                    });
                }
                self.evaluations.push(EvaluationEntry {
                    department: department.clone(),
                    scores: *scores,
                    event: id,
                });
            }
            Action::RateSatisfaction { level } => {
                if self.satisfaction.is_some() {
                    return Err(Refusal::AlreadyRated);
                }
                self.satisfaction = Some(*level);
            }
        }
        Ok(())
    }

    /// Adds called or dispatched departments; at least one must be new.
    fn bring_in(
        &mut self,
        departments: &[DepartmentCode],
        id: EventId,
        via: ActionKind,
        round: Option<DispatchRound>,
    ) -> Result<(), Refusal> {
        if departments.is_empty() {
            return Err(Refusal::NoDepartment);
        }
        let mut added = false;
        for code in departments {
            if !self.departments.contains_key(code) {
                self.departments.insert(
                    code.clone(),
                    DepartmentProgress {
                        called_by: id,
                        via,
                        round,
                        checked_in: None,
                        handled: None,
                    },
                );
                added = true;
            }
        }
        if !added {
            return Err(Refusal::AlreadyCalled);
        }
        if self.anchors.completion.is_none() {
            self.anchors.completion = Some(id);
        }
        // A department brought in while others already work leaves the case "handling"; it is
        // handled only when the newcomer reports too, which `Handled` checks.
        if self.status != Status::Handling {
            self.status = Status::Dispatched;
        }
        Ok(())
    }

    fn called(&mut self, department: &DepartmentCode) -> Result<&mut DepartmentProgress, Refusal> {
        self.departments
            .get_mut(department)
            .ok_or_else(|| Refusal::DepartmentNotCalled {
                department: department.clone(),
            })
    }
}

/// Stands in for the event id while [`CaseState::check`] tries a step.
const PLACEHOLDER: EventId = EventId::PLACEHOLDER;

fn require_text(text: &str) -> Result<(), Refusal> {
    if text.trim().is_empty() {
        Err(Refusal::TextRequired)
    } else {
        Ok(())
    }
}
