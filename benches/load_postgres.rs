//! Criterion bench: loading one 1,000-event matter from PostgreSQL (`PgStore::read_stream`,
//! then decode and fold) beside a raw `SELECT` of the same rows, in schemas of 10
//! thousand, 1 million and **10 million** events, timed back to back in one run. It
//! completes the store bench (`crates/arende-store-postgres/benches/postgres.rs`, which
//! stops at 1 million) with the 10-million point of issue 8.
//!
//! The schemas `arende_load_<events>` in the database of `ARENDE_PG_URL` are built like
//! the store bench's `arende_bench_<events>` (one `INSERT … SELECT generate_series`: the
//! target matter's events spread evenly through the log, the rest in 10-event matters)
//! and kept; they have their own names so that a store bench built at another schema
//! version does not get in the way. The 10-million schema is measured only with
//! `ARENDE_BENCH_MAX_EVENTS=10000000` (building it takes minutes and gigabytes;
//! `DROP SCHEMA arende_load_10000000 CASCADE` frees it). Timed by the wall clock only:
//! the server's work is in another process.
//!
//! Run: `ARENDE_BENCH_MAX_EVENTS=10000000
//! ARENDE_PG_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench
//! load_postgres`. Without `ARENDE_PG_URL` it says so and measures nothing.

use std::hint::black_box;
use std::time::{Duration, Instant};

use arende::aggregate::decode;
use arende::ids::TenantId;
use arende::store::{EventStore, StreamId};
use arende_store_postgres::{PgConfig, PgStore};
use arende_store_testsuite::ProbeEvent;
use criterion::{BenchmarkId, Criterion, Throughput};
use postgres::{Client, NoTls};

/// The store bench's payload text, so both benches build the same schemas.
const TEXT: &str =
    "Ärendet har registrerats och fördelats till beredningsgruppen för hälsa, vård och omsorg.";

/// The schema of `total` events (built as the store bench's `scaled_schema` builds its
/// own); built if absent.
fn scaled_schema(url: &str, total: u64) -> String {
    let schema = format!("arende_load_{total}");
    let mut admin = match Client::connect(url, NoTls) {
        Ok(c) => c,
        Err(e) => panic!("connect {url}: {e}"),
    };
    let built: Option<String> = admin
        .query_opt(
            &format!("SELECT note FROM {schema}.bench_built WHERE total = $1"),
            &[&(total as i64)],
        )
        .ok()
        .flatten()
        .map(|r| r.get(0));
    if let Some(note) = built {
        eprintln!("load_postgres: reusing {schema}: {note}");
        return schema;
    }
    let started = Instant::now();
    let run = |admin: &mut Client, sql: &str| {
        if let Err(e) = admin.batch_execute(sql) {
            panic!("building {schema}: {e}");
        }
    };
    run(
        &mut admin,
        &format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
    );
    match PgStore::connect(
        PgConfig::new(url)
            .with_schema(schema.clone())
            .with_pool_size(1),
    ) {
        Ok(s) => drop(s),
        Err(e) => panic!("migrate {schema}: {e}"),
    }
    let every = total / 1000;
    run(
        &mut admin,
        &format!(
            "SET search_path = {schema};
             SET synchronous_commit = off;
             INSERT INTO events (tenant, stream, version, position, event_type, payload,
                                 actor, command_id, recorded_at)
             SELECT 'orebro',
                    CASE WHEN p % {every} = 0 THEN 'matter-target'
                         ELSE 'matter-' || (p / 10) END,
                    CASE WHEN p % {every} = 0 THEN p / {every}
                         ELSE p % 10 + 1 END,
                    p,
                    'Noted',
                    '{{\"Noted\":{{\"n\":' || p || ',\"text\":\"{TEXT}\"}}}}',
                    'person:anna',
                    gen_random_uuid(),
                    timestamptz '2024-10-01 08:00:00+00' + p * interval '1 second'
             FROM generate_series(1, {total}) AS p;
             UPDATE log_base SET base = greatest(base, {total});
             CREATE TABLE bench_built (total bigint PRIMARY KEY, note text NOT NULL);"
        ),
    );
    run(&mut admin, &format!("VACUUM ANALYZE {schema}.events"));
    let took = started.elapsed();
    if let Err(e) = admin.execute(
        &format!("INSERT INTO {schema}.bench_built VALUES ($1, $2)"),
        &[
            &(total as i64),
            &format!("{total} events built in {took:?}"),
        ],
    ) {
        panic!("note {schema}: {e}");
    }
    eprintln!("load_postgres: built {schema} in {took:.1?}");
    schema
}

fn load(c: &mut Criterion, url: &str) {
    let max: u64 = std::env::var("ARENDE_BENCH_MAX_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let sizes: Vec<u64> = [10_000u64, 1_000_000, 10_000_000]
        .into_iter()
        .filter(|t| *t <= max)
        .collect();
    // Build (or reuse) every schema first, so the timed parts run back to back.
    let schemas: Vec<(u64, String)> = sizes.iter().map(|t| (*t, scaled_schema(url, *t))).collect();
    let (tenant, stream) = (TenantId::new("orebro"), StreamId::new("matter-target"));
    let mut g = c.benchmark_group("load-1000-events-postgres");
    g.throughput(Throughput::Elements(1000));
    for (total, schema) in schemas {
        let store = match PgStore::connect(
            PgConfig::new(url)
                .with_schema(schema.clone())
                .with_pool_size(2),
        ) {
            Ok(s) => s,
            Err(e) => panic!("connect: {e}"),
        };
        let n = store.read_stream(&tenant, &stream, 1).map(|v| v.len());
        assert_eq!(n.ok(), Some(1000), "the target matter has 1,000 events");
        g.bench_with_input(
            BenchmarkId::new("store-read-decode-fold", total),
            &total,
            |b, _| {
                b.iter(|| {
                    let recs = store.read_stream(&tenant, &stream, 1).unwrap_or_default();
                    let mut sum = 0u64;
                    for r in &recs {
                        if let Ok(ProbeEvent::Noted { n }) = decode::<ProbeEvent>(r) {
                            sum += n;
                        }
                    }
                    black_box(sum)
                })
            },
        );
        let mut raw = match Client::connect(url, NoTls) {
            Ok(c) => c,
            Err(e) => panic!("raw connect: {e}"),
        };
        if let Err(e) = raw.batch_execute(&format!("SET search_path = {schema}")) {
            panic!("search_path: {e}");
        }
        let select = match raw.prepare(
            "SELECT position, tenant, stream, version, event_type, payload, actor,
                    command_id, recorded_at
             FROM events WHERE tenant = $1 AND stream = $2 AND version >= $3
             ORDER BY version",
        ) {
            Ok(s) => s,
            Err(e) => panic!("prepare: {e}"),
        };
        g.bench_with_input(BenchmarkId::new("raw-select", total), &total, |b, _| {
            b.iter(|| {
                let rows = raw
                    .query(&select, &[&"orebro", &"matter-target", &1i64])
                    .unwrap_or_default();
                rows.iter()
                    .map(|r| {
                        (
                            r.get::<_, i64>(0),
                            r.get::<_, String>(1),
                            r.get::<_, String>(2),
                            r.get::<_, i64>(3),
                            r.get::<_, String>(4),
                            r.get::<_, String>(5),
                            r.get::<_, String>(6),
                            r.get::<_, uuid::Uuid>(7),
                            r.get::<_, chrono::DateTime<chrono::Utc>>(8),
                        )
                    })
                    .collect::<Vec<_>>()
            })
        });
    }
    g.finish();
}

fn main() {
    let Some(url) = std::env::var("ARENDE_PG_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
    else {
        eprintln!("skipping the PostgreSQL load bench: ARENDE_PG_URL not set");
        return;
    };
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    load(&mut c, &url);
    c.final_summary();
}
