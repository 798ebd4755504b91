//! The service's shared state (tillstånd): the deployment (the counties served), the
//! authenticator, the metrics, the idempotency records of commands sent with an
//! `Idempotency-Key`, the watch that wakes long-polling followers of the change feed
//! when a command commits, and the limits of the public surface (see [`crate::public`]).

use std::sync::Arc;

use arende_core::deployment::Deployment;
use arende_core::store::{IdempotencyStore, MemoryIdempotency, Outbox};
use axum::extract::FromRef;
use tokio::sync::Notify;

use crate::auth::Authenticator;
use crate::feed::FeedWatch;
use crate::metrics::Metrics;
use crate::net::NetOptions;
use crate::public::{AnonymousLimiter, OpsAccess, PublicLimit};

/// How the service is set up besides its counties.
pub struct ServerOptions {
    /// Who may call (see [`crate::auth`]).
    pub auth: Authenticator,
    /// The largest request body accepted, in bytes (default 1 MiB).
    pub max_body_bytes: usize,
    /// The store's outbox, for the outbox metrics (`None`: not reported).
    pub outbox: Option<Arc<dyn Outbox>>,
    /// Where the idempotency records of commands sent with an `Idempotency-Key` are
    /// kept: the store the counties run on (SQLite and PostgreSQL implement
    /// [`IdempotencyStore`]), so that a key holds across restarts and instances.
    /// `None`: in this process's memory only.
    pub idempotency: Option<Arc<dyn IdempotencyStore>>,
    /// The longest a long poll of the change feed (`wait=`) is held (default, and at
    /// most, 60 seconds).
    pub max_wait: std::time::Duration,
    /// The connections' cap, timeouts and request-head limits (see [`crate::net`]);
    /// applied by [`crate::serve_with`].
    pub net: NetOptions,
    /// Who may read `/metrics` and `/openapi.json` on the public listener (default:
    /// callers with valid credentials).
    pub ops_access: OpsAccess,
    /// The rate limit per client address of anonymous requests to the public pages
    /// (dashboard, OParl, feeds, metrics).
    pub public_limit: PublicLimit,
    /// Ignored: replays come from the idempotency records ([`ServerOptions::idempotency`]),
    /// which hold across restarts. Kept for one release.
    #[deprecated(
        since = "0.1.0",
        note = "replays come from the store's idempotency records: set `idempotency`; this field is ignored"
    )]
    pub replay_capacity: usize,
}

impl ServerOptions {
    /// Options with this authenticator and the defaults otherwise.
    #[allow(deprecated)]
    pub fn new(auth: Authenticator) -> Self {
        ServerOptions {
            auth,
            max_body_bytes: 1 << 20,
            outbox: None,
            idempotency: None,
            max_wait: std::time::Duration::from_secs(60),
            net: NetOptions::default(),
            ops_access: OpsAccess::default(),
            public_limit: PublicLimit::default(),
            replay_capacity: 0,
        }
    }
}

struct Inner {
    deployment: Arc<Deployment>,
    auth: Authenticator,
    metrics: Metrics,
    idempotency: Arc<dyn IdempotencyStore>,
    watch: Arc<FeedWatch>,
    outbox: Option<Arc<dyn Outbox>>,
    max_body_bytes: usize,
    max_wait: std::time::Duration,
    net: NetOptions,
    ops_access: OpsAccess,
    anonymous: AnonymousLimiter,
}

/// The state every handler shares (cheap to clone).
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("deployment", &self.0.deployment)
            .finish()
    }
}

impl AppState {
    /// The state of a service for `deployment`.
    pub fn new(
        deployment: Arc<Deployment>,
        options: ServerOptions,
    ) -> Result<Self, prometheus::Error> {
        Ok(AppState(Arc::new(Inner {
            deployment,
            auth: options.auth,
            metrics: Metrics::new()?,
            idempotency: options
                .idempotency
                .unwrap_or_else(|| Arc::new(MemoryIdempotency::new())),
            watch: Arc::new(FeedWatch::default()),
            outbox: options.outbox,
            max_body_bytes: options.max_body_bytes,
            max_wait: options.max_wait.min(std::time::Duration::from_secs(60)),
            net: options.net,
            ops_access: options.ops_access,
            anonymous: AnonymousLimiter::new(options.public_limit),
        })))
    }

    /// The connections' options (for [`crate::serve_with`]).
    pub fn net(&self) -> &NetOptions {
        &self.0.net
    }

    /// Who may read `/metrics` and `/openapi.json` on the public listener.
    pub fn ops_access(&self) -> OpsAccess {
        self.0.ops_access
    }

    /// The per-address limiter of anonymous requests.
    pub fn anonymous(&self) -> &AnonymousLimiter {
        &self.0.anonymous
    }

    /// The change feed's watch: its waiters and the one task that looks for commits
    /// of other processes.
    pub fn feed_watch(&self) -> &Arc<FeedWatch> {
        &self.0.watch
    }

    /// The longest a long poll of the change feed is held.
    pub fn max_wait(&self) -> std::time::Duration {
        self.0.max_wait
    }

    /// The counties served.
    pub fn deployment(&self) -> Arc<Deployment> {
        Arc::clone(&self.0.deployment)
    }

    /// The authenticator.
    pub fn auth(&self) -> &Authenticator {
        &self.0.auth
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    /// The idempotency records of commands sent with an `Idempotency-Key`.
    pub fn idempotency(&self) -> &Arc<dyn IdempotencyStore> {
        &self.0.idempotency
    }

    /// Woken when a command commits (followers of the change feed wait on it): by
    /// this server's commands at once, and by the feed's watch when it finds events
    /// that others wrote (the dispatcher, the policies, other processes).
    pub fn changes(&self) -> &Notify {
        self.0.watch.changes()
    }

    /// The store's outbox, if known.
    pub fn outbox(&self) -> Option<&Arc<dyn Outbox>> {
        self.0.outbox.as_ref()
    }

    /// The largest request body accepted.
    pub fn max_body_bytes(&self) -> usize {
        self.0.max_body_bytes
    }
}

impl FromRef<AppState> for Arc<Deployment> {
    fn from_ref(state: &AppState) -> Self {
        state.deployment()
    }
}
