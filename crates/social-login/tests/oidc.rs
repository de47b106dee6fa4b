//! The OpenID Connect adapter against a real OpenID provider (oidc-provider) on this machine:
//! the whole code flow with PKCE, state and nonce, and what it refuses.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with expect/unwrap")]

use jangteo_social_login::{
    AuthorizationRequest, IdentityProvider, ProviderName, SocialLoginError,
    oidc::{OidcClient, OidcProvider},
};
use jangteo_test_support::{OidcProviderServer, follow_sign_in};

const REDIRECT_URI: &str = "http://127.0.0.1:9/oauth-return";

fn provider_for(server: &OidcProviderServer) -> OidcProvider {
    let client = OidcClient {
        issuer: server.issuer.clone(),
        client_id: server.client_id.clone(),
        client_secret: server.client_secret.clone(),
        scopes: OidcClient::default_scopes(ProviderName::Google).to_owned(),
    };
    OidcProvider::new(ProviderName::Google, client).unwrap()
}

fn request(state: &str) -> AuthorizationRequest {
    AuthorizationRequest {
        state: state.to_owned(),
        nonce: format!("nonce-of-{state}"),
        code_verifier: format!("verifier-of-{state}-0123456789012345678901234567890123"),
        redirect_uri: REDIRECT_URI.to_owned(),
    }
}

fn query_value(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| value.replace("%3A", ":").replace("%2F", "/"))
    })
}

/// Signs `login` in at the provider; returns the code the provider sent back.
async fn sign_in(provider: &OidcProvider, request: &AuthorizationRequest, login: &str) -> String {
    let url = provider.authorization_url(request).await.unwrap();
    let url = format!("{url}&login_hint={login}");
    let back =
        tokio::task::spawn_blocking(move || follow_sign_in(&url, REDIRECT_URI)).await.unwrap().unwrap();
    assert_eq!(query_value(&back, "state").as_deref(), Some(request.state.as_str()), "the state comes back");
    query_value(&back, "code").expect("a code")
}

#[tokio::test]
async fn the_code_flow_answers_who_signed_in() {
    let Some(server) = OidcProviderServer::start(&[REDIRECT_URI]) else { return };
    let provider = provider_for(&server);
    let request = request("state-one");
    let url = provider.authorization_url(&request).await.unwrap();
    for part in
        ["code_challenge_method=S256", "code_challenge=", "nonce=nonce-of-state-one", "response_type=code"]
    {
        assert!(url.contains(part), "{url} lacks {part}");
    }
    assert_eq!(provider.issuer().await.unwrap().as_deref(), Some(server.issuer.as_str()));

    let code = sign_in(&provider, &request, "alice@example.test").await;
    let profile = provider.exchange(&code, &request).await.unwrap();
    assert_eq!(profile.subject, "sub-alice@example.test");
    assert_eq!(profile.email.as_deref(), Some("alice@example.test"));
    assert!(profile.email_verified);
    assert_eq!(profile.name.as_deref(), Some("alice"));

    // A code is good once.
    let again = provider.exchange(&code, &request).await;
    assert!(matches!(again, Err(SocialLoginError::CodeRefused(_))), "{again:?}");
}

#[tokio::test]
async fn an_unverified_address_is_said_to_be_so() {
    let Some(server) = OidcProviderServer::start(&[REDIRECT_URI]) else { return };
    let provider = provider_for(&server);
    let request = request("state-two");
    let code = sign_in(&provider, &request, "unverified.bob@example.test").await;
    let profile = provider.exchange(&code, &request).await.unwrap();
    assert_eq!(profile.email.as_deref(), Some("unverified.bob@example.test"));
    assert!(!profile.email_verified);
}

#[tokio::test]
async fn a_code_with_another_verifier_or_nonce_is_refused() {
    let Some(server) = OidcProviderServer::start(&[REDIRECT_URI]) else { return };
    let provider = provider_for(&server);

    let request_one = request("state-three");
    let code = sign_in(&provider, &request_one, "carol@example.test").await;
    let other_verifier = AuthorizationRequest { code_verifier: "x".repeat(43), ..request_one.clone() };
    let refused = provider.exchange(&code, &other_verifier).await;
    assert!(matches!(refused, Err(SocialLoginError::CodeRefused(_))), "PKCE: {refused:?}");

    let request_two = request("state-four");
    let code = sign_in(&provider, &request_two, "carol@example.test").await;
    let other_nonce = AuthorizationRequest { nonce: "someone-elses".to_owned(), ..request_two };
    let refused = provider.exchange(&code, &other_nonce).await;
    assert!(
        matches!(refused, Err(SocialLoginError::InvalidAnswer(ref reason)) if reason.contains("nonce")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_client_secret_the_provider_does_not_know_is_refused() {
    let Some(server) = OidcProviderServer::start(&[REDIRECT_URI]) else { return };
    let provider = provider_for(&server);
    let request = request("state-five");
    let code = sign_in(&provider, &request, "dave@example.test").await;
    let impostor = OidcProvider::new(
        ProviderName::Google,
        OidcClient {
            issuer: server.issuer.clone(),
            client_id: server.client_id.clone(),
            client_secret: "not-the-secret".to_owned(),
            scopes: "openid email".to_owned(),
        },
    )
    .unwrap();
    let refused = impostor.exchange(&code, &request).await;
    assert!(matches!(refused, Err(SocialLoginError::CodeRefused(_))), "{refused:?}");
}

#[tokio::test]
async fn a_refusal_comes_back_as_an_error_and_no_code() {
    let Some(server) = OidcProviderServer::start(&[REDIRECT_URI]) else { return };
    let provider = provider_for(&server);
    let url = format!("{}&login_hint=deny", provider.authorization_url(&request("state-six")).await.unwrap());
    let back =
        tokio::task::spawn_blocking(move || follow_sign_in(&url, REDIRECT_URI)).await.unwrap().unwrap();
    assert_eq!(query_value(&back, "error").as_deref(), Some("access_denied"));
    assert_eq!(query_value(&back, "code"), None);
}

#[tokio::test]
async fn an_issuer_that_is_not_https_is_refused_unless_on_this_machine() {
    let client = |issuer: &str| OidcClient {
        issuer: issuer.to_owned(),
        client_id: "c".to_owned(),
        client_secret: "s".to_owned(),
        scopes: "openid".to_owned(),
    };
    assert!(OidcProvider::new(ProviderName::Kakao, client("http://kauth.kakao.com")).is_err());
    assert!(OidcProvider::new(ProviderName::Kakao, client("https://kauth.kakao.com")).is_ok());
}
