//! Password resets: ask for a link by mail, then set a new password with its token.

use actix_web::{HttpResponse, web};
use jangteo_domain::Email;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{ApiError, ApiState};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResetRequestBody {
    #[schema(examples("buyer@example.com"))]
    email: String,
}

/// Ask for a password-reset link. The answer is the same whether or not a member has the
/// address; if one does, a mail with a link valid for 30 minutes goes to it (at most 3 an hour).
#[utoipa::path(
    post, path = "/v1/password-resets", operation_id = "request_password_reset", tag = "accounts",
    request_body = ResetRequestBody,
    responses(
        (status = 202, description = "Taken: if the address is a member's, a link is on its way."),
        (status = 422, description = "- `validation_failed`: `email` is not an e-mail address"),
    ),
)]
pub(crate) async fn request(
    state: web::Data<ApiState>,
    body: web::Json<ResetRequestBody>,
) -> Result<HttpResponse, ApiError> {
    let email = Email::parse(&body.email).map_err(|error| ApiError::Validation(vec![error]))?;
    state.password_resets.request(email);
    Ok(HttpResponse::Accepted().finish())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewPasswordBody {
    /// At least 10 characters, not the e-mail address or nickname, not a common password.
    password: String,
}

/// Set a new password with the token of a reset link. Every session of the member ends, and the
/// member's other reset links stop working.
#[utoipa::path(
    post, path = "/v1/password-resets/{token}", operation_id = "complete_password_reset", tag = "accounts",
    params(("token" = String, Path, description = "The token from the mailed link (after `#token=`).")),
    request_body = NewPasswordBody,
    responses(
        (status = 204, description = "The password is set; sign in with it."),
        (status = 400, description = "- `invalid_reset_token`: unknown, used or expired (ask for a new link)"),
        (status = 422, description = "- `validation_failed`: the password does not meet the policy; the \
            link stays good"),
    ),
)]
pub(crate) async fn complete(
    state: web::Data<ApiState>,
    token: web::Path<String>,
    body: web::Json<NewPasswordBody>,
) -> Result<HttpResponse, ApiError> {
    state.password_resets.complete(&token, &body.password).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The page a reset link opens: a form for the new password, which posts it with the token from
/// the link's fragment (a fragment is sent to no server; the request log names the route, not
/// the path with the token).
#[utoipa::path(
    get, path = "/password-reset", operation_id = "password_reset_page", tag = "accounts",
    responses((status = 200, description = "An HTML form.", content_type = "text/html", body = String)),
)]
pub(crate) async fn page() -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(include_str!("password_reset.html"))
}
