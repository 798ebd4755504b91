//! Crash safety: this test binary re-runs itself as a writer process, which is
//! SIGKILLed at random points; after each kill the file is reopened and every append
//! the writer acknowledged must be there, with no gap and nothing half-written.
//!
//! (SIGKILL tests a crash of the process; power loss is what `synchronous=FULL` adds on
//! top, and is not simulated here.)

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use arende_store_sqlite::SqliteStore;
use arende_store_testsuite::Store;
use arende_store_testsuite::crash::{CHILD_ENV, kill_rounds, writer_loop};

/// The writer process: run only by `acknowledged_appends_survive_sigkill` (ignored
/// otherwise), with the database path in `ARENDE_CRASH_CHILD`.
#[test]
#[ignore = "the crash writer child; run by acknowledged_appends_survive_sigkill"]
fn crash_child_writer() {
    let path = std::env::var(CHILD_ENV).expect("ARENDE_CRASH_CHILD names the database");
    let store = SqliteStore::open(path).expect("open");
    writer_loop(Arc::new(store), 4, Duration::from_secs(60));
}

#[test]
fn acknowledged_appends_survive_sigkill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path: PathBuf = dir.path().join("crash.db");
    let exe = std::env::current_exe().expect("test binary");
    let verified = kill_rounds(
        8,
        || {
            let mut c = Command::new(&exe);
            c.args(["crash_child_writer", "--exact", "--ignored", "--nocapture"])
                .env(CHILD_ENV, &path);
            c
        },
        || -> Arc<dyn Store> { Arc::new(SqliteStore::open(&path).expect("reopen")) },
    )
    .unwrap_or_else(|e| panic!("crash check failed: {e}"));
    assert!(
        verified.acked > 0 && verified.commands >= verified.acked,
        "{verified:?}"
    );
}
