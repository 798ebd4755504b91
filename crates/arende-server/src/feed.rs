//! The change feed (ändringsflöde): a tenant's committed events by global position,
//! for other systems to follow. `GET /v1/{tenant}/events?after=N&limit=L` returns the
//! events after position N in commit order; `wait=S` holds the request up to S seconds
//! until there is one (long poll); `Accept: text/event-stream` streams them as
//! Server-Sent Events, each with its position as `id`, resuming after `Last-Event-ID`.
//!
//! It reads the tenant's log (`EventStore::read_tenant`), whose contract is that a
//! follower never skips an event; following by the last position seen, a follower sees
//! each event exactly once.

use std::convert::Infallible;
use std::time::Duration;

use arende_core::deployment::CountyEngine;
use arende_core::ids::TenantId;
use arende_core::store::RecordedEvent;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

use crate::extract::{Q, TenantPath};
use crate::lang::Lang;
use crate::problem::Problem;
use crate::state::AppState;

/// How often a waiting follower looks at the store even when no command of this
/// process woke it (writes by other processes on the same store).
const POLL: Duration = Duration::from_millis(200);

/// The most events one page holds.
pub const MAX_LIMIT: usize = 1000;

/// A committed event as the feed shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedEvent {
    /// The global position (commit order across tenants; increasing, with gaps).
    pub position: u64,
    /// The stream, e.g. `matter-0193…`.
    pub stream: String,
    /// The version within the stream.
    pub version: u64,
    /// The event's type, e.g. `Submitted`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The event in the kernel's JSON form.
    #[schema(value_type = Object)]
    pub data: Value,
    /// Who issued the command.
    pub actor: String,
    /// The command that wrote it.
    pub command_id: String,
    /// When it was recorded (UTC).
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

impl From<RecordedEvent> for FeedEvent {
    fn from(r: RecordedEvent) -> Self {
        let data = serde_json::from_str(&r.payload).unwrap_or(Value::String(r.payload));
        FeedEvent {
            position: r.position,
            stream: r.stream.into(),
            version: r.version,
            event_type: r.event_type,
            data,
            actor: r.actor,
            command_id: r.command_id.to_string(),
            recorded_at: r.recorded_at,
        }
    }
}

/// A page of the feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedPage {
    /// The events, in commit order.
    pub events: Vec<FeedEvent>,
    /// The position to ask after next (the last event's, or `after` when none came).
    pub next: u64,
}

/// The feed's query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Events after this position (default 0: from the start).
    #[serde(default)]
    #[param(minimum = 0)]
    pub after: u64,
    /// At most this many events (default 100, at most 1000).
    #[serde(default)]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<usize>,
    /// Wait up to this many seconds for an event when there is none (long poll, at most 60).
    #[serde(default)]
    #[param(minimum = 0, maximum = 60)]
    pub wait: Option<u64>,
}

async fn read_batch(
    engine: Arc<CountyEngine>,
    after: u64,
    limit: usize,
) -> Result<Vec<RecordedEvent>, arende_core::Error> {
    let tenant: TenantId = engine.org().tenant.clone();
    match tokio::task::spawn_blocking(move || engine.store().read_tenant(&tenant, after, limit))
        .await
    {
        Ok(r) => r.map_err(Into::into),
        Err(e) => Err(arende_core::Error::Store(
            arende_core::store::StoreError::Backend {
                backend: "task",
                source: Box::new(e),
            },
        )),
    }
}

fn wants_sse(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/event-stream"))
}

/// The tenant's committed events after a position (long poll or Server-Sent Events).
#[utoipa::path(
    get,
    path = "/v1/{tenant}/events",
    tag = "feed",
    params(
        ("tenant" = String, Path, description = "The county"),
        FeedQuery,
        ("Last-Event-ID" = Option<String>, Header, description = "Server-Sent Events: resume after this position"),
    ),
    responses(
        (status = 200, description = "Events in commit order (JSON), or a stream of them (text/event-stream, each with its position as id)",
         content((FeedPage = "application/json"), (String = "text/event-stream"))),
        (status = 400, description = "Bad parameter", body = crate::problem::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "No credentials", body = crate::problem::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "Not permitted", body = crate::problem::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "Unknown tenant", body = crate::problem::ProblemDoc, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited", body = crate::problem::ProblemDoc, content_type = "application/problem+json"),
        (status = 503, description = "The store is unavailable", body = crate::problem::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
pub async fn events(
    State(state): State<AppState>,
    TenantPath(tenant): TenantPath,
    Lang(lang): Lang,
    Q(q): Q<FeedQuery>,
    headers: HeaderMap,
) -> Response {
    let deployment = state.deployment();
    let Some(engine) = deployment.county(&TenantId::new(tenant.as_str())).cloned() else {
        return Problem::unknown_tenant(&tenant, lang).into_response();
    };
    let limit = q.limit.unwrap_or(100).clamp(1, MAX_LIMIT);
    if wants_sse(&headers) {
        let resume = headers
            .get("last-event-id")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let after = resume.map_or(q.after, |r| r.max(q.after));
        return Sse::new(follow(state, engine, after, limit))
            .keep_alive(KeepAlive::default())
            .into_response();
    }
    let wait = Duration::from_secs(q.wait.unwrap_or(0).min(60));
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let notified = state.changes().notified();
        match read_batch(Arc::clone(&engine), q.after, limit).await {
            Ok(batch) if !batch.is_empty() || tokio::time::Instant::now() >= deadline => {
                let next = batch.last().map_or(q.after, |e| e.position);
                let page = FeedPage {
                    events: batch.into_iter().map(FeedEvent::from).collect(),
                    next,
                };
                return axum::Json(page).into_response();
            }
            Ok(_) => {
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                let _ = tokio::time::timeout(left.min(POLL), notified).await;
            }
            Err(e) => return Problem::from_core(&e, lang, false).into_response(),
        }
    }
}

struct Follow {
    state: AppState,
    engine: Arc<CountyEngine>,
    after: u64,
    limit: usize,
    pending: std::collections::VecDeque<RecordedEvent>,
}

fn follow(
    state: AppState,
    engine: Arc<CountyEngine>,
    after: u64,
    limit: usize,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let start = Follow {
        state,
        engine,
        after,
        limit,
        pending: std::collections::VecDeque::new(),
    };
    stream::unfold(start, |mut f| async move {
        loop {
            if let Some(rec) = f.pending.pop_front() {
                f.after = rec.position;
                let id = rec.position.to_string();
                let name = rec.event_type.clone();
                let data = serde_json::to_string(&FeedEvent::from(rec)).unwrap_or_default();
                let event = Event::default().id(id).event(name).data(data);
                return Some((Ok(event), f));
            }
            let notified = f.state.changes().notified();
            match read_batch(Arc::clone(&f.engine), f.after, f.limit).await {
                Ok(batch) if !batch.is_empty() => f.pending.extend(batch),
                Ok(_) => {
                    let _ = tokio::time::timeout(POLL, notified).await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "change feed read failed; retrying");
                    tokio::time::sleep(POLL).await;
                }
            }
        }
    })
}
