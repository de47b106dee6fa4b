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
