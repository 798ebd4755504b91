//! Unit tests of the meeting aggregate (given / when / then on the pure decisions) and
//! of its engine commands on the in-memory store, in the test county of [`crate::testing`].

use super::*;
pub(super) use crate::command::Effects;
use crate::testing::{self, cmd, d, mid, person, pid};

use std::sync::Arc;

use crate::authz::Actor;
use crate::clock::SimulatedClock;
use crate::engine::Engine;
pub(super) use crate::error::Error;
use crate::ids::CommandId;
use crate::notification::{Notification, NotificationKind, RecipientReason};
use crate::store::{MemoryStore, Outbox, StreamId};

type TestEngine = Engine<Arc<MemoryStore>, Arc<SimulatedClock>>;

pub(super) fn engine_at(date: NaiveDate) -> (TestEngine, Arc<MemoryStore>, Arc<SimulatedClock>) {
    let store = Arc::new(MemoryStore::new());
    let clock = Arc::new(SimulatedClock::at_date(date));
    let engine = Engine::new(Arc::new(testing::org()), store.clone(), clock.clone());
    (engine, store, clock)
}

fn outbox(store: &MemoryStore) -> Vec<Notification> {
    let claimed = store
        .claim(
            crate::clock::stockholm_instant(d(2100, 1, 1), 0, 0),
            chrono::Duration::minutes(5),
            1000,
        )
        .unwrap();
    claimed
        .iter()
        .map(|r| serde_json::from_str(&r.message.payload).unwrap())
        .collect()
}

pub(super) fn stream(store: &MemoryStore, meeting: &str) -> Vec<crate::store::RecordedEvent> {
    use crate::store::EventStore;
    store
        .read_stream(
            &crate::ids::TenantId::new("orebro"),
            &StreamId::new(format!("meeting-{meeting}")),
            1,
        )
        .unwrap()
}

fn ctx<'a>(org: &'a Organisation, id: &str, today: NaiveDate) -> Context<'a> {
    Context {
        org,
        plan: org.meeting(&mid(id)).unwrap(),
        today,
    }
}

pub(super) fn given<'a>(
    org: &'a Organisation,
    id: &str,
    today: NaiveDate,
    events: Vec<MeetingEvent>,
) -> (Meeting, Context<'a>) {
    let c = ctx(org, id, today);
    let mut m = Meeting::default();
    for e in m.opening(&c).into_iter().chain(events) {
        m.apply(&e);
    }
    (m, c)
}

fn council_agenda() -> Vec<AgendaItem> {
    vec![
        AgendaItem::new(1, "Mötet öppnas och justerare utses", ItemKind::Decision),
        AgendaItem::new(2, "Fastställande av dagordning", ItemKind::Decision),
        AgendaItem::new(
            3,
            "Regional samverkan för familjecentral",
            ItemKind::Discussion,
        )
        .presented_by("susann")
        .time_box(30),
        AgendaItem::new(4, "Nära vård årsberättelse 2023", ItemKind::Information).time_box(5),
    ]
}

pub(super) fn held_council(org: &Organisation) -> (Meeting, Context<'_>) {
    let (m, c) = given(org, "council-social-2024-05-17", d(2024, 5, 17), vec![]);
    let notice = m
        .decide_notice(
            &c,
            &NoticeInput {
                agenda: council_agenda(),
                ..NoticeInput::default()
            },
            vec![],
        )
        .unwrap();
    let mut m = m;
    for e in &notice {
        m.apply(e);
    }
    let held = m
        .decide_held(
            &c,
            &MeetingRecord {
                attendance: Attendance {
                    present: vec![pid("jenny"), pid("malin"), pid("jonas")],
                    absent: vec![pid("jerry"), pid("jessica")],
                    substitutes: vec![SubstituteFor {
                        substitute: pid("tina"),
                        member: pid("jerry"),
                    }],
                    guests: vec![],
                },
                added: vec![],
                dropped: vec![],
                order: vec![],
            },
        )
        .unwrap();
    for e in &held {
        m.apply(e);
    }
    (m, c)
}

pub(super) fn draft() -> MinutesDraft {
    MinutesDraft::new(
        "jenny",
        "malin",
        vec![pid("tina")],
        vec![
            Paragraph::new(1, "Mötet öppnas och justerare utses")
                .text("Till justerare utsågs Tina Johansson, Laxå kommun."),
            Paragraph::new(2, "Regional samverkan för familjecentral")
                .item(3)
                .presented_by("susann")
                .outcome(Outcome::NotedAndFiled),
        ],
    )
}

// ─────────────── given / when / then on the pure decisions ───────────────

#[test]
fn call_then_notice_then_held_moves_the_phase() {
    let org = testing::org();
    let c = ctx(&org, "sbu-2024-10-15", d(2024, 9, 15));
    let m = Meeting::default();
    let events = m.decide_call_for_matters(&c, vec![pid("peter")]).unwrap();
    assert!(matches!(
        &events[..],
        [
            MeetingEvent::MeetingPlanned { .. },
            MeetingEvent::CallForMattersSent { submit_by, documents_by, .. }
        // One month before is Sunday 15 September: the call goes out on the Friday.
        ] if *submit_by == d(2024, 9, 13) && *documents_by == d(2024, 10, 1)
    ));
    let mut m = Meeting::default();
    for e in &events {
        m.apply(e);
    }
    assert_eq!(m.phase, MeetingPhase::CallForMattersSent);
    // A second call is refused.
    assert!(matches!(
        m.decide_call_for_matters(&c, vec![]),
        Err(MeetingError::InvalidTransition { .. })
    ));
}

#[test]
fn the_notice_checks_its_agenda() {
    let org = testing::org();
    let (m, c) = given(&org, "council-social-2024-05-17", d(2024, 5, 3), vec![]);
    let mut agenda = council_agenda();
    agenda[1].number = 1;
    let err = m
        .decide_notice(
            &c,
            &NoticeInput {
                agenda,
                ..NoticeInput::default()
            },
            vec![],
        )
        .unwrap_err();
    assert!(
        matches!(err, MeetingError::InvalidAgenda { number: 1, .. }),
        "{err}"
    );
    let mut agenda = council_agenda();
    agenda[2].presenter = Some(Presenter::Person(pid("nobody")));
    let err = m
        .decide_notice(
            &c,
            &NoticeInput {
                agenda,
                ..NoticeInput::default()
            },
            vec![],
        )
        .unwrap_err();
    assert!(matches!(err, MeetingError::UnknownPerson { .. }), "{err}");
}

#[test]
fn a_substitute_serves_only_for_their_member() {
    let org = testing::org();
    let (m, c) = given(&org, "council-social-2024-05-17", d(2024, 5, 17), vec![]);
    let record = |sub: &str, member: &str, present: Vec<PersonId>| MeetingRecord {
        attendance: Attendance {
            present,
            absent: vec![],
            substitutes: vec![SubstituteFor {
                substitute: pid(sub),
                member: pid(member),
            }],
            guests: vec![],
        },
        ..MeetingRecord::default()
    };
    let err = m
        .decide_held(&c, &record("tina", "jonas", vec![]))
        .unwrap_err();
    assert!(
        matches!(err, MeetingError::InvalidAttendance { .. }),
        "{err}"
    );
    let err = m
        .decide_held(&c, &record("jonas", "jerry", vec![]))
        .unwrap_err();
    assert!(
        matches!(err, MeetingError::InvalidAttendance { .. }),
        "{err}"
    );
    let err = m
        .decide_held(&c, &record("tina", "jerry", vec![pid("jerry")]))
        .unwrap_err();
    assert!(
        matches!(err, MeetingError::InvalidAttendance { .. }),
        "{err}"
    );
    assert!(
        m.decide_held(&c, &record("tina", "jerry", vec![pid("jonas")]))
            .is_ok()
    );
}

#[test]
fn a_meeting_cannot_be_recorded_before_its_day() {
    let org = testing::org();
    let (m, c) = given(&org, "council-social-2024-05-17", d(2024, 5, 16), vec![]);
    assert!(matches!(
        m.decide_held(&c, &MeetingRecord::default()),
        Err(MeetingError::NotYetHeld { .. })
    ));
}

#[test]
fn items_added_and_dropped_at_the_meeting() {
    let org = testing::org();
    let (m, c) = given(&org, "council-social-2024-05-17", d(2024, 5, 17), vec![]);
    let notice = m
        .decide_notice(
            &c,
            &NoticeInput {
                agenda: council_agenda(),
                ..NoticeInput::default()
            },
            vec![],
        )
        .unwrap();
    let mut m = m;
    for e in &notice {
        m.apply(e);
    }
    let record = MeetingRecord {
        attendance: Attendance::default(),
        added: vec![AddedItem {
            item: AgendaItem::new(
                5,
                "Organisationsöversyn av välfärd och folkhälsa",
                ItemKind::Information,
            ),
            raised_by: pid("ingmar"),
        }],
        dropped: vec![DroppedItem {
            number: 4,
            reason: DropReason::LackOfTime,
        }],
        order: vec![1, 2, 3, 5, 4],
    };
    for e in m.decide_held(&c, &record).unwrap() {
        m.apply(&e);
    }
    assert!(m.agenda_adopted);
    let order: Vec<u32> = m.agenda.iter().map(|e| e.item.number).collect();
    assert_eq!(order, vec![1, 2, 3, 5, 4]);
    assert_eq!(m.agenda[3].added_by, Some(pid("ingmar")));
    let dropped: Vec<_> = m.dropped_items().map(|(i, _)| i.number).collect();
    assert_eq!(dropped, vec![4]);
    // An item number that is taken, or unknown, is refused.
    let (m2, _) = given(
        &org,
        "council-social-2024-05-17",
        d(2024, 5, 17),
        notice.clone(),
    );
    let mut bad = record.clone();
    bad.added[0].item.number = 3;
    assert!(matches!(
        m2.decide_held(&c, &bad),
        Err(MeetingError::InvalidAgenda { number: 3, .. })
    ));
    let mut bad = record.clone();
    bad.order = vec![1, 2, 3, 4];
    assert!(matches!(
        m2.decide_held(&c, &bad),
        Err(MeetingError::InvalidAgenda { .. })
    ));
    let mut bad = record;
    bad.dropped[0].number = 9;
    assert!(matches!(
        m2.decide_held(&c, &bad),
        Err(MeetingError::UnknownAgendaItem { number: 9, .. })
    ));
}

#[test]
fn minutes_are_checked() {
    let org = testing::org();
    let (m, c) = held_council(&org);
    let mut no_adjuster = draft();
    no_adjuster.adjusters.clear();
    assert!(matches!(
        m.decide_minutes(&c, &no_adjuster),
        Err(MeetingError::InvalidMinutes { .. })
    ));
    let mut gap = draft();
    gap.paragraphs[1].number = 3;
    let err = m.decide_minutes(&c, &gap).unwrap_err();
    assert!(err.to_string().contains("§ 3"), "{err}");
    let mut empty_decision = draft();
    empty_decision.paragraphs[1].outcome = Outcome::Decided { clauses: vec![] };
    assert!(matches!(
        m.decide_minutes(&c, &empty_decision),
        Err(MeetingError::InvalidMinutes { .. })
    ));
    let ok = m.decide_minutes(&c, &draft()).unwrap();
    assert!(
        matches!(&ok[..], [MeetingEvent::MinutesDrafted { minutes }] if minutes.kind == MinutesKind::Protocol)
    );
}

#[test]
fn adjusted_minutes_are_final_and_refuse_every_change() {
    let org = testing::org();
    let (mut m, c) = held_council(&org);
    for e in m.decide_minutes(&c, &draft()).unwrap() {
        m.apply(&e);
    }
    assert!(!m.minutes_final());
    let c = Context {
        today: d(2024, 6, 14),
        ..c
    };
    let adj = Adjustment::new(d(2024, 6, 14), AdjustmentMeans::Email).by("tina");
    for e in m.decide_adjust(&c, &adj).unwrap() {
        m.apply(&e);
    }
    assert!(m.minutes_final());
    let err = m.decide_minutes(&c, &draft()).unwrap_err();
    assert!(
        matches!(&err, MeetingError::MinutesFinal { since, .. } if since == "justerat 2024-06-14 via e-post"),
        "{err}"
    );
    assert!(matches!(
        m.decide_adjust(&c, &adj),
        Err(MeetingError::MinutesFinal { .. })
    ));
}

#[test]
fn an_adjustment_date_must_lie_between_meeting_and_today() {
    let org = testing::org();
    let (mut m, c) = held_council(&org);
    for e in m.decide_minutes(&c, &draft()).unwrap() {
        m.apply(&e);
    }
    let c = Context {
        today: d(2024, 6, 1),
        ..c
    };
    for on in [d(2024, 5, 16), d(2024, 6, 2)] {
        let adj = Adjustment::new(on, AdjustmentMeans::Email).by("tina");
        assert!(
            matches!(
                m.decide_adjust(&c, &adj),
                Err(MeetingError::InvalidMinutes { .. })
            ),
            "{on}"
        );
    }
}

#[test]
fn a_protocol_is_distributed_only_when_adjusted_and_notes_are_final_when_distributed() {
    let org = testing::org();
    let (mut m, c) = held_council(&org);
    for e in m.decide_minutes(&c, &draft()).unwrap() {
        m.apply(&e);
    }
    assert!(matches!(
        m.decide_distribute(&c, vec![]),
        Err(MeetingError::NotAdjusted { .. })
    ));

    let (m, c) = given(&org, "sbu-2024-10-15", d(2024, 10, 15), vec![]);
    let mut m = m;
    for e in m.decide_held(&c, &MeetingRecord::default()).unwrap() {
        m.apply(&e);
    }
    let notes = MinutesDraft::new(
        "ingmar",
        "daniel",
        vec![],
        vec![Paragraph::new(1, "Välkommen")],
    );
    for e in m.decide_minutes(&c, &notes).unwrap() {
        m.apply(&e);
    }
    assert_eq!(m.minutes.as_ref().unwrap().kind, MinutesKind::Notes);
    assert!(!m.minutes_final());
    for e in m.decide_distribute(&c, vec![]).unwrap() {
        m.apply(&e);
    }
    assert!(m.minutes_final());
    assert!(matches!(
        m.decide_minutes(&c, &notes),
        Err(MeetingError::MinutesFinal { .. })
    ));
}

#[test]
fn moves_and_cancellation_keep_the_entry_and_raise_the_sequence() {
    let org = testing::org();
    let id = "sbu-2024-12-13";
    let (m, c) = given(&org, id, d(2024, 10, 1), vec![]);
    let plan = org.meeting(&mid(id)).unwrap();
    let mut slot = MeetingSlot::of(plan);
    slot.date = d(2024, 12, 12);
    let mut m = m;
    for e in m
        .decide_move(&c, slot.clone(), Some("lokal upptagen".into()))
        .unwrap()
    {
        m.apply(&e);
    }
    let eff = m.effective_plan(plan);
    assert_eq!(
        (eff.id.as_str(), eff.date, eff.moved_from, eff.sequence),
        (id, d(2024, 12, 12), Some(d(2024, 12, 13)), 1)
    );
    // Moving to the same slot changes nothing.
    assert!(m.decide_move(&c, slot, None).unwrap().is_empty());
    for e in m.decide_cancel(&c, None).unwrap() {
        m.apply(&e);
    }
    let eff = m.effective_plan(plan);
    assert_eq!((eff.status, eff.sequence), (MeetingStatus::Cancelled, 2));
    assert!(matches!(
        m.decide_notice(&c, &NoticeInput::default(), vec![]),
        Err(MeetingError::Cancelled { .. })
    ));
    let mut bad = MeetingSlot::of(plan);
    bad.end = bad.start;
    let (fresh, _) = given(&org, id, d(2024, 10, 1), vec![]);
    assert!(matches!(
        fresh.decide_move(&c, bad, None),
        Err(MeetingError::InvalidSlot { .. })
    ));
}

#[test]
fn events_round_trip_through_the_store_format() {
    let org = testing::org();
    let (m, c) = held_council(&org);
    let events = m.decide_minutes(&c, &draft()).unwrap();
    for e in events {
        let data = crate::aggregate::encode(&e);
        let rec = crate::store::RecordedEvent {
            position: 1,
            tenant: org.tenant.clone(),
            stream: StreamId::new("meeting-x"),
            version: 1,
            event_type: data.event_type,
            payload: data.payload,
            actor: "malin".into(),
            command_id: CommandId::random(),
            recorded_at: chrono::DateTime::<chrono::Utc>::MIN_UTC,
        };
        let back: MeetingEvent = crate::aggregate::decode(&rec).unwrap();
        assert_eq!(back, e);
    }
}

// ─────────────── engine commands on the in-memory store ───────────────

#[test]
fn the_call_for_matters_writes_a_notification_in_the_same_append() {
    let (engine, store, _) = engine_at(d(2024, 9, 15));
    let m = mid("sbu-2024-10-15");
    let done = engine
        .send_call_for_matters(&person("daniel"), cmd(), &m)
        .unwrap();
    assert_eq!(done.state.phase, MeetingPhase::CallForMattersSent);
    let sent = outbox(&store);
    assert_eq!(sent.len(), 1);
    let n = &sent[0];
    assert_eq!(n.kind, NotificationKind::CallForMatters);
    assert_eq!(n.deadline, Some(d(2024, 10, 1)));
    let mut who: Vec<&str> = n
        .recipients
        .iter()
        .filter_map(|r| r.person.as_ref().map(|p| p.as_str()))
        .collect();
    who.sort();
    assert_eq!(who, crate::testing::SBU_ROSTER);
    // A member may not send it; nothing is written.
    let before = stream(&store, "sbu-2024-10-15").len();
    let err = engine
        .send_notice(&person("peter"), cmd(), &m, NoticeInput::default())
        .unwrap_err();
    assert!(matches!(err, Error::NotPermitted { .. }), "{err}");
    assert_eq!(stream(&store, "sbu-2024-10-15").len(), before);
}

#[test]
fn the_notice_reaches_members_called_substitutes_and_presenters() {
    let (engine, store, _) = engine_at(d(2024, 5, 3));
    let m = mid("council-social-2024-05-17");
    engine
        .send_notice(
            &person("malin"),
            cmd(),
            &m,
            NoticeInput {
                agenda: council_agenda(),
                documents: vec![Document {
                    title: "Utkast överenskommelse".into(),
                    reference: Some("RS 24/01234".into()),
                    matter: None,
                }],
                expectations: Some("Läs handlingarna och ta med synpunkter från er kommun.".into()),
                substitutes_called: vec![SubstituteFor {
                    substitute: pid("tina"),
                    member: pid("jerry"),
                }],
            },
        )
        .unwrap();
    let sent = outbox(&store);
    let n = &sent[0];
    assert_eq!(n.kind, NotificationKind::Notice);
    let reason = |p: &str| {
        n.recipients
            .iter()
            .find(|r| r.person == Some(pid(p)))
            .map(|r| r.reason)
    };
    assert_eq!(reason("jerry"), Some(RecipientReason::Member));
    assert_eq!(reason("tina"), Some(RecipientReason::Officer));
    assert_eq!(reason("susann"), Some(RecipientReason::Presenter));
    assert_eq!(reason("malin"), Some(RecipientReason::Officer));
    assert_eq!(
        n.agenda[2],
        crate::notification::AgendaEntry {
            number: 3,
            title: "Regional samverkan för familjecentral".into(),
            matter: n.agenda[2].matter,
            kind: Some(crate::notification::AgendaKind::Discussion),
            time_box: Some(30),
        }
    );
    assert_eq!(
        n.expected.as_deref(),
        Some("Läs handlingarna och ta med synpunkter från er kommun.")
    );
    assert_eq!(
        n.meeting.as_ref().unwrap().start.to_rfc3339(),
        "2024-05-17T11:00:00+00:00"
    );
}

#[test]
fn adjusting_is_for_the_named_adjuster_or_the_role() {
    let (engine, store, clock) = engine_at(d(2024, 5, 17));
    let m = mid("council-social-2024-05-17");
    engine
        .record_meeting_held(&person("malin"), cmd(), &m, MeetingRecord::default())
        .unwrap();
    let mut dr = draft();
    dr.paragraphs[1].agenda_item = None;
    dr.adjusters = vec![pid("jonas")];
    engine
        .draft_minutes(&person("malin"), cmd(), &m, dr)
        .unwrap();
    clock.set_date(d(2024, 6, 14));
    let adj = Adjustment::new(d(2024, 6, 14), AdjustmentMeans::Email);
    let before = stream(&store, m.as_str()).len();
    let err = engine
        .adjust_minutes(&person("jessica"), cmd(), &m, adj.clone())
        .unwrap_err();
    assert!(matches!(err, Error::NotPermitted { .. }), "{err}");
    assert_eq!(stream(&store, m.as_str()).len(), before);
    // Jonas holds no adjuster role but is named in these minutes.
    let done = engine
        .adjust_minutes(&person("jonas"), cmd(), &m, adj)
        .unwrap();
    assert!(done.executed.state.minutes_final());
    assert_eq!(done.effects, Some(Effects::default()));
}

#[test]
fn a_dropped_item_is_carried_and_its_submitter_gets_feedback() {
    let (engine, store, clock) = engine_at(d(2024, 10, 1));
    let m = mid("sbu-2024-10-15");
    let mut agenda = standard_agenda(
        vec![AgendaItem {
            submitter: Some(pid("jaana")),
            ..AgendaItem::new(0, "Obruten skolgång", ItemKind::Discussion)
        }],
        Language::Swedish,
    );
    agenda[3].time_box = Some(20);
    engine
        .send_notice(
            &person("daniel"),
            cmd(),
            &m,
            NoticeInput {
                agenda,
                ..NoticeInput::default()
            },
        )
        .unwrap();
    clock.set_date(d(2024, 10, 15));
    outbox(&store);
    engine
        .record_meeting_held(
            &person("daniel"),
            cmd(),
            &m,
            MeetingRecord {
                dropped: vec![DroppedItem {
                    number: 4,
                    reason: DropReason::LackOfTime,
                }],
                ..MeetingRecord::default()
            },
        )
        .unwrap();
    let sent = outbox(&store);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].kind, NotificationKind::Feedback);
    assert_eq!(sent[0].recipients[0].person, Some(pid("jaana")));
    assert_eq!(
        sent[0].next_meeting.as_ref().map(|m| m.id.as_str()),
        Some("sbu-2024-12-13")
    );
    assert!(
        matches!(
            &sent[0].changes[..],
            [crate::notification::Change::Dropped {
                reason: Some(crate::notification::DropCause::LackOfTime),
                ..
            }]
        ),
        "{:?}",
        sent[0].changes
    );

    let late = Candidate::new(
        "Uppdragsbeskrivning",
        ItemKind::Decision,
        d(2024, 11, 20),
        Some(d(2024, 11, 21)),
    );
    let next = engine
        .read()
        .proposed_agenda(&mid("sbu-2024-12-13"), &[late], Language::Swedish)
        .unwrap();
    let titles: Vec<&str> = next.items.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles[3], "Obruten skolgång");
    assert_eq!(next.items[3].carried_from, Some(m.clone()));
    assert_eq!(next.items[3].time_box, Some(20));
    assert_eq!(next.deferred.len(), 1);
    assert_eq!(next.deferred[0].next_meeting, Some(mid("sbu-2025-02-14")));
}

#[test]
fn a_retried_command_writes_nothing_twice() {
    let (engine, store, _) = engine_at(d(2024, 9, 15));
    let m = mid("sbu-2024-10-15");
    let c = cmd();
    engine
        .send_call_for_matters(&person("daniel"), c, &m)
        .unwrap();
    let again = engine
        .send_call_for_matters(&person("daniel"), c, &m)
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(stream(&store, m.as_str()).len(), 2);
    assert_eq!(outbox(&store).len(), 1);
}

#[test]
fn the_scheduler_finds_what_is_due() {
    let (engine, _, _) = engine_at(d(2024, 10, 15));
    let due: Vec<String> = engine
        .read()
        .meetings_due_for_call(d(2024, 10, 15))
        .unwrap()
        .into_iter()
        .map(|m| m.id.to_string())
        .collect();
    assert_eq!(
        due,
        vec![
            "sbu-2024-10-15",
            "nora-ks-2024-10-16",
            "orebro-ks-2024-10-22",
            "kumla-ks-2024-10-30",
            "region-ks-2024-11-05",
            "cg-joint-2024-11-15"
        ]
    );
    let notice: Vec<String> = engine
        .read()
        .meetings_due_for_notice(d(2024, 11, 1))
        .unwrap()
        .into_iter()
        .map(|m| m.id.to_string())
        .collect();
    assert_eq!(notice, vec!["region-ks-2024-11-05", "cg-joint-2024-11-15"]);
    for m in &notice {
        engine
            .send_notice(
                &Actor::system("scheduler"),
                cmd(),
                &mid(m),
                NoticeInput::default(),
            )
            .unwrap();
    }
    assert!(
        engine
            .read()
            .meetings_due_for_notice(d(2024, 11, 1))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn the_joint_chief_group_meeting_gets_its_dates() {
    let org = testing::org();
    let m = org.meeting(&mid("cg-joint-2024-11-15")).unwrap();
    assert_eq!(
        (m.call_for_matters, m.notice),
        (d(2024, 10, 15), d(2024, 11, 1))
    );
}

#[test]
fn absence_is_recorded_only_for_the_roster_of_the_meeting_day() {
    let mut org = testing::org();
    // Jessica's mandate at the council ended the day before the meeting.
    for m in org
        .memberships
        .iter_mut()
        .filter(|m| m.person.as_str() == "jessica")
    {
        m.until = Some(d(2024, 5, 16));
    }
    let (m, c) = given(&org, "council-social-2024-05-17", d(2024, 5, 17), vec![]);
    let notice = m
        .decide_notice(
            &c,
            &NoticeInput {
                agenda: council_agenda(),
                ..NoticeInput::default()
            },
            vec![],
        )
        .unwrap();
    let mut m = m;
    for e in &notice {
        m.apply(e);
    }
    let record = |absent: Vec<PersonId>| MeetingRecord {
        attendance: Attendance {
            present: vec![pid("jenny"), pid("malin"), pid("jonas")],
            absent,
            substitutes: vec![],
            guests: vec![],
        },
        added: vec![],
        dropped: vec![],
        order: vec![],
    };
    let err = m
        .decide_held(&c, &record(vec![pid("jerry"), pid("jessica")]))
        .unwrap_err();
    assert!(
        matches!(&err, MeetingError::InvalidAttendance { person, problem, .. }
            if person.as_str() == "jessica" && problem.contains("2024-05-17")),
        "{err:?}"
    );
    // Someone who sits in no body of the meeting is not absent from it either.
    let err = m.decide_held(&c, &record(vec![pid("susann")])).unwrap_err();
    assert!(
        matches!(err, MeetingError::InvalidAttendance { .. }),
        "{err:?}"
    );
    m.decide_held(&c, &record(vec![pid("jerry")])).unwrap();
}
