//! The change feed (ändringsflöde): a tenant's committed events by global position,
//! for other systems to follow. `GET /v1/{tenant}/events?after=N&limit=L` returns the
//! events after position N in commit order; `wait=S` holds the request up to S seconds
//! until there is one (long poll); `Accept: text/event-stream` streams them as
//! Server-Sent Events, each with its position as `id`, resuming after `Last-Event-ID`.
//!
//! It reads the tenant's log (`EventStore::visit_tenant`), whose contract is that a
//! follower never skips an event; following by the last position seen, a follower sees
//! each event exactly once.
//!
//! **The stored payload is served as it is.** The store checks every row it reads (a
//! row that cannot be read, of another tenant or out of order is a typed
//! `StoreError::Corrupt`, served as a problem, never skipped), and hands the rows over
//! borrowed; the page's JSON is written straight into one buffer with each stored
//! payload spliced in as `data`, without decoding the event or re-encoding it. A
//! payload that is not JSON (which the kernel never writes) is served as a JSON string,
//! so the page is always valid JSON.
//!
//! **Waiting costs nothing per waiter.** A long poll or a stream with nothing to send
//! waits on the state's `changes` signal, which this server's commands fire when they
//! commit. Commits it cannot see (the dispatcher's and the policies' in this process,
//! other processes on the same PostgreSQL store) are found by one [`FeedWatch`] task:
//! every [`POLL`] it asks each tenant that has waiters for one event after the lowest
//! position they wait after, and wakes them all when there is one — one read per
//! tenant, however many wait. A garbage `Last-Event-ID` is a 400 problem, and on
//! shutdown (the request's [`ShutdownSignal`]) streams end and long polls answer at
//! once.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use arende_core::deployment::CountyEngine;
use arende_core::ids::TenantId;
use arende_core::store::{EventRef, EventStore, RecordedEvent, StoreError};
use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

use crate::extract::{Q, TenantPath};
use crate::lang::Lang;
use crate::net::ShutdownSignal;
use crate::problem::Problem;
use crate::state::AppState;

/// How often the [`FeedWatch`] looks for events that no command of this server
/// announced (the dispatcher's, the policies', other processes'), while anyone waits.
pub const POLL: Duration = Duration::from_millis(250);

/// The followers waiting for events, and the one task that looks for commits this
/// server did not make (see the module docs).
#[derive(Debug, Default)]
pub struct FeedWatch {
    /// Per tenant: the positions waited after, and how many wait after each.
    waiting: Mutex<HashMap<TenantId, BTreeMap<u64, usize>>>,
    /// Fired when an event was committed (by this server, or found by the watch).
    changes: tokio::sync::Notify,
    /// Fired when the first follower starts waiting.
    someone: tokio::sync::Notify,
    started: AtomicBool,
    polls: AtomicU64,
}

/// A follower's place among the waiters; it leaves when dropped.
pub struct Waiting<'a> {
    watch: &'a FeedWatch,
    tenant: TenantId,
    after: u64,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut w = self.watch.lock();
        if let Some(t) = w.get_mut(&self.tenant) {
            if let Some(n) = t.get_mut(&self.after) {
                *n -= 1;
                if *n == 0 {
                    t.remove(&self.after);
                }
            }
            if t.is_empty() {
                w.remove(&self.tenant);
            }
        }
    }
}

impl FeedWatch {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TenantId, BTreeMap<u64, usize>>> {
        // Plain counts: a panic elsewhere cannot leave them half-changed.
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The signal fired when an event is committed.
    pub fn changes(&self) -> &tokio::sync::Notify {
        &self.changes
    }

    /// How many times the watch has looked at the store (one look reads one event of
    /// each tenant with waiters).
    pub fn polls(&self) -> u64 {
        self.polls.load(Ordering::Relaxed)
    }

    /// How many followers wait now.
    pub fn waiters(&self) -> usize {
        self.lock().values().flat_map(|t| t.values()).sum()
    }

    /// Registers a follower of `tenant` waiting for events after `after`, starting the
    /// watch task on the first one.
    pub fn wait(
        self: &Arc<Self>,
        deployment: &Arc<arende_core::deployment::Deployment>,
        tenant: &TenantId,
        after: u64,
    ) -> Waiting<'_> {
        *self
            .lock()
            .entry(tenant.clone())
            .or_default()
            .entry(after)
            .or_insert(0) += 1;
        if !self.started.swap(true, Ordering::SeqCst) {
            tokio::spawn(watch(Arc::downgrade(self), Arc::clone(deployment)));
        }
        self.someone.notify_one();
        Waiting {
            watch: self,
            tenant: tenant.clone(),
            after,
        }
    }

    /// Per tenant with waiters, the lowest position waited after.
    fn lowest(&self) -> Vec<(TenantId, u64)> {
        self.lock()
            .iter()
            .filter_map(|(t, after)| after.keys().next().map(|a| (t.clone(), *a)))
            .collect()
    }
}

/// The watch task: while anyone waits, every [`POLL`] it reads one event after the
/// lowest position waited after, per tenant, and wakes every waiter when one is there.
/// It ends when the state is gone.
async fn watch(
    watch: std::sync::Weak<FeedWatch>,
    deployment: Arc<arende_core::deployment::Deployment>,
) {
    loop {
        let Some(w) = watch.upgrade() else { return };
        if w.lowest().is_empty() {
            // Wakes now and then to end when the state is gone.
            let _ = tokio::time::timeout(Duration::from_secs(5), w.someone.notified()).await;
            continue;
        }
        drop(w);
        tokio::time::sleep(POLL).await;
        let Some(w) = watch.upgrade() else { return };
        let lowest = w.lowest();
        if lowest.is_empty() {
            continue;
        }
        w.polls.fetch_add(1, Ordering::Relaxed);
        let d = Arc::clone(&deployment);
        let found = tokio::task::spawn_blocking(move || {
            lowest.iter().any(|(tenant, after)| {
                d.county(tenant).is_some_and(|c| {
                    c.store()
                        .visit_tenant(tenant, *after, 1, &mut |_| {})
                        .is_ok_and(|n| n > 0)
                })
            })
        })
        .await
        .unwrap_or(false);
        if found {
            w.changes.notify_waiters();
        }
    }
}

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
            event_type: r.event_type.into_owned(),
            data,
            actor: r.actor.to_string(),
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

/// Writes events as the feed's JSON objects (the shape of [`FeedEvent`], fields in its
/// order), each stored payload spliced in as `data` (see [`write_data`]). It keeps the
/// last instant it wrote: the events of one command share theirs, so most are copied
/// instead of formatted again.
#[derive(Default)]
struct EventWriter {
    instant: Option<(chrono::DateTime<chrono::Utc>, Vec<u8>)>,
}

impl EventWriter {
    fn write(&mut self, out: &mut Vec<u8>, e: &EventRef<'_>) -> Result<(), serde_json::Error> {
        out.extend_from_slice(b"{\"position\":");
        serde_json::to_writer(&mut *out, &e.position)?;
        out.extend_from_slice(b",\"stream\":");
        serde_json::to_writer(&mut *out, e.stream)?;
        out.extend_from_slice(b",\"version\":");
        serde_json::to_writer(&mut *out, &e.version)?;
        out.extend_from_slice(b",\"type\":");
        serde_json::to_writer(&mut *out, e.event_type)?;
        out.extend_from_slice(b",\"data\":");
        write_data(out, e.payload)?;
        out.extend_from_slice(b",\"actor\":");
        serde_json::to_writer(&mut *out, e.actor)?;
        out.extend_from_slice(b",\"command_id\":\"");
        let mut id = uuid::Uuid::encode_buffer();
        out.extend_from_slice(e.command_id.0.hyphenated().encode_lower(&mut id).as_bytes());
        out.extend_from_slice(b"\",\"recorded_at\":");
        match &self.instant {
            Some((at, text)) if *at == e.recorded_at => out.extend_from_slice(text),
            _ => {
                let start = out.len();
                serde_json::to_writer(&mut *out, &e.recorded_at)?;
                self.instant = Some((e.recorded_at, out[start..].to_vec()));
            }
        }
        out.push(b'}');
        Ok(())
    }
}

/// The stored payload as `data`: its text as it is when it is JSON (it is checked, not
/// decoded into a value); any other text as a JSON string, as the feed always served it.
fn write_data(out: &mut Vec<u8>, payload: &str) -> Result<(), serde_json::Error> {
    if serde_json::from_str::<serde::de::IgnoredAny>(payload).is_ok() {
        out.extend_from_slice(payload.as_bytes());
        Ok(())
    } else {
        serde_json::to_writer(out, payload)
    }
}

/// A store or writer failure as the core's error (the writer's cannot happen: it writes
/// into memory).
fn feed_error(e: serde_json::Error) -> arende_core::Error {
    arende_core::Error::Store(StoreError::Backend {
        backend: "feed",
        source: Box::new(e),
    })
}

/// A page of the feed, written as its JSON body while the store reads the rows.
struct PageBody {
    /// `{"events":[…],"next":N}`.
    json: Vec<u8>,
    /// How many events it holds.
    events: usize,
}

/// Reads the events after `after` and writes the page's JSON (the shape of
/// [`FeedPage`]).
fn page_body(
    store: &dyn EventStore,
    tenant: &TenantId,
    after: u64,
    limit: usize,
) -> Result<PageBody, arende_core::Error> {
    // Grows with the page; a long poll that finds nothing reserves little.
    let mut json = Vec::with_capacity(4096);
    json.extend_from_slice(b"{\"events\":[");
    let mut next = after;
    let mut failed = None;
    let mut writer = EventWriter::default();
    let events = store.visit_tenant(tenant, after, limit, &mut |e| {
        if failed.is_some() {
            return;
        }
        if next != after {
            json.push(b',');
        }
        next = e.position;
        if let Err(err) = writer.write(&mut json, &e) {
            failed = Some(err);
        }
    })?;
    if let Some(err) = failed {
        return Err(feed_error(err));
    }
    json.extend_from_slice(b"],\"next\":");
    serde_json::to_writer(&mut json, &next).map_err(feed_error)?;
    json.push(b'}');
    Ok(PageBody { json, events })
}

/// The events after `after` for Server-Sent Events: each its position, type and JSON.
fn sse_batch(
    store: &dyn EventStore,
    tenant: &TenantId,
    after: u64,
    limit: usize,
) -> Result<Vec<(u64, String, String)>, arende_core::Error> {
    let mut out = Vec::new();
    let mut failed = None;
    let mut writer = EventWriter::default();
    store.visit_tenant(tenant, after, limit, &mut |e| {
        if failed.is_some() {
            return;
        }
        let mut json = Vec::with_capacity(e.payload.len() + 192);
        let written = writer.write(&mut json, &e).and_then(|()| {
            // Only text was written: this cannot fail.
            String::from_utf8(json).map_err(serde::ser::Error::custom)
        });
        match written {
            Ok(json) => out.push((e.position, e.event_type.to_owned(), json)),
            Err(err) => failed = Some(err),
        }
    })?;
    match failed {
        Some(err) => Err(feed_error(err)),
        None => Ok(out),
    }
}

/// Runs `read` on the county's engine on the blocking pool (the store blocks).
async fn on_store<T: Send + 'static>(
    engine: Arc<CountyEngine>,
    read: impl FnOnce(&CountyEngine) -> Result<T, arende_core::Error> + Send + 'static,
) -> Result<T, arende_core::Error> {
    match tokio::task::spawn_blocking(move || read(&engine)).await {
        Ok(r) => r,
        Err(e) => Err(arende_core::Error::Store(StoreError::Backend {
            backend: "task",
            source: Box::new(e),
        })),
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
    stop: Option<Extension<ShutdownSignal>>,
    headers: HeaderMap,
) -> Response {
    let deployment = state.deployment();
    let tenant_id = TenantId::new(tenant.as_str());
    let Some(engine) = deployment.county(&tenant_id).cloned() else {
        return Problem::unknown_tenant(&tenant, lang).into_response();
    };
    let stop = stop.map_or_else(ShutdownSignal::never, |Extension(s)| s);
    let limit = q.limit.unwrap_or(100).clamp(1, MAX_LIMIT);
    if wants_sse(&headers) {
        let resume = match last_event_id(&headers) {
            Ok(r) => r,
            Err(reason) => {
                return Problem::bad_parameter("Last-Event-ID", &reason, lang).into_response();
            }
        };
        let after = resume.map_or(q.after, |r| r.max(q.after));
        return Sse::new(follow(state, engine, tenant_id, after, limit, stop))
            .keep_alive(KeepAlive::default())
            .into_response();
    }
    let wait = Duration::from_secs(q.wait.unwrap_or(0)).min(state.max_wait());
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let notified = state.changes().notified();
        let after = q.after;
        match on_store(Arc::clone(&engine), move |e| {
            page_body(e.store().as_ref(), &e.org().tenant, after, limit)
        })
        .await
        {
            Ok(page)
                if page.events > 0
                    || tokio::time::Instant::now() >= deadline
                    || stop.is_shutting_down() =>
            {
                return (
                    [(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json"),
                    )],
                    page.json,
                )
                    .into_response();
            }
            Ok(_) => {
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                let _waiting = state.feed_watch().wait(&deployment, &tenant_id, after);
                tokio::select! {
                    _ = tokio::time::timeout(left, notified) => {}
                    () = stop.wait() => {}
                }
            }
            Err(e) => return Problem::from_core(&e, lang, false).into_response(),
        }
    }
}

/// The position a `Last-Event-ID` header names (`None`: no header, or an empty one,
/// which Server-Sent Events send for "no id"); anything else than a position is an
/// error saying why.
fn last_event_id(headers: &HeaderMap) -> Result<Option<u64>, String> {
    let Some(v) = headers.get("last-event-id") else {
        return Ok(None);
    };
    let Ok(text) = v.to_str() else {
        return Err("not visible ASCII".to_owned());
    };
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<u64>().map(Some).map_err(|_| {
        let shown: String = text.chars().take(40).collect();
        format!("\"{shown}\" is not an event position (a whole number)")
    })
}

struct Follow {
    state: AppState,
    engine: Arc<CountyEngine>,
    tenant: TenantId,
    stop: ShutdownSignal,
    after: u64,
    limit: usize,
    /// Read but not yet sent: position, type and the event's JSON.
    pending: std::collections::VecDeque<(u64, String, String)>,
}

fn follow(
    state: AppState,
    engine: Arc<CountyEngine>,
    tenant: TenantId,
    after: u64,
    limit: usize,
    stop: ShutdownSignal,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let start = Follow {
        state,
        engine,
        tenant,
        stop,
        after,
        limit,
        pending: std::collections::VecDeque::new(),
    };
    stream::unfold(start, |mut f| async move {
        loop {
            if f.stop.is_shutting_down() {
                return None;
            }
            if let Some((position, name, data)) = f.pending.pop_front() {
                f.after = position;
                let mut event = Event::default().id(position.to_string());
                // An SSE field cannot hold a line break (axum panics on one): a type
                // read from a damaged row is left out of the field (it is in `data`).
                if !name.contains(['\r', '\n']) {
                    event = event.event(name);
                }
                let event = event.data(data);
                return Some((Ok(event), f));
            }
            let notified = f.state.changes().notified();
            let (after, limit) = (f.after, f.limit);
            match on_store(Arc::clone(&f.engine), move |e| {
                sse_batch(e.store().as_ref(), &e.org().tenant, after, limit)
            })
            .await
            {
                Ok(batch) if !batch.is_empty() => f.pending.extend(batch),
                Ok(_) => {
                    let deployment = f.state.deployment();
                    let _waiting = f.state.feed_watch().wait(&deployment, &f.tenant, f.after);
                    tokio::select! {
                        () = notified => {}
                        () = f.stop.wait() => return None,
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "change feed read failed; retrying");
                    tokio::select! {
                        () = tokio::time::sleep(POLL) => {}
                        () = f.stop.wait() => return None,
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arende_core::ids::CommandId;
    use arende_core::store::{AppendRequest, EventData, ExpectedVersion, MemoryStore, StreamId};

    fn recorded(position: u64, event_type: &str, payload: &str) -> RecordedEvent {
        RecordedEvent {
            position,
            tenant: TenantId::new("orebro"),
            stream: StreamId::new("matter-ö \"1\""),
            version: position,
            event_type: event_type.to_owned().into(),
            payload: payload.to_owned(),
            actor: "person:åsa\\öberg".into(),
            command_id: CommandId::random(),
            recorded_at: chrono::DateTime::from_timestamp_micros(1_725_264_000_123_456)
                .expect("an instant"),
        }
    }

    const PAYLOADS: &[&str] = &[
        r#"{"Submitted":{"title":"Ärende \"1\" \u2028","n":[1,2.5,-3e2,null,true]}}"#,
        "  {\"b\" : 1,\n \"a\": {}}\n",
        "\"just a string\"",
        "12345678901234567890",
        "not JSON",
        "",
        "{\"a\":1} trailing",
        "{\"unclosed\": [1, 2}",
    ];

    /// The event written straight from the stored row is, as JSON, exactly what the
    /// feed served before by decoding the payload and re-encoding a `FeedEvent`: the
    /// payload as the value it holds, or as a string when it is not JSON.
    #[test]
    fn a_written_event_is_the_feed_event() {
        for payload in PAYLOADS {
            let r = recorded(7, "Submitted", payload);
            let mut out = Vec::new();
            EventWriter::default()
                .write(&mut out, &r.as_ref())
                .expect("written");
            let got: Value = serde_json::from_slice(&out).expect("the event is JSON");
            let want = serde_json::to_value(FeedEvent::from(r)).expect("a value");
            assert_eq!(got, want, "payload {payload:?}");
        }
    }

    fn store_with(payloads: &[&str]) -> MemoryStore {
        let store = MemoryStore::new();
        store
            .append(AppendRequest {
                tenant: TenantId::new("orebro"),
                stream: StreamId::new("matter-a"),
                expected: ExpectedVersion::NoStream,
                command_id: CommandId::random(),
                actor: "tester".into(),
                recorded_at: chrono::Utc::now(),
                events: payloads
                    .iter()
                    .map(|p| EventData {
                        event_type: "Noted".into(),
                        payload: (*p).to_owned(),
                    })
                    .collect(),
                outbox: Vec::new(),
            })
            .expect("appended");
        store
    }

    /// A page is the `FeedPage` of the events read: the same events, the same `next`,
    /// paged by `after` and `limit`; an empty page keeps `after` as `next`.
    #[test]
    fn a_page_is_the_feed_page_of_the_events_read() {
        let store = store_with(PAYLOADS);
        let tenant = TenantId::new("orebro");
        for (after, limit) in [(0, 100), (0, 3), (3, 2), (8, 10), (100, 5)] {
            let page = page_body(&store, &tenant, after, limit).expect("a page");
            let got: Value = serde_json::from_slice(&page.json).expect("the page is JSON");
            let read = store.read_tenant(&tenant, after, limit).expect("read");
            let want = serde_json::to_value(FeedPage {
                next: read.last().map_or(after, |e| e.position),
                events: read.into_iter().map(FeedEvent::from).collect(),
            })
            .expect("a value");
            assert_eq!(got, want, "after {after}, limit {limit}");
            assert_eq!(page.events, got["events"].as_array().map_or(0, Vec::len));
        }
        let batch = sse_batch(&store, &tenant, 0, 100).expect("a batch");
        assert_eq!(batch.len(), PAYLOADS.len());
        for (position, name, json) in batch {
            let v: Value = serde_json::from_str(&json).expect("each event is JSON");
            assert_eq!(v["position"], Value::from(position));
            assert_eq!(name, "Noted");
        }
    }

    /// A row the store finds corrupt is a typed error when the page would begin with
    /// it, and ends the page before it otherwise: never skipped, never a panic.
    #[test]
    fn a_corrupt_row_is_an_error_not_a_gap() {
        let store = store_with(&["{}", "{}", "{}"]);
        let tenant = TenantId::new("orebro");
        // The row at version 2 now names another tenant (as a damaged row would).
        assert!(store.tamper(&tenant, &StreamId::new("matter-a"), 2, |e| {
            e.tenant = TenantId::new("elsewhere");
            true
        }));
        let page = page_body(&store, &tenant, 0, 100).expect("the page before the bad row");
        let got: Value = serde_json::from_slice(&page.json).expect("JSON");
        assert_eq!(page.events, 1);
        assert_eq!(got["next"], Value::from(1u64));
        match page_body(&store, &tenant, 1, 100) {
            Err(arende_core::Error::Store(StoreError::Corrupt { version: 2, .. })) => {}
            Err(other) => panic!("expected Corrupt at version 2, got {other:?}"),
            Ok(_) => panic!("expected Corrupt at version 2, got a page"),
        }
        assert!(matches!(
            sse_batch(&store, &tenant, 1, 100),
            Err(arende_core::Error::Store(StoreError::Corrupt {
                version: 2,
                ..
            }))
        ));
    }
}
