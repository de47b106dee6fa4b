//! Behind a trusted reverse proxy (`JANGTEO_TRUSTED_PROXIES`), the client is the address the
//! proxy forwarded: for the rate limit, the sign-in record and the metrics' loopback check. No
//! one else's `X-Forwarded-For` is believed.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{PASSWORD, Profile, TestServer};

async fn sign_in_from(server: &TestServer, email: &str, forwarded_for: &str) -> StatusCode {
    server
        .request(Method::POST, "/v1/sessions", None)
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .status()
}

async fn recorded_ips(server: &TestServer, token: &str) -> Vec<String> {
    let history = server.send(Method::GET, "/v1/me/sign-ins", Some(token), None).await;
    history.body["sign_ins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["ip"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_counts() {
    let settings = [("JANGTEO_TRUSTED_PROXIES", "127.0.0.1, ::1"), ("JANGTEO_RATE_LIMIT_PER_MINUTE", "30")];
    let server = TestServer::start_with(&Profile::Embedded, &settings).await;
    let member = server.member("프록시뒤").await;
    // What the client wrote itself (left) is not believed; the proxy's hop (right) is.
    assert_eq!(sign_in_from(&server, &member.email, "6.6.6.6, 198.51.100.7").await, StatusCode::CREATED);
    assert!(recorded_ips(&server, &member.token).await.contains(&"198.51.100.7".to_owned()));

    // The metrics are for the machine itself, not for a client the local proxy forwards.
    let metrics = |forwarded: Option<&str>| {
        let mut request = server.request(Method::GET, "/metrics", None);
        if let Some(forwarded) = forwarded {
            request = request.header("x-forwarded-for", forwarded);
        }
        request.send()
    };
    assert_eq!(metrics(None).await.unwrap().status(), StatusCode::OK);
    assert_eq!(metrics(Some("198.51.100.7")).await.unwrap().status(), StatusCode::FORBIDDEN);

    // Each forwarded client has a rate limit of its own.
    let mut limited = false;
    for _ in 0..40 {
        let reply = server
            .request(Method::GET, "/v1/listings", None)
            .header("x-forwarded-for", "198.51.100.20")
            .send()
            .await
            .unwrap();
        if reply.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = true;
            break;
        }
    }
    assert!(limited, "one client over its limit is refused");
    let other = server
        .request(Method::GET, "/v1/listings", None)
        .header("x-forwarded-for", "198.51.100.21")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::OK, "another client behind the same proxy is not");
}

#[tokio::test]
async fn without_trusted_proxies_the_header_is_ignored() {
    let server = TestServer::start(&Profile::Embedded).await;
    let member = server.member("직접접속").await;
    assert_eq!(sign_in_from(&server, &member.email, "198.51.100.7").await, StatusCode::CREATED);
    let ips = recorded_ips(&server, &member.token).await;
    assert!(!ips.contains(&"198.51.100.7".to_owned()), "{ips:?}");
    assert!(ips.iter().all(|ip| ip == "127.0.0.1"), "{ips:?}");
}
