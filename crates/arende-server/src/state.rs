//! The service's shared state (tillstånd): the deployment (the counties served), the
//! authenticator, the metrics, the idempotency records of commands sent with an
//! `Idempotency-Key`, and a signal that wakes long-polling followers of the change feed
//! when a command commits.

use std::sync::Arc;

use arende_core::deployment::Deployment;
use arende_core::store::{IdempotencyStore, MemoryIdempotency, Outbox};
use axum::extract::FromRef;
use tokio::sync::Notify;

use crate::auth::Authenticator;
use crate::metrics::Metrics;

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
}

impl ServerOptions {
    /// Options with this authenticator and the defaults otherwise.
    pub fn new(auth: Authenticator) -> Self {
        ServerOptions {
            auth,
            max_body_bytes: 1 << 20,
            outbox: None,
            idempotency: None,
            max_wait: std::time::Duration::from_secs(60),
        }
    }
}

struct Inner {
    deployment: Arc<Deployment>,
    auth: Authenticator,
    metrics: Metrics,
    idempotency: Arc<dyn IdempotencyStore>,
    changes: Notify,
    outbox: Option<Arc<dyn Outbox>>,
    max_body_bytes: usize,
    max_wait: std::time::Duration,
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
            changes: Notify::new(),
            outbox: options.outbox,
            max_body_bytes: options.max_body_bytes,
            max_wait: options.max_wait.min(std::time::Duration::from_secs(60)),
        })))
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

    /// Woken when a command commits (followers of the change feed wait on it).
    pub fn changes(&self) -> &Notify {
        &self.0.changes
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
