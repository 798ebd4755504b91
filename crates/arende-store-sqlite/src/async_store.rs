//! [`AsyncSqliteStore`]: the SQLite store for async code (feature `tokio`).
//!
//! SQLite calls block (on locks and on fsync). Each call here moves the work to tokio's
//! blocking pool with `spawn_blocking` and awaits it, so the runtime's worker threads
//! never block. Group commit works as in [`SqliteStore`]: appends from many tasks that
//! arrive together share one transaction.

use std::collections::BTreeMap;
use std::sync::Arc;

use arende_core::ids::TenantId;
use arende_core::store::{
    AppendRequest, Appended, EventStore, Outbox, OutboxRecord, RecordedEvent, StoreError, StreamId,
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::SqliteStore;

/// An async facade over a shared [`SqliteStore`]. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AsyncSqliteStore {
    inner: Arc<SqliteStore>,
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Backend {
            backend: "sqlite",
            source: Box::new(e),
        })?
}

impl AsyncSqliteStore {
    /// Wraps a store.
    pub fn new(store: Arc<SqliteStore>) -> Self {
        AsyncSqliteStore { inner: store }
    }

    /// The synchronous store underneath (for code that runs on a blocking thread).
    pub fn sync_store(&self) -> &Arc<SqliteStore> {
        &self.inner
    }

    /// [`EventStore::append`] without blocking the runtime.
    pub async fn append(&self, request: AppendRequest) -> Result<Appended, StoreError> {
        let s = self.inner.clone();
        blocking(move || s.append(request)).await
    }

    /// [`EventStore::read_stream`] without blocking the runtime.
    pub async fn read_stream(
        &self,
        tenant: TenantId,
        stream: StreamId,
        from_version: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let s = self.inner.clone();
        blocking(move || s.read_stream(&tenant, &stream, from_version)).await
    }

    /// [`EventStore::read_all`] without blocking the runtime.
    pub async fn read_all(
        &self,
        after: u64,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let s = self.inner.clone();
        blocking(move || s.read_all(after, limit)).await
    }

    /// [`Outbox::claim`] without blocking the runtime.
    pub async fn claim(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: usize,
    ) -> Result<Vec<OutboxRecord>, StoreError> {
        let s = self.inner.clone();
        blocking(move || s.claim(now, lease, limit)).await
    }

    /// [`Outbox::mark_delivered`] without blocking the runtime.
    pub async fn mark_delivered(&self, id: Uuid) -> Result<(), StoreError> {
        let s = self.inner.clone();
        blocking(move || s.mark_delivered(id)).await
    }

    /// [`Outbox::mark_failed`] without blocking the runtime.
    pub async fn mark_failed(
        &self,
        id: Uuid,
        error: String,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let s = self.inner.clone();
        blocking(move || s.mark_failed(id, &error, retry_at)).await
    }

    /// [`Outbox::parked`] without blocking the runtime.
    pub async fn parked(&self, tenant: TenantId) -> Result<Vec<OutboxRecord>, StoreError> {
        let s = self.inner.clone();
        blocking(move || s.parked(&tenant)).await
    }

    /// [`Outbox::outbox_counts`] without blocking the runtime.
    pub async fn outbox_counts(
        &self,
        tenant: TenantId,
    ) -> Result<BTreeMap<String, u64>, StoreError> {
        let s = self.inner.clone();
        blocking(move || s.outbox_counts(&tenant)).await
    }
}
