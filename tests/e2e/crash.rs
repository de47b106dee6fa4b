//! Crash safety: processes are killed (SIGKILL) in the middle of a load of orders on PostgreSQL
//! and started again — the API alone, and in the distributed profile the API and the worker (relay,
//! process manager and Kafka-fed projections) together. Every order that was acknowledged is in
//! the log; every request that was not, retried with its `Idempotency-Key`, lands exactly once;
//! nothing is in the log twice; and the read models equal a fresh rebuild from the log.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::Connection;
use tokio::sync::mpsc;

use crate::{
    sale::{eventually_within, on_sale_listings},
    support::{KafkaBroker, Member, Profile, TestDatabase, TestServer, redis_url},
};

const LISTINGS: usize = 240;
const WRITERS: usize = 12;
/// The process dies once this many orders were acknowledged.
const KILL_AFTER_ACKS: usize = 60;

/// How long the read models may take to catch up after the crash.
const CATCH_UP: std::time::Duration = std::time::Duration::from_secs(60);

/// What one order request came to before the crash.
enum Outcome {
    Acked { listing: String, order_id: String },
    NotAcked { listing: String },
}

async fn place(http: &reqwest::Client, base: &str, token: &str, listing: &str) -> Option<String> {
    let answer = http
        .post(format!("{base}/v1/orders"))
        .bearer_auth(token)
        .header("Idempotency-Key", format!("crash-{listing}"))
        .json(&json!({ "listing_id": listing }))
        .send()
        .await
        .ok()?;
    if answer.status() != StatusCode::CREATED {
        return None;
    }
    let body: Value = answer.json().await.ok()?;
    body["order_id"].as_str().map(str::to_owned)
}

/// Puts `LISTINGS` listings on sale and runs the order load over them; once `KILL_AFTER_ACKS`
/// orders were acknowledged, `crash` kills what it kills and returns the API started again. Then
/// the client retries, with the same keys, every request it never heard back about. Returns the
/// server and every (listing, order) acknowledged.
async fn orders_through_a_crash(
    server: TestServer,
    mut crash: impl AsyncFnMut(TestServer) -> TestServer,
) -> (TestServer, Member, Vec<(String, String)>) {
    let seller = server.member("판매자").await;
    let buyer = server.member("구매자").await;
    let listings = on_sale_listings(&server, &seller, LISTINGS, "시계", 70_000).await;
    // The crash hits processes in their steady state: the read models have caught up with the
    // seeding (in the distributed profile, the worker's consumers have joined their groups).
    if let Some(last) = listings.last() {
        eventually_within(CATCH_UP, &server, &format!("/v1/listings/{last}"), &seller.token, |listing| {
            listing["status"] == "on_sale"
        })
        .await;
    }

    // The load: writers take listings in turn and order them, each with its own key.
    let (outcomes, mut received) = mpsc::unbounded_channel();
    let next = Arc::new(AtomicUsize::new(0));
    let listings = Arc::new(listings);
    for _ in 0..WRITERS {
        let (http, base, token) = (server.http.clone(), server.base_url.clone(), buyer.token.clone());
        let (next, listings, outcomes) = (Arc::clone(&next), Arc::clone(&listings), outcomes.clone());
        tokio::spawn(async move {
            while let Some(listing) = listings.get(next.fetch_add(1, Ordering::Relaxed)).cloned() {
                let outcome = match place(&http, &base, &token, &listing).await {
                    Some(order_id) => Outcome::Acked { listing, order_id },
                    None => Outcome::NotAcked { listing },
                };
                if outcomes.send(outcome).is_err() {
                    return;
                }
            }
        });
    }
    drop(outcomes);

    let mut acked = Vec::new();
    let mut not_acked = Vec::new();
    let mut server = Some(server);
    let mut restarted = None;
    while let Some(outcome) = received.recv().await {
        match outcome {
            Outcome::Acked { listing, order_id } => acked.push((listing, order_id)),
            Outcome::NotAcked { listing } => not_acked.push(listing),
        }
        if acked.len() == KILL_AFTER_ACKS
            && let Some(running) = server.take()
        {
            restarted = Some(crash(running).await);
        }
    }
    let server = restarted.or(server).expect("a server");
    assert!(acked.len() >= KILL_AFTER_ACKS);
    assert!(!not_acked.is_empty(), "the kill cut requests short");

    // The client retries what it never heard back about, with the same keys.
    for listing in &not_acked {
        let order_id = place(&server.http, &server.base_url, &buyer.token, listing).await;
        let order_id = order_id.unwrap_or_else(|| panic!("the retry of {listing} was refused"));
        acked.push((listing.clone(), order_id));
    }
    (server, buyer, acked)
}

/// The log holds every acknowledged order, each listing reserved once, nothing twice.
async fn assert_log_holds_each_order_once(database_url: &str, acked: &[(String, String)]) {
    let mut db = sqlx::PgConnection::connect(database_url).await.expect("connecting to the test database");
    let placed: Vec<(uuid::Uuid,)> =
        sqlx::query_as("SELECT stream_id FROM events WHERE event_type = 'OrderPlaced'")
            .fetch_all(&mut db)
            .await
            .unwrap();
    let placed: std::collections::BTreeSet<String> = placed.into_iter().map(|(id,)| id.to_string()).collect();
    for (listing, order_id) in acked {
        assert!(
            placed.contains(order_id),
            "order {order_id} for {listing} was acknowledged but is not in the log"
        );
    }
    let (reservations, reserved): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT stream_id) FROM events WHERE event_type = 'ListingReserved'",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    let expected = i64::try_from(LISTINGS).unwrap();
    assert_eq!((placed.len(), reservations, reserved), (LISTINGS, expected, expected), "nothing twice");
}

/// The live order documents, once caught up, equal what a rebuild from the log serves. A rebuild
/// runs with the read models' writers stopped: `stop_writers` stops those beside the API (a
/// worker), and the API is stopped for the rebuild and started again.
///
/// Catching up may take a while after a crash in the distributed profile: the restarted worker's
/// consumers get the log's partition only once the killed ones' Kafka sessions expire (10 s).
async fn assert_read_models_equal_a_rebuild(
    server: TestServer,
    buyer: &Member,
    acked: &[(String, String)],
    stop_writers: impl AsyncFnOnce(),
) {
    let mut live = Vec::new();
    for (_, order_id) in acked {
        live.push(
            eventually_within(CATCH_UP, &server, &format!("/v1/orders/{order_id}"), &buyer.token, |o| {
                o["status"] == "placed"
            })
            .await,
        );
    }
    stop_writers().await;
    let (server, _) = server.rebuild_offline().await;
    for ((_, order_id), before) in acked.iter().zip(&live) {
        let after =
            server.send(Method::GET, &format!("/v1/orders/{order_id}"), Some(&buyer.token), None).await;
        assert_eq!(&after.body, before, "order {order_id} after a rebuild");
    }
}

#[tokio::test]
async fn a_killed_api_loses_no_acknowledged_order_and_duplicates_nothing() {
    let Some(database) = TestDatabase::create().await else { return };
    let url = database.url.clone();
    let profile = Profile::Postgres(database);
    let server = TestServer::start(&profile).await;
    // SIGKILL mid-load: no graceful shutdown, requests in flight are cut.
    let (server, buyer, acked) =
        orders_through_a_crash(server, async |running| running.restart().await).await;
    assert_log_holds_each_order_once(&url, &acked).await;
    assert_read_models_equal_a_rebuild(server, &buyer, &acked, async || {}).await;
    let Profile::Postgres(database) = profile else { unreachable!() };
    database.drop_database().await;
}

/// The worker runs with a member name (`JANGTEO_KAFKA_MEMBER_NAME`), as a restartable worker
/// should: without one, on a loaded machine the restarted worker's consumers could wait more than
/// a minute for their partitions while the broker still counted the killed ones as members.
#[tokio::test]
async fn a_killed_api_and_worker_lose_nothing_and_their_read_models_equal_a_rebuild() {
    let Some(redis) = redis_url() else { return };
    let Some(database) = TestDatabase::create().await else { return };
    let Some(broker) = KafkaBroker::start() else {
        database.drop_database().await;
        return;
    };
    let url = database.url.clone();
    let prefix = format!("crash{}", uuid::Uuid::new_v4().simple());
    let settings = [
        ("JANGTEO_KAFKA_BROKERS", broker.address.as_str()),
        ("JANGTEO_KAFKA_TOPIC_PREFIX", prefix.as_str()),
        ("JANGTEO_REDIS_URL", redis.as_str()),
        ("JANGTEO_REDIS_KEY_PREFIX", prefix.as_str()),
        ("JANGTEO_KAFKA_MEMBER_NAME", "crash-test-worker"),
    ];
    let profile = Profile::Postgres(database);
    let server = TestServer::start_with(&profile, &settings).await;
    let mut worker = server.start_worker();

    // SIGKILL the worker (relay, process manager, projections mid-batch) and the API together.
    let (server, buyer, acked) = orders_through_a_crash(server, async |running| {
        worker.kill().await.expect("killing the worker");
        let restarted = running.restart().await;
        worker = restarted.start_worker();
        restarted
    })
    .await;
    assert_log_holds_each_order_once(&url, &acked).await;
    // The read models the restarted worker caught up from Kafka equal an offline rebuild.
    assert_read_models_equal_a_rebuild(server, &buyer, &acked, async || {
        worker.kill().await.expect("stopping the worker");
    })
    .await;
    drop(broker);
    let Profile::Postgres(database) = profile else { unreachable!() };
    database.drop_database().await;
}
