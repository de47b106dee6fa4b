//! What goes in comes back: every envelope field through append, `read_stream` and `read_all`.

use std::sync::Arc;

use jangteo_event_store::{
    ActorRole, AppendRequest, EventMetadata, EventStore, EventStoreError, ExpectedVersion, NewEvent,
    StreamAppend,
};
use serde_json::json;
use uuid::Uuid;

use crate::fixtures::{append_ok, metadata, request, single, stream, whole_log};

pub async fn appends_and_reads_back_every_field(store: Arc<dyn EventStore>) {
    let store = store.as_ref();
    let listing = Uuid::now_v7();
    let order = Uuid::now_v7();
    let first = request(vec![
        stream(listing, ExpectedVersion::NoStream, 2),
        StreamAppend {
            stream_id: order,
            stream_type: "order".to_owned(),
            expected_version: ExpectedVersion::NoStream,
            events: vec![NewEvent {
                event_id: Uuid::now_v7(),
                event_type: "OrderPlaced".to_owned(),
                schema_version: 3,
                payload: json!({ "nested": { "list": [1, 2.5, null, true], "empty": {} }, "emoji": "🛒" }),
            }],
        },
    ]);
    let outcome = append_ok(store, first.clone()).await;

    assert!(!outcome.duplicate);
    assert_eq!(outcome.command_id, first.metadata.command_id);
    assert_eq!(outcome.last_position, 3);
    let positions: Vec<u64> = outcome.events.iter().map(|e| e.global_position).collect();
    assert_eq!(positions, [1, 2, 3], "positions start at 1 and follow request order");
    let inputs = first.streams.iter().flat_map(|s| s.events.iter().map(move |e| (s, e)));
    let versions = [1, 2, 1];
    for ((recorded, (stream, input)), version) in outcome.events.iter().zip(inputs).zip(versions) {
        assert_eq!(recorded.event_id, input.event_id);
        assert_eq!(recorded.stream_id, stream.stream_id);
        assert_eq!(recorded.stream_type, stream.stream_type);
        assert_eq!(recorded.version, version);
        assert_eq!(recorded.event_type, input.event_type);
        assert_eq!(recorded.schema_version, input.schema_version);
        assert_eq!(recorded.payload, input.payload);
        assert_eq!(recorded.metadata, first.metadata);
    }
    assert!(outcome.events.iter().all(|e| e.recorded_at == outcome.events[0].recorded_at));

    // A second command: the optional metadata empty, another role.
    let second = AppendRequest {
        metadata: EventMetadata {
            actor_id: None,
            actor_role: ActorRole::System,
            causation_id: None,
            ..metadata()
        },
        streams: vec![stream(listing, ExpectedVersion::Exact(2), 1)],
        claims: Vec::new(),
        repeatable: true,
    };
    let later = append_ok(store, second.clone()).await;
    assert_eq!(later.last_position, 4);
    assert_eq!(later.events[0].version, 3);
    assert_eq!(later.events[0].metadata, second.metadata);
    assert!(later.events[0].recorded_at >= outcome.events[0].recorded_at, "recorded_at follows positions");

    // Reading back returns exactly what the appends returned.
    let all: Vec<_> = outcome.events.iter().chain(&later.events).cloned().collect();
    assert_eq!(whole_log(store).await, all);
    assert_eq!(store.read_all(1, 2).await.expect("read_all"), all[1..3]);
    assert_eq!(store.read_all(4, 10).await.expect("read_all"), []);
    assert_eq!(store.read_all(u64::MAX, 10).await.expect("read_all"), []);
    let listing_events = vec![all[0].clone(), all[1].clone(), all[3].clone()];
    assert_eq!(store.read_stream(listing, 0).await.expect("read_stream"), listing_events);
    assert_eq!(store.read_stream(listing, 2).await.expect("read_stream"), listing_events[2..]);
    assert_eq!(store.read_stream(order, 0).await.expect("read_stream"), [all[2].clone()]);
    assert_eq!(store.head_position().await.expect("head"), 4);
}

pub async fn empty_store_reads_nothing(store: Arc<dyn EventStore>) {
    let store = store.as_ref();
    assert_eq!(store.head_position().await.expect("head"), 0);
    assert_eq!(whole_log(store).await, []);
    assert_eq!(store.read_stream(Uuid::now_v7(), 0).await.expect("read_stream"), []);
    assert_eq!(store.find_command(Uuid::now_v7()).await.expect("find_command"), None);
    assert_eq!(store.find_claim("email", "nobody").await.expect("find_claim"), None);
    assert_eq!(*store.subscribe().borrow(), 0);
}

pub async fn malformed_appends_are_refused(store: Arc<dyn EventStore>) {
    let store = store.as_ref();
    let id = Uuid::now_v7();
    let mut twice = single(id, ExpectedVersion::NoStream, 1);
    twice.streams.push(stream(id, ExpectedVersion::NoStream, 1));
    let mut same_event = single(id, ExpectedVersion::NoStream, 1);
    let copy = same_event.streams[0].events[0].clone();
    same_event.streams[0].events.push(copy);
    let mut no_type = single(id, ExpectedVersion::NoStream, 1);
    no_type.streams[0].events[0].event_type = String::new();
    let malformed = [
        ("no streams", request(Vec::new())),
        ("a stream without events", single(id, ExpectedVersion::NoStream, 0)),
        ("one stream twice", twice),
        ("one event id twice", same_event),
        ("an empty event type", no_type),
    ];
    for (what, request) in malformed {
        match store.append(request).await {
            Err(EventStoreError::InvalidAppend(_)) => {}
            other => panic!("{what}: expected InvalidAppend, got {other:?}"),
        }
    }

    // An event id that is already stored is refused too, and the log is untouched.
    let stored = append_ok(store, single(id, ExpectedVersion::NoStream, 1)).await;
    let mut reused = single(Uuid::now_v7(), ExpectedVersion::NoStream, 1);
    reused.streams[0].events[0].event_id = stored.events[0].event_id;
    match store.append(reused).await {
        Err(EventStoreError::InvalidAppend(_)) => {}
        other => panic!("a stored event id: expected InvalidAppend, got {other:?}"),
    }
    assert_eq!(whole_log(store).await, stored.events);
}
