//! Sign-up and sign-in.

use actix_web::{HttpResponse, web};
use jangteo_app::{PlainPassword, Registration};
use jangteo_domain::{Email, Nickname};
use serde::Deserialize;

use crate::{ApiError, ApiState, routes::Fields};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RegisterBody {
    email: String,
    password: String,
    nickname: String,
}

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
    Ok(HttpResponse::Created().json(serde_json::json!({
        "account_id": account_id,
        "position": receipt.position,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignInBody {
    email: String,
    password: String,
}

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
    Ok(HttpResponse::Created().json(serde_json::json!({
        "access_token": token.access_token,
        "token_type": "Bearer",
        "expires_in": token.expires_in,
        "account_id": account_id,
    })))
}
