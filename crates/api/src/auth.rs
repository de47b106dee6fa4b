//! Bearer authentication: short-lived HS256 JWT access tokens, each naming the session it was
//! issued in. A token is accepted only while its session is active (checked on every request,
//! so a sign-out or a detected refresh-token reuse refuses its access tokens at once) and only
//! for the session's own member.

use std::{sync::Arc, time::Duration};

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use futures::future::LocalBoxFuture;
use jangteo_domain::AccountId;
use jangteo_identity::SessionId;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{ApiError, ApiState};

const ISSUER: &str = "jangteo";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: Uuid,
    /// The session: tokens without one (issued before sessions existed) are refused.
    sid: Uuid,
    iat: i64,
    exp: i64,
    iss: String,
    jti: Uuid,
}

/// Issues and checks access tokens. The secret never leaves this type (its `Debug` hides it).
#[derive(Clone)]
pub struct TokenService {
    encoding: Arc<EncodingKey>,
    decoding: Arc<DecodingKey>,
    ttl: Duration,
}

impl std::fmt::Debug for TokenService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenService").field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

/// A freshly issued access token.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: u64,
}

impl TokenService {
    pub fn new(secret: &[u8], ttl: Duration) -> Self {
        Self {
            encoding: Arc::new(EncodingKey::from_secret(secret)),
            decoding: Arc::new(DecodingKey::from_secret(secret)),
            ttl,
        }
    }

    pub(crate) fn issue(
        &self,
        account: AccountId,
        session: SessionId,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<IssuedToken, ApiError> {
        let ttl = i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX);
        let claims = Claims {
            sub: account.as_uuid(),
            sid: session.as_uuid(),
            iat: now.timestamp(),
            exp: now.timestamp().saturating_add(ttl),
            iss: ISSUER.to_owned(),
            jti: Uuid::now_v7(),
        };
        let access_token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|error| jangteo_app::AppError::internal("signing a token", error))?;
        Ok(IssuedToken { access_token, expires_in: self.ttl.as_secs() })
    }

    /// The member and session a token names, if its signature, issuer and expiry hold.
    fn verify(&self, token: &str) -> Result<(AccountId, SessionId), ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = 5;
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map(|data| (AccountId::from_uuid(data.claims.sub), SessionId::from_uuid(data.claims.sid)))
            .map_err(|_| ApiError::Unauthorized("the access token is invalid or expired"))
    }
}

/// The signed-in member making the request. Extracting it fails with 401 problem+json.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Authenticated(pub AccountId);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let session = CurrentSession::from_request(request, payload);
        Box::pin(async move { session.await.map(|session| Authenticated(session.account)) })
    }
}

/// The member making the request if it carries a token, or nobody: for what anyone may read
/// (listings). A token that is sent must still be valid: a bad one is 401, not anonymity.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MaybeAuthenticated(pub Option<AccountId>);

impl FromRequest for MaybeAuthenticated {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if request.headers().contains_key(header::AUTHORIZATION) {
            let session = CurrentSession::from_request(request, payload);
            Box::pin(async move { session.await.map(|session| MaybeAuthenticated(Some(session.account))) })
        } else {
            Box::pin(std::future::ready(Ok(MaybeAuthenticated(None))))
        }
    }
}

/// The signed-in member and the session their token belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CurrentSession {
    pub account: AccountId,
    pub session: SessionId,
}

impl FromRequest for CurrentSession {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            let (state, account, session) = bearer(&request)?;
            match state.sessions.active(session).await? {
                Some(owner) if owner == account => Ok(CurrentSession { account, session }),
                _ => Err(ApiError::Unauthorized("the session of this access token has ended")),
            }
        })
    }
}

/// The API state and what the request's bearer token names, before the session is checked.
fn bearer(request: &HttpRequest) -> Result<(web::Data<ApiState>, AccountId, SessionId), ApiError> {
    let state = request
        .app_data::<web::Data<ApiState>>()
        .cloned()
        .ok_or_else(|| jangteo_app::AppError::internal("reading the API state", "it is not configured"))?;
    let value = request
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(ApiError::Unauthorized("the Authorization header is missing"))?;
    let value = value.to_str().map_err(|_| ApiError::Unauthorized("the Authorization header is not text"))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or(ApiError::Unauthorized("the Authorization header must be 'Bearer <token>'"))?;
    let (account, session) = state.tokens.verify(token.trim())?;
    Ok((state, account, session))
}
