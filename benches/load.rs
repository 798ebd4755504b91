//! Criterion bench: loading one matter of 1,000 real matter events from SQLite (events
//! read, decoded and folded into a `Matter` by `Engine::load` with the state cache off)
//! beside a raw rusqlite read of the same rows, in stores of 10 thousand, 1 million and
//! 10 million events, in one run.
//!
//! The stores are built once, outside the timed part, and cached under
//! `target/bench-data/arende-load-<events>.db` (the build time is kept beside each in a
//! `.done` file and printed). The target matter's events are interleaved with other
//! matters' over the whole build, as a matter's events arrive over years. The
//! 10-million store is measured only with `ARENDE_BENCH_MAX_EVENTS=10000000` (building
//! it takes about 12 minutes and 3.5 GB), so a plain `cargo bench` stops at 1 million.
//!
//! Timed twice: `load-1000-events` by the wall clock, `load-1000-events-cpu` by the
//! thread's CPU time. Run: `cargo bench --bench load`;
//! `ARENDE_BENCH_MAX_EVENTS=10000000 cargo bench --bench load` gives the figures of
//! BENCHMARKS.md.

mod common;

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use arende::engine::Engine;
use arende::ids::{CommandId, MatterId, TenantId};
use arende::matter::{Matter, MatterCommand};
use arende::sqlite::{Durability, SqliteConfig, SqliteStore};
use arende::store::{AppendRequest, EventData, EventStore, ExpectedVersion, MemoryStore, StreamId};
use criterion::{BenchmarkId, Criterion, Throughput};
use rusqlite::{Connection, params};

const TARGET_EVENTS: usize = 1000;

/// The real events of a matter run through its lifecycle and then followed up until it
/// has `TARGET_EVENTS` events; and the events of one ordinary lifecycle, for the filler.
fn real_events() -> (Vec<EventData>, Vec<EventData>) {
    let engine = Engine::new(common::county(), MemoryStore::new(), common::clock());
    let [target, other] = [MatterId::random(), MatterId::random()];
    for id in [target, other] {
        if let Err(e) = common::lifecycle(&engine, id) {
            panic!("engine refused: {e}");
        }
    }
    let stream = |id: MatterId| matter_stream(&id.to_string());
    let read = |id: MatterId| -> Vec<EventData> {
        match engine
            .store()
            .read_stream(&engine.org().tenant, &stream(id), 1)
        {
            Ok(v) => v
                .into_iter()
                .map(|r| EventData {
                    event_type: r.event_type,
                    payload: r.payload,
                })
                .collect(),
            Err(e) => panic!("read: {e}"),
        }
    };
    let kcrd = arende::authz::Actor::Person(arende::ids::PersonId::new("kcrd-sec"));
    let mut k = 0;
    while read(target).len() < TARGET_EVENTS {
        k += 1;
        let note = format!("Uppföljning {k}: överenskommelsen fungerar som avsett.");
        if let Err(e) =
            engine.run_matter(target, &kcrd, MatterCommand::FollowUp { note, next: None })
        {
            panic!("follow-up refused: {e}");
        }
    }
    let mut t = read(target);
    t.truncate(TARGET_EVENTS);
    (t, read(other))
}

/// The stream of a matter, as the engine names it.
fn matter_stream(key: &str) -> StreamId {
    Engine::<MemoryStore, std::sync::Arc<arende::clock::SimulatedClock>>::stream_of::<Matter>(key)
}

fn request(stream: &StreamId, at: u64, events: Vec<EventData>) -> AppendRequest {
    AppendRequest {
        tenant: TenantId::new("bench"),
        stream: stream.clone(),
        expected: ExpectedVersion::at(at),
        command_id: CommandId::random(),
        actor: "person:cg-sec".into(),
        recorded_at: common::clock_now(),
        events,
        outbox: Vec::new(),
    }
}

/// A store of `total` events holding the target matter; cached. Returns its path, the
/// target's key and what the build took (`None` when reused).
fn scaled_store(
    total: usize,
    target: &[EventData],
    filler: &[EventData],
) -> (PathBuf, String, String) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("{}: {e}", dir.display());
    }
    let path = dir.join(format!("arende-load-{total}.db"));
    let done = dir.join(format!("arende-load-{total}.done"));
    if let (true, Ok(note)) = (path.exists(), std::fs::read_to_string(&done))
        && let Some((key, built)) = note.trim().split_once(' ')
    {
        return (path, key.to_owned(), format!("reused ({built})"));
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let started = Instant::now();
    let store = match SqliteStore::open_with(
        &path,
        SqliteConfig {
            durability: Durability::Normal,
            ..SqliteConfig::default()
        },
    ) {
        Ok(s) => s,
        Err(e) => panic!("open {}: {e}", path.display()),
    };
    let key = MatterId::random().to_string();
    let target_stream = matter_stream(&key);
    // 100 rounds: 10 target events, then this round's share of other matters' events,
    // one append per matter (its whole lifecycle).
    let rounds = 100;
    let per_round = (total - target.len()) / rounds;
    let mut written = 0;
    for r in 0..rounds {
        let chunk = target[r * 10..(r + 1) * 10].to_vec();
        if let Err(e) = store.append(request(&target_stream, (r * 10) as u64, chunk)) {
            panic!("append: {e}");
        }
        let goal = per_round * (r + 1);
        while written < goal {
            let n = filler.len().min(goal - written);
            let s = matter_stream(&MatterId::random().to_string());
            if let Err(e) = store.append(request(&s, 0, filler[..n].to_vec())) {
                panic!("append: {e}");
            }
            written += n;
        }
    }
    drop(store);
    let took = started.elapsed();
    if let Err(e) = std::fs::write(&done, format!("{key} built in {took:.1?}\n")) {
        panic!("{}: {e}", done.display());
    }
    (path, key, format!("built in {took:.1?}"))
}

fn load(c: &mut Criterion) {
    let max: usize = std::env::var("ARENDE_BENCH_MAX_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let (target, filler) = real_events();
    // Build (or reuse) every store first, so the timed parts run back to back.
    let mut stores = Vec::new();
    for total in [10_000usize, 1_000_000, 10_000_000] {
        if total > max {
            eprintln!("load: {total} events left out (ARENDE_BENCH_MAX_EVENTS={max})");
            continue;
        }
        let (path, key, how) = scaled_store(total, &target, &filler);
        eprintln!("load: the {total}-event store at {}: {how}", path.display());
        stores.push((total, path, key));
    }
    let mut opened = Vec::new();
    for (total, path, key) in stores {
        let store = match SqliteStore::open(&path) {
            Ok(s) => s,
            Err(e) => panic!("open: {e}"),
        };
        let engine = Engine::new(common::county(), store, common::clock()).with_cache_capacity(0);
        match engine.load::<Matter>(&key) {
            Ok((m, v)) => {
                assert_eq!(v, TARGET_EVENTS as u64);
                assert!(m.exists());
            }
            Err(e) => panic!("load: {e}"),
        }
        let raw = match Connection::open(&path) {
            Ok(c) => c,
            Err(e) => panic!("raw open: {e}"),
        };
        assert_eq!(raw_select(&raw, &format!("matter-{key}")), TARGET_EVENTS);
        opened.push((total, key, engine, raw));
    }
    for timer in common::Timer::available() {
        let mut g = c.benchmark_group(format!("load-1000-events{}", timer.suffix()));
        g.throughput(Throughput::Elements(TARGET_EVENTS as u64));
        for (total, key, engine, raw) in &opened {
            g.bench_with_input(BenchmarkId::new("engine-load", total), key, |b, key| {
                b.iter_custom(|iters| {
                    timer
                        .time(|| {
                            for _ in 0..iters {
                                black_box(engine.load::<Matter>(key).map(|(_, v)| v).ok());
                            }
                        })
                        .0
                })
            });
            let stream = format!("matter-{key}");
            g.bench_with_input(
                BenchmarkId::new("raw-select", total),
                &stream,
                |b, stream| {
                    b.iter_custom(|iters| {
                        timer
                            .time(|| {
                                for _ in 0..iters {
                                    black_box(raw_select(raw, stream));
                                }
                            })
                            .0
                    })
                },
            );
        }
        g.finish();
    }
}

type Row = (
    i64,
    String,
    String,
    i64,
    String,
    String,
    String,
    Vec<u8>,
    i64,
);

/// The same rows as `SqliteStore::read_stream`, read raw into plain tuples.
fn raw_select(c: &Connection, stream: &str) -> usize {
    let Ok(mut s) = c.prepare_cached(
        "SELECT position, tenant, stream, version, event_type, payload, actor, command_id,
                recorded_at
         FROM events WHERE tenant = ?1 AND stream = ?2 AND version >= ?3 ORDER BY version",
    ) else {
        panic!("prepare");
    };
    let rows: Result<Vec<Row>, _> = match s.query_map(params!["bench", stream, 1], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
            r.get(8)?,
        ))
    }) {
        Ok(it) => it.collect(),
        Err(e) => panic!("query: {e}"),
    };
    match rows {
        Ok(v) => v.len(),
        Err(e) => panic!("rows: {e}"),
    }
}

fn main() {
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    load(&mut c);
    c.final_summary();
}
