-- Single-use tokens (password-reset links, second-factor challenges) by their SHA-256 digest.
-- Times as milliseconds since the epoch, as on SQLite, so the statements compare them in SQL.
CREATE TABLE one_time_tokens (
    token_digest  BYTEA  PRIMARY KEY,
    purpose       TEXT   NOT NULL,
    account_id    UUID   NOT NULL,
    issued_at_ms  BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    used_at_ms    BIGINT
);
CREATE INDEX one_time_tokens_account ON one_time_tokens (account_id, purpose, issued_at_ms);

-- A member's TOTP factor (RFC 6238): the secret sealed under their data key, so erasing the
-- member erases it too; last_step is the newest time step a code was accepted for.
CREATE TABLE totp_factors (
    account_id      UUID        PRIMARY KEY,
    sealed_secret   TEXT        NOT NULL,
    confirmed_at    TIMESTAMPTZ,
    last_step       BIGINT      NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);

-- Recovery codes by digest, each good once.
CREATE TABLE recovery_codes (
    code_digest BYTEA       PRIMARY KEY,
    account_id  UUID        NOT NULL,
    used_at     TIMESTAMPTZ
);
CREATE INDEX recovery_codes_account ON recovery_codes (account_id);
