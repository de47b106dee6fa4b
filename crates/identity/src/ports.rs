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

    /// When the session's sign-in was (refreshing keeps it), while the session is active.
    async fn session_started_at(
        &self,
        session_id: SessionId,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, IdentityError>;

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
    /// The password was right; the second factor was asked for.
    MfaRequired,
    /// A wrong second factor: counted by the lockout, like a wrong password.
    MfaFailed,
}

impl SignInOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            SignInOutcome::Succeeded => "succeeded",
            SignInOutcome::Failed => "failed",
            SignInOutcome::Locked => "locked",
            SignInOutcome::MfaRequired => "mfa_required",
            SignInOutcome::MfaFailed => "mfa_failed",
        }
    }

    /// Whether the lockout counts it.
    pub fn is_failure(self) -> bool {
        matches!(self, SignInOutcome::Failed | SignInOutcome::MfaFailed)
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            SignInOutcome::Succeeded,
            SignInOutcome::Failed,
            SignInOutcome::Locked,
            SignInOutcome::MfaRequired,
            SignInOutcome::MfaFailed,
        ]
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

    /// When the newest `limit` failed attempts (wrong passwords and wrong second factors) for
    /// `key` since `since` were made, newest first.
    async fn recent_failures(
        &self,
        key: AttemptKey<'_>,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DateTime<Utc>>, IdentityError>;

    /// The member's newest `limit` sign-in attempts, newest first.
    async fn sign_ins_of(&self, account: AccountId, limit: u32) -> Result<Vec<SignInAttempt>, IdentityError>;
}

/// What a single-use token is for: a token issued for one purpose is never taken for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Mailed to a member who forgot their password; sets a new one.
    PasswordReset,
    /// Handed to a sign-in whose password was right, to finish it with a second factor.
    MfaChallenge,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::PasswordReset => "password_reset",
            TokenPurpose::MfaChallenge => "mfa_challenge",
        }
    }
}

/// A single-use token as issued: its digest (never the token), its member and its end.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub digest: TokenDigest,
    pub purpose: TokenPurpose,
    pub account: AccountId,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Single-use tokens by their SHA-256 digest. Using one up is atomic: of two presentations at
/// once, one gets the member and the other nothing.
#[async_trait]
pub trait OneTimeTokenStore: Send + Sync + 'static {
    async fn issue_token(&self, token: &IssuedToken) -> Result<(), IdentityError>;

    /// The member of an unused, unexpired token of `purpose`; the token stays unused.
    async fn peek_token(
        &self,
        digest: &TokenDigest,
        purpose: TokenPurpose,
        now: DateTime<Utc>,
    ) -> Result<Option<AccountId>, IdentityError>;

    /// Uses the token up and returns its member, if it was unused, unexpired and of `purpose`.
    async fn use_token(
        &self,
        digest: &TokenDigest,
        purpose: TokenPurpose,
        now: DateTime<Utc>,
    ) -> Result<Option<AccountId>, IdentityError>;

    /// Uses up every unused token of `purpose` of the member (a password set voids the other
    /// reset links); returns how many.
    async fn void_tokens(
        &self,
        account: AccountId,
        purpose: TokenPurpose,
        now: DateTime<Utc>,
    ) -> Result<u64, IdentityError>;

    /// How many tokens of `purpose` were issued to the member since `since`.
    async fn tokens_issued_since(
        &self,
        account: AccountId,
        purpose: TokenPurpose,
        since: DateTime<Utc>,
    ) -> Result<u64, IdentityError>;
}

/// A member's TOTP factor as stored: the secret sealed under their data key, whether they
/// confirmed it with a code, and the newest time step a code was accepted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpFactor {
    pub sealed_secret: String,
    pub confirmed: bool,
    pub last_step: i64,
}

/// Second factors: a TOTP secret per member and their recovery codes (by digest).
#[async_trait]
pub trait MfaStore: Send + Sync + 'static {
    /// Stores an unconfirmed factor, replacing an unconfirmed one; `false` (and nothing stored)
    /// when the member has a confirmed one.
    async fn stage_totp(
        &self,
        account: AccountId,
        sealed_secret: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, IdentityError>;

    async fn totp(&self, account: AccountId) -> Result<Option<TotpFactor>, IdentityError>;

    /// Records that a code of time step `step` was accepted, if `step` is newer than the last
    /// one: a code is good once (RFC 6238 §5.2). Returns whether it was newer.
    async fn advance_totp_step(&self, account: AccountId, step: i64) -> Result<bool, IdentityError>;

    /// Confirms the staged factor at `step` and replaces the recovery codes by `recovery_codes`,
    /// in one transaction. Returns `false` when there was no unconfirmed factor or `step` was
    /// not newer than the last.
    async fn confirm_totp(
        &self,
        account: AccountId,
        step: i64,
        recovery_codes: &[TokenDigest],
        at: DateTime<Utc>,
    ) -> Result<bool, IdentityError>;

    /// Uses up one of the member's recovery codes; returns whether it was theirs and unused.
    async fn use_recovery_code(
        &self,
        account: AccountId,
        code: &TokenDigest,
        at: DateTime<Utc>,
    ) -> Result<bool, IdentityError>;

    /// How many unused recovery codes the member has.
    async fn recovery_codes_left(&self, account: AccountId) -> Result<u64, IdentityError>;

    /// Removes the factor and the recovery codes; returns whether there was a factor.
    async fn remove_totp(&self, account: AccountId) -> Result<bool, IdentityError>;
}

/// Erasing a member from the identity store.
#[async_trait]
pub trait MemberErasure: Send + Sync + 'static {
    /// Deletes, in one transaction, everything the store keeps of the member: their data key
    /// (crypto-shredding what the log sealed of them), password hash, sessions and refresh
    /// tokens, single-use tokens, second factors, and sign-in records (those of their account and
    /// those of their e-mail's blind index). Erasing again finds nothing and is no error.
    async fn erase_member(&self, account: AccountId, email_index: &str) -> Result<(), IdentityError>;
}

/// A phone verification under way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingPhone {
    /// The number being verified, sealed under the member's data key.
    pub sealed_phone: String,
    /// The code's keyed digest (the vault's blind index of it).
    pub code_digest: String,
    pub sent_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub attempts_left: u32,
}

/// Phone verifications under way, one per member.
#[async_trait]
pub trait PhoneVerificationStore: Send + Sync + 'static {
    /// Starts a verification, replacing the member's earlier one if that was sent at or before
    /// `replaces_sent_before`; returns whether it was stored (atomically: of two at once within
    /// the resend wait, one is).
    async fn begin_phone_verification(
        &self,
        account: AccountId,
        pending: &PendingPhone,
        replaces_sent_before: DateTime<Utc>,
    ) -> Result<bool, IdentityError>;

    async fn pending_phone(&self, account: AccountId) -> Result<Option<PendingPhone>, IdentityError>;

    /// Spends one try, atomically: the tries left after it, or `None` when none was left (or no
    /// verification is under way). Of two tries at once, each spends its own.
    async fn spend_phone_attempt(&self, account: AccountId) -> Result<Option<u32>, IdentityError>;

    /// Ends the member's verification (confirmed, or given up).
    async fn end_phone_verification(&self, account: AccountId) -> Result<(), IdentityError>;
}

/// What a pending social sign-in step waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingPurpose {
    /// The provider's answer to an authorization request: the request's PKCE verifier, nonce and
    /// redirect URI, found again by its `state`.
    Authorization,
    /// An existing member's password, before a provider's identity is linked to them.
    Link,
}

impl PendingPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            PendingPurpose::Authorization => "authorization",
            PendingPurpose::Link => "link",
        }
    }
}

/// A provider's identity linked to a member, as they see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedIdentity {
    pub provider: String,
    pub linked_at: DateTime<Utc>,
}

/// Social sign-in: the steps under way (by the SHA-256 digest of their token, each with an end)
/// and the providers' identities linked to members. A provider's subject is kept as the vault's
/// blind index of it, never in the clear.
#[async_trait]
pub trait SocialLoginStore: Send + Sync + 'static {
    /// Stores a pending step; `account` is the member it is about, if any (so that erasing them
    /// takes it too). Steps expired at `now` are swept on the way.
    async fn put_pending(
        &self,
        digest: &TokenDigest,
        purpose: PendingPurpose,
        account: Option<AccountId>,
        payload: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), IdentityError>;

    /// Unlinks every provider identity of the member; returns how many there were.
    async fn unlink_identities(&self, account: AccountId) -> Result<u64, IdentityError>;

    /// The payload of an unexpired step of `purpose`; the step stays.
    async fn pending(
        &self,
        digest: &TokenDigest,
        purpose: PendingPurpose,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, IdentityError>;

    /// Takes the step (atomically: of two takes at once, one gets the payload) if it is
    /// unexpired and of `purpose`.
    async fn take_pending(
        &self,
        digest: &TokenDigest,
        purpose: PendingPurpose,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, IdentityError>;

    /// Links the provider's identity to the member; `false` (and nothing changed) when it is
    /// linked already, to them or to anyone else.
    async fn link_identity(
        &self,
        provider: &str,
        subject_index: &str,
        account: AccountId,
        at: DateTime<Utc>,
    ) -> Result<bool, IdentityError>;

    /// The member the provider's identity is linked to.
    async fn identity_owner(
        &self,
        provider: &str,
        subject_index: &str,
    ) -> Result<Option<AccountId>, IdentityError>;

    /// The providers linked to the member, oldest link first.
    async fn identities_of(&self, account: AccountId) -> Result<Vec<LinkedIdentity>, IdentityError>;
}
