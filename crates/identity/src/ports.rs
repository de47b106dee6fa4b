//! The ports: where wrapped keys, password hashes and sessions are kept.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use jangteo_domain::{AccountId, PasswordHash};
use uuid::Uuid;

use crate::{IdentityError, TokenDigest, WrappedKey};

/// One sign-in: the family of refresh tokens rotated from it, ended as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(Uuid);

impl SessionId {
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    pub fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid)
    }

    pub fn as_uuid(self) -> Uuid {
        self.0
    }
}

impl Default for SessionId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Whose a wrapped key is; a wrapped key opens only for its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOwner<'a> {
    Member(AccountId),
    System(&'a str),
}

impl KeyOwner<'_> {
    /// What the wrapping binds the key to.
    pub fn bytes(self) -> Vec<u8> {
        match self {
            KeyOwner::Member(account) => [b"member:".as_slice(), account.as_uuid().as_bytes()].concat(),
            KeyOwner::System(name) => [b"system:".as_slice(), name.as_bytes()].concat(),
        }
    }
}

/// Wraps one key again (under a new master key), given its owner.
pub type Rewrap<'a> =
    dyn for<'k> Fn(KeyOwner<'k>, &'k WrappedKey) -> Result<WrappedKey, IdentityError> + Send + Sync + 'a;

/// Wrapped data keys, one per member, and the system's own wrapped keys (the blind-index key).
#[async_trait]
pub trait KeyStore: Send + Sync + 'static {
    /// Stores the member's wrapped data key unless they have one; returns whether it was stored.
    async fn insert_data_key(&self, account: AccountId, wrapped: &WrappedKey) -> Result<bool, IdentityError>;

    /// The member's wrapped data key; `None` when they have none (unknown, or erased).
    async fn data_key(&self, account: AccountId) -> Result<Option<WrappedKey>, IdentityError>;

    /// Destroys the member's data key for good; returns whether there was one.
    async fn destroy_data_key(&self, account: AccountId) -> Result<bool, IdentityError>;

    /// Stores a system key unless one of that name exists (two processes starting at once keep
    /// the first); returns whether it was stored.
    async fn insert_system_key(&self, name: &str, wrapped: &WrappedKey) -> Result<bool, IdentityError>;

    async fn system_key(&self, name: &str) -> Result<Option<WrappedKey>, IdentityError>;

    /// Replaces every wrapped key, data and system keys alike, by `rewrap` of it, in one
    /// transaction (all under the new master key, or none). Returns how many were rewrapped.
    async fn rewrap_all(&self, rewrap: &Rewrap<'_>) -> Result<u64, IdentityError>;
}

/// Members' password hashes.
#[async_trait]
pub trait CredentialStore: Send + Sync + 'static {
    /// Sets (or replaces) the member's password hash.
    async fn set_password_hash(
        &self,
        account: AccountId,
        hash: &PasswordHash,
        at: DateTime<Utc>,
    ) -> Result<(), IdentityError>;

    async fn password_hash(&self, account: AccountId) -> Result<Option<PasswordHash>, IdentityError>;

    /// Forgets every credential of the member.
    async fn delete_credentials(&self, account: AccountId) -> Result<(), IdentityError>;
}

/// A session as it starts: its first refresh token's digest, never the token.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub session_id: SessionId,
    pub account: AccountId,
    pub refresh_token: TokenDigest,
    pub started_at: DateTime<Utc>,
    /// The first refresh token's end; every rotated one lives as long from its rotation.
    pub refresh_expires_at: DateTime<Utc>,
    /// The session's end, however often its tokens rotate.
    pub expires_at: DateTime<Utc>,
}

/// What presenting a refresh token came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// The token was current: it is used up, and `next` took its place.
    Rotated { session_id: SessionId, account: AccountId },
    /// The token had been used already: someone holds a copy. The session, and every token of
    /// it, is ended (RFC 9700 §4.14.2).
    Reused { session_id: SessionId, account: AccountId },
    /// No such token, or its session ended or expired, or the token itself expired.
    Refused,
}

/// Sessions and their refresh tokens. Every write here is atomic on its own: two presentations
/// of one refresh token cannot both rotate it.
#[async_trait]
pub trait SessionStore: Send + Sync + 'static {
    async fn start_session(&self, session: &NewSession) -> Result<(), IdentityError>;

    /// Uses up `presented` and, if it was current, stores `next` (valid until `next_expires_at`)
    /// in its place; a token presented a second time ends its session.
    async fn rotate_refresh_token(
        &self,
        presented: &TokenDigest,
        next: &TokenDigest,
        now: DateTime<Utc>,
        next_expires_at: DateTime<Utc>,
    ) -> Result<Rotation, IdentityError>;

    /// The session's member while the session has not ended or expired.
    async fn active_session(
        &self,
        session_id: SessionId,
        now: DateTime<Utc>,
    ) -> Result<Option<AccountId>, IdentityError>;

    /// Ends one session; returns whether it was active.
    async fn end_session(&self, session_id: SessionId, now: DateTime<Utc>) -> Result<bool, IdentityError>;

    /// Ends every active session of the member; returns how many there were.
    async fn end_all_sessions(&self, account: AccountId, now: DateTime<Utc>) -> Result<u64, IdentityError>;
}

/// One-off maintenance steps, recorded once done so that no start repeats them.
#[async_trait]
pub trait MaintenanceSteps: Send + Sync + 'static {
    async fn is_done(&self, step: &str) -> Result<bool, IdentityError>;

    async fn mark_done(&self, step: &str, at: DateTime<Utc>) -> Result<(), IdentityError>;
}

/// How a sign-in attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInOutcome {
    Succeeded,
    /// A wrong password or an unknown e-mail: counted by the lockout.
    Failed,
    /// Refused unchecked: too many failures before it.
    Locked,
}

impl SignInOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            SignInOutcome::Succeeded => "succeeded",
            SignInOutcome::Failed => "failed",
            SignInOutcome::Locked => "locked",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [SignInOutcome::Succeeded, SignInOutcome::Failed, SignInOutcome::Locked]
            .into_iter()
            .find(|outcome| outcome.as_str() == text)
    }
}

/// One sign-in attempt, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInAttempt {
    /// The blind index of the e-mail tried (known or not).
    pub email_index: String,
    /// The member whose account it was, if the e-mail is theirs.
    pub account: Option<AccountId>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub outcome: SignInOutcome,
    pub at: DateTime<Utc>,
}

/// What failed attempts are counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptKey<'a> {
    EmailIndex(&'a str),
    Ip(&'a str),
}

/// The record of sign-in attempts.
#[async_trait]
pub trait SignInLog: Send + Sync + 'static {
    async fn record_sign_in(&self, attempt: &SignInAttempt) -> Result<(), IdentityError>;

    /// When the newest `limit` failed attempts for `key` since `since` were made, newest first.
    async fn recent_failures(
        &self,
        key: AttemptKey<'_>,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DateTime<Utc>>, IdentityError>;

    /// The member's newest `limit` sign-in attempts, newest first.
    async fn sign_ins_of(&self, account: AccountId, limit: u32) -> Result<Vec<SignInAttempt>, IdentityError>;
}
