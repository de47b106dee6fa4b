//! Payments through the gateway port, on the embedded profile's simulated gateway: a declined
//! card leaves the order unpaid and moves no money; a tampered amount is refused before the
//! gateway is asked; the right amount pays; a payment webhook is checked with the gateway and a
//! repeated one changes nothing.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    sale::on_sale_listing,
    support::{Profile, TestServer},
};

on_both_profiles!(
    declined_payments_and_tampered_amounts_leave_the_order_unpaid,
    declined_payments_and_tampered_amounts_leave_the_order_unpaid_on_postgres,
    declined_payments_and_tampered_amounts_leave_the_order_unpaid_on
);

async fn declined_payments_and_tampered_amounts_leave_the_order_unpaid_on(profile: &Profile) {
    let server = TestServer::start(profile).await;
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

on_both_profiles!(
    a_duplicated_payment_webhook_changes_nothing,
    a_duplicated_payment_webhook_changes_nothing_on_postgres,
    duplicated_webhook
);

/// Toss' notification envelope for a payment of `order_id`.
fn toss_notification(order_id: &str, payment_key: &str) -> serde_json::Value {
    json!({
        "eventType": "PAYMENT_STATUS_CHANGED",
        "createdAt": "2026-11-26T10:00:06.000000",
        "data": { "paymentKey": payment_key, "orderId": order_id, "status": "DONE", "totalAmount": 1 }
    })
}

async fn duplicated_webhook(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let seller = server.member("판매자").await;
    let buyer = server.member("구매자").await;
    let listing = on_sale_listing(&server, &seller, "닌텐도 스위치", 230_000).await;
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
    let timeline_path = format!("/v1/orders/{order_id}/timeline");
    let before = server.send(Method::GET, &timeline_path, Some(&buyer.token), None).await.body;

    // The gateway notifies the capture Jangteo made, and retries: the order already holds it.
    let notification = toss_notification(&order_id, &format!("sim-{order_id}"));
    for _ in 0..3 {
        let reply = server.send(Method::POST, "/v1/webhooks/toss", None, Some(notification.clone())).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["outcome"], "already_recorded");
    }
    // A notification for a payment the gateway never made is refused; a malformed one too.
    server
        .send(Method::POST, "/v1/webhooks/toss", None, Some(toss_notification(&order_id, "forged-key")))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "payment_not_found");
    server
        .send(Method::POST, "/v1/webhooks/toss", None, Some(toss_notification("not-an-order", "forged-key")))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let after = server.send(Method::GET, &timeline_path, Some(&buyer.token), None).await.body;
    assert_eq!(after, before, "the trade's log is unchanged");
}
