//! Listing commands (sellers) and listing queries (everyone signed in).

use actix_web::{HttpRequest, HttpResponse, web};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jangteo_app::{ListingChanges, NewListing};
use jangteo_domain::{
    AccountId, CategoryId, CategoryRefusal, Description, DomainError, ListingId, Money, Title,
    ValidationError,
    listing::{GeoPoint, ListingState, Quantity},
};
use jangteo_read_models::{ListingStatusView, Nearby, SearchQuery, SearchSort};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    ApiError, ApiState,
    auth::{Authenticated, MaybeAuthenticated},
    consistency::consistency_position,
    listing_view::ListingView,
    openapi::{headers::ConsistencyPosition, schemas},
    routes::{Fields, meeting_places::parse_point, neighbourhood_verification::NeighbourhoodBadge},
};

const DEFAULT_PAGE_SIZE: usize = 20;
const MAX_PAGE_SIZE: usize = 100;
/// The radius of a `near` search without `radius_km`.
const DEFAULT_RADIUS_KM: f64 = 5.0;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateBody {
    /// 1–100 characters, trimmed.
    #[schema(min_length = 1, max_length = 100)]
    title: String,
    /// At most 5,000 characters.
    #[serde(default)]
    #[schema(max_length = 5000)]
    description: String,
    /// In won.
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    price: i64,
    /// A leaf of the category tree (`GET /v1/categories`), such as `iphone`.
    #[schema(pattern = "^[a-z0-9/-]{1,64}$")]
    category_id: Option<String>,
    /// Identical units for sale, 1–999 (default 1).
    #[schema(minimum = 1, maximum = 999)]
    quantity: Option<u32>,
    /// Where the item is; kept rounded to 0.001°.
    location: Option<LocationBody>,
}

/// A point: latitude −90 to 90, longitude −180 to 180.
#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub(crate) struct LocationBody {
    pub(crate) lat: f64,
    pub(crate) lng: f64,
}

fn location(body: Option<LocationBody>) -> Result<Option<GeoPoint>, ValidationError> {
    body.map(|point| GeoPoint::new(point.lat, point.lng)).transpose()
}

/// A listing command's answer.
#[derive(Serialize, ToSchema)]
pub(crate) struct ListingReceipt {
    #[schema(value_type = uuid::Uuid)]
    listing_id: ListingId,
    #[schema(value_type = schemas::ListingStatus)]
    status: ListingStatusView,
    /// The global log position of the command's last event.
    position: u64,
}

/// The answer to an edit.
#[derive(Serialize, ToSchema)]
pub(crate) struct ListingEdited {
    #[schema(value_type = uuid::Uuid)]
    listing_id: ListingId,
    position: u64,
}

/// The answer to marking or unmarking a favourite.
#[derive(Serialize, ToSchema)]
pub(crate) struct FavouriteReceipt {
    #[schema(value_type = uuid::Uuid)]
    listing_id: ListingId,
    favourited: bool,
    position: u64,
}

/// Put a listing up, as a draft.
#[utoipa::path(
    post, path = "/v1/listings", operation_id = "create_listing", tag = "listings", security(("bearer" = [])),
    request_body = CreateBody,
    responses(
        (status = 201, description = "The listing is created as a draft.", body = ListingReceipt),
        (status = 422, description = "- `validation_failed`: an invalid title, description, price, quantity \
            or location\n- `unknown_category`, `category_not_leaf`, `category_retired`: the category is not a \
            live leaf of the tree"),
    ),
)]

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
    let quantity = fields.check(Quantity::new(body.quantity.unwrap_or(1)));
    let location = fields.check(location(body.location));
    fields.finish()?;
    let (Some(title), Some(description), Some(price), Some(category_id), Some(quantity), Some(location)) =
        (title, description, price, category_id, quantity, location)
    else {
        return Err(ApiError::Validation(Vec::new()));
    };
    let listing = NewListing { title, description, price, category_id, quantity, location };
    let (listing_id, receipt) = state.listings.create(seller, listing).await?;
    let status = ListingStatusView::Draft;
    Ok(HttpResponse::Created().json(ListingReceipt { listing_id, status, position: receipt.position }))
}

/// Publish a draft, or a rejected listing again (seller only): on sale at once if the automatic
/// moderation rules pass, otherwise `pending_review` until an admin decides.
#[utoipa::path(
    post, path = "/v1/listings/{listing_id}/publish", operation_id = "publish_listing", tag = "listings", security(("bearer" = [])),
    params(("listing_id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The listing is on sale, or waits for review.", body = ListingReceipt),
        (status = 403, description = "- `forbidden`: not the seller"),
        (status = 409, description = "- `invalid_state_transition`: the listing is neither a draft nor rejected"),
    ),
)]

pub(crate) async fn publish(
    state: web::Data<ApiState>,
    Authenticated(actor): Authenticated,
    path: web::Path<ListingId>,
) -> Result<HttpResponse, ApiError> {
    let listing_id = path.into_inner();
    let receipt = state.listings.publish(actor, listing_id).await?;
    let status = match state.listings.current(listing_id).await? {
        ListingState::Present(listing) => ListingStatusView::from(&listing.status),
        ListingState::Absent => return Err(jangteo_app::AppError::NotFound.into()),
    };
    Ok(HttpResponse::Ok().json(ListingReceipt { listing_id, status, position: receipt.position }))
}

/// Withdraw a listing from sale (seller only).
#[utoipa::path(
    post, path = "/v1/listings/{listing_id}/withdrawal", operation_id = "withdraw_listing", tag = "listings", security(("bearer" = [])),
    params(("listing_id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The listing is withdrawn.", body = ListingReceipt),
        (status = 403, description = "- `forbidden`: not the seller"),
        (status = 409, description = "- `invalid_state_transition`: the listing is reserved, sold or withdrawn"),
    ),
)]

pub(crate) async fn withdraw(
    state: web::Data<ApiState>,
    Authenticated(actor): Authenticated,
    path: web::Path<ListingId>,
) -> Result<HttpResponse, ApiError> {
    let listing_id = path.into_inner();
    let receipt = state.listings.withdraw(actor, listing_id).await?;
    let status = ListingStatusView::Withdrawn;
    Ok(HttpResponse::Ok().json(ListingReceipt { listing_id, status, position: receipt.position }))
}

/// 끌올: move an on-sale listing to the top of the newest-first order (seller only, once a day).
#[utoipa::path(
    post, path = "/v1/listings/{listing_id}/bump", operation_id = "bump_listing", tag = "listings", security(("bearer" = [])),
    params(("listing_id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The listing sorts as new.", body = ListingReceipt),
        (status = 403, description = "- `forbidden`: not the seller"),
        (status = 409, description = "- `invalid_state_transition`: the listing is not on sale\n\
            - `bump_too_soon`: bumped less than 24 hours ago (`next_at` says when it may be bumped)"),
    ),
)]
pub(crate) async fn bump(
    state: web::Data<ApiState>,
    Authenticated(actor): Authenticated,
    path: web::Path<ListingId>,
) -> Result<HttpResponse, ApiError> {
    let listing_id = path.into_inner();
    let receipt = state.listings.bump(actor, listing_id).await?;
    let status = ListingStatusView::OnSale;
    Ok(HttpResponse::Ok().json(ListingReceipt { listing_id, status, position: receipt.position }))
}

/// The fields to change; the others stay as they are.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EditBody {
    #[schema(min_length = 1, max_length = 100)]
    title: Option<String>,
    #[schema(max_length = 5000)]
    description: Option<String>,
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    price: Option<i64>,
    /// A leaf of the category tree.
    #[schema(pattern = "^[a-z0-9/-]{1,64}$")]
    category_id: Option<String>,
    /// Units put up, 1–999; not below the units orders hold or bought.
    #[schema(minimum = 1, maximum = 999)]
    quantity: Option<u32>,
    location: Option<LocationBody>,
}

/// Change a draft, rejected or on-sale listing's title, description, price, category, quantity
/// or place (seller only).
#[utoipa::path(
    patch, path = "/v1/listings/{listing_id}", operation_id = "edit_listing", tag = "listings", security(("bearer" = [])),
    params(("listing_id" = uuid::Uuid, Path)),
    request_body = EditBody,
    responses(
        (status = 200, description = "The listing is changed.", body = ListingEdited),
        (status = 403, description = "- `forbidden`: not the seller"),
        (status = 409, description = "- `invalid_state_transition`: the listing is sold or withdrawn"),
        (status = 422, description = "- `validation_failed`: an invalid title, description, price, quantity \
            or location, or a quantity below the units ordered\n- `unknown_category`, `category_not_leaf`, \
            `category_retired`: the category is not a live leaf of the tree"),
    ),
)]

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
    let category_id = fields.check(body.category_id.as_deref().map(CategoryId::parse).transpose());
    let quantity = fields.check(body.quantity.map(Quantity::new).transpose());
    let location = fields.check(location(body.location));
    fields.finish()?;
    let changes = ListingChanges {
        title: title.flatten(),
        description: description.flatten(),
        price: price.flatten(),
        category_id: category_id.flatten(),
        quantity: quantity.flatten(),
        location: location.flatten(),
    };
    let receipt = state.listings.edit(actor, listing_id, changes).await?;
    Ok(HttpResponse::Ok().json(ListingEdited { listing_id, position: receipt.position }))
}

/// A listing, for anyone (no token needed); a look by anyone but its seller counts as a view.
#[utoipa::path(
    get, path = "/v1/listings/{listing_id}", operation_id = "get_listing", tag = "listings", security((), ("bearer" = [])),
    params(("listing_id" = uuid::Uuid, Path), ConsistencyPosition),
    responses(
        (status = 200, description = "The listing; a look by anyone but the seller counts as a view.",
            body = ListingBody),
        (status = 404, description = "- `not_found`: no such listing, or a draft or withdrawn listing of \
            another seller"),
    ),
)]
pub(crate) async fn get(
    state: web::Data<ApiState>,
    MaybeAuthenticated(viewer): MaybeAuthenticated,
    path: web::Path<ListingId>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let position = consistency_position(&request)?;
    let body = listing_body(&state, viewer, path.into_inner(), position).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// A listing and its counters as `viewer` may see it (REST and GraphQL answer with this).
pub(crate) async fn listing_body(
    state: &ApiState,
    viewer: Option<AccountId>,
    listing_id: ListingId,
    position: Option<u64>,
) -> Result<ListingBody, ApiError> {
    let view = state.queries.listing(viewer, listing_id, position).await?;
    let seller_neighbourhood = state.neighbourhood_verifications.current(view.listing.seller_id).await?;
    Ok(ListingBody {
        listing: ListingView::of(&view.listing),
        view_count: view.counts.map(|counts| counts.views),
        favourite_count: view.counts.map(|counts| counts.favourites),
        seller_neighbourhood: seller_neighbourhood.map(NeighbourhoodBadge::from),
    })
}

/// A listing page: the document and its counters (`null` while the counters are unavailable).
#[derive(Serialize, ToSchema)]
pub(crate) struct ListingBody {
    #[serde(flatten)]
    pub(crate) listing: ListingView,
    #[schema(required)]
    pub(crate) view_count: Option<u64>,
    #[schema(required)]
    pub(crate) favourite_count: Option<u64>,
    /// The seller's 동네 인증 while it counts, or `null`.
    #[schema(required)]
    pub(crate) seller_neighbourhood: Option<NeighbourhoodBadge>,
}

/// Mark a listing as a favourite (again: no change).
#[utoipa::path(
    put, path = "/v1/listings/{listing_id}/favourite", operation_id = "add_favourite", tag = "listings", security(("bearer" = [])),
    params(("listing_id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The listing is among the member's favourites.", body = FavouriteReceipt),
        (status = 403, description = "- `forbidden`: the member's own listing"),
        (status = 409, description = "- `listing_not_available`: a draft or withdrawn listing"),
    ),
)]
pub(crate) async fn favourite(
    state: web::Data<ApiState>,
    Authenticated(member): Authenticated,
    path: web::Path<ListingId>,
) -> Result<HttpResponse, ApiError> {
    let listing_id = path.into_inner();
    let receipt = state.favourites.add(member, listing_id).await?;
    Ok(HttpResponse::Ok().json(FavouriteReceipt { listing_id, favourited: true, position: receipt.position }))
}

/// Unmark a favourite (again: no change).
#[utoipa::path(
    delete, path = "/v1/listings/{listing_id}/favourite", operation_id = "remove_favourite", tag = "listings", security(("bearer" = [])),
    params(("listing_id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The listing is not among the member's favourites.",
            body = FavouriteReceipt),
    ),
)]
pub(crate) async fn unfavourite(
    state: web::Data<ApiState>,
    Authenticated(member): Authenticated,
    path: web::Path<ListingId>,
) -> Result<HttpResponse, ApiError> {
    let listing_id = path.into_inner();
    let receipt = state.favourites.remove(member, listing_id).await?;
    Ok(HttpResponse::Ok().json(FavouriteReceipt {
        listing_id,
        favourited: false,
        position: receipt.position,
    }))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct SearchParams {
    /// Words to look for in titles and descriptions (at most 200 characters); with it, best
    /// match first, without it newest first.
    #[param(max_length = 200)]
    pub(crate) q: Option<String>,
    /// In won.
    #[param(minimum = 0, maximum = 1_000_000_000)]
    pub(crate) min_price: Option<i64>,
    /// In won; not below `min_price`.
    #[param(minimum = 0, maximum = 1_000_000_000)]
    pub(crate) max_price: Option<i64>,
    /// Comma-separated public statuses: on_sale, reserved, sold (default on_sale).
    #[param(pattern = "^ *(on_sale|reserved|sold)? *(, *(on_sale|reserved|sold)? *)*$")]
    pub(crate) status: Option<String>,
    /// A category of the tree: listings in it or any category under it.
    #[param(pattern = "^[a-z0-9/-]{1,64}$")]
    pub(crate) category: Option<String>,
    /// `lat,lng`: only listings within `radius_km` of it, each with its `distance_km`.
    #[param(example = "37.4979,127.0276")]
    pub(crate) near: Option<String>,
    /// With `near`: 0.1–100 km (default 5).
    #[param(minimum = 0.1, maximum = 100)]
    pub(crate) radius_km: Option<f64>,
    /// Only this seller's listings.
    #[param(value_type = Option<uuid::Uuid>)]
    pub(crate) seller: Option<AccountId>,
    /// `relevance` (default: best match with `q`, raised for fresh and near listings; newest
    /// without `q`), `newest` (a bump moves a listing up), `distance` (with `near`),
    /// `price_asc`, `price_desc`.
    #[param(pattern = "^(relevance|newest|distance|price_asc|price_desc)$")]
    pub(crate) sort: Option<String>,
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub(crate) limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub(crate) cursor: Option<String>,
}

/// One page of listings.
#[derive(Serialize, ToSchema)]
pub(crate) struct ListingPage {
    pub(crate) items: Vec<ListingView>,
    /// Pass it as `cursor` for the next page; `null` on the last one.
    #[schema(required)]
    pub(crate) next_cursor: Option<String>,
}

impl ListingPage {
    pub(crate) fn new(items: Vec<ListingView>, next_cursor: Option<String>) -> Self {
        Self { items, next_cursor }
    }
}

/// Search public listings, for anyone (no token needed): newest first, or best match first with `q`.
#[utoipa::path(
    get, path = "/v1/listings", operation_id = "search_listings", tag = "listings", security((), ("bearer" = [])),
    params(SearchParams, ConsistencyPosition),
    responses(
        (status = 200, description = "A page of public listings.", body = ListingPage),
        (status = 422, description = "- `validation_failed`: a price out of range or `min_price` over \
            `max_price`, an unknown status or sort, a `limit` out of 1–100, a `q` over 200 characters, a \
            `near` that is not `lat,lng`, a `radius_km` out of 0.1–100, a cursor this API did not issue\n\
            - `unknown_category`: no such category"),
    ),
)]
pub(crate) async fn search(
    state: web::Data<ApiState>,
    MaybeAuthenticated(_viewer): MaybeAuthenticated,
    params: web::Query<SearchParams>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let position = consistency_position(&request)?;
    let page = search_page(&state, params.into_inner(), position).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// The page of public listings a search asks for (REST and GraphQL answer with this).
pub(crate) async fn search_page(
    state: &ApiState,
    params: SearchParams,
    position: Option<u64>,
) -> Result<ListingPage, ApiError> {
    let query = listing_query(state, params).await?;
    let offset = query.offset;
    let page = state.queries.search(query, position).await?;
    let next_cursor = page.next_offset.filter(|next| *next > offset).map(encode_cursor);
    let items = page
        .items
        .iter()
        .enumerate()
        .map(|(n, document)| ListingView::of(document).at_distance(page.distances_km.get(n).copied()))
        .collect();
    Ok(ListingPage { items, next_cursor })
}

/// The search a `GET /v1/listings` asks for, its category expanded to the categories under it.
async fn listing_query(state: &ApiState, params: SearchParams) -> Result<SearchQuery, ApiError> {
    let mut fields = Fields::new();
    let near =
        fields.check(params.near.as_deref().map(|near| parse_point("near", near)).transpose()).flatten();
    let radius_km = params.radius_km.unwrap_or(DEFAULT_RADIUS_KM);
    if !(0.1..=100.0).contains(&radius_km) {
        fields.check::<()>(Err(ValidationError::new("radius_km", "must be between 0.1 and 100")));
    }
    let sort = match params.sort.as_deref() {
        None | Some("relevance") => Some(SearchSort::Relevance),
        Some("newest") => Some(SearchSort::Newest),
        Some("distance") => Some(SearchSort::Distance),
        Some("price_asc") => Some(SearchSort::PriceAsc),
        Some("price_desc") => Some(SearchSort::PriceDesc),
        Some(_) => fields.check(Err(ValidationError::new(
            "sort",
            "must be relevance, newest, distance, price_asc or price_desc",
        ))),
    };
    let category = fields.check(params.category.as_deref().map(CategoryId::parse).transpose()).flatten();
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
    let category_ids = match category {
        Some(category) => {
            let under = state.categories.with_descendants(&category).await?;
            if under.is_empty() {
                return Err(
                    jangteo_app::AppError::from(DomainError::Category(CategoryRefusal::Unknown)).into()
                );
            }
            under
        }
        None => Vec::new(),
    };
    Ok(SearchQuery {
        text,
        min_price,
        max_price,
        statuses,
        category_ids,
        seller: params.seller,
        near: near.map(|center| Nearby { center, radius_km }),
        sort: sort.unwrap_or_default(),
        limit,
        offset,
    })
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
