//! Retries and hot streams through HTTP, as a client that timed out and tried again would send
//! them: ten copies of one request with one `Idempotency-Key`, all at once, get the first answer;
//! racing dispute openings and checkout retries never fail with a server error; a cart filled by
//! many requests at once takes every one of them.

use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    sale::{on_sale_listing, on_sale_listings, paid_order},
    support::{Member, Profile, TestServer},
};

/// How many copies of one request a test sends at once.
const COPIES: usize = 10;

/// One answer, with whether the server said it replayed an earlier one.
struct Answer {
    status: StatusCode,
    replayed: bool,
    body: Value,
}

/// Sends `COPIES` copies of one request at once, all with the same `Idempotency-Key`.
async fn copies(
    server: &TestServer,
    path: &str,
    member: &Member,
    key: &str,
    body: Option<&Value>,
) -> Vec<Answer> {
    let requests = (0..COPIES).map(|_| async {
        let mut request =
            server.request(Method::POST, path, Some(&member.token)).header("idempotency-key", key);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let replayed = response.headers().get("idempotent-replayed").is_some_and(|v| v == "true");
        let text = response.text().await.expect("body");
        Answer { status, replayed, body: serde_json::from_str(&text).unwrap_or(Value::String(text)) }
    });
    join_all(requests).await
}

/// Every copy got `status` and the same body (the first answer, position and all).
fn assert_one_answer(answers: &[Answer], status: StatusCode, what: &str) -> Value {
    for answer in answers {
        assert_eq!(answer.status, status, "{what}: {}", answer.body);
        assert_eq!(answer.body, answers[0].body, "{what}: every copy gets the first answer");
    }
    answers[0].body.clone()
}

/// Of the copies of an order command, all but one say they replayed the first
/// (`Idempotent-Replayed: true`).
fn assert_applied_once(answers: &[Answer], status: StatusCode, what: &str) -> Value {
    let answer = assert_one_answer(answers, status, what);
    let fresh = answers.iter().filter(|answer| !answer.replayed).count();
    assert_eq!(fresh, 1, "{what}: {fresh} copies were applied, not replayed");
    answer
}

on_both_profiles!(
    ten_copies_of_each_command_get_the_first_answer,
    ten_copies_of_each_command_get_the_first_answer_on_postgres,
    keyed_copies
);

async fn keyed_copies(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let seller = server.member("판매자").await;
    let buyer = server.member("구매자").await;

    let listing = on_sale_listing(&server, &seller, "닌텐도 스위치", 230_000).await;
    let place = json!({ "listing_id": listing });
    let placed = copies(&server, "/v1/orders", &buyer, "place-1", Some(&place)).await;
    let order = assert_applied_once(&placed, StatusCode::CREATED, "place");
    let order_id = order["order_id"].as_str().unwrap().to_owned();

    let pay = json!({ "method": "card" });
    let paid = copies(&server, &format!("/v1/orders/{order_id}/payment"), &buyer, "pay-1", Some(&pay)).await;
    assert_eq!(assert_applied_once(&paid, StatusCode::OK, "pay")["status"], "paid");

    let ship = json!({ "carrier": "kr.cjlogistics", "tracking_number": "630612345678" });
    let shipped =
        copies(&server, &format!("/v1/orders/{order_id}/shipment"), &seller, "ship-1", Some(&ship)).await;
    assert_eq!(assert_applied_once(&shipped, StatusCode::OK, "ship")["status"], "shipped");

    let confirmed =
        copies(&server, &format!("/v1/orders/{order_id}/confirmation"), &buyer, "confirm-1", None).await;
    assert_eq!(assert_applied_once(&confirmed, StatusCode::OK, "confirm")["status"], "completed");

    let other = on_sale_listing(&server, &seller, "게임 타이틀", 40_000).await;
    let placed = server
        .send(Method::POST, "/v1/orders", Some(&buyer.token), Some(json!({ "listing_id": other })))
        .await;
    let other_order = placed.body["order_id"].as_str().unwrap().to_owned();
    let cancel = json!({ "reason": "마음이 바뀌었어요" });
    let cancelled =
        copies(&server, &format!("/v1/orders/{other_order}/cancellation"), &buyer, "cancel-1", Some(&cancel))
            .await;
    assert_eq!(assert_applied_once(&cancelled, StatusCode::OK, "cancel")["status"], "cancelled");

    let in_cart = on_sale_listings(&server, &seller, 2, "보드게임", 15_000).await;
    for listing in &in_cart {
        let added =
            server.send(Method::PUT, &format!("/v1/cart/items/{listing}"), Some(&buyer.token), None).await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    }
    let checked_out = copies(&server, "/v1/cart/checkout", &buyer, "checkout-1", None).await;
    let checkout = assert_one_answer(&checked_out, StatusCode::CREATED, "checkout");
    assert_eq!(checkout["orders"].as_array().map(Vec::len), Some(1), "{checkout}");
}

on_both_profiles!(
    racing_dispute_openings_and_checkouts_never_fail_with_a_server_error,
    racing_dispute_openings_and_checkouts_never_fail_with_a_server_error_on_postgres,
    racing_without_keys
);

async fn racing_without_keys(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let seller = server.member("판매자").await;
    let buyer = server.member("구매자").await;
    let listing = on_sale_listing(&server, &seller, "무선 이어폰", 120_000).await;
    let order_id = paid_order(&server, &buyer, &listing).await;

    // Buyer and seller open a dispute at the same moment, five times each: one opens it, the
    // others are told it is open already. The escrow is frozen once.
    let open = |member: &Member| {
        let path = format!("/v1/orders/{order_id}/dispute");
        let body = json!({ "reason": "물건이 설명과 달라요" });
        let token = member.token.clone();
        let server = &server;
        async move { server.send(Method::POST, &path, Some(&token), Some(body)).await }
    };
    let openings = join_all((0..COPIES).map(|n| open(if n % 2 == 0 { &buyer } else { &seller }))).await;
    let opened = openings.iter().filter(|reply| reply.status == StatusCode::CREATED).count();
    assert_eq!(opened, 1, "exactly one opening wins");
    for reply in openings.iter().filter(|reply| reply.status != StatusCode::CREATED) {
        reply.assert_problem(StatusCode::CONFLICT, "invalid_state_transition");
    }
    let timeline =
        server.send(Method::GET, &format!("/v1/orders/{order_id}/timeline"), Some(&buyer.token), None).await;
    let frozen = timeline.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["event_type"] == "EscrowFrozen")
        .count();
    assert_eq!(frozen, 1, "{}", timeline.body);

    // Ten checkouts of one cart without a key: one places the order, the rest find nothing left
    // to order or the listing taken, and none is a server error.
    let in_cart = on_sale_listings(&server, &seller, 2, "캠핑 랜턴", 30_000).await;
    for listing in &in_cart {
        let added =
            server.send(Method::PUT, &format!("/v1/cart/items/{listing}"), Some(&buyer.token), None).await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    }
    let checkouts = join_all(
        (0..COPIES).map(|_| server.send(Method::POST, "/v1/cart/checkout", Some(&buyer.token), None)),
    )
    .await;
    for reply in &checkouts {
        assert!(!reply.status.is_server_error(), "checkout answered {}: {}", reply.status, reply.body);
    }
    let placed = checkouts.iter().filter(|reply| reply.status == StatusCode::CREATED).count();
    assert!(placed >= 1, "no checkout succeeded");
    for listing in &in_cart {
        let shown =
            server.send(Method::GET, &format!("/v1/listings/{listing}"), Some(&buyer.token), None).await;
        assert_ne!(shown.status, StatusCode::INTERNAL_SERVER_ERROR);
    }
}

on_both_profiles!(
    thirty_five_concurrent_cart_additions_all_succeed,
    thirty_five_concurrent_cart_additions_all_succeed_on_postgres,
    hot_cart
);

async fn hot_cart(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let seller = server.member("판매자").await;
    let buyer = server.member("구매자").await;
    // A cart holds at most 30 listings: 30 new ones and 5 added a second time.
    let listings = on_sale_listings(&server, &seller, 30, "중고 만화책", 3_000).await;
    let paths: Vec<String> = listings
        .iter()
        .chain(listings.iter().take(5))
        .map(|listing| format!("/v1/cart/items/{listing}"))
        .collect();
    let answers =
        join_all(paths.iter().map(|path| server.send(Method::PUT, path, Some(&buyer.token), None))).await;
    for answer in &answers {
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    }
    let cart = server.send(Method::GET, "/v1/cart", Some(&buyer.token), None).await;
    let lines: usize = cart.body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|group| group["lines"].as_array().unwrap().len())
        .sum();
    assert_eq!(lines, 30, "{}", cart.body);
    let metrics = server.request(Method::GET, "/metrics", None).send().await.unwrap().text().await.unwrap();
    let retries =
        metrics.lines().find(|line| line.starts_with("jangteo_command_retries_total ")).unwrap_or("");
    println!("35 concurrent cart additions: {retries}");
}
