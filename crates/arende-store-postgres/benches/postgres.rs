//! PostgreSQL benches, each beside its raw-client baseline in the same run: one
//! command per round trip against a raw single-row insert, 8 concurrent writers against
//! 8 raw writers, and loading a 1,000-event matter in a store of 10 thousand and of 1
//! million events (built once with SQL, kept in the database between runs).
//!
//! Run: `ARENDE_PG_URL=postgres://postgres@127.0.0.1:5432/test cargo bench -p
//! arende-store-postgres --bench postgres`. Without `ARENDE_PG_URL` it says so and
//! measures nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use arende_core::aggregate::decode;
use arende_core::ids::{CommandId, TenantId};
use arende_core::store::{AppendRequest, EventData, EventStore, ExpectedVersion, StreamId};
use arende_store_postgres::{PgConfig, PgStore};
use arende_store_testsuite::ProbeEvent;
use chrono::{TimeZone, Utc};
use criterion::{BenchmarkId, Criterion, Throughput};
use postgres::{Client, NoTls};

const TEXT: &str =
    "Ärendet har registrerats och fördelats till beredningsgruppen för hälsa, vård och omsorg.";

fn payload(n: u64) -> String {
    format!("{{\"Noted\":{{\"n\":{n},\"text\":\"{TEXT}\"}}}}")
}

fn when() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 10, 1, 8, 0, 0)
        .single()
        .unwrap_or_default()
}

fn req(stream: &str, at: u64, n: u64) -> AppendRequest {
    AppendRequest {
        tenant: TenantId::new("orebro"),
        stream: StreamId::new(stream),
        expected: ExpectedVersion::at(at),
        command_id: CommandId::random(),
        actor: "person:anna".into(),
        recorded_at: when(),
        events: (at..at + n)
            .map(|i| EventData {
                event_type: "Noted".into(),
                payload: payload(i),
            })
            .collect(),
        outbox: vec![],
    }
}

const RAW_INSERT: &str = "INSERT INTO raw_events (tenant, stream, version, position, event_type,
     payload, actor, command_id, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

struct Raw {
    client: Client,
    insert: postgres::Statement,
}

impl Raw {
    fn connect(url: &str, schema: &str) -> Raw {
        let mut client = Client::connect(url, NoTls).expect("raw connect");
        client
            .batch_execute(&format!("SET search_path = {schema}"))
            .expect("search_path");
        let insert = client.prepare(RAW_INSERT).expect("prepare");
        Raw { client, insert }
    }

    /// One raw single-row insert, autocommit: one round trip.
    fn insert(&mut self, stream: &str, version: u64, position: u64) {
        self.client
            .execute(
                &self.insert,
                &[
                    &"orebro",
                    &stream,
                    &(version as i64),
                    &(position as i64),
                    &"Noted",
                    &payload(version),
                    &"person:anna",
                    &CommandId::random().0,
                    &when(),
                ],
            )
            .expect("raw insert");
    }
}

fn appends(c: &mut Criterion, url: &str) {
    let schema = format!("arende_bench_{}", uuid::Uuid::new_v4().simple());
    let store = Arc::new(
        PgStore::connect(
            PgConfig::new(url)
                .with_schema(schema.clone())
                .with_pool_size(10),
        )
        .expect("connect"),
    );
    {
        let mut admin = Client::connect(url, NoTls).expect("admin");
        admin
            .batch_execute(&format!(
                "CREATE TABLE {schema}.raw_events (LIKE {schema}.events INCLUDING ALL)"
            ))
            .expect("raw table");
    }
    let mut raw = Raw::connect(url, &schema);

    // Paired: each sample runs store and raw operations in pairs and times only its own
    // kind, so both see the same disk and CPU load on this shared machine.
    let mut g = c.benchmark_group("postgres/append_one_command");
    g.throughput(Throughput::Elements(1));
    let (mut i, mut j) = (0u64, 0u64);
    let store_op = |i: &mut u64| {
        let (m, v) = (*i / 10, *i % 10);
        store.append(req(&format!("m-{m}"), v, 1)).expect("append");
        *i += 1;
    };
    let mut raw_op = |j: &mut u64| {
        raw.insert(&format!("m-{}", *j / 10), *j % 10 + 1, *j + 1);
        *j += 1;
    };
    // The order within each pair is random, so neither kind always follows the other
    // (an fsync right after another one on this disk can be much faster or slower).
    let mut coin = 0x2545_f491_4f6c_dd1du64;
    let mut flip = move || {
        coin ^= coin << 13;
        coin ^= coin >> 7;
        coin ^= coin << 17;
        coin & 1 == 1
    };
    // Every pair of the group, both kinds timed: (store total, raw total, pairs).
    let mut pairs = (Duration::ZERO, Duration::ZERO, 0u32);
    for (name, timed_store) in [("store_one_round_trip", true), ("raw_single_insert", false)] {
        g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut timed = Duration::ZERO;
                for _ in 0..iters {
                    let store_first = flip();
                    for step in 0..2 {
                        let is_store = (step == 0) == store_first;
                        let t = Instant::now();
                        if is_store {
                            store_op(&mut i);
                        } else {
                            raw_op(&mut j);
                        }
                        let took = t.elapsed();
                        if is_store {
                            pairs.0 += took;
                            pairs.2 += 1;
                        } else {
                            pairs.1 += took;
                        }
                        if is_store == timed_store {
                            timed += took;
                        }
                    }
                }
                timed
            })
        });
    }
    if pairs.2 > 0 {
        eprintln!(
            "paired per-command means over {} pairs: store {:.3} ms, raw {:.3} ms, \
             store throughput / raw = {:.2}",
            pairs.2,
            pairs.0.as_secs_f64() * 1e3 / f64::from(pairs.2),
            pairs.1.as_secs_f64() * 1e3 / f64::from(pairs.2),
            pairs.1.as_secs_f64() / pairs.0.as_secs_f64()
        );
    }
    g.finish();

    const WRITERS: u64 = 8;
    const EACH: u64 = 25;
    let mut g = c.benchmark_group("postgres/8_concurrent_writers");
    g.throughput(Throughput::Elements(WRITERS * EACH));
    let mut round = 0u64;
    g.bench_function("store", |b| {
        b.iter(|| {
            std::thread::scope(|s| {
                for w in 0..WRITERS {
                    let store = store.clone();
                    s.spawn(move || {
                        for k in 0..EACH {
                            store
                                .append(req(&format!("c-{round}-{w}"), k, 1))
                                .expect("append");
                        }
                    });
                }
            });
            round += 1;
        })
    });
    let stats = store.group_stats();
    eprintln!(
        "group commit: {} appends in {} transactions ({:.1} per transaction)",
        stats.appends,
        stats.transactions,
        stats.appends as f64 / stats.transactions.max(1) as f64
    );
    let mut raws: Vec<Raw> = (0..WRITERS).map(|_| Raw::connect(url, &schema)).collect();
    let mut r = 0u64;
    g.bench_function("raw_single_inserts", |b| {
        b.iter(|| {
            std::thread::scope(|s| {
                for (w, raw) in raws.iter_mut().enumerate() {
                    s.spawn(move || {
                        for k in 0..EACH {
                            let pos = 10_000_000 + ((r * WRITERS + w as u64) * EACH + k);
                            raw.insert(&format!("c-{r}-{w}"), k + 1, pos);
                        }
                    });
                }
            });
            r += 1;
        })
    });
    g.finish();
    // Paired: store and raw rounds alternate (order drawn per pair), so both see the
    // same machine; the ratio of the summed times is the figure BENCHMARKS.md records.
    let pairs: u64 = std::env::var("ARENDE_PAIRS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let (mut store_t, mut raw_t) = (Duration::ZERO, Duration::ZERO);
    for p in 0..pairs {
        let store_first = flip();
        for step in 0..2 {
            let store_turn = (step == 0) == store_first;
            let t = Instant::now();
            std::thread::scope(|s| {
                if store_turn {
                    for w in 0..WRITERS {
                        let store = store.clone();
                        s.spawn(move || {
                            for k in 0..EACH {
                                store
                                    .append(req(&format!("p-{p}-{w}"), k, 1))
                                    .expect("append");
                            }
                        });
                    }
                } else {
                    for (w, raw) in raws.iter_mut().enumerate() {
                        s.spawn(move || {
                            for k in 0..EACH {
                                let pos = 20_000_000 + ((p * WRITERS + w as u64) * EACH + k);
                                raw.insert(&format!("p-{p}-{w}"), k + 1, pos);
                            }
                        });
                    }
                }
            });
            if store_turn {
                store_t += t.elapsed();
            } else {
                raw_t += t.elapsed();
            }
        }
    }
    eprintln!(
        "paired 8-writer rounds over {pairs} pairs: store {:.1} ms, raw {:.1} ms, \
         store throughput / raw = {:.2}",
        store_t.as_secs_f64() * 1e3 / pairs as f64,
        raw_t.as_secs_f64() * 1e3 / pairs as f64,
        raw_t.as_secs_f64() / store_t.as_secs_f64()
    );
    drop(raws);
    drop(raw);
    drop(store);
    let mut admin = Client::connect(url, NoTls).expect("admin");
    admin
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .expect("drop");
}

/// A schema holding `total` events, among them the 1,000 of `matter-target`, spread
/// evenly through the log (every `total/1000`-th position) as a matter's events arrive
/// over years, the rest in matters of 10 events. Built once with one INSERT … SELECT
/// (the rows the store writes; the idempotency table is left empty as loading does not
/// read it) and kept; returns the schema and the build time if built now.
fn scaled_schema(url: &str, total: u64) -> (String, Option<Duration>) {
    let schema = format!("arende_bench_{total}");
    let mut admin = Client::connect(url, NoTls).expect("admin");
    let built: Option<String> = admin
        .query_opt(
            &format!("SELECT note FROM {schema}.bench_built WHERE total = $1"),
            &[&(total as i64)],
        )
        .ok()
        .flatten()
        .map(|r| r.get(0));
    if let Some(note) = built {
        eprintln!("reusing {schema}: {note}");
        return (schema, None);
    }
    let started = Instant::now();
    admin
        .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .expect("drop");
    drop(
        PgStore::connect(
            PgConfig::new(url)
                .with_schema(schema.clone())
                .with_pool_size(1),
        )
        .expect("migrate"),
    );
    let every = total / 1000;
    admin
        .batch_execute(&format!(
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
        ))
        .expect("build");
    admin
        .batch_execute(&format!("VACUUM ANALYZE {schema}.events"))
        .expect("vacuum");
    let took = started.elapsed();
    admin
        .execute(
            &format!("INSERT INTO {schema}.bench_built VALUES ($1, $2)"),
            &[
                &(total as i64),
                &format!("{total} events built in {took:?}"),
            ],
        )
        .expect("note");
    (schema, Some(took))
}

fn load(c: &mut Criterion, url: &str) {
    let mut g = c.benchmark_group("postgres/load_1000_event_matter");
    g.throughput(Throughput::Elements(1000));
    for total in [10_000u64, 1_000_000] {
        let (schema, built) = scaled_schema(url, total);
        if let Some(t) = built {
            eprintln!("built {schema} in {t:?}");
        }
        let store = PgStore::connect(
            PgConfig::new(url)
                .with_schema(schema.clone())
                .with_pool_size(2),
        )
        .expect("connect");
        let (tenant, stream) = (TenantId::new("orebro"), StreamId::new("matter-target"));
        let n = store.read_stream(&tenant, &stream, 1).expect("read").len();
        assert_eq!(n, 1000, "the target matter has 1,000 events");
        g.bench_with_input(
            BenchmarkId::new("store_read_stream", total),
            &total,
            |b, _| b.iter(|| store.read_stream(&tenant, &stream, 1).expect("read")),
        );
        g.bench_with_input(
            BenchmarkId::new("store_read_decode_fold", total),
            &total,
            |b, _| {
                b.iter(|| {
                    let recs = store.read_stream(&tenant, &stream, 1).expect("read");
                    let mut sum = 0u64;
                    for r in &recs {
                        if let Ok(ProbeEvent::Noted { n }) = decode::<ProbeEvent>(r) {
                            sum += n;
                        }
                    }
                    sum
                })
            },
        );
        let mut raw = Client::connect(url, NoTls).expect("raw");
        raw.batch_execute(&format!("SET search_path = {schema}"))
            .expect("search_path");
        let select = raw
            .prepare(
                "SELECT position, tenant, stream, version, event_type, payload, actor,
                        command_id, recorded_at
                 FROM events WHERE tenant = $1 AND stream = $2 AND version >= $3
                 ORDER BY version",
            )
            .expect("prepare");
        g.bench_with_input(BenchmarkId::new("raw_select", total), &total, |b, _| {
            b.iter(|| {
                let rows = raw
                    .query(&select, &[&"orebro", &"matter-target", &1i64])
                    .expect("select");
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
                            r.get::<_, chrono::DateTime<Utc>>(8),
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
        eprintln!("skipping the PostgreSQL benches: ARENDE_PG_URL not set");
        return;
    };
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    appends(&mut c, &url);
    load(&mut c, &url);
    c.final_summary();
}
