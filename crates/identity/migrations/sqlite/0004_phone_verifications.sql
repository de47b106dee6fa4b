-- A phone verification under way, one per member: the number sealed under their data key, the
-- code as a keyed HMAC (never in the clear), when it was sent and expires (milliseconds since
-- the epoch), and the tries left.
CREATE TABLE phone_verifications (
    account_id    BLOB PRIMARY KEY,
    sealed_phone  TEXT NOT NULL,
    code_digest   TEXT NOT NULL,
    sent_at_ms    INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    attempts_left INTEGER NOT NULL
) STRICT;
