//! The service's speed beside its baselines, in the same run (BENCHMARKS.md, "The
//! service"):
//! - `commands-16-clients`: 320 matter submissions by 16 keep-alive HTTP clients against
//!   the service's router on SQLite, beside the same 320 commands run in-process by 16
//!   threads on the same engine and store (target: HTTP ≥ 0.7× in-process).
//! - `feed-100k`: reading a tenant's change feed of 100,000 events over HTTP in pages of
//!   1,000, beside a raw SQL select of the same rows from the same SQLite file in pages
//!   of 1,000 (target: HTTP ≥ 0.5× SQL). Two clients: `http` parses every page into a
//!   `serde_json::Value` tree (every payload into maps too); `http-typed` reads each
//!   event into a struct of its fields with `data` kept as raw JSON text, which is what
//!   the SQL baseline gets (owned text per column, the payload not parsed).
#![allow(missing_docs)] // criterion_group! makes an undocumented pub fn.

use std::sync::Arc;
use std::time::{Duration, Instant};

use arende_core::authz::{Action, Actor};
use arende_core::clock::SimulatedClock;
use arende_core::command::{Command, CommandOptions};
use arende_core::deployment::{Deployment, SharedClock, SharedStore};
use arende_core::ids::{CommandId, TenantId};
use arende_core::store::{AppendRequest, EventData, EventStore, ExpectedVersion, StreamId};
use arende_server::auth::{AuthConfig, Authenticator};
use arende_server::{AppState, ServerOptions};
use criterion::{Criterion, criterion_group, criterion_main};

const CLIENTS: usize = 16;
const PER_CLIENT: usize = 20;
const KEY: &str = "bench-key";
const FEED_EVENTS: usize = 100_000;

fn county() -> arende_core::org::Organisation {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/orebro.toml");
    let text = std::fs::read_to_string(path).expect("the configuration");
    arende_core::config::load_str(&text, path).expect("it loads")
}

struct Service {
    base: String,
    deployment: Arc<Deployment>,
    store: Arc<arende_store_sqlite::SqliteStore>,
    path: std::path::PathBuf,
    _runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

fn service() -> Service {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("bench.db");
    let store = Arc::new(arende_store_sqlite::SqliteStore::open(&path).expect("the store"));
    let shared: SharedStore = store.clone();
    let clock: SharedClock = Arc::new(SimulatedClock::at_date(
        chrono::NaiveDate::from_ymd_opt(2024, 9, 2).expect("a date"),
    ));
    let mut deployment = Deployment::new();
    deployment
        .add(Arc::new(county()), shared, clock)
        .expect("the county");
    let deployment = Arc::new(deployment);
    let config: AuthConfig = toml::from_str(&format!(
        "[rate_limit]\nper_second = 1000000\nburst = 1000000\n[[api_keys]]\nname = \"bench\"\nkey = \"{KEY}\"\ntenant = \"orebro\"\ncommands = [\"*\"]\nactions = [\"screen\"]\n"
    ))
    .expect("the auth config");
    let mut options = ServerOptions::new(Authenticator::new(&config).expect("auth"));
    options.outbox = Some(store.clone());
    let state = AppState::new(Arc::clone(&deployment), options).expect("state");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = arende_server::app(state, Vec::new());
    runtime.spawn(async move {
        let _ = arende_server::serve(listener, app, std::future::pending()).await;
    });
    Service {
        base: format!("http://{addr}"),
        deployment,
        store,
        path,
        _runtime: runtime,
        _dir: dir,
    }
}

fn submit_json(n: usize) -> String {
    format!(
        r#"{{"aggregate": "matter", "command": {{"type": "submit", "kind": "information", "title": "Ärende {n}", "body": "sbu", "submitter": "jaana-jansson"}}}}"#
    )
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn over_http(s: &Service, agents: &[ureq::Agent]) -> Duration {
    let url = format!("{}/v1/orebro/commands", s.base);
    let start = Instant::now();
    std::thread::scope(|scope| {
        for (c, a) in agents.iter().enumerate() {
            let url = url.clone();
            scope.spawn(move || {
                for i in 0..PER_CLIENT {
                    let mut r = a
                        .post(&url)
                        .header("X-Api-Key", KEY)
                        .header("Content-Type", "application/json")
                        .send(submit_json(c * 1000 + i).as_str())
                        .expect("a response");
                    assert_eq!(r.status().as_u16(), 201);
                    let _ = r.body_mut().read_to_string();
                }
            });
        }
    });
    start.elapsed()
}

fn in_process(s: &Service) -> Duration {
    let engine = Arc::clone(
        s.deployment
            .county(&TenantId::new("orebro"))
            .expect("orebro"),
    );
    let actor = Actor::service("bench", &[Action::Screen]);
    let start = Instant::now();
    std::thread::scope(|scope| {
        for c in 0..CLIENTS {
            let engine = Arc::clone(&engine);
            let actor = actor.clone();
            scope.spawn(move || {
                for i in 0..PER_CLIENT {
                    let command: Command =
                        serde_json::from_str(&submit_json(c * 1000 + i)).expect("a command");
                    let o = engine
                        .execute(&actor, command, CommandOptions::default())
                        .expect("executed");
                    assert!(o.event_count() > 0);
                }
            });
        }
    });
    start.elapsed()
}

fn commands(c: &mut Criterion) {
    let s = service();
    let agents: Vec<ureq::Agent> = (0..CLIENTS).map(|_| agent()).collect();
    let mut g = c.benchmark_group("commands-16-clients");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.throughput(criterion::Throughput::Elements(
        (CLIENTS * PER_CLIENT) as u64,
    ));
    g.bench_function("http", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| over_http(&s, &agents)).sum())
    });
    g.bench_function("in-process", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| in_process(&s)).sum())
    });
    g.finish();
}

fn fill_feed(s: &Service) {
    let now = chrono::Utc::now();
    let per = 500;
    for r in 0..FEED_EVENTS / per {
        let events = (0..per)
            .map(|i| EventData {
                event_type: "Noted".into(),
                payload: format!(r#"{{"Noted":{{"n":{}}}}}"#, r * per + i),
            })
            .collect();
        s.store
            .append(AppendRequest {
                tenant: TenantId::new("orebro"),
                stream: StreamId::new(format!("bench-{r}")),
                expected: ExpectedVersion::at(0),
                command_id: CommandId::random(),
                actor: "bench".into(),
                recorded_at: now,
                events,
                outbox: Vec::new(),
            })
            .expect("append");
    }
}

fn feed_over_http(s: &Service, a: &ureq::Agent) -> usize {
    let mut after = 0u64;
    let mut n = 0;
    loop {
        let mut r = a
            .get(&format!(
                "{}/v1/orebro/events?after={after}&limit=1000",
                s.base
            ))
            .header("X-Api-Key", KEY)
            .call()
            .expect("a page");
        let page: serde_json::Value =
            serde_json::from_str(&r.body_mut().read_to_string().expect("a body")).expect("JSON");
        let count = page["events"].as_array().map_or(0, Vec::len);
        if count == 0 {
            return n;
        }
        n += count;
        after = page["next"].as_u64().expect("next");
    }
}

/// An event of the feed as a follower that keeps the payload as JSON text reads it:
/// the fields the SQL baseline selects, each owned.
#[derive(serde::Deserialize)]
#[allow(dead_code)] // Read to be kept, as the SQL rows are; not looked at.
struct TypedEvent {
    position: u64,
    stream: String,
    version: u64,
    #[serde(rename = "type")]
    event_type: String,
    data: Box<serde_json::value::RawValue>,
    actor: String,
    command_id: String,
    recorded_at: String,
}

#[derive(serde::Deserialize)]
struct TypedPage {
    events: Vec<TypedEvent>,
    next: u64,
}

fn feed_over_http_typed(s: &Service, a: &ureq::Agent) -> usize {
    let mut after = 0u64;
    let mut n = 0;
    loop {
        let mut r = a
            .get(&format!(
                "{}/v1/orebro/events?after={after}&limit=1000",
                s.base
            ))
            .header("X-Api-Key", KEY)
            .call()
            .expect("a page");
        let body = r.body_mut().read_to_string().expect("a body");
        let page: TypedPage = serde_json::from_str(&body).expect("a page");
        if page.events.is_empty() {
            return n;
        }
        n += page.events.len();
        after = page.next;
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

fn feed_by_sql(conn: &rusqlite::Connection) -> usize {
    let mut stmt = conn
        .prepare_cached(
            "SELECT position, tenant, stream, version, event_type, payload, actor, command_id, recorded_at
             FROM events WHERE tenant = ?1 AND position > ?2 ORDER BY position LIMIT 1000",
        )
        .expect("prepare");
    let mut after = 0i64;
    let mut n = 0;
    loop {
        let rows: Vec<Row> = stmt
            .query_map(rusqlite::params!["orebro", after], |r| {
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
            })
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        let Some(last) = rows.last() else { return n };
        after = last.0;
        n += rows.len();
    }
}

fn feed(c: &mut Criterion) {
    let s = service();
    fill_feed(&s);
    let conn = rusqlite::Connection::open(&s.path).expect("open");
    let a = agent();
    let expected = feed_by_sql(&conn);
    assert!(expected >= FEED_EVENTS, "{expected} events");
    assert_eq!(feed_over_http(&s, &a), expected);
    assert_eq!(feed_over_http_typed(&s, &a), expected);
    let mut g = c.benchmark_group("feed-100k");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.throughput(criterion::Throughput::Elements(expected as u64));
    g.bench_function("http", |b| b.iter(|| feed_over_http(&s, &a)));
    g.bench_function("http-typed", |b| b.iter(|| feed_over_http_typed(&s, &a)));
    g.bench_function("sql", |b| b.iter(|| feed_by_sql(&conn)));
    g.finish();
}

criterion_group!(benches, commands, feed);
criterion_main!(benches);
