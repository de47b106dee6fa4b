//! Analysts' view: a sale on PostgreSQL, relayed by a separate `jangteo relay` process to a real
//! Kafka-protocol broker, arrives as CloudEvents, in each stream's order, tied together by the
//! order id as correlation id.

use std::time::{Duration, Instant};

use jangteo_event_stream::CloudEvent;
use rdkafka::{
    ClientConfig, Message,
    consumer::{Consumer, StreamConsumer},
};
use uuid::Uuid;

use crate::{
    sale::sell_one_listing,
    support::{KafkaBroker, Profile, TestDatabase, TestServer},
};

/// An analyst's consumer of `topics` from their start, subscribed once the relay has created
/// them (it does when it starts), waiting until `deadline` at most.
async fn analyst(brokers: &str, topics: &[&str], deadline: Instant) -> StreamConsumer {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", format!("analyst-{}", Uuid::new_v4().simple()))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    loop {
        let metadata = consumer.fetch_metadata(None, Duration::from_secs(5)).unwrap();
        let names: Vec<&str> = metadata.topics().iter().map(rdkafka::metadata::MetadataTopic::name).collect();
        if topics.iter().all(|topic| names.contains(topic)) {
            break;
        }
        assert!(Instant::now() < deadline, "the relay never created {topics:?}: {names:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    consumer.subscribe(topics).unwrap();
    consumer
}

#[tokio::test]
async fn a_sale_reaches_kafka_as_cloudevents_through_the_relay() {
    let Some(database) = TestDatabase::create().await else { return };
    let Some(broker) = KafkaBroker::start() else {
        database.drop_database().await;
        return;
    };
    let profile = Profile::Postgres(database);
    let server = TestServer::start(&profile).await;
    let (server, sale) = sell_one_listing(server).await;
    let prefix = format!("e2e{}", Uuid::new_v4().simple());
    let _relay = server.start_relay(&broker.address, &prefix);

    let order_topic = format!("{prefix}.order");
    let escrow_topic = format!("{prefix}.escrow");
    let deadline = Instant::now() + Duration::from_secs(60);
    let consumer = analyst(&broker.address, &[&order_topic, &escrow_topic], deadline).await;

    let order_id: Uuid = sale.order_id.parse().unwrap();
    let mut order_events = Vec::new();
    let mut escrow_events = Vec::new();
    // Delivery is at least once: a redelivered event (same id) is dropped, nothing else.
    let mut delivered = std::collections::HashSet::new();
    while order_events.len() < 4 || escrow_events.len() < 2 {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let message = tokio::time::timeout(remaining, consumer.recv())
            .await
            .unwrap_or_else(|_| panic!("incomplete trade on Kafka: {order_events:?} {escrow_events:?}"))
            .unwrap();
        let event = CloudEvent::decode(message.payload().unwrap()).unwrap();
        if event.metadata.correlation_id != order_id {
            continue;
        }
        if !delivered.insert(event.event_id) {
            continue;
        }
        let seen = if message.topic() == order_topic { &mut order_events } else { &mut escrow_events };
        seen.push((event.version, event.event_type));
    }
    let in_order =
        |types: &[&str]| -> Vec<(u64, String)> { (1..).zip(types.iter().map(|t| (*t).to_owned())).collect() };
    assert_eq!(order_events, in_order(&["OrderPlaced", "OrderPaid", "OrderShipped", "OrderCompleted"]));
    assert_eq!(escrow_events, in_order(&["EscrowHeld", "EscrowReleased"]));

    drop(server);
    let Profile::Postgres(database) = profile else { unreachable!() };
    database.drop_database().await;
}

/// What analysts read of members: the account topic carries their events with every personal
/// value sealed and no credential at all, through sign-up, a profile change and an erasure.
#[tokio::test]
async fn the_account_topic_holds_no_clear_personal_data_or_credentials() {
    let Some(database) = TestDatabase::create().await else { return };
    let Some(broker) = KafkaBroker::start() else {
        database.drop_database().await;
        return;
    };
    let profile = Profile::Postgres(database);
    let server = TestServer::start(&profile).await;
    let (stays, leaves) = (server.member("stays").await, server.member("leaves").await);
    let edits = serde_json::json!({"nickname": "떠날회원", "phone": "010-4444-5555", "address": "부산광역시 해운대구"});
    let changed = server.send(reqwest::Method::PATCH, "/v1/me", Some(&leaves.token), Some(edits)).await;
    assert_eq!(changed.status, reqwest::StatusCode::OK, "{}", changed.body);
    let close = serde_json::json!({"password": crate::support::PASSWORD});
    let closed = server.send(reqwest::Method::DELETE, "/v1/me", Some(&leaves.token), Some(close)).await;
    assert_eq!(closed.status, reqwest::StatusCode::OK, "{}", closed.body);
    let prefix = format!("e2e{}", Uuid::new_v4().simple());
    let _relay = server.start_relay(&broker.address, &prefix);

    let account_topic = format!("{prefix}.account");
    let deadline = Instant::now() + Duration::from_secs(60);
    let consumer = analyst(&broker.address, &[&account_topic], deadline).await;

    // Each member: AccountRegistered and two ConsentGranted; the leaver's three profile events
    // and AccountErased.
    let expected = 3 + 3 + 3 + 1;
    let mut payloads = std::collections::HashMap::new();
    while payloads.len() < expected {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let message = tokio::time::timeout(remaining, consumer.recv())
            .await
            .unwrap_or_else(|_| panic!("only {} of {expected} account events on Kafka", payloads.len()))
            .unwrap();
        let text = String::from_utf8_lossy(message.payload().unwrap()).into_owned();
        let event = CloudEvent::decode(message.payload().unwrap()).unwrap();
        payloads.insert(event.event_id, (event.event_type, text));
    }
    let types: std::collections::BTreeSet<&str> = payloads.values().map(|(kind, _)| kind.as_str()).collect();
    for kind in ["AccountRegistered", "NicknameChanged", "PhoneChanged", "AddressChanged", "AccountErased"] {
        assert!(types.contains(kind), "{kind} in {types:?}");
    }
    let clear = [
        stays.email.as_str(),
        leaves.email.as_str(),
        "stays",
        "leaves",
        "떠날회원",
        "010-4444-5555",
        "01044445555",
        "해운대",
        "$argon2",
        "password",
    ];
    for (kind, text) in payloads.values() {
        for value in clear {
            assert!(!text.contains(value), "{kind} on Kafka holds {value:?}: {text}");
        }
    }

    drop(server);
    let Profile::Postgres(database) = profile else { unreachable!() };
    database.drop_database().await;
}
