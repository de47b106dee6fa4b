//! The identity store's contract, written once and run on SQLite and on PostgreSQL: keys and the
//! vault over them, credentials, sessions with refresh-token rotation and reuse detection, the
//! sign-in record, single-use tokens and second factors.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with expect/unwrap")]

use std::sync::Arc;

use chrono::{Duration, Utc};
use jangteo_domain::{AccountId, PasswordHash};
use jangteo_identity::{
    AttemptKey, CredentialStore, IdentityError, IssuedToken, KeyStore, MasterKey, MemberErasure, MfaStore,
    NewSession, OneTimeTokenStore, PendingPhone, PendingPurpose, PersonalDataVault, PersonalField,
    PhoneVerificationStore, Rotation, SessionId, SessionStore, SignInAttempt, SignInLog, SignInOutcome,
    SocialLoginStore, TokenDigest, TokenPurpose, postgres::PostgresIdentityStore,
    sqlite::SqliteIdentityStore,
};
use uuid::Uuid;

/// One store under test, behind all its ports.
trait Store:
    KeyStore
    + CredentialStore
    + SessionStore
    + SignInLog
    + OneTimeTokenStore
    + MfaStore
    + MemberErasure
    + PhoneVerificationStore
    + SocialLoginStore
{
}
impl<T> Store for T where
    T: KeyStore
        + CredentialStore
        + SessionStore
        + SignInLog
        + OneTimeTokenStore
        + MfaStore
        + MemberErasure
        + PhoneVerificationStore
        + SocialLoginStore
{
}

macro_rules! contract {
    ($($check:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    let dir = tempfile::tempdir().unwrap();
                    let store = super::SqliteIdentityStore::open(&dir.path().join("identity.sqlite")).await.unwrap();
                    super::$check(std::sync::Arc::new(store.clone())).await;
                    store.close().await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    let Some(database) = jangteo_test_support::TestDatabase::create().await else { return };
                    let store = super::PostgresIdentityStore::connect(&database.url, 4).await.unwrap();
                    super::$check(std::sync::Arc::new(store.clone())).await;
                    store.close().await;
                    database.drop_database().await;
                }
            )+
        }
    };
}

contract!(
    sealed_values_open_for_their_member_and_field_until_the_key_is_shredded,
    the_blind_index_key_survives_a_restart_and_refuses_another_master_key,
    rotating_the_master_key_rewraps_every_key,
    password_hashes_are_set_replaced_and_deleted,
    a_refresh_token_rotates_once_and_its_reuse_ends_the_session,
    concurrent_presentations_of_one_refresh_token_rotate_it_once,
    expired_and_ended_sessions_refuse_their_tokens,
    ending_all_sessions_ends_only_the_members_own,
    sign_in_attempts_are_counted_by_address_and_ip_and_listed_for_their_member,
    a_single_use_token_is_taken_once_for_its_purpose_until_it_expires,
    concurrent_uses_of_one_token_take_it_once,
    voided_tokens_are_used_up_and_issued_ones_are_counted,
    a_totp_factor_is_staged_confirmed_once_and_its_steps_only_advance,
    recovery_codes_are_each_used_once_and_go_with_the_factor,
    erasing_a_member_deletes_all_the_store_keeps_of_them_and_nothing_else,
    a_phone_verification_is_replaced_spent_try_by_try_and_ended,
    a_pending_social_step_is_taken_once_for_its_purpose_until_it_expires,
    concurrent_takes_of_one_pending_step_take_it_once,
    a_provider_identity_links_to_one_member_once,
);

fn member() -> AccountId {
    AccountId::from_uuid(Uuid::now_v7())
}

async fn sealed_values_open_for_their_member_and_field_until_the_key_is_shredded<S: Store>(store: Arc<S>) {
    let (master, _) = MasterKey::generate().unwrap();
    let vault = PersonalDataVault::open(store.clone() as Arc<dyn KeyStore>, master).await.unwrap();
    let (alice, bob) = (member(), member());
    let key = vault.create_member_key(alice).await.unwrap();
    let sealed = key.seal(PersonalField::Email, "alice@example.com").unwrap();
    assert!(!sealed.as_str().contains("alice"));

    // Created again (a retried sign-up): the same key, not a new one.
    let again = vault.create_member_key(alice).await.unwrap();
    assert_eq!(again.open(PersonalField::Email, &sealed).unwrap(), "alice@example.com");
    let loaded = vault.member_key(alice).await.unwrap().expect("alice has a key");
    assert_eq!(loaded.open(PersonalField::Email, &sealed).unwrap(), "alice@example.com");
    assert!(matches!(
        loaded.open(PersonalField::Phone, &sealed),
        Err(IdentityError::Tampered { field: "phone" })
    ));
    let bobs = vault.create_member_key(bob).await.unwrap();
    assert!(bobs.open(PersonalField::Email, &sealed).is_err(), "sealed for alice only");

    assert!(vault.shred(alice).await.unwrap());
    assert!(vault.member_key(alice).await.unwrap().is_none());
    assert!(!vault.shred(alice).await.unwrap(), "nothing left to shred");
    assert!(vault.member_key(bob).await.unwrap().is_some(), "bob keeps his key");
}

async fn the_blind_index_key_survives_a_restart_and_refuses_another_master_key<S: Store>(store: Arc<S>) {
    let (master, text) = MasterKey::generate().unwrap();
    let first = PersonalDataVault::open(store.clone() as Arc<dyn KeyStore>, master).await.unwrap();
    let index = first.blind_index("account_email", "alice@example.com");
    assert_ne!(index, first.blind_index("account_email", "bob@example.com"));
    assert_ne!(index, first.blind_index("other_scope", "alice@example.com"));
    let reopened =
        PersonalDataVault::open(store.clone() as Arc<dyn KeyStore>, MasterKey::parse(&text).unwrap())
            .await
            .unwrap();
    assert_eq!(reopened.blind_index("account_email", "alice@example.com"), index);

    let (stranger, _) = MasterKey::generate().unwrap();
    assert!(matches!(
        PersonalDataVault::open(store as Arc<dyn KeyStore>, stranger).await,
        Err(IdentityError::WrongMasterKey)
    ));
}

async fn rotating_the_master_key_rewraps_every_key<S: Store>(store: Arc<S>) {
    let (old, _) = MasterKey::generate().unwrap();
    let (new, new_text) = MasterKey::generate().unwrap();
    let vault = PersonalDataVault::open(store.clone() as Arc<dyn KeyStore>, old).await.unwrap();
    let index = vault.blind_index("account_email", "alice@example.com");
    let alice = member();
    let sealed =
        vault.create_member_key(alice).await.unwrap().seal(PersonalField::Nickname, "앨리스").unwrap();

    assert_eq!(vault.rotate_master_key(&new).await.unwrap(), 2, "alice's key and the blind-index key");

    let rotated =
        PersonalDataVault::open(store.clone() as Arc<dyn KeyStore>, MasterKey::parse(&new_text).unwrap())
            .await
            .unwrap();
    assert_eq!(rotated.blind_index("account_email", "alice@example.com"), index, "indexes stay as they are");
    let key = rotated.member_key(alice).await.unwrap().unwrap();
    assert_eq!(key.open(PersonalField::Nickname, &sealed).unwrap(), "앨리스");
    assert!(
        matches!(vault.member_key(alice).await, Err(IdentityError::WrongMasterKey)),
        "the old key opens nothing"
    );
}

async fn password_hashes_are_set_replaced_and_deleted<S: Store>(store: Arc<S>) {
    let alice = member();
    assert!(store.password_hash(alice).await.unwrap().is_none());
    let first = PasswordHash::parse("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$Zmlyc3Q").unwrap();
    let second = PasswordHash::parse("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$c2Vjb25k").unwrap();
    store.set_password_hash(alice, &first, Utc::now()).await.unwrap();
    assert_eq!(store.password_hash(alice).await.unwrap(), Some(first));
    store.set_password_hash(alice, &second, Utc::now()).await.unwrap();
    assert_eq!(store.password_hash(alice).await.unwrap(), Some(second));
    store.delete_credentials(alice).await.unwrap();
    assert!(store.password_hash(alice).await.unwrap().is_none());
}

fn session(account: AccountId, token: &str) -> NewSession {
    let now = Utc::now();
    NewSession {
        session_id: SessionId::new(),
        account,
        refresh_token: TokenDigest::of(token),
        started_at: now,
        refresh_expires_at: now + Duration::days(30),
        expires_at: now + Duration::days(90),
    }
}

async fn a_refresh_token_rotates_once_and_its_reuse_ends_the_session<S: Store>(store: Arc<S>) {
    let alice = member();
    let started = session(alice, "first");
    store.start_session(&started).await.unwrap();
    let now = Utc::now();
    assert_eq!(store.active_session(started.session_id, now).await.unwrap(), Some(alice));

    let later = now + Duration::days(30);
    let rotated = store
        .rotate_refresh_token(&TokenDigest::of("first"), &TokenDigest::of("second"), now, later)
        .await
        .unwrap();
    assert_eq!(rotated, Rotation::Rotated { session_id: started.session_id, account: alice });
    let rotated = store
        .rotate_refresh_token(&TokenDigest::of("second"), &TokenDigest::of("third"), now, later)
        .await
        .unwrap();
    assert_eq!(rotated, Rotation::Rotated { session_id: started.session_id, account: alice });
    assert_eq!(store.active_session(started.session_id, now).await.unwrap(), Some(alice));

    // "first" again: somebody kept a copy. The session and every token of it end.
    let reused = store
        .rotate_refresh_token(&TokenDigest::of("first"), &TokenDigest::of("x"), now, later)
        .await
        .unwrap();
    assert_eq!(reused, Rotation::Reused { session_id: started.session_id, account: alice });
    assert_eq!(store.active_session(started.session_id, now).await.unwrap(), None);
    let current = store
        .rotate_refresh_token(&TokenDigest::of("third"), &TokenDigest::of("y"), now, later)
        .await
        .unwrap();
    assert_eq!(current, Rotation::Refused, "the newest token of an ended session is refused too");
    let unknown = store
        .rotate_refresh_token(&TokenDigest::of("never"), &TokenDigest::of("z"), now, later)
        .await
        .unwrap();
    assert_eq!(unknown, Rotation::Refused);
}

async fn concurrent_presentations_of_one_refresh_token_rotate_it_once<S: Store>(store: Arc<S>) {
    let alice = member();
    let started = session(alice, "shared");
    store.start_session(&started).await.unwrap();
    let now = Utc::now();
    let presentations = (0..8).map(|copy| {
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            store
                .rotate_refresh_token(
                    &TokenDigest::of("shared"),
                    &TokenDigest::of(&format!("next-{copy}")),
                    now,
                    now + Duration::days(30),
                )
                .await
                .unwrap()
        })
    });
    let outcomes: Vec<Rotation> = futures_join(presentations).await;
    let rotated = outcomes.iter().filter(|outcome| matches!(outcome, Rotation::Rotated { .. })).count();
    let reused = outcomes.iter().filter(|outcome| matches!(outcome, Rotation::Reused { .. })).count();
    assert_eq!((rotated, reused), (1, 7), "{outcomes:?}");
    assert_eq!(
        store.active_session(started.session_id, now).await.unwrap(),
        None,
        "a reuse ends the session"
    );
}

async fn futures_join<T: Send + 'static>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut outcomes = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        outcomes.push(handle.await.unwrap());
    }
    outcomes
}

async fn expired_and_ended_sessions_refuse_their_tokens<S: Store>(store: Arc<S>) {
    let alice = member();
    let started = session(alice, "a");
    store.start_session(&started).await.unwrap();
    let now = Utc::now();
    let after_the_token = now + Duration::days(31);
    assert_eq!(
        store
            .rotate_refresh_token(&TokenDigest::of("a"), &TokenDigest::of("b"), after_the_token, now)
            .await
            .unwrap(),
        Rotation::Refused,
        "the refresh token expired"
    );
    assert_eq!(store.active_session(started.session_id, now + Duration::days(91)).await.unwrap(), None);

    let other = session(alice, "c");
    store.start_session(&other).await.unwrap();
    assert!(store.end_session(other.session_id, now).await.unwrap());
    assert!(!store.end_session(other.session_id, now).await.unwrap(), "ended once");
    assert_eq!(store.active_session(other.session_id, now).await.unwrap(), None);
    assert_eq!(
        store.rotate_refresh_token(&TokenDigest::of("c"), &TokenDigest::of("d"), now, now).await.unwrap(),
        Rotation::Refused
    );
}

async fn ending_all_sessions_ends_only_the_members_own<S: Store>(store: Arc<S>) {
    let (alice, bob) = (member(), member());
    let (one, two, bobs) = (session(alice, "1"), session(alice, "2"), session(bob, "3"));
    for started in [&one, &two, &bobs] {
        store.start_session(started).await.unwrap();
    }
    let now = Utc::now();
    assert_eq!(store.end_all_sessions(alice, now).await.unwrap(), 2);
    assert_eq!(store.active_session(one.session_id, now).await.unwrap(), None);
    assert_eq!(store.active_session(two.session_id, now).await.unwrap(), None);
    assert_eq!(store.active_session(bobs.session_id, now).await.unwrap(), Some(bob));
    assert_eq!(store.active_session(SessionId::new(), now).await.unwrap(), None, "an unknown session");
}

async fn sign_in_attempts_are_counted_by_address_and_ip_and_listed_for_their_member<S: Store>(store: Arc<S>) {
    let alice = member();
    let now = Utc::now();
    let attempt = |outcome, minutes_ago: i64, ip: &str, account: Option<AccountId>| SignInAttempt {
        email_index: "alice-index".to_owned(),
        account,
        ip: Some(ip.to_owned()),
        user_agent: Some("curl/8".to_owned()),
        outcome,
        at: now - Duration::minutes(minutes_ago),
    };
    for (minutes_ago, ip) in [(20, "10.0.0.1"), (10, "10.0.0.1"), (5, "10.0.0.2"), (1, "10.0.0.1")] {
        store.record_sign_in(&attempt(SignInOutcome::Failed, minutes_ago, ip, Some(alice))).await.unwrap();
    }
    store.record_sign_in(&attempt(SignInOutcome::Succeeded, 0, "10.0.0.1", Some(alice))).await.unwrap();
    store.record_sign_in(&attempt(SignInOutcome::Failed, 2, "10.0.0.1", None)).await.unwrap();

    let since = now - Duration::minutes(15);
    let by_address = store.recent_failures(AttemptKey::EmailIndex("alice-index"), since, 10).await.unwrap();
    assert_eq!(by_address.len(), 4, "the failures of the last 15 minutes, an unknown account's too");
    assert!(by_address.windows(2).all(|pair| pair[0] >= pair[1]), "newest first");
    assert_eq!(by_address[0].timestamp_millis(), (now - Duration::minutes(1)).timestamp_millis());
    let by_ip = store.recent_failures(AttemptKey::Ip("10.0.0.1"), since, 10).await.unwrap();
    assert_eq!(by_ip.len(), 3);
    assert_eq!(store.recent_failures(AttemptKey::Ip("10.0.0.1"), since, 2).await.unwrap().len(), 2);

    let history = store.sign_ins_of(alice, 10).await.unwrap();
    assert_eq!(history.len(), 5, "alice's own attempts, not the unknown one");
    assert_eq!(history[0].outcome, SignInOutcome::Succeeded);
    assert_eq!(history[0].user_agent.as_deref(), Some("curl/8"));
    assert!(store.sign_ins_of(member(), 10).await.unwrap().is_empty());
}

fn issued(account: AccountId, token: &str, purpose: TokenPurpose, lifetime: Duration) -> IssuedToken {
    let now = Utc::now();
    IssuedToken {
        digest: TokenDigest::of(token),
        purpose,
        account,
        issued_at: now,
        expires_at: now + lifetime,
    }
}

async fn a_single_use_token_is_taken_once_for_its_purpose_until_it_expires<S: Store>(store: Arc<S>) {
    let alice = member();
    let now = Utc::now();
    let reset = TokenPurpose::PasswordReset;
    store.issue_token(&issued(alice, "reset", reset, Duration::minutes(30))).await.unwrap();
    let digest = TokenDigest::of("reset");

    assert_eq!(store.peek_token(&digest, reset, now).await.unwrap(), Some(alice));
    assert_eq!(store.peek_token(&digest, reset, now).await.unwrap(), Some(alice), "peeking uses nothing up");
    assert_eq!(
        store.peek_token(&digest, TokenPurpose::MfaChallenge, now).await.unwrap(),
        None,
        "not for another purpose"
    );
    assert_eq!(store.use_token(&digest, TokenPurpose::MfaChallenge, now).await.unwrap(), None);
    assert_eq!(store.use_token(&digest, reset, now + Duration::minutes(31)).await.unwrap(), None, "expired");
    assert_eq!(store.use_token(&digest, reset, now).await.unwrap(), Some(alice));
    assert_eq!(store.use_token(&digest, reset, now).await.unwrap(), None, "used up");
    assert_eq!(store.peek_token(&digest, reset, now).await.unwrap(), None);
    assert_eq!(store.use_token(&TokenDigest::of("unknown"), reset, now).await.unwrap(), None);
}

async fn concurrent_uses_of_one_token_take_it_once<S: Store>(store: Arc<S>) {
    let alice = member();
    store
        .issue_token(&issued(alice, "contested", TokenPurpose::MfaChallenge, Duration::minutes(5)))
        .await
        .unwrap();
    let now = Utc::now();
    let uses = (0..8).map(|_| {
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            store.use_token(&TokenDigest::of("contested"), TokenPurpose::MfaChallenge, now).await.unwrap()
        })
    });
    let outcomes = futures_join(uses).await;
    assert_eq!(outcomes.iter().filter(|outcome| **outcome == Some(alice)).count(), 1, "{outcomes:?}");
}

async fn voided_tokens_are_used_up_and_issued_ones_are_counted<S: Store>(store: Arc<S>) {
    let (alice, bob) = (member(), member());
    let reset = TokenPurpose::PasswordReset;
    let since = Utc::now() - Duration::minutes(1);
    for token in ["one", "two"] {
        store.issue_token(&issued(alice, token, reset, Duration::minutes(30))).await.unwrap();
    }
    store
        .issue_token(&issued(alice, "challenge", TokenPurpose::MfaChallenge, Duration::minutes(5)))
        .await
        .unwrap();
    store.issue_token(&issued(bob, "bobs", reset, Duration::minutes(30))).await.unwrap();
    assert_eq!(store.tokens_issued_since(alice, reset, since).await.unwrap(), 2);
    assert_eq!(store.tokens_issued_since(alice, reset, Utc::now() + Duration::minutes(1)).await.unwrap(), 0);

    let now = Utc::now();
    assert_eq!(store.void_tokens(alice, reset, now).await.unwrap(), 2);
    assert_eq!(store.peek_token(&TokenDigest::of("one"), reset, now).await.unwrap(), None);
    assert_eq!(store.peek_token(&TokenDigest::of("two"), reset, now).await.unwrap(), None);
    assert_eq!(
        store.peek_token(&TokenDigest::of("challenge"), TokenPurpose::MfaChallenge, now).await.unwrap(),
        Some(alice),
        "another purpose stays"
    );
    assert_eq!(store.peek_token(&TokenDigest::of("bobs"), reset, now).await.unwrap(), Some(bob));
    assert_eq!(store.tokens_issued_since(alice, reset, since).await.unwrap(), 2, "voided ones still count");
}

async fn a_totp_factor_is_staged_confirmed_once_and_its_steps_only_advance<S: Store>(store: Arc<S>) {
    let alice = member();
    let now = Utc::now();
    assert_eq!(store.totp(alice).await.unwrap(), None);
    assert!(store.stage_totp(alice, "v1.first", now).await.unwrap());
    assert!(store.stage_totp(alice, "v1.second", now).await.unwrap(), "an unconfirmed factor is replaced");
    let staged = store.totp(alice).await.unwrap().expect("staged");
    assert_eq!((staged.sealed_secret.as_str(), staged.confirmed, staged.last_step), ("v1.second", false, 0));
    assert!(!store.advance_totp_step(alice, 0).await.unwrap(), "a step must be newer than the last");

    let codes = [TokenDigest::of("code-1"), TokenDigest::of("code-2")];
    assert!(store.confirm_totp(alice, 100, &codes, now).await.unwrap());
    assert!(!store.confirm_totp(alice, 101, &codes, now).await.unwrap(), "confirmed once");
    assert!(!store.stage_totp(alice, "v1.third", now).await.unwrap(), "a confirmed factor is kept");
    let confirmed = store.totp(alice).await.unwrap().expect("confirmed");
    assert_eq!(
        (confirmed.sealed_secret.as_str(), confirmed.confirmed, confirmed.last_step),
        ("v1.second", true, 100)
    );

    assert!(!store.advance_totp_step(alice, 100).await.unwrap(), "the confirming code's step is used");
    assert!(!store.advance_totp_step(alice, 99).await.unwrap());
    assert!(store.advance_totp_step(alice, 101).await.unwrap());
    assert!(!store.advance_totp_step(alice, 101).await.unwrap(), "each step once");
    assert!(!store.advance_totp_step(member(), 5).await.unwrap(), "no factor, nothing advances");

    // Two confirmations at once of a staged factor: one wins.
    let bob = member();
    assert!(store.stage_totp(bob, "v1.bob", now).await.unwrap());
    let confirmations = (0..4).map(|_| {
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            store.confirm_totp(bob, 7, &[TokenDigest::of("bob-code")], Utc::now()).await.unwrap()
        })
    });
    let outcomes = futures_join(confirmations).await;
    assert_eq!(outcomes.iter().filter(|confirmed| **confirmed).count(), 1, "{outcomes:?}");
}

async fn recovery_codes_are_each_used_once_and_go_with_the_factor<S: Store>(store: Arc<S>) {
    let (alice, bob) = (member(), member());
    let now = Utc::now();
    store.stage_totp(alice, "v1.alice", now).await.unwrap();
    let codes = [TokenDigest::of("a-1"), TokenDigest::of("a-2"), TokenDigest::of("a-3")];
    assert!(store.confirm_totp(alice, 1, &codes, now).await.unwrap());
    assert_eq!(store.recovery_codes_left(alice).await.unwrap(), 3);

    assert!(!store.use_recovery_code(bob, &codes[0], now).await.unwrap(), "only its member's");
    assert!(store.use_recovery_code(alice, &codes[0], now).await.unwrap());
    assert!(!store.use_recovery_code(alice, &codes[0], now).await.unwrap(), "used once");
    assert!(!store.use_recovery_code(alice, &TokenDigest::of("a-9"), now).await.unwrap());
    assert_eq!(store.recovery_codes_left(alice).await.unwrap(), 2);

    assert!(store.remove_totp(alice).await.unwrap());
    assert!(!store.remove_totp(alice).await.unwrap());
    assert_eq!(store.totp(alice).await.unwrap(), None);
    assert_eq!(store.recovery_codes_left(alice).await.unwrap(), 0);
    assert!(!store.use_recovery_code(alice, &codes[1], now).await.unwrap(), "gone with the factor");
}

async fn erasing_a_member_deletes_all_the_store_keeps_of_them_and_nothing_else<S: Store>(store: Arc<S>) {
    let (master, _) = MasterKey::generate().unwrap();
    let vault = PersonalDataVault::open(store.clone() as Arc<dyn KeyStore>, master).await.unwrap();
    let now = Utc::now();
    let hash = PasswordHash::parse("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA").unwrap();
    let (alice, bob) = (member(), member());
    for (who, name) in [(alice, "alice"), (bob, "bob")] {
        vault.create_member_key(who).await.unwrap();
        store.set_password_hash(who, &hash, now).await.unwrap();
        store.start_session(&session(who, &format!("{name}-refresh"))).await.unwrap();
        store
            .issue_token(&issued(
                who,
                &format!("{name}-reset"),
                TokenPurpose::PasswordReset,
                Duration::minutes(30),
            ))
            .await
            .unwrap();
        store.stage_totp(who, &format!("v1.{name}"), now).await.unwrap();
        store.confirm_totp(who, 1, &[TokenDigest::of(&format!("{name}-code"))], now).await.unwrap();
        let attempt = SignInAttempt {
            email_index: format!("{name}-index"),
            account: Some(who),
            ip: Some("10.0.0.9".to_owned()),
            user_agent: None,
            outcome: SignInOutcome::Succeeded,
            at: now,
        };
        store.record_sign_in(&attempt).await.unwrap();
        store.link_identity("google", &format!("{name}-subject"), who, now).await.unwrap();
        let link = TokenDigest::of(&format!("{name}-link"));
        store
            .put_pending(&link, PendingPurpose::Link, Some(who), "{}", now, now + Duration::minutes(10))
            .await
            .unwrap();
    }
    // A failed attempt with alice's address before she had an account is hers too.
    let unknown = SignInAttempt {
        email_index: "alice-index".to_owned(),
        account: None,
        ip: Some("10.0.0.8".to_owned()),
        user_agent: None,
        outcome: SignInOutcome::Failed,
        at: now,
    };
    store.record_sign_in(&unknown).await.unwrap();

    store.erase_member(alice, "alice-index").await.unwrap();
    store.erase_member(alice, "alice-index").await.unwrap();

    assert!(vault.member_key(alice).await.unwrap().is_none(), "the data key is destroyed");
    assert_eq!(store.password_hash(alice).await.unwrap(), None);
    assert_eq!(
        store
            .rotate_refresh_token(&TokenDigest::of("alice-refresh"), &TokenDigest::of("x"), now, now)
            .await
            .unwrap(),
        Rotation::Refused
    );
    assert_eq!(
        store.peek_token(&TokenDigest::of("alice-reset"), TokenPurpose::PasswordReset, now).await.unwrap(),
        None
    );
    assert_eq!(store.totp(alice).await.unwrap(), None);
    assert_eq!(store.recovery_codes_left(alice).await.unwrap(), 0);
    assert!(store.sign_ins_of(alice, 10).await.unwrap().is_empty());
    let since = now - Duration::minutes(1);
    assert!(
        store.recent_failures(AttemptKey::EmailIndex("alice-index"), since, 10).await.unwrap().is_empty()
    );

    assert_eq!(store.identity_owner("google", "alice-subject").await.unwrap(), None);
    assert!(store.identities_of(alice).await.unwrap().is_empty());
    assert_eq!(store.pending(&TokenDigest::of("alice-link"), PendingPurpose::Link, now).await.unwrap(), None);

    assert!(vault.member_key(bob).await.unwrap().is_some(), "bob keeps everything");
    assert_eq!(store.identity_owner("google", "bob-subject").await.unwrap(), Some(bob));
    assert!(store.pending(&TokenDigest::of("bob-link"), PendingPurpose::Link, now).await.unwrap().is_some());
    assert!(store.password_hash(bob).await.unwrap().is_some());
    assert!(store.totp(bob).await.unwrap().is_some());
    assert_eq!(store.sign_ins_of(bob, 10).await.unwrap().len(), 1);
    assert!(
        store
            .peek_token(&TokenDigest::of("bob-reset"), TokenPurpose::PasswordReset, now)
            .await
            .unwrap()
            .is_some()
    );
}

async fn a_phone_verification_is_replaced_spent_try_by_try_and_ended<S: Store>(store: Arc<S>) {
    let alice = member();
    let now = Utc::now();
    let pending = |code: &str| PendingPhone {
        sealed_phone: "v1.cGhvbmU".to_owned(),
        code_digest: code.to_owned(),
        sent_at: now,
        expires_at: now + Duration::minutes(3),
        attempts_left: 2,
    };
    assert_eq!(store.pending_phone(alice).await.unwrap(), None);
    assert_eq!(store.spend_phone_attempt(alice).await.unwrap(), None, "nothing to spend");
    assert!(store.begin_phone_verification(alice, &pending("first"), now).await.unwrap());
    assert!(
        !store
            .begin_phone_verification(alice, &pending("too soon"), now - Duration::seconds(30))
            .await
            .unwrap(),
        "the last was sent after the wait's start: kept"
    );
    assert!(store.begin_phone_verification(alice, &pending("second"), now).await.unwrap());
    let stored = store.pending_phone(alice).await.unwrap().expect("under way");
    assert_eq!(stored.code_digest, "second", "a new code replaces the last");
    assert_eq!(stored.expires_at.timestamp_millis(), (now + Duration::minutes(3)).timestamp_millis());
    assert_eq!(store.spend_phone_attempt(alice).await.unwrap(), Some(1));
    assert_eq!(store.spend_phone_attempt(alice).await.unwrap(), Some(0));
    assert_eq!(store.spend_phone_attempt(alice).await.unwrap(), None, "spent");
    assert_eq!(store.pending_phone(alice).await.unwrap().map(|p| p.attempts_left), Some(0));
    store.end_phone_verification(alice).await.unwrap();
    assert_eq!(store.pending_phone(alice).await.unwrap(), None);
}

async fn a_pending_social_step_is_taken_once_for_its_purpose_until_it_expires<S: Store>(store: Arc<S>) {
    let now = Utc::now();
    let state = TokenDigest::of("state-1");
    let payload = r#"{"nonce":"n"}"#;
    store
        .put_pending(&state, PendingPurpose::Authorization, None, payload, now, now + Duration::minutes(10))
        .await
        .unwrap();
    assert_eq!(store.pending(&state, PendingPurpose::Link, now).await.unwrap(), None, "another purpose");
    assert_eq!(store.take_pending(&state, PendingPurpose::Link, now).await.unwrap(), None, "another purpose");
    assert_eq!(
        store.pending(&state, PendingPurpose::Authorization, now).await.unwrap().as_deref(),
        Some(payload)
    );
    assert_eq!(
        store.take_pending(&state, PendingPurpose::Authorization, now).await.unwrap().as_deref(),
        Some(payload)
    );
    assert_eq!(store.take_pending(&state, PendingPurpose::Authorization, now).await.unwrap(), None, "taken");

    let short = TokenDigest::of("state-2");
    store
        .put_pending(&short, PendingPurpose::Authorization, None, "{}", now, now + Duration::minutes(1))
        .await
        .unwrap();
    let later = now + Duration::minutes(2);
    assert_eq!(store.pending(&short, PendingPurpose::Authorization, later).await.unwrap(), None, "expired");
    assert_eq!(
        store.take_pending(&short, PendingPurpose::Authorization, later).await.unwrap(),
        None,
        "expired"
    );
}

async fn concurrent_takes_of_one_pending_step_take_it_once<S: Store>(store: Arc<S>) {
    let now = Utc::now();
    let state = TokenDigest::of("raced-state");
    store
        .put_pending(&state, PendingPurpose::Authorization, None, "{}", now, now + Duration::minutes(10))
        .await
        .unwrap();
    let takes = (0..8).map(|_| {
        let store = store.clone();
        tokio::spawn(async move {
            store.take_pending(&TokenDigest::of("raced-state"), PendingPurpose::Authorization, now).await
        })
    });
    let mut winners = 0;
    for take in takes {
        if take.await.unwrap().unwrap().is_some() {
            winners += 1;
        }
    }
    assert_eq!(winners, 1);
}

async fn a_provider_identity_links_to_one_member_once<S: Store>(store: Arc<S>) {
    let (alice, bob) = (member(), member());
    let now = Utc::now();
    assert_eq!(store.identity_owner("kakao", "subject-a").await.unwrap(), None);
    assert!(store.link_identity("kakao", "subject-a", alice, now).await.unwrap());
    assert!(!store.link_identity("kakao", "subject-a", bob, now).await.unwrap(), "linked to alice already");
    assert!(!store.link_identity("kakao", "subject-a", alice, now).await.unwrap(), "linked already");
    assert!(store.link_identity("naver", "subject-a", bob, now).await.unwrap(), "another provider's subject");
    assert!(store.link_identity("google", "subject-g", alice, now + Duration::seconds(1)).await.unwrap());
    assert_eq!(store.identity_owner("kakao", "subject-a").await.unwrap(), Some(alice));
    assert_eq!(store.identity_owner("naver", "subject-a").await.unwrap(), Some(bob));
    let providers: Vec<String> =
        store.identities_of(alice).await.unwrap().into_iter().map(|identity| identity.provider).collect();
    assert_eq!(providers, ["kakao", "google"]);
    assert_eq!(store.unlink_identities(alice).await.unwrap(), 2);
    assert_eq!(store.identity_owner("kakao", "subject-a").await.unwrap(), None);
    assert_eq!(store.identity_owner("naver", "subject-a").await.unwrap(), Some(bob), "bob's stays");
}
