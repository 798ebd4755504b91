//! Forecast benchmarks: a 12-step route over two years of meeting plans for 30 bodies
//! (17 collaboration bodies meeting every other week, 13 parties' political bodies
//! meeting monthly), and re-forecasting 1,000 open matters at different positions.
//!
//! Run: `cargo bench -p arende-cli --bench forecast`.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::collections::{BTreeMap, BTreeSet};
use std::hint::black_box;

use arende_core::authz::Permissions;
use arende_core::forecast::{ForecastInput, Forecaster, Target};
use arende_core::ids::{BodyId, MeetingId, PartyId, RouteId, StepId, TenantId};
use arende_core::org::{
    Body, BodyKind, LeadTime, LeadTimes, MeetingStatus, MinutesKind, Organisation, Party,
    PartyKind, PlannedMeeting,
};
use arende_core::route::{ConsultationSpec, Dependency, Purpose, Route, Step};
use chrono::{Duration, NaiveDate, NaiveTime};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const COLLABORATION: [&str; 17] = [
    "wg",
    "sbu",
    "cg-social",
    "cg-school",
    "cg-health",
    "cg-joint",
    "sg",
    "kcrd",
    "council",
    "council-social",
    "council-health",
    "north",
    "south",
    "west",
    "orebro-part",
    "wg2",
    "wg3",
];

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn body(id: &str, kind: BodyKind) -> Body {
    let mut lead_times = LeadTimes::default();
    if kind == BodyKind::Political {
        lead_times.announcement = Some(LeadTime::Days(2));
        lead_times.appeal = Some(LeadTime::Weeks(3));
    }
    Body {
        id: BodyId::new(id),
        name: id.to_string(),
        kind,
        mandates: BTreeSet::new(),
        parent: None,
        joint_of: Vec::new(),
        party: None,
        minutes: MinutesKind::Protocol,
        lead_times,
        temporary: false,
        adjustment: Default::default(),
    }
}

fn meeting(bodies: &[&BodyId], day: NaiveDate, lt: &LeadTimes) -> PlannedMeeting {
    PlannedMeeting {
        id: MeetingId::new(format!("{}-{day}", bodies[0])),
        bodies: bodies.iter().map(|b| (*b).clone()).collect(),
        date: day,
        start: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
        end: NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default(),
        location: None,
        status: MeetingStatus::Confirmed,
        moved_from: None,
        sequence: 0,
        call_for_matters: lt.call_for_matters.before(day),
        notice: lt.notice.before(day),
    }
}

/// 30 bodies with two years (2024–2025) of meeting plans.
fn organisation() -> Organisation {
    let mut bodies = BTreeMap::new();
    let mut meetings = Vec::new();
    let start = date(2024, 1, 1);
    for (i, id) in COLLABORATION.iter().enumerate() {
        let kind = if *id == "cg-joint" {
            BodyKind::JointSession
        } else {
            BodyKind::ChiefGroup
        };
        let mut b = body(id, kind);
        if *id == "cg-joint" {
            b.joint_of = ["cg-social", "cg-school", "cg-health"]
                .map(BodyId::new)
                .to_vec();
        }
        // Every other week, each body on its own weekday.
        let mut day = start + Duration::days(i as i64 % 5);
        while day < date(2026, 1, 1) {
            meetings.push(meeting(&[&b.id], day, &b.lead_times));
            day += Duration::weeks(2);
        }
        bodies.insert(b.id.clone(), b);
    }
    let mut parties = BTreeMap::new();
    for i in 0..13 {
        let pid = PartyId::new(format!("party-{i}"));
        let mut b = body(&format!("party-{i}-ks"), BodyKind::Political);
        b.party = Some(pid.clone());
        // Monthly except July, on a day of the month that differs per party.
        for y in [2024, 2025] {
            for m in (1..=12).filter(|m| *m != 7) {
                meetings.push(meeting(&[&b.id], date(y, m, 3 + i), &b.lead_times));
            }
        }
        parties.insert(
            pid.clone(),
            Party {
                id: pid,
                name: format!("Part {i}"),
                kind: if i == 0 {
                    PartyKind::Region
                } else {
                    PartyKind::Municipality
                },
                county_part: None,
                political_body: Some(b.id.clone()),
                signatory: true,
            },
        );
        bodies.insert(b.id.clone(), b);
    }
    meetings.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
    Organisation {
        tenant: TenantId::new("bench"),
        name: "Bench".into(),
        version: "1".into(),
        parties,
        county_parts: BTreeMap::new(),
        bodies,
        people: BTreeMap::new(),
        memberships: Vec::new(),
        routes: BTreeMap::new(),
        matter_kinds: BTreeMap::new(),
        meetings,
        permissions: Permissions::default(),
        days_off: Default::default(),
        limits: Default::default(),
    }
}

fn step(id: &str, purpose: Purpose, body: Option<&str>) -> Step {
    Step {
        id: StepId::new(id),
        name: id.to_string(),
        purpose,
        body: body.map(BodyId::new),
        parties: Vec::new(),
        consultation: None,
        quorum: None,
    }
}

/// A 12-step county agreement: drafting, preparation, information, remiss, final
/// proposal, three readiness forums on the same proposal, recommendation, political
/// decisions in 13 parties, entry into force, follow-up.
fn route() -> Route {
    let mut remiss = step("remiss", Purpose::Consultation, Some("cg-joint"));
    remiss.consultation = Some(ConsultationSpec {
        recipients: Vec::new(),
        period: LeadTime::Weeks(8),
        processing: LeadTime::Weeks(4),
    });
    let steps = vec![
        step("draft", Purpose::Drafting, Some("wg")),
        step("prepare", Purpose::Preparation, Some("sbu")),
        step("inform", Purpose::Information, Some("cg-joint")),
        remiss,
        step("final", Purpose::Preparation, Some("cg-social")),
        step("sg", Purpose::ReadinessCheck, Some("sg")),
        step("cg", Purpose::ReadinessCheck, Some("cg-social")),
        step("kcrd", Purpose::ReadinessCheck, Some("kcrd")),
        step("council", Purpose::Recommendation, Some("council")),
        step("political", Purpose::PoliticalDecision, None),
        step("in-force", Purpose::EntryIntoForce, None),
        step("follow-up", Purpose::FollowUp, Some("cg-social")),
    ];
    let d = Dependency::Decision;
    let s = Dependency::SameProposal;
    let edges = [
        ("draft", "prepare", d),
        ("prepare", "inform", d),
        ("inform", "remiss", d),
        ("remiss", "final", d),
        ("final", "sg", d),
        ("sg", "cg", s),
        ("cg", "kcrd", s),
        ("kcrd", "council", d),
        ("council", "political", d),
        ("political", "in-force", d),
        ("in-force", "follow-up", d),
    ]
    .map(|(a, b, dep)| (StepId::new(a), StepId::new(b), dep))
    .to_vec();
    match Route::new(
        RouteId::new("county-agreement"),
        "bench".into(),
        steps,
        edges,
    ) {
        Ok(r) => r,
        Err(p) => panic!("bench route invalid: {p:?}"),
    }
}

fn bench(c: &mut Criterion) {
    let mut org = organisation();
    let r = route();
    org.routes.insert(r.id().clone(), r);
    let Some(route) = org.routes.get("county-agreement") else {
        return;
    };
    let forecaster = Forecaster::new(&org);
    let steps: Vec<StepId> = route.steps().map(|s| s.id.clone()).collect();

    let mut g = c.benchmark_group("forecast");
    g.bench_function("index-30-bodies-2-years", |b| {
        b.iter(|| Forecaster::new(black_box(&org)))
    });
    let input = ForecastInput::new(route, date(2024, 2, 5));
    g.bench_function("12-step-route", |b| {
        b.iter(|| forecaster.forecast(black_box(&input)))
    });
    let with_target = ForecastInput::new(route, date(2024, 2, 5))
        .target(Target::new("cg-joint", date(2024, 3, 1)).for_purpose(Purpose::Information));
    g.bench_function("12-step-route-with-target", |b| {
        b.iter(|| forecaster.forecast(black_box(&with_target)))
    });
    g.finish();

    // 1,000 open matters: ready dates spread over 2024, at every position on the route
    // (the first k steps taken).
    let matters: Vec<ForecastInput<'_>> = (0..1000u32)
        .map(|i| {
            let ready = date(2024, 1, 8) + Duration::days(i64::from(i * 7 % 360));
            let taken = (i as usize) % 9;
            let mut input = ForecastInput::new(route, ready);
            for (k, s) in steps.iter().take(taken).enumerate() {
                input = input.completed(s.clone(), ready - Duration::days(30 - k as i64));
            }
            input
        })
        .collect();
    let mut g = c.benchmark_group("reforecast");
    g.throughput(Throughput::Elements(matters.len() as u64));
    g.bench_with_input(
        BenchmarkId::new("open-matters", matters.len()),
        &matters,
        |b, matters| {
            b.iter(|| {
                let mut known = 0usize;
                for m in matters {
                    if let Ok(f) = forecaster.forecast(m) {
                        known += f.steps.iter().filter(|s| s.date.is_some()).count();
                    }
                }
                black_box(known)
            })
        },
    );
    // The same work timed by the thread's CPU time (Linux schedstat), which leaves out
    // the time the thread waits for a core on a shared, loaded machine.
    if cpu_time().is_some() {
        g.bench_with_input(
            BenchmarkId::new("open-matters-cpu-time", matters.len()),
            &matters,
            |b, matters| {
                b.iter_custom(|iters| {
                    let start = cpu_time().unwrap_or_default();
                    for _ in 0..iters {
                        for m in matters {
                            black_box(forecaster.forecast(m).is_ok());
                        }
                    }
                    cpu_time().unwrap_or_default().saturating_sub(start)
                })
            },
        );
    }
    g.finish();
}

/// The CPU time of this thread so far (Linux: the first field of
/// /proc/thread-self/schedstat, in nanoseconds).
fn cpu_time() -> Option<std::time::Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(std::time::Duration::from_nanos(ns))
}

criterion_group!(benches, bench);
criterion_main!(benches);
