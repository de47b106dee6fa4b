//! Graceful shutdown: SIGTERM in the middle of a load of orders. The server stops taking new
//! work, answers what it has taken, and exits cleanly; afterwards the log holds exactly the orders
//! that were acknowledged — none committed behind a cut connection — and each listing once.

use std::collections::BTreeSet;
use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Connection;
use tokio::sync::mpsc;

use crate::{
    sale::on_sale_listings,
    support::{Profile, TestServer},
};

const LISTINGS: usize = 200;
const WRITERS: usize = 16;
/// SIGTERM goes out once this many orders were acknowledged.
const STOP_AFTER_ACKS: usize = 40;

/// What one order request came to.
enum Outcome {
    Acked(String),
    Answered(StatusCode),
    NoAnswer,
}

async fn place(http: &reqwest::Client, base: &str, token: &str, listing: &str) -> Outcome {
    let Ok(answer) = http
        .post(format!("{base}/v1/orders"))
        .bearer_auth(token)
        .json(&json!({ "listing_id": listing }))
        .send()
        .await
    else {
        return Outcome::NoAnswer;
    };
    let status = answer.status();
    if status != StatusCode::CREATED {
        return Outcome::Answered(status);
    }
    match answer.json::<Value>().await {
        Ok(body) => body["order_id"].as_str().map_or(Outcome::NoAnswer, |id| Outcome::Acked(id.to_owned())),
        Err(_) => Outcome::NoAnswer,
    }
}

/// The orders and the reserved listings in the log, read from the stopped server's store.
async fn logged_orders(profile: &Profile, server: &TestServer) -> (BTreeSet<String>, i64, i64) {
    const PLACED: &str = "SELECT stream_id FROM events WHERE event_type = 'OrderPlaced'";
    const RESERVED: &str =
        "SELECT count(*), count(DISTINCT stream_id) FROM events WHERE event_type = 'ListingReserved'";
    let (placed, reserved): (Vec<(uuid::Uuid,)>, (i64, i64)) = match profile {
        Profile::Embedded => {
            let path = server.data_dir().join("events.sqlite");
            let mut db = sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=ro", path.display()))
                .await
                .expect("opening the embedded log");
            (
                sqlx::query_as(PLACED).fetch_all(&mut db).await.unwrap(),
                sqlx::query_as(RESERVED).fetch_one(&mut db).await.unwrap(),
            )
        }
        Profile::Postgres(database) => {
            let mut db =
                sqlx::PgConnection::connect(&database.url).await.expect("connecting to the test database");
            (
                sqlx::query_as(PLACED).fetch_all(&mut db).await.unwrap(),
                sqlx::query_as(RESERVED).fetch_one(&mut db).await.unwrap(),
            )
        }
    };
    (placed.into_iter().map(|(id,)| id.to_string()).collect(), reserved.0, reserved.1)
}

async fn sigterm_mid_load_answers_what_it_took(profile: &Profile) {
    let mut server = TestServer::start(profile).await;
    let seller = server.member("판매자").await;
    let buyer = server.member("구매자").await;
    let listings = on_sale_listings(&server, &seller, LISTINGS, "카메라", 90_000).await;

    let (outcomes, mut received) = mpsc::unbounded_channel();
    let next = Arc::new(AtomicUsize::new(0));
    let listings = Arc::new(listings);
    for _ in 0..WRITERS {
        let (http, base, token) = (server.http.clone(), server.base_url.clone(), buyer.token.clone());
        let (next, listings, outcomes) = (Arc::clone(&next), Arc::clone(&listings), outcomes.clone());
        tokio::spawn(async move {
            while let Some(listing) = listings.get(next.fetch_add(1, Ordering::Relaxed)).cloned() {
                let outcome = place(&http, &base, &token, &listing).await;
                let stop = matches!(outcome, Outcome::NoAnswer);
                if outcomes.send(outcome).is_err() || stop {
                    return;
                }
            }
        });
    }
    drop(outcomes);

    let mut acked = BTreeSet::new();
    let mut refused = Vec::new();
    let mut unanswered = 0;
    let mut stopping = None;
    while let Some(outcome) = received.recv().await {
        match outcome {
            Outcome::Acked(order_id) => {
                acked.insert(order_id);
            }
            Outcome::Answered(status) => refused.push(status),
            Outcome::NoAnswer => unanswered += 1,
        }
        if acked.len() == STOP_AFTER_ACKS && stopping.is_none() {
            stopping = Some(server.terminate().await);
        }
    }
    let status = match stopping {
        Some(status) => status,
        None => server.terminate().await,
    };
    assert!(status.success(), "the server exits cleanly on SIGTERM, got {status}");
    assert!(
        refused.iter().all(|status| *status == StatusCode::SERVICE_UNAVAILABLE),
        "while stopping, new work is refused with 503 and nothing else: {refused:?}"
    );

    let (placed, reservations, reserved) = logged_orders(profile, &server).await;
    assert!(acked.len() >= STOP_AFTER_ACKS);
    let committed_unanswered: Vec<_> = placed.difference(&acked).collect();
    assert!(
        committed_unanswered.is_empty(),
        "the log holds exactly the acknowledged orders; {} acknowledged, {} refused, {unanswered} unanswered, \
         committed but unanswered: {committed_unanswered:?}",
        acked.len(),
        refused.len(),
    );
    assert!(acked.is_subset(&placed), "every acknowledged order is in the log");
    let placed = i64::try_from(placed.len()).unwrap();
    assert_eq!((reservations, reserved), (placed, placed), "each listing reserved once");
}

on_both_profiles!(
    embedded_sigterm_mid_load_answers_what_it_took,
    postgres_sigterm_mid_load_answers_what_it_took,
    sigterm_mid_load_answers_what_it_took
);
