//! Account: registered once; roles granted by operators.

use chrono::{DateTime, Utc};
use jangteo_domain::{
    AccountId, DomainError, Edit, Kind, SealedText,
    account::{AccountCommand as C, AccountEvent as E, AccountRole, AccountState, ConsentChange},
    consent::{ConsentKind, ConsentVersion, SignUpConsents},
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
    C::Register { account_id, email, nickname, consents: consents(false) }
}

fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_764_547_200, 0).unwrap()
}

fn version(text: &str) -> ConsentVersion {
    ConsentVersion::parse(text).unwrap()
}

fn consents(marketing: bool) -> SignUpConsents {
    SignUpConsents { terms: version("2026-12-01"), privacy: version("2026-11-01"), marketing, at: at() }
}

fn granted(consent: ConsentKind, version_text: Option<&str>) -> E {
    E::ConsentGranted { consent, version: version_text.map(version), at: at() }
}

fn signed_up() -> Vec<E> {
    vec![
        registered(),
        granted(ConsentKind::Terms, Some("2026-12-01")),
        granted(ConsentKind::Privacy, Some("2026-11-01")),
    ]
}

fn consent(kind: ConsentKind, given: bool, version_text: Option<&str>) -> C {
    C::Consent {
        changes: vec![ConsentChange { kind, granted: given, version: version_text.map(version) }],
        at: at(),
    }
}

#[test]
fn consent_decisions() {
    let E::AccountRegistered { account_id, email, nickname } = registered() else { unreachable!() };
    let mut with_marketing = signed_up();
    with_marketing.push(granted(ConsentKind::Marketing, None));
    run::<AccountState>(vec![
        Case {
            name: "sign up with marketing",
            given: vec![],
            when: C::Register { account_id, email, nickname, consents: consents(true) },
            then: Ok(with_marketing.clone()),
        },
        Case {
            name: "agree to marketing later",
            given: signed_up(),
            when: consent(ConsentKind::Marketing, true, None),
            then: Ok(vec![granted(ConsentKind::Marketing, None)]),
        },
        Case {
            name: "withdraw marketing",
            given: with_marketing.clone(),
            when: consent(ConsentKind::Marketing, false, None),
            then: Ok(vec![E::ConsentWithdrawn { consent: ConsentKind::Marketing, at: at() }]),
        },
        Case {
            name: "withdraw what was never given: nothing",
            given: signed_up(),
            when: consent(ConsentKind::Marketing, false, None),
            then: Ok(vec![]),
        },
        Case {
            name: "agree to the terms' new version",
            given: signed_up(),
            when: consent(ConsentKind::Terms, true, Some("2027-01-01")),
            then: Ok(vec![granted(ConsentKind::Terms, Some("2027-01-01"))]),
        },
        Case {
            name: "the same version again: nothing",
            given: signed_up(),
            when: consent(ConsentKind::Privacy, true, Some("2026-11-01")),
            then: Ok(vec![]),
        },
        Case {
            name: "the terms cannot be withdrawn",
            given: signed_up(),
            when: consent(ConsentKind::Terms, false, None),
            then: Err(DomainError::Invalid(jangteo_domain::ValidationError::new(
                "consents.terms",
                "cannot be withdrawn while the account is open; close the account instead",
            ))),
        },
        Case {
            name: "several at once: all, in one decision",
            given: signed_up(),
            when: C::Consent {
                changes: vec![
                    ConsentChange {
                        kind: ConsentKind::Terms,
                        granted: true,
                        version: Some(version("2027-01-01")),
                    },
                    ConsentChange { kind: ConsentKind::Marketing, granted: true, version: None },
                ],
                at: at(),
            },
            then: Ok(vec![
                granted(ConsentKind::Terms, Some("2027-01-01")),
                granted(ConsentKind::Marketing, None),
            ]),
        },
        Case {
            name: "one refused refuses them all",
            given: signed_up(),
            when: C::Consent {
                changes: vec![
                    ConsentChange { kind: ConsentKind::Marketing, granted: true, version: None },
                    ConsentChange { kind: ConsentKind::Privacy, granted: false, version: None },
                ],
                at: at(),
            },
            then: Err(DomainError::Invalid(jangteo_domain::ValidationError::new(
                "consents.privacy",
                "cannot be withdrawn while the account is open; close the account instead",
            ))),
        },
        Case {
            name: "consent for an absent account",
            given: vec![],
            when: consent(ConsentKind::Marketing, true, None),
            then: Err(DomainError::NotFound(Kind::Account)),
        },
    ]);
}

#[test]
fn account_decisions() {
    run::<AccountState>(vec![
        Case { name: "register", given: vec![], when: register(), then: Ok(signed_up()) },
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

fn sealed(text: &str) -> SealedText {
    SealedText::parse(&format!("v1.{text}")).unwrap()
}

#[test]
fn profile_decisions() {
    run::<AccountState>(vec![
        Case {
            name: "change the nickname alone",
            given: signed_up(),
            when: C::ChangeProfile { nickname: Some(sealed("bmV3")), phone: Edit::Keep, address: Edit::Keep },
            then: Ok(vec![E::NicknameChanged { nickname: sealed("bmV3") }]),
        },
        Case {
            name: "give a phone and an address",
            given: signed_up(),
            when: C::ChangeProfile {
                nickname: None,
                phone: Edit::Set(sealed("cGhvbmU")),
                address: Edit::Set(sealed("YWRkcmVzcw")),
            },
            then: Ok(vec![
                E::PhoneChanged { phone: Some(sealed("cGhvbmU")) },
                E::AddressChanged { address: Some(sealed("YWRkcmVzcw")) },
            ]),
        },
        Case {
            name: "remove the address",
            given: signed_up(),
            when: C::ChangeProfile { nickname: None, phone: Edit::Keep, address: Edit::Remove },
            then: Ok(vec![E::AddressChanged { address: None }]),
        },
        Case {
            name: "nothing to change: nothing",
            given: signed_up(),
            when: C::ChangeProfile { nickname: None, phone: Edit::Keep, address: Edit::Keep },
            then: Ok(vec![]),
        },
        Case {
            name: "the profile of an absent account",
            given: vec![],
            when: C::ChangeProfile { nickname: Some(sealed("bmV3")), phone: Edit::Keep, address: Edit::Keep },
            then: Err(DomainError::NotFound(Kind::Account)),
        },
    ]);
}

#[test]
fn a_new_phone_number_is_unconfirmed() {
    let mut state = AccountState::default();
    for event in signed_up() {
        state = jangteo_domain::Aggregate::evolve(state, &event);
    }
    let AccountState::Present(mut account) = state else { panic!("registered") };
    account.phone_verified = true;
    let state = jangteo_domain::Aggregate::evolve(
        AccountState::Present(account),
        &E::PhoneChanged { phone: Some(sealed("bmV3LXBob25l")) },
    );
    let AccountState::Present(account) = state else { panic!("still registered") };
    assert_eq!(account.phone, Some(sealed("bmV3LXBob25l")));
    assert!(!account.phone_verified);
}

#[test]
fn erasure_decisions() {
    let erased = E::AccountErased { at: at() };
    let mut closed = signed_up();
    closed.push(erased.clone());
    run::<AccountState>(vec![
        Case {
            name: "erase",
            given: signed_up(),
            when: C::Erase { at: at() },
            then: Ok(vec![erased.clone()]),
        },
        Case {
            name: "erase again: nothing",
            given: closed.clone(),
            when: C::Erase { at: at() },
            then: Ok(vec![]),
        },
        Case {
            name: "an erased account changes no more",
            given: closed.clone(),
            when: C::ChangeProfile { nickname: Some(sealed("bmV3")), phone: Edit::Keep, address: Edit::Keep },
            then: Err(DomainError::NotFound(Kind::Account)),
        },
        Case {
            name: "nor registers again (a new sign-up is a new account)",
            given: closed,
            when: register(),
            then: Err(DomainError::AlreadyExists(Kind::Account)),
        },
        Case {
            name: "erase an absent account",
            given: vec![],
            when: C::Erase { at: at() },
            then: Err(DomainError::NotFound(Kind::Account)),
        },
    ]);
}

#[test]
fn phone_verification_decisions() {
    run::<AccountState>(vec![
        Case {
            name: "verify a new number: set, then verified",
            given: signed_up(),
            when: C::VerifyPhone { phone: Some(sealed("cGhvbmU")), at: at() },
            then: Ok(vec![E::PhoneChanged { phone: Some(sealed("cGhvbmU")) }, E::PhoneVerified { at: at() }]),
        },
        Case {
            name: "verify the number on file",
            given: [signed_up(), vec![E::PhoneChanged { phone: Some(sealed("cGhvbmU")) }]].concat(),
            when: C::VerifyPhone { phone: None, at: at() },
            then: Ok(vec![E::PhoneVerified { at: at() }]),
        },
        Case {
            name: "not for an erased account",
            given: [signed_up(), vec![E::AccountErased { at: at() }]].concat(),
            when: C::VerifyPhone { phone: None, at: at() },
            then: Err(DomainError::NotFound(Kind::Account)),
        },
    ]);
}

#[test]
fn neighbourhood_verification_decisions() {
    let verified = |at| E::NeighbourhoodVerified { neighbourhood: sealed("7Jet7IK8"), at };
    run::<AccountState>(vec![
        Case {
            name: "verify a 동네",
            given: signed_up(),
            when: C::VerifyNeighbourhood { neighbourhood: sealed("7Jet7IK8"), at: at() },
            then: Ok(vec![verified(at())]),
        },
        Case {
            name: "verifying again renews it",
            given: [signed_up(), vec![verified(at())]].concat(),
            when: C::VerifyNeighbourhood { neighbourhood: sealed("7Jet7IK8"), at: at() },
            then: Ok(vec![verified(at())]),
        },
        Case {
            name: "not for an erased account",
            given: [signed_up(), vec![E::AccountErased { at: at() }]].concat(),
            when: C::VerifyNeighbourhood { neighbourhood: sealed("7Jet7IK8"), at: at() },
            then: Err(DomainError::NotFound(Kind::Account)),
        },
        Case {
            name: "nor for an absent one",
            given: vec![],
            when: C::VerifyNeighbourhood { neighbourhood: sealed("7Jet7IK8"), at: at() },
            then: Err(DomainError::NotFound(Kind::Account)),
        },
    ]);
}

#[test]
fn a_verified_neighbourhood_counts_for_thirty_days() {
    let state = [signed_up(), vec![E::NeighbourhoodVerified { neighbourhood: sealed("7Jet7IK8"), at: at() }]]
        .concat()
        .iter()
        .fold(AccountState::default(), jangteo_domain::Aggregate::evolve);
    let AccountState::Present(account) = state else { panic!("an account") };
    let verified = account.neighbourhood.expect("verified");
    assert!(verified.is_valid_at(at() + chrono::Duration::days(29)));
    assert!(!verified.is_valid_at(at() + chrono::Duration::days(30)));
}
