//! The member's phone verification: a code by SMS, and the code back.

use actix_web::{HttpResponse, web};
use jangteo_domain::PhoneNumber;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::me::MyAccount;
use crate::{ApiError, ApiState, auth::Authenticated};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PhoneBody {
    /// A Korean mobile number.
    #[schema(examples("010-1234-5678"))]
    phone: String,
}

/// A code is on its way.
#[derive(Serialize, ToSchema)]
pub(crate) struct CodeSent {
    /// Seconds the code stays good.
    expires_in: i64,
    /// Tries the member has.
    attempts: u32,
}

/// Send a 6-digit code by SMS to the number, to prove it is the member's. A new code replaces
/// the last; one waits 30 seconds after the last.
#[utoipa::path(
    post, path = "/v1/me/phone-verification", operation_id = "start_phone_verification", tag = "accounts",
    security(("bearer" = [])),
    request_body = PhoneBody,
    responses(
        (status = 202, description = "The code is sent; good for 3 minutes and 5 tries.", body = CodeSent),
        (status = 422, description = "- `validation_failed`: not a Korean mobile number"),
        (status = 429, description = "- `too_many_attempts`: a code was sent less than 30 seconds ago",
            headers(("Retry-After" = u64, description = "Seconds until a new code may be asked for"))),
    ),
)]
pub(crate) async fn start(
    state: web::Data<ApiState>,
    Authenticated(member): Authenticated,
    body: web::Json<PhoneBody>,
) -> Result<HttpResponse, ApiError> {
    let phone = PhoneNumber::parse(&body.phone).map_err(|error| ApiError::Validation(vec![error]))?;
    let lifetime = state.phone_verifications.start(member, &phone).await?;
    Ok(HttpResponse::Accepted()
        .json(CodeSent { expires_in: lifetime.num_seconds(), attempts: jangteo_app::PHONE_CODE_ATTEMPTS }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PhoneCodeBody {
    #[schema(examples("123456"))]
    code: String,
}

/// The account after the phone was verified, and the log position of `PhoneVerified`.
#[derive(Serialize, ToSchema)]
pub(crate) struct VerifiedAccount {
    #[serde(flatten)]
    account: MyAccount,
    position: u64,
}

/// Send the code back: the number becomes the member's, verified.
#[utoipa::path(
    post, path = "/v1/me/phone-verification/confirmation", operation_id = "confirm_phone_verification",
    tag = "accounts",
    security(("bearer" = [])),
    request_body = PhoneCodeBody,
    responses(
        (status = 200, description = "The phone is the member's: `phone_verified` is true.", body = VerifiedAccount),
        (status = 409, description = "- `no_phone_verification`: none started, it expired, or its tries are spent"),
        (status = 422, description = "- `invalid_phone_code`: a wrong code (a try is spent)"),
    ),
)]
pub(crate) async fn confirm(
    state: web::Data<ApiState>,
    Authenticated(member): Authenticated,
    body: web::Json<PhoneCodeBody>,
) -> Result<HttpResponse, ApiError> {
    let receipt = state.phone_verifications.confirm(member, &body.code).await?;
    let profile = state.accounts.profile(member).await?;
    Ok(HttpResponse::Ok()
        .json(VerifiedAccount { account: MyAccount::from(profile), position: receipt.position }))
}
