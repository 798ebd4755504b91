//! The service under attack (issue 20, points 1–3), over real HTTP on loopback, on
//! SQLite and PostgreSQL:
//!
//! - the (credential × route × command) table: every route that runs a command — the
//!   API's `/v1/{t}/commands` and the dashboard's forms under `/ui/{t}/…` — is bound by
//!   the caller's whole scope, and a refusal writes nothing;
//! - tokens refused with their reason (alg none, HS256 signed with the public key, a
//!   rogue key, expired, `nbf` ahead, `iat` ahead, wrong issuer and audience);
//! - idempotency: a key answers only the caller who made the first request, a key
//!   reused with another body is refused also after a restart, and 8 bodies raced under
//!   one key for 20 rounds give no caller another body's result and write at most one
//!   command per key.

mod common;

use std::collections::BTreeMap;

use common::*;
use serde_json::{Value, json};

/// A secretary of sbu (may screen there).
const SECRETARY: &str = "daniel-berglund";
/// A member of sbu, who submits.
const JAANA: &str = "jaana-jansson";

/// An agent that does not follow redirects (a form's 303 is the outcome).
fn no_redirects() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(60)))
        .build()
        .into()
}

fn problem_code(r: &Resp) -> String {
    if r.header("content-type") == Some("application/problem+json") {
        r.json()["code"].as_str().unwrap_or("").to_owned()
    } else {
        String::new()
    }
}

/// The credentials of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Credential {
    Person,
    KeyAll,
    KeySubmitOnly,
    KeyReadOnly,
    Nothing,
}

impl Credential {
    const ALL: [Credential; 5] = [
        Credential::Person,
        Credential::KeyAll,
        Credential::KeySubmitOnly,
        Credential::KeyReadOnly,
        Credential::Nothing,
    ];

    fn header(self) -> Option<(&'static str, String)> {
        match self {
            Credential::Person => Some(("Authorization", bearer(SECRETARY))),
            Credential::KeyAll => Some(("X-Api-Key", KEY_ALL.to_owned())),
            Credential::KeySubmitOnly => Some(("X-Api-Key", KEY_SUBMIT.to_owned())),
            Credential::KeyReadOnly => Some(("X-Api-Key", KEY_READ.to_owned())),
            Credential::Nothing => None,
        }
    }

    fn is_key(self) -> bool {
        matches!(
            self,
            Credential::KeyAll | Credential::KeySubmitOnly | Credential::KeyReadOnly
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Api,
    Dashboard,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    Submit,
    Screen,
}

/// The outcome each cell must have: the status, the problem code of a refusal (API
/// refusals are problem documents; the dashboard's are pages) and whether it writes.
fn expected(c: Credential, route: Route, cmd: Cmd) -> (u16, &'static str, bool) {
    use Credential::*;
    match (c, route, cmd) {
        (Nothing, Route::Api, _) => (401, "unauthorized", false),
        (Nothing, Route::Dashboard, _) => (401, "", false),
        // The door refuses a read-only key's every write (the dashboard's refusals of
        // the door are problem documents too).
        (KeyReadOnly, _, _) => (403, "forbidden", false),
        // The submit-only key may not screen, whichever route it takes.
        (KeySubmitOnly, Route::Api, Cmd::Screen) => (403, "command-not-in-scope", false),
        (KeySubmitOnly, Route::Dashboard, Cmd::Screen) => (403, "", false),
        (Person | KeyAll | KeySubmitOnly, Route::Api, Cmd::Submit) => (201, "", true),
        (Person | KeyAll, Route::Api, Cmd::Screen) => (200, "", true),
        (Person, Route::Dashboard, _) => (303, "", true),
        // In scope, but the dashboard's form names no submitter, which a system actor
        // must: the engine refuses the input (past the scope check).
        (KeyAll | KeySubmitOnly, Route::Dashboard, Cmd::Submit) => (422, "", false),
        (KeyAll, Route::Dashboard, Cmd::Screen) => (303, "", true),
    }
}

/// A fresh matter submitted to sbu (by the all-commands key, for Jaana).
fn fresh_matter(a: &ureq::Agent, server: &Server, title: &str) -> String {
    let r = command(
        a,
        server,
        "orebro",
        key(KEY_ALL),
        &[],
        &submit(title, "sbu", Some(JAANA)),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["id"].as_str().expect("the matter's id").to_owned()
}

fn send(
    a: &ureq::Agent,
    server: &Server,
    c: Credential,
    route: Route,
    cmd: Cmd,
    matter: &str,
) -> Resp {
    let cred = c.header();
    let mut headers: Vec<(&str, &str)> = Vec::new();
    if let Some((k, v)) = &cred {
        headers.push((k, v.as_str()));
    }
    match route {
        Route::Api => {
            let body = match cmd {
                Cmd::Submit => submit("Tabellen", "sbu", c.is_key().then_some(JAANA)),
                Cmd::Screen => json!({"aggregate": "matter", "matter": matter,
                    "command": {"type": "screen", "screening": "information-item"}}),
            };
            headers.push(("Content-Type", "application/json"));
            post(
                a,
                &server.url("/v1/orebro/commands"),
                &headers,
                &body.to_string(),
            )
        }
        Route::Dashboard => {
            headers.push(("Content-Type", "application/x-www-form-urlencoded"));
            headers.push(("Sec-Fetch-Site", "same-origin"));
            let (path, form) = match cmd {
                Cmd::Submit => (
                    "/ui/orebro/matters".to_owned(),
                    "title=Tabellen&kind=information&body=sbu",
                ),
                Cmd::Screen => (
                    format!("/ui/orebro/matters/{matter}/screen"),
                    "screening=information-item",
                ),
            };
            post(a, &server.url(&path), &headers, form)
        }
    }
}

fn scope_table(backend: Backend) {
    let Some(server) = Server::start(backend, "scope table") else {
        return;
    };
    let a = no_redirects();
    let mut cells = 0;
    for c in Credential::ALL {
        for route in [Route::Api, Route::Dashboard] {
            for cmd in [Cmd::Submit, Cmd::Screen] {
                let matter = fresh_matter(&a, &server, &format!("{c:?} {route:?} {cmd:?}"));
                let before = server.log().len();
                let r = send(&a, &server, c, route, cmd, &matter);
                let (status, code, writes) = expected(c, route, cmd);
                let cell = format!("{backend:?} {c:?} × {route:?} × {cmd:?}");
                assert_eq!(r.status, status, "{cell}: {}", r.body);
                if !code.is_empty() {
                    assert_eq!(problem_code(&r), code, "{cell}: {}", r.body);
                }
                if r.status == 403 && route == Route::Dashboard && c == Credential::KeySubmitOnly {
                    assert!(
                        r.body.contains("matter/screen"),
                        "{cell}: the page names the command: {}",
                        r.body
                    );
                }
                let after = server.log().len();
                assert_eq!(after > before, writes, "{cell}: written {}", after - before);
                cells += 1;
            }
        }
    }
    assert_eq!(cells, 20);
}

#[test]
fn every_route_enforces_the_callers_whole_scope_on_sqlite() {
    scope_table(Backend::Sqlite);
}

#[test]
fn every_route_enforces_the_callers_whole_scope_on_postgres() {
    scope_table(Backend::Postgres);
}

fn tokens_refused_with_their_reason(backend: Backend) {
    let Some(server) = Server::start(backend, "token reasons") else {
        return;
    };
    let a = agent();
    let matters = server.url("/v1/orebro/matters");
    let cases: Vec<(&str, String)> = vec![
        (
            "algorithm-not-accepted",
            token_alg_none(Claims::person(JAANA)),
        ),
        (
            "algorithm-not-accepted",
            token_hs256_with_public_key(Claims::person(JAANA)),
        ),
        (
            "bad-signature",
            token(Claims {
                rogue: true,
                ..Claims::person(JAANA)
            }),
        ),
        (
            "expired",
            token(Claims {
                exp_in: -3600,
                ..Claims::person(JAANA)
            }),
        ),
        (
            "not-yet-valid",
            token(Claims {
                nbf_in: Some(86_400),
                exp_in: 2 * 86_400,
                ..Claims::person(JAANA)
            }),
        ),
        (
            "issued-in-future",
            token(Claims {
                iat_in: 3600,
                ..Claims::person(JAANA)
            }),
        ),
        (
            "wrong-issuer",
            token(Claims {
                iss: "https://evil.invalid",
                ..Claims::person(JAANA)
            }),
        ),
        (
            "wrong-audience",
            token(Claims {
                aud: "someone-else",
                ..Claims::person(JAANA)
            }),
        ),
        ("malformed", "abc.def.ghi".to_owned()),
    ];
    let before = server.log();
    for (reason, t) in &cases {
        let h = format!("Bearer {t}");
        for lang in ["sv", "en"] {
            let r = get(
                &a,
                &matters,
                &[("Authorization", h.as_str()), ("Accept-Language", lang)],
            );
            assert_eq!(r.status, 401, "{reason}: {}", r.body);
            assert_eq!(problem_code(&r), "unauthorized", "{reason}: {}", r.body);
            assert_eq!(r.json()["reason"], *reason, "{}", r.body);
            let detail = r.json()["detail"].as_str().unwrap_or("").to_owned();
            let words = if lang == "sv" {
                "ogiltig token"
            } else {
                "invalid token"
            };
            assert!(detail.starts_with(words), "{reason} {lang}: {detail}");
        }
        let r = command(
            &a,
            &server,
            "orebro",
            ("Authorization", h.as_str()),
            &[],
            &submit("Förfalskad", "sbu", None),
        );
        assert_eq!(r.status, 401, "{reason}: {}", r.body);
    }
    assert_eq!(server.log(), before, "refused tokens write nothing");
    // Within the leeway (30 s by default) a token is still good: nbf and iat 10 s
    // ahead, expired 10 s ago.
    let near = token(Claims {
        nbf_in: Some(10),
        iat_in: 10,
        ..Claims::person(JAANA)
    });
    let h = format!("Bearer {near}");
    assert_eq!(
        get(&a, &matters, &[("Authorization", h.as_str())]).status,
        200
    );
    let just_expired = format!(
        "Bearer {}",
        token(Claims {
            exp_in: -10,
            ..Claims::person(JAANA)
        })
    );
    assert_eq!(
        get(&a, &matters, &[("Authorization", just_expired.as_str())]).status,
        200
    );
}

#[test]
fn tokens_are_refused_with_their_reason_on_sqlite() {
    tokens_refused_with_their_reason(Backend::Sqlite);
}

#[test]
fn tokens_are_refused_with_their_reason_on_postgres() {
    tokens_refused_with_their_reason(Backend::Postgres);
}

fn key_answers_only_its_caller(backend: Backend) {
    let Some(server) = Server::start(backend, "idempotency caller") else {
        return;
    };
    let a = agent();
    let key_id = uuid::Uuid::new_v4().to_string();
    let body = submit("Bara min", "sbu", Some(JAANA));
    let first = command(
        &a,
        &server,
        "orebro",
        key(KEY_ALL),
        &[("Idempotency-Key", key_id.as_str())],
        &body,
    );
    assert_eq!(first.status, 201, "{}", first.body);
    let replay = command(
        &a,
        &server,
        "orebro",
        key(KEY_ALL),
        &[("Idempotency-Key", key_id.as_str())],
        &body,
    );
    assert_eq!(replay.status, 201, "{}", replay.body);
    assert_eq!(replay.body, first.body);
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    let before = server.log();
    // The same body and key from another caller (a key in scope, a person): refused,
    // never the first caller's result.
    for (who, auth) in [
        ("another key", ("X-Api-Key", KEY_SUBMIT.to_owned())),
        ("a person", ("Authorization", bearer(JAANA))),
    ] {
        let r = command(
            &a,
            &server,
            "orebro",
            (auth.0, auth.1.as_str()),
            &[("Idempotency-Key", key_id.as_str())],
            &body,
        );
        assert_eq!(r.status, 422, "{who}: {}", r.body);
        assert_eq!(problem_code(&r), "idempotency-key-reused", "{who}");
        // Nothing of the first caller's result: not its events, version or title.
        assert!(r.json().get("events").is_none(), "{who}: {}", r.body);
        assert!(r.json().get("version").is_none(), "{who}: {}", r.body);
        assert!(!r.body.contains("Bara min"), "{who}: {}", r.body);
        assert!(r.header("idempotent-replayed").is_none());
    }
    assert_eq!(
        server.log(),
        before,
        "nothing written for the other callers"
    );
}

#[test]
fn an_idempotency_key_answers_only_its_caller_on_sqlite() {
    key_answers_only_its_caller(Backend::Sqlite);
}

#[test]
fn an_idempotency_key_answers_only_its_caller_on_postgres() {
    key_answers_only_its_caller(Backend::Postgres);
}

fn key_holds_after_restart(backend: Backend) {
    let Some(server) = Server::start(backend, "idempotency restart") else {
        return;
    };
    let a = agent();
    let key_id = uuid::Uuid::new_v4().to_string();
    let first_body = submit("Före omstarten", "sbu", Some(JAANA));
    let first = command(
        &a,
        &server,
        "orebro",
        key(KEY_ALL),
        &[("Idempotency-Key", key_id.as_str())],
        &first_body,
    );
    assert_eq!(first.status, 201, "{}", first.body);
    let server = server.restart();
    let before = server.log();
    let other = command(
        &a,
        &server,
        "orebro",
        key(KEY_ALL),
        &[("Idempotency-Key", key_id.as_str())],
        &submit("Efter omstarten", "sbu", Some(JAANA)),
    );
    assert_eq!(other.status, 422, "{}", other.body);
    assert_eq!(problem_code(&other), "idempotency-key-reused");
    assert_eq!(server.log(), before, "the other body wrote nothing");
    // The first request, retried after the restart, gets its own response again.
    let again = command(
        &a,
        &server,
        "orebro",
        key(KEY_ALL),
        &[("Idempotency-Key", key_id.as_str())],
        &first_body,
    );
    assert_eq!(again.status, 201, "{}", again.body);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(server.log(), before);
}

#[test]
fn an_idempotency_key_holds_after_a_restart_on_sqlite() {
    key_holds_after_restart(Backend::Sqlite);
}

#[test]
fn an_idempotency_key_holds_after_a_restart_on_postgres() {
    key_holds_after_restart(Backend::Postgres);
}

fn race(backend: Backend) {
    let Some(server) = Server::start(backend, "idempotency race") else {
        return;
    };
    let server = std::sync::Arc::new(server);
    const BODIES: usize = 8;
    const ROUNDS: usize = 20;
    let mut keys: Vec<(String, usize)> = Vec::new();
    let mut wrong = Vec::new();
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    for round in 0..ROUNDS {
        let key_id = uuid::Uuid::new_v4().to_string();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(BODIES));
        let handles: Vec<_> = (0..BODIES)
            .map(|i| {
                let (server, barrier, key_id) = (server.clone(), barrier.clone(), key_id.clone());
                std::thread::spawn(move || {
                    let title = format!("Kapplöpning {round}.{i}");
                    let body = submit(&title, "sbu", Some(JAANA));
                    let a = agent();
                    barrier.wait();
                    let r = command(
                        &a,
                        &server,
                        "orebro",
                        key(KEY_ALL),
                        &[("Idempotency-Key", key_id.as_str())],
                        &body,
                    );
                    (title, r)
                })
            })
            .collect();
        for h in handles {
            let (title, r) = h.join().expect("a racer panicked");
            *statuses.entry(r.status).or_default() += 1;
            match r.status {
                200 | 201 => {
                    if r.header("idempotent-replayed").is_none() {
                        let events = r.json()["events"].as_array().map_or(0, Vec::len);
                        keys.push((key_id.clone(), events));
                    }
                    let got = r.json()["events"][0]["Submitted"]["title"].clone();
                    if got != Value::String(title.clone()) {
                        wrong.push(format!("{title} got {got}"));
                    }
                }
                409 => assert_eq!(problem_code(&r), "idempotency-key-in-progress"),
                422 => assert_eq!(problem_code(&r), "idempotency-key-reused"),
                s => panic!("{title}: unexpected {s}: {}", r.body),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "callers got another body's result: {wrong:?}"
    );
    let succeeded = statuses.get(&201).copied().unwrap_or(0);
    assert_eq!(succeeded, ROUNDS, "one body wins each round: {statuses:?}");
    // At most one command (here: exactly one) written per key: on one stream, the
    // events its winner was told of.
    assert_eq!(keys.len(), ROUNDS, "one first response per key");
    let log = server.log();
    for (key_id, told) in &keys {
        let commands: std::collections::BTreeSet<_> = log
            .iter()
            .filter(|e| e.command_id.to_string() == *key_id)
            .map(|e| e.stream.clone())
            .collect();
        assert_eq!(commands.len(), 1, "key {key_id} wrote {commands:?}");
        let events = log
            .iter()
            .filter(|e| e.command_id.to_string() == *key_id)
            .count();
        assert_eq!(events, *told, "key {key_id}: the events of one command");
    }
}

#[test]
fn eight_bodies_racing_under_one_key_get_only_their_own_result_on_sqlite() {
    race(Backend::Sqlite);
}

#[test]
fn eight_bodies_racing_under_one_key_get_only_their_own_result_on_postgres() {
    race(Backend::Postgres);
}
