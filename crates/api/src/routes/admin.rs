//! What admins do over the API: give members their roles.

use actix_web::{HttpResponse, web};
use jangteo_domain::{AccountId, ValidationError, account::AccountRole};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{ApiError, ApiState, auth::Authenticated};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoleBody {
    /// `dispute_agent` for staff who decide disputes, `admin` for those who give roles, `member`
    /// to take either back.
    #[schema(pattern = "^(member|dispute_agent|admin)$", examples("dispute_agent"))]
    role: String,
}

/// The member's role after the grant.
#[derive(Serialize, ToSchema)]
pub(crate) struct RoleGranted {
    #[schema(value_type = uuid::Uuid)]
    account_id: AccountId,
    #[schema(pattern = "^(member|dispute_agent|admin)$")]
    role: &'static str,
    position: u64,
}

/// Give a member a role (admins only). The grant is an `AccountRoleGranted` event naming the
/// admin as its actor: the audit record. Granting the role the member has appends nothing.
#[utoipa::path(
    post, path = "/v1/admin/members/{account_id}/roles", operation_id = "grant_role", tag = "admin",
    security(("bearer" = [])),
    params(("account_id" = uuid::Uuid, Path)),
    request_body = RoleBody,
    responses(
        (status = 200, description = "The member has the role.", body = RoleGranted),
        (status = 403, description = "- `forbidden`: the caller is not an admin"),
        (status = 422, description = "- `validation_failed`: not one of member, dispute_agent, admin"),
    ),
)]
pub(crate) async fn grant_role(
    state: web::Data<ApiState>,
    Authenticated(admin): Authenticated,
    path: web::Path<AccountId>,
    body: web::Json<RoleBody>,
) -> Result<HttpResponse, ApiError> {
    let role = AccountRole::parse(&body.role).ok_or_else(|| {
        ApiError::Validation(vec![ValidationError::new("role", "must be member, dispute_agent or admin")])
    })?;
    let account_id = path.into_inner();
    let receipt = state.accounts.grant_role_as_admin(admin, account_id, role).await?;
    Ok(HttpResponse::Ok().json(RoleGranted { account_id, role: role.as_str(), position: receipt.position }))
}
