-- Every sign-in attempt: the member's own audit trail (GET /v1/me/sign-ins) and what the lockout
-- counts. Attempts are keyed by the e-mail's blind index, known address or not, so a lockout
-- says nothing about whether an account exists. Times as milliseconds since the epoch: compared
-- and ordered as numbers.
CREATE TABLE sign_ins (
    attempt_id  BLOB    PRIMARY KEY,
    email_index TEXT    NOT NULL,
    account_id  BLOB,
    ip          TEXT,
    user_agent  TEXT,
    outcome     TEXT    NOT NULL,
    at_ms       INTEGER NOT NULL
) STRICT;
CREATE INDEX sign_ins_email ON sign_ins (email_index, at_ms);
CREATE INDEX sign_ins_ip ON sign_ins (ip, at_ms);
CREATE INDEX sign_ins_account ON sign_ins (account_id, at_ms);
