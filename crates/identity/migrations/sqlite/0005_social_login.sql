-- Social sign-in steps under way, by the SHA-256 digest of their token (the authorization
-- request's state, or the link offer's token): what the step needs later as JSON (the PKCE
-- verifier, nonce and redirect URI; the member a link is offered to), and its end in
-- milliseconds since the epoch.
CREATE TABLE social_login_pending (
    token_digest  BLOB PRIMARY KEY,
    purpose       TEXT NOT NULL,
    account_id    BLOB,
    payload       TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX social_login_pending_expiry ON social_login_pending (expires_at_ms);
CREATE INDEX social_login_pending_account ON social_login_pending (account_id);

-- A provider's identity linked to a member: the provider's subject as the vault's blind index
-- of it (a keyed HMAC), so the table names no one without the vault's key.
CREATE TABLE external_identities (
    provider      TEXT NOT NULL,
    subject_index TEXT NOT NULL,
    account_id    BLOB NOT NULL,
    linked_at     TEXT NOT NULL,
    PRIMARY KEY (provider, subject_index)
) STRICT;
CREATE INDEX external_identities_account ON external_identities (account_id);
