//! The PostgreSQL store, for deployments that outgrow one machine: many engine
//! instances on many machines share one database, which can hold every county as its own
//! tenant.
//!
//! # Design
//! - **One round trip per command.** An append is one prepared statement (a chain of
//!   data-modifying CTEs) run in autocommit: the idempotency lookup, the version check,
//!   the positions, the events, the command row and the outbox rows. Only a lost race
//!   (a unique violation) costs a second round trip, to report the conflict or the
//!   duplicate.
//! - **Optimistic concurrency** backed by `PRIMARY KEY (tenant, stream, version)`: of two
//!   writers that both saw version *v*, one inserts *v+1* and the other gets a unique
//!   violation, reported as [`StoreError::Conflict`]. Never a lost write.
//! - **Commit-order global log.** PostgreSQL sequences hand out numbers before commit,
//!   so a follower reading "position > last seen" could pass over a number whose
//!   transaction commits later. Here positions come from a single counter row
//!   (`log_head`) that each append updates *in its own transaction*: the row lock is
//!   held until commit, so the next append gets its positions only after the previous
//!   one is committed and visible. Positions are therefore handed out in commit order
//!   and are gapless. **The cost:** appends that write events are serialized across the
//!   whole database from the moment they take their positions until their commit is
//!   durable, so the log's throughput is bounded by one
//!   commit (one WAL flush) at a time, whatever the number of writers. That bound is
//!   measured in the benches (8 concurrent writers). An advisory lock would have the
//!   same cost; a sequence plus a reader-side "high-water mark" would not, but needs
//!   timeouts to tell a gap from a slow transaction.
//! - **Group commit** softens that bound within one engine instance: appends that
//!   arrive while another is being written queue up, and the next leader writes them
//!   with one call of the `append_group` function (migration 2): one round trip, one
//!   transaction, one WAL flush for the group. Each keeps its own version check and
//!   result: a conflict is reported, not raised, so it writes nothing for that request
//!   only. If the call fails (a race lost to another instance), nothing of the group is
//!   written and each request runs again on its own. A lone append is the single
//!   statement above.
//! - **Outbox** claims use `FOR UPDATE SKIP LOCKED`, so several dispatchers share the
//!   work without waiting on each other or claiming a message twice.
//! - **Schema** per store: [`PgConfig::schema`] names a PostgreSQL schema (created if
//!   missing) that every connection of the pool uses as its `search_path`; migrations
//!   are versioned in [`schema`].
//!
//! Event types and payloads are opaque `text` (not `jsonb`): the store keeps them byte
//! for byte, and decoding belongs to the core (PostgreSQL text cannot hold a NUL
//! character: such a payload is refused with [`StoreError::Backend`], nothing written).
//! Instants are kept to the microsecond.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, TryLockError};
use std::time::Duration;

use arende_core::ids::{CommandId, TenantId};
use arende_core::store::{
    AppendRequest, Appended, EventStore, ExpectedVersion, Outbox, OutboxMessage, OutboxRecord,
    OutboxStatus, RecordedEvent, StoreError, StreamId, status_name,
};
use chrono::{DateTime, Utc};
use postgres::error::SqlState;
use postgres::{Client, GenericClient, NoTls, Row, Statement};
use uuid::Uuid;

pub mod schema;

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
    /// An append kept losing races with `ExpectedVersion::Any`.
    #[error("gave up after {0} races on an append with any version")]
    TooManyRaces(u32),
}

fn backend(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend {
        backend: "postgres",
        source: Box::new(e),
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

const APPEND_SQL: &str = "
WITH dup AS (
    SELECT version, position FROM commands
    WHERE tenant = $1 AND stream = $2 AND command_id = $3
), cur AS (
    SELECT coalesce(max(version), 0)::bigint AS v FROM events
    WHERE tenant = $1 AND stream = $2
), ok AS (
    SELECT cur.v FROM cur
    WHERE NOT EXISTS (SELECT 1 FROM dup) AND ($4::bigint IS NULL OR cur.v = $4::bigint)
), head AS (
    UPDATE log_head SET position = position + cardinality($5::text[])
    WHERE id = 1 AND cardinality($5::text[]) > 0 AND EXISTS (SELECT 1 FROM ok)
    RETURNING position - cardinality($5::text[]) AS base
), ev AS (
    INSERT INTO events (tenant, stream, version, position, event_type, payload, actor,
                        command_id, recorded_at)
    SELECT $1, $2, ok.v + e.n, head.base + e.n, e.t, e.p, $7, $3, $8
    FROM ok, head, unnest($5::text[], $6::text[]) WITH ORDINALITY AS e(t, p, n)
    RETURNING 1
), cmd AS (
    INSERT INTO commands (tenant, stream, command_id, version, position)
    SELECT $1, $2, $3, ok.v + cardinality($5::text[]),
           coalesce((SELECT base FROM head) + cardinality($5::text[]), 0)
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
       (SELECT count(*) FROM ev), (SELECT count(*) FROM ob)";

const EVENT_COLUMNS: &str =
    "position, tenant, stream, version, event_type, payload, actor, command_id, recorded_at";

const OUTBOX_COLUMNS: &str =
    "id, tenant, kind, payload, available_at, attempts, last_error, status";

/// A pooled connection with the store's statements prepared on it.
pub struct PgConnection {
    client: Client,
    append: Statement,
    read_stream: Statement,
    read_all: Statement,
    outcome: Statement,
    group: Statement,
}

/// Opens connections for the pool, each with the schema as `search_path` and the
/// statements prepared.
#[derive(Debug)]
pub struct PgManager {
    config: postgres::Config,
}

impl r2d2::ManageConnection for PgManager {
    type Connection = PgConnection;
    type Error = postgres::Error;

    fn connect(&self) -> Result<PgConnection, postgres::Error> {
        let mut client = self.config.connect(NoTls)?;
        let append = client.prepare(APPEND_SQL)?;
        let read_stream = client.prepare(&format!(
            "SELECT {EVENT_COLUMNS} FROM events
             WHERE tenant = $1 AND stream = $2 AND version >= $3 ORDER BY version"
        ))?;
        let read_all = client.prepare(&format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2"
        ))?;
        let outcome = client.prepare(
            "SELECT (SELECT version FROM commands
                     WHERE tenant = $1 AND stream = $2 AND command_id = $3),
                    (SELECT position FROM commands
                     WHERE tenant = $1 AND stream = $2 AND command_id = $3),
                    (SELECT coalesce(max(version), 0)::bigint FROM events
                     WHERE tenant = $1 AND stream = $2)",
        )?;
        let group = client.prepare(
            "SELECT r_dup, r_version, r_position, r_actual FROM append_group(
                 $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )?;
        Ok(PgConnection {
            client,
            append,
            read_stream,
            read_all,
            outcome,
            group,
        })
    }

    fn is_valid(&self, conn: &mut PgConnection) -> Result<(), postgres::Error> {
        conn.client.simple_query("").map(|_| ())
    }

    fn has_broken(&self, conn: &mut PgConnection) -> bool {
        conn.client.is_closed()
    }
}

/// The PostgreSQL event store and outbox. See the crate docs for the design.
pub struct PgStore {
    pool: r2d2::Pool<PgManager>,
    schema: String,
    queue: Mutex<Vec<Pending>>,
    /// Held by the caller writing the current group.
    leader: Mutex<()>,
    /// Held while a caller decides whether to lead or wait; `done` wakes the waiters.
    turn: Mutex<()>,
    done: Condvar,
    appends: AtomicU64,
    transactions: AtomicU64,
    regrouped: AtomicU64,
}

/// At most this many queued appends share one transaction.
const MAX_BATCH: usize = 64;

/// An append waiting for the leader, and where its result goes.
struct Pending {
    request: AppendRequest,
    slot: Arc<Mutex<Option<Result<Appended, StoreError>>>>,
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

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The guarded data is consistent at every point a panic could happen.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

fn instant_column(row: &Row, i: usize) -> Result<DateTime<Utc>, StoreError> {
    row.try_get(i).map_err(backend)
}

fn u64_column(row: &Row, i: usize) -> Result<u64, StoreError> {
    let v: i64 = row.try_get(i).map_err(backend)?;
    Ok(v.max(0) as u64)
}

fn event_of(row: &Row) -> Result<RecordedEvent, StoreError> {
    Ok(RecordedEvent {
        position: u64_column(row, 0)?,
        tenant: TenantId::new(row.try_get::<_, String>(1).map_err(backend)?),
        stream: StreamId::new(row.try_get::<_, String>(2).map_err(backend)?),
        version: u64_column(row, 3)?,
        event_type: row.try_get(4).map_err(backend)?,
        payload: row.try_get(5).map_err(backend)?,
        actor: row.try_get(6).map_err(backend)?,
        command_id: CommandId(row.try_get(7).map_err(backend)?),
        recorded_at: instant_column(row, 8)?,
    })
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
            available_at: instant_column(row, 4)?,
        },
        attempts: attempts.max(0) as u32,
        last_error: row.try_get(6).map_err(backend)?,
        status: status_from(&status)?,
    })
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl PgStore {
    /// Connects, creates the schema if needed and migrates it, and opens the pool.
    pub fn connect(config: PgConfig) -> Result<Self, StoreError> {
        if !valid_schema(&config.schema) {
            return Err(backend(PgError::InvalidSchema(config.schema)));
        }
        let mut pg: postgres::Config = config.url.parse().map_err(backend)?;
        pg.connect_timeout(config.connect_timeout);
        pg.application_name("arende");
        let mut admin = pg.connect(NoTls).map_err(backend)?;
        migrate(&mut admin, &config.schema)?;
        drop(admin);
        pg.options(&format!("-c search_path={}", config.schema));
        let pool = r2d2::Pool::builder()
            .max_size(config.pool_size.max(1))
            .min_idle(Some(1))
            // A check-out costs no round trip; a broken connection is dropped by
            // `has_broken` and the call fails once with the driver's error.
            .test_on_check_out(false)
            .connection_timeout(config.connect_timeout.max(Duration::from_secs(1)) * 3)
            .build(PgManager { config: pg })
            .map_err(backend)?;
        Ok(PgStore {
            pool,
            schema: config.schema,
            queue: Mutex::new(Vec::new()),
            leader: Mutex::new(()),
            turn: Mutex::new(()),
            done: Condvar::new(),
            appends: AtomicU64::new(0),
            transactions: AtomicU64::new(0),
            regrouped: AtomicU64::new(0),
        })
    }

    /// The schema this store uses.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// A pooled connection (for operators' queries and benches).
    pub fn connection(&self) -> Result<r2d2::PooledConnection<PgManager>, StoreError> {
        self.pool.get().map_err(backend)
    }

    /// The newest migration applied to the schema.
    pub fn schema_version(&self) -> Result<i32, StoreError> {
        let mut c = self.connection()?;
        let row = c
            .client
            .query_one(
                "SELECT coalesce(max(version), 0) FROM schema_migrations",
                &[],
            )
            .map_err(backend)?;
        row.try_get(0).map_err(backend)
    }

    /// Appends one request on its own (autocommit: one round trip), retrying an `Any`
    /// append that lost a race.
    fn append_single(
        &self,
        conn: &mut PgConnection,
        req: &AppendRequest,
    ) -> Result<Appended, StoreError> {
        const RACES: u32 = 100;
        for _ in 0..RACES {
            let c = &mut *conn;
            match run_append(&mut c.client, &c.append, req) {
                Ok(outcome) => return outcome.into_result(req),
                Err(e) if lost_race(&e) => {
                    if let Some(done) = self.after_race(conn, req)? {
                        return Ok(done);
                    }
                }
                Err(e) => return Err(backend(e)),
            }
        }
        Err(backend(PgError::TooManyRaces(RACES)))
    }

    /// Appends a group of requests in one transaction (one commit, one WAL flush), each
    /// with its own checks and result: a conflict found by the statement writes nothing
    /// for that request and does not disturb the others. If a statement fails (a race
    /// lost to another engine instance aborts the transaction), the group is rolled back
    /// and every request is retried on its own.
    fn append_group(&self, batch: &[&AppendRequest]) -> Vec<Result<Appended, StoreError>> {
        let mut conn = match self.connection() {
            Ok(c) => c,
            Err(e) => {
                let msg = e.to_string();
                return batch
                    .iter()
                    .map(|_| Err(backend(PgError::Group(msg.clone()))))
                    .collect();
            }
        };
        let grouped = {
            let c = &mut *conn;
            run_group(&mut c.client, &c.group, batch)
        };
        match grouped {
            Ok(outcomes) => outcomes
                .into_iter()
                .zip(batch)
                .map(|(o, req)| o.into_result(req))
                .collect(),
            // The call failed as a whole (autocommit): nothing of it is written.
            Err(_) => {
                self.regrouped.fetch_add(1, Ordering::Relaxed);
                batch
                    .iter()
                    .map(|req| self.append_single(&mut conn, req))
                    .collect()
            }
        }
    }

    /// As the leader: takes the queued appends (up to `max_batch`), writes them, and
    /// wakes the waiting callers.
    fn lead(&self, leader: MutexGuard<'_, ()>) {
        let batch: Vec<Pending> = {
            let mut q = lock(&self.queue);
            let n = q.len().min(MAX_BATCH);
            q.drain(..n).collect()
        };
        if !batch.is_empty() {
            self.appends
                .fetch_add(batch.len() as u64, Ordering::Relaxed);
            self.transactions.fetch_add(1, Ordering::Relaxed);
            let results = if batch.len() == 1 {
                vec![
                    self.connection()
                        .and_then(|mut c| self.append_single(&mut c, &batch[0].request)),
                ]
            } else {
                let reqs: Vec<&AppendRequest> = batch.iter().map(|p| &p.request).collect();
                self.append_group(&reqs)
            };
            for (p, r) in batch.into_iter().zip(results) {
                *lock(&p.slot) = Some(r);
            }
        }
        drop(leader);
        let _turn = lock(&self.turn);
        self.done.notify_all();
    }

    /// How many appends shared how many transactions since the store was connected.
    pub fn group_stats(&self) -> GroupStats {
        GroupStats {
            appends: self.appends.load(Ordering::Relaxed),
            transactions: self.transactions.load(Ordering::Relaxed),
            regrouped: self.regrouped.load(Ordering::Relaxed),
        }
    }

    /// After a unique violation: a duplicate, a conflict, or (with `Any`) a retry.
    fn after_race(
        &self,
        conn: &mut PgConnection,
        req: &AppendRequest,
    ) -> Result<Option<Appended>, StoreError> {
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
}

/// What the append statement found.
enum Outcome {
    /// Written now, or found written before (`duplicate`).
    Done(Appended),
    /// The stream was at another version: nothing written.
    Conflict(u64),
}

impl Outcome {
    fn into_result(self, req: &AppendRequest) -> Result<Appended, StoreError> {
        match self {
            Outcome::Done(a) => Ok(a),
            Outcome::Conflict(actual) => Err(StoreError::Conflict {
                tenant: req.tenant.clone(),
                stream: req.stream.clone(),
                expected: req.expected,
                actual,
            }),
        }
    }
}

/// A unique violation on the events or commands keys: another writer committed the
/// same version or the same command first. (One on the outbox id is a caller's error.)
fn lost_race(e: &postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
        && !e
            .as_db_error()
            .and_then(|d| d.constraint())
            .is_some_and(|c| c.starts_with("outbox"))
}

/// Runs a group of appends in one call of `append_group`: one round trip, and (in
/// autocommit) one transaction.
fn run_group(
    client: &mut Client,
    statement: &Statement,
    batch: &[&AppendRequest],
) -> Result<Vec<Outcome>, postgres::Error> {
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
        actors.push(req.actor.as_str());
        recorded.push(req.recorded_at);
        for e in &req.events {
            e_req.push(i);
            e_type.push(e.event_type.as_str());
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
    let rows = client.query(
        statement,
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
    )?;
    rows.iter()
        .map(|row| {
            let dup: bool = row.try_get(0)?;
            let version: Option<i64> = row.try_get(1)?;
            let position: Option<i64> = row.try_get(2)?;
            let actual: Option<i64> = row.try_get(3)?;
            Ok(match (version, position) {
                (Some(v), Some(p)) => Outcome::Done(Appended {
                    version: v.max(0) as u64,
                    position: p.max(0) as u64,
                    duplicate: dup,
                }),
                _ => Outcome::Conflict(actual.unwrap_or(0).max(0) as u64),
            })
        })
        .collect()
}

/// Runs the append statement for one request: one round trip.
fn run_append(
    client: &mut impl GenericClient,
    statement: &Statement,
    req: &AppendRequest,
) -> Result<Outcome, postgres::Error> {
    let expected: Option<i64> = req.expected.as_number().map(to_i64);
    let types: Vec<&str> = req.events.iter().map(|e| e.event_type.as_str()).collect();
    let payloads: Vec<&str> = req.events.iter().map(|e| e.payload.as_str()).collect();
    let ids: Vec<Uuid> = req.outbox.iter().map(|m| m.id).collect();
    let kinds: Vec<&str> = req.outbox.iter().map(|m| m.kind.as_str()).collect();
    let bodies: Vec<&str> = req.outbox.iter().map(|m| m.payload.as_str()).collect();
    let available: Vec<DateTime<Utc>> = req.outbox.iter().map(|m| m.available_at).collect();
    let row = client.query_one(
        statement,
        &[
            &req.tenant.as_str(),
            &req.stream.as_str(),
            &req.command_id.0,
            &expected,
            &types,
            &payloads,
            &req.actor,
            &req.recorded_at,
            &ids,
            &kinds,
            &bodies,
            &available,
        ],
    )?;
    let dup_version: Option<i64> = row.try_get(0)?;
    let dup_position: Option<i64> = row.try_get(1)?;
    let actual: i64 = row.try_get(2)?;
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
    Ok(Outcome::Conflict(actual.max(0) as u64))
}

fn migrate(c: &mut Client, schema: &str) -> Result<(), StoreError> {
    let mut tx = c.transaction().map_err(backend)?;
    // One migrator at a time across the database (the key is 0x6172656e6465, "arende").
    tx.execute("SELECT pg_advisory_xact_lock(107143955899493)", &[])
        .map_err(backend)?;
    tx.batch_execute(&format!(
        "CREATE SCHEMA IF NOT EXISTS {schema};
         SET LOCAL search_path = {schema};
         CREATE TABLE IF NOT EXISTS schema_migrations (
             version    integer PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now()
         );"
    ))
    .map_err(backend)?;
    let found: i32 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )
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
        tx.batch_execute(sql).map_err(backend)?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[&(i as i32 + 1)],
        )
        .map_err(backend)?;
    }
    tx.commit().map_err(backend)
}

impl EventStore for PgStore {
    fn append(&self, request: AppendRequest) -> Result<Appended, StoreError> {
        if request.events.is_empty() && request.outbox.is_empty() {
            return Err(StoreError::InvalidRequest {
                stream: request.stream,
                reason: "nothing to append".into(),
            });
        }
        let slot = Arc::new(Mutex::new(None));
        lock(&self.queue).push(Pending {
            request,
            slot: slot.clone(),
        });
        let mut turn = lock(&self.turn);
        loop {
            if let Some(r) = lock(&slot).take() {
                // A leader wrote this request with its group.
                return r;
            }
            match self.leader.try_lock() {
                Ok(g) => {
                    drop(turn);
                    self.lead(g);
                    turn = lock(&self.turn);
                }
                Err(TryLockError::Poisoned(p)) => {
                    drop(turn);
                    self.lead(p.into_inner());
                    turn = lock(&self.turn);
                }
                // Another caller is leading: wait until its group is done (it
                // notifies under `turn`, held here until we wait), then look again.
                Err(TryLockError::WouldBlock) => {
                    turn = self.done.wait(turn).unwrap_or_else(|p| p.into_inner());
                }
            }
        }
    }

    fn read_stream(
        &self,
        tenant: &TenantId,
        stream: &StreamId,
        from_version: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut conn = self.connection()?;
        let c = &mut *conn;
        let rows = c
            .client
            .query(
                &c.read_stream,
                &[&tenant.as_str(), &stream.as_str(), &to_i64(from_version)],
            )
            .map_err(backend)?;
        rows.iter().map(event_of).collect()
    }

    fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut conn = self.connection()?;
        let c = &mut *conn;
        let rows = c
            .client
            .query(&c.read_all, &[&to_i64(after), &to_i64(limit as u64)])
            .map_err(backend)?;
        rows.iter().map(event_of).collect()
    }
}

impl Outbox for PgStore {
    fn claim(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: usize,
    ) -> Result<Vec<OutboxRecord>, StoreError> {
        let mut conn = self.connection()?;
        let until = now + lease;
        let rows = conn
            .client
            .query(
                &format!(
                    "UPDATE outbox SET status = 'claimed', claimed_until = $2, due_at = $2
                     WHERE seq IN (SELECT seq FROM outbox WHERE due_at <= $1
                                   ORDER BY available_at, seq LIMIT $3
                                   FOR UPDATE SKIP LOCKED)
                     RETURNING {OUTBOX_COLUMNS}, seq"
                ),
                &[&now, &until, &to_i64(limit as u64)],
            )
            .map_err(backend)?;
        let mut records = rows
            .iter()
            .map(|r| Ok((outbox_of(r)?, r.try_get::<_, i64>(8).map_err(backend)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        records.sort_by_key(|(r, seq)| (r.message.available_at, *seq));
        Ok(records.into_iter().map(|(r, _)| r).collect())
    }

    fn mark_delivered(&self, id: Uuid) -> Result<(), StoreError> {
        let mut conn = self.connection()?;
        let n = conn
            .client
            .execute(
                "UPDATE outbox SET status = 'delivered', claimed_until = NULL, due_at = NULL
                 WHERE id = $1",
                &[&id],
            )
            .map_err(backend)?;
        if n == 0 {
            Err(StoreError::UnknownMessage(id))
        } else {
            Ok(())
        }
    }

    fn mark_failed(
        &self,
        id: Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let mut conn = self.connection()?;
        let n = match retry_at {
            Some(t) => conn.client.execute(
                "UPDATE outbox SET status = 'pending', attempts = attempts + 1,
                     last_error = $2, claimed_until = NULL, available_at = $3, due_at = $3
                 WHERE id = $1",
                &[&id, &error, &t],
            ),
            None => conn.client.execute(
                "UPDATE outbox SET status = 'parked', attempts = attempts + 1,
                     last_error = $2, claimed_until = NULL, due_at = NULL
                 WHERE id = $1",
                &[&id, &error],
            ),
        }
        .map_err(backend)?;
        if n == 0 {
            Err(StoreError::UnknownMessage(id))
        } else {
            Ok(())
        }
    }

    fn parked(&self, tenant: &TenantId) -> Result<Vec<OutboxRecord>, StoreError> {
        let mut conn = self.connection()?;
        let rows = conn
            .client
            .query(
                &format!(
                    "SELECT {OUTBOX_COLUMNS} FROM outbox
                     WHERE tenant = $1 AND status = 'parked' ORDER BY seq"
                ),
                &[&tenant.as_str()],
            )
            .map_err(backend)?;
        rows.iter().map(outbox_of).collect()
    }

    fn undelivered(
        &self,
        tenant: &TenantId,
        limit: usize,
    ) -> Result<Vec<OutboxRecord>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut conn = self.connection()?;
        let rows = conn
            .client
            .query(
                &format!(
                    "SELECT {OUTBOX_COLUMNS} FROM outbox
                     WHERE tenant = $1 AND status <> 'delivered' ORDER BY seq LIMIT $2"
                ),
                &[&tenant.as_str(), &limit],
            )
            .map_err(backend)?;
        rows.iter().map(outbox_of).collect()
    }

    fn outbox_counts(&self, tenant: &TenantId) -> Result<BTreeMap<String, u64>, StoreError> {
        let mut conn = self.connection()?;
        let rows = conn
            .client
            .query(
                "SELECT status, count(*) FROM outbox WHERE tenant = $1 GROUP BY status",
                &[&tenant.as_str()],
            )
            .map_err(backend)?;
        rows.iter()
            .map(|r| {
                let s: String = r.try_get(0).map_err(backend)?;
                let n: i64 = r.try_get(1).map_err(backend)?;
                Ok((status_name(status_from(&s)?).to_owned(), n.max(0) as u64))
            })
            .collect()
    }
}

impl PgConnection {
    /// The client, for operators' queries and benches.
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
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
