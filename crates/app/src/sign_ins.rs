//! Signing in: the credentials check with a lockout in front and a record of every attempt.
//!
//! After [`MAX_FAILURES`] failed attempts within [`WINDOW`] for one e-mail address (known or
//! not: attempts are keyed by its blind index, so a lockout tells nothing about whether an
//! account exists) or from one IP address, further attempts are refused unchecked, with
//! `429 too_many_attempts` until the oldest of those failures leaves the window. Every attempt,
//! whatever its outcome, is recorded with the client's IP address and user agent; members read
//! their own (`GET /v1/me/sign-ins`, the PRD's 사용자 행동 log of sign-ins).
//!
//! A member with two-factor sign-in on gets, for the right password, a challenge token instead
//! of a session ([`SignInStep::MfaRequired`]): single-use, good for [`MFA_CHALLENGE_LIFETIME`],
//! and traded with a TOTP or recovery code for the session. A wrong code counts as a failed
//! attempt, so the lockout bounds guessing codes as it bounds guessing passwords.

use std::sync::Arc;

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use jangteo_domain::{AccountId, DomainError, Email};
use jangteo_identity::{
    AttemptKey, IssuedToken, OneTimeTokenStore, SignInAttempt, SignInLog, SignInOutcome, TokenDigest,
    TokenPurpose, crypto::random_token,
};

use crate::{Accounts, AppError, Clock, Mfa, PlainPassword, accounts::Authentication};

/// Failed attempts allowed within [`WINDOW`] before further ones are refused.
pub const MAX_FAILURES: u32 = 5;
/// How far back failed attempts count.
pub const WINDOW: Duration = Duration::minutes(15);
/// The longest user agent kept; longer ones are cut.
const USER_AGENT_LIMIT: usize = 256;
/// How many attempts a member's record lists.
const HISTORY_LIMIT: u32 = 50;
/// How long a sign-in waits for its second factor.
pub const MFA_CHALLENGE_LIFETIME: Duration = Duration::minutes(5);

/// Where a sign-in with the right password stands.
#[derive(Clone, PartialEq, Eq)]
pub enum SignInStep {
    /// Signed in: start the member's session.
    Complete(AccountId),
    /// The member's second factor is asked for: trade `mfa_token` and a code at
    /// [`SignIns::complete_mfa`].
    MfaRequired { mfa_token: String },
}

impl std::fmt::Debug for SignInStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignInStep::Complete(account) => f.debug_tuple("Complete").field(account).finish(),
            SignInStep::MfaRequired { .. } => f.write_str("MfaRequired(<redacted>)"),
        }
    }
}

/// Where an attempt came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// One attempt, as the member sees it in their record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInRecord {
    pub at: DateTime<Utc>,
    pub outcome: SignInOutcome,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Clone)]
pub struct SignIns {
    accounts: Accounts,
    mfa: Mfa,
    challenges: Arc<dyn OneTimeTokenStore>,
    log: Arc<dyn SignInLog>,
    clock: Arc<dyn Clock>,
    /// Attempts for one e-mail address take turns within a process (striped by its blind
    /// index): a burst of guesses sent at once cannot all pass the lockout check before any of
    /// them is recorded.
    turns: Arc<Vec<tokio::sync::Mutex<()>>>,
}

/// How many stripes [`SignIns::turns`] has.
const TURN_STRIPES: usize = 64;

impl std::fmt::Debug for SignIns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignIns").finish_non_exhaustive()
    }
}

impl SignIns {
    pub fn new(
        accounts: &Accounts,
        mfa: &Mfa,
        challenges: Arc<dyn OneTimeTokenStore>,
        log: Arc<dyn SignInLog>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let turns = (0..TURN_STRIPES).map(|_| tokio::sync::Mutex::new(())).collect();
        Self { accounts: accounts.clone(), mfa: mfa.clone(), challenges, log, clock, turns: Arc::new(turns) }
    }

    /// Checks the e-mail and password, unless too many attempts failed lately
    /// ([`AppError::TooManyAttempts`]); unknown e-mail and wrong password are one answer. For a
    /// member with two-factor sign-in on, the right password answers a challenge.
    pub async fn sign_in(
        &self,
        email: &Email,
        password: PlainPassword,
        client: &ClientInfo,
    ) -> Result<SignInStep, AppError> {
        let email_index = self.accounts.email_index(email);
        let _turn = self.turn(&email_index).await;
        let now = self.clock.now();
        let attempt = Attempt::new(email_index, client, now);
        self.refuse_if_locked(&attempt, self.accounts.owner_of(email)).await?;
        match self.accounts.verify_credentials(email, password).await? {
            Authentication::Verified(account) => self.proceed(account, &attempt).await,
            Authentication::Refused { account } => {
                self.log.record_sign_in(&attempt.record(account, SignInOutcome::Failed)).await?;
                Err(AppError::InvalidCredentials)
            }
        }
    }

    /// Signs in a member whom another service vouched for (a social sign-in): recorded like any
    /// sign-in, and for a member with two-factor sign-in on, it answers the challenge as the
    /// right password does.
    pub(crate) async fn sign_in_vouched(
        &self,
        account: AccountId,
        client: &ClientInfo,
    ) -> Result<SignInStep, AppError> {
        let attempt = Attempt::new(self.member_email_index(account).await?, client, self.clock.now());
        self.proceed(account, &attempt).await
    }

    /// The member proved who they are: signed in, or challenged for their second factor.
    async fn proceed(&self, account: AccountId, attempt: &Attempt) -> Result<SignInStep, AppError> {
        if !self.mfa.is_enabled(account).await? {
            self.log.record_sign_in(&attempt.record(Some(account), SignInOutcome::Succeeded)).await?;
            return Ok(SignInStep::Complete(account));
        }
        let mfa_token = URL_SAFE_NO_PAD.encode(random_token()?);
        self.challenges
            .issue_token(&IssuedToken {
                digest: TokenDigest::of(&mfa_token),
                purpose: TokenPurpose::MfaChallenge,
                account,
                issued_at: attempt.at,
                expires_at: attempt.at + MFA_CHALLENGE_LIFETIME,
            })
            .await?;
        self.log.record_sign_in(&attempt.record(Some(account), SignInOutcome::MfaRequired)).await?;
        Ok(SignInStep::MfaRequired { mfa_token })
    }

    /// Finishes a sign-in that asked for the second factor: the challenge token from
    /// [`SignIns::sign_in`] and a TOTP or recovery code. A wrong code leaves the challenge good
    /// (until it expires or the lockout starts); the right one uses it up.
    pub async fn complete_mfa(
        &self,
        mfa_token: &str,
        code: &str,
        client: &ClientInfo,
    ) -> Result<AccountId, AppError> {
        let digest = TokenDigest::of(mfa_token);
        let now = self.clock.now();
        let account = self
            .challenges
            .peek_token(&digest, TokenPurpose::MfaChallenge, now)
            .await?
            .ok_or(AppError::InvalidMfaToken)?;
        let email_index = self.member_email_index(account).await?;
        let _turn = self.turn(&email_index).await;
        let attempt = Attempt::new(email_index, client, now);
        self.refuse_if_locked(&attempt, std::future::ready(Ok(Some(account)))).await?;
        if !self.mfa.verify(account, code).await? {
            self.log.record_sign_in(&attempt.record(Some(account), SignInOutcome::MfaFailed)).await?;
            return Err(AppError::InvalidMfaCode);
        }
        if self.challenges.use_token(&digest, TokenPurpose::MfaChallenge, now).await?.is_none() {
            return Err(AppError::InvalidMfaToken);
        }
        self.log.record_sign_in(&attempt.record(Some(account), SignInOutcome::Succeeded)).await?;
        Ok(account)
    }

    /// Runs `check`, a signed-in member proving themselves again (their password to close the
    /// account, a code to turn two-factor sign-in off), under the lockout of sign-ins: refused
    /// unchecked while the member's address is locked, and a refusal
    /// ([`AppError::InvalidCredentials`], [`AppError::InvalidMfaCode`]) counts as a failed
    /// attempt. So a stolen session cannot guess either faster than sign-in allows.
    pub async fn guarded<T>(
        &self,
        account: AccountId,
        client: &ClientInfo,
        check: impl std::future::Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        let email_index = self.member_email_index(account).await?;
        let _turn = self.turn(&email_index).await;
        let now = self.clock.now();
        let attempt = Attempt::new(email_index, client, now);
        self.refuse_if_locked(&attempt, std::future::ready(Ok(Some(account)))).await?;
        let outcome = check.await;
        let failed = match &outcome {
            Err(AppError::InvalidCredentials) => Some(SignInOutcome::Failed),
            Err(AppError::InvalidMfaCode) => Some(SignInOutcome::MfaFailed),
            _ => None,
        };
        if let Some(failed) = failed {
            self.log.record_sign_in(&attempt.record(Some(account), failed)).await?;
        }
        outcome
    }

    /// The blind index of the member's e-mail: what their attempts are recorded and counted by.
    async fn member_email_index(&self, account: AccountId) -> Result<String, AppError> {
        let email =
            Email::parse(&self.accounts.profile(account).await?.email).map_err(DomainError::Invalid)?;
        Ok(self.accounts.email_index(&email))
    }

    /// Refuses the attempt unchecked ([`AppError::TooManyAttempts`], recorded as locked) while
    /// its address or IP is locked out. `owner` is whose the address is; it is awaited only for
    /// the record of a refusal.
    async fn refuse_if_locked(
        &self,
        attempt: &Attempt,
        owner: impl std::future::Future<Output = Result<Option<AccountId>, AppError>>,
    ) -> Result<(), AppError> {
        let Some(until) =
            self.locked_until(&attempt.email_index, attempt.client.ip.as_deref(), attempt.at).await?
        else {
            return Ok(());
        };
        self.log.record_sign_in(&attempt.record(owner.await?, SignInOutcome::Locked)).await?;
        let retry_after = (until - attempt.at).to_std().unwrap_or_default();
        Err(AppError::TooManyAttempts { retry_after })
    }

    /// This process's turn for attempts on one e-mail address.
    async fn turn(&self, email_index: &str) -> tokio::sync::MutexGuard<'_, ()> {
        let stripe =
            usize::from_str_radix(email_index.get(..2).unwrap_or("0"), 16).unwrap_or(0) % TURN_STRIPES;
        self.turns[stripe].lock().await
    }

    /// Until when attempts for this address or from this IP are refused, if they are.
    async fn locked_until(
        &self,
        email_index: &str,
        ip: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, AppError> {
        let since = now - WINDOW;
        let mut keys = vec![AttemptKey::EmailIndex(email_index)];
        keys.extend(ip.map(AttemptKey::Ip));
        let mut until = None;
        for key in keys {
            let failures = self.log.recent_failures(key, since, MAX_FAILURES).await?;
            // The newest MAX_FAILURES failures all within the window: locked until the oldest
            // of them leaves it.
            if failures.len() >= MAX_FAILURES as usize
                && let Some(oldest) = failures.last()
            {
                until = until.max(Some(*oldest + WINDOW));
            }
        }
        Ok(until)
    }

    /// The member's own sign-in attempts, newest first.
    pub async fn history(&self, account: AccountId) -> Result<Vec<SignInRecord>, AppError> {
        let attempts = self.log.sign_ins_of(account, HISTORY_LIMIT).await?;
        Ok(attempts
            .into_iter()
            .map(|attempt| SignInRecord {
                at: attempt.at,
                outcome: attempt.outcome,
                ip: attempt.ip,
                user_agent: attempt.user_agent,
            })
            .collect())
    }
}

/// One attempt being made: what its record will say whatever the outcome.
struct Attempt {
    email_index: String,
    client: ClientInfo,
    at: DateTime<Utc>,
}

impl Attempt {
    fn new(email_index: String, client: &ClientInfo, at: DateTime<Utc>) -> Self {
        let client = ClientInfo {
            ip: client.ip.clone(),
            user_agent: client
                .user_agent
                .as_deref()
                .map(|agent| agent.chars().take(USER_AGENT_LIMIT).collect()),
        };
        Self { email_index, client, at }
    }

    fn record(&self, account: Option<AccountId>, outcome: SignInOutcome) -> SignInAttempt {
        SignInAttempt {
            email_index: self.email_index.clone(),
            account,
            ip: self.client.ip.clone(),
            user_agent: self.client.user_agent.clone(),
            outcome,
            at: self.at,
        }
    }
}
