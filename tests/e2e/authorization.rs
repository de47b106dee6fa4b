//! Per-object authorization, table-driven: every route of the OpenAPI document that takes a
//! bearer token is refused without one; every route on someone's object is refused to a stranger
//! and, where it is one party's, to the other party. Nothing is changed by a refused call.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    sale::{on_sale_listing, paid_order},
    support::{Member, Profile, TestServer},
};

/// The objects of the table: the seller's draft and on-sale listings, the buyer's paid order.
struct World {
    seller: Member,
    buyer: Member,
    stranger: Member,
    draft: String,
    listing: String,
    order: String,
}

async fn world(server: &TestServer) -> World {
    let (seller, buyer, stranger) =
        (server.member("권한판매자").await, server.member("권한구매자").await, server.member("권한남").await);
    let draft = server
        .send(
            Method::POST,
            "/v1/listings",
            Some(&seller.token),
            Some(json!({"title": "초안", "price": 1_000})),
        )
        .await;
    let draft = draft.body["listing_id"].as_str().unwrap().to_owned();
    let sold = on_sale_listing(server, &seller, "팔린 물건", 20_000).await;
    let listing = on_sale_listing(server, &seller, "남은 물건", 30_000).await;
    let order = paid_order(server, &buyer, &sold).await;
    World { seller, buyer, stranger, draft, listing, order }
}

/// A path of the document with its parameters filled in from the world.
fn filled(path: &str, world: &World) -> String {
    path.replace("{listing_id}", &world.listing)
        .replace("{order_id}", &world.order)
        .replace("{account_id}", &world.buyer.account_id)
        .replace("{token}", "a-token")
        .replace("{file}", "index.html")
}

async fn every_bearer_route_refuses_a_request_without_a_token(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let world = world(&server).await;
    let document = server.send(Method::GET, "/openapi.json", None, None).await.body;
    let mut checked = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            // Required bearer only: optional ones (`[{}, {bearer: []}]`) serve anyone.
            if operation.get("security") != Some(&json!([{"bearer": []}])) {
                continue;
            }
            let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
            let body = operation.get("requestBody").map(|_| json!({}));
            let reply = server.send(method.clone(), &filled(path, &world), None, body).await;
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{method} {path} without a token: {}",
                reply.body
            );
            assert_eq!(reply.body["code"], "unauthorized", "{method} {path}");
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} routes checked");
}

on_both_profiles!(
    every_bearer_route_refuses_a_request_without_a_token_embedded,
    every_bearer_route_refuses_a_request_without_a_token_on_postgres,
    every_bearer_route_refuses_a_request_without_a_token
);

/// Who calls, in the table.
#[derive(Clone, Copy, Debug)]
enum Caller {
    Stranger,
    Buyer,
    Seller,
}

/// One row of the table: who calls what, with which body, and the refusal they get.
type Refusal = (Caller, Method, String, Option<Value>, StatusCode, &'static str);

async fn routes_on_someones_object_refuse_strangers_and_the_other_party(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let world = world(&server).await;
    let listing = |suffix: &str| format!("/v1/listings/{}{suffix}", world.listing);
    let draft = |suffix: &str| format!("/v1/listings/{}{suffix}", world.draft);
    let order = |suffix: &str| format!("/v1/orders/{}{suffix}", world.order);
    let shipment = json!({"carrier": "kr.cjlogistics", "tracking_number": "6306-1234-5678"});
    let return_request = json!({"reason": "damaged"});
    let dispute = json!({"reason": "안 왔어요"});
    let resolution = json!({"decision": "refund_buyer"});
    let table: Vec<Refusal> = vec![
        (
            Caller::Stranger,
            Method::PATCH,
            listing(""),
            Some(json!({"price": 1})),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Caller::Buyer,
            Method::PATCH,
            listing(""),
            Some(json!({"price": 1})),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (Caller::Stranger, Method::POST, draft("/publish"), None, StatusCode::FORBIDDEN, "forbidden"),
        (Caller::Stranger, Method::POST, listing("/withdrawal"), None, StatusCode::FORBIDDEN, "forbidden"),
        (Caller::Stranger, Method::GET, draft(""), None, StatusCode::NOT_FOUND, "not_found"),
        (Caller::Buyer, Method::GET, draft(""), None, StatusCode::NOT_FOUND, "not_found"),
        (Caller::Seller, Method::PUT, listing("/favourite"), None, StatusCode::FORBIDDEN, "forbidden"),
        (Caller::Stranger, Method::GET, order(""), None, StatusCode::NOT_FOUND, "not_found"),
        (Caller::Stranger, Method::GET, order("/timeline"), None, StatusCode::NOT_FOUND, "not_found"),
        (
            Caller::Stranger,
            Method::POST,
            order("/payment"),
            Some(json!({"method": "card"})),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Caller::Seller,
            Method::POST,
            order("/payment"),
            Some(json!({"method": "card"})),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Caller::Stranger,
            Method::POST,
            order("/shipment"),
            Some(shipment.clone()),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (Caller::Buyer, Method::POST, order("/shipment"), Some(shipment), StatusCode::FORBIDDEN, "forbidden"),
        (Caller::Stranger, Method::POST, order("/confirmation"), None, StatusCode::FORBIDDEN, "forbidden"),
        (Caller::Seller, Method::POST, order("/confirmation"), None, StatusCode::FORBIDDEN, "forbidden"),
        (
            Caller::Stranger,
            Method::POST,
            order("/cancellation"),
            Some(json!({"reason": "x"})),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Caller::Stranger,
            Method::POST,
            order("/return-request"),
            Some(return_request.clone()),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Caller::Seller,
            Method::POST,
            order("/return-request"),
            Some(return_request),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Caller::Stranger,
            Method::POST,
            order("/return-acceptance"),
            Some(json!({"refund": 20_000})),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Caller::Buyer,
            Method::POST,
            order("/return-acceptance"),
            Some(json!({"refund": 20_000})),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Caller::Stranger,
            Method::POST,
            order("/dispute"),
            Some(dispute),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Caller::Buyer,
            Method::POST,
            order("/dispute/resolution"),
            Some(resolution.clone()),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Caller::Stranger,
            Method::POST,
            order("/dispute/resolution"),
            Some(resolution),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Caller::Stranger,
            Method::POST,
            format!("/v1/admin/members/{}/roles", world.buyer.account_id),
            Some(json!({"role": "admin"})),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
    ];
    for (caller, method, path, body, status, code) in table {
        let token = match caller {
            Caller::Stranger => &world.stranger.token,
            Caller::Buyer => &world.buyer.token,
            Caller::Seller => &world.seller.token,
        };
        let reply = server.send(method.clone(), &path, Some(token), body).await;
        assert_eq!(
            (reply.status, reply.body["code"].as_str()),
            (status, Some(code)),
            "{caller:?} {method} {path}: {}",
            reply.body
        );
    }

    // Nothing moved: the order is still paid, the listing still on sale at its price.
    let order_now = server.send(Method::GET, &order(""), Some(&world.buyer.token), None).await;
    assert_eq!(order_now.body["status"], "paid");
    let listing_now = server.send(Method::GET, &listing(""), None, None).await;
    assert_eq!(
        (listing_now.body["status"].clone(), listing_now.body["price"].clone()),
        (json!("on_sale"), json!(30_000))
    );
    // Members' own pages are their own: the stranger sees none of the others' orders.
    let theirs =
        server.send(Method::GET, "/v1/me/orders?role=seller", Some(&world.stranger.token), None).await;
    assert_eq!(theirs.body["items"], json!([]));
}

on_both_profiles!(
    routes_on_someones_object_refuse_strangers_and_the_other_party_embedded,
    routes_on_someones_object_refuse_strangers_and_the_other_party_on_postgres,
    routes_on_someones_object_refuse_strangers_and_the_other_party
);
