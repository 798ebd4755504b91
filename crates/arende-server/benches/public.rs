//! The public surface under load (issue 20): the anonymous body page of a county with
//! 10,000 matters at one body, every title 4 KiB, served over HTTP on loopback (time
//! per page by criterion; p99, page size and the process's peak memory printed), and
//! the idle CPU of 500 long-poll waiters of the change feed (CPU time from
//! /proc/self/stat over a 10 s window).
//!
//! `cargo bench -p arende-server --bench public` (on SQLite; `ARENDE_BENCH_MATTERS`
//! sets the number of matters).

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use arende_core::ids::{CommandId, TenantId};
use arende_core::store::{AppendRequest, EventData, ExpectedVersion, StreamId};
use common::*;
use criterion::Criterion;

/// The longest title a list shows whole is 120 characters; these are 2,048 "å" (4 KiB).
const TITLE_CHARS: usize = 2048;

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: u64 = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .map(|x| x.parse::<u64>().unwrap_or(0))
        .sum();
    Duration::from_millis(ticks * 10)
}

/// Stores `n` matters at the body `sbu`, copied from one submitted over HTTP.
fn seed(server: &Server, n: usize) {
    let a = agent();
    let r = command(
        &a,
        server,
        "orebro",
        key(KEY_ALL),
        &[],
        &submit("Mall", "sbu", Some("jaana-jansson")),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let template: Vec<_> = server
        .log()
        .into_iter()
        .filter(|e| e.stream.as_str().starts_with("matter-"))
        .collect();
    let old_stream = template[0].stream.as_str().to_owned();
    let old_id = old_stream.trim_start_matches("matter-").to_owned();
    for i in 0..n {
        let id = uuid::Uuid::now_v7().to_string();
        let title = format!("{i:05} {}", "å".repeat(TITLE_CHARS));
        let events = template
            .iter()
            .filter(|e| e.stream.as_str() == old_stream)
            .map(|e| EventData {
                event_type: e.event_type.clone(),
                payload: e
                    .payload
                    .replace("\"Mall\"", &format!("\"{title}\""))
                    .replace(&old_id, &id),
            })
            .collect();
        server
            .store
            .append(AppendRequest {
                tenant: TenantId::new("orebro"),
                stream: StreamId::new(format!("matter-{id}")),
                expected: ExpectedVersion::NoStream,
                command_id: CommandId::random(),
                actor: "jaana-jansson".into(),
                recorded_at: chrono::Utc::now(),
                events,
                outbox: Vec::new(),
            })
            .expect("stored");
    }
}

fn main() {
    let matters: usize = std::env::var("ARENDE_BENCH_MATTERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let Some(server) = Server::start_tuned(Backend::Sqlite, "bench_public", |o| {
        o.public_limit = arende_server::public::PublicLimit {
            per_second: 1_000_000,
            burst: 1_000_000,
        };
    }) else {
        return;
    };
    let started = Instant::now();
    seed(&server, matters);
    println!("seeded {matters} matters in {:?}", started.elapsed());
    let a = agent();
    let url = server.url("/ui/orebro/bodies/sbu");
    // The first read catches the projection up with the store.
    let first = get(&a, &url, &[]);
    assert_eq!(first.status, 200);
    let before = peak_rss_kib();
    let mut times: Vec<Duration> = (0..200)
        .map(|_| {
            let t = Instant::now();
            let r = get(&a, &url, &[]);
            assert_eq!(r.status, 200);
            t.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "body page: {} bytes; p50 {:?}, p99 {:?} over 200 requests; peak RSS {} MiB (before the 200: {} MiB)",
        first.body.len(),
        times[100],
        times[197],
        peak_rss_kib() / 1024,
        before / 1024
    );
    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(30)
        .measurement_time(Duration::from_secs(10));
    c.bench_function(
        "anonymous body page, 10,000 matters with 4 KiB titles",
        |b| b.iter(|| get(&a, &url, &[]).body.len()),
    );
    // 500 long polls waiting on an idle store.
    let address = server.base.trim_start_matches("http://").to_owned();
    let head = server.log().last().map_or(0, |e| e.position);
    let _waiters: Vec<TcpStream> = (0..500)
        .map(|_| {
            let mut s = TcpStream::connect(&address).expect("connect");
            write!(
                s,
                "GET /v1/orebro/events?after={head}&wait=60 HTTP/1.1\r\nHost: b\r\nX-Api-Key: {KEY_READ}\r\n\r\n"
            )
            .expect("write");
            s
        })
        .collect();
    std::thread::sleep(Duration::from_secs(2));
    let cpu = cpu_time();
    let window = Instant::now();
    std::thread::sleep(Duration::from_secs(10));
    let used = cpu_time() - cpu;
    println!(
        "500 idle long-poll waiters: {:.4} cores ({:?} CPU in {:?})",
        used.as_secs_f64() / window.elapsed().as_secs_f64(),
        used,
        window.elapsed()
    );
    c.final_summary();
}
