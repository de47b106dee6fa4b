//! The Account aggregate: a member of the marketplace.
//!
//! E-mail uniqueness spans all accounts, so it cannot be decided by one account's stream: the
//! application layer claims the e-mail atomically with the `AccountRegistered` append.
//!
//! Every account is a member; admins grant the dispute-agent and admin roles to staff
//! (`POST /v1/admin/members/{id}/roles`, each grant an event naming the admin), and the first
//! admin is made from the command line (`jangteo grant-role`).
//!
//! The log holds nothing of a member in the clear: the e-mail and the nickname are sealed under
//! the member's data key by the identity layer before they reach a command, and credentials never
//! enter the log at all. `AccountRegistered` v1 carried the e-mail, the nickname and the password
//! hash in the clear; stores written before v2 are rewritten once at start (see
//! `jangteo_app::personal_data_migration`), so no v1 event remains to be read.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{
    AccountId, Aggregate, DomainError, DomainEvent, Edit, EventCodecError, Kind, SealedText, ValidationError,
    consent::{ConsentKind, ConsentRecord, ConsentVersion, SignUpConsents},
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub account_id: AccountId,
    /// Sealed under the member's data key.
    pub email: SealedText,
    /// Sealed under the member's data key.
    pub nickname: SealedText,
    #[serde(default)]
    pub role: AccountRole,
    /// Each consent as it stands now.
    #[serde(default)]
    pub consents: BTreeMap<ConsentKind, ConsentRecord>,
    /// Sealed under the member's data key; `None` until the member gives one.
    #[serde(default)]
    pub phone: Option<SealedText>,
    /// Sealed under the member's data key; the delivery address the member keeps on file.
    #[serde(default)]
    pub address: Option<SealedText>,
    /// Whether the current phone number was confirmed by a code sent to it (a new number is
    /// unconfirmed).
    #[serde(default)]
    pub phone_verified: bool,
    /// The 동네 the member last proved they stand in (동네 인증), and when; it counts for
    /// [`NEIGHBOURHOOD_VALIDITY_DAYS`] from then.
    #[serde(default)]
    pub neighbourhood: Option<VerifiedNeighbourhood>,
}

/// How long a 동네 인증 counts once made: a member who moved away loses it within a month.
pub const NEIGHBOURHOOD_VALIDITY_DAYS: i64 = 30;

/// A 동네 인증: the neighbourhood's name ("강남구 역삼1동"), sealed under the member's data key
/// (where a member lives is theirs to erase), and when it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedNeighbourhood {
    pub name: SealedText,
    pub at: DateTime<Utc>,
}

impl VerifiedNeighbourhood {
    /// When it stops counting.
    pub fn valid_until(&self) -> DateTime<Utc> {
        self.at + chrono::Duration::days(NEIGHBOURHOOD_VALIDITY_DAYS)
    }

    /// Whether it still counts at `now`.
    pub fn is_valid_at(&self, now: DateTime<Utc>) -> bool {
        now < self.valid_until()
    }
}

/// What an account may do beyond trading.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountRole {
    #[default]
    Member,
    /// Staff who decide disputes.
    DisputeAgent,
    /// Operators who give members their roles (`POST /v1/admin/members/{id}/roles`); the first
    /// one is made with `jangteo grant-role`.
    Admin,
}

impl AccountRole {
    /// Its name in the API and the events.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountRole::Member => "member",
            AccountRole::DisputeAgent => "dispute_agent",
            AccountRole::Admin => "admin",
        }
    }

    /// The role of a name, as the API and the command line take it.
    pub fn parse(name: &str) -> Option<Self> {
        [AccountRole::Member, AccountRole::DisputeAgent, AccountRole::Admin]
            .into_iter()
            .find(|role| role.as_str() == name)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "account", rename_all = "snake_case")]
pub enum AccountState {
    #[default]
    Absent,
    Present(Account),
    /// The member closed the account and their data key was destroyed: what the log sealed of
    /// them reads as nothing, and nothing more is decided for the account.
    Erased {
        account_id: AccountId,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountCommand {
    Register {
        account_id: AccountId,
        email: SealedText,
        nickname: SealedText,
        consents: SignUpConsents,
    },
    /// Gives or withdraws consents, all or none: one refused refuses the command. The terms and
    /// the privacy policy are given at a version and cannot be withdrawn (closing the account is
    /// how); giving what is given changes nothing.
    Consent {
        changes: Vec<ConsentChange>,
        at: DateTime<Utc>,
    },
    /// Gives the account `role` (granting the role it has changes nothing).
    GrantRole {
        role: AccountRole,
    },
    /// Changes the member's profile: a `None` nickname stays as it is. The application sends
    /// only what differs from what the member has (sealed values cannot be compared here).
    ChangeProfile {
        nickname: Option<SealedText>,
        phone: Edit<SealedText>,
        address: Edit<SealedText>,
    },
    /// Closes the account for good (the member's right to erasure); erasing it again changes
    /// nothing.
    Erase {
        at: DateTime<Utc>,
    },
    /// The member proved the number is theirs (a code sent to it came back); `phone` is that
    /// number, set in the same append so that no other number is verified in its place.
    VerifyPhone {
        phone: Option<SealedText>,
        at: DateTime<Utc>,
    },
    /// The member stood in the 동네 `neighbourhood` (sealed) at `at`, as their device's position
    /// and the geocoder tell: made again, it renews.
    VerifyNeighbourhood {
        neighbourhood: SealedText,
        at: DateTime<Utc>,
    },
}

/// One consent given (at `version`, for the terms and the privacy policy) or withdrawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentChange {
    pub kind: ConsentKind,
    pub granted: bool,
    pub version: Option<ConsentVersion>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum AccountEvent {
    AccountRegistered {
        account_id: AccountId,
        email: SealedText,
        nickname: SealedText,
    },
    AccountRoleGranted {
        role: AccountRole,
    },
    ConsentGranted {
        consent: ConsentKind,
        version: Option<ConsentVersion>,
        at: DateTime<Utc>,
    },
    ConsentWithdrawn {
        consent: ConsentKind,
        at: DateTime<Utc>,
    },
    NicknameChanged {
        nickname: SealedText,
    },
    /// A new phone number (unconfirmed), or `null`: removed.
    PhoneChanged {
        phone: Option<SealedText>,
    },
    AddressChanged {
        address: Option<SealedText>,
    },
    /// The member closed the account; their data key is destroyed after it.
    AccountErased {
        at: DateTime<Utc>,
    },
    /// The phone number on file is the member's: a code sent to it came back.
    PhoneVerified {
        at: DateTime<Utc>,
    },
    /// 동네 인증: the member stood in this 동네 (sealed: "강남구 역삼1동"); the position itself
    /// is never kept.
    NeighbourhoodVerified {
        neighbourhood: SealedText,
        at: DateTime<Utc>,
    },
}

impl DomainEvent for AccountEvent {
    fn event_type(&self) -> &'static str {
        match self {
            AccountEvent::AccountRegistered { .. } => "AccountRegistered",
            AccountEvent::AccountRoleGranted { .. } => "AccountRoleGranted",
            AccountEvent::ConsentGranted { .. } => "ConsentGranted",
            AccountEvent::ConsentWithdrawn { .. } => "ConsentWithdrawn",
            AccountEvent::NicknameChanged { .. } => "NicknameChanged",
            AccountEvent::PhoneChanged { .. } => "PhoneChanged",
            AccountEvent::AddressChanged { .. } => "AddressChanged",
            AccountEvent::AccountErased { .. } => "AccountErased",
            AccountEvent::PhoneVerified { .. } => "PhoneVerified",
            AccountEvent::NeighbourhoodVerified { .. } => "NeighbourhoodVerified",
        }
    }

    fn schema_version(&self) -> u32 {
        match self {
            AccountEvent::AccountRegistered { .. } => 2,
            AccountEvent::AccountRoleGranted { .. }
            | AccountEvent::ConsentGranted { .. }
            | AccountEvent::ConsentWithdrawn { .. }
            | AccountEvent::NicknameChanged { .. }
            | AccountEvent::PhoneChanged { .. }
            | AccountEvent::AddressChanged { .. }
            | AccountEvent::AccountErased { .. }
            | AccountEvent::PhoneVerified { .. }
            | AccountEvent::NeighbourhoodVerified { .. } => 1,
        }
    }

    /// `AccountRegistered` v1 is never upcast: it held the e-mail and the password hash in the
    /// clear, and the personal-data migration rewrites it as v2 before anything reads the log.
    fn upcast(event_type: &str, schema_version: u32, payload: Value) -> Result<Value, EventCodecError> {
        match (event_type, schema_version) {
            ("AccountRegistered", 2)
            | (
                "AccountRoleGranted"
                | "ConsentGranted"
                | "ConsentWithdrawn"
                | "NicknameChanged"
                | "PhoneChanged"
                | "AddressChanged"
                | "AccountErased"
                | "PhoneVerified"
                | "NeighbourhoodVerified",
                1,
            ) => Ok(payload),
            ("AccountRegistered", 1) => {
                Err(EventCodecError::Rewritten { event_type: event_type.to_owned(), schema_version })
            }
            _ => Err(EventCodecError::UnknownSchemaVersion {
                event_type: event_type.to_owned(),
                schema_version,
            }),
        }
    }
}

impl Aggregate for AccountState {
    type Command = AccountCommand;
    type Event = AccountEvent;

    const STREAM_TYPE: &'static str = "account";

    fn decide(&self, command: AccountCommand) -> Result<Vec<AccountEvent>, DomainError> {
        match (self, command) {
            (AccountState::Absent, AccountCommand::Register { account_id, email, nickname, consents }) => {
                let at = consents.at;
                let mut events = vec![
                    AccountEvent::AccountRegistered { account_id, email, nickname },
                    AccountEvent::ConsentGranted {
                        consent: ConsentKind::Terms,
                        version: Some(consents.terms),
                        at,
                    },
                    AccountEvent::ConsentGranted {
                        consent: ConsentKind::Privacy,
                        version: Some(consents.privacy),
                        at,
                    },
                ];
                if consents.marketing {
                    events.push(AccountEvent::ConsentGranted {
                        consent: ConsentKind::Marketing,
                        version: None,
                        at,
                    });
                }
                Ok(events)
            }
            (AccountState::Present(_) | AccountState::Erased { .. }, AccountCommand::Register { .. }) => {
                Err(DomainError::AlreadyExists(Kind::Account))
            }
            (AccountState::Present(_), AccountCommand::Erase { at }) => {
                Ok(vec![AccountEvent::AccountErased { at }])
            }
            (AccountState::Erased { .. }, AccountCommand::Erase { .. }) => Ok(Vec::new()),
            // An erased account decides nothing more, as if it were not there.
            (
                AccountState::Erased { .. },
                AccountCommand::GrantRole { .. }
                | AccountCommand::Consent { .. }
                | AccountCommand::ChangeProfile { .. }
                | AccountCommand::VerifyPhone { .. }
                | AccountCommand::VerifyNeighbourhood { .. },
            )
            | (
                AccountState::Absent,
                AccountCommand::GrantRole { .. }
                | AccountCommand::Consent { .. }
                | AccountCommand::ChangeProfile { .. }
                | AccountCommand::Erase { .. }
                | AccountCommand::VerifyPhone { .. }
                | AccountCommand::VerifyNeighbourhood { .. },
            ) => Err(DomainError::NotFound(Kind::Account)),
            (AccountState::Present(_), AccountCommand::VerifyNeighbourhood { neighbourhood, at }) => {
                Ok(vec![AccountEvent::NeighbourhoodVerified { neighbourhood, at }])
            }
            (AccountState::Present(_), AccountCommand::VerifyPhone { phone, at }) => {
                let mut events: Vec<AccountEvent> = phone
                    .map(|phone| AccountEvent::PhoneChanged { phone: Some(phone) })
                    .into_iter()
                    .collect();
                events.push(AccountEvent::PhoneVerified { at });
                Ok(events)
            }
            (AccountState::Present(_), AccountCommand::ChangeProfile { nickname, phone, address }) => {
                let mut events = Vec::new();
                events.extend(nickname.map(|nickname| AccountEvent::NicknameChanged { nickname }));
                match phone {
                    Edit::Keep => {}
                    Edit::Set(phone) => events.push(AccountEvent::PhoneChanged { phone: Some(phone) }),
                    Edit::Remove => events.push(AccountEvent::PhoneChanged { phone: None }),
                }
                match address {
                    Edit::Keep => {}
                    Edit::Set(address) => {
                        events.push(AccountEvent::AddressChanged { address: Some(address) });
                    }
                    Edit::Remove => events.push(AccountEvent::AddressChanged { address: None }),
                }
                Ok(events)
            }
            (AccountState::Present(account), AccountCommand::Consent { changes, at }) => {
                let mut events = Vec::new();
                for ConsentChange { kind, granted, version } in changes {
                    events.extend(decide_consent(account, kind, granted, version, at)?);
                }
                Ok(events)
            }
            (AccountState::Present(account), AccountCommand::GrantRole { role }) => {
                if account.role == role {
                    Ok(Vec::new())
                } else {
                    Ok(vec![AccountEvent::AccountRoleGranted { role }])
                }
            }
        }
    }

    fn evolve(self, event: &AccountEvent) -> Self {
        match (self, event) {
            (_, AccountEvent::AccountRegistered { account_id, email, nickname }) => {
                AccountState::Present(Account {
                    account_id: *account_id,
                    email: email.clone(),
                    nickname: nickname.clone(),
                    role: AccountRole::Member,
                    consents: BTreeMap::new(),
                    phone: None,
                    address: None,
                    phone_verified: false,
                    neighbourhood: None,
                })
            }
            (AccountState::Present(mut account), AccountEvent::AccountRoleGranted { role }) => {
                account.role = *role;
                AccountState::Present(account)
            }
            (AccountState::Present(mut account), AccountEvent::ConsentGranted { consent, version, at }) => {
                account
                    .consents
                    .insert(*consent, ConsentRecord { granted: true, version: version.clone(), at: *at });
                AccountState::Present(account)
            }
            (AccountState::Present(mut account), AccountEvent::ConsentWithdrawn { consent, at }) => {
                account.consents.insert(*consent, ConsentRecord { granted: false, version: None, at: *at });
                AccountState::Present(account)
            }
            (AccountState::Present(mut account), AccountEvent::NicknameChanged { nickname }) => {
                account.nickname = nickname.clone();
                AccountState::Present(account)
            }
            (AccountState::Present(mut account), AccountEvent::PhoneChanged { phone }) => {
                account.phone.clone_from(phone);
                account.phone_verified = false;
                AccountState::Present(account)
            }
            (AccountState::Present(mut account), AccountEvent::AddressChanged { address }) => {
                account.address.clone_from(address);
                AccountState::Present(account)
            }
            (AccountState::Present(mut account), AccountEvent::PhoneVerified { .. }) => {
                account.phone_verified = account.phone.is_some();
                AccountState::Present(account)
            }
            (
                AccountState::Present(mut account),
                AccountEvent::NeighbourhoodVerified { neighbourhood, at },
            ) => {
                account.neighbourhood = Some(VerifiedNeighbourhood { name: neighbourhood.clone(), at: *at });
                AccountState::Present(account)
            }
            (AccountState::Present(account), AccountEvent::AccountErased { .. }) => {
                AccountState::Erased { account_id: account.account_id }
            }
            (erased @ AccountState::Erased { .. }, _) => erased,
            (
                AccountState::Absent,
                AccountEvent::AccountRoleGranted { .. }
                | AccountEvent::ConsentGranted { .. }
                | AccountEvent::ConsentWithdrawn { .. }
                | AccountEvent::NicknameChanged { .. }
                | AccountEvent::PhoneChanged { .. }
                | AccountEvent::AddressChanged { .. }
                | AccountEvent::AccountErased { .. }
                | AccountEvent::PhoneVerified { .. }
                | AccountEvent::NeighbourhoodVerified { .. },
            ) => AccountState::Absent,
        }
    }
}

fn decide_consent(
    account: &Account,
    kind: ConsentKind,
    granted: bool,
    version: Option<ConsentVersion>,
    at: DateTime<Utc>,
) -> Result<Vec<AccountEvent>, DomainError> {
    let refuse = |reason| Err(DomainError::Invalid(ValidationError::new(kind.field(), reason)));
    let version = if kind.is_required() { version } else { None };
    if kind.is_required() && !granted {
        return refuse("cannot be withdrawn while the account is open; close the account instead");
    }
    if kind.is_required() && version.is_none() {
        return refuse("must name the version agreed to");
    }
    let current = account.consents.get(&kind);
    let unchanged = current.is_some_and(|record| record.granted == granted && record.version == version)
        || (current.is_none() && !granted);
    if unchanged {
        return Ok(Vec::new());
    }
    Ok(vec![if granted {
        AccountEvent::ConsentGranted { consent: kind, version, at }
    } else {
        AccountEvent::ConsentWithdrawn { consent: kind, at }
    }])
}
