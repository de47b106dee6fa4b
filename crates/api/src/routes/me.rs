//! The signed-in member's own pages.

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{ApiError, ApiState, auth::Authenticated};

/// The member's own account.
#[derive(Serialize, ToSchema)]
pub(crate) struct MyAccount {
    #[schema(value_type = uuid::Uuid)]
    account_id: jangteo_domain::AccountId,
    email: String,
    nickname: String,
    #[schema(examples("member"), pattern = "^(member|dispute_agent)$")]
    role: &'static str,
}

/// The signed-in member's own account, their personal data opened for them alone.
#[utoipa::path(
    get, path = "/v1/me", operation_id = "me", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, description = "The member's account.", body = MyAccount)),
)]
pub(crate) async fn me(
    state: web::Data<ApiState>,
    Authenticated(member): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let profile = state.accounts.profile(member).await?;
    Ok(HttpResponse::Ok().json(MyAccount {
        account_id: profile.account_id,
        email: profile.email,
        nickname: profile.nickname,
        role: profile.role.as_str(),
    }))
}

/// One sign-in attempt with the member's e-mail address.
#[derive(Serialize, ToSchema)]
pub(crate) struct SignInEntry {
    at: chrono::DateTime<chrono::Utc>,
    #[schema(examples("succeeded"), pattern = "^(succeeded|failed|locked)$")]
    outcome: &'static str,
    ip: Option<String>,
    user_agent: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct SignInHistory {
    /// Newest first, at most 50.
    sign_ins: Vec<SignInEntry>,
}

/// The member's own sign-in attempts, failed and refused ones included: a way to notice someone
/// else trying.
#[utoipa::path(
    get, path = "/v1/me/sign-ins", operation_id = "my_sign_ins", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, description = "The newest sign-in attempts with the member's e-mail.",
        body = SignInHistory)),
)]
pub(crate) async fn sign_ins(
    state: web::Data<ApiState>,
    Authenticated(member): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let records = state.sign_ins.history(member).await?;
    Ok(HttpResponse::Ok().json(SignInHistory {
        sign_ins: records
            .into_iter()
            .map(|record| SignInEntry {
                at: record.at,
                outcome: record.outcome.as_str(),
                ip: record.ip,
                user_agent: record.user_agent,
            })
            .collect(),
    }))
}
