//! Each party sees what is theirs in a trade's timeline: the buyer's payment key is the buyer's
//! (and staff's), and reads as null to the seller.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    sale::on_sale_listing,
    support::{Profile, TestServer},
};

/// Every `payment_key` in a timeline's entries, data and state alike.
fn payment_keys(timeline: &Value) -> Vec<Value> {
    fn collect(value: &Value, found: &mut Vec<Value>) {
        match value {
            Value::Object(object) => {
                for (name, inner) in object {
                    if name == "payment_key" {
                        found.push(inner.clone());
                    } else {
                        collect(inner, found);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| collect(item, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    collect(&timeline["entries"], &mut found);
    found
}

#[tokio::test]
async fn the_seller_does_not_see_the_buyers_payment_key() {
    let server = TestServer::start(&Profile::Embedded).await;
    let (seller, buyer, agent) = (
        server.member("보는판매자").await,
        server.member("보는구매자").await,
        server.member("보는상담원").await,
    );
    server.make_dispute_agent(&agent).await;
    let listing = on_sale_listing(&server, &seller, "열쇠", 10_000).await;
    let order = server
        .send(Method::POST, "/v1/orders", Some(&buyer.token), Some(json!({"listing_id": listing})))
        .await;
    let order = order.body["order_id"].as_str().unwrap().to_owned();
    let paid = server
        .send(
            Method::POST,
            &format!("/v1/orders/{order}/payment"),
            Some(&buyer.token),
            Some(json!({"method": "card", "payment_key": "tviva_buyers_own_key"})),
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);

    let timeline = |token: String| {
        let server = &server;
        let order = order.clone();
        async move {
            server.send(Method::GET, &format!("/v1/orders/{order}/timeline"), Some(&token), None).await.body
        }
    };
    let of_buyer = payment_keys(&timeline(buyer.token.clone()).await);
    assert!(of_buyer.contains(&json!("tviva_buyers_own_key")), "{of_buyer:?}");
    let of_staff = payment_keys(&timeline(agent.token.clone()).await);
    assert!(of_staff.contains(&json!("tviva_buyers_own_key")), "{of_staff:?}");
    let of_seller = payment_keys(&timeline(seller.token.clone()).await);
    assert!(!of_seller.is_empty() && of_seller.iter().all(Value::is_null), "{of_seller:?}");
}
