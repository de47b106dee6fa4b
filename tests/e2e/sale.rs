//! The walk-through of the README: a listing sold end to end, on both event stores.

use std::time::{Duration, Instant};

use futures::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Member, Profile, TestDatabase, TestServer, redis_url};

#[tokio::test]
async fn a_listing_is_sold_end_to_end_on_the_embedded_profile() {
    let server = TestServer::start(&Profile::Embedded).await;
    let (server, sale) = sell_one_listing(server).await;
    survives_a_restart(server, &sale).await;
}

#[tokio::test]
async fn a_listing_is_sold_end_to_end_through_the_redis_listing_cache() {
    let Some(redis) = redis_url() else { return };
    let prefix = format!("jangteo-e2e-{}", uuid::Uuid::new_v4().simple());
    let settings = [("JANGTEO_REDIS_URL", redis.as_str()), ("JANGTEO_REDIS_KEY_PREFIX", prefix.as_str())];
    let server = TestServer::start_with(&Profile::Embedded, &settings).await;
    let (_server, sale) = sell_one_listing(server).await;
    // The listing page was cached along the way and then kept fresh by the log: it says "sold".
    let mut redis =
        redis::Client::open(redis.as_str()).unwrap().get_multiplexed_async_connection().await.unwrap();
    let key = format!("{prefix}:listing:{}", sale.listing_id);
    let cached: Option<String> = redis::AsyncCommands::get(&mut redis, key).await.unwrap();
    let cached: Value = serde_json::from_str(&cached.expect("the listing is cached")).unwrap();
    assert_eq!(cached["doc"]["status"], "sold", "{cached}");
}

#[tokio::test]
async fn rebuilt_read_models_serve_what_the_live_ones_served() {
    let server = TestServer::start(&Profile::Embedded).await;
    let (server, sale) = sell_one_listing(server).await;
    let token = Some(sale.buyer.token.as_str());
    let listing_path = format!("/v1/listings/{}", sale.listing_id);
    let order_path = format!("/v1/orders/{}", sale.order_id);
    // Views are counted as they happen, not kept in the log: the embedded profile's in-memory
    // counts start again at zero, so the comparison leaves them out.
    let without_views = |mut listing: Value| {
        listing.as_object_mut().map(|fields| fields.remove("view_count"));
        listing
    };
    let live_listing = without_views(server.send(Method::GET, &listing_path, token, None).await.body);
    let live_order = server.send(Method::GET, &order_path, token, None).await.body;
    let search = "/v1/listings?status=on_sale,reserved,sold";
    // The search index commits at most every 200 ms, so it may trail the documents a little.
    let live_search =
        eventually(&server, search, &sale.buyer.token, |page| page["items"][0]["status"] == "sold").await;

    let (server, printed) = server.rebuild_offline().await;
    for name in ["listing_documents", "order_documents", "listing_search"] {
        assert!(printed.contains(&format!("rebuilt {name}")), "{printed}");
    }
    let token = Some(sale.buyer.token.as_str());
    let rebuilt_listing = server.send(Method::GET, &listing_path, token, None).await.body;
    assert_eq!(without_views(rebuilt_listing), live_listing);
    assert_eq!(server.send(Method::GET, &order_path, token, None).await.body, live_order);
    assert_eq!(server.send(Method::GET, search, token, None).await.body, live_search);
}

#[tokio::test]
async fn a_listing_is_sold_end_to_end_on_postgres() {
    let Some(database) = TestDatabase::create().await else { return };
    let profile = Profile::Postgres(database);
    let server = TestServer::start(&profile).await;
    let (server, sale) = sell_one_listing(server).await;
    survives_a_restart(server, &sale).await;
    let Profile::Postgres(database) = profile else { unreachable!() };
    database.drop_database().await;
}

#[tokio::test]
async fn a_cancelled_paid_order_refunds_and_reopens_the_listing() {
    let server = TestServer::start(&Profile::Embedded).await;
    let seller = server.member("seller").await;
    let buyer = server.member("buyer").await;
    let listing_id = on_sale_listing(&server, &seller, "자전거 판매", 120_000).await;
    let placed = server
        .send(Method::POST, "/v1/orders", Some(&buyer.token), Some(json!({"listing_id": listing_id})))
        .await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
    let order_id = placed.body["order_id"].as_str().unwrap().to_owned();
    let paid = server
        .send(
            Method::POST,
            &format!("/v1/orders/{order_id}/payment"),
            Some(&buyer.token),
            Some(json!({"method": "card"})),
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    let cancelled = server
        .send(
            Method::POST,
            &format!("/v1/orders/{order_id}/cancellation"),
            Some(&seller.token),
            Some(json!({"reason": "재고가 없어요"})),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(cancelled.body["status"], "cancelled");

    let order = eventually(&server, &format!("/v1/orders/{order_id}"), &buyer.token, |order| {
        order["escrow_status"] == "refunded"
    })
    .await;
    assert_eq!(order["status"], "cancelled");
    let listing = eventually(&server, &format!("/v1/listings/{listing_id}"), &buyer.token, |listing| {
        listing["status"] == "on_sale"
    })
    .await;
    assert_eq!(listing["listing_id"], listing_id.as_str());

    // Shipping a cancelled order is refused with a conflict.
    let ship = server
        .send(
            Method::POST,
            &format!("/v1/orders/{order_id}/shipment"),
            Some(&seller.token),
            Some(json!({"carrier": "kr.cjlogistics", "tracking_number": "630612345678"})),
        )
        .await;
    ship.assert_problem(StatusCode::CONFLICT, "invalid_state_transition");
}

/// Creates and publishes a listing; returns its id once it is readable.
pub async fn on_sale_listing(server: &TestServer, seller: &Member, title: &str, price: i64) -> String {
    let created = server
        .send(
            Method::POST,
            "/v1/listings",
            Some(&seller.token),
            Some(json!({"title": title, "description": "상태 좋아요. 직거래 가능", "price": price, "category_id": "iphone"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let listing_id = created.body["listing_id"].as_str().unwrap().to_owned();
    let published = server
        .send(Method::POST, &format!("/v1/listings/{listing_id}/publish"), Some(&seller.token), None)
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    listing_id
}

/// An order of `listing` placed and paid (by card) by `buyer`; returns the order id.
pub async fn paid_order(server: &TestServer, buyer: &Member, listing: &str) -> String {
    let order = server
        .send(Method::POST, "/v1/orders", Some(&buyer.token), Some(json!({ "listing_id": listing })))
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    let order_id = order.body["order_id"].as_str().unwrap().to_owned();
    let paid = server
        .send(
            Method::POST,
            &format!("/v1/orders/{order_id}/payment"),
            Some(&buyer.token),
            Some(json!({ "method": "card" })),
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    order_id
}

/// `count` listings put on sale by `seller`, titled `<title> <n>`, 16 at a time.
pub async fn on_sale_listings(
    server: &TestServer,
    seller: &Member,
    count: usize,
    title: &str,
    price: i64,
) -> Vec<String> {
    futures::stream::iter(0..count)
        .map(|n| async move { on_sale_listing(server, seller, &format!("{title} {n}"), price).await })
        .buffer_unordered(16)
        .collect()
        .await
}

/// Polls a query until `done` holds, for at most 10 s. Used only for effects of the process
/// manager, whose positions the client cannot know in advance.
pub async fn eventually(
    server: &TestServer,
    path: &str,
    token: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    eventually_within(Duration::from_secs(10), server, path, token, done).await
}

/// [`eventually`] with another time limit.
pub async fn eventually_within(
    limit: Duration,
    server: &TestServer,
    path: &str,
    token: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + limit;
    loop {
        let reply = server.send(Method::GET, path, Some(token), None).await;
        if reply.status == StatusCode::OK && done(&reply.body) {
            return reply.body;
        }
        if Instant::now() >= deadline {
            // What the projections had reached, for whoever reads the failure.
            let metrics = match server.request(Method::GET, "/metrics", None).send().await {
                Ok(response) => response.text().await.unwrap_or_default(),
                Err(error) => error.to_string(),
            };
            let positions: Vec<&str> = metrics
                .lines()
                .filter(|line| line.starts_with("jangteo_") && !line.contains("lag_ms"))
                .collect();
            panic!("{path} never reached the expected state; last: {}; {positions:?}", reply.body);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What a finished sale leaves behind, to check after a restart.
pub(crate) struct Sale {
    pub listing_id: String,
    pub order_id: String,
    pub buyer: Member,
}

/// Kills the server (SIGKILL) and starts it on the same data: everything acknowledged is still there,
/// and tokens issued before the restart are still accepted.
async fn survives_a_restart(server: TestServer, sale: &Sale) {
    let server = server.restart().await;
    let listing = server
        .send(Method::GET, &format!("/v1/listings/{}", sale.listing_id), Some(&sale.buyer.token), None)
        .await;
    assert_eq!(listing.status, StatusCode::OK, "{}", listing.body);
    assert_eq!(listing.body["status"], "sold");
    let order = server
        .send(Method::GET, &format!("/v1/orders/{}", sale.order_id), Some(&sale.buyer.token), None)
        .await;
    assert_eq!(order.status, StatusCode::OK, "{}", order.body);
    assert_eq!(order.body["escrow_status"], "released");
    let session = server
        .send(
            Method::POST,
            "/v1/sessions",
            None,
            Some(json!({"email": sale.buyer.email, "password": "correct horse battery staple"})),
        )
        .await;
    assert_eq!(session.status, StatusCode::CREATED, "{}", session.body);
}

pub(crate) async fn sell_one_listing(server: TestServer) -> (TestServer, Sale) {
    let sale = sell_one_listing_across(&server, &server).await;
    (server, sale)
}

/// The sale, with the seller's requests going to `seller_api` and the buyer's to `buyer_api`:
/// each side reads what the other wrote through the consistency header.
pub(crate) async fn sell_one_listing_across(seller_api: &TestServer, buyer_api: &TestServer) -> Sale {
    let seller = seller_api.member("판매자").await;
    let buyer = buyer_api.member("구매자").await;

    // The seller lists an item and publishes it.
    let created = seller_api
        .send(
            Method::POST,
            "/v1/listings",
            Some(&seller.token),
            Some(json!({"title": "아이폰 15 프로 256GB", "description": "배터리 성능 95%, 케이스 포함", "price": 950_000})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let listing_id = created.body["listing_id"].as_str().unwrap().to_owned();
    let published = seller_api
        .send(Method::POST, &format!("/v1/listings/{listing_id}/publish"), Some(&seller.token), None)
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    let repriced = seller_api
        .send(
            Method::PATCH,
            &format!("/v1/listings/{listing_id}"),
            Some(&seller.token),
            Some(json!({"price": 900_000})),
        )
        .await;
    assert_eq!(repriced.status, StatusCode::OK, "{}", repriced.body);

    // Read-your-writes: the query waits until projections reach the command's position.
    let listing = buyer_api
        .request(Method::GET, &format!("/v1/listings/{listing_id}"), Some(&buyer.token))
        .header("X-Consistency-Position", repriced.position().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(listing.status(), StatusCode::OK);
    let listing: Value = listing.json().await.unwrap();
    assert_eq!(listing["status"], "on_sale");
    assert_eq!(listing["price"], 900_000);
    assert_eq!(listing["seller_id"], seller.account_id.as_str());
    assert_eq!(listing["version"], 3);

    // The buyer finds it by a word of its title, within a price range.
    let found = buyer_api
        .request(Method::GET, "/v1/listings", Some(&buyer.token))
        .query(&[("q", "아이폰"), ("min_price", "500000"), ("max_price", "1000000")])
        .header("X-Consistency-Position", repriced.position().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(found.status(), StatusCode::OK);
    let found: Value = found.json().await.unwrap();
    let ids: Vec<&str> =
        found["items"].as_array().unwrap().iter().filter_map(|i| i["listing_id"].as_str()).collect();
    assert_eq!(ids, vec![listing_id.as_str()], "{found}");
    let too_cheap = buyer_api
        .request(Method::GET, "/v1/listings", Some(&buyer.token))
        .query(&[("q", "아이폰"), ("max_price", "100000")])
        .send()
        .await
        .unwrap();
    let too_cheap: Value = too_cheap.json().await.unwrap();
    assert_eq!(too_cheap["items"].as_array().map(Vec::len), Some(0), "{too_cheap}");

    // The buyer marks it as a favourite (twice: counted once); the seller cannot mark their own.
    let favourite = format!("/v1/listings/{listing_id}/favourite");
    let marked = buyer_api.send(Method::PUT, &favourite, Some(&buyer.token), None).await;
    assert_eq!(marked.status, StatusCode::OK, "{}", marked.body);
    assert_eq!(marked.body["favourited"], true);
    let again = buyer_api.send(Method::PUT, &favourite, Some(&buyer.token), None).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    seller_api
        .send(Method::PUT, &favourite, Some(&seller.token), None)
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    // The seller's page shows the count (and the buyer's earlier view); the seller's own look is
    // not a view.
    let page = seller_api
        .request(Method::GET, &format!("/v1/listings/{listing_id}"), Some(&seller.token))
        .header("X-Consistency-Position", again.position().to_string())
        .send()
        .await
        .unwrap();
    let page: Value = page.json().await.unwrap();
    assert_eq!(page["favourite_count"], 1, "{page}");
    assert_eq!(page["view_count"], 1, "{page}");
    let unmarked = buyer_api.send(Method::DELETE, &favourite, Some(&buyer.token), None).await;
    assert_eq!(unmarked.body["favourited"], false, "{}", unmarked.body);
    let page = buyer_api
        .request(Method::GET, &format!("/v1/listings/{listing_id}"), Some(&buyer.token))
        .header("X-Consistency-Position", unmarked.position().to_string())
        .send()
        .await
        .unwrap();
    let page: Value = page.json().await.unwrap();
    assert_eq!((page["favourite_count"].as_u64(), page["view_count"].as_u64()), (Some(0), Some(2)), "{page}");

    // The buyer orders it, with an idempotency key; a retry returns the same order and appends nothing.
    let order_request = || {
        buyer_api
            .request(Method::POST, "/v1/orders", Some(&buyer.token))
            .header("Idempotency-Key", "order-iphone-1")
            .json(&json!({"listing_id": listing_id}))
    };
    let placed = order_request().send().await.unwrap();
    assert_eq!(placed.status(), StatusCode::CREATED);
    let placed: Value = placed.json().await.unwrap();
    let order_id = placed["order_id"].as_str().unwrap().to_owned();
    assert_eq!(placed["status"], "placed");
    let retried = order_request().send().await.unwrap();
    assert_eq!(retried.status(), StatusCode::CREATED);
    assert_eq!(retried.headers().get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
    let retried: Value = retried.json().await.unwrap();
    assert_eq!(retried["order_id"], placed["order_id"]);
    assert_eq!(retried["position"], placed["position"], "a retried command appends nothing");

    // A second buyer is too late.
    let rival = seller_api.member("경쟁자").await;
    let late = seller_api
        .send(Method::POST, "/v1/orders", Some(&rival.token), Some(json!({"listing_id": listing_id})))
        .await;
    late.assert_problem(StatusCode::CONFLICT, "listing_not_available");

    // Payment puts the money in escrow; the seller ships; the buyer confirms.
    let paid = buyer_api
        .send(
            Method::POST,
            &format!("/v1/orders/{order_id}/payment"),
            Some(&buyer.token),
            Some(json!({"method": "card"})),
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    assert_eq!(paid.body["status"], "paid");
    let order = seller_api
        .request(Method::GET, &format!("/v1/orders/{order_id}"), Some(&seller.token))
        .header("X-Consistency-Position", paid.position().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(order.status(), StatusCode::OK);
    let order: Value = order.json().await.unwrap();
    assert_eq!(order["status"], "paid");
    assert_eq!(order["escrow_status"], "held");
    assert_eq!(order["price"], 900_000);
    assert_eq!(order["buyer_id"], buyer.account_id.as_str());

    let shipped = seller_api
        .send(
            Method::POST,
            &format!("/v1/orders/{order_id}/shipment"),
            Some(&seller.token),
            Some(json!({"carrier": "kr.cjlogistics", "tracking_number": "6306-1234-5678"})),
        )
        .await;
    assert_eq!(shipped.status, StatusCode::OK, "{}", shipped.body);
    assert_eq!(shipped.body["status"], "shipped");
    let confirmed = buyer_api
        .send(Method::POST, &format!("/v1/orders/{order_id}/confirmation"), Some(&buyer.token), None)
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert_eq!(confirmed.body["status"], "completed");

    // The process manager sells the listing and releases the escrow to the seller.
    let order = eventually(buyer_api, &format!("/v1/orders/{order_id}"), &buyer.token, |order| {
        order["escrow_status"] == "released"
    })
    .await;
    assert_eq!(order["status"], "completed");
    eventually(seller_api, &format!("/v1/listings/{listing_id}"), &buyer.token, |l| l["status"] == "sold")
        .await;

    // Strangers see nothing of the order.
    let stranger = seller_api.member("구경꾼").await;
    seller_api
        .send(Method::GET, &format!("/v1/orders/{order_id}"), Some(&stranger.token), None)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not_found");
    seller_api
        .send(Method::GET, &format!("/v1/orders/{order_id}/timeline"), Some(&stranger.token), None)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not_found");
    seller_api
        .send(Method::POST, &format!("/v1/orders/{order_id}/confirmation"), Some(&stranger.token), None)
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");

    // The timeline tells the whole story, in log order, with who did each step; the seller's
    // settlement follows the release.
    let timeline = eventually(seller_api, &format!("/v1/orders/{order_id}/timeline"), &seller.token, |t| {
        t["entries"]
            .as_array()
            .and_then(|e| e.last())
            .is_some_and(|e| e["event_type"] == "SettlementScheduled")
    })
    .await;
    let entries = timeline["entries"].as_array().unwrap();
    let steps: Vec<(&str, Option<&str>)> =
        entries.iter().map(|e| (e["event_type"].as_str().unwrap(), e["actor_id"].as_str())).collect();
    let seller_id = Some(seller.account_id.as_str());
    let buyer_id = Some(buyer.account_id.as_str());
    assert_eq!(
        steps,
        vec![
            ("ListingCreated", seller_id),
            ("ListingPublished", seller_id),
            ("ListingPriceChanged", seller_id),
            ("ListingReserved", buyer_id),
            ("OrderPlaced", buyer_id),
            ("OrderPaid", buyer_id),
            ("EscrowHeld", buyer_id),
            ("OrderShipped", seller_id),
            ("OrderCompleted", buyer_id),
            ("ListingSold", None),
            ("EscrowReleased", None),
            ("SettlementScheduled", None),
        ]
    );
    let positions: Vec<u64> = entries.iter().map(|e| e["global_position"].as_u64().unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "timeline is in log order: {positions:?}");
    let system_entry = &entries[9];
    assert_eq!(system_entry["actor_role"], "system");
    assert!(system_entry["causation_id"].is_string(), "a reaction records its cause");
    assert_eq!(entries[10]["state_after"]["escrow"]["status"], "released");
    assert_eq!(entries[9]["state_after"]["listing"]["status"], "sold");

    // Operators see the log head and each projection's position and lag.
    let metrics =
        buyer_api.request(Method::GET, "/metrics", None).send().await.unwrap().text().await.unwrap();
    let gauge = |name: &str| -> u64 {
        let line =
            metrics.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{name} in {metrics}"));
        line.rsplit(' ').next().and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{line}"))
    };
    let last_in_timeline = entries.last().and_then(|e| e["global_position"].as_u64()).unwrap();
    assert!(gauge("jangteo_log_head_position ") >= last_in_timeline, "{metrics}");
    for projection in ["listing_documents", "order_documents", "listing_search"] {
        let lag = gauge(&format!("jangteo_projection_lag_events{{projection=\"{projection}\"}}"));
        let position = gauge(&format!("jangteo_projection_position{{projection=\"{projection}\"}}"));
        assert_eq!(lag, gauge("jangteo_log_head_position ").saturating_sub(position), "{metrics}");
    }

    Sale { listing_id, order_id, buyer }
}

on_both_profiles!(
    a_withdrawn_listing_cannot_be_ordered_and_only_its_seller_sees_it,
    a_withdrawn_listing_cannot_be_ordered_and_only_its_seller_sees_it_on_postgres,
    withdrawal
);

async fn withdrawal(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let seller = server.member("판매자").await;
    let buyer = server.member("구매자").await;
    let listing = on_sale_listing(&server, &seller, "접이식 자전거", 150_000).await;
    let path = format!("/v1/listings/{listing}/withdrawal");
    server
        .send(Method::POST, &path, Some(&buyer.token), None)
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let withdrawn = server.send(Method::POST, &path, Some(&seller.token), None).await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.body);
    assert_eq!(withdrawn.body["status"], "withdrawn", "{}", withdrawn.body);
    server
        .send(Method::POST, "/v1/orders", Some(&buyer.token), Some(json!({ "listing_id": listing })))
        .await
        .assert_problem(StatusCode::CONFLICT, "listing_not_available");
    server
        .send(Method::POST, &path, Some(&seller.token), None)
        .await
        .assert_problem(StatusCode::CONFLICT, "invalid_state_transition");
    let position = withdrawn.position().to_string();
    let as_seen_by = |member: &Member| {
        server
            .request(Method::GET, &format!("/v1/listings/{listing}"), Some(&member.token))
            .header("x-consistency-position", position.clone())
            .send()
    };
    assert_eq!(as_seen_by(&buyer).await.unwrap().status(), StatusCode::NOT_FOUND);
    let own = as_seen_by(&seller).await.unwrap().json::<Value>().await.unwrap();
    assert_eq!(own["status"], "withdrawn", "{own}");
}
