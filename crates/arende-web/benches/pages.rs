//! A body's page for a county with 10,000 matters: the reads it is built from against
//! the whole page (the same reads, the view model and the HTML), in the same run; the
//! page's size is printed (every page must stay under 200 kB). Run alone:
//! `cargo bench -p arende-web --bench pages`.
#![allow(missing_docs)] // criterion_group! makes an undocumented pub fn.

use std::sync::Arc;

use arende_core::authz::Actor;
use arende_core::clock::SimulatedClock;
use arende_core::deployment::{CountyEngine, Deployment, SharedStore};
use arende_core::ids::{BodyId, PersonId, TenantId};
use arende_core::language::Language;
use arende_core::matter::{MatterCommand, MatterKind, Screening, SubmitMatter};
use arende_core::meeting::MeetingPhase;
use arende_core::org::MeetingStatus;
use arende_core::store::MemoryStore;
use arende_web::layout::Ctx;
use arende_web::views::body;
use criterion::{Criterion, criterion_group, criterion_main};

const MATTERS: usize = 10_000;

fn county() -> Arc<CountyEngine> {
    let org = Arc::new(
        arende_core::config::load_str(
            include_str!("../../../config/orebro.toml"),
            "config/orebro.toml",
        )
        .expect("the Örebro configuration"),
    );
    let store: SharedStore = Arc::new(MemoryStore::new());
    let today = chrono::NaiveDate::from_ymd_opt(2024, 9, 2).expect("a date");
    let mut dep = Deployment::new();
    let engine = dep
        .add(org.clone(), store, Arc::new(SimulatedClock::at_date(today)))
        .expect("the county");
    let bodies: Vec<BodyId> = ["sbu", "cg-joint", "kcrd", "council-social"]
        .into_iter()
        .map(BodyId::new)
        .filter(|b| org.body(b).is_some())
        .collect();
    let jaana = Actor::Person(PersonId::new("jaana-jansson"));
    let daniel = Actor::Person(PersonId::new("daniel-berglund"));
    for i in 0..MATTERS {
        let to = bodies[i % bodies.len()].clone();
        let kind = MatterKind::ALL[i % MatterKind::ALL.len()];
        let Ok(done) = engine.submit_matter(
            &jaana,
            SubmitMatter::new(kind, format!("Ärende nummer {i}"), to.clone()),
        ) else {
            continue;
        };
        if to.as_str() == "sbu"
            && i % 3 == 0
            && let Some(id) = done.state.id
        {
            let _ = engine.run_matter(
                id,
                &daniel,
                MatterCommand::Screen {
                    screening: Screening::InformationItem,
                },
            );
        }
    }
    engine
}

/// The reads the body page is built from, as `views::body::build` makes them.
fn reads(engine: &CountyEngine, b: &BodyId) -> usize {
    let read = engine.read();
    let today = engine.clock().today();
    let plan = read.body_meeting_plan(b).expect("plan");
    let mut n = 0;
    let mut next = None;
    for p in &plan {
        let s = read.meeting(&p.id).expect("meeting");
        n += s.agenda.len();
        if next.is_none()
            && p.date >= today
            && p.status != MeetingStatus::Cancelled
            && matches!(
                s.phase,
                MeetingPhase::Planned | MeetingPhase::CallForMattersSent
            )
        {
            next = Some(p.id.clone());
        }
    }
    if let Some(m) = next {
        n += read
            .proposed_agenda(&m, &[], Language::Swedish)
            .expect("agenda")
            .items
            .len();
    }
    n += read.matters_at(b, None).expect("matters").len();
    n += read.owed_feedback().expect("feedback").len();
    n += read.overdue_assignments(today).expect("overdue").len();
    n
}

fn bench(c: &mut Criterion) {
    let engine = county();
    let b = BodyId::new("sbu");
    let ctx = Ctx {
        tenant: TenantId::new("orebro"),
        county: engine.org().name.clone(),
        lang: Language::Swedish,
        actor: None,
        actor_name: None,
        quarantined: 0,
    };
    let html = body::render(
        &ctx,
        &body::build(&engine, &b, Language::Swedish).expect("page"),
    )
    .into_string();
    println!(
        "body page for {MATTERS} matters: {} bytes (limit 200000)",
        html.len()
    );
    assert!(html.len() < 200_000, "the page is {} bytes", html.len());
    let mut g = c.benchmark_group("body-page-10k");
    g.sample_size(20);
    g.bench_function("reads", |bch| bch.iter(|| reads(&engine, &b)));
    g.bench_function("page", |bch| {
        bch.iter(|| {
            body::render(
                &ctx,
                &body::build(&engine, &b, Language::Swedish).expect("page"),
            )
            .into_string()
            .len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
