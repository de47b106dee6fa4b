-- Single-use tokens (password-reset links, second-factor challenges) by their SHA-256 digest.
-- Times as milliseconds since the epoch, so the statements compare them in SQL.
CREATE TABLE one_time_tokens (
    token_digest  BLOB    PRIMARY KEY,
    purpose       TEXT    NOT NULL,
    account_id    BLOB    NOT NULL,
    issued_at_ms  INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    used_at_ms    INTEGER
) STRICT;
CREATE INDEX one_time_tokens_account ON one_time_tokens (account_id, purpose, issued_at_ms);

-- A member's TOTP factor (RFC 6238): the secret sealed under their data key, so erasing the
-- member erases it too; last_step is the newest time step a code was accepted for.
CREATE TABLE totp_factors (
    account_id      BLOB    PRIMARY KEY,
    sealed_secret   TEXT    NOT NULL,
    confirmed_at    TEXT,
    last_step       INTEGER NOT NULL,
    created_at      TEXT    NOT NULL
) STRICT;

-- Recovery codes by digest, each good once.
CREATE TABLE recovery_codes (
    code_digest BLOB PRIMARY KEY,
    account_id  BLOB NOT NULL,
    used_at     TEXT
) STRICT;
CREATE INDEX recovery_codes_account ON recovery_codes (account_id);
