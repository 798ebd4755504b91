//! The PostgreSQL store runs the conformance suite unchanged, plus its own checks:
//! racing writers, a follower of the global log under concurrent writers (0 skipped),
//! dispatchers sharing the outbox, migrations.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use arende_core::store::{EventStore, ExpectedVersion, Outbox};
use arende_store_postgres::{PgConfig, PgStore};
use arende_store_testsuite::{
    concurrent_appends, follower_sees_every_event, instant, message, noted, request, run_all,
};

#[test]
fn pg_store_passes_the_suite() {
    let Some(url) = common::pg_url() else { return };
    run_all(|| common::fixture(&url));
}

#[test]
fn sixteen_writers_one_stream_one_winner_per_version() {
    let Some(url) = common::pg_url() else { return };
    let (store, _guard) = common::store(&url, 16);
    let report = concurrent_appends(Arc::new(store), 16, 10);
    assert_eq!(report.appended, 160);
}

#[test]
fn follower_skips_nothing_with_eight_concurrent_writers() {
    let Some(url) = common::pg_url() else { return };
    let (store, _guard) = common::store(&url, 10);
    let followed = follower_sees_every_event(Arc::new(store), 8, 60);
    assert_eq!(followed, 8 * 60 * 2);
}

#[test]
fn dispatchers_share_the_outbox_without_claiming_twice() {
    let Some(url) = common::pg_url() else { return };
    let (store, _guard) = common::store(&url, 8);
    let store = Arc::new(store);
    for i in 0..40u64 {
        let msgs = (0..5)
            .map(|_| message("notice", "{}", instant(0)))
            .collect();
        store
            .append(request(
                "t1",
                &format!("m-{i}"),
                ExpectedVersion::NoStream,
                noted(1, 1),
                msgs,
            ))
            .expect("append");
    }
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            std::thread::spawn(move || {
                let mut mine = Vec::new();
                loop {
                    let got = store
                        .claim(instant(1), chrono::Duration::minutes(10), 7)
                        .expect("claim");
                    if got.is_empty() {
                        return mine;
                    }
                    for r in got {
                        store.mark_delivered(r.message.id).expect("deliver");
                        mine.push(r.message.id);
                    }
                }
            })
        })
        .collect();
    let all: Vec<_> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("dispatcher"))
        .collect();
    let distinct: BTreeSet<_> = all.iter().collect();
    assert_eq!(all.len(), 200, "every message claimed");
    assert_eq!(distinct.len(), 200, "no message claimed twice");
}

#[test]
fn migrations_run_once_and_a_second_instance_shares_the_schema() {
    let Some(url) = common::pg_url() else { return };
    let (first, guard) = common::store(&url, 2);
    assert_eq!(first.schema_version().expect("version"), 1);
    first
        .append(request(
            "t1",
            "m",
            ExpectedVersion::NoStream,
            noted(1, 2),
            vec![],
        ))
        .expect("append");
    let second =
        PgStore::connect(PgConfig::new(&url).with_schema(guard.schema.clone())).expect("second");
    assert_eq!(second.schema_version().expect("version"), 1);
    let err = second
        .append(request(
            "t1",
            "m",
            ExpectedVersion::NoStream,
            noted(1, 1),
            vec![],
        ))
        .expect_err("the second instance sees the first's stream");
    assert!(format!("{err:?}").contains("Conflict"), "{err:?}");
}

#[test]
fn a_bad_schema_name_is_refused() {
    let Some(url) = common::pg_url() else { return };
    let err =
        PgStore::connect(PgConfig::new(&url).with_schema("x; DROP TABLE y")).expect_err("bad name");
    assert!(format!("{err:?}").contains("InvalidSchema"), "{err:?}");
}
