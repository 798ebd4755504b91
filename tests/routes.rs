//! The three real routes of the reference minutes, run end to end on SQLite by the same
//! scripts as the examples (`examples/support`): the dates of the minutes, the states
//! the matters end in, the refusals, and nothing lost when the store is reopened.

#[path = "../examples/support/mod.rs"]
mod support;

use arende::forecast::{Bound, Miss};
use arende::ids::{BodyId, PartyId, StepId};
use arende::matter::{Conclusion, MatterError, MatterStatus, PartyDecision};
use arende::notification::Language;
use arende::org::Mandate;
use arende::route::Purpose;
use chrono::NaiveDate;
use support::d;
use support::world::{Run, done_steps};

/// The date of the first line of event type `what` at `body`, and its §.
fn at(run: &Run, what: &str, body: &str) -> (NaiveDate, Option<u32>) {
    let line = run
        .line(what, body)
        .unwrap_or_else(|| panic!("no {what} at {body} in the timeline"));
    (line.date, line.paragraph)
}

/// The printed report shows every date of the minutes.
fn prints(run: &Run, dates: &[&str]) {
    let text = run.to_string();
    for date in dates {
        assert!(text.contains(date), "{date} is not printed:\n{text}");
    }
}

#[test]
fn home_health_care_from_remiss_to_entry_into_force() {
    let s = support::home_health_care::run(None).expect("the scenario runs");
    let run = &s.run;
    prints(
        run,
        &[
            "2024-05-28",
            "2024-05-30",
            "2024-06-12",
            "2024-09-13",
            "2025-01-01",
        ],
    );

    // Remiss: 13 responses, 101 comments worked in.
    assert_eq!(run.lines_of("RemissResponseRecorded").count(), 13);
    let worked_in = run
        .line("ResponsesWorkedIn", "cg-social")
        .expect("responses worked in");
    assert!(
        worked_in.text.contains("101 kommentarer"),
        "{}",
        worked_in.text
    );

    // The readiness forums and the regional council, on the days of minutes 003.
    assert_eq!(
        at(run, "ReadinessChecked", "steering-home-health-care"),
        (d(2024, 5, 28), Some(2))
    );
    assert_eq!(
        at(run, "ReadinessChecked", "cg-social"),
        (d(2024, 5, 30), Some(2))
    );
    assert_eq!(
        at(run, "ReadinessChecked", "kcrd"),
        (d(2024, 6, 12), Some(2))
    );
    assert_eq!(
        at(run, "Recommended", "council-regional"),
        (d(2024, 9, 13), Some(4))
    );
    for what in ["ReadinessChecked", "Recommended"] {
        assert!(
            run.lines_of(what).all(|l| !l.forecast),
            "{what} is from the minutes"
        );
    }

    // Political decisions in all 13 parties, on forecast dates; Laxå one meeting later
    // than forecast and after every other party.
    let decisions: Vec<_> = run.lines_of("PoliticalDecisionRecorded").collect();
    assert_eq!(decisions.len(), 13);
    assert!(
        decisions
            .iter()
            .all(|l| l.forecast && l.date > d(2024, 9, 13))
    );
    let laxa = BodyId::new("laxa-ks");
    let late = decisions
        .iter()
        .find(|l| l.body.as_ref() == Some(&laxa))
        .expect("Laxå decides");
    assert!(
        decisions
            .iter()
            .all(|l| l.body.as_ref() == Some(&laxa) || l.date < late.date)
    );
    let forecast_laxa = s
        .forecast
        .step("political-decision")
        .and_then(|p| p.parties.iter().find(|x| x.party.as_str() == "laxa"))
        .and_then(|p| p.date)
        .expect("a forecast date for Laxå");
    assert!(late.date > forecast_laxa);

    // Entry into force is refused while Laxå has not decided, naming it.
    match &s.refusal {
        arende::Error::Matter(MatterError::NotReady {
            waiting_for,
            adopted,
            needed,
        }) => {
            assert_eq!(waiting_for, &vec![PartyId::new("laxa")]);
            assert_eq!((*adopted, *needed), (12, 13));
        }
        other => panic!("expected NotReady, got {other:?}"),
    }
    assert!(run.lines_of("Refused").count() == 1);

    // In force from 1 January 2025, adopted by all 13 parties; not before the forecast
    // says every decision has legal force.
    let m = &run.matter_after;
    assert_eq!(m.status, MatterStatus::InForce);
    assert_eq!(m.conclusion, Some(Conclusion::Adopted));
    assert_eq!(m.political.len(), 13);
    assert!(m.political.values().all(|d| *d == PartyDecision::Adopted));
    assert_eq!(m.in_force_for.len(), 13);
    assert_eq!(m.in_force_from, Some(d(2025, 1, 1)));
    let force = run
        .lines_of("EnteredIntoForce")
        .map(|l| l.date)
        .next()
        .expect("entry into force");
    assert_eq!(force, d(2025, 1, 1));
    let earliest = s
        .forecast
        .step("entry-into-force")
        .and_then(|x| x.date)
        .expect("forecast entry into force");
    assert!(earliest <= force);

    assert!(run.nothing_lost(), "changed: {:?}", run.changed);
    assert_eq!(run.matter_before, run.matter_after);
}

#[test]
fn family_centres_from_kcrd_assignment_to_political_decisions() {
    let s = support::family_centres::run(None).expect("the scenario runs");
    let run = &s.run;
    prints(
        run,
        &["2024-05-17", "2024-10-15", "2024-11-15", "2024-12-31"],
    );

    // KCRD's assignment to the project lead, reported at the preparatory group (§ 8).
    assert!(run.line("AssignmentGiven", "kcrd").is_some());
    assert_eq!(
        at(run, "AssignmentReported", "sbu"),
        (d(2024, 10, 15), Some(8))
    );

    // The three work steps at the working group, the council informed on 17 May.
    let m = &run.matter_after;
    assert_eq!(
        done_steps(m),
        [
            "draft",
            "council-information",
            "child-impact",
            "primary-care-link",
            "sbu-preparation",
            "cg-comments",
            "kcrd-readiness",
            "political-decision",
            "entry-into-force",
        ]
    );
    for step in ["draft", "child-impact", "primary-care-link"] {
        let done = m.done.iter().find(|o| o.step == StepId::new(step)).unwrap();
        assert_eq!(
            done.at.as_ref().map(|a| a.body.as_str()),
            Some("wg-family-centres"),
            "{step}"
        );
    }
    assert_eq!(
        at(run, "Presented", "council-social"),
        (d(2024, 5, 17), Some(5))
    );
    let adjusted = run
        .line("MinutesAdjusted", "council-social")
        .expect("the council's protocol is adjusted");
    assert_eq!(adjusted.date, d(2024, 6, 14));

    // The preparatory group prepares on 15 October and may not decide.
    assert_eq!(at(run, "Prepared", "sbu"), (d(2024, 10, 15), Some(8)));
    match &s.refusal {
        arende::Error::Matter(MatterError::MandateExceeded {
            body,
            mandate,
            holders,
        }) => {
            assert_eq!(body.as_str(), "sbu");
            assert_eq!(*mandate, Mandate::Decide);
            assert_eq!(holders, &vec![BodyId::new("cg-joint"), BodyId::new("kcrd")]);
        }
        other => panic!("expected MandateExceeded, got {other:?}"),
    }
    let refused = run.line("Refused", "sbu").expect("the refusal is shown");
    assert_eq!(refused.date, d(2024, 10, 15));
    assert!(
        refused.text.contains("sbu saknar mandat att besluta"),
        "{}",
        refused.text
    );

    // The joint chief group on 15 November: comments by 31 December.
    assert_eq!(at(run, "Presented", "cg-joint"), (d(2024, 11, 15), Some(6)));
    let remiss = run
        .line("RemissSent", "cg-joint")
        .expect("comments asked for");
    assert_eq!((remiss.date, remiss.paragraph), (d(2024, 11, 15), Some(6)));
    assert!(
        remiss.text.contains("synpunkter senast 2024-12-31"),
        "{}",
        remiss.text
    );

    // Nothing dated by the minutes is marked as forecast; what comes after is, on the
    // forecast's dates.
    assert!(
        run.lines
            .iter()
            .filter(|l| l.date <= d(2024, 11, 22))
            .all(|l| !l.forecast)
    );
    let kcrd = run
        .line("ForwardedToPolitical", "kcrd")
        .expect("KCRD sends it to the parties");
    assert!(kcrd.forecast);
    assert_eq!(
        Some(kcrd.date),
        s.forecast.step("kcrd-readiness").and_then(|x| x.date)
    );
    let decisions: Vec<_> = run.lines_of("PoliticalDecisionRecorded").collect();
    assert_eq!(decisions.len(), 13);
    assert!(decisions.iter().all(|l| l.forecast && l.date > kcrd.date));
    let force = s.forecast.step("entry-into-force").and_then(|x| x.date);
    assert_eq!(m.in_force_from, force);
    assert_eq!(m.status, MatterStatus::InForce);
    assert_eq!(m.conclusion, Some(Conclusion::Adopted));
    assert_eq!(m.political.len(), 13);

    assert!(run.nothing_lost(), "changed: {:?}", run.changed);
}

#[test]
fn unbroken_schooling_is_decided_by_the_chief_groups_in_spring_2025() {
    let s = support::unbroken_schooling::run(None).expect("the scenario runs");
    let run = &s.run;
    prints(run, &["2024-10-15", "2024-10-29", "2024-11-15"]);

    assert_eq!(at(run, "Prepared", "sbu"), (d(2024, 10, 15), Some(7)));
    assert_eq!(
        run.lines_of("DocumentsReady").map(|l| l.date).next(),
        Some(d(2024, 10, 29))
    );

    // "Can it be decided on 15 November?" No: the remiss comes first; information is
    // what 15 November can take.
    let answer = &s.answer;
    assert!(!answer.reachable);
    assert_eq!(
        (answer.step.as_str(), answer.purpose),
        ("cg-decision", Purpose::Decision)
    );
    match &answer.reason {
        Some(Miss::NoticeCutoff {
            notice,
            bound_by: Bound::Consultation { step, .. },
            ..
        }) => {
            assert_eq!(*notice, d(2024, 11, 1));
            assert_eq!(step.as_str(), "remiss");
        }
        other => panic!("expected the remiss to block the decision: {other:?}"),
    }
    assert_eq!(
        answer.reachable_instead,
        vec![(StepId::new("cg-information"), Purpose::Information)]
    );
    let said = answer.describe(Language::Swedish);
    assert!(said.contains("nås inte för beslut"), "{said}");
    let note = run.line("Forecast", "sbu").expect("the answer is shown");
    assert_eq!(note.date, d(2024, 10, 15));

    // 15 November: information only; a decision there is refused.
    assert_eq!(at(run, "Presented", "cg-joint"), (d(2024, 11, 15), Some(9)));
    match &s.refusal {
        arende::Error::Matter(MatterError::StepMismatch {
            body,
            step,
            purpose,
            command,
        }) => {
            assert_eq!(
                (body.as_str(), step.as_str(), *purpose, *command),
                ("cg-joint", "cg-information", Purpose::Information, "decide")
            );
        }
        other => panic!("expected StepMismatch, got {other:?}"),
    }

    // The remiss edition to the municipalities, then the decision in spring 2025.
    let remiss = run.line("RemissSent", "cg-joint").expect("remiss edition");
    assert!(remiss.forecast && remiss.text.contains("12 remissinstanser"));
    let (decided, _) = at(run, "Decided", "cg-joint");
    assert!(
        decided > d(2025, 1, 1) && decided < d(2025, 7, 1),
        "{decided}"
    );
    assert_eq!(
        Some(decided),
        s.forecast.step("cg-decision").and_then(|x| x.date)
    );
    let m = &run.matter_after;
    assert_eq!(m.status, MatterStatus::Decided);
    assert_eq!(m.conclusion, Some(Conclusion::DecidedWithinMandate));
    assert!(m.political.is_empty(), "no political level");
    assert_eq!(
        done_steps(m),
        [
            "draft",
            "sbu-preparation",
            "cg-information",
            "remiss",
            "cg-decision"
        ]
    );

    assert!(run.nothing_lost(), "changed: {:?}", run.changed);
}

#[test]
fn a_given_store_is_kept_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("obruten-skolgang.sqlite");
    let s = support::unbroken_schooling::run(Some(&path)).expect("the scenario runs");
    assert_eq!(s.run.store.as_deref(), Some(path.as_path()));
    let store = arende::sqlite::SqliteStore::open(&path).unwrap();
    let events = arende::store::EventStore::read_all(&store, 0, 10_000).unwrap();
    assert_eq!(events.len(), s.run.events);
    drop(store);
    let again = support::unbroken_schooling::run(Some(&path));
    let err = again.err().expect("an existing file is refused");
    assert!(err.to_string().contains("finns redan"), "{err}");
}
