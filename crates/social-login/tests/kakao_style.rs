//! An issuer that signs its ID tokens with ES256 and, as Kakao does, puts the address in the ID
//! token without `email_verified`: the adapter asks UserInfo, and refuses UserInfo's answer for
//! another subject. The issuer is a local server answering as OpenID Connect describes
//! (discovery, JWKS, token endpoint, UserInfo), its tokens signed by a key made for the test.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with expect/unwrap")]

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use jangteo_social_login::{
    AuthorizationRequest, IdentityProvider, ProviderName, SocialLoginError,
    oidc::{OidcClient, OidcProvider},
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{header, method, path},
};

const CLIENT_ID: &str = "kakao-rest-api-key";

fn request() -> AuthorizationRequest {
    AuthorizationRequest {
        state: "kakao-state".to_owned(),
        nonce: "kakao-nonce".to_owned(),
        code_verifier: "k".repeat(43),
        redirect_uri: "http://127.0.0.1:9/oauth-return".to_owned(),
    }
}

/// A local issuer whose ID token says `claims` and whose UserInfo says `userinfo`.
async fn issuer(claims: &Value, userinfo: &Value) -> MockServer {
    let server = MockServer::start().await;
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    // The public key as an uncompressed point: 0x04, then x and y.
    let point = key.public_key_raw();
    let (x, y) = point[1..].split_at(32);
    let jwks = json!({"keys": [{
        "kty": "EC", "crv": "P-256", "kid": "test-key", "use": "sig", "alg": "ES256",
        "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y),
    }]});
    let mut header_ = Header::new(Algorithm::ES256);
    header_.kid = Some("test-key".to_owned());
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let mut full =
        json!({"iss": server.uri(), "aud": CLIENT_ID, "iat": now, "exp": now + 600, "nonce": "kakao-nonce"});
    full.as_object_mut().unwrap().extend(claims.as_object().unwrap().clone());
    let signing = EncodingKey::from_ec_pem(key.serialize_pem().as_bytes()).unwrap();
    let id_token = jsonwebtoken::encode(&header_, &full, &signing).unwrap();
    let discovery = json!({
        "issuer": server.uri(),
        "authorization_endpoint": format!("{}/oauth/authorize", server.uri()),
        "token_endpoint": format!("{}/oauth/token", server.uri()),
        "jwks_uri": format!("{}/.well-known/jwks.json", server.uri()),
        "userinfo_endpoint": format!("{}/v1/oidc/userinfo", server.uri()),
    });
    Mock::given(method("GET"))
        .and(path("/.well-known/openid-configuration"))
        .respond_with(ResponseTemplate::new(200).set_body_json(discovery))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/.well-known/jwks.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(jwks))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"token_type": "bearer", "access_token": "kakao-access", "id_token": id_token, "expires_in": 21599}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/oidc/userinfo"))
        .and(header("authorization", "Bearer kakao-access"))
        .respond_with(ResponseTemplate::new(200).set_body_json(userinfo.clone()))
        .mount(&server)
        .await;
    server
}

fn kakao(server: &MockServer) -> OidcProvider {
    let client = OidcClient {
        issuer: server.uri(),
        client_id: CLIENT_ID.to_owned(),
        client_secret: "kakao-secret".to_owned(),
        scopes: OidcClient::default_scopes(ProviderName::Kakao).to_owned(),
    };
    OidcProvider::new(ProviderName::Kakao, client).unwrap()
}

#[tokio::test]
async fn an_address_without_email_verified_is_confirmed_by_userinfo() {
    let claims = json!({"sub": "3141592", "email": "seoyeon@kakao.com", "nickname": "서연"});
    let userinfo =
        json!({"sub": "3141592", "email": "seoyeon@kakao.com", "email_verified": true, "nickname": "서연"});
    let server = issuer(&claims, &userinfo).await;
    let profile = kakao(&server).exchange("kakao-code", &request()).await.unwrap();
    assert_eq!(profile.subject, "3141592");
    assert_eq!(profile.email.as_deref(), Some("seoyeon@kakao.com"));
    assert!(profile.email_verified, "UserInfo vouched for it");
    assert_eq!(profile.name.as_deref(), Some("서연"));
}

#[tokio::test]
async fn userinfo_for_another_subject_is_refused() {
    let claims = json!({"sub": "3141592", "email": "seoyeon@kakao.com"});
    let userinfo = json!({"sub": "2718281", "email": "someone@kakao.com", "email_verified": true});
    let server = issuer(&claims, &userinfo).await;
    let refused = kakao(&server).exchange("kakao-code", &request()).await;
    assert!(
        matches!(refused, Err(SocialLoginError::InvalidAnswer(ref why)) if why.contains("subject")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_token_for_another_audience_is_refused() {
    let claims =
        json!({"sub": "3141592", "aud": "another-client", "email": "a@kakao.com", "email_verified": true});
    let server = issuer(&claims, &json!({})).await;
    let refused = kakao(&server).exchange("kakao-code", &request()).await;
    assert!(matches!(refused, Err(SocialLoginError::InvalidAnswer(_))), "{refused:?}");
}
