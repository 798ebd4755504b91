//! `POST /v1/{tenant}/commands`: a kernel [`Command`] in its JSON form, run through
//! `engine.execute` on a blocking thread.
//!
//! - `Idempotency-Key` is the command id, unique per tenant. Before the command runs,
//!   the key is reserved in the store's idempotency records
//!   ([`arende_core::store::IdempotencyStore`]) with the request's fingerprint (a
//!   SHA-256 of the command's canonical JSON, the expected version and the caller):
//!   - the same request again (same body, same `If-Match`, same caller) gets the first
//!     response (status and body; `Idempotent-Replayed: true` says so) and writes
//!     nothing; while the first is still running it waits up to [`IN_FLIGHT_WAIT`] for
//!     it, then gets 409 `idempotency-key-in-progress` with `Retry-After`;
//!   - the key with another body, another `If-Match` or from another caller is refused
//!     (422 `idempotency-key-reused`), never answered with the first caller's result —
//!     also after a restart, and also when the requests race;
//!   - a request that wrote nothing and may be retried (a conflict, 412, a store
//!     failure) releases its key; a reservation left by a process that died is taken
//!     over by the same request after [`STALE_AFTER`], and the engine then finds the
//!     command in the store if it was written (the response is made again from what it
//!     wrote).
//! - `If-Match` is the expected stream version: 412 when the stream has moved on.
//! - The response's `ETag` is the stream's version after the command.
//! - Every refusal is a problem document ([`crate::problem`]).

use std::time::{Duration, Instant};

use arende_core::aggregate::Aggregate;
use arende_core::assignment::Assignment;
use arende_core::authz::Actor;
use arende_core::command::{Command, CommandOptions, Executed, Outcome};
use arende_core::deployment::CountyEngine;
use arende_core::ids::{CommandId, TenantId};
use arende_core::language::Language;
use arende_core::matter::Matter;
use arende_core::meeting::Meeting;
use arende_core::reminder::ScheduleLog;
use arende_core::store::{Reservation, ReserveRequest, StoredResponse};
use arende_core::subscription::{SUBSCRIPTIONS_KEY, Subscriptions};
use axum::body::{Body, Bytes};
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::extract::TenantPath;
use crate::lang::Lang;
use crate::problem::Problem;
use crate::state::AppState;

/// What a command did (utfört kommando).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommandAccepted {
    /// The command's id (the idempotency key).
    pub command_id: String,
    /// The command's name, e.g. `matter/submit`.
    pub command: String,
    /// The aggregate: `matter`, `meeting`, `assignment`, `reminder`, `subscription`.
    pub aggregate: String,
    /// The aggregate's id (a new matter's id, the meeting id, …), when it has one.
    pub id: Option<String>,
    /// The stream's version after the command (also the `ETag`).
    pub version: u64,
    /// The events the command wrote, in the kernel's JSON form.
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<Value>,
}

/// The request body: a kernel command in its JSON form (see `docs/service.md` and the
/// `arende_core::command` docs), e.g.
/// `{"aggregate": "matter", "command": {"type": "submit", "kind": "information", "title": "IF-frågan", "body": "sbu"}}`.
#[derive(Debug, ToSchema)]
#[schema(value_type = Object, example = json!({"aggregate": "matter", "command": {"type": "submit", "kind": "information", "title": "IF-frågan", "body": "sbu"}}))]
pub struct CommandBody(());

/// How long a request waits for an earlier one with the same key and fingerprint that
/// is still running, before it is answered 409 `idempotency-key-in-progress`.
pub const IN_FLIGHT_WAIT: Duration = Duration::from_secs(5);

/// How old an in-flight reservation must be before the same request takes it over (the
/// process that reserved it died before completing it).
pub const STALE_AFTER: Duration = Duration::from_secs(30);

/// A body declared up to this many times the limit is read to its end before the 413.
const DRAIN_FACTOR: usize = 8;

/// Whether a content type is JSON (`application/json` or `application/…+json`).
pub fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|m| {
            m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
        })
}

/// Reads a request body up to `limit` bytes; a larger one is a 413 problem.
pub async fn read_body(body: Body, limit: usize, lang: Language) -> Result<Bytes, Problem> {
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large(limit, lang))
}

fn too_large(limit: usize, lang: Language) -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
        lang,
        ("För stor begäran", "Payload too large"),
        (
            format!("begäran får vara högst {limit} byte"),
            format!("the request body may be at most {limit} bytes"),
        ),
    )
    .with("limit", limit)
}

/// Parses a JSON body into `T` strictly ([`arende_core::strict`]): malformed or too
/// deeply nested JSON is a 400 problem, JSON of the wrong shape or with a field `T`
/// does not have a 422; both name the real line and column and what is wrong.
pub fn parse_json<T: serde::de::DeserializeOwned + Serialize>(
    bytes: &[u8],
    lang: Language,
) -> Result<T, Problem> {
    arende_core::strict::from_json(bytes).map_err(|e| {
        let (status, code, title) = if e.is_syntax() {
            (
                StatusCode::BAD_REQUEST,
                "malformed-json",
                ("Felaktig JSON", "Malformed JSON"),
            )
        } else {
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-command",
                ("Ogiltigt kommando", "Invalid command"),
            )
        };
        let (line, column) = e.position();
        let what = (e.swedish(), e.english());
        let mut p = Problem::new(
            status,
            code,
            lang,
            title,
            (
                format!("rad {line}, kolumn {column}: {}", what.0),
                format!("line {line}, column {column}: {}", what.1),
            ),
        )
        .with("line", line)
        .with("column", column);
        if let arende_core::strict::JsonInputError::UnknownField { field, path, .. } = &e {
            p = p.with("field", field.as_str()).with("path", path.as_str());
        }
        p
    })
}

/// The expected version from `If-Match` (`"3"`, `3` or `W/"3"`; `*` means none).
pub fn if_match(headers: &HeaderMap, lang: Language) -> Result<Option<u64>, Problem> {
    let Some(v) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = v.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(None);
    }
    let bare = text.trim_start_matches("W/").trim_matches('"');
    bare.parse::<u64>().map(Some).map_err(|_| {
        Problem::bad_parameter(
            "If-Match",
            &format!("\"{text}\" är ingen version (ett heltal, t.ex. \"3\") / is not a version"),
            lang,
        )
    })
}

fn idempotency_key(headers: &HeaderMap, lang: Language) -> Result<Option<CommandId>, Problem> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let text = v.to_str().unwrap_or("").trim().trim_matches('"');
    text.parse::<CommandId>().map(Some).map_err(|e| {
        Problem::bad_parameter(
            "Idempotency-Key",
            &format!("\"{text}\" är inget UUID / is not a UUID: {e}"),
            lang,
        )
    })
}

/// The ETag of a stream version.
pub fn etag(version: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

fn target_key(command: &Command) -> Option<String> {
    match command {
        Command::Matter { matter, .. } => matter.map(|m| m.to_string()),
        Command::Meeting { meeting, .. } => Some(meeting.to_string()),
        Command::Assignment { assignment, .. } => assignment.map(|a| a.to_string()),
        Command::Reminder { key, .. } => Some(key.clone()),
        Command::Subscription { .. } => Some(SUBSCRIPTIONS_KEY.to_owned()),
        _ => None,
    }
}

/// The version a command left its stream at (for the outcome of a duplicate: the
/// version after its first execution, not the stream's version now).
fn first_version<A: Aggregate>(engine: &CountyEngine, key: &str, id: CommandId) -> Option<u64> {
    let stream = CountyEngine::stream_of::<A>(key);
    let records = engine
        .store()
        .read_stream(&engine.org().tenant, &stream, 1)
        .ok()?;
    records
        .iter()
        .filter(|r| r.command_id == id)
        .map(|r| r.version)
        .max()
}

fn accepted<A: Aggregate>(
    engine: &CountyEngine,
    name: String,
    aggregate: &str,
    key: Option<String>,
    command_id: CommandId,
    x: &Executed<A>,
) -> CommandAccepted {
    let version = if x.duplicate {
        key.as_deref()
            .and_then(|k| first_version::<A>(engine, k, command_id))
            .unwrap_or(x.version)
    } else {
        x.version
    };
    CommandAccepted {
        command_id: command_id.to_string(),
        command: name,
        aggregate: aggregate.to_owned(),
        id: key,
        version,
        events: x
            .events
            .iter()
            .map(|e| serde_json::to_value(e).unwrap_or(Value::Null))
            .collect(),
    }
}

fn describe_outcome(
    engine: &CountyEngine,
    name: String,
    aggregate: &str,
    key: Option<String>,
    command_id: CommandId,
    outcome: &Outcome,
) -> CommandAccepted {
    match outcome {
        Outcome::Matter(x) => {
            let key = key.or_else(|| x.state.id.map(|i| i.to_string()));
            accepted::<Matter>(engine, name, aggregate, key, command_id, x)
        }
        Outcome::Meeting(x) => accepted::<Meeting>(engine, name, aggregate, key, command_id, x),
        Outcome::Assignment(x) => {
            let key = key.or_else(|| x.state.id.map(|i| i.to_string()));
            accepted::<Assignment>(engine, name, aggregate, key, command_id, x)
        }
        Outcome::Subscription(x) => {
            accepted::<Subscriptions>(engine, name, aggregate, key, command_id, x)
        }
        Outcome::Reminder(x) => {
            accepted::<ScheduleLog>(engine, name, aggregate, key, command_id, x)
        }
        _ => CommandAccepted {
            command_id: command_id.to_string(),
            command: name,
            aggregate: aggregate.to_owned(),
            id: key,
            version: outcome.version(),
            events: Vec::new(),
        },
    }
}

fn respond(status: StatusCode, body: Bytes, etag: Option<HeaderValue>, replayed: bool) -> Response {
    let mut resp = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response();
    if let Some(e) = etag {
        resp.headers_mut().insert(header::ETAG, e);
    }
    if replayed {
        resp.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    resp
}

fn problem_kept(p: &Problem) -> (StatusCode, Bytes) {
    (p.status, Bytes::from(p.body().to_string()))
}

/// Runs a kernel command.
#[utoipa::path(
    post,
    path = "/v1/{tenant}/commands",
    tag = "commands",
    params(
        ("tenant" = String, Path, description = "The county (tenant id)"),
        ("Idempotency-Key" = Option<String>, Header, description = "The command id (a UUID): a replay returns the first response and writes nothing"),
        ("If-Match" = Option<String>, Header, description = "The expected stream version, e.g. \"3\" (412 when it moved on)"),
        ("Accept-Language" = Option<String>, Header, description = "sv (default) or en: the language of refusals"),
    ),
    request_body(content = CommandBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Executed; ETag = the stream's version", body = CommandAccepted,
         headers(("ETag" = String, description = "The stream's version"))),
        (status = 201, description = "Executed and created the aggregate", body = CommandAccepted,
         headers(("ETag" = String, description = "The stream's version"))),
        (status = 400, description = "Malformed JSON or header", body = crate::problem::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "No or invalid credentials", body = crate::problem::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "Not permitted", body = crate::problem::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "Unknown tenant or id", body = crate::problem::ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "Refused in the aggregate's state, or a concurrent writer", body = crate::problem::ProblemDoc, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match the stream's version", body = crate::problem::ProblemDoc, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = crate::problem::ProblemDoc, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = crate::problem::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Invalid command or input", body = crate::problem::ProblemDoc, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited", body = crate::problem::ProblemDoc, content_type = "application/problem+json"),
        (status = 503, description = "The store is unavailable", body = crate::problem::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
pub async fn post_command(
    State(state): State<AppState>,
    TenantPath(tenant): TenantPath,
    Lang(lang): Lang,
    caller: Option<Extension<Caller>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match run(state, tenant, lang, caller.map(|c| c.0), headers, body).await {
        Ok(r) => r,
        Err(p) => p.into_response(),
    }
}

async fn run(
    state: AppState,
    tenant: String,
    lang: Language,
    caller: Option<Caller>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    // The body is read first: a refusal then leaves the connection usable.
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(n) = declared
        && n > state.max_body_bytes()
    {
        // Read a moderately oversized body to its end, so that the client, still
        // sending, gets the 413 rather than a closed connection; a far larger one is
        // refused at once.
        if n <= DRAIN_FACTOR * state.max_body_bytes() {
            let _ = axum::body::to_bytes(body, n).await;
        }
        return Err(too_large(state.max_body_bytes(), lang));
    }
    let bytes = read_body(body, state.max_body_bytes(), lang).await?;
    let deployment = state.deployment();
    let tenant_id = TenantId::new(tenant.as_str());
    let Some(engine) = deployment.county(&tenant_id).cloned() else {
        return Err(Problem::unknown_tenant(&tenant, lang));
    };
    let Some(caller) = caller else {
        return Err(Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            lang,
            ("Inloggning krävs", "Authentication required"),
            ("ingen anropare".into(), "no caller".into()),
        ));
    };
    if !is_json(&headers) {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            lang,
            ("Fel innehållstyp", "Unsupported media type"),
            (
                "skicka kommandot som application/json".into(),
                "send the command as application/json".into(),
            ),
        ));
    }
    let command: Command = parse_json(&bytes, lang)?;
    let key = idempotency_key(&headers, lang)?;
    let expected = if_match(&headers, lang)?;
    let name = command.name();
    // The command's scope is the engine's to decide (`Engine::execute` refuses a
    // command outside the actor's scope first), for this route as for every other.
    let caller_name = caller.actor.audit_name();
    let fingerprint = fingerprint(&command, expected, &caller_name);
    if let Some(key) = key
        && let Some(replay) =
            reserve(&state, &tenant_id, key, &fingerprint, &caller_name, lang).await?
    {
        state
            .metrics()
            .commands
            .with_label_values(&[tenant.as_str(), name.as_str(), "replayed"])
            .inc();
        return Ok(replay);
    }
    let command_id = key.unwrap_or_else(|| engine.fresh_command_id());
    let mut options = CommandOptions::with_id(command_id);
    if let Some(v) = expected {
        options = options.expecting(v);
    }
    let aggregate = command.aggregate();
    let target = target_key(&command);
    let actor: Actor = caller.actor.clone();
    let started = Instant::now();
    let span = tracing::info_span!("command", tenant = %tenant, command = %name, command_id = %command_id, actor = %actor);
    let exec_name = name.clone();
    let result = tokio::task::spawn_blocking(move || {
        let _g = span.enter();
        let outcome = engine.execute(&actor, command, options);
        match outcome {
            Ok(o) => {
                let acc = describe_outcome(&engine, exec_name, aggregate, target, command_id, &o);
                tracing::info!(
                    version = acc.version,
                    duplicate = o.duplicate(),
                    events = o.event_count(),
                    "command executed"
                );
                Ok((acc, o.duplicate()))
            }
            Err(e) => {
                tracing::info!(error = %e, "command refused");
                Err(e)
            }
        }
    })
    .await;
    let elapsed = started.elapsed().as_secs_f64();
    state
        .metrics()
        .latency
        .with_label_values(&[name.as_str()])
        .observe(elapsed);
    let (status, body, tag, outcome_label, replayed) = match result {
        Ok(Ok((acc, duplicate))) => {
            let created = !acc.events.is_empty() && acc.version as usize == acc.events.len();
            let status = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            let tag = etag(acc.version);
            let body = Bytes::from(serde_json::to_vec(&acc).unwrap_or_default());
            if !duplicate {
                state.changes().notify_waiters();
            }
            (
                status,
                body,
                Some(tag),
                if duplicate {
                    "duplicate".to_owned()
                } else {
                    "ok".to_owned()
                },
                duplicate,
            )
        }
        Ok(Err(e)) => {
            let p = Problem::from_core(&e, lang, expected.is_some());
            let (status, body) = problem_kept(&p);
            (status, body, None, p.code.clone(), false)
        }
        Err(join) => {
            tracing::error!(error = %join, "command task failed");
            let p = Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                lang,
                ("Internt fel", "Internal error"),
                (
                    "kommandot kunde inte köras klart".into(),
                    "the command could not be completed".into(),
                ),
            );
            let (status, body) = problem_kept(&p);
            if let Some(key) = key {
                settle(&state, &tenant_id, key, fingerprint, None).await;
            }
            return Ok(problem_response(status, body));
        }
    };
    state
        .metrics()
        .commands
        .with_label_values(&[tenant.as_str(), name.as_str(), outcome_label.as_str()])
        .inc();
    if let Some(key) = key {
        let kept = StoredResponse {
            status: status.as_u16(),
            body: String::from_utf8_lossy(&body).into_owned(),
            etag: tag
                .as_ref()
                .and_then(|t| t.to_str().ok())
                .map(str::to_owned),
        };
        // A request that wrote nothing and may be tried again gives its key back.
        let retryable = status.is_server_error()
            || status == StatusCode::CONFLICT
            || status == StatusCode::PRECONDITION_FAILED;
        settle(
            &state,
            &tenant_id,
            key,
            fingerprint,
            (!retryable).then_some(kept),
        )
        .await;
    }
    if status.is_success() {
        Ok(respond(status, body, tag, replayed))
    } else {
        Ok(problem_response(status, body))
    }
}

/// The fingerprint of a request: a SHA-256 of the command's canonical JSON (as the
/// kernel writes the parsed command, whatever the spacing and order of the request's
/// fields), its expected version and its caller, hex.
fn fingerprint(command: &Command, expected: Option<u64>, caller: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(serde_json::to_vec(command).unwrap_or_default());
    hasher.update(b"\0");
    hasher.update(expected.map_or(String::from("-"), |v| v.to_string()));
    hasher.update(b"\0");
    hasher.update(caller.as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn key_reused(key: CommandId, another_caller: bool, lang: Language) -> Problem {
    let (sv, en) = if another_caller {
        (
            format!("Idempotency-Key {key} har redan använts av en annan anropare"),
            format!("the Idempotency-Key {key} was used before by another caller"),
        )
    } else {
        (
            format!("Idempotency-Key {key} har redan använts för ett annat kommando"),
            format!("the Idempotency-Key {key} was used before for another command"),
        )
    };
    Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency-key-reused",
        lang,
        ("Nyckeln är redan använd", "Idempotency key reused"),
        (sv, en),
    )
    .with("idempotency_key", key.to_string())
}

fn store_problem(e: arende_core::store::StoreError, lang: Language) -> Problem {
    Problem::from_core(&arende_core::Error::Store(e), lang, false)
}

fn task_failed(lang: Language) -> Problem {
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        lang,
        ("Internt fel", "Internal error"),
        (
            "kommandot kunde inte köras klart".into(),
            "the command could not be completed".into(),
        ),
    )
}

/// Reserves `key` for this request before the command runs: `Ok(None)` when it is this
/// request's to run; `Ok(Some(response))` the first response, replayed, when the same
/// request completed before; a refusal when the key belongs to another request (422)
/// or the same one is still running after [`IN_FLIGHT_WAIT`] (409).
async fn reserve(
    state: &AppState,
    tenant: &TenantId,
    key: CommandId,
    fingerprint: &str,
    caller: &str,
    lang: Language,
) -> Result<Option<Response>, Problem> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        let store = std::sync::Arc::clone(state.idempotency());
        let (t, f, c) = (tenant.clone(), fingerprint.to_owned(), caller.to_owned());
        let answer = tokio::task::spawn_blocking(move || {
            store.reserve(ReserveRequest {
                tenant: &t,
                key,
                fingerprint: &f,
                caller: &c,
                now: chrono::Utc::now(),
                stale_after: chrono::Duration::from_std(STALE_AFTER)
                    .unwrap_or(chrono::Duration::seconds(30)),
            })
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "idempotency reservation failed");
            task_failed(lang)
        })?
        .map_err(|e| store_problem(e, lang))?;
        let record = match answer {
            Reservation::Reserved => return Ok(None),
            Reservation::Existing(record) => record,
        };
        if record.fingerprint != fingerprint {
            return Err(key_reused(key, record.caller != caller, lang));
        }
        if let Some(kept) = record.response {
            return Ok(Some(replay(kept)));
        }
        if started.elapsed() >= IN_FLIGHT_WAIT {
            return Err(Problem::new(
                StatusCode::CONFLICT,
                "idempotency-key-in-progress",
                lang,
                ("Begäran pågår redan", "Request in progress"),
                (
                    format!("en begäran med Idempotency-Key {key} pågår fortfarande; försök igen om en stund"),
                    format!("a request with the Idempotency-Key {key} is still in progress; try again shortly"),
                ),
            )
            .with("idempotency_key", key.to_string())
            .header(header::RETRY_AFTER, "1"));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}

/// The first response of a request, replayed.
fn replay(kept: StoredResponse) -> Response {
    let status = StatusCode::from_u16(kept.status).unwrap_or(StatusCode::OK);
    let body = Bytes::from(kept.body);
    let mut resp = if status.is_success() {
        let etag = kept.etag.and_then(|e| HeaderValue::from_str(&e).ok());
        respond(status, body, etag, true)
    } else {
        problem_response(status, body)
    };
    resp.headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    resp
}

/// Completes the key's reservation with the response to replay, or (`None`) releases
/// it. A failure is logged: the reservation then stays in flight until it is stale, and
/// the same request takes it over (the engine finds a written command by its id).
async fn settle(
    state: &AppState,
    tenant: &TenantId,
    key: CommandId,
    fingerprint: String,
    response: Option<StoredResponse>,
) {
    let store = std::sync::Arc::clone(state.idempotency());
    let t = tenant.clone();
    let done = tokio::task::spawn_blocking(move || match response {
        Some(r) => store.complete(&t, key, &fingerprint, &r),
        None => store.release(&t, key, &fingerprint),
    })
    .await;
    match done {
        Ok(Ok(true)) => {}
        Ok(Ok(false)) => {
            tracing::warn!(idempotency_key = %key, "the key's reservation was no longer in flight")
        }
        Ok(Err(e)) => {
            tracing::warn!(idempotency_key = %key, error = %e, "idempotency record not settled")
        }
        Err(e) => {
            tracing::warn!(idempotency_key = %key, error = %e, "idempotency record not settled")
        }
    }
}

fn problem_response(status: StatusCode, body: Bytes) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(crate::problem::PROBLEM_JSON),
        )],
        body,
    )
        .into_response()
}

/// The in-process replay memory of earlier releases. Replays now come from the store's
/// idempotency records (`arende_core::store::IdempotencyStore`), which hold across
/// restarts and instances; this type does nothing. Kept for one release.
#[deprecated(
    since = "0.1.0",
    note = "replays come from the store's idempotency records (ServerOptions::idempotency)"
)]
#[derive(Debug, Default)]
pub struct Replays;

#[allow(deprecated)]
impl Replays {
    /// A replay memory that keeps nothing (see the type's deprecation note).
    pub fn new(_capacity: usize) -> Self {
        Replays
    }
}
