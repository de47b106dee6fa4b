//! Registering members and checking their credentials.

use std::fmt::Write as _;

use async_trait::async_trait;
use jangteo_domain::{
    AccountId, Email, Nickname, PasswordHash,
    account::{AccountCommand, AccountRole, AccountState},
};
use jangteo_event_store::{AppendOutcome, EventStoreError, UniqueClaim};
use uuid::Uuid;

use crate::{
    Actor, AppError, CommandContext, CommandReceipt, PlainPassword, UnitOfWork, passwords,
    unit_of_work::{Decision, Work},
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
    uow: UnitOfWork,
}

impl Accounts {
    pub fn new(uow: &UnitOfWork) -> Self {
        Self { uow: uow.clone() }
    }

    /// Registers a member. The e-mail is claimed in the same transaction as the
    /// `AccountRegistered` event, so two concurrent sign-ups with one address cannot both succeed.
    pub async fn register(
        &self,
        registration: Registration,
    ) -> Result<(AccountId, CommandReceipt), AppError> {
        let account_id = AccountId::from_uuid(Uuid::now_v7());
        let password_hash = passwords::hash(registration.password).await?;
        let register = Register {
            account_id,
            email_digest: email_digest(&registration.email),
            email: registration.email,
            nickname: registration.nickname,
            password_hash,
        };
        let context = CommandContext::new(Actor::Member(account_id));
        match self.uow.run(&context, &register).await {
            Ok(decided) => Ok((account_id, decided.receipt)),
            Err(AppError::Store(EventStoreError::ClaimTaken { .. })) => Err(AppError::EmailTaken),
            Err(error) => Err(error),
        }
    }

    /// Returns the account whose e-mail and password these are. Unknown e-mail and wrong password
    /// are one answer, and take the same time.
    pub async fn authenticate(&self, email: &Email, password: PlainPassword) -> Result<AccountId, AppError> {
        let Some(owner) = self.uow.store().find_claim(EMAIL_CLAIM_SCOPE, &email_digest(email)).await? else {
            passwords::verify_dummy(password).await;
            return Err(AppError::InvalidCredentials);
        };
        let loaded = self.uow.current::<AccountState>(owner).await?;
        let AccountState::Present(account) = loaded else {
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
            .uow
            .store()
            .find_claim(EMAIL_CLAIM_SCOPE, &email_digest(email))
            .await?
            .ok_or(AppError::NotFound)?;
        let context = CommandContext::new(Actor::System);
        self.uow.execute::<AccountState>(owner, &context, &AccountCommand::GrantRole { role }).await?;
        Ok(AccountId::from_uuid(owner))
    }

    /// The account's role, read from its stream (never from a token, so that a role taken back
    /// is gone at once).
    pub async fn role_of(&self, account: AccountId) -> Result<AccountRole, AppError> {
        match self.uow.current::<AccountState>(account.as_uuid()).await? {
            AccountState::Present(account) => Ok(account.role),
            AccountState::Absent => Err(AppError::NotFound),
        }
    }
}

/// A sign-up: the account's first event and the claim of its e-mail, in one append.
struct Register {
    account_id: AccountId,
    email: Email,
    email_digest: String,
    nickname: Nickname,
    password_hash: PasswordHash,
}

#[async_trait]
impl Decision for Register {
    type Output = ();

    fn contended_stream(&self) -> Option<Uuid> {
        None
    }

    async fn decide(&self, work: &mut Work<'_>) -> Result<(), AppError> {
        let register = AccountCommand::Register {
            account_id: self.account_id,
            email: self.email.clone(),
            nickname: self.nickname.clone(),
            password_hash: self.password_hash.clone(),
        };
        work.decide_new::<AccountState>(self.account_id.as_uuid(), register).await?;
        work.claim(UniqueClaim {
            scope: EMAIL_CLAIM_SCOPE.to_owned(),
            value: self.email_digest.clone(),
            owner_stream_id: self.account_id.as_uuid(),
        });
        Ok(())
    }

    async fn replayed(&self, _uow: &UnitOfWork, _outcome: &AppendOutcome) -> Result<(), AppError> {
        Ok(())
    }
}

fn email_digest(email: &Email) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, email.as_str().as_bytes());
    digest.as_ref().iter().fold(String::with_capacity(64), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}
