//! Optimistic concurrency: a wrong expected version fails the append and stores nothing, for any
//! stream of a multi-stream append.

use std::sync::Arc;

use jangteo_event_store::{EventStore, ExpectedVersion};
use uuid::Uuid;

use crate::fixtures::{append_ok, expect_wrong_version, request, single, stream, whole_log};

pub async fn no_stream_on_existing_stream_fails(store: Arc<dyn EventStore>) {
    let store = store.as_ref();
    let id = Uuid::now_v7();
    let stored = append_ok(store, single(id, ExpectedVersion::NoStream, 2)).await;

    let result = store.append(single(id, ExpectedVersion::NoStream, 1)).await;
    assert_eq!(expect_wrong_version(result, id), (0, 2));
    assert_eq!(whole_log(store).await, stored.events, "nothing was appended");
    assert_eq!(store.head_position().await.expect("head"), 2);
}

pub async fn wrong_exact_version_fails(store: Arc<dyn EventStore>) {
    let store = store.as_ref();
    let id = Uuid::now_v7();
    let stored = append_ok(store, single(id, ExpectedVersion::NoStream, 2)).await;

    for expected in [1, 3, 100, u64::MAX] {
        let result = store.append(single(id, ExpectedVersion::Exact(expected), 1)).await;
        assert_eq!(expect_wrong_version(result, id), (expected, 2));
    }
    let missing = Uuid::now_v7();
    let result = store.append(single(missing, ExpectedVersion::Exact(1), 1)).await;
    assert_eq!(expect_wrong_version(result, missing), (1, 0));

    assert_eq!(whole_log(store).await, stored.events, "nothing was appended");
    assert_eq!(store.read_stream(missing, 0).await.expect("read_stream"), []);

    // The failed attempts used no positions: the next append continues the log without a gap.
    let next = append_ok(store, single(id, ExpectedVersion::Exact(2), 1)).await;
    assert_eq!((next.last_position, next.events[0].version), (3, 3));
}

pub async fn multi_stream_append_is_all_or_nothing(store: Arc<dyn EventStore>) {
    let store = store.as_ref();
    let existing = Uuid::now_v7();
    let stored = append_ok(store, single(existing, ExpectedVersion::NoStream, 1)).await;

    // The new stream is fine on its own; the existing one's version is wrong.
    let fresh = Uuid::now_v7();
    let result = store
        .append(request(vec![
            stream(fresh, ExpectedVersion::NoStream, 2),
            stream(existing, ExpectedVersion::Exact(5), 1),
        ]))
        .await;
    assert_eq!(expect_wrong_version(result, existing), (5, 1));
    assert_eq!(store.read_stream(fresh, 0).await.expect("read_stream"), [], "no event of the other stream");
    assert_eq!(store.head_position().await.expect("head"), 1, "log head unchanged");
    assert_eq!(whole_log(store).await, stored.events);

    // Also when the failing stream comes first.
    let result = store
        .append(request(vec![
            stream(existing, ExpectedVersion::NoStream, 1),
            stream(fresh, ExpectedVersion::NoStream, 2),
        ]))
        .await;
    assert_eq!(expect_wrong_version(result, existing), (0, 1));
    assert_eq!(store.read_stream(fresh, 0).await.expect("read_stream"), []);

    // Corrected, the same append stores both streams, right after the previous head.
    let outcome = append_ok(
        store,
        request(vec![
            stream(fresh, ExpectedVersion::NoStream, 2),
            stream(existing, ExpectedVersion::Exact(1), 1),
        ]),
    )
    .await;
    let placed: Vec<(Uuid, u64, u64)> =
        outcome.events.iter().map(|e| (e.stream_id, e.version, e.global_position)).collect();
    assert_eq!(placed, [(fresh, 1, 2), (fresh, 2, 3), (existing, 2, 4)]);
}
