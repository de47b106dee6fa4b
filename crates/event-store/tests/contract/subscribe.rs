//! Subscriptions: a `watch` receiver woken with the newest committed position.

use std::sync::Arc;
use std::time::Duration;

use jangteo_event_store::{CommitMode, EventStore, ExpectedVersion};
use uuid::Uuid;

use crate::backends::within_limit;
use crate::fixtures::{append_ok, single};
use crate::pg::TestDatabase;

/// Long enough for a slow machine; a wake-up that never comes fails instead of hanging.
const WAKE_LIMIT: Duration = Duration::from_secs(10);

pub async fn subscriber_is_woken_after_append(store: Arc<dyn EventStore>) {
    let mut receiver = store.subscribe();
    receiver.borrow_and_update();
    let outcome = append_ok(store.as_ref(), single(Uuid::now_v7(), ExpectedVersion::NoStream, 2)).await;
    tokio::time::timeout(WAKE_LIMIT, receiver.changed())
        .await
        .expect("woken within the limit")
        .expect("the store is still there");
    assert_eq!(*receiver.borrow_and_update(), outcome.last_position);

    let next = append_ok(store.as_ref(), single(Uuid::now_v7(), ExpectedVersion::NoStream, 1)).await;
    let seen =
        tokio::time::timeout(WAKE_LIMIT, receiver.wait_for(|position| *position >= next.last_position))
            .await
            .expect("woken within the limit")
            .map(|position| *position)
            .expect("the store is still there");
    assert_eq!(seen, next.last_position);

    // A subscriber that comes later starts at the current head.
    assert_eq!(*store.subscribe().borrow(), next.last_position);
}

/// Dropping the last handle closes the channel: no background task keeps the store alive.
pub async fn subscription_closes_when_store_is_dropped(store: Arc<dyn EventStore>) {
    let mut receiver = store.subscribe();
    append_ok(store.as_ref(), single(Uuid::now_v7(), ExpectedVersion::NoStream, 1)).await;
    drop(store);
    let closed = async { while receiver.changed().await.is_ok() {} };
    tokio::time::timeout(WAKE_LIMIT, closed).await.expect("the channel closes once the store is dropped");
}

/// PostgreSQL only: an append through another handle (another process) wakes this handle's
/// subscribers through the head poller.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_appends_of_other_handles_wake_subscribers() {
    let Some((database, store)) = TestDatabase::create(CommitMode::default()).await else { return };
    let other = database.connect_again().await;
    within_limit(async {
        let mut receiver = store.subscribe();
        let outcome = append_ok(&other, single(Uuid::now_v7(), ExpectedVersion::NoStream, 3)).await;
        tokio::time::timeout(WAKE_LIMIT, receiver.wait_for(|position| *position >= outcome.last_position))
            .await
            .expect("woken by the poller within the limit")
            .expect("the store is still there");
    })
    .await;
    drop((store, other));
    database.drop_database().await;
}
