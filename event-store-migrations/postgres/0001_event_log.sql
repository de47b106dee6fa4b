-- The append-only event log and the bookkeeping that the append transaction keeps beside it.
-- Positions are not a sequence: they come from log_head, whose row lock orders appenders (see
-- crates/event-store/src/postgres/append.rs), so the log has no gaps and follows commit order.

CREATE TABLE events (
    global_position BIGINT      PRIMARY KEY CHECK (global_position >= 1),
    event_id        UUID        NOT NULL UNIQUE,
    stream_id       UUID        NOT NULL,
    stream_type     TEXT        NOT NULL,
    version         BIGINT      NOT NULL CHECK (version >= 1),
    event_type      TEXT        NOT NULL,
    schema_version  INT         NOT NULL CHECK (schema_version >= 0),
    payload         JSONB       NOT NULL,
    actor_id        UUID,
    actor_role      TEXT        NOT NULL,
    command_id      UUID        NOT NULL,
    correlation_id  UUID        NOT NULL,
    causation_id    UUID,
    recorded_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (stream_id, version)
);

-- Retried commands and find_command look events up by command.
CREATE INDEX events_command_id ON events (command_id);

-- A stored event is a historical fact: refuse to change or delete one, whoever asks.
CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only';
END;
$$;
CREATE TRIGGER events_append_only
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();

-- Each stream's current version, kept in the append transaction so the expected-version check is
-- one indexed row instead of a max() over the stream's events.
CREATE TABLE streams (
    stream_id   UUID   PRIMARY KEY,
    stream_type TEXT   NOT NULL,
    version     BIGINT NOT NULL CHECK (version >= 1)
);

-- One row per stored command: the idempotency record.
CREATE TABLE commands (
    command_id     UUID        PRIMARY KEY,
    first_position BIGINT      NOT NULL,
    last_position  BIGINT      NOT NULL CHECK (last_position >= first_position),
    recorded_at    TIMESTAMPTZ NOT NULL
);

-- Values that must be unique within a scope (an e-mail digest, a nickname), claimed with the append.
CREATE TABLE unique_claims (
    scope           TEXT NOT NULL,
    value           TEXT NOT NULL,
    owner_stream_id UUID NOT NULL,
    PRIMARY KEY (scope, value)
);

CREATE TABLE subscriber_checkpoints (
    subscriber TEXT   PRIMARY KEY,
    position   BIGINT NOT NULL CHECK (position >= 0)
);

-- The newest assigned position; its single row is the log's write lock.
CREATE TABLE log_head (
    id       SMALLINT PRIMARY KEY CHECK (id = 1),
    position BIGINT   NOT NULL CHECK (position >= 0)
);
INSERT INTO log_head (id, position) VALUES (1, 0);
