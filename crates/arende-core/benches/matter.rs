//! Matter lifecycle speed: the engine over the in-memory store (with and without its
//! state cache) against a bare enum state machine that only folds and serialises its
//! events with serde_json — the floor any event-sourced engine pays. Also the read
//! model's catch-up over many matters.
//!
//! Run: `cargo bench -p arende-core --bench matter`.
// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::sync::Arc;

use arende_core::authz::Actor;
use arende_core::clock::SimulatedClock;
use arende_core::engine::Engine;
use arende_core::ids::{MeetingId, PersonId};
use arende_core::matter::*;
use arende_core::meeting::MinutesRef;
use arende_core::projection::MatterProjection;
use arende_core::store::MemoryStore;
use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use serde::{Deserialize, Serialize};

const OREBRO: &str = include_str!("../../../config/orebro.toml");

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

fn who(id: &str) -> Actor {
    Actor::Person(PersonId::new(id))
}

type E = Engine<Arc<MemoryStore>, Arc<SimulatedClock>>;

fn engine(cache: usize) -> E {
    let org = arende_core::config::load_str(OREBRO, "orebro.toml").expect("orebro loads");
    Engine::new(
        Arc::new(org),
        Arc::new(MemoryStore::new()),
        Arc::new(SimulatedClock::at_date(d(2024, 9, 1))),
    )
    .with_cache_capacity(cache)
}

/// The unbroken-schooling lifecycle: 9 commands from submission to decision.
fn lifecycle(e: &E) {
    let sbu = "daniel-berglund";
    let cg = "peter-bergvall-virtanen";
    let mut s = SubmitMatter::new(MatterKind::Routine, "Obruten skolgång", "sbu");
    s.submitter = Some(PersonId::new("tarja-nordling"));
    let id = e
        .submit_matter(&who(sbu), s)
        .expect("submit")
        .state
        .id
        .expect("id");
    let run = |actor: &str, c: MatterCommand| {
        e.run_matter(id, &who(actor), c).expect("accepted");
    };
    run(
        sbu,
        MatterCommand::Screen {
            screening: Screening::Handle { route: None },
        },
    );
    run(
        "tarja-nordling",
        MatterCommand::Prepare {
            at: At::body("wg-unbroken-schooling"),
            recommendation: None,
        },
    );
    run(
        sbu,
        MatterCommand::Prepare {
            at: At::minutes(
                "sbu",
                MinutesRef {
                    meeting: MeetingId::new("sbu-2024-10-15"),
                    paragraph: 7,
                },
            ),
            recommendation: Some("dragning".into()),
        },
    );
    run(
        cg,
        MatterCommand::Present {
            at: At::body("cg-joint"),
        },
    );
    run(
        cg,
        MatterCommand::SendOnRemiss(RemissOrder {
            at: At::body("cg-joint"),
            recipients: vec![],
            deadline: d(2024, 12, 31),
            receivers: vec![],
            edition: None,
        }),
    );
    run(
        cg,
        MatterCommand::RecordRemissResponse {
            recipient: RemissRecipient::Party("orebro".into()),
            comments: 12,
            received_on: None,
        },
    );
    run(
        cg,
        MatterCommand::WorkInResponses {
            at: At::body("cg-joint"),
            comments_handled: 40,
        },
    );
    run(
        cg,
        MatterCommand::Decide {
            at: At::body("cg-joint"),
            approved: true,
            clauses: vec!["anta överenskommelsen".into()],
        },
    );
}

/// The bare baseline: an enum state machine folding the same lifecycle's events and
/// serialising each with serde_json.
#[derive(Debug, Clone, Serialize, Deserialize)]
enum BareEvent {
    Submitted {
        id: u128,
        title: String,
        submitter: String,
        body: String,
    },
    Screened {
        route: String,
    },
    Prepared {
        body: String,
        step: String,
    },
    Presented {
        body: String,
        step: String,
    },
    RemissSent {
        body: String,
        recipients: Vec<String>,
        deadline: NaiveDate,
    },
    Response {
        party: String,
        comments: u32,
    },
    WorkedIn {
        body: String,
        comments: u32,
    },
    Decided {
        body: String,
        clauses: Vec<String>,
    },
}

#[derive(Default)]
struct Bare {
    status: u8,
    step: usize,
    version: u64,
    log: Vec<String>,
}

impl Bare {
    fn apply(&mut self, e: BareEvent) {
        self.log.push(serde_json::to_string(&e).expect("json"));
        self.version += 1;
        match e {
            BareEvent::Submitted { .. } => self.status = 1,
            BareEvent::Screened { .. } => self.status = 2,
            BareEvent::Decided { .. } => self.status = 3,
            BareEvent::Response { .. } => {}
            _ => self.step += 1,
        }
    }
}

fn bare(i: u128) -> Bare {
    let mut m = Bare::default();
    let s = |x: &str| x.to_owned();
    m.apply(BareEvent::Submitted {
        id: i,
        title: s("Obruten skolgång"),
        submitter: s("tarja-nordling"),
        body: s("sbu"),
    });
    m.apply(BareEvent::Screened {
        route: s("chief-group-agreement"),
    });
    m.apply(BareEvent::Prepared {
        body: s("wg-unbroken-schooling"),
        step: s("draft"),
    });
    m.apply(BareEvent::Prepared {
        body: s("sbu"),
        step: s("sbu-preparation"),
    });
    m.apply(BareEvent::Presented {
        body: s("cg-joint"),
        step: s("cg-information"),
    });
    m.apply(BareEvent::RemissSent {
        body: s("cg-joint"),
        recipients: (0..12).map(|k| format!("municipality-{k}")).collect(),
        deadline: d(2024, 12, 31),
    });
    m.apply(BareEvent::Response {
        party: s("orebro"),
        comments: 12,
    });
    m.apply(BareEvent::WorkedIn {
        body: s("cg-joint"),
        comments: 40,
    });
    m.apply(BareEvent::Decided {
        body: s("cg-joint"),
        clauses: vec![s("anta överenskommelsen")],
    });
    m
}

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("lifecycle");
    let cached = engine(arende_core::engine::DEFAULT_CACHE_CAPACITY);
    g.bench_function("engine-cached", |b| b.iter(|| lifecycle(&cached)));
    let uncached = engine(0);
    g.bench_function("engine-uncached", |b| b.iter(|| lifecycle(&uncached)));
    let mut i = 0u128;
    g.bench_function("bare-enum-serde-json", |b| {
        b.iter(|| {
            i += 1;
            bare(i)
        })
    });
    g.finish();

    // Memory of the read model: open matters (submitted and accepted onto a route).
    let e = engine(1024);
    let n = 100_000;
    for i in 0..n {
        let mut s = SubmitMatter::new(MatterKind::Agreement, format!("Ärende {i}"), "sbu");
        s.submitter = Some(PersonId::new("tarja-nordling"));
        let id = e
            .submit_matter(&who("daniel-berglund"), s)
            .expect("submit")
            .state
            .id
            .expect("id");
        e.run_matter(
            id,
            &who("daniel-berglund"),
            MatterCommand::Screen {
                screening: Screening::Handle { route: None },
            },
        )
        .expect("screen");
    }
    let bytes = e
        .read()
        .query_matters(|p| p.approx_bytes())
        .expect("read model");
    eprintln!(
        "read model: {n} open matters, about {} bytes per matter",
        bytes / n
    );

    let e = engine(0);
    for _ in 0..1_000 {
        lifecycle(&e);
    }
    c.bench_function("read-model/catch-up-1000-matters", |b| {
        b.iter(|| {
            let mut p = MatterProjection::new(e.org().tenant.clone());
            p.catch_up(e.store().as_ref()).expect("catch up");
            p.len()
        })
    });
}

criterion_group!(matter, benches);
criterion_main!(matter);
