//! The storage contract: an append-only event log with optimistic concurrency, plus the
//! outbox that carries notifications out in the same transaction as the events that
//! cause them. The in-memory store here is the reference every adapter is tested against.
//!
//! # Contract
//! - [`EventStore::append`] writes all of a command's events **and** its outbox messages
//!   atomically, or nothing. It checks the expected version: if the stream is not at it,
//!   the result is [`StoreError::Conflict`] and nothing is written. Versions in a stream
//!   start at 1 and increase by one with no gaps.
//! - Appending again with a `command_id` already recorded on the same stream writes
//!   nothing and returns the original outcome with `duplicate = true` (idempotent retry).
//! - [`EventStore::read_all`] returns events in **commit order**: a reader that follows
//!   "position > last seen" never skips an event, even one whose transaction began
//!   before another's but committed after it.
//! - Streams are scoped by tenant: the same stream name in two tenants are two streams.
//! - Stores keep event types and payloads as opaque text: decoding (and the error for
//!   a corrupt or unknown event) belongs to the core, see [`crate::aggregate`].
//! - Instants (`recorded_at`, `available_at`) are kept at least to the microsecond
//!   (PostgreSQL's precision); finer digits may be dropped.
//! - The conformance suite in `arende-store-testsuite` checks every point above; every
//!   store, this one included, runs it unchanged.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use uuid::Uuid;

use crate::ids::{CommandId, TenantId};

/// A stream name within a tenant, e.g. `matter-0193…`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StreamId(pub String);

impl StreamId {
    /// Makes a stream id.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    /// The stream id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for StreamId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The version a writer expects a stream to be at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExpectedVersion {
    /// The stream must not exist yet.
    NoStream,
    /// The stream's last version must be exactly this (≥ 1).
    Exact(u64),
    /// No check (only for streams with a single writer by construction).
    Any,
}

impl ExpectedVersion {
    /// The expected version as a number, where 0 means "no stream".
    pub fn as_number(self) -> Option<u64> {
        match self {
            ExpectedVersion::NoStream => Some(0),
            ExpectedVersion::Exact(v) => Some(v),
            ExpectedVersion::Any => None,
        }
    }

    /// The expected version for a stream currently at `version` (0 = no stream).
    pub fn at(version: u64) -> Self {
        if version == 0 {
            ExpectedVersion::NoStream
        } else {
            ExpectedVersion::Exact(version)
        }
    }
}

/// One event to append.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventData {
    /// The event's type name, e.g. `MatterRegistered`.
    pub event_type: String,
    /// The event's payload, JSON text. Stores keep it byte for byte.
    pub payload: String,
}

/// An outbox message written with the events of a command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// The message id; also the idempotency key in every transport.
    pub id: Uuid,
    /// What kind of notification this is, e.g. `notice` or `feedback`.
    pub kind: String,
    /// The notification, JSON text.
    pub payload: String,
    /// Not to be delivered before this instant (e.g. a reminder).
    pub available_at: DateTime<Utc>,
}

/// A command's events and outbox messages, appended atomically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendRequest {
    /// The organisation the stream belongs to.
    pub tenant: TenantId,
    /// The stream appended to.
    pub stream: StreamId,
    /// The version the writer expects the stream to be at.
    pub expected: ExpectedVersion,
    /// The command's id: a retry with the same id writes nothing twice.
    pub command_id: CommandId,
    /// Who issued the command (person id or system name).
    pub actor: String,
    /// When the command was executed (from the injected clock).
    pub recorded_at: DateTime<Utc>,
    /// The events, in order. May be empty only if `outbox` is not.
    pub events: Vec<EventData>,
    /// The outbox messages.
    pub outbox: Vec<OutboxMessage>,
}

/// What an append did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// The stream's version after the append (the last event's version).
    pub version: u64,
    /// The global position of the last event written (0 if none).
    pub position: u64,
    /// `true` when the command id had been appended before and nothing was written now.
    pub duplicate: bool,
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedEvent {
    /// The global position, in commit order, across all tenants (starts at 1).
    pub position: u64,
    /// The organisation.
    pub tenant: TenantId,
    /// The stream.
    pub stream: StreamId,
    /// The version within the stream (starts at 1).
    pub version: u64,
    /// The event's type name.
    pub event_type: String,
    /// The payload, JSON text as appended.
    pub payload: String,
    /// Who issued the command.
    pub actor: String,
    /// The command that wrote the event.
    pub command_id: CommandId,
    /// When the command was executed.
    pub recorded_at: DateTime<Utc>,
}

/// An outbox message as the dispatcher sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxRecord {
    /// The organisation.
    pub tenant: TenantId,
    /// The message.
    pub message: OutboxMessage,
    /// How many deliveries have been tried and failed.
    pub attempts: u32,
    /// The last error, if any.
    pub last_error: Option<String>,
    /// Where the message stands.
    pub status: OutboxStatus,
}

/// The state of an outbox message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutboxStatus {
    /// Waiting to be delivered (at or after its `available_at`).
    Pending,
    /// Claimed by a dispatcher until the lease runs out.
    Claimed,
    /// Delivered.
    Delivered,
    /// Given up on after repeated failures; visible to the operators.
    Parked,
}

/// Errors from a store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The stream was not at the expected version: another writer came first.
    #[error(
        "conflict on stream {stream} of {tenant}: expected version {expected:?}, found {actual}"
    )]
    Conflict {
        /// The organisation.
        tenant: TenantId,
        /// The stream.
        stream: StreamId,
        /// What the writer expected.
        expected: ExpectedVersion,
        /// The stream's actual version (0 = no stream).
        actual: u64,
    },
    /// The request itself is invalid (e.g. nothing to append).
    #[error("invalid append to stream {stream}: {reason}")]
    InvalidRequest {
        /// The stream.
        stream: StreamId,
        /// What is wrong.
        reason: String,
    },
    /// No outbox message with this id.
    #[error("no outbox message {0}")]
    UnknownMessage(Uuid),
    /// The backend failed (I/O, driver, schema).
    #[error("{backend} store failed")]
    Backend {
        /// Which backend (`sqlite`, `postgres`).
        backend: &'static str,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// The event log. See the module docs for the contract.
pub trait EventStore: Send + Sync {
    /// Appends a command's events and outbox messages atomically with an expected
    /// version check (see the module's contract).
    fn append(&self, request: AppendRequest) -> Result<Appended, StoreError>;

    /// Reads a stream's events with version ≥ `from_version`, in version order. An
    /// unknown stream reads as empty.
    fn read_stream(
        &self,
        tenant: &TenantId,
        stream: &StreamId,
        from_version: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError>;

    /// Reads up to `limit` events of all tenants with position > `after`, in commit order.
    fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError>;
}

/// The outbox side of a store: what a dispatcher needs.
///
/// # Contract
/// - `claim` hands each pending message whose `available_at` ≤ `now` to one claimer at
///   a time, for `lease`; a claim that is neither delivered nor failed before the lease
///   ends is pending again (a dispatcher that died does not lose messages).
/// - `mark_failed` with `retry_at = Some(t)` makes the message pending again at `t`;
///   with `None` it parks it for good.
pub trait Outbox: Send + Sync {
    /// Claims up to `limit` deliverable messages, oldest first.
    fn claim(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: usize,
    ) -> Result<Vec<OutboxRecord>, StoreError>;
    /// Marks a message delivered.
    fn mark_delivered(&self, id: Uuid) -> Result<(), StoreError>;
    /// Records a failed delivery; retry at `retry_at`, or park it when `None`.
    fn mark_failed(
        &self,
        id: Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError>;
    /// The parked messages of a tenant.
    fn parked(&self, tenant: &TenantId) -> Result<Vec<OutboxRecord>, StoreError>;
    /// Up to `limit` of a tenant's messages not yet delivered (pending, claimed or
    /// parked), oldest first, read without claiming them: nothing changes.
    fn undelivered(&self, tenant: &TenantId, limit: usize)
    -> Result<Vec<OutboxRecord>, StoreError>;
    /// Counts a tenant's messages per status (for operators and tests).
    fn outbox_counts(&self, tenant: &TenantId) -> Result<BTreeMap<String, u64>, StoreError>;
}

impl<T: EventStore + ?Sized> EventStore for std::sync::Arc<T> {
    fn append(&self, request: AppendRequest) -> Result<Appended, StoreError> {
        (**self).append(request)
    }
    fn read_stream(
        &self,
        tenant: &TenantId,
        stream: &StreamId,
        from_version: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        (**self).read_stream(tenant, stream, from_version)
    }
    fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        (**self).read_all(after, limit)
    }
}

impl<T: Outbox + ?Sized> Outbox for std::sync::Arc<T> {
    fn claim(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: usize,
    ) -> Result<Vec<OutboxRecord>, StoreError> {
        (**self).claim(now, lease, limit)
    }
    fn mark_delivered(&self, id: Uuid) -> Result<(), StoreError> {
        (**self).mark_delivered(id)
    }
    fn mark_failed(
        &self,
        id: Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        (**self).mark_failed(id, error, retry_at)
    }
    fn parked(&self, tenant: &TenantId) -> Result<Vec<OutboxRecord>, StoreError> {
        (**self).parked(tenant)
    }
    fn undelivered(
        &self,
        tenant: &TenantId,
        limit: usize,
    ) -> Result<Vec<OutboxRecord>, StoreError> {
        (**self).undelivered(tenant, limit)
    }
    fn outbox_counts(&self, tenant: &TenantId) -> Result<BTreeMap<String, u64>, StoreError> {
        (**self).outbox_counts(tenant)
    }
}

/// The name of an outbox status as used in [`Outbox::outbox_counts`].
pub fn status_name(status: OutboxStatus) -> &'static str {
    match status {
        OutboxStatus::Pending => "pending",
        OutboxStatus::Claimed => "claimed",
        OutboxStatus::Delivered => "delivered",
        OutboxStatus::Parked => "parked",
    }
}

#[derive(Default)]
struct MemoryInner {
    log: Vec<RecordedEvent>,
    /// Per tenant and stream (nested, so a lookup borrows the ids instead of cloning them
    /// into a tuple key).
    streams: HashMap<TenantId, HashMap<StreamId, MemoryStream>>,
    outbox: Vec<MemoryOutboxEntry>,
}

/// One stream: where its events are in the log, and the commands that wrote it.
#[derive(Default)]
struct MemoryStream {
    events: Vec<usize>,
    commands: HashMap<CommandId, Appended>,
}

struct MemoryOutboxEntry {
    record: OutboxRecord,
    claimed_until: Option<DateTime<Utc>>,
    seq: u64,
}

/// The in-memory store: the reference implementation of [`EventStore`] and [`Outbox`].
#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<MemoryInner>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryInner> {
        // A panic while holding the lock cannot leave a half-applied append (appends are
        // applied after all checks), so a poisoned lock is still consistent.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl EventStore for MemoryStore {
    fn append(&self, req: AppendRequest) -> Result<Appended, StoreError> {
        if req.events.is_empty() && req.outbox.is_empty() {
            return Err(StoreError::InvalidRequest {
                stream: req.stream,
                reason: "nothing to append".into(),
            });
        }
        let mut guard = self.lock();
        let inner = &mut *guard;
        let AppendRequest {
            tenant,
            stream,
            expected,
            command_id,
            actor,
            recorded_at,
            events,
            outbox,
        } = req;
        let existing = inner.streams.get(&tenant).and_then(|t| t.get(&stream));
        if let Some(done) = existing.and_then(|s| s.commands.get(&command_id)) {
            return Ok(Appended {
                duplicate: true,
                ..*done
            });
        }
        let actual = existing.map_or(0, |s| s.events.len() as u64);
        if let Some(n) = expected.as_number()
            && n != actual
        {
            return Err(StoreError::Conflict {
                tenant,
                stream,
                expected,
                actual,
            });
        }
        let first = inner.log.len();
        let mut version = actual;
        inner.log.reserve(events.len());
        for e in events {
            version += 1;
            inner.log.push(RecordedEvent {
                position: inner.log.len() as u64 + 1,
                tenant: tenant.clone(),
                stream: stream.clone(),
                version,
                event_type: e.event_type,
                payload: e.payload,
                actor: actor.clone(),
                command_id,
                recorded_at,
            });
        }
        let last = inner.log.len();
        let position = if last > first { last as u64 } else { 0 };
        for m in outbox {
            let seq = inner.outbox.len() as u64;
            inner.outbox.push(MemoryOutboxEntry {
                record: OutboxRecord {
                    tenant: tenant.clone(),
                    message: m,
                    attempts: 0,
                    last_error: None,
                    status: OutboxStatus::Pending,
                },
                claimed_until: None,
                seq,
            });
        }
        let done = Appended {
            version,
            position,
            duplicate: false,
        };
        let entry = inner
            .streams
            .entry(tenant)
            .or_default()
            .entry(stream)
            .or_default();
        entry.events.extend(first..last);
        entry.commands.insert(command_id, done);
        Ok(done)
    }

    fn read_stream(
        &self,
        tenant: &TenantId,
        stream: &StreamId,
        from_version: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let inner = self.lock();
        let Some(idxs) = inner
            .streams
            .get(tenant)
            .and_then(|t| t.get(stream))
            .map(|s| &s.events)
        else {
            return Ok(Vec::new());
        };
        let skip = from_version.saturating_sub(1) as usize;
        Ok(idxs
            .iter()
            .skip(skip)
            .map(|&i| inner.log[i].clone())
            .collect())
    }

    fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let inner = self.lock();
        Ok(inner
            .log
            .iter()
            .skip(after as usize)
            .take(limit)
            .cloned()
            .collect())
    }
}

impl Outbox for MemoryStore {
    fn claim(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: usize,
    ) -> Result<Vec<OutboxRecord>, StoreError> {
        let mut inner = self.lock();
        let mut ready: Vec<usize> = inner
            .outbox
            .iter()
            .enumerate()
            .filter(|(_, e)| match e.record.status {
                OutboxStatus::Pending => e.record.message.available_at <= now,
                OutboxStatus::Claimed => e.claimed_until.is_some_and(|t| t <= now),
                _ => false,
            })
            .map(|(i, _)| i)
            .collect();
        ready.sort_by_key(|&i| {
            let e = &inner.outbox[i];
            (e.record.message.available_at, e.seq)
        });
        ready.truncate(limit);
        let mut out = Vec::with_capacity(ready.len());
        for i in ready {
            let e = &mut inner.outbox[i];
            e.record.status = OutboxStatus::Claimed;
            e.claimed_until = Some(now + lease);
            out.push(e.record.clone());
        }
        Ok(out)
    }

    fn mark_delivered(&self, id: Uuid) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let e = inner
            .outbox
            .iter_mut()
            .find(|e| e.record.message.id == id)
            .ok_or(StoreError::UnknownMessage(id))?;
        e.record.status = OutboxStatus::Delivered;
        e.claimed_until = None;
        Ok(())
    }

    fn mark_failed(
        &self,
        id: Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let e = inner
            .outbox
            .iter_mut()
            .find(|e| e.record.message.id == id)
            .ok_or(StoreError::UnknownMessage(id))?;
        e.record.attempts += 1;
        e.record.last_error = Some(error.to_owned());
        e.claimed_until = None;
        match retry_at {
            Some(t) => {
                e.record.status = OutboxStatus::Pending;
                e.record.message.available_at = t;
            }
            None => e.record.status = OutboxStatus::Parked,
        }
        Ok(())
    }

    fn parked(&self, tenant: &TenantId) -> Result<Vec<OutboxRecord>, StoreError> {
        let inner = self.lock();
        Ok(inner
            .outbox
            .iter()
            .filter(|e| &e.record.tenant == tenant && e.record.status == OutboxStatus::Parked)
            .map(|e| e.record.clone())
            .collect())
    }

    fn undelivered(
        &self,
        tenant: &TenantId,
        limit: usize,
    ) -> Result<Vec<OutboxRecord>, StoreError> {
        let inner = self.lock();
        Ok(inner
            .outbox
            .iter()
            .filter(|e| &e.record.tenant == tenant && e.record.status != OutboxStatus::Delivered)
            .take(limit)
            .map(|e| e.record.clone())
            .collect())
    }

    fn outbox_counts(&self, tenant: &TenantId) -> Result<BTreeMap<String, u64>, StoreError> {
        let inner = self.lock();
        let mut counts = BTreeMap::new();
        for e in inner.outbox.iter().filter(|e| &e.record.tenant == tenant) {
            *counts
                .entry(status_name(e.record.status).to_owned())
                .or_insert(0) += 1;
        }
        Ok(counts)
    }
}
