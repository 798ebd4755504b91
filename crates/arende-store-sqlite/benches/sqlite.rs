//! SQLite benches, each beside its raw-rusqlite baseline in the same run:
//! one command per transaction (default durability), a batched import, group commit
//! with 16 concurrent writers, loading a 1,000-event matter, and that load in a store of
//! 10 thousand and of 1 million events (built once, cached under `target/bench-data`).
//!
//! Run: `cargo bench -p arende-store-sqlite --bench sqlite`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arende_core::aggregate::decode;
use arende_core::ids::{CommandId, TenantId};
use arende_core::store::{AppendRequest, EventData, EventStore, ExpectedVersion, StreamId};
use arende_store_sqlite::{Durability, SqliteConfig, SqliteStore, schema};
use arende_store_testsuite::ProbeEvent;
use chrono::{TimeZone, Utc};
use criterion::{BenchmarkId, Criterion, Throughput};
use rusqlite::{Connection, params};

const TEXT: &str =
    "Ärendet har registrerats och fördelats till beredningsgruppen för hälsa, vård och omsorg.";

fn payload(n: u64) -> String {
    format!("{{\"Noted\":{{\"n\":{n},\"text\":\"{TEXT}\"}}}}")
}

fn events(from: u64, n: u64) -> Vec<EventData> {
    (from..from + n)
        .map(|i| EventData {
            event_type: "Noted".into(),
            payload: payload(i),
        })
        .collect()
}

fn when() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 10, 1, 8, 0, 0)
        .single()
        .unwrap_or_default()
}

fn req(stream: &str, at: u64, events: Vec<EventData>) -> AppendRequest {
    AppendRequest {
        tenant: TenantId::new("orebro"),
        stream: StreamId::new(stream),
        expected: ExpectedVersion::at(at),
        command_id: CommandId::random(),
        actor: "person:anna".into(),
        recorded_at: when(),
        events,
        outbox: vec![],
    }
}

/// A raw rusqlite connection on a file with the store's schema and pragmas.
fn raw(path: &Path) -> Connection {
    let c = Connection::open(path).expect("raw open");
    let _: String = c
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .expect("wal");
    c.pragma_update(None, "synchronous", "FULL").expect("sync");
    c.execute_batch(schema::MIGRATIONS[0]).expect("schema");
    c
}

/// Inserts the rows an append of these events writes (the event rows), raw.
fn raw_insert(c: &Connection, stream: &str, version: u64, position: u64, events: &[EventData]) {
    let mut s = c
        .prepare_cached(
            "INSERT INTO events (tenant, stream, version, position, event_type, payload,
                                 actor, command_id, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .expect("prepare");
    let cmd = CommandId::random();
    for (i, e) in events.iter().enumerate() {
        s.execute(params![
            "orebro",
            stream,
            (version + i as u64 + 1) as i64,
            (position + i as u64 + 1) as i64,
            e.event_type,
            e.payload,
            "person:anna",
            cmd.0.as_bytes().as_slice(),
            when().timestamp_micros()
        ])
        .expect("insert");
    }
}

fn tx<T>(c: &Connection, f: impl FnOnce() -> T) -> T {
    c.execute_batch("BEGIN IMMEDIATE").expect("begin");
    let v = f();
    c.execute_batch("COMMIT").expect("commit");
    v
}

fn one_command_per_transaction(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteStore::open(dir.path().join("store.db")).expect("open");
    let rawc = raw(&dir.path().join("raw.db"));
    // Paired: each sample runs store and raw appends in pairs and times only its own
    // kind, so both see the same disk and CPU load on this shared machine.
    let mut g = c.benchmark_group("sqlite/append_one_command_per_tx");
    g.throughput(Throughput::Elements(1));
    let (mut i, mut j) = (0u64, 0u64);
    let store_op = |i: &mut u64| {
        let (m, v) = (*i / 10, *i % 10);
        store
            .append(req(&format!("m-{m}"), v, events(v, 1)))
            .expect("append");
        *i += 1;
    };
    let raw_op = |j: &mut u64| {
        let (m, v) = (*j / 10, *j % 10);
        tx(&rawc, || {
            raw_insert(&rawc, &format!("m-{m}"), v, *j, &events(v, 1))
        });
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
    for (name, timed_store) in [("store", true), ("raw_rusqlite", false)] {
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
}

fn batched_import(c: &mut Criterion) {
    const N: u64 = 1000;
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteStore::open(dir.path().join("store.db")).expect("open");
    let rawc = raw(&dir.path().join("raw.db"));
    let mut g = c.benchmark_group("sqlite/batched_import_1000_events");
    g.throughput(Throughput::Elements(N));
    let mut i = 0u64;
    g.bench_function("store", |b| {
        b.iter(|| {
            store
                .append(req(&format!("import-{i}"), 0, events(0, N)))
                .expect("append");
            i += 1;
        })
    });
    let mut j = 0u64;
    g.bench_function("raw_rusqlite", |b| {
        b.iter(|| {
            tx(&rawc, || {
                raw_insert(&rawc, &format!("import-{j}"), 0, j * N, &events(0, N))
            });
            j += 1;
        })
    });
    g.finish();
}

fn group_commit(c: &mut Criterion) {
    const WRITERS: u64 = 16;
    const EACH: u64 = 25;
    let dir = tempfile::tempdir().expect("dir");
    let store = Arc::new(SqliteStore::open(dir.path().join("store.db")).expect("open"));
    let rawc = raw(&dir.path().join("raw.db"));
    let mut g = c.benchmark_group("sqlite/group_commit_16_writers");
    g.throughput(Throughput::Elements(WRITERS * EACH));
    let mut round = 0u64;
    g.bench_function("store_16_writers", |b| {
        b.iter(|| {
            std::thread::scope(|s| {
                for w in 0..WRITERS {
                    let store = store.clone();
                    s.spawn(move || {
                        for k in 0..EACH {
                            store
                                .append(req(&format!("g-{round}-{w}"), k, events(k, 1)))
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
    let mut r = 0u64;
    g.bench_function("raw_batched_16_per_tx", |b| {
        b.iter(|| {
            let mut pos = r * WRITERS * EACH;
            for k in 0..EACH {
                tx(&rawc, || {
                    for w in 0..WRITERS {
                        raw_insert(&rawc, &format!("g-{r}-{w}"), k, pos, &events(k, 1));
                        pos += 1;
                    }
                });
            }
            r += 1;
        })
    });
    g.finish();
    // Paired: store and raw rounds alternate, so both see the same machine; the ratio
    // of the summed times is the figure BENCHMARKS.md records.
    let pairs: u64 = std::env::var("ARENDE_PAIRS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let (mut store_t, mut raw_t) = (Duration::ZERO, Duration::ZERO);
    for p in 0..pairs {
        let t = Instant::now();
        std::thread::scope(|s| {
            for w in 0..WRITERS {
                let store = store.clone();
                s.spawn(move || {
                    for k in 0..EACH {
                        store
                            .append(req(&format!("p-{p}-{w}"), k, events(k, 1)))
                            .expect("append");
                    }
                });
            }
        });
        store_t += t.elapsed();
        let t = Instant::now();
        let mut pos = (r + p) * WRITERS * EACH;
        for k in 0..EACH {
            tx(&rawc, || {
                for w in 0..WRITERS {
                    raw_insert(&rawc, &format!("p-{p}-{w}"), k, pos, &events(k, 1));
                    pos += 1;
                }
            });
        }
        raw_t += t.elapsed();
    }
    eprintln!(
        "paired 16-writer rounds over {pairs} pairs: store {:.1} ms, raw batched {:.1} ms, \
         store throughput / raw = {:.2}; {:?}",
        store_t.as_secs_f64() * 1e3 / pairs as f64,
        raw_t.as_secs_f64() * 1e3 / pairs as f64,
        raw_t.as_secs_f64() / store_t.as_secs_f64(),
        store.group_stats()
    );
}

/// A store holding `total` events, among them the 1,000 of `matter-target`, written
/// interleaved with the others over the build (as a matter's events arrive over years).
/// Cached in `target/bench-data`; returns the path and the build time if it was built.
fn scaled_store(total: u64) -> (PathBuf, Option<Duration>) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data");
    std::fs::create_dir_all(&dir).expect("bench-data dir");
    let path = dir.join(format!("sqlite-{total}.db"));
    let done = dir.join(format!("sqlite-{total}.done"));
    if done.exists() && path.exists() {
        return (path, None);
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let started = Instant::now();
    let store = SqliteStore::open_with(
        &path,
        SqliteConfig {
            durability: Durability::Normal,
            ..SqliteConfig::default()
        },
    )
    .expect("open");
    let rounds = 1000u64.min(total / 10);
    let target_each = 1000 / rounds;
    let filler_each = total / rounds - target_each;
    for r in 0..rounds {
        store
            .append(req(
                "matter-target",
                r * target_each,
                events(r * target_each, target_each),
            ))
            .expect("target");
        for (k, chunk) in (0..filler_each).collect::<Vec<_>>().chunks(10).enumerate() {
            store
                .append(req(
                    &format!("matter-{r}-{k}"),
                    0,
                    events(0, chunk.len() as u64),
                ))
                .expect("filler");
        }
    }
    drop(store);
    let took = started.elapsed();
    std::fs::write(&done, format!("{total} events built in {took:?}\n")).expect("marker");
    (path, Some(took))
}

fn load(c: &mut Criterion) {
    let mut g = c.benchmark_group("sqlite/load_1000_event_matter");
    g.throughput(Throughput::Elements(1000));
    for total in [10_000u64, 1_000_000] {
        let (path, built) = scaled_store(total);
        match built {
            Some(t) => eprintln!("built the {total}-event store in {t:?}"),
            None => eprintln!(
                "reusing the {total}-event store ({})",
                std::fs::read_to_string(path.with_extension("done"))
                    .unwrap_or_default()
                    .trim()
            ),
        }
        let store = SqliteStore::open(&path).expect("open");
        let (tenant, stream) = (TenantId::new("orebro"), StreamId::new("matter-target"));
        assert_eq!(
            store.read_stream(&tenant, &stream, 1).expect("read").len(),
            1000
        );
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
        let rawc = Connection::open(&path).expect("raw");
        g.bench_with_input(BenchmarkId::new("raw_select", total), &total, |b, _| {
            b.iter(|| {
                let mut s = rawc
                    .prepare_cached(
                        "SELECT position, tenant, stream, version, event_type, payload, actor,
                                command_id, recorded_at
                         FROM events WHERE tenant = ?1 AND stream = ?2 AND version >= ?3
                         ORDER BY version",
                    )
                    .expect("prepare");
                let rows = s
                    .query_map(params!["orebro", "matter-target", 1], |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, i64>(3)?,
                            r.get::<_, String>(4)?,
                            r.get::<_, String>(5)?,
                            r.get::<_, String>(6)?,
                            r.get::<_, Vec<u8>>(7)?,
                            r.get::<_, i64>(8)?,
                        ))
                    })
                    .expect("query")
                    .collect::<Result<Vec<_>, _>>()
                    .expect("rows");
                rows.len()
            })
        });
    }
    g.finish();
}

fn main() {
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    one_command_per_transaction(&mut c);
    batched_import(&mut c);
    group_commit(&mut c);
    load(&mut c);
    c.final_summary();
}
