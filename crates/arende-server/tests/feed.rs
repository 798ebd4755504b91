//! The change feed: followers by long poll and by Server-Sent Events see every event of
//! the tenant exactly once, in commit order, while 16 clients write over HTTP; on
//! SQLite and on PostgreSQL.

mod common;

use std::collections::BTreeSet;
use std::io::BufRead;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::*;

const WRITERS: usize = 16;
const PER_WRITER: usize = 12;

fn positions_of_tenant(server: &Server) -> Vec<u64> {
    server
        .log()
        .into_iter()
        .filter(|e| e.tenant.as_str() == "orebro")
        .map(|e| e.position)
        .collect()
}

fn follow_exactly_once(backend: Backend, test: &str) {
    let Some(server) = Server::start(backend, test) else {
        return;
    };
    let server = Arc::new(server);
    let done = Arc::new(AtomicBool::new(false));

    // A long-polling follower.
    let poller = {
        let server = Arc::clone(&server);
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            let a = agent();
            let mut seen: Vec<u64> = Vec::new();
            let mut after = 0u64;
            let mut idle_after_done = 0;
            loop {
                let r = get(
                    &a,
                    &server.url(&format!("/v1/orebro/events?after={after}&limit=37&wait=1")),
                    &[key(KEY_READ)],
                );
                assert_eq!(r.status, 200, "{}", r.body);
                let page = r.json();
                let events = page["events"].as_array().cloned().unwrap_or_default();
                for e in &events {
                    let p = e["position"].as_u64().expect("a position");
                    seen.push(p);
                }
                after = page["next"].as_u64().expect("next");
                if events.is_empty() && done.load(Ordering::SeqCst) {
                    idle_after_done += 1;
                    if idle_after_done >= 2 {
                        return seen;
                    }
                }
            }
        })
    };

    // An SSE follower, reading until it has seen as many events as the log holds.
    let sse = {
        let server = Arc::clone(&server);
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            let a = agent();
            let mut r = a
                .get(&server.url("/v1/orebro/events"))
                .header("X-Api-Key", KEY_READ)
                .header("Accept", "text/event-stream")
                .call()
                .expect("the stream opens");
            assert_eq!(r.status().as_u16(), 200);
            let reader = std::io::BufReader::new(r.body_mut().as_reader());
            let mut seen = Vec::new();
            for line in reader.lines() {
                let line = line.expect("a line");
                if let Some(id) = line.strip_prefix("id:") {
                    seen.push(id.trim().parse::<u64>().expect("a position"));
                }
                if done.load(Ordering::SeqCst) && seen.len() >= positions_of_tenant(&server).len() {
                    break;
                }
            }
            seen
        })
    };

    // 16 writers, each with its own keep-alive connection.
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let server = Arc::clone(&server);
            std::thread::spawn(move || {
                let a = agent();
                for i in 0..PER_WRITER {
                    let r = command(
                        &a,
                        &server,
                        "orebro",
                        key(KEY_ALL),
                        &[],
                        &submit(&format!("Ärende {w}-{i}"), "sbu", Some("jaana-jansson")),
                    );
                    assert_eq!(r.status, 201, "{}", r.body);
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("a writer");
    }
    done.store(true, Ordering::SeqCst);
    let polled = poller.join().expect("the poller");
    let streamed = sse.join().expect("the SSE follower");
    let log = positions_of_tenant(&server);
    assert!(log.len() >= WRITERS * PER_WRITER, "{} events", log.len());
    for (name, seen) in [("long poll", &polled), ("SSE", &streamed)] {
        let unique: BTreeSet<u64> = seen.iter().copied().collect();
        assert_eq!(unique.len(), seen.len(), "{name}: an event was repeated");
        assert_eq!(seen, &log, "{name}: every event, once, in commit order");
    }
}

#[test]
fn a_follower_sees_every_event_once_while_16_clients_write_on_sqlite() {
    follow_exactly_once(Backend::Sqlite, "feed_sqlite");
}

#[test]
fn a_follower_sees_every_event_once_while_16_clients_write_on_postgres() {
    follow_exactly_once(Backend::Postgres, "feed_postgres");
}

#[test]
fn sse_resumes_after_last_event_id() {
    let Some(server) = Server::start(Backend::Sqlite, "sse_resume") else {
        return;
    };
    let a = agent();
    for i in 0..3 {
        let r = command(
            &a,
            &server,
            "orebro",
            key(KEY_ALL),
            &[],
            &submit(&format!("R{i}"), "sbu", Some("jaana-jansson")),
        );
        assert_eq!(r.status, 201);
    }
    let log = positions_of_tenant(&server);
    let resume = log[log.len() - 3].to_string();
    let mut r = a
        .get(&server.url("/v1/orebro/events"))
        .header("X-Api-Key", KEY_READ)
        .header("Accept", "text/event-stream")
        .header("Last-Event-ID", resume.as_str())
        .call()
        .expect("the stream opens");
    let reader = std::io::BufReader::new(r.body_mut().as_reader());
    let mut seen = Vec::new();
    for line in reader.lines() {
        let line = line.expect("a line");
        if let Some(id) = line.strip_prefix("id:") {
            seen.push(id.trim().parse::<u64>().expect("a position"));
            if seen.len() == 2 {
                break;
            }
        }
    }
    assert_eq!(seen, log[log.len() - 2..].to_vec());
}
