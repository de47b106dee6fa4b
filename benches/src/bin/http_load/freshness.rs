//! Search freshness under load: while the mix runs, one seller publishes listings with a title
//! no other listing has, one at a time, and polls the search for each until it is found. The
//! time from the publish's answer (its commit) to the first search that finds it is the
//! freshness of the search index, as a buyer would see it.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use reqwest::Method;
use serde_json::json;

use crate::client::Client;

/// Between two searches for the same listing.
const POLL: Duration = Duration::from_millis(5);
/// A listing not found by then counts as this late.
const GIVE_UP: Duration = Duration::from_secs(10);
/// Between one listing found and the next published.
const PAUSE: Duration = Duration::from_millis(50);

/// Publishes and finds listings until `stop`; returns each one's commit-to-findable time.
pub async fn probe(client: Client, seller_token: String, stop: Arc<AtomicBool>) -> Vec<Duration> {
    let mut samples = Vec::new();
    let mut n = 0_u64;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        // Latin letters only: one word for the analyser, in no seeded title.
        let word = format!("fresh{}", letters(n));
        let body = json!({ "title": format!("{word} 신선도 측정"), "price": 1_000 });
        let Ok(created) = client.expect(Method::POST, "/v1/listings", Some(&seller_token), Some(&body)).await
        else {
            tokio::time::sleep(PAUSE).await;
            continue;
        };
        let Some(listing_id) = created["listing_id"].as_str() else { continue };
        let publish = format!("/v1/listings/{listing_id}/publish");
        if client.expect(Method::POST, &publish, Some(&seller_token), None).await.is_err() {
            continue;
        }
        let committed = Instant::now();
        let search = format!("/v1/listings?q={word}");
        loop {
            let (_, page) = client.send("freshness probe", Method::GET, &search, None, None).await;
            let found = page["items"].as_array().is_some_and(|items| {
                items.iter().any(|item| item["listing_id"].as_str() == Some(listing_id))
            });
            if found || committed.elapsed() >= GIVE_UP {
                samples.push(committed.elapsed());
                break;
            }
            tokio::time::sleep(POLL).await;
        }
        tokio::time::sleep(PAUSE).await;
    }
    samples
}

/// `n` in base 26 as lower-case letters (digits would split the word for the analyser).
fn letters(mut n: u64) -> String {
    let mut text = Vec::new();
    loop {
        text.push(b'a' + u8::try_from(n % 26).unwrap_or(0));
        n /= 26;
        if n == 0 {
            break;
        }
    }
    String::from_utf8(text).unwrap_or_default()
}
