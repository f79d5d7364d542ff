//! The derivation: whole loops, joint handling, true races, guards, broken graphs, deadlines.

use wangge_proto::Role::{self, *};
use wangge_proto::workflow::{
    Action, ActionKind, DeadlineKind, DeadlinePolicy, DispatchRound, Refusal, Satisfaction, Status,
    Tier, derive,
};
use wangge_proto::{Label, Locale};

use super::support::{Script, dept, eid, scores};

fn report() -> Action {
    Action::Report {
        on_site_resolved: false,
    }
}

fn call(codes: &[&str]) -> Action {
    Action::CallDepartment {
        departments: codes.iter().map(|c| dept(c)).collect(),
    }
}

fn check_in(code: &str) -> Action {
    Action::CheckIn {
        department: dept(code),
    }
}

fn handled_by(code: &str) -> Action {
    Action::Handled {
        department: Some(dept(code)),
        result: "已处理完毕".into(),
    }
}

/// A general case called to the given departments, reported → accepted → graded → called.
fn general_case(codes: &[&str]) -> Script {
    let mut s = Script::new();
    s.step(GridWorker, report());
    s.step(CommunitySecretary, Action::Accept);
    s.step(
        StreetOffice,
        Action::Grade {
            tier: Tier::General,
        },
    );
    s.step(StreetOffice, call(codes));
    s
}

fn refusal_of(script: &Script, id: wangge_proto::values::EventId) -> Option<Refusal> {
    let state = script.state();
    let entry = state
        .timeline
        .iter()
        .find(|t| t.event == id)
        .expect("event on the timeline");
    entry.refused.clone()
}

#[test]
fn a_simple_case_is_handled_by_the_community_and_closed() {
    let mut s = Script::new();
    assert_eq!(s.state().status, Status::Draft);
    s.step(GridWorker, report());
    s.step(CommunitySecretary, Action::Accept);
    s.step(CommunitySecretary, Action::Grade { tier: Tier::Simple });
    s.step(CommunitySecretary, Action::SelfHandle);
    assert_eq!(s.state().status, Status::Handling);
    s.step(
        CommunitySecretary,
        Action::Handled {
            department: None,
            result: "已清运".into(),
        },
    );
    assert_eq!(s.state().status, Status::Handled);
    s.step(
        GridWorker,
        Action::Verify {
            note: "现场已清理".into(),
        },
    );
    s.step(CommunitySecretary, Action::Close);
    s.step(
        GridWorker,
        Action::RateSatisfaction {
            level: Satisfaction::VerySatisfied,
        },
    );
    s.step(StreetOffice, Action::Archive);
    let state = s.state();
    assert_eq!(state.status, Status::Archived);
    assert_eq!(state.tier, Some(Tier::Simple));
    assert_eq!(state.satisfaction, Some(Satisfaction::VerySatisfied));
    assert_eq!(state.not_applied().count(), 0, "{:?}", state.timeline);
    assert_eq!(state.applied().count(), 9);
    assert!(state.deadlines.is_empty());
}

#[test]
fn a_general_case_runs_call_check_in_handle_verify_close_evaluate() {
    let mut s = general_case(&["chengguan"]);
    let call_id = eid(4);
    let state = s.state();
    assert_eq!(state.status, Status::Dispatched);
    let progress = &state.departments[&dept("chengguan")];
    assert_eq!(progress.called_by, call_id);
    assert_eq!(progress.via, ActionKind::CallDepartment);

    s.step(DepartmentHandler, check_in("chengguan"));
    assert_eq!(s.state().status, Status::Handling);
    s.step(
        DepartmentHandler,
        Action::Progress {
            note: "已到场".into(),
        },
    );
    s.step(DepartmentHandler, handled_by("chengguan"));
    s.step(
        StreetOffice,
        Action::Evaluate {
            department: dept("chengguan"),
            scores: scores(18),
        },
    );
    s.step(
        StreetOffice,
        Action::Verify {
            note: "已核查".into(),
        },
    );
    s.step(StreetOffice, Action::Close);
    let state = s.state();
    assert_eq!(state.status, Status::Closed);
    assert_eq!(state.evaluations.len(), 1);
    assert_eq!(state.evaluations[0].scores.total(), 90);
    assert_eq!(state.not_applied().count(), 0, "{:?}", state.timeline);
}

#[test]
fn deadlines_are_anchored_on_events_for_the_server_clock() {
    let policy = DeadlinePolicy::default();
    let mut s = Script::new();
    let reported = s.step(GridWorker, report());
    let state = s.state();
    assert_eq!(state.deadlines.len(), 1);
    assert_eq!(state.deadlines[0].kind, DeadlineKind::Review);
    assert_eq!(state.deadlines[0].anchor, reported);
    assert_eq!(state.deadlines[0].within_secs, policy.review_secs);

    s.step(CommunitySecretary, Action::Accept);
    assert!(s.state().deadlines.is_empty());
    s.step(
        StreetOffice,
        Action::Grade {
            tier: Tier::General,
        },
    );
    let called = s.step(StreetOffice, call(&["chengguan", "huanbao"]));
    let state = s.state();
    let kinds: Vec<_> = state
        .deadlines
        .iter()
        .map(|d| (d.kind, d.department.clone()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (DeadlineKind::CheckIn, Some(dept("chengguan"))),
            (DeadlineKind::CheckIn, Some(dept("huanbao"))),
            (DeadlineKind::Completion, None),
        ]
    );
    assert!(state.deadlines.iter().all(|d| d.anchor == called));
    assert_eq!(state.deadlines[0].within_secs, 30 * 60);
    assert_eq!(state.deadlines[2].within_secs, 3 * 24 * 3600);

    s.step(DepartmentHandler, check_in("chengguan"));
    let state = s.state();
    assert_eq!(
        state.deadlines.len(),
        2,
        "chengguan's check-in deadline is met"
    );
    s.step(DepartmentHandler, check_in("huanbao"));
    s.step(DepartmentHandler, handled_by("chengguan"));
    s.step(DepartmentHandler, handled_by("huanbao"));
    assert!(s.state().deadlines.is_empty());
    let reopened = s.step(
        GridWorker,
        Action::Reopen {
            reason: "油烟仍然扰民".into(),
        },
    );
    let state = s.state();
    assert_eq!(state.reopen_count, 1);
    assert_eq!(state.deadlines.len(), 1);
    assert_eq!(
        state.deadlines[0].anchor, reopened,
        "completion restarts at the reopen"
    );
}

#[test]
fn joint_handling_finishes_when_every_department_has_handled() {
    let mut s = general_case(&["chengguan", "huanbao"]);
    s.step(DepartmentHandler, check_in("chengguan"));
    s.step(DepartmentHandler, check_in("huanbao"));
    s.step(DepartmentHandler, handled_by("chengguan"));
    assert_eq!(s.state().status, Status::Handling);
    // The street brings in a third department while the others work.
    s.step(StreetOffice, call(&["zhujian"]));
    s.step(DepartmentHandler, handled_by("huanbao"));
    assert_eq!(
        s.state().status,
        Status::Handling,
        "zhujian has not handled yet"
    );
    s.step(DepartmentHandler, check_in("zhujian"));
    s.step(DepartmentHandler, handled_by("zhujian"));
    let state = s.state();
    assert_eq!(state.status, Status::Handled);
    assert_eq!(state.departments.len(), 3);
}

#[test]
fn complex_cases_take_two_dispatch_rounds_and_major_ones_a_reverse_dispatch() {
    let mut s = Script::new();
    s.step(GridWorker, report());
    s.step(StreetOffice, Action::Accept);
    s.step(
        StreetOffice,
        Action::Grade {
            tier: Tier::Complex,
        },
    );
    let early = s.step(
        CoordinationOffice,
        Action::Dispatch {
            round: DispatchRound::Second,
            departments: vec![dept("zhujian")],
        },
    );
    assert_eq!(refusal_of(&s, early), Some(Refusal::NoFirstRound));
    s.step(
        CoordinationOffice,
        Action::Dispatch {
            round: DispatchRound::First,
            departments: vec![dept("chengguan")],
        },
    );
    let again = s.step(
        CoordinationOffice,
        Action::Dispatch {
            round: DispatchRound::First,
            departments: vec![dept("huanbao")],
        },
    );
    assert_eq!(refusal_of(&s, again), Some(Refusal::FirstRoundDone));
    s.step(
        CoordinationOffice,
        Action::Dispatch {
            round: DispatchRound::Second,
            departments: vec![dept("zhujian")],
        },
    );
    let state = s.state();
    assert_eq!(state.status, Status::Dispatched);
    assert_eq!(
        state.departments[&dept("zhujian")].round,
        Some(DispatchRound::Second)
    );

    let mut s = Script::new();
    s.step(GridWorker, report());
    s.step(
        DistrictLeader,
        Action::ReverseDispatch {
            departments: vec![dept("ranqi")],
        },
    );
    let state = s.state();
    assert_eq!(state.tier, Some(Tier::Major));
    assert_eq!(state.status, Status::Dispatched);
}

#[test]
fn a_concurrent_close_and_reopen_leave_the_case_open() {
    let mut s = general_case(&["chengguan"]);
    s.step(DepartmentHandler, check_in("chengguan"));
    s.step(DepartmentHandler, handled_by("chengguan"));
    let verified = s.step(
        StreetOffice,
        Action::Verify {
            note: "已核查".into(),
        },
    );
    // Offline, the grid worker finds the rubbish back while the street closes the case.
    let close = s.step_after(StreetOffice, Action::Close, &[verified]);
    let reopen = s.step_after(
        GridWorker,
        Action::Reopen {
            reason: "垃圾又堆回来了".into(),
        },
        &[verified],
    );
    let state = s.state();
    assert_eq!(state.status, Status::Handling);
    assert_eq!(refusal_of(&s, reopen), None);
    assert_eq!(
        refusal_of(&s, close),
        Some(Refusal::ActionNotInStatus {
            action: ActionKind::Close,
            status: Status::Handling
        })
    );
    // A later close that saw the reopen is judged on the reopened case.
    let late = s.step(StreetOffice, Action::Close);
    assert!(matches!(
        refusal_of(&s, late),
        Some(Refusal::ActionNotInStatus { .. })
    ));
}

#[test]
fn a_concurrent_return_beats_an_accept_and_a_note_beats_a_close() {
    let mut s = Script::new();
    let reported = s.step(GridWorker, report());
    let accept = s.step_after(StreetOffice, Action::Accept, &[reported]);
    let ret = s.step_after(
        CommunitySecretary,
        Action::ReturnForMore {
            reason: "照片模糊".into(),
        },
        &[reported],
    );
    assert_eq!(s.state().status, Status::Returned);
    assert_eq!(refusal_of(&s, ret), None);
    assert!(refusal_of(&s, accept).is_some());

    let mut s = general_case(&["chengguan"]);
    s.step(DepartmentHandler, check_in("chengguan"));
    s.step(DepartmentHandler, handled_by("chengguan"));
    let verified = s.step(
        GridWorker,
        Action::Verify {
            note: "已核实".into(),
        },
    );
    let close = s.step_after(StreetOffice, Action::Close, &[verified]);
    let note = s.step_after(
        GridWorker,
        Action::Progress {
            note: "居民反映已满意".into(),
        },
        &[verified],
    );
    assert_eq!(
        refusal_of(&s, note),
        None,
        "the note is not lost to the close"
    );
    assert_eq!(refusal_of(&s, close), None);
    assert_eq!(s.state().status, Status::Closed);
}

#[test]
fn two_concurrent_check_ins_of_one_department_count_once() {
    let mut s = general_case(&["chengguan"]);
    let called = eid(4);
    let a = s.step_after(DepartmentHandler, check_in("chengguan"), &[called]);
    let b = s.step_after(DepartmentHandler, check_in("chengguan"), &[called]);
    assert_eq!(
        refusal_of(&s, a),
        None,
        "the lower event id wins a tie of equal precedence"
    );
    assert_eq!(
        refusal_of(&s, b),
        Some(Refusal::AlreadyCheckedIn {
            department: dept("chengguan")
        })
    );
}

#[test]
fn guards_refuse_steps_that_do_not_make_sense_now() {
    let mut s = general_case(&["chengguan"]);
    let wrong_dept = s.step(DepartmentHandler, check_in("huanbao"));
    let early = s.step(DepartmentHandler, handled_by("chengguan"));
    let empty = s.step(StreetOffice, call(&[]));
    let same = s.step(StreetOffice, call(&["chengguan"]));
    let no_text = s.step(GridWorker, Action::Progress { note: "   ".into() });
    let self_report = s.step(
        CommunitySecretary,
        Action::Handled {
            department: None,
            result: "x".into(),
        },
    );
    assert_eq!(
        refusal_of(&s, wrong_dept),
        Some(Refusal::DepartmentNotCalled {
            department: dept("huanbao")
        })
    );
    assert_eq!(
        refusal_of(&s, early),
        Some(Refusal::ActionNotInStatus {
            action: ActionKind::Handled,
            status: Status::Dispatched
        })
    );
    assert_eq!(refusal_of(&s, empty), Some(Refusal::NoDepartment));
    assert_eq!(refusal_of(&s, same), Some(Refusal::AlreadyCalled));
    assert_eq!(refusal_of(&s, no_text), Some(Refusal::TextRequired));
    assert!(refusal_of(&s, self_report).is_some());

    s.step(DepartmentHandler, check_in("chengguan"));
    let eval_early = s.step(
        StreetOffice,
        Action::Evaluate {
            department: dept("chengguan"),
            scores: scores(20),
        },
    );
    assert!(matches!(
        refusal_of(&s, eval_early),
        Some(Refusal::ActionNotInStatus { .. })
    ));
    let handled = s.step(DepartmentHandler, handled_by("chengguan"));
    assert_eq!(refusal_of(&s, handled), None);
    let eval = s.step(
        StreetOffice,
        Action::Evaluate {
            department: dept("chengguan"),
            scores: scores(20),
        },
    );
    let eval_twice = s.step(
        StreetOffice,
        Action::Evaluate {
            department: dept("chengguan"),
            scores: scores(5),
        },
    );
    assert_eq!(refusal_of(&s, eval), None);
    assert_eq!(
        refusal_of(&s, eval_twice),
        Some(Refusal::AlreadyEvaluated {
            department: dept("chengguan")
        })
    );
    s.step(
        StreetOffice,
        Action::Verify {
            note: "已核查".into(),
        },
    );
    // A secretary closes only simple cases.
    let secretary_close = s.step(CommunitySecretary, Action::Close);
    assert_eq!(
        refusal_of(&s, secretary_close),
        Some(Refusal::WrongTier {
            action: ActionKind::Close,
            tier: Some(Tier::General)
        })
    );
    assert_eq!(s.state().status, Status::Verified);
}

#[test]
fn broken_event_graphs_are_kept_and_refused() {
    let mut s = Script::new();
    s.step(GridWorker, report());
    let ghost = eid(999);
    let orphan = s.step_after(CommunitySecretary, Action::Accept, &[ghost]);
    assert_eq!(
        refusal_of(&s, orphan),
        Some(Refusal::UnknownPredecessor { event: ghost })
    );

    // Two events that follow each other: a cycle only a forged document can contain.
    let mut s = Script::new();
    s.step(GridWorker, report());
    let (a, b) = (eid(50), eid(51));
    s.events
        .push(event_with(a, CommunitySecretary, Action::Accept, &[b]));
    s.events.push(event_with(
        b,
        CommunitySecretary,
        Action::Progress { note: "x".into() },
        &[a],
    ));
    let state = s.state();
    assert_eq!(state.timeline.len(), 3);
    assert!(state.not_applied().any(|(_, r)| *r == Refusal::CausalCycle));

    // A duplicated id: one copy is applied, the other kept as a duplicate, in any order.
    let mut s = Script::new();
    s.step(GridWorker, report());
    let mut copy = s.events[0].clone();
    copy.action = Action::Report {
        on_site_resolved: true,
    };
    s.events.push(copy);
    let forward = s.state();
    s.events.reverse();
    assert_eq!(s.state(), forward);
    assert!(
        forward
            .not_applied()
            .any(|(_, r)| *r == Refusal::DuplicateEventId)
    );
}

fn event_with(
    id: wangge_proto::values::EventId,
    role: Role,
    action: Action,
    follows: &[wangge_proto::values::EventId],
) -> wangge_proto::workflow::WorkflowEvent {
    wangge_proto::workflow::WorkflowEvent {
        id,
        action,
        actor: super::support::user_of(role),
        role,
        device: super::support::device_of(role),
        at: super::support::ts(1),
        follows: follows.to_vec(),
    }
}

#[test]
fn every_arrival_order_derives_the_same_state() {
    // Two branches of concurrent work after the call, plus a race at the end.
    let mut s = general_case(&["chengguan", "huanbao"]);
    let called = eid(4);
    let a = s.step_after(DepartmentHandler, check_in("chengguan"), &[called]);
    let b = s.step_after(DepartmentHandler, check_in("huanbao"), &[called]);
    s.step_after(DepartmentHandler, handled_by("chengguan"), &[a]);
    s.step_after(
        GridWorker,
        Action::Progress {
            note: "居民催办".into(),
        },
        &[b],
    );
    let expected = s.state();
    let events = s.events.clone();
    let mut permutation: Vec<usize> = (0..events.len()).collect();
    let mut count = 0;
    // Heap's algorithm over all 8! orders.
    fn heap(k: usize, p: &mut Vec<usize>, f: &mut dyn FnMut(&[usize])) {
        if k == 1 {
            f(p);
            return;
        }
        heap(k - 1, p, f);
        for i in 0..k - 1 {
            if k.is_multiple_of(2) {
                p.swap(i, k - 1)
            } else {
                p.swap(0, k - 1)
            }
            heap(k - 1, p, f);
        }
    }
    let n = permutation.len();
    heap(n, &mut permutation, &mut |p| {
        let shuffled: Vec<_> = p.iter().map(|i| events[*i].clone()).collect();
        assert_eq!(derive(&shuffled, &DeadlinePolicy::default()), expected);
        count += 1;
    });
    assert_eq!(count, 40_320);
}

#[test]
fn refusals_explain_themselves_in_chinese_and_english() {
    let r = Refusal::RoleMayNotAct {
        role: GridWorker,
        action: ActionKind::Close,
    };
    assert_eq!(r.message(Locale::ZhCn), "网格员不能执行“结案”");
    assert_eq!(r.message(Locale::En), "A Grid worker cannot Close");
    assert_eq!(r.code(), "role_may_not_act");
    let r = Refusal::ActionNotInStatus {
        action: ActionKind::Close,
        status: Status::Handling,
    };
    assert_eq!(r.message(Locale::ZhCn), "案件处于“处置中”状态，不能“结案”");
    assert_eq!(Status::Handling.label(Locale::En), "Handling");
}
