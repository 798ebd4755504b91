//! The PostgreSQL store, for deployments that outgrow one machine: many engine
//! instances on many machines share one database, which can hold every county as its own
//! tenant.
//!
//! # Design
//! - **Async inside, usable from anywhere.** The store speaks to PostgreSQL with the
//!   async client (`tokio-postgres`) on a small tokio runtime of its own (two worker
//!   threads named `arende-pg`), created by [`PgStore::connect`] and shut down in the
//!   background when the store is dropped. The core's store traits are synchronous (the
//!   core has no runtime): each trait method hands its work to the store's runtime and
//!   waits for the answer on a channel, so it works from a plain thread and from inside
//!   any tokio runtime (multi-thread or current-thread) without "cannot start a runtime
//!   from within a runtime". Async code that must never block a worker uses
//!   [`AsyncPgStore`], whose methods await the store's runtime instead of waiting.
//! - **One round trip per command.** An append is one prepared statement (a chain of
//!   data-modifying CTEs) run in autocommit: the idempotency lookup, the stream-head and
//!   version checks, the events, the command row and the outbox rows. Only a lost race
//!   (a unique violation) costs a second round trip, to report the conflict or the
//!   duplicate.
//! - **Optimistic concurrency** backed by `PRIMARY KEY (tenant, stream, version)`: of two
//!   writers that both saw version *v*, one inserts *v+1* and the other gets a unique
//!   violation, reported as [`StoreError::Conflict`]. Never a lost write.
//! - **Verified reads.** Rows pass the core's shared checks
//!   ([`arende_core::store::verify_stream`], [`arende_core::store::verify_log`]); an
//!   append first checks the stream's head (its event count equals its last version, and
//!   that version is its last write) so nothing is appended onto a damaged stream.
//! - **Commit-order global log without a global lock.** PostgreSQL sequences hand out
//!   numbers before commit, so a follower reading "position > last seen" could pass over
//!   a number whose transaction commits later. Here a position is the writing
//!   transaction's id shifted left 16 bits, plus a base (migration 3), plus the event's
//!   ordinal in the transaction; readers take only positions below the same function of
//!   the oldest transaction still running (`pg_snapshot_xmin`). Every transaction below
//!   that mark has ended, so no event can ever appear behind a position a follower has
//!   read: a follower never skips, and writers commit in parallel (PostgreSQL flushes
//!   their commits together) instead of one at a time behind a counter row. Positions
//!   increase in commit-visibility order but are not gapless. **The cost:** an event
//!   becomes readable in the global log only when every write transaction that began
//!   before it has ended (appends are single statements: milliseconds), so a read waits
//!   briefly (at most [`READ_WAIT`]) until everything committed before it began is below
//!   the mark; a long-running write transaction elsewhere in the database holds the mark
//!   back for that long. At most 65,535 events per transaction (one request's events, or
//!   a group's).
//! - **Group commit** ([`GroupCommit`], shared with the SQLite store): appends that
//!   arrive while others are being written queue up, and a leader writes them with one
//!   call of the `append_group` function: one round trip, one transaction, one WAL flush
//!   for the group. Up to one leader per pooled connection writes at a time. Each request
//!   keeps its own checks and result: a conflict is reported, not raised, so it writes
//!   nothing for that request only. If the call fails (a race lost to another instance),
//!   nothing of the group is written and each request runs again on its own.
//! - **Outbox** claims use `FOR UPDATE SKIP LOCKED`, so several dispatchers share the
//!   work without waiting on each other or claiming a message twice.
//! - **Schema** per store: [`PgConfig::schema`] names a PostgreSQL schema (created if
//!   missing) that every connection uses as its `search_path`; migrations are versioned
//!   in [`schema`].
//!
//! Event types and payloads are opaque `text` (not `jsonb`): the store keeps them byte
//! for byte, and decoding belongs to the core (PostgreSQL text cannot hold a NUL
//! character: such a payload is refused with [`StoreError::Backend`], nothing written).
//! Instants are kept to the microsecond.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use arende_core::ids::{CommandId, TenantId};
use arende_core::store::{
    AppendRequest, AppendResult, Appended, EventRef, EventStore, ExpectedVersion, GroupCommit,
    GroupConfig, IdempotencyRecord, IdempotencyStore, LogCheck, Outbox, OutboxMessage,
    OutboxRecord, OutboxStatus, RecordedEvent, Reservation, ReserveRequest, ScanStore, StoreError,
    StoredResponse, StreamHead, StreamId, status_name, verify_head, verify_log, verify_stream,
};
use chrono::{DateTime, Utc};
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, NoTls, Row, Statement};
use uuid::Uuid;

mod async_store;
pub mod schema;

pub use async_store::AsyncPgStore;

/// The longest a read of the global or a tenant's log waits for the write transactions
/// that began before it to end (see the crate docs); then it returns what is readable.
pub const READ_WAIT: Duration = Duration::from_secs(2);

/// The most events one transaction may write (the position's low 16 bits).
pub const MAX_EVENTS_PER_TRANSACTION: usize = 65_535;

/// How to connect a [`PgStore`].
#[derive(Debug, Clone)]
pub struct PgConfig {
    /// The connection URL, e.g. `postgres://user@host:5432/db`.
    pub url: String,
    /// The PostgreSQL schema holding the store's tables (default `arende`); created and
    /// migrated if needed. A plain identifier: lowercase letters, digits, `_`.
    pub schema: String,
    /// The most connections the pool opens (default 8).
    pub pool_size: u32,
    /// How long to wait for a connection (default 10 s).
    pub connect_timeout: Duration,
}

impl PgConfig {
    /// A configuration for `url` with the defaults.
    pub fn new(url: impl Into<String>) -> Self {
        PgConfig {
            url: url.into(),
            schema: "arende".to_owned(),
            pool_size: 8,
            connect_timeout: Duration::from_secs(10),
        }
    }

    /// The same configuration with another schema.
    pub fn with_schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = schema.into();
        self
    }

    /// The same configuration with another pool size.
    pub fn with_pool_size(mut self, pool_size: u32) -> Self {
        self.pool_size = pool_size;
        self
    }
}

/// Problems particular to this store, carried in [`StoreError::Backend`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PgError {
    /// The schema name is not a plain identifier.
    #[error("schema name {0:?} is not a plain identifier (lowercase letters, digits, _)")]
    InvalidSchema(String),
    /// The schema was migrated by a newer version of this crate.
    #[error("schema {schema} is at migration {found}, newer than the {known} this build knows")]
    SchemaTooNew {
        /// The schema.
        schema: String,
        /// The newest migration applied.
        found: i32,
        /// The newest this build knows.
        known: usize,
    },
    /// A stored value cannot be read back.
    #[error("stored {column} is invalid: {reason}")]
    InvalidColumn {
        /// The column.
        column: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The transaction shared by a group of appends could not be started.
    #[error("the group commit failed: {0}")]
    Group(String),
    /// An append kept losing races with `ExpectedVersion::Any` (or an idempotency
    /// reservation kept meeting a record that changed under it).
    #[error("gave up after {0} races")]
    TooManyRaces(u32),
    /// The store's own runtime could not be started.
    #[error("cannot start the store's runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The store's own runtime has shut down (the store is being dropped).
    #[error("the store's runtime has shut down")]
    RuntimeGone,
}

fn backend(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend {
        backend: "postgres",
        source: Box::new(e),
    }
}

const APPEND_SQL: &str = "
WITH dup AS (
    SELECT version, position FROM commands
    WHERE tenant = $1 AND stream = $2 AND command_id = $3
), cur AS (
    SELECT count(*)::bigint AS n, coalesce(max(version), 0)::bigint AS v,
           coalesce(max(position), 0)::bigint AS last_pos,
           coalesce((SELECT position FROM events WHERE tenant = $1 AND stream = $2
                     ORDER BY version DESC LIMIT 1), 0)::bigint AS v_pos
    FROM events WHERE tenant = $1 AND stream = $2
), ok AS (
    SELECT cur.v FROM cur
    WHERE NOT EXISTS (SELECT 1 FROM dup) AND cur.n = cur.v AND cur.v_pos = cur.last_pos
      AND ($4::bigint IS NULL OR cur.v = $4::bigint)
), base AS (
    SELECT (pg_current_xact_id()::text::bigint << 16) + (SELECT base FROM log_base) AS b
    FROM ok WHERE cardinality($5::text[]) > 0
), ev AS (
    INSERT INTO events (tenant, stream, version, position, event_type, payload, actor,
                        command_id, recorded_at)
    SELECT $1, $2, ok.v + e.n, base.b + e.n, e.t, e.p, $7, $3, $8
    FROM ok, base, unnest($5::text[], $6::text[]) WITH ORDINALITY AS e(t, p, n)
    RETURNING 1
), cmd AS (
    INSERT INTO commands (tenant, stream, command_id, version, position)
    SELECT $1, $2, $3, ok.v + cardinality($5::text[]),
           coalesce((SELECT b FROM base) + cardinality($5::text[]), 0)
    FROM ok
    RETURNING version, position
), ob AS (
    INSERT INTO outbox (id, tenant, kind, payload, available_at, due_at)
    SELECT o.id, $1, o.k, o.p, o.a, o.a
    FROM ok, unnest($9::uuid[], $10::text[], $11::text[], $12::timestamptz[]) AS o(id, k, p, a)
    RETURNING 1
)
SELECT (SELECT version FROM dup), (SELECT position FROM dup), (SELECT v FROM cur),
       (SELECT version FROM cmd), (SELECT position FROM cmd),
       (SELECT count(*) FROM ev), (SELECT count(*) FROM ob),
       (SELECT n FROM cur), (SELECT v_pos FROM cur), (SELECT last_pos FROM cur)";

const EVENT_COLUMNS: &str =
    "position, tenant, stream, version, event_type, payload, actor, command_id, recorded_at";

const OUTBOX_COLUMNS: &str =
    "id, tenant, kind, payload, available_at, attempts, last_error, status";

/// The global log (`$3` NULL) or one tenant's, below the mark: the mark and the highest
/// committed position first, then the events (none: one row of NULLs).
fn log_sql() -> String {
    format!(
        "WITH mark AS (
             SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::bigint << 16)
                    + (SELECT base FROM log_base) AS hwm,
                    coalesce((SELECT max(position) FROM events
                              WHERE $3::text IS NULL OR tenant = $3::text), 0)::bigint AS top
         )
         SELECT mark.hwm, mark.top, e.* FROM mark LEFT JOIN LATERAL (
             SELECT {EVENT_COLUMNS} FROM events
             WHERE position > $1 AND position < mark.hwm
               AND ($3::text IS NULL OR tenant = $3::text)
             ORDER BY position LIMIT $2
         ) e ON true
         ORDER BY e.position"
    )
}

/// A connection with the store's statements prepared on it.
struct Conn {
    client: Client,
    append: Statement,
    read_stream: Statement,
    read_all: Statement,
    read_tenant: Statement,
    outcome: Statement,
    group: Statement,
}

async fn open_conn(config: &tokio_postgres::Config) -> Result<Conn, tokio_postgres::Error> {
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        // Ends when the client is dropped or the server goes away; the next use of the
        // client then fails and the pool opens a new connection.
        let _ = connection.await;
    });
    let append = client.prepare(APPEND_SQL).await?;
    let read_stream = client
        .prepare(&format!(
            "SELECT {EVENT_COLUMNS} FROM events
             WHERE tenant = $1 AND stream = $2 AND version >= $3 ORDER BY version"
        ))
        .await?;
    let log = log_sql();
    let read_all = client
        .prepare_typed(
            &log,
            &[
                tokio_postgres::types::Type::INT8,
                tokio_postgres::types::Type::INT8,
                tokio_postgres::types::Type::TEXT,
            ],
        )
        .await?;
    let read_tenant = client.prepare(&log).await?;
    let outcome = client
        .prepare(
            "SELECT (SELECT version FROM commands
                     WHERE tenant = $1 AND stream = $2 AND command_id = $3),
                    (SELECT position FROM commands
                     WHERE tenant = $1 AND stream = $2 AND command_id = $3),
                    (SELECT coalesce(max(version), 0)::bigint FROM events
                     WHERE tenant = $1 AND stream = $2)",
        )
        .await?;
    let group = client
        .prepare(
            "SELECT r_dup, r_version, r_position, r_actual, r_events,
                    r_last_version_position, r_last_position
             FROM append_group($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .await?;
    Ok(Conn {
        client,
        append,
        read_stream,
        read_all,
        read_tenant,
        outcome,
        group,
    })
}

/// A fixed set of connections, opened on first use and again when one breaks. A task
/// holds a connection for one operation: a free one if there is any, so concurrent
/// appends run on distinct connections (and commit in parallel), else it queues on one.
struct Pool {
    config: tokio_postgres::Config,
    slots: Vec<tokio::sync::Mutex<Option<Conn>>>,
    next: AtomicUsize,
}

/// A connection held for one operation.
struct Held<'a>(tokio::sync::MutexGuard<'a, Option<Conn>>);

impl std::ops::Deref for Held<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        // `Pool::get` fills the slot before handing it out.
        self.0
            .as_ref()
            .unwrap_or_else(|| unreachable!("a held slot is open"))
    }
}

impl Pool {
    async fn get(&self) -> Result<Held<'_>, StoreError> {
        let n = self.slots.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let free = (0..n).find_map(|k| self.slots[(start + k) % n].try_lock().ok());
        let mut slot = match free {
            Some(g) => g,
            None => self.slots[start % n].lock().await,
        };
        if slot.as_ref().is_none_or(|c| c.client.is_closed()) {
            *slot = Some(open_conn(&self.config).await.map_err(backend)?);
        }
        Ok(Held(slot))
    }
}

/// The store's state, shared with the tasks on its runtime.
struct Inner {
    pool: Pool,
    schema: String,
    regrouped: AtomicU64,
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Reads the event row whose columns start at `at`, borrowing its text from the row:
/// the event, or a [`StoreError::Corrupt`] naming the row and the column that cannot be
/// read.
fn event_ref_at(row: &Row, at: usize) -> Result<EventRef<'_>, StoreError> {
    let version = row.try_get::<_, i64>(at + 3);
    let named = version.as_ref().map_or(0, |v| (*v).max(0) as u64);
    // Only on the error path: the row's names as far as they can be read.
    let bad = |column: &'static str, e: &dyn std::fmt::Display| {
        let lossy = |i: usize| {
            row.try_get::<_, Option<String>>(at + i)
                .ok()
                .flatten()
                .unwrap_or_default()
        };
        StoreError::unreadable(
            TenantId::new(lossy(1)),
            StreamId::new(lossy(2)),
            named,
            column,
            e.to_string(),
        )
    };
    let position: i64 = row.try_get(at).map_err(|e| bad("position", &e))?;
    let tenant: &str = row.try_get(at + 1).map_err(|e| bad("tenant", &e))?;
    let stream: &str = row.try_get(at + 2).map_err(|e| bad("stream", &e))?;
    let version = version.map_err(|e| bad("version", &e))?;
    Ok(EventRef {
        position: position.max(0) as u64,
        tenant,
        stream,
        version: version.max(0) as u64,
        event_type: row.try_get(at + 4).map_err(|e| bad("event_type", &e))?,
        payload: row.try_get(at + 5).map_err(|e| bad("payload", &e))?,
        actor: row.try_get(at + 6).map_err(|e| bad("actor", &e))?,
        command_id: CommandId(row.try_get(at + 7).map_err(|e| bad("command_id", &e))?),
        recorded_at: row.try_get(at + 8).map_err(|e| bad("recorded_at", &e))?,
    })
}

/// Reads the event row whose columns start at `at` into a [`RecordedEvent`] (see
/// [`event_ref_at`]).
fn event_at(row: &Row, at: usize) -> Result<RecordedEvent, StoreError> {
    event_ref_at(row, at).map(|e| e.to_recorded())
}

/// Hands a tenant's log rows (as [`Inner::log_rows`] read them, the event's columns
/// from 2) to `visit`, checked by [`LogCheck`], and gives how many it handed over.
fn visit_log_rows(
    rows: &[Row],
    after: u64,
    tenant: &TenantId,
    visit: &mut dyn FnMut(EventRef<'_>),
) -> Result<usize, StoreError> {
    let mut check = LogCheck::new(after, Some(tenant));
    for row in rows {
        match check.check(event_ref_at(row, 2))? {
            Some(e) => visit(e),
            None => break,
        }
    }
    Ok(check.passed())
}

fn status_from(s: &str) -> Result<OutboxStatus, StoreError> {
    Ok(match s {
        "pending" => OutboxStatus::Pending,
        "claimed" => OutboxStatus::Claimed,
        "delivered" => OutboxStatus::Delivered,
        "parked" => OutboxStatus::Parked,
        other => {
            return Err(backend(PgError::InvalidColumn {
                column: "outbox.status",
                reason: format!("unknown status {other:?}"),
            }));
        }
    })
}

fn outbox_of(row: &Row) -> Result<OutboxRecord, StoreError> {
    let attempts: i32 = row.try_get(5).map_err(backend)?;
    let status: String = row.try_get(7).map_err(backend)?;
    Ok(OutboxRecord {
        tenant: TenantId::new(row.try_get::<_, String>(1).map_err(backend)?),
        message: OutboxMessage {
            id: row.try_get(0).map_err(backend)?,
            kind: row.try_get(2).map_err(backend)?,
            payload: row.try_get(3).map_err(backend)?,
            available_at: row.try_get(4).map_err(backend)?,
        },
        attempts: attempts.max(0) as u32,
        last_error: row.try_get(6).map_err(backend)?,
        status: status_from(&status)?,
    })
}

/// What an append statement found.
enum Outcome {
    /// Written now, or found written before (`duplicate`).
    Done(Appended),
    /// Nothing written: the stream's head (checked, then compared with the expected
    /// version).
    Refused(StreamHead),
}

impl Outcome {
    fn into_result(self, req: &AppendRequest) -> AppendResult {
        match self {
            Outcome::Done(a) => Ok(a),
            Outcome::Refused(head) => {
                let actual = verify_head(&req.tenant, &req.stream, head)?;
                Err(StoreError::Conflict {
                    tenant: req.tenant.clone(),
                    stream: req.stream.clone(),
                    expected: req.expected,
                    actual,
                })
            }
        }
    }
}

/// A unique violation on the events or commands keys: another writer committed the
/// same version or the same command first. (One on the outbox id is a caller's error.)
fn lost_race(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
        && !e
            .as_db_error()
            .and_then(|d| d.constraint())
            .is_some_and(|c| c.starts_with("outbox"))
}

fn count(v: Option<i64>) -> u64 {
    v.unwrap_or(0).max(0) as u64
}

impl Inner {
    /// Appends one request on its own (autocommit: one round trip), retrying an `Any`
    /// append that lost a race.
    async fn append_single(&self, req: &AppendRequest) -> AppendResult {
        const RACES: u32 = 100;
        let conn = self.pool.get().await?;
        for _ in 0..RACES {
            match run_append(&conn, req).await {
                Ok(outcome) => return outcome.into_result(req),
                Err(e) if lost_race(&e) => {
                    if let Some(done) = after_race(&conn, req).await? {
                        return Ok(done);
                    }
                }
                Err(e) => return Err(backend(e)),
            }
        }
        Err(backend(PgError::TooManyRaces(RACES)))
    }

    /// Appends a group in one call of `append_group` (one transaction, one flush), each
    /// request with its own checks and result. If the call fails (a race lost to another
    /// engine instance aborts it), nothing of it is written and each request is retried
    /// on its own.
    async fn append_group(&self, batch: &[AppendRequest]) -> Vec<AppendResult> {
        let grouped = match self.pool.get().await {
            Ok(conn) => run_group(&conn, batch).await,
            Err(e) => {
                let msg = e.to_string();
                return batch
                    .iter()
                    .map(|_| Err(backend(PgError::Group(msg.clone()))))
                    .collect();
            }
        };
        match grouped {
            Ok(outcomes) => outcomes
                .into_iter()
                .zip(batch)
                .map(|(o, req)| o.into_result(req))
                .collect(),
            Err(_) => {
                self.regrouped.fetch_add(1, Ordering::Relaxed);
                let mut out = Vec::with_capacity(batch.len());
                for req in batch {
                    out.push(self.append_single(req).await);
                }
                out
            }
        }
    }

    async fn write(&self, batch: Vec<AppendRequest>) -> Vec<AppendResult> {
        let events: usize = batch.iter().map(|r| r.events.len()).sum();
        if batch.len() == 1 || events > MAX_EVENTS_PER_TRANSACTION {
            let mut out = Vec::with_capacity(batch.len());
            for req in &batch {
                out.push(self.append_single(req).await);
            }
            out
        } else {
            self.append_group(&batch).await
        }
    }

    async fn read_stream(
        &self,
        tenant: TenantId,
        stream: StreamId,
        from_version: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let conn = self.pool.get().await?;
        let rows = conn
            .client
            .query(
                &conn.read_stream,
                &[&tenant.as_str(), &stream.as_str(), &to_i64(from_version)],
            )
            .await
            .map_err(backend)?;
        verify_stream(
            &tenant,
            &stream,
            from_version,
            rows.iter().map(|r| event_at(r, 0)),
        )
    }

    /// The global log (`tenant = None`) or one tenant's, below the mark, waiting (at
    /// most [`READ_WAIT`]) until everything committed before the call is below it.
    async fn read_log(
        &self,
        tenant: Option<TenantId>,
        after: u64,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let rows = self.log_rows(tenant.clone(), after, limit).await?;
        verify_log(after, tenant.as_ref(), rows.iter().map(|r| event_at(r, 2)))
    }

    /// The rows of [`Inner::read_log`], not yet checked: the event's columns from 2.
    async fn log_rows(
        &self,
        tenant: Option<TenantId>,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Row>, StoreError> {
        let conn = self.pool.get().await?;
        let statement = if tenant.is_some() {
            &conn.read_tenant
        } else {
            &conn.read_all
        };
        let name = tenant.as_ref().map(|t| t.as_str());
        let started = tokio::time::Instant::now();
        let mut target: Option<i64> = None;
        let mut pause = Duration::from_micros(500);
        loop {
            let rows = conn
                .client
                .query(statement, &[&to_i64(after), &to_i64(limit as u64), &name])
                .await
                .map_err(backend)?;
            let (hwm, top) = match rows.first() {
                Some(r) => (
                    r.try_get::<_, i64>(0).map_err(backend)?,
                    r.try_get::<_, i64>(1).map_err(backend)?,
                ),
                None => (0, 0),
            };
            let target = *target.get_or_insert(top);
            let events: Vec<Row> = rows
                .into_iter()
                .filter(|r| matches!(r.try_get::<_, Option<i64>>(2), Ok(Some(_))))
                .collect();
            let settled = hwm > target || events.len() >= limit;
            if settled || started.elapsed() >= READ_WAIT {
                return Ok(events);
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(10));
        }
    }

    /// One page of the whole-store scan: the rows after `key` in (tenant, stream,
    /// version) order.
    async fn scan_page(
        &self,
        key: Option<(String, String, i64)>,
        limit: i64,
    ) -> Result<Vec<Row>, StoreError> {
        let conn = self.pool.get().await?;
        let rows = match &key {
            None => {
                conn.client
                    .query(
                        &format!(
                            "SELECT {EVENT_COLUMNS} FROM events
                             ORDER BY tenant, stream, version LIMIT $1"
                        ),
                        &[&limit],
                    )
                    .await
            }
            Some((t, s, v)) => {
                conn.client
                    .query(
                        &format!(
                            "SELECT {EVENT_COLUMNS} FROM events
                             WHERE (tenant, stream, version) > ($1, $2, $3)
                             ORDER BY tenant, stream, version LIMIT $4"
                        ),
                        &[t, s, v, &limit],
                    )
                    .await
            }
        };
        rows.map_err(backend)
    }

    /// The storage check of [`ScanStore::check_storage`]: the event table's row count by
    /// a sequential scan against the count through its primary-key index, and
    /// `amcheck`'s `bt_index_check` of every B-tree index of the schema where the
    /// extension is available (it is created when it can be). Each problem in
    /// PostgreSQL's words.
    async fn check_storage(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.pool.get().await?;
        let c = &conn.client;
        let mut out = Vec::new();
        let count = |settings: &'static str, sql: &'static str| async move {
            c.batch_execute(&format!("BEGIN; {settings}")).await?;
            let n = c.query_one(sql, &[]).await.map(|r| r.get::<_, i64>(0));
            c.batch_execute("ROLLBACK").await?;
            n
        };
        let table = count(
            "SET LOCAL enable_indexscan = off; SET LOCAL enable_indexonlyscan = off; \
             SET LOCAL enable_bitmapscan = off;",
            "SELECT count(*) FROM events",
        )
        .await;
        let index = count(
            "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off;",
            "SELECT count(*) FROM events WHERE tenant >= ''",
        )
        .await;
        match (table, index) {
            (Ok(t), Ok(i)) if t != i => out.push(format!(
                "the primary-key index of events holds {i} rows where the table holds {t}"
            )),
            (Ok(_), Ok(_)) => {}
            (Err(e), _) | (_, Err(e)) => out.push(format!("events: {e}")),
        }
        let amcheck = c
            .batch_execute("CREATE EXTENSION IF NOT EXISTS amcheck")
            .await
            .is_ok();
        if amcheck {
            let indexes = c
                .query(
                    "SELECT i.indexrelid::regclass::text FROM pg_index i
                     JOIN pg_class t ON t.oid = i.indrelid
                     JOIN pg_class ix ON ix.oid = i.indexrelid
                     JOIN pg_am am ON am.oid = ix.relam
                     WHERE t.relnamespace = current_schema()::regnamespace AND am.amname = 'btree'",
                    &[],
                )
                .await
                .map_err(backend)?;
            for row in indexes {
                let name: String = row.get(0);
                if let Err(e) = c
                    .query("SELECT bt_index_check($1::text::regclass, true)", &[&name])
                    .await
                {
                    out.push(format!(
                        "index {name}: {}",
                        e.as_db_error()
                            .map_or_else(|| e.to_string(), |d| d.message().to_owned())
                    ));
                }
            }
        }
        Ok(out)
    }

    async fn claim(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: usize,
    ) -> Result<Vec<OutboxRecord>, StoreError> {
        let conn = self.pool.get().await?;
        let until = now + lease;
        let rows = conn
            .client
            .query(
                &format!(
                    "UPDATE outbox SET status = 'claimed', claimed_until = $2, due_at = $2
                     WHERE seq IN (SELECT seq FROM outbox WHERE due_at <= $1
                                   ORDER BY due_at, seq LIMIT $3
                                   FOR UPDATE SKIP LOCKED)
                     RETURNING {OUTBOX_COLUMNS}, seq"
                ),
                &[&now, &until, &to_i64(limit as u64)],
            )
            .await
            .map_err(backend)?;
        let mut records = rows
            .iter()
            .map(|r| Ok((outbox_of(r)?, r.try_get::<_, i64>(8).map_err(backend)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        records.sort_by_key(|(r, seq)| (r.message.available_at, *seq));
        Ok(records.into_iter().map(|(r, _)| r).collect())
    }

    async fn mark_delivered(&self, id: Uuid) -> Result<(), StoreError> {
        let conn = self.pool.get().await?;
        let n = conn
            .client
            .execute(
                "UPDATE outbox SET status = 'delivered', claimed_until = NULL, due_at = NULL
                 WHERE id = $1",
                &[&id],
            )
            .await
            .map_err(backend)?;
        if n == 0 {
            Err(StoreError::UnknownMessage(id))
        } else {
            Ok(())
        }
    }

    async fn mark_failed(
        &self,
        id: Uuid,
        error: String,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let conn = self.pool.get().await?;
        let n = match retry_at {
            Some(t) => {
                conn.client
                    .execute(
                        "UPDATE outbox SET status = 'pending', attempts = attempts + 1,
                             last_error = $2, claimed_until = NULL, available_at = $3,
                             due_at = $3
                         WHERE id = $1",
                        &[&id, &error, &t],
                    )
                    .await
            }
            None => {
                conn.client
                    .execute(
                        "UPDATE outbox SET status = 'parked', attempts = attempts + 1,
                             last_error = $2, claimed_until = NULL, due_at = NULL
                         WHERE id = $1",
                        &[&id, &error],
                    )
                    .await
            }
        }
        .map_err(backend)?;
        if n == 0 {
            Err(StoreError::UnknownMessage(id))
        } else {
            Ok(())
        }
    }

    async fn parked(&self, tenant: TenantId) -> Result<Vec<OutboxRecord>, StoreError> {
        let conn = self.pool.get().await?;
        let rows = conn
            .client
            .query(
                &format!(
                    "SELECT {OUTBOX_COLUMNS} FROM outbox
                     WHERE tenant = $1 AND status = 'parked' ORDER BY seq"
                ),
                &[&tenant.as_str()],
            )
            .await
            .map_err(backend)?;
        rows.iter().map(outbox_of).collect()
    }

    async fn undelivered(
        &self,
        tenant: TenantId,
        limit: usize,
    ) -> Result<Vec<OutboxRecord>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let conn = self.pool.get().await?;
        let rows = conn
            .client
            .query(
                &format!(
                    "SELECT {OUTBOX_COLUMNS} FROM outbox
                     WHERE tenant = $1 AND status <> 'delivered' ORDER BY seq LIMIT $2"
                ),
                &[&tenant.as_str(), &limit],
            )
            .await
            .map_err(backend)?;
        rows.iter().map(outbox_of).collect()
    }

    async fn reserve(
        &self,
        tenant: TenantId,
        key: Uuid,
        fingerprint: String,
        caller: String,
        now: DateTime<Utc>,
        stale_after: chrono::Duration,
    ) -> Result<Reservation, StoreError> {
        let conn = self.pool.get().await?;
        // A record released between the insert's conflict and the read is gone: try
        // again (a few times; each try moves the state forward).
        for _ in 0..4 {
            let inserted = conn
                .client
                .execute(
                    "INSERT INTO idempotency (tenant, key, fingerprint, caller, reserved_at)
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant, key) DO NOTHING",
                    &[&tenant.as_str(), &key, &fingerprint, &caller, &now],
                )
                .await
                .map_err(backend)?;
            if inserted == 1 {
                return Ok(Reservation::Reserved);
            }
            let taken_over = conn
                .client
                .execute(
                    "UPDATE idempotency SET reserved_at = $4
                     WHERE tenant = $1 AND key = $2 AND fingerprint = $3 AND status IS NULL
                       AND reserved_at < $5",
                    &[
                        &tenant.as_str(),
                        &key,
                        &fingerprint,
                        &now,
                        &(now - stale_after),
                    ],
                )
                .await
                .map_err(backend)?;
            if taken_over == 1 {
                return Ok(Reservation::Reserved);
            }
            // On the same connection: waiting for a second one while holding this one
            // would deadlock a pool that every holder is waiting on.
            if let Some(record) = read_idempotency(&conn.client, &tenant, key).await? {
                return Ok(Reservation::Existing(record));
            }
        }
        Err(backend(PgError::TooManyRaces(4)))
    }

    async fn settle_idempotency(
        &self,
        tenant: TenantId,
        key: Uuid,
        fingerprint: String,
        response: Option<StoredResponse>,
    ) -> Result<bool, StoreError> {
        let conn = self.pool.get().await?;
        let n = match response {
            Some(r) => {
                conn.client
                    .execute(
                        "UPDATE idempotency SET status = $4, body = $5, etag = $6
                         WHERE tenant = $1 AND key = $2 AND fingerprint = $3
                           AND status IS NULL",
                        &[
                            &tenant.as_str(),
                            &key,
                            &fingerprint,
                            &i32::from(r.status),
                            &r.body,
                            &r.etag,
                        ],
                    )
                    .await
            }
            None => {
                conn.client
                    .execute(
                        "DELETE FROM idempotency
                         WHERE tenant = $1 AND key = $2 AND fingerprint = $3
                           AND status IS NULL",
                        &[&tenant.as_str(), &key, &fingerprint],
                    )
                    .await
            }
        }
        .map_err(backend)?;
        Ok(n > 0)
    }

    async fn idempotency_record(
        &self,
        tenant: &TenantId,
        key: Uuid,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        let conn = self.pool.get().await?;
        read_idempotency(&conn.client, tenant, key).await
    }

    async fn outbox_counts(&self, tenant: TenantId) -> Result<BTreeMap<String, u64>, StoreError> {
        let conn = self.pool.get().await?;
        let rows = conn
            .client
            .query(
                "SELECT status, count(*) FROM outbox WHERE tenant = $1 GROUP BY status",
                &[&tenant.as_str()],
            )
            .await
            .map_err(backend)?;
        rows.iter()
            .map(|r| {
                let s: String = r.try_get(0).map_err(backend)?;
                let n: i64 = r.try_get(1).map_err(backend)?;
                Ok((status_name(status_from(&s)?).to_owned(), n.max(0) as u64))
            })
            .collect()
    }

    async fn schema_version(&self) -> Result<i32, StoreError> {
        let conn = self.pool.get().await?;
        let row = conn
            .client
            .query_one(
                "SELECT coalesce(max(version), 0) FROM schema_migrations",
                &[],
            )
            .await
            .map_err(backend)?;
        row.try_get(0).map_err(backend)
    }
}

/// After a unique violation: a duplicate, a conflict, or (with `Any`) a retry.
async fn after_race(conn: &Conn, req: &AppendRequest) -> Result<Option<Appended>, StoreError> {
    let row = conn
        .client
        .query_one(
            &conn.outcome,
            &[
                &req.tenant.as_str(),
                &req.stream.as_str(),
                &req.command_id.0,
            ],
        )
        .await
        .map_err(backend)?;
    let version: Option<i64> = row.try_get(0).map_err(backend)?;
    let position: Option<i64> = row.try_get(1).map_err(backend)?;
    let actual: i64 = row.try_get(2).map_err(backend)?;
    if let (Some(v), Some(p)) = (version, position) {
        return Ok(Some(Appended {
            version: v as u64,
            position: p as u64,
            duplicate: true,
        }));
    }
    if req.expected == ExpectedVersion::Any {
        return Ok(None);
    }
    Err(StoreError::Conflict {
        tenant: req.tenant.clone(),
        stream: req.stream.clone(),
        expected: req.expected,
        actual: actual.max(0) as u64,
    })
}

/// Runs a group of appends in one call of `append_group`: one round trip, and (in
/// autocommit) one transaction.
async fn run_group(
    conn: &Conn,
    batch: &[AppendRequest],
) -> Result<Vec<Outcome>, tokio_postgres::Error> {
    let mut tenants = Vec::with_capacity(batch.len());
    let mut streams = Vec::with_capacity(batch.len());
    let mut commands = Vec::with_capacity(batch.len());
    let mut expected = Vec::with_capacity(batch.len());
    let mut actors = Vec::with_capacity(batch.len());
    let mut recorded = Vec::with_capacity(batch.len());
    let (mut e_req, mut e_type, mut e_payload) = (Vec::new(), Vec::new(), Vec::new());
    let (mut o_req, mut o_id, mut o_kind, mut o_payload, mut o_available) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, req) in batch.iter().enumerate() {
        let i = i as i32 + 1;
        tenants.push(req.tenant.as_str());
        streams.push(req.stream.as_str());
        commands.push(req.command_id.0);
        expected.push(req.expected.as_number().map(to_i64));
        actors.push(&*req.actor);
        recorded.push(req.recorded_at);
        for e in &req.events {
            e_req.push(i);
            e_type.push(&*e.event_type);
            e_payload.push(e.payload.as_str());
        }
        for m in &req.outbox {
            o_req.push(i);
            o_id.push(m.id);
            o_kind.push(m.kind.as_str());
            o_payload.push(m.payload.as_str());
            o_available.push(m.available_at);
        }
    }
    let rows = conn
        .client
        .query(
            &conn.group,
            &[
                &tenants,
                &streams,
                &commands,
                &expected,
                &actors,
                &recorded,
                &e_req,
                &e_type,
                &e_payload,
                &o_req,
                &o_id,
                &o_kind,
                &o_payload,
                &o_available,
            ],
        )
        .await?;
    rows.iter()
        .map(|row| {
            let dup: bool = row.try_get(0)?;
            let version: Option<i64> = row.try_get(1)?;
            let position: Option<i64> = row.try_get(2)?;
            Ok(match (version, position) {
                (Some(v), Some(p)) => Outcome::Done(Appended {
                    version: v.max(0) as u64,
                    position: p.max(0) as u64,
                    duplicate: dup,
                }),
                _ => Outcome::Refused(StreamHead {
                    events: count(row.try_get(4)?),
                    last_version: count(row.try_get(3)?),
                    last_version_position: count(row.try_get(5)?),
                    last_position: count(row.try_get(6)?),
                }),
            })
        })
        .collect()
}

/// Runs the append statement for one request: one round trip.
async fn run_append(conn: &Conn, req: &AppendRequest) -> Result<Outcome, tokio_postgres::Error> {
    let expected: Option<i64> = req.expected.as_number().map(to_i64);
    let types: Vec<&str> = req.events.iter().map(|e| &*e.event_type).collect();
    let payloads: Vec<&str> = req.events.iter().map(|e| e.payload.as_str()).collect();
    let ids: Vec<Uuid> = req.outbox.iter().map(|m| m.id).collect();
    let kinds: Vec<&str> = req.outbox.iter().map(|m| m.kind.as_str()).collect();
    let bodies: Vec<&str> = req.outbox.iter().map(|m| m.payload.as_str()).collect();
    let available: Vec<DateTime<Utc>> = req.outbox.iter().map(|m| m.available_at).collect();
    let row = conn
        .client
        .query_one(
            &conn.append,
            &[
                &req.tenant.as_str(),
                &req.stream.as_str(),
                &req.command_id.0,
                &expected,
                &types,
                &payloads,
                &&*req.actor,
                &req.recorded_at,
                &ids,
                &kinds,
                &bodies,
                &available,
            ],
        )
        .await?;
    let dup_version: Option<i64> = row.try_get(0)?;
    let dup_position: Option<i64> = row.try_get(1)?;
    let version: Option<i64> = row.try_get(3)?;
    let position: Option<i64> = row.try_get(4)?;
    if let (Some(v), Some(p)) = (dup_version, dup_position) {
        return Ok(Outcome::Done(Appended {
            version: v.max(0) as u64,
            position: p.max(0) as u64,
            duplicate: true,
        }));
    }
    if let (Some(v), Some(p)) = (version, position) {
        return Ok(Outcome::Done(Appended {
            version: v.max(0) as u64,
            position: p.max(0) as u64,
            duplicate: false,
        }));
    }
    Ok(Outcome::Refused(StreamHead {
        events: count(row.try_get(7)?),
        last_version: count(row.try_get(2)?),
        last_version_position: count(row.try_get(8)?),
        last_position: count(row.try_get(9)?),
    }))
}

async fn migrate(c: &mut Client, schema: &str) -> Result<(), StoreError> {
    let tx = c.transaction().await.map_err(backend)?;
    // One migrator at a time across the database (the key is 0x6172656e6465, "arende").
    tx.execute("SELECT pg_advisory_xact_lock(107143955899493)", &[])
        .await
        .map_err(backend)?;
    tx.batch_execute(&format!(
        "CREATE SCHEMA IF NOT EXISTS {schema};
         SET LOCAL search_path = {schema};
         CREATE TABLE IF NOT EXISTS schema_migrations (
             version    integer PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now()
         );"
    ))
    .await
    .map_err(backend)?;
    let found: i32 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )
        .await
        .and_then(|r| r.try_get(0))
        .map_err(backend)?;
    if found as usize > schema::MIGRATIONS.len() {
        return Err(backend(PgError::SchemaTooNew {
            schema: schema.to_owned(),
            found,
            known: schema::MIGRATIONS.len(),
        }));
    }
    for (i, sql) in schema::MIGRATIONS
        .iter()
        .enumerate()
        .skip(found.max(0) as usize)
    {
        tx.batch_execute(sql).await.map_err(backend)?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[&(i as i32 + 1)],
        )
        .await
        .map_err(backend)?;
    }
    tx.commit().await.map_err(backend)
}

/// The store's own runtime, shut down in the background when dropped (dropping a
/// runtime the ordinary way inside async code panics).
struct OwnRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

impl OwnRuntime {
    fn start() -> Result<Self, StoreError> {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("arende-pg")
            .enable_all()
            .build()
            .map(|rt| OwnRuntime(Some(rt)))
            .map_err(|e| backend(PgError::Runtime(e)))
    }

    fn handle(&self) -> Option<&tokio::runtime::Handle> {
        self.0.as_ref().map(|rt| rt.handle())
    }
}

/// Runs `work` on `handle`'s runtime and waits for it on this thread (a plain thread,
/// or a worker of any other runtime: this only waits on a channel, it never enters a
/// runtime).
fn wait_on<T: Send + 'static>(
    handle: Option<&tokio::runtime::Handle>,
    work: impl Future<Output = Result<T, StoreError>> + Send + 'static,
) -> Result<T, StoreError> {
    let handle = handle.ok_or_else(|| backend(PgError::RuntimeGone))?;
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    handle.spawn(async move {
        let _ = tx.send(work.await);
    });
    rx.recv().map_err(|_| backend(PgError::RuntimeGone))?
}

/// How many appends and transactions the group commit has run (since connecting).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupStats {
    /// Append requests written or refused.
    pub appends: u64,
    /// Transactions (or single statements) they ran in.
    pub transactions: u64,
    /// Groups rolled back after a lost race and run again one request at a time.
    pub regrouped: u64,
}

/// The PostgreSQL event store and outbox. See the crate docs for the design.
pub struct PgStore {
    inner: Arc<Inner>,
    group: GroupCommit,
    // Dropped last: the tasks above it run on it.
    runtime: OwnRuntime,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("schema", &self.inner.schema)
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects, creates the schema if needed and migrates it, and opens the pool (on
    /// the store's own runtime: callable from a plain thread and from async code).
    pub fn connect(config: PgConfig) -> Result<Self, StoreError> {
        let runtime = OwnRuntime::start()?;
        let inner = wait_on(runtime.handle(), Self::open(config.clone()))?;
        Ok(Self::assemble(inner, &config, runtime))
    }

    fn assemble(inner: Inner, config: &PgConfig, runtime: OwnRuntime) -> Self {
        PgStore {
            inner: Arc::new(inner),
            group: GroupCommit::new(GroupConfig {
                max_batch: 64,
                max_leaders: config.pool_size.max(1) as usize,
                gather: Duration::ZERO,
            }),
            runtime,
        }
    }

    /// Migrates and opens the pool (one connection opened at once, to fail early).
    async fn open(config: PgConfig) -> Result<Inner, StoreError> {
        if !valid_schema(&config.schema) {
            return Err(backend(PgError::InvalidSchema(config.schema)));
        }
        let mut pg: tokio_postgres::Config = config.url.parse().map_err(backend)?;
        pg.connect_timeout(config.connect_timeout);
        pg.application_name("arende");
        {
            let (mut admin, connection) = pg.connect(NoTls).await.map_err(backend)?;
            let driver = tokio::spawn(connection);
            let migrated = migrate(&mut admin, &config.schema).await;
            drop(admin);
            let _ = driver.await;
            migrated?;
        }
        pg.options(format!("-c search_path={}", config.schema));
        let size = config.pool_size.max(1) as usize;
        let pool = Pool {
            config: pg,
            slots: (0..size).map(|_| tokio::sync::Mutex::new(None)).collect(),
            next: AtomicUsize::new(0),
        };
        pool.get().await?;
        Ok(Inner {
            pool,
            schema: config.schema,
            regrouped: AtomicU64::new(0),
        })
    }

    fn wait<T: Send + 'static>(
        &self,
        work: impl FnOnce(
            Arc<Inner>,
        )
            -> std::pin::Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send>>,
    ) -> Result<T, StoreError> {
        wait_on(self.runtime.handle(), work(self.inner.clone()))
    }

    /// The store's own runtime (for the async facade).
    fn handle(&self) -> Option<&tokio::runtime::Handle> {
        self.runtime.handle()
    }

    /// The schema this store uses.
    pub fn schema(&self) -> &str {
        &self.inner.schema
    }

    /// The newest migration applied to the schema.
    pub fn schema_version(&self) -> Result<i32, StoreError> {
        self.wait(|i| Box::pin(async move { i.schema_version().await }))
    }

    /// How many appends shared how many transactions since the store was connected.
    pub fn group_stats(&self) -> GroupStats {
        let s = self.group.stats();
        GroupStats {
            appends: s.appends,
            transactions: s.transactions,
            regrouped: self.inner.regrouped.load(Ordering::Relaxed),
        }
    }

    fn write_group(&self, batch: Vec<AppendRequest>) -> Vec<AppendResult> {
        let n = batch.len();
        match self.wait(move |i| Box::pin(async move { Ok(i.write(batch).await) })) {
            Ok(results) => results,
            Err(e) => {
                let msg = e.to_string();
                (0..n)
                    .map(|_| Err(backend(PgError::Group(msg.clone()))))
                    .collect()
            }
        }
    }
}

impl EventStore for PgStore {
    fn append(&self, request: AppendRequest) -> Result<Appended, StoreError> {
        arende_core::store::validate_append(&request)?;
        if request.events.len() > MAX_EVENTS_PER_TRANSACTION {
            return Err(StoreError::InvalidRequest {
                stream: request.stream,
                reason: format!(
                    "{} events in one command; at most {MAX_EVENTS_PER_TRANSACTION}",
                    request.events.len()
                ),
            });
        }
        self.group
            .submit(request, "postgres", &|batch| self.write_group(batch))
    }

    fn read_stream(
        &self,
        tenant: &TenantId,
        stream: &StreamId,
        from_version: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let (tenant, stream) = (tenant.clone(), stream.clone());
        self.wait(move |i| {
            Box::pin(async move { i.read_stream(tenant, stream, from_version).await })
        })
    }

    fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        self.wait(move |i| Box::pin(async move { i.read_log(None, after, limit).await }))
    }

    fn read_tenant(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let tenant = tenant.clone();
        self.wait(move |i| Box::pin(async move { i.read_log(Some(tenant), after, limit).await }))
    }

    fn visit_tenant(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
        visit: &mut dyn FnMut(EventRef<'_>),
    ) -> Result<usize, StoreError> {
        let t = tenant.clone();
        let rows =
            self.wait(move |i| Box::pin(async move { i.log_rows(Some(t), after, limit).await }))?;
        visit_log_rows(&rows, after, tenant, visit)
    }
}

impl ScanStore for PgStore {
    fn check_storage(&self) -> Result<Vec<String>, StoreError> {
        self.wait(move |i| Box::pin(async move { i.check_storage().await }))
    }

    fn scan(
        &self,
        visit: &mut dyn FnMut(Result<RecordedEvent, StoreError>),
    ) -> Result<(), StoreError> {
        const PAGE: i64 = 10_000;
        let mut key: Option<(String, String, i64)> = None;
        loop {
            let from = key.clone();
            let rows =
                self.wait(move |i| Box::pin(async move { i.scan_page(from, PAGE).await }))?;
            for row in &rows {
                visit(event_at(row, 0));
            }
            let Some(last) = rows.last() else {
                return Ok(());
            };
            // The key columns are the primary key's: never NULL.
            key = Some((
                last.try_get(1).map_err(backend)?,
                last.try_get(2).map_err(backend)?,
                last.try_get(3).map_err(backend)?,
            ));
            if (rows.len() as i64) < PAGE {
                return Ok(());
            }
        }
    }
}

impl Outbox for PgStore {
    fn claim(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: usize,
    ) -> Result<Vec<OutboxRecord>, StoreError> {
        self.wait(move |i| Box::pin(async move { i.claim(now, lease, limit).await }))
    }

    fn mark_delivered(&self, id: Uuid) -> Result<(), StoreError> {
        self.wait(move |i| Box::pin(async move { i.mark_delivered(id).await }))
    }

    fn mark_failed(
        &self,
        id: Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let error = error.to_owned();
        self.wait(move |i| Box::pin(async move { i.mark_failed(id, error, retry_at).await }))
    }

    fn parked(&self, tenant: &TenantId) -> Result<Vec<OutboxRecord>, StoreError> {
        let tenant = tenant.clone();
        self.wait(move |i| Box::pin(async move { i.parked(tenant).await }))
    }

    fn undelivered(
        &self,
        tenant: &TenantId,
        limit: usize,
    ) -> Result<Vec<OutboxRecord>, StoreError> {
        let tenant = tenant.clone();
        self.wait(move |i| Box::pin(async move { i.undelivered(tenant, limit).await }))
    }

    fn outbox_counts(&self, tenant: &TenantId) -> Result<BTreeMap<String, u64>, StoreError> {
        let tenant = tenant.clone();
        self.wait(move |i| Box::pin(async move { i.outbox_counts(tenant).await }))
    }
}

fn valid_schema(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The idempotency record under a key, read on `client`.
async fn read_idempotency(
    client: &Client,
    tenant: &TenantId,
    key: Uuid,
) -> Result<Option<IdempotencyRecord>, StoreError> {
    let row = client
        .query_opt(
            "SELECT fingerprint, caller, reserved_at, status, body, etag
             FROM idempotency WHERE tenant = $1 AND key = $2",
            &[&tenant.as_str(), &key],
        )
        .await
        .map_err(backend)?;
    let Some(row) = row else { return Ok(None) };
    let status: Option<i32> = row.try_get(3).map_err(backend)?;
    let response = match status {
        None => None,
        Some(s) => Some(StoredResponse {
            status: u16::try_from(s).map_err(|_| {
                backend(PgError::InvalidColumn {
                    column: "idempotency.status",
                    reason: format!("{s} is no HTTP status"),
                })
            })?,
            body: row
                .try_get::<_, Option<String>>(4)
                .map_err(backend)?
                .unwrap_or_default(),
            etag: row.try_get(5).map_err(backend)?,
        }),
    };
    Ok(Some(IdempotencyRecord {
        fingerprint: row.try_get(0).map_err(backend)?,
        caller: row.try_get(1).map_err(backend)?,
        reserved_at: row.try_get(2).map_err(backend)?,
        response,
    }))
}

impl IdempotencyStore for PgStore {
    fn reserve(&self, r: ReserveRequest<'_>) -> Result<Reservation, StoreError> {
        let (tenant, key) = (r.tenant.clone(), r.key.0);
        let (fingerprint, caller) = (r.fingerprint.to_owned(), r.caller.to_owned());
        let (now, stale_after) = (r.now, r.stale_after);
        self.wait(move |i| {
            Box::pin(async move {
                i.reserve(tenant, key, fingerprint, caller, now, stale_after)
                    .await
            })
        })
    }

    fn complete(
        &self,
        tenant: &TenantId,
        key: CommandId,
        fingerprint: &str,
        response: &StoredResponse,
    ) -> Result<bool, StoreError> {
        let (tenant, fingerprint, response) =
            (tenant.clone(), fingerprint.to_owned(), response.clone());
        self.wait(move |i| {
            Box::pin(async move {
                i.settle_idempotency(tenant, key.0, fingerprint, Some(response))
                    .await
            })
        })
    }

    fn release(
        &self,
        tenant: &TenantId,
        key: CommandId,
        fingerprint: &str,
    ) -> Result<bool, StoreError> {
        let (tenant, fingerprint) = (tenant.clone(), fingerprint.to_owned());
        self.wait(move |i| {
            Box::pin(async move { i.settle_idempotency(tenant, key.0, fingerprint, None).await })
        })
    }

    fn idempotency_record(
        &self,
        tenant: &TenantId,
        key: CommandId,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        let tenant = tenant.clone();
        self.wait(move |i| Box::pin(async move { i.idempotency_record(&tenant, key.0).await }))
    }
}

#[cfg(test)]
mod tests {
    use super::valid_schema;

    #[test]
    fn schema_names_are_plain_identifiers() {
        for ok in ["arende", "arende_test_01", "_x"] {
            assert!(valid_schema(ok), "{ok}");
        }
        for bad in ["", "Arende", "a-b", "a;drop", "1abc", &"a".repeat(64)] {
            assert!(!valid_schema(bad), "{bad}");
        }
    }
}
