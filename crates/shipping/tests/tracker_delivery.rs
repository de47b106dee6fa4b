//! The tracker.delivery adapter against a local server answering as the GraphQL API does.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with expect/unwrap")]

use std::time::Duration;

use jangteo_domain::{Carrier, TrackingNumber};
use jangteo_shipping::{CourierTracker, TrackingError, TrackingStatus, tracker_delivery::TrackerDelivery};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, Request, ResponseTemplate,
    matchers::{header, method, path},
};

fn tracker(server: &MockServer, timeout: Duration) -> TrackerDelivery {
    TrackerDelivery::new(&format!("{}/graphql", server.uri()), "client-id", "client-secret", timeout).unwrap()
}

fn node(time: &str, code: &str, description: &str) -> Value {
    json!({ "node": { "time": time, "status": { "code": code }, "description": description } })
}

#[tokio::test]
async fn a_delivered_parcel_reports_its_scans_in_order() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .and(header("authorization", "TRACKQL-API-KEY client-id:client-secret"))
        .and(|request: &Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            body["variables"]["carrierId"] == "kr.cjlogistics"
                && body["variables"]["trackingNumber"] == "630612345678"
                && body["query"].as_str().is_some_and(|query| query.contains("track(carrierId: $carrierId"))
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({ "data": { "track": { "events": { "edges": [
            node("2026-11-26T09:00:00+09:00", "AT_PICKUP", "집화처리"),
            node("2026-11-27T13:40:00+09:00", "DELIVERED", "배송완료"),
            node("2026-11-26T21:10:00+09:00", "IN_TRANSIT", "간선상차"),
            node("2026-11-27T08:05:00+09:00", "OUT_FOR_DELIVERY", "배송출발"),
        ] } } } }),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let tracking = tracker(&server, Duration::from_secs(5))
        .track(Carrier::CjLogistics, &TrackingNumber::parse("6306-1234-5678").unwrap())
        .await
        .unwrap();
    let statuses: Vec<TrackingStatus> = tracking.events.iter().map(|event| event.status).collect();
    assert_eq!(
        statuses,
        [
            TrackingStatus::AtPickup,
            TrackingStatus::InTransit,
            TrackingStatus::OutForDelivery,
            TrackingStatus::Delivered
        ]
    );
    let furthest = tracking.furthest().unwrap();
    assert_eq!((furthest.status, furthest.description.as_str()), (TrackingStatus::Delivered, "배송완료"));
}

#[tokio::test]
async fn an_unknown_number_is_not_found() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "errors": [{ "message": "운송장 정보를 찾을 수 없습니다.", "extensions": { "code": "NOT_FOUND" } }],
            "data": { "track": null },
        })))
        .mount(&server)
        .await;
    let missing = tracker(&server, Duration::from_secs(5))
        .track(Carrier::Lotte, &TrackingNumber::parse("123456789012").unwrap())
        .await;
    assert_eq!(missing, Err(TrackingError::NotFound("123456789012".to_owned())));
}

#[tokio::test]
async fn bad_credentials_and_slow_answers_are_told_apart() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/refused/graphql"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;
    let number = TrackingNumber::parse("123456789012").unwrap();
    let refused =
        TrackerDelivery::new(&format!("{}/refused/graphql", server.uri()), "x", "y", Duration::from_secs(5))
            .unwrap()
            .track(Carrier::Hanjin, &number)
            .await;
    assert!(matches!(refused, Err(TrackingError::Misconfigured(_))), "{refused:?}");
    let slow = tracker(&server, Duration::from_millis(200)).track(Carrier::Hanjin, &number).await;
    assert!(matches!(slow, Err(TrackingError::Unavailable(_))), "{slow:?}");
}
