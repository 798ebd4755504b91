//! The SQLite store runs the conformance suite unchanged, plus its own checks: schema
//! versioning, reopening, durability settings, group commit and the async facade.

use std::sync::Arc;

use arende_core::ids::TenantId;
use arende_core::store::{EventStore, ExpectedVersion, StoreError, StreamId};
use arende_store_sqlite::{Durability, SqliteConfig, SqliteStore};
use arende_store_testsuite::{
    Damage, Fixture, concurrent_appends, follower_sees_every_event, noted, request, run_all,
};

fn temp_store(config: SqliteConfig) -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open_with(dir.path().join("arende.db"), config).expect("open");
    (store, dir)
}

/// Damages one event row of the file through a connection of its own, as a hand-made
/// `UPDATE` (or a disk fault) would.
fn corrupt(
    path: &std::path::Path,
    tenant: &TenantId,
    stream: &StreamId,
    version: u64,
    damage: Damage,
) -> bool {
    let c = rusqlite_connection(path);
    c.busy_timeout(std::time::Duration::from_secs(5))
        .expect("busy timeout");
    let set = match damage {
        Damage::Delete => {
            return c
                .execute(
                    "DELETE FROM events WHERE tenant = ?1 AND stream = ?2 AND version = ?3",
                    rusqlite::params![tenant.as_str(), stream.as_str(), version as i64],
                )
                .expect("delete")
                == 1;
        }
        Damage::SetVersion(v) => format!("version = {v}"),
        Damage::NullPayload => {
            // NOT NULL cannot be bypassed by an UPDATE: edit the table's definition, as
            // a file changed by another program could be.
            let cookie: i64 = c
                .query_row("PRAGMA schema_version", [], |r| r.get(0))
                .expect("schema_version");
            c.execute_batch(&format!(
                "PRAGMA writable_schema = ON;
                 UPDATE sqlite_schema SET sql = replace(sql, 'payload     TEXT    NOT NULL',
                                                        'payload     TEXT')
                 WHERE name = 'events';
                 PRAGMA schema_version = {};
                 PRAGMA writable_schema = OFF;",
                cookie + 1
            ))
            .expect("drop NOT NULL");
            drop(c);
            return corrupt_with(path, tenant, stream, version, "payload = NULL");
        }
        Damage::NonUtf8Payload => "payload = CAST(x'7b22c328ff' AS TEXT)".to_owned(),
        Damage::BadCommandId => "command_id = x'0102'".to_owned(),
        Damage::BadTimestamp => "recorded_at = 9223372036854775807".to_owned(),
        _ => return false,
    };
    drop(c);
    corrupt_with(path, tenant, stream, version, &set)
}

fn corrupt_with(
    path: &std::path::Path,
    tenant: &TenantId,
    stream: &StreamId,
    version: u64,
    set: &str,
) -> bool {
    let c = rusqlite_connection(path);
    c.busy_timeout(std::time::Duration::from_secs(5))
        .expect("busy timeout");
    c.execute(
        &format!("UPDATE events SET {set} WHERE tenant = ?1 AND stream = ?2 AND version = ?3"),
        rusqlite::params![tenant.as_str(), stream.as_str(), version as i64],
    )
    .unwrap_or_else(|e| panic!("damage {set}: {e}"))
        == 1
}

fn fixture(config: SqliteConfig) -> Fixture {
    let (store, dir) = temp_store(config);
    let path = store.path().to_path_buf();
    Fixture::with_guard(store, dir).with_corrupter(move |t, s, v, d| corrupt(&path, t, s, v, d))
}

#[test]
fn sqlite_store_passes_the_suite() {
    run_all(|| fixture(SqliteConfig::default()));
}

#[test]
fn sqlite_store_with_normal_durability_passes_the_suite() {
    run_all(|| {
        fixture(SqliteConfig {
            durability: Durability::Normal,
            ..SqliteConfig::default()
        })
    });
}

#[test]
fn sixteen_writers_one_stream_one_winner_per_version() {
    let (store, _dir) = temp_store(SqliteConfig::default());
    let report = concurrent_appends(Arc::new(store), 16, 10);
    assert_eq!(report.appended, 160);
}

#[test]
fn follower_skips_nothing_under_group_commit() {
    let (store, _dir) = temp_store(SqliteConfig::default());
    assert_eq!(follower_sees_every_event(Arc::new(store), 8, 50), 800);
}

#[test]
fn reopening_keeps_everything_and_the_schema_version() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("arende.db");
    {
        let store = SqliteStore::open(&path).expect("open");
        assert_eq!(
            store.schema_version().expect("version"),
            arende_store_sqlite::schema::MIGRATIONS.len() as i64
        );
        store
            .append(request(
                "t1",
                "m",
                ExpectedVersion::NoStream,
                noted(1, 3),
                vec![],
            ))
            .expect("append");
    }
    let store = SqliteStore::open(&path).expect("reopen");
    assert_eq!(
        store.schema_version().expect("version"),
        arende_store_sqlite::schema::MIGRATIONS.len() as i64
    );
    let events = store
        .read_stream(&TenantId::new("t1"), &StreamId::new("m"), 1)
        .expect("read");
    assert_eq!(events.len(), 3);
    let err = store
        .append(request(
            "t1",
            "m",
            ExpectedVersion::NoStream,
            noted(4, 1),
            vec![],
        ))
        .expect_err("the version check survives a reopen");
    assert!(
        matches!(err, StoreError::Conflict { actual: 3, .. }),
        "{err:?}"
    );
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("arende.db");
    {
        let c = rusqlite_connection(&path);
        c.pragma_update(None, "user_version", 99).expect("pragma");
    }
    let err = SqliteStore::open(&path).expect_err("newer schema");
    let text = format!("{:?}", err);
    assert!(text.contains("SchemaTooNew"), "{text}");
}

fn rusqlite_connection(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).expect("open raw")
}

#[test]
fn default_durability_is_wal_full() {
    let (store, dir) = temp_store(SqliteConfig::default());
    drop(store);
    let c = rusqlite_connection(&dir.path().join("arende.db"));
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("journal_mode");
    assert_eq!(mode.to_lowercase(), "wal");
    assert_eq!(SqliteConfig::default().durability, Durability::Full);
}

#[test]
fn a_conflict_in_a_group_fails_only_that_request() {
    // Many threads: half append to fresh streams, half with a wrong expected version.
    let (store, _dir) = temp_store(SqliteConfig::default());
    let store = Arc::new(store);
    store
        .append(request(
            "t1",
            "shared",
            ExpectedVersion::NoStream,
            noted(1, 1),
            vec![],
        ))
        .expect("seed");
    let handles: Vec<_> = (0..32)
        .map(|i| {
            let store = store.clone();
            std::thread::spawn(move || {
                if i % 2 == 0 {
                    store
                        .append(request(
                            "t1",
                            &format!("own-{i}"),
                            ExpectedVersion::NoStream,
                            noted(1, 2),
                            vec![],
                        ))
                        .map(|a| a.version)
                } else {
                    store
                        .append(request(
                            "t1",
                            "shared",
                            ExpectedVersion::Exact(7),
                            noted(2, 1),
                            vec![],
                        ))
                        .map(|a| a.version)
                }
            })
        })
        .collect();
    for (i, h) in handles.into_iter().enumerate() {
        let r = h.join().expect("thread");
        if i % 2 == 0 {
            assert_eq!(r.expect("own stream"), 2);
        } else {
            assert!(
                matches!(r, Err(StoreError::Conflict { actual: 1, .. })),
                "{r:?}"
            );
        }
    }
    let shared = store
        .read_stream(&TenantId::new("t1"), &StreamId::new("shared"), 1)
        .expect("read");
    assert_eq!(shared.len(), 1);
}

#[test]
fn concurrent_appends_share_transactions() {
    let (store, _dir) = temp_store(SqliteConfig::default());
    let store = Arc::new(store);
    let handles: Vec<_> = (0..16)
        .map(|i| {
            let store = store.clone();
            std::thread::spawn(move || {
                for k in 0..20u64 {
                    store
                        .append(request(
                            "t1",
                            &format!("w-{i}"),
                            ExpectedVersion::at(k),
                            noted(k + 1, 1),
                            vec![],
                        ))
                        .expect("append");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread");
    }
    let stats = store.group_stats();
    assert_eq!(stats.appends, 320);
    assert!(
        stats.transactions < stats.appends,
        "16 concurrent writers never shared a transaction: {stats:?}"
    );
}

/// The dispatcher's claim walks the index on (due_at, seq) and stops after its batch: the
/// query plan has no separate sort of every due message, however deep the backlog.
#[test]
fn the_claim_reads_its_batch_from_the_index_without_sorting_the_backlog() {
    let (store, dir) = temp_store(SqliteConfig::default());
    drop(store);
    let c = rusqlite_connection(&dir.path().join("arende.db"));
    let plan: Vec<String> = c
        .prepare(
            "EXPLAIN QUERY PLAN SELECT seq FROM outbox WHERE due_at <= ?1
             ORDER BY due_at, seq LIMIT ?2",
        )
        .expect("prepare the plan")
        .query_map(rusqlite::params![0_i64, 100_i64], |r| r.get::<_, String>(3))
        .expect("query the plan")
        .collect::<Result<_, _>>()
        .expect("read the plan");
    let plan = plan.join("\n");
    assert!(plan.contains("outbox_due_seq"), "the claim's plan: {plan}");
    assert!(!plan.contains("TEMP B-TREE"), "the claim sorts: {plan}");
}
