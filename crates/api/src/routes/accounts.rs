//! Sign-up.

use actix_web::{HttpResponse, web};
use jangteo_app::{PlainPassword, Registration};
use jangteo_domain::{AccountId, Email, Nickname};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    ApiError, ApiState,
    routes::{Fields, consents::SignUpConsentsBody},
};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RegisterBody {
    #[schema(format = Email, max_length = 254, examples("minji@example.com"))]
    email: String,
    /// 10 to 128 characters, not the e-mail or the nickname, not one of the most common passwords.
    #[schema(min_length = 10, max_length = 128)]
    password: String,
    #[schema(min_length = 2, max_length = 20)]
    nickname: String,
    /// Agreement to the terms and the privacy policy in force, and the answer on marketing.
    consents: SignUpConsentsBody,
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
        (status = 422, description = "- `validation_failed`: an invalid e-mail or nickname, or a password \
            the policy refuses (shorter than 10, the e-mail or nickname, one character repeated, a common one), \
            consents to versions not in force (`GET /v1/consents/current`)"),
    ),
)]
pub(crate) async fn register(
    state: web::Data<ApiState>,
    body: web::Json<RegisterBody>,
) -> Result<HttpResponse, ApiError> {
    let mut fields = Fields::new();
    let email = fields.check(Email::parse(&body.email));
    let nickname = fields.check(Nickname::parse(&body.nickname));
    let password = match (&email, &nickname) {
        (Some(email), Some(nickname)) => fields.check(PlainPassword::choose(&body.password, email, nickname)),
        _ => fields.check(PlainPassword::parse(&body.password)),
    };
    let consents = body.consents.answers(&mut fields);
    fields.finish()?;
    let (Some(email), Some(nickname), Some(password), Some(consents)) = (email, nickname, password, consents)
    else {
        return Err(ApiError::Validation(Vec::new()));
    };
    let registration = Registration { email, nickname, password, consents };
    let (account_id, receipt) = state.accounts.register(registration).await?;
    Ok(HttpResponse::Created().json(AccountCreated { account_id, position: receipt.position }))
}
