//! A member's profile: what they change of it (`PATCH /v1/me`) and what anyone sees of it
//! (`GET /v1/members/{id}`).
//!
//! Every value is sealed under the member's data key before it reaches the log, as at sign-up;
//! only what differs from the member's current profile is appended, and all of it in one append.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use jangteo_domain::{
    AccountId, Edit, Nickname, PhoneNumber, PostalAddress, SealedText,
    account::{AccountCommand, AccountState},
};
use jangteo_identity::{PersonalDataVault, PersonalField};

use crate::{
    Accounts, Actor, AppError, Clock, CommandContext, CommandReceipt, ShownNeighbourhood, UnitOfWork,
    accounts::Profile,
};

/// The edit of a removable field, unless it leaves the field as `current` has it (then
/// [`Edit::Keep`]), with a set value sealed.
fn sealed_edit<T>(
    edit: Edit<T>,
    current: Option<&str>,
    text: impl Fn(&T) -> &str,
    seal: impl Fn(&str) -> Result<SealedText, AppError>,
) -> Result<Edit<SealedText>, AppError> {
    match edit {
        Edit::Keep => Ok(Edit::Keep),
        Edit::Remove if current.is_none() => Ok(Edit::Keep),
        Edit::Remove => Ok(Edit::Remove),
        Edit::Set(value) if Some(text(&value)) == current => Ok(Edit::Keep),
        Edit::Set(value) => Ok(Edit::Set(seal(text(&value))?)),
    }
}

/// What a member changes of their profile; `None` leaves the nickname as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileChanges {
    pub nickname: Option<Nickname>,
    pub phone: Edit<PhoneNumber>,
    pub address: Edit<PostalAddress>,
}

/// What anyone may see of a member; of an erased one, only that they were a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicProfile {
    pub account_id: AccountId,
    /// `None` once the member erased their account.
    pub nickname: Option<String>,
    pub joined_at: DateTime<Utc>,
    pub phone_verified: bool,
    /// Their 동네 인증, while it counts.
    pub neighbourhood: Option<ShownNeighbourhood>,
    pub erased: bool,
}

#[derive(Clone)]
pub struct Profiles {
    accounts: Accounts,
    uow: UnitOfWork,
    vault: PersonalDataVault,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Profiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profiles").finish_non_exhaustive()
    }
}

impl Profiles {
    pub fn new(
        accounts: &Accounts,
        uow: &UnitOfWork,
        vault: &PersonalDataVault,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { accounts: accounts.clone(), uow: uow.clone(), vault: vault.clone(), clock }
    }

    /// Applies the changes that differ from the member's profile, in one append.
    pub async fn change(
        &self,
        account: AccountId,
        changes: ProfileChanges,
    ) -> Result<(Profile, CommandReceipt), AppError> {
        let current = self.accounts.profile(account).await?;
        let key = self.vault.member_key(account).await?.ok_or(AppError::NotFound)?;
        let nickname = changes
            .nickname
            .filter(|nickname| nickname.as_str() != current.nickname)
            .map(|nickname| key.seal(PersonalField::Nickname, nickname.as_str()))
            .transpose()?;
        let phone = sealed_edit(changes.phone, current.phone.as_deref(), PhoneNumber::as_str, |text| {
            Ok(key.seal(PersonalField::Phone, text)?)
        })?;
        let address =
            sealed_edit(changes.address, current.address.as_deref(), PostalAddress::as_str, |text| {
                Ok(key.seal(PersonalField::Address, text)?)
            })?;
        let receipt = if nickname.is_none() && phone.is_keep() && address.is_keep() {
            CommandReceipt { position: self.uow.store().head_position().await?, duplicate: false }
        } else {
            let command = AccountCommand::ChangeProfile { nickname, phone, address };
            let context = CommandContext::new(Actor::Member(account));
            self.uow.execute::<AccountState>(account.as_uuid(), &context, &command).await?.receipt
        };
        Ok((self.accounts.profile(account).await?, receipt))
    }

    /// What anyone may see of the member: nickname, when they joined, whether their phone is
    /// confirmed; of an erased member, that they were one. [`AppError::NotFound`] for an account
    /// that never existed.
    pub async fn public(&self, account: AccountId) -> Result<PublicProfile, AppError> {
        let state = self.uow.current::<AccountState>(account.as_uuid()).await?;
        // When the account's stream began: its registration.
        let first = self.uow.store().read_stream(account.as_uuid(), 0).await?;
        let joined_at = first.first().map(|event| event.recorded_at).ok_or(AppError::NotFound)?;
        match state {
            AccountState::Absent => Err(AppError::NotFound),
            AccountState::Erased { .. } => Ok(PublicProfile {
                account_id: account,
                nickname: None,
                joined_at,
                phone_verified: false,
                neighbourhood: None,
                erased: true,
            }),
            AccountState::Present(state) => {
                let key = self.vault.member_key(account).await?.ok_or(AppError::NotFound)?;
                Ok(PublicProfile {
                    account_id: account,
                    nickname: Some(key.open(PersonalField::Nickname, &state.nickname)?),
                    joined_at,
                    phone_verified: state.phone_verified,
                    neighbourhood: ShownNeighbourhood::of(
                        state.neighbourhood.as_ref(),
                        &key,
                        self.clock.now(),
                    )?,
                    erased: false,
                })
            }
        }
    }
}
