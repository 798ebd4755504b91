//! Rendering and dispatching speed: a notice rendered from the built-in templates, and
//! a batch of 100 outbox messages claimed, rendered, delivered to an in-memory transport
//! and marked delivered.
//!
//! Run: `cargo bench -p arende-notify --bench dispatch`.

use std::sync::Arc;

use arende_core::clock::{SimulatedClock, stockholm_instant};
use arende_core::ids::{CommandId, MeetingId, PersonId, TenantId};
use arende_core::notification::{
    AgendaEntry, AgendaKind, Language, MeetingRef, Notification, NotificationKind, Recipient,
    RecipientReason,
};
use arende_core::store::{
    AppendRequest, EventStore, ExpectedVersion, MemoryStore, OutboxMessage, StreamId,
};
use arende_notify::render::{LanguagePolicy, render};
use arende_notify::transport::MemoryTransport;
use arende_notify::{Dispatcher, Templates};
use chrono::NaiveDate;
use criterion::{BatchSize, Criterion};

fn notice() -> Notification {
    let day = NaiveDate::from_ymd_opt(2024, 10, 15).expect("date");
    let mut n = Notification::new(NotificationKind::Notice, TenantId::new("orebro"), day);
    n.meeting = Some(MeetingRef {
        id: MeetingId::new("sbu-2024-10-15"),
        body_name: "Samverkansgrupp barn och unga i Örebro län".into(),
        start: stockholm_instant(day, 10, 0),
        end: stockholm_instant(day, 12, 0),
        location: Some("Hjortkvarn, Eklundavägen 1".into()),
        sequence: 0,
    });
    n.agenda = (1..=9)
        .map(|i| AgendaEntry {
            number: i,
            title: format!("Punkt {i}"),
            matter: None,
            kind: Some(AgendaKind::Decision),
            time_box: None,
        })
        .collect();
    for i in 0..13 {
        n.add_recipient(Recipient {
            person: Some(PersonId::new(format!("p{i}"))),
            name: format!("Person {i}"),
            email: Some(format!("p{i}@example.se")),
            reason: RecipientReason::Member,
            language: Language::Swedish,
        });
    }
    n
}

fn bench(c: &mut Criterion) {
    let templates = Templates::builtin();
    let policy = LanguagePolicy::default();
    let n = notice();
    c.bench_function("render notice (13 recipients, 9 agenda items)", |b| {
        b.iter(|| render(&templates, &policy, &n, uuid::Uuid::nil(), None))
    });

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let payload = serde_json::to_string(&n).expect("json");
    let at = stockholm_instant(NaiveDate::from_ymd_opt(2024, 10, 1).expect("date"), 9, 0);
    c.bench_function("dispatch 100 notices (memory store and transport)", |b| {
        b.iter_batched(
            || {
                let store = Arc::new(MemoryStore::new());
                store
                    .append(AppendRequest {
                        tenant: TenantId::new("orebro"),
                        stream: StreamId::new("bench"),
                        expected: ExpectedVersion::NoStream,
                        command_id: CommandId::random(),
                        actor: "system:bench".into(),
                        recorded_at: at,
                        events: vec![],
                        outbox: (0..100)
                            .map(|_| OutboxMessage {
                                id: uuid::Uuid::new_v4(),
                                kind: "notice".into(),
                                payload: payload.clone(),
                                available_at: at,
                            })
                            .collect(),
                    })
                    .expect("append");
                Dispatcher::new(store, MemoryTransport::new(), SimulatedClock::new(at))
            },
            |d| rt.block_on(d.drain()).expect("drain"),
            BatchSize::SmallInput,
        )
    });
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
