//! Given/when/then tests of every matter transition and every refusal, on the test
//! county of [`crate::testing`].

use std::sync::Arc;

use super::*;
use crate::aggregate::{Aggregate, fold};
use crate::authz::Action;
use crate::clock::SimulatedClock;
use crate::command::{CommandOptions, Executed};
use crate::engine::Engine;
use crate::error::Error;
use crate::ids::MinutesRef;
use crate::ids::{BodyId, MatterId, MeetingId, PartyId, RouteId};
use crate::notification::{Notification, NotificationKind, RecipientReason};
use crate::org::{Mandate, Role};
use crate::store::{MemoryStore, Outbox, StoreError};
use crate::subscription::{FollowTarget, Follower};
use crate::testing::{self, d, person, system};

type TestEngine = Engine<Arc<MemoryStore>, Arc<SimulatedClock>>;

fn at(b: &str) -> At {
    At::body(b)
}

fn b(id: &str) -> BodyId {
    BodyId::new(id)
}

fn p(id: &str) -> PartyId {
    PartyId::new(id)
}

/// A matter in a test engine: the given part of given/when/then.
struct Given {
    e: TestEngine,
    id: MatterId,
}

impl Given {
    /// A matter of `kind` submitted to `body` by `anna` herself.
    fn submitted(kind: MatterKind, body: &str) -> Given {
        Given::submitted_in(testing::engine(), kind, body, "anna")
    }

    fn submitted_in(e: TestEngine, kind: MatterKind, body: &str, by: &str) -> Given {
        let x = e
            .submit_matter(
                &person(by),
                SubmitMatter::new(kind, "Överenskommelse om X", body),
            )
            .expect("submission accepted");
        let id = x.state.id.expect("id set");
        Given { e, id }
    }

    /// An agreement accepted on the county-wide route, at `prep` (sbu).
    fn on_county_route() -> Given {
        let g = Given::submitted(MatterKind::Agreement, "sbu");
        g.ok(
            "sbu-sec",
            MatterCommand::Screen {
                screening: Screening::Handle { route: None },
            },
        );
        g
    }

    /// A routine accepted on the chief-group route, at `draft` (wg).
    fn on_chief_route() -> Given {
        let g = Given::submitted(MatterKind::Routine, "sbu");
        g.ok(
            "sbu-sec",
            MatterCommand::Screen {
                screening: Screening::Handle { route: None },
            },
        );
        g
    }

    fn run(&self, actor: &str, c: MatterCommand) -> crate::Result<Executed<Matter>> {
        let a = if actor == "system" {
            system()
        } else {
            person(actor)
        };
        self.e.run_matter(self.id, &a, c)
    }

    /// When `actor` runs `c`, then it is accepted.
    fn ok(&self, actor: &str, c: MatterCommand) -> Executed<Matter> {
        let name = c.name();
        match self.run(actor, c) {
            Ok(x) => x,
            Err(e) => panic!("{name} by {actor} refused: {e}"),
        }
    }

    /// When `actor` runs `c`, then it is refused and nothing is written.
    fn refused(&self, actor: &str, c: MatterCommand) -> Error {
        let before = self.events().len();
        let outbox = self.outbox().len();
        let err = match self.run(actor, c) {
            Ok(x) => panic!("accepted, wrote {:?}", x.events),
            Err(e) => e,
        };
        assert_eq!(self.events().len(), before, "a refusal wrote events");
        assert_eq!(self.outbox().len(), outbox, "a refusal wrote notifications");
        err
    }

    fn state(&self) -> Matter {
        self.e.read().matter(self.id).expect("matter exists")
    }

    fn events(&self) -> Vec<crate::store::RecordedEvent> {
        let stream = TestEngine::stream_of::<Matter>(&self.id.to_string());
        use crate::store::EventStore;
        self.e
            .store()
            .read_stream(&self.e.org().tenant, &stream, 1)
            .expect("readable")
    }

    fn outbox(&self) -> Vec<Notification> {
        outbox(&self.e)
    }

    fn active(&self) -> Vec<String> {
        self.state()
            .active
            .iter()
            .map(|a| a.step.to_string())
            .collect()
    }
}

fn outbox(e: &TestEngine) -> Vec<Notification> {
    let claimed = e
        .store()
        .claim(
            chrono::DateTime::<chrono::Utc>::MAX_UTC,
            chrono::Duration::zero(),
            usize::MAX,
        )
        .expect("claimable");
    claimed
        .iter()
        .map(|r| serde_json::from_str(&r.message.payload).expect("notification json"))
        .collect()
}

fn matter_err(e: Error) -> MatterError {
    match e {
        Error::Matter(m) => m,
        other => panic!("expected a matter refusal, got {other:?}"),
    }
}

fn minutes(meeting: &str, paragraph: u32) -> MinutesRef {
    MinutesRef {
        meeting: MeetingId::new(meeting),
        paragraph,
    }
}

fn sorted(mut v: Vec<BodyId>) -> Vec<BodyId> {
    v.sort();
    v
}

// ---- submission and screening ----

#[test]
fn submission_registers_the_matter_with_case_numbers() {
    let e = testing::engine();
    let mut s = SubmitMatter::new(MatterKind::Agreement, "Familjecentral", "sbu");
    s.case_numbers.insert(p("region"), "RS 24/123".into());
    s.case_numbers.insert(p("orebro"), "KS 24/9".into());
    let x = e.submit_matter(&person("anna"), s).unwrap();
    let m = &x.state;
    assert_eq!(m.status, MatterStatus::Registered);
    assert_eq!(m.submitter.as_str(), "anna");
    assert_eq!(m.body, b("sbu"));
    assert_eq!(m.case_numbers.len(), 2);
    assert_eq!(m.registered_on, d(2024, 10, 1));
    // The submitter did it herself: she knows, nothing is owed, nobody to notify.
    assert!(!m.owes_feedback());
    assert!(outbox(&e).is_empty());
    let g = Given {
        e,
        id: m.id.unwrap(),
    };
    g.ok(
        "system",
        MatterCommand::RegisterCaseNumber {
            party: p("askersund"),
            number: "KS 2024/77".into(),
        },
    );
    assert_eq!(g.state().case_numbers[&p("askersund")], "KS 2024/77");
}

#[test]
fn a_secretary_submitting_for_someone_gives_them_feedback() {
    let e = testing::engine();
    let mut s = SubmitMatter::new(MatterKind::Report, "Årsberättelse", "sbu");
    s.submitter = Some("anna".into());
    let x = e.submit_matter(&person("sbu-sec"), s).unwrap();
    assert!(matches!(
        x.events.last(),
        Some(MatterEvent::FeedbackGiven {
            through: 1,
            manual: false,
            ..
        })
    ));
    assert!(!x.state.owes_feedback());
    let out = outbox(&e);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].kind, NotificationKind::Feedback);
    assert_eq!(out[0].recipients[0].reason, RecipientReason::Submitter);
    assert!(
        matches!(
            &out[0].changes[..],
            [crate::notification::Change::Submitted { .. }]
        ),
        "{:?}",
        out[0].changes
    );
}

#[test]
fn screening_as_information_then_presented_and_filed() {
    let g = Given::submitted(MatterKind::Information, "sbu");
    g.ok(
        "sbu-chair",
        MatterCommand::Screen {
            screening: Screening::InformationItem,
        },
    );
    assert_eq!(g.state().status, MatterStatus::InformationItem);
    g.ok(
        "sbu-sec",
        MatterCommand::Schedule {
            meeting: MeetingId::new("sbu-2024-10-15"),
        },
    );
    assert_eq!(g.state().scheduled, Some(MeetingId::new("sbu-2024-10-15")));
    let x = g.ok(
        "sbu-sec",
        MatterCommand::Present {
            at: At::minutes("sbu", minutes("sbu-2024-10-15", 4)),
        },
    );
    assert_eq!(x.state.scheduled, None);
    let x = g.ok("sbu-sec", MatterCommand::File { at: at("sbu") });
    assert_eq!(x.state.status, MatterStatus::Closed(Closure::Filed));
}

#[test]
fn screening_accepts_onto_the_default_route_of_the_kind() {
    let g = Given::on_county_route();
    let m = g.state();
    assert_eq!(m.status, MatterStatus::InProgress);
    assert_eq!(m.route, Some(RouteId::new("county-agreement")));
    assert_eq!(g.active(), ["prep"]);
    assert_eq!(m.current_bodies(), [&b("sbu")]);
}

#[test]
fn screening_redirects_to_another_body_which_screens_again() {
    let g = Given::submitted(MatterKind::Agreement, "sbu");
    g.ok(
        "sbu-sec",
        MatterCommand::Screen {
            screening: Screening::Redirect {
                to: b("cg-social"),
                reason: "gäller vuxna".into(),
            },
        },
    );
    let m = g.state();
    assert_eq!(
        (m.status, m.body.clone()),
        (MatterStatus::Registered, b("cg-social"))
    );
    // sbu's secretary no longer screens it; cg-social's does.
    let err = g.refused(
        "sbu-sec",
        MatterCommand::Screen {
            screening: Screening::InformationItem,
        },
    );
    assert!(matches!(
        err,
        Error::NotPermitted {
            action: Action::Screen,
            ..
        }
    ));
    g.ok(
        "cg-sec",
        MatterCommand::Screen {
            screening: Screening::InformationItem,
        },
    );
}

#[test]
fn screening_answers_directly_and_closes() {
    let g = Given::submitted(MatterKind::Information, "sbu");
    let x = g.ok(
        "sbu-sec",
        MatterCommand::Screen {
            screening: Screening::AnswerDirectly {
                answer: "Se rutinen från 2023".into(),
            },
        },
    );
    assert_eq!(
        x.state.status,
        MatterStatus::Closed(Closure::AnsweredDirectly)
    );
}

#[test]
fn screening_without_a_route_for_the_kind_is_refused() {
    let g = Given::submitted(MatterKind::Contract, "sbu");
    let err = matter_err(g.refused(
        "sbu-sec",
        MatterCommand::Screen {
            screening: Screening::Handle { route: None },
        },
    ));
    assert_eq!(err, MatterError::NoRoute { kind: "contract" });
}

// ---- meetings: scheduling, dropping, tabling ----

#[test]
fn dropped_from_the_agenda_moves_to_the_next_meeting_and_tells_the_submitter() {
    let g = Given::on_county_route();
    g.ok(
        "sbu-sec",
        MatterCommand::Schedule {
            meeting: MeetingId::new("sbu-2024-10-15"),
        },
    );
    let x = g.ok(
        "sbu-sec",
        MatterCommand::DropFromAgenda {
            meeting: MeetingId::new("sbu-2024-10-15"),
            reason: Some("tidsbrist".into()),
        },
    );
    assert_eq!(x.state.scheduled, Some(MeetingId::new("sbu-2024-12-13")));
    let fb = g
        .outbox()
        .into_iter()
        .rfind(|n| n.kind == NotificationKind::Feedback)
        .unwrap();
    assert!(
        fb.changes.iter().any(|c| matches!(
            c,
            crate::notification::Change::Dropped { moved_to: Some(m), on: Some(day), .. }
                if m.as_str() == "sbu-2024-12-13" && *day == d(2024, 12, 13)
        )),
        "{:?}",
        fb.changes
    );
    // It is no longer on the October agenda.
    let err = matter_err(g.refused(
        "sbu-sec",
        MatterCommand::DropFromAgenda {
            meeting: MeetingId::new("sbu-2024-10-15"),
            reason: None,
        },
    ));
    assert_eq!(
        err,
        MatterError::NotScheduled {
            meeting: MeetingId::new("sbu-2024-10-15")
        }
    );
}

#[test]
fn tabled_matters_stay_at_the_body_until_its_next_meeting() {
    let g = Given::on_county_route();
    g.ok(
        "sbu-sec",
        MatterCommand::Schedule {
            meeting: MeetingId::new("sbu-2024-10-15"),
        },
    );
    let x = g.ok(
        "sbu-sec",
        MatterCommand::Table {
            at: At::minutes("sbu", minutes("sbu-2024-10-15", 7)),
        },
    );
    assert_eq!(x.state.scheduled, Some(MeetingId::new("sbu-2024-12-13")));
    assert_eq!(g.active(), ["prep"]);
}

#[test]
fn scheduling_checks_the_meeting() {
    let g = Given::on_county_route();
    let err = g.refused(
        "sbu-sec",
        MatterCommand::Schedule {
            meeting: MeetingId::new("nope"),
        },
    );
    assert!(matches!(
        err,
        Error::Unknown {
            kind: "meeting",
            ..
        }
    ));
    // Another body's meeting: only its own secretary puts the matter on its agenda (a
    // presentation off the route), and it is noted there.
    let err = g.refused(
        "sbu-sec",
        MatterCommand::Schedule {
            meeting: MeetingId::new("kcrd-2025-01-20"),
        },
    );
    assert!(matches!(
        err,
        Error::NotPermitted {
            action: Action::Schedule,
            ..
        }
    ));
    let x = g.ok(
        "kcrd-sec",
        MatterCommand::Schedule {
            meeting: MeetingId::new("kcrd-2025-01-20"),
        },
    );
    assert!(matches!(&x.events[0], MatterEvent::Scheduled { body, .. } if body == &b("kcrd")));
    let x = g.ok("kcrd-sec", MatterCommand::Present { at: at("kcrd") });
    assert_eq!(
        x.state.active.len(),
        1,
        "a presentation off the route moves nothing"
    );
    // An information item is presented where it was submitted.
    let info = Given::submitted(MatterKind::Information, "sbu");
    info.ok(
        "sbu-sec",
        MatterCommand::Screen {
            screening: Screening::InformationItem,
        },
    );
    let err = matter_err(info.refused(
        "kcrd-sec",
        MatterCommand::Schedule {
            meeting: MeetingId::new("kcrd-2025-01-20"),
        },
    ));
    assert!(matches!(err, MatterError::WrongMeeting { .. }));
    g.e.clock().set_date(d(2024, 10, 20));
    let err = matter_err(g.refused(
        "sbu-sec",
        MatterCommand::Schedule {
            meeting: MeetingId::new("sbu-2024-10-15"),
        },
    ));
    assert!(matches!(err, MatterError::InvalidDate { .. }));
}

// ---- the county-wide route, end to end ----

fn through_remiss(g: &Given) {
    g.ok(
        "sbu-sec",
        MatterCommand::Prepare {
            at: At::minutes("sbu", minutes("sbu-2024-10-15", 5)),
            recommendation: Some("skicka på remiss".into()),
        },
    );
    assert_eq!(g.active(), ["remiss"]);
    g.ok(
        "sbu-sec",
        MatterCommand::SendOnRemiss(RemissOrder {
            at: at("sbu"),
            recipients: vec![],
            deadline: d(2024, 12, 31),
            receivers: vec!["processledare@example.se".into()],
            edition: Some("remissupplaga 1".into()),
        }),
    );
    g.ok(
        "sbu-sec",
        MatterCommand::RecordRemissResponse {
            recipient: RemissRecipient::Party(p("askersund")),
            comments: 60,
            received_on: None,
        },
    );
    g.ok(
        "sbu-sec",
        MatterCommand::WorkInResponses {
            at: at("sbu"),
            comments_handled: 101,
        },
    );
    assert_eq!(g.active(), ["steering"]);
}

fn to_political(g: &Given) {
    through_remiss(g);
    for (who, body) in [("steering-sec", "steering"), ("cg-sec", "cg-social")] {
        g.ok(
            who,
            MatterCommand::CheckReadiness {
                at: at(body),
                ready: true,
                note: None,
            },
        );
    }
    assert_eq!(g.active(), ["kcrd"]);
    g.ok(
        "kcrd-sec",
        MatterCommand::ForwardToPolitical {
            at: At::minutes("kcrd", minutes("kcrd-2025-01-20", 12)),
        },
    );
    g.ok(
        "council-sec",
        MatterCommand::Recommend {
            at: at("council"),
            to: None,
            recommendation: "anta överenskommelsen".into(),
        },
    );
    assert_eq!(g.state().status, MatterStatus::PoliticalProcess);
}

/// Records the adjustment of the party's minutes and the notice on its notice board,
/// both today.
fn announced(g: &Given, party: &str) -> Executed<Matter> {
    g.ok(
        &format!("{party}-sec"),
        MatterCommand::RecordPartyAdjustment {
            party: p(party),
            on: None,
        },
    );
    g.ok(
        &format!("{party}-sec"),
        MatterCommand::RecordAnnouncement {
            party: p(party),
            on: None,
        },
    )
}

fn political(g: &Given, party: &str, decision: PartyDecision) -> Executed<Matter> {
    g.ok(
        &format!("{party}-sec"),
        MatterCommand::RecordPoliticalDecision {
            party: p(party),
            decision,
            minutes: None,
            on: None,
        },
    )
}

#[test]
fn remiss_goes_to_the_route_recipients_and_missing_responses_are_visible() {
    let g = Given::on_county_route();
    g.ok(
        "sbu-sec",
        MatterCommand::Prepare {
            at: at("sbu"),
            recommendation: None,
        },
    );
    g.ok(
        "sbu-sec",
        MatterCommand::SendOnRemiss(RemissOrder {
            at: at("sbu"),
            recipients: vec![],
            deadline: d(2024, 12, 31),
            receivers: vec!["anna".into()],
            edition: None,
        }),
    );
    let remiss = g.state().remiss.unwrap();
    assert_eq!(
        remiss.recipients,
        [
            RemissRecipient::Party(p("askersund")),
            RemissRecipient::Party(p("orebro"))
        ]
    );
    let sent = g
        .outbox()
        .into_iter()
        .find(|n| n.kind == NotificationKind::RemissSent)
        .unwrap();
    assert_eq!(sent.deadline, Some(d(2024, 12, 31)));
    let to: Vec<_> = sent
        .recipients
        .iter()
        .filter_map(|r| r.person.as_ref().map(|p| p.as_str()))
        .collect();
    assert_eq!(to, ["johanna", "sbu-chair", "sbu-member"]);
    g.ok(
        "sbu-sec",
        MatterCommand::RecordRemissResponse {
            recipient: RemissRecipient::Party(p("orebro")),
            comments: 41,
            received_on: None,
        },
    );
    let due = g.e.read().remiss_deadlines(d(2025, 1, 2)).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].missing, [RemissRecipient::Party(p("askersund"))]);
    assert!(due[0].overdue());
    assert_eq!(due[0].recipients, 2);
    // Refusals around the remiss.
    let err = matter_err(g.refused(
        "sbu-sec",
        MatterCommand::RecordRemissResponse {
            recipient: RemissRecipient::Party(p("orebro")),
            comments: 1,
            received_on: None,
        },
    ));
    assert!(matches!(err, MatterError::AlreadyAnswered { .. }));
    let err = matter_err(g.refused(
        "sbu-sec",
        MatterCommand::RecordRemissResponse {
            recipient: RemissRecipient::Party(p("region")),
            comments: 1,
            received_on: None,
        },
    ));
    assert!(matches!(err, MatterError::NotARecipient { .. }));
    let x = g.ok(
        "sbu-sec",
        MatterCommand::WorkInResponses {
            at: at("sbu"),
            comments_handled: 101,
        },
    );
    assert!(
        matches!(&x.events[0], MatterEvent::ResponsesWorkedIn { comments_handled: 101, missing, .. } if missing == &[RemissRecipient::Party(p("askersund"))])
    );
    assert!(
        g.e.read()
            .remiss_deadlines(d(2025, 1, 2))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn home_health_care_route_partial_adoption_waits_for_every_party() {
    let g = Given::on_county_route();
    to_political(&g);
    political(&g, "region", PartyDecision::Adopted);
    political(&g, "askersund", PartyDecision::Adopted);
    let m = g.state();
    assert_eq!(m.political_state(&p("orebro")), PoliticalState::NotYet);
    assert_eq!(m.status, MatterStatus::PoliticalProcess);
    let x = political(&g, "orebro", PartyDecision::Rejected);
    assert_eq!(x.state.conclusion, Some(Conclusion::PartiallyAdopted));
    assert_eq!(x.state.status, MatterStatus::Decided);
    let err = matter_err(g.refused(
        "kcrd-sec",
        MatterCommand::EnterIntoForce {
            on: d(2025, 1, 1),
            valid_until: None,
            override_reason: None,
        },
    ));
    assert_eq!(
        err,
        MatterError::NotReady {
            waiting_for: vec![p("orebro")],
            adopted: 2,
            needed: 3
        }
    );
}

#[test]
fn home_health_care_route_adopted_by_all_enters_into_force_and_is_followed_up() {
    let g = Given::on_county_route();
    to_political(&g);
    for party in ["region", "askersund", "orebro"] {
        political(&g, party, PartyDecision::Adopted);
    }
    let m = g.state();
    assert_eq!(
        (m.status, m.conclusion),
        (MatterStatus::Decided, Some(Conclusion::Adopted))
    );
    assert_eq!(g.active(), ["force"]);
    for party in ["region", "askersund", "orebro"] {
        announced(&g, party);
    }
    let x = g.ok(
        "kcrd-sec",
        MatterCommand::EnterIntoForce {
            on: d(2025, 1, 1),
            valid_until: Some(d(2026, 12, 31)),
            override_reason: None,
        },
    );
    assert_eq!(x.state.status, MatterStatus::InForce);
    assert_eq!(x.state.in_force_for.len(), 3);
    assert_eq!(g.active(), ["follow-up"]);
    g.ok(
        "sbu-sec",
        MatterCommand::FollowUp {
            note: "fungerar".into(),
            next: Some(d(2025, 10, 1)),
        },
    );
    assert!(g.state().active.is_empty());
    g.ok(
        "sbu-sec",
        MatterCommand::Extend {
            until: d(2027, 12, 31),
        },
    );
    assert_eq!(g.state().valid_until, Some(d(2027, 12, 31)));
    let err = matter_err(g.refused(
        "sbu-sec",
        MatterCommand::Extend {
            until: d(2027, 6, 30),
        },
    ));
    assert!(matches!(err, MatterError::InvalidDate { .. }));
    // Every step names its body and, from minutes, the meeting and §.
    let kcrd = g
        .state()
        .done
        .into_iter()
        .find(|o| o.step.as_str() == "kcrd")
        .unwrap();
    assert_eq!(
        kcrd.at.unwrap().minutes,
        Some(minutes("kcrd-2025-01-20", 12))
    );
}

#[test]
fn a_quorum_lets_the_agreement_enter_into_force_before_every_party_decided() {
    let g = Given::submitted(MatterKind::Agreement, "kcrd");
    g.ok(
        "kcrd-sec",
        MatterCommand::Screen {
            screening: Screening::Handle {
                route: Some(RouteId::new("county-quorum")),
            },
        },
    );
    g.ok(
        "kcrd-sec",
        MatterCommand::ForwardToPolitical { at: at("kcrd") },
    );
    political(&g, "region", PartyDecision::Adopted);
    let err = matter_err(g.refused(
        "kcrd-sec",
        MatterCommand::EnterIntoForce {
            on: d(2025, 1, 1),
            valid_until: None,
            override_reason: None,
        },
    ));
    assert!(matches!(
        err,
        MatterError::NotReady {
            adopted: 1,
            needed: 2,
            ..
        }
    ));
    political(&g, "orebro", PartyDecision::Adopted);
    announced(&g, "region");
    announced(&g, "orebro");
    let x = g.ok(
        "kcrd-sec",
        MatterCommand::EnterIntoForce {
            on: d(2025, 1, 1),
            valid_until: None,
            override_reason: None,
        },
    );
    assert_eq!(x.state.status, MatterStatus::InForce);
    assert_eq!(x.state.in_force_for, [p("orebro"), p("region")]);
    // The last party may still decide; the matter stays in force.
    let x = political(&g, "askersund", PartyDecision::Rejected);
    assert_eq!(x.state.status, MatterStatus::InForce);
    assert_eq!(x.state.conclusion, Some(Conclusion::PartiallyAdopted));
}

#[test]
fn rejected_by_every_party_closes_the_matter() {
    let g = Given::submitted(MatterKind::Agreement, "kcrd");
    g.ok(
        "kcrd-sec",
        MatterCommand::Screen {
            screening: Screening::Handle {
                route: Some(RouteId::new("county-quorum")),
            },
        },
    );
    g.ok(
        "kcrd-sec",
        MatterCommand::ForwardToPolitical { at: at("kcrd") },
    );
    for party in ["region", "askersund", "orebro"] {
        political(&g, party, PartyDecision::Rejected);
    }
    assert_eq!(g.state().status, MatterStatus::Closed(Closure::Rejected));
}

#[test]
fn political_decisions_check_the_party() {
    let g = Given::on_county_route();
    to_political(&g);
    let err = g.refused(
        "system",
        MatterCommand::RecordPoliticalDecision {
            party: p("narnia"),
            decision: PartyDecision::Adopted,
            minutes: None,
            on: None,
        },
    );
    assert!(matches!(err, Error::Unknown { kind: "party", .. }));
    let err = matter_err(g.refused(
        "system",
        MatterCommand::RecordPoliticalDecision {
            party: p("lansstyrelsen"),
            decision: PartyDecision::Adopted,
            minutes: None,
            on: None,
        },
    ));
    assert_eq!(
        err,
        MatterError::NotAParty {
            party: p("lansstyrelsen")
        }
    );
    political(&g, "region", PartyDecision::Adopted);
    let err = matter_err(g.refused(
        "region-sec",
        MatterCommand::RecordPoliticalDecision {
            party: p("region"),
            decision: PartyDecision::Rejected,
            minutes: None,
            on: None,
        },
    ));
    assert!(matches!(err, MatterError::AlreadyDecided { .. }));
    // Only the party's own political body records its decision.
    let err = g.refused(
        "region-sec",
        MatterCommand::RecordPoliticalDecision {
            party: p("orebro"),
            decision: PartyDecision::Adopted,
            minutes: None,
            on: None,
        },
    );
    assert!(matches!(
        err,
        Error::NotPermitted {
            action: Action::RecordPoliticalDecision,
            ..
        }
    ));
}

#[test]
fn a_political_body_without_the_mandate_may_not_decide() {
    let mut org = testing::org();
    org.bodies
        .get_mut(&b("orebro-ks"))
        .unwrap()
        .mandates
        .remove(&Mandate::PoliticalDecision);
    let g = Given::submitted_in(
        testing::engine_for(org),
        MatterKind::Agreement,
        "kcrd",
        "anna",
    );
    g.ok(
        "kcrd-sec",
        MatterCommand::Screen {
            screening: Screening::Handle {
                route: Some(RouteId::new("county-quorum")),
            },
        },
    );
    g.ok(
        "kcrd-sec",
        MatterCommand::ForwardToPolitical { at: at("kcrd") },
    );
    let err = matter_err(g.refused(
        "orebro-sec",
        MatterCommand::RecordPoliticalDecision {
            party: p("orebro"),
            decision: PartyDecision::Adopted,
            minutes: None,
            on: None,
        },
    ));
    assert_eq!(
        err,
        MatterError::MandateExceeded {
            body: b("orebro-ks"),
            mandate: Mandate::PoliticalDecision,
            holders: vec![b("askersund-ks"), b("region-ks")],
        }
    );
}

// ---- the chief-group route: drafting, information, remiss without a body, parallel decisions ----

#[test]
fn unbroken_schooling_route_is_decided_by_both_chief_groups() {
    let g = Given::on_chief_route();
    assert_eq!(g.active(), ["draft"]);
    g.ok(
        "wg-sec",
        MatterCommand::Prepare {
            at: at("wg"),
            recommendation: None,
        },
    );
    g.ok(
        "sbu-sec",
        MatterCommand::Prepare {
            at: at("sbu"),
            recommendation: Some("informera chefsgrupperna".into()),
        },
    );
    // 15 Nov is information only at the joint chief group; comments by 31 December.
    g.ok(
        "cg-sec",
        MatterCommand::Present {
            at: At::minutes("cg-joint", minutes("cg-joint-2024-11-15", 3)),
        },
    );
    assert_eq!(g.active(), ["remiss"]);
    g.ok(
        "cg-sec",
        MatterCommand::SendOnRemiss(RemissOrder {
            at: at("cg-joint"),
            recipients: vec![
                RemissRecipient::Body(b("sbu")),
                RemissRecipient::Party(p("region")),
            ],
            deadline: d(2024, 12, 31),
            receivers: vec![],
            edition: None,
        }),
    );
    g.ok(
        "cg-sec",
        MatterCommand::WorkInResponses {
            at: at("cg-joint"),
            comments_handled: 12,
        },
    );
    let mut active = g.active();
    active.sort();
    assert_eq!(active, ["decide-school", "decide-social"]);
    g.ok(
        "cg-sec",
        MatterCommand::DecideDirection {
            at: at("cg-social"),
            direction: "fortsätt arbetet".into(),
        },
    );
    let x = g.ok(
        "cg-sec",
        MatterCommand::Decide {
            at: at("cg-social"),
            approved: true,
            clauses: vec!["anta rutinen".into()],
        },
    );
    assert_eq!(x.state.status, MatterStatus::InProgress);
    assert_eq!(x.state.current_bodies(), [&b("cg-school")]);
    let x = g.ok(
        "cg-sec",
        MatterCommand::Decide {
            at: at("cg-school"),
            approved: true,
            clauses: vec!["anta rutinen".into()],
        },
    );
    assert_eq!(x.state.status, MatterStatus::Decided);
    assert_eq!(x.state.conclusion, Some(Conclusion::DecidedWithinMandate));
    assert_eq!(g.active(), ["follow-up"]);
}

#[test]
fn a_rejection_by_the_deciding_body_closes_the_matter() {
    let g = Given::submitted(MatterKind::Agreement, "kcrd");
    g.ok(
        "kcrd-sec",
        MatterCommand::Screen {
            screening: Screening::Handle {
                route: Some(RouteId::new("county-quorum")),
            },
        },
    );
    let x = g.ok(
        "kcrd-sec",
        MatterCommand::Decide {
            at: at("kcrd"),
            approved: false,
            clauses: vec![],
        },
    );
    assert_eq!(x.state.status, MatterStatus::Closed(Closure::Rejected));
}

#[test]
fn referral_back_returns_to_the_preparing_body_with_instructions() {
    let g = Given::on_county_route();
    through_remiss(&g);
    for (who, body) in [("steering-sec", "steering"), ("cg-sec", "cg-social")] {
        g.ok(
            who,
            MatterCommand::CheckReadiness {
                at: at(body),
                ready: true,
                note: None,
            },
        );
    }
    let x = g.ok(
        "kcrd-sec",
        MatterCommand::ReferBack {
            at: at("kcrd"),
            to: None,
            instructions: "förtydliga finansieringen".into(),
        },
    );
    assert_eq!(g.active(), ["prep"]);
    assert!(
        x.state.done.is_empty(),
        "every step after prep is to be done again"
    );
    let fb = g.outbox().into_iter().last().unwrap();
    assert!(
        fb.changes
            .iter()
            .any(|c| matches!(c, crate::notification::Change::ReferredBack { .. })),
        "{:?}",
        fb.changes
    );
    // Named target: back to the steering group only.
    let g = Given::on_county_route();
    through_remiss(&g);
    for (who, body) in [("steering-sec", "steering"), ("cg-sec", "cg-social")] {
        g.ok(
            who,
            MatterCommand::CheckReadiness {
                at: at(body),
                ready: true,
                note: None,
            },
        );
    }
    g.ok(
        "kcrd-sec",
        MatterCommand::ReferBack {
            at: at("kcrd"),
            to: Some(b("steering")),
            instructions: "x".into(),
        },
    );
    assert_eq!(g.active(), ["steering"]);
    assert!(g.state().is_done(&"remiss".into()));
    // Nothing before the first step.
    let g = Given::on_county_route();
    let err = matter_err(g.refused(
        "sbu-sec",
        MatterCommand::ReferBack {
            at: at("sbu"),
            to: None,
            instructions: "x".into(),
        },
    ));
    assert_eq!(err, MatterError::NothingToReferBack { body: b("sbu") });
}

#[test]
fn readiness_not_given_keeps_the_matter_at_the_body() {
    let g = Given::on_county_route();
    through_remiss(&g);
    g.ok(
        "steering-sec",
        MatterCommand::CheckReadiness {
            at: at("steering"),
            ready: false,
            note: Some("inte klart".into()),
        },
    );
    assert_eq!(g.active(), ["steering"]);
}

#[test]
fn escalation_moves_an_information_item_onto_a_route() {
    let g = Given::submitted(MatterKind::Information, "sbu");
    g.ok(
        "sbu-sec",
        MatterCommand::Screen {
            screening: Screening::InformationItem,
        },
    );
    let x = g.ok(
        "sbu-sec",
        MatterCommand::Escalate {
            at: at("sbu"),
            route: RouteId::new("county-agreement"),
            reason: "kräver beslut".into(),
        },
    );
    assert_eq!(x.state.status, MatterStatus::InProgress);
    assert_eq!(g.active(), ["prep"]);
    let err = matter_err(g.refused(
        "sbu-sec",
        MatterCommand::Escalate {
            at: at("sbu"),
            route: RouteId::new("county-agreement"),
            reason: "igen".into(),
        },
    ));
    assert!(matches!(
        err,
        MatterError::InvalidInput { field: "route", .. }
    ));
}

#[test]
fn recommending_forwards_to_the_next_step() {
    let g = Given::on_chief_route();
    let x = g.ok(
        "wg-sec",
        MatterCommand::Prepare {
            at: at("wg"),
            recommendation: None,
        },
    );
    assert_eq!(x.state.current_bodies(), [&b("sbu")]);
    let x = g.ok(
        "sbu-sec",
        MatterCommand::Recommend {
            at: at("sbu"),
            to: Some(b("cg-joint")),
            recommendation: "notera informationen".into(),
        },
    );
    assert!(matches!(&x.events[0], MatterEvent::Recommended { to, .. } if to == &[b("cg-joint")]));
    assert_eq!(g.active(), ["info"]);
}

// ---- revision and extension ----

fn in_force() -> Given {
    let g = Given::submitted(MatterKind::Agreement, "kcrd");
    g.ok(
        "kcrd-sec",
        MatterCommand::Screen {
            screening: Screening::Handle {
                route: Some(RouteId::new("county-quorum")),
            },
        },
    );
    g.ok(
        "kcrd-sec",
        MatterCommand::ForwardToPolitical { at: at("kcrd") },
    );
    for party in ["region", "askersund", "orebro"] {
        political(&g, party, PartyDecision::Adopted);
        announced(&g, party);
    }
    g.ok(
        "kcrd-sec",
        MatterCommand::EnterIntoForce {
            on: d(2025, 1, 1),
            valid_until: Some(d(2025, 12, 31)),
            override_reason: None,
        },
    );
    g
}

#[test]
fn revision_starts_a_new_linked_matter_and_the_old_stays_in_force_until_it_enters_into_force() {
    let g = in_force();
    let mut s = SubmitMatter::new(
        MatterKind::Agreement,
        "Överenskommelse om X, version 2",
        "kcrd",
    );
    s.submitter = Some("anna".into());
    let new =
        g.e.revise_matter(g.id, &person("kcrd-sec"), s, CommandOptions::default())
            .unwrap();
    let new_id = new.state.id.unwrap();
    assert_eq!(new.state.revises, Some(g.id));
    assert_eq!(new.state.status, MatterStatus::Registered);
    assert_eq!(new.effects.revision_started, [g.id]);
    // The old stays in force while the revision runs its route, and may be extended
    // and followed up meanwhile.
    let old = g.state();
    assert_eq!(old.status, MatterStatus::InForce);
    assert_eq!(old.revision, Some(new_id));
    assert_eq!(old.revised_by, None);
    g.ok(
        "kcrd-sec",
        MatterCommand::Extend {
            until: d(2026, 6, 30),
        },
    );
    g.ok(
        "kcrd-sec",
        MatterCommand::FollowUp {
            note: "gäller till revideringen".into(),
            next: Some(d(2026, 3, 1)),
        },
    );
    // The end of the extension and the follow-up are watched.
    let due =
        g.e.read()
            .follow_ups_due(d(2026, 2, 1), d(2026, 7, 1))
            .unwrap();
    assert_eq!(
        due.iter().map(|x| (x.what, x.date)).collect::<Vec<_>>(),
        [
            ("follow-up", d(2026, 3, 1)),
            ("valid-until", d(2026, 6, 30))
        ]
    );
    // The revision takes its route to entry into force; only then is the old closed
    // as replaced.
    let run = |actor: &str, c: MatterCommand| {
        g.e.run_matter(new_id, &person(actor), c)
            .unwrap_or_else(|e| panic!("{e}"))
    };
    run(
        "kcrd-sec",
        MatterCommand::Screen {
            screening: Screening::Handle {
                route: Some(RouteId::new("county-quorum")),
            },
        },
    );
    run(
        "kcrd-sec",
        MatterCommand::ForwardToPolitical { at: at("kcrd") },
    );
    for party in ["region", "askersund", "orebro"] {
        run(
            &format!("{party}-sec"),
            MatterCommand::RecordPoliticalDecision {
                party: p(party),
                decision: PartyDecision::Adopted,
                minutes: None,
                on: None,
            },
        );
        run(
            &format!("{party}-sec"),
            MatterCommand::RecordPartyAdjustment {
                party: p(party),
                on: None,
            },
        );
        run(
            &format!("{party}-sec"),
            MatterCommand::RecordAnnouncement {
                party: p(party),
                on: None,
            },
        );
    }
    assert_eq!(g.state().status, MatterStatus::InForce);
    let entered = run(
        "kcrd-sec",
        MatterCommand::EnterIntoForce {
            on: d(2026, 7, 1),
            valid_until: None,
            override_reason: None,
        },
    );
    assert_eq!(entered.effects.revised, [g.id]);
    let old = g.state();
    assert_eq!(old.status, MatterStatus::Closed(Closure::Revised));
    assert_eq!(old.revised_by, Some(new_id));
    assert_eq!(old.revision, None);
    let err = matter_err(g.refused(
        "kcrd-sec",
        MatterCommand::FollowUp {
            note: "x".into(),
            next: None,
        },
    ));
    assert_eq!(
        err,
        MatterError::Closed {
            closure: Closure::Revised,
            command: "follow-up"
        }
    );
    let err = matter_err(g.refused(
        "kcrd-sec",
        MatterCommand::MarkRevised {
            by: MatterId::random(),
        },
    ));
    assert!(matches!(err, MatterError::Closed { .. }));
}

#[test]
fn a_revision_retried_with_the_same_ids_completes_once() {
    let g = in_force();
    let mut s = SubmitMatter::new(MatterKind::Agreement, "v2", "sbu");
    s.id = Some(MatterId::random());
    s.submitter = Some("anna".into());
    let opts = CommandOptions::with_id(crate::ids::CommandId::random());
    let a =
        g.e.revise_matter(g.id, &person("kcrd-sec"), s.clone(), opts)
            .unwrap();
    let b2 =
        g.e.revise_matter(g.id, &person("kcrd-sec"), s, opts)
            .unwrap();
    assert!(!a.duplicate);
    assert!(b2.duplicate);
    assert_eq!(a.state, b2.state);
}

// ---- withdrawal ----

#[test]
fn withdrawal_only_by_the_submitter_or_the_issuer() {
    let g = Given::on_county_route();
    let err = matter_err(g.refused("sbu-sec", MatterCommand::Withdraw { reason: None }));
    assert!(matches!(err, MatterError::MayNotWithdraw { .. }));
    let x = g.ok(
        "anna",
        MatterCommand::Withdraw {
            reason: Some("ersätts".into()),
        },
    );
    assert_eq!(x.state.status, MatterStatus::Closed(Closure::Withdrawn));

    let e = testing::engine();
    let mut s = SubmitMatter::new(MatterKind::Assignment, "Prioriteringsordning", "sbu");
    s.issuer = Some(b("kcrd"));
    let id = e.submit_matter(&person("bo"), s).unwrap().state.id.unwrap();
    let g = Given { e, id };
    g.ok(
        "kcrd-chair",
        MatterCommand::Withdraw {
            reason: Some("uppdraget återkallas".into()),
        },
    );
    assert_eq!(g.state().status, MatterStatus::Closed(Closure::Withdrawn));
}

// ---- refusals, as a table ----

#[test]
fn refusals_for_wrong_state() {
    let g = Given::submitted(MatterKind::Agreement, "sbu");
    let cases: Vec<(&str, MatterCommand)> = vec![
        (
            "sbu-sec",
            MatterCommand::Schedule {
                meeting: MeetingId::new("sbu-2024-10-15"),
            },
        ),
        (
            "sbu-sec",
            MatterCommand::Prepare {
                at: at("sbu"),
                recommendation: None,
            },
        ),
        ("sbu-sec", MatterCommand::Present { at: at("sbu") }),
        ("sbu-sec", MatterCommand::File { at: at("sbu") }),
        (
            "cg-sec",
            MatterCommand::Decide {
                at: at("cg-social"),
                approved: true,
                clauses: vec![],
            },
        ),
        (
            "kcrd-sec",
            MatterCommand::EnterIntoForce {
                on: d(2025, 1, 1),
                valid_until: None,
                override_reason: None,
            },
        ),
        (
            "kcrd-sec",
            MatterCommand::FollowUp {
                note: "x".into(),
                next: None,
            },
        ),
        (
            "kcrd-sec",
            MatterCommand::Extend {
                until: d(2026, 1, 1),
            },
        ),
        (
            "kcrd-sec",
            MatterCommand::MarkRevised {
                by: MatterId::random(),
            },
        ),
    ];
    for (actor, c) in cases {
        let name = c.name();
        let err = matter_err(g.refused(actor, c));
        assert_eq!(
            err,
            MatterError::InvalidTransition {
                from: MatterStatus::Registered,
                command: name
            }
        );
    }
    let err = matter_err(g.refused(
        "sbu-sec",
        MatterCommand::Submit(SubmitMatter::new(MatterKind::Agreement, "igen", "sbu")),
    ));
    assert!(matches!(err, MatterError::AlreadySubmitted { .. }));
}

#[test]
fn refusals_for_missing_mandate_name_the_holders_on_the_route() {
    let g = Given::on_chief_route();
    g.ok(
        "wg-sec",
        MatterCommand::Prepare {
            at: at("wg"),
            recommendation: None,
        },
    );
    // sbu is a preparatory group: it may not decide.
    let err = matter_err(g.refused(
        "sbu-sec",
        MatterCommand::Decide {
            at: at("sbu"),
            approved: true,
            clauses: vec![],
        },
    ));
    let MatterError::MandateExceeded {
        body,
        mandate,
        holders,
    } = err.clone()
    else {
        panic!("{err:?}");
    };
    assert_eq!((body, mandate), (b("sbu"), Mandate::Decide));
    assert_eq!(
        sorted(holders),
        [b("cg-joint"), b("cg-school"), b("cg-social")]
    );
    assert!(
        err.to_string().contains("sbu lacks the mandate to decide"),
        "{err}"
    );
    assert!(
        err.swedish().contains("saknar mandat att besluta"),
        "{}",
        err.swedish()
    );
    let table: Vec<(MatterCommand, Mandate)> = vec![
        (
            MatterCommand::DecideDirection {
                at: at("sbu"),
                direction: "x".into(),
            },
            Mandate::DirectionDecision,
        ),
        (
            MatterCommand::CheckReadiness {
                at: at("sbu"),
                ready: true,
                note: None,
            },
            Mandate::ReadinessCheck,
        ),
        (
            MatterCommand::ForwardToPolitical { at: at("sbu") },
            Mandate::ForwardToPolitical,
        ),
    ];
    for (c, m) in table {
        let err = matter_err(g.refused("sbu-sec", c));
        assert!(
            matches!(err, MatterError::MandateExceeded { ref body, mandate, .. } if body == &b("sbu") && mandate == m),
            "{err:?}"
        );
    }
    // Forwarding to political decision: only kcrd holds it, and it is not on this route.
    let g = Given::on_county_route();
    through_remiss(&g);
    g.ok(
        "steering-sec",
        MatterCommand::CheckReadiness {
            at: at("steering"),
            ready: true,
            note: None,
        },
    );
    let err = matter_err(g.refused(
        "cg-sec",
        MatterCommand::ForwardToPolitical {
            at: at("cg-social"),
        },
    ));
    assert_eq!(
        err,
        MatterError::MandateExceeded {
            body: b("cg-social"),
            mandate: Mandate::ForwardToPolitical,
            holders: vec![b("kcrd")],
        }
    );
}

#[test]
fn refusals_for_actors_not_permitted() {
    let g = Given::on_county_route();
    let err = g.refused(
        "sbu-member",
        MatterCommand::Schedule {
            meeting: MeetingId::new("sbu-2024-10-15"),
        },
    );
    let Error::NotPermitted {
        action,
        body,
        needed,
        ..
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (action, body, needed),
        (Action::Schedule, b("sbu"), vec![Role::Secretary])
    );
    let err = g.refused(
        "anna",
        MatterCommand::Prepare {
            at: at("sbu"),
            recommendation: None,
        },
    );
    assert!(matches!(
        err,
        Error::NotPermitted {
            action: Action::RecordOutcome,
            ..
        }
    ));
    let err = g.refused(
        "cg-sec",
        MatterCommand::Prepare {
            at: at("sbu"),
            recommendation: None,
        },
    );
    assert!(matches!(err, Error::NotPermitted { .. }));
    let g = Given::submitted(MatterKind::Agreement, "sbu");
    let err = g.refused(
        "anna",
        MatterCommand::Screen {
            screening: Screening::InformationItem,
        },
    );
    assert!(matches!(
        err,
        Error::NotPermitted {
            action: Action::Screen,
            ..
        }
    ));
}

#[test]
fn refusals_for_unknown_ids() {
    let e = testing::engine();
    let mut s = SubmitMatter::new(MatterKind::Agreement, "x", "sbu");
    s.case_numbers.insert(p("narnia"), "1".into());
    let err = e.submit_matter(&person("anna"), s).unwrap_err();
    assert!(matches!(err, Error::Unknown { kind: "party", ref id } if id == "narnia"));
    let err = e
        .submit_matter(
            &person("anna"),
            SubmitMatter::new(MatterKind::Agreement, "x", "atlantis"),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Unknown { kind: "body", .. }));
    let err = e
        .submit_matter(
            &person("nobody"),
            SubmitMatter::new(MatterKind::Agreement, "x", "sbu"),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Unknown { kind: "person", .. }));
    let err = e
        .submit_matter(
            &system(),
            SubmitMatter::new(MatterKind::Agreement, "x", "sbu"),
        )
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Matter(MatterError::InvalidInput {
            field: "submitter",
            ..
        })
    ));
    let err = e
        .submit_matter(
            &person("anna"),
            SubmitMatter::new(MatterKind::Agreement, "  ", "sbu"),
        )
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Matter(MatterError::InvalidInput { field: "title", .. })
    ));
    let err = e
        .run_matter(
            MatterId::random(),
            &system(),
            MatterCommand::MarkDocumentsReady,
        )
        .unwrap_err();
    assert!(matches!(err, Error::Unknown { kind: "matter", .. }));
    let g = Given::on_county_route();
    let err = g.refused(
        "system",
        MatterCommand::RegisterCaseNumber {
            party: p("narnia"),
            number: "1".into(),
        },
    );
    assert!(matches!(err, Error::Unknown { kind: "party", .. }));
    let err = g.refused(
        "sbu-sec",
        MatterCommand::Escalate {
            at: at("sbu"),
            route: RouteId::new("nope"),
            reason: "x".into(),
        },
    );
    assert!(matches!(err, Error::Unknown { kind: "route", .. }));
    let err = g.refused(
        "sbu-sec",
        MatterCommand::Present {
            at: At::minutes("sbu", minutes("nope", 1)),
        },
    );
    assert!(matches!(
        err,
        Error::Unknown {
            kind: "meeting",
            ..
        }
    ));
    let err = g.refused(
        "sbu-sec",
        MatterCommand::SendOnRemiss(RemissOrder {
            at: at("sbu"),
            recipients: vec![RemissRecipient::Party(p("narnia"))],
            deadline: d(2024, 12, 31),
            receivers: vec![],
            edition: None,
        }),
    );
    assert!(matches!(err, Error::Unknown { kind: "party", .. }));
}

#[test]
fn refusals_for_a_closed_matter() {
    let g = Given::on_county_route();
    g.ok("anna", MatterCommand::Withdraw { reason: None });
    for (actor, c) in [
        ("sbu-sec", MatterCommand::Present { at: at("sbu") }),
        ("anna", MatterCommand::Withdraw { reason: None }),
        (
            "sbu-sec",
            MatterCommand::Extend {
                until: d(2026, 1, 1),
            },
        ),
        (
            "system",
            MatterCommand::RegisterCaseNumber {
                party: p("region"),
                number: "1".into(),
            },
        ),
    ] {
        let name = c.name();
        let err = matter_err(g.refused(actor, c));
        assert_eq!(
            err,
            MatterError::Closed {
                closure: Closure::Withdrawn,
                command: name
            }
        );
    }
}

#[test]
fn refusals_for_outcomes_at_a_body_the_matter_is_not_at() {
    let g = Given::on_county_route();
    let err = matter_err(g.refused(
        "steering-sec",
        MatterCommand::CheckReadiness {
            at: at("steering"),
            ready: true,
            note: None,
        },
    ));
    assert_eq!(
        err,
        MatterError::NotAtBody {
            body: b("steering"),
            active: vec!["prep".into()]
        }
    );
    let err = matter_err(g.refused(
        "sbu-sec",
        MatterCommand::Present {
            at: At::minutes("sbu", minutes("kcrd-2025-01-20", 1)),
        },
    ));
    assert!(matches!(err, MatterError::WrongMeeting { .. }));
    let g = Given::on_chief_route();
    g.ok(
        "wg-sec",
        MatterCommand::Prepare {
            at: at("wg"),
            recommendation: None,
        },
    );
    g.ok(
        "sbu-sec",
        MatterCommand::Prepare {
            at: at("sbu"),
            recommendation: None,
        },
    );
    let err = matter_err(g.refused(
        "cg-sec",
        MatterCommand::Decide {
            at: at("cg-joint"),
            approved: true,
            clauses: vec![],
        },
    ));
    assert!(
        matches!(
            err,
            MatterError::StepMismatch {
                purpose: crate::route::Purpose::Information,
                ..
            }
        ),
        "{err:?}"
    );
}

// ---- feedback (återkoppling) and followers ----

#[test]
fn a_submitter_without_an_address_stays_owed_feedback_until_recorded() {
    let e = testing::engine();
    let mut s = SubmitMatter::new(MatterKind::Agreement, "Från Askersund", "sbu");
    s.submitter = Some("bo".into());
    let id = e
        .submit_matter(&person("sbu-sec"), s)
        .unwrap()
        .state
        .id
        .unwrap();
    let g = Given { e, id };
    assert!(g.state().owes_feedback());
    g.ok(
        "sbu-sec",
        MatterCommand::Screen {
            screening: Screening::Handle { route: None },
        },
    );
    let owed = g.e.read().owed_feedback().unwrap();
    assert_eq!(owed.len(), 1);
    assert_eq!(owed[0].submitter.as_str(), "bo");
    assert_eq!(owed[0].matters[0].id, id);
    g.ok(
        "sbu-sec",
        MatterCommand::RecordFeedback {
            note: Some("ringt Bo".into()),
        },
    );
    assert!(!g.state().owes_feedback());
    assert!(g.e.read().owed_feedback().unwrap().is_empty());
    let err = matter_err(g.refused("sbu-sec", MatterCommand::RecordFeedback { note: None }));
    assert!(matches!(
        err,
        MatterError::InvalidInput {
            field: "feedback",
            ..
        }
    ));
}

#[test]
fn telling_later_leaves_the_matter_owed() {
    let g = Given::submitted(MatterKind::Agreement, "sbu");
    let x =
        g.e.run_matter_with(
            g.id,
            &person("sbu-sec"),
            MatterCommand::Screen {
                screening: Screening::InformationItem,
            },
            CommandOptions::tell_later(),
        )
        .unwrap();
    assert!(x.state.owes_feedback());
    assert!(g.outbox().is_empty());
    let x = g.ok(
        "sbu-sec",
        MatterCommand::Schedule {
            meeting: MeetingId::new("sbu-2024-10-15"),
        },
    );
    assert!(
        !x.state.owes_feedback(),
        "the next feedback tells of everything so far"
    );
}

#[test]
fn every_change_visible_to_the_submitter_tells_her() {
    let g = Given::on_county_route();
    let told = |g: &Given| {
        g.outbox()
            .iter()
            .filter(|n| {
                n.kind == NotificationKind::Feedback
                    && n.recipients
                        .iter()
                        .any(|r| r.reason == RecipientReason::Submitter)
            })
            .count()
    };
    let before = told(&g);
    through_remiss(&g);
    assert!(!g.state().owes_feedback());
    // prepare, remiss sent, worked in: three changes; a single response is not one.
    assert_eq!(told(&g) - before, 3);
}

#[test]
fn followers_of_a_matter_and_of_a_body_are_told() {
    let g = Given::on_county_route();
    g.e.follow(
        &person("follower"),
        FollowTarget::Matter(g.id),
        Follower::Person("follower".into()),
    )
    .unwrap();
    g.e.follow(
        &system(),
        FollowTarget::Body(b("kcrd")),
        Follower::Address {
            name: "Registrator".into(),
            email: "reg@askersund.se".into(),
        },
    )
    .unwrap();
    let err =
        g.e.follow(
            &person("anna"),
            FollowTarget::Body(b("kcrd")),
            Follower::Person("follower".into()),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Subscription(_)));
    g.ok(
        "sbu-sec",
        MatterCommand::Prepare {
            at: at("sbu"),
            recommendation: None,
        },
    );
    let last = g.outbox().pop().unwrap();
    let reasons: Vec<_> = last
        .recipients
        .iter()
        .map(|r| (r.name.clone(), r.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            ("Person anna".into(), RecipientReason::Submitter),
            ("Person follower".into(), RecipientReason::Follower)
        ]
    );
    // Nobody on kcrd's list yet: the matter is not at kcrd.
    let e2 = &g.e;
    let other = Given::submitted_in_existing(e2, "kcrd");
    let n = outbox(e2)
        .into_iter()
        .rfind(|n| n.matter == Some(other))
        .unwrap();
    assert!(
        n.recipients
            .iter()
            .any(|r| r.email.as_deref() == Some("reg@askersund.se"))
    );
    g.e.unfollow(
        &person("follower"),
        FollowTarget::Matter(g.id),
        Follower::Person("follower".into()),
    )
    .unwrap();
    g.ok(
        "sbu-sec",
        MatterCommand::SendOnRemiss(RemissOrder {
            at: at("sbu"),
            recipients: vec![],
            deadline: d(2024, 12, 31),
            receivers: vec![],
            edition: None,
        }),
    );
    let last = g
        .outbox()
        .into_iter()
        .rfind(|n| n.kind == NotificationKind::Feedback)
        .unwrap();
    assert!(
        last.recipients
            .iter()
            .all(|r| r.reason != RecipientReason::Follower)
    );
}

impl Given {
    /// Submits another matter to `body` by a secretary for `anna` in an existing engine.
    fn submitted_in_existing(e: &TestEngine, body: &str) -> MatterId {
        let mut s = SubmitMatter::new(MatterKind::Agreement, "Annat", body);
        s.submitter = Some("anna".into());
        e.submit_matter(&person("kcrd-sec"), s)
            .unwrap()
            .state
            .id
            .unwrap()
    }
}

// ---- the engine: idempotency, cache and concurrent writers ----

#[test]
fn a_retried_command_writes_nothing_twice() {
    let g = Given::on_county_route();
    let opts = CommandOptions::with_id(crate::ids::CommandId::random());
    let c = MatterCommand::Prepare {
        at: at("sbu"),
        recommendation: None,
    };
    let a =
        g.e.run_matter_with(g.id, &person("sbu-sec"), c.clone(), opts)
            .unwrap();
    let n = g.events().len();
    let b2 =
        g.e.run_matter_with(g.id, &person("sbu-sec"), c, opts)
            .unwrap();
    assert!(b2.duplicate);
    assert_eq!(g.events().len(), n);
    assert_eq!(a.state, b2.state);
}

#[test]
fn a_stale_cache_surfaces_as_a_conflict_then_reloads() {
    let store = Arc::new(MemoryStore::new());
    let clock = Arc::new(SimulatedClock::at_date(d(2024, 10, 1)));
    let org = Arc::new(testing::org());
    let one = Engine::new(org.clone(), store.clone(), clock.clone());
    let two = Engine::new(org, store.clone(), clock);
    let id = one
        .submit_matter(
            &person("anna"),
            SubmitMatter::new(MatterKind::Agreement, "x", "sbu"),
        )
        .unwrap()
        .state
        .id
        .unwrap();
    two.load::<Matter>(&id.to_string()).unwrap(); // two caches version 1
    one.run_matter(
        id,
        &person("sbu-sec"),
        MatterCommand::Screen {
            screening: Screening::Handle { route: None },
        },
    )
    .unwrap();
    // two's cached state is stale: a command valid on it conflicts at append...
    let no_retry = CommandOptions::default().no_retry();
    let err = two
        .run_matter_with(
            id,
            &person("sbu-sec"),
            MatterCommand::Screen {
                screening: Screening::InformationItem,
            },
            no_retry,
        )
        .unwrap_err();
    assert!(err.is_conflict(), "{err:?}");
    // ...and the retry sees the new state, where screening again is a wrong transition.
    let err = two
        .run_matter(
            id,
            &person("sbu-sec"),
            MatterCommand::Screen {
                screening: Screening::InformationItem,
            },
        )
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Matter(MatterError::InvalidTransition { .. })
    ));
    // A command refused on a stale state is re-checked: a conflict, then accepted.
    let other = one
        .submit_matter(
            &person("anna"),
            SubmitMatter::new(MatterKind::Agreement, "y", "sbu"),
        )
        .unwrap()
        .state
        .id
        .unwrap();
    two.load::<Matter>(&other.to_string()).unwrap();
    let screened = one
        .run_matter(
            other,
            &person("sbu-sec"),
            MatterCommand::Screen {
                screening: Screening::Handle { route: None },
            },
        )
        .unwrap();
    let prepare = MatterCommand::Prepare {
        at: at("sbu"),
        recommendation: None,
    };
    let err = two
        .run_matter_with(other, &person("sbu-sec"), prepare.clone(), no_retry)
        .unwrap_err();
    assert!(
        matches!(err, Error::Store(StoreError::Conflict { actual, .. }) if actual == screened.version),
        "{err:?}"
    );
    let x = two
        .run_matter_with(other, &person("sbu-sec"), prepare, no_retry)
        .unwrap();
    assert!(x.version > screened.version);
    assert_eq!(*x.state, one.read().matter(other).unwrap());
    // With the default options the engine retries a conflict itself, checking the
    // command again on the reloaded state.
    one.run_matter(
        other,
        &person("sbu-sec"),
        MatterCommand::SendOnRemiss(RemissOrder {
            at: at("sbu"),
            recipients: vec![],
            deadline: d(2024, 12, 31),
            receivers: vec![],
            edition: None,
        }),
    )
    .unwrap();
    let x = two
        .run_matter(
            other,
            &person("sbu-sec"),
            MatterCommand::RecordRemissResponse {
                recipient: RemissRecipient::Party(p("orebro")),
                comments: 3,
                received_on: None,
            },
        )
        .unwrap();
    assert_eq!(*x.state, one.read().matter(other).unwrap());
}

#[test]
fn the_cache_is_bounded_and_states_stay_correct_without_it() {
    let e = testing::engine().with_cache_capacity(4);
    let mut ids = Vec::new();
    for i in 0..10 {
        let x = e
            .submit_matter(
                &person("anna"),
                SubmitMatter::new(MatterKind::Agreement, format!("m{i}"), "sbu"),
            )
            .unwrap();
        ids.push(x.state.id.unwrap());
    }
    assert!(e.cached_states() <= 4);
    for id in &ids {
        e.run_matter(
            *id,
            &person("sbu-sec"),
            MatterCommand::Screen {
                screening: Screening::Handle { route: None },
            },
        )
        .unwrap();
    }
    let uncached = testing::engine().with_cache_capacity(0);
    let x = uncached
        .submit_matter(
            &person("anna"),
            SubmitMatter::new(MatterKind::Agreement, "z", "sbu"),
        )
        .unwrap();
    let id = x.state.id.unwrap();
    uncached
        .run_matter(
            id,
            &person("sbu-sec"),
            MatterCommand::Screen {
                screening: Screening::Handle { route: None },
            },
        )
        .unwrap();
    assert_eq!(uncached.cached_states(), 0);
    assert_eq!(
        uncached.read().matter(id).unwrap().status,
        MatterStatus::InProgress
    );
    for id in ids {
        assert_eq!(
            e.read().matter(id).unwrap().status,
            MatterStatus::InProgress
        );
    }
}

#[test]
fn the_state_is_the_fold_of_the_stored_events() {
    let g = Given::on_county_route();
    to_political(&g);
    let (folded, version) = fold::<Matter>(&g.events()).unwrap();
    assert_eq!(folded, g.state());
    assert_eq!(version, g.state().version);
    for (i, e) in g.events().iter().enumerate() {
        assert_eq!(e.version, i as u64 + 1);
    }
    let mut m = Matter::default();
    for e in g.events() {
        m.apply(&crate::aggregate::decode(&e).unwrap());
    }
    assert_eq!(m, folded);
}

// ---- queries ----

#[test]
fn queries_per_body_status_submitter_and_stuck() {
    let e = testing::engine();
    let g1 = Given::submitted_in(e, MatterKind::Agreement, "sbu", "anna");
    g1.ok(
        "sbu-sec",
        MatterCommand::Screen {
            screening: Screening::Handle { route: None },
        },
    );
    let id2 =
        g1.e.submit_matter(
            &person("bo"),
            SubmitMatter::new(MatterKind::Report, "Rapport", "sbu"),
        )
        .unwrap()
        .state
        .id
        .unwrap();
    let e = &g1.e;
    let at_sbu = e.read().matters_at(&b("sbu"), None).unwrap();
    assert_eq!(at_sbu.len(), 2);
    let in_progress = e
        .read()
        .matters_at(&b("sbu"), Some(MatterStatus::InProgress))
        .unwrap();
    assert_eq!(
        in_progress.iter().map(|s| s.id).collect::<Vec<_>>(),
        [g1.id]
    );
    assert_eq!(
        e.read().matters_of_submitter(&"bo".into()).unwrap()[0].id,
        id2
    );
    assert!(e.read().matters_at(&b("kcrd"), None).unwrap().is_empty());
    let counts = e.read().query_matters(|p| p.counts_per_body()).unwrap();
    assert_eq!(counts[&b("sbu")].values().sum::<usize>(), 2);
    // Stuck: nothing changes for 30 days.
    e.clock().set_date(d(2024, 11, 5));
    g1.ok(
        "sbu-sec",
        MatterCommand::Prepare {
            at: at("sbu"),
            recommendation: None,
        },
    );
    let stuck = e.read().stuck_matters(d(2024, 11, 10), 30).unwrap();
    assert_eq!(stuck.iter().map(|s| s.id).collect::<Vec<_>>(), [id2]);
    assert_eq!(stuck[0].last_change_on, Some(d(2024, 10, 1)));
    // The read model agrees with the state.
    let mut summary = e
        .read()
        .query_matters(|p| p.summary(g1.id))
        .unwrap()
        .unwrap();
    summary.last_change_on = None;
    assert_eq!(Some(summary), g1.state().summary());
}

#[test]
fn the_read_model_catches_up_incrementally_and_ignores_other_tenants() {
    let g = Given::on_county_route();
    let mut view = crate::projection::MatterProjection::new(g.e.org().tenant.clone());
    let n = view.catch_up(g.e.store().as_ref()).unwrap();
    assert!(n >= 2);
    let pos = view.position();
    assert_eq!(view.catch_up(g.e.store().as_ref()).unwrap(), 0);
    g.ok(
        "sbu-sec",
        MatterCommand::Prepare {
            at: at("sbu"),
            recommendation: None,
        },
    );
    assert!(view.catch_up(g.e.store().as_ref()).unwrap() >= 1);
    assert!(view.position() > pos);
    let mut other = crate::projection::MatterProjection::new("another".into());
    assert_eq!(other.catch_up(g.e.store().as_ref()).unwrap(), 0);
    assert!(other.is_empty());
}

#[test]
fn decide_is_pure_and_needs_no_engine() {
    let org = testing::org();
    let actor = person("anna");
    let ctx = MatterContext {
        org: &org,
        actor: &actor,
        today: d(2024, 10, 1),
    };
    let mut s = SubmitMatter::new(MatterKind::Agreement, "x", "sbu");
    s.id = Some(MatterId::random());
    let events = decide(&Matter::default(), MatterCommand::Submit(s), &ctx).unwrap();
    let mut m = Matter::default();
    for e in &events {
        m.apply(e);
    }
    let again = decide(
        &Matter::default(),
        MatterCommand::Submit(SubmitMatter {
            id: m.id,
            ..SubmitMatter::new(MatterKind::Agreement, "x", "sbu")
        }),
        &ctx,
    )
    .unwrap();
    assert_eq!(events, again);
}

#[test]
fn remiss_recipients_are_the_party_members_of_the_sending_body_or_its_registry() {
    let org = testing::org();
    let names = |v: Vec<crate::notification::Recipient>| -> Vec<String> {
        v.into_iter()
            .map(|r| r.person.unwrap().to_string())
            .collect()
    };
    // sbu has an Askersund member: she answers for Askersund.
    let r = remiss_recipients(&org, &b("sbu"), &RemissRecipient::Party(p("askersund")));
    assert_eq!(names(r), ["sbu-member"]);
    // The joint chief group has no Askersund member, nor have the groups meeting in it:
    // the remiss goes to the secretary of Askersund's political body.
    let r = remiss_recipients(
        &org,
        &b("cg-joint"),
        &RemissRecipient::Party(p("askersund")),
    );
    assert_eq!(names(r), ["askersund-sec"]);
    // The Region sits in the joint chief group through its secretaries and its chair.
    let r = remiss_recipients(&org, &b("cg-joint"), &RemissRecipient::Party(p("region")));
    assert_eq!(names(r), ["cg-sec", "karolina", "peter"]);
    // A body: its members and officers, substitutes aside; each person once.
    let r = remiss_recipients_all(
        &org,
        &b("sbu"),
        &[
            RemissRecipient::Body(b("sbu")),
            RemissRecipient::Party(p("orebro")),
        ],
    );
    assert_eq!(names(r), crate::testing::SBU_ROSTER);
}

#[test]
fn the_read_model_keeps_an_open_matter_small() {
    let e = testing::engine();
    let n = 2_000;
    for i in 0..n {
        let x = e
            .submit_matter(
                &person("anna"),
                SubmitMatter::new(MatterKind::Agreement, format!("Ärende nummer {i}"), "sbu"),
            )
            .unwrap();
        e.run_matter(
            x.state.id.unwrap(),
            &person("sbu-sec"),
            MatterCommand::Screen {
                screening: Screening::Handle { route: None },
            },
        )
        .unwrap();
    }
    let bytes = e.read().query_matters(|p| p.approx_bytes()).unwrap();
    assert!(bytes / n < 256, "{} bytes per open matter", bytes / n);
}

// ---- legal force (laga kraft) per party ----

#[test]
fn each_party_s_decision_gains_legal_force_from_its_own_notice_board() {
    let g = Given::on_county_route();
    to_political(&g);
    // All three decide on 1 October 2024 (today in the fixture).
    for party in ["region", "askersund", "orebro"] {
        political(&g, party, PartyDecision::Adopted);
    }
    let id = g.id;
    // Nothing adjusted yet: nothing overdue on 15 October, all three on the 16th.
    assert!(
        g.e.read()
            .legal_overdue(d(2024, 10, 15))
            .unwrap()
            .is_empty()
    );
    let overdue = g.e.read().legal_overdue(d(2024, 10, 16)).unwrap();
    assert_eq!(overdue.len(), 3);
    assert!(
        overdue
            .iter()
            .all(|o| o.what == "adjustment" && o.due == d(2024, 10, 15))
    );
    // The schedule watches the same dates, reminding each party's secretaries.
    let watch = g.e.read().dates_to_watch().unwrap();
    let adjustments: Vec<_> = watch
        .iter()
        .filter(|x| x.step == crate::notification::DueStep::Adjustment)
        .collect();
    assert_eq!(adjustments.len(), 3);
    assert!(
        adjustments
            .iter()
            .all(|x| x.date == d(2024, 10, 15) && !x.recipients.is_empty())
    );

    g.e.clock().set_date(d(2024, 10, 30));
    // A notice before the adjustment, a date in the future, or before the decision:
    // refused, naming what is wrong.
    let err = matter_err(g.refused(
        "region-sec",
        MatterCommand::RecordAnnouncement {
            party: p("region"),
            on: Some(d(2024, 10, 12)),
        },
    ));
    assert!(matches!(
        err,
        MatterError::InvalidInput {
            field: "announcement",
            ..
        }
    ));
    let err = matter_err(g.refused(
        "region-sec",
        MatterCommand::RecordPartyAdjustment {
            party: p("region"),
            on: Some(d(2024, 11, 1)),
        },
    ));
    assert!(matches!(err, MatterError::InvalidDate { .. }));
    let err = matter_err(g.refused(
        "region-sec",
        MatterCommand::RecordPartyAdjustment {
            party: p("region"),
            on: Some(d(2024, 9, 30)),
        },
    ));
    assert!(matches!(err, MatterError::InvalidDate { .. }));
    // Another party's secretary may not record for the region.
    let err = g.refused(
        "orebro-sec",
        MatterCommand::RecordPartyAdjustment {
            party: p("region"),
            on: Some(d(2024, 10, 10)),
        },
    );
    assert!(matches!(err, Error::NotPermitted { .. }), "{err:?}");

    // The region: adjusted Thursday 10 October, so the notice is due two days later,
    // on Saturday 12 October, which moves to Monday 14 October (lagen om beräkning av
    // lagstadgad tid); it went up on the Saturday. Three weeks is Saturday 2 November
    // (All Saints' Day), so the appeal period runs to Monday 4 November and the
    // decision is in legal force on the 5th.
    g.ok(
        "region-sec",
        MatterCommand::RecordPartyAdjustment {
            party: p("region"),
            on: Some(d(2024, 10, 10)),
        },
    );
    let x = g.ok(
        "region-sec",
        MatterCommand::RecordAnnouncement {
            party: p("region"),
            on: Some(d(2024, 10, 12)),
        },
    );
    assert!(matches!(
        &x.events[0],
        MatterEvent::Announced { due, late: false, appeal_ends, legal_force, .. }
            if *due == d(2024, 10, 14) && *appeal_ends == d(2024, 11, 4) && *legal_force == d(2024, 11, 5)
    ));
    let err = matter_err(g.refused(
        "region-sec",
        MatterCommand::RecordAnnouncement {
            party: p("region"),
            on: None,
        },
    ));
    assert!(matches!(
        err,
        MatterError::AlreadyRecorded {
            what: "announcement",
            ..
        }
    ));

    // Örebro: adjusted late (20 October, due the 15th) and announced late (25th, due
    // the 22nd): recorded, but flagged.
    let x = g.ok(
        "orebro-sec",
        MatterCommand::RecordPartyAdjustment {
            party: p("orebro"),
            on: Some(d(2024, 10, 20)),
        },
    );
    assert!(
        matches!(&x.events[0], MatterEvent::PartyMinutesAdjusted { late: true, due, .. } if *due == d(2024, 10, 15))
    );
    let x = g.ok(
        "orebro-sec",
        MatterCommand::RecordAnnouncement {
            party: p("orebro"),
            on: Some(d(2024, 10, 25)),
        },
    );
    let orebro = &x.state.legal[&p("orebro")];
    assert!(orebro.adjusted_late && orebro.announced_late);
    assert_eq!(orebro.legal_force, Some(d(2024, 11, 16)));

    // Askersund has neither: entry into force is refused, naming it.
    let err = matter_err(g.refused(
        "kcrd-sec",
        MatterCommand::EnterIntoForce {
            on: d(2025, 1, 1),
            valid_until: None,
            override_reason: None,
        },
    ));
    assert_eq!(
        err,
        MatterError::NotInLegalForce {
            on: d(2025, 1, 1),
            waiting_for: vec![(p("askersund"), None)],
        }
    );
    assert!(
        err.swedish()
            .contains("askersund (inte i laga kraft: justering eller anslag saknas")
    );
    let overdue = g.e.read().legal_overdue(d(2024, 10, 30)).unwrap();
    assert_eq!(overdue.len(), 1);
    assert_eq!(
        (overdue[0].party.as_str(), overdue[0].what),
        ("askersund", "adjustment")
    );
    announced(&g, "askersund");
    // Askersund announced 30 October: in legal force 21 November. Entry into force on
    // 20 November is too early for it alone.
    let err = matter_err(g.refused(
        "kcrd-sec",
        MatterCommand::EnterIntoForce {
            on: d(2024, 11, 20),
            valid_until: None,
            override_reason: None,
        },
    ));
    assert_eq!(
        err,
        MatterError::NotInLegalForce {
            on: d(2024, 11, 20),
            waiting_for: vec![(p("askersund"), Some(d(2024, 11, 21)))],
        }
    );
    let views = g.e.read().legal_force(id).unwrap();
    assert_eq!(views.len(), 3);
    assert!(views.iter().all(|v| v.dates.settled()));
    let last = views.iter().map(|v| v.dates.legal_force).max();
    assert_eq!(last, Some(d(2024, 11, 21)));
    let x = g.ok(
        "kcrd-sec",
        MatterCommand::EnterIntoForce {
            on: d(2024, 11, 21),
            valid_until: None,
            override_reason: None,
        },
    );
    assert_eq!(x.state.status, MatterStatus::InForce);
    assert_eq!(x.state.legal_force_override, None);

    // The notice boards, as data.
    let board = g.e.read().notice_board(&p("region")).unwrap();
    assert_eq!(board.len(), 1);
    assert_eq!(board[0].matter, id);
    assert_eq!(
        (
            board[0].adjusted_on,
            board[0].announced_on,
            board[0].legal_force,
            board[0].late
        ),
        (d(2024, 10, 10), d(2024, 10, 12), d(2024, 11, 5), false)
    );
    assert!(g.e.read().notice_board(&p("orebro")).unwrap()[0].late);
    assert!(matches!(
        g.e.read().notice_board(&p("narnia")),
        Err(Error::Unknown { kind: "party", .. })
    ));
}

#[test]
fn entry_into_force_before_legal_force_needs_a_recorded_reason() {
    let g = Given::on_county_route();
    to_political(&g);
    for party in ["region", "askersund", "orebro"] {
        political(&g, party, PartyDecision::Adopted);
    }
    let err = matter_err(g.refused(
        "kcrd-sec",
        MatterCommand::EnterIntoForce {
            on: d(2024, 10, 2),
            valid_until: None,
            override_reason: Some("  ".into()),
        },
    ));
    assert!(matches!(err, MatterError::InvalidInput { .. }), "{err:?}");
    let x = g.ok(
        "kcrd-sec",
        MatterCommand::EnterIntoForce {
            on: d(2024, 10, 2),
            valid_until: None,
            override_reason: Some("lagkrav, ikraft direkt".into()),
        },
    );
    assert!(matches!(
        &x.events[0],
        MatterEvent::EnteredIntoForce { legal_force_override: Some(r), .. } if r == "lagkrav, ikraft direkt"
    ));
    assert_eq!(
        x.state.legal_force_override.as_deref(),
        Some("lagkrav, ikraft direkt")
    );
}

#[test]
fn a_legal_step_for_a_party_that_has_not_decided_is_refused() {
    let g = Given::on_county_route();
    to_political(&g);
    political(&g, "region", PartyDecision::Adopted);
    let err = matter_err(g.refused(
        "askersund-sec",
        MatterCommand::RecordPartyAdjustment {
            party: p("askersund"),
            on: None,
        },
    ));
    assert_eq!(
        err,
        MatterError::NoDecision {
            party: p("askersund")
        }
    );
    let err = g.refused(
        "askersund-sec",
        MatterCommand::RecordPartyAdjustment {
            party: p("narnia"),
            on: None,
        },
    );
    assert!(matches!(err, Error::Unknown { kind: "party", .. }));
}

#[test]
fn an_appeal_lodged_in_time_defers_legal_force_until_it_is_settled() {
    let g = Given::on_county_route();
    to_political(&g);
    for party in ["region", "askersund", "orebro"] {
        political(&g, party, PartyDecision::Adopted);
    }
    let id = g.id;
    // All three adjusted and announced on 1 October: legal force on 23 October.
    for party in ["region", "askersund", "orebro"] {
        announced(&g, party);
    }
    let force = |party: &str| g.e.read().matter(id).unwrap().legal[&p(party)].legal_force;
    assert_eq!(force("region"), Some(d(2024, 10, 23)));
    // A member of Askersund appeals on 15 October, within the three weeks.
    g.e.clock().set_date(d(2024, 10, 15));
    let x = g.ok(
        "askersund-sec",
        MatterCommand::RecordAppeal {
            party: p("askersund"),
            on: None,
            reference: Some("FR 1234-24".into()),
        },
    );
    assert!(matches!(
        &x.events[0],
        MatterEvent::AppealLodged { late: false, on, .. } if *on == d(2024, 10, 15)
    ));
    assert_eq!(
        force("askersund"),
        None,
        "not in legal force while appealed"
    );
    // The same case twice is refused; another party's secretary may not record it.
    let err = matter_err(g.refused(
        "askersund-sec",
        MatterCommand::RecordAppeal {
            party: p("askersund"),
            on: None,
            reference: Some("FR 1234-24".into()),
        },
    ));
    assert!(matches!(
        err,
        MatterError::AlreadyRecorded { what: "appeal", .. }
    ));
    assert!(matches!(
        g.refused(
            "orebro-sec",
            MatterCommand::RecordAppeal {
                party: p("askersund"),
                on: None,
                reference: None,
            },
        ),
        Error::NotPermitted { .. }
    ));
    // Entry into force waits for Askersund, naming it.
    g.e.clock().set_date(d(2024, 12, 1));
    let err = matter_err(g.refused(
        "kcrd-sec",
        MatterCommand::EnterIntoForce {
            on: d(2025, 1, 1),
            valid_until: None,
            override_reason: None,
        },
    ));
    assert_eq!(
        err,
        MatterError::NotInLegalForce {
            on: d(2025, 1, 1),
            waiting_for: vec![(p("askersund"), None)],
        }
    );
    let view = g.e.read().legal_force(id).unwrap();
    let ask = view
        .iter()
        .find(|v| v.party.as_str() == "askersund")
        .unwrap();
    assert_eq!(ask.in_force_from, None);
    assert_eq!(
        ask.dates.legal_force,
        d(2024, 10, 23),
        "the rule's day, unappealed"
    );
    let board = g.e.read().notice_board(&p("askersund")).unwrap();
    assert!(board[0].appealed, "the notice board shows the appeal");
    // An appeal lodged after the period defers nothing.
    let x = g.ok(
        "region-sec",
        MatterCommand::RecordAppeal {
            party: p("region"),
            on: Some(d(2024, 10, 30)),
            reference: None,
        },
    );
    assert!(matches!(
        &x.events[0],
        MatterEvent::AppealLodged { late: true, .. }
    ));
    assert_eq!(force("region"), Some(d(2024, 10, 23)));
    // Settling needs a pending appeal with that number; the ruling (rejected) is final
    // on 20 December: Askersund's decision is in legal force from then.
    let err = matter_err(g.refused(
        "askersund-sec",
        MatterCommand::SettleAppeal {
            party: p("askersund"),
            reference: Some("FR 9999-24".into()),
            outcome: AppealOutcome::Rejected,
            on: None,
        },
    ));
    assert!(matches!(
        err,
        MatterError::InvalidInput {
            field: "appeal",
            ..
        }
    ));
    g.e.clock().set_date(d(2024, 12, 20));
    g.ok(
        "askersund-sec",
        MatterCommand::SettleAppeal {
            party: p("askersund"),
            reference: Some("FR 1234-24".into()),
            outcome: AppealOutcome::Rejected,
            on: None,
        },
    );
    assert_eq!(force("askersund"), Some(d(2024, 12, 20)));
    let err = matter_err(g.refused(
        "askersund-sec",
        MatterCommand::SettleAppeal {
            party: p("askersund"),
            reference: Some("FR 1234-24".into()),
            outcome: AppealOutcome::Annulled,
            on: None,
        },
    ));
    assert!(matches!(err, MatterError::AlreadyRecorded { .. }));
    let x = g.ok(
        "kcrd-sec",
        MatterCommand::EnterIntoForce {
            on: d(2025, 1, 1),
            valid_until: None,
            override_reason: None,
        },
    );
    assert_eq!(x.state.status, MatterStatus::InForce);
}

#[test]
fn a_decision_annulled_on_appeal_never_gains_legal_force() {
    let g = Given::on_county_route();
    to_political(&g);
    for party in ["region", "askersund", "orebro"] {
        political(&g, party, PartyDecision::Adopted);
    }
    // Appealed before the notice: in time, whatever the period turns out to be.
    g.ok(
        "orebro-sec",
        MatterCommand::RecordAppeal {
            party: p("orebro"),
            on: None,
            reference: None,
        },
    );
    for party in ["region", "askersund", "orebro"] {
        announced(&g, party);
    }
    let legal = |party: &str| g.e.read().matter(g.id).unwrap().legal[&p(party)].clone();
    assert_eq!(legal("orebro").legal_force, None);
    assert!(legal("orebro").appeal_pending());
    g.e.clock().set_date(d(2025, 3, 1));
    g.ok(
        "orebro-sec",
        MatterCommand::SettleAppeal {
            party: p("orebro"),
            reference: None,
            outcome: AppealOutcome::Annulled,
            on: None,
        },
    );
    let o = legal("orebro");
    assert!(o.annulled() && !o.appeal_pending());
    assert_eq!(o.legal_force, None);
    let err = matter_err(g.refused(
        "kcrd-sec",
        MatterCommand::EnterIntoForce {
            on: d(2025, 3, 1),
            valid_until: None,
            override_reason: None,
        },
    ));
    assert!(
        matches!(err, MatterError::NotInLegalForce { .. }),
        "{err:?}"
    );
    // The commands' JSON form.
    let json = serde_json::to_value(MatterCommand::SettleAppeal {
        party: p("orebro"),
        reference: Some("FR 1-25".into()),
        outcome: AppealOutcome::Annulled,
        on: Some(d(2025, 3, 1)),
    })
    .unwrap();
    assert_eq!(
        json,
        serde_json::json!({"type": "settle-appeal", "party": "orebro",
            "reference": "FR 1-25", "outcome": "annulled", "on": "2025-03-01"})
    );
}
