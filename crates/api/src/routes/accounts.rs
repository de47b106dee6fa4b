//! Sign-up and sign-in.

use actix_web::{HttpResponse, web};
use jangteo_app::{PlainPassword, Registration};
use jangteo_domain::{AccountId, Email, Nickname};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{ApiError, ApiState, routes::Fields};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RegisterBody {
    #[schema(format = Email, max_length = 254, examples("minji@example.com"))]
    email: String,
    #[schema(min_length = 8, max_length = 128)]
    password: String,
    #[schema(min_length = 2, max_length = 20)]
    nickname: String,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct AccountCreated {
    #[schema(value_type = uuid::Uuid)]
    account_id: AccountId,
    position: u64,
}

/// Sign up: a new member account.
#[utoipa::path(
    post, path = "/v1/accounts", operation_id = "register", tag = "accounts",
    request_body = RegisterBody,
    responses(
        (status = 201, description = "The account is registered.", body = AccountCreated),
        (status = 409, description = "- `email_taken`: the e-mail is registered already"),
        (status = 422, description = "- `validation_failed`: an invalid e-mail, password or nickname"),
    ),
)]
pub(crate) async fn register(
    state: web::Data<ApiState>,
    body: web::Json<RegisterBody>,
) -> Result<HttpResponse, ApiError> {
    let mut fields = Fields::new();
    let email = fields.check(Email::parse(&body.email));
    let nickname = fields.check(Nickname::parse(&body.nickname));
    let password = fields.check(PlainPassword::parse(&body.password));
    fields.finish()?;
    let (Some(email), Some(nickname), Some(password)) = (email, nickname, password) else {
        return Err(ApiError::Validation(Vec::new()));
    };
    let (account_id, receipt) = state.accounts.register(Registration { email, nickname, password }).await?;
    Ok(HttpResponse::Created().json(AccountCreated { account_id, position: receipt.position }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignInBody {
    email: String,
    password: String,
}

/// A fresh access token.
#[derive(Serialize, ToSchema)]
pub(crate) struct Session {
    /// Send it as `Authorization: Bearer <access_token>`.
    access_token: String,
    #[schema(examples("Bearer"), pattern = "^Bearer$")]
    token_type: &'static str,
    /// Seconds the token stays valid.
    expires_in: u64,
    #[schema(value_type = uuid::Uuid)]
    account_id: AccountId,
}

/// Sign in: an access token for `Authorization: Bearer`.
#[utoipa::path(
    post, path = "/v1/sessions", operation_id = "sign_in", tag = "accounts",
    request_body = SignInBody,
    responses(
        (status = 201, description = "Signed in.", body = Session),
        (status = 401, description = "- `invalid_credentials`: an unknown e-mail or a wrong password \
            (never says which)"),
    ),
)]
pub(crate) async fn sign_in(
    state: web::Data<ApiState>,
    body: web::Json<SignInBody>,
) -> Result<HttpResponse, ApiError> {
    // Malformed credentials get the same answer as wrong ones.
    let (Ok(email), Ok(password)) = (Email::parse(&body.email), PlainPassword::parse(&body.password)) else {
        return Err(jangteo_app::AppError::InvalidCredentials.into());
    };
    let account_id = state.accounts.authenticate(&email, password).await?;
    let token = state.tokens.issue(account_id, chrono::Utc::now())?;
    Ok(HttpResponse::Created().json(Session {
        access_token: token.access_token,
        token_type: "Bearer",
        expires_in: token.expires_in,
        account_id,
    }))
}
