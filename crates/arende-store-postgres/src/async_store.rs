//! [`AsyncPgStore`]: the PostgreSQL store for async code that must never block a runtime
//! worker.
//!
//! [`PgStore`]'s trait methods hand their work to the store's own runtime and wait for
//! the answer: from async code that is a short block of the calling worker (one round
//! trip). The methods here instead *await* the store's runtime, so the caller's worker
//! is free meanwhile, in a multi-thread or a current-thread runtime alike. Reads and
//! outbox calls run as tasks on the store's runtime; an append goes through the shared
//! group commit on the store's runtime's blocking pool, so appends from many tasks
//! still share transactions.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use arende_core::ids::TenantId;
use arende_core::store::{
    AppendRequest, Appended, EventRef, EventStore, OutboxRecord, RecordedEvent, StoreError,
    StreamId,
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Inner, OwnRuntime, PgConfig, PgError, PgStore, backend};

/// An async facade over a shared [`PgStore`]. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AsyncPgStore {
    store: Arc<PgStore>,
}

impl AsyncPgStore {
    /// Connects (as [`PgStore::connect`]) without blocking the caller's runtime.
    pub async fn connect(config: PgConfig) -> Result<Self, StoreError> {
        let runtime = OwnRuntime::start()?;
        let handle = runtime
            .handle()
            .cloned()
            .ok_or_else(|| backend(PgError::RuntimeGone))?;
        let inner = handle
            .spawn(PgStore::open(config.clone()))
            .await
            .map_err(backend)??;
        Ok(AsyncPgStore {
            store: Arc::new(PgStore::assemble(inner, &config, runtime)),
        })
    }

    /// Wraps a store.
    pub fn new(store: Arc<PgStore>) -> Self {
        AsyncPgStore { store }
    }

    /// The synchronous store underneath (for the core's traits).
    pub fn sync_store(&self) -> &Arc<PgStore> {
        &self.store
    }

    async fn on<T: Send + 'static, F>(
        &self,
        work: impl FnOnce(Arc<Inner>) -> F,
    ) -> Result<T, StoreError>
    where
        F: Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        let handle = self
            .store
            .handle()
            .ok_or_else(|| backend(PgError::RuntimeGone))?;
        handle
            .spawn(work(self.store.inner.clone()))
            .await
            .map_err(backend)?
    }

    /// [`EventStore::append`] without blocking the caller's runtime.
    pub async fn append(&self, request: AppendRequest) -> Result<Appended, StoreError> {
        let handle = self
            .store
            .handle()
            .ok_or_else(|| backend(PgError::RuntimeGone))?;
        let store = self.store.clone();
        handle
            .spawn_blocking(move || store.append(request))
            .await
            .map_err(backend)?
    }

    /// [`EventStore::read_stream`] without blocking the caller's runtime.
    pub async fn read_stream(
        &self,
        tenant: TenantId,
        stream: StreamId,
        from_version: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        self.on(move |i| async move { i.read_stream(tenant, stream, from_version).await })
            .await
    }

    /// [`EventStore::read_all`] without blocking the caller's runtime.
    pub async fn read_all(
        &self,
        after: u64,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        self.on(move |i| async move { i.read_log(None, after, limit).await })
            .await
    }

    /// [`EventStore::read_tenant`] without blocking the caller's runtime.
    pub async fn read_tenant(
        &self,
        tenant: TenantId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        self.on(move |i| async move { i.read_log(Some(tenant), after, limit).await })
            .await
    }

    /// [`EventStore::visit_tenant`] without blocking the caller's runtime: the rows are
    /// read on the store's runtime, then handed to `visit` here, borrowed.
    pub async fn visit_tenant(
        &self,
        tenant: TenantId,
        after: u64,
        limit: usize,
        visit: &mut (dyn FnMut(EventRef<'_>) + Send),
    ) -> Result<usize, StoreError> {
        let t = tenant.clone();
        let rows = self
            .on(move |i| async move { i.log_rows(Some(t), after, limit).await })
            .await?;
        crate::visit_log_rows(&rows, after, &tenant, visit)
    }

    /// [`arende_core::store::Outbox::claim`] without blocking the caller's runtime.
    pub async fn claim(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: usize,
    ) -> Result<Vec<OutboxRecord>, StoreError> {
        self.on(move |i| async move { i.claim(now, lease, limit).await })
            .await
    }

    /// [`arende_core::store::Outbox::mark_delivered`] without blocking the caller's
    /// runtime.
    pub async fn mark_delivered(&self, id: Uuid) -> Result<(), StoreError> {
        self.on(move |i| async move { i.mark_delivered(id).await })
            .await
    }

    /// [`arende_core::store::Outbox::mark_failed`] without blocking the caller's runtime.
    pub async fn mark_failed(
        &self,
        id: Uuid,
        error: String,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        self.on(move |i| async move { i.mark_failed(id, error, retry_at).await })
            .await
    }

    /// [`arende_core::store::Outbox::parked`] without blocking the caller's runtime.
    pub async fn parked(&self, tenant: TenantId) -> Result<Vec<OutboxRecord>, StoreError> {
        self.on(move |i| async move { i.parked(tenant).await })
            .await
    }

    /// [`arende_core::store::Outbox::outbox_counts`] without blocking the caller's
    /// runtime.
    pub async fn outbox_counts(
        &self,
        tenant: TenantId,
    ) -> Result<BTreeMap<String, u64>, StoreError> {
        self.on(move |i| async move { i.outbox_counts(tenant).await })
            .await
    }
}
