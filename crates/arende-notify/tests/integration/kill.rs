//! A dispatcher process killed mid-batch: a child process (this test binary, running the
//! ignored `child_dispatcher` test) dispatches from a SQLite store file to NATS
//! JetStream and is SIGKILLed between publishing a message and marking it delivered.
//! After a restart every message is delivered, and the stream holds each message once:
//! JetStream drops the redelivery by its `Nats-Msg-Id`.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arende_core::clock::SimulatedClock;
use arende_core::store::Outbox;
use arende_notify::nats::{NatsConfig, NatsTransport};
use arende_notify::transport::BoxFuture;
use arende_notify::{DeliveryError, DispatchConfig, Dispatcher, Outgoing, Transport};
use arende_store_sqlite::SqliteStore;

use crate::common::*;
use crate::support::{nats_test_config, nats_url, stream_messages};

const N: usize = 20;

/// NATS, slowed down after each publish, so that a kill lands between the publish and
/// the outbox's `mark_delivered`.
struct SlowAfterPublish(NatsTransport);

impl Transport for SlowAfterPublish {
    fn name(&self) -> &'static str {
        "nats"
    }
    fn deliver<'a>(&'a self, msg: &'a Outgoing) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            self.0.deliver(msg).await?;
            tokio::time::sleep(Duration::from_millis(400)).await;
            Ok(())
        })
    }
}

fn start() -> chrono::DateTime<chrono::Utc> {
    at(d(2024, 10, 15), 12, 0)
}

/// The child: dispatches from the store file named in the environment until killed.
#[tokio::test]
#[ignore = "run as a child process by a_dispatcher_killed_mid_batch_loses_nothing_and_sends_nothing_twice"]
async fn child_dispatcher() {
    let db = std::env::var("ARENDE_TEST_CHILD_DB").expect("ARENDE_TEST_CHILD_DB");
    let url = std::env::var("ARENDE_NATS_URL").expect("ARENDE_NATS_URL");
    let mut config = NatsConfig::new(url);
    config.stream = std::env::var("ARENDE_TEST_CHILD_STREAM").expect("stream");
    config.subject_prefix = std::env::var("ARENDE_TEST_CHILD_PREFIX").expect("prefix");
    let store = SqliteStore::open(&db).expect("open store");
    let transport = SlowAfterPublish(NatsTransport::connect(config).await.expect("nats"));
    let clock = SimulatedClock::new(start());
    let dispatcher = Dispatcher::new(store, transport, clock).with_config(DispatchConfig {
        batch_size: 8,
        ..Default::default()
    });
    dispatcher.drain().await.expect("drain");
}

#[tokio::test]
async fn a_dispatcher_killed_mid_batch_loses_nothing_and_sends_nothing_twice() {
    let Some(url) = nats_url() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("arende.sqlite");
    let store = SqliteStore::open(&db).expect("open store");
    let sent: Vec<_> = (1..=N).map(feedback).collect();
    let ids = enqueue(&store, &sent, start());
    let config = nats_test_config(&url);
    // Creates the stream (and is the consumer's view of it).
    let observer = NatsTransport::connect(config.clone()).await.expect("nats");
    let js = observer.jetstream();

    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "kill::child_dispatcher",
            "--ignored",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("ARENDE_TEST_CHILD_DB", &db)
        .env("ARENDE_TEST_CHILD_STREAM", &config.stream)
        .env("ARENDE_TEST_CHILD_PREFIX", &config.subject_prefix)
        .env("ARENDE_NATS_URL", &url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the child dispatcher");

    // Wait until the child has published a few messages and is between publishing one
    // and marking it delivered, then kill it (SIGKILL: no cleanup, no last writes).
    let deadline = Instant::now() + Duration::from_secs(60);
    let (published, delivered) = loop {
        let published = stream_messages(js, &config.stream).await.len();
        let delivered = *store
            .outbox_counts(&tenant())
            .expect("counts")
            .get("delivered")
            .unwrap_or(&0) as usize;
        if published >= 3 && published > delivered {
            child.kill().expect("SIGKILL the child");
            break (published, delivered);
        }
        assert!(Instant::now() < deadline, "the child dispatched nothing");
        assert!(
            child.try_wait().expect("child").is_none(),
            "the child exited early"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    child.wait().expect("reap the child");
    assert!(
        published < N,
        "killed mid-batch ({published} of {N} published)"
    );
    let counts = store.outbox_counts(&tenant()).expect("counts");
    let delivered_at_kill = *counts.get("delivered").unwrap_or(&0) as usize;
    assert!(delivered_at_kill >= delivered && delivered_at_kill < published);
    assert!(
        counts.contains_key("claimed"),
        "the dead child's claims: {counts:?}"
    );

    // Restart: a new dispatcher on the same file, after the dead claims' lease ran out.
    let clock = Arc::new(SimulatedClock::new(start()));
    let restarted = Dispatcher::new(
        SqliteStore::open(&db).expect("reopen store"),
        NatsTransport::connect(config.clone()).await.expect("nats"),
        clock.clone(),
    );
    // The pending messages go at once; the dead child's claims wait for their lease.
    let waiting = counts.get("claimed").copied().unwrap_or(0) as usize;
    let r = restarted.drain().await.expect("drain");
    assert_eq!(r.delivered, N - delivered_at_kill - waiting);
    clock.advance(chrono::Duration::minutes(5));
    let r = restarted.drain().await.expect("drain");
    assert_eq!(
        r.delivered, waiting,
        "the dead child's claims go after the lease"
    );

    let counts = restarted.outbox().outbox_counts(&tenant()).expect("counts");
    assert_eq!(counts.get("delivered"), Some(&(N as u64)), "{counts:?}");
    let got = stream_messages(js, &config.stream).await;
    let mut keys: Vec<String> = got.iter().map(|(_, id)| id.clone()).collect();
    keys.sort();
    let mut expected: Vec<String> = ids.iter().map(|u| u.to_string()).collect();
    expected.sort();
    assert_eq!(
        keys, expected,
        "every message once in the stream, none twice"
    );
    js.delete_stream(&config.stream)
        .await
        .expect("delete test stream");
}
