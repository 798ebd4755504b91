//! Crash safety against PostgreSQL: this test binary re-runs itself as a writer process,
//! which is SIGKILLed at random points (its open transactions die with its
//! connections); after each kill every acknowledged append must be there, with no gap
//! and nothing half-written.

mod common;

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use arende_store_postgres::{PgConfig, PgStore};
use arende_store_testsuite::Store;
use arende_store_testsuite::crash::{CHILD_ENV, kill_rounds, writer_loop};

/// The writer process: run only by `acknowledged_appends_survive_sigkill` (ignored
/// otherwise), with the schema in `ARENDE_CRASH_CHILD`.
#[test]
#[ignore = "the crash writer child; run by acknowledged_appends_survive_sigkill"]
fn crash_child_writer() {
    let schema = std::env::var(CHILD_ENV).expect("ARENDE_CRASH_CHILD names the schema");
    let url = std::env::var("ARENDE_PG_URL").expect("ARENDE_PG_URL");
    let store =
        PgStore::connect(PgConfig::new(url).with_schema(schema).with_pool_size(4)).expect("open");
    writer_loop(Arc::new(store), 4, Duration::from_secs(60));
}

#[test]
fn acknowledged_appends_survive_sigkill() {
    let Some(url) = common::pg_url() else { return };
    let (store, guard) = common::store(&url, 2);
    drop(store);
    let exe = std::env::current_exe().expect("test binary");
    let verified = kill_rounds(
        6,
        || {
            let mut c = Command::new(&exe);
            c.args(["crash_child_writer", "--exact", "--ignored", "--nocapture"])
                .env(CHILD_ENV, &guard.schema)
                .env("ARENDE_PG_URL", &url);
            c
        },
        || -> Arc<dyn Store> {
            Arc::new(
                PgStore::connect(
                    PgConfig::new(&url)
                        .with_schema(guard.schema.clone())
                        .with_pool_size(2),
                )
                .expect("reopen"),
            )
        },
    )
    .unwrap_or_else(|e| panic!("crash check failed: {e}"));
    assert!(
        verified.acked > 0 && verified.commands >= verified.acked,
        "{verified:?}"
    );
}
