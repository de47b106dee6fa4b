-- What Jangteo keeps about members outside the event log (crates/identity). This file is opened
-- with secure_delete on, so a destroyed data key is overwritten on disk, not just unlinked.
-- UUIDs are 16-byte BLOBs and times RFC 3339 text (sqlx's encodings).

-- One data key per member, wrapped by the master key; deleting the row erases the member.
CREATE TABLE data_keys (
    account_id BLOB PRIMARY KEY,
    wrapped    BLOB NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

-- The vault's own keys (the blind-index key), wrapped like the data keys.
CREATE TABLE system_keys (
    name    TEXT PRIMARY KEY,
    wrapped BLOB NOT NULL
) STRICT;

CREATE TABLE credentials (
    account_id    BLOB PRIMARY KEY,
    password_hash TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;

-- One row per sign-in; its refresh tokens rotate within it and end with it.
CREATE TABLE sessions (
    session_id BLOB PRIMARY KEY,
    account_id BLOB NOT NULL,
    started_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    ended_at   TEXT
) STRICT;
CREATE INDEX sessions_account ON sessions (account_id);

-- Refresh tokens by their SHA-256 digest; a used one stays (used_at set) to detect reuse.
CREATE TABLE refresh_tokens (
    token_digest BLOB PRIMARY KEY,
    session_id   BLOB NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
    issued_at    TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    used_at      TEXT
) STRICT;
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- One-off maintenance steps this deployment has run (the rewrite of clear personal data).
CREATE TABLE maintenance_steps (
    name    TEXT PRIMARY KEY,
    done_at TEXT NOT NULL
) STRICT;
