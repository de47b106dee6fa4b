//! One contract per read-model port, run against every adapter: SQLite documents, the tantivy
//! index and in-memory counters always; Redis counters with the test Redis; MongoDB and
//! Elasticsearch when `JANGTEO_TEST_MONGODB_URL` / `JANGTEO_TEST_ELASTICSEARCH_URL` name a server
//! (those cannot run on this project's machines, so their tests are `#[ignore]`d: `cargo test -p
//! jangteo-read-models --test contract -- --include-ignored` with the variables set runs them,
//! e.g. against `docker compose up`).

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with expect/unwrap")]

mod counters;
mod documents;
mod fixtures;
mod search;

use jangteo_read_models::{
    InMemoryListingCounters, ListingSearch, elasticsearch::ElasticsearchListingSearch,
    mongo::MongoDocumentStore, redis_cache::RedisListingCounters, sqlite::SqliteDocumentStore,
    tantivy_search::TantivyListingSearch,
};
use jangteo_test_support::redis_url;
use uuid::Uuid;

#[tokio::test]
async fn sqlite_documents_keep_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("read-models.sqlite");
    let store = SqliteDocumentStore::open(&path).await.unwrap();
    documents::contract(&store).await;
    // And what was committed survives reopening the file.
    let before = documents::everything(&store).await;
    drop(store);
    let reopened = SqliteDocumentStore::open(&path).await.unwrap();
    assert_eq!(documents::everything(&reopened).await, before);
}

#[tokio::test]
async fn the_tantivy_index_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let index = TantivyListingSearch::open(dir.path()).unwrap();
    search::contract(&index).await;
    // The checkpoint is part of the index's own commit: it survives reopening.
    let checkpoint = index.checkpoint().await.unwrap();
    drop(index);
    assert_eq!(TantivyListingSearch::open(dir.path()).unwrap().checkpoint().await.unwrap(), checkpoint);
}

#[tokio::test]
async fn a_read_only_tantivy_handle_sees_the_writers_commits() {
    let dir = tempfile::tempdir().unwrap();
    let writer = TantivyListingSearch::open(dir.path()).unwrap();
    let reader = TantivyListingSearch::open_reader(dir.path()).unwrap();
    let phone = fixtures::listing(1, "아이폰 15", 900_000, jangteo_read_models::ListingStatusView::OnSale);
    writer.commit(vec![phone.clone()], Vec::new(), 4).await.unwrap();
    // Reading the checkpoint is what moves a reader to the writer's newest commit.
    assert_eq!(reader.checkpoint().await.unwrap(), 4);
    let hits = reader.search(&search::query(Some("아이폰"))).await.unwrap().hits;
    assert_eq!(hits, vec![phone]);
    assert!(reader.commit(Vec::new(), Vec::new(), 5).await.is_err(), "a reader never writes");
}

#[tokio::test]
async fn in_memory_counters_keep_the_contract() {
    counters::contract(&InMemoryListingCounters::new()).await;
}

#[tokio::test]
async fn redis_counters_keep_the_contract() {
    let Some(url) = redis_url() else { return };
    let prefix = format!("jangteo-test-{}", Uuid::new_v4().simple());
    counters::contract(&RedisListingCounters::connect(&url, &prefix).await.unwrap()).await;
}

#[tokio::test]
#[ignore = "needs MongoDB 7: set JANGTEO_TEST_MONGODB_URL and pass --include-ignored"]
async fn mongodb_documents_keep_the_contract() {
    let Some(url) = std::env::var("JANGTEO_TEST_MONGODB_URL").ok() else {
        println!("SKIPPED (mongodb: JANGTEO_TEST_MONGODB_URL is not set)");
        return;
    };
    let database = format!("jangteo_test_{}", Uuid::new_v4().simple());
    let store = MongoDocumentStore::connect(&url, &database).await.unwrap();
    documents::contract(&store).await;
    store.drop_database().await.unwrap();
}

#[tokio::test]
#[ignore = "needs Elasticsearch 8 with analysis-nori: set JANGTEO_TEST_ELASTICSEARCH_URL and pass --include-ignored"]
async fn the_elasticsearch_index_keeps_the_contract() {
    let Some(url) = std::env::var("JANGTEO_TEST_ELASTICSEARCH_URL").ok() else {
        println!("SKIPPED (elasticsearch: JANGTEO_TEST_ELASTICSEARCH_URL is not set)");
        return;
    };
    let name = format!("jangteo-test-{}", Uuid::new_v4().simple());
    let index = ElasticsearchListingSearch::connect(&url, &name).await.unwrap();
    search::contract(&index).await;
    // Korean morphology: a particle attached to the word still finds it.
    let found = index.search(&search::query(Some("아이폰을"))).await.unwrap().hits;
    assert!(!found.is_empty(), "nori strips the particle 을");
    index.delete_indexes().await.unwrap();
}
