//! Safe places to trade in person (안전 거래 장소): public places between a buyer and a seller.

use actix_web::{HttpResponse, web};
use jangteo_app::{AppError, MAX_MEETING_PLACES};
use jangteo_domain::{
    ListingId, ValidationError,
    listing::{GeoPoint, ListingState, ListingStatus},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{ApiError, ApiState, auth::MaybeAuthenticated, routes::Fields};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct MeetingParams {
    /// One party's point, `lat,lng` (the buyer, say).
    #[param(example = "37.4979,127.0276")]
    near: String,
    /// The other party's point, `lat,lng`; or give `listing_id` for its seller's place.
    to: Option<String>,
    /// A listing with a location: its place is the other party's.
    #[param(value_type = Option<uuid::Uuid>)]
    listing_id: Option<ListingId>,
    /// 1–20 (default 5).
    #[param(minimum = 1, maximum = 20)]
    limit: Option<usize>,
}

/// A recommended place.
#[derive(Serialize, ToSchema)]
pub(crate) struct MeetingPlaceBody {
    /// `subway_station`.
    kind: String,
    name: String,
    lat: f64,
    lng: f64,
    /// From `near`, in kilometres.
    distance_km: f64,
    /// From the other party, in kilometres.
    other_distance_km: f64,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct MeetingPlacesPage {
    items: Vec<MeetingPlaceBody>,
}

/// Public places between two parties, fairest first (the longer of the two trips shortest),
/// from a bundled public dataset of subway stations (no token needed).
#[utoipa::path(
    get, path = "/v1/meeting-places", operation_id = "meeting_places", tag = "listings", security((), ("bearer" = [])),
    params(MeetingParams),
    responses(
        (status = 200, description = "Places, fairest first.", body = MeetingPlacesPage),
        (status = 404, description = "- `not_found`: no such public listing"),
        (status = 422, description = "- `validation_failed`: a point that is not `lat,lng`, neither or both of \
            `to` and `listing_id`, a listing without a location, a `limit` out of 1–20"),
    ),
)]
pub(crate) async fn between(
    state: web::Data<ApiState>,
    MaybeAuthenticated(_viewer): MaybeAuthenticated,
    params: web::Query<MeetingParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let mut fields = Fields::new();
    let near = fields.check(parse_point("near", &params.near));
    let to = fields.check(params.to.as_deref().map(|to| parse_point("to", to)).transpose()).flatten();
    let limit = params.limit.unwrap_or(5);
    if !(1..=MAX_MEETING_PLACES).contains(&limit) {
        fields.check::<()>(Err(ValidationError::new("limit", "must be between 1 and 20")));
    }
    if to.is_some() == params.listing_id.is_some() {
        fields.check::<()>(Err(ValidationError::new("to", "give either to or listing_id")));
    }
    fields.finish()?;
    let Some(near) = near else { return Err(ApiError::Validation(Vec::new())) };
    let other = match (to, params.listing_id) {
        (Some(to), _) => to,
        (None, Some(listing_id)) => match state.listings.current(listing_id).await? {
            ListingState::Present(listing)
                if matches!(
                    listing.status,
                    ListingStatus::OnSale | ListingStatus::Reserved | ListingStatus::Sold
                ) =>
            {
                listing.location.ok_or_else(|| {
                    ApiError::Validation(vec![ValidationError::new(
                        "listing_id",
                        "the listing has no location",
                    )])
                })?
            }
            _ => return Err(AppError::NotFound.into()),
        },
        (None, None) => return Err(ApiError::Validation(Vec::new())),
    };
    let items = state
        .neighbourhoods
        .meeting_places(near, other, limit)
        .into_iter()
        .map(|place| MeetingPlaceBody {
            kind: place.kind.as_str().to_owned(),
            name: place.name,
            lat: place.location.lat,
            lng: place.location.lng,
            distance_km: (place.distance_from_a_km * 100.0).round() / 100.0,
            other_distance_km: (place.distance_from_b_km * 100.0).round() / 100.0,
        })
        .collect();
    Ok(HttpResponse::Ok().json(MeetingPlacesPage { items }))
}

/// `lat,lng` as a point.
pub(crate) fn parse_point(field: &'static str, raw: &str) -> Result<GeoPoint, ValidationError> {
    let invalid = || ValidationError::new(field, "must be lat,lng in degrees");
    let (lat, lng) = raw.split_once(',').ok_or_else(invalid)?;
    let lat: f64 = lat.trim().parse().map_err(|_| invalid())?;
    let lng: f64 = lng.trim().parse().map_err(|_| invalid())?;
    GeoPoint::new(lat, lng).map_err(|_| invalid())
}
