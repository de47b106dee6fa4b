//! The Naver Login adapter against a local server answering as Naver's documented API does:
//! `POST /oauth2.0/token` (refusals come as `200` with an `error`), `GET /v1/nid/me`.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with expect/unwrap")]

use jangteo_social_login::{
    AuthorizationRequest, IdentityProvider, SocialLoginError,
    naver::{NaverClient, NaverProvider},
};
use serde_json::json;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_string_contains, header, method, path},
};

fn provider(server: &MockServer) -> NaverProvider {
    NaverProvider::new(NaverClient {
        client_id: "naver-client".to_owned(),
        client_secret: "naver-secret".to_owned(),
        auth_base: server.uri(),
        api_base: server.uri(),
    })
    .unwrap()
}

fn request() -> AuthorizationRequest {
    AuthorizationRequest {
        state: "naver-state".to_owned(),
        nonce: "unused".to_owned(),
        code_verifier: "v".repeat(43),
        redirect_uri: "http://127.0.0.1:9/oauth-return".to_owned(),
    }
}

async fn mount_token(server: &MockServer, code: &str, answer: serde_json::Value) {
    Mock::given(method("POST"))
        .and(path("/oauth2.0/token"))
        .and(body_string_contains("grant_type=authorization_code"))
        .and(body_string_contains("client_secret=naver-secret"))
        .and(body_string_contains("state=naver-state"))
        .and(body_string_contains(format!("code={code}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_code_is_traded_for_the_naver_profile() {
    let server = MockServer::start().await;
    mount_token(
        &server,
        "good-code",
        json!({"access_token": "AAAA", "refresh_token": "RRRR", "token_type": "bearer", "expires_in": "3600"}),
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/v1/nid/me"))
        .and(header("authorization", "Bearer AAAA"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "resultcode": "00", "message": "success",
            "response": {"id": "naver-id-1", "email": "minji@naver.com", "nickname": "민지", "name": "김민지"}
        })))
        .mount(&server)
        .await;
    let naver = provider(&server);
    let url = naver.authorization_url(&request()).await.unwrap();
    assert!(url.starts_with(&format!("{}/oauth2.0/authorize?", server.uri())), "{url}");
    for part in ["response_type=code", "client_id=naver-client", "state=naver-state", "code_challenge="] {
        assert!(url.contains(part), "{url} lacks {part}");
    }
    let profile = naver.exchange("good-code", &request()).await.unwrap();
    assert_eq!(profile.subject, "naver-id-1");
    assert_eq!(profile.email.as_deref(), Some("minji@naver.com"));
    assert!(profile.email_verified);
    assert_eq!(profile.name.as_deref(), Some("민지"));
}

#[tokio::test]
async fn a_refused_code_answers_200_with_an_error_and_is_a_refusal() {
    let server = MockServer::start().await;
    mount_token(
        &server,
        "used-code",
        json!({"error": "invalid_request", "error_description": "no valid data in session"}),
    )
    .await;
    let refused = provider(&server).exchange("used-code", &request()).await;
    assert!(
        matches!(refused, Err(SocialLoginError::CodeRefused(ref words)) if words.contains("invalid_request")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_profile_refusal_is_an_invalid_answer() {
    let server = MockServer::start().await;
    mount_token(
        &server,
        "code",
        json!({"access_token": "BBBB", "token_type": "bearer", "expires_in": "3600"}),
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/v1/nid/me"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"resultcode": "024", "message": "Authentication failed"})),
        )
        .mount(&server)
        .await;
    let refused = provider(&server).exchange("code", &request()).await;
    assert!(
        matches!(refused, Err(SocialLoginError::InvalidAnswer(ref words)) if words.contains("024")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn naver_down_is_unavailable() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2.0/token"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let refused = provider(&server).exchange("code", &request()).await;
    assert!(matches!(refused, Err(SocialLoginError::Unavailable(_))), "{refused:?}");
}
