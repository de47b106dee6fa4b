//! `POST /graphql` answers as the REST routes do: the same listing, search hits, category tree,
//! profile and orders; the same authorization and refusal codes (in Korean or English); and
//! queries past the depth or complexity limits are refused before they run.

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Member, Profile, TestServer};

/// Runs a GraphQL query once the read models hold `position`, asserting `200 OK`.
async fn graphql(
    server: &TestServer,
    token: Option<&str>,
    language: &str,
    query: &str,
    variables: Value,
    position: u64,
) -> Value {
    let response = server
        .request(Method::POST, "/graphql", token)
        .header("X-Consistency-Position", position.to_string())
        .header("Accept-Language", language)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .expect("request failed");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("a JSON body")
}

/// The code of the first GraphQL error, and its message.
fn refusal(answer: &Value) -> (&str, &str) {
    let error = &answer["errors"][0];
    (error["extensions"]["code"].as_str().unwrap_or_default(), error["message"].as_str().unwrap_or_default())
}

fn instant(value: &Value) -> DateTime<Utc> {
    value.as_str().and_then(|text| text.parse().ok()).unwrap_or_else(|| panic!("not a time: {value}"))
}

/// A REST category tree in the shape GraphQL gives it.
fn camel_tree(nodes: &Value) -> Value {
    Value::Array(
        nodes
            .as_array()
            .expect("categories")
            .iter()
            .map(|node| {
                json!({
                    "categoryId": node["category_id"], "name": node["name"],
                    "children": camel_tree(&node["children"]),
                })
            })
            .collect(),
    )
}

const LISTING: &str = "query($id: ID!) { listing(id: $id) { listingId sellerId title description price \
    categoryId status quantity available location { lat lng } neighbourhood createdAt viewCount } }";

const SEARCH: &str = "query($q: String, $category: String, $near: PointInput, $radius: Float) { \
    listings(q: $q, category: $category, near: $near, radiusKm: $radius) { \
    items { listingId title price distanceKm } nextCursor } }";

/// Category children nested past the depth limit.
fn too_deep() -> String {
    let mut selection = "categoryId".to_owned();
    for _ in 0..14 {
        selection = format!("categoryId children {{ {selection} }}");
    }
    format!("{{ categories {{ {selection} }} }}")
}

async fn graphql_answers_as_rest_does(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let (seller, buyer): (Member, Member) = (server.member("판매자").await, server.member("구매자").await);
    let created = server
        .send(
            Method::POST,
            "/v1/listings",
            Some(&seller.token),
            Some(json!({
                "title": "아이폰15프로맥스 256기가", "price": 1_100_000, "category_id": "iphone",
                "location": {"lat": 37.4979, "lng": 127.0276}
            })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let listing_id = created.body["listing_id"].as_str().expect("listing_id").to_owned();
    let published = server
        .send(Method::POST, &format!("/v1/listings/{listing_id}/publish"), Some(&seller.token), None)
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    let position = published.position();

    // The listing by id: every field as REST shows it.
    let rest = server.read_at(&format!("/v1/listings/{listing_id}"), Some(&buyer.token), position).await;
    let answer =
        graphql(&server, Some(&buyer.token), "ko", LISTING, json!({"id": listing_id}), position).await;
    let listing = &answer["data"]["listing"];
    assert!(answer.get("errors").is_none(), "{answer}");
    for (rest_field, graphql_field) in [
        ("listing_id", "listingId"),
        ("seller_id", "sellerId"),
        ("title", "title"),
        ("description", "description"),
        ("price", "price"),
        ("category_id", "categoryId"),
        ("status", "status"),
        ("quantity", "quantity"),
        ("available", "available"),
        ("location", "location"),
        ("neighbourhood", "neighbourhood"),
    ] {
        assert_eq!(rest[rest_field], listing[graphql_field], "{rest_field}: {rest} / {listing}");
    }
    assert_eq!(instant(&rest["created_at"]), instant(&listing["createdAt"]));
    assert!(listing["viewCount"].is_u64() || listing["viewCount"].is_null(), "{listing}");

    // A search by compound word, category and radius finds the same hits at the same distances.
    let rest = server
        .read_at("/v1/listings?q=아이폰&category=digital&near=37.50,127.03&radius_km=3", None, position)
        .await;
    let variables =
        json!({"q": "아이폰", "category": "digital", "near": {"lat": 37.50, "lng": 127.03}, "radius": 3.0});
    let answer = graphql(&server, None, "ko", SEARCH, variables, position).await;
    let hits = answer["data"]["listings"]["items"].as_array().expect("items").clone();
    let rest_hits = rest["items"].as_array().expect("items");
    assert_eq!(hits.len(), 1, "{answer}");
    assert_eq!(hits.len(), rest_hits.len());
    assert_eq!(hits[0]["listingId"], rest_hits[0]["listing_id"]);
    assert_eq!(hits[0]["distanceKm"], rest_hits[0]["distance_km"]);
    assert_eq!(answer["data"]["listings"]["nextCursor"], rest["next_cursor"]);

    // The category tree, in English when asked.
    let rest = server
        .request(Method::GET, "/v1/categories", None)
        .header("Accept-Language", "en")
        .send()
        .await
        .expect("request failed");
    let rest: Value = rest.json().await.expect("a tree");
    let tree = "{ categories { categoryId name children { categoryId name children { categoryId name children \
        { categoryId name } } } } }";
    let answer = graphql(&server, None, "en", tree, json!({}), position).await;
    // Three levels, as deep as the tree goes: the deepest `children` are empty in both.
    let shown = &answer["data"]["categories"];
    assert_eq!(shown, &camel_tree(&rest["items"]));
    assert!(shown.to_string().contains("\"name\":\"iPhone\""), "{shown}");

    // One's own orders: the same as `GET /v1/me/orders`, and only with a token.
    let placed = server
        .send(Method::POST, "/v1/orders", Some(&buyer.token), Some(json!({"listing_id": listing_id})))
        .await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
    let order_id = placed.body["order_id"].as_str().expect("order_id").to_owned();
    let rest = server.read_at("/v1/me/orders", Some(&buyer.token), placed.position()).await;
    let orders =
        "{ myOrders { items { orderId listingId price status items { listingId units } } nextCursor } }";
    let answer = graphql(&server, Some(&buyer.token), "ko", orders, json!({}), placed.position()).await;
    let mine = answer["data"]["myOrders"]["items"].as_array().expect("orders").clone();
    assert_eq!(mine.len(), 1, "{answer}");
    assert_eq!(mine[0]["orderId"], rest["items"][0]["order_id"]);
    assert_eq!(mine[0]["price"], rest["items"][0]["price"]);
    assert_eq!(mine[0]["status"], rest["items"][0]["status"]);
    assert_eq!(mine[0]["items"][0]["units"], 1);
    let one = "query($id: ID!) { order(id: $id) { orderId buyerId sellerId } }";
    let answer =
        graphql(&server, Some(&seller.token), "ko", one, json!({"id": order_id}), placed.position()).await;
    assert_eq!(answer["data"]["order"]["buyerId"].as_str(), Some(buyer.account_id.as_str()), "{answer}");
    let answer = graphql(&server, None, "en", orders, json!({}), placed.position()).await;
    assert_eq!(refusal(&answer).0, "unauthorized", "{answer}");
    let stranger = server.member("구경꾼").await;
    let answer =
        graphql(&server, Some(&stranger.token), "en", one, json!({"id": order_id}), placed.position()).await;
    assert_eq!(refusal(&answer).0, "not_found", "another member's order: {answer}");

    // The member's public profile.
    let rest = server.read_at(&format!("/v1/members/{}", seller.account_id), None, position).await;
    let profile_query =
        "query($id: ID!) { member(id: $id) { accountId nickname completedSales phoneVerified } }";
    let answer =
        graphql(&server, None, "ko", profile_query, json!({"id": seller.account_id}), position).await;
    let member = &answer["data"]["member"];
    assert_eq!(member["nickname"], rest["nickname"]);
    assert_eq!(member["completedSales"], rest["completed_sales"]);
    assert_eq!(member["phoneVerified"], rest["phone_verified"]);

    // Refusals carry REST's codes, in Korean by default and in English when asked.
    let unknown = "{ listings(category: \"no-such-thing\") { items { listingId } } }";
    let korean = graphql(&server, None, "ko", unknown, json!({}), position).await;
    let english = graphql(&server, None, "en", unknown, json!({}), position).await;
    let ((code_ko, message_ko), (code_en, message_en)) = (refusal(&korean), refusal(&english));
    assert_eq!((code_ko, code_en), ("unknown_category", "unknown_category"), "{korean} {english}");
    assert!(message_ko.chars().any(|c| ('가'..='힣').contains(&c)), "Korean: {message_ko}");
    assert!(message_en.is_ascii() && !message_en.is_empty(), "English: {message_en}");
    let answer =
        graphql(&server, None, "en", "{ listings(limit: 0) { nextCursor } }", json!({}), position).await;
    assert_eq!(refusal(&answer).0, "validation_failed", "{answer}");
    assert_eq!(answer["errors"][0]["extensions"]["errors"][0]["field"], "limit", "{answer}");
    let answer =
        graphql(&server, None, "en", "{ member(id: \"not-a-uuid\") { nickname } }", json!({}), position)
            .await;
    assert_eq!(refusal(&answer).0, "validation_failed", "{answer}");

    // Past the limits, nothing runs.
    let answer = graphql(&server, None, "en", &too_deep(), json!({}), position).await;
    assert!(answer["data"].is_null(), "{answer}");
    assert!(refusal(&answer).1.contains("nested too deep"), "{answer}");
    let page = "items { listingId sellerId title description price status quantity available createdAt \
        updatedAt images { url thumbnailUrl width height } }";
    let heavy = format!("{{ a: listings(limit: 100) {{ {page} }} b: listings(limit: 100) {{ {page} }} }}");
    let answer = graphql(&server, None, "en", &heavy, json!({}), position).await;
    assert!(answer["data"].is_null(), "{answer}");
    assert!(refusal(&answer).1.contains("too complex"), "{answer}");
    let light = format!("{{ listings(limit: 100) {{ {page} }} }}");
    let answer = graphql(&server, None, "en", &light, json!({}), position).await;
    assert!(answer.get("errors").is_none(), "one full page passes: {answer}");

    // A bad token is refused before any query runs, as on every route.
    let refused = server
        .request(Method::POST, "/graphql", Some("not-a-token"))
        .json(&json!({"query": "{ categories { categoryId } }"}))
        .send()
        .await
        .expect("request failed");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
}

on_both_profiles!(
    graphql_answers_as_rest_does_embedded,
    graphql_answers_as_rest_does_on_postgres,
    graphql_answers_as_rest_does
);
