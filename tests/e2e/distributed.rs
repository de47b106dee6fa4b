//! The distributed profile: PostgreSQL event store, Kafka (a real tansu broker), Redis, one
//! `jangteo worker` and two API instances. Each side of the sale talks to its own instance and
//! reads what the other wrote, waiting on the consistency header.

use reqwest::{Method, StatusCode};
use uuid::Uuid;

use crate::{
    sale::sell_one_listing_across,
    support::{KafkaBroker, Profile, TestDatabase, TestServer, redis_url},
};

#[tokio::test]
async fn two_api_instances_and_a_worker_sell_a_listing_through_kafka() {
    let Some(redis) = redis_url() else { return };
    let Some(database) = TestDatabase::create().await else { return };
    let Some(broker) = KafkaBroker::start() else {
        database.drop_database().await;
        return;
    };
    let prefix = format!("e2e{}", Uuid::new_v4().simple());
    let settings = [
        ("JANGTEO_KAFKA_BROKERS", broker.address.as_str()),
        ("JANGTEO_KAFKA_TOPIC_PREFIX", prefix.as_str()),
        ("JANGTEO_REDIS_URL", redis.as_str()),
        ("JANGTEO_REDIS_KEY_PREFIX", prefix.as_str()),
    ];
    let profile = Profile::Postgres(database);
    let first = TestServer::start_with(&profile, &settings).await;
    let second = first.start_beside().await;
    let _worker = first.start_worker();

    let sale = sell_one_listing_across(&first, &second).await;

    // The order, read through either instance, is the same document.
    let path = format!("/v1/orders/{}", sale.order_id);
    let from_first = first.send(Method::GET, &path, Some(&sale.buyer.token), None).await;
    let from_second = second.send(Method::GET, &path, Some(&sale.buyer.token), None).await;
    assert_eq!(from_first.status, StatusCode::OK, "{}", from_first.body);
    assert_eq!(from_first.body, from_second.body);
    assert_eq!(from_first.body["status"], "completed");

    // Both instances report every backend ready: event store, documents, search, counters.
    for server in [&first, &second] {
        let ready = server.send(Method::GET, "/readyz", None, None).await;
        assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
        assert_eq!(ready.body["backends"].as_array().map(Vec::len), Some(4), "{}", ready.body);
    }

    // Operators see each projection's lag on either instance, read from the workers' checkpoints.
    let metrics = second.request(Method::GET, "/metrics", None).send().await.unwrap().text().await.unwrap();
    for projection in
        ["listing_documents", "order_documents", "listing_search", "listing_cache", "listing_counters"]
    {
        assert!(
            metrics.contains(&format!("jangteo_projection_lag_milliseconds{{projection=\"{projection}\"}}")),
            "{metrics}"
        );
    }

    drop((first, second));
    let Profile::Postgres(database) = profile else { unreachable!() };
    database.drop_database().await;
}
