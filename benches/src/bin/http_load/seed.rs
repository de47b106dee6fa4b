//! The world a run trades in: members signed in, and listings on sale.

use anyhow::{Context, Result};
use futures::{StreamExt, TryStreamExt, stream};
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use crate::{Options, client::Client};

/// A signed-in member, and how they sign in again.
#[derive(Clone)]
pub struct Member {
    pub token: String,
    pub email: String,
}

/// Every seeded member's password.
pub const PASSWORD: &str = "load harness password";

/// An on-sale listing and the seller who will ship it.
#[derive(Clone)]
pub struct Stock {
    pub listing_id: String,
    pub seller: usize,
}

pub struct World {
    pub sellers: Vec<Member>,
    pub buyers: Vec<Member>,
    pub stock: Vec<Stock>,
}

/// Signing up hashes a password (argon2id, deliberately slow): a few at a time.
const SIGN_UPS_IN_FLIGHT: usize = 8;

async fn member(client: &Client, role: &str, run: Uuid, n: usize) -> Result<Member> {
    let email = format!("{role}-{n}-{}@load.example", run.simple());
    let password = PASSWORD;
    let account = json!({
        "email": email,
        "password": password,
        "nickname": format!("{role}{n}"),
        "consents": { "terms": "2026-12-01", "privacy": "2026-12-01", "marketing": false },
    });
    client.expect(Method::POST, "/v1/accounts", None, Some(&account)).await?;
    let session = json!({ "email": email, "password": password });
    let signed_in = client.expect(Method::POST, "/v1/sessions", None, Some(&session)).await?;
    let token = signed_in["access_token"].as_str().context("no access token")?.to_owned();
    Ok(Member { token, email })
}

async fn members(client: &Client, role: &str, run: Uuid, count: usize) -> Result<Vec<Member>> {
    stream::iter(0..count)
        .map(|n| member(client, role, run, n))
        .buffered(SIGN_UPS_IN_FLIGHT)
        .try_collect()
        .await
}

async fn listing(client: &Client, seller: &Member, n: usize) -> Result<String> {
    let body = json!({ "title": format!("부하 시험 상품 {n}"), "description": "load", "price": 10_000 + (n % 90) * 100 });
    let created = client.expect(Method::POST, "/v1/listings", Some(&seller.token), Some(&body)).await?;
    let listing_id = created["listing_id"].as_str().context("no listing id")?.to_owned();
    client
        .expect(Method::POST, &format!("/v1/listings/{listing_id}/publish"), Some(&seller.token), None)
        .await?;
    Ok(listing_id)
}

pub async fn seed(client: &Client, options: &Options) -> Result<World> {
    let run = Uuid::now_v7();
    let sellers = members(client, "seller", run, options.sellers.max(1)).await?;
    let buyers = members(client, "buyer", run, options.buyers.max(1)).await?;
    let stock = stream::iter(0..options.listings)
        .map(|n| {
            let seller = n % sellers.len();
            let member = &sellers[seller];
            async move { listing(client, member, n).await.map(|listing_id| Stock { listing_id, seller }) }
        })
        .buffer_unordered(options.concurrency.clamp(1, 64))
        .try_collect()
        .await?;
    Ok(World { sellers, buyers, stock })
}

/// The search terms of the mix: words every seeded title has.
pub const SEARCH: &str = "/v1/listings?q=%EC%83%81%ED%92%88&limit=20";
