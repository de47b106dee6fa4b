//! The relay against a real Kafka-protocol broker (tansu, started on a free loopback port):
//! every event arrives, per-stream order holds, and a relay that crashes before its checkpoint
//! re-sends rather than skips. Prints `SKIPPED (kafka unreachable)` when no broker can be started,
//! unless `JANGTEO_REQUIRE_SERVICES=1`.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with expect/unwrap")]

use std::{
    collections::BTreeMap,
    sync::Arc,
    time::{Duration, Instant},
};

use jangteo_event_store::{
    ActorRole, AppendRequest, EventMetadata, EventStore, ExpectedVersion, NewEvent, RecordedEvent,
    StreamAppend, sqlite::SqliteEventStore,
};
use jangteo_event_stream::{CloudEvent, KafkaRelay, Topics, relay::CHECKPOINT};
use rdkafka::{
    ClientConfig, Message,
    consumer::{Consumer, StreamConsumer},
};
use uuid::Uuid;

async fn append(store: &dyn EventStore, stream_id: Uuid, stream_type: &str, version: u64) {
    let command_id = Uuid::now_v7();
    let request = AppendRequest {
        metadata: EventMetadata {
            actor_id: None,
            actor_role: ActorRole::System,
            command_id,
            correlation_id: command_id,
            causation_id: None,
        },
        streams: vec![StreamAppend {
            stream_id,
            stream_type: stream_type.to_owned(),
            expected_version: ExpectedVersion::from_version(version - 1),
            events: vec![NewEvent {
                event_id: Uuid::now_v7(),
                event_type: "Tested".to_owned(),
                schema_version: 1,
                payload: serde_json::json!({ "n": version }),
            }],
        }],
        claims: Vec::new(),
        repeatable: true,
    };
    store.append(request).await.unwrap();
}

/// Reads every topic from the start until `expected` messages arrived; returns them in arrival
/// order (duplicates included).
async fn consume(address: &str, topics: &[String], expected: usize) -> Vec<RecordedEvent> {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", address)
        .set("group.id", format!("test-{}", Uuid::new_v4().simple()))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let names: Vec<&str> = topics.iter().map(String::as_str).collect();
    consumer.subscribe(&names).unwrap();
    let mut received = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while received.len() < expected {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let message = tokio::time::timeout(remaining, consumer.recv())
            .await
            .unwrap_or_else(|_| panic!("only {} of {expected} messages arrived", received.len()))
            .unwrap();
        let event = CloudEvent::decode(message.payload().unwrap()).unwrap();
        assert_eq!(message.key(), Some(event.stream_id.to_string().as_bytes()), "keyed by stream");
        received.push(event);
    }
    received
}

#[tokio::test]
async fn every_event_arrives_in_stream_order_and_a_crash_resends_instead_of_skipping() {
    let Some(broker) = jangteo_test_support::KafkaBroker::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> =
        Arc::new(SqliteEventStore::open(&dir.path().join("events.sqlite")).await.unwrap());
    let streams: Vec<(Uuid, &str)> = vec![
        (Uuid::now_v7(), "listing"),
        (Uuid::now_v7(), "order"),
        (Uuid::now_v7(), "escrow"),
        (Uuid::now_v7(), "listing"),
    ];
    for version in 1..=25 {
        for (stream_id, stream_type) in &streams {
            append(store.as_ref(), *stream_id, stream_type, version).await;
        }
    }
    let prefix = format!("test{}", Uuid::new_v4().simple());
    let topics = Topics::new(&prefix);
    let relay = KafkaRelay::new(Arc::clone(&store), &broker.address, topics.clone()).unwrap();
    relay.ensure_topics(&["listing", "order", "escrow"], 3).await.unwrap();
    assert_eq!(relay.catch_up().await.unwrap(), 100);
    assert_eq!(store.load_checkpoint(CHECKPOINT).await.unwrap(), 100);

    // A relay that died after publishing 60..100 but before checkpointing them starts again at 60.
    store.save_checkpoint(CHECKPOINT, 60).await.unwrap();
    let restarted = KafkaRelay::new(Arc::clone(&store), &broker.address, topics.clone()).unwrap();
    assert_eq!(restarted.catch_up().await.unwrap(), 40);

    let names: Vec<String> =
        ["listing", "order", "escrow"].iter().map(|t| topics.for_stream_type(t)).collect();
    // The first relay's 100 messages, and the restarted one's 40 again.
    let received = consume(&broker.address, &names, 140).await;
    let log = store.read_all(0, 1000).await.unwrap();

    // At least once, not more than the crash explains: 1..=60 once, 61..=100 twice.
    let mut deliveries: BTreeMap<u64, usize> = BTreeMap::new();
    for event in &received {
        *deliveries.entry(event.global_position).or_default() += 1;
    }
    for (position, count) in &deliveries {
        let expected = if *position > 60 { 2 } else { 1 };
        assert_eq!(*count, expected, "position {position} was delivered {count} times");
    }

    // Nothing lost, nothing invented: the distinct events are exactly the log.
    let mut distinct: BTreeMap<u64, RecordedEvent> = BTreeMap::new();
    for event in &received {
        distinct.entry(event.global_position).or_insert_with(|| event.clone());
    }
    assert_eq!(distinct.into_values().collect::<Vec<_>>(), log);

    // Per stream, the first delivery of each version comes in version order.
    let mut next: BTreeMap<Uuid, u64> = BTreeMap::new();
    for event in &received {
        let expected = next.entry(event.stream_id).or_insert(1);
        if event.version == *expected {
            *expected += 1;
        } else {
            assert!(
                event.version < *expected,
                "stream {} skipped to version {}",
                event.stream_id,
                event.version
            );
        }
    }
    assert!(next.values().all(|v| *v == 26), "{next:?}");
}
