//! The embedded SQLite store, the default: one file holds a county's events, the
//! commands already executed (for idempotent retries), the outbox and the service's
//! idempotency records ([`IdempotencyStore`]).
//!
//! # Design
//! - **Durable by default.** WAL with `synchronous=FULL`: an append that returned `Ok`
//!   survives a crash of the process *and* a power loss. [`Durability::Normal`] is an
//!   explicit choice that trades the power-loss guarantee for speed (see there).
//! - **One writer, many readers.** Appends and outbox updates go through one writer
//!   connection; reads use a small pool of reader connections, so in WAL mode a read
//!   never waits behind a write.
//! - **Group commit** ([`GroupCommit`], shared with the PostgreSQL store). Appends that
//!   arrive while the writer is busy are queued; the next leader runs the whole queue in
//!   one transaction (one fsync), each request inside its own `SAVEPOINT`, so each keeps
//!   its own expected-version check and its own result: a conflict rolls back only that
//!   request. A leader that finds fewer appends queued than the last group held waits up
//!   to [`SqliteConfig::gather`] for them, so groups stay large when a flush is fast.
//! - **Opening** a new file from two processes at once races for the switch to WAL,
//!   which SQLite answers "busy" without its busy handler: retried with backoff.
//! - **Commit order.** Positions are handed out by the single writer inside the
//!   transaction, so position order is commit order and a follower of
//!   [`EventStore::read_all`] never skips an event.
//! - **Schema** in [`schema`]: events clustered by `(tenant, stream, version)` (the
//!   `UNIQUE(tenant, stream, version)` that backs the version check), so loading a
//!   matter costs the same however many events the file holds; migrations versioned
//!   with `PRAGMA user_version`.
//! - **Async.** With the `tokio` feature, [`AsyncSqliteStore`] runs every call on tokio's
//!   blocking pool, so async code never blocks its runtime on SQLite.
//!
//! Instants are stored as microseconds since the epoch (the precision PostgreSQL keeps
//! too).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use arende_core::ids::{CommandId, TenantId};
use arende_core::store::{
    AppendRequest, AppendResult, Appended, EventRef, EventStore, GroupCommit, GroupConfig,
    IdempotencyRecord, IdempotencyStore, LogCheck, Outbox, OutboxMessage, OutboxRecord,
    OutboxStatus, RecordedEvent, Reservation, ReserveRequest, ScanStore, StoreError,
    StoredResponse, StreamHead, StreamId, status_name, verify_head, verify_log, verify_stream,
};

pub use arende_core::store::GroupStats;
use chrono::{DateTime, Utc};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use uuid::Uuid;

pub mod schema;

#[cfg(feature = "tokio")]
mod async_store;
#[cfg(feature = "tokio")]
pub use async_store::AsyncSqliteStore;

/// How hard SQLite works to keep a committed append.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// WAL with `synchronous=FULL` (the default): every commit is fsynced before the
    /// append returns. Survives a process crash and a power loss or OS crash.
    #[default]
    Full,
    /// WAL with `synchronous=NORMAL`: the WAL is fsynced only at checkpoints. Survives a
    /// process crash, but **a power loss or OS crash can lose appends that already
    /// returned `Ok`** (the database stays consistent; the latest commits vanish). Only
    /// for data that can be rebuilt, e.g. a test run or an import that is restarted from
    /// its source on failure.
    Normal,
}

/// How to open a [`SqliteStore`].
#[derive(Debug, Clone)]
pub struct SqliteConfig {
    /// Durability of commits (default [`Durability::Full`]).
    pub durability: Durability,
    /// How long a connection waits for a lock held by another process (default 5 s).
    pub busy_timeout: Duration,
    /// At most this many queued appends share one transaction (default 256).
    pub max_batch: usize,
    /// How long the next writer waits for the callers of the last group to queue again
    /// before it writes (default 1 ms; see [`GroupCommit`]). With a fast flush, groups
    /// would otherwise hold only the few callers that queued during one short commit.
    pub gather: Duration,
    /// Idle reader connections kept open (default 4).
    pub idle_readers: usize,
    /// Whether opening an existing file first runs SQLite's `quick_check` and refuses a
    /// damaged file (default `true`; it reads the whole file once).
    pub check_on_open: bool,
}

impl Default for SqliteConfig {
    fn default() -> Self {
        SqliteConfig {
            durability: Durability::Full,
            busy_timeout: Duration::from_secs(5),
            max_batch: 256,
            gather: Duration::from_millis(1),
            idle_readers: 4,
            check_on_open: true,
        }
    }
}

/// Problems particular to this store, carried in [`StoreError::Backend`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SqliteError {
    /// The file was written by a newer version of this crate.
    #[error("the database schema is at version {found}, newer than the {known} this build knows")]
    SchemaTooNew {
        /// The file's `user_version`.
        found: i64,
        /// The newest version this build knows.
        known: usize,
    },
    /// A stored value cannot be read back (the file was changed outside this crate).
    #[error("stored {column} is invalid: {reason}")]
    InvalidColumn {
        /// The column.
        column: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The transaction shared by a group of appends failed to commit.
    #[error("the group commit failed: {0}")]
    GroupCommit(String),
    /// The file is damaged (or is no SQLite database): what SQLite's check found. The
    /// store refuses to open it, so nothing is written into a damaged file.
    #[error("{path} is damaged: {}", problems.join("; "))]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What the check found, in SQLite's words.
        problems: Vec<String>,
    },
    /// A number does not fit SQLite's signed 64-bit integers.
    #[error("{what} {value} is out of range")]
    OutOfRange {
        /// What number.
        what: &'static str,
        /// The number.
        value: u64,
    },
}

fn backend(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend {
        backend: "sqlite",
        source: Box::new(e),
    }
}

/// The embedded SQLite event store and outbox. See the crate docs for the design.
pub struct SqliteStore {
    path: PathBuf,
    config: SqliteConfig,
    writer: Mutex<Connection>,
    /// The queue of appends; one leader at a time (one writer connection).
    group: GroupCommit,
    readers: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section leaves its data consistent before anything can panic
    // (a transaction is rolled back on the next use, see `Writer::begin`).
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn to_i64(what: &'static str, value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| backend(SqliteError::OutOfRange { what, value }))
}

fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn from_micros(column: &'static str, us: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_micros(us).ok_or_else(|| {
        backend(SqliteError::InvalidColumn {
            column,
            reason: format!("{us} µs is not an instant"),
        })
    })
}

fn uuid_from(column: &'static str, bytes: &[u8]) -> Result<Uuid, StoreError> {
    Uuid::from_slice(bytes).map_err(|e| {
        backend(SqliteError::InvalidColumn {
            column,
            reason: e.to_string(),
        })
    })
}

fn status_from(s: &str) -> Result<OutboxStatus, StoreError> {
    Ok(match s {
        "pending" => OutboxStatus::Pending,
        "claimed" => OutboxStatus::Claimed,
        "delivered" => OutboxStatus::Delivered,
        "parked" => OutboxStatus::Parked,
        other => {
            return Err(backend(SqliteError::InvalidColumn {
                column: "outbox.status",
                reason: format!("unknown status {other:?}"),
            }));
        }
    })
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path` with the default configuration:
    /// WAL, `synchronous=FULL`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(path, SqliteConfig::default())
    }

    /// Opens (creating if needed) the store at `path`, migrating its schema to the
    /// newest version.
    ///
    /// Two processes opening a new file at the same moment race for the switch to WAL,
    /// which SQLite answers with `SQLITE_BUSY` without calling the busy handler: such a
    /// busy or locked answer is retried with backoff (from 1 ms, doubling to 50 ms)
    /// until [`SqliteConfig::busy_timeout`] has passed.
    pub fn open_with(path: impl AsRef<Path>, config: SqliteConfig) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let started = std::time::Instant::now();
        let mut pause = Duration::from_millis(1);
        let writer = loop {
            match open_writer(&path, &config) {
                Ok(c) => break c,
                Err(OpenFailure::Sqlite(e))
                    if is_busy(&e) && started.elapsed() < config.busy_timeout =>
                {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(50));
                }
                Err(OpenFailure::Sqlite(e)) => return Err(backend(e)),
                Err(OpenFailure::Store(e)) => return Err(e),
            }
        };
        let group = GroupCommit::new(GroupConfig {
            max_batch: config.max_batch,
            max_leaders: 1,
            gather: config.gather,
        });
        Ok(SqliteStore {
            path,
            config,
            writer: Mutex::new(writer),
            group,
            readers: Mutex::new(Vec::new()),
        })
    }

    /// The file this store writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many appends shared how many transactions since the store was opened.
    pub fn group_stats(&self) -> GroupStats {
        self.group.stats()
    }

    /// The schema version of the file (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.with_reader(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)))
    }

    fn with_reader<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let conn = lock(&self.readers).pop();
        let conn = match conn {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(backend)?;
                c.busy_timeout(self.config.busy_timeout).map_err(backend)?;
                c.pragma_update(None, "query_only", true).map_err(backend)?;
                c.set_prepared_statement_cache_capacity(16);
                c
            }
        };
        let result = f(&conn).map_err(backend);
        let mut idle = lock(&self.readers);
        if idle.len() < self.config.idle_readers {
            idle.push(conn);
        }
        result
    }

    fn with_writer<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let conn = lock(&self.writer);
        let result = begin(&conn).and_then(|()| match f(&conn) {
            Ok(v) => conn
                .prepare_cached("COMMIT")
                .and_then(|mut s| s.execute([]))
                .map(|_| v)
                .map_err(|e| {
                    rollback(&conn);
                    backend(e)
                }),
            Err(e) => {
                rollback(&conn);
                Err(e)
            }
        });
        drop(conn);
        result
    }

    /// Writes a group of appends in one transaction, one savepoint each (a conflict
    /// rolls back only its own request), and gives each its result.
    fn run_batch(&self, batch: Vec<AppendRequest>) -> Vec<AppendResult> {
        let conn = lock(&self.writer);
        let conn = &*conn;
        if let Err(e) = begin(conn) {
            let msg = e.to_string();
            return batch
                .iter()
                .map(|_| Err(backend(SqliteError::GroupCommit(msg.clone()))))
                .collect();
        }
        let single = batch.len() == 1;
        let mut results = Vec::with_capacity(batch.len());
        for request in &batch {
            let r = if single {
                append_one(conn, request)
            } else {
                savepoint(conn, |c| append_one(c, request))
            };
            results.push(r);
        }
        let all_failed = results.iter().all(Result::is_err);
        let commit = if all_failed {
            rollback(conn);
            Ok(())
        } else {
            conn.prepare_cached("COMMIT")
                .and_then(|mut s| s.execute([]).map(|_| ()))
        };
        if let Err(e) = commit {
            rollback(conn);
            let msg = e.to_string();
            for r in &mut results {
                if r.is_ok() {
                    *r = Err(backend(SqliteError::GroupCommit(msg.clone())));
                }
            }
        }
        results
    }
}

/// Why one try at opening failed: SQLite (maybe busy, to retry), or the file itself.
enum OpenFailure {
    Sqlite(rusqlite::Error),
    Store(StoreError),
}

impl From<rusqlite::Error> for OpenFailure {
    fn from(e: rusqlite::Error) -> Self {
        OpenFailure::Sqlite(e)
    }
}

/// Opens, configures and migrates the writer connection (one try).
fn open_writer(path: &Path, config: &SqliteConfig) -> Result<Connection, OpenFailure> {
    let existed = path.metadata().is_ok_and(|m| m.len() > 0);
    let mut writer = Connection::open(path)?;
    if config.check_on_open && existed {
        // Before anything is written: a damaged file (or one that is no database) is
        // refused naming the file, never migrated or appended to.
        let problems = match quick_check(&writer) {
            Ok(p) => p,
            Err(e) if is_busy(&e) => return Err(e.into()),
            Err(e) => vec![e.to_string()],
        };
        if !problems.is_empty() {
            return Err(OpenFailure::Store(backend(SqliteError::Damaged {
                path: path.to_path_buf(),
                problems,
            })));
        }
    }
    configure(&writer, config)?;
    migrate(&mut writer)?;
    writer.set_prepared_statement_cache_capacity(64);
    Ok(writer)
}

/// SQLite's `quick_check` (pages, free list, record formats; O(N), without comparing
/// indexes with their tables): its findings, empty when the file is sound.
fn quick_check(c: &Connection) -> rusqlite::Result<Vec<String>> {
    findings(c, "PRAGMA quick_check(100)")
}

/// The rows of a check pragma other than `ok`.
fn findings(c: &Connection, pragma: &str) -> rusqlite::Result<Vec<String>> {
    let mut s = c.prepare(pragma)?;
    let rows = s.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for row in rows {
        let row = row?;
        if row != "ok" {
            out.push(row);
        }
    }
    Ok(out)
}

/// Whether SQLite answered "busy" or "locked" (another connection holds a lock).
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

fn configure(c: &Connection, config: &SqliteConfig) -> rusqlite::Result<()> {
    c.busy_timeout(config.busy_timeout)?;
    let mode: String = c.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "journal_mode is {mode}, not wal"
        )));
    }
    let sync = match config.durability {
        Durability::Full => "FULL",
        Durability::Normal => "NORMAL",
    };
    c.pragma_update(None, "synchronous", sync)?;
    Ok(())
}

fn migrate(c: &mut Connection) -> Result<(), OpenFailure> {
    let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > schema::MIGRATIONS.len() as i64 {
        return Err(OpenFailure::Store(backend(SqliteError::SchemaTooNew {
            found,
            known: schema::MIGRATIONS.len(),
        })));
    }
    for (i, sql) in schema::MIGRATIONS
        .iter()
        .enumerate()
        .skip(found.max(0) as usize)
    {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
    }
    Ok(tx.commit()?)
}

fn begin(c: &Connection) -> Result<(), StoreError> {
    if !c.is_autocommit() {
        // A transaction left open by a panic in an earlier call: roll it back.
        rollback(c);
    }
    c.prepare_cached("BEGIN IMMEDIATE")
        .and_then(|mut s| s.execute([]))
        .map(|_| ())
        .map_err(backend)
}

fn rollback(c: &Connection) {
    if !c.is_autocommit() {
        let _ = c.execute_batch("ROLLBACK");
    }
}

fn savepoint<T>(
    c: &Connection,
    f: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    c.prepare_cached("SAVEPOINT one")
        .and_then(|mut s| s.execute([]))
        .map_err(backend)?;
    let r = f(c);
    let end = if r.is_ok() {
        c.prepare_cached("RELEASE one")
            .and_then(|mut s| s.execute([]))
    } else {
        c.prepare_cached("ROLLBACK TO one")
            .and_then(|mut s| s.execute([]))
            .and_then(|_| c.prepare_cached("RELEASE one")?.execute([]))
    };
    match (r, end) {
        (Ok(v), Ok(_)) => Ok(v),
        (Err(e), _) => Err(e),
        (Ok(_), Err(e)) => Err(backend(e)),
    }
}

/// Appends one request inside the current transaction: the idempotency check, the
/// version check, the events, the command row and the outbox rows.
fn append_one(c: &Connection, req: &AppendRequest) -> Result<Appended, StoreError> {
    let tenant = req.tenant.as_str();
    let stream = req.stream.as_str();
    let cmd = req.command_id.0.as_bytes().as_slice();
    let done: Option<(i64, i64)> = c
        .prepare_cached(
            "SELECT version, position FROM commands
             WHERE tenant = ?1 AND stream = ?2 AND command_id = ?3",
        )
        .and_then(|mut s| {
            s.query_row(params![tenant, stream, cmd], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .map_err(backend)?;
    if let Some((version, position)) = done {
        return Ok(Appended {
            version: version as u64,
            position: position as u64,
            duplicate: true,
        });
    }
    let head = c
        .prepare_cached(
            "SELECT count(*), coalesce(max(version), 0), coalesce(max(position), 0),
                    coalesce((SELECT position FROM events WHERE tenant = ?1 AND stream = ?2
                              ORDER BY version DESC LIMIT 1), 0)
             FROM events WHERE tenant = ?1 AND stream = ?2",
        )
        .and_then(|mut s| {
            s.query_row(params![tenant, stream], |r| {
                Ok(StreamHead {
                    events: r.get::<_, i64>(0)?.max(0) as u64,
                    last_version: r.get::<_, i64>(1)?.max(0) as u64,
                    last_position: r.get::<_, i64>(2)?.max(0) as u64,
                    last_version_position: r.get::<_, i64>(3)?.max(0) as u64,
                })
            })
        })
        .map_err(backend)?;
    // Nothing is appended onto a stream whose head does not add up.
    let actual = verify_head(&req.tenant, &req.stream, head)?;
    if let Some(expected) = req.expected.as_number()
        && expected != actual
    {
        return Err(StoreError::Conflict {
            tenant: req.tenant.clone(),
            stream: req.stream.clone(),
            expected: req.expected,
            actual,
        });
    }
    let mut version = actual;
    let mut position = 0u64;
    if !req.events.is_empty() {
        let head: i64 = c
            .prepare_cached("SELECT coalesce(max(position), 0) FROM events")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(backend)?;
        position = head as u64;
        let recorded_at = micros(req.recorded_at);
        let mut insert = c
            .prepare_cached(
                "INSERT INTO events (tenant, stream, version, position, event_type, payload,
                                     actor, command_id, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .map_err(backend)?;
        for e in &req.events {
            version += 1;
            position += 1;
            let r = insert.execute(params![
                tenant,
                stream,
                to_i64("version", version)?,
                to_i64("position", position)?,
                e.event_type,
                e.payload,
                req.actor,
                cmd,
                recorded_at
            ]);
            if let Err(err) = r {
                return Err(match err.sqlite_error_code() {
                    // The UNIQUE(tenant, stream, version) caught a writer the version
                    // check did not (another process writing without the lock).
                    Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::Conflict {
                        tenant: req.tenant.clone(),
                        stream: req.stream.clone(),
                        expected: req.expected,
                        actual: version,
                    },
                    _ => backend(err),
                });
            }
        }
    }
    c.prepare_cached(
        "INSERT INTO commands (tenant, stream, command_id, version, position)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .and_then(|mut s| {
        s.execute(params![
            tenant,
            stream,
            cmd,
            version as i64,
            position as i64
        ])
    })
    .map_err(backend)?;
    if !req.outbox.is_empty() {
        let mut insert = c
            .prepare_cached(
                "INSERT INTO outbox (id, tenant, kind, payload, available_at, due_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            )
            .map_err(backend)?;
        for m in &req.outbox {
            insert
                .execute(params![
                    m.id.as_bytes().as_slice(),
                    tenant,
                    m.kind,
                    m.payload,
                    micros(m.available_at)
                ])
                .map_err(backend)?;
        }
    }
    Ok(Appended {
        version,
        position,
        duplicate: false,
    })
}

const EVENT_COLUMNS: &str =
    "position, tenant, stream, version, event_type, payload, actor, command_id, recorded_at";

/// The text of a column, borrowed from the row, or what is wrong with it (NULL, not
/// UTF-8, not text).
fn text_at<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Result<&'r str, String>> {
    Ok(match r.get_ref(i)? {
        ValueRef::Text(b) => std::str::from_utf8(b).map_err(|e| format!("not UTF-8: {e}")),
        other => Err(format!("{} where text was due", kind_of(other))),
    })
}

/// The integer of a column, or what is wrong with it.
fn integer_at(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Result<i64, String>> {
    Ok(match r.get_ref(i)? {
        ValueRef::Integer(n) => Ok(n),
        other => Err(format!("{} where an integer was due", kind_of(other))),
    })
}

fn kind_of(v: ValueRef<'_>) -> &'static str {
    match v {
        ValueRef::Null => "NULL",
        ValueRef::Integer(_) => "an integer",
        ValueRef::Real(_) => "a real",
        ValueRef::Text(_) => "text",
        ValueRef::Blob(_) => "a blob",
    }
}

/// Reads an event row, borrowing its text from the row: the event, or a
/// [`StoreError::Corrupt`] naming the row (its tenant and stream as far as they can be
/// read, and its version) and the column that cannot be read. Only a failure of SQLite
/// itself is an `Err` of the outer result.
fn event_ref<'r>(r: &'r rusqlite::Row<'_>) -> rusqlite::Result<Result<EventRef<'r>, StoreError>> {
    let tenant = text_at(r, 1)?;
    let stream = text_at(r, 2)?;
    let version = integer_at(r, 3)?;
    let named = version.clone().unwrap_or(0).max(0) as u64;
    // Only on the error path: the row's names as far as they can be read.
    let bad = |column: &'static str,
               reason: String|
     -> rusqlite::Result<Result<EventRef<'r>, StoreError>> {
        let lossy = |i: usize| -> rusqlite::Result<String> {
            Ok(match r.get_ref(i)? {
                ValueRef::Text(b) | ValueRef::Blob(b) => String::from_utf8_lossy(b).into_owned(),
                ValueRef::Integer(n) => n.to_string(),
                _ => String::new(),
            })
        };
        Ok(Err(StoreError::unreadable(
            TenantId::new(lossy(1)?),
            StreamId::new(lossy(2)?),
            named,
            column,
            reason,
        )))
    };
    let position = match integer_at(r, 0)? {
        Ok(p) if p >= 1 => p as u64,
        Ok(p) => return bad("position", format!("{p} is not a position")),
        Err(e) => return bad("position", e),
    };
    let (tenant, stream) = match (tenant, stream) {
        (Ok(t), Ok(s)) => (t, s),
        (Err(e), _) => return bad("tenant", e),
        (_, Err(e)) => return bad("stream", e),
    };
    let version = match version {
        Ok(v) if v >= 1 => v as u64,
        Ok(v) => return bad("version", format!("{v} is not a version")),
        Err(e) => return bad("version", e),
    };
    let mut texts = [""; 3];
    for (slot, (i, column)) in
        texts
            .iter_mut()
            .zip([(4, "event_type"), (5, "payload"), (6, "actor")])
    {
        match text_at(r, i)? {
            Ok(t) => *slot = t,
            Err(e) => return bad(column, e),
        }
    }
    let command_id = match r.get_ref(7)? {
        ValueRef::Blob(b) => match Uuid::from_slice(b) {
            Ok(u) => CommandId(u),
            Err(e) => return bad("command_id", e.to_string()),
        },
        other => {
            return bad(
                "command_id",
                format!("{} where a UUID was due", kind_of(other)),
            );
        }
    };
    let recorded_at = match integer_at(r, 8)? {
        Ok(us) => match DateTime::from_timestamp_micros(us) {
            Some(t) => t,
            None => return bad("recorded_at", format!("{us} µs is not an instant")),
        },
        Err(e) => return bad("recorded_at", e),
    };
    let [event_type, payload, actor] = texts;
    Ok(Ok(EventRef {
        position,
        tenant,
        stream,
        version,
        event_type,
        payload,
        actor,
        command_id,
        recorded_at,
    }))
}

/// Reads an event row into a [`RecordedEvent`] (see [`event_ref`]).
fn event_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<RecordedEvent, StoreError>> {
    Ok(event_ref(r)?.map(|e| e.to_recorded()))
}

impl EventStore for SqliteStore {
    fn append(&self, request: AppendRequest) -> Result<Appended, StoreError> {
        arende_core::store::validate_append(&request)?;
        self.group
            .submit(request, "sqlite", &|batch| self.run_batch(batch))
    }

    fn read_stream(
        &self,
        tenant: &TenantId,
        stream: &StreamId,
        from_version: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let from = i64::try_from(from_version).unwrap_or(i64::MAX);
        let rows = self.with_reader(|c| {
            let mut s = c.prepare_cached(&format!(
                "SELECT {EVENT_COLUMNS} FROM events
                 WHERE tenant = ?1 AND stream = ?2 AND version >= ?3 ORDER BY version"
            ))?;
            s.query_map(params![tenant.as_str(), stream.as_str(), from], event_row)?
                .collect::<rusqlite::Result<Vec<_>>>()
        })?;
        verify_stream(tenant, stream, from_version, rows)
    }

    fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let from = i64::try_from(after).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.with_reader(|c| {
            let mut s = c.prepare_cached(&format!(
                "SELECT {EVENT_COLUMNS} FROM events
                 WHERE position > ?1 ORDER BY position LIMIT ?2"
            ))?;
            s.query_map(params![from, limit], event_row)?
                .collect::<rusqlite::Result<Vec<_>>>()
        })?;
        verify_log(after, None, rows)
    }

    fn visit_tenant(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
        visit: &mut dyn FnMut(EventRef<'_>),
    ) -> Result<usize, StoreError> {
        let from = i64::try_from(after).unwrap_or(i64::MAX);
        let most = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with_reader(|c| {
            let mut s = c.prepare_cached(&format!(
                "SELECT {EVENT_COLUMNS} FROM events
                 WHERE tenant = ?1 AND position > ?2 ORDER BY position LIMIT ?3"
            ))?;
            let mut rows = s.query(params![tenant.as_str(), from, most])?;
            let mut check = LogCheck::new(after, Some(tenant));
            while let Some(r) = rows.next()? {
                match check.check(event_ref(r)?) {
                    Ok(Some(e)) => visit(e),
                    Ok(None) => break,
                    Err(bad) => return Ok(Err(bad)),
                }
            }
            Ok(Ok(check.passed()))
        })?
    }
}

impl ScanStore for SqliteStore {
    /// SQLite's `integrity_check` (every page, and every index against its table) and,
    /// for each index of the event table, its row count against the table's own scan
    /// (an index that hides rows a damaged page lost). A check that cannot run is a
    /// finding too, with SQLite's error text.
    fn check_storage(&self) -> Result<Vec<String>, StoreError> {
        self.with_reader(|c| {
            let mut out = match findings(c, "PRAGMA integrity_check(100)") {
                Ok(f) => f,
                Err(e) => return Ok(vec![format!("integrity_check: {e}")]),
            };
            let table: rusqlite::Result<i64> =
                c.query_row("SELECT count(*) FROM events NOT INDEXED", [], |r| r.get(0));
            let indexes: rusqlite::Result<Vec<String>> = c
                .prepare(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'",
                )
                .and_then(|mut s| {
                    s.query_map([], |r| r.get::<_, String>(0))?
                        .collect::<rusqlite::Result<Vec<String>>>()
                });
            match (table, indexes) {
                (Ok(table), Ok(indexes)) => {
                    for index in indexes {
                        let sql = format!("SELECT count(*) FROM events INDEXED BY \"{index}\"");
                        match c.query_row(&sql, [], |r| r.get::<_, i64>(0)) {
                            Ok(n) if n != table => out.push(format!(
                                "index {index} holds {n} rows where the table holds {table}"
                            )),
                            Ok(_) => {}
                            Err(e) => out.push(format!("index {index}: {e}")),
                        }
                    }
                }
                (Err(e), _) | (_, Err(e)) => out.push(format!("events: {e}")),
            }
            Ok(out)
        })
    }

    fn scan(
        &self,
        visit: &mut dyn FnMut(Result<RecordedEvent, StoreError>),
    ) -> Result<(), StoreError> {
        self.with_reader(|c| {
            // The primary key's order: no sort, one pass over the table.
            let mut s = c.prepare(&format!(
                "SELECT {EVENT_COLUMNS} FROM events ORDER BY tenant, stream, version"
            ))?;
            let mut rows = s.query([])?;
            while let Some(r) = rows.next()? {
                visit(event_row(r)?);
            }
            Ok(())
        })
    }
}

const OUTBOX_COLUMNS: &str =
    "id, tenant, kind, payload, available_at, attempts, last_error, status";

type OutboxRow = (
    Vec<u8>,
    String,
    String,
    String,
    i64,
    i64,
    Option<String>,
    String,
);

fn outbox_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

fn outbox_record(row: OutboxRow) -> Result<OutboxRecord, StoreError> {
    let (id, tenant, kind, payload, available_at, attempts, last_error, status) = row;
    Ok(OutboxRecord {
        tenant: TenantId::new(tenant),
        message: OutboxMessage {
            id: uuid_from("outbox.id", &id)?,
            kind,
            payload,
            available_at: from_micros("outbox.available_at", available_at)?,
        },
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        last_error,
        status: status_from(&status)?,
    })
}

impl Outbox for SqliteStore {
    fn claim(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: usize,
    ) -> Result<Vec<OutboxRecord>, StoreError> {
        let now_us = micros(now);
        let until = micros(now + lease);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with_writer(|c| {
            let rows = c
                .prepare_cached(
                    "UPDATE outbox SET status = 'claimed', claimed_until = ?2, due_at = ?2
                     WHERE seq IN (SELECT seq FROM outbox WHERE due_at <= ?1
                                   ORDER BY due_at, seq LIMIT ?3)
                     RETURNING id, tenant, kind, payload, available_at, attempts,
                               last_error, status, seq",
                )
                .and_then(|mut s| {
                    s.query_map(params![now_us, until, limit], |r| {
                        Ok((outbox_row(r)?, r.get::<_, i64>(8)?))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()
                })
                .map_err(backend)?;
            let mut records = rows
                .into_iter()
                .map(|(row, seq)| Ok((outbox_record(row)?, seq)))
                .collect::<Result<Vec<_>, StoreError>>()?;
            records.sort_by_key(|(r, seq)| (r.message.available_at, *seq));
            Ok(records.into_iter().map(|(r, _)| r).collect())
        })
    }

    fn mark_delivered(&self, id: Uuid) -> Result<(), StoreError> {
        self.with_writer(|c| {
            let n = c
                .prepare_cached(
                    "UPDATE outbox SET status = 'delivered', claimed_until = NULL, due_at = NULL
                     WHERE id = ?1",
                )
                .and_then(|mut s| s.execute(params![id.as_bytes().as_slice()]))
                .map_err(backend)?;
            if n == 0 {
                Err(StoreError::UnknownMessage(id))
            } else {
                Ok(())
            }
        })
    }

    fn mark_failed(
        &self,
        id: Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        self.with_writer(|c| {
            let n = match retry_at {
                Some(t) => c
                    .prepare_cached(
                        "UPDATE outbox SET status = 'pending', attempts = attempts + 1,
                             last_error = ?2, claimed_until = NULL,
                             available_at = ?3, due_at = ?3
                         WHERE id = ?1",
                    )
                    .and_then(|mut s| {
                        s.execute(params![id.as_bytes().as_slice(), error, micros(t)])
                    }),
                None => c
                    .prepare_cached(
                        "UPDATE outbox SET status = 'parked', attempts = attempts + 1,
                             last_error = ?2, claimed_until = NULL, due_at = NULL
                         WHERE id = ?1",
                    )
                    .and_then(|mut s| s.execute(params![id.as_bytes().as_slice(), error])),
            }
            .map_err(backend)?;
            if n == 0 {
                Err(StoreError::UnknownMessage(id))
            } else {
                Ok(())
            }
        })
    }

    fn parked(&self, tenant: &TenantId) -> Result<Vec<OutboxRecord>, StoreError> {
        let rows = self.with_reader(|c| {
            let mut s = c.prepare_cached(&format!(
                "SELECT {OUTBOX_COLUMNS} FROM outbox
                 WHERE tenant = ?1 AND status = 'parked' ORDER BY seq"
            ))?;
            s.query_map(params![tenant.as_str()], outbox_row)?
                .collect::<rusqlite::Result<Vec<_>>>()
        })?;
        rows.into_iter().map(outbox_record).collect()
    }

    fn undelivered(
        &self,
        tenant: &TenantId,
        limit: usize,
    ) -> Result<Vec<OutboxRecord>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.with_reader(|c| {
            let mut s = c.prepare_cached(&format!(
                "SELECT {OUTBOX_COLUMNS} FROM outbox
                 WHERE tenant = ?1 AND status <> 'delivered' ORDER BY seq LIMIT ?2"
            ))?;
            s.query_map(params![tenant.as_str(), limit], outbox_row)?
                .collect::<rusqlite::Result<Vec<_>>>()
        })?;
        rows.into_iter().map(outbox_record).collect()
    }

    fn outbox_counts(&self, tenant: &TenantId) -> Result<BTreeMap<String, u64>, StoreError> {
        let rows = self.with_reader(|c| {
            let mut s = c.prepare_cached(
                "SELECT status, count(*) FROM outbox WHERE tenant = ?1 GROUP BY status",
            )?;
            s.query_map(params![tenant.as_str()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
        })?;
        rows.into_iter()
            .map(|(s, n)| Ok((status_name(status_from(&s)?).to_owned(), n as u64)))
            .collect()
    }
}

/// An idempotency record's row: `fingerprint, caller, reserved_at, status, body, etag`.
type IdempotencyRow = (
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
);

/// Reads an idempotency record's row.
fn idempotency_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<IdempotencyRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn idempotency_record(row: IdempotencyRow) -> Result<IdempotencyRecord, StoreError> {
    let (fingerprint, caller, reserved_at, status, body, etag) = row;
    let response = match status {
        None => None,
        Some(s) => Some(StoredResponse {
            status: u16::try_from(s).map_err(|_| {
                backend(SqliteError::InvalidColumn {
                    column: "idempotency.status",
                    reason: format!("{s} is no HTTP status"),
                })
            })?,
            body: body.unwrap_or_default(),
            etag,
        }),
    };
    Ok(IdempotencyRecord {
        fingerprint,
        caller,
        reserved_at: from_micros("idempotency.reserved_at", reserved_at)?,
        response,
    })
}

const IDEMPOTENCY_SELECT: &str = "SELECT fingerprint, caller, reserved_at, status, body, etag
     FROM idempotency WHERE tenant = ?1 AND key = ?2";

impl IdempotencyStore for SqliteStore {
    fn reserve(&self, r: ReserveRequest<'_>) -> Result<Reservation, StoreError> {
        let tenant = r.tenant.as_str();
        let key = r.key.0.as_bytes().as_slice();
        // One transaction on the one writer: of two racing requests, one inserts.
        self.with_writer(|c| {
            let found: Option<IdempotencyRow> = c
                .prepare_cached(IDEMPOTENCY_SELECT)
                .and_then(|mut s| {
                    s.query_row(params![tenant, key], idempotency_row)
                        .optional()
                })
                .map_err(backend)?;
            let Some(row) = found else {
                c.prepare_cached(
                    "INSERT INTO idempotency (tenant, key, fingerprint, caller, reserved_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .and_then(|mut s| {
                    s.execute(params![tenant, key, r.fingerprint, r.caller, micros(r.now)])
                })
                .map_err(backend)?;
                return Ok(Reservation::Reserved);
            };
            let record = idempotency_record(row)?;
            if record.response.is_none()
                && record.fingerprint == r.fingerprint
                && record.reserved_at + r.stale_after < r.now
            {
                c.prepare_cached(
                    "UPDATE idempotency SET reserved_at = ?3 WHERE tenant = ?1 AND key = ?2",
                )
                .and_then(|mut s| s.execute(params![tenant, key, micros(r.now)]))
                .map_err(backend)?;
                return Ok(Reservation::Reserved);
            }
            Ok(Reservation::Existing(record))
        })
    }

    fn complete(
        &self,
        tenant: &TenantId,
        key: CommandId,
        fingerprint: &str,
        response: &StoredResponse,
    ) -> Result<bool, StoreError> {
        let key = key.0.as_bytes().as_slice();
        self.with_writer(|c| {
            c.prepare_cached(
                "UPDATE idempotency SET status = ?4, body = ?5, etag = ?6
                 WHERE tenant = ?1 AND key = ?2 AND fingerprint = ?3 AND status IS NULL",
            )
            .and_then(|mut s| {
                s.execute(params![
                    tenant.as_str(),
                    key,
                    fingerprint,
                    i64::from(response.status),
                    response.body,
                    response.etag
                ])
            })
            .map(|n| n > 0)
            .map_err(backend)
        })
    }

    fn release(
        &self,
        tenant: &TenantId,
        key: CommandId,
        fingerprint: &str,
    ) -> Result<bool, StoreError> {
        let key = key.0.as_bytes().as_slice();
        self.with_writer(|c| {
            c.prepare_cached(
                "DELETE FROM idempotency
                 WHERE tenant = ?1 AND key = ?2 AND fingerprint = ?3 AND status IS NULL",
            )
            .and_then(|mut s| s.execute(params![tenant.as_str(), key, fingerprint]))
            .map(|n| n > 0)
            .map_err(backend)
        })
    }

    fn idempotency_record(
        &self,
        tenant: &TenantId,
        key: CommandId,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        let key = key.0.as_bytes().to_vec();
        let row = self.with_reader(|c| {
            c.prepare_cached(IDEMPOTENCY_SELECT)?
                .query_row(params![tenant.as_str(), key], idempotency_row)
                .optional()
        })?;
        row.map(idempotency_record).transpose()
    }
}
