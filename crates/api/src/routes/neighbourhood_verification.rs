//! 동네 인증: the member's device's position proves the 동네 they are in; the badge shows on
//! their profile and their listings for 30 days.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use jangteo_app::ShownNeighbourhood;
use jangteo_domain::{AreaName, listing::GeoPoint};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    ApiError, ApiState,
    auth::Authenticated,
    routes::{Fields, listings::LocationBody},
};

/// Where the member's device is, and optionally the 동네 they mean.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct VerificationBody {
    /// The device's position (GPS). Only the 동네 it lies in is kept, never the position.
    location: LocationBody,
    /// The 동네 the member means, "시/군/구 동" as the API names it; the position must lie in it.
    #[schema(examples("강남구 역삼1동"), max_length = 60)]
    neighbourhood: Option<String>,
}

/// A 동네 인증 while it counts.
#[derive(Serialize, ToSchema, Clone)]
pub(crate) struct NeighbourhoodBadge {
    /// "시/군/구 동".
    #[schema(examples("강남구 역삼1동"))]
    pub(crate) name: String,
    pub(crate) verified_at: DateTime<Utc>,
    /// 30 days after `verified_at`; verifying again renews it.
    pub(crate) valid_until: DateTime<Utc>,
}

impl From<ShownNeighbourhood> for NeighbourhoodBadge {
    fn from(shown: ShownNeighbourhood) -> Self {
        Self { name: shown.name, verified_at: shown.verified_at, valid_until: shown.valid_until }
    }
}

/// The verification made, and the log position of `NeighbourhoodVerified`.
#[derive(Serialize, ToSchema)]
pub(crate) struct VerificationReceipt {
    #[serde(flatten)]
    badge: NeighbourhoodBadge,
    position: u64,
}

/// Verify the member's 동네 (동네 인증) from their device's position: it shows on their profile
/// and listings for 30 days.
#[utoipa::path(
    post, path = "/v1/me/neighbourhood-verification", operation_id = "verify_neighbourhood",
    tag = "accounts", security(("bearer" = [])),
    request_body = VerificationBody,
    responses(
        (status = 200, description = "Verified (or renewed) for 30 days.", body = VerificationReceipt),
        (status = 422, description = "- `validation_failed`: a `location` that is no point on Earth, in no \
            neighbourhood of Korea, or outside the `neighbourhood` named"),
        (status = 503, description = "- `geocoder_unavailable`: the geocoder could not be asked; retry",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
pub(crate) async fn verify(
    state: web::Data<ApiState>,
    Authenticated(member): Authenticated,
    body: web::Json<VerificationBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut fields = Fields::new();
    let point = fields.check(GeoPoint::new(body.location.lat, body.location.lng));
    let claimed = fields.check(body.neighbourhood.as_deref().map(AreaName::parse).transpose()).flatten();
    fields.finish()?;
    // An invalid point was refused by `finish` already.
    let point = point.ok_or_else(|| ApiError::Validation(Vec::new()))?;
    let (shown, receipt) = state.neighbourhood_verifications.verify(member, point, claimed.as_ref()).await?;
    Ok(HttpResponse::Ok().json(VerificationReceipt { badge: shown.into(), position: receipt.position }))
}
