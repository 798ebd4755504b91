//! Policies and the one command surface: a crash between a source event and its effect
//! leaves the effect to the next start, which applies it exactly once; every command
//! has a stable JSON form and is idempotent by its command id; a client's expected
//! version is checked.

use std::process::Command as Process;
use std::sync::Arc;

use arende::authz::{Action, Actor};
use arende::clock::SimulatedClock;
use arende::command::{Command, CommandOptions, Outcome};
use arende::engine::Engine;
use arende::ids::{CommandId, MatterId, MeetingId, MinutesRef, PersonId};
use arende::matter::{At, MatterCommand, MatterKind, Screening, SubmitMatter};
use arende::meeting::{
    Attendance, MeetingCommand, MeetingRecord, MinutesDraft, Outcome as ParagraphOutcome, Paragraph,
};
use arende::org::Organisation;
use arende::sqlite::SqliteStore;
use arende::store::{EventStore, MemoryStore, StreamId};
use arende::subscription::{FollowTarget, Follower, SubscriptionCommand};
use chrono::NaiveDate;

const CRASH_DB: &str = "ARENDE_POLICY_CRASH_DB";

fn org() -> Arc<Organisation> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/config/orebro.toml");
    Arc::new(arende::load_file(path).unwrap_or_else(|e| panic!("{e}")))
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn p(id: &str) -> Actor {
    Actor::Person(PersonId::new(id))
}

fn office() -> Actor {
    Actor::service("sekretariatet", &Action::ALL)
}

/// The unbroken-schooling matter, prepared by its working group and on the preparatory
/// group's agenda of 15 October 2024, which is held; its notes are drafted with § 2
/// preparing the matter. Returns the matter.
fn up_to_the_notes<S: EventStore>(
    engine: &Engine<S, Arc<SimulatedClock>>,
    clock: &SimulatedClock,
) -> MatterId {
    clock.set_date(d("2024-09-02"));
    let submit = SubmitMatter::new(MatterKind::Routine, "Obruten skolgång", "sbu");
    let id = engine
        .submit_matter(&p("jaana-jansson"), submit)
        .unwrap()
        .state
        .id
        .unwrap();
    let screen = MatterCommand::Screen {
        screening: Screening::Handle { route: None },
    };
    engine
        .run_matter(id, &p("daniel-berglund"), screen)
        .unwrap();
    let prepare = MatterCommand::Prepare {
        at: At::body("wg-unbroken-schooling"),
        recommendation: Some("Utkast".into()),
    };
    engine.run_matter(id, &office(), prepare).unwrap();
    clock.set_date(d("2024-09-20"));
    engine
        .run_matter(id, &office(), MatterCommand::MarkDocumentsReady)
        .unwrap();
    let sbu = MeetingId::new("sbu-2024-10-15");
    clock.set_date(d("2024-10-01"));
    engine
        .send_scheduled_notice(&office(), CommandId::random(), &sbu)
        .unwrap();
    engine.run_policies().unwrap();
    let item = engine
        .read()
        .meeting(&sbu)
        .unwrap()
        .agenda
        .into_iter()
        .find(|e| e.item.matter == Some(id))
        .expect("on the agenda")
        .item;
    clock.set_date(d("2024-10-15"));
    let record = MeetingRecord {
        attendance: Attendance {
            present: vec![
                PersonId::new("ingmar-angman"),
                PersonId::new("daniel-berglund"),
            ],
            ..Attendance::default()
        },
        ..MeetingRecord::default()
    };
    engine
        .record_meeting_held(&p("daniel-berglund"), CommandId::random(), &sbu, record)
        .unwrap();
    let draft = MinutesDraft {
        chair: PersonId::new("ingmar-angman"),
        secretary: PersonId::new("daniel-berglund"),
        adjusters: vec![],
        adjuster_labels: Default::default(),
        adjusters_elected_in: None,
        paragraphs: vec![
            Paragraph::new(1, "Välkommen"),
            Paragraph::new(2, "Obruten skolgång")
                .item(item.number)
                .matter(id)
                .outcome(ParagraphOutcome::Prepared {
                    clauses: vec!["informeras i gemensam chefsgrupp".into()],
                }),
        ],
    };
    engine
        .draft_minutes(&p("daniel-berglund"), CommandId::random(), &sbu, draft)
        .unwrap();
    id
}

/// How many events of `event_type` the stream holds.
fn count<S: EventStore>(store: &S, org: &Organisation, stream: &str, event_type: &str) -> usize {
    store
        .read_stream(&org.tenant, &StreamId::new(stream), 1)
        .unwrap()
        .iter()
        .filter(|r| r.event_type == event_type)
        .count()
}

/// The child: distributes the notes (their policy source) with policies off, then dies
/// before any policy runs.
fn crash_child(path: &str) -> ! {
    let store = SqliteStore::open(path).unwrap();
    let clock = Arc::new(SimulatedClock::at_date(d("2024-09-01")));
    let engine = Engine::new(org(), store, clock.clone()).with_inline_policies(false);
    up_to_the_notes(&engine, &clock);
    let sbu = MeetingId::new("sbu-2024-10-15");
    engine
        .distribute_minutes(&p("daniel-berglund"), CommandId::random(), &sbu)
        .unwrap();
    std::process::abort();
}

#[test]
fn an_effect_cut_off_by_a_crash_is_applied_exactly_once_after_restart() {
    if let Ok(path) = std::env::var(CRASH_DB) {
        crash_child(&path);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.sqlite");
    let status = Process::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "an_effect_cut_off_by_a_crash_is_applied_exactly_once_after_restart",
            "--nocapture",
        ])
        .env(CRASH_DB, &path)
        .status()
        .unwrap();
    assert!(
        !status.success(),
        "the child must die between source and effect"
    );

    let org = org();
    let store = Arc::new(SqliteStore::open(&path).unwrap());
    let matter_stream = {
        let all = store.read_all(0, 10_000).unwrap();
        all.iter()
            .find(|r| r.stream.as_str().starts_with("matter-"))
            .unwrap()
            .stream
            .clone()
    };
    let sbu_distributed = count(
        store.as_ref(),
        &org,
        "meeting-sbu-2024-10-15",
        "MinutesDistributed",
    );
    assert_eq!(
        sbu_distributed, 1,
        "the source was written before the crash"
    );
    let prepared_before = count(store.as_ref(), &org, matter_stream.as_str(), "Prepared");
    assert_eq!(prepared_before, 1, "only the working group's preparation");

    // Restart: the new engine's first step catches the policies up from the checkpoint.
    let clock = Arc::new(SimulatedClock::at_date(d("2024-10-16")));
    let engine = Engine::new(org.clone(), store.clone(), clock.clone());
    let effects = engine.run_policies().unwrap();
    assert!(effects.failures.is_empty(), "{:?}", effects.failures);
    let prepared = count(store.as_ref(), &org, matter_stream.as_str(), "Prepared");
    assert_eq!(prepared, 2, "the notes' § 2 recorded on the matter once");
    let id: MatterId = matter_stream.as_str()["matter-".len()..].parse().unwrap();
    let matter = engine.read().matter(id).unwrap();
    let at = matter
        .done
        .last()
        .and_then(|o| o.at.clone())
        .and_then(|a| a.minutes);
    assert_eq!(
        at,
        Some(MinutesRef {
            meeting: MeetingId::new("sbu-2024-10-15"),
            paragraph: 2
        })
    );

    // Again, and from yet another engine: nothing more.
    assert!(engine.run_policies().unwrap().is_empty());
    let again = Engine::new(org.clone(), store.clone(), clock);
    assert!(again.run_policies().unwrap().is_empty());
    assert_eq!(
        count(store.as_ref(), &org, matter_stream.as_str(), "Prepared"),
        2
    );
}

#[test]
fn commands_have_a_stable_tagged_kebab_case_json_form() {
    let id: MatterId = "0193a000-0000-7000-8000-000000000001".parse().unwrap();
    let screen = Command::matter(
        id,
        MatterCommand::Screen {
            screening: Screening::InformationItem,
        },
    );
    let json = serde_json::to_value(&screen).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "aggregate": "matter",
            "matter": "0193a000-0000-7000-8000-000000000001",
            "command": {"type": "screen", "screening": "information-item"}
        })
    );
    // Written by hand, as another system would.
    let texts = [
        r#"{"aggregate":"matter","command":{"type":"submit","id":null,"kind":"agreement","title":"T","submitter":null,"body":"sbu","case_numbers":{},"issuer":null,"revises":null}}"#,
        r#"{"aggregate":"meeting","meeting":"sbu-2024-10-15","command":{"type":"send-call-for-matters"}}"#,
        r#"{"aggregate":"meeting","meeting":"sbu-2024-10-15","command":{"type":"cancel","reason":"sjukdom"}}"#,
        r#"{"aggregate":"subscription","command":{"type":"follow","target":{"body":"sbu"},"follower":{"person":"jaana-jansson"}}}"#,
        r#"{"aggregate":"assignment","assignment":"0193a000-0000-7000-8000-000000000002","command":{"type":"withdraw"}}"#,
    ];
    for text in texts {
        let command: Command = serde_json::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let back: Command =
            serde_json::from_value(serde_json::to_value(&command).unwrap()).unwrap();
        assert_eq!(back, command, "{text}");
    }
    // A wrong tag names itself.
    let err = serde_json::from_str::<Command>(r#"{"aggregate":"matter","command":{"type":"fly"}}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("fly"), "{err}");
    // An actor is never read as the system from data.
    assert!(serde_json::from_str::<Actor>(r#"{"system":{"name":"x"}}"#).is_err());
    assert_eq!(
        serde_json::from_str::<Actor>(r#"{"person":"anna"}"#).unwrap(),
        p("anna")
    );
}

type MemEngine = Engine<Arc<MemoryStore>, Arc<SimulatedClock>>;

fn memory(today: &str) -> (MemEngine, Arc<MemoryStore>, Arc<SimulatedClock>) {
    let store = Arc::new(MemoryStore::new());
    let clock = Arc::new(SimulatedClock::at_date(d(today)));
    (
        Engine::new(org(), store.clone(), clock.clone()),
        store,
        clock,
    )
}

/// Every event of the store, for "nothing written twice".
fn everything(store: &MemoryStore) -> usize {
    store.read_all(0, 1_000_000).unwrap().len()
}

/// Executes `command` twice with one id: the second returns the first outcome and
/// writes nothing.
fn twice(engine: &MemEngine, store: &MemoryStore, actor: &Actor, command: Command) -> Outcome {
    let options = CommandOptions::with_id(CommandId::random());
    let first = engine.execute(actor, command.clone(), options).unwrap();
    let written = everything(store);
    let second = engine.execute(actor, command, options).unwrap();
    assert!(!first.duplicate() && second.duplicate(), "{second:?}");
    assert_eq!(first.version(), second.version());
    assert_eq!(
        first.event_count(),
        second.event_count(),
        "the first outcome's events"
    );
    assert_eq!(everything(store), written, "nothing written twice");
    first
}

#[test]
fn the_same_command_id_twice_writes_once_for_every_aggregate() {
    let (engine, store, _) = memory("2024-09-02");
    let submit = SubmitMatter::new(MatterKind::Information, "IF-frågan", "sbu");
    let submitted = twice(
        &engine,
        &store,
        &p("jaana-jansson"),
        Command::Matter {
            matter: Some(MatterId::random()),
            command: MatterCommand::Submit(submit),
        },
    );
    let id = submitted.into_matter().unwrap().state.id.unwrap();
    twice(
        &engine,
        &store,
        &p("jaana-jansson"),
        Command::subscription(SubscriptionCommand::Follow {
            target: FollowTarget::Matter(id),
            follower: Follower::Person(PersonId::new("jaana-jansson")),
        }),
    );
    twice(
        &engine,
        &store,
        &p("daniel-berglund"),
        Command::meeting(
            MeetingId::new("sbu-2024-10-15"),
            MeetingCommand::SendCallForMatters,
        ),
    );
    twice(
        &engine,
        &store,
        &p("jaana-jansson"),
        Command::subscription(SubscriptionCommand::Unfollow {
            target: FollowTarget::Matter(id),
            follower: Follower::Person(PersonId::new("jaana-jansson")),
        }),
    );
}

#[test]
fn a_client_that_read_another_version_gets_a_conflict_and_nothing_is_written() {
    let (engine, store, _) = memory("2024-09-02");
    let submit = SubmitMatter::new(MatterKind::Information, "IF-frågan", "sbu");
    let x = engine.submit_matter(&p("jaana-jansson"), submit).unwrap();
    let id = x.state.id.unwrap();
    let before = everything(&store);
    let screen = MatterCommand::Screen {
        screening: Screening::InformationItem,
    };
    let stale = CommandOptions::default().expecting(x.version - 1);
    let err = engine
        .run_matter_with(id, &p("daniel-berglund"), screen.clone(), stale)
        .unwrap_err();
    assert!(err.is_conflict(), "{err:?}");
    assert_eq!(everything(&store), before);
    let current = CommandOptions::default().expecting(x.version);
    let done = engine
        .run_matter_with(id, &p("daniel-berglund"), screen, current)
        .unwrap();
    assert!(done.version > x.version);
}

#[test]
fn a_system_identity_acts_only_within_its_grants() {
    let (engine, _, _) = memory("2024-09-02");
    let reader = Actor::service("intranät", &[]);
    let submit = SubmitMatter {
        submitter: Some(PersonId::new("jaana-jansson")),
        ..SubmitMatter::new(MatterKind::Information, "IF-frågan", "sbu")
    };
    let err = engine.submit_matter(&reader, submit.clone()).unwrap_err();
    assert!(matches!(err, arende::Error::NotPermitted { .. }), "{err:?}");
    // A person submitting in another's name needs the right to screen at the body.
    let err = engine
        .submit_matter(&p("monica-skantz"), submit.clone())
        .unwrap_err();
    assert!(matches!(err, arende::Error::NotPermitted { .. }), "{err:?}");
    engine.submit_matter(&p("daniel-berglund"), submit).unwrap();
}

#[test]
fn a_stored_matter_is_forecast_from_its_history_and_the_plan_as_it_stands() {
    let (engine, _, clock) = memory("2024-09-01");
    let id = up_to_the_notes(&engine, &clock);
    engine
        .distribute_minutes(
            &p("daniel-berglund"),
            CommandId::random(),
            &MeetingId::new("sbu-2024-10-15"),
        )
        .unwrap();
    let forecast = engine.read().forecast(id, &[]).unwrap();
    // The preparation done at the meeting of 15 October is no step ahead.
    assert!(
        forecast
            .steps
            .iter()
            .all(|s| s.step.as_str() != "sbu-preparation"),
        "{forecast:?}"
    );
    let next = forecast.steps.first().expect("a step ahead");
    let day = next.date.expect("within the plan");
    assert!(day > d("2024-10-15"), "{next:?}");
    // Cancelling the meeting it was forecast for moves the forecast.
    if let Some(meeting) = &next.meeting {
        engine
            .cancel_meeting(&office(), CommandId::random(), meeting, Some("test".into()))
            .unwrap();
        let again = engine.read().forecast(id, &[]).unwrap();
        let moved = again
            .steps
            .iter()
            .find(|s| s.step == next.step)
            .expect("the step");
        assert_ne!(moved.meeting.as_ref(), Some(meeting), "{moved:?}");
    }
    // An unknown matter is named.
    let err = engine.read().forecast(MatterId::random(), &[]).unwrap_err();
    assert!(
        matches!(err, arende::Error::Unknown { kind: "matter", .. }),
        "{err:?}"
    );
}

#[test]
fn a_decision_cannot_cite_a_paragraph_its_minutes_do_not_hold() {
    let (engine, _, clock) = memory("2024-09-01");
    let id = up_to_the_notes(&engine, &clock);
    let at = At::minutes(
        "sbu",
        MinutesRef {
            meeting: MeetingId::new("sbu-2024-10-15"),
            paragraph: 9,
        },
    );
    let err = engine
        .run_matter(id, &p("daniel-berglund"), MatterCommand::Present { at })
        .unwrap_err();
    assert!(err.to_string().contains("§ 9"), "{err}");
}

#[test]
fn a_submission_stored_in_another_matters_stream_is_corruption() {
    use arende::store::{AppendRequest, EventData, ExpectedVersion};
    let (engine, store, _) = memory("2024-09-02");
    let submit = SubmitMatter::new(MatterKind::Information, "IF-frågan", "sbu");
    let id = engine
        .submit_matter(&p("jaana-jansson"), submit)
        .unwrap()
        .state
        .id
        .unwrap();
    let org = org();
    let own = store
        .read_stream(&org.tenant, &StreamId::new(format!("matter-{id}")), 1)
        .unwrap();
    let other = MatterId::random();
    let stream = StreamId::new(format!("matter-{other}"));
    store
        .append(AppendRequest {
            tenant: org.tenant.clone(),
            stream,
            expected: ExpectedVersion::NoStream,
            command_id: CommandId::random(),
            actor: "jaana-jansson".into(),
            recorded_at: own[0].recorded_at,
            events: vec![EventData {
                event_type: own[0].event_type.clone(),
                payload: own[0].payload.clone(),
            }],
            outbox: Vec::new(),
        })
        .unwrap();
    let err = engine.read().matter(other).unwrap_err();
    assert!(matches!(err, arende::Error::Decode(_)), "{err:?}");
    assert!(err.to_string().contains(&other.to_string()), "{err}");
    // The rest of the store still reads.
    assert!(engine.read().matter(id).is_ok());
}
