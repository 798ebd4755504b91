//! The async facade: many tasks append through `AsyncSqliteStore` on a current-thread
//! runtime (which a blocking call would stall).

use std::sync::Arc;

use arende_core::ids::TenantId;
use arende_core::store::{ExpectedVersion, StreamId};
use arende_store_sqlite::{AsyncSqliteStore, SqliteStore};
use arende_store_testsuite::{instant, message, noted, request};

#[test]
fn tasks_append_and_read_without_blocking_the_runtime() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = AsyncSqliteStore::new(Arc::new(
        SqliteStore::open(dir.path().join("a.db")).expect("open"),
    ));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        // Another connection holds the write lock, so an append must wait. If the
        // facade blocked the runtime's only thread, the timer below could not fire and
        // the lock would never be released (the append would time out).
        let raw = rusqlite::Connection::open(dir.path().join("a.db")).expect("raw");
        raw.execute_batch("BEGIN IMMEDIATE").expect("lock");
        let waiting = {
            let store = store.clone();
            tokio::spawn(async move {
                let req = request("t1", "held", ExpectedVersion::NoStream, noted(1, 1), vec![]);
                store.append(req).await
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "the append waits for the lock");
        raw.execute_batch("ROLLBACK").expect("unlock");
        assert_eq!(waiting.await.expect("task").expect("append").version, 1);

        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    let req = request(
                        "t1",
                        &format!("m-{i}"),
                        ExpectedVersion::NoStream,
                        noted(1, 2),
                        vec![message("notice", "{}", instant(0))],
                    );
                    store.append(req).await
                })
            })
            .collect();
        for t in tasks {
            let a = t.await.expect("task").expect("append");
            assert_eq!(a.version, 2);
        }
        let events = store
            .read_stream(TenantId::new("t1"), StreamId::new("m-3"), 1)
            .await
            .expect("read");
        assert_eq!(events.len(), 2);
        assert_eq!(store.read_all(0, 100).await.expect("read_all").len(), 33);
        let claimed = store
            .claim(instant(0), chrono::Duration::minutes(1), 100)
            .await
            .expect("claim");
        assert_eq!(claimed.len(), 16);
        store
            .mark_delivered(claimed[0].message.id)
            .await
            .expect("deliver");
        let counts = store
            .outbox_counts(TenantId::new("t1"))
            .await
            .expect("counts");
        assert_eq!(counts.get("delivered"), Some(&1));
    });
}
