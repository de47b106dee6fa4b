//! Listing commands (sellers) and listing queries (everyone signed in).

use actix_web::{HttpRequest, HttpResponse, web};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jangteo_app::{ListingChanges, NewListing};
use jangteo_domain::{CategoryId, Description, ListingId, Money, Title, ValidationError};
use jangteo_read_models::{ListingDocument, ListingStatusView, SearchQuery};
use serde::{Deserialize, Serialize};

use crate::{ApiError, ApiState, auth::Authenticated, consistency::consistency_position, routes::Fields};

const DEFAULT_PAGE_SIZE: usize = 20;
const MAX_PAGE_SIZE: usize = 100;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateBody {
    title: String,
    #[serde(default)]
    description: String,
    price: i64,
    category_id: Option<String>,
}

pub(crate) async fn create(
    state: web::Data<ApiState>,
    Authenticated(seller): Authenticated,
    body: web::Json<CreateBody>,
) -> Result<HttpResponse, ApiError> {
    let mut fields = Fields::new();
    let title = fields.check(Title::parse(&body.title));
    let description = fields.check(Description::parse(&body.description));
    let price = fields.check(Money::won(body.price));
    let category_id = fields.check(body.category_id.as_deref().map(CategoryId::parse).transpose());
    fields.finish()?;
    let (Some(title), Some(description), Some(price), Some(category_id)) =
        (title, description, price, category_id)
    else {
        return Err(ApiError::Validation(Vec::new()));
    };
    let listing = NewListing { title, description, price, category_id };
    let (listing_id, receipt) = state.listings.create(seller, listing).await?;
    Ok(HttpResponse::Created().json(serde_json::json!({
        "listing_id": listing_id,
        "status": ListingStatusView::Draft,
        "position": receipt.position,
    })))
}

pub(crate) async fn publish(
    state: web::Data<ApiState>,
    Authenticated(actor): Authenticated,
    path: web::Path<ListingId>,
) -> Result<HttpResponse, ApiError> {
    let listing_id = path.into_inner();
    let receipt = state.listings.publish(actor, listing_id).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "listing_id": listing_id,
        "status": ListingStatusView::OnSale,
        "position": receipt.position,
    })))
}

pub(crate) async fn withdraw(
    state: web::Data<ApiState>,
    Authenticated(actor): Authenticated,
    path: web::Path<ListingId>,
) -> Result<HttpResponse, ApiError> {
    let listing_id = path.into_inner();
    let receipt = state.listings.withdraw(actor, listing_id).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "listing_id": listing_id,
        "status": ListingStatusView::Withdrawn,
        "position": receipt.position,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EditBody {
    title: Option<String>,
    description: Option<String>,
    price: Option<i64>,
}

pub(crate) async fn edit(
    state: web::Data<ApiState>,
    Authenticated(actor): Authenticated,
    path: web::Path<ListingId>,
    body: web::Json<EditBody>,
) -> Result<HttpResponse, ApiError> {
    let listing_id = path.into_inner();
    let mut fields = Fields::new();
    let title = fields.check(body.title.as_deref().map(Title::parse).transpose());
    let description = fields.check(body.description.as_deref().map(Description::parse).transpose());
    let price = fields.check(body.price.map(Money::won).transpose());
    fields.finish()?;
    let changes =
        ListingChanges { title: title.flatten(), description: description.flatten(), price: price.flatten() };
    let receipt = state.listings.edit(actor, listing_id, changes).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "listing_id": listing_id,
        "position": receipt.position,
    })))
}

pub(crate) async fn get(
    state: web::Data<ApiState>,
    Authenticated(viewer): Authenticated,
    path: web::Path<ListingId>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let position = consistency_position(&request)?;
    let view = state.queries.listing(Some(viewer), path.into_inner(), position).await?;
    Ok(HttpResponse::Ok().json(ListingBody {
        listing: &view.listing,
        view_count: view.counts.map(|counts| counts.views),
        favourite_count: view.counts.map(|counts| counts.favourites),
    }))
}

/// A listing page: the document and its counters (`null` while the counters are unavailable).
#[derive(Serialize)]
struct ListingBody<'a> {
    #[serde(flatten)]
    listing: &'a ListingDocument,
    view_count: Option<u64>,
    favourite_count: Option<u64>,
}

/// `PUT /v1/listings/{id}/favourite`: marks the listing (again: no change).
pub(crate) async fn favourite(
    state: web::Data<ApiState>,
    Authenticated(member): Authenticated,
    path: web::Path<ListingId>,
) -> Result<HttpResponse, ApiError> {
    let listing_id = path.into_inner();
    let receipt = state.favourites.add(member, listing_id).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "listing_id": listing_id,
        "favourited": true,
        "position": receipt.position,
    })))
}

/// `DELETE /v1/listings/{id}/favourite`: unmarks it (again: no change).
pub(crate) async fn unfavourite(
    state: web::Data<ApiState>,
    Authenticated(member): Authenticated,
    path: web::Path<ListingId>,
) -> Result<HttpResponse, ApiError> {
    let listing_id = path.into_inner();
    let receipt = state.favourites.remove(member, listing_id).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "listing_id": listing_id,
        "favourited": false,
        "position": receipt.position,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SearchParams {
    q: Option<String>,
    min_price: Option<i64>,
    max_price: Option<i64>,
    /// Comma-separated public statuses: on_sale, reserved, sold.
    status: Option<String>,
    limit: Option<usize>,
    cursor: Option<String>,
}

pub(crate) async fn search(
    state: web::Data<ApiState>,
    Authenticated(_viewer): Authenticated,
    params: web::Query<SearchParams>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let position = consistency_position(&request)?;
    let params = params.into_inner();
    let query = listing_query(params)?;
    let offset = query.offset;
    let page = state.queries.search(query, position).await?;
    let next_cursor = page.next_offset.filter(|next| *next > offset).map(encode_cursor);
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": page.items, "next_cursor": next_cursor })))
}

fn listing_query(params: SearchParams) -> Result<SearchQuery, ApiError> {
    let mut fields = Fields::new();
    let min_price = fields.check(params.min_price.map(Money::won).transpose()).flatten();
    let max_price = fields.check(params.max_price.map(Money::won).transpose()).flatten();
    let statuses = fields.check(parse_statuses(params.status.as_deref())).unwrap_or_default();
    let limit = params.limit.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(1..=MAX_PAGE_SIZE).contains(&limit) {
        fields.check::<()>(Err(ValidationError::new("limit", "must be between 1 and 100")));
    }
    let offset = fields.check(params.cursor.as_deref().map(decode_cursor).transpose()).flatten().unwrap_or(0);
    if let (Some(min), Some(max)) = (min_price, max_price)
        && min > max
    {
        fields.check::<()>(Err(ValidationError::new("min_price", "must not exceed max_price")));
    }
    fields.finish()?;
    let text = params.q.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty());
    if text.as_ref().is_some_and(|q| q.chars().count() > 200) {
        return Err(ValidationError::new("q", "must be at most 200 characters").into());
    }
    Ok(SearchQuery { text, min_price, max_price, statuses, limit, offset })
}

fn parse_statuses(raw: Option<&str>) -> Result<Vec<ListingStatusView>, ValidationError> {
    let Some(raw) = raw else { return Ok(Vec::new()) };
    raw.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| {
            ListingStatusView::parse(name).filter(|status| status.is_public()).ok_or(ValidationError::new(
                "status",
                "must be a comma-separated list of on_sale, reserved, sold",
            ))
        })
        .collect()
}

/// Cursors are opaque to clients: today an offset, tomorrow perhaps a search-after key.
fn encode_cursor(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("o:{offset}"))
}

fn decode_cursor(cursor: &str) -> Result<usize, ValidationError> {
    let invalid = ValidationError::new("cursor", "is not a cursor this API issued");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid.clone())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid.clone())?;
    text.strip_prefix("o:")
        .and_then(|offset| offset.parse().ok())
        .filter(|offset| *offset <= 10_000)
        .ok_or(invalid)
}
