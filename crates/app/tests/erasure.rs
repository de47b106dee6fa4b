//! An erasure that a crash cut short after `AccountErased` is finished by whoever meets the
//! account next: the member's sign-in (refused) or a new sign-up with the address.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with unwrap")]

use std::sync::Arc;

use jangteo_app::{
    Accounts, AppError, ConsentAnswers, FIRST_POLICY_VERSION, PlainPassword, Registration, UnitOfWork,
};
use jangteo_domain::{AccountId, Email, Nickname, consent::ConsentVersion};
use jangteo_event_store::{
    ActorRole, AppendRequest, EventMetadata, EventStore, ExpectedVersion, NewEvent, StreamAppend,
    sqlite::SqliteEventStore,
};
use jangteo_identity::{
    CredentialStore, KeyStore, MasterKey, MemberErasure, PersonalDataVault, sqlite::SqliteIdentityStore,
};

use serde_json::json;
use uuid::Uuid;

const PASSWORD: &str = "a long enough password";

fn registration(email: &str) -> Registration {
    let version = ConsentVersion::parse(FIRST_POLICY_VERSION).unwrap();
    Registration {
        email: Email::parse(email).unwrap(),
        nickname: Nickname::parse("지운회원").unwrap(),
        password: PlainPassword::parse(PASSWORD).unwrap(),
        consents: ConsentAnswers { terms: version.clone(), privacy: version, marketing: false },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erasure_cut_short_is_finished_by_the_next_sign_in_or_sign_up() {
    let dir = tempfile::tempdir().unwrap();
    let log: Arc<dyn EventStore> =
        Arc::new(SqliteEventStore::open(&dir.path().join("events.sqlite")).await.unwrap());
    let identity = Arc::new(SqliteIdentityStore::open(&dir.path().join("identity.sqlite")).await.unwrap());
    let vault =
        PersonalDataVault::open(identity.clone() as Arc<dyn KeyStore>, MasterKey::generate().unwrap().0)
            .await
            .unwrap();
    let uow = UnitOfWork::new(Arc::clone(&log), 0);
    let accounts = Accounts::new(&uow, &vault, identity.clone() as Arc<dyn CredentialStore>)
        .with_member_erasure(identity.clone() as Arc<dyn MemberErasure>);
    let email = Email::parse("erased@example.com").unwrap();

    // Two accounts whose erasures stopped right after `AccountErased`: keys, credentials and
    // claims all left behind.
    let mut erased = Vec::new();
    for address in ["erased@example.com", "second@example.com"] {
        let (account, _) = accounts.register(registration(address)).await.unwrap();
        append_erased(log.as_ref(), account).await;
        assert!(vault.member_key(account).await.unwrap().is_some());
        erased.push(account);
    }

    // The member's sign-in is refused, and finishes their erasure.
    let signed_in = accounts.authenticate(&email, PlainPassword::parse(PASSWORD).unwrap()).await;
    assert!(matches!(signed_in, Err(AppError::InvalidCredentials)), "{signed_in:?}");
    assert!(vault.member_key(erased[0]).await.unwrap().is_none(), "the data key went");
    assert_eq!(identity.password_hash(erased[0]).await.unwrap(), None);
    assert_eq!(
        log.find_claim("account_email", &accounts_email_index(&vault, "erased@example.com")).await.unwrap(),
        None
    );

    // A sign-up with the other address finds its claim held by an erased account, finishes that
    // erasure, and gets the address.
    let (again, _) = accounts.register(registration("second@example.com")).await.unwrap();
    assert_ne!(again, erased[1]);
    assert!(vault.member_key(erased[1]).await.unwrap().is_none());
    let signed_in = accounts
        .authenticate(&Email::parse("second@example.com").unwrap(), PlainPassword::parse(PASSWORD).unwrap())
        .await
        .unwrap();
    assert_eq!(signed_in, again);

    // A live member's address stays taken.
    let taken = accounts.register(registration("second@example.com")).await;
    assert!(matches!(taken, Err(AppError::EmailTaken)), "{taken:?}");
}

/// `AccountErased` appended as `DELETE /v1/me` appends it, and nothing after it: a crash.
async fn append_erased(log: &dyn EventStore, account: AccountId) {
    let version = u64::try_from(log.read_stream(account.as_uuid(), 0).await.unwrap().len()).unwrap();
    log.append(AppendRequest {
        metadata: EventMetadata {
            actor_id: Some(account.as_uuid()),
            actor_role: ActorRole::User,
            command_id: Uuid::now_v7(),
            correlation_id: Uuid::now_v7(),
            causation_id: None,
        },
        streams: vec![StreamAppend {
            stream_id: account.as_uuid(),
            stream_type: "account".to_owned(),
            expected_version: ExpectedVersion::Exact(version),
            events: vec![NewEvent {
                event_id: Uuid::now_v7(),
                event_type: "AccountErased".to_owned(),
                schema_version: 1,
                payload: json!({"at": chrono::Utc::now()}),
            }],
        }],
        claims: Vec::new(),
        repeatable: false,
    })
    .await
    .unwrap();
}

/// The claim value of an address: its blind index, as the accounts service claims it.
fn accounts_email_index(vault: &PersonalDataVault, email: &str) -> String {
    vault.blind_index("account_email", email)
}
