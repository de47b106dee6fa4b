//! One contract per read-model port, run against every adapter: SQLite documents, the tantivy
//! index and in-memory counters always; Redis counters with the test Redis; MongoDB and
//! Elasticsearch against servers the tests start (secantusdb and osmem-server, installed by
//! `scripts/services.sh`), or the real ones `JANGTEO_TEST_MONGODB_URL` /
//! `JANGTEO_TEST_ELASTICSEARCH_URL` name (e.g. `docker compose up -d mongodb elasticsearch`).

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with expect/unwrap")]

mod counters;
mod documents;
mod fixtures;
mod quality;
mod search;

use jangteo_read_models::{
    InMemoryListingCounters, ListingSearch, ListingStatusView,
    elasticsearch::{ElasticsearchListingSearch, TextAnalyzer},
    mongo::MongoDocumentStore,
    redis_cache::RedisListingCounters,
    sqlite::SqliteDocumentStore,
    tantivy_search::TantivyListingSearch,
};
use jangteo_test_support::{MongoServer, SearchServer, redis_url};
use uuid::Uuid;

#[tokio::test]
async fn sqlite_documents_keep_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("read-models.sqlite");
    let store = SqliteDocumentStore::open(&path).await.unwrap();
    documents::contract(&store).await;
    documents::member_pages(&store).await;
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
    search::korean(&index).await;
    search::filters_and_sorts(&index).await;
    search::suggestions(&index).await;
    // The checkpoint is part of the index's own commit: it survives reopening.
    let checkpoint = index.checkpoint().await.unwrap();
    drop(index);
    assert_eq!(TantivyListingSearch::open(dir.path()).unwrap().checkpoint().await.unwrap(), checkpoint);
}

#[tokio::test]
async fn a_tantivy_index_of_an_older_schema_is_emptied_for_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut builder = tantivy::schema::Schema::builder();
        let title = builder.add_text_field("title", tantivy::schema::TEXT);
        let index = tantivy::Index::create_in_dir(dir.path(), builder.build()).unwrap();
        let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.add_document(tantivy::doc!(title => "아이폰")).unwrap();
        let mut prepared = writer.prepare_commit().unwrap();
        prepared.set_payload("42");
        prepared.commit().unwrap();
    }
    std::fs::write(dir.path().join("query-history.json"), r#"[["아이폰 15",3]]"#).unwrap();
    let index = TantivyListingSearch::open(dir.path()).unwrap();
    assert_eq!(index.checkpoint().await.unwrap(), 0, "the projection rebuilds it from the log");
    assert!(index.search(&search::query(None)).await.unwrap().hits.is_empty());
    let kept = index.suggest("아이", 5).await.unwrap();
    assert_eq!(kept.first().map(|s| s.text.as_str()), Some("아이폰 15"), "the search history stays");
    // A reader never empties what a writer owns: it refuses an index of another schema.
    drop(index);
    let other = tempfile::tempdir().unwrap();
    {
        let mut builder = tantivy::schema::Schema::builder();
        builder.add_text_field("title", tantivy::schema::TEXT);
        tantivy::Index::create_in_dir(other.path(), builder.build()).unwrap();
    }
    assert!(TantivyListingSearch::open_reader(other.path()).is_err());
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
async fn mongodb_documents_keep_the_contract() {
    let Some(server) = MongoServer::start() else { return };
    let database = format!("jangteo_test_{}", Uuid::new_v4().simple());
    let store = MongoDocumentStore::connect(&server.url, &database).await.unwrap();
    documents::contract(&store).await;
    documents::member_pages(&store).await;
    // Another client (another API instance) reads what this one committed, and connecting
    // again to a database whose indexes exist is no error.
    let before = documents::everything(&store).await;
    let other = MongoDocumentStore::connect(&server.url, &database).await.unwrap();
    assert_eq!(documents::everything(&other).await, before);
    store.drop_database().await.unwrap();
    assert_eq!(documents::everything(&other).await, (None, None, 0, 0), "the database is gone");
}

#[tokio::test]
async fn a_mongodb_server_that_never_answers_fails_the_connect() {
    // Accepts connections and never says a word: server selection gives up (here after the
    // 200 ms the URL asks for, which the store keeps over its own default) instead of hanging.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let url = format!("mongodb://127.0.0.1:{port}/?directConnection=true&serverSelectionTimeoutMS=200");
    let connected = MongoDocumentStore::connect(&url, "jangteo_never").await;
    let error = connected.expect_err("no server answered");
    assert!(error.to_string().contains("Server selection timeout"), "{error}");
}

#[tokio::test]
async fn an_elasticsearch_node_that_never_answers_fails_the_request() {
    // Accepts connections and holds them without a word: the transport's request timeout ends
    // the call (after 30 s) with a timeout error. The outer bound only keeps a regression from
    // hanging the suite.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    // The accepted connections stay open for as long as the test binary runs.
    std::thread::spawn(move || silent.incoming().collect::<Vec<_>>());
    let url = format!("http://127.0.0.1:{port}");
    let connecting = ElasticsearchListingSearch::connect(&url, "jangteo-never", TextAnalyzer::Nori);
    let connected = tokio::time::timeout(std::time::Duration::from_secs(120), connecting)
        .await
        .expect("the client gave up on its own");
    match connected.expect_err("no node answered") {
        jangteo_read_models::ReadModelError::SearchServer(error) => assert!(
            error.downcast_ref::<elasticsearch::Error>().is_some_and(elasticsearch::Error::is_timeout),
            "{error}"
        ),
        other => panic!("not a timeout: {other}"),
    }
}

#[tokio::test]
async fn the_elasticsearch_index_keeps_the_contract() {
    let Some(server) = SearchServer::start() else { return };
    let analyzer: TextAnalyzer = server.analyzer.parse().unwrap();
    let name = format!("jangteo-test-{}", Uuid::new_v4().simple());
    let index = ElasticsearchListingSearch::connect(&server.url, &name, analyzer).await.unwrap();
    search::contract(&index).await;
    search::korean(&index).await;
    search::filters_and_sorts(&index).await;
    search::suggestions(&index).await;

    // The contract ends with a reset: what is committed afterwards is found again, and a word
    // with a particle attached ("아이폰을") is found by either analyzer: nori strips the particle,
    // and the Korean query analysis both adapters share tries the word without it.
    let phones = vec![
        fixtures::listing(1, "아이폰 15 프로 팝니다", 900_000, ListingStatusView::OnSale),
        fixtures::listing(2, "갤럭시 S24 울트라", 800_000, ListingStatusView::OnSale),
        fixtures::listing(3, "아이폰 케이스", 10_000, ListingStatusView::OnSale),
    ];
    index.commit(phones, Vec::new(), 3).await.unwrap();
    let mut plain = search::ids(&index.search(&search::query(Some("아이폰"))).await.unwrap().hits);
    plain.sort_unstable();
    assert_eq!(plain, vec![1, 3]);
    let mut with_particle = search::ids(&index.search(&search::query(Some("아이폰을"))).await.unwrap().hits);
    with_particle.sort_unstable();
    assert_eq!(with_particle, vec![1, 3], "the particle 을 is optional");

    // A second handle on the existing index (another instance starting) is no error.
    let other = ElasticsearchListingSearch::connect(&server.url, &name, analyzer).await.unwrap();
    assert_eq!(other.checkpoint().await.unwrap(), 3);
    if analyzer == TextAnalyzer::Cjk {
        // A server without the nori plugin refuses an index that needs it, loudly.
        let nori = format!("jangteo-test-{}", Uuid::new_v4().simple());
        let refused = ElasticsearchListingSearch::connect(&server.url, &nori, TextAnalyzer::Nori).await;
        assert!(refused.is_err(), "nori is not installed on this server");
    }
    index.delete_indexes().await.unwrap();
    assert!(index.search(&search::query(None)).await.is_err(), "the index is gone");
}
