//! Memory bench (`harness = false`, prints a table): bytes per open matter in the
//! engine's matter read model (projection) and in its state cache, for 100,000 open
//! matters, counted by a counting global allocator (live bytes = allocated − freed).
//! The event store's bytes per matter (MemoryStore) are shown beside them.
//!
//! Each matter is open on remiss with one response (6 commands: submit, screen,
//! schedule, present, remiss, a response). Run: `cargo bench --bench memory`
//! (`MATTERS=n` to change the count).
//!
//! It also counts heap allocations per command of the full 19-command lifecycle
//! (`benches/lifecycle.rs`) on a warm engine over the in-memory store, with feedback
//! on and told later.

mod common;

use std::alloc::System;
use std::sync::Arc;
use std::time::Instant;

use arende::engine::Engine;
use arende::matter::{Matter, MatterStatus};
use arende::store::{EventStore, MemoryStore};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Live heap bytes added since `region` began (stats_alloc already counts a realloc's
/// growth in `bytes_allocated` and its shrinking in `bytes_deallocated`).
fn live(region: &Region<'_, System>) -> i64 {
    let s = region.change();
    s.bytes_allocated as i64 - s.bytes_deallocated as i64
}

fn per(bytes: i64, n: usize) -> f64 {
    bytes as f64 / n as f64
}

/// Heap allocations per command of the full lifecycle on a warm engine.
fn allocations_per_command(options: arende::command::CommandOptions) -> f64 {
    const MATTERS: usize = 200;
    let ids = common::matter_ids(2 * MATTERS);
    let engine = Engine::new(common::county(), MemoryStore::new(), common::clock());
    // Warm up: the first matters fill the caches and start the policies.
    for id in &ids[..MATTERS] {
        if let Err(e) = common::lifecycle_with(&engine, *id, common::COMMANDS, options) {
            panic!("engine refused: {e}");
        }
    }
    let region = Region::new(GLOBAL);
    for id in &ids[MATTERS..] {
        if let Err(e) = common::lifecycle_with(&engine, *id, common::COMMANDS, options) {
            panic!("engine refused: {e}");
        }
    }
    region.change().allocations as f64 / (MATTERS * common::COMMANDS) as f64
}

fn main() {
    println!(
        "allocations per command (lifecycle, warm engine): feedback now {:.1}, told later {:.1}",
        allocations_per_command(arende::command::CommandOptions::default()),
        allocations_per_command(arende::command::CommandOptions::tell_later()),
    );
    // `cargo bench` passes `--bench`; any other argument is a filter this bench ignores.
    let n: usize = std::env::var("MATTERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let org = common::county();
    let ids = common::matter_ids(n);
    let store = Arc::new(MemoryStore::new());

    // The store: write every matter through a writer engine, then drop the writer.
    let region = Region::new(GLOBAL);
    let started = Instant::now();
    {
        let writer =
            Engine::new(org.clone(), store.clone(), common::clock()).with_cache_capacity(n + 1);
        for id in &ids {
            if let Err(e) = common::lifecycle_until(&writer, *id, 6) {
                panic!("engine refused: {e}");
            }
        }
    }
    let store_bytes = live(&region);
    let wrote = started.elapsed();
    let events = store.read_all(0, usize::MAX).map(|v| v.len()).unwrap_or(0);

    // A fresh engine over the same store: its read model, then its state cache.
    let engine = Engine::new(org, store.clone(), common::clock()).with_cache_capacity(n + 1);
    let region = Region::new(GLOBAL);
    let open = match engine
        .read()
        .query_matters(|p| p.matters_in(MatterStatus::InProgress).len())
    {
        Ok(k) => k,
        Err(e) => panic!("read model: {e}"),
    };
    let projection_bytes = live(&region);
    assert_eq!(open, n, "every matter is open in the read model");

    let region = Region::new(GLOBAL);
    for id in &ids {
        match engine.load::<Matter>(&id.to_string()) {
            Ok((m, _)) if m.remiss.is_some() => {}
            Ok(_) => panic!("matter {id} is not on remiss"),
            Err(e) => panic!("load: {e}"),
        }
    }
    let cache_bytes = live(&region);
    assert_eq!(engine.cached_states(), n);

    println!("memory: {n} open matters (on remiss, 1 of 3 responses), {events} events");
    println!("  wrote them in {wrote:.2?}");
    println!("  {:<40} {:>14} {:>12}", "part", "bytes", "bytes/matter");
    for (name, bytes) in [
        ("engine read model (MatterProjection)", projection_bytes),
        ("engine state cache (Matter states)", cache_bytes),
        ("event store (MemoryStore, for scale)", store_bytes),
    ] {
        println!("  {name:<40} {bytes:>14} {:>12.0}", per(bytes, n));
    }
    println!(
        "  engine total at the default cache bound ({} states): {:.0} bytes/matter",
        arende::engine::DEFAULT_CACHE_CAPACITY,
        per(projection_bytes, n)
            + per(cache_bytes, n) * (arende::engine::DEFAULT_CACHE_CAPACITY.min(n) as f64)
                / n as f64
    );
}
