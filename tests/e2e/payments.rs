//! Payments through the gateway port, on the embedded profile's simulated gateway: a declined
//! card leaves the order unpaid and moves no money; a tampered amount is refused before the
//! gateway is asked; the right amount pays; an order not paid in time expires.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    sale::{eventually, on_sale_listing},
    support::{Profile, TestServer},
};

#[tokio::test]
async fn declined_payments_and_tampered_amounts_leave_the_order_unpaid() {
    let server = TestServer::start(&Profile::Embedded).await;
    let seller = server.member("판매자").await;
    let buyer = server.member("구매자").await;

    // The simulated gateway declines amounts ending in 13 won.
    let unlucky = on_sale_listing(&server, &seller, "중고 키보드", 30_013).await;
    let order = server
        .send(Method::POST, "/v1/orders", Some(&buyer.token), Some(json!({ "listing_id": unlucky })))
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    let order_id = order.body["order_id"].as_str().unwrap().to_owned();
    let payment = format!("/v1/orders/{order_id}/payment");
    server
        .send(Method::POST, &payment, Some(&buyer.token), Some(json!({ "method": "card" })))
        .await
        .assert_problem(StatusCode::PAYMENT_REQUIRED, "payment_declined");
    let timeline =
        server.send(Method::GET, &format!("/v1/orders/{order_id}/timeline"), Some(&buyer.token), None).await;
    let steps: Vec<&str> = timeline.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        ["ListingCreated", "ListingPublished", "ListingReserved", "OrderPlaced"],
        "nothing paid"
    );

    // A client that states another amount than the order's is refused, and nothing is paid.
    let listing = on_sale_listing(&server, &seller, "중고 모니터", 120_000).await;
    let order = server
        .send(Method::POST, "/v1/orders", Some(&buyer.token), Some(json!({ "listing_id": listing })))
        .await;
    let order_id = order.body["order_id"].as_str().unwrap().to_owned();
    let payment = format!("/v1/orders/{order_id}/payment");
    server
        .send(Method::POST, &payment, Some(&buyer.token), Some(json!({ "method": "card", "amount": 1_000 })))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "amount_mismatch");
    server
        .send(
            Method::POST,
            &payment,
            Some(&buyer.token),
            Some(json!({ "method": "card", "payment_key": "bad key" })),
        )
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    // The order's own amount pays; the timeline records which gateway holds the money.
    let paid = server
        .send(
            Method::POST,
            &payment,
            Some(&buyer.token),
            Some(json!({ "method": "card", "amount": 120_000 })),
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    assert_eq!(paid.body["status"], "paid");
    let timeline =
        server.send(Method::GET, &format!("/v1/orders/{order_id}/timeline"), Some(&buyer.token), None).await;
    let order_paid = timeline.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["event_type"] == "OrderPaid")
        .unwrap_or_else(|| panic!("no OrderPaid in {}", timeline.body));
    assert_eq!(order_paid["data"]["payment"]["gateway"], "simulated", "{order_paid}");
}

#[tokio::test]
async fn an_unpaid_order_expires_and_the_listing_is_on_sale_again() {
    // A payment window of one second, so the deadline passes during the test.
    let server = TestServer::start_with(&Profile::Embedded, &[("JANGTEO_PAYMENT_WINDOW_SECS", "1")]).await;
    let seller = server.member("판매자").await;
    let buyer = server.member("구매자").await;
    let listing = on_sale_listing(&server, &seller, "중고 의자", 15_000).await;
    let order = server
        .send(Method::POST, "/v1/orders", Some(&buyer.token), Some(json!({ "listing_id": listing })))
        .await;
    let order_id = order.body["order_id"].as_str().unwrap().to_owned();
    // The expiry comes after the order's position; wait on the order itself, not on a listing
    // page that may not show the reservation yet.
    let expired =
        eventually(&server, &format!("/v1/orders/{order_id}"), &buyer.token, |o| o["status"] == "cancelled")
            .await;
    assert_eq!(expired["escrow_status"], serde_json::Value::Null, "nothing was paid");
    eventually(&server, &format!("/v1/listings/{listing}"), &buyer.token, |l| l["status"] == "on_sale").await;
    server
        .send(
            Method::POST,
            &format!("/v1/orders/{order_id}/payment"),
            Some(&buyer.token),
            Some(json!({ "method": "card" })),
        )
        .await
        .assert_problem(StatusCode::CONFLICT, "invalid_state_transition");
    let timeline =
        server.send(Method::GET, &format!("/v1/orders/{order_id}/timeline"), Some(&buyer.token), None).await;
    let expiry = timeline.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["event_type"] == "OrderExpired")
        .unwrap_or_else(|| panic!("no OrderExpired in {}", timeline.body));
    assert_eq!(expiry["actor_role"], "system", "{expiry}");
}
