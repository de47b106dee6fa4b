//! The member's second factor: setting up TOTP, confirming it, turning it off.

use actix_web::{HttpResponse, http::header, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    ApiError, ApiState,
    auth::{Authenticated, CurrentSession},
};

/// Where the member's two-factor sign-in stands.
#[derive(Serialize, ToSchema)]
pub(crate) struct MfaStatus {
    /// Whether sign-in asks for a TOTP code.
    totp: bool,
    /// Unused recovery codes left.
    recovery_codes_left: u64,
}

/// Whether two-factor sign-in is on, and how many recovery codes are left.
#[utoipa::path(
    get, path = "/v1/me/mfa", operation_id = "my_mfa", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, description = "The member's second factor.", body = MfaStatus)),
)]
pub(crate) async fn status(
    state: web::Data<ApiState>,
    Authenticated(member): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let totp = state.mfa.is_enabled(member).await?;
    let recovery_codes_left = state.mfa.recovery_codes_left(member).await?;
    Ok(HttpResponse::Ok().json(MfaStatus { totp, recovery_codes_left }))
}

/// A TOTP factor being set up, shown this once.
#[derive(Serialize, ToSchema)]
pub(crate) struct TotpSetup {
    /// The secret in base32 (RFC 4648), for typing into an authenticator app.
    #[schema(examples("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"))]
    secret: String,
    /// The same for a QR code: SHA-1, 6 digits, 30 seconds.
    #[schema(examples(
        "otpauth://totp/Jangteo:buyer%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Jangteo&algorithm=SHA1&digits=6&period=30"
    ))]
    otpauth_uri: String,
}

/// Set up TOTP: a fresh secret for the member's authenticator app. Nothing changes at sign-in
/// until it is confirmed with a code; setting up again replaces an unconfirmed secret.
#[utoipa::path(
    post, path = "/v1/me/mfa/totp", operation_id = "set_up_totp", tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The secret, shown once.", body = TotpSetup),
        (status = 401, description = "- `fresh_sign_in_required`: the session's sign-in is more than 10 \
            minutes old (a stolen session must not turn two-factor sign-in on and lock the member out)"),
        (status = 409, description = "- `mfa_already_enabled`: TOTP is on; turn it off first"),
    ),
)]
pub(crate) async fn set_up(
    state: web::Data<ApiState>,
    current: CurrentSession,
) -> Result<HttpResponse, ApiError> {
    state.sessions.require_fresh(current.session).await?;
    let enrollment = state.mfa.enroll(current.account).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(TotpSetup { secret: enrollment.secret, otpauth_uri: enrollment.otpauth_uri }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CodeBody {
    /// The 6-digit code the authenticator app shows now (or, to turn TOTP off, a recovery code).
    #[schema(examples("123456"))]
    code: String,
}

/// The recovery codes, shown this once.
#[derive(Serialize, ToSchema)]
pub(crate) struct RecoveryCodes {
    /// 10 codes, each good once in place of a TOTP code; keep them somewhere safe.
    #[schema(examples(json!(["k3np-7qxa-mz2c-4hd5"])))]
    recovery_codes: Vec<String>,
}

/// Confirm TOTP with a code from the app: from now on sign-in asks for a code.
#[utoipa::path(
    post, path = "/v1/me/mfa/totp/confirmation", operation_id = "confirm_totp", tag = "accounts",
    security(("bearer" = [])),
    request_body = CodeBody,
    responses(
        (status = 200, description = "TOTP is on; the recovery codes, shown once.", body = RecoveryCodes),
        (status = 401, description = "- `invalid_mfa_code`: not the app's current code"),
        (status = 409, description = "- `mfa_not_pending`: nothing to confirm (`POST /v1/me/mfa/totp` first)"),
    ),
)]
pub(crate) async fn confirm(
    state: web::Data<ApiState>,
    Authenticated(member): Authenticated,
    body: web::Json<CodeBody>,
) -> Result<HttpResponse, ApiError> {
    let codes = state.mfa.confirm(member, &body.code).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(RecoveryCodes { recovery_codes: codes.iter().map(|code| code.as_str().to_owned()).collect() }))
}

/// Turn TOTP off, with a current code or a recovery code; the recovery codes go with it.
#[utoipa::path(
    delete, path = "/v1/me/mfa/totp", operation_id = "turn_off_totp", tag = "accounts",
    security(("bearer" = [])),
    request_body = CodeBody,
    responses(
        (status = 204, description = "TOTP is off: sign-in takes the password alone."),
        (status = 401, description = "- `invalid_mfa_code`: a wrong or used code"),
        (status = 409, description = "- `mfa_not_enabled`: TOTP is not on"),
        (status = 429, description = "- `too_many_attempts`: 5 failed attempts (sign-ins, passwords, codes) \
            within 15 minutes for the member's address",
            headers(("Retry-After" = u64, description = "Seconds until an attempt is taken again"))),
    ),
)]
pub(crate) async fn turn_off(
    state: web::Data<ApiState>,
    Authenticated(member): Authenticated,
    request: actix_web::HttpRequest,
    body: web::Json<CodeBody>,
) -> Result<HttpResponse, ApiError> {
    let client = super::sessions::client_of(&request);
    state.sign_ins.guarded(member, &client, state.mfa.disable(member, &body.code)).await?;
    Ok(HttpResponse::NoContent().finish())
}
