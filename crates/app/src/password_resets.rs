//! Password resets: a mailed link with a single-use token, then a new password.
//!
//! Asking for a reset answers the same whatever the address (the caller cannot learn who is a
//! member): the look-up and the mail happen after the answer, in a task of their own. The token
//! is 256 random bits, stored only as its digest, good for [`TOKEN_LIFETIME`] and one use. Setting
//! the password voids the member's other reset links and ends every session, so whoever had
//! the old password is signed out.

use std::sync::Arc;

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Duration;
use jangteo_domain::Email;
use jangteo_identity::{
    IssuedToken, OneTimeTokenStore, SocialLoginStore, TokenDigest, TokenPurpose, crypto::random_token,
};
use jangteo_mail::{Mail, Mailer};

use crate::{Accounts, AppError, Clock, Sessions};

/// How long a reset link stays good.
pub const TOKEN_LIFETIME: Duration = Duration::minutes(30);
/// At most this many reset mails per member per [`MAIL_WINDOW`]; more requests send nothing
/// (and still answer 202), so nobody can flood a member's mailbox.
const MAILS_PER_WINDOW: u64 = 3;
const MAIL_WINDOW: Duration = Duration::hours(1);

#[derive(Clone)]
pub struct PasswordResets {
    accounts: Accounts,
    tokens: Arc<dyn OneTimeTokenStore>,
    sessions: Sessions,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
    /// Where the link points: `{public_url}/password-reset#token=…`. The token rides in the
    /// fragment, which browsers send to no server and put in no `Referer`.
    public_url: String,
    /// The providers' identities linked to members, unlinked when a reset gives a member their
    /// first password (see [`PasswordResets::complete`]).
    linked_identities: Option<Arc<dyn SocialLoginStore>>,
}

impl std::fmt::Debug for PasswordResets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordResets").field("mailer", &self.mailer.describe()).finish_non_exhaustive()
    }
}

impl PasswordResets {
    pub fn new(
        accounts: &Accounts,
        tokens: Arc<dyn OneTimeTokenStore>,
        sessions: &Sessions,
        mailer: Arc<dyn Mailer>,
        clock: Arc<dyn Clock>,
        public_url: &str,
    ) -> Self {
        Self {
            accounts: accounts.clone(),
            tokens,
            sessions: sessions.clone(),
            mailer,
            clock,
            public_url: public_url.trim_end_matches('/').to_owned(),
            linked_identities: None,
        }
    }

    /// Unlinks a member's providers when a reset sets their first password.
    #[must_use]
    pub fn with_linked_identities(mut self, store: Arc<dyn SocialLoginStore>) -> Self {
        self.linked_identities = Some(store);
        self
    }

    /// Starts a reset for `email` in the background and returns at once; a failure there is
    /// logged, never told to the caller.
    pub fn request(&self, email: Email) {
        let resets = self.clone();
        tokio::spawn(async move {
            if let Err(error) = resets.send_link(&email).await {
                tracing::error!(%error, "a password-reset mail was not sent");
            }
        });
    }

    /// Mails a reset link to `email` if a member has it and has not had too many lately.
    /// Returns whether a mail went out.
    pub async fn send_link(&self, email: &Email) -> Result<bool, AppError> {
        let Some(account) = self.accounts.owner_of(email).await? else { return Ok(false) };
        let now = self.clock.now();
        let recent =
            self.tokens.tokens_issued_since(account, TokenPurpose::PasswordReset, now - MAIL_WINDOW).await?;
        if recent >= MAILS_PER_WINDOW {
            tracing::info!(%account, "password-reset mail held back: too many within the hour");
            return Ok(false);
        }
        let token = URL_SAFE_NO_PAD.encode(random_token()?);
        self.tokens
            .issue_token(&IssuedToken {
                digest: TokenDigest::of(&token),
                purpose: TokenPurpose::PasswordReset,
                account,
                issued_at: now,
                expires_at: now + TOKEN_LIFETIME,
            })
            .await?;
        let mail = Mail {
            to: email.as_str().to_owned(),
            subject: "[장터] 비밀번호 재설정 안내 (Password reset)".to_owned(),
            text: format!(
                "장터 비밀번호를 다시 정하려면 30분 안에 아래 주소를 여세요.\n\
                 To choose a new Jangteo password, open this link within 30 minutes:\n\n\
                 {url}/password-reset#token={token}\n\n\
                 요청하지 않았다면 이 메일을 무시하세요. 비밀번호는 그대로입니다.\n\
                 If you did not ask for this, ignore this mail; your password stays as it is.\n",
                url = self.public_url,
            ),
        };
        self.mailer
            .send(mail)
            .await
            .map_err(|error| AppError::internal("sending a password-reset mail", error))?;
        Ok(true)
    }

    /// Sets the password of the token's member and ends all their sessions. A token that is
    /// unknown, used or expired answers [`AppError::InvalidResetToken`]; a password the policy
    /// refuses answers a validation error and leaves the token good.
    pub async fn complete(&self, token: &str, password: &str) -> Result<(), AppError> {
        let digest = TokenDigest::of(token);
        let now = self.clock.now();
        let account = self
            .tokens
            .peek_token(&digest, TokenPurpose::PasswordReset, now)
            .await?
            .ok_or(AppError::InvalidResetToken)?;
        // Checked (and hashed) before the token is used up: a refused password leaves it good.
        let hash = self.accounts.hash_new_password(account, password).await?;
        if self.tokens.use_token(&digest, TokenPurpose::PasswordReset, now).await?.is_none() {
            return Err(AppError::InvalidResetToken);
        }
        let had_password = self.accounts.has_password(account).await?;
        self.accounts.store_password(account, &hash).await?;
        // A member a provider created whose address turns out to be someone else's: the owner of
        // the address takes the account over with this reset, and the provider identity that
        // created it must not keep signing in. (A member who did sign up through the provider
        // links it again, with the new password.)
        if let (false, Some(store)) = (had_password, &self.linked_identities) {
            let unlinked = store.unlink_identities(account).await?;
            tracing::info!(%account, unlinked, "first password set by a reset; providers unlinked");
        }
        self.tokens.void_tokens(account, TokenPurpose::PasswordReset, now).await?;
        let ended = self.sessions.end_all(account).await?;
        tracing::info!(%account, sessions_ended = ended, "password reset");
        Ok(())
    }
}
