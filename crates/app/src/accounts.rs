//! Registering members and checking their credentials.
//!
//! A sign-up writes in two places: the member's data key and password hash into the identity
//! store, then `AccountRegistered` (e-mail and nickname sealed under that key) with the claim of
//! the e-mail's blind index into the log. The identity rows come first, so an account in the log
//! always has them; a sign-up refused for a taken e-mail takes them back (a crash in between
//! leaves rows no event refers to, which nothing reaches: their owner's id was never handed out).

use std::{collections::BTreeMap, sync::Arc};

use async_trait::async_trait;
use jangteo_domain::{
    AccountId, DomainError, Email, Forbidden, Nickname, PasswordHash, SealedText, ValidationError,
    account::{AccountCommand, AccountRole, AccountState, ConsentChange},
    consent::{ConsentKind, ConsentRecord, ConsentVersion, SignUpConsents},
};
use jangteo_event_store::{AppendOutcome, EventStoreError, UniqueClaim};
use jangteo_identity::{CredentialStore, MemberErasure, PersonalDataVault, PersonalField};
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
    pub consents: ConsentAnswers,
}

/// A new member's e-mail, nickname and consents, however they sign in.
#[derive(Debug, Clone)]
pub(crate) struct Enrolment {
    pub email: Email,
    pub nickname: Nickname,
    pub consents: ConsentAnswers,
}

/// What a member agreed to, as they send it: the versions of the terms and the privacy policy,
/// and whether they want marketing messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentAnswers {
    pub terms: ConsentVersion,
    pub privacy: ConsentVersion,
    pub marketing: bool,
}

/// The versions of the terms of use and the privacy policy in force, which a sign-up must agree
/// to (`JANGTEO_TERMS_VERSION`, `JANGTEO_PRIVACY_VERSION`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentPolicy {
    pub terms: ConsentVersion,
    pub privacy: ConsentVersion,
}

impl Default for ConsentPolicy {
    fn default() -> Self {
        #[allow(clippy::expect_used, reason = "a constant that parses")]
        let first = ConsentVersion::parse(FIRST_POLICY_VERSION).expect("the first policy version is valid");
        Self { terms: first.clone(), privacy: first }
    }
}

/// The version of the terms and the privacy policy Jangteo was first published with.
pub const FIRST_POLICY_VERSION: &str = "2026-12-01";

/// Changes to a member's consents; `None` leaves one as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsentChanges {
    pub terms: Option<ConsentVersion>,
    pub privacy: Option<ConsentVersion>,
    pub marketing: Option<bool>,
}

/// What a member sees of their own account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub account_id: AccountId,
    pub email: String,
    pub nickname: String,
    pub role: AccountRole,
    pub phone: Option<String>,
    pub phone_verified: bool,
    pub address: Option<String>,
}

/// Each consent of a member as it stands.
pub type ConsentState = BTreeMap<ConsentKind, ConsentRecord>;

#[derive(Clone)]
pub struct Accounts {
    uow: UnitOfWork,
    vault: PersonalDataVault,
    credentials: Arc<dyn CredentialStore>,
    hashers: Arc<Hashers>,
    policy: ConsentPolicy,
    /// Finishes an erasure a crash interrupted, when met (see [`Accounts::finish_erasure`]).
    erasure: Option<Arc<dyn MemberErasure>>,
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
            policy: ConsentPolicy::default(),
            erasure: None,
        }
    }

    /// The identity store's erasure, to finish an erasure a crash interrupted when a sign-in or
    /// a sign-up meets it.
    #[must_use]
    pub fn with_member_erasure(mut self, erasure: Arc<dyn MemberErasure>) -> Self {
        self.erasure = Some(erasure);
        self
    }

    /// The policy versions sign-ups and consent changes must agree to.
    #[must_use]
    pub fn with_consent_policy(mut self, policy: ConsentPolicy) -> Self {
        self.policy = policy;
        self
    }

    pub fn consent_policy(&self) -> &ConsentPolicy {
        &self.policy
    }

    /// Refuses a version of the terms or the privacy policy that is not the one in force.
    fn check_version(&self, kind: ConsentKind, version: &ConsentVersion) -> Result<(), AppError> {
        let current = match kind {
            ConsentKind::Terms => &self.policy.terms,
            ConsentKind::Privacy => &self.policy.privacy,
            ConsentKind::Marketing => return Ok(()),
        };
        if version == current {
            Ok(())
        } else {
            let reason = "must be the version in force (GET /v1/consents/current)";
            Err(AppError::Domain(DomainError::Invalid(ValidationError::new(kind.field(), reason))))
        }
    }

    /// The member's own profile, their personal data opened with their key.
    pub async fn profile(&self, account: AccountId) -> Result<Profile, AppError> {
        let AccountState::Present(state) = self.uow.current::<AccountState>(account.as_uuid()).await? else {
            return Err(AppError::NotFound);
        };
        let key = self.vault.member_key(account).await?.ok_or(AppError::NotFound)?;
        Ok(Profile {
            account_id: account,
            email: key.open(PersonalField::Email, &state.email)?,
            nickname: key.open(PersonalField::Nickname, &state.nickname)?,
            role: state.role,
            phone: state.phone.as_ref().map(|phone| key.open(PersonalField::Phone, phone)).transpose()?,
            phone_verified: state.phone_verified,
            address: state
                .address
                .as_ref()
                .map(|address| key.open(PersonalField::Address, address))
                .transpose()?,
        })
    }

    /// The member's consents as they stand.
    pub async fn consents(&self, account: AccountId) -> Result<ConsentState, AppError> {
        match self.uow.current::<AccountState>(account.as_uuid()).await? {
            AccountState::Present(account) => Ok(account.consents),
            AccountState::Absent | AccountState::Erased { .. } => Err(AppError::NotFound),
        }
    }

    /// Gives or withdraws consents, each its own event (nothing for what is unchanged); the terms
    /// and the privacy policy only at the version in force, and never withdrawn.
    pub async fn change_consents(
        &self,
        account: AccountId,
        changes_in: ConsentChanges,
    ) -> Result<(ConsentState, CommandReceipt), AppError> {
        let mut changes = Vec::new();
        for (kind, version) in
            [(ConsentKind::Terms, changes_in.terms), (ConsentKind::Privacy, changes_in.privacy)]
        {
            if let Some(version) = version {
                self.check_version(kind, &version)?;
                changes.push(ConsentChange { kind, granted: true, version: Some(version) });
            }
        }
        if let Some(granted) = changes_in.marketing {
            changes.push(ConsentChange { kind: ConsentKind::Marketing, granted, version: None });
        }
        // One command, one append: every change or none.
        let command = AccountCommand::Consent { changes, at: chrono::Utc::now() };
        let context = CommandContext::new(Actor::Member(account));
        let receipt = self.uow.execute::<AccountState>(account.as_uuid(), &context, &command).await?.receipt;
        Ok((self.consents(account).await?, receipt))
    }

    pub(crate) fn email_index(&self, email: &Email) -> String {
        self.vault.blind_index(EMAIL_CLAIM_SCOPE, email.as_str())
    }

    /// The blind index a provider's subject is kept as: keyed per provider, so one provider's
    /// identifiers never match another's.
    pub(crate) fn subject_index(&self, provider: &str, subject: &str) -> String {
        self.vault.blind_index(&format!("external_subject:{provider}"), subject)
    }

    /// Registers a member. The e-mail is claimed in the same transaction as the
    /// `AccountRegistered` event, so two concurrent sign-ups with one address cannot both succeed.
    pub async fn register(
        &self,
        registration: Registration,
    ) -> Result<(AccountId, CommandReceipt), AppError> {
        self.check_consents(&registration.consents)?;
        let password_hash = self.hashers.hash(registration.password).await?;
        let enrolment = Enrolment {
            email: registration.email,
            nickname: registration.nickname,
            consents: registration.consents,
        };
        self.enrol(AccountId::from_uuid(Uuid::now_v7()), &enrolment, Some(&password_hash)).await
    }

    /// Registers a member who signs in with another service's account only: no password (one
    /// can be set later through a password reset).
    pub(crate) async fn register_without_password(
        &self,
        account_id: AccountId,
        enrolment: &Enrolment,
    ) -> Result<(AccountId, CommandReceipt), AppError> {
        self.check_consents(&enrolment.consents)?;
        self.enrol(account_id, enrolment, None).await
    }

    /// Refuses a sign-up's consents unless they are to the versions in force.
    pub(crate) fn check_consents(&self, consents: &ConsentAnswers) -> Result<(), AppError> {
        self.check_version(ConsentKind::Terms, &consents.terms)?;
        self.check_version(ConsentKind::Privacy, &consents.privacy)
    }

    async fn enrol(
        &self,
        account_id: AccountId,
        enrolment: &Enrolment,
        password_hash: Option<&PasswordHash>,
    ) -> Result<(AccountId, CommandReceipt), AppError> {
        let key = self.vault.create_member_key(account_id).await?;
        let register = Register {
            account_id,
            email_index: self.email_index(&enrolment.email),
            email: key.seal(PersonalField::Email, enrolment.email.as_str())?,
            nickname: key.seal(PersonalField::Nickname, enrolment.nickname.as_str())?,
            consents: SignUpConsents {
                terms: enrolment.consents.terms.clone(),
                privacy: enrolment.consents.privacy.clone(),
                marketing: enrolment.consents.marketing,
                at: chrono::Utc::now(),
            },
        };
        if let Some(hash) = password_hash {
            self.credentials.set_password_hash(account_id, hash, chrono::Utc::now()).await?;
        }
        let context = CommandContext::new(Actor::Member(account_id));
        match self.uow.run(&context, &register).await {
            Ok(decided) => Ok((account_id, decided.receipt)),
            Err(AppError::Store(EventStoreError::ClaimTaken { .. })) => {
                // Certainly not appended: take the identity rows back. (After any other error the
                // append may have committed, so they stay.)
                self.credentials.delete_credentials(account_id).await?;
                self.vault.shred(account_id).await?;
                // The address may be an erased account's whose erasure a crash cut short: finish
                // it, and the address is free again.
                if self.finish_erasure_of_claim(&register.email_index).await? {
                    return Box::pin(self.enrol(account_id, enrolment, password_hash)).await;
                }
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
        if !self.hashers.verify(password, hash).await? {
            return Ok(Authentication::Refused { account: Some(account) });
        }
        if self.is_erased(account).await? {
            // Erased, but a crash left its credentials: finish the erasure.
            self.finish_erasure(account, &self.email_index(email)).await?;
            return Ok(Authentication::Refused { account: None });
        }
        Ok(Authentication::Verified(account))
    }

    /// Whether `password` is the member's (closing the account asks for it).
    pub(crate) async fn check_password(
        &self,
        account: AccountId,
        password: PlainPassword,
    ) -> Result<bool, AppError> {
        if let Some(hash) = self.credentials.password_hash(account).await? {
            self.hashers.verify(password, hash).await
        } else {
            self.hashers.verify_dummy(password).await?;
            Ok(false)
        }
    }

    /// Whether the member has a password (one who signed up through a provider has none until
    /// a password reset sets one).
    pub(crate) async fn has_password(&self, account: AccountId) -> Result<bool, AppError> {
        Ok(self.credentials.password_hash(account).await?.is_some())
    }

    pub(crate) async fn is_present(&self, account: AccountId) -> Result<bool, AppError> {
        Ok(matches!(self.uow.current::<AccountState>(account.as_uuid()).await?, AccountState::Present(_)))
    }

    pub(crate) async fn is_erased(&self, account: AccountId) -> Result<bool, AppError> {
        Ok(matches!(self.uow.current::<AccountState>(account.as_uuid()).await?, AccountState::Erased { .. }))
    }

    /// What follows `AccountErased`, all of it idempotent: everything the identity store keeps of
    /// the member (their data key with it) and the claim of their e-mail go.
    pub(crate) async fn finish_erasure(&self, account: AccountId, email_index: &str) -> Result<(), AppError> {
        let Some(erasure) = &self.erasure else {
            return Err(AppError::internal("erasing a member", "no identity-store erasure is wired"));
        };
        erasure.erase_member(account, email_index).await?;
        self.uow.store().release_claims(EMAIL_CLAIM_SCOPE, account.as_uuid()).await?;
        Ok(())
    }

    /// Finishes the erasure of the account claiming `email_index`, if it is erased; returns
    /// whether it was.
    async fn finish_erasure_of_claim(&self, email_index: &str) -> Result<bool, AppError> {
        let Some(owner) = self.uow.store().find_claim(EMAIL_CLAIM_SCOPE, email_index).await? else {
            return Ok(false);
        };
        let owner = AccountId::from_uuid(owner);
        if self.erasure.is_none() || !self.is_erased(owner).await? {
            return Ok(false);
        }
        self.finish_erasure(owner, email_index).await?;
        Ok(true)
    }

    /// Checks a new password the member chose (a reset) against the sign-up policy, and hashes
    /// it; [`Accounts::store_password`] then makes it theirs.
    pub(crate) async fn hash_new_password(
        &self,
        account: AccountId,
        raw: &str,
    ) -> Result<PasswordHash, AppError> {
        let profile = self.profile(account).await?;
        let email = Email::parse(&profile.email).map_err(DomainError::Invalid)?;
        let nickname = Nickname::parse(&profile.nickname).map_err(DomainError::Invalid)?;
        let password = PlainPassword::choose(raw, &email, &nickname).map_err(DomainError::Invalid)?;
        self.hashers.hash(password).await
    }

    pub(crate) async fn store_password(
        &self,
        account: AccountId,
        hash: &PasswordHash,
    ) -> Result<(), AppError> {
        Ok(self.credentials.set_password_hash(account, hash, chrono::Utc::now()).await?)
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

impl Accounts {
    /// An admin gives `account` a role; the grant's event names the admin. Refused
    /// ([`Forbidden::NotAdmin`]) for anyone else; [`AppError::NotFound`] for no such (or an
    /// erased) account.
    pub async fn grant_role_as_admin(
        &self,
        admin: AccountId,
        account: AccountId,
        role: AccountRole,
    ) -> Result<CommandReceipt, AppError> {
        if Roles::new(&self.uow).role_of(admin).await? != AccountRole::Admin {
            return Err(DomainError::Forbidden(Forbidden::NotAdmin).into());
        }
        if !matches!(self.uow.current::<AccountState>(account.as_uuid()).await?, AccountState::Present(_)) {
            return Err(AppError::NotFound);
        }
        let context = CommandContext::new(Actor::Admin(admin));
        let command = AccountCommand::GrantRole { role };
        let decided = self.uow.execute::<AccountState>(account.as_uuid(), &context, &command).await?;
        tracing::info!(%admin, %account, role = role.as_str(), "role granted");
        Ok(decided.receipt)
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
            AccountState::Absent | AccountState::Erased { .. } => Err(AppError::NotFound),
        }
    }
}

/// A sign-up: the account's first event and the claim of its e-mail, in one append.
struct Register {
    account_id: AccountId,
    email: SealedText,
    email_index: String,
    nickname: SealedText,
    consents: SignUpConsents,
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
            consents: self.consents.clone(),
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
