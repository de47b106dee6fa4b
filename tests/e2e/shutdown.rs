//! Graceful shutdown: SIGTERM in the middle of a load of orders. The server stops taking new
//! work (`503 shutting_down`, `Connection: close`), answers what it has taken, and exits cleanly;
//! afterwards the log holds exactly the orders that were acknowledged — none committed behind a
//! cut connection — and each listing once.
//!
//! A query waiting for a log position that never comes keeps the drain open for a few seconds,
//! so that the writers' requests meet a stopping server for certain, not only by timing.

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

/// How long the query holding the drain open waits for its position.
const HOLD_MILLIS: &str = "3000";

/// What one order request came to.
enum Outcome {
    Acked(String),
    Answered(Refusal),
    NoAnswer,
}

/// A refused request: its status, problem code and whether the server closes the connection.
#[derive(Debug)]
struct Refusal {
    status: StatusCode,
    code: String,
    closes: bool,
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
        let closes = answer.headers().get("connection").is_some_and(|value| value == "close");
        let body = answer.json::<Value>().await.unwrap_or_default();
        let code = body["code"].as_str().unwrap_or_default().to_owned();
        return Outcome::Answered(Refusal { status, code, closes });
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

/// A listing query that waits for a position far beyond the log: the server has taken it, and
/// answers it `503 not_caught_up` after `HOLD_MILLIS`.
async fn hold_open(
    http: reqwest::Client,
    base: String,
    token: String,
    listing: String,
) -> (StatusCode, String) {
    let answer = http
        .get(format!("{base}/v1/listings/{listing}"))
        .bearer_auth(token)
        .header("x-consistency-position", (u64::MAX / 2).to_string())
        .send()
        .await
        .expect("the held query is answered");
    let status = answer.status();
    let body = answer.json::<Value>().await.unwrap_or_default();
    (status, body["code"].as_str().unwrap_or_default().to_owned())
}

async fn sigterm_mid_load_answers_what_it_took(profile: &Profile) {
    let mut server =
        TestServer::start_with(profile, &[("JANGTEO_CONSISTENCY_TIMEOUT_MS", HOLD_MILLIS)]).await;
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
    let mut holder = None;
    while let Some(outcome) = received.recv().await {
        match outcome {
            Outcome::Acked(order_id) => {
                acked.insert(order_id);
            }
            Outcome::Answered(refusal) => refused.push(refusal),
            Outcome::NoAnswer => unanswered += 1,
        }
        if holder.is_none() {
            let (http, base, token) = (server.http.clone(), server.base_url.clone(), buyer.token.clone());
            holder = Some(tokio::spawn(hold_open(http, base, token, listings[0].clone())));
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
    let held = holder.expect("the held query was sent").await.expect("held query task");
    assert_eq!(
        held,
        (StatusCode::SERVICE_UNAVAILABLE, "not_caught_up".to_owned()),
        "the held query was taken before the stop and answered during the drain"
    );
    assert!(!refused.is_empty(), "requests arriving during the drain are refused");
    for refusal in &refused {
        assert!(
            refusal.status == StatusCode::SERVICE_UNAVAILABLE
                && refusal.code == "shutting_down"
                && refusal.closes,
            "while stopping, new work is refused with 503 shutting_down and Connection: close: {refusal:?}"
        );
    }

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
