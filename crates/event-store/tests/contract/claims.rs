//! Unique claims: a value claimed in a scope belongs to one stream, atomically with its append.

use std::sync::Arc;

use jangteo_event_store::{AppendRequest, EventStore, EventStoreError, ExpectedVersion, UniqueClaim};
use uuid::Uuid;

use crate::fixtures::{append_ok, single, whole_log};

/// A new stream's first event, claiming `(scope, value)` for itself.
fn claiming(scope: &str, value: &str) -> (Uuid, AppendRequest) {
    let owner = Uuid::now_v7();
    let mut request = single(owner, ExpectedVersion::NoStream, 1);
    request.claims.push(UniqueClaim {
        scope: scope.to_owned(),
        value: value.to_owned(),
        owner_stream_id: owner,
    });
    (owner, request)
}

pub async fn second_claim_of_a_value_fails_and_rolls_back(store: Arc<dyn EventStore>) {
    let store = store.as_ref();
    let (first, request) = claiming("email", "digest-1");
    append_ok(store, request).await;
    assert_eq!(store.find_claim("email", "digest-1").await.expect("find_claim"), Some(first));
    let log = whole_log(store).await;

    let (second, mut request) = claiming("email", "digest-1");
    // A second, free claim in the same append must be rolled back with the rest.
    request.claims.insert(
        0,
        UniqueClaim { scope: "nickname".to_owned(), value: "장터왕".to_owned(), owner_stream_id: second },
    );
    match store.append(request).await {
        Err(EventStoreError::ClaimTaken { scope }) => assert_eq!(scope, "email"),
        other => panic!("expected ClaimTaken, got {other:?}"),
    }
    assert_eq!(whole_log(store).await, log, "nothing of the refused append is stored");
    assert_eq!(store.read_stream(second, 0).await.expect("read_stream"), []);
    assert_eq!(store.head_position().await.expect("head"), log.len() as u64);
    assert_eq!(store.find_claim("email", "digest-1").await.expect("find_claim"), Some(first));
    assert_eq!(store.find_claim("nickname", "장터왕").await.expect("find_claim"), None);

    // Another value, or the same value in another scope, is free.
    let (other_value, request) = claiming("email", "digest-2");
    append_ok(store, request).await;
    let (other_scope, request) = claiming("nickname", "digest-1");
    append_ok(store, request).await;
    assert_eq!(store.find_claim("email", "digest-2").await.expect("find_claim"), Some(other_value));
    assert_eq!(store.find_claim("nickname", "digest-1").await.expect("find_claim"), Some(other_scope));
}

pub async fn owner_may_claim_its_value_again(store: Arc<dyn EventStore>) {
    let store = store.as_ref();
    let (owner, request) = claiming("email", "digest-1");
    append_ok(store, request.clone()).await;

    let mut again = single(owner, ExpectedVersion::Exact(1), 1);
    again.claims = request.claims;
    let outcome = append_ok(store, again).await;
    assert_eq!(outcome.events[0].version, 2);
    assert_eq!(store.find_claim("email", "digest-1").await.expect("find_claim"), Some(owner));
}
