//! The one-off rewrite of `AccountRegistered` v1 (e-mail, nickname and password hash in the
//! clear, the e-mail claimed by its plain SHA-256 digest), on SQLite and on PostgreSQL: a log
//! written before sealing signs its members in afterwards, holds nothing in the clear, and the
//! step runs once.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with expect/unwrap")]

use std::{fmt::Write as _, sync::Arc};

use argon2::{
    Argon2, PasswordHasher,
    password_hash::{SaltString, rand_core::OsRng},
};
use jangteo_app::{Accounts, PersonalDataMigration, PlainPassword, UnitOfWork};
use jangteo_domain::{
    AccountId, Aggregate, DomainEvent, Email,
    account::{AccountEvent, AccountState},
};
use jangteo_event_store::{
    ActorRole, AppendRequest, EventMetadata, EventStore, ExpectedVersion, LogMaintenance, NewEvent,
    StreamAppend, UniqueClaim, postgres::PostgresEventStore, sqlite::SqliteEventStore,
};
use jangteo_identity::{
    CredentialStore, KeyStore, MaintenanceSteps, MasterKey, PersonalDataVault, PersonalField,
    postgres::PostgresIdentityStore, sqlite::SqliteIdentityStore,
};
use serde_json::json;
use uuid::Uuid;

const PASSWORD: &str = "correct horse battery staple";

fn sha256_hex(text: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    digest.as_ref().iter().fold(String::new(), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

/// Appends a registration as v1 wrote it.
async fn register_as_v1(store: &dyn EventStore, email: &str, nickname: &str) -> AccountId {
    let account = Uuid::now_v7();
    let salt = SaltString::generate(&mut OsRng);
    let hash = Argon2::default().hash_password(PASSWORD.as_bytes(), &salt).unwrap();
    store
        .append(AppendRequest {
            metadata: EventMetadata {
                actor_id: Some(account),
                actor_role: ActorRole::User,
                command_id: Uuid::now_v7(),
                correlation_id: Uuid::now_v7(),
                causation_id: None,
            },
            streams: vec![StreamAppend {
                stream_id: account,
                stream_type: "account".to_owned(),
                expected_version: ExpectedVersion::NoStream,
                events: vec![NewEvent {
                    event_id: Uuid::now_v7(),
                    event_type: "AccountRegistered".to_owned(),
                    schema_version: 1,
                    payload: json!({
                        "account_id": account,
                        "email": email,
                        "nickname": nickname,
                        "password_hash": hash.to_string(),
                    }),
                }],
            }],
            claims: vec![UniqueClaim {
                scope: "account_email".to_owned(),
                value: sha256_hex(email),
                owner_stream_id: account,
            }],
            repeatable: false,
        })
        .await
        .unwrap();
    AccountId::from_uuid(account)
}

async fn a_v1_log_is_sealed_once_and_still_signs_its_members_in<L, I>(log: Arc<L>, identity: Arc<I>)
where
    L: EventStore + LogMaintenance,
    I: KeyStore + CredentialStore + MaintenanceSteps,
{
    let alice = register_as_v1(log.as_ref(), "alice@example.com", "앨리스").await;
    let bob = register_as_v1(log.as_ref(), "bob@example.com", "밥").await;
    let vault =
        PersonalDataVault::open(identity.clone() as Arc<dyn KeyStore>, MasterKey::generate().unwrap().0)
            .await
            .unwrap();
    let migration = PersonalDataMigration {
        store: log.as_ref(),
        maintenance: log.as_ref(),
        vault: &vault,
        credentials: identity.as_ref(),
        steps: identity.as_ref(),
    };
    assert_eq!(migration.run().await.unwrap(), 2);
    assert_eq!(migration.run().await.unwrap(), 0, "done once, skipped after");

    let events = log.read_all(0, 100).await.unwrap();
    assert_eq!(events.len(), 2, "rewritten in place, nothing appended");
    for event in &events {
        assert_eq!(event.schema_version, 2);
        let text = event.payload.to_string();
        for clear in ["alice@example.com", "bob@example.com", "앨리스", "밥", "argon2"] {
            assert!(!text.contains(clear), "{clear} left in {text}");
        }
    }
    assert!(log.find_claim("account_email", &sha256_hex("alice@example.com")).await.unwrap().is_none());

    // The rewritten account replays, its sealed fields open, and its member signs in.
    let stored = log.read_stream(alice.as_uuid(), 0).await.unwrap();
    let decoded: Vec<AccountEvent> = stored
        .into_iter()
        .map(|event| {
            AccountEvent::from_payload(&event.event_type, event.schema_version, event.payload).unwrap()
        })
        .collect();
    let AccountState::Present(account) = AccountState::replay(&decoded) else {
        panic!("alice's account replays")
    };
    let uow = UnitOfWork::new(log.clone() as Arc<dyn EventStore>, 0);
    let key = vault.member_key(alice).await.unwrap().unwrap();
    assert_eq!(key.open(PersonalField::Email, &account.email).unwrap(), "alice@example.com");
    assert_eq!(key.open(PersonalField::Nickname, &account.nickname).unwrap(), "앨리스");
    let accounts = Accounts::new(&uow, &vault, identity.clone() as Arc<dyn CredentialStore>);
    let signed_in = accounts
        .authenticate(&Email::parse("bob@example.com").unwrap(), PlainPassword::parse(PASSWORD).unwrap())
        .await
        .unwrap();
    assert_eq!(signed_in, bob);
    assert!(
        accounts
            .authenticate(
                &Email::parse("bob@example.com").unwrap(),
                PlainPassword::parse("wrong password").unwrap()
            )
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_v1_log_is_sealed_once_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let log = Arc::new(SqliteEventStore::open(&dir.path().join("events.sqlite")).await.unwrap());
    let identity = Arc::new(SqliteIdentityStore::open(&dir.path().join("identity.sqlite")).await.unwrap());
    a_v1_log_is_sealed_once_and_still_signs_its_members_in(log, identity).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_v1_log_is_sealed_once_on_postgres() {
    let Some(database) = jangteo_test_support::TestDatabase::create().await else { return };
    let log = Arc::new(PostgresEventStore::connect(&database.url, 4).await.unwrap());
    log.migrate().await.unwrap();
    let identity = Arc::new(PostgresIdentityStore::connect(&database.url, 2).await.unwrap());
    a_v1_log_is_sealed_once_and_still_signs_its_members_in(log.clone(), identity.clone()).await;
    log.close().await;
    identity.close().await;
    database.drop_database().await;
}
