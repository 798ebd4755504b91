//! The public surface (issue 20, points 6 and 9) over real HTTP on loopback: a body's
//! page stays under 200 kB whatever is stored and pages its lists; anonymous requests
//! are rate-limited per address; `/metrics` and `/openapi.json` need credentials or the
//! internal listener; a garbage `Last-Event-ID` is a 400; a payload nested too deeply
//! is refused by the store and never reaches the feed. On SQLite and PostgreSQL where
//! a store is involved.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use arende_core::ids::{CommandId, TenantId};
use arende_core::store::{
    AppendRequest, EventData, ExpectedVersion, MAX_PAYLOAD_DEPTH, StoreError, StreamId,
};
use common::*;
use serde_json::Value;

const JAANA: &str = "jaana-jansson";

fn body_page_stays_small(backend: Backend, test: &str) {
    const MATTERS: usize = 40;
    const TITLE_BYTES: usize = 200_000;
    let Some(server) = Server::start(backend, test) else {
        return;
    };
    let a = agent();
    // One matter submitted over HTTP, its events copied under new ids with very long
    // titles straight into the store: what is stored, whatever limits the API has.
    let r = command(
        &a,
        &server,
        "orebro",
        key(KEY_ALL),
        &[],
        &submit("Mall", "sbu", Some(JAANA)),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let template: Vec<_> = server
        .log()
        .into_iter()
        .filter(|e| e.tenant.as_str() == "orebro" && e.stream.as_str().starts_with("matter-"))
        .collect();
    assert!(!template.is_empty(), "the submission wrote events");
    let old_stream = template[0].stream.as_str().to_owned();
    let old_id = old_stream.trim_start_matches("matter-").to_owned();

    let mut last = (String::new(), String::new());
    for i in 0..MATTERS {
        let id = uuid::Uuid::now_v7().to_string();
        let title = format!("Långt ärende {i:03} {}", "å".repeat(TITLE_BYTES / 2));
        let events = template
            .iter()
            .filter(|e| e.stream.as_str() == old_stream)
            // The text is replaced as it is stored (the decoder reads the fields in
            // their stored order).
            .map(|e| EventData {
                event_type: e.event_type.clone(),
                payload: e
                    .payload
                    .replace("\"Mall\"", &Value::from(title.as_str()).to_string())
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
                actor: JAANA.into(),
                recorded_at: chrono::Utc::now(),
                events,
                outbox: Vec::new(),
            })
            .expect("stored");
        last = (id, title);
    }
    let page = get(&a, &server.url("/ui/orebro/bodies/sbu"), &[]);
    assert_eq!(
        page.status,
        200,
        "{}",
        &page.body[..page.body.len().min(500)]
    );
    assert!(
        page.body.len() < 200_000,
        "the anonymous body page is {} bytes",
        page.body.len()
    );
    assert!(
        page.body.contains("rel=\"next\""),
        "a link to the next page"
    );
    assert!(
        page.body.contains("Långt ärende 000 ååå") && page.body.contains('…'),
        "titles are shortened in the lists"
    );
    let second = get(&a, &server.url("/ui/orebro/bodies/sbu?page=2"), &[]);
    assert_eq!(second.status, 200);
    assert!(second.body.len() < 200_000, "{} bytes", second.body.len());
    assert!(
        second.body.contains("rel=\"prev\""),
        "a link to the first page"
    );
    assert!(
        second.body.contains("Långt ärende 039"),
        "the last matter is on page 2"
    );
    // The matter's own page shows the whole title.
    let (id, title) = last;
    let own = get(&a, &server.url(&format!("/ui/orebro/matters/{id}")), &[]);
    assert_eq!(own.status, 200);
    assert!(own.body.contains(&title), "the whole title on its own page");
}

/// 40 matters with titles of 200 kB: the anonymous body page stays under 200 kB, has a
/// link to the next page, shortens titles, and the matter's own page shows the whole
/// title. Today the page holds every title whole (8 MB here).
#[test]
fn a_body_page_stays_small_whatever_is_stored_on_sqlite() {
    body_page_stays_small(Backend::Sqlite, "body_page_sqlite");
}

/// As above, on PostgreSQL.
#[test]
fn a_body_page_stays_small_whatever_is_stored_on_postgres() {
    body_page_stays_small(Backend::Postgres, "body_page_postgres");
}

/// Anonymous requests from one address beyond the limit are answered 429 with
/// `Retry-After` as a problem document, on the dashboard, OParl and the feeds alike;
/// a caller with credentials and `/healthz` are not counted. Today nothing limits them.
#[test]
fn anonymous_requests_are_rate_limited_per_address() {
    let Some(server) = Server::start_tuned(Backend::Sqlite, "rate_limit", |o| {
        o.public_limit = arende_server::public::PublicLimit {
            per_second: 1,
            burst: 5,
        };
    }) else {
        return;
    };
    let a = agent();
    for i in 0..5 {
        let r = get(&a, &server.url("/ui/orebro"), &[]);
        assert_eq!(r.status, 200, "request {i}: {}", r.body);
    }
    for path in [
        "/ui/orebro",
        "/oparl/v1/orebro/system",
        "/feeds/orebro/body/sbu.ics",
    ] {
        let r = get(&a, &server.url(path), &[("Accept-Language", "en")]);
        assert_eq!(r.status, 429, "{path}: {}", r.body);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        assert_eq!(r.json()["code"], "rate-limited", "{}", r.body);
        let wait: u64 = r
            .header("retry-after")
            .and_then(|v| v.parse().ok())
            .expect("Retry-After in seconds");
        assert!((1..=2).contains(&wait), "Retry-After {wait}");
    }
    assert_eq!(get(&a, &server.url("/healthz"), &[]).status, 200);
    let r = get(&a, &server.url("/ui/orebro"), &[key(KEY_READ)]);
    assert_eq!(r.status, 200, "a caller with credentials: {}", r.body);
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(get(&a, &server.url("/ui/orebro"), &[]).status, 200);
}

/// By default `/metrics` and `/openapi.json` need credentials on the public listener
/// (401 problem without), and the internal listener serves them without; with
/// `OpsAccess::Internal` the public listener does not serve them at all. Today both are
/// public.
#[test]
fn metrics_and_openapi_need_credentials_or_the_internal_listener() {
    let Some(server) = Server::start(Backend::Sqlite, "ops_default") else {
        return;
    };
    let a = agent();
    for path in ["/metrics", "/openapi.json"] {
        let r = get(&a, &server.url(path), &[]);
        assert_eq!(r.status, 401, "{path}: {}", r.body);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        assert_eq!(get(&a, &server.url(path), &[key(KEY_READ)]).status, 200);
        let bad = get(&a, &server.url(path), &[key("no-such-key")]);
        assert_eq!(bad.status, 401, "{path}: {}", bad.body);
        let internal = get(&a, &format!("{}{path}", server.internal), &[]);
        assert_eq!(internal.status, 200, "{path} on the internal listener");
    }
    assert_eq!(get(&a, &server.url("/healthz"), &[]).status, 200);
    assert_eq!(
        get(&a, &format!("{}/healthz", server.internal), &[]).status,
        200
    );
    // The internal listener serves nothing else.
    assert_eq!(
        get(&a, &format!("{}/ui/orebro", server.internal), &[]).status,
        404
    );
    let Some(internal) = Server::start_tuned(Backend::Sqlite, "ops_internal", |o| {
        o.ops_access = arende_server::public::OpsAccess::Internal;
    }) else {
        return;
    };
    for path in ["/metrics", "/openapi.json"] {
        let r = get(&a, &internal.url(path), &[key(KEY_READ)]);
        assert_eq!(r.status, 404, "{path}: {}", r.body);
        let r = get(&a, &format!("{}{path}", internal.internal), &[]);
        assert_eq!(r.status, 200, "{path} on the internal listener");
    }
}

/// The status line and head of a Server-Sent Events request with this `Last-Event-ID`.
fn sse_head(server: &Server, last_event_id: &str) -> String {
    let mut s = TcpStream::connect(server.base.trim_start_matches("http://")).expect("connect");
    write!(
        s,
        "GET /v1/orebro/events HTTP/1.1\r\nHost: t\r\nX-Api-Key: {KEY_READ}\r\nAccept: text/event-stream\r\nAccept-Language: en\r\nLast-Event-ID: {last_event_id}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    s.set_read_timeout(Some(Duration::from_secs(2))).ok();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = s.read(&mut buf) {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
        if out.windows(4).any(|w| w == b"\r\n\r\n") && !out.starts_with(b"HTTP/1.1 400") {
            break;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn last_event_id_and_depth(backend: Backend, test: &str) {
    let Some(server) = Server::start(backend, test) else {
        return;
    };
    // A garbage Last-Event-ID is a 400 naming the header, not a replay from 0.
    for garbage in ["abc", "-1", "18446744073709551616", "1; DROP"] {
        let head = sse_head(&server, garbage);
        assert!(head.starts_with("HTTP/1.1 400"), "{garbage}: {head}");
        assert!(head.contains("application/problem+json"), "{head}");
        assert!(head.contains("Last-Event-ID"), "{head}");
    }
    let ok = sse_head(&server, "0");
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    // A payload nested deeper than the limit is refused by the store, typed, and the
    // feed never serves it.
    let deep = format!(
        "{{\"Noted\":{}{}}}",
        "[".repeat(MAX_PAYLOAD_DEPTH),
        "]".repeat(MAX_PAYLOAD_DEPTH)
    );
    let refused = server.store.append(AppendRequest {
        tenant: TenantId::new("orebro"),
        stream: StreamId::new("matter-deep"),
        expected: ExpectedVersion::NoStream,
        command_id: CommandId::random(),
        actor: "system:test".into(),
        recorded_at: chrono::Utc::now(),
        events: vec![EventData {
            event_type: "Noted".into(),
            payload: deep,
        }],
        outbox: Vec::new(),
    });
    match refused {
        Err(StoreError::PayloadTooDeep {
            index: 0, limit, ..
        }) => {
            assert_eq!(limit, MAX_PAYLOAD_DEPTH)
        }
        other => panic!("expected PayloadTooDeep, got {other:?}"),
    }
    let a = agent();
    let page = get(
        &a,
        &server.url("/v1/orebro/events?after=0"),
        &[key(KEY_READ)],
    );
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(!page.body.contains("matter-deep"), "{}", page.body);
}

/// A garbage `Last-Event-ID` is a 400 problem (today: a replay from position 0), and a
/// payload nested deeper than the limit is refused on append with a typed error
/// (today: stored, and spliced into feed pages as a string).
#[test]
fn garbage_last_event_id_and_deep_payloads_are_refused_on_sqlite() {
    last_event_id_and_depth(Backend::Sqlite, "last_event_id_sqlite");
}

/// As above, on PostgreSQL.
#[test]
fn garbage_last_event_id_and_deep_payloads_are_refused_on_postgres() {
    last_event_id_and_depth(Backend::Postgres, "last_event_id_postgres");
}
