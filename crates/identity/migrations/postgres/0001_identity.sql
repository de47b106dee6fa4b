-- What Jangteo keeps about members outside the event log (crates/identity), in the schema
-- `identity` of the event log's database: a role that reads the log need not be able to read
-- this. A destroyed data key's old row version stays on disk until VACUUM reclaims it
-- (autovacuum does; docs/privacy.md).

-- One data key per member, wrapped by the master key; deleting the row erases the member.
CREATE TABLE data_keys (
    account_id UUID        PRIMARY KEY,
    wrapped    BYTEA       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- The vault's own keys (the blind-index key), wrapped like the data keys.
CREATE TABLE system_keys (
    name    TEXT  PRIMARY KEY,
    wrapped BYTEA NOT NULL
);

CREATE TABLE credentials (
    account_id    UUID        PRIMARY KEY,
    password_hash TEXT        NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

-- One row per sign-in; its refresh tokens rotate within it and end with it.
CREATE TABLE sessions (
    session_id UUID        PRIMARY KEY,
    account_id UUID        NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    ended_at   TIMESTAMPTZ
);
CREATE INDEX sessions_account ON sessions (account_id);

-- Refresh tokens by their SHA-256 digest; a used one stays (used_at set) to detect reuse.
CREATE TABLE refresh_tokens (
    token_digest BYTEA       PRIMARY KEY,
    session_id   UUID        NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
    issued_at    TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    used_at      TIMESTAMPTZ
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- One-off maintenance steps this deployment has run (the rewrite of clear personal data).
CREATE TABLE maintenance_steps (
    name    TEXT PRIMARY KEY,
    done_at TIMESTAMPTZ NOT NULL
);
