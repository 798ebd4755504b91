//! The three real routes of DOMAIN.md through the facade, on `config/orebro.toml`:
//! the home-health-care agreement of 2024 (remiss, 101 comments, readiness in three
//! forums on the same final proposal, KCRD, the regional council, 13 political
//! decisions, entry into force), the family-centre agreement (a KCRD assignment to a
//! project lead, presentations off the route, comments by 31 December 2024), and the
//! unbroken-schooling agreement (decided by the chief groups, no political level; the
//! preparatory group may not decide).

use std::sync::Arc;

use arende::authz::Actor;
use arende::clock::{Clock, SimulatedClock};
use arende::engine::Engine;
use arende::error::Error;
use arende::ids::{BodyId, MatterId, MeetingId, PartyId, PersonId, RouteId};
use arende::matter::*;
use arende::meeting::MinutesRef;
use arende::notification::{NotificationKind, RecipientReason};
use arende::org::{Mandate, Organisation};
use arende::store::{MemoryStore, Outbox};
use chrono::NaiveDate;

type E = Engine<Arc<MemoryStore>, Arc<SimulatedClock>>;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn orebro() -> Organisation {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/orebro.toml");
    match arende::load_file(path) {
        Ok(org) => org,
        Err(e) => panic!("config/orebro.toml does not load: {e}"),
    }
}

fn engine(start: NaiveDate) -> E {
    Engine::new(
        Arc::new(orebro()),
        Arc::new(MemoryStore::new()),
        Arc::new(SimulatedClock::at_date(start)),
    )
}

fn who(id: &str) -> Actor {
    Actor::Person(PersonId::new(id))
}

fn at(body: &str) -> At {
    At::body(body)
}

fn minutes(meeting: &str, paragraph: u32) -> At {
    let body = meeting.rsplitn(4, '-').last().unwrap().to_owned();
    At::minutes(
        body,
        MinutesRef {
            meeting: MeetingId::new(meeting),
            paragraph,
        },
    )
}

const SECRETARY_CG: &str = "peter-bergvall-virtanen";
const SECRETARY_SBU: &str = "daniel-berglund";
const SECRETARY_COUNCILS: &str = "malin-duckert-ek";

fn run(e: &E, id: MatterId, actor: &str, c: MatterCommand) -> Matter {
    let name = c.name();
    match e.run_matter(id, &who(actor), c) {
        Ok(x) => std::sync::Arc::unwrap_or_clone(x.state),
        Err(err) => panic!("{name} by {actor} refused: {err}"),
    }
}

fn steps(m: &Matter) -> Vec<String> {
    let mut v: Vec<String> = m.active.iter().map(|a| a.step.to_string()).collect();
    v.sort();
    v
}

#[test]
fn home_health_care_agreement_2024() {
    let e = engine(d(2024, 3, 1));
    let mut s = SubmitMatter::new(
        MatterKind::Agreement,
        "Överenskommelse om hälso- och sjukvård i hemmet",
        "cg-social",
    );
    s.case_numbers
        .insert(PartyId::new("region"), "24RS1234".into());
    let id = e
        .submit_matter(&who("jan-sundelius"), s)
        .unwrap()
        .state
        .id
        .unwrap();
    run(
        &e,
        id,
        SECRETARY_CG,
        MatterCommand::Screen {
            screening: Screening::Handle { route: None },
        },
    );
    // The draft is the process lead's own: he reports it done.
    let m = run(
        &e,
        id,
        "jan-sundelius",
        MatterCommand::Prepare {
            at: at("cg-social"),
            recommendation: None,
        },
    );
    assert_eq!(steps(&m), ["remiss"]);
    let m = run(
        &e,
        id,
        SECRETARY_CG,
        MatterCommand::SendOnRemiss(RemissOrder {
            at: at("cg-social"),
            recipients: vec![],
            deadline: d(2024, 4, 15),
            receivers: vec!["jan.sundelius@example.se".into()],
            edition: Some("Remissversion mars 2024".into()),
        }),
    );
    assert_eq!(
        m.remiss.as_ref().unwrap().recipients.len(),
        13,
        "every party is consulted"
    );
    e.clock().set_date(d(2024, 4, 16));
    for party in ["region", "orebro", "kumla"] {
        run(
            &e,
            id,
            SECRETARY_CG,
            MatterCommand::RecordRemissResponse {
                recipient: RemissRecipient::Party(PartyId::new(party)),
                comments: 30,
                received_on: Some(d(2024, 4, 15)),
            },
        );
    }
    let due = e.read().remiss_deadlines(d(2024, 4, 16)).unwrap();
    assert_eq!(
        due[0].missing.len(),
        10,
        "ten parties have not answered by the deadline"
    );
    assert!(due[0].overdue());
    let m = run(
        &e,
        id,
        SECRETARY_CG,
        MatterCommand::WorkInResponses {
            at: at("cg-social"),
            comments_handled: 101,
        },
    );
    assert_eq!(steps(&m), ["final-proposal"]);
    let m = run(
        &e,
        id,
        SECRETARY_CG,
        MatterCommand::Prepare {
            at: at("cg-social"),
            recommendation: Some("färdigt förslag för beslut".into()),
        },
    );
    // The three readiness forums confirm the same final proposal: all are current, so
    // each can be put on its agenda before the one before it has met.
    assert_eq!(
        steps(&m),
        [
            "cg-social-readiness",
            "kcrd-readiness",
            "steering-readiness"
        ]
    );
    e.clock().set_date(d(2024, 5, 10));
    for (sec, meeting) in [
        (SECRETARY_COUNCILS, "steering-home-health-care-2024-05-28"),
        (SECRETARY_CG, "cg-social-2024-05-30"),
        ("secretary-kcrd", "kcrd-2024-06-12"),
    ] {
        run(
            &e,
            id,
            sec,
            MatterCommand::Schedule {
                meeting: MeetingId::new(meeting),
            },
        );
    }
    // ...but none decides before the forum before it has.
    let err = e
        .run_matter(
            id,
            &who(SECRETARY_CG),
            MatterCommand::CheckReadiness {
                at: at("cg-social"),
                ready: true,
                note: None,
            },
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::Matter(MatterError::WaitsFor { .. })),
        "{err}"
    );
    e.clock().set_date(d(2024, 5, 28));
    run(
        &e,
        id,
        SECRETARY_COUNCILS,
        MatterCommand::CheckReadiness {
            at: minutes("steering-home-health-care-2024-05-28", 3),
            ready: true,
            note: None,
        },
    );
    e.clock().set_date(d(2024, 5, 30));
    run(
        &e,
        id,
        SECRETARY_CG,
        MatterCommand::CheckReadiness {
            at: minutes("cg-social-2024-05-30", 5),
            ready: true,
            note: None,
        },
    );
    e.clock().set_date(d(2024, 6, 12));
    let m = run(
        &e,
        id,
        "secretary-kcrd",
        MatterCommand::ForwardToPolitical {
            at: minutes("kcrd-2024-06-12", 8),
        },
    );
    assert_eq!(steps(&m), ["council-recommendation"]);
    e.clock().set_date(d(2024, 9, 13));
    let m = run(
        &e,
        id,
        SECRETARY_COUNCILS,
        MatterCommand::Recommend {
            at: minutes("council-regional-2024-09-13", 4),
            to: None,
            recommendation: "parterna antar överenskommelsen".into(),
        },
    );
    assert_eq!(m.status, MatterStatus::PoliticalProcess);
    let parties: Vec<PartyId> = e.org().signatories().map(|p| p.id.clone()).collect();
    assert_eq!(parties.len(), 13);
    let (last, rest) = parties.split_last().unwrap();
    e.clock().set_date(d(2024, 11, 30));
    for p in rest {
        run(
            &e,
            id,
            &format!("secretary-{p}-ks").replace("region-ks", "region-rs"),
            MatterCommand::RecordPoliticalDecision {
                party: p.clone(),
                decision: PartyDecision::Adopted,
                minutes: None,
                on: None,
            },
        );
    }
    // The stored matter's forecast takes the twelve recorded decisions as they are and
    // forecasts only the thirteenth party's.
    let f = e.read().forecast(id, &[]).unwrap();
    let pol = f
        .steps
        .iter()
        .find(|s| s.parties.len() == 13)
        .expect("the political step ahead");
    for p in rest {
        let pf = pol.parties.iter().find(|x| &x.party == p).unwrap();
        assert_eq!(
            (pf.date, &pf.meeting),
            (Some(d(2024, 11, 30)), &None),
            "{pf:?}"
        );
        assert_eq!(pf.decided, Some(arende::forecast::Decided::Adopted));
    }
    let open = pol.parties.iter().find(|x| &x.party == last).unwrap();
    assert_eq!(open.decided, None);
    assert_ne!(open.date, Some(d(2024, 11, 30)), "{open:?}");
    let err = e
        .run_matter(
            id,
            &who("secretary-kcrd"),
            MatterCommand::EnterIntoForce {
                on: d(2025, 1, 1),
                valid_until: None,
                override_reason: None,
            },
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Matter(MatterError::NotReady {
                adopted: 12,
                needed: 13,
                ..
            })
        ),
        "{err}"
    );
    let m = run(
        &e,
        id,
        &format!("secretary-{last}-ks").replace("region-ks", "region-rs"),
        MatterCommand::RecordPoliticalDecision {
            party: last.clone(),
            decision: PartyDecision::Adopted,
            minutes: None,
            on: None,
        },
    );
    assert_eq!(
        (m.status, m.conclusion),
        (MatterStatus::Decided, Some(Conclusion::Adopted))
    );
    // Before the decisions are in legal force (laga kraft), entry into force waits.
    let err = e
        .run_matter(
            id,
            &who("secretary-kcrd"),
            MatterCommand::EnterIntoForce {
                on: d(2025, 1, 1),
                valid_until: None,
                override_reason: None,
            },
        )
        .unwrap_err();
    assert!(
        matches!(&err, Error::Matter(MatterError::NotInLegalForce { waiting_for, .. }) if waiting_for.len() == 13),
        "{err}"
    );
    // Each party's minutes adjusted on 2 December, the notice on its notice board on
    // the 3rd: three weeks is Christmas Eve, so the appeal period runs to Friday 27
    // December and every decision is in legal force on the 28th.
    e.clock().set_date(d(2024, 12, 3));
    for p in &parties {
        let secretary = format!("secretary-{p}-ks").replace("region-ks", "region-rs");
        run(
            &e,
            id,
            &secretary,
            MatterCommand::RecordPartyAdjustment {
                party: p.clone(),
                on: Some(d(2024, 12, 2)),
            },
        );
        let m = run(
            &e,
            id,
            &secretary,
            MatterCommand::RecordAnnouncement {
                party: p.clone(),
                on: Some(d(2024, 12, 3)),
            },
        );
        assert_eq!(m.legal[p].appeal_ends, Some(d(2024, 12, 27)));
        assert_eq!(m.legal[p].legal_force, Some(d(2024, 12, 28)));
    }
    // The forecast reads the recorded road to legal force: in force on the 28th, not
    // on the last lawful days counted from the decisions.
    let f = e.read().forecast(id, &[]).unwrap();
    let entry = f.steps.last().expect("entry into force ahead");
    assert_eq!(entry.date, Some(d(2024, 12, 28)), "{entry:?}");
    let board = e.read().notice_board(last).unwrap();
    assert_eq!(board.len(), 1);
    assert_eq!(board[0].legal_force, d(2024, 12, 28));
    let m = run(
        &e,
        id,
        "secretary-kcrd",
        MatterCommand::EnterIntoForce {
            on: d(2025, 1, 1),
            valid_until: None,
            override_reason: None,
        },
    );
    assert_eq!(m.status, MatterStatus::InForce);
    assert!(m.active.is_empty());
    // Every decision step names its body and the § of its minutes.
    let kcrd = m
        .done
        .iter()
        .find(|o| o.step.as_str() == "kcrd-readiness")
        .unwrap();
    assert_eq!(
        kcrd.at
            .as_ref()
            .unwrap()
            .minutes
            .as_ref()
            .unwrap()
            .paragraph,
        8
    );
    // Jan was told of every change by e-mail.
    assert!(!m.owes_feedback());
    let told = e
        .store()
        .claim(
            chrono::DateTime::<chrono::Utc>::MAX_UTC,
            chrono::Duration::zero(),
            usize::MAX,
        )
        .unwrap()
        .into_iter()
        .filter(|r| {
            r.message.kind == "feedback" && r.message.payload.contains("jan.sundelius@example.se")
        })
        .count();
    assert!(told >= 25, "feedback at each step, got {told}");
}

#[test]
fn family_centre_agreement_presented_off_the_route_with_comments_by_new_year() {
    let e = engine(d(2024, 3, 1));
    // KCRD's assignment to a project lead to revise the old agreement.
    let mut s = SubmitMatter::new(
        MatterKind::Agreement,
        "Revidering av överenskommelse om familjecentraler",
        "kcrd",
    );
    s.submitter = Some(PersonId::new("monica-moller"));
    s.issuer = Some(BodyId::new("kcrd"));
    let x = e.submit_matter(&who("secretary-kcrd"), s).unwrap();
    let id = x.state.id.unwrap();
    let fb = e
        .store()
        .claim(
            chrono::DateTime::<chrono::Utc>::MAX_UTC,
            chrono::Duration::zero(),
            usize::MAX,
        )
        .unwrap();
    let n: arende::notification::Notification =
        serde_json::from_str(&fb[0].message.payload).unwrap();
    assert_eq!(n.kind, NotificationKind::Feedback);
    assert_eq!(n.recipients[0].reason, RecipientReason::Submitter);
    run(
        &e,
        id,
        "secretary-kcrd",
        MatterCommand::Screen {
            screening: Screening::Handle {
                route: Some(RouteId::new("county-agreement")),
            },
        },
    );
    // Information to the specific council, 17 May 2024: a presentation off the route.
    run(
        &e,
        id,
        SECRETARY_COUNCILS,
        MatterCommand::Schedule {
            meeting: MeetingId::new("council-social-2024-05-17"),
        },
    );
    e.clock().set_date(d(2024, 5, 17));
    let m = run(
        &e,
        id,
        SECRETARY_COUNCILS,
        MatterCommand::Present {
            at: at("council-social"),
        },
    );
    assert_eq!(
        steps(&m),
        ["draft"],
        "a presentation does not move the matter"
    );
    run(
        &e,
        id,
        "monica-moller",
        MatterCommand::Prepare {
            at: at("kcrd"),
            recommendation: None,
        },
    );
    // The preparatory group (15 Oct) is not the deciding body.
    e.clock().set_date(d(2024, 10, 15));
    let err = e
        .run_matter(
            id,
            &who(SECRETARY_SBU),
            MatterCommand::Decide {
                at: at("sbu"),
                approved: true,
                clauses: vec![],
            },
        )
        .unwrap_err();
    let Error::Matter(MatterError::MandateExceeded {
        body,
        mandate,
        holders,
    }) = err
    else {
        panic!("{err}")
    };
    assert_eq!((body.as_str(), mandate), ("sbu", Mandate::Decide));
    assert!(
        holders.contains(&BodyId::new("cg-social")) && holders.contains(&BodyId::new("kcrd")),
        "{holders:?}"
    );
    // The joint chief group, 15 November: presented, comments by 31 December 2024.
    e.clock().set_date(d(2024, 11, 15));
    let m = run(
        &e,
        id,
        SECRETARY_CG,
        MatterCommand::SendOnRemiss(RemissOrder {
            at: minutes("cg-joint-2024-11-15", 6),
            recipients: vec![],
            deadline: d(2024, 12, 31),
            receivers: vec!["monica.moller@example.se".into()],
            edition: None,
        }),
    );
    assert_eq!(m.remiss.as_ref().unwrap().deadline, d(2024, 12, 31));
    let due = e.read().remiss_deadlines(d(2024, 12, 17)).unwrap();
    assert_eq!(
        (due.len(), due[0].days_left),
        (1, 14),
        "a reminder two weeks ahead"
    );
    // Withdrawal belongs to the project lead or KCRD, not to the secretary of the group.
    let err = e
        .run_matter(
            id,
            &who(SECRETARY_CG),
            MatterCommand::Withdraw { reason: None },
        )
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Matter(MatterError::MayNotWithdraw { .. })
    ));
}

#[test]
fn unbroken_schooling_is_decided_by_the_chief_groups_without_a_political_level() {
    let e = engine(d(2024, 9, 1));
    let mut s = SubmitMatter::new(
        MatterKind::Routine,
        "Överenskommelse om obruten skolgång för placerade barn",
        "sbu",
    );
    s.submitter = Some(PersonId::new("tarja-nordling"));
    let id = e
        .submit_matter(&who(SECRETARY_SBU), s)
        .unwrap()
        .state
        .id
        .unwrap();
    run(
        &e,
        id,
        SECRETARY_SBU,
        MatterCommand::Screen {
            screening: Screening::Handle { route: None },
        },
    );
    run(
        &e,
        id,
        "tarja-nordling",
        MatterCommand::Prepare {
            at: at("wg-unbroken-schooling"),
            recommendation: None,
        },
    );
    e.clock().set_date(d(2024, 10, 15));
    let m = run(
        &e,
        id,
        SECRETARY_SBU,
        MatterCommand::Prepare {
            at: minutes("sbu-2024-10-15", 7),
            recommendation: Some(
                "dragning för chefsgrupperna den 15 november, beslut våren 2025".into(),
            ),
        },
    );
    assert_eq!(steps(&m), ["cg-information"]);
    // On 15 Nov the item is information only: the decision step is not yet current.
    e.clock().set_date(d(2024, 11, 15));
    let err = e
        .run_matter(
            id,
            &who(SECRETARY_CG),
            MatterCommand::Decide {
                at: at("cg-joint"),
                approved: true,
                clauses: vec![],
            },
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::Matter(MatterError::StepMismatch { .. })),
        "{err}"
    );
    run(
        &e,
        id,
        SECRETARY_CG,
        MatterCommand::Present {
            at: minutes("cg-joint-2024-11-15", 4),
        },
    );
    run(
        &e,
        id,
        SECRETARY_CG,
        MatterCommand::SendOnRemiss(RemissOrder {
            at: at("cg-joint"),
            recipients: vec![],
            deadline: d(2025, 1, 31),
            receivers: vec![],
            edition: Some("remissupplaga".into()),
        }),
    );
    assert_eq!(
        e.read()
            .matter(id)
            .unwrap()
            .remiss
            .unwrap()
            .recipients
            .len(),
        12,
        "the twelve municipalities"
    );
    e.clock().set_date(d(2025, 2, 14));
    run(
        &e,
        id,
        SECRETARY_CG,
        MatterCommand::WorkInResponses {
            at: at("cg-joint"),
            comments_handled: 40,
        },
    );
    let m = run(
        &e,
        id,
        SECRETARY_CG,
        MatterCommand::Decide {
            at: at("cg-joint"),
            approved: true,
            clauses: vec!["anta överenskommelsen".into()],
        },
    );
    assert_eq!(
        (m.status, m.conclusion),
        (
            MatterStatus::Decided,
            Some(Conclusion::DecidedWithinMandate)
        )
    );
    assert!(
        e.read()
            .matters_at(&BodyId::new("cg-joint"), Some(MatterStatus::Decided))
            .unwrap()
            .iter()
            .any(|s| s.id == id)
    );
    let _ = e.clock().today();
}
