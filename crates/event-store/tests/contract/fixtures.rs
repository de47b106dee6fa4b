//! Builders for append requests, so each check states only what it is about.

use jangteo_event_store::{
    ActorRole, AppendOutcome, AppendRequest, EventMetadata, EventStore, EventStoreError, ExpectedVersion,
    NewEvent, StreamAppend,
};
use serde_json::json;
use uuid::Uuid;

/// Metadata of a user's command with every optional field set.
pub fn metadata() -> EventMetadata {
    EventMetadata {
        actor_id: Some(Uuid::now_v7()),
        actor_role: ActorRole::User,
        command_id: Uuid::now_v7(),
        correlation_id: Uuid::now_v7(),
        causation_id: Some(Uuid::now_v7()),
    }
}

/// An event whose payload names its stream and number, with some non-ASCII text.
pub fn event(event_type: &str, n: u64) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: event_type.to_owned(),
        schema_version: 1,
        payload: json!({ "n": n, "title": "자전거 팝니다", "price_won": 150_000, "tags": ["a", "b"] }),
    }
}

/// `count` events appended to a listing stream.
pub fn stream(stream_id: Uuid, expected_version: ExpectedVersion, count: u64) -> StreamAppend {
    StreamAppend {
        stream_id,
        stream_type: "listing".to_owned(),
        expected_version,
        events: (1..=count).map(|n| event("ListingChanged", n)).collect(),
    }
}

/// A command appending to the given streams, without claims.
pub fn request(streams: Vec<StreamAppend>) -> AppendRequest {
    AppendRequest { metadata: metadata(), streams, claims: Vec::new(), repeatable: true }
}

/// A command appending `count` events to one stream.
pub fn single(stream_id: Uuid, expected_version: ExpectedVersion, count: u64) -> AppendRequest {
    request(vec![stream(stream_id, expected_version, count)])
}

/// Appends and expects success.
pub async fn append_ok(store: &dyn EventStore, request: AppendRequest) -> AppendOutcome {
    store.append(request).await.expect("the append should succeed")
}

/// Expects an append to fail because of a stream's version, and returns (expected, actual).
pub fn expect_wrong_version(result: Result<AppendOutcome, EventStoreError>, stream: Uuid) -> (u64, u64) {
    match result {
        Err(EventStoreError::WrongExpectedVersion { stream_id, expected, actual }) => {
            assert_eq!(stream_id, stream, "the error names the stream whose version was wrong");
            (expected, actual)
        }
        other => panic!("expected WrongExpectedVersion, got {other:?}"),
    }
}

/// The whole log, in order.
pub async fn whole_log(store: &dyn EventStore) -> Vec<jangteo_event_store::RecordedEvent> {
    store.read_all(0, 1_000_000).await.expect("read the whole log")
}
