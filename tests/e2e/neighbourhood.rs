//! 동네 인증 over HTTP: a member's position verifies the 동네 it lies in, shown on their profile
//! and listings for 30 days; a point elsewhere is refused; the log keeps neither the position
//! nor the name in the clear.

use chrono::{DateTime, Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    sessions::stored_text,
    support::{Profile, TestServer},
};

/// A point in 강남구 (역삼역), with more decimals than any listing here carries, so the scan
/// below would find it.
const LAT: f64 = 37.500_612;
const LNG: f64 = 127.036_418;

fn instant(value: &Value) -> DateTime<Utc> {
    value.as_str().and_then(|text| text.parse().ok()).unwrap_or_else(|| panic!("not a time: {value}"))
}

async fn a_member_verifies_their_neighbourhood(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let seller = server.member("동네주민").await;
    let path = "/v1/me/neighbourhood-verification";

    let verified = server
        .send(Method::POST, path, Some(&seller.token), Some(json!({"location": {"lat": LAT, "lng": LNG}})))
        .await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    let name = verified.body["name"].as_str().expect("a name").to_owned();
    assert!(name.starts_with("강남구 "), "the 동 of 역삼역: {name}");
    let (at, until) = (instant(&verified.body["verified_at"]), instant(&verified.body["valid_until"]));
    assert_eq!(until - at, Duration::days(30));

    // Naming the 동 the point is in renews it; naming another is refused, as is a point in no
    // 동 of Korea or no point on Earth.
    let renewed = server
        .send(
            Method::POST,
            path,
            Some(&seller.token),
            Some(json!({"location": {"lat": LAT, "lng": LNG}, "neighbourhood": name})),
        )
        .await;
    assert_eq!(renewed.status, StatusCode::OK, "{}", renewed.body);
    assert!(instant(&renewed.body["verified_at"]) >= at);
    let elsewhere = json!({"location": {"lat": LAT, "lng": LNG}, "neighbourhood": "해운대구 우1동"});
    let refused = server.send(Method::POST, path, Some(&seller.token), Some(elsewhere)).await;
    refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(refused.body["errors"][0]["field"], "location", "{}", refused.body);
    for location in [json!({"lat": 0.0, "lng": 0.0}), json!({"lat": 91.0, "lng": 127.0})] {
        server
            .send(Method::POST, path, Some(&seller.token), Some(json!({ "location": location })))
            .await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    }
    server
        .send(Method::POST, path, None, Some(json!({"location": {"lat": LAT, "lng": LNG}})))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");

    // On the profile, for anyone, and on the seller's listing.
    let card = server.read_at(&format!("/v1/members/{}", seller.account_id), None, renewed.position()).await;
    assert_eq!(card["neighbourhood"]["name"], name.as_str(), "{card}");
    let created = server
        .send(
            Method::POST,
            "/v1/listings",
            Some(&seller.token),
            // No place: a listing's 동 is public and in its events, which the scan below reads.
            Some(json!({"title": "동네 자전거", "price": 50_000})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let listing_id = created.body["listing_id"].as_str().expect("listing_id");
    let shown =
        server.read_at(&format!("/v1/listings/{listing_id}"), Some(&seller.token), created.position()).await;
    assert_eq!(shown["seller_neighbourhood"]["name"], name.as_str(), "{shown}");
    let stranger = server.member("이웃").await;
    let card =
        server.read_at(&format!("/v1/members/{}", stranger.account_id), None, created.position()).await;
    assert!(card["neighbourhood"].is_null(), "not verified: {card}");

    // The log holds `NeighbourhoodVerified`, but neither the name nor the position in the clear.
    let texts = stored_text(&server, profile).await;
    assert!(texts.iter().any(|text| text == "NeighbourhoodVerified"), "the verification is in the log");
    let dong = name.split(' ').next_back().expect("a 동");
    for text in &texts {
        assert!(!text.contains(dong), "a clear 동 in the log: {text}");
        assert!(!text.contains("37.500612") && !text.contains("127.036418"), "a position in the log: {text}");
    }
}

on_both_profiles!(
    a_member_verifies_their_neighbourhood_embedded,
    a_member_verifies_their_neighbourhood_on_postgres,
    a_member_verifies_their_neighbourhood
);
