//! A national-scale run on PostgreSQL: 21 counties as tenants (the bench county's
//! configuration loaded 21 times with its own `tenant =`), 4 engine processes and
//! 2 dispatcher processes on one database. Each matter runs its whole route (13
//! commands) through the real engine. Reports commands per second, the p99 latency of a
//! command, and tenant isolation: a second phase gives one county 10× the matters of
//! the others with the same number of engine threads, and compares every other county's
//! mean command latency with the first phase's (the target: no more than 20 % slower).
//!
//! Run: `ARENDE_PG_URL=postgres://postgres@127.0.0.1:5432/test cargo run --release
//! --example national -- --matters 2100` (matters per phase, spread evenly over the
//! counties in the first phase). Other options: `--engines 4 --dispatchers 2
//! --threads 4 --heavy 10 --schema arende_national`. The processes are this binary run
//! again with `--role engine|dispatcher`.

#![allow(missing_docs)]

#[path = "../benches/common/mod.rs"]
mod common;

use std::collections::{BTreeMap, VecDeque};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arende::command::CommandOptions;
use arende::engine::Engine;
use arende::ids::MatterId;
use arende_notify::Dispatcher;
use arende_notify::transport::MemoryTransport;
use arende_store_postgres::{PgConfig, PgStore};

/// The 21 Swedish regions, as tenants.
const COUNTIES: [&str; 21] = [
    "stockholm",
    "uppsala",
    "sodermanland",
    "ostergotland",
    "jonkoping",
    "kronoberg",
    "kalmar",
    "gotland",
    "blekinge",
    "skane",
    "halland",
    "vastra-gotaland",
    "varmland",
    "orebro",
    "vastmanland",
    "dalarna",
    "gavleborg",
    "vasternorrland",
    "jamtland",
    "vasterbotten",
    "norrbotten",
];

#[derive(Debug, Clone)]
struct Options {
    role: String,
    url: String,
    schema: String,
    matters: usize,
    engines: usize,
    dispatchers: usize,
    threads: usize,
    heavy: usize,
    index: usize,
    phase: String,
}

fn options() -> Options {
    let mut o = Options {
        role: "run".into(),
        url: std::env::var("ARENDE_PG_URL").unwrap_or_default(),
        schema: "arende_national".into(),
        matters: 2100,
        engines: 4,
        dispatchers: 2,
        threads: 4,
        heavy: 10,
        index: 0,
        phase: "even".into(),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i + 1 < args.len() {
        let v = args[i + 1].clone();
        let n = || {
            v.parse::<usize>()
                .unwrap_or_else(|_| fail(&format!("{} {v}", args[i])))
        };
        match args[i].as_str() {
            "--role" => o.role = v.clone(),
            "--schema" => o.schema = v.clone(),
            "--matters" => o.matters = n(),
            "--engines" => o.engines = n().max(1),
            "--dispatchers" => o.dispatchers = n(),
            "--threads" => o.threads = n().max(1),
            "--heavy" => o.heavy = n().max(1),
            "--index" => o.index = n(),
            "--phase" => o.phase = v.clone(),
            other => fail(&format!("unknown option {other}")),
        }
        i += 2;
    }
    o
}

fn fail(what: &str) -> ! {
    eprintln!("national: {what}");
    std::process::exit(2)
}

fn store(o: &Options, pool: u32) -> Arc<PgStore> {
    match PgStore::connect(
        PgConfig::new(&o.url)
            .with_schema(o.schema.clone())
            .with_pool_size(pool),
    ) {
        Ok(s) => Arc::new(s),
        Err(e) => fail(&format!("cannot connect: {e}")),
    }
}

fn county(tenant: &str) -> Arc<arende::org::Organisation> {
    let text = common::COUNTY.replace("tenant = \"bench\"", &format!("tenant = \"{tenant}\""));
    match arende::config::load_str(&text, "benches/county.toml") {
        Ok(org) => Arc::new(org),
        Err(e) => fail(&format!("the county does not load: {e}")),
    }
}

/// How many matters each county gets in a phase.
fn plan(o: &Options) -> Vec<usize> {
    let even = (o.matters / COUNTIES.len()).max(1);
    (0..COUNTIES.len())
        .map(|t| {
            if o.phase == "skewed" && t == 0 {
                even * o.heavy
            } else {
                even
            }
        })
        .collect()
}

/// An engine process: the counties `t` with `t % engines == index`, `threads` threads
/// taking matters from one queue (counties interleaved). Prints one line per county:
/// `TENANT t commands mean_us p99_us`, and `ENGINE commands seconds`.
fn engine(o: &Options) {
    let store = store(o, o.threads as u32 + 1);
    let clock = common::clock();
    let plan = plan(o);
    let mine: Vec<usize> = (0..COUNTIES.len())
        .filter(|t| t % o.engines == o.index)
        .collect();
    let engines: BTreeMap<usize, Arc<Engine<Arc<PgStore>, _>>> = mine
        .iter()
        .map(|&t| {
            (
                t,
                Arc::new(Engine::new(
                    county(COUNTIES[t]),
                    store.clone(),
                    clock.clone(),
                )),
            )
        })
        .collect();
    let mut queue = VecDeque::new();
    let most = mine.iter().map(|&t| plan[t]).max().unwrap_or(0);
    for k in 0..most {
        for &t in &mine {
            if k < plan[t] {
                queue.push_back(t);
            }
        }
    }
    let queue = Arc::new(Mutex::new(queue));
    let started = Instant::now();
    let handles: Vec<_> = (0..o.threads)
        .map(|_| {
            let queue = queue.clone();
            let engines = engines.clone();
            std::thread::spawn(move || {
                let mut took: Vec<(usize, u32)> = Vec::new();
                loop {
                    let next = queue.lock().map(|mut q| q.pop_front()).unwrap_or(None);
                    let Some(t) = next else { return took };
                    let engine = &engines[&t];
                    let id = MatterId::random();
                    let (submitter, submit, steps) = common::commands_of(id);
                    let at = Instant::now();
                    if let Err(e) = engine.submit_matter(&submitter, submit) {
                        fail(&format!("submit in {}: {e}", COUNTIES[t]));
                    }
                    took.push((t, at.elapsed().as_micros() as u32));
                    for (actor, command) in steps {
                        let at = Instant::now();
                        if let Err(e) =
                            engine.run_matter_with(id, &actor, command, CommandOptions::default())
                        {
                            fail(&format!("command in {}: {e}", COUNTIES[t]));
                        }
                        took.push((t, at.elapsed().as_micros() as u32));
                    }
                }
            })
        })
        .collect();
    let mut per: BTreeMap<usize, Vec<u32>> = BTreeMap::new();
    for h in handles {
        for (t, us) in h.join().unwrap_or_default() {
            per.entry(t).or_default().push(us);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut total = 0;
    for (t, mut v) in per {
        v.sort_unstable();
        let mean = v.iter().map(|&x| x as f64).sum::<f64>() / v.len().max(1) as f64;
        total += v.len();
        println!("TENANT {t} {} {mean:.0} {}", v.len(), p99(&v));
        println!("SAMPLES {t} {}", join(&v));
    }
    println!("ENGINE {total} {seconds:.3}");
}

fn p99(sorted: &[u32]) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() as f64 * 0.99).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn join(v: &[u32]) -> String {
    v.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

/// A dispatcher process: drains the outbox (all counties) until the stop file exists
/// and a last drain finds nothing. Prints `DELIVERED n`.
fn dispatcher(o: &Options) {
    let store = store(o, 2);
    let transport = Arc::new(MemoryTransport::new());
    let d = Dispatcher::new(store, transport.clone(), common::clock());
    let stop = std::env::temp_dir().join(format!("{}.stop", o.schema));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail(&format!("runtime: {e}")));
    rt.block_on(async {
        loop {
            let stopping = stop.exists();
            let r = d
                .drain()
                .await
                .unwrap_or_else(|e| fail(&format!("dispatch: {e}")));
            if r.claimed == 0 {
                if stopping {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    });
    println!("DELIVERED {}", transport.delivered().len());
}

fn spawn(o: &Options, role: &str, index: usize, phase: &str) -> Child {
    let exe = std::env::current_exe().unwrap_or_else(|e| fail(&format!("exe: {e}")));
    Command::new(exe)
        .args([
            "--role",
            role,
            "--index",
            &index.to_string(),
            "--phase",
            phase,
            "--schema",
            &o.schema,
            "--matters",
            &o.matters.to_string(),
            "--engines",
            &o.engines.to_string(),
            "--threads",
            &o.threads.to_string(),
            "--heavy",
            &o.heavy.to_string(),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| fail(&format!("spawn: {e}")))
}

#[derive(Default)]
struct Phase {
    commands: usize,
    wall: f64,
    samples: BTreeMap<usize, Vec<u32>>,
    delivered: usize,
}

fn phase(o: &Options, name: &str) -> Phase {
    let stop = std::env::temp_dir().join(format!("{}.stop", o.schema));
    let _ = std::fs::remove_file(&stop);
    let dispatchers: Vec<Child> = (0..o.dispatchers)
        .map(|i| spawn(o, "dispatcher", i, name))
        .collect();
    let started = Instant::now();
    let engines: Vec<Child> = (0..o.engines)
        .map(|i| spawn(o, "engine", i, name))
        .collect();
    let mut p = Phase::default();
    for child in engines {
        let out = child
            .wait_with_output()
            .unwrap_or_else(|e| fail(&format!("engine: {e}")));
        if !out.status.success() {
            fail("an engine process failed");
        }
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let f: Vec<&str> = line.split(' ').collect();
            match f.as_slice() {
                ["SAMPLES", t, v] => {
                    let t: usize = t.parse().unwrap_or(0);
                    p.samples
                        .entry(t)
                        .or_default()
                        .extend(v.split(',').filter_map(|x| x.parse::<u32>().ok()));
                }
                ["ENGINE", n, _] => p.commands += n.parse::<usize>().unwrap_or(0),
                _ => {}
            }
        }
    }
    p.wall = started.elapsed().as_secs_f64();
    let _ = std::fs::write(&stop, b"");
    for child in dispatchers {
        let out = child
            .wait_with_output()
            .unwrap_or_else(|e| fail(&format!("dispatcher: {e}")));
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            if let Some(n) = line.strip_prefix("DELIVERED ") {
                p.delivered += n.trim().parse::<usize>().unwrap_or(0);
            }
        }
    }
    let _ = std::fs::remove_file(&stop);
    p
}

fn mean(v: &[u32]) -> f64 {
    v.iter().map(|&x| x as f64).sum::<f64>() / v.len().max(1) as f64
}

fn report(name: &str, p: &Phase) {
    let mut all: Vec<u32> = p.samples.values().flatten().copied().collect();
    all.sort_unstable();
    println!(
        "{name}: {} commands in {:.1} s = {:.0} commands/s; p50 {:.1} ms, p99 {:.1} ms; \
         {} notifications delivered by the dispatchers",
        p.commands,
        p.wall,
        p.commands as f64 / p.wall,
        all.get(all.len() / 2).copied().unwrap_or(0) as f64 / 1000.0,
        p99(&all) as f64 / 1000.0,
        p.delivered
    );
}

fn main() {
    let o = options();
    if o.url.is_empty() {
        fail("set ARENDE_PG_URL (e.g. postgres://postgres@127.0.0.1:5432/test)");
    }
    match o.role.as_str() {
        "engine" => return engine(&o),
        "dispatcher" => return dispatcher(&o),
        _ => {}
    }
    // A fresh schema.
    {
        let mut c = postgres::Client::connect(&o.url, postgres::NoTls)
            .unwrap_or_else(|e| fail(&format!("admin: {e}")));
        let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", o.schema));
        drop(store_fresh(&o));
    }
    println!(
        "national run: {} counties, {} engine processes × {} threads, {} dispatchers, \
         {} matters per phase (13 commands each), heavy county {}× in the skewed phase",
        COUNTIES.len(),
        o.engines,
        o.threads,
        o.dispatchers,
        o.matters,
        o.heavy
    );
    let even = phase(&o, "even");
    report("even", &even);
    let skewed = phase(&o, "skewed");
    report("skewed", &skewed);
    let mut worst = (0.0f64, 0usize);
    for t in 1..COUNTIES.len() {
        let (Some(a), Some(b)) = (even.samples.get(&t), skewed.samples.get(&t)) else {
            continue;
        };
        let ratio = mean(b) / mean(a);
        if ratio > worst.0 {
            worst = (ratio, t);
        }
    }
    let heavy_a = even.samples.get(&0).map_or(0.0, |v| mean(v));
    let heavy_b = skewed.samples.get(&0).map_or(0.0, |v| mean(v));
    println!(
        "isolation: {} ({}× the matters) {:.1} → {:.1} ms per command; the most slowed \
         other county ({}) {:.2}× its even-phase mean (target ≤ 1.20×)",
        COUNTIES[0],
        o.heavy,
        heavy_a / 1000.0,
        heavy_b / 1000.0,
        COUNTIES[worst.1],
        worst.0
    );
}

fn store_fresh(o: &Options) -> Arc<PgStore> {
    store(o, 1)
}
