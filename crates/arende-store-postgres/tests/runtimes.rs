//! The store inside async code: connecting, appending, reading and claiming inside a
//! multi-thread and a current-thread tokio runtime, through the synchronous traits and
//! through [`AsyncPgStore`], and dropping the store there: no "cannot start a runtime
//! from within a runtime", no panic on drop.

mod common;

use std::sync::Arc;

use arende_core::ids::TenantId;
use arende_core::store::{EventStore, ExpectedVersion, Outbox, StreamId};
use arende_store_postgres::{AsyncPgStore, PgConfig, PgStore};
use arende_store_testsuite::{instant, message, noted, request};

async fn inside_a_runtime() {
    let Some(url) = common::pg_url() else { return };
    let schema = common::fresh_schema();
    let guard = common::DropSchema {
        url: url.clone(),
        schema: schema.clone(),
    };
    // The synchronous API, called straight from a task.
    let store = PgStore::connect(PgConfig::new(&url).with_schema(schema.clone()))
        .expect("connect inside a runtime");
    let a = store
        .append(request(
            "t1",
            "m-1",
            ExpectedVersion::NoStream,
            noted(1, 2),
            vec![message("notice", "{}", instant(0))],
        ))
        .expect("append");
    assert_eq!(a.version, 2);
    let t1 = TenantId::new("t1");
    assert_eq!(
        store
            .read_stream(&t1, &StreamId::new("m-1"), 1)
            .expect("read")
            .len(),
        2
    );
    assert_eq!(store.read_all(0, 10).expect("read_all").len(), 2);
    let claimed = store
        .claim(instant(1), chrono::Duration::minutes(5), 10)
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    store
        .mark_delivered(claimed[0].message.id)
        .expect("deliver");

    // The async facade: 16 tasks append at once without blocking the runtime.
    let facade = AsyncPgStore::connect(PgConfig::new(&url).with_schema(schema.clone()))
        .await
        .expect("async connect");
    let tasks: Vec<_> = (0..16u64)
        .map(|i| {
            let facade = facade.clone();
            tokio::spawn(async move {
                for k in 0..5u64 {
                    facade
                        .append(request(
                            "t2",
                            &format!("m-{i}"),
                            ExpectedVersion::at(k),
                            noted(k + 1, 1),
                            vec![],
                        ))
                        .await
                        .expect("async append");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task");
    }
    let t2 = facade
        .read_tenant(TenantId::new("t2"), 0, 1000)
        .await
        .expect("read_tenant");
    assert_eq!(t2.len(), 80);
    let one = facade
        .read_stream(TenantId::new("t2"), StreamId::new("m-3"), 1)
        .await
        .expect("read_stream");
    assert_eq!(one.len(), 5);
    assert_eq!(
        facade
            .outbox_counts(t1.clone())
            .await
            .expect("counts")
            .get("delivered"),
        Some(&1)
    );
    // The synchronous store under the facade, shared.
    let shared: Arc<PgStore> = facade.sync_store().clone();
    assert_eq!(shared.read_tenant(&t1, 0, 10).expect("read").len(), 2);
    drop(shared);
    drop(facade);
    drop(store);
    // The guard uses the blocking client: drop it off the runtime.
    std::thread::spawn(move || drop(guard))
        .join()
        .expect("drop schema");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_append_read_and_claim_in_a_multi_thread_runtime() {
    inside_a_runtime().await;
}

#[tokio::test(flavor = "current_thread")]
async fn connect_append_read_and_claim_in_a_current_thread_runtime() {
    inside_a_runtime().await;
}
