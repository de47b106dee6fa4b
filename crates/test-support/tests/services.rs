//! The test support's own promises: a test database is gone once its value is, and the servers
//! it starts answer while they are held and are stopped when they are dropped.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with expect/unwrap")]

use std::net::TcpStream;

use jangteo_test_support::{MongoServer, S3Server, SearchServer, TestDatabase};
use sqlx::Connection;

/// Whether a database of that name exists on the test server.
async fn exists(name: &str) -> bool {
    let admin_url = std::env::var("JANGTEO_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_one(&mut admin)
        .await
        .unwrap();
    count == 1
}

#[tokio::test]
async fn a_test_database_dropped_inside_a_runtime_is_gone() {
    let Some(database) = TestDatabase::create().await else { return };
    let name = database.name.clone();
    assert!(exists(&name).await);
    // Held open, as a test's pool would be when the test fails.
    let _pool = sqlx::PgConnection::connect(&database.url).await.unwrap();
    drop(database);
    assert!(!exists(&name).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_database_dropped_explicitly_is_gone_and_not_dropped_twice() {
    let Some(database) = TestDatabase::create().await else { return };
    let name = database.name.clone();
    database.drop_database().await;
    assert!(!exists(&name).await);
}

#[test]
fn a_test_database_dropped_outside_a_runtime_is_gone() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let Some(database) = runtime.block_on(TestDatabase::create()) else { return };
    let name = database.name.clone();
    drop(database);
    assert!(!runtime.block_on(exists(&name)));
}

/// The loopback port of a `scheme://127.0.0.1:<port>/…` URL.
fn port_of(url: &str) -> u16 {
    let authority = url.split("://").nth(1).unwrap().split(['/', '?']).next().unwrap();
    authority.rsplit_once(':').unwrap().1.parse().unwrap()
}

#[test]
fn a_mongodb_server_answers_until_dropped() {
    if std::env::var_os("JANGTEO_TEST_MONGODB_URL").is_some() {
        return; // A named server is not this test's to stop.
    }
    let Some(server) = MongoServer::start() else { return };
    let port = port_of(&server.url);
    assert!(server.url.contains("directConnection=true"), "{}", server.url);
    assert!(TcpStream::connect(("127.0.0.1", port)).is_ok());
    drop(server);
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "the server was killed");
}

#[test]
fn a_search_server_answers_until_dropped() {
    if std::env::var_os("JANGTEO_TEST_ELASTICSEARCH_URL").is_some() {
        return; // A named server is not this test's to stop.
    }
    let Some(server) = SearchServer::start() else { return };
    assert_eq!(server.analyzer, "cjk");
    let port = port_of(&server.url);
    assert!(TcpStream::connect(("127.0.0.1", port)).is_ok());
    drop(server);
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "the server was killed");
}

#[test]
fn an_s3_server_answers_until_dropped() {
    let Some(server) = S3Server::start() else { return };
    let port = port_of(&server.endpoint);
    assert!(TcpStream::connect(("127.0.0.1", port)).is_ok());
    drop(server);
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "the server was killed");
}
