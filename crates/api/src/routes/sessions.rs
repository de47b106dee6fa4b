//! Sessions: sign-in, refresh-token rotation and sign-out.
//!
//! Every answer that carries a token is `Cache-Control: no-store` (RFC 6749 §5.1), so no cache
//! between the client and the server keeps one.

use actix_web::{
    HttpRequest, HttpResponse, HttpResponseBuilder,
    http::{StatusCode, header},
    web,
};
use jangteo_app::{ClientInfo, PlainPassword, RefreshToken, SessionTokens, SignInStep};
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

impl Session {
    /// The access token for `tokens`' session, with its refresh token.
    pub(crate) fn issue(state: &ApiState, tokens: &SessionTokens) -> Result<Self, ApiError> {
        let access = state.tokens.issue(tokens.account, tokens.session_id, chrono::Utc::now())?;
        Ok(Session {
            access_token: access.access_token,
            refresh_token: tokens.refresh_token.as_str().to_owned(),
            token_type: "Bearer",
            expires_in: access.expires_in,
            account_id: tokens.account,
        })
    }
}

/// The answer that hands out `tokens`' session.
fn session_answer(
    state: &ApiState,
    status: StatusCode,
    tokens: &SessionTokens,
) -> Result<HttpResponse, ApiError> {
    Ok(no_store(HttpResponseBuilder::new(status)).json(Session::issue(state, tokens)?))
}

/// A sign-in whose password was right, waiting for the member's second factor.
#[derive(Serialize, ToSchema)]
pub(crate) struct MfaChallenge {
    #[schema(examples(true))]
    mfa_required: bool,
    /// Single-use, valid 5 minutes: send it with a code to `POST /v1/sessions/mfa`.
    mfa_token: String,
}

impl MfaChallenge {
    pub(crate) fn new(mfa_token: String) -> Self {
        Self { mfa_required: true, mfa_token }
    }
}

/// The client's address and user agent, for the sign-in record.
pub(crate) fn client_of(request: &HttpRequest) -> ClientInfo {
    ClientInfo {
        ip: crate::client_ip(request).map(|address| address.to_string()),
        user_agent: request
            .headers()
            .get(header::USER_AGENT)
            .and_then(|agent| agent.to_str().ok())
            .map(str::to_owned),
    }
}

pub(crate) fn no_store(mut response: HttpResponseBuilder) -> HttpResponseBuilder {
    response.insert_header((header::CACHE_CONTROL, "no-store")).insert_header((header::PRAGMA, "no-cache"));
    response
}

/// Sign in: a new session, with an access token for `Authorization: Bearer` and a refresh token;
/// for a member with two-factor sign-in on, a challenge to finish at `POST /v1/sessions/mfa`.
#[utoipa::path(
    post, path = "/v1/sessions", operation_id = "sign_in", tag = "accounts",
    request_body = SignInBody,
    responses(
        (status = 201, description = "Signed in: a new session.", body = Session),
        (status = 200, description = "The password was right and the member has two-factor sign-in \
            on: finish with a code at `POST /v1/sessions/mfa`.", body = MfaChallenge),
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
    match state.sign_ins.sign_in(&email, password, &client_of(&request)).await? {
        SignInStep::Complete(account_id) => {
            let tokens = state.sessions.start(account_id).await?;
            session_answer(&state, StatusCode::CREATED, &tokens)
        }
        SignInStep::MfaRequired { mfa_token } => {
            Ok(no_store(HttpResponse::Ok()).json(MfaChallenge::new(mfa_token)))
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MfaBody {
    mfa_token: String,
    /// The 6-digit code the member's authenticator app shows, or one of their recovery codes.
    #[schema(examples("123456"))]
    code: String,
}

/// Finish a two-factor sign-in: the challenge from `POST /v1/sessions` and a code.
#[utoipa::path(
    post, path = "/v1/sessions/mfa", operation_id = "sign_in_mfa", tag = "accounts",
    request_body = MfaBody,
    responses(
        (status = 201, description = "Signed in: a new session; the challenge is used up.", body = Session),
        (status = 401, description = "- `invalid_mfa_token`: the challenge is unknown, used or expired \
            (sign in again)\n- `invalid_mfa_code`: a wrong code, or a TOTP code or recovery code used before; \
            the challenge stays good and the attempt counts toward the lockout"),
        (status = 429, description = "- `too_many_attempts`: 5 failed attempts within 15 minutes",
            headers(("Retry-After" = u64, description = "Seconds until an attempt is taken again"))),
    ),
)]
pub(crate) async fn complete_mfa(
    state: web::Data<ApiState>,
    request: HttpRequest,
    body: web::Json<MfaBody>,
) -> Result<HttpResponse, ApiError> {
    let account_id = state.sign_ins.complete_mfa(&body.mfa_token, &body.code, &client_of(&request)).await?;
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
