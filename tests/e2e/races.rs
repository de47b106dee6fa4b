//! Racing buyers through HTTP: two API processes share one PostgreSQL event store, and for each of
//! a thousand listings four buyers press "buy" at once, split across both processes. Exactly one
//! order wins each race, the others get 409 `listing_not_available`, and the event log (read with
//! SQL, not through any read model) holds exactly one reservation and one order per listing.

use futures::{StreamExt, stream};
use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::Connection;

use crate::support::{Member, Profile, TestDatabase, TestServer};

const RACES: usize = 1_000;
const BUYERS: usize = 4;
/// Races run at once (each with its four buyers).
const RACES_IN_FLIGHT: usize = 8;

#[tokio::test]
async fn racing_buyers_never_buy_one_listing_twice_across_two_api_processes() {
    let Some(database) = TestDatabase::create().await else { return };
    let url = database.url.clone();
    let profile = Profile::Postgres(database);
    // One signing secret, so that a token from one process is good at the other.
    let settings = [
        ("JANGTEO_JWT_SECRET", "racing-buyers-share-this-signing-secret-0123456789"),
        ("JANGTEO_MASTER_KEY", "726163696e67206275796572732073686172652061206d6173746572206b6579"),
    ];
    let first = TestServer::start_with(&profile, &settings).await;
    let second = TestServer::start_with(&profile, &settings).await;
    let seller = first.member("판매자").await;
    let mut buyers: Vec<Member> = Vec::new();
    for n in 0..BUYERS {
        buyers.push(first.member(&format!("구매자{n}")).await);
    }

    let listings: Vec<String> = stream::iter(0..RACES)
        .map(|n| {
            let (server, seller) = (&first, &seller);
            async move {
                let body = json!({ "title": format!("한정판 {n}"), "price": 50_000 });
                let created =
                    server.send(Method::POST, "/v1/listings", Some(&seller.token), Some(body)).await;
                let listing_id = created.body["listing_id"].as_str().unwrap().to_owned();
                let path = format!("/v1/listings/{listing_id}/publish");
                let published = server.send(Method::POST, &path, Some(&seller.token), None).await;
                assert_eq!(published.status, StatusCode::OK, "{}", published.body);
                listing_id
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;

    let outcomes: Vec<Vec<(StatusCode, String)>> = stream::iter(listings.iter())
        .map(|listing_id| {
            let (first, second, buyers) = (&first, &second, &buyers);
            async move {
                let attempts = buyers.iter().enumerate().map(|(n, buyer)| async move {
                    let server = if n % 2 == 0 { first } else { second };
                    let body = json!({ "listing_id": listing_id });
                    let reply = server.send(Method::POST, "/v1/orders", Some(&buyer.token), Some(body)).await;
                    (reply.status, reply.body["code"].as_str().unwrap_or_default().to_owned())
                });
                futures::future::join_all(attempts).await
            }
        })
        .buffer_unordered(RACES_IN_FLIGHT)
        .collect()
        .await;

    for (race, outcome) in outcomes.iter().enumerate() {
        let winners = outcome.iter().filter(|(status, _)| *status == StatusCode::CREATED).count();
        assert_eq!(winners, 1, "race {race}: {outcome:?}");
        let losers_refused = outcome
            .iter()
            .filter(|(status, code)| *status == StatusCode::CONFLICT && code == "listing_not_available")
            .count();
        assert_eq!(losers_refused, BUYERS - 1, "race {race}: {outcome:?}");
    }

    // The log itself: one reservation and one order per listing, never two.
    let mut db = sqlx::PgConnection::connect(&url).await.expect("connecting to the test database");
    let (reservations, reserved_listings): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT stream_id) FROM events WHERE event_type = 'ListingReserved'",
    )
    .fetch_one(&mut db)
    .await
    .expect("counting reservations");
    let (orders,): (i64,) = sqlx::query_as("SELECT count(*) FROM events WHERE event_type = 'OrderPlaced'")
        .fetch_one(&mut db)
        .await
        .expect("counting orders");
    let races = i64::try_from(RACES).unwrap();
    assert_eq!((reservations, reserved_listings, orders), (races, races, races), "no listing reserved twice");
    drop(db);
    drop((first, second));
    let Profile::Postgres(database) = profile else { unreachable!() };
    database.drop_database().await;
}
