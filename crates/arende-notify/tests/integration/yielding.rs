//! The dispatcher over SQLite yields to the runtime while it drains: on a current-thread
//! runtime (one thread for every task) another task runs between the batches of a long
//! drain instead of waiting until it is over.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arende_core::clock::SimulatedClock;
use arende_core::ids::{CommandId, TenantId};
use arende_core::notification::{Notification, NotificationKind, Recipient, RecipientReason};
use arende_core::store::{AppendRequest, EventStore, ExpectedVersion, OutboxMessage, StreamId};
use arende_notify::Dispatcher;
use arende_notify::dispatcher::DispatchConfig;
use arende_notify::transport::MemoryTransport;
use arende_store_sqlite::SqliteStore;

use crate::common::d;

#[tokio::test(flavor = "current_thread")]
async fn a_long_drain_lets_other_tasks_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(SqliteStore::open(dir.path().join("arende.db")).expect("open"));
    let clock = Arc::new(SimulatedClock::at_date(d(2024, 10, 1)));
    let at = arende_core::clock::stockholm_instant(d(2024, 10, 1), 8, 0);
    let outbox = (0..200)
        .map(|i| {
            let mut note = Notification::new(
                NotificationKind::Feedback,
                TenantId::new("orebro"),
                d(2024, 10, 1),
            );
            note.matter_title = Some(format!("Ärende {i}"));
            note.add_recipient(Recipient {
                person: None,
                name: "Susann Cederlund".into(),
                email: Some("susann@example.se".into()),
                reason: RecipientReason::Submitter,
                language: Default::default(),
            });
            OutboxMessage {
                id: uuid::Uuid::new_v4(),
                kind: "feedback".into(),
                payload: serde_json::to_string(&note).expect("json"),
                available_at: at,
            }
        })
        .collect();
    store
        .append(AppendRequest {
            tenant: TenantId::new("orebro"),
            stream: StreamId::new("test"),
            expected: ExpectedVersion::Any,
            command_id: CommandId::random(),
            actor: "system:test".into(),
            recorded_at: at,
            events: vec![],
            outbox,
        })
        .expect("enqueue");
    let transport = Arc::new(MemoryTransport::new());
    let dispatcher = Dispatcher::new(store, transport.clone(), clock).with_config(DispatchConfig {
        batch_size: 10,
        ..DispatchConfig::default()
    });
    let ticks = Arc::new(AtomicU64::new(0));
    let ticker = {
        let ticks = ticks.clone();
        tokio::spawn(async move {
            loop {
                ticks.fetch_add(1, Ordering::Relaxed);
                tokio::task::yield_now().await;
            }
        })
    };
    let report = dispatcher.drain().await.expect("drain");
    let during = ticks.load(Ordering::Relaxed);
    ticker.abort();
    assert_eq!(report.delivered, 200);
    assert_eq!(transport.delivered().len(), 200);
    assert!(
        during >= 10,
        "another task ran {during} times during a drain of 20 batches"
    );
}
