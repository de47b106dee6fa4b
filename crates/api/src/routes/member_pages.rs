//! The member's own pages over the read models: their listings, their orders as buyer or
//! seller, their favourites. Newest first, a page at a time.

use actix_web::{HttpRequest, HttpResponse, web};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use jangteo_domain::{AccountId, Money, ValidationError, order::OrderStatus};
use jangteo_read_models::{ListingStatusView, OrderDocument, OrderParty};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Fields;
use crate::{
    ApiError, ApiState,
    auth::Authenticated,
    consistency::consistency_position,
    listing_view::ListingView,
    openapi::{headers::ConsistencyPosition, schemas},
};

/// A page's size when the client names none.
const DEFAULT_LIMIT: u32 = 20;

/// Cursors are opaque to clients: the sort position of the previous page's last item.
fn encode_cursor(position: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("p:{position}"))
}

fn decode_cursor(cursor: &str) -> Result<u64, ValidationError> {
    let invalid = ValidationError::new("cursor", "is not a cursor this API issued");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid.clone())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid.clone())?;
    // Positions are stored as signed 64-bit integers: a larger one is no cursor this API issued.
    text.strip_prefix("p:")
        .and_then(|position| position.parse::<u64>().ok())
        .filter(|position| i64::try_from(*position).is_ok())
        .ok_or(invalid)
}

fn limit_of(limit: Option<u32>) -> Result<u32, ValidationError> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(limit) if (1..=jangteo_app::MAX_PAGE).contains(&limit) => Ok(limit),
        Some(_) => Err(ValidationError::new("limit", "must be between 1 and 100")),
    }
}

/// A comma list of names, each parsed by `parse`; empty means every one.
fn statuses<T>(
    raw: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    reason: &'static str,
) -> Result<Vec<T>, ValidationError> {
    let Some(raw) = raw else { return Ok(Vec::new()) };
    raw.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| parse(name).ok_or(ValidationError::new("status", reason)))
        .collect()
}

fn order_status(name: &str) -> Option<OrderStatus> {
    OrderStatus::ALL.into_iter().find(|status| status.name() == name)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct MyListingsParams {
    /// Comma-separated statuses: draft, pending_review, rejected, on_sale, reserved, sold,
    /// withdrawn (default all).
    #[param(
        pattern = "^ *(draft|pending_review|rejected|on_sale|reserved|sold|withdrawn)? *(, *(draft|pending_review|rejected|on_sale|reserved|sold|withdrawn)? *)*$"
    )]
    status: Option<String>,
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// One page of the member's listings.
#[derive(Serialize, ToSchema)]
pub(crate) struct MyListingPage {
    items: Vec<ListingView>,
    /// Pass it as `cursor` for the next page; `null` on the last one.
    #[schema(required)]
    next_cursor: Option<String>,
}

/// The member's own listings, drafts and withdrawn ones included, newest first.
#[utoipa::path(
    get, path = "/v1/me/listings", operation_id = "my_listings", tag = "my pages", security(("bearer" = [])),
    params(MyListingsParams, ConsistencyPosition),
    responses(
        (status = 200, description = "A page of the member's listings.", body = MyListingPage),
        (status = 422, description = "- `validation_failed`: an unknown status, a `limit` out of 1–100, a \
            cursor this API did not issue"),
    ),
)]
pub(crate) async fn my_listings(
    state: web::Data<ApiState>,
    Authenticated(member): Authenticated,
    params: web::Query<MyListingsParams>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let position = consistency_position(&request)?;
    let mut fields = Fields::new();
    let statuses = fields
        .check(statuses(
            params.status.as_deref(),
            ListingStatusView::parse,
            "must be a comma-separated list of draft, pending_review, rejected, on_sale, reserved, sold, withdrawn",
        ))
        .unwrap_or_default();
    let limit = fields.check(limit_of(params.limit)).unwrap_or(DEFAULT_LIMIT);
    let cursor = fields.check(params.cursor.as_deref().map(decode_cursor).transpose()).flatten();
    fields.finish()?;
    let page = state.queries.my_listings(member, &statuses, cursor, limit, position).await?;
    let items = page.items.iter().map(ListingView::of).collect();
    Ok(HttpResponse::Ok().json(MyListingPage { items, next_cursor: page.next_cursor.map(encode_cursor) }))
}

/// Which side of the member's orders to list.
#[derive(Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
#[serde(rename_all = "snake_case")]
#[graphql(name = "OrderRole")]
pub(crate) enum Role {
    Buyer,
    Seller,
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct MyOrdersParams {
    /// The member's orders as buyer (default) or as seller.
    pub(crate) role: Option<Role>,
    /// Comma-separated statuses (default all): placed, paid, shipped, delivered, completed,
    /// cancelled, return_requested, disputed, refunded.
    #[param(
        pattern = "^ *(placed|paid|shipped|delivered|completed|cancelled|return_requested|disputed|refunded)? *(, *(placed|paid|shipped|delivered|completed|cancelled|return_requested|disputed|refunded)? *)*$"
    )]
    pub(crate) status: Option<String>,
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub(crate) limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub(crate) cursor: Option<String>,
}

/// One page of the member's orders.
#[derive(Serialize, ToSchema)]
pub(crate) struct MyOrderPage {
    #[schema(value_type = Vec<schemas::Order>)]
    pub(crate) items: Vec<OrderDocument>,
    /// Pass it as `cursor` for the next page; `null` on the last one.
    #[schema(required)]
    pub(crate) next_cursor: Option<String>,
}

/// The member's orders as buyer or as seller, newest first.
#[utoipa::path(
    get, path = "/v1/me/orders", operation_id = "my_orders", tag = "my pages", security(("bearer" = [])),
    params(MyOrdersParams, ConsistencyPosition),
    responses(
        (status = 200, description = "A page of the member's orders.", body = MyOrderPage),
        (status = 422, description = "- `validation_failed`: an unknown status, a `limit` out of 1–100, a \
            cursor this API did not issue"),
    ),
)]
pub(crate) async fn my_orders(
    state: web::Data<ApiState>,
    Authenticated(member): Authenticated,
    params: web::Query<MyOrdersParams>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let position = consistency_position(&request)?;
    Ok(HttpResponse::Ok().json(orders_page(&state, member, params.into_inner(), position).await?))
}

/// A page of `member`'s orders (REST and GraphQL answer with this).
pub(crate) async fn orders_page(
    state: &ApiState,
    member: AccountId,
    params: MyOrdersParams,
    position: Option<u64>,
) -> Result<MyOrderPage, ApiError> {
    let mut fields = Fields::new();
    let reason = "must be a comma-separated list of placed, paid, shipped, delivered, completed, cancelled, \
        return_requested, disputed, refunded";
    let statuses = fields.check(statuses(params.status.as_deref(), order_status, reason)).unwrap_or_default();
    let limit = fields.check(limit_of(params.limit)).unwrap_or(DEFAULT_LIMIT);
    let cursor = fields.check(params.cursor.as_deref().map(decode_cursor).transpose()).flatten();
    fields.finish()?;
    let party = match params.role.unwrap_or(Role::Buyer) {
        Role::Buyer => OrderParty::Buyer,
        Role::Seller => OrderParty::Seller,
    };
    let page = state.queries.my_orders(member, party, &statuses, cursor, limit, position).await?;
    Ok(MyOrderPage { items: page.items, next_cursor: page.next_cursor.map(encode_cursor) })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct MyFavouritesParams {
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// A favourite: the listing as it is now, and what it cost when the member favourited it.
#[derive(Serialize, ToSchema)]
pub(crate) struct FavouriteView {
    #[serde(flatten)]
    listing: ListingView,
    /// The price (of one unit) when favourited; `null` for favourites older than this record.
    #[schema(value_type = Option<schemas::Won>, required)]
    favourited_price: Option<Money>,
    /// How much less it costs now than then (0 when not less); `null` when the price then is
    /// not known.
    #[schema(value_type = Option<schemas::Won>, required)]
    price_drop: Option<Money>,
}

/// One page of the member's favourites.
#[derive(Serialize, ToSchema)]
pub(crate) struct MyFavouritePage {
    items: Vec<FavouriteView>,
    /// Pass it as `cursor` for the next page; `null` on the last one.
    #[schema(required)]
    next_cursor: Option<String>,
}

/// The listings the member favourited, newest favourite first, each in its current status and
/// with its price drop since.
#[utoipa::path(
    get, path = "/v1/me/favourites", operation_id = "my_favourites", tag = "my pages", security(("bearer" = [])),
    params(MyFavouritesParams, ConsistencyPosition),
    responses(
        (status = 200, description = "A page of the member's favourite listings (withdrawn ones left out; a \
            page may hold fewer than `limit` while more follow).", body = MyFavouritePage),
        (status = 422, description = "- `validation_failed`: a `limit` out of 1–100, a cursor this API did \
            not issue"),
    ),
)]
pub(crate) async fn my_favourites(
    state: web::Data<ApiState>,
    Authenticated(member): Authenticated,
    params: web::Query<MyFavouritesParams>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let position = consistency_position(&request)?;
    let mut fields = Fields::new();
    let limit = fields.check(limit_of(params.limit)).unwrap_or(DEFAULT_LIMIT);
    let cursor = fields.check(params.cursor.as_deref().map(decode_cursor).transpose()).flatten();
    fields.finish()?;
    let page = state.queries.my_favourites(member, cursor, limit, position).await?;
    let items = page
        .items
        .iter()
        .map(|favourite| FavouriteView {
            listing: ListingView::of(&favourite.listing),
            favourited_price: favourite.favourited_price,
            price_drop: favourite.price_drop(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(MyFavouritePage { items, next_cursor: page.next_cursor.map(encode_cursor) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_others_are_refused() {
        assert_eq!(decode_cursor(&encode_cursor(42)), Ok(42));
        let too_far = URL_SAFE_NO_PAD.encode(format!("p:{}", u64::MAX));
        for bad in ["", "p:1", "cDp4", "!!", &URL_SAFE_NO_PAD.encode("o:5"), &too_far] {
            assert!(decode_cursor(bad).is_err(), "{bad}");
        }
        // The names the documented patterns allow are the names parsed.
        let listing_statuses = "draft|on_sale|reserved|sold|withdrawn";
        let order_statuses =
            "placed|paid|shipped|delivered|completed|cancelled|return_requested|disputed|refunded";
        assert!(listing_statuses.split('|').all(|name| ListingStatusView::parse(name).is_some()));
        assert!(order_statuses.split('|').all(|name| order_status(name).is_some()));
        assert_eq!(order_statuses.split('|').count(), 9, "every order status");
    }
}
