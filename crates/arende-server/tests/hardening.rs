//! The service against hostile input, over real HTTP on loopback, on SQLite and on
//! PostgreSQL (issue 20, points 4 and 7): texts out of bounds and unknown fields are
//! refused with the field, the limit and the real line and column; every refusal on
//! every route is a problem document (the router's 405, a path the dashboard or OParl
//! cannot read); text that people typed is never active anywhere it is shown; every
//! response carries the security headers; links are built from the configured public
//! base URL, never from `Host` or `X-Forwarded-Host`; and (point 8) a stream whose event
//! cannot be decoded is left out of the lists and said to be, instead of taking the
//! tenant down.

mod common;

use common::*;
use serde_json::json;

const JAANA: &str = "jaana-jansson";

/// What a hostile title tries: Markdown that would make a heading, a §, a link with a
/// script, raw HTML and a remote image.
const HOSTILE: &str = "Avtal ## § 9 Beslut **fet** <script>alert(1)</script> \
     <img src=x onerror=alert(2)> [klick](javascript:alert(3)) ![b](https://evil.example/x.png)";

fn bounded_input(backend: Backend, test: &str) {
    let Some(server) = Server::start(backend, test) else {
        return;
    };
    let a = agent();
    let me = bearer(JAANA);
    let auth = ("Authorization", me.as_str());
    let before = server.log().len();

    // A title over the default limit (300 characters): the field, the limit, the length.
    let long = "å".repeat(301);
    let p = assert_problem(
        &command(
            &a,
            &server,
            "orebro",
            auth,
            &[],
            &submit(&long, "sbu", None),
        ),
        422,
        "text-too-long",
    );
    assert_eq!(p["field"], "command.title", "{p}");
    assert_eq!(p["limit"], 300, "{p}");
    assert_eq!(p["length"], 301, "{p}");
    // A line break in a single-line field.
    let p = assert_problem(
        &command(
            &a,
            &server,
            "orebro",
            auth,
            &[("Accept-Language", "en")],
            &submit("Avtal\n## § 9 Beslut", "sbu", None),
        ),
        422,
        "control-character",
    );
    assert_eq!(p["field"], "command.title", "{p}");
    assert!(
        p["detail"].as_str().unwrap_or("").contains("single-line"),
        "{p}"
    );
    // An unknown field, also a misspelled option beside the command: refused with its
    // real line and column.
    let body = "{\n  \"aggregate\": \"matter\",\n  \"expected-versoin\": 3,\n  \"command\": {\"type\": \"submit\", \"kind\": \"information\", \"title\": \"IF\", \"body\": \"sbu\"}\n}";
    let r = post(
        &a,
        &server.url("/v1/orebro/commands"),
        &[auth, ("Content-Type", "application/json")],
        body,
    );
    let p = assert_problem(&r, 422, "invalid-command");
    assert_eq!(
        (p["line"].clone(), p["column"].clone()),
        (json!(3), json!(3)),
        "{p}"
    );
    assert_eq!(p["field"], "expected-versoin", "{p}");
    // Malformed JSON and JSON of the wrong shape: never line 0, column 0.
    for (body, status, code) in [
        (
            "{\"aggregate\": \"matter\",\n \"command\": {\"type\": }}",
            400,
            "malformed-json",
        ),
        (
            "{\"aggregate\": \"matter\",\n \"command\": {\"type\": \"sumbit\"}}",
            422,
            "invalid-command",
        ),
        (
            "{\"aggregate\": \"matter\",\n \"command\": {\"type\": \"submit\", \"kind\": 7}}",
            422,
            "invalid-command",
        ),
        (
            "{\"aggregate\": \"meeting\",\n \"meeting\": \"sbu-2024-10-15\",\n \"command\": {\"type\": \"send-call-for-matters\", \"urgent\": true}}",
            422,
            "invalid-command",
        ),
    ] {
        let r = post(
            &a,
            &server.url("/v1/orebro/commands"),
            &[auth, ("Content-Type", "application/json")],
            body,
        );
        let p = assert_problem(&r, status, code);
        assert!(p["line"].as_u64().is_some_and(|l| l >= 1), "{body}: {p}");
        assert!(p["column"].as_u64().is_some_and(|c| c >= 1), "{body}: {p}");
        assert!(
            p["line"].as_u64() == Some(2) || p["line"].as_u64() == Some(3),
            "{body}: {p}"
        );
    }
    // JSON nested past the limit is refused before it is parsed.
    let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
    assert_problem(
        &post(
            &a,
            &server.url("/v1/orebro/commands"),
            &[auth, ("Content-Type", "application/json")],
            &deep,
        ),
        400,
        "malformed-json",
    );
    assert_eq!(
        server.log().len(),
        before,
        "a refused command writes nothing"
    );

    // Every refusal on every route is a problem document.
    let r = a
        .delete(server.url("/v1/orebro/commands"))
        .header("Authorization", me.as_str())
        .call()
        .expect("the DELETE reaches the server");
    assert_eq!(r.status().as_u16(), 405);
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    assert!(r.headers().contains_key("allow"), "405 keeps its Allow");
    for path in [
        "/oparl/v1/orebro/agenda-item/sbu-2024-10-15/not-a-number",
        "/ui/orebro/matters/not-a-uuid",
        "/v1/orebro/matters?limit=many",
    ] {
        let r = get(&a, &server.url(path), &[auth]);
        assert!(
            r.status >= 400 && r.status < 500,
            "{path}: {} {}",
            r.status,
            r.body
        );
        let ct = r.header("content-type").unwrap_or("");
        assert!(
            ct == "application/problem+json" || ct.starts_with("text/html"),
            "{path}: {ct} {}",
            r.body
        );
        assert!(
            !r.body.contains('`'),
            "{path}: a type name shows: {}",
            r.body
        );
    }
}

fn nothing_typed_is_active(backend: Backend, test: &str) {
    let Some(server) = Server::start(backend, test) else {
        return;
    };
    let a = agent();
    let me = bearer(JAANA);
    let auth = ("Authorization", me.as_str());
    let r = command(
        &a,
        &server,
        "orebro",
        auth,
        &[],
        &submit(HOSTILE, "sbu", None),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let matter = r.json()["id"].as_str().expect("the matter's id").to_owned();
    // Every page and document that shows the title, signed in and anonymous.
    for (path, signed_in) in [
        ("/ui/orebro/bodies/sbu".to_owned(), false),
        (format!("/ui/orebro/matters/{matter}"), false),
        (format!("/ui/orebro/matters/{matter}"), true),
        (format!("/oparl/v1/orebro/paper/{matter}"), false),
        (format!("/v1/orebro/matters/{matter}"), true),
        ("/feeds/orebro/body/sbu.ics".to_owned(), false),
        ("/feeds/orebro/body/sbu/decisions.atom".to_owned(), false),
    ] {
        let headers: Vec<(&str, &str)> = if signed_in { vec![auth] } else { vec![] };
        let r = get(&a, &server.url(&path), &headers);
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        // JSON carries the title as it was typed (data, shown by nobody as markup);
        // every format a reader renders must carry it inert.
        let json = r.header("content-type").unwrap_or("").contains("json");
        let lower = if json {
            String::new()
        } else {
            r.body.to_lowercase()
        };
        assert!(!lower.contains("<script>alert"), "{path}: a live script");
        assert!(!lower.contains("<img src=x"), "{path}: a live image");
        assert!(
            !lower.contains("src=\"https://evil"),
            "{path}: a remote image"
        );
        assert!(
            !lower.contains("href=\"javascript:"),
            "{path}: a live javascript: link"
        );
        // The security headers, on every response.
        assert!(
            r.header("content-security-policy").is_some_and(|c| c
                .contains("frame-ancestors 'none'")
                && c.contains("script-src 'self'")),
            "{path}"
        );
        assert_eq!(r.header("x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"), "{path}");
    }
    // Links are the configured public base URL's, whatever Host and X-Forwarded-Host say.
    let r = get(
        &a,
        &server.url("/oparl/v1/orebro/system"),
        &[
            ("X-Forwarded-Host", "evil.example"),
            ("X-Forwarded-Proto", "https"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!r.body.contains("evil.example"), "{}", r.body);
    assert!(
        r.json()["id"]
            .as_str()
            .is_some_and(|id| id.starts_with(arende_publish::DEFAULT_PUBLIC_URL)),
        "{}",
        r.body
    );
}

/// Overwrites the payload of a stream's first event with JSON that is no event.
fn damage(place: &Place, stream: &str) {
    const GARBAGE: &str = "{\"Teleported\":{}}";
    match place {
        Place::Sqlite(path) => {
            let c = rusqlite::Connection::open(path).expect("the file");
            let n = c
                .execute(
                    "UPDATE events SET payload = ?1 WHERE stream = ?2 AND version = 1",
                    rusqlite::params![GARBAGE, stream],
                )
                .expect("damage");
            assert_eq!(n, 1);
        }
        Place::Postgres(schema) => {
            let mut c = postgres::Client::connect(&pg_url(), postgres::NoTls).expect("PostgreSQL");
            let n = c
                .execute(
                    &format!(
                        "UPDATE {schema}.events SET payload = $1 WHERE stream = $2 AND version = 1"
                    ),
                    &[&GARBAGE, &stream],
                )
                .expect("damage");
            assert_eq!(n, 1);
        }
    }
}

fn a_damaged_stream_is_quarantined(backend: Backend, test: &str) {
    let Some(server) = Server::start(backend, test) else {
        return;
    };
    let a = agent();
    let me = bearer(JAANA);
    let auth = ("Authorization", me.as_str());
    let mut ids = Vec::new();
    for title in ["Första", "Skadad", "Tredje"] {
        let r = command(
            &a,
            &server,
            "orebro",
            auth,
            &[],
            &submit(title, "sbu", None),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        ids.push(r.json()["id"].as_str().expect("an id").to_owned());
    }
    damage(&server.place, &format!("matter-{}", ids[1]));
    // A fresh process over the damaged store.
    let server = server.restart();
    let r = get(&a, &server.url("/v1/orebro/matters"), &[auth]);
    assert_eq!(r.status, 200, "the tenant's list still answers: {}", r.body);
    let page = r.json();
    let mut listed: Vec<&str> = page["matters"]
        .as_array()
        .expect("matters")
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    listed.sort_unstable();
    let mut sound = vec![ids[0].as_str(), ids[2].as_str()];
    sound.sort_unstable();
    assert_eq!(listed, sound, "{page}");
    assert_eq!(
        page["quarantined"].as_array().map(Vec::len),
        Some(1),
        "{page}"
    );
    assert_eq!(
        page["quarantined"][0]["stream"],
        format!("matter-{}", ids[1]),
        "the list says what it left out: {page}"
    );
    let r = get(&a, &server.url("/v1/orebro/matters?body=sbu"), &[auth]);
    assert_eq!(r.status, 200, "{}", r.body);
    for path in [
        "/ui/orebro/bodies/sbu",
        "/ui/orebro",
        "/oparl/v1/orebro/bodies",
    ] {
        let r = get(&a, &server.url(path), &[]);
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        assert!(
            r.header("warning")
                .is_some_and(|w| w.contains("1 stored streams are left out")),
            "{path} says it leaves a stream out"
        );
        if path.starts_with("/ui") {
            assert!(
                r.body.contains("id=\"quarantined\""),
                "{path} says what it leaves out"
            );
            assert!(
                !r.body.contains("Skadad"),
                "{path} shows the damaged matter"
            );
        }
    }
    let r = get(&a, &server.url("/readyz"), &[]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["status"], "degraded", "{}", r.body);
    assert_eq!(r.json()["quarantined"][0]["tenant"], "orebro", "{}", r.body);
    let r = get(&a, &format!("{}/metrics", server.internal), &[]);
    assert!(
        r.body
            .contains("arende_quarantined_streams{tenant=\"orebro\"} 1"),
        "{}",
        r.body
    );
}

#[test]
fn a_damaged_stream_is_quarantined_on_sqlite() {
    a_damaged_stream_is_quarantined(Backend::Sqlite, "a_damaged_stream_is_quarantined_on_sqlite");
}

#[test]
fn a_damaged_stream_is_quarantined_on_postgres() {
    a_damaged_stream_is_quarantined(
        Backend::Postgres,
        "a_damaged_stream_is_quarantined_on_postgres",
    );
}

#[test]
fn bounded_input_on_sqlite() {
    bounded_input(Backend::Sqlite, "bounded_input_on_sqlite");
}

#[test]
fn bounded_input_on_postgres() {
    bounded_input(Backend::Postgres, "bounded_input_on_postgres");
}

#[test]
fn nothing_typed_is_active_on_sqlite() {
    nothing_typed_is_active(Backend::Sqlite, "nothing_typed_is_active_on_sqlite");
}

#[test]
fn nothing_typed_is_active_on_postgres() {
    nothing_typed_is_active(Backend::Postgres, "nothing_typed_is_active_on_postgres");
}
