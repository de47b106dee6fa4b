//! Consents (개인정보보호법, 전자상거래법 약관 동의): the versions in force, a member's own consents,
//! and changes to them. A sign-up agrees to the versions in force (`POST /v1/accounts`,
//! `consents`).

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use jangteo_app::{ConsentAnswers, ConsentChanges, ConsentState};
use jangteo_domain::{
    ValidationError,
    consent::{ConsentKind, ConsentVersion},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{ApiError, ApiState, auth::Authenticated, routes::Fields};

/// What a sign-up agrees to.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignUpConsentsBody {
    /// The version of the terms of use in force (`GET /v1/consents/current`).
    #[schema(examples("2026-12-01"))]
    terms: String,
    /// The version of the privacy policy in force.
    #[schema(examples("2026-12-01"))]
    privacy: String,
    /// Whether the member wants marketing messages.
    marketing: bool,
}

fn version(fields: &mut Fields, kind: ConsentKind, raw: &str) -> Option<ConsentVersion> {
    fields.check(
        ConsentVersion::parse(raw)
            .map_err(|_| ValidationError::new(kind.field(), "must be 1-32 letters, digits, '.', '-' or '_'")),
    )
}

impl SignUpConsentsBody {
    pub(crate) fn answers(&self, fields: &mut Fields) -> Option<ConsentAnswers> {
        let terms = version(fields, ConsentKind::Terms, &self.terms);
        let privacy = version(fields, ConsentKind::Privacy, &self.privacy);
        Some(ConsentAnswers { terms: terms?, privacy: privacy?, marketing: self.marketing })
    }
}

/// The versions of the terms and the privacy policy a sign-up must agree to.
#[derive(Serialize, ToSchema)]
pub(crate) struct CurrentPolicies {
    #[schema(examples("2026-12-01"))]
    terms: String,
    #[schema(examples("2026-12-01"))]
    privacy: String,
}

/// The versions in force, for a sign-up form (no token).
#[utoipa::path(
    get, path = "/v1/consents/current", operation_id = "current_policies", tag = "accounts",
    responses((status = 200, description = "The versions in force.", body = CurrentPolicies)),
)]
pub(crate) async fn current(state: web::Data<ApiState>) -> Result<HttpResponse, ApiError> {
    let policy = state.accounts.consent_policy();
    Ok(HttpResponse::Ok().json(CurrentPolicies {
        terms: policy.terms.as_str().to_owned(),
        privacy: policy.privacy.as_str().to_owned(),
    }))
}

/// One consent as it stands.
#[derive(Serialize, ToSchema)]
pub(crate) struct ConsentEntry {
    granted: bool,
    /// The version agreed to (terms, privacy); `null` for marketing and after a withdrawal.
    #[schema(required)]
    version: Option<String>,
    /// When it was given or withdrawn.
    at: chrono::DateTime<chrono::Utc>,
}

/// A member's consents, by what they are for: `terms`, `privacy`, and `marketing` once the member
/// has answered for it.
#[derive(Serialize, ToSchema)]
pub(crate) struct MyConsents {
    #[schema(value_type = std::collections::HashMap<String, ConsentEntry>)]
    consents: BTreeMap<&'static str, ConsentEntry>,
}

/// The consents after a change, and the position of its last event.
#[derive(Serialize, ToSchema)]
pub(crate) struct ConsentsChanged {
    #[serde(flatten)]
    consents: MyConsents,
    position: u64,
}

fn my_consents(state: ConsentState) -> MyConsents {
    MyConsents {
        consents: state
            .into_iter()
            .map(|(kind, record)| {
                let entry = ConsentEntry {
                    granted: record.granted,
                    version: record.version.map(String::from),
                    at: record.at,
                };
                (kind.as_str(), entry)
            })
            .collect(),
    }
}

/// The member's own consents.
#[utoipa::path(
    get, path = "/v1/me/consents", operation_id = "my_consents", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, description = "Each consent, with its version and time.", body = MyConsents)),
)]
pub(crate) async fn mine(
    state: web::Data<ApiState>,
    Authenticated(member): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let consents = state.accounts.consents(member).await?;
    Ok(HttpResponse::Ok().json(my_consents(consents)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConsentChangesBody {
    /// Agree to the terms' version in force.
    terms: Option<String>,
    /// Agree to the privacy policy's version in force.
    privacy: Option<String>,
    /// Agree to (`true`) or withdraw from (`false`) marketing messages.
    marketing: Option<bool>,
}

/// Give or withdraw consents; each change is an event with its version and time.
#[utoipa::path(
    put, path = "/v1/me/consents", operation_id = "change_my_consents", tag = "accounts",
    security(("bearer" = [])),
    request_body = ConsentChangesBody,
    responses(
        (status = 200, description = "The consents as they stand now.", body = ConsentsChanged),
        (status = 422, description = "- `validation_failed`: a version that is not the one in force"),
    ),
)]
pub(crate) async fn change(
    state: web::Data<ApiState>,
    Authenticated(member): Authenticated,
    body: web::Json<ConsentChangesBody>,
) -> Result<HttpResponse, ApiError> {
    let mut fields = Fields::new();
    let terms = body.terms.as_deref().map(|raw| version(&mut fields, ConsentKind::Terms, raw));
    let privacy = body.privacy.as_deref().map(|raw| version(&mut fields, ConsentKind::Privacy, raw));
    fields.finish()?;
    let changes =
        ConsentChanges { terms: terms.flatten(), privacy: privacy.flatten(), marketing: body.marketing };
    let (consents, receipt) = state.accounts.change_consents(member, changes).await?;
    Ok(HttpResponse::Ok()
        .json(ConsentsChanged { consents: my_consents(consents), position: receipt.position }))
}
