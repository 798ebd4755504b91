//! The scheduler over the engine with `config/orebro.toml`, day by simulated day: the
//! remiss reminder goes a week before the deadline to the recipients who have not
//! answered, the assignment-due message a week before the due date to the assignee;
//! each once, however often the scheduler runs.

use std::collections::BTreeSet;
use std::sync::Arc;

use arende_core::assignment::{Assignee, AssignmentOrder, Due as AssignmentDue};
use arende_core::authz::Actor;
use arende_core::clock::SimulatedClock;
use arende_core::engine::Engine;
use arende_core::ids::{BodyId, CommandId, PartyId, PersonId, RouteId};
use arende_core::matter::{
    At, MatterCommand, MatterKind, RemissOrder, RemissRecipient, Screening, SubmitMatter,
    remiss_recipients,
};
use arende_core::notification::NotificationKind;
use arende_core::org::Role;
use arende_core::store::MemoryStore;
use arende_notify::Dispatcher;
use arende_notify::scheduler::{Scheduler, run_day};
use arende_notify::transport::MemoryTransport;
use chrono::NaiveDate;

use crate::common::d;

fn orebro() -> arende_core::org::Organisation {
    let text = include_str!("../../../../config/orebro.toml");
    arende_core::config::load_str(text, "config/orebro.toml").expect("config/orebro.toml loads")
}

#[tokio::test]
async fn remiss_reminders_and_assignment_due_go_once_on_their_days() {
    let org = Arc::new(orebro());
    let store = Arc::new(MemoryStore::new());
    let clock = Arc::new(SimulatedClock::at_date(d(2024, 11, 15)));
    let engine = Arc::new(Engine::new(org.clone(), store.clone(), clock.clone()));
    let transport = Arc::new(MemoryTransport::new());
    let dispatcher = Dispatcher::new(store.clone(), transport.clone(), clock.clone());
    let scheduler = Scheduler::new(engine.clone());
    // The secretariat records what the bodies did (a system actor in this test).
    let office = Actor::service("sekretariatet", &arende_core::authz::Action::ALL);

    // The unbroken-schooling agreement (minutes 000, 001): drafted, prepared, presented
    // to the joint chief group on 15 November, then a remiss edition with a deadline.
    let mut s = SubmitMatter::new(
        MatterKind::Agreement,
        "Överenskommelse om obruten skolgång för placerade barn",
        "wg-unbroken-schooling",
    );
    s.submitter = Some(PersonId::new("tarja-nordling"));
    let matter = engine
        .submit_matter(&office, s)
        .expect("submit")
        .state
        .id
        .expect("id");
    let run = |c: MatterCommand| {
        engine
            .run_matter(matter, &office, c)
            .expect("matter command")
    };
    run(MatterCommand::Screen {
        screening: Screening::Handle {
            route: Some(RouteId::new("chief-group-agreement")),
        },
    });
    run(MatterCommand::Prepare {
        at: At::body("wg-unbroken-schooling"),
        recommendation: None,
    });
    run(MatterCommand::Prepare {
        at: At::body("sbu"),
        recommendation: None,
    });
    run(MatterCommand::Present {
        at: At::body("cg-joint"),
    });
    let consulted = ["askersund", "degerfors", "orebro"];
    let deadline = d(2025, 1, 31);
    clock.set_date(d(2024, 11, 20));
    run(MatterCommand::SendOnRemiss(RemissOrder {
        at: At::body("cg-joint"),
        recipients: consulted
            .iter()
            .map(|p| RemissRecipient::Party(PartyId::new(*p)))
            .collect(),
        deadline,
        receivers: vec!["Tarja Nordling".into()],
        edition: Some("Remissupplaga 2024-11-20".into()),
    }));
    // An assignment from the joint chief group to the preparatory group.
    engine
        .give_assignment(
            &office,
            CommandId::random(),
            &BodyId::new("cg-joint"),
            None,
            AssignmentOrder {
                assignee: Assignee::Body(BodyId::new("sbu")),
                task: "Ta fram en prioriteringsordning".into(),
                due: AssignmentDue::Date(d(2025, 1, 17)),
                matter: None,
            },
        )
        .expect("give assignment");

    let mut reminders: Vec<(NaiveDate, BTreeSet<String>)> = Vec::new();
    let mut assignment_due: Vec<(NaiveDate, BTreeSet<String>)> = Vec::new();
    let mut seen = 0;
    let mut day = d(2024, 11, 20);
    while day <= d(2025, 2, 5) {
        clock.set_date(day);
        if day == d(2024, 12, 10) {
            run(MatterCommand::RecordRemissResponse {
                recipient: RemissRecipient::Party(PartyId::new("degerfors")),
                comments: 12,
                received_on: None,
            });
        }
        // Twice a day: the second run must write nothing new.
        let (first, _) = run_day(&scheduler, &dispatcher).await.expect("run day");
        let (second, _) = run_day(&scheduler, &dispatcher).await.expect("run day");
        assert!(first.failed.is_empty(), "{day}: {:?}", first.failed);
        assert!(
            second.sent.is_empty(),
            "{day}: sent twice: {:?}",
            second.sent
        );
        let all = transport.delivered();
        for o in &all[seen..] {
            let emails: BTreeSet<String> = o
                .notification
                .recipients
                .iter()
                .filter_map(|r| r.email.clone())
                .collect();
            match o.notification.kind {
                NotificationKind::RemissReminder => reminders.push((day, emails)),
                NotificationKind::AssignmentDue => assignment_due.push((day, emails)),
                _ => {}
            }
        }
        seen = all.len();
        day = day.succ_opt().expect("next day");
    }

    let expected: BTreeSet<String> = ["askersund", "orebro"]
        .iter()
        .flat_map(|p| {
            remiss_recipients(
                &org,
                &BodyId::new("cg-joint"),
                &RemissRecipient::Party(PartyId::new(*p)),
            )
        })
        .filter_map(|r| r.email)
        .collect();
    let answered: BTreeSet<String> = remiss_recipients(
        &org,
        &BodyId::new("cg-joint"),
        &RemissRecipient::Party(PartyId::new("degerfors")),
    )
    .into_iter()
    .filter_map(|r| r.email)
    .collect();
    assert!(!expected.is_empty() && !answered.is_empty());
    assert_eq!(reminders.len(), 1, "{reminders:?}");
    assert_eq!(reminders[0].0, d(2025, 1, 24), "a week before the deadline");
    assert!(
        reminders[0].1.is_superset(&expected),
        "{:?}",
        reminders[0].1
    );
    assert!(
        reminders[0].1.is_disjoint(&answered),
        "not to those who answered"
    );

    let sbu_officers: BTreeSet<String> = org
        .members_of(&BodyId::new("sbu"))
        .filter(|m| matches!(m.role, Role::Chair | Role::Secretary))
        .filter_map(|m| org.person(&m.person).and_then(|p| p.email.clone()))
        .collect();
    assert_eq!(assignment_due, vec![(d(2025, 1, 10), sbu_officers)]);
    let text = &transport
        .delivered()
        .into_iter()
        .find(|o| o.notification.kind == NotificationKind::AssignmentDue)
        .expect("assignment due")
        .renderings[0];
    assert_eq!(
        text.subject,
        "Uppdrag att redovisa senast 17 januari 2025: Ta fram en prioriteringsordning"
    );
}

#[tokio::test]
async fn the_service_loop_ticks_and_dispatches_until_shut_down() {
    let org = Arc::new(orebro());
    let store = Arc::new(MemoryStore::new());
    // The sbu call for its meeting of 15 October 2024 goes out on Friday 13 September
    // (a month before is a Sunday: it moves to the working day before).
    let clock = Arc::new(SimulatedClock::at_date(d(2024, 9, 13)));
    let engine = Arc::new(Engine::new(org.clone(), store.clone(), clock.clone()));
    let transport = Arc::new(MemoryTransport::new());
    let dispatcher = Dispatcher::new(store.clone(), transport.clone(), clock.clone());
    let scheduler = Scheduler::new(engine).with_catch_up_days(0);
    let mut due_today: Vec<String> = org
        .meetings
        .iter()
        .filter(|m| {
            m.call_for_matters == d(2024, 9, 13)
                && m.status != arende_core::org::MeetingStatus::Cancelled
        })
        .map(|m| m.id.to_string())
        .collect();
    due_today.sort();
    assert!(due_today.contains(&"sbu-2024-10-15".to_string()));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let service = arende_notify::scheduler::run(
        &scheduler,
        &dispatcher,
        std::time::Duration::from_millis(5),
        std::time::Duration::from_secs(3600),
        stopped,
    );
    let watcher = async {
        // Wait (bounded) until the call for matters of 15 October has gone out.
        for _ in 0..2000 {
            let sent = transport.delivered().iter().any(|o| {
                o.notification.kind == NotificationKind::CallForMatters
                    && o.notification
                        .meeting
                        .as_ref()
                        .is_some_and(|m| m.id.as_str() == "sbu-2024-10-15")
            });
            if sent {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        stop.send(true).expect("stop");
    };
    let (result, ()) = tokio::join!(service, watcher);
    result.expect("service");
    let mut calls: Vec<_> = transport
        .delivered()
        .into_iter()
        .filter(|o| o.notification.kind == NotificationKind::CallForMatters)
        .filter_map(|o| o.notification.meeting.map(|m| m.id.to_string()))
        .collect();
    calls.sort();
    assert_eq!(calls, due_today, "what is due today, each once");
}

/// Every outbox row written since the last call, as (kind, payload), in order.
fn written(store: &MemoryStore, now: chrono::DateTime<chrono::Utc>) -> Vec<(String, String)> {
    use arende_core::store::Outbox;
    // Claimed in the order written.
    let rows = store
        .claim(now, chrono::Duration::days(365), 10_000)
        .expect("claim");
    for r in &rows {
        store.mark_delivered(r.message.id).expect("mark");
    }
    rows.into_iter()
        .map(|r| (r.message.kind, r.message.payload))
        .collect()
}

#[tokio::test]
async fn a_tick_writes_exactly_the_facts_its_preview_shows() {
    use arende_core::clock::Clock;
    use arende_core::matter::Screening;
    use arende_core::notification::{Change, Notification};
    use arende_core::subscription::{FollowTarget, Follower};

    let org = Arc::new(orebro());
    let store = Arc::new(MemoryStore::new());
    let clock = Arc::new(SimulatedClock::at_date(d(2024, 9, 1)));
    let engine = Arc::new(Engine::new(org.clone(), store.clone(), clock.clone()));
    let scheduler = Scheduler::new(engine.clone()).with_catch_up_days(0);
    let office = Actor::service("sekretariatet", &arende_core::authz::Action::ALL);
    // A follower of the group, and a matter that makes the October meeting's agenda.
    engine
        .follow(
            &office,
            FollowTarget::Body(BodyId::new("sbu")),
            Follower::Address {
                name: "Länsdel norr".into(),
                email: "norr@example.se".into(),
            },
        )
        .expect("follow");
    let mut s = SubmitMatter::new(
        MatterKind::Agreement,
        "Överenskommelse om regional samverkan för familjecentraler",
        "sbu",
    );
    s.submitter = Some(PersonId::new("susann-cederlund"));
    // The group's secretary registers and screens it, as in autumn 2024.
    let daniel = Actor::Person(PersonId::new("daniel-berglund"));
    let matter = engine
        .submit_matter(&daniel, s)
        .expect("submit")
        .state
        .id
        .expect("id");
    engine
        .run_matter(
            matter,
            &daniel,
            MatterCommand::Screen {
                screening: Screening::InformationItem,
            },
        )
        .expect("screen");
    engine
        .run_matter(
            matter,
            &Actor::Person(PersonId::new("susann-cederlund")),
            MatterCommand::MarkDocumentsReady,
        )
        .expect("documents ready");
    // The secretary puts it on the October meeting (the scheduler's own identity may
    // send notices, not schedule matters).
    engine
        .run_matter(
            matter,
            &daniel,
            MatterCommand::Schedule {
                meeting: arende_core::ids::MeetingId::new("sbu-2024-10-15"),
            },
        )
        .expect("schedule");
    written(&store, clock.now());

    let (mut calls, mut notices) = (0, 0);
    let mut day = d(2024, 9, 1);
    while day <= d(2024, 10, 31) {
        clock.set_date(day);
        let preview = scheduler.due().expect("preview");
        let tick = scheduler.tick().expect("tick");
        assert!(tick.failed.is_empty(), "{day}: {:?}", tick.failed);
        let keys: Vec<&String> = preview.iter().map(|d| &d.key).collect();
        assert_eq!(keys, tick.sent.iter().collect::<Vec<_>>(), "{day}");
        let shown: Vec<(String, String)> = preview
            .iter()
            .map(|d| {
                (
                    d.notification.kind.name().to_owned(),
                    serde_json::to_string(&d.notification).expect("json"),
                )
            })
            .collect();
        // The notice puts its agenda's matters on the meeting; each matter's own
        // feedback about that is the matter's fact, not the schedule's.
        let (feedback, facts): (Vec<_>, Vec<_>) = written(&store, clock.now())
            .into_iter()
            .partition(|(kind, _)| kind == "feedback");
        assert_eq!(
            facts, shown,
            "{day}: the tick wrote what the preview showed"
        );
        for (_, payload) in feedback {
            let n: Notification = serde_json::from_str(&payload).expect("fact");
            assert_eq!(n.matter, Some(matter), "{day}");
            assert!(
                matches!(&n.changes[..], [Change::Scheduled { .. }]),
                "{day}: {:?}",
                n.changes
            );
        }
        for d in &preview {
            match d.notification.kind {
                NotificationKind::CallForMatters => calls += 1,
                NotificationKind::Notice => {
                    notices += 1;
                    let n = &d.notification;
                    if n.meeting
                        .as_ref()
                        .is_some_and(|m| m.id.as_str() == "sbu-2024-10-15")
                    {
                        assert!(
                            n.agenda.iter().any(|a| a.matter == Some(matter)),
                            "the matter is on the notice: {:?}",
                            n.agenda
                        );
                        assert!(
                            n.recipients
                                .iter()
                                .any(|r| r.email.as_deref() == Some("norr@example.se")),
                            "the follower is told"
                        );
                    }
                }
                _ => {}
            }
        }
        day = day.succ_opt().expect("next day");
    }
    assert!(calls > 0 && notices > 0, "calls {calls}, notices {notices}");
}
