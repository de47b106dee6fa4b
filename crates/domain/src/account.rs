//! The Account aggregate: a member of the marketplace.
//!
//! E-mail uniqueness spans all accounts, so it cannot be decided by one account's stream: the
//! application layer claims the e-mail atomically with the `AccountRegistered` append.
//!
//! Every account is a member; operators grant the dispute-agent role to staff (from the command
//! line, never over the public API).

use serde::{Deserialize, Serialize};

use crate::{AccountId, Aggregate, DomainError, DomainEvent, Email, Kind, Nickname, PasswordHash};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub account_id: AccountId,
    pub email: Email,
    pub nickname: Nickname,
    /// Kept out of serialized state snapshots (timelines), though it is part of the event.
    #[serde(skip_serializing)]
    pub password_hash: Option<PasswordHash>,
    #[serde(default)]
    pub role: AccountRole,
}

/// What an account may do beyond trading.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountRole {
    #[default]
    Member,
    /// Staff who decide disputes.
    DisputeAgent,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "account", rename_all = "snake_case")]
pub enum AccountState {
    #[default]
    Absent,
    Present(Account),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountCommand {
    Register {
        account_id: AccountId,
        email: Email,
        nickname: Nickname,
        password_hash: PasswordHash,
    },
    /// Gives the account `role` (granting the role it has changes nothing).
    GrantRole {
        role: AccountRole,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum AccountEvent {
    AccountRegistered { account_id: AccountId, email: Email, nickname: Nickname, password_hash: PasswordHash },
    AccountRoleGranted { role: AccountRole },
}

impl DomainEvent for AccountEvent {
    fn event_type(&self) -> &'static str {
        match self {
            AccountEvent::AccountRegistered { .. } => "AccountRegistered",
            AccountEvent::AccountRoleGranted { .. } => "AccountRoleGranted",
        }
    }
}

impl Aggregate for AccountState {
    type Command = AccountCommand;
    type Event = AccountEvent;

    const STREAM_TYPE: &'static str = "account";

    fn decide(&self, command: AccountCommand) -> Result<Vec<AccountEvent>, DomainError> {
        match (self, command) {
            (
                AccountState::Absent,
                AccountCommand::Register { account_id, email, nickname, password_hash },
            ) => Ok(vec![AccountEvent::AccountRegistered { account_id, email, nickname, password_hash }]),
            (AccountState::Present(_), AccountCommand::Register { .. }) => {
                Err(DomainError::AlreadyExists(Kind::Account))
            }
            (AccountState::Absent, AccountCommand::GrantRole { .. }) => {
                Err(DomainError::NotFound(Kind::Account))
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
            (_, AccountEvent::AccountRegistered { account_id, email, nickname, password_hash }) => {
                AccountState::Present(Account {
                    account_id: *account_id,
                    email: email.clone(),
                    nickname: nickname.clone(),
                    password_hash: Some(password_hash.clone()),
                    role: AccountRole::Member,
                })
            }
            (AccountState::Present(mut account), AccountEvent::AccountRoleGranted { role }) => {
                account.role = *role;
                AccountState::Present(account)
            }
            (AccountState::Absent, AccountEvent::AccountRoleGranted { .. }) => AccountState::Absent,
        }
    }
}
