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
//! - [`EventStore::read_tenant`] is one tenant's part of that log, filtered by the store;
//!   [`EventStore::visit_tenant`] reads the same rows with the same checks but hands
//!   each event over borrowed ([`EventRef`]) instead of copying it into a
//!   [`RecordedEvent`] (for readers that only pass the stored text on, such as the
//!   change feed).
//! - Streams are scoped by tenant: the same stream name in two tenants are two streams.
//! - **Stored data is verified on read.** Every store passes the rows it read through
//!   [`verify_stream`] or [`verify_log`] (one shared check): a row that cannot be read
//!   (a NULL or non-UTF-8 payload, a bad command id, a bad timestamp), a version gap,
//!   swap or repeat, a row of another tenant or stream, or positions that do not
//!   increase is a [`StoreError::Corrupt`] naming tenant, stream and version. An append
//!   checks the stream's head with [`verify_head`] before its expected-version check,
//!   so nothing is ever appended onto a stream whose head does not add up. A bad stream
//!   fails only the reads that meet it: other streams, and other tenants' logs
//!   ([`EventStore::read_tenant`]), read as before; [`EventStore::read_all`] returns
//!   the events before a bad row and then fails naming it. A store that hands rows
//!   over one at a time checks each with [`LogCheck`], the row-by-row form of
//!   [`verify_log`]. [`verify_scan`] checks a
//!   whole store ([`ScanStore`]) and reports every problem.
//! - Stores keep event types and payloads as opaque text: decoding (and the error for
//!   a corrupt or unknown event) belongs to the core, see [`crate::aggregate`].
//! - Instants (`recorded_at`, `available_at`) are kept at least to the microsecond
//!   (PostgreSQL's precision); finer digits may be dropped.
//! - [`IdempotencyStore`] keeps what a service remembers of a request sent with an
//!   idempotency key: one record per (tenant, key), reserved before the command runs,
//!   with the request's fingerprint and caller and, once done, its response (see
//!   [`idempotency`]).
//! - The conformance suite in `arende-store-testsuite` checks every point above; every
//!   store, this one included, runs it unchanged.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

use crate::ids::{CommandId, FastMap, TenantId};

mod group;
pub mod idempotency;
pub use group::{AppendResult, GroupCommit, GroupConfig, GroupStats};
pub use idempotency::{
    IdempotencyRecord, IdempotencyStore, MemoryIdempotency, Reservation, ReserveRequest,
    StoredResponse,
};

/// A stream name within a tenant, e.g. `matter-0193…`.
///
/// The text is shared (`Arc<str>`): every stored event, append request and cache slot
/// names its stream, and a clone copies nothing. The JSON form is the bare string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId(Arc<str>);

impl StreamId {
    /// Makes a stream id.
    pub fn new(s: impl Into<String>) -> Self {
        Self(Arc::from(s.into()))
    }
    /// The stream id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `{prefix}-{key}` in one allocation (the shared text), as the engine names an
    /// aggregate's stream on every command.
    pub(crate) fn joined(prefix: &str, key: &str) -> Self {
        const ON_STACK: usize = 96;
        let len = prefix.len() + 1 + key.len();
        if len <= ON_STACK {
            let mut buf = [0u8; ON_STACK];
            buf[..prefix.len()].copy_from_slice(prefix.as_bytes());
            buf[prefix.len()] = b'-';
            buf[prefix.len() + 1..len].copy_from_slice(key.as_bytes());
            // Two UTF-8 texts joined by an ASCII byte are UTF-8.
            if let Ok(text) = std::str::from_utf8(&buf[..len]) {
                return Self(Arc::from(text));
            }
        }
        Self(Arc::from(format!("{prefix}-{key}")))
    }
}

impl From<StreamId> for String {
    fn from(s: StreamId) -> String {
        s.0.as_ref().to_owned()
    }
}

impl Serialize for StreamId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for StreamId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_str(crate::ids::SharedStrVisitor)
            .map(Self)
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
    /// The event's type name, e.g. `MatterRegistered`: borrowed from the event enum's
    /// static names when the engine writes, so appending one allocates nothing for it.
    pub event_type: Cow<'static, str>,
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
    /// Who issued the command (person id or `system:NAME`), shared by every event the
    /// command writes.
    pub actor: Arc<str>,
    /// When the command was executed (from the injected clock).
    pub recorded_at: DateTime<Utc>,
    /// The events, in order. May be empty only if `outbox` is not.
    pub events: Vec<EventData>,
    /// The outbox messages.
    pub outbox: Vec<OutboxMessage>,
}

/// The deepest nesting of arrays and objects an event's payload may have: well within
/// serde_json's recursion limit (127 levels), so that every stored payload reads back as
/// JSON (the change feed serves it as it is stored); the kernel's events nest a few
/// levels.
pub const MAX_PAYLOAD_DEPTH: usize = 64;

/// The check every store makes of an append request before it writes anything: there
/// is something to append, and no event's payload nests deeper than
/// [`MAX_PAYLOAD_DEPTH`] ([`StoreError::PayloadTooDeep`], naming the event).
pub fn validate_append(req: &AppendRequest) -> Result<(), StoreError> {
    if req.events.is_empty() && req.outbox.is_empty() {
        return Err(StoreError::InvalidRequest {
            stream: req.stream.clone(),
            reason: "nothing to append".into(),
        });
    }
    for (index, e) in req.events.iter().enumerate() {
        if nesting_exceeds(&e.payload, MAX_PAYLOAD_DEPTH) {
            return Err(StoreError::PayloadTooDeep {
                stream: req.stream.clone(),
                index,
                limit: MAX_PAYLOAD_DEPTH,
            });
        }
    }
    Ok(())
}

/// Whether JSON text nests arrays and objects deeper than `limit` (brackets inside
/// strings do not count). One pass over the bytes, nothing allocated; text that is not
/// JSON is measured the same way.
pub fn nesting_exceeds(text: &str, limit: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in text.as_bytes() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
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
    /// The event's type name (static when the memory store keeps what the engine
    /// appended; owned when read from a database row).
    pub event_type: Cow<'static, str>,
    /// The payload, JSON text as appended.
    pub payload: String,
    /// Who issued the command (shared by the events of one command).
    pub actor: Arc<str>,
    /// The command that wrote the event.
    pub command_id: CommandId,
    /// When the command was executed.
    pub recorded_at: DateTime<Utc>,
}

impl RecordedEvent {
    /// The event borrowed, as [`EventStore::visit_tenant`] hands it over.
    pub fn as_ref(&self) -> EventRef<'_> {
        EventRef {
            position: self.position,
            tenant: self.tenant.as_str(),
            stream: self.stream.as_str(),
            version: self.version,
            event_type: &self.event_type,
            payload: &self.payload,
            actor: &self.actor,
            command_id: self.command_id,
            recorded_at: self.recorded_at,
        }
    }
}

/// A stored event borrowed from the row a store read it from: the fields of a
/// [`RecordedEvent`] without copying its text. [`EventStore::visit_tenant`] hands these
/// over, so a reader that only passes the stored text on (the change feed writes the
/// payload into its response as it is) allocates nothing per event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRef<'a> {
    /// The global position, in commit order, across all tenants (starts at 1).
    pub position: u64,
    /// The organisation.
    pub tenant: &'a str,
    /// The stream.
    pub stream: &'a str,
    /// The version within the stream (starts at 1).
    pub version: u64,
    /// The event's type name.
    pub event_type: &'a str,
    /// The payload, JSON text as appended (stores keep it opaque: it is not decoded).
    pub payload: &'a str,
    /// Who issued the command.
    pub actor: &'a str,
    /// The command that wrote the event.
    pub command_id: CommandId,
    /// When the command was executed.
    pub recorded_at: DateTime<Utc>,
}

impl EventRef<'_> {
    /// The event as an owned [`RecordedEvent`].
    pub fn to_recorded(&self) -> RecordedEvent {
        RecordedEvent {
            position: self.position,
            tenant: TenantId::new(self.tenant),
            stream: StreamId::new(self.stream),
            version: self.version,
            event_type: Cow::Owned(self.event_type.to_owned()),
            payload: self.payload.to_owned(),
            actor: Arc::from(self.actor),
            command_id: self.command_id,
            recorded_at: self.recorded_at,
        }
    }
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
    /// An event's payload nests arrays and objects deeper than [`MAX_PAYLOAD_DEPTH`]:
    /// it could not be read back as JSON, so it is not stored.
    #[error(
        "invalid append to stream {stream}: the payload of event {index} nests deeper than {limit} levels"
    )]
    PayloadTooDeep {
        /// The stream.
        stream: StreamId,
        /// The event's place in the request (0 for the first).
        index: usize,
        /// The deepest nesting allowed ([`MAX_PAYLOAD_DEPTH`]).
        limit: usize,
    },
    /// No outbox message with this id.
    #[error("no outbox message {0}")]
    UnknownMessage(Uuid),
    /// Stored data is corrupt: a row cannot be read (a NULL or non-UTF-8 payload, a bad
    /// command id, a bad timestamp), or rows break the stream's or the log's invariants
    /// (versions 1, 2, 3 … without gaps or swaps, rows of the tenant and stream asked
    /// for, increasing positions). Names the row: nothing is appended onto such a
    /// stream, and other streams read as before.
    #[error("corrupt stored event at version {version} of stream {stream} of {tenant}: {problem}")]
    Corrupt {
        /// The organisation the row is stored under.
        tenant: TenantId,
        /// The stream the row is stored under.
        stream: StreamId,
        /// The version concerned (for a missing or misplaced version, the one that was
        /// due there).
        version: u64,
        /// What is wrong.
        problem: Corruption,
    },
    /// The backend failed (I/O, driver, schema).
    #[error("{backend} store failed: {source}")]
    Backend {
        /// Which backend (`sqlite`, `postgres`).
        backend: &'static str,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// What is wrong with a stored event row (see [`StoreError::Corrupt`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Corruption {
    /// A column cannot be read back.
    #[error("column {column} cannot be read: {reason}")]
    Unreadable {
        /// The column, e.g. `payload`.
        column: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The stream's versions are not 1, 2, 3 … : a gap, a swap or a repeat.
    #[error("version {found} stands where version {expected} was due")]
    VersionOutOfOrder {
        /// The version due at this place.
        expected: u64,
        /// The version found there.
        found: u64,
    },
    /// A row read for one tenant belongs to another.
    #[error("the row belongs to tenant {found}")]
    ForeignTenant {
        /// The tenant the row names.
        found: TenantId,
    },
    /// A row read for one stream belongs to another.
    #[error("the row belongs to stream {found}")]
    ForeignStream {
        /// The stream the row names.
        found: StreamId,
    },
    /// Positions do not increase (in a stream, from one version to the next; in the
    /// log, from one row to the next).
    #[error("position {found} does not follow position {previous}")]
    PositionOutOfOrder {
        /// The position before.
        previous: u64,
        /// The position found after it.
        found: u64,
    },
    /// The row reads, but its event does not decode as the stream's aggregate's (an
    /// unknown type, a corrupt payload, an event naming another aggregate): found by a
    /// whole-store check that decodes, e.g. `arende store verify`.
    #[error("the event does not decode: {reason}")]
    Undecodable {
        /// What the decoder said.
        reason: String,
    },
    /// The stream's head does not add up: its number of events differs from its last
    /// version, or its last version is not its last write.
    #[error(
        "the stream holds {events} events, its last version is {last_version} (at position \
         {last_version_position}) and its last write is at position {last_position}"
    )]
    BrokenHead {
        /// How many events the stream holds.
        events: u64,
        /// Its highest version.
        last_version: u64,
        /// The position of that version.
        last_version_position: u64,
        /// Its highest position.
        last_position: u64,
    },
}

impl StoreError {
    /// A [`StoreError::Corrupt`] for a column of a row that cannot be read.
    pub fn unreadable(
        tenant: TenantId,
        stream: StreamId,
        version: u64,
        column: &'static str,
        reason: impl Into<String>,
    ) -> Self {
        StoreError::Corrupt {
            tenant,
            stream,
            version,
            problem: Corruption::Unreadable {
                column,
                reason: reason.into(),
            },
        }
    }
}

/// A stream's head as a store finds it before an append: what the expected-version
/// check compares against, once [`verify_head`] has found it sound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StreamHead {
    /// How many events the stream holds.
    pub events: u64,
    /// Its highest version (0 = no stream).
    pub last_version: u64,
    /// The position of its highest version (0 = no stream).
    pub last_version_position: u64,
    /// Its highest position (0 = no stream).
    pub last_position: u64,
}

/// Checks a stream's head before an append and gives its version: the stream must hold
/// exactly `last_version` events (no gap, no repeat) and its last version must be its
/// last write (no swap at the tail). A swap further back is caught when the stream is
/// read ([`verify_stream`]), which every writer does before deciding.
pub fn verify_head(
    tenant: &TenantId,
    stream: &StreamId,
    head: StreamHead,
) -> Result<u64, StoreError> {
    if head.events != head.last_version || head.last_version_position != head.last_position {
        return Err(StoreError::Corrupt {
            tenant: tenant.clone(),
            stream: stream.clone(),
            version: head.last_version,
            problem: Corruption::BrokenHead {
                events: head.events,
                last_version: head.last_version,
                last_version_position: head.last_version_position,
                last_position: head.last_position,
            },
        });
    }
    Ok(head.last_version)
}

/// Checks the rows a store read for [`EventStore::read_stream`] and gives the events:
/// each row readable (a row's own error is passed on), of the tenant and stream asked
/// for, versions `max(from_version, 1)`, +1, +2 … and increasing positions. Every store
/// calls this, so every store reports the same [`StoreError::Corrupt`].
pub fn verify_stream(
    tenant: &TenantId,
    stream: &StreamId,
    from_version: u64,
    rows: impl IntoIterator<Item = Result<RecordedEvent, StoreError>>,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let rows = rows.into_iter();
    let mut out = Vec::with_capacity(rows.size_hint().0);
    let mut previous: Option<u64> = None;
    for (due, row) in (from_version.max(1)..).zip(rows) {
        let e = row?;
        let corrupt = |version, problem| StoreError::Corrupt {
            tenant: tenant.clone(),
            stream: stream.clone(),
            version,
            problem,
        };
        if &e.tenant != tenant {
            return Err(corrupt(
                e.version,
                Corruption::ForeignTenant {
                    found: e.tenant.clone(),
                },
            ));
        }
        if &e.stream != stream {
            return Err(corrupt(
                e.version,
                Corruption::ForeignStream {
                    found: e.stream.clone(),
                },
            ));
        }
        if e.version != due {
            return Err(corrupt(
                due,
                Corruption::VersionOutOfOrder {
                    expected: due,
                    found: e.version,
                },
            ));
        }
        if let Some(p) = previous
            && e.position <= p
        {
            return Err(corrupt(
                e.version,
                Corruption::PositionOutOfOrder {
                    previous: p,
                    found: e.position,
                },
            ));
        }
        previous = Some(e.position);
        out.push(e);
    }
    Ok(out)
}

/// Checks the rows a store read for [`EventStore::read_all`] (`tenant = None`) or
/// [`EventStore::read_tenant`] (`tenant = Some(…)`) and gives the events: positions
/// increase from `after` on, and each row belongs to the tenant asked for.
///
/// **A bad row** (unreadable, or out of order): the events before it are returned, so a
/// follower advances up to it; a call whose *first* row is bad fails with the
/// [`StoreError::Corrupt`] naming that row's tenant, stream and version. A follower of
/// the whole log therefore stops at a bad row with an error that names it (it cannot
/// skip it silently); a follower of one tenant's log ([`EventStore::read_tenant`]) never
/// meets another tenant's bad row.
pub fn verify_log(
    after: u64,
    tenant: Option<&TenantId>,
    rows: impl IntoIterator<Item = Result<RecordedEvent, StoreError>>,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let rows = rows.into_iter();
    let mut out: Vec<RecordedEvent> = Vec::with_capacity(rows.size_hint().0);
    let mut check = LogCheck::new(after, tenant);
    for row in rows {
        match row {
            Ok(e) => {
                if check.check(Ok(e.as_ref()))?.is_none() {
                    break;
                }
                out.push(e);
            }
            Err(bad) => {
                // The first row: the call fails; a later one: the batch ends before it.
                check.check(Err(bad))?;
                break;
            }
        }
    }
    Ok(out)
}

/// The check of [`verify_log`] one row at a time, for a store that hands each row over
/// as it reads it ([`EventStore::visit_tenant`]) instead of collecting the batch: the
/// same rules, the same errors.
///
/// Feed it the rows in the order read; [`LogCheck::check`] answers for each:
/// - `Ok(Some(event))`: the row is sound, hand it over;
/// - `Ok(None)`: the row is bad and events came before it: the batch ends here (the
///   follower advances up to it and meets it first in its next call);
/// - `Err(…)`: the batch's first row is bad: the call fails with the
///   [`StoreError::Corrupt`] naming it.
#[derive(Debug, Clone)]
pub struct LogCheck<'t> {
    previous: u64,
    tenant: Option<&'t TenantId>,
    passed: usize,
}

impl<'t> LogCheck<'t> {
    /// A check of the rows after position `after`, of `tenant` (`None`: the whole log).
    pub fn new(after: u64, tenant: Option<&'t TenantId>) -> Self {
        LogCheck {
            previous: after,
            tenant,
            passed: 0,
        }
    }

    /// Checks the next row (see the type's docs for what the answer means).
    pub fn check<'r>(
        &mut self,
        row: Result<EventRef<'r>, StoreError>,
    ) -> Result<Option<EventRef<'r>>, StoreError> {
        let checked = row.and_then(|e| {
            let corrupt = |problem| StoreError::Corrupt {
                tenant: TenantId::new(e.tenant),
                stream: StreamId::new(e.stream),
                version: e.version,
                problem,
            };
            if let Some(t) = self.tenant
                && e.tenant != t.as_str()
            {
                return Err(corrupt(Corruption::ForeignTenant {
                    found: TenantId::new(e.tenant),
                }));
            }
            if e.position <= self.previous {
                return Err(corrupt(Corruption::PositionOutOfOrder {
                    previous: self.previous,
                    found: e.position,
                }));
            }
            Ok(e)
        });
        match checked {
            Ok(e) => {
                self.previous = e.position;
                self.passed += 1;
                Ok(Some(e))
            }
            Err(e) if self.passed == 0 => Err(e),
            Err(_) => Ok(None),
        }
    }

    /// How many rows were sound so far.
    pub fn passed(&self) -> usize {
        self.passed
    }
}

/// One problem a whole-store check found (see [`verify_scan`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The organisation.
    pub tenant: TenantId,
    /// The stream.
    pub stream: StreamId,
    /// The version concerned.
    pub version: u64,
    /// What is wrong.
    pub problem: Corruption,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} {}: {}",
            self.tenant, self.stream, self.version, self.problem
        )
    }
}

/// A store that can hand over every stored event row for a whole-store check
/// (`arende store verify`).
pub trait ScanStore {
    /// Visits every event row, ordered by tenant, stream and version: each the event,
    /// or the [`StoreError::Corrupt`] naming a row that cannot be read. An `Err` result
    /// means the scan itself failed (the backend), not that a row is bad.
    fn scan(
        &self,
        visit: &mut dyn FnMut(Result<RecordedEvent, StoreError>),
    ) -> Result<(), StoreError>;

    /// Checks the storage itself below the rows (the database file's pages, the indexes
    /// against their tables) and gives each problem in the backend's own words; empty
    /// when it is sound. Rows hidden by a damaged page or index are not seen by
    /// [`ScanStore::scan`], so this is what finds them. By default (a store with no
    /// storage of its own, such as the memory store) nothing to check.
    fn check_storage(&self) -> Result<Vec<String>, StoreError> {
        Ok(Vec::new())
    }
}

/// Scans a whole store and reports every problem: unreadable rows, and per stream a
/// version gap, swap or repeat, a row of another tenant or stream, and positions that do
/// not increase with the versions. Rows are expected in the order of
/// [`ScanStore::scan`]. Goes on after each problem (a stream with a gap at 3 is checked
/// again from the version found there).
pub fn verify_scan(store: &dyn ScanStore) -> Result<Vec<Finding>, StoreError> {
    let mut findings = Vec::new();
    // (tenant, stream, next version due, last position)
    let mut current: Option<(TenantId, StreamId, u64, u64)> = None;
    store.scan(&mut |row| match row {
        Err(StoreError::Corrupt {
            tenant,
            stream,
            version,
            problem,
        }) => {
            // The unreadable row stands at its version: go on from the next one.
            match current.as_mut() {
                Some(c) if c.0 == tenant && c.1 == stream => c.2 = version + 1,
                _ => current = Some((tenant.clone(), stream.clone(), version + 1, 0)),
            }
            findings.push(Finding {
                tenant,
                stream,
                version,
                problem,
            });
        }
        Err(other) => findings.push(Finding {
            tenant: TenantId::new(""),
            stream: StreamId::new(""),
            version: 0,
            problem: Corruption::Unreadable {
                column: "row",
                reason: other.to_string(),
            },
        }),
        Ok(e) => {
            let same = current
                .as_ref()
                .is_some_and(|c| c.0 == e.tenant && c.1 == e.stream);
            if !same {
                current = Some((e.tenant.clone(), e.stream.clone(), 1, 0));
            }
            let Some(c) = current.as_mut() else { return };
            if e.version != c.2 {
                findings.push(Finding {
                    tenant: e.tenant.clone(),
                    stream: e.stream.clone(),
                    version: c.2,
                    problem: Corruption::VersionOutOfOrder {
                        expected: c.2,
                        found: e.version,
                    },
                });
            }
            if e.position <= c.3 {
                findings.push(Finding {
                    tenant: e.tenant.clone(),
                    stream: e.stream.clone(),
                    version: e.version,
                    problem: Corruption::PositionOutOfOrder {
                        previous: c.3,
                        found: e.position,
                    },
                });
            }
            c.2 = e.version + 1;
            c.3 = e.position;
        }
    })?;
    Ok(findings)
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
    /// A bad row ends the batch before it, or fails the call when it comes first (see
    /// [`verify_log`]).
    fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError>;

    /// Reads up to `limit` events of one tenant with position > `after`, in commit order:
    /// the tenant's own log, filtered by the store (an index on tenant and position), so
    /// an engine serving one tenant reads nothing of the others. The same follower
    /// guarantee as [`EventStore::read_all`]: following it never skips an event. By
    /// default the events [`EventStore::visit_tenant`] hands over, copied.
    fn read_tenant(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut out = Vec::with_capacity(limit.min(1024));
        self.visit_tenant(tenant, after, limit, &mut |e| out.push(e.to_recorded()))?;
        Ok(out)
    }

    /// [`EventStore::read_tenant`] without the copies: hands the same events (the same
    /// rows, in the same order, checked the same way with [`LogCheck`]) to `visit` one by
    /// one, borrowed from the rows as the store read them, and returns how many it
    /// handed over. A bad row ends the batch before it, or fails the call with its
    /// [`StoreError::Corrupt`] when it comes first; the events before it have then been
    /// visited. For readers that pass the stored text on without decoding it (the
    /// change feed writes each payload into its response as it is).
    fn visit_tenant(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
        visit: &mut dyn FnMut(EventRef<'_>),
    ) -> Result<usize, StoreError>;
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
    fn read_tenant(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        (**self).read_tenant(tenant, after, limit)
    }
    fn visit_tenant(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
        visit: &mut dyn FnMut(EventRef<'_>),
    ) -> Result<usize, StoreError> {
        (**self).visit_tenant(tenant, after, limit, visit)
    }
}

impl<T: ScanStore + ?Sized> ScanStore for std::sync::Arc<T> {
    fn scan(
        &self,
        visit: &mut dyn FnMut(Result<RecordedEvent, StoreError>),
    ) -> Result<(), StoreError> {
        (**self).scan(visit)
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
    /// The global log; index = position - 1. `None`: removed by [`MemoryStore::tamper`].
    log: Vec<Option<RecordedEvent>>,
    /// Per tenant, where its events are in the log (in position order).
    tenant_log: FastMap<TenantId, Vec<usize>>,
    /// Per tenant and stream (nested, so a lookup borrows the ids instead of cloning them
    /// into a tuple key).
    streams: FastMap<TenantId, FastMap<StreamId, MemoryStream>>,
    outbox: Vec<MemoryOutboxEntry>,
}

/// One stream: where its events are in the log, the commands that wrote it, and its
/// head as of the last append (`None` after [`MemoryStore::tamper`]: found again by
/// scanning the stream's events, so a damaged stream is still caught).
#[derive(Default)]
struct MemoryStream {
    events: Vec<usize>,
    commands: FastMap<CommandId, Appended>,
    head: Option<StreamHead>,
}

impl MemoryStream {
    /// The head the expected-version check compares against: kept by each append, or
    /// scanned from the stored events after tampering.
    fn head(&self, log: &[Option<RecordedEvent>]) -> StreamHead {
        if let Some(head) = self.head {
            return head;
        }
        let live = || self.events.iter().filter_map(|&i| log[i].as_ref());
        StreamHead {
            events: self.events.len() as u64,
            last_version: live().map(|e| e.version).max().unwrap_or(0),
            last_version_position: live().max_by_key(|e| e.version).map_or(0, |e| e.position),
            last_position: live().map(|e| e.position).max().unwrap_or(0),
        }
    }
}

struct MemoryOutboxEntry {
    record: OutboxRecord,
    claimed_until: Option<DateTime<Utc>>,
    seq: u64,
}

/// The in-memory store: the reference implementation of [`EventStore`], [`Outbox`]
/// and [`IdempotencyStore`].
#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<MemoryInner>,
    idempotency: MemoryIdempotency,
}

impl IdempotencyStore for MemoryStore {
    fn reserve(&self, request: ReserveRequest<'_>) -> Result<Reservation, StoreError> {
        self.idempotency.reserve(request)
    }
    fn complete(
        &self,
        tenant: &TenantId,
        key: CommandId,
        fingerprint: &str,
        response: &StoredResponse,
    ) -> Result<bool, StoreError> {
        self.idempotency
            .complete(tenant, key, fingerprint, response)
    }
    fn release(
        &self,
        tenant: &TenantId,
        key: CommandId,
        fingerprint: &str,
    ) -> Result<bool, StoreError> {
        self.idempotency.release(tenant, key, fingerprint)
    }
    fn idempotency_record(
        &self,
        tenant: &TenantId,
        key: CommandId,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        self.idempotency.idempotency_record(tenant, key)
    }
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
        validate_append(&req)?;
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
        let head = existing.map_or(StreamHead::default(), |s| s.head(&inner.log));
        let actual = verify_head(&tenant, &stream, head)?;
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
            inner.log.push(Some(RecordedEvent {
                position: inner.log.len() as u64 + 1,
                tenant: tenant.clone(),
                stream: stream.clone(),
                version,
                event_type: e.event_type,
                payload: e.payload,
                actor: actor.clone(),
                command_id,
                recorded_at,
            }));
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
        inner
            .tenant_log
            .entry(tenant.clone())
            .or_default()
            .extend(first..last);
        let entry = inner
            .streams
            .entry(tenant)
            .or_default()
            .entry(stream)
            .or_default();
        entry.events.extend(first..last);
        entry.commands.insert(command_id, done);
        entry.head = Some(if last > first {
            StreamHead {
                events: head.events + (last - first) as u64,
                last_version: version,
                last_version_position: position,
                last_position: position,
            }
        } else {
            head
        });
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
        let mut rows: Vec<&RecordedEvent> = idxs
            .iter()
            .filter_map(|&i| inner.log[i].as_ref())
            .filter(|e| e.version >= from_version)
            .collect();
        // In version order, as the SQL stores read (already so unless tampered with).
        rows.sort_by_key(|e| e.version);
        verify_stream(
            tenant,
            stream,
            from_version,
            rows.into_iter().map(|e| Ok(e.clone())),
        )
    }

    fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let inner = self.lock();
        let start = usize::try_from(after).unwrap_or(usize::MAX);
        let rows = inner
            .log
            .iter()
            .skip(start)
            .flatten()
            .take(limit)
            .map(|e| Ok(e.clone()));
        verify_log(after, None, rows)
    }

    fn visit_tenant(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
        visit: &mut dyn FnMut(EventRef<'_>),
    ) -> Result<usize, StoreError> {
        let inner = self.lock();
        let Some(idxs) = inner.tenant_log.get(tenant) else {
            return Ok(0);
        };
        // Index i holds position i + 1 (until tampered with).
        let start = idxs.partition_point(|&i| (i as u64) < after);
        let mut check = LogCheck::new(after, Some(tenant));
        for e in idxs[start..]
            .iter()
            .filter_map(|&i| inner.log[i].as_ref())
            .take(limit)
        {
            match check.check(Ok(e.as_ref()))? {
                Some(e) => visit(e),
                None => break,
            }
        }
        Ok(check.passed())
    }
}

impl ScanStore for MemoryStore {
    fn scan(
        &self,
        visit: &mut dyn FnMut(Result<RecordedEvent, StoreError>),
    ) -> Result<(), StoreError> {
        let inner = self.lock();
        let mut streams: Vec<(&TenantId, &StreamId, &MemoryStream)> = inner
            .streams
            .iter()
            .flat_map(|(t, ss)| ss.iter().map(move |(s, m)| (t, s, m)))
            .collect();
        streams.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        for (_, _, m) in streams {
            let mut rows: Vec<&RecordedEvent> = m
                .events
                .iter()
                .filter_map(|&i| inner.log[i].as_ref())
                .collect();
            rows.sort_by_key(|e| e.version);
            for e in rows {
                visit(Ok(e.clone()));
            }
        }
        Ok(())
    }
}

impl MemoryStore {
    /// **For tests of corruption detection only** (a memory store cannot be damaged
    /// otherwise): hands the stored event at `version` of a stream to `change`, which
    /// may edit it in place (its version, tenant, stream or position: the stream's and
    /// the tenant's index keep it where it was, as a damaged row stays where it was
    /// stored) or return `false` to remove it. Returns whether the event was found.
    pub fn tamper(
        &self,
        tenant: &TenantId,
        stream: &StreamId,
        version: u64,
        change: impl FnOnce(&mut RecordedEvent) -> bool,
    ) -> bool {
        let mut guard = self.lock();
        let inner = &mut *guard;
        let Some(s) = inner
            .streams
            .get_mut(tenant)
            .and_then(|t| t.get_mut(stream))
        else {
            return false;
        };
        let Some(k) = s
            .events
            .iter()
            .position(|&i| inner.log[i].as_ref().is_some_and(|e| e.version == version))
        else {
            return false;
        };
        let i = s.events[k];
        s.head = None;
        let keep = inner.log[i].as_mut().is_some_and(change);
        if !keep {
            inner.log[i] = None;
            s.events.remove(k);
            if let Some(t) = inner.tenant_log.get_mut(tenant) {
                t.retain(|&j| j != i);
            }
        }
        true
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
