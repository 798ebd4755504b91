//! Authentication and authorization over HTTP: self-issued JWTs (valid, expired, wrong
//! issuer, wrong audience, signed by an unknown key, a person with no role in the
//! tenant), API keys (unknown, another tenant's, read-only writing, a command outside
//! its scope), default deny, and the per-key rate limit. A refused request writes
//! nothing.

mod common;

use common::*;
use serde_json::json;

const JAANA: &str = "jaana-jansson";

fn problem(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    assert_eq!(
        r.json()["type"],
        format!("urn:arende:problem:{code}"),
        "{}",
        r.body
    );
}

#[test]
fn tokens_and_keys_are_checked_and_refusals_write_nothing() {
    let Some(server) = Server::start(Backend::Sqlite, "auth") else {
        return;
    };
    let a = agent();
    let matters = server.url("/v1/orebro/matters");
    let body = submit("Behörighet", "sbu", None);

    // Default deny: no credentials.
    problem(&get(&a, &matters, &[]), 401, "unauthorized");
    let r = command(&a, &server, "orebro", ("X-Nothing", "x"), &[], &body);
    problem(&r, 401, "unauthorized");
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));

    // A valid token reads and writes.
    let ok = bearer(JAANA);
    assert_eq!(
        get(&a, &matters, &[("Authorization", ok.as_str())]).status,
        200
    );
    let before = server.log();
    let r = command(
        &a,
        &server,
        "orebro",
        ("Authorization", ok.as_str()),
        &[],
        &body,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(server.log().len() > before.len());

    // Tokens that must be refused, each writing nothing.
    let cases = [
        (
            "expired",
            token(Claims {
                exp_in: -3600,
                ..Claims::person(JAANA)
            }),
        ),
        (
            "wrong issuer",
            token(Claims {
                iss: "https://evil.invalid",
                ..Claims::person(JAANA)
            }),
        ),
        (
            "wrong audience",
            token(Claims {
                aud: "someone-else",
                ..Claims::person(JAANA)
            }),
        ),
        (
            "unknown key",
            token(Claims {
                rogue: true,
                ..Claims::person(JAANA)
            }),
        ),
        ("not a token", "abc.def.ghi".to_owned()),
    ];
    let before = server.log();
    for (what, t) in &cases {
        let h = format!("Bearer {t}");
        let r = command(
            &a,
            &server,
            "orebro",
            ("Authorization", h.as_str()),
            &[],
            &body,
        );
        assert_eq!(r.status, 401, "{what}: {}", r.body);
        problem(&r, 401, "unauthorized");
        assert_eq!(
            get(&a, &matters, &[("Authorization", h.as_str())]).status,
            401,
            "{what}"
        );
    }
    // A person with no role in the county, and an unknown tenant.
    let stranger = bearer("nobody-at-all");
    problem(
        &command(
            &a,
            &server,
            "orebro",
            ("Authorization", stranger.as_str()),
            &[],
            &body,
        ),
        403,
        "forbidden",
    );
    problem(
        &get(
            &a,
            &server.url("/v1/gotland/matters"),
            &[("Authorization", ok.as_str())],
        ),
        404,
        "unknown-tenant",
    );
    assert_eq!(server.log(), before, "refused tokens write nothing");

    // API keys: unknown, another tenant's, read-only writing, out of scope.
    problem(
        &command(
            &a,
            &server,
            "orebro",
            key("no-such-key"),
            &[],
            &submit("x", "sbu", Some(JAANA)),
        ),
        401,
        "unauthorized",
    );
    let r = command(
        &a,
        &server,
        "orebro",
        key(KEY_OTHER_TENANT),
        &[],
        &submit("x", "sbu", Some(JAANA)),
    );
    problem(&r, 403, "forbidden");
    assert_eq!(r.json()["tenant"], "orebro");
    problem(
        &get(&a, &matters, &[key(KEY_OTHER_TENANT)]),
        403,
        "forbidden",
    );
    let r = command(
        &a,
        &server,
        "orebro",
        key(KEY_READ),
        &[],
        &submit("x", "sbu", Some(JAANA)),
    );
    problem(&r, 403, "forbidden");
    assert_eq!(r.json()["read_only"], true);
    assert_eq!(
        get(&a, &matters, &[key(KEY_READ)]).status,
        200,
        "a read-only key reads"
    );
    let screen = json!({"aggregate": "matter", "matter": "0193a000-0000-7000-8000-0000000000ff", "command": {"type": "screen", "screening": "information-item"}});
    let r = command(&a, &server, "orebro", key(KEY_SUBMIT), &[], &screen);
    problem(&r, 403, "command-not-in-scope");
    assert_eq!(server.log(), before, "refused keys write nothing");
    // The key (stored only as its SHA-256) may submit on someone's behalf.
    let r = command(
        &a,
        &server,
        "orebro",
        key(KEY_SUBMIT),
        &[],
        &submit("Från diariet", "sbu", Some(JAANA)),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["events"][0]["Submitted"]["submitter"], JAANA);

    // The rate limit: a burst of 2 at 1 per second.
    let statuses: Vec<u16> = (0..4)
        .map(|_| get(&a, &matters, &[key(KEY_SLOW)]).status)
        .collect();
    assert_eq!(&statuses[..2], &[200, 200], "{statuses:?}");
    let limited = get(&a, &matters, &[key(KEY_SLOW)]);
    problem(&limited, 429, "rate-limited");
    assert_eq!(limited.header("retry-after"), Some("1"));
}
