//! Unit tests of the forecast: the three real routes' rules, political decisions, plans
//! ending, targets, what-if, and property tests of the invariants.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use proptest::prelude::*;

use super::compute::legal_force;
use super::*;
use crate::ids::MeetingId;
use crate::notification::Language;
use crate::org::{BodyKind, MeetingStatus};
use crate::route::{ConsultationSpec, Dependency, Purpose, Route, Step};
use crate::testing::{
    self, body, date as d, home_health_care, plan, route, step, unbroken_schooling,
};

fn date_of(f: &Forecast, step: &str) -> Option<NaiveDate> {
    f.step(step).and_then(|s| s.date)
}

#[test]
fn unbroken_schooling_information_reachable_decision_blocked_by_the_remiss() {
    let org = testing::org();
    let route = unbroken_schooling();
    let fc = Forecaster::new(&org);
    let input = ForecastInput::new(&route, d("2024-10-29"));

    let info = fc
        .forecast(
            &input
                .clone()
                .target(Target::new("cg-joint", d("2024-11-15")).for_purpose(Purpose::Information)),
        )
        .unwrap();
    let t = info.target.as_ref().unwrap();
    assert!(t.reachable, "{}", t.describe(Language::English));
    assert_eq!(t.step.as_str(), "cg-info");
    let s = info.step("cg-info").unwrap();
    assert_eq!(s.date, Some(d("2024-11-15")));
    assert_eq!(s.cutoff, Some(d("2024-11-01")));
    assert_eq!(s.call_for_matters, Some(d("2024-10-15")));

    // Without a purpose the target is the last step at the body: the decision.
    let dec = fc
        .forecast(
            &input
                .clone()
                .target(Target::new("cg-joint", d("2024-11-15"))),
        )
        .unwrap();
    let t = dec.target.as_ref().unwrap();
    assert!(!t.reachable);
    assert_eq!(t.step.as_str(), "cg-decision");
    let Some(Miss::NoticeCutoff {
        notice, bound_by, ..
    }) = &t.reason
    else {
        panic!("expected a missed notice cut-off, got {:?}", t.reason);
    };
    assert_eq!(*notice, d("2024-11-01"));
    assert!(
        matches!(bound_by, Bound::Consultation { step, .. } if step.as_str() == "remiss"),
        "{bound_by:?}"
    );
    assert!(t.describe(Language::Swedish).contains("remissen (remiss)"));
    assert_eq!(
        t.reachable_instead,
        vec![(StepId::new("cg-info"), Purpose::Information)]
    );
    // Remiss sent when the information minutes are final (15 Nov + 2 weeks), six weeks
    // to answer, three to work in: the decision is in spring 2025.
    let remiss = dec.step("remiss").unwrap().consultation.unwrap();
    assert_eq!(remiss.sent, d("2024-11-29"));
    assert_eq!(remiss.deadline, d("2025-01-10"));
    assert_eq!(remiss.processed, d("2025-01-31"));
    assert_eq!(t.earliest, Some(d("2025-02-14")));
    assert_eq!(date_of(&dec, "cg-decision"), Some(d("2025-02-14")));
}

#[test]
fn without_a_remiss_the_decision_is_reachable() {
    let org = testing::org();
    let route = route(
        "direct",
        vec![
            step("draft", Purpose::Drafting, Some("wg")),
            step("cg-decision", Purpose::Decision, Some("cg-joint")),
        ],
        &[("draft", "cg-decision", Dependency::Decision)],
    );
    let f = forecast(
        &org,
        &ForecastInput::new(&route, d("2024-10-29"))
            .target(Target::new("cg-joint", d("2024-11-15")).for_purpose(Purpose::Decision)),
    )
    .unwrap();
    assert!(f.target.unwrap().reachable);
}

#[test]
fn documents_after_the_notice_cut_off_miss_the_meeting() {
    let org = testing::org();
    let route = unbroken_schooling();
    let f = forecast(
        &org,
        &ForecastInput::new(&route, d("2024-11-05"))
            .target(Target::new("cg-joint", d("2024-11-15")).for_purpose(Purpose::Information)),
    )
    .unwrap();
    let t = f.target.unwrap();
    assert!(!t.reachable);
    assert_eq!(
        t.reason,
        Some(Miss::NoticeCutoff {
            meeting: MeetingId::new("cg-joint-2024-11-15"),
            notice: d("2024-11-01"),
            documents_ready: d("2024-11-05"),
            days_late: 4,
            bound_by: Bound::Ready {
                date: d("2024-11-05")
            },
        })
    );
    assert_eq!(t.earliest, Some(d("2024-12-13")));
    assert!(
        t.describe(Language::Swedish)
            .contains("kallelsen går ut 2024-11-01")
    );
    assert!(t.describe(Language::English).contains("4 days late"));
}

#[test]
fn home_health_care_reproduces_2024() {
    let org = testing::org();
    let route = home_health_care(None);
    let f = forecast(&org, &ForecastInput::new(&route, d("2024-05-08"))).unwrap();
    assert_eq!(date_of(&f, "sg-readiness"), Some(d("2024-05-28")));
    assert_eq!(date_of(&f, "cg-readiness"), Some(d("2024-05-30")));
    assert_eq!(date_of(&f, "kcrd-readiness"), Some(d("2024-06-12")));
    assert_eq!(date_of(&f, "council-recommendation"), Some(d("2024-09-13")));
    // 30 May and 12 June are closer than a two-week notice after the previous forum:
    // they were called on the same proposal before it met.
    let kcrd = f.step("kcrd-readiness").unwrap();
    assert!(kcrd.cutoff.unwrap() < d("2024-05-30"));
    // The council waits for KCRD's minutes; the June council's notice was too early.
    assert_eq!(
        f.step("council-recommendation").unwrap().bound_by,
        Bound::MinutesFinal {
            step: StepId::new("kcrd-readiness"),
            meeting: d("2024-06-12"),
            final_on: d("2024-06-26")
        }
    );
    let pol = f.step("political").unwrap();
    assert_eq!(pol.documents_ready, Some(d("2024-09-27")));
    assert_eq!(pol.parties.len(), 4);
    for p in &pol.parties {
        assert!(p.date.unwrap() > d("2024-09-13"), "{p:?}");
        assert!(p.cutoff.unwrap() >= d("2024-09-27"));
    }
    assert_eq!(pol.date, Some(d("2024-11-05"))); // the Region, last
    // Entry into force waits for the Region's decision to be final: adjusted 19 Nov,
    // announced 21 Nov, appeal period to 12 Dec.
    let force = f.step("in-force").unwrap();
    assert_eq!(force.date, Some(d("2024-12-13")));
    assert!(
        matches!(&force.bound_by, Bound::LegalForce { party: Some(p), .. } if p.as_str() == "region")
    );
    let path: Vec<&str> = f
        .critical_path("in-force")
        .iter()
        .map(|s| s.step.as_str())
        .collect();
    assert_eq!(
        path,
        [
            "in-force",
            "political",
            "council-recommendation",
            "kcrd-readiness"
        ]
    );
}

/// A recorded political decision of `party` on `on`, adopted, its force by the law.
fn recorded(party: &str, on: &str) -> RecordedDecision {
    RecordedDecision {
        party: PartyId::new(party),
        on: d(on),
        meeting: None,
        adopted: true,
        adjusted_on: None,
        announced_on: None,
        force: RecordedForce::ByTheLaw,
    }
}

#[test]
fn recorded_political_decisions_are_taken_as_they_are_and_the_rest_forecast() {
    let org = testing::org();
    let route = home_health_care(None);
    let plain = forecast(&org, &ForecastInput::new(&route, d("2024-05-08"))).unwrap();
    // The Region decided on 22 October (not at the forecast 5 November meeting), its
    // minutes adjusted on the 25th and announced on Monday the 28th: three weeks to
    // appeal end on Monday 18 November, in force on the 19th. Kumla rejected.
    let region = RecordedDecision {
        meeting: Some(MeetingId::new("region-ks-2024-10-22")),
        adjusted_on: Some(d("2024-10-25")),
        announced_on: Some(d("2024-10-28")),
        ..recorded("region", "2024-10-22")
    };
    let kumla = RecordedDecision {
        adopted: false,
        ..recorded("kumla", "2024-10-30")
    };
    let input = ForecastInput::new(&route, d("2024-05-08"))
        .decided(region)
        .decided(kumla);
    let f = forecast(&org, &input).unwrap();
    let pol = f.step("political").unwrap();
    let party = |p: &str| pol.parties.iter().find(|x| x.party.as_str() == p).unwrap();
    assert_eq!(party("region").date, Some(d("2024-10-22")));
    assert_eq!(
        party("region").meeting,
        Some(MeetingId::new("region-ks-2024-10-22"))
    );
    assert_eq!(party("region").minutes_final, Some(d("2024-10-25")));
    assert_eq!(party("region").legal_force, Some(d("2024-11-19")));
    assert_eq!(party("kumla").date, Some(d("2024-10-30")));
    assert_eq!(party("kumla").legal_force, None);
    assert_eq!(party("region").decided, Some(Decided::Adopted));
    assert_eq!(party("kumla").decided, Some(Decided::Rejected));
    assert_eq!(party("nora").decided, None);
    // The parties not yet decided are forecast as before.
    let before = plain.step("political").unwrap();
    for p in ["nora", "orebro"] {
        let was = before
            .parties
            .iter()
            .find(|x| x.party.as_str() == p)
            .unwrap();
        assert_eq!(party(p), was);
    }
    // Entry into force waits for the last adopting party's legal force; Kumla's
    // rejection takes it out.
    let last = ["nora", "orebro", "region"]
        .iter()
        .filter_map(|p| party(p).legal_force)
        .max()
        .unwrap();
    let force = f.step("in-force").unwrap();
    assert_eq!(force.date, Some(last));
    assert!(
        matches!(&force.bound_by, Bound::LegalForce { party: Some(p), .. } if p.as_str() != "kumla"),
        "{:?}",
        force.bound_by
    );
    assert!(force.date < plain.step("in-force").unwrap().date);
    // Planned backward, the parties that decided need no meeting any more.
    let plan = Forecaster::new(&org)
        .plan_backward(&input, &Goal::parse("decided-by:2025-06-30").unwrap())
        .unwrap();
    let parties: Vec<&str> = plan
        .step("political")
        .unwrap()
        .parties
        .iter()
        .map(|p| p.party.as_str())
        .collect();
    assert_eq!(parties, ["nora", "orebro"]);
}

#[test]
fn a_pending_appeal_leaves_entry_into_force_unknown_and_an_annulment_takes_the_party_out() {
    let org = testing::org();
    let route = home_health_care(None);
    let all = |nora: RecordedForce| {
        ForecastInput::new(&route, d("2024-05-08"))
            .decided(RecordedDecision {
                force: RecordedForce::From(d("2024-11-20")),
                ..recorded("kumla", "2024-10-30")
            })
            .decided(RecordedDecision {
                force: nora,
                ..recorded("nora", "2024-10-16")
            })
            .decided(RecordedDecision {
                force: RecordedForce::From(d("2024-11-26")),
                ..recorded("orebro", "2024-10-22")
            })
            .decided(RecordedDecision {
                force: RecordedForce::From(d("2024-12-03")),
                ..recorded("region", "2024-11-05")
            })
    };
    // Every party settled: in force on the last day.
    let settled = forecast(&org, &all(RecordedForce::From(d("2024-11-12")))).unwrap();
    let pol = settled.step("political").unwrap();
    assert_eq!(pol.date, Some(d("2024-11-05")));
    assert_eq!(
        settled.step("in-force").unwrap().date,
        Some(d("2024-12-03"))
    );
    // Nora's decision appealed in time and not yet ruled on: no day can be given.
    let pending = forecast(&org, &all(RecordedForce::AppealPending)).unwrap();
    let force = pending.step("in-force").unwrap();
    assert_eq!(force.date, None);
    assert!(
        matches!(&force.bound_by, Bound::AfterUnknown { step } if step.as_str() == "political"),
        "{:?}",
        force.bound_by
    );
    // Annulled: in force for the others when the last of them is.
    let annulled = forecast(&org, &all(RecordedForce::Never)).unwrap();
    assert_eq!(
        annulled.step("in-force").unwrap().date,
        Some(d("2024-12-03"))
    );
    // With a quorum of three, an appeal that cannot be final before the third party is
    // does not hold it up: Nora announced on 25 November, so its appeal period ends on
    // 16 December at the earliest.
    let route3 = home_health_care(Some(3));
    let mut quorum = all(RecordedForce::AppealPending);
    quorum.route = &route3;
    for r in &mut quorum.decided {
        if r.party.as_str() == "nora" {
            r.adjusted_on = Some(d("2024-11-20"));
            r.announced_on = Some(d("2024-11-25"));
        }
    }
    let f = forecast(&org, &quorum).unwrap();
    assert_eq!(f.step("in-force").unwrap().date, Some(d("2024-12-03")));
    // An earlier possible ruling could change which party is third: unknown.
    let mut early = all(RecordedForce::AppealPending);
    early.route = &route3;
    let f = forecast(&org, &early).unwrap();
    assert_eq!(f.step("in-force").unwrap().date, None);
}

#[test]
fn quorum_enters_into_force_with_the_kth_party() {
    let org = testing::org();
    let route = home_health_care(Some(2));
    let f = forecast(&org, &ForecastInput::new(&route, d("2024-05-08"))).unwrap();
    // Kumla 30 Oct and Nora 16 Oct... sorted by legal force: Nora (16 Oct), Örebro (22 Oct).
    let force = f.step("in-force").unwrap();
    let Bound::LegalForce {
        party, final_on, ..
    } = &force.bound_by
    else {
        panic!("{:?}", force.bound_by);
    };
    assert_eq!(party.as_ref().unwrap().as_str(), "orebro");
    assert_eq!(force.date, Some(*final_on));
    let route = home_health_care(Some(5));
    assert!(matches!(
        forecast(&org, &ForecastInput::new(&route, d("2024-05-08"))),
        Err(ForecastError::QuorumTooLarge {
            quorum: 5,
            parties: 4,
            ..
        })
    ));
}

#[test]
fn same_proposal_meets_after_its_predecessor_even_when_called_before() {
    let mut org = testing::org();
    plan(&mut org, &["cg-social"], &["2024-05-24"]);
    let route = home_health_care(None);
    let f = forecast(
        &org,
        &ForecastInput::new(&route, d("2024-05-08"))
            .target(Target::new("cg-social", d("2024-05-24"))),
    )
    .unwrap();
    let cg = f.step("cg-readiness").unwrap();
    assert_eq!(cg.date, Some(d("2024-05-30")));
    assert_eq!(
        cg.bound_by,
        Bound::SameProposal {
            step: StepId::new("sg-readiness"),
            meeting: d("2024-05-28")
        }
    );
    let t = f.target.unwrap();
    assert_eq!(
        t.reason,
        Some(Miss::MustFollow {
            step: StepId::new("sg-readiness"),
            meeting: d("2024-05-28"),
            days_late: 4
        })
    );
}

#[test]
fn completed_steps_set_the_position() {
    let org = testing::org();
    let route = home_health_care(None);
    let f = forecast(
        &org,
        &ForecastInput::new(&route, d("2024-05-08"))
            .completed("final-proposal", d("2024-05-08"))
            .completed("sg-readiness", d("2024-05-28"))
            .completed("cg-readiness", d("2024-05-30")),
    )
    .unwrap();
    assert_eq!(f.steps.first().unwrap().step.as_str(), "kcrd-readiness");
    assert_eq!(date_of(&f, "kcrd-readiness"), Some(d("2024-06-12")));
    assert_eq!(
        f.step("kcrd-readiness").unwrap().bound_by,
        Bound::Ready {
            date: d("2024-05-08")
        }
    );
    assert!(matches!(
        forecast(
            &org,
            &ForecastInput::new(&route, d("2024-05-08")).completed("nope", d("2024-05-08"))
        ),
        Err(ForecastError::UnknownStep { .. })
    ));
}

#[test]
fn beyond_the_plan_is_said_not_guessed() {
    let org = testing::org();
    let route = unbroken_schooling();
    let f = forecast(&org, &ForecastInput::new(&route, d("2025-05-03"))).unwrap();
    let info = f.step("cg-info").unwrap();
    assert_eq!(info.date, None);
    assert_eq!(
        info.bound_by,
        Bound::BeyondPlan {
            body: BodyId::new("cg-joint"),
            documents_ready: d("2025-05-03"),
            plan_ends: Some(d("2025-05-16"))
        }
    );
    assert_eq!(
        f.step("remiss").unwrap().bound_by,
        Bound::AfterUnknown {
            step: StepId::new("cg-info")
        }
    );
    assert_eq!(f.step("cg-decision").unwrap().date, None);
    assert!(
        info.bound_by
            .describe(Language::Swedish)
            .contains("bortom känd sammanträdesplan")
    );
    assert_eq!(f.end(), (Some(d("2025-05-03")), false));
}

#[test]
fn a_party_beyond_its_plan_leaves_entry_into_force_unknown_unless_the_quorum_is_certain() {
    // Kumla gives eight weeks' notice and its plan ends 15 Nov (notice 20 Sep), before
    // the parties' documents are ready (27 Sep): its decision is beyond the plan, at the
    // earliest 22 Nov, final at the earliest 30 Dec.
    let mut late = testing::org();
    late.meetings.retain(|m| m.bodies[0].as_str() != "kumla-ks");
    if let Some(k) = late.bodies.get_mut(&BodyId::new("kumla-ks")) {
        k.lead_times.notice = LeadTime::Weeks(8);
    }
    plan(&mut late, &["kumla-ks"], &["2024-11-15"]);
    let route = home_health_care(None);
    let f = forecast(&late, &ForecastInput::new(&route, d("2024-05-08"))).unwrap();
    let pol = f.step("political").unwrap();
    assert_eq!(pol.date, None);
    assert!(matches!(&pol.bound_by, Bound::BeyondPlan { body, .. } if body.as_str() == "kumla-ks"));
    let kumla = pol
        .parties
        .iter()
        .find(|p| p.party.as_str() == "kumla")
        .unwrap();
    assert_eq!((kumla.date, kumla.plan_ends), (None, Some(d("2024-11-15"))));
    let known: Vec<&str> = pol
        .parties
        .iter()
        .filter(|p| p.date.is_some())
        .map(|p| p.party.as_str())
        .collect();
    assert_eq!(known, ["nora", "orebro", "region"]);
    assert_eq!(f.step("in-force").unwrap().date, None);
    // A quorum of two is certain: Nora (final 23 Nov) and Örebro (29 Nov) before Kumla
    // could be.
    let quorum = home_health_care(Some(2));
    let f = forecast(&late, &ForecastInput::new(&quorum, d("2024-05-08"))).unwrap();
    assert_eq!(f.step("in-force").unwrap().date, Some(d("2024-11-29")));
    // A quorum of three is not: the Region (13 Dec) could be beaten by Kumla (30 Dec?
    // no, later) — it is certain too; four needs Kumla.
    let three = home_health_care(Some(3));
    let f = forecast(&late, &ForecastInput::new(&three, d("2024-05-08"))).unwrap();
    assert_eq!(f.step("in-force").unwrap().date, Some(d("2024-12-13")));
    let four = home_health_care(Some(4));
    let f = forecast(&late, &ForecastInput::new(&four, d("2024-05-08"))).unwrap();
    assert_eq!(f.step("in-force").unwrap().date, None);
}

#[test]
fn joint_sessions_and_cancelled_meetings() {
    let mut org = testing::org();
    // A meeting listing the three chief groups is a meeting of the joint session too.
    plan(
        &mut org,
        &["cg-social", "cg-school", "cg-health"],
        &["2024-10-25"],
    );
    // A cancelled joint meeting is not used.
    for m in &mut org.meetings {
        if m.id.as_str() == "cg-joint-2024-11-15" {
            m.status = MeetingStatus::Cancelled;
        }
    }
    let r = route(
        "school",
        vec![
            step("draft", Purpose::Drafting, None),
            step("school-info", Purpose::Information, Some("cg-school")),
            step("joint-info", Purpose::Information, Some("cg-joint")),
        ],
        &[
            ("draft", "school-info", Dependency::Decision),
            ("draft", "joint-info", Dependency::Decision),
        ],
    );
    let f = forecast(&org, &ForecastInput::new(&r, d("2024-10-01"))).unwrap();
    assert_eq!(date_of(&f, "school-info"), Some(d("2024-10-25")));
    assert_eq!(date_of(&f, "joint-info"), Some(d("2024-10-25")));
    let f = forecast(&org, &ForecastInput::new(&r, d("2024-10-20"))).unwrap();
    // 15 Nov is cancelled: the chief group for schools meets the joint session 13 Dec.
    assert_eq!(date_of(&f, "school-info"), Some(d("2024-12-13")));
    assert_eq!(date_of(&f, "joint-info"), Some(d("2024-12-13")));
}

#[test]
fn target_errors_and_missing_meetings() {
    let org = testing::org();
    let route = unbroken_schooling();
    let input = ForecastInput::new(&route, d("2024-10-29"));
    let f = forecast(
        &org,
        &input
            .clone()
            .target(Target::new("cg-joint", d("2024-11-22"))),
    )
    .unwrap();
    assert_eq!(
        f.target.unwrap().reason,
        Some(Miss::NoMeeting {
            body: BodyId::new("cg-joint"),
            date: d("2024-11-22"),
            next: Some(d("2024-12-13"))
        })
    );
    assert!(matches!(
        forecast(
            &org,
            &input.clone().target(Target::new("kcrd", d("2024-11-22")))
        ),
        Err(ForecastError::TargetNotOnRoute { .. })
    ));
    assert_eq!(
        Target::parse("cg-joint@2024-11-15").unwrap(),
        Target::new("cg-joint", d("2024-11-15"))
    );
    assert!(Target::parse("cg-joint 2024-11-15").is_err());
    assert!(Target::parse("cg-joint@15 nov").is_err());
    assert!(Target::parse("@2024-11-15").is_err());
}

#[test]
fn bad_routes_are_typed_errors() {
    let org = testing::org();
    let r = route(
        "bad",
        vec![
            step("draft", Purpose::Drafting, None),
            step("x", Purpose::Decision, Some("nobody")),
        ],
        &[("draft", "x", Dependency::Decision)],
    );
    assert_eq!(
        forecast(&org, &ForecastInput::new(&r, d("2024-10-01"))).unwrap_err(),
        ForecastError::UnknownBody {
            step: StepId::new("x"),
            body: BodyId::new("nobody")
        }
    );
    let r = route(
        "bad",
        vec![
            step("draft", Purpose::Drafting, None),
            step("x", Purpose::Decision, None),
        ],
        &[("draft", "x", Dependency::Decision)],
    );
    assert!(matches!(
        forecast(&org, &ForecastInput::new(&r, d("2024-10-01"))),
        Err(ForecastError::NoBody { .. })
    ));
    let r = route(
        "bad",
        vec![
            step("draft", Purpose::Drafting, None),
            step("remiss", Purpose::Consultation, None),
        ],
        &[("draft", "remiss", Dependency::Decision)],
    );
    assert!(matches!(
        forecast(&org, &ForecastInput::new(&r, d("2024-10-01"))),
        Err(ForecastError::NoConsultationPeriod { .. })
    ));
    // The period can be given instead.
    let durations = Durations {
        remiss_period: Some(LeadTime::Weeks(4)),
        ..Durations::default()
    };
    let f = forecast(
        &org,
        &ForecastInput::new(&r, d("2024-10-01")).durations(durations),
    )
    .unwrap();
    assert_eq!(
        f.step("remiss").unwrap().consultation.unwrap().deadline,
        d("2024-10-29")
    );
}

#[test]
fn what_if_ready_later_extra_meeting_and_shorter_remiss() {
    let org = testing::org();
    let route = unbroken_schooling();
    let fc = Forecaster::new(&org);
    let input = ForecastInput::new(&route, d("2024-10-29"));

    let w = fc
        .what_if(&input, &[Assumption::ReadyLater { days: 5 }])
        .unwrap();
    let info = w
        .differences
        .iter()
        .find(|s| s.step.as_str() == "cg-info")
        .unwrap();
    assert_eq!(info.before, Some(d("2024-11-15")));
    assert_eq!(info.after, Some(d("2024-12-13")));
    assert_eq!(info.days, Some(28));
    assert!(info.changed());

    let w = fc
        .what_if(
            &input,
            &[
                Assumption::ReadyLater { days: 5 },
                Assumption::ExtraMeeting {
                    body: BodyId::new("cg-joint"),
                    date: d("2024-11-29"),
                },
            ],
        )
        .unwrap();
    assert_eq!(date_of(&w.changed, "cg-info"), Some(d("2024-11-29")));
    // The constituent chief groups meet at the extra joint meeting too.
    assert_eq!(
        fc.clone()
            .what_if(
                &ForecastInput::new(&route_at("cg-school"), d("2024-11-10")),
                &[Assumption::ExtraMeeting {
                    body: BodyId::new("cg-joint"),
                    date: d("2024-11-29"),
                }],
            )
            .unwrap()
            .changed
            .steps[1]
            .date,
        Some(d("2024-11-29"))
    );

    let w = fc
        .what_if(
            &input,
            &[Assumption::RemissPeriod {
                period: LeadTime::Weeks(3),
            }],
        )
        .unwrap();
    let dec = w
        .differences
        .iter()
        .find(|s| s.step.as_str() == "cg-decision")
        .unwrap();
    assert_eq!(dec.before, Some(d("2025-02-14")));
    // Deadline 20 Dec, worked in 10 Jan: notice 31 Jan still fits only 14 Feb? No:
    // 14 Feb's notice is 31 Jan ≥ 10 Jan, and 13 Dec is too early, so 14 Feb stays.
    assert_eq!(dec.after, Some(d("2025-02-14")));
    assert!(!dec.changed());
    let w = fc
        .what_if(
            &input,
            &[
                Assumption::RemissPeriod {
                    period: LeadTime::Weeks(2),
                },
                Assumption::Processing {
                    time: LeadTime::Days(0),
                },
                Assumption::CancelMeeting {
                    meeting: MeetingId::new("cg-joint-2025-02-14"),
                },
            ],
        )
        .unwrap();
    assert_eq!(date_of(&w.changed, "cg-decision"), Some(d("2025-03-14")));
    assert!(matches!(
        fc.what_if(
            &input,
            &[Assumption::CancelMeeting {
                meeting: MeetingId::new("nope")
            }]
        ),
        Err(ForecastError::UnknownMeeting(_))
    ));
    assert!(matches!(
        fc.what_if(
            &input,
            &[Assumption::ExtraMeeting {
                body: BodyId::new("nope"),
                date: d("2024-11-29")
            }]
        ),
        Err(ForecastError::UnknownAssumptionBody(_))
    ));
}

/// A two-step route: drafting, then information at `body`.
fn route_at(body: &str) -> Route {
    route(
        "at",
        vec![
            step("draft", Purpose::Drafting, None),
            step("info", Purpose::Information, Some(body)),
        ],
        &[("draft", "info", Dependency::Decision)],
    )
}

#[test]
fn legal_force_counts_adjustment_announcement_and_appeal() {
    let org = testing::org();
    let b = &org.bodies[&BodyId::new("region-ks")];
    // Adjusted within 14 days (19 Nov), announced 2 days later (21 Nov), appeal within
    // 3 weeks (12 Dec): final on 13 Dec.
    let cal = crate::holidays::WorkCalendar::default();
    assert_eq!(legal_force(&cal, b, d("2024-11-05")), d("2024-12-13"));
    let c = &org.bodies[&BodyId::new("cg-social")];
    assert_eq!(legal_force(&cal, c, d("2024-11-05")), d("2024-11-19"));
    // Statutory periods ending on a weekend run to the Monday: decided Saturday 26
    // October 2024, the 14 days end Saturday 9 November → adjusted by Monday 11
    // November, announced by 13 November, the appeal period's last day is Wednesday 4
    // December → final 5 December; decided 1 November, adjusted by 15 November, the two
    // days end on Sunday 17 → announced by Monday 18 November, the period ends Monday 9
    // December, final 10 December.
    assert_eq!(legal_force(&cal, b, d("2024-10-26")), d("2024-12-05"));
    assert_eq!(legal_force(&cal, b, d("2024-11-01")), d("2024-12-10"));
}

// ---- property tests ------------------------------------------------------------------

const BODIES: [&str; 4] = ["a", "b", "c", "d"];

fn arb_org() -> impl Strategy<Value = Organisation> {
    let plans = proptest::collection::vec(
        proptest::collection::btree_set(0u32..400, 0..14),
        BODIES.len(),
    );
    let leads = proptest::collection::vec((0u32..30, 0u32..30, 0u32..20), BODIES.len());
    (plans, leads).prop_map(|(plans, leads)| {
        let mut org = testing::org();
        org.meetings.clear();
        for (i, id) in BODIES.iter().enumerate() {
            let mut b = body(id, BodyKind::ChiefGroup, &[]);
            let (call, notice, minutes) = leads[i];
            b.lead_times.call_for_matters = LeadTime::Days(call.max(notice));
            b.lead_times.notice = LeadTime::Days(notice);
            b.lead_times.minutes_final = LeadTime::Days(minutes);
            org.bodies.insert(b.id.clone(), b);
        }
        let start = d("2024-01-01");
        for (i, days) in plans.iter().enumerate() {
            let dates: Vec<String> = days
                .iter()
                .map(|n| (start + chrono::Duration::days(i64::from(*n))).to_string())
                .collect();
            let refs: Vec<&str> = dates.iter().map(String::as_str).collect();
            plan(&mut org, &[BODIES[i]], &refs);
        }
        org
    })
}

/// A route over the test bodies: each step depends on 1–2 earlier ones.
fn arb_route() -> impl Strategy<Value = Route> {
    proptest::collection::vec((0usize..4, 0usize..6, any::<bool>(), any::<u8>()), 1..8).prop_map(
        |specs| {
            let mut steps = vec![step("s0", Purpose::Drafting, None)];
            let mut edges = Vec::new();
            for (i, (b, kind, same, pick)) in specs.iter().enumerate() {
                let id = format!("s{}", i + 1);
                let mut s = match kind {
                    0 => {
                        let mut s = step(&id, Purpose::Consultation, None);
                        s.consultation = Some(ConsultationSpec {
                            recipients: Vec::new(),
                            period: LeadTime::Days(u32::from(*pick % 40)),
                            processing: LeadTime::Days(u32::from(*pick % 9)),
                        });
                        s
                    }
                    1 => step(&id, Purpose::Information, Some(BODIES[*b])),
                    2 => step(&id, Purpose::ReadinessCheck, Some(BODIES[*b])),
                    _ => step(&id, Purpose::Decision, Some(BODIES[*b])),
                };
                s.name = id.clone();
                steps.push(s);
                let dep = if *same {
                    Dependency::SameProposal
                } else {
                    Dependency::Decision
                };
                let p1 = usize::from(*pick) % (i + 1);
                edges.push((StepId::new(format!("s{p1}")), StepId::new(&id), dep));
                if i > 0 && pick % 3 == 0 {
                    let p2 = (p1 + 1) % (i + 1);
                    edges.push((StepId::new(format!("s{p2}")), StepId::new(&id), dep));
                }
            }
            Route::new(RouteId::new("r"), "r".into(), steps, edges).unwrap()
        },
    )
}

proptest! {
    #[test]
    fn forecast_dates_respect_ready_plans_and_predecessors(
        org in arb_org(),
        route in arb_route(),
        ready in 0i64..420,
    ) {
        let ready = d("2024-01-01") + chrono::Duration::days(ready);
        let f = forecast(&org, &ForecastInput::new(&route, ready)).unwrap();
        prop_assert_eq!(f.steps.len(), route.len());
        for s in &f.steps {
            let step = route.step(&s.step).unwrap();
            let Some(date) = s.date else {
                // Unknown only when beyond the plan, or after such a step.
                let unknown = matches!(s.bound_by, Bound::BeyondPlan { .. } | Bound::AfterUnknown { .. });
                prop_assert!(unknown, "{:?}", s.bound_by);
                continue;
            };
            prop_assert!(date >= ready, "{} on {} before ready {}", s.step, date, ready);
            if let Some(body) = &step.body {
                if step.purpose.needs_meeting() {
                    let m = org.meetings_of(body).find(|m| m.date == date);
                    prop_assert!(m.is_some(), "{} on {} without a meeting of {}", s.step, date, body);
                    let m = m.unwrap();
                    prop_assert_eq!(s.cutoff, Some(m.notice));
                    prop_assert!(m.notice >= s.documents_ready.unwrap());
                }
            }
            for (pred, dep) in route.predecessors(&s.step) {
                let p = f.step(pred.id.as_str()).unwrap();
                let pdate = p.date.unwrap();
                match (pred.purpose, step.purpose.needs_meeting()) {
                    (Purpose::Consultation, _) => {
                        let c = p.consultation.unwrap();
                        prop_assert!(s.documents_ready.unwrap() >= c.processed);
                        prop_assert!(date >= c.processed);
                    }
                    (pp, true) if pp.needs_meeting() => {
                        prop_assert!(date > pdate, "{} on {} not after {} on {}", s.step, date, pred.id, pdate);
                        if dep == Dependency::Decision {
                            let lt = org.bodies[pred.body.as_ref().unwrap()].lead_times;
                            prop_assert!(s.cutoff.unwrap() >= lt.minutes_final.after(pdate));
                        }
                    }
                    (pp, false) if pp.needs_meeting() && dep == Dependency::Decision => {
                        let lt = org.bodies[pred.body.as_ref().unwrap()].lead_times;
                        prop_assert!(date >= lt.minutes_final.after(pdate));
                    }
                    _ => prop_assert!(date >= pdate),
                }
            }
        }
    }

    #[test]
    fn later_documents_never_make_a_step_earlier(
        org in arb_org(),
        route in arb_route(),
        ready in 0i64..400,
        later in 0i64..30,
    ) {
        let ready = d("2024-01-01") + chrono::Duration::days(ready);
        let fc = Forecaster::new(&org);
        let w = fc.what_if(&ForecastInput::new(&route, ready), &[Assumption::ReadyLater { days: later }]).unwrap();
        for diff in &w.differences {
            if let (Some(b), Some(a)) = (diff.before, diff.after) {
                prop_assert!(a >= b, "{:?}", diff);
            } else {
                // A step that becomes unknown was unknown or becomes beyond the plan;
                // a step never becomes known by waiting longer.
                prop_assert!(!(diff.before.is_none() && diff.after.is_some()), "{:?}", diff);
            }
        }
    }
}

#[test]
fn an_organisation_route_compiled_once_forecasts_like_a_route_given_alone() {
    let mut org = testing::org();
    let r = home_health_care(Some(3));
    org.routes.insert(r.id().clone(), r.clone());
    let fc = Forecaster::new(&org);
    let own = org.route(r.id()).unwrap();
    for ready in ["2024-04-01", "2024-05-08", "2024-05-20", "2024-08-15"] {
        let cached = fc
            .forecast(
                &ForecastInput::new(own, d(ready)).target(Target::new("kcrd", d("2024-06-12"))),
            )
            .unwrap();
        let alone = fc
            .forecast(
                &ForecastInput::new(&r, d(ready)).target(Target::new("kcrd", d("2024-06-12"))),
            )
            .unwrap();
        assert_eq!(cached, alone, "ready {ready}");
    }
}

// ---- backward planning -----------------------------------------------------------------

#[test]
fn backward_from_the_february_decision_shows_no_slack_at_the_remiss() {
    let org = testing::org();
    let route = unbroken_schooling();
    let fc = Forecaster::new(&org);
    let input = ForecastInput::new(&route, d("2024-10-29"));
    let goal = Goal::parse("cg-joint@2025-02-14").unwrap();
    let plan = fc.plan_backward(&input, &goal).unwrap();
    assert!(plan.feasible);
    assert_eq!(plan.goal_step.as_str(), "cg-decision");
    let decision = plan.step("cg-decision").unwrap();
    assert_eq!(decision.latest, Some(d("2025-02-14")));
    assert_eq!(decision.documents_by, Some(d("2025-01-31")));
    assert_eq!(decision.slack_days, Some(0));
    // Responses worked in by the notice (31 Jan): three weeks to work in, six to answer.
    let remiss = plan.step("remiss").unwrap();
    assert_eq!(remiss.latest, Some(d("2024-11-29")));
    assert_eq!(remiss.slack_days, Some(0));
    assert_eq!(remiss.needed_by, vec![StepId::new("cg-decision")]);
    // The information's minutes must be final by the day the remiss goes out.
    let info = plan.step("cg-info").unwrap();
    assert_eq!(info.latest, Some(d("2024-11-15")));
    assert_eq!(info.meeting, Some(MeetingId::new("cg-joint-2024-11-15")));
    assert_eq!(info.documents_by, Some(d("2024-11-01")));
    assert_eq!(info.call_for_matters, Some(d("2024-10-15")));
    let draft = plan.step("draft").unwrap();
    assert_eq!(draft.latest, Some(d("2024-11-01")));
    assert_eq!(draft.slack_days, Some(3));
    assert_eq!(plan.documents_by, Some(d("2024-11-01")));
    assert_eq!(plan.slack_days, Some(0));
    // A later goal gives slack everywhere on the critical path.
    let later = fc
        .plan_backward(&input, &Goal::parse("cg-joint@2025-04-11").unwrap())
        .unwrap();
    assert!(later.feasible);
    assert_eq!(later.step("cg-decision").unwrap().slack_days, Some(56));
    assert!(later.steps.iter().all(|s| s.slack_days.unwrap() >= 0));
}

#[test]
fn backward_from_november_says_what_is_late_and_what_no_meeting_can_make() {
    let org = testing::org();
    let route = unbroken_schooling();
    let fc = Forecaster::new(&org);
    let input = ForecastInput::new(&route, d("2024-10-29"));
    let goal = Goal::parse("cg-joint@2024-11-15").unwrap();
    let plan = fc.plan_backward(&input, &goal).unwrap();
    // The forward answer agrees.
    let forward = fc
        .forecast(
            &input
                .clone()
                .target(Target::new("cg-joint", d("2024-11-15"))),
        )
        .unwrap();
    assert!(!forward.target.unwrap().reachable);
    assert!(!plan.feasible);
    assert_eq!(plan.step("cg-decision").unwrap().slack_days, Some(-91));
    // The remiss had to go out by 30 August; the information before it had no meeting.
    assert_eq!(plan.step("remiss").unwrap().latest, Some(d("2024-08-30")));
    assert_eq!(plan.step("cg-info").unwrap().latest, None);
    assert_eq!(plan.step("draft").unwrap().latest, None);
    assert_eq!(plan.documents_by, None);
    assert_eq!(plan.slack_days, Some(-91));
    // The remiss is as late as the decision, and comes first: that is where to act.
    assert_eq!(plan.step("remiss").unwrap().slack_days, Some(-91));
    assert_eq!(plan.tightest, Some(StepId::new("remiss")));
    // Only the steps the goal needs are planned: information alone needs only the draft.
    let info = fc
        .plan_backward(
            &input,
            &Goal::Meeting {
                body: BodyId::new("cg-joint"),
                date: d("2024-11-15"),
                purpose: Some(Purpose::Information),
            },
        )
        .unwrap();
    assert!(info.feasible);
    let planned: Vec<&str> = info.steps.iter().map(|s| s.step.as_str()).collect();
    assert_eq!(planned, ["draft", "cg-info"]);
}

#[test]
fn backward_from_every_party_decided_and_from_entry_into_force() {
    let org = testing::org();
    let route = home_health_care(None);
    let fc = Forecaster::new(&org);
    let input = ForecastInput::new(&route, d("2024-05-08"));
    let decided = fc
        .plan_backward(&input, &Goal::parse("decided-by:2024-11-30").unwrap())
        .unwrap();
    assert!(decided.feasible);
    assert_eq!(decided.goal_step.as_str(), "political");
    let pol = decided.step("political").unwrap();
    let latest: BTreeMap<&str, NaiveDate> = pol
        .parties
        .iter()
        .map(|p| (p.party.as_str(), p.latest.unwrap()))
        .collect();
    assert_eq!(latest["region"], d("2024-11-05"));
    assert_eq!(latest["orebro"], d("2024-11-26"));
    assert_eq!(latest["kumla"], d("2024-10-30"));
    assert_eq!(latest["nora"], d("2024-11-20"));
    // The Region's only meeting in time is its earliest: no slack there.
    assert_eq!(pol.slack_days, Some(0));
    // The council's minutes must be final by Kumla's notice (16 Oct), so September.
    let council = decided.step("council-recommendation").unwrap();
    assert_eq!(council.latest, Some(d("2024-09-13")));
    assert!(decided.step("in-force").is_none());

    // In force by New Year's Eve: the Region's December meeting is final only in January.
    let force = fc
        .plan_backward(&input, &Goal::parse("in-force-by:2024-12-31").unwrap())
        .unwrap();
    assert!(force.feasible);
    assert_eq!(force.goal_step.as_str(), "in-force");
    let region = force
        .step("political")
        .unwrap()
        .parties
        .iter()
        .find(|p| p.party.as_str() == "region")
        .unwrap();
    assert_eq!(region.latest, Some(d("2024-11-05")));
    let legal = legal_force(
        &org.calendar(),
        &org.bodies[&BodyId::new("region-ks")],
        d("2024-12-10"),
    );
    assert!(legal > d("2024-12-31"), "{legal}");
    // Too early a goal: the forecast's entry into force (13 Dec) is after it.
    let early = fc
        .plan_backward(&input, &Goal::parse("in-force-by:2024-12-01").unwrap())
        .unwrap();
    assert!(!early.feasible);
}

#[test]
fn backward_goal_errors() {
    let org = testing::org();
    let route = unbroken_schooling();
    let input = ForecastInput::new(&route, d("2024-10-29"));
    assert!(matches!(
        plan_backward(&org, &input, &Goal::parse("kcrd@2024-11-15").unwrap()),
        Err(ForecastError::GoalNotOnRoute { .. })
    ));
    assert!(matches!(
        plan_backward(&org, &input, &Goal::parse("decided-by:2025-01-01").unwrap()),
        Err(ForecastError::GoalNotOnRoute { .. })
    ));
    assert!(Goal::parse("kcrd").is_err());
    assert!(Goal::parse("@2024-01-01").is_err());
    assert!(Goal::parse("decided-by:2024-13-01").is_err());
    let g = Goal::parse("in-force-by:2025-01-01").unwrap();
    assert_eq!(Goal::parse(&g.to_string()).unwrap(), g);
    let json = serde_json::to_value(&g).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"kind": "in-force-by", "date": "2025-01-01"})
    );
}

proptest! {
    /// Backward planning agrees with the forward answer: a meeting is reachable exactly
    /// when every step it needs has its earliest day on or before its latest.
    #[test]
    fn backward_feasible_iff_forward_reachable(
        org in arb_org(),
        route in arb_route(),
        ready in 0i64..420,
        pick in any::<u16>(),
    ) {
        let ready = d("2024-01-01") + chrono::Duration::days(ready);
        let steps: Vec<&Step> = route.steps().collect();
        let Some(last) = steps.iter().rev().find(|s| s.body.is_some() && s.purpose.needs_meeting()) else {
            return Ok(());
        };
        let body = last.body.clone().unwrap();
        let dates: Vec<NaiveDate> = org.meetings_of(&body).map(|m| m.date).collect();
        if dates.is_empty() {
            return Ok(());
        }
        let date = dates[usize::from(pick) % dates.len()];
        let fc = Forecaster::new(&org);
        let input = ForecastInput::new(&route, ready);
        let forward = fc.forecast(&input.clone().target(Target::new(body.clone(), date))).unwrap();
        let backward = fc.plan_backward(&input, &Goal::Meeting { body, date, purpose: None }).unwrap();
        let reachable = forward.target.as_ref().unwrap().reachable;
        prop_assert_eq!(reachable, backward.feasible, "{:#?}\n{:#?}", forward.target, backward.steps);
        for s in &backward.steps {
            if let (Some(l), Some(m)) = (s.latest, &s.meeting) {
                let planned = org.meetings.iter().find(|p| &p.id == m).unwrap();
                prop_assert_eq!(planned.date, l);
            }
        }
    }
}
