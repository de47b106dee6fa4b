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

    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", &broker.address)
        .set("group.id", format!("analyst-{}", Uuid::new_v4().simple()))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let order_topic = format!("{prefix}.order");
    let escrow_topic = format!("{prefix}.escrow");
    // The relay creates the topics when it starts; subscribe once they exist.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let metadata = consumer.fetch_metadata(None, Duration::from_secs(5)).unwrap();
        let names: Vec<&str> = metadata.topics().iter().map(rdkafka::metadata::MetadataTopic::name).collect();
        if names.contains(&order_topic.as_str()) && names.contains(&escrow_topic.as_str()) {
            break;
        }
        assert!(Instant::now() < deadline, "the relay never created its topics: {names:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    consumer.subscribe(&[order_topic.as_str(), escrow_topic.as_str()]).unwrap();

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
