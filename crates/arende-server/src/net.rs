//! Connections (anslutningar): the service's accept loop on hyper, with every
//! connection bounded in number and in time.
//!
//! `axum::serve` has no timeouts, so a client that sends half a request head, or
//! declares a body it never sends, holds its connection (and a file descriptor) for
//! as long as it likes. [`serve_with`] accepts connections itself and bounds them
//! ([`NetOptions`], defaults in parentheses):
//!
//! - **Connection cap** (1024): a semaphore. At the cap, a new connection closes the
//!   connection that has been idle longest (no request in flight), so idle
//!   connections cannot starve a probe of `/healthz`; when every connection is busy,
//!   it waits until one closes. The process never holds more than the cap and one.
//! - **Header-read timeout** (10 s): a new connection must deliver its first request
//!   head within it, and a kept-alive connection a request head within it of its first
//!   byte; otherwise it is closed.
//! - **Keep-alive idle timeout** (60 s): a connection with no request in flight and no
//!   byte of a next one is closed after it.
//! - **Body-read timeout** (30 s): a request body must arrive within it of the request's
//!   head; otherwise the request is answered 408 (a problem document) and the
//!   connection is closed.
//! - **Request-head limits**: a URI longer than 8 KiB is answered 414, headers larger
//!   than 32 KiB in all or more than 100 of them 431, both as problem documents
//!   (hyper's own buffer is kept larger, so its bare refusals are not reached first).
//! - **Graceful shutdown with a deadline** (10 s): on the shutdown signal the listener
//!   closes, idle connections close, and every request holding a
//!   [`ShutdownSignal`] (the change feed's Server-Sent Events and long polls) ends at
//!   once; requests in flight finish. After the deadline the remaining connections are
//!   dropped and [`serve_with`] returns.
//!
//! Each request carries the peer's address as axum's `ConnectInfo<SocketAddr>` (the
//! per-address rate limit of the public pages keys on it) and the [`ShutdownSignal`].

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{Notify, Semaphore, watch};
use tokio::time::Instant;
use tower::ServiceExt;

use crate::lang::from_headers;
use crate::problem::Problem;

/// How the service bounds its connections (see the module docs for what each does).
#[derive(Debug, Clone)]
pub struct NetOptions {
    /// The longest a client may take to send a request head (default 10 s).
    pub header_read_timeout: Duration,
    /// The longest a connection may stay idle between requests (default 60 s).
    pub keep_alive_timeout: Duration,
    /// The longest a client may take to send a request body, from its head (default 30 s).
    pub body_read_timeout: Duration,
    /// The most connections open at once (default 1024).
    pub max_connections: usize,
    /// The longest request target (path and query), in bytes (default 8 KiB).
    pub max_uri_bytes: usize,
    /// The most bytes of request headers, names and values (default 32 KiB).
    pub max_header_bytes: usize,
    /// The most request headers (default 100).
    pub max_headers: usize,
    /// After the shutdown signal, the longest the requests in flight may take before
    /// their connections are dropped (default 10 s).
    pub shutdown_deadline: Duration,
}

impl Default for NetOptions {
    fn default() -> Self {
        NetOptions {
            header_read_timeout: Duration::from_secs(10),
            keep_alive_timeout: Duration::from_secs(60),
            body_read_timeout: Duration::from_secs(30),
            max_connections: 1024,
            max_uri_bytes: 8 * 1024,
            max_header_bytes: 32 * 1024,
            max_headers: 100,
            shutdown_deadline: Duration::from_secs(10),
        }
    }
}

/// Completes when the service shuts down: long-lived responses (Server-Sent Events,
/// long polls) select on it and end at once. Every request served by [`serve_with`]
/// carries one as an extension.
#[derive(Debug, Clone)]
pub struct ShutdownSignal(watch::Receiver<bool>);

impl ShutdownSignal {
    /// A signal and the sender that fires it.
    pub fn new() -> (watch::Sender<bool>, ShutdownSignal) {
        let (tx, rx) = watch::channel(false);
        (tx, ShutdownSignal(rx))
    }

    /// A signal that never fires (a request served by other means than [`serve_with`]).
    pub fn never() -> ShutdownSignal {
        // With the sender gone, [`ShutdownSignal::wait`] never completes.
        let (_, rx) = watch::channel(false);
        ShutdownSignal(rx)
    }

    /// Whether the shutdown has begun.
    pub fn is_shutting_down(&self) -> bool {
        *self.0.borrow()
    }

    /// Completes when the shutdown begins (never when the sender is gone without it).
    pub async fn wait(&self) {
        let mut rx = self.0.clone();
        if rx.wait_for(|stop| *stop).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// What one connection is doing, for its timeouts.
struct Phase {
    /// Requests whose responses are not yet fully handed to hyper.
    in_flight: usize,
    /// When the connection last became idle (accepted, or its last response ended).
    idle_since: Instant,
    /// The first byte read since then (a request head begins).
    first_byte: Option<Instant>,
    /// No request has come yet.
    fresh: bool,
}

/// A connection's activity, shared by its reader, its requests and its driver.
struct Activity {
    phase: Mutex<Phase>,
    changed: Notify,
    /// Fired to close the connection when it is idle (see [`evict_idle`]).
    close: Notify,
}

/// The open connections, by number, for the cap's eviction of idle ones.
type Registry = Arc<Mutex<std::collections::HashMap<u64, Arc<Activity>>>>;

fn lock_registry(
    r: &Registry,
) -> std::sync::MutexGuard<'_, std::collections::HashMap<u64, Arc<Activity>>> {
    // A map of handles: a panic elsewhere cannot leave it half-changed.
    r.lock().unwrap_or_else(|p| p.into_inner())
}

/// Asks the connection idle longest to close; whether there was one.
fn evict_idle(registry: &Registry) -> bool {
    let map = lock_registry(registry);
    let oldest = map
        .values()
        .filter_map(|a| {
            let p = a.lock();
            (p.in_flight == 0).then_some((p.idle_since, Arc::clone(a)))
        })
        .min_by_key(|(since, _)| *since);
    drop(map);
    match oldest {
        Some((_, a)) => {
            a.close.notify_one();
            true
        }
        None => false,
    }
}

/// Removes a connection from the registry when its task ends (however it ends).
struct Registered {
    registry: Registry,
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        lock_registry(&self.registry).remove(&self.id);
    }
}

impl Activity {
    fn new() -> Arc<Self> {
        Arc::new(Activity {
            phase: Mutex::new(Phase {
                in_flight: 0,
                idle_since: Instant::now(),
                first_byte: None,
                fresh: true,
            }),
            changed: Notify::new(),
            close: Notify::new(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Phase> {
        // The phase holds plain numbers: a panic elsewhere cannot leave it half-set.
        self.phase.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn read(&self) {
        let mut p = self.lock();
        if p.in_flight == 0 && p.first_byte.is_none() {
            p.first_byte = Some(Instant::now());
            drop(p);
            self.changed.notify_one();
        }
    }

    fn begin(&self) {
        let mut p = self.lock();
        p.in_flight += 1;
        p.fresh = false;
        p.first_byte = None;
        drop(p);
        self.changed.notify_one();
    }

    fn end(&self) {
        let mut p = self.lock();
        p.in_flight = p.in_flight.saturating_sub(1);
        if p.in_flight == 0 {
            p.idle_since = Instant::now();
            p.first_byte = None;
        }
        drop(p);
        self.changed.notify_one();
    }

    /// When the connection is to be closed if nothing changes (`None`: a request is in
    /// flight; its body has its own deadline).
    fn deadline(&self, o: &NetOptions) -> Option<Instant> {
        let p = self.lock();
        if p.in_flight > 0 {
            None
        } else if p.fresh {
            Some(p.idle_since + o.header_read_timeout)
        } else if let Some(first) = p.first_byte {
            Some(first + o.header_read_timeout)
        } else {
            Some(p.idle_since + o.keep_alive_timeout)
        }
    }
}

/// The socket, telling the connection's [`Activity`] when bytes arrive.
struct Watched<T> {
    inner: T,
    activity: Arc<Activity>,
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let r = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.read();
        }
        r
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// A response body that ends its request's part of the connection's activity when it
/// is done (or dropped).
struct Tracked {
    inner: Body,
    activity: Option<Arc<Activity>>,
}

impl Tracked {
    fn finish(&mut self) {
        if let Some(a) = self.activity.take() {
            a.end();
        }
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.finish();
    }
}

impl HttpBody for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_frame(cx);
        if matches!(r, Poll::Ready(None | Some(Err(_)))) {
            this.finish();
        }
        r
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// A request body that must arrive by a deadline; past it, it fails and marks the
/// request as timed out.
struct DeadlineBody {
    inner: Body,
    sleep: Pin<Box<tokio::time::Sleep>>,
    fired: Arc<AtomicBool>,
}

/// The error of a request body that did not arrive in time.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within the body-read timeout")]
pub struct BodyTimeout;

impl HttpBody for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        if let Poll::Ready(r) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(r);
        }
        if this.sleep.as_mut().poll(cx).is_ready() {
            this.fired.store(true, Ordering::SeqCst);
            return Poll::Ready(Some(Err(axum::Error::new(BodyTimeout))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// The middleware that gives a request's body its deadline; a request whose body did
/// not arrive in time is answered 408 and its connection closed.
async fn body_deadline(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    let lang = from_headers(req.headers());
    let fired = Arc::new(AtomicBool::new(false));
    let (parts, body) = req.into_parts();
    let body = if body.is_end_stream() {
        body
    } else {
        Body::new(DeadlineBody {
            inner: body,
            sleep: Box::pin(tokio::time::sleep(limit)),
            fired: Arc::clone(&fired),
        })
    };
    let resp = next.run(Request::from_parts(parts, body)).await;
    if !fired.load(Ordering::SeqCst) {
        return resp;
    }
    let secs = limit.as_secs_f64();
    let mut resp = Problem::new(
        StatusCode::REQUEST_TIMEOUT,
        "request-timeout",
        lang,
        ("Begäran tog för lång tid", "Request timeout"),
        (
            format!("begärans innehåll kom inte fram inom {secs} sekunder"),
            format!("the request body did not arrive within {secs} seconds"),
        ),
    )
    .with("limit_seconds", secs)
    .into_response();
    resp.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    resp
}

/// The limits of a request head that [`limit_head`] enforces.
#[derive(Debug, Clone, Copy)]
struct HeadLimits {
    uri: usize,
    header_bytes: usize,
    headers: usize,
}

/// Refuses a request whose target or headers are too large, as a problem document
/// (414 or 431), before anything else reads it.
async fn limit_head(State(l): State<HeadLimits>, req: Request, next: Next) -> Response {
    let lang = from_headers(req.headers());
    let uri = req.uri().to_string().len();
    if uri > l.uri {
        return Problem::new(
            StatusCode::URI_TOO_LONG,
            "uri-too-long",
            lang,
            ("För lång adress", "URI too long"),
            (
                format!("adressen är {uri} byte; högst {} tas emot", l.uri),
                format!(
                    "the request target is {uri} bytes; at most {} are accepted",
                    l.uri
                ),
            ),
        )
        .with("limit", l.uri)
        .into_response();
    }
    let count = req.headers().len();
    let bytes: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    if count > l.headers || bytes > l.header_bytes {
        return Problem::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers-too-large",
            lang,
            ("För stora huvuden", "Request header fields too large"),
            (
                format!(
                    "begäran har {count} huvuden på {bytes} byte; högst {} huvuden och {} byte tas emot",
                    l.headers, l.header_bytes
                ),
                format!(
                    "the request has {count} headers of {bytes} bytes; at most {} headers and {} bytes are accepted",
                    l.headers, l.header_bytes
                ),
            ),
        )
        .with("limit_headers", l.headers)
        .with("limit_bytes", l.header_bytes)
        .into_response();
    }
    next.run(req).await
}

/// Runs `app` on `listener` with the default [`NetOptions`] until `shutdown` completes
/// (see [`serve_with`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, app, NetOptions::default(), shutdown).await
}

/// Runs `app` on `listener`, each connection bounded as `options` says, until
/// `shutdown` completes; then it stops accepting, ends the long-lived responses, lets
/// the requests in flight finish (a command acknowledged is committed before its
/// response is sent) and returns, at the latest after `options.shutdown_deadline`.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    app: Router,
    options: NetOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let heads = HeadLimits {
        uri: options.max_uri_bytes,
        header_bytes: options.max_header_bytes,
        headers: options.max_headers,
    };
    let app = app
        .layer(axum::middleware::from_fn_with_state(
            options.body_read_timeout,
            body_deadline,
        ))
        .layer(axum::middleware::from_fn_with_state(heads, limit_head));
    let options = Arc::new(options);
    let cap = options.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let permits = Arc::new(Semaphore::new(cap));
    let (stop_tx, stop) = ShutdownSignal::new();
    let registry: Registry = Arc::default();
    let mut next_id = 0u64;
    let mut connections = tokio::task::JoinSet::new();
    let shutdown = shutdown;
    tokio::pin!(shutdown);
    'accept: loop {
        while connections.try_join_next().is_some() {}
        let accepted = tokio::select! {
            a = listener.accept() => a,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of descriptors or a connection reset before it was accepted: wait a
                // little (the descriptors come back as connections close) and go on.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let permit = loop {
            match Arc::clone(&permits).try_acquire_owned() {
                Ok(p) => break p,
                Err(tokio::sync::TryAcquireError::Closed) => break 'accept,
                Err(tokio::sync::TryAcquireError::NoPermits) => {}
            }
            // At the cap: the connection idle longest makes room; when all are busy, the
            // new one waits for one to end.
            evict_idle(&registry);
            tokio::select! {
                p = Arc::clone(&permits).acquire_owned() => match p {
                    Ok(p) => break p,
                    Err(_) => break 'accept,
                },
                () = tokio::time::sleep(Duration::from_millis(100)) => {}
                () = &mut shutdown => break 'accept,
            }
        };
        let _ = stream.set_nodelay(true);
        let activity = Activity::new();
        next_id += 1;
        lock_registry(&registry).insert(next_id, Arc::clone(&activity));
        let registered = Registered {
            registry: Arc::clone(&registry),
            id: next_id,
        };
        connections.spawn(connection(
            stream,
            peer,
            app.clone(),
            Arc::clone(&options),
            stop.clone(),
            activity,
            (permit, registered),
        ));
    }
    drop(listener);
    tracing::info!("shutting down: ending streams, finishing the requests in flight");
    let _ = stop_tx.send(true);
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(options.shutdown_deadline, drained)
        .await
        .is_err()
    {
        tracing::warn!(
            open = connections.len(),
            "shutdown deadline passed: dropping the connections still open"
        );
        connections.abort_all();
        while connections.join_next().await.is_some() {}
    }
    Ok(())
}

/// Serves one connection until it ends, its timeouts close it, or the shutdown.
async fn connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    app: Router,
    options: Arc<NetOptions>,
    stop: ShutdownSignal,
    activity: Arc<Activity>,
    _held: (tokio::sync::OwnedSemaphorePermit, Registered),
) {
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: Arc::clone(&activity),
    });
    let service = {
        let activity = Arc::clone(&activity);
        let stop = stop.clone();
        hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
            let mut req = req.map(Body::new);
            req.extensions_mut().insert(ConnectInfo(peer));
            req.extensions_mut().insert(stop.clone());
            activity.begin();
            let activity = Arc::clone(&activity);
            let app = app.clone();
            async move {
                let resp = match app.oneshot(req).await {
                    Ok(r) => r,
                    Err(never) => match never {},
                };
                Ok::<_, std::convert::Infallible>(resp.map(|b| {
                    Body::new(Tracked {
                        inner: b,
                        activity: Some(activity),
                    })
                }))
            }
        })
    };
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        // The timeouts are this module's (see `Activity`), not hyper's.
        .header_read_timeout(None)
        .keep_alive(true)
        // Kept above the limits `limit_head` enforces, so that it answers first.
        .max_buf_size(
            (options.max_uri_bytes + options.max_header_bytes)
                .saturating_mul(2)
                .max(64 * 1024),
        )
        .max_headers(options.max_headers.saturating_mul(4).max(100));
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    let mut stopping = false;
    loop {
        let deadline = activity.deadline(&options);
        let changed = activity.changed.notified();
        let close = activity.close.notified();
        tokio::select! {
            r = conn.as_mut() => {
                if let Err(e) = r {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                }
                return;
            }
            () = sleep_until(deadline) => {
                if activity.deadline(&options).is_some_and(|d| d <= Instant::now()) {
                    tracing::debug!(%peer, "connection timed out");
                    return;
                }
            }
            () = changed => {}
            () = close => {
                if activity.deadline(&options).is_some() {
                    tracing::debug!(%peer, "idle connection closed to make room");
                    return;
                }
            }
            () = stop.wait(), if !stopping => {
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}
