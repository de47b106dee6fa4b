//! Sessions: sign-in, refresh-token rotation and sign-out.
//!
//! Every answer that carries a token is `Cache-Control: no-store` (RFC 6749 §5.1), so no cache
//! between the client and the server keeps one.

use actix_web::{
    HttpRequest, HttpResponse, HttpResponseBuilder,
    http::{StatusCode, header},
    web,
};
use jangteo_app::{ClientInfo, PlainPassword, RefreshToken, SessionTokens};
use jangteo_domain::{AccountId, Email};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    ApiError, ApiState,
    auth::{Authenticated, CurrentSession},
};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignInBody {
    email: String,
    password: String,
}

/// A session's tokens: a short-lived access token and the refresh token that renews it.
#[derive(Serialize, ToSchema)]
pub(crate) struct Session {
    /// Send it as `Authorization: Bearer <access_token>`.
    access_token: String,
    /// Opaque and single-use: trade it at `POST /v1/sessions/refresh` for the next pair. Using
    /// one twice ends the session.
    refresh_token: String,
    #[schema(examples("Bearer"), pattern = "^Bearer$")]
    token_type: &'static str,
    /// Seconds the access token stays valid.
    expires_in: u64,
    #[schema(value_type = uuid::Uuid)]
    account_id: AccountId,
}

/// The access token for `tokens`' session, and the answer that hands both out.
fn session_answer(
    state: &ApiState,
    status: StatusCode,
    tokens: &SessionTokens,
) -> Result<HttpResponse, ApiError> {
    let access = state.tokens.issue(tokens.account, tokens.session_id, chrono::Utc::now())?;
    Ok(no_store(HttpResponseBuilder::new(status)).json(Session {
        access_token: access.access_token,
        refresh_token: tokens.refresh_token.as_str().to_owned(),
        token_type: "Bearer",
        expires_in: access.expires_in,
        account_id: tokens.account,
    }))
}

fn no_store(mut response: HttpResponseBuilder) -> HttpResponseBuilder {
    response.insert_header((header::CACHE_CONTROL, "no-store")).insert_header((header::PRAGMA, "no-cache"));
    response
}

/// Sign in: a new session, with an access token for `Authorization: Bearer` and a refresh token.
#[utoipa::path(
    post, path = "/v1/sessions", operation_id = "sign_in", tag = "accounts",
    request_body = SignInBody,
    responses(
        (status = 201, description = "Signed in: a new session.", body = Session),
        (status = 401, description = "- `invalid_credentials`: an unknown e-mail or a wrong password \
            (never says which)"),
        (status = 429, description = "- `too_many_attempts`: 5 failed sign-ins within 15 minutes \
            for this e-mail address or from this IP address; `Retry-After` says when to try again",
            headers(("Retry-After" = u64, description = "Seconds until an attempt is taken again"))),
    ),
)]
pub(crate) async fn sign_in(
    state: web::Data<ApiState>,
    request: HttpRequest,
    body: web::Json<SignInBody>,
) -> Result<HttpResponse, ApiError> {
    // Malformed credentials get the same answer as wrong ones.
    let (Ok(email), Ok(password)) = (Email::parse(&body.email), PlainPassword::parse(&body.password)) else {
        return Err(jangteo_app::AppError::InvalidCredentials.into());
    };
    let client = ClientInfo {
        ip: request.peer_addr().map(|address| address.ip().to_string()),
        user_agent: request
            .headers()
            .get(header::USER_AGENT)
            .and_then(|agent| agent.to_str().ok())
            .map(str::to_owned),
    };
    let account_id = state.sign_ins.sign_in(&email, password, &client).await?;
    let tokens = state.sessions.start(account_id).await?;
    session_answer(&state, StatusCode::CREATED, &tokens)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RefreshBody {
    refresh_token: String,
}

/// Trade a refresh token for the session's next access and refresh tokens.
#[utoipa::path(
    post, path = "/v1/sessions/refresh", operation_id = "refresh_session", tag = "accounts",
    request_body = RefreshBody,
    responses(
        (status = 200, description = "The session's next tokens; the presented refresh token is used up.",
            body = Session),
        (status = 401, description = "- `invalid_refresh_token`: unknown, expired, or its session has ended\n\
            - `refresh_token_reused`: it was used before; the whole session is ended (sign in again)"),
    ),
)]
pub(crate) async fn refresh(
    state: web::Data<ApiState>,
    body: web::Json<RefreshBody>,
) -> Result<HttpResponse, ApiError> {
    let tokens = state.sessions.refresh(&RefreshToken::presented(&body.refresh_token)).await?;
    session_answer(&state, StatusCode::OK, &tokens)
}

/// Sign out: end the session of this access token (its refresh token and access tokens with it).
#[utoipa::path(
    delete, path = "/v1/sessions/current", operation_id = "sign_out", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 204, description = "The session has ended.")),
)]
pub(crate) async fn sign_out(
    state: web::Data<ApiState>,
    current: CurrentSession,
) -> Result<HttpResponse, ApiError> {
    state.sessions.end(current.account, current.session).await?;
    Ok(no_store(HttpResponse::NoContent()).finish())
}

/// Sign out everywhere: end every session of the member.
#[utoipa::path(
    delete, path = "/v1/sessions", operation_id = "sign_out_everywhere", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 204, description = "Every session of the member has ended.")),
)]
pub(crate) async fn sign_out_everywhere(
    state: web::Data<ApiState>,
    Authenticated(member): Authenticated,
) -> Result<HttpResponse, ApiError> {
    state.sessions.end_all(member).await?;
    Ok(no_store(HttpResponse::NoContent()).finish())
}
