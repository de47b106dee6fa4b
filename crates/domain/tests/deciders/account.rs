//! Account: registered once.

use jangteo_domain::{
    AccountId, DomainError, Email, Kind, Nickname, PasswordHash,
    account::{AccountCommand as C, AccountEvent as E, AccountState},
};
use uuid::Uuid;

use crate::support::{Case, run};

fn registered() -> E {
    E::AccountRegistered {
        account_id: AccountId::from_uuid(Uuid::from_u128(1)),
        email: Email::parse("kim@example.com").unwrap(),
        nickname: Nickname::parse("김장터").unwrap(),
        password_hash: PasswordHash::parse("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA").unwrap(),
    }
}

fn register() -> C {
    let E::AccountRegistered { account_id, email, nickname, password_hash } = registered();
    C::Register { account_id, email, nickname, password_hash }
}

#[test]
fn account_decisions() {
    run::<AccountState>(vec![
        Case { name: "register", given: vec![], when: register(), then: Ok(vec![registered()]) },
        Case {
            name: "register twice",
            given: vec![registered()],
            when: register(),
            then: Err(DomainError::AlreadyExists(Kind::Account)),
        },
    ]);
}
