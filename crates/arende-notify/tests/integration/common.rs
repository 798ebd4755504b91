//! Fixtures shared by the integration tests: notifications and how to put them in an
//! outbox.

use arende_core::ids::{BodyId, CommandId, MeetingId, PersonId, TenantId};
use arende_core::notification::{
    AgendaEntry, AgendaKind, Change, Language, MeetingRef, Notification, NotificationKind,
    Recipient, RecipientReason,
};
use arende_core::store::{AppendRequest, EventStore, ExpectedVersion, OutboxMessage, StreamId};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

pub fn at(date: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    arende_core::clock::stockholm_instant(date, h, m)
}

pub fn tenant() -> TenantId {
    TenantId::new("orebro")
}

pub fn recipient(id: &str, name: &str, reason: RecipientReason) -> Recipient {
    Recipient {
        person: Some(PersonId::new(id)),
        name: name.into(),
        email: Some(format!("{id}@example.se")),
        reason,
        language: Language::Swedish,
    }
}

/// Feedback number `i` to the submitter of the family-centre matter: it has been
/// followed up (note `i`).
pub fn feedback(i: usize) -> Notification {
    let mut n = Notification::new(NotificationKind::Feedback, tenant(), d(2024, 10, 15));
    n.body = Some(BodyId::new("sbu"));
    n.changes.push(Change::FollowedUp {
        note: format!("steg {i}"),
    });
    n.matter_title = Some("Överenskommelse om regional samverkan för familjecentraler".into());
    n.add_recipient(recipient(
        "susann-cederlund",
        "Susann Cederlund",
        RecipientReason::Submitter,
    ));
    n
}

/// The notice of the preparatory group's meeting on 16 December 2024.
pub fn notice() -> Notification {
    let day = d(2024, 12, 16);
    let mut n = Notification::new(NotificationKind::Notice, tenant(), day);
    n.meeting = Some(MeetingRef {
        id: MeetingId::new("sbu-2024-12-16"),
        body_name: "Samverkansgrupp barn och unga i Örebro län".into(),
        start: at(day, 13, 0),
        end: at(day, 15, 0),
        location: Some("Enen".into()),
        sequence: 1,
    });
    n.agenda = vec![
        AgendaEntry {
            number: 1,
            title: "Välkommen".into(),
            matter: None,
            kind: Some(AgendaKind::Information),
            time_box: None,
        },
        AgendaEntry {
            number: 2,
            title: "Förslag till överenskommelse om regional samverkan för familjecentraler".into(),
            matter: None,
            kind: Some(AgendaKind::Decision),
            time_box: Some(30),
        },
    ];
    n.expected = Some("Ta med synpunkter från er verksamhet".into());
    n.add_recipient(recipient(
        "ingmar-angman",
        "Ingmar Ångman",
        RecipientReason::Officer,
    ));
    n.add_recipient(recipient(
        "anna-andersson",
        "Anna Andersson",
        RecipientReason::Member,
    ));
    n
}

/// Writes notifications to the outbox of `store`, available at `when`; returns their ids.
pub fn enqueue(store: &dyn EventStore, ns: &[Notification], when: DateTime<Utc>) -> Vec<Uuid> {
    let mut ids = Vec::new();
    let outbox = ns
        .iter()
        .map(|n| {
            let id = Uuid::new_v4();
            ids.push(id);
            OutboxMessage {
                id,
                kind: n.kind.name().into(),
                payload: serde_json::to_string(n).expect("notification json"),
                available_at: when,
            }
        })
        .collect();
    store
        .append(AppendRequest {
            tenant: tenant(),
            stream: StreamId::new(format!("test-{}", Uuid::new_v4())),
            expected: ExpectedVersion::NoStream,
            command_id: CommandId::random(),
            actor: "system:test".into(),
            recorded_at: when,
            events: vec![],
            outbox,
        })
        .expect("append to outbox");
    ids
}
