//! After delivery, through HTTP: a dispute freezes the escrow until dispute staff decide, and
//! their decision refunds the buyer or pays the seller; a granted return refunds in part.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    sale::{eventually, on_sale_listing, paid_order},
    support::{Member, Profile, TestServer},
};

/// Places, pays and ships an order of a fresh listing; returns the listing and order ids.
async fn shipped_order(server: &TestServer, seller: &Member, buyer: &Member, price: i64) -> (String, String) {
    let listing = on_sale_listing(server, seller, "미러리스 카메라", price).await;
    let order_id = paid_order(server, buyer, &listing).await;
    let shipped = server
        .send(
            Method::POST,
            &format!("/v1/orders/{order_id}/shipment"),
            Some(&seller.token),
            Some(json!({ "carrier": "kr.cjlogistics", "tracking_number": "630612345678" })),
        )
        .await;
    assert_eq!(shipped.status, StatusCode::OK, "{}", shipped.body);
    (listing, order_id)
}

fn is_settlement(entry: &Value) -> bool {
    entry["event_type"] == "SettlementScheduled"
}

fn entry<'a>(timeline: &'a Value, event_type: &str) -> &'a Value {
    timeline["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["event_type"] == event_type)
        .unwrap_or_else(|| panic!("no {event_type} in {timeline}"))
}

on_both_profiles!(
    a_dispute_freezes_the_escrow_and_staff_refund_the_buyer,
    a_dispute_freezes_the_escrow_and_staff_refund_the_buyer_on_postgres,
    dispute_resolved_by_refund
);

async fn dispute_resolved_by_refund(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let seller = server.member("판매자").await;
    let buyer = server.member("구매자").await;
    let agent = server.member("상담원").await;
    let (listing, order_id) = shipped_order(&server, &seller, &buyer, 320_000).await;
    let order_path = format!("/v1/orders/{order_id}");

    let opened = server
        .send(
            Method::POST,
            &format!("{order_path}/dispute"),
            Some(&buyer.token),
            Some(json!({ "reason": "빈 상자가 왔어요" })),
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    assert_eq!(opened.body["status"], "disputed");
    let frozen = eventually(&server, &order_path, &buyer.token, |o| o["escrow_status"] == "frozen").await;
    assert_eq!(frozen["status"], "disputed");

    // Frozen: the buyer cannot confirm, which would release the money.
    server
        .send(Method::POST, &format!("{order_path}/confirmation"), Some(&buyer.token), None)
        .await
        .assert_problem(StatusCode::CONFLICT, "invalid_state_transition");
    // Only dispute staff decide: a party, or a member without the role, is refused.
    let refund = json!({ "decision": "refund_buyer" });
    for who in [&buyer, &agent] {
        server
            .send(
                Method::POST,
                &format!("{order_path}/dispute/resolution"),
                Some(&who.token),
                Some(refund.clone()),
            )
            .await
            .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    }
    // Staff see any order's timeline once they hold the role; before, the order does not exist.
    server
        .send(Method::GET, &format!("{order_path}/timeline"), Some(&agent.token), None)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not_found");
    server.make_dispute_agent(&agent).await;
    let resolved = server
        .send(
            Method::POST,
            &format!("{order_path}/dispute/resolution"),
            Some(&agent.token),
            Some(refund.clone()),
        )
        .await;
    assert_eq!(resolved.status, StatusCode::OK, "{}", resolved.body);
    assert_eq!(resolved.body["status"], "refunded");

    let refunded = eventually(&server, &order_path, &buyer.token, |o| o["escrow_status"] == "refunded").await;
    assert_eq!(refunded["status"], "refunded");
    eventually(&server, &format!("/v1/listings/{listing}"), &buyer.token, |l| l["status"] == "on_sale").await;
    // A second decision changes nothing.
    server
        .send(Method::POST, &format!("{order_path}/dispute/resolution"), Some(&agent.token), Some(refund))
        .await
        .assert_problem(StatusCode::CONFLICT, "invalid_state_transition");

    let timeline =
        server.send(Method::GET, &format!("{order_path}/timeline"), Some(&agent.token), None).await;
    assert_eq!(timeline.status, StatusCode::OK, "{}", timeline.body);
    let decision = entry(&timeline.body, "DisputeResolved");
    assert_eq!(decision["actor_role"], "agent", "{decision}");
    assert_eq!(decision["data"]["resolution"]["decision"], "refund_buyer");
    assert_eq!(decision["summary"], "dispute decided by staff: everything back to the buyer");
    assert_eq!(entry(&timeline.body, "EscrowFrozen")["actor_role"], "user", "frozen by the buyer's dispute");
    assert_eq!(entry(&timeline.body, "EscrowRefunded")["data"]["amount"], 320_000);
}

on_both_profiles!(
    staff_split_a_dispute_and_the_seller_is_settled,
    staff_split_a_dispute_and_the_seller_is_settled_on_postgres,
    dispute_resolved_by_split
);

async fn dispute_resolved_by_split(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let seller = server.member("판매자").await;
    let buyer = server.member("구매자").await;
    let agent = server.member("상담원").await;
    server.make_dispute_agent(&agent).await;
    let (listing, order_id) = shipped_order(&server, &seller, &buyer, 100_000).await;
    let order_path = format!("/v1/orders/{order_id}");
    let opened = server
        .send(
            Method::POST,
            &format!("{order_path}/dispute"),
            Some(&seller.token),
            Some(json!({ "reason": "수취 확인을 안 해요" })),
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    let too_much = json!({ "decision": "split", "refund": 100_000 });
    server
        .send(Method::POST, &format!("{order_path}/dispute/resolution"), Some(&agent.token), Some(too_much))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let split = json!({ "decision": "split", "refund": 30_000 });
    let resolved = server
        .send(Method::POST, &format!("{order_path}/dispute/resolution"), Some(&agent.token), Some(split))
        .await;
    assert_eq!(resolved.status, StatusCode::OK, "{}", resolved.body);
    assert_eq!(resolved.body["status"], "completed");
    let settled = eventually(&server, &order_path, &buyer.token, |o| o["escrow_status"] == "split").await;
    assert_eq!(settled["status"], "completed");
    eventually(&server, &format!("/v1/listings/{listing}"), &buyer.token, |l| l["status"] == "sold").await;

    // The seller's settlement: 70,000 won released, 3.5 % fee, paid out the next day.
    let has_settlement = |t: &Value| t["entries"].as_array().is_some_and(|e| e.iter().any(is_settlement));
    let timeline =
        eventually(&server, &format!("{order_path}/timeline"), &seller.token, has_settlement).await;
    let settlement = entry(&timeline, "SettlementScheduled");
    assert_eq!(settlement["data"]["gross"], 70_000);
    assert_eq!(settlement["data"]["fee"], 2_450);
    assert_eq!(settlement["data"]["payout"], 67_550);
    assert_eq!(settlement["actor_role"], "system");
}

#[tokio::test]
async fn a_granted_return_refunds_part_and_the_buyer_keeps_the_item() {
    let settings = [("JANGTEO_SIMULATED_DELIVERY_SECS", "0"), ("JANGTEO_TRACKING_INTERVAL_SECS", "1")];
    let server = TestServer::start_with(&Profile::Embedded, &settings).await;
    let seller = server.member("판매자").await;
    let buyer = server.member("구매자").await;
    let (_, order_id) = shipped_order(&server, &seller, &buyer, 50_000).await;
    let order_path = format!("/v1/orders/{order_id}");
    eventually(&server, &order_path, &buyer.token, |o| o["status"] == "delivered").await;

    // No cooling-off rule is configured: a change of mind is not a reason to return.
    server
        .send(
            Method::POST,
            &format!("{order_path}/return-request"),
            Some(&buyer.token),
            Some(json!({ "reason": "changed_mind" })),
        )
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "return_not_accepted");
    let requested = server
        .send(
            Method::POST,
            &format!("{order_path}/return-request"),
            Some(&buyer.token),
            Some(json!({ "reason": "damaged" })),
        )
        .await;
    assert_eq!(requested.body["status"], "return_requested", "{}", requested.body);
    server
        .send(
            Method::POST,
            &format!("{order_path}/return-acceptance"),
            Some(&buyer.token),
            Some(json!({ "refund": 10_000 })),
        )
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let accepted = server
        .send(
            Method::POST,
            &format!("{order_path}/return-acceptance"),
            Some(&seller.token),
            Some(json!({ "refund": 10_000 })),
        )
        .await;
    assert_eq!(accepted.body["status"], "completed", "{}", accepted.body);
    eventually(&server, &order_path, &buyer.token, |o| o["escrow_status"] == "split").await;
}
