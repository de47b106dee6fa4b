//! OpenID Connect (Core 1.0) with the authorization-code flow: Google and Kakao are configured
//! by their issuer alone, the rest read from the issuer's discovery document
//! (`/.well-known/openid-configuration`).
//!
//! An ID token is taken only when its signature checks against a key of the issuer's JWKS (an
//! asymmetric algorithm: never `none`, never an HMAC keyed by something a client knows), its
//! `iss` is the issuer, its `aud` this client, it has not expired, and its `nonce` is the
//! request's. The JWKS is fetched once and again when a token names a key it lacks (the issuer
//! rotated its keys). Claims the ID token leaves out (oidc-provider puts the e-mail only in
//! UserInfo when an access token is issued; Kakao's token has the address but not
//! `email_verified`) are read from the UserInfo endpoint, whose `sub` must be the ID token's.

use std::time::Duration;

use async_trait::async_trait;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
use serde::Deserialize;
use tokio::sync::{OnceCell, RwLock};

use crate::{
    AuthorizationRequest, ExternalProfile, IdentityProvider, ProviderName, SocialLoginError,
    is_secure_or_loopback, pkce_challenge,
};

/// Google's issuer.
pub const GOOGLE_ISSUER: &str = "https://accounts.google.com";
/// Kakao's issuer.
pub const KAKAO_ISSUER: &str = "https://kauth.kakao.com";
const TIMEOUT: Duration = Duration::from_secs(10);
/// How far a clock may be off the issuer's when `exp` and `iat` are checked.
const LEEWAY_SECONDS: u64 = 60;
/// The signature algorithms an ID token may use: asymmetric ones only.
const ALGORITHMS: [Algorithm; 6] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::ES256,
    Algorithm::ES384,
];

/// A client registered with one OpenID provider.
#[derive(Clone)]
pub struct OidcClient {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Space-separated; `openid` first.
    pub scopes: String,
}

impl std::fmt::Debug for OidcClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcClient")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl OidcClient {
    /// The scopes to ask each provider for: Google's standard ones, Kakao's own names for the
    /// e-mail and the nickname.
    pub fn default_scopes(provider: ProviderName) -> &'static str {
        match provider {
            ProviderName::Kakao => "openid account_email profile_nickname",
            ProviderName::Google | ProviderName::Naver => "openid email profile",
        }
    }
}

/// What the provider's discovery document says, as far as the code flow needs it.
#[derive(Debug, Clone, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    userinfo_endpoint: Option<String>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    id_token: Option<String>,
    access_token: Option<String>,
}

/// `email_verified` is a boolean in the standard; some providers send the string.
#[derive(Deserialize)]
#[serde(untagged)]
enum Flag {
    Bool(bool),
    Text(String),
}

impl Flag {
    fn is_true(&self) -> bool {
        match self {
            Flag::Bool(flag) => *flag,
            Flag::Text(text) => text == "true",
        }
    }
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    nonce: Option<String>,
    email: Option<String>,
    email_verified: Option<Flag>,
    name: Option<String>,
    nickname: Option<String>,
}

impl Claims {
    fn into_profile(self) -> ExternalProfile {
        ExternalProfile {
            subject: self.sub,
            email_verified: self.email.is_some() && self.email_verified.as_ref().is_some_and(Flag::is_true),
            email: self.email,
            name: self.nickname.or(self.name),
        }
    }
}

pub struct OidcProvider {
    name: ProviderName,
    client: OidcClient,
    http: reqwest::Client,
    discovery: OnceCell<Discovery>,
    keys: RwLock<Option<JwkSet>>,
}

impl std::fmt::Debug for OidcProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcProvider")
            .field("name", &self.name)
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

fn unavailable(error: &reqwest::Error) -> SocialLoginError {
    SocialLoginError::Unavailable(error.to_string())
}

impl OidcProvider {
    /// A provider for `client`; nothing is fetched until the first sign-in. Refuses an issuer
    /// that is neither HTTPS nor on this machine.
    pub fn new(name: ProviderName, client: OidcClient) -> Result<Self, SocialLoginError> {
        if !is_secure_or_loopback(&client.issuer) {
            return Err(SocialLoginError::InvalidAnswer(format!(
                "the issuer {} is not HTTPS (plain HTTP only to this machine)",
                client.issuer
            )));
        }
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| unavailable(&error))?;
        Ok(Self { name, client, http, discovery: OnceCell::new(), keys: RwLock::new(None) })
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        bearer: Option<&str>,
    ) -> Result<T, SocialLoginError> {
        if !is_secure_or_loopback(url) {
            return Err(SocialLoginError::InvalidAnswer(format!("{url} is not HTTPS")));
        }
        let mut request = self.http.get(url);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|error| unavailable(&error))?;
        if !response.status().is_success() {
            return Err(SocialLoginError::Unavailable(format!("{url} answered {}", response.status())));
        }
        response.json().await.map_err(|error| SocialLoginError::InvalidAnswer(format!("{url}: {error}")))
    }

    async fn discovery(&self) -> Result<&Discovery, SocialLoginError> {
        self.discovery
            .get_or_try_init(|| async {
                let url =
                    format!("{}/.well-known/openid-configuration", self.client.issuer.trim_end_matches('/'));
                let discovery: Discovery = self.get_json(&url, None).await?;
                // OpenID Connect Discovery §4.3: the document must name the issuer it was read from.
                if discovery.issuer != self.client.issuer {
                    return Err(SocialLoginError::InvalidAnswer(format!(
                        "the discovery document names the issuer {}, not {}",
                        discovery.issuer, self.client.issuer
                    )));
                }
                // The code, the verifier and the client secret go to these: never in the clear.
                let endpoints = [
                    Some(&discovery.authorization_endpoint),
                    Some(&discovery.token_endpoint),
                    Some(&discovery.jwks_uri),
                    discovery.userinfo_endpoint.as_ref(),
                ];
                if let Some(plain) = endpoints.into_iter().flatten().find(|url| !is_secure_or_loopback(url)) {
                    return Err(SocialLoginError::InvalidAnswer(format!(
                        "the discovery document names {plain}, which is not HTTPS"
                    )));
                }
                Ok(discovery)
            })
            .await
    }

    /// The key `kid` names (or the only one, when the token names none), fetching the JWKS when
    /// it is not known yet or lacks that key.
    async fn key_for(&self, kid: Option<&str>) -> Result<DecodingKey, SocialLoginError> {
        let find = |keys: &JwkSet| -> Option<Result<DecodingKey, SocialLoginError>> {
            let jwk = match kid {
                Some(kid) => keys.find(kid),
                None if keys.keys.len() == 1 => keys.keys.first(),
                None => None,
            }?;
            Some(
                DecodingKey::from_jwk(jwk)
                    .map_err(|error| SocialLoginError::InvalidAnswer(error.to_string())),
            )
        };
        if let Some(found) = self.keys.read().await.as_ref().and_then(find) {
            return found;
        }
        let jwks_uri = self.discovery().await?.jwks_uri.clone();
        let fresh: JwkSet = self.get_json(&jwks_uri, None).await?;
        let found = find(&fresh);
        *self.keys.write().await = Some(fresh);
        found.unwrap_or_else(|| {
            Err(SocialLoginError::InvalidAnswer(format!("the issuer's JWKS has no key {kid:?}")))
        })
    }

    async fn verify_id_token(&self, id_token: &str, nonce: &str) -> Result<Claims, SocialLoginError> {
        let invalid = |reason: String| SocialLoginError::InvalidAnswer(format!("ID token: {reason}"));
        let header = jsonwebtoken::decode_header(id_token).map_err(|error| invalid(error.to_string()))?;
        if !ALGORITHMS.contains(&header.alg) {
            return Err(invalid(format!("the algorithm {:?} is not taken", header.alg)));
        }
        let key = self.key_for(header.kid.as_deref()).await?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.client.issuer]);
        validation.set_audience(&[&self.client.client_id]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECONDS;
        let claims = jsonwebtoken::decode::<Claims>(id_token, &key, &validation)
            .map_err(|error| invalid(error.to_string()))?
            .claims;
        if claims.nonce.as_deref() != Some(nonce) {
            return Err(invalid("the nonce is not the request's".to_owned()));
        }
        Ok(claims)
    }
}

#[async_trait]
impl IdentityProvider for OidcProvider {
    fn name(&self) -> ProviderName {
        self.name
    }

    async fn authorization_url(&self, request: &AuthorizationRequest) -> Result<String, SocialLoginError> {
        let endpoint = &self.discovery().await?.authorization_endpoint;
        let mut url = reqwest::Url::parse(endpoint)
            .map_err(|error| SocialLoginError::InvalidAnswer(format!("authorization_endpoint: {error}")))?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.client.client_id)
            .append_pair("redirect_uri", &request.redirect_uri)
            .append_pair("scope", &self.client.scopes)
            .append_pair("state", &request.state)
            .append_pair("nonce", &request.nonce)
            .append_pair("code_challenge", &pkce_challenge(&request.code_verifier))
            .append_pair("code_challenge_method", "S256");
        Ok(url.into())
    }

    async fn issuer(&self) -> Result<Option<String>, SocialLoginError> {
        Ok(Some(self.client.issuer.clone()))
    }

    async fn exchange(
        &self,
        code: &str,
        request: &AuthorizationRequest,
    ) -> Result<ExternalProfile, SocialLoginError> {
        let discovery = self.discovery().await?;
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &request.redirect_uri),
            ("code_verifier", &request.code_verifier),
            ("client_id", &self.client.client_id),
            ("client_secret", &self.client.client_secret),
        ];
        let response = self
            .http
            .post(&discovery.token_endpoint)
            .form(&form)
            .send()
            .await
            .map_err(|error| unavailable(&error))?;
        let status = response.status();
        if status.is_client_error() {
            // RFC 6749 §5.2: `invalid_grant` and the like, with the provider's words.
            let words = response.text().await.unwrap_or_default();
            return Err(SocialLoginError::CodeRefused(format!(
                "{status}: {}",
                words.chars().take(300).collect::<String>()
            )));
        }
        if !status.is_success() {
            return Err(SocialLoginError::Unavailable(format!("the token endpoint answered {status}")));
        }
        let answer: TokenAnswer = response
            .json()
            .await
            .map_err(|error| SocialLoginError::InvalidAnswer(format!("token answer: {error}")))?;
        let id_token = answer
            .id_token
            .ok_or_else(|| SocialLoginError::InvalidAnswer("the token answer has no id_token".to_owned()))?;
        let claims = self.verify_id_token(&id_token, &request.nonce).await?;
        // Kakao's ID token carries the address but not whether it is verified; UserInfo says.
        if claims.email.is_some() && claims.email_verified.is_some() {
            return Ok(claims.into_profile());
        }
        let (Some(userinfo), Some(access_token)) = (&discovery.userinfo_endpoint, &answer.access_token)
        else {
            return Ok(claims.into_profile());
        };
        let info: Claims = self.get_json(userinfo, Some(access_token)).await?;
        // OpenID Connect Core §5.3.2: UserInfo's `sub` must be the ID token's.
        if info.sub != claims.sub {
            return Err(SocialLoginError::InvalidAnswer("UserInfo names another subject".to_owned()));
        }
        Ok(info.into_profile())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_this_machine_is_spoken_to() {
        assert!(is_secure_or_loopback("https://accounts.google.com"));
        assert!(is_secure_or_loopback("http://127.0.0.1:4000"));
        assert!(is_secure_or_loopback("http://localhost/x"));
        assert!(!is_secure_or_loopback("http://localhost.example.com"));
        assert!(!is_secure_or_loopback("http://accounts.google.com"));
        assert!(!is_secure_or_loopback("ftp://127.0.0.1"));
    }
}
