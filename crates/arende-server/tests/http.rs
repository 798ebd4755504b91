//! The service over real HTTP on loopback, on SQLite and on PostgreSQL: commands with
//! idempotent replay and `If-Match`, RFC 9457 problem documents in Swedish and English
//! (a refused command writes nothing), malformed requests that never become a 500, the
//! reads, and an OpenAPI document that lists every endpoint.

mod common;

use common::*;
use serde_json::json;

const JAANA: &str = "jaana-jansson";
const SECRETARY: &str = "daniel-berglund";

fn commands_and_refusals(backend: Backend, test: &str) {
    let Some(server) = Server::start(backend, test) else {
        return;
    };
    let a = agent();
    let jaana = bearer(JAANA);
    let secretary = bearer(SECRETARY);
    let auth_j = ("Authorization", jaana.as_str());
    let auth_s = ("Authorization", secretary.as_str());

    // A submission by a person, with an idempotency key.
    let id = "0193a000-0000-7000-8000-00000000aa01";
    let body = json!({"aggregate": "matter", "command": {"type": "submit", "kind": "agreement", "title": "Hemsjukvård", "body": "sbu"}});
    let first = command(
        &a,
        &server,
        "orebro",
        auth_j,
        &[("Idempotency-Key", id)],
        &body,
    );
    assert_eq!(first.status, 201, "{}", first.body);
    let created = first.json();
    let version = created["version"].as_u64().expect("a version");
    assert_eq!(
        first.header("etag"),
        Some(format!("\"{version}\"").as_str())
    );
    let matter = created["id"].as_str().expect("the matter id").to_owned();
    assert_eq!(created["command"], "matter/submit");

    // A replay: the same status and body, nothing written.
    let before = server.log();
    let again = command(
        &a,
        &server,
        "orebro",
        auth_j,
        &[("Idempotency-Key", id)],
        &body,
    );
    assert_eq!(again.status, first.status);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(server.log(), before, "a replay writes nothing");

    // The same key with another body is refused and writes nothing.
    let other = json!({"aggregate": "matter", "command": {"type": "submit", "kind": "agreement", "title": "Något annat", "body": "sbu"}});
    let reused = command(
        &a,
        &server,
        "orebro",
        auth_j,
        &[("Idempotency-Key", id)],
        &other,
    );
    assert_problem(&reused, 422, "idempotency-key-reused");
    assert_eq!(server.log(), before);

    // A member may not screen: 403 with the typed fields, Swedish by default, English
    // when asked; nothing written.
    let screen = json!({"aggregate": "matter", "matter": matter, "command": {"type": "screen", "screening": {"handle": {"route": null}}}});
    let refused = command(&a, &server, "orebro", auth_j, &[], &screen);
    assert_problem(&refused, 403, "not-permitted");
    let p = refused.json();
    assert_eq!(p["title"], "Behörighet saknas");
    assert_eq!(p["body"], "sbu");
    assert_eq!(p["action"], "screen");
    assert_eq!(p["actor"], JAANA);
    assert!(
        p["needed"]
            .as_array()
            .is_some_and(|n| n.contains(&json!("secretary"))),
        "{p}"
    );
    let english = command(
        &a,
        &server,
        "orebro",
        auth_j,
        &[("Accept-Language", "en-GB, sv;q=0.5")],
        &screen,
    );
    assert_problem(&english, 403, "not-permitted");
    assert_eq!(english.json()["title"], "Not permitted");
    assert_eq!(server.log(), before, "a refused command writes nothing");

    // If-Match with a version the stream has passed: 412, nothing written.
    let stale = (version - 1).to_string();
    let stale = format!("\"{stale}\"");
    let r = command(
        &a,
        &server,
        "orebro",
        auth_s,
        &[("If-Match", stale.as_str())],
        &screen,
    );
    assert_problem(&r, 412, "version-conflict");
    assert_eq!(r.json()["actual"], version);
    assert_eq!(server.log(), before);

    // With the version read, the secretary screens it: the ETag moves on.
    let current = format!("\"{version}\"");
    let r = command(
        &a,
        &server,
        "orebro",
        auth_s,
        &[("If-Match", current.as_str())],
        &screen,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let after: u64 = r.json()["version"].as_u64().expect("a version");
    assert!(after > version);
    assert_eq!(r.header("etag"), Some(format!("\"{after}\"").as_str()));

    // Bad requests are problems, never a 500, and write nothing.
    let before = server.log();
    let url = server.url("/v1/orebro/commands");
    let r = post(
        &a,
        &url,
        &[key(KEY_ALL), ("Content-Type", "application/json")],
        "{\"aggregate\": ",
    );
    assert_problem(&r, 400, "malformed-json");
    let r = post(
        &a,
        &url,
        &[key(KEY_ALL), ("Content-Type", "application/json")],
        "{\"aggregate\": \"matter\", \"command\": {\"type\": \"fly\"}}",
    );
    assert_problem(&r, 422, "invalid-command");
    let r = post(
        &a,
        &url,
        &[key(KEY_ALL), ("Content-Type", "text/plain")],
        &submit("x", "sbu", Some(JAANA)).to_string(),
    );
    assert_problem(&r, 415, "unsupported-media-type");
    let huge = format!(
        "{{\"aggregate\": \"matter\", \"pad\": \"{}\"}}",
        "x".repeat(80 * 1024)
    );
    let r = post(
        &a,
        &url,
        &[key(KEY_ALL), ("Content-Type", "application/json")],
        &huge,
    );
    assert_problem(&r, 413, "payload-too-large");
    let r = post(
        &a,
        &server.url("/v1/gotland/commands"),
        &[auth_j, ("Content-Type", "application/json")],
        &submit("x", "sbu", None).to_string(),
    );
    assert_problem(&r, 404, "unknown-tenant");
    let r = command(
        &a,
        &server,
        "orebro",
        key(KEY_ALL),
        &[("Idempotency-Key", "not-a-uuid")],
        &submit("x", "sbu", Some(JAANA)),
    );
    assert_problem(&r, 400, "invalid-parameter");
    let r = command(
        &a,
        &server,
        "orebro",
        key(KEY_ALL),
        &[("If-Match", "\"three\"")],
        &submit("x", "sbu", Some(JAANA)),
    );
    assert_problem(&r, 400, "invalid-parameter");
    let r = get(&a, &server.url("/nowhere"), &[]);
    assert_problem(&r, 404, "not-found");
    assert_eq!(server.log(), before, "bad requests write nothing");

    // Reads.
    let k = key(KEY_READ);
    let r = get(&a, &server.url("/v1/orebro/matters?body=sbu"), &[k]);
    assert_eq!(r.status, 200, "{}", r.body);
    let page = r.json();
    assert_eq!(page["total"], 1);
    assert_eq!(page["matters"][0]["id"], matter.as_str());
    for (q, n) in [
        ("?kind=agreement", 1),
        ("?kind=routine", 0),
        ("?state=registered", 0),
        ("?offset=1", 0),
    ] {
        let r = get(&a, &server.url(&format!("/v1/orebro/matters{q}")), &[k]);
        assert_eq!(r.status, 200, "{q}: {}", r.body);
        assert_eq!(
            r.json()["matters"].as_array().map(Vec::len),
            Some(n),
            "{q}: {}",
            r.body
        );
    }
    assert_problem(
        &get(&a, &server.url("/v1/orebro/matters?state=flying"), &[k]),
        400,
        "invalid-parameter",
    );
    assert_problem(
        &get(&a, &server.url("/v1/orebro/matters?body=nowhere"), &[k]),
        404,
        "unknown-id",
    );
    let r = get(
        &a,
        &server.url(&format!("/v1/orebro/matters/{matter}")),
        &[k],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("etag"), Some(format!("\"{after}\"").as_str()));
    let detail = r.json();
    assert_eq!(detail["version"], after);
    assert_eq!(
        detail["history"].as_array().map(Vec::len),
        Some(after as usize)
    );
    assert_eq!(detail["matter"]["title"], "Hemsjukvård");
    assert_problem(
        &get(
            &a,
            &server.url("/v1/orebro/matters/0193a000-0000-7000-8000-0000000000ff"),
            &[k],
        ),
        404,
        "unknown-id",
    );
    assert_problem(
        &get(&a, &server.url("/v1/orebro/matters/nope"), &[k]),
        400,
        "invalid-parameter",
    );
    let r = get(
        &a,
        &server.url(&format!("/v1/orebro/matters/{matter}/forecast")),
        &[k],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = get(
        &a,
        &server.url(&format!(
            "/v1/orebro/matters/{matter}/forecast?targets=kcrd@2024-12-06"
        )),
        &[k],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_problem(
        &get(
            &a,
            &server.url(&format!(
                "/v1/orebro/matters/{matter}/forecast?targets=nowhere"
            )),
            &[k],
        ),
        400,
        "invalid-parameter",
    );
    // The backward plan (bakåtplanering) towards entry into force.
    let r = get(
        &a,
        &server.url(&format!(
            "/v1/orebro/matters/{matter}/backward-plan?goal=in-force-by:2027-12-31"
        )),
        &[k],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let plan = r.json();
    assert_eq!(plan["goal"]["kind"], "in-force-by", "{plan}");
    assert_eq!(plan["feasible"], true, "{plan}");
    let steps = plan["steps"].as_array().expect("steps");
    assert!(!steps.is_empty(), "{plan}");
    for s in steps {
        assert!(s["slack_days"].as_i64().is_some_and(|d| d >= 0), "{s}");
    }
    for (goal, status, code) in [
        ("soon", 400, "invalid-parameter"),
        ("nowhere@2025-01-01", 404, "unknown-id"),
        ("in-force-by:2025-13-01", 400, "invalid-parameter"),
    ] {
        assert_problem(
            &get(
                &a,
                &server.url(&format!(
                    "/v1/orebro/matters/{matter}/backward-plan?goal={goal}"
                )),
                &[k],
            ),
            status,
            code,
        );
    }
    let r = get(&a, &server.url("/v1/orebro/meetings?body=sbu"), &[k]);
    assert_eq!(r.status, 200, "{}", r.body);
    let meetings = r.json();
    let meeting = meetings[0]["id"]
        .as_str()
        .expect("a meeting of sbu")
        .to_owned();
    for part in ["", "/agenda", "/notice", "/attendance"] {
        let r = get(
            &a,
            &server.url(&format!("/v1/orebro/meetings/{meeting}{part}")),
            &[k],
        );
        assert_eq!(r.status, 200, "{part}: {}", r.body);
    }
    // Minutes before they are drafted: a refusal naming the meeting, not an error.
    let r = get(
        &a,
        &server.url(&format!(
            "/v1/orebro/meetings/{meeting}/minutes?format=html"
        )),
        &[k],
    );
    assert_problem(&r, 409, "invalid-transition");
    assert_problem(
        &get(&a, &server.url("/v1/orebro/meetings/no-such-meeting"), &[k]),
        404,
        "unknown-id",
    );
    for path in [
        "/v1/orebro/assignments",
        "/v1/orebro/assignments?overdue_on=2024-12-01",
        "/v1/orebro/feedback",
        "/v1/orebro/follow-ups?from=2024-01-01&to=2026-01-01",
        "/v1/orebro/config",
    ] {
        let r = get(&a, &server.url(path), &[k]);
        assert_eq!(r.status, 200, "{path}: {}", r.body);
    }
    let r = get(
        &a,
        &server.url("/v1/orebro/routes/county-agreement?format=dot"),
        &[k],
    );
    assert!(r.body.starts_with("digraph"), "{}", r.body);
    let r = get(
        &a,
        &server.url("/v1/orebro/routes/county-agreement?format=mermaid"),
        &[k],
    );
    assert!(
        r.body.contains("flowchart") || r.body.contains("graph"),
        "{}",
        r.body
    );
    let r = get(
        &a,
        &server.url("/v1/orebro/routes/county-agreement?format=svg"),
        &[k],
    );
    assert_eq!(r.header("content-type"), Some("image/svg+xml"));
    assert!(r.body.contains("<svg"), "{}", r.body);
    assert_problem(
        &get(&a, &server.url("/v1/orebro/routes/nowhere"), &[k]),
        404,
        "unknown-id",
    );
}

#[test]
fn commands_and_refusals_over_http_on_sqlite() {
    commands_and_refusals(Backend::Sqlite, "commands_and_refusals_over_http_on_sqlite");
}

#[test]
fn commands_and_refusals_over_http_on_postgres() {
    commands_and_refusals(
        Backend::Postgres,
        "commands_and_refusals_over_http_on_postgres",
    );
}

#[test]
fn the_openapi_document_lists_every_endpoint() {
    let Some(server) = Server::start(Backend::Sqlite, "openapi") else {
        return;
    };
    let a = agent();
    // Served to callers with credentials by default (see docs/service.md).
    let r = get(&a, &server.url("/openapi.json"), &[key(KEY_READ)]);
    assert_eq!(r.status, 200);
    let doc = r.json();
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().expect("paths");
    // The tenant of every path is one of the counties served, listed as an enum.
    let mut tenant_params = 0;
    for (path, item) in paths {
        for op in item.as_object().into_iter().flat_map(|o| o.values()) {
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["name"] == "tenant" && p["in"] == "path" {
                    tenant_params += 1;
                    let values = p["schema"]["enum"].as_array();
                    assert!(
                        values.is_some_and(|v| v.iter().any(|t| t == "orebro")),
                        "{path}: {p}"
                    );
                }
            }
        }
    }
    assert!(tenant_params > 40, "{tenant_params}");
    for p in [
        "/v1/{tenant}/commands",
        "/v1/{tenant}/events",
        "/v1/{tenant}/matters",
        "/v1/{tenant}/matters/{id}",
        "/v1/{tenant}/matters/{id}/forecast",
        "/v1/{tenant}/matters/{id}/backward-plan",
        "/v1/{tenant}/meetings",
        "/v1/{tenant}/meetings/{id}",
        "/v1/{tenant}/meetings/{id}/agenda",
        "/v1/{tenant}/meetings/{id}/notice",
        "/v1/{tenant}/meetings/{id}/minutes",
        "/v1/{tenant}/meetings/{id}/attendance",
        "/v1/{tenant}/assignments",
        "/v1/{tenant}/feedback",
        "/v1/{tenant}/follow-ups",
        "/v1/{tenant}/config",
        "/v1/{tenant}/routes/{id}",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        assert!(
            paths.contains_key(p),
            "{p} is missing from the OpenAPI document"
        );
    }
    // The mounted crates' paths (OParl and feeds, the dashboard) are in the one document.
    let mounted: Vec<String> = extensions()
        .iter()
        .flat_map(|e| e.doc.paths.paths.keys().cloned().collect::<Vec<_>>())
        .collect();
    assert!(
        mounted.iter().any(|p| p.starts_with("/oparl/v1/")),
        "{mounted:?}"
    );
    assert!(
        mounted.iter().any(|p| p.starts_with("/feeds/")),
        "{mounted:?}"
    );
    assert!(mounted.iter().any(|p| p.starts_with("/ui/")), "{mounted:?}");
    for p in &mounted {
        assert!(
            paths.contains_key(p),
            "{p} is missing from the OpenAPI document"
        );
    }
    assert_eq!(
        paths.len(),
        20 + mounted.len(),
        "every path is tested above or mounted: {:?}",
        paths.keys().collect::<Vec<_>>()
    );
}

#[test]
fn health_readiness_and_metrics() {
    let Some(server) = Server::start(Backend::Sqlite, "ops") else {
        return;
    };
    let a = agent();
    assert_eq!(get(&a, &server.url("/healthz"), &[]).status, 200);
    let r = get(&a, &server.url("/readyz"), &[]);
    assert_eq!(r.status, 200, "{}", r.body);
    let r = command(
        &a,
        &server,
        "orebro",
        key(KEY_ALL),
        &[],
        &submit("Mätt", "sbu", Some(JAANA)),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let r = command(
        &a,
        &server,
        "orebro",
        key(KEY_ALL),
        &[],
        &json!({"aggregate": "matter", "matter": "0193a000-0000-7000-8000-0000000000ff", "command": {"type": "screen", "screening": "information-item"}}),
    );
    assert!(r.status >= 400 && r.status < 500, "{}", r.body);
    let m = get(&a, &server.url("/metrics"), &[key(KEY_READ)]);
    assert_eq!(m.status, 200);
    assert!(
        m.body.contains(
            r#"arende_commands_total{command="matter/submit",outcome="ok",tenant="orebro"} 1"#
        ),
        "{}",
        m.body
    );
    assert!(
        m.body.contains("arende_command_seconds_bucket"),
        "{}",
        m.body
    );
    assert!(
        m.body
            .contains(r#"arende_outbox_messages{status="pending",tenant="orebro"}"#),
        "{}",
        m.body
    );
    assert!(
        m.body
            .contains(r#"arende_policy_lag_events{tenant="orebro"}"#),
        "{}",
        m.body
    );
    assert!(
        m.body
            .contains(r#"arende_outbox_oldest_age_seconds{tenant="orebro"}"#),
        "{}",
        m.body
    );
}

/// The dashboard's subscribe links lead to the feeds the same process serves: every
/// `/feeds/…` link on a body's calendar page and on a matter's page answers 200 with an
/// iCalendar document.
#[test]
fn the_dashboards_calendar_links_resolve_to_served_feeds() {
    let Some(server) = Server::start(Backend::Sqlite, "feed-links") else {
        return;
    };
    let a = agent();
    let page = get(&a, &server.url("/ui/orebro/bodies/sbu/calendar"), &[]);
    assert_eq!(page.status, 200, "{}", page.body);
    let links: Vec<&str> = page
        .body
        .match_indices("href=\"/feeds/")
        .filter_map(|(i, _)| {
            let rest = &page.body[i + "href=\"".len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect();
    assert!(!links.is_empty(), "no feed link on the calendar page");
    for link in links {
        let link = link.replace("&amp;", "&");
        let r = get(&a, &server.url(&link), &[]);
        assert_eq!(r.status, 200, "{link}: {}", r.body);
        assert!(r.body.starts_with("BEGIN:VCALENDAR"), "{link}: {}", r.body);
    }
}
