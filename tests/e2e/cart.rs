//! A cart checked out through HTTP: one taken listing rolls the whole checkout back, and the cart
//! without it becomes one order per seller, each listing reserved.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    sale::{eventually, on_sale_listing},
    support::{Profile, TestServer},
};

on_both_profiles!(
    a_checkout_with_a_taken_listing_rolls_back_the_others,
    a_checkout_with_a_taken_listing_rolls_back_the_others_on_postgres,
    checkout_rolls_back
);

async fn checkout_rolls_back(profile: &Profile) {
    let server = TestServer::start(profile).await;
    // Sellers register first: their ids sort before the buyer's, and the first's before the second's.
    let first_seller = server.member("책방").await;
    let second_seller = server.member("조명가게").await;
    let buyer = server.member("구매자").await;
    let rival = server.member("경쟁자").await;
    let novel = on_sale_listing(&server, &first_seller, "소설책", 9_000).await;
    let essay = on_sale_listing(&server, &first_seller, "에세이", 7_000).await;
    let lamp = on_sale_listing(&server, &second_seller, "스탠드 조명", 25_000).await;
    for listing in [&novel, &essay, &lamp] {
        let added =
            server.send(Method::PUT, &format!("/v1/cart/items/{listing}"), Some(&buyer.token), None).await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    }
    let cart = server.send(Method::GET, "/v1/cart", Some(&buyer.token), None).await;
    assert_eq!(cart.body["groups"].as_array().unwrap().len(), 2, "{}", cart.body);
    assert_eq!(cart.body["total"], 9_000 + 7_000 + 4_500 + 25_000 + 3_500, "{}", cart.body);

    // The rival buys the lamp first: the checkout reserves the books, meets the lamp, and undoes.
    let taken = server
        .send(Method::POST, "/v1/orders", Some(&rival.token), Some(json!({ "listing_id": lamp })))
        .await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.body);
    server
        .send(Method::POST, "/v1/cart/checkout", Some(&buyer.token), None)
        .await
        .assert_problem(StatusCode::CONFLICT, "listing_not_available");
    // Published (version 2), reserved by the checkout (3), released by its compensation (4).
    for book in [&novel, &essay] {
        let released = |l: &serde_json::Value| l["status"] == "on_sale" && l["version"].as_u64() >= Some(4);
        eventually(&server, &format!("/v1/listings/{book}"), &buyer.token, released).await;
    }

    // Without the lamp, the books become one order: one parcel, both listings reserved.
    server.send(Method::DELETE, &format!("/v1/cart/items/{lamp}"), Some(&buyer.token), None).await;
    let checkout = server.send(Method::POST, "/v1/cart/checkout", Some(&buyer.token), None).await;
    assert_eq!(checkout.status, StatusCode::CREATED, "{}", checkout.body);
    let orders = checkout.body["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 1, "{}", checkout.body);
    assert_eq!(orders[0]["listing_ids"], json!([novel, essay]));
    let order_id = orders[0]["order_id"].as_str().unwrap();
    let order =
        eventually(&server, &format!("/v1/orders/{order_id}"), &buyer.token, |o| o["status"] == "placed")
            .await;
    assert_eq!(order["price"], 9_000 + 7_000 + 4_500);
    assert_eq!(order["shipping_fee"], 4_500);
    assert_eq!(order["items"].as_array().unwrap().len(), 2);
    for book in [&novel, &essay] {
        eventually(&server, &format!("/v1/listings/{book}"), &buyer.token, |l| l["status"] == "reserved")
            .await;
    }
    let cart = server.send(Method::GET, "/v1/cart", Some(&buyer.token), None).await;
    assert_eq!(cart.body["groups"], json!([]), "the ordered books left the cart");
}

on_both_profiles!(
    shipping_is_priced_by_where_the_parcel_goes_embedded,
    shipping_is_priced_by_where_the_parcel_goes_on_postgres,
    shipping_is_priced_by_where_the_parcel_goes
);

async fn shipping_is_priced_by_where_the_parcel_goes(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let (seller, buyer) = (server.member("부산판매자").await, server.member("서울구매자").await);
    let created = server
        .send(
            Method::POST,
            "/v1/listings",
            Some(&seller.token),
            Some(json!({"title": "자전거", "price": 50_000, "location": {"lat": 35.1796, "lng": 129.0756}})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let bike = created.body["listing_id"].as_str().unwrap().to_owned();
    let published =
        server.send(Method::POST, &format!("/v1/listings/{bike}/publish"), Some(&seller.token), None).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    let added = server.send(Method::PUT, &format!("/v1/cart/items/{bike}"), Some(&buyer.token), None).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);

    let fee = |query: &'static str| {
        let (server, token) = (&server, buyer.token.clone());
        async move {
            let cart = server.send(Method::GET, &format!("/v1/cart{query}"), Some(&token), None).await;
            assert_eq!(cart.status, StatusCode::OK, "{}", cart.body);
            cart.body["groups"][0]["shipping_fee"].as_i64().unwrap()
        }
    };
    assert_eq!(fee("").await, 3_500, "no destination: the seller's regional fee");
    assert_eq!(fee("?deliver_to=35.1587,129.1604").await, 3_500, "within Busan");
    assert_eq!(fee("?deliver_to=37.5663,126.9779").await, 4_500, "Busan to Seoul");
    assert_eq!(fee("?deliver_to=33.4996,126.5312").await, 7_500, "Busan to Jeju");
    server
        .send(Method::GET, "/v1/cart?deliver_to=somewhere", Some(&buyer.token), None)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    let checkout = server
        .send(Method::POST, "/v1/cart/checkout?deliver_to=37.5663,126.9779", Some(&buyer.token), None)
        .await;
    assert_eq!(checkout.status, StatusCode::CREATED, "{}", checkout.body);
    let order_id = checkout.body["orders"][0]["order_id"].as_str().unwrap();
    let order =
        server.read_at(&format!("/v1/orders/{order_id}"), Some(&buyer.token), checkout.position()).await;
    assert_eq!((&order["shipping_fee"], &order["price"]), (&json!(4_500), &json!(54_500)), "{order}");
}
