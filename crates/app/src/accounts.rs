//! Registering members and checking their credentials.
//!
//! A sign-up writes in two places: the member's data key and password hash into the identity
//! store, then `AccountRegistered` (e-mail and nickname sealed under that key) with the claim of
//! the e-mail's blind index into the log. The identity rows come first, so an account in the log
//! always has them; a sign-up refused for a taken e-mail takes them back (a crash in between
//! leaves rows no event refers to, which nothing reaches: their owner's id was never handed out).

use std::sync::Arc;

use async_trait::async_trait;
use jangteo_domain::{
    AccountId, Email, Nickname, SealedText,
    account::{AccountCommand, AccountRole, AccountState},
};
use jangteo_event_store::{AppendOutcome, EventStoreError, UniqueClaim};
use jangteo_identity::{CredentialStore, PersonalDataVault, PersonalField};
use uuid::Uuid;

use crate::{
    Actor, AppError, CommandContext, CommandReceipt, PlainPassword, UnitOfWork,
    passwords::Hashers,
    unit_of_work::{Decision, Work},
};

/// The unique-claim scope of account e-mails. The claimed value is the blind index (a keyed
/// HMAC) of the normalised address, so the claims table holds nothing that a dictionary of
/// e-mail addresses could be matched against without the vault's key.
pub(crate) const EMAIL_CLAIM_SCOPE: &str = "account_email";

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
    vault: PersonalDataVault,
    credentials: Arc<dyn CredentialStore>,
    hashers: Arc<Hashers>,
}

impl Accounts {
    /// The accounts service of this process; its password hashers are the machine's (one per
    /// core), shared by every clone.
    pub fn new(uow: &UnitOfWork, vault: &PersonalDataVault, credentials: Arc<dyn CredentialStore>) -> Self {
        Self {
            uow: uow.clone(),
            vault: vault.clone(),
            credentials,
            hashers: Arc::new(Hashers::for_this_machine()),
        }
    }

    pub(crate) fn email_index(&self, email: &Email) -> String {
        self.vault.blind_index(EMAIL_CLAIM_SCOPE, email.as_str())
    }

    /// Registers a member. The e-mail is claimed in the same transaction as the
    /// `AccountRegistered` event, so two concurrent sign-ups with one address cannot both succeed.
    pub async fn register(
        &self,
        registration: Registration,
    ) -> Result<(AccountId, CommandReceipt), AppError> {
        let account_id = AccountId::from_uuid(Uuid::now_v7());
        let password_hash = self.hashers.hash(registration.password).await?;
        let key = self.vault.create_member_key(account_id).await?;
        let register = Register {
            account_id,
            email_index: self.email_index(&registration.email),
            email: key.seal(PersonalField::Email, registration.email.as_str())?,
            nickname: key.seal(PersonalField::Nickname, registration.nickname.as_str())?,
        };
        self.credentials.set_password_hash(account_id, &password_hash, chrono::Utc::now()).await?;
        let context = CommandContext::new(Actor::Member(account_id));
        match self.uow.run(&context, &register).await {
            Ok(decided) => Ok((account_id, decided.receipt)),
            Err(AppError::Store(EventStoreError::ClaimTaken { .. })) => {
                // Certainly not appended: take the identity rows back. (After any other error the
                // append may have committed, so they stay.)
                self.credentials.delete_credentials(account_id).await?;
                self.vault.shred(account_id).await?;
                Err(AppError::EmailTaken)
            }
            Err(error) => Err(error),
        }
    }

    /// Returns the account whose e-mail and password these are. Unknown e-mail and wrong password
    /// are one answer, and take the same time.
    pub async fn authenticate(&self, email: &Email, password: PlainPassword) -> Result<AccountId, AppError> {
        match self.verify_credentials(email, password).await? {
            Authentication::Verified(account) => Ok(account),
            Authentication::Refused { .. } => Err(AppError::InvalidCredentials),
        }
    }

    /// The account registered with `email`, if any (for the sign-in record; never told to a
    /// client).
    pub(crate) async fn owner_of(&self, email: &Email) -> Result<Option<AccountId>, AppError> {
        let owner = self.uow.store().find_claim(EMAIL_CLAIM_SCOPE, &self.email_index(email)).await?;
        Ok(owner.map(AccountId::from_uuid))
    }

    /// Checks an e-mail and password, telling the caller (never the client) whose account a
    /// refused attempt was for, so that the member's own sign-in record shows it.
    pub(crate) async fn verify_credentials(
        &self,
        email: &Email,
        password: PlainPassword,
    ) -> Result<Authentication, AppError> {
        let owner = self.owner_of(email).await?;
        let hash = match owner {
            Some(owner) => self.credentials.password_hash(owner).await?,
            None => None,
        };
        let (Some(account), Some(hash)) = (owner, hash) else {
            self.hashers.verify_dummy(password).await?;
            return Ok(Authentication::Refused { account: owner });
        };
        if self.hashers.verify(password, hash).await? {
            Ok(Authentication::Verified(account))
        } else {
            Ok(Authentication::Refused { account: Some(account) })
        }
    }

    /// Gives the account registered with `email` a role (an operator's command, issued from the
    /// command line). Returns the account.
    pub async fn grant_role(&self, email: &Email, role: AccountRole) -> Result<AccountId, AppError> {
        let owner = self
            .uow
            .store()
            .find_claim(EMAIL_CLAIM_SCOPE, &self.email_index(email))
            .await?
            .ok_or(AppError::NotFound)?;
        let context = CommandContext::new(Actor::System);
        self.uow.execute::<AccountState>(owner, &context, &AccountCommand::GrantRole { role }).await?;
        Ok(AccountId::from_uuid(owner))
    }
}

/// What checking an e-mail and password came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Authentication {
    Verified(AccountId),
    /// Unknown e-mail or wrong password; `account` is whose the e-mail is, if anyone's.
    Refused {
        account: Option<AccountId>,
    },
}

/// Accounts' roles, for the services that check them (they need no personal data).
#[derive(Clone)]
pub struct Roles {
    uow: UnitOfWork,
}

impl Roles {
    pub fn new(uow: &UnitOfWork) -> Self {
        Self { uow: uow.clone() }
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
    email: SealedText,
    email_index: String,
    nickname: SealedText,
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
        };
        work.decide_new::<AccountState>(self.account_id.as_uuid(), register).await?;
        work.claim(UniqueClaim {
            scope: EMAIL_CLAIM_SCOPE.to_owned(),
            value: self.email_index.clone(),
            owner_stream_id: self.account_id.as_uuid(),
        });
        Ok(())
    }

    async fn replayed(&self, _uow: &UnitOfWork, _outcome: &AppendOutcome) -> Result<(), AppError> {
        Ok(())
    }
}
