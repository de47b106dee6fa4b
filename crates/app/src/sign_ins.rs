//! Signing in: the credentials check with a lockout in front and a record of every attempt.
//!
//! After [`MAX_FAILURES`] failed attempts within [`WINDOW`] for one e-mail address (known or
//! not: attempts are keyed by its blind index, so a lockout tells nothing about whether an
//! account exists) or from one IP address, further attempts are refused unchecked, with
//! `429 too_many_attempts` until the oldest of those failures leaves the window. Every attempt,
//! whatever its outcome, is recorded with the client's IP address and user agent; members read
//! their own (`GET /v1/me/sign-ins`, the PRD's 사용자 행동 log of sign-ins).

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use jangteo_domain::{AccountId, Email};
use jangteo_identity::{AttemptKey, SignInAttempt, SignInLog, SignInOutcome};

use crate::{Accounts, AppError, Clock, PlainPassword, accounts::Authentication};

/// Failed attempts allowed within [`WINDOW`] before further ones are refused.
pub const MAX_FAILURES: u32 = 5;
/// How far back failed attempts count.
pub const WINDOW: Duration = Duration::minutes(15);
/// The longest user agent kept; longer ones are cut.
const USER_AGENT_LIMIT: usize = 256;
/// How many attempts a member's record lists.
const HISTORY_LIMIT: u32 = 50;

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
    pub fn new(accounts: &Accounts, log: Arc<dyn SignInLog>, clock: Arc<dyn Clock>) -> Self {
        let turns = (0..TURN_STRIPES).map(|_| tokio::sync::Mutex::new(())).collect();
        Self { accounts: accounts.clone(), log, clock, turns: Arc::new(turns) }
    }

    /// The member whose e-mail and password these are, unless too many attempts failed lately
    /// ([`AppError::TooManyAttempts`]); unknown e-mail and wrong password are one answer.
    pub async fn sign_in(
        &self,
        email: &Email,
        password: PlainPassword,
        client: &ClientInfo,
    ) -> Result<AccountId, AppError> {
        let email_index = self.accounts.email_index(email);
        let stripe =
            usize::from_str_radix(email_index.get(..2).unwrap_or("0"), 16).unwrap_or(0) % TURN_STRIPES;
        let _turn = self.turns[stripe].lock().await;
        let now = self.clock.now();
        let client = ClientInfo {
            ip: client.ip.clone(),
            user_agent: client
                .user_agent
                .as_deref()
                .map(|agent| agent.chars().take(USER_AGENT_LIMIT).collect()),
        };
        let record = |account, outcome| SignInAttempt {
            email_index: email_index.clone(),
            account,
            ip: client.ip.clone(),
            user_agent: client.user_agent.clone(),
            outcome,
            at: now,
        };
        if let Some(until) = self.locked_until(&email_index, client.ip.as_deref(), now).await? {
            let owner = self.accounts.owner_of(email).await?;
            self.log.record_sign_in(&record(owner, SignInOutcome::Locked)).await?;
            let retry_after = (until - now).to_std().unwrap_or_default();
            return Err(AppError::TooManyAttempts { retry_after });
        }
        match self.accounts.verify_credentials(email, password).await? {
            Authentication::Verified(account) => {
                self.log.record_sign_in(&record(Some(account), SignInOutcome::Succeeded)).await?;
                Ok(account)
            }
            Authentication::Refused { account } => {
                self.log.record_sign_in(&record(account, SignInOutcome::Failed)).await?;
                Err(AppError::InvalidCredentials)
            }
        }
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
            if failures.len() >= MAX_FAILURES as usize {
                if let Some(oldest) = failures.last() {
                    until = until.max(Some(*oldest + WINDOW));
                }
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
