//! Sessions: what a sign-in starts and a sign-out ends.
//!
//! A session is one family of refresh tokens (OAuth 2.0 Security BCP, RFC 9700 §4.14): each
//! refresh token is opaque (256 random bits), stored only as its SHA-256 digest, and good for one
//! rotation; presenting one a second time means a copy exists, and ends the whole session. Access
//! tokens name their session, and every request checks that it is still active, so a sign-out or
//! a detected reuse takes effect at once, not when the access token expires.

use std::sync::Arc;

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Duration;
use jangteo_domain::AccountId;
use jangteo_identity::{NewSession, Rotation, SessionId, SessionStore, TokenDigest, crypto::random_token};

use crate::{AppError, Clock};

/// How long a refresh token stays good for its one rotation.
const REFRESH_TOKEN_LIFETIME: Duration = Duration::days(30);
/// How long a session lasts, however often it is refreshed: a stolen chain ends too.
const SESSION_LIFETIME: Duration = Duration::days(90);
/// How recent a sign-in must be for what a stolen session must not do on its own: turning
/// two-factor sign-in on (which would lock the member out), and closing an account that has no
/// password to confirm with.
pub const FRESH_SIGN_IN: Duration = Duration::minutes(10);

/// An opaque refresh token, handed to the client once. Its `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken(String);

impl RefreshToken {
    fn generate() -> Result<Self, AppError> {
        Ok(Self(URL_SAFE_NO_PAD.encode(random_token()?)))
    }

    /// The token as presented by a client; any text is accepted here and simply not found.
    pub fn presented(text: &str) -> Self {
        Self(text.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn digest(&self) -> TokenDigest {
        TokenDigest::of(&self.0)
    }
}

impl std::fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshToken(<redacted>)")
    }
}

/// A session's current refresh token, after a sign-in or a rotation.
#[derive(Debug, Clone)]
pub struct SessionTokens {
    pub session_id: SessionId,
    pub account: AccountId,
    pub refresh_token: RefreshToken,
}

#[derive(Clone)]
pub struct Sessions {
    store: Arc<dyn SessionStore>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions").finish_non_exhaustive()
    }
}

impl Sessions {
    pub fn new(store: Arc<dyn SessionStore>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    /// Starts a session for a member who just proved who they are.
    pub async fn start(&self, account: AccountId) -> Result<SessionTokens, AppError> {
        let refresh_token = RefreshToken::generate()?;
        let now = self.clock.now();
        let session = NewSession {
            session_id: SessionId::new(),
            account,
            refresh_token: refresh_token.digest(),
            started_at: now,
            refresh_expires_at: now + REFRESH_TOKEN_LIFETIME,
            expires_at: now + SESSION_LIFETIME,
        };
        self.store.start_session(&session).await?;
        Ok(SessionTokens { session_id: session.session_id, account, refresh_token })
    }

    /// Trades a refresh token for the session's next one. A token used before answers
    /// [`AppError::RefreshTokenReused`] and ends its session; an unknown or expired one, or one of
    /// an ended session, [`AppError::InvalidRefreshToken`].
    pub async fn refresh(&self, presented: &RefreshToken) -> Result<SessionTokens, AppError> {
        let next = RefreshToken::generate()?;
        let now = self.clock.now();
        match self
            .store
            .rotate_refresh_token(&presented.digest(), &next.digest(), now, now + REFRESH_TOKEN_LIFETIME)
            .await?
        {
            Rotation::Rotated { session_id, account } => {
                Ok(SessionTokens { session_id, account, refresh_token: next })
            }
            Rotation::Reused { session_id, account } => {
                tracing::warn!(%session_id, %account, "a used refresh token was presented again; session ended");
                Err(AppError::RefreshTokenReused)
            }
            Rotation::Refused => Err(AppError::InvalidRefreshToken),
        }
    }

    /// The member of a session that is still active; `None` once it ended or expired.
    pub async fn active(&self, session_id: SessionId) -> Result<Option<AccountId>, AppError> {
        Ok(self.store.active_session(session_id, self.clock.now()).await?)
    }

    /// Refuses ([`AppError::FreshSignInRequired`]) unless the session's sign-in was within
    /// [`FRESH_SIGN_IN`].
    pub async fn require_fresh(&self, session_id: SessionId) -> Result<(), AppError> {
        let now = self.clock.now();
        match self.store.session_started_at(session_id, now).await? {
            Some(started_at) if now - started_at <= FRESH_SIGN_IN => Ok(()),
            _ => Err(AppError::FreshSignInRequired),
        }
    }

    /// Ends one session of `account` (another member's session id ends nothing).
    pub async fn end(&self, account: AccountId, session_id: SessionId) -> Result<(), AppError> {
        if self.active(session_id).await? == Some(account) {
            self.store.end_session(session_id, self.clock.now()).await?;
        }
        Ok(())
    }

    /// Ends every session of the member; returns how many were active.
    pub async fn end_all(&self, account: AccountId) -> Result<u64, AppError> {
        Ok(self.store.end_all_sessions(account, self.clock.now()).await?)
    }
}
