//! The scheduler and the dispatcher over the PostgreSQL store, inside a multi-thread and
//! a current-thread runtime: the service loop ticks, writes the calls for matters due
//! today and delivers them, with no "cannot start a runtime from within a runtime".
//! Skipped without `ARENDE_PG_URL` outside CI.

use std::sync::Arc;

use arende_core::clock::SimulatedClock;
use arende_core::engine::Engine;
use arende_core::notification::NotificationKind;
use arende_notify::Dispatcher;
use arende_notify::scheduler::{Scheduler, run};
use arende_notify::transport::MemoryTransport;
use arende_store_postgres::{AsyncPgStore, PgConfig, PgStore};

use crate::common::d;

fn pg_url() -> Option<String> {
    match std::env::var("ARENDE_PG_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true but ARENDE_PG_URL is not set: the PostgreSQL tests must run in CI")
        }
        _ => {
            println!("skipping: ARENDE_PG_URL not set");
            None
        }
    }
}

/// Drops the test's schema from a thread of its own (the blocking client must not run
/// on a runtime worker).
fn drop_schema(url: String, schema: String) {
    std::thread::spawn(move || {
        if let Ok(mut c) = postgres::Client::connect(&url, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    })
    .join()
    .expect("drop schema");
}

async fn service_loop_over_postgres() {
    let Some(url) = pg_url() else { return };
    let schema = format!("arende_test_{}", uuid::Uuid::new_v4().simple());
    let text = include_str!("../../../../config/orebro.toml");
    let org =
        Arc::new(arende_core::config::load_str(text, "config/orebro.toml").expect("config loads"));
    // Connecting with the synchronous constructor inside async code.
    let store = Arc::new(
        PgStore::connect(
            PgConfig::new(&url)
                .with_schema(schema.clone())
                .with_pool_size(4),
        )
        .expect("connect inside a runtime"),
    );
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
    assert!(!due_today.is_empty());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let service = run(
        &scheduler,
        &dispatcher,
        std::time::Duration::from_millis(5),
        std::time::Duration::from_secs(3600),
        stopped,
    );
    let watcher = async {
        for _ in 0..2000 {
            let calls = transport
                .delivered()
                .iter()
                .filter(|o| o.notification.kind == NotificationKind::CallForMatters)
                .count();
            if calls >= due_today.len() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        stop.send(true).expect("stop");
    };
    let (result, ()) = tokio::join!(service, watcher);
    result.expect("service over PostgreSQL");
    let mut calls: Vec<_> = transport
        .delivered()
        .into_iter()
        .filter(|o| o.notification.kind == NotificationKind::CallForMatters)
        .filter_map(|o| o.notification.meeting.map(|m| m.id.to_string()))
        .collect();
    calls.sort();
    assert_eq!(calls, due_today, "what is due today, each once");

    // The async facade on the same schema: reads and the outbox without blocking.
    let facade = AsyncPgStore::connect(PgConfig::new(&url).with_schema(schema.clone()))
        .await
        .expect("async connect");
    let log = facade.read_all(0, 10_000).await.expect("read_all");
    assert!(!log.is_empty(), "the scheduler's commands are in the log");
    let counts = facade
        .outbox_counts(arende_core::ids::TenantId::new("orebro"))
        .await
        .expect("counts");
    assert_eq!(
        counts.get("delivered").copied().unwrap_or(0) as usize,
        transport.delivered().len()
    );
    // Dropping the stores inside the runtime must not panic either.
    drop(facade);
    drop(dispatcher);
    drop(scheduler);
    drop(store);
    drop_schema(url, schema);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduler_and_dispatcher_over_postgres_in_a_multi_thread_runtime() {
    service_loop_over_postgres().await;
}

#[tokio::test(flavor = "current_thread")]
async fn scheduler_and_dispatcher_over_postgres_in_a_current_thread_runtime() {
    service_loop_over_postgres().await;
}
