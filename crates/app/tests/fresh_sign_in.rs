//! A fresh sign-in: what only a session signed in within the last 10 minutes may do. Refreshing
//! the session's tokens keeps its sign-in time, so a stolen refresh token does not make a stale
//! session fresh again; and an ended session is fresh for nothing.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with unwrap")]

use std::sync::Arc;

use chrono::{Duration, Utc};
use jangteo_app::{AppError, Clock, FRESH_SIGN_IN, ManualClock, Sessions};
use jangteo_domain::AccountId;
use jangteo_identity::sqlite::SqliteIdentityStore;
use uuid::Uuid;

#[tokio::test]
async fn a_session_is_fresh_for_ten_minutes_from_its_sign_in_however_it_is_refreshed() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteIdentityStore::open(&dir.path().join("identity.sqlite")).await.unwrap());
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let sessions = Sessions::new(store, Arc::clone(&clock) as Arc<dyn Clock>);
    let member = AccountId::from_uuid(Uuid::now_v7());

    let signed_in = sessions.start(member).await.unwrap();
    sessions.require_fresh(signed_in.session_id).await.unwrap();
    clock.advance(FRESH_SIGN_IN - Duration::seconds(1));
    let refreshed = sessions.refresh(&signed_in.refresh_token).await.unwrap();
    assert_eq!(refreshed.session_id, signed_in.session_id);
    sessions.require_fresh(refreshed.session_id).await.unwrap();

    clock.advance(Duration::seconds(2));
    let stale = sessions.require_fresh(refreshed.session_id).await;
    assert!(matches!(stale, Err(AppError::FreshSignInRequired)), "{stale:?}");

    let again = sessions.start(member).await.unwrap();
    sessions.require_fresh(again.session_id).await.unwrap();
    sessions.end(member, again.session_id).await.unwrap();
    let ended = sessions.require_fresh(again.session_id).await;
    assert!(matches!(ended, Err(AppError::FreshSignInRequired)), "{ended:?}");
}
