//! An OParl page of 100 papers against the time of its underlying query (issue 14: at
//! most 2×). The store is SQLite with 500 matters on their routes (submitted, screened,
//! a case number registered). The underlying query is what the page reads: the matter
//! list from the engine's read model and the 100 matters' event streams, folded. The
//! page is `County::papers` (the same reads, the mapping to OParl `Paper` objects with a
//! `Consultation` per route step) serialized to JSON; `County::papers_json` writes the
//! same page with each paper's text from a cache by (matter, version), uncached (a fresh
//! cache per page) and cached; the served page is the same over HTTP on loopback (axum,
//! one keep-alive client, the router's cache).
//!
//! ```sh
//! CARGO_BUILD_JOBS=2 cargo bench -p arende-publish --bench oparl
//! ```

// criterion_group! makes a public function without docs.
#![allow(missing_docs)]

use std::sync::Arc;

use arende::aggregate::fold;
use arende::authz::Actor;
use arende::clock::SimulatedClock;
use arende::deployment::{Deployment, SharedClock, SharedStore};
use arende::ids::{PartyId, PersonId, TenantId};
use arende::matter::{Matter, MatterCommand, MatterKind, Screening, SubmitMatter};
use arende::sqlite::SqliteStore;
use arende::store::{EventStore, StreamId};
use arende_publish::oparl::{County, ListFilter, PaperCache};
use axum::extract::FromRef;
use criterion::{Criterion, criterion_group, criterion_main};

const MATTERS: usize = 500;

#[derive(Clone)]
struct State(Arc<Deployment>);

impl FromRef<State> for Arc<Deployment> {
    fn from_ref(s: &State) -> Self {
        Arc::clone(&s.0)
    }
}

fn setup(dir: &std::path::Path) -> Arc<Deployment> {
    let org = Arc::new(
        arende::load_file(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../config/orebro.toml"
        ))
        .expect("the configuration loads"),
    );
    let store: SharedStore =
        Arc::new(SqliteStore::open(dir.join("bench.sqlite")).expect("a SQLite store"));
    let day = chrono::NaiveDate::from_ymd_opt(2024, 9, 2).expect("a date");
    let clock: SharedClock = Arc::new(SimulatedClock::at_date(day));
    let mut d = Deployment::new();
    let engine = d.add(org, store, clock).expect("one county");
    let jaana = Actor::Person(PersonId::new("jaana-jansson"));
    let secretary = Actor::Person(PersonId::new("daniel-berglund"));
    for i in 0..MATTERS {
        let submitted = engine
            .submit_matter(
                &jaana,
                SubmitMatter::new(MatterKind::Agreement, format!("Överenskommelse {i}"), "sbu"),
            )
            .expect("submitted");
        let id = submitted.state.id.expect("an id");
        engine
            .run_matter(
                id,
                &secretary,
                MatterCommand::Screen {
                    screening: Screening::Handle { route: None },
                },
            )
            .expect("screened");
        engine
            .run_matter(
                id,
                &secretary,
                MatterCommand::RegisterCaseNumber {
                    party: PartyId::new("region"),
                    number: format!("RS 24/{i:04}"),
                },
            )
            .expect("case number");
    }
    Arc::new(d)
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a directory");
    let deployment = setup(dir.path());
    let engine = Arc::clone(
        deployment
            .county(&TenantId::new("orebro"))
            .expect("the county"),
    );
    let filter = ListFilter {
        page: 2,
        limit: 100,
        ..ListFilter::default()
    };
    let mut group = c.benchmark_group("oparl_page_of_100_papers");
    group.bench_function("underlying_query", |b| {
        b.iter(|| {
            let list = engine.read().matters().expect("the matters");
            let tenant = &engine.org().tenant;
            let mut n = 0;
            for s in list.iter().skip(100).take(100) {
                let records = engine
                    .store()
                    .read_stream(tenant, &StreamId::new(format!("matter-{}", s.id)), 1)
                    .expect("a stream");
                let (m, _) = fold::<Matter>(&records).expect("folded");
                n += m.done.len() + records.len();
            }
            n
        })
    });
    group.bench_function("page_json", |b| {
        b.iter(|| {
            let county = County::new(&engine, "http://127.0.0.1:8080");
            let page = county.papers("region", &filter).expect("a page");
            assert_eq!(page.data.len(), 100);
            serde_json::to_vec(&page).expect("JSON").len()
        })
    });
    // The page as the service writes it: each paper's JSON text from a cache by (matter,
    // version). Uncached, every paper is mapped and written (as after every matter
    // changed); cached, none is (as when none changed since the last read).
    group.bench_function("page_json_uncached", |b| {
        b.iter(|| {
            let county = County::new(&engine, "http://127.0.0.1:8080");
            let cache = PaperCache::new();
            county
                .papers_json("region", &filter, &cache)
                .expect("a page")
                .len()
        })
    });
    let cache = PaperCache::new();
    group.bench_function("page_json_cached", |b| {
        b.iter(|| {
            let county = County::new(&engine, "http://127.0.0.1:8080");
            county
                .papers_json("region", &filter, &cache)
                .expect("a page")
                .len()
        })
    });
    // Served over HTTP on loopback (the router's own cache, warm after the first
    // request).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("a port");
    let addr = listener.local_addr().expect("an address");
    let app = arende_publish::routes::<State>().with_state(State(Arc::clone(&deployment)));
    runtime.spawn(async move { axum::serve(listener, app).await });
    let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
    let url = format!("http://{addr}/oparl/v1/orebro/body/region/papers?page=2&limit=100");
    group.bench_function("page_http", |b| {
        b.iter(|| {
            let mut r = agent.get(&url).call().expect("200");
            r.body_mut()
                .with_config()
                .limit(64 << 20)
                .read_to_string()
                .expect("a body")
                .len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
