//! The test harness: a real `arende-server` on loopback (port 0) over SQLite or
//! PostgreSQL, the Örebro county (and a second county), self-issued ES256 tokens with a
//! JWKS file written by the test, API keys, and a small HTTP client.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use arende_core::clock::SimulatedClock;
use arende_core::deployment::{Deployment, SharedClock, SharedStore};
use arende_core::store::{EventStore, IdempotencyStore, Outbox, RecordedEvent};
use arende_server::auth::{AuthConfig, Authenticator};
use arende_server::{AppState, ServerOptions};
use chrono::NaiveDate;
use serde_json::{Value, json};

/// The private key of the test issuer (a fixed P-256 scalar: self-issued, test only).
const ISSUER_SCALAR: [u8; 32] = [
    0x1f, 0x2e, 0x3d, 0x4c, 0x5b, 0x6a, 0x79, 0x88, 0x97, 0xa6, 0xb5, 0xc4, 0xd3, 0xe2, 0xf1, 0x10,
    0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f, 0x11,
];

/// Another key, never published in the JWKS (tokens it signs must be refused).
const ROGUE_SCALAR: [u8; 32] = [0x42; 32];

/// The issuer the server trusts.
pub const ISSUER: &str = "https://login.test.invalid";
/// The audience the server expects.
pub const AUDIENCE: &str = "arende-test";

/// API keys of the test configuration.
pub const KEY_ALL: &str = "key-all-commands";
pub const KEY_READ: &str = "key-read-only";
pub const KEY_SUBMIT: &str = "key-submit-only";
pub const KEY_OTHER_TENANT: &str = "key-other-tenant";
pub const KEY_SLOW: &str = "key-rate-limited";

/// Which store a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL URL of the tests.
pub fn pg_url() -> String {
    std::env::var("ARENDE_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// Whether PostgreSQL answers; outside CI a test may skip (saying so), in CI it fails.
pub fn postgres_available(test: &str) -> bool {
    match postgres::Client::connect(&pg_url(), postgres::NoTls) {
        Ok(_) => true,
        Err(e) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{test}: PostgreSQL at {} is required in CI: {e}", pg_url());
            }
            eprintln!(
                "SKIPPED {test}: PostgreSQL at {} is not available: {e}",
                pg_url()
            );
            false
        }
    }
}

fn key_pem(scalar: &[u8; 32]) -> String {
    use p256::pkcs8::EncodePrivateKey;
    let secret = p256::SecretKey::from_slice(scalar).expect("a valid scalar");
    secret
        .to_pkcs8_pem(p256::pkcs8::LineEnding::LF)
        .expect("PEM")
        .to_string()
}

fn jwks() -> String {
    let secret = p256::SecretKey::from_slice(&ISSUER_SCALAR).expect("a valid scalar");
    let jwk: Value = serde_json::from_str(&secret.public_key().to_jwk_string()).expect("JWK");
    let mut jwk = jwk.as_object().cloned().expect("an object");
    jwk.insert("kid".into(), json!("test-1"));
    jwk.insert("alg".into(), json!("ES256"));
    jwk.insert("use".into(), json!("sig"));
    json!({"keys": [jwk]}).to_string()
}

/// Claims of a token.
pub struct Claims<'a> {
    pub sub: &'a str,
    pub iss: &'a str,
    pub aud: &'a str,
    /// Seconds from now (negative: expired).
    pub exp_in: i64,
    /// `nbf`, seconds from now (None: no `nbf`).
    pub nbf_in: Option<i64>,
    /// `iat`, seconds from now.
    pub iat_in: i64,
    pub rogue: bool,
}

impl<'a> Claims<'a> {
    pub fn person(sub: &'a str) -> Self {
        Claims {
            sub,
            iss: ISSUER,
            aud: AUDIENCE,
            exp_in: 3600,
            nbf_in: None,
            iat_in: 0,
            rogue: false,
        }
    }

    fn json(&self) -> Value {
        let now = chrono::Utc::now().timestamp();
        let mut claims = json!({"sub": self.sub, "iss": self.iss, "aud": self.aud,
            "exp": now + self.exp_in, "iat": now + self.iat_in});
        if let Some(nbf) = self.nbf_in {
            claims["nbf"] = json!(now + nbf);
        }
        claims
    }
}

/// A signed ES256 token.
pub fn token(c: Claims<'_>) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some("test-1".into());
    let pem = key_pem(if c.rogue {
        &ROGUE_SCALAR
    } else {
        &ISSUER_SCALAR
    });
    let key = jsonwebtoken::EncodingKey::from_ec_pem(pem.as_bytes()).expect("an EC key");
    jsonwebtoken::encode(&header, &c.json(), &key).expect("a token")
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// An unsigned token (`alg: none`) with these claims.
pub fn token_alg_none(c: Claims<'_>) -> String {
    let header = json!({"alg": "none", "typ": "JWT", "kid": "test-1"});
    format!(
        "{}.{}.",
        b64(header.to_string().as_bytes()),
        b64(c.json().to_string().as_bytes())
    )
}

/// A token signed with HS256 whose secret is the issuer's public key as the JWKS
/// publishes it (the key-confusion attack).
pub fn token_hs256_with_public_key(c: Claims<'_>) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some("test-1".into());
    let key = jsonwebtoken::EncodingKey::from_secret(jwks().as_bytes()).expect("an HMAC key");
    jsonwebtoken::encode(&header, &c.json(), &key).expect("a token")
}

/// A bearer token for a person of the configuration.
pub fn bearer(person: &str) -> String {
    format!("Bearer {}", token(Claims::person(person)))
}

/// The auth configuration file of the tests (written next to the JWKS).
pub fn auth_toml(dir: &std::path::Path) -> String {
    let jwks_path = dir.join("jwks.json");
    std::fs::write(&jwks_path, jwks()).expect("write the JWKS");
    format!(
        r#"
[oidc]
issuer = "{ISSUER}"
audience = "{AUDIENCE}"
jwks_file = "{}"
person_claim = "sub"

[rate_limit]
per_second = 100000
burst = 100000

[[api_keys]]
name = "integration"
key = "{KEY_ALL}"
tenant = "orebro"
commands = ["*"]
actions = ["screen", "schedule", "record-outcome", "consult", "send-notices", "record-minutes", "adjust-minutes", "assign", "record-political-decision"]

[[api_keys]]
name = "reader"
key = "{KEY_READ}"
tenant = "orebro"
read_only = true

[[api_keys]]
name = "diarium"
key_sha256 = "{}"
tenant = "orebro"
commands = ["matter/submit"]
actions = ["screen"]

[[api_keys]]
name = "elsewhere"
key = "{KEY_OTHER_TENANT}"
tenant = "uppsala"
commands = ["*"]
actions = ["screen"]

[[api_keys]]
name = "slow"
key = "{KEY_SLOW}"
tenant = "orebro"
read_only = true
per_second = 1
burst = 2
"#,
        jwks_path.display(),
        Authenticator::key_digest(KEY_SUBMIT),
    )
}

/// The Örebro configuration, optionally under another tenant id.
pub fn county(tenant: &str) -> arende_core::org::Organisation {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/orebro.toml");
    let text = std::fs::read_to_string(path).expect("the Örebro configuration");
    let text = text.replacen("tenant = \"orebro\"", &format!("tenant = \"{tenant}\""), 1);
    arende_core::config::load_str(&text, "orebro.toml").expect("it loads")
}

/// Where a server's store lives, so that another server can be started on it.
#[derive(Debug, Clone)]
pub enum Place {
    /// The SQLite file.
    Sqlite(PathBuf),
    /// The PostgreSQL schema.
    Postgres(String),
}

/// A running server.
pub struct Server {
    pub base: String,
    /// The internal listener (`/healthz`, `/readyz`, `/metrics`, `/openapi.json`
    /// without credentials), as `arende serve --internal-listen` serves it.
    pub internal: String,
    pub store: SharedStore,
    pub outbox: Arc<dyn Outbox>,
    pub idempotency: Arc<dyn IdempotencyStore>,
    pub clock: Arc<SimulatedClock>,
    pub deployment: Arc<Deployment>,
    pub place: Place,
    pub dir: tempfile::TempDir,
    runtime: Option<tokio::runtime::Runtime>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    serving: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(std::time::Duration::from_secs(5));
        }
    }
}

/// The day the tests start on (the Örebro plan of autumn 2024).
pub fn start_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 9, 2).expect("a date")
}

fn pg_schema() -> String {
    format!("srv_{}", uuid::Uuid::new_v4().simple())
}

impl Server {
    /// Starts a server on `backend` (None: PostgreSQL is absent and the test skips).
    pub fn start(backend: Backend, test: &str) -> Option<Server> {
        Server::start_tuned(backend, test, |_| {})
    }

    /// As [`Server::start`], with the service's options changed by `tune`.
    pub fn start_tuned(
        backend: Backend,
        test: &str,
        tune: impl FnOnce(&mut ServerOptions),
    ) -> Option<Server> {
        let dir = tempfile::tempdir().expect("a temp dir");
        let place = match backend {
            Backend::Sqlite => Place::Sqlite(dir.path().join("arende.db")),
            Backend::Postgres => {
                if !postgres_available(test) {
                    return None;
                }
                Place::Postgres(pg_schema())
            }
        };
        Some(Server::start_on(place, dir, tune))
    }

    /// Stops this server and starts another on the same store (a restart: nothing of
    /// the first process's memory survives, only what the store keeps).
    pub fn restart(mut self) -> Server {
        let place = self.place.clone();
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().expect("a temp dir"));
        drop(self);
        Server::start_on(place, dir, |_| {})
    }

    /// A server on the store at `place`, with its files in `dir`.
    pub fn start_on(
        place: Place,
        dir: tempfile::TempDir,
        tune: impl FnOnce(&mut ServerOptions),
    ) -> Server {
        let (store, outbox, idempotency): (
            SharedStore,
            Arc<dyn Outbox>,
            Arc<dyn IdempotencyStore>,
        ) = match &place {
            Place::Sqlite(path) => {
                let s = Arc::new(
                    arende_store_sqlite::SqliteStore::open(path).expect("the SQLite store"),
                );
                (s.clone(), s.clone(), s)
            }
            Place::Postgres(schema) => {
                let mut config = arende_store_postgres::PgConfig::new(pg_url());
                config.schema = schema.clone();
                let s = Arc::new(
                    arende_store_postgres::PgStore::connect(config).expect("the PostgreSQL store"),
                );
                (s.clone(), s.clone(), s)
            }
        };
        let clock = Arc::new(SimulatedClock::at_date(start_day()));
        let shared_clock: SharedClock = clock.clone();
        let mut deployment = Deployment::new();
        deployment
            .add(
                Arc::new(county("orebro")),
                Arc::clone(&store),
                Arc::clone(&shared_clock),
            )
            .expect("orebro");
        deployment
            .add(
                Arc::new(county("uppsala")),
                Arc::clone(&store),
                shared_clock,
            )
            .expect("uppsala");
        let deployment = Arc::new(deployment);
        let auth_path: PathBuf = dir.path().join("auth.toml");
        std::fs::write(&auth_path, auth_toml(dir.path())).expect("write auth.toml");
        let config = AuthConfig::load(&auth_path).expect("the auth file loads");
        let auth = Authenticator::new(&config).expect("the auth file is valid");
        let mut options = ServerOptions::new(auth);
        options.outbox = Some(Arc::clone(&outbox));
        options.idempotency = Some(Arc::clone(&idempotency));
        options.max_body_bytes = 64 * 1024;
        tune(&mut options);
        let state = AppState::new(Arc::clone(&deployment), options).expect("state");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind port 0");
        let addr = listener.local_addr().expect("an address");
        let net = state.net().clone();
        let internal_listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind port 0");
        let internal = internal_listener.local_addr().expect("an address");
        let internal_app = arende_server::internal_app(
            state.clone(),
            extensions().into_iter().map(|e| e.doc).collect(),
        );
        let app = arende_server::app(state, extensions());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (internal_tx, internal_rx) = tokio::sync::oneshot::channel::<()>();
        runtime.spawn(arende_server::serve_with(
            internal_listener,
            internal_app,
            net.clone(),
            async move {
                let _ = internal_rx.await;
            },
        ));
        let serving = runtime.spawn(async move {
            // The internal listener stops with the public one.
            let _internal = internal_tx;
            let _ = arende_server::serve_with(listener, app, net, async move {
                let _ = rx.await;
            })
            .await;
        });
        Server {
            base: format!("http://{addr}"),
            internal: format!("http://{internal}"),
            store,
            outbox,
            idempotency,
            clock,
            deployment,
            place,
            dir,
            runtime: Some(runtime),
            stop: Some(tx),
            serving: Some(serving),
        }
    }

    /// Sends the shutdown signal and waits up to `limit` for the server to return; how
    /// long it took (`None`: it had not returned by then).
    pub fn shut_down(&mut self, limit: std::time::Duration) -> Option<std::time::Duration> {
        let start = std::time::Instant::now();
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        let serving = self.serving.take()?;
        let runtime = self.runtime.as_ref()?;
        runtime
            .block_on(async move { tokio::time::timeout(limit, serving).await })
            .ok()
            .map(|_| start.elapsed())
    }

    /// Every event of every tenant, in order (to compare the store before and after).
    pub fn log(&self) -> Vec<RecordedEvent> {
        let mut out = Vec::new();
        let mut after = 0;
        loop {
            let batch = self.store.read_all(after, 10_000).expect("read the log");
            let Some(last) = batch.last() else { break };
            after = last.position;
            out.extend(batch);
        }
        out
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// An HTTP response as the tests see it.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A blocking HTTP client that never treats a status as an error.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(60)))
        .build()
        .into()
}

fn collect(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Resp {
    let mut r = r.expect("the request reaches the server");
    let status = r.status().as_u16();
    let headers = r
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let body = r.body_mut().read_to_string().unwrap_or_default();
    Resp {
        status,
        headers,
        body,
    }
}

/// GET with headers.
pub fn get(agent: &ureq::Agent, url: &str, headers: &[(&str, &str)]) -> Resp {
    let mut req = agent.get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    collect(req.call())
}

/// POST a body with headers.
pub fn post(agent: &ureq::Agent, url: &str, headers: &[(&str, &str)], body: &str) -> Resp {
    let mut req = agent.post(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    collect(req.send(body))
}

/// POST a command as JSON with headers.
pub fn command(
    agent: &ureq::Agent,
    server: &Server,
    tenant: &str,
    auth: (&str, &str),
    extra: &[(&str, &str)],
    body: &Value,
) -> Resp {
    let mut headers = vec![auth, ("Content-Type", "application/json")];
    headers.extend_from_slice(extra);
    post(
        agent,
        &server.url(&format!("/v1/{tenant}/commands")),
        &headers,
        &body.to_string(),
    )
}

/// The API-key header.
pub fn key(k: &str) -> (&'static str, &str) {
    ("X-Api-Key", k)
}

/// A submission of an information matter to `body` in the kernel's JSON form.
pub fn submit(title: &str, body: &str, submitter: Option<&str>) -> Value {
    let mut cmd = json!({"type": "submit", "kind": "information", "title": title, "body": body});
    if let Some(s) = submitter {
        cmd["submitter"] = json!(s);
    }
    json!({"aggregate": "matter", "command": cmd})
}

/// The other crates' routes, mounted as `arende serve` mounts them: OParl and the feeds,
/// the dashboard.
pub fn extensions() -> Vec<arende_server::Extension> {
    use utoipa::OpenApi;
    vec![
        arende_server::Extension {
            router: arende_publish::routes(),
            doc: arende_publish::ApiDoc::openapi(),
        },
        arende_server::Extension {
            router: arende_web::routes(),
            doc: arende_web::ApiDoc::openapi(),
        },
    ]
}

/// Asserts that `r` is a problem document of `status` and `code` with a title and a
/// detail, and gives it.
pub fn assert_problem(r: &Resp, status: u16, code: &str) -> Value {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(
        r.header("content-type"),
        Some("application/problem+json"),
        "{}",
        r.body
    );
    let p = r.json();
    assert_eq!(
        p["type"],
        format!("urn:arende:problem:{code}"),
        "{}",
        r.body
    );
    assert_eq!(p["status"], status, "{}", r.body);
    assert!(
        p["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{}",
        r.body
    );
    assert!(
        p["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{}",
        r.body
    );
    p
}
