//! Scaling: ten times the input must cost at most twelve times the time (issue 12.3),
//! for the three paths that were quadratic — expanding meeting-plan rules into
//! meetings, reporting many configuration problems, and applying an adopted agenda of
//! many items (every load of that meeting pays it). Each runs at n and 10 n; the ratio
//! of the two medians is the figure in BENCHMARKS.md.
//!
//! Each is timed twice: by the wall clock (group `scaling/…`) and by the thread's CPU
//! time (`scaling-cpu/…`, from `/proc/thread-self/schedstat`), which leaves out the time
//! the thread waits for a core on a shared machine.
//!
//! Run: `cargo bench -p arende-core --bench scaling`.
// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use arende_core::aggregate::Aggregate;
use arende_core::config::load_str;
use arende_core::ids::PersonId;
use arende_core::meeting::{AgendaItem, ItemKind, Meeting, MeetingEvent};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

const HEAD: &str = r#"
[organisation]
tenant = "scale"
name = "Skalningslän"
version = "1"

[bodies.cg]
name = "Chefsgrupp"
kind = "chief-group"
mandates = ["inform", "decide"]
"#;

/// A plan of `years` one-year weekly rules: 52 or 53 meetings each.
fn plan_config(years: u32) -> String {
    let mut s = HEAD.to_owned();
    s.push_str("\n[meeting-plans.cg]\ntime = \"09:00-12:00\"\nrules = [\n");
    for y in 0..years {
        let year = 1100 + y;
        let _ = writeln!(
            s,
            "  {{ every = \"every monday\", from = {year}-01-01, until = {year}-12-31 }},"
        );
    }
    s.push_str("]\n");
    s
}

/// A configuration with `n` people whose e-mail addresses are invalid: n problems.
fn problems_config(n: u32) -> String {
    let mut s = HEAD.to_owned();
    for i in 0..n {
        let _ = write!(
            s,
            "\n[people.p{i}]\nname = \"Person {i}\"\nemail = \"not-an-address-{i}\"\n"
        );
    }
    s
}

/// `n` agenda items and an adoption in reverse order.
fn agenda_events(n: u32) -> Vec<MeetingEvent> {
    let mut events: Vec<MeetingEvent> = (1..=n)
        .map(|i| MeetingEvent::AgendaItemAdded {
            item: AgendaItem::new(i, format!("Punkt {i}"), ItemKind::Information),
            raised_by: PersonId::new("anna"),
        })
        .collect();
    events.push(MeetingEvent::AgendaAdopted {
        items: (1..=n).rev().collect(),
    });
    events
}

/// This thread's CPU time so far (Linux), or `None` where schedstat is not readable.
fn cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Times `iters` runs of `f`, by the wall clock or by this thread's CPU time.
fn timed<T>(cpu: bool, iters: u64, mut f: impl FnMut() -> T) -> Duration {
    let (wall, cpu_start) = (Instant::now(), cpu_time());
    for _ in 0..iters {
        std::hint::black_box(f());
    }
    match (cpu, cpu_start, cpu_time()) {
        (true, Some(a), Some(b)) => b.saturating_sub(a),
        _ => wall.elapsed(),
    }
}

fn scaling(c: &mut Criterion) {
    let clocks: &[(bool, &str)] = if cpu_time().is_some() {
        &[(false, "scaling"), (true, "scaling-cpu")]
    } else {
        &[(false, "scaling")]
    };
    for &(cpu, group) in clocks {
        let mut g = c.benchmark_group(format!("{group}/plan-rules"));
        g.sample_size(10);
        for years in [40u32, 400] {
            let text = plan_config(years);
            let org = load_str(&text, "plan.toml").expect("the plan loads");
            // Weekly, less the Mondays that are public holidays (Easter Monday, …).
            assert!(org.meetings.len() as u32 >= 48 * years);
            g.bench_with_input(
                BenchmarkId::from_parameter(org.meetings.len()),
                &text,
                |b, t| {
                    b.iter_custom(|n| {
                        timed(cpu, n, || {
                            load_str(t, "plan.toml").expect("loads").meetings.len()
                        })
                    })
                },
            );
        }
        g.finish();

        let mut g = c.benchmark_group(format!("{group}/problems"));
        g.sample_size(10);
        for n in [1_000u32, 10_000] {
            let text = problems_config(n);
            g.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, t| {
                b.iter_custom(|iters| {
                    timed(cpu, iters, || {
                        let e = load_str(t, "bad.toml").expect_err("n problems");
                        assert_eq!(e.problems.len() as u32, n);
                        e.problems.len()
                    })
                })
            });
        }
        g.finish();

        let mut g = c.benchmark_group(format!("{group}/agenda-adopted"));
        g.sample_size(10);
        for n in [4_000u32, 40_000] {
            let events = agenda_events(n);
            g.bench_with_input(BenchmarkId::from_parameter(n), &events, |b, ev| {
                b.iter_custom(|iters| {
                    timed(cpu, iters, || {
                        let mut m = Meeting::default();
                        for e in ev {
                            m.apply(e);
                        }
                        m.agenda.len()
                    })
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, scaling);
criterion_main!(benches);
