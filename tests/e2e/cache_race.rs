//! The aggregate cache across two API processes sharing one PostgreSQL event store: each process
//! keeps its own copies, and the other process's appends make them stale. A stale copy must cost
//! a retry, never a wrong decision: a price edited elsewhere is the price an order pays, a listing
//! published elsewhere can be ordered, and racing buyers still buy each listing once.

use futures::{StreamExt, stream};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{Member, Profile, TestDatabase, TestServer};

/// Listings raced for in the last part, and how many at once.
const RACES: usize = 100;
const IN_FLIGHT: usize = 8;

#[tokio::test]
async fn stale_cached_aggregates_never_decide_across_two_api_processes() {
    let Some(database) = TestDatabase::create().await else { return };
    let profile = Profile::Postgres(database);
    let settings = [
        ("JANGTEO_JWT_SECRET", "cache-race-processes-share-this-signing-secret-0123"),
        ("JANGTEO_MASTER_KEY", "6361636865207261636520736861726573206f6e65206d6173746572206b6579"),
    ];
    let first = TestServer::start_with(&profile, &settings).await;
    let second = TestServer::start_with(&profile, &settings).await;
    let seller = first.member("판매자").await;
    let buyer = first.member("구매자").await;

    // The first process creates and publishes (its cache holds the listing at 50,000 won); the
    // second changes the price. An order through the first pays the new price.
    let listing = create(&first, &seller, "필름 카메라", 50_000).await;
    publish(&first, &seller, &listing).await;
    let edited = second
        .send(
            Method::PATCH,
            &format!("/v1/listings/{listing}"),
            Some(&seller.token),
            Some(json!({"price": 42_000})),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    let order = place(&first, &buyer, &listing).await;
    assert_eq!(order.0, StatusCode::CREATED, "{}", order.1);
    let order_id = order.1["order_id"].as_str().unwrap();
    let shown = first
        .request(Method::GET, &format!("/v1/orders/{order_id}"), Some(&buyer.token))
        .header("x-consistency-position", order.1["position"].to_string())
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(shown["price"], 42_000, "the order was decided on a stale copy: {shown}");

    // The first process's cache holds a draft; the second publishes it. Ordering through the
    // first is not refused as "not on sale".
    let draft = create(&first, &seller, "전자책 리더기", 120_000).await;
    publish(&second, &seller, &draft).await;
    let order = place(&first, &buyer, &draft).await;
    assert_eq!(order.0, StatusCode::CREATED, "a stale copy refused the order: {}", order.1);

    // Many listings raced for through both processes at once: one order each.
    let rivals = [first.member("구매자A").await, first.member("구매자B").await];
    let listings: Vec<String> = stream::iter(0..RACES)
        .map(|n| {
            let (first, second, seller) = (&first, &second, &seller);
            async move {
                let listing = create(first, seller, &format!("한정판 {n}"), 30_000).await;
                // Published through the other process half of the time, so caches disagree.
                publish(if n % 2 == 0 { first } else { second }, seller, &listing).await;
                listing
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    let winners: Vec<usize> = stream::iter(listings.iter())
        .map(|listing| {
            let (first, second, rivals) = (&first, &second, &rivals);
            async move {
                let (a, b) =
                    tokio::join!(place(first, &rivals[0], listing), place(second, &rivals[1], listing));
                for (status, body) in [&a, &b] {
                    assert!(
                        *status == StatusCode::CREATED
                            || (*status == StatusCode::CONFLICT && body["code"] == "listing_not_available"),
                        "{status} {body}"
                    );
                }
                usize::from(a.0 == StatusCode::CREATED) + usize::from(b.0 == StatusCode::CREATED)
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    assert!(winners.iter().all(|&won| won == 1), "races without exactly one winner: {winners:?}");
    for server in [&first, &second] {
        let metrics =
            server.request(Method::GET, "/metrics", None).send().await.unwrap().text().await.unwrap();
        let hits =
            metrics.lines().find(|line| line.starts_with("jangteo_aggregate_cache_hits_total ")).unwrap();
        println!("{hits}");
        assert_ne!(hits, "jangteo_aggregate_cache_hits_total 0", "the cache was never used");
    }

    let Profile::Postgres(database) = profile else { unreachable!() };
    database.drop_database().await;
}

async fn create(server: &TestServer, seller: &Member, title: &str, price: i64) -> String {
    let created = server
        .send(
            Method::POST,
            "/v1/listings",
            Some(&seller.token),
            Some(json!({ "title": title, "price": price })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.body["listing_id"].as_str().unwrap().to_owned()
}

async fn publish(server: &TestServer, seller: &Member, listing: &str) {
    let published = server
        .send(Method::POST, &format!("/v1/listings/{listing}/publish"), Some(&seller.token), None)
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
}

async fn place(server: &TestServer, buyer: &Member, listing: &str) -> (StatusCode, serde_json::Value) {
    let reply = server
        .send(Method::POST, "/v1/orders", Some(&buyer.token), Some(json!({ "listing_id": listing })))
        .await;
    (reply.status, reply.body)
}
