//! The NATS JetStream transport against the real NATS server (`ARENDE_NATS_URL`).

use std::sync::Arc;

use arende_core::clock::{Clock, SimulatedClock};
use arende_core::store::{MemoryStore, Outbox, OutboxMessage, OutboxRecord, OutboxStatus};
use arende_notify::nats::NatsTransport;
use arende_notify::{Dispatcher, Transport};

use crate::common::*;
use crate::support::{nats_test_config, nats_url, stream_messages};

#[tokio::test]
async fn messages_go_to_one_subject_per_tenant_and_kind_and_jetstream_drops_duplicates() {
    let Some(url) = nats_url() else {
        return;
    };
    let config = nats_test_config(&url);
    let transport = Arc::new(
        NatsTransport::connect(config.clone())
            .await
            .expect("connect"),
    );
    let store = Arc::new(MemoryStore::new());
    let clock = Arc::new(SimulatedClock::new(at(d(2024, 12, 2), 9, 0)));
    let dispatcher = Dispatcher::new(store.clone(), transport.clone(), clock.clone());
    let ids = enqueue(
        store.as_ref(),
        &[feedback(1), notice(), feedback(2)],
        clock.now(),
    );
    let r = dispatcher.drain().await.expect("dispatch");
    assert_eq!(r.delivered, 3);

    // The first message again, as after an acknowledgement lost on the way back:
    // JetStream recognises its Nats-Msg-Id and keeps one copy.
    let again = dispatcher
        .prepare(&OutboxRecord {
            tenant: tenant(),
            message: OutboxMessage {
                id: ids[0],
                kind: "feedback".into(),
                payload: serde_json::to_string(&feedback(1)).expect("json"),
                available_at: clock.now(),
            },
            attempts: 1,
            last_error: None,
            status: OutboxStatus::Claimed,
        })
        .expect("render");
    assert_eq!(again.attempt, 2);
    transport.deliver(&again).await.expect("redeliver");
    assert_eq!(
        store
            .outbox_counts(&tenant())
            .expect("counts")
            .get("delivered"),
        Some(&3)
    );

    let js = transport.jetstream();
    let got = stream_messages(js, &config.stream).await;
    let p = &config.subject_prefix;
    assert_eq!(
        got,
        vec![
            (format!("{p}.orebro.feedback"), ids[0].to_string()),
            (format!("{p}.orebro.notice"), ids[1].to_string()),
            (format!("{p}.orebro.feedback"), ids[2].to_string()),
        ]
    );
    js.delete_stream(&config.stream)
        .await
        .expect("delete test stream");
}
