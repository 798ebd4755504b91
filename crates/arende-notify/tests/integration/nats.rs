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

/// Issue 12.8 (c): an existing stream whose duplicate window (the server's default, two
/// minutes) is shorter than the dispatcher's redelivery horizon is refused with a typed
/// error naming the stream, instead of silently storing retries twice.
#[tokio::test]
async fn a_stream_with_a_short_duplicate_window_is_refused() {
    let Some(url) = nats_url() else {
        return;
    };
    let config = nats_test_config(&url);
    let client = async_nats::connect(&url).await.expect("connect");
    let js = async_nats::jetstream::new(client);
    js.create_stream(async_nats::jetstream::stream::Config {
        name: config.stream.clone(),
        subjects: vec![format!("{}.>", config.subject_prefix)],
        duplicate_window: std::time::Duration::from_secs(120),
        ..Default::default()
    })
    .await
    .expect("create the stream");
    match NatsTransport::connect(config.clone()).await {
        Err(arende_notify::NotifyError::DuplicateWindowTooShort {
            stream,
            window,
            horizon,
        }) => {
            assert_eq!(stream, config.stream);
            assert_eq!(window, std::time::Duration::from_secs(120));
            assert_eq!(horizon, config.redelivery_horizon);
        }
        Err(e) => panic!("expected DuplicateWindowTooShort, got {e}"),
        Ok(_) => panic!("a two-minute duplicate window was accepted"),
    }
    // A stream created by the transport gets a window that covers the horizon.
    let fresh = nats_test_config(&url);
    let t = NatsTransport::connect(fresh.clone())
        .await
        .expect("connect");
    let mut s = t
        .jetstream()
        .get_stream(&fresh.stream)
        .await
        .expect("stream");
    let info = s.info().await.expect("info");
    assert!(info.config.duplicate_window >= fresh.redelivery_horizon);
    js.delete_stream(&config.stream).await.expect("delete");
    js.delete_stream(&fresh.stream).await.expect("delete");
}
