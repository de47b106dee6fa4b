//! The vault of personal data: members' data keys under the master key, the sealing of personal
//! values into events, and the blind index that finds a member by e-mail without storing it.
//!
//! Unwrapped keys are not cached: a member's key is read and unwrapped for each use, so that once
//! [`PersonalDataVault::shred`] returns, no process of the deployment opens that member's data any
//! more. Sealing and opening happen at sign-up, on profile reads and in projections of members,
//! never on the trading path.

use std::sync::Arc;

use jangteo_domain::{AccountId, SealedText};

use crate::{
    IdentityError, KeyOwner, KeyStore, MasterKey,
    crypto::{PlainKey, WrappedKey},
};

/// The system key of the blind index. It is random and wrapped like the data keys, not derived
/// from the master key, so rotating the master key leaves every index value as it is.
const BLIND_INDEX_KEY: &str = "blind_index";

/// What a sealed value is, bound into its ciphertext: a sealed e-mail does not open as a phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalField {
    Email,
    Nickname,
    Phone,
    Address,
    /// The 동네 a member verified (동네 인증).
    Neighbourhood,
    /// A TOTP secret: kept in the identity store, not the log, but sealed all the same so that
    /// erasing the member erases it.
    TotpSecret,
}

impl PersonalField {
    pub fn as_str(self) -> &'static str {
        match self {
            PersonalField::Email => "email",
            PersonalField::Nickname => "nickname",
            PersonalField::Phone => "phone",
            PersonalField::Address => "address",
            PersonalField::Neighbourhood => "neighbourhood",
            PersonalField::TotpSecret => "totp_secret",
        }
    }
}

/// Data keys and the blind index over a [`KeyStore`].
#[derive(Clone)]
pub struct PersonalDataVault {
    keys: Arc<dyn KeyStore>,
    master: Arc<MasterKey>,
    index: Arc<PlainKey>,
}

impl std::fmt::Debug for PersonalDataVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersonalDataVault").finish_non_exhaustive()
    }
}

impl PersonalDataVault {
    /// Opens the vault, creating the blind-index key on first use. Fails with
    /// [`IdentityError::WrongMasterKey`] when the store was written under another master key.
    pub async fn open(keys: Arc<dyn KeyStore>, master: MasterKey) -> Result<Self, IdentityError> {
        let owner = KeyOwner::System(BLIND_INDEX_KEY).bytes();
        let index = if let Some(wrapped) = keys.system_key(BLIND_INDEX_KEY).await? {
            PlainKey::unwrap(&master, &owner, &wrapped)?
        } else {
            let fresh = PlainKey::generate()?;
            if keys.insert_system_key(BLIND_INDEX_KEY, &fresh.wrap(&master, &owner)?).await? {
                fresh
            } else {
                // Another process created it first: use theirs.
                let stored = keys.system_key(BLIND_INDEX_KEY).await?.ok_or_else(|| {
                    IdentityError::Corrupt("the blind-index key vanished while it was created".to_owned())
                })?;
                PlainKey::unwrap(&master, &owner, &stored)?
            }
        };
        Ok(Self { keys, master: Arc::new(master), index: Arc::new(index) })
    }

    /// Creates the member's data key (or returns the one they have) for sealing their values.
    pub async fn create_member_key(&self, account: AccountId) -> Result<MemberKey, IdentityError> {
        let owner = KeyOwner::Member(account).bytes();
        let fresh = PlainKey::generate()?;
        if self.keys.insert_data_key(account, &fresh.wrap(&self.master, &owner)?).await? {
            return Ok(MemberKey { account, key: fresh });
        }
        self.member_key(account).await?.ok_or(IdentityError::NoDataKey)
    }

    /// The member's data key; `None` once they are erased (or if they never had one).
    pub async fn member_key(&self, account: AccountId) -> Result<Option<MemberKey>, IdentityError> {
        let Some(wrapped) = self.keys.data_key(account).await? else { return Ok(None) };
        let key = PlainKey::unwrap(&self.master, &KeyOwner::Member(account).bytes(), &wrapped)?;
        Ok(Some(MemberKey { account, key }))
    }

    /// Destroys the member's data key: everything sealed under it is unreadable from now on, in
    /// the log, on Kafka and in any copy of either. Returns whether there was a key.
    pub async fn shred(&self, account: AccountId) -> Result<bool, IdentityError> {
        self.keys.destroy_data_key(account).await
    }

    /// The blind index of `value` within `scope`: the same value always gives the same index,
    /// and nobody without the vault's key can tell which value an index stands for.
    pub fn blind_index(&self, scope: &str, value: &str) -> String {
        let mut input = Vec::with_capacity(scope.len() + 1 + value.len());
        input.extend_from_slice(scope.as_bytes());
        input.push(0);
        input.extend_from_slice(value.as_bytes());
        self.index.mac_hex(&input)
    }

    /// Wraps every key again under `next`, in one transaction; the vault itself keeps working
    /// with the old master key until the process restarts with the new one. Returns how many keys
    /// were rewrapped.
    pub async fn rotate_master_key(&self, next: &MasterKey) -> Result<u64, IdentityError> {
        let master = Arc::clone(&self.master);
        let rewrap =
            move |owner: KeyOwner<'_>, wrapped: &WrappedKey| master.rewrap(next, &owner.bytes(), wrapped);
        self.keys.rewrap_all(&rewrap).await
    }
}

/// One member's data key, unwrapped for the moment it is used.
pub struct MemberKey {
    account: AccountId,
    key: PlainKey,
}

impl std::fmt::Debug for MemberKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemberKey").field("account", &self.account).finish_non_exhaustive()
    }
}

impl MemberKey {
    fn aad(&self, field: PersonalField) -> Vec<u8> {
        [self.account.as_uuid().as_bytes().as_slice(), b"/", field.as_str().as_bytes()].concat()
    }

    /// `text` sealed as the member's `field`.
    pub fn seal(&self, field: PersonalField, text: &str) -> Result<SealedText, IdentityError> {
        let sealed = self.key.seal(&self.aad(field), text)?;
        SealedText::parse(&sealed).map_err(|error| IdentityError::Corrupt(error.to_string()))
    }

    /// The text of the member's sealed `field`.
    pub fn open(&self, field: PersonalField, sealed: &SealedText) -> Result<String, IdentityError> {
        self.key
            .open(&self.aad(field), sealed.as_str())
            .ok_or(IdentityError::Tampered { field: field.as_str() })
    }
}
