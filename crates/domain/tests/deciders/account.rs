//! Account: registered once; roles granted by operators.

use jangteo_domain::{
    AccountId, DomainError, Kind, SealedText,
    account::{AccountCommand as C, AccountEvent as E, AccountRole, AccountState},
};
use uuid::Uuid;

use crate::support::{Case, run};

fn registered() -> E {
    E::AccountRegistered {
        account_id: AccountId::from_uuid(Uuid::from_u128(1)),
        email: SealedText::parse("v1.c2VhbGVkLWVtYWls").unwrap(),
        nickname: SealedText::parse("v1.c2VhbGVkLW5pY2tuYW1l").unwrap(),
    }
}

fn register() -> C {
    let E::AccountRegistered { account_id, email, nickname } = registered() else {
        unreachable!("registered() is a registration")
    };
    C::Register { account_id, email, nickname }
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
        Case {
            name: "grant the dispute-agent role",
            given: vec![registered()],
            when: C::GrantRole { role: AccountRole::DisputeAgent },
            then: Ok(vec![E::AccountRoleGranted { role: AccountRole::DisputeAgent }]),
        },
        Case {
            name: "grant a role the account has: nothing new",
            given: vec![registered(), E::AccountRoleGranted { role: AccountRole::DisputeAgent }],
            when: C::GrantRole { role: AccountRole::DisputeAgent },
            then: Ok(vec![]),
        },
        Case {
            name: "a member by default",
            given: vec![registered()],
            when: C::GrantRole { role: AccountRole::Member },
            then: Ok(vec![]),
        },
        Case {
            name: "take the role back",
            given: vec![registered(), E::AccountRoleGranted { role: AccountRole::DisputeAgent }],
            when: C::GrantRole { role: AccountRole::Member },
            then: Ok(vec![E::AccountRoleGranted { role: AccountRole::Member }]),
        },
        Case {
            name: "grant to an absent account",
            given: vec![],
            when: C::GrantRole { role: AccountRole::DisputeAgent },
            then: Err(DomainError::NotFound(Kind::Account)),
        },
    ]);
}
