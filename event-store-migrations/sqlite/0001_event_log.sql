-- The append-only event log of the embedded profile; the same tables as the PostgreSQL schema.
-- UUIDs are 16-byte BLOBs, payloads JSON text and times RFC 3339 text (sqlx's encodings). STRICT
-- tables refuse a value of the wrong type instead of storing it silently.
-- Positions come from log_head inside a BEGIN IMMEDIATE transaction on the single write connection
-- (crates/event-store/src/sqlite/append.rs), so the log has no gaps and follows commit order.

CREATE TABLE events (
    global_position INTEGER PRIMARY KEY CHECK (global_position >= 1),
    event_id        BLOB    NOT NULL UNIQUE,
    stream_id       BLOB    NOT NULL,
    stream_type     TEXT    NOT NULL,
    version         INTEGER NOT NULL CHECK (version >= 1),
    event_type      TEXT    NOT NULL,
    schema_version  INTEGER NOT NULL CHECK (schema_version >= 0),
    payload         TEXT    NOT NULL,
    actor_id        BLOB,
    actor_role      TEXT    NOT NULL,
    command_id      BLOB    NOT NULL,
    correlation_id  BLOB    NOT NULL,
    causation_id    BLOB,
    recorded_at     TEXT    NOT NULL,
    UNIQUE (stream_id, version)
) STRICT;

-- Retried commands and find_command look events up by command.
CREATE INDEX events_command_id ON events (command_id);

-- A stored event is a historical fact: refuse to change or delete one.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

-- Each stream's current version, kept in the append transaction.
CREATE TABLE streams (
    stream_id   BLOB    PRIMARY KEY,
    stream_type TEXT    NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 1)
) STRICT, WITHOUT ROWID;

-- One row per stored command: the idempotency record.
CREATE TABLE commands (
    command_id     BLOB    PRIMARY KEY,
    first_position INTEGER NOT NULL,
    last_position  INTEGER NOT NULL CHECK (last_position >= first_position),
    recorded_at    TEXT    NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE unique_claims (
    scope           TEXT NOT NULL,
    value           TEXT NOT NULL,
    owner_stream_id BLOB NOT NULL,
    PRIMARY KEY (scope, value)
) STRICT, WITHOUT ROWID;

CREATE TABLE subscriber_checkpoints (
    subscriber TEXT    PRIMARY KEY,
    position   INTEGER NOT NULL CHECK (position >= 0)
) STRICT, WITHOUT ROWID;

-- The newest assigned position.
CREATE TABLE log_head (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    position INTEGER NOT NULL CHECK (position >= 0)
) STRICT;
INSERT INTO log_head (id, position) VALUES (1, 0);
