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
    assert_eq!(
        first.schema_version().expect("version"),
        arende_store_postgres::schema::MIGRATIONS.len() as i32
    );
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
    assert_eq!(
        second.schema_version().expect("version"),
        arende_store_postgres::schema::MIGRATIONS.len() as i32
    );
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

#[test]
fn a_conflict_in_a_group_fails_only_that_request_and_groups_form() {
    let Some(url) = common::pg_url() else { return };
    let (store, _guard) = common::store(&url, 4);
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
    let handles: Vec<_> = (0..16)
        .map(|i| {
            let store = store.clone();
            std::thread::spawn(move || {
                (0..10u64)
                    .map(|k| {
                        if i % 2 == 0 {
                            store
                                .append(request(
                                    "t1",
                                    &format!("own-{i}"),
                                    ExpectedVersion::at(k),
                                    noted(k + 1, 1),
                                    vec![message("notice", "{}", instant(0))],
                                ))
                                .map(|a| a.version)
                        } else {
                            store
                                .append(request(
                                    "t1",
                                    "shared",
                                    ExpectedVersion::Exact(7),
                                    noted(2, 1),
                                    vec![message("notice", "{}", instant(0))],
                                ))
                                .map(|a| a.version)
                        }
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for (i, h) in handles.into_iter().enumerate() {
        for (k, r) in h.join().expect("thread").into_iter().enumerate() {
            if i % 2 == 0 {
                assert_eq!(r.expect("own stream"), k as u64 + 1);
            } else {
                assert!(
                    matches!(
                        r,
                        Err(arende_core::store::StoreError::Conflict { actual: 1, .. })
                    ),
                    "{r:?}"
                );
            }
        }
    }
    let tenant = arende_core::ids::TenantId::new("t1");
    let shared = store
        .read_stream(&tenant, &arende_core::store::StreamId::new("shared"), 1)
        .expect("read");
    assert_eq!(shared.len(), 1, "conflicting requests wrote no events");
    let counts = store.outbox_counts(&tenant).expect("counts");
    assert_eq!(counts.get("pending"), Some(&80), "and no outbox rows");
    let stats = store.group_stats();
    assert_eq!(stats.appends, 161);
    assert!(
        stats.transactions < stats.appends,
        "no group formed: {stats:?}"
    );
}

/// Two engine instances (two stores, two pools) on one schema, used alternately: their
/// groups race each other in the database, so lost races abort group transactions and
/// the requests are retried on their own.
struct TwoInstances {
    a: PgStore,
    b: PgStore,
    next: std::sync::atomic::AtomicUsize,
}

impl TwoInstances {
    fn pick(&self) -> &PgStore {
        if self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 2 == 0 {
            &self.a
        } else {
            &self.b
        }
    }
}

impl EventStore for TwoInstances {
    fn append(
        &self,
        request: arende_core::store::AppendRequest,
    ) -> Result<arende_core::store::Appended, arende_core::store::StoreError> {
        self.pick().append(request)
    }
    fn read_stream(
        &self,
        tenant: &arende_core::ids::TenantId,
        stream: &arende_core::store::StreamId,
        from_version: u64,
    ) -> Result<Vec<arende_core::store::RecordedEvent>, arende_core::store::StoreError> {
        self.pick().read_stream(tenant, stream, from_version)
    }
    fn read_all(
        &self,
        after: u64,
        limit: usize,
    ) -> Result<Vec<arende_core::store::RecordedEvent>, arende_core::store::StoreError> {
        self.pick().read_all(after, limit)
    }
    fn read_tenant(
        &self,
        tenant: &arende_core::ids::TenantId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<arende_core::store::RecordedEvent>, arende_core::store::StoreError> {
        self.pick().read_tenant(tenant, after, limit)
    }
    fn visit_tenant(
        &self,
        tenant: &arende_core::ids::TenantId,
        after: u64,
        limit: usize,
        visit: &mut dyn FnMut(arende_core::store::EventRef<'_>),
    ) -> Result<usize, arende_core::store::StoreError> {
        self.pick().visit_tenant(tenant, after, limit, visit)
    }
}

impl arende_core::store::IdempotencyStore for TwoInstances {
    fn reserve(
        &self,
        request: arende_core::store::ReserveRequest<'_>,
    ) -> Result<arende_core::store::Reservation, arende_core::store::StoreError> {
        self.pick().reserve(request)
    }
    fn complete(
        &self,
        tenant: &arende_core::ids::TenantId,
        key: arende_core::ids::CommandId,
        fingerprint: &str,
        response: &arende_core::store::StoredResponse,
    ) -> Result<bool, arende_core::store::StoreError> {
        self.pick().complete(tenant, key, fingerprint, response)
    }
    fn release(
        &self,
        tenant: &arende_core::ids::TenantId,
        key: arende_core::ids::CommandId,
        fingerprint: &str,
    ) -> Result<bool, arende_core::store::StoreError> {
        self.pick().release(tenant, key, fingerprint)
    }
    fn idempotency_record(
        &self,
        tenant: &arende_core::ids::TenantId,
        key: arende_core::ids::CommandId,
    ) -> Result<Option<arende_core::store::IdempotencyRecord>, arende_core::store::StoreError> {
        self.pick().idempotency_record(tenant, key)
    }
}

impl arende_core::store::ScanStore for TwoInstances {
    fn scan(
        &self,
        visit: &mut dyn FnMut(
            Result<arende_core::store::RecordedEvent, arende_core::store::StoreError>,
        ),
    ) -> Result<(), arende_core::store::StoreError> {
        self.pick().scan(visit)
    }
}

impl Outbox for TwoInstances {
    fn claim(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        lease: chrono::Duration,
        limit: usize,
    ) -> Result<Vec<arende_core::store::OutboxRecord>, arende_core::store::StoreError> {
        self.pick().claim(now, lease, limit)
    }
    fn mark_delivered(&self, id: uuid::Uuid) -> Result<(), arende_core::store::StoreError> {
        self.pick().mark_delivered(id)
    }
    fn mark_failed(
        &self,
        id: uuid::Uuid,
        error: &str,
        retry_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<(), arende_core::store::StoreError> {
        self.pick().mark_failed(id, error, retry_at)
    }
    fn parked(
        &self,
        tenant: &arende_core::ids::TenantId,
    ) -> Result<Vec<arende_core::store::OutboxRecord>, arende_core::store::StoreError> {
        self.pick().parked(tenant)
    }
    fn undelivered(
        &self,
        tenant: &arende_core::ids::TenantId,
        limit: usize,
    ) -> Result<Vec<arende_core::store::OutboxRecord>, arende_core::store::StoreError> {
        self.pick().undelivered(tenant, limit)
    }
    fn outbox_counts(
        &self,
        tenant: &arende_core::ids::TenantId,
    ) -> Result<std::collections::BTreeMap<String, u64>, arende_core::store::StoreError> {
        self.pick().outbox_counts(tenant)
    }
}

#[test]
fn two_instances_racing_on_one_stream_lose_no_write() {
    let Some(url) = common::pg_url() else { return };
    let (a, guard) = common::store(&url, 8);
    let b = PgStore::connect(
        PgConfig::new(&url)
            .with_schema(guard.schema.clone())
            .with_pool_size(8),
    )
    .expect("second instance");
    let both = Arc::new(TwoInstances {
        a,
        b,
        next: Default::default(),
    });
    let report = concurrent_appends(both.clone(), 16, 8);
    assert_eq!(report.appended, 128);
    eprintln!(
        "instance a: {:?}, instance b: {:?}",
        both.a.group_stats(),
        both.b.group_stats()
    );
    let followed = follower_sees_every_event(both.clone(), 8, 30);
    assert_eq!(followed, 8 * 30 * 2);
    // Two instances reserving one idempotency key: one request gets it, every round.
    arende_store_testsuite::idempotency_race(both, 8, 10);
}

/// The hazard, shown deterministically: with positions from a sequence, a follower that
/// reads "position > last seen" skips an event whose transaction took its number first
/// but committed last. With the store, positions come from transaction ids and a reader
/// takes only those below the oldest running transaction: the later writer commits at
/// once (no global lock), but its event is not readable until the earlier transaction
/// has ended, and the follower then sees both, in order.
#[test]
fn a_late_committer_is_never_skipped() {
    let Some(url) = common::pg_url() else { return };
    let (store, guard) = common::store(&url, 4);
    let schema = guard.schema.clone();
    let reader = PgStore::connect(PgConfig::new(&url).with_schema(schema.clone()))
        .expect("a second instance, which follows");
    let connect = || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
        c.batch_execute(&format!("SET search_path = {schema}"))
            .expect("search_path");
        c
    };

    // 1. A naive log (bigserial positions) skips the late committer.
    let mut slow = connect();
    let mut fast = connect();
    let mut follower = connect();
    slow.batch_execute("CREATE TABLE naive (position bigserial PRIMARY KEY, what text)")
        .expect("naive table");
    slow.batch_execute("BEGIN; INSERT INTO naive (what) VALUES ('slow')")
        .expect("slow insert");
    fast.batch_execute("INSERT INTO naive (what) VALUES ('fast')")
        .expect("fast insert");
    let read_after = |c: &mut postgres::Client, after: i64| -> Vec<i64> {
        c.query(
            "SELECT position FROM naive WHERE position > $1 ORDER BY position",
            &[&after],
        )
        .expect("follow")
        .iter()
        .map(|r| r.get(0))
        .collect()
    };
    let first = read_after(&mut follower, 0);
    assert_eq!(first, vec![2], "the fast writer's event is visible first");
    slow.batch_execute("COMMIT").expect("slow commit");
    assert!(
        read_after(&mut follower, 2).is_empty(),
        "…and position 1 is never seen"
    );

    // 2. The store: a writer that took its position (its transaction id) first and
    //    has not committed does not hold up the next append, but holds back the mark.
    slow.batch_execute(
        "BEGIN;
         INSERT INTO events (tenant, stream, version, position, event_type, payload, actor,
                             command_id, recorded_at)
         SELECT 't1', 'slow', 1,
                (pg_current_xact_id()::text::bigint << 16) + (SELECT base FROM log_base) + 1,
                'Noted', '{}', 'slow', gen_random_uuid(), now()",
    )
    .expect("slow append");
    let fast = store
        .append(request(
            "t1",
            "fast",
            ExpectedVersion::NoStream,
            noted(1, 1),
            vec![],
        ))
        .expect("the second append commits without waiting");
    assert!(
        reader.read_all(0, 10).expect("read_all").is_empty(),
        "the committed event is not readable behind the open transaction"
    );
    slow.batch_execute("COMMIT").expect("slow commit");
    let log = reader.read_all(0, 10).expect("read_all");
    let order: Vec<&str> = log.iter().map(|e| e.stream.as_str()).collect();
    assert_eq!(order, vec!["slow", "fast"]);
    assert!(log[0].position < log[1].position);
    assert_eq!(log[1].position, fast.position);
}

#[test]
fn a_payload_with_nul_is_refused_and_nothing_is_written() {
    let Some(url) = common::pg_url() else { return };
    let (store, _guard) = common::store(&url, 2);
    let bad = vec![arende_store_testsuite::event(
        "Noted",
        "{\"x\":\"a\u{0}b\"}",
    )];
    let err = store
        .append(request("t1", "nul", ExpectedVersion::NoStream, bad, vec![]))
        .expect_err("PostgreSQL text cannot hold NUL");
    assert!(
        matches!(
            err,
            arende_core::store::StoreError::Backend {
                backend: "postgres",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(store.read_all(0, 10).expect("read_all").is_empty());
    let ok = store
        .append(request(
            "t1",
            "nul",
            ExpectedVersion::NoStream,
            noted(1, 1),
            vec![],
        ))
        .expect("the stream is untouched");
    assert_eq!(ok.version, 1);
}
