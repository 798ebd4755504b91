//! The forecast against the real configuration (`config/orebro.toml`): the unbroken
//! schooling question of 15 October 2024, the home-health-care route of 2024, and the
//! forecast's invariants over every route and many ready dates.

use std::sync::OnceLock;

use arende::forecast::{Bound, ForecastInput, Forecaster, Miss, Target};
use arende::notification::Language;
use arende::org::Organisation;
use arende::route::{Dependency, Purpose};
use chrono::NaiveDate;
use proptest::prelude::*;

fn orebro() -> &'static Organisation {
    static ORG: OnceLock<Organisation> = OnceLock::new();
    ORG.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/config/orebro.toml");
        arende::load_file(path).unwrap_or_else(|e| panic!("{e}"))
    })
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The unbroken-schooling matter as it stood on 15 October 2024: the preparatory group
/// has prepared it that day, and the draft is ready on `ready`.
fn schooling(ready: &str, target: Target) -> arende::forecast::Forecast {
    let org = orebro();
    let route = org.route(&"chief-group-agreement".into()).unwrap();
    Forecaster::new(org)
        .forecast(
            &ForecastInput::new(route, d(ready))
                .completed("draft", d(ready))
                .completed("sbu-preparation", d("2024-10-15"))
                .target(target),
        )
        .unwrap()
}

#[test]
fn unbroken_schooling_ready_29_october_reaches_15_november_as_information() {
    let f = schooling(
        "2024-10-29",
        Target::new("cg-joint", d("2024-11-15")).for_purpose(Purpose::Information),
    );
    let t = f.target.as_ref().unwrap();
    assert!(t.reachable, "{}", t.describe(Language::Swedish));
    let info = f.step("cg-information").unwrap();
    assert_eq!(info.date, Some(d("2024-11-15")));
    assert_eq!(info.cutoff, Some(d("2024-11-01")));
    assert_eq!(
        t.describe(Language::Swedish),
        "cg-joint 2024-11-15: nås för information (cg-information)"
    );
}

#[test]
fn unbroken_schooling_decision_on_15_november_is_blocked_by_the_remiss() {
    let f = schooling(
        "2024-10-29",
        Target::new("cg-joint", d("2024-11-15")).for_purpose(Purpose::Decision),
    );
    let t = f.target.as_ref().unwrap();
    assert!(!t.reachable);
    let Some(Miss::NoticeCutoff {
        notice,
        bound_by: Bound::Consultation { step, deadline, .. },
        ..
    }) = &t.reason
    else {
        panic!("expected the remiss to block the decision: {:?}", t.reason);
    };
    assert_eq!(*notice, d("2024-11-01"));
    assert_eq!(step.as_str(), "remiss");
    assert!(*deadline > d("2024-12-31"));
    let text = t.describe(Language::Swedish);
    assert!(text.contains("remissen (remiss)"), "{text}");
    assert!(
        t.describe(Language::English)
            .contains("consultation (remiss, remiss)")
    );
    // The decision comes in spring 2025, and 15 November is still reachable for
    // information.
    let earliest = t.earliest.unwrap();
    assert!(
        earliest > d("2025-01-01") && earliest < d("2025-07-01"),
        "{earliest}"
    );
    assert_eq!(t.reachable_instead.len(), 1);
    assert_eq!(t.reachable_instead[0].1, Purpose::Information);
}

#[test]
fn unbroken_schooling_ready_5_november_misses_the_notice_of_1_november() {
    let f = schooling(
        "2024-11-05",
        Target::new("cg-joint", d("2024-11-15")).for_purpose(Purpose::Information),
    );
    let t = f.target.as_ref().unwrap();
    assert!(!t.reachable);
    let Some(Miss::NoticeCutoff {
        notice, days_late, ..
    }) = &t.reason
    else {
        panic!("expected the notice cut-off: {:?}", t.reason);
    };
    assert_eq!((*notice, *days_late), (d("2024-11-01"), 4));
    assert!(
        t.describe(Language::Swedish)
            .contains("kallelsen går ut 2024-11-01")
    );
    assert!(t.earliest.unwrap() > d("2024-11-15"));
}

#[test]
fn home_health_care_2024_from_a_final_proposal_in_may() {
    let org = orebro();
    let route = org.route(&"county-agreement".into()).unwrap();
    // The remiss answers were worked in and the final proposal prepared in April; the
    // documents of the final proposal are ready on 10 May.
    let f = Forecaster::new(org)
        .forecast(
            &ForecastInput::new(route, d("2024-05-10"))
                .completed("draft", d("2023-12-01"))
                .completed("remiss", d("2024-04-15"))
                .completed("final-proposal", d("2024-04-25")),
        )
        .unwrap();
    let date = |s: &str| f.step(s).and_then(|s| s.date);
    assert_eq!(date("steering-readiness"), Some(d("2024-05-28")));
    assert_eq!(date("cg-social-readiness"), Some(d("2024-05-30")));
    assert_eq!(date("kcrd-readiness"), Some(d("2024-06-12")));
    assert_eq!(date("council-recommendation"), Some(d("2024-09-13")));
    // Political decisions in all 13 parties, the process starting in September.
    let pol = f.step("political-decision").unwrap();
    assert_eq!(pol.parties.len(), 13);
    let start = pol.documents_ready.unwrap();
    assert!(
        start > d("2024-09-13") && start <= d("2024-09-30"),
        "{start}"
    );
    for p in &pol.parties {
        let decided = p.date.unwrap();
        assert!(decided > d("2024-09-13"), "{p:?}");
        assert!(p.cutoff.unwrap() >= start);
        assert!(p.legal_force.unwrap() > p.minutes_final.unwrap());
    }
    // Entry into force in January 2025 leaves room for every party's appeal period.
    let force = f.step("entry-into-force").unwrap().date.unwrap();
    assert!(force <= d("2025-01-01"), "{force}");
    for p in &pol.parties {
        assert!(p.legal_force.unwrap() <= force);
    }
    assert!(matches!(
        f.step("entry-into-force").unwrap().bound_by,
        Bound::LegalForce { .. }
    ));
}

#[test]
fn beyond_the_known_plan_the_forecast_says_so() {
    let org = orebro();
    let route = org.route(&"chief-group-agreement".into()).unwrap();
    let f = Forecaster::new(org)
        .forecast(&ForecastInput::new(route, d("2025-11-20")))
        .unwrap();
    assert!(
        f.steps
            .iter()
            .any(|s| matches!(s.bound_by, Bound::BeyondPlan { .. }))
    );
    assert_eq!(f.step("cg-decision").unwrap().date, None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn orebro_forecasts_keep_their_invariants(route_no in 0usize..3, ready in 0i64..700) {
        let org = orebro();
        let route = org.routes.values().nth(route_no % org.routes.len()).unwrap();
        let ready = d("2024-03-01") + chrono::Duration::days(ready);
        let f = Forecaster::new(org).forecast(&ForecastInput::new(route, ready)).unwrap();
        for s in &f.steps {
            let Some(date) = s.date else { continue };
            prop_assert!(date >= ready);
            let step = route.step(&s.step).unwrap();
            if let (Some(body), true) = (&step.body, step.purpose.needs_meeting()) {
                let on_plan = org.meetings_of(body).any(|m| m.date == date)
                    || org.joint_sessions_of(body).any(|j| org.meetings_of(&j.id).any(|m| m.date == date));
                prop_assert!(on_plan, "{} on {} without a meeting of {}", s.step, date, body);
            }
            for p in &s.parties {
                if let Some(pd) = p.date {
                    prop_assert!(org.meetings_of(&p.body).any(|m| m.date == pd));
                }
            }
            for (pred, dep) in route.predecessors(&s.step) {
                let Some(pdate) = f.step(pred.id.as_str()).and_then(|p| p.date) else { continue };
                if pred.purpose.needs_meeting() && step.purpose.needs_meeting() {
                    prop_assert!(date > pdate);
                    if let (Dependency::Decision, Some(pbody), Some(cutoff)) = (dep, &pred.body, s.cutoff) {
                        let lt = org.body(pbody).unwrap().lead_times;
                        prop_assert!(cutoff >= lt.minutes_final.after(pdate));
                    }
                } else {
                    prop_assert!(date >= pdate);
                }
            }
        }
    }
}
