//! The read models outside the data dir: PostgreSQL as the event store, listing and order
//! documents in a MongoDB server (secantusdb) and the listing search in an Elasticsearch-API
//! server (osmem-server, with the `cjk` analyzer it supports), started by the test. The sale goes
//! through HTTP, and what it left is checked through HTTP and in the two servers themselves.

use std::str::FromStr;

use jangteo_domain::{ListingId, OrderId};
use jangteo_read_models::{DocumentStore, ListingStatusView, mongo::MongoDocumentStore};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    sale::{eventually, sell_one_listing},
    support::{Profile, TestDatabase, TestServer},
};
use jangteo_test_support::{MongoServer, SearchServer};

#[tokio::test]
async fn a_listing_is_sold_with_documents_in_mongodb_and_search_in_an_elasticsearch_api_server() {
    let Some(mongodb) = MongoServer::start() else { return };
    let Some(search) = SearchServer::start() else { return };
    let Some(database) = TestDatabase::create().await else { return };
    let documents_database = format!("jangteo_e2e_{}", Uuid::new_v4().simple());
    let index = format!("jangteo-e2e-{}", Uuid::new_v4().simple());
    let settings = [
        ("JANGTEO_MONGODB_URL", mongodb.url.as_str()),
        ("JANGTEO_MONGODB_DATABASE", documents_database.as_str()),
        ("JANGTEO_ELASTICSEARCH_URL", search.url.as_str()),
        ("JANGTEO_ELASTICSEARCH_INDEX", index.as_str()),
        ("JANGTEO_ELASTICSEARCH_ANALYZER", search.analyzer),
    ];
    let profile = Profile::Postgres(database);
    let server = TestServer::start_with(&profile, &settings).await;

    // Create, publish, find by a word of the title, order, pay, ship, confirm: all over HTTP,
    // with every read-your-writes query waiting on the projections into the two servers.
    let (server, sale) = sell_one_listing(server).await;
    let token = sale.buyer.token.as_str();

    // Selling the listing follows the confirmation (the process manager); then the search
    // finds it as sold, by a word of its title.
    let found = eventually(&server, "/v1/listings?q=아이폰&status=sold", token, |page| {
        page["items"].as_array().is_some_and(|items| !items.is_empty())
    })
    .await;
    let ids: Vec<&str> =
        found["items"].as_array().unwrap().iter().filter_map(|i| i["listing_id"].as_str()).collect();
    assert_eq!(ids, vec![sale.listing_id.as_str()], "{found}");
    let order = eventually(&server, &format!("/v1/orders/{}", sale.order_id), token, |order| {
        order["escrow_status"] == "released"
    })
    .await;
    assert_eq!(order["status"], "completed", "{order}");
    let ready = server.send(Method::GET, "/readyz", None, None).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);

    // The documents are in MongoDB, and they are what the API serves.
    let store = MongoDocumentStore::connect(&mongodb.url, &documents_database).await.unwrap();
    let listing_id = ListingId::from_str(&sale.listing_id).unwrap();
    let stored_listing = store.listing(listing_id).await.unwrap().expect("the listing is in MongoDB");
    assert_eq!(stored_listing.status, ListingStatusView::Sold);
    assert_eq!(stored_listing.title, found["items"][0]["title"].as_str().unwrap());
    let order_id = OrderId::from_str(&sale.order_id).unwrap();
    let stored_order = store.order(order_id).await.unwrap().expect("the order is in MongoDB");
    assert_eq!(serde_json::to_value(stored_order.status).unwrap(), order["status"]);
    assert_eq!(serde_json::to_value(stored_order.escrow_status).unwrap(), order["escrow_status"]);
    assert!(store.checkpoint("order_documents").await.unwrap() > 0);

    // The listing is in the search server's index, as sold, and its checkpoint has moved.
    let http = reqwest::Client::new();
    let indexed: Value = http
        .get(format!("{}/{index}/_doc/{}", search.url, sale.listing_id))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(indexed["_source"]["status"], "sold", "{indexed}");
    let checkpoint: Value = http
        .get(format!("{}/{index}-checkpoint/_doc/listing_search", search.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(checkpoint["_source"]["position"].as_u64().is_some_and(|position| position > 0), "{checkpoint}");

    // Nothing of the read models was kept in the data dir.
    assert!(!server.data_dir().join("read-models.sqlite").exists());
    assert!(!server.data_dir().join("search").exists());

    // A restarted server reads the same documents and index back.
    let server = server.restart().await;
    let listing =
        server.send(Method::GET, &format!("/v1/listings/{}", sale.listing_id), Some(token), None).await;
    assert_eq!(listing.status, StatusCode::OK, "{}", listing.body);
    assert_eq!(listing.body["status"], "sold");
    let again = server.send(Method::GET, "/v1/listings?q=아이폰&status=sold", Some(token), None).await;
    assert_eq!(again.body["items"], found["items"]);

    drop(server);
    let Profile::Postgres(database) = profile else { unreachable!() };
    database.drop_database().await;
}
