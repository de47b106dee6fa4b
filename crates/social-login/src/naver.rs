//! Naver Login (네이버 로그인): OAuth 2.0 on `nid.naver.com` and the profile API on
//! `openapi.naver.com` (`GET /v1/nid/me`), as Naver's developer documentation describes them.
//!
//! Naver issues no ID token, so there is no nonce; `state` binds the answer to the request, and
//! the code is traded with the client secret over TLS. The request also carries a PKCE challenge
//! and the exchange its verifier: Naver's documentation does not list them, and a server that
//! ignores them loses nothing. Naver's token endpoint answers refusals with `200` and an
//! `error` field, which is read as a refusal. The profile's e-mail address has no verification
//! flag: it is the Naver account's own, and is taken as the provider's word.

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;

use crate::{
    AuthorizationRequest, ExternalProfile, IdentityProvider, ProviderName, SocialLoginError, pkce_challenge,
};

/// Where Naver's OAuth endpoints are.
pub const AUTH_BASE: &str = "https://nid.naver.com";
/// Where Naver's profile API is.
pub const API_BASE: &str = "https://openapi.naver.com";
const TIMEOUT: Duration = Duration::from_secs(10);

/// A client registered with Naver Developers, and where Naver is (tests give a local server).
#[derive(Clone)]
pub struct NaverClient {
    pub client_id: String,
    pub client_secret: String,
    pub auth_base: String,
    pub api_base: String,
}

impl std::fmt::Debug for NaverClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NaverClient")
            .field("client_id", &self.client_id)
            .field("auth_base", &self.auth_base)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
pub struct NaverProvider {
    client: NaverClient,
    http: reqwest::Client,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

#[derive(Deserialize)]
struct ProfileAnswer {
    resultcode: String,
    message: Option<String>,
    response: Option<NaverProfile>,
}

#[derive(Deserialize)]
struct NaverProfile {
    id: String,
    email: Option<String>,
    nickname: Option<String>,
    name: Option<String>,
}

fn unavailable(error: &reqwest::Error) -> SocialLoginError {
    SocialLoginError::Unavailable(error.to_string())
}

impl NaverProvider {
    /// Refuses an address that is neither HTTPS nor on this machine: the client secret goes there.
    pub fn new(client: NaverClient) -> Result<Self, SocialLoginError> {
        for base in [&client.auth_base, &client.api_base] {
            if !crate::is_secure_or_loopback(base) {
                return Err(SocialLoginError::InvalidAnswer(format!(
                    "{base} is not HTTPS (plain HTTP only to this machine)"
                )));
            }
        }
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| unavailable(&error))?;
        Ok(Self { client, http })
    }

    fn endpoint(base: &str, path: &str) -> Result<reqwest::Url, SocialLoginError> {
        reqwest::Url::parse(&format!("{}{path}", base.trim_end_matches('/')))
            .map_err(|error| SocialLoginError::InvalidAnswer(format!("{base}: {error}")))
    }

    async fn access_token(
        &self,
        code: &str,
        request: &AuthorizationRequest,
    ) -> Result<String, SocialLoginError> {
        let url = Self::endpoint(&self.client.auth_base, "/oauth2.0/token")?;
        let form = [
            ("grant_type", "authorization_code"),
            ("client_id", &self.client.client_id),
            ("client_secret", &self.client.client_secret),
            ("code", code),
            ("state", &request.state),
            ("code_verifier", &request.code_verifier),
        ];
        let response = self.http.post(url).form(&form).send().await.map_err(|error| unavailable(&error))?;
        let status = response.status();
        if status.is_server_error() {
            return Err(SocialLoginError::Unavailable(format!("Naver's token endpoint answered {status}")));
        }
        let answer: TokenAnswer = response
            .json()
            .await
            .map_err(|error| SocialLoginError::InvalidAnswer(format!("Naver's token answer: {error}")))?;
        match (answer.access_token, answer.error) {
            (Some(token), None) if status.is_success() => Ok(token),
            (_, error) => Err(SocialLoginError::CodeRefused(format!(
                "{status} {}: {}",
                error.unwrap_or_default(),
                answer.error_description.unwrap_or_default()
            ))),
        }
    }
}

#[async_trait]
impl IdentityProvider for NaverProvider {
    fn name(&self) -> ProviderName {
        ProviderName::Naver
    }

    async fn authorization_url(&self, request: &AuthorizationRequest) -> Result<String, SocialLoginError> {
        let mut url = Self::endpoint(&self.client.auth_base, "/oauth2.0/authorize")?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.client.client_id)
            .append_pair("redirect_uri", &request.redirect_uri)
            .append_pair("state", &request.state)
            .append_pair("code_challenge", &pkce_challenge(&request.code_verifier))
            .append_pair("code_challenge_method", "S256");
        Ok(url.into())
    }

    async fn issuer(&self) -> Result<Option<String>, SocialLoginError> {
        Ok(None)
    }

    async fn exchange(
        &self,
        code: &str,
        request: &AuthorizationRequest,
    ) -> Result<ExternalProfile, SocialLoginError> {
        let access_token = self.access_token(code, request).await?;
        let url = Self::endpoint(&self.client.api_base, "/v1/nid/me")?;
        let response =
            self.http.get(url).bearer_auth(access_token).send().await.map_err(|error| unavailable(&error))?;
        let status = response.status();
        if status.is_server_error() {
            return Err(SocialLoginError::Unavailable(format!("Naver's profile API answered {status}")));
        }
        let answer: ProfileAnswer = response
            .json()
            .await
            .map_err(|error| SocialLoginError::InvalidAnswer(format!("Naver's profile answer: {error}")))?;
        let profile = match (answer.resultcode.as_str(), answer.response) {
            ("00", Some(profile)) if status.is_success() => profile,
            (code, _) => {
                return Err(SocialLoginError::InvalidAnswer(format!(
                    "Naver's profile API answered {status}, resultcode {code}: {}",
                    answer.message.unwrap_or_default()
                )));
            }
        };
        Ok(ExternalProfile {
            subject: profile.id,
            email_verified: profile.email.is_some(),
            email: profile.email,
            name: profile.nickname.or(profile.name),
        })
    }
}
