//! The SQLite schema and its migrations, versioned with `PRAGMA user_version`.
//!
//! Migration `i` (counting from 1) takes the database from version `i - 1` to `i`; each
//! runs in its own transaction together with the `user_version` bump, so a crash in the
//! middle leaves the previous version intact. Never edit a released migration: add one.

/// The migrations, in order.
pub const MIGRATIONS: &[&str] = &[
    // 1: events, commands (idempotency), outbox.
    r#"
    -- Clustered by stream: loading one matter reads neighbouring pages, however many
    -- events the store holds. The primary key is the UNIQUE(tenant, stream, version)
    -- that backs the expected-version check.
    CREATE TABLE events (
        tenant      TEXT    NOT NULL,
        stream      TEXT    NOT NULL,
        version     INTEGER NOT NULL CHECK (version >= 1),
        position    INTEGER NOT NULL UNIQUE CHECK (position >= 1),
        event_type  TEXT    NOT NULL,
        payload     TEXT    NOT NULL,
        actor       TEXT    NOT NULL,
        command_id  BLOB    NOT NULL,
        recorded_at INTEGER NOT NULL,  -- microseconds since 1970-01-01 UTC
        PRIMARY KEY (tenant, stream, version)
    ) WITHOUT ROWID;

    -- One row per command appended: a retry with the same id finds its outcome here.
    CREATE TABLE commands (
        tenant     TEXT    NOT NULL,
        stream     TEXT    NOT NULL,
        command_id BLOB    NOT NULL,
        version    INTEGER NOT NULL,
        position   INTEGER NOT NULL,
        PRIMARY KEY (tenant, stream, command_id)
    ) WITHOUT ROWID;

    CREATE TABLE outbox (
        seq           INTEGER PRIMARY KEY,
        id            BLOB    NOT NULL UNIQUE,
        tenant        TEXT    NOT NULL,
        kind          TEXT    NOT NULL,
        payload       TEXT    NOT NULL,
        available_at  INTEGER NOT NULL,          -- µs since epoch
        status        TEXT    NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'claimed', 'delivered', 'parked')),
        attempts      INTEGER NOT NULL DEFAULT 0,
        last_error    TEXT,
        claimed_until INTEGER,                   -- µs since epoch, while claimed
        -- When the message can next be claimed: available_at while pending,
        -- claimed_until while claimed, NULL once delivered or parked.
        due_at        INTEGER
    );
    CREATE INDEX outbox_due ON outbox (due_at) WHERE due_at IS NOT NULL;
    CREATE INDEX outbox_tenant_status ON outbox (tenant, status);
    "#,
    // 2: one tenant's log in commit order (`read_tenant`), without reading the others.
    r#"
    CREATE INDEX events_tenant_position ON events (tenant, position);
    "#,
    // 3: the dispatcher's claim walks the due messages in (due_at, seq) order and stops
    // after its batch, however deep the backlog (the index on due_at alone made every
    // claim sort every due message).
    r#"
    CREATE INDEX outbox_due_seq ON outbox (due_at, seq) WHERE due_at IS NOT NULL;
    DROP INDEX outbox_due;
    "#,
    // 4: idempotency records (`IdempotencyStore`): one per (tenant, key), reserved before
    // the command runs, with the request's fingerprint and caller, and its response once
    // it completed.
    r#"
    CREATE TABLE idempotency (
        tenant      TEXT    NOT NULL,
        key         BLOB    NOT NULL,
        fingerprint TEXT    NOT NULL,
        caller      TEXT    NOT NULL,
        reserved_at INTEGER NOT NULL,  -- µs since epoch
        status      INTEGER,           -- NULL while the request is in flight
        body        TEXT,
        etag        TEXT,
        PRIMARY KEY (tenant, key)
    ) WITHOUT ROWID;
    "#,
];
