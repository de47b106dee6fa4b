//! Free text from clients, through HTTP: NUL and other control characters are refused with `422`
//! on every text field (PostgreSQL's JSONB cannot even store a NUL), and text that passes is kept
//! in Unicode NFC; e-mails are compared without regard to case or width.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    sale::on_sale_listing,
    support::{Profile, TestServer},
};

/// Characters no one-line text field may hold.
const CONTROL: [&str; 4] = ["\u{0}", "\u{1b}", "\u{7}", "\u{202e}"];

on_both_profiles!(
    control_characters_are_refused_in_every_text_field,
    control_characters_are_refused_in_every_text_field_on_postgres,
    control_characters_refused
);

async fn control_characters_refused(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let seller = server.member("판매자").await;
    let buyer = server.member("구매자").await;
    let listing = on_sale_listing(&server, &seller, "전기 자전거", 800_000).await;
    let order = server
        .send(Method::POST, "/v1/orders", Some(&buyer.token), Some(json!({ "listing_id": listing })))
        .await;
    let order_id = order.body["order_id"].as_str().unwrap().to_owned();

    for bad in CONTROL {
        let with = |text: &str| format!("앞{bad}{text}");
        let attempts: Vec<(Method, String, Option<&str>, Value)> = vec![
            (
                Method::POST,
                "/v1/accounts".into(),
                None,
                json!({"email": format!("kim{bad}@example.com"), "password": "long enough secret", "nickname": "김씨", "consents": {"terms": "2026-12-01", "privacy": "2026-12-01", "marketing": false}}),
            ),
            (
                Method::POST,
                "/v1/accounts".into(),
                None,
                json!({"email": "new-member@example.com", "password": "long enough secret", "nickname": with("씨"), "consents": {"terms": "2026-12-01", "privacy": "2026-12-01", "marketing": false}}),
            ),
            (
                Method::POST,
                "/v1/accounts".into(),
                None,
                json!({"email": "new-member@example.com", "password": with("long enough secret"), "nickname": "김씨", "consents": {"terms": "2026-12-01", "privacy": "2026-12-01", "marketing": false}}),
            ),
            (
                Method::POST,
                "/v1/listings".into(),
                Some(&seller.token),
                json!({"title": with("제목"), "price": 1000}),
            ),
            (
                Method::POST,
                "/v1/listings".into(),
                Some(&seller.token),
                json!({"title": "제목", "description": with("설명"), "price": 1000}),
            ),
            (
                Method::PATCH,
                format!("/v1/listings/{listing}"),
                Some(&seller.token),
                json!({"title": with("제목")}),
            ),
            (
                Method::PATCH,
                format!("/v1/listings/{listing}"),
                Some(&seller.token),
                json!({"description": with("설명")}),
            ),
            (
                Method::POST,
                format!("/v1/orders/{order_id}/cancellation"),
                Some(&buyer.token),
                json!({"reason": with("사유")}),
            ),
            (
                Method::POST,
                format!("/v1/orders/{order_id}/dispute"),
                Some(&buyer.token),
                json!({"reason": with("사유")}),
            ),
            (
                Method::POST,
                format!("/v1/orders/{order_id}/payment"),
                Some(&buyer.token),
                json!({"method": "card", "payment_key": format!("key{bad}1")}),
            ),
            (
                Method::POST,
                format!("/v1/orders/{order_id}/shipment"),
                Some(&seller.token),
                json!({"carrier": "kr.cjlogistics", "tracking_number": format!("6306{bad}12345678")}),
            ),
        ];
        // Signing in says no more than "invalid credentials", whatever was wrong.
        server
            .send(
                Method::POST,
                "/v1/sessions",
                None,
                Some(json!({"email": format!("kim{bad}@example.com"), "password": "long enough secret"})),
            )
            .await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_credentials");
        for (method, path, token, body) in attempts {
            let reply = server.send(method.clone(), &path, token, Some(body.clone())).await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{method} {path} {body}: {}",
                reply.body
            );
            assert_eq!(reply.content_type, "application/problem+json", "{}", reply.body);
            assert_eq!(reply.body["code"], "validation_failed", "{method} {path}: {}", reply.body);
        }
    }

    // Nothing of it reached the log: the order is as it was, the listing keeps its title.
    // Read at the order's own position: on PostgreSQL the order view is built by a worker.
    let shown = server.read_at(&format!("/v1/orders/{order_id}"), Some(&buyer.token), order.position()).await;
    assert_eq!(shown["status"], "placed", "{shown}");
    let shown = server.send(Method::GET, &format!("/v1/listings/{listing}"), Some(&seller.token), None).await;
    assert_eq!(shown.body["title"], "전기 자전거", "{}", shown.body);

    // A description keeps its line breaks.
    let created = server
        .send(
            Method::POST,
            "/v1/listings",
            Some(&seller.token),
            Some(json!({"title": "책상", "description": "1줄\n2줄\t끝", "price": 1000})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
}

on_both_profiles!(
    text_is_normalised_and_e_mails_compare_without_case_or_width,
    text_is_normalised_and_e_mails_compare_without_case_or_width_on_postgres,
    text_normalised
);

async fn text_normalised(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let seller = server.member("판매자").await;
    // "한글" typed as conjoining jamo is stored, shown and found as the precomposed syllables.
    let jamo = "\u{1112}\u{1161}\u{11ab}\u{1100}\u{1173}\u{11af} 사전";
    let created = server
        .send(Method::POST, "/v1/listings", Some(&seller.token), Some(json!({"title": jamo, "price": 5000})))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let listing = created.body["listing_id"].as_str().unwrap();
    let position = created.position();
    let shown = server
        .request(Method::GET, &format!("/v1/listings/{listing}"), Some(&seller.token))
        .header("x-consistency-position", position.to_string())
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(shown["title"], "한글 사전", "{shown}");

    // A full-width, upper-case address is the same account as its plain form.
    let registered = server
        .send(
            Method::POST,
            "/v1/accounts",
            None,
            Some(json!({"email": "ＰＡＲＫ@Example.com", "password": "long enough secret", "nickname": "박씨", "consents": {"terms": "2026-12-01", "privacy": "2026-12-01", "marketing": false}})),
        )
        .await;
    assert_eq!(registered.status, StatusCode::CREATED, "{}", registered.body);
    let again = server
        .send(
            Method::POST,
            "/v1/accounts",
            None,
            Some(json!({"email": "park@example.com", "password": "another secret!", "nickname": "박씨2", "consents": {"terms": "2026-12-01", "privacy": "2026-12-01", "marketing": false}})),
        )
        .await;
    again.assert_problem(StatusCode::CONFLICT, "email_taken");
    let session = server
        .send(
            Method::POST,
            "/v1/sessions",
            None,
            Some(json!({"email": "Park@EXAMPLE.com", "password": "long enough secret"})),
        )
        .await;
    assert_eq!(session.status, StatusCode::CREATED, "{}", session.body);
}
