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
    // 2: append_group, a group of appends in one call (one round trip, one commit).
    r#"
    -- Request i has tenant p_tenant[i], …; its events are those k with e_req[k] = i (in
    -- order), its outbox messages those k with o_req[k] = i. One row per request, in
    -- order: a duplicate (r_dup), a write (r_version, r_position), or a conflict
    -- (r_version NULL, r_actual = the stream's version). The same checks and writes as
    -- the single-append statement; a unique violation (a race lost to another
    -- instance) fails the whole call, and the caller retries each request alone.
    CREATE FUNCTION append_group(
        p_tenant text[], p_stream text[], p_command uuid[], p_expected bigint[],
        p_actor text[], p_recorded timestamptz[],
        e_req int[], e_type text[], e_payload text[],
        o_req int[], o_id uuid[], o_kind text[], o_payload text[], o_available timestamptz[]
    ) RETURNS TABLE (r_dup boolean, r_version bigint, r_position bigint, r_actual bigint)
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
    DECLARE
        v bigint;
        n integer;
        base bigint;
    BEGIN
        FOR i IN 1 .. coalesce(array_length(p_tenant, 1), 0) LOOP
            SELECT c.version, c.position INTO r_version, r_position FROM commands c
            WHERE c.tenant = p_tenant[i] AND c.stream = p_stream[i]
              AND c.command_id = p_command[i];
            IF FOUND THEN
                r_dup := true;
                r_actual := NULL;
                RETURN NEXT;
                CONTINUE;
            END IF;
            SELECT coalesce(max(e.version), 0) INTO v FROM events e
            WHERE e.tenant = p_tenant[i] AND e.stream = p_stream[i];
            r_dup := false;
            r_actual := v;
            IF p_expected[i] IS NOT NULL AND p_expected[i] <> v THEN
                r_version := NULL;
                r_position := NULL;
                RETURN NEXT;
                CONTINUE;
            END IF;
            SELECT count(*) INTO n FROM unnest(e_req) AS q(r) WHERE q.r = i;
            base := NULL;
            IF n > 0 THEN
                UPDATE log_head SET position = position + n WHERE id = 1
                RETURNING position - n INTO base;
                INSERT INTO events (tenant, stream, version, position, event_type, payload,
                                    actor, command_id, recorded_at)
                SELECT p_tenant[i], p_stream[i], v + x.ord, base + x.ord, e_type[x.k],
                       e_payload[x.k], p_actor[i], p_command[i], p_recorded[i]
                FROM (SELECT k, row_number() OVER (ORDER BY k) AS ord
                      FROM generate_subscripts(e_req, 1) AS g(k) WHERE e_req[k] = i) AS x;
            END IF;
            r_version := v + n;
            r_position := coalesce(base + n, 0);
            INSERT INTO commands (tenant, stream, command_id, version, position)
            VALUES (p_tenant[i], p_stream[i], p_command[i], r_version, r_position);
            INSERT INTO outbox (id, tenant, kind, payload, available_at, due_at)
            SELECT o_id[k], p_tenant[i], o_kind[k], o_payload[k], o_available[k], o_available[k]
            FROM generate_subscripts(o_req, 1) AS g(k) WHERE o_req[k] = i;
            RETURN NEXT;
        END LOOP;
    END
    $fn$;
    "#,
    // 3: positions from transaction ids, so writers no longer queue on one counter row;
    //    one tenant's log by index; the stream-head check in append_group.
    r#"
    -- A position is (the writing transaction's id << 16) + base + the event's ordinal
    -- in that transaction (1 … 65535). A reader takes only positions below
    -- (the oldest running transaction's id << 16) + base: every transaction below it has
    -- ended, so nothing can ever appear behind what a follower has read. `base` lifts
    -- new positions above those handed out by the counter row of migration 1.
    CREATE TABLE log_base (
        id   integer PRIMARY KEY CHECK (id = 1),
        base bigint  NOT NULL CHECK (base >= 0)
    );
    INSERT INTO log_base (id, base)
    SELECT 1, greatest(0, coalesce((SELECT max(position) FROM events), 0)
                          - (pg_current_xact_id()::text::bigint << 16));
    DROP TABLE log_head;

    CREATE INDEX events_tenant_position ON events (tenant, position);

    DROP FUNCTION append_group(text[], text[], uuid[], bigint[], text[], timestamptz[],
                               int[], text[], text[], int[], uuid[], text[], text[],
                               timestamptz[]);
    -- As migration 2's, with positions from the transaction id, and each request's
    -- stream head checked before its version: a stream whose event count differs from
    -- its last version, or whose last version is not its last write, takes nothing
    -- (r_version NULL; r_events, r_last_version_position, r_last_position say why).
    CREATE FUNCTION append_group(
        p_tenant text[], p_stream text[], p_command uuid[], p_expected bigint[],
        p_actor text[], p_recorded timestamptz[],
        e_req int[], e_type text[], e_payload text[],
        o_req int[], o_id uuid[], o_kind text[], o_payload text[], o_available timestamptz[]
    ) RETURNS TABLE (r_dup boolean, r_version bigint, r_position bigint, r_actual bigint,
                     r_events bigint, r_last_version_position bigint, r_last_position bigint)
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
    DECLARE
        v bigint;
        n integer;
        tx_base bigint;
        used integer := 0;
    BEGIN
        FOR i IN 1 .. coalesce(array_length(p_tenant, 1), 0) LOOP
            SELECT c.version, c.position INTO r_version, r_position FROM commands c
            WHERE c.tenant = p_tenant[i] AND c.stream = p_stream[i]
              AND c.command_id = p_command[i];
            IF FOUND THEN
                r_dup := true;
                r_actual := NULL;
                r_events := NULL;
                r_last_version_position := NULL;
                r_last_position := NULL;
                RETURN NEXT;
                CONTINUE;
            END IF;
            -- One statement, one snapshot: the head's four numbers agree.
            SELECT count(*), coalesce(max(e.version), 0), coalesce(max(e.position), 0),
                   coalesce((SELECT l.position FROM events l
                             WHERE l.tenant = p_tenant[i] AND l.stream = p_stream[i]
                             ORDER BY l.version DESC LIMIT 1), 0)
            INTO r_events, v, r_last_position, r_last_version_position FROM events e
            WHERE e.tenant = p_tenant[i] AND e.stream = p_stream[i];
            r_dup := false;
            r_actual := v;
            IF r_events <> v OR r_last_version_position <> r_last_position
               OR (p_expected[i] IS NOT NULL AND p_expected[i] <> v) THEN
                r_version := NULL;
                r_position := NULL;
                RETURN NEXT;
                CONTINUE;
            END IF;
            SELECT count(*) INTO n FROM unnest(e_req) AS q(r) WHERE q.r = i;
            r_position := 0;
            IF n > 0 THEN
                IF tx_base IS NULL THEN
                    tx_base := (pg_current_xact_id()::text::bigint << 16)
                               + (SELECT b.base FROM log_base b);
                END IF;
                IF used + n > 65535 THEN
                    RAISE EXCEPTION 'more than 65535 events in one transaction';
                END IF;
                INSERT INTO events (tenant, stream, version, position, event_type, payload,
                                    actor, command_id, recorded_at)
                SELECT p_tenant[i], p_stream[i], v + x.ord, tx_base + used + x.ord,
                       e_type[x.k], e_payload[x.k], p_actor[i], p_command[i], p_recorded[i]
                FROM (SELECT k, row_number() OVER (ORDER BY k) AS ord
                      FROM generate_subscripts(e_req, 1) AS g(k) WHERE e_req[k] = i) AS x;
                used := used + n;
                r_position := tx_base + used;
            END IF;
            r_version := v + n;
            INSERT INTO commands (tenant, stream, command_id, version, position)
            VALUES (p_tenant[i], p_stream[i], p_command[i], r_version, r_position);
            INSERT INTO outbox (id, tenant, kind, payload, available_at, due_at)
            SELECT o_id[k], p_tenant[i], o_kind[k], o_payload[k], o_available[k], o_available[k]
            FROM generate_subscripts(o_req, 1) AS g(k) WHERE o_req[k] = i;
            RETURN NEXT;
        END LOOP;
    END
    $fn$;
    "#,
    // 4: the dispatcher's claim walks the due messages in (due_at, seq) order and stops
    // after its batch, however deep the backlog (the index on due_at alone made every
    // claim sort every due message).
    r#"
    CREATE INDEX outbox_due_seq ON outbox (due_at, seq) WHERE due_at IS NOT NULL;
    DROP INDEX outbox_due;
    "#,
    // 5: idempotency records (`IdempotencyStore`): one per (tenant, key), reserved before
    // the command runs (of two racing inserts, the primary key lets one through), with
    // the request's fingerprint and caller, and its response once it completed.
    r#"
    CREATE TABLE idempotency (
        tenant      text        NOT NULL,
        key         uuid        NOT NULL,
        fingerprint text        NOT NULL,
        caller      text        NOT NULL,
        reserved_at timestamptz NOT NULL,
        status      integer,              -- NULL while the request is in flight
        body        text,
        etag        text,
        PRIMARY KEY (tenant, key)
    );
    "#,
];
