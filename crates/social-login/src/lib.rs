//! Signing in with another service's account, behind one port, [`IdentityProvider`]: it builds
//! the authorization request a person's browser is sent to, and trades the code the provider
//! sends back for who the person is there ([`ExternalProfile`]). Adapters:
//! * [`oidc::OidcProvider`] (feature `oidc`): OpenID Connect (Google, Kakao), from the issuer's
//!   discovery document; the ID token's signature is checked against the issuer's JWKS, and its
//!   issuer, audience, expiry and nonce against the request;
//! * [`naver::NaverProvider`] (feature `naver`): Naver Login, OAuth 2.0 and its profile API
//!   (Naver issues no ID token).
//!
//! Every request carries `state` (which the caller keeps, to find the request again and to refuse
//! a forged answer), a PKCE code challenge (RFC 7636, S256) and, for OpenID Connect, a nonce.
//! What makes them is the caller's: this crate only speaks the protocols.

use async_trait::async_trait;
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};

#[cfg(feature = "naver")]
pub mod naver;
#[cfg(feature = "oidc")]
pub mod oidc;

/// The providers Jangteo signs in with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProviderName {
    Google,
    Kakao,
    Naver,
}

impl ProviderName {
    pub const ALL: [ProviderName; 3] = [ProviderName::Google, ProviderName::Kakao, ProviderName::Naver];

    /// The name in routes (`/v1/oauth/{provider}/…`) and in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderName::Google => "google",
            ProviderName::Kakao => "kakao",
            ProviderName::Naver => "naver",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|provider| provider.as_str() == name)
    }
}

impl std::fmt::Display for ProviderName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One authorization request's secrets, made by the caller and kept until the answer comes.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    pub state: String,
    pub nonce: String,
    /// The PKCE code verifier; the request carries its S256 challenge.
    pub code_verifier: String,
    /// Where the provider sends the browser back (registered with the provider).
    pub redirect_uri: String,
}

impl std::fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

/// Who the person is at the provider.
#[derive(Clone, PartialEq, Eq)]
pub struct ExternalProfile {
    /// The provider's stable identifier of the person (`sub`, Naver's `id`).
    pub subject: String,
    pub email: Option<String>,
    /// Whether the provider vouches that the address is the person's.
    pub email_verified: bool,
    /// A name to start the member's nickname from.
    pub name: Option<String>,
}

impl std::fmt::Debug for ExternalProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExternalProfile")
            .field("email_verified", &self.email_verified)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SocialLoginError {
    /// The provider could not be reached, or answered with a server error.
    #[error("the identity provider is unavailable: {0}")]
    Unavailable(String),
    /// The provider refused the code (used, expired, or not for this client and verifier).
    #[error("the identity provider refused the authorization code: {0}")]
    CodeRefused(String),
    /// The provider's answer is not what its protocol says: an ID token whose signature, issuer,
    /// audience, expiry or nonce does not hold, or a malformed document.
    #[error("the identity provider's answer is invalid: {0}")]
    InvalidAnswer(String),
}

/// A service a member signs in with.
#[async_trait]
pub trait IdentityProvider: Send + Sync + 'static {
    fn name(&self) -> ProviderName;

    /// The address to send the person's browser to.
    async fn authorization_url(&self, request: &AuthorizationRequest) -> Result<String, SocialLoginError>;

    /// The issuer the provider names in its answers (`iss`, RFC 9207), when it has one.
    async fn issuer(&self) -> Result<Option<String>, SocialLoginError>;

    /// Trades the authorization code for who the person is, checking the answer against the
    /// request it answers.
    async fn exchange(
        &self,
        code: &str,
        request: &AuthorizationRequest,
    ) -> Result<ExternalProfile, SocialLoginError>;
}

/// The PKCE S256 code challenge of `verifier` (RFC 7636 §4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes()))
}

/// Whether `url` may be spoken to: HTTPS, or plain HTTP to this machine only (a local provider).
#[cfg_attr(not(any(feature = "oidc", feature = "naver")), allow(dead_code))]
pub(crate) fn is_secure_or_loopback(url: &str) -> bool {
    url.starts_with("https://")
        || ["http://127.0.0.1", "http://localhost", "http://[::1]"].iter().any(|loopback| {
            url.strip_prefix(loopback).is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pkce_challenge_is_rfc_7636s_example() {
        // RFC 7636, appendix B.
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn provider_names_round_trip() {
        for provider in ProviderName::ALL {
            assert_eq!(ProviderName::parse(provider.as_str()), Some(provider));
        }
        assert_eq!(ProviderName::parse("facebook"), None);
    }
}
