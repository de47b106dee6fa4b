//! Closing an account over HTTP: export first, erasure refused while a trade is open, then the
//! member erased (sessions, sign-in, profile gone; the e-mail free to sign up again) while their
//! finished trade still replays, naming an erased party.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    sale::{on_sale_listing, paid_order},
    sessions::stored_text,
    support::{PASSWORD, Profile, TestServer},
};

async fn an_erased_member_is_gone_but_their_trades_replay(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let (seller, buyer) = (server.member("closing-seller").await, server.member("closing-buyer").await);
    let sold = on_sale_listing(&server, &seller, "다 쓴 물건", 15_000).await;
    let other = on_sale_listing(&server, &seller, "남은 물건", 9_000).await;
    let order = paid_order(&server, &buyer, &sold).await;
    let shipment = json!({"carrier": "kr.cjlogistics", "tracking_number": "6306-1234-5678"});
    let shipped = server
        .send(Method::POST, &format!("/v1/orders/{order}/shipment"), Some(&seller.token), Some(shipment))
        .await;
    assert_eq!(shipped.status, StatusCode::OK, "{}", shipped.body);
    let confirmed = server
        .send(Method::POST, &format!("/v1/orders/{order}/confirmation"), Some(&buyer.token), None)
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let phone = server
        .send(Method::PATCH, "/v1/me", Some(&buyer.token), Some(json!({"phone": "010-2222-3333"})))
        .await;
    assert_eq!(phone.status, StatusCode::OK, "{}", phone.body);

    // The export: everything, opened.
    let export = server.request(Method::GET, "/v1/me/export", Some(&buyer.token)).send().await.unwrap();
    assert_eq!(export.status(), StatusCode::OK);
    assert!(export.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let export: Value = export.json().await.unwrap();
    assert_eq!(export["account"]["email"], buyer.email.as_str());
    assert_eq!(export["account"]["phone"], "010-2222-3333");
    assert_eq!(export["consents"]["terms"]["granted"], true);
    assert_eq!(export["orders"]["as_buyer"][0]["order_id"], order.as_str());
    assert!(export["sign_ins"].as_array().is_some_and(|sign_ins| !sign_ins.is_empty()), "{export}");

    // Not while an order is open; not with a wrong password.
    let open =
        server.send(Method::POST, "/v1/orders", Some(&buyer.token), Some(json!({"listing_id": other}))).await;
    let open = open.body["order_id"].as_str().unwrap().to_owned();
    let close = |password: &str| json!({"password": password});
    server
        .send(Method::DELETE, "/v1/me", Some(&buyer.token), Some(close(PASSWORD)))
        .await
        .assert_problem(StatusCode::CONFLICT, "open_trades");
    let cancel = json!({"reason": "마음이 바뀌었어요"});
    let cancelled = server
        .send(Method::POST, &format!("/v1/orders/{open}/cancellation"), Some(&buyer.token), Some(cancel))
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    server
        .send(Method::DELETE, "/v1/me", Some(&buyer.token), Some(close("not my password")))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "invalid_credentials");

    let closed = server.send(Method::DELETE, "/v1/me", Some(&buyer.token), Some(close(PASSWORD))).await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    assert_eq!(closed.body["erased"], true);

    // Signed out, and signed out for good.
    server
        .send(Method::GET, "/v1/cart", Some(&buyer.token), None)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    server
        .send(Method::POST, "/v1/sessions", None, Some(json!({"email": buyer.email, "password": PASSWORD})))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "invalid_credentials");
    let card = server.send(Method::GET, &format!("/v1/members/{}", buyer.account_id), None, None).await;
    assert_eq!(card.status, StatusCode::OK, "{}", card.body);
    assert_eq!((card.body["erased"].clone(), card.body["nickname"].clone()), (json!(true), Value::Null));
    assert_eq!(card.body["completed_purchases"], 1, "the trade stays a record");

    // The trade replays for the other party, naming an erased buyer.
    let timeline =
        server.send(Method::GET, &format!("/v1/orders/{order}/timeline"), Some(&seller.token), None).await;
    assert_eq!(timeline.status, StatusCode::OK, "{}", timeline.body);
    let buyer_party =
        timeline.body["parties"].as_array().unwrap().iter().find(|p| p["role"] == "buyer").unwrap().clone();
    assert_eq!(buyer_party, json!({"role": "buyer", "account_id": buyer.account_id, "erased": true}));
    let events: Vec<&str> = timeline.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert!(events.contains(&"OrderCompleted"), "{events:?}");
    assert_eq!(
        server.send(Method::GET, &format!("/v1/orders/{order}"), Some(&seller.token), None).await.status,
        StatusCode::OK
    );

    // Nothing in the log or the claims reads as the address or the phone.
    let stored = stored_text(&server, profile).await.join("\n");
    assert!(!stored.contains(&buyer.email) && !stored.contains("010-2222-3333"));

    // The address signs up again: a new member.
    let again = server
        .send(
            Method::POST,
            "/v1/accounts",
            None,
            Some(json!({"email": buyer.email, "password": PASSWORD, "nickname": "돌아온회원",
                "consents": {"terms": "2026-12-01", "privacy": "2026-12-01", "marketing": false}})),
        )
        .await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    assert_ne!(again.body["account_id"], buyer.account_id.as_str());
    let signed_in = server
        .send(Method::POST, "/v1/sessions", None, Some(json!({"email": buyer.email, "password": PASSWORD})))
        .await;
    assert_eq!(signed_in.body["account_id"], again.body["account_id"]);

    // A seller who closes their account takes their listings on sale off the market.
    let gone = server.send(Method::DELETE, "/v1/me", Some(&seller.token), Some(close(PASSWORD))).await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
    let position = gone.body["position"].as_u64().unwrap();
    let listing = server
        .request(Method::GET, &format!("/v1/listings/{other}"), None)
        .header("x-consistency-position", position.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(listing.status(), StatusCode::NOT_FOUND, "withdrawn with the account");
}

on_both_profiles!(
    an_erased_member_is_gone_but_their_trades_replay_embedded,
    an_erased_member_is_gone_but_their_trades_replay_on_postgres,
    an_erased_member_is_gone_but_their_trades_replay
);

/// A session cannot guess the password that closes the account faster than sign-in allows:
/// wrong passwords count toward the member's lockout.
#[tokio::test]
async fn wrong_passwords_to_close_the_account_lock_it_like_sign_ins() {
    let server = TestServer::start(&Profile::Embedded).await;
    let member = server.member("닫기추측").await;
    for _ in 0..5 {
        server
            .send(Method::DELETE, "/v1/me", Some(&member.token), Some(json!({"password": "a wrong guess"})))
            .await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    server
        .send(Method::DELETE, "/v1/me", Some(&member.token), Some(json!({"password": PASSWORD})))
        .await
        .assert_problem(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    let me = server.send(Method::GET, "/v1/me", Some(&member.token), None).await;
    assert_eq!(me.status, StatusCode::OK, "the account is still there");
    let history = server.send(Method::GET, "/v1/me/sign-ins", Some(&member.token), None).await;
    let failed = history.body["sign_ins"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["outcome"] == "failed")
        .count();
    assert_eq!(failed, 5, "{}", history.body);
}
