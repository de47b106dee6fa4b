//! Registering members and checking their credentials.

use std::{fmt::Write as _, sync::Arc};

use jangteo_domain::{
    AccountId, Aggregate, Email, Nickname,
    account::{AccountCommand, AccountRole, AccountState},
};
use jangteo_event_store::{AppendRequest, EventStore, EventStoreError, UniqueClaim};
use uuid::Uuid;

use crate::{
    Actor, AppError, CommandContext, CommandReceipt, PlainPassword,
    command::{execute, load, stream_append},
    passwords,
};

/// The unique-claim scope of account e-mails. The claimed value is a SHA-256 digest of the
/// normalised address, so the claims table holds no personal data in the clear.
const EMAIL_CLAIM_SCOPE: &str = "account_email";

/// A sign-up request, validated.
#[derive(Debug, Clone)]
pub struct Registration {
    pub email: Email,
    pub nickname: Nickname,
    pub password: PlainPassword,
}

#[derive(Clone)]
pub struct Accounts {
    store: Arc<dyn EventStore>,
}

impl Accounts {
    pub fn new(store: Arc<dyn EventStore>) -> Self {
        Self { store }
    }

    /// Registers a member. The e-mail is claimed in the same transaction as the
    /// `AccountRegistered` event, so two concurrent sign-ups with one address cannot both succeed.
    pub async fn register(
        &self,
        registration: Registration,
    ) -> Result<(AccountId, CommandReceipt), AppError> {
        let account_id = AccountId::from_uuid(Uuid::now_v7());
        let password_hash = passwords::hash(registration.password).await?;
        let email_digest = email_digest(&registration.email);
        let events = AccountState::default().decide(AccountCommand::Register {
            account_id,
            email: registration.email,
            nickname: registration.nickname,
            password_hash,
        })?;
        let context = CommandContext::new(Actor::Member(account_id));
        let request = AppendRequest {
            metadata: context.metadata(),
            streams: vec![stream_append::<AccountState>(account_id.as_uuid(), 0, &events)?],
            claims: vec![UniqueClaim {
                scope: EMAIL_CLAIM_SCOPE.to_owned(),
                value: email_digest,
                owner_stream_id: account_id.as_uuid(),
            }],
        };
        match self.store.append(request).await {
            Ok(outcome) => Ok((account_id, CommandReceipt::from_outcome(&outcome))),
            Err(EventStoreError::ClaimTaken { .. }) => Err(AppError::EmailTaken),
            Err(error) => Err(error.into()),
        }
    }

    /// Returns the account whose e-mail and password these are. Unknown e-mail and wrong password
    /// are one answer, and take the same time.
    pub async fn authenticate(&self, email: &Email, password: PlainPassword) -> Result<AccountId, AppError> {
        let Some(owner) = self.store.find_claim(EMAIL_CLAIM_SCOPE, &email_digest(email)).await? else {
            passwords::verify_dummy(password).await;
            return Err(AppError::InvalidCredentials);
        };
        let loaded = load::<AccountState>(self.store.as_ref(), owner).await?;
        let AccountState::Present(account) = loaded.state else {
            passwords::verify_dummy(password).await;
            return Err(AppError::InvalidCredentials);
        };
        let Some(hash) = account.password_hash else {
            return Err(AppError::InvalidCredentials);
        };
        if passwords::verify(password, hash).await? {
            Ok(account.account_id)
        } else {
            Err(AppError::InvalidCredentials)
        }
    }

    /// Gives the account registered with `email` a role (an operator's command, issued from the
    /// command line). Returns the account.
    pub async fn grant_role(&self, email: &Email, role: AccountRole) -> Result<AccountId, AppError> {
        let owner = self
            .store
            .find_claim(EMAIL_CLAIM_SCOPE, &email_digest(email))
            .await?
            .ok_or(AppError::NotFound)?;
        let context = CommandContext::new(Actor::System);
        execute::<AccountState>(self.store.as_ref(), owner, &context, &AccountCommand::GrantRole { role })
            .await?;
        Ok(AccountId::from_uuid(owner))
    }

    /// The account's role, read from its stream (never from a token, so that a role taken back
    /// is gone at once).
    pub async fn role_of(&self, account: AccountId) -> Result<AccountRole, AppError> {
        match load::<AccountState>(self.store.as_ref(), account.as_uuid()).await?.state {
            AccountState::Present(account) => Ok(account.role),
            AccountState::Absent => Err(AppError::NotFound),
        }
    }
}

fn email_digest(email: &Email) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, email.as_str().as_bytes());
    digest.as_ref().iter().fold(String::with_capacity(64), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}
