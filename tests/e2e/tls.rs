//! TLS termination: with `JANGTEO_TLS_CERT` and `JANGTEO_TLS_KEY` (here a certificate made for
//! the test), the API speaks HTTPS only, TLS 1.2 and 1.3, and every answer carries HSTS.

use reqwest::{Certificate, StatusCode};

use crate::support::{Profile, TestServer};

#[tokio::test]
async fn with_a_certificate_the_api_serves_https_with_hsts() {
    let dir = tempfile::tempdir().unwrap();
    let generated =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, generated.cert.pem()).unwrap();
    std::fs::write(&key, generated.key_pair.serialize_pem()).unwrap();
    let settings = [("JANGTEO_TLS_CERT", cert.to_str().unwrap()), ("JANGTEO_TLS_KEY", key.to_str().unwrap())];
    let server = TestServer::start_with(&Profile::Embedded, &settings).await;
    assert!(server.base_url.starts_with("https://"), "{}", server.base_url);

    let trusting = |version: Option<reqwest::tls::Version>| {
        let mut client = reqwest::Client::builder()
            .use_rustls_tls()
            .add_root_certificate(Certificate::from_pem(generated.cert.pem().as_bytes()).unwrap());
        if let Some(version) = version {
            client = client.min_tls_version(version).max_tls_version(version);
        }
        client.build().unwrap()
    };
    for version in [reqwest::tls::Version::TLS_1_3, reqwest::tls::Version::TLS_1_2] {
        let answer =
            trusting(Some(version)).get(format!("{}/healthz", server.base_url)).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK, "{version:?}");
        assert_eq!(answer.headers()["strict-transport-security"], "max-age=63072000; includeSubDomains");
    }
    // Errors carry it too.
    let missing = trusting(None).get(format!("{}/v1/nothing-here", server.base_url)).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.headers().contains_key("strict-transport-security"));

    // Plain HTTP on the same port gets no API answer.
    let plain = server.base_url.replacen("https://", "http://", 1);
    let refused = reqwest::Client::new().get(format!("{plain}/healthz")).send().await;
    assert!(refused.is_err() || refused.is_ok_and(|answer| answer.status() != StatusCode::OK));
}

#[tokio::test]
async fn without_a_certificate_there_is_no_hsts() {
    let server = TestServer::start(&Profile::Embedded).await;
    let answer = server.request(reqwest::Method::GET, "/healthz", None).send().await.unwrap();
    assert!(!answer.headers().contains_key("strict-transport-security"));
}

/// A PostgreSQL URL with `sslmode=require` and a `rediss://` URL: the server speaks TLS to both.
/// The Redis server has no plain port at all, and PostgreSQL's view of the server's connections
/// says each one is encrypted.
#[tokio::test]
async fn postgres_and_redis_are_spoken_to_over_tls_when_their_urls_ask() {
    let Some(database) = crate::support::TestDatabase::create().await else { return };
    let Some(redis) = jangteo_test_support::RedisServer::start_tls() else { return };
    let separator = if database.url.contains('?') { '&' } else { '?' };
    let url = format!("{}{separator}sslmode=require", database.url);
    let settings = [("JANGTEO_DATABASE_URL", url.as_str()), ("JANGTEO_REDIS_URL", redis.url.as_str())];
    let server = TestServer::start_with(&Profile::Embedded, &settings).await;
    let member = server.member("암호화").await;
    let me = server.send(reqwest::Method::GET, "/v1/me", Some(&member.token), None).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    let signed_out =
        server.send(reqwest::Method::DELETE, "/v1/sessions/current", Some(&member.token), None).await;
    assert_eq!(signed_out.status, StatusCode::NO_CONTENT);
    let refused = server.send(reqwest::Method::GET, "/v1/me", Some(&member.token), None).await;
    refused.assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");

    let database_name = database.url.rsplit('/').next().unwrap().split('?').next().unwrap().to_owned();
    let admin = sqlx::PgPool::connect(&database.url).await.unwrap();
    let (encrypted, plain): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE s.ssl), count(*) FILTER (WHERE NOT s.ssl) FROM pg_stat_ssl s \
         JOIN pg_stat_activity a USING (pid) WHERE a.datname = $1 AND a.pid <> pg_backend_pid()",
    )
    .bind(&database_name)
    .fetch_one(&admin)
    .await
    .unwrap();
    admin.close().await;
    assert!(encrypted > 0, "the server's connections are encrypted");
    assert_eq!(plain, 0, "and none is not");
    drop(server);
    database.drop_database().await;
}
