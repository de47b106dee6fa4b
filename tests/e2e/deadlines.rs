//! Time in a trade, with short windows so they pass during the test: an order not paid in time
//! expires and its listing is on sale again; a delivered order the buyer does not confirm
//! completes by itself and the seller is paid.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    sale::{eventually, on_sale_listing},
    support::{Profile, TestServer},
};

on_both_profiles!(
    an_unpaid_order_expires_and_the_listing_is_on_sale_again,
    an_unpaid_order_expires_and_the_listing_is_on_sale_again_on_postgres,
    an_unpaid_order_expires_and_the_listing_is_on_sale_again_on
);

async fn an_unpaid_order_expires_and_the_listing_is_on_sale_again_on(profile: &Profile) {
    // A payment window of one second, so the deadline passes during the test.
    let server = TestServer::start_with(profile, &[("JANGTEO_PAYMENT_WINDOW_SECS", "1")]).await;
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

on_both_profiles!(
    a_delivered_order_completes_by_itself_and_the_seller_is_paid,
    a_delivered_order_completes_by_itself_and_the_seller_is_paid_on_postgres,
    a_delivered_order_completes_by_itself_and_the_seller_is_paid_on
);

async fn a_delivered_order_completes_by_itself_and_the_seller_is_paid_on(profile: &Profile) {
    // The simulated courier delivers at the first scan; tracking and the protection window run
    // every second.
    let settings = [
        ("JANGTEO_SIMULATED_DELIVERY_SECS", "0"),
        ("JANGTEO_TRACKING_INTERVAL_SECS", "1"),
        ("JANGTEO_CONFIRMATION_WINDOW_SECS", "1"),
    ];
    let server = TestServer::start_with(profile, &settings).await;
    let seller = server.member("판매자").await;
    let buyer = server.member("구매자").await;
    let listing = on_sale_listing(&server, &seller, "중고 책상", 45_000).await;
    let order = server
        .send(Method::POST, "/v1/orders", Some(&buyer.token), Some(json!({ "listing_id": listing })))
        .await;
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
    let shipped = server
        .send(
            Method::POST,
            &format!("/v1/orders/{order_id}/shipment"),
            Some(&seller.token),
            Some(json!({ "carrier": "kr.lotte", "tracking_number": "123456789012" })),
        )
        .await;
    assert_eq!(shipped.status, StatusCode::OK, "{}", shipped.body);

    // Nobody confirms: tracking records the delivery, the window passes, the escrow is released.
    let order = eventually(&server, &format!("/v1/orders/{order_id}"), &seller.token, |o| {
        o["escrow_status"] == "released"
    })
    .await;
    assert_eq!(order["status"], "completed");
    // The seller's settlement follows the release.
    let timeline = eventually(&server, &format!("/v1/orders/{order_id}/timeline"), &seller.token, |t| {
        t["entries"]
            .as_array()
            .and_then(|e| e.last())
            .is_some_and(|e| e["event_type"] == "SettlementScheduled")
    })
    .await;
    let steps: Vec<(&str, &str)> = timeline["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["event_type"].as_str().unwrap(), e["actor_role"].as_str().unwrap()))
        .skip_while(|(event_type, _)| *event_type != "OrderShipped")
        .collect();
    assert_eq!(
        steps,
        [
            ("OrderShipped", "user"),
            ("OrderDelivered", "system"),
            ("OrderCompleted", "system"),
            ("ListingSold", "system"),
            ("EscrowReleased", "system"),
            ("SettlementScheduled", "system"),
        ],
        "{timeline}"
    );
    let completed =
        timeline["entries"].as_array().unwrap().iter().find(|e| e["event_type"] == "OrderCompleted").unwrap();
    let summary = completed["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("auto-confirmed by the system") && summary.ends_with("after delivery"),
        "{summary}"
    );
}
