//! Moderation (승인/반려) for admins: the review queue, approving and rejecting listings.

use actix_web::{HttpRequest, HttpResponse, web};
use jangteo_domain::{ListingId, RejectionReason, ValidationError, listing::ImageDigest};
use jangteo_read_models::{ListingStatusView, SearchQuery};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    ApiError, ApiState,
    auth::Authenticated,
    consistency::consistency_position,
    listing_view::ListingView,
    openapi::{headers::ConsistencyPosition, schemas},
    routes::{Fields, listings::ListingPage},
};

const DEFAULT_PAGE_SIZE: usize = 50;
const MAX_PAGE_SIZE: usize = 100;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct QueueParams {
    /// `pending_review` (default) or `rejected`.
    #[param(pattern = "^(pending_review|rejected)$")]
    status: Option<String>,
    /// Page size, 1–100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<usize>,
    /// How many to skip (the queue changes as admins work through it).
    #[param(minimum = 0, maximum = 10000)]
    offset: Option<usize>,
}

/// The review queue (admins only): listings the automatic rules sent to review, newest first,
/// with the reasons.
#[utoipa::path(
    get, path = "/v1/admin/listings", operation_id = "review_queue", tag = "admin", security(("bearer" = [])),
    params(QueueParams, ConsistencyPosition),
    responses(
        (status = 200, description = "A page of the queue.", body = ListingPage),
        (status = 403, description = "- `forbidden`: the caller is not an admin"),
        (status = 422, description = "- `validation_failed`: a status other than pending_review or rejected, \
            a `limit` out of 1–100, an `offset` over 10,000"),
    ),
)]
pub(crate) async fn queue(
    state: web::Data<ApiState>,
    Authenticated(admin): Authenticated,
    params: web::Query<QueueParams>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let position = consistency_position(&request)?;
    state.listings.ensure_admin(admin).await?;
    let mut fields = Fields::new();
    let status = match params.status.as_deref().unwrap_or("pending_review") {
        "pending_review" => Some(ListingStatusView::PendingReview),
        "rejected" => Some(ListingStatusView::Rejected),
        _ => fields.check(Err(ValidationError::new("status", "must be pending_review or rejected"))),
    };
    let limit = params.limit.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(1..=MAX_PAGE_SIZE).contains(&limit) {
        fields.check::<()>(Err(ValidationError::new("limit", "must be between 1 and 100")));
    }
    let offset = params.offset.unwrap_or(0);
    if offset > 10_000 {
        fields.check::<()>(Err(ValidationError::new("offset", "must be at most 10000")));
    }
    fields.finish()?;
    let Some(status) = status else { return Err(ApiError::Validation(Vec::new())) };
    let query = SearchQuery { statuses: vec![status], limit, offset, ..SearchQuery::default() };
    let page = state.queries.review_queue(query, position).await?;
    let next_cursor = None;
    let items = page.items.iter().map(ListingView::of).collect();
    Ok(HttpResponse::Ok().json(ListingPage::new(items, next_cursor)))
}

/// A moderation decision's answer.
#[derive(Serialize, ToSchema)]
pub(crate) struct Moderated {
    #[schema(value_type = uuid::Uuid)]
    listing_id: ListingId,
    #[schema(value_type = schemas::ListingStatus)]
    status: ListingStatusView,
    position: u64,
}

/// Approve a listing waiting for review (admins only): it goes on sale.
#[utoipa::path(
    post, path = "/v1/admin/listings/{listing_id}/approval", operation_id = "approve_listing", tag = "admin",
    security(("bearer" = [])),
    params(("listing_id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The listing is on sale.", body = Moderated),
        (status = 403, description = "- `forbidden`: the caller is not an admin"),
        (status = 404, description = "- `not_found`: no such listing"),
        (status = 409, description = "- `invalid_state_transition`: the listing does not wait for review"),
    ),
)]
pub(crate) async fn approve(
    state: web::Data<ApiState>,
    Authenticated(admin): Authenticated,
    path: web::Path<ListingId>,
) -> Result<HttpResponse, ApiError> {
    let listing_id = path.into_inner();
    let receipt = state.listings.approve(admin, listing_id).await?;
    let status = ListingStatusView::OnSale;
    Ok(HttpResponse::Ok().json(Moderated { listing_id, status, position: receipt.position }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RejectionBody {
    /// Shown to the seller: 1–500 characters.
    #[schema(min_length = 1, max_length = 500)]
    reason: String,
}

/// Reject a listing waiting for review (admins only): the seller sees the reason, may edit the
/// listing and publish it again.
#[utoipa::path(
    post, path = "/v1/admin/listings/{listing_id}/rejection", operation_id = "reject_listing", tag = "admin",
    security(("bearer" = [])),
    params(("listing_id" = uuid::Uuid, Path)),
    request_body = RejectionBody,
    responses(
        (status = 200, description = "The listing is rejected.", body = Moderated),
        (status = 403, description = "- `forbidden`: the caller is not an admin"),
        (status = 404, description = "- `not_found`: no such listing"),
        (status = 409, description = "- `invalid_state_transition`: the listing does not wait for review"),
        (status = 422, description = "- `validation_failed`: an empty or too long reason"),
    ),
)]
pub(crate) async fn reject(
    state: web::Data<ApiState>,
    Authenticated(admin): Authenticated,
    path: web::Path<ListingId>,
    body: web::Json<RejectionBody>,
) -> Result<HttpResponse, ApiError> {
    let listing_id = path.into_inner();
    let reason = RejectionReason::parse(&body.reason)?;
    let receipt = state.listings.reject(admin, listing_id, reason).await?;
    let status = ListingStatusView::Rejected;
    Ok(HttpResponse::Ok().json(Moderated { listing_id, status, position: receipt.position }))
}

/// The listings carrying one photo.
#[derive(Serialize, ToSchema)]
pub(crate) struct PhotoMatches {
    /// Any status, newest first, at most 100.
    items: Vec<ListingView>,
    /// How many sellers they belong to: more than one is the mark of a copied listing.
    sellers: usize,
}

/// The listings carrying a photo, by its SHA-256 (admins only): the same picture on listings of
/// different sellers is the mark of a copied listing, which publishing sends to review
/// (`reused_photo`).
#[utoipa::path(
    get, path = "/v1/admin/photos/{sha256}/listings", operation_id = "listings_with_photo", tag = "admin",
    security(("bearer" = [])),
    params(("sha256" = String, Path, description = "The photo's SHA-256: 64 lower-case hex digits"),
        ConsistencyPosition),
    responses(
        (status = 200, description = "The listings carrying the photo.", body = PhotoMatches),
        (status = 403, description = "- `forbidden`: the caller is not an admin"),
        (status = 422, description = "- `validation_failed`: not 64 lower-case hex digits"),
    ),
)]
pub(crate) async fn listings_with_photo(
    state: web::Data<ApiState>,
    Authenticated(admin): Authenticated,
    path: web::Path<String>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let position = consistency_position(&request)?;
    state.listings.ensure_admin(admin).await?;
    let sha256 = ImageDigest::parse(&path.into_inner())?;
    let listings = state.queries.listings_with_photo(&sha256, position).await?;
    let sellers =
        listings.iter().map(|listing| listing.seller_id).collect::<std::collections::HashSet<_>>().len();
    Ok(HttpResponse::Ok()
        .json(PhotoMatches { items: listings.iter().map(ListingView::of).collect(), sellers }))
}
