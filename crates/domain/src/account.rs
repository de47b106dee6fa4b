//! The Account aggregate: a member of the marketplace.
//!
//! E-mail uniqueness spans all accounts, so it cannot be decided by one account's stream: the
//! application layer claims the e-mail atomically with the `AccountRegistered` append.

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
    Register { account_id: AccountId, email: Email, nickname: Nickname, password_hash: PasswordHash },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum AccountEvent {
    AccountRegistered { account_id: AccountId, email: Email, nickname: Nickname, password_hash: PasswordHash },
}

impl DomainEvent for AccountEvent {
    fn event_type(&self) -> &'static str {
        match self {
            AccountEvent::AccountRegistered { .. } => "AccountRegistered",
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
        }
    }

    fn evolve(self, event: &AccountEvent) -> Self {
        match event {
            AccountEvent::AccountRegistered { account_id, email, nickname, password_hash } => {
                AccountState::Present(Account {
                    account_id: *account_id,
                    email: email.clone(),
                    nickname: nickname.clone(),
                    password_hash: Some(password_hash.clone()),
                })
            }
        }
    }
}
