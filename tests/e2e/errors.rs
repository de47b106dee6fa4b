//! Bad input and missing credentials: clear problem+json answers, nothing stored.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    sale::on_sale_listing,
    support::{Profile, TestDatabase, TestServer, redis_url},
};

#[tokio::test]
async fn bad_requests_get_problem_details() {
    let server = TestServer::start(&Profile::Embedded).await;
    let seller = server.member("seller").await;

    // No token, a bad token.
    server
        .send(Method::GET, "/v1/cart", None, None)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    server
        .send(Method::POST, "/v1/listings", Some("not-a-jwt"), Some(json!({"title": "x", "price": 1})))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");

    // Malformed JSON, the wrong shape, invalid fields (all reported at once).
    let malformed = server
        .request(Method::POST, "/v1/listings", Some(&seller.token))
        .header("content-type", "application/json")
        .body("{\"title\": \"unterminated")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(malformed.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = malformed.json().await.unwrap();
    assert_eq!(body["code"], "malformed_json");
    server
        .send(
            Method::POST,
            "/v1/listings",
            Some(&seller.token),
            Some(json!({"title": "ok", "price": "free"})),
        )
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
    let invalid = server
        .send(Method::POST, "/v1/listings", Some(&seller.token), Some(json!({"title": " ", "price": -5})))
        .await;
    invalid.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let fields: Vec<&str> =
        invalid.body["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, vec!["title", "price"]);

    // Unknown ids and routes.
    server
        .send(Method::GET, "/v1/listings/not-a-uuid", Some(&seller.token), None)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not_found");
    server
        .send(Method::GET, "/v1/orders/0190a6f5-0000-7000-8000-000000000000", Some(&seller.token), None)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not_found");
    server
        .send(Method::GET, "/v1/nothing-here", None, None)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not_found");

    // Sign-up and sign-in mistakes.
    server
        .send(
            Method::POST,
            "/v1/accounts",
            None,
            Some(json!({"email": seller.email, "password": "another password", "nickname": "again", "consents": {"terms": "2026-12-01", "privacy": "2026-12-01", "marketing": false}})),
        )
        .await
        .assert_problem(StatusCode::CONFLICT, "email_taken");
    server
        .send(
            Method::POST,
            "/v1/sessions",
            None,
            Some(json!({"email": seller.email, "password": "wrong password"})),
        )
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "invalid_credentials");

    // A seller cannot buy their own listing; a bad consistency header is refused.
    let listing_id = on_sale_listing(&server, &seller, "중고 책상", 30_000).await;
    server
        .send(Method::POST, "/v1/orders", Some(&seller.token), Some(json!({"listing_id": listing_id})))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "buyer_is_seller");
    let bad_header = server
        .request(Method::GET, &format!("/v1/listings/{listing_id}"), Some(&seller.token))
        .header("X-Consistency-Position", "soon")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_header.status(), StatusCode::BAD_REQUEST);

    let health = server.send(Method::GET, "/healthz", None, None).await;
    assert_eq!(health.status, StatusCode::OK);
    let ready = server.send(Method::GET, "/readyz", None, None).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    assert_eq!(ready.body["status"], "ready");
    assert_eq!(ready.body["backends"].as_array().map(Vec::len), Some(4));
}

#[tokio::test]
async fn racing_buyers_cannot_both_win_on_the_embedded_profile() {
    let server = TestServer::start(&Profile::Embedded).await;
    race_for_listings(&server).await;
}

#[tokio::test]
async fn racing_buyers_cannot_both_win_on_postgres() {
    let Some(database) = TestDatabase::create().await else { return };
    let profile = Profile::Postgres(database);
    let server = TestServer::start(&profile).await;
    race_for_listings(&server).await;
    drop(server);
    let Profile::Postgres(database) = profile else { unreachable!() };
    database.drop_database().await;
}

/// Eight buyers press "buy" on the same listing at once, five times over.
async fn race_for_listings(server: &TestServer) {
    let seller = server.member("seller").await;
    let mut buyers = Vec::new();
    for i in 0..8 {
        buyers.push(server.member(&format!("buyer{i}")).await);
    }
    for round in 0..5 {
        let listing_id = on_sale_listing(server, &seller, &format!("한정판 스니커즈 {round}"), 250_000).await;
        let attempts = buyers.iter().map(|buyer| {
            server.send(
                Method::POST,
                "/v1/orders",
                Some(&buyer.token),
                Some(json!({"listing_id": listing_id})),
            )
        });
        let replies = futures::future::join_all(attempts).await;
        let winners = replies.iter().filter(|r| r.status == StatusCode::CREATED).count();
        assert_eq!(winners, 1, "exactly one buyer wins round {round}");
        for loser in replies.iter().filter(|r| r.status != StatusCode::CREATED) {
            loser.assert_problem(StatusCode::CONFLICT, "listing_not_available");
        }
    }
}

#[tokio::test]
async fn clients_over_the_rate_limit_are_told_to_wait() {
    let server = TestServer::start_with(&Profile::Embedded, &[("JANGTEO_RATE_LIMIT_PER_MINUTE", "5")]).await;
    for _ in 0..5 {
        let reply = server.send(Method::GET, "/v1/cart", None, None).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "counted, but allowed through");
    }
    let limited = server.send(Method::GET, "/v1/cart", None, None).await;
    limited.assert_problem(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    // Health checks are never limited.
    assert_eq!(server.send(Method::GET, "/healthz", None, None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn only_configured_origins_may_call_from_a_browser() {
    let server = TestServer::start_with(
        &Profile::Embedded,
        &[("JANGTEO_CORS_ALLOWED_ORIGINS", "https://app.jangteo.example")],
    )
    .await;
    let preflight = |origin: &'static str| {
        server
            .request(Method::OPTIONS, "/v1/listings", None)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization, content-type")
            .send()
    };
    let allowed = preflight("https://app.jangteo.example").await.unwrap();
    assert!(allowed.status().is_success());
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://app.jangteo.example");
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(refused.headers().get("access-control-allow-origin").is_none());
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json",
        "refused like every other error"
    );
    let problem: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(problem["code"], "cors_refused", "{problem}");
    // Every method the API uses may be sent from an allowed origin.
    for method in ["PUT", "DELETE", "PATCH"] {
        let allowed = server
            .request(Method::OPTIONS, "/v1/cart/items/0190d7a0-0000-7000-8000-000000000000", None)
            .header("origin", "https://app.jangteo.example")
            .header("access-control-request-method", method)
            .send()
            .await
            .unwrap();
        assert!(allowed.status().is_success(), "{method}: {}", allowed.status());
    }
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let server = TestServer::start(&Profile::Embedded).await;
    for (method, path) in [
        (Method::GET, "/healthz"),
        (Method::GET, "/v1/cart"),
        (Method::GET, "/nowhere"),
        (Method::GET, "/docs"),
    ] {
        let response = server.request(method.clone(), path, None).send().await.unwrap();
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{method} {path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{method} {path}");
        assert_eq!(headers["content-security-policy"], "frame-ancestors 'none'", "{method} {path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{method} {path}");
    }
}

#[tokio::test]
async fn api_instances_sharing_redis_share_the_rate_limit() {
    let Some(redis) = redis_url() else { return };
    let prefix = format!("jangteo-e2e-{}", uuid::Uuid::new_v4().simple());
    let settings = [
        ("JANGTEO_RATE_LIMIT_PER_MINUTE", "5"),
        ("JANGTEO_REDIS_URL", redis.as_str()),
        ("JANGTEO_REDIS_KEY_PREFIX", &prefix),
    ];
    let first = TestServer::start_with(&Profile::Embedded, &settings).await;
    let second = TestServer::start_with(&Profile::Embedded, &settings).await;
    for server in [&first, &second, &first, &second, &first] {
        let reply = server.send(Method::GET, "/v1/cart", None, None).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "within the shared budget");
    }
    second
        .send(Method::GET, "/v1/cart", None, None)
        .await
        .assert_problem(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    first
        .send(Method::GET, "/v1/cart", None, None)
        .await
        .assert_problem(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
}

#[tokio::test]
async fn metrics_on_an_internal_address_are_not_served_publicly() {
    let internal = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let address = internal.to_string();
    let server =
        TestServer::start_with(&Profile::Embedded, &[("JANGTEO_METRICS_LISTEN", address.as_str())]).await;
    server.send(Method::GET, "/metrics", None, None).await.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let scraped = server.http.get(format!("http://{address}/metrics")).send().await.unwrap();
    assert_eq!(scraped.status(), StatusCode::OK);
    assert!(scraped.text().await.unwrap().contains("jangteo_log_head_position"));
}
