//! The PostgreSQL schema and its migrations, recorded in `schema_migrations`.
//!
//! Migration `i` (counting from 1) runs once per schema, in one transaction with its
//! row in `schema_migrations`, under a transaction-scoped advisory lock so engine
//! instances starting together do not race. Never edit a released migration: add one.

/// The migrations, in order.
pub const MIGRATIONS: &[&str] = &[
    // 1: events, commands (idempotency), the log head (commit-order positions), outbox.
    r#"
    -- The primary key is the UNIQUE(tenant, stream, version) that backs the
    -- expected-version check: of two writers racing for a version, one gets a
    -- unique violation, which the store reports as a conflict.
    CREATE TABLE events (
        tenant      text        NOT NULL,
        stream      text        NOT NULL,
        version     bigint      NOT NULL CHECK (version >= 1),
        position    bigint      NOT NULL UNIQUE CHECK (position >= 1),
        event_type  text        NOT NULL,
        payload     text        NOT NULL,  -- opaque text: kept byte for byte
        actor       text        NOT NULL,
        command_id  uuid        NOT NULL,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (tenant, stream, version)
    );

    -- One row per command appended: a retry with the same id finds its outcome here.
    CREATE TABLE commands (
        tenant     text   NOT NULL,
        stream     text   NOT NULL,
        command_id uuid   NOT NULL,
        version    bigint NOT NULL,
        position   bigint NOT NULL,
        PRIMARY KEY (tenant, stream, command_id)
    );

    -- The last global position handed out. An append takes its positions by updating
    -- this one row, whose lock it holds until it commits: positions are handed out in
    -- commit order, so a follower of "position > last seen" never skips a late commit.
    CREATE TABLE log_head (
        id       integer PRIMARY KEY CHECK (id = 1),
        position bigint  NOT NULL
    ) WITH (fillfactor = 10);
    INSERT INTO log_head (id, position) VALUES (1, 0);

    CREATE TABLE outbox (
        seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id            uuid        NOT NULL UNIQUE,
        tenant        text        NOT NULL,
        kind          text        NOT NULL,
        payload       text        NOT NULL,
        available_at  timestamptz NOT NULL,
        status        text        NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'claimed', 'delivered', 'parked')),
        attempts      integer     NOT NULL DEFAULT 0,
        last_error    text,
        claimed_until timestamptz,
        -- When the message can next be claimed: available_at while pending,
        -- claimed_until while claimed, NULL once delivered or parked.
        due_at        timestamptz
    );
    CREATE INDEX outbox_due ON outbox (due_at) WHERE due_at IS NOT NULL;
    CREATE INDEX outbox_tenant_status ON outbox (tenant, status);
    "#,
];
