//! The member's own pages over HTTP (their listings, their orders as buyer and seller, their
//! favourites, a page at a time), the profile they change, and what anyone sees of a member.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    sale::{on_sale_listing, paid_order},
    sessions::stored_text,
    support::{Profile, TestServer},
};

/// `GET path` as `member` once the read models reflect `position`.
fn ids(page: &Value, field: &str) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|item| item[field].as_str().unwrap().to_owned()).collect()
}

fn position_of(reply: &crate::support::Reply) -> u64 {
    assert!(reply.status.is_success(), "{}", reply.body);
    reply.body["position"].as_u64().unwrap()
}

async fn my_pages_list_the_members_own_newest_first(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let (seller, buyer) = (server.member("판매자").await, server.member("구매자").await);
    let first = on_sale_listing(&server, &seller, "첫째", 10_000).await;
    let second = on_sale_listing(&server, &seller, "둘째", 20_000).await;
    let third = on_sale_listing(&server, &seller, "셋째", 30_000).await;
    let draft = server
        .send(
            Method::POST,
            "/v1/listings",
            Some(&seller.token),
            Some(json!({"title": "초안", "price": 5_000})),
        )
        .await;
    let draft = draft.body["listing_id"].as_str().unwrap().to_owned();

    // The buyer orders the first (and the sale completes) and the second; favourites the third
    // and the first, and the second and takes it back.
    let completed = paid_order(&server, &buyer, &first).await;
    let shipment = json!({"carrier": "kr.cjlogistics", "tracking_number": "6306-1234-5678"});
    let path = format!("/v1/orders/{completed}/shipment");
    position_of(&server.send(Method::POST, &path, Some(&seller.token), Some(shipment)).await);
    let path = format!("/v1/orders/{completed}/confirmation");
    position_of(&server.send(Method::POST, &path, Some(&buyer.token), None).await);
    let placed = server
        .send(Method::POST, "/v1/orders", Some(&buyer.token), Some(json!({"listing_id": second})))
        .await;
    let placed = placed.body["order_id"].as_str().unwrap().to_owned();
    for (method, listing) in
        [(Method::PUT, &third), (Method::PUT, &first), (Method::PUT, &second), (Method::DELETE, &second)]
    {
        let path = format!("/v1/listings/{listing}/favourite");
        position_of(&server.send(method, &path, Some(&buyer.token), None).await);
    }
    let favourite_again = format!("/v1/listings/{third}/favourite");
    let last = position_of(&server.send(Method::PUT, &favourite_again, Some(&buyer.token), None).await);

    // The seller's listings: every status, drafts too, newest first, two to a page.
    let page = server.read_at("/v1/me/listings?limit=2", Some(&seller.token), last).await;
    assert_eq!(ids(&page, "listing_id"), vec![draft.clone(), third.clone()]);
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest =
        server.read_at(&format!("/v1/me/listings?limit=2&cursor={cursor}"), Some(&seller.token), last).await;
    assert_eq!(ids(&rest, "listing_id"), vec![second.clone(), first.clone()]);
    assert_eq!(rest["next_cursor"], Value::Null);
    let on_sale = server.read_at("/v1/me/listings?status=on_sale,draft", Some(&seller.token), last).await;
    assert_eq!(
        ids(&on_sale, "listing_id"),
        vec![draft, third.clone()],
        "the first is sold, the second reserved"
    );
    assert!(ids(&server.read_at("/v1/me/listings", Some(&buyer.token), last).await, "listing_id").is_empty());

    // Orders: the buyer's as buyer, newest first, by status; the seller's as seller.
    let bought = server.read_at("/v1/me/orders?role=buyer", Some(&buyer.token), last).await;
    assert_eq!(ids(&bought, "order_id"), vec![placed.clone(), completed.clone()]);
    let done = server.read_at("/v1/me/orders?status=completed", Some(&buyer.token), last).await;
    assert_eq!(ids(&done, "order_id"), vec![completed.clone()], "role defaults to buyer");
    let sold = server.read_at("/v1/me/orders?role=seller&limit=1", Some(&seller.token), last).await;
    assert_eq!(ids(&sold, "order_id"), vec![placed]);
    assert!(sold["next_cursor"].is_string());
    assert!(
        ids(&server.read_at("/v1/me/orders?role=seller", Some(&buyer.token), last).await, "order_id")
            .is_empty()
    );

    // Favourites: on ones only, newest favourite first, each in its current status and with
    // its price drop since it was favourited.
    let cheaper = format!("/v1/listings/{third}");
    let repriced = position_of(
        &server.send(Method::PATCH, &cheaper, Some(&seller.token), Some(json!({"price": 26_000}))).await,
    );
    let favourites = server.read_at("/v1/me/favourites", Some(&buyer.token), repriced).await;
    assert_eq!(ids(&favourites, "listing_id"), vec![first.clone(), third]);
    let items = favourites["items"].as_array().unwrap();
    assert_eq!(items[0]["status"], "sold", "{favourites}");
    assert_eq!((&items[0]["favourited_price"], &items[0]["price_drop"]), (&json!(10_000), &json!(0)));
    assert_eq!(items[1]["status"], "on_sale");
    assert_eq!(items[1]["price"], 26_000);
    assert_eq!((&items[1]["favourited_price"], &items[1]["price_drop"]), (&json!(30_000), &json!(4_000)));

    for bad in ["/v1/me/orders?status=shipping", "/v1/me/listings?limit=0", "/v1/me/favourites?cursor=xyz"] {
        server
            .send(Method::GET, bad, Some(&buyer.token), None)
            .await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    }
    for path in ["/v1/me/orders", "/v1/me/listings", "/v1/me/favourites"] {
        server
            .send(Method::GET, path, None, None)
            .await
            .assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    }

    // What anyone sees of the seller: no token needed.
    let card = server.send(Method::GET, &format!("/v1/members/{}", seller.account_id), None, None).await;
    assert_eq!(card.status, StatusCode::OK, "{}", card.body);
    assert_eq!(card.body["nickname"], "판매자");
    assert_eq!(card.body["completed_sales"], 1);
    assert_eq!(card.body["completed_purchases"], 0);
    assert_eq!(card.body["phone_verified"], false);
    assert!(card.body["joined_at"].is_string());
    assert!(card.body.get("email").is_none(), "{}", card.body);
    let buyer_card = server.send(Method::GET, &format!("/v1/members/{}", buyer.account_id), None, None).await;
    assert_eq!(buyer_card.body["completed_purchases"], 1);
    let nobody = format!("/v1/members/{}", uuid::Uuid::now_v7());
    server.send(Method::GET, &nobody, None, None).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
}

on_both_profiles!(
    my_pages_list_the_members_own_newest_first_embedded,
    my_pages_list_the_members_own_newest_first_on_postgres,
    my_pages_list_the_members_own_newest_first
);

async fn a_member_changes_their_profile_sealed_in_the_log(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let member = server.member("옛이름").await;
    let token = Some(member.token.as_str());
    let edits = json!({"nickname": "새이름", "phone": "+82 10 9876 5432", "address": "서울특별시 마포구 월드컵북로 396"});
    let changed = server.send(Method::PATCH, "/v1/me", token, Some(edits)).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["nickname"], "새이름");
    assert_eq!(changed.body["phone"], "010-9876-5432");
    assert_eq!(changed.body["phone_verified"], false);
    assert!(changed.body["position"].as_u64().is_some());
    let me = server.send(Method::GET, "/v1/me", token, None).await;
    assert_eq!(me.body["address"], "서울특별시 마포구 월드컵북로 396");
    assert_eq!(me.body["email"], member.email.as_str());

    // Nothing in the log reads as the phone, the address or the nicknames.
    let stored = stored_text(&server, profile).await.join("\n");
    for clear in ["010-9876-5432", "01098765432", "월드컵북로", "새이름", "옛이름"] {
        assert!(!stored.contains(clear), "{clear} is in the log in the clear");
    }

    // `null` removes; absent leaves; bad values are refused, all of them at once.
    let removed = server.send(Method::PATCH, "/v1/me", token, Some(json!({"phone": null}))).await;
    assert_eq!(removed.body["phone"], Value::Null, "{}", removed.body);
    assert_eq!(removed.body["address"], "서울특별시 마포구 월드컵북로 396");
    assert_eq!(removed.body["nickname"], "새이름");
    let refused = server
        .send(
            Method::PATCH,
            "/v1/me",
            token,
            Some(json!({"phone": "02-123-4567", "nickname": "x", "address": ""})),
        )
        .await;
    refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let fields: Vec<&str> =
        refused.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["nickname", "phone", "address"]);

    let card = server.send(Method::GET, &format!("/v1/members/{}", member.account_id), None, None).await;
    assert_eq!(card.body["nickname"], "새이름");
    server
        .send(Method::PATCH, "/v1/me", None, Some(json!({})))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
}

on_both_profiles!(
    a_member_changes_their_profile_sealed_in_the_log_embedded,
    a_member_changes_their_profile_sealed_in_the_log_on_postgres,
    a_member_changes_their_profile_sealed_in_the_log
);
