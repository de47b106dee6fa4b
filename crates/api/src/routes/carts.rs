//! The member's cart and its checkout.

use actix_web::{HttpRequest, HttpResponse, web};
use jangteo_domain::{AccountId, CheckoutId, ListingId, OrderId, listing::GeoPoint, order::OrderStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    ApiError, ApiState,
    auth::Authenticated,
    openapi::{headers::IdempotencyKey, schemas},
    routes::{meeting_places::parse_point, orders::context},
};

/// Where the parcels go, for their shipping fees.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeliveryParams {
    /// `lat,lng` of the buyer: fees by distance from each seller's listing (1,000 won more
    /// beyond 50 km, 3,000 more to or from Jeju); without it, each seller's regional fee.
    #[param(example = "37.5663,126.9779")]
    deliver_to: Option<String>,
}

impl DeliveryParams {
    fn point(&self) -> Result<Option<GeoPoint>, ApiError> {
        Ok(self.deliver_to.as_deref().map(|raw| parse_point("deliver_to", raw)).transpose()?)
    }
}

/// The answer to putting a listing in the cart or taking it out.
#[derive(Serialize, ToSchema)]
pub(crate) struct CartItemReceipt {
    #[schema(value_type = uuid::Uuid)]
    listing_id: ListingId,
    in_cart: bool,
    position: u64,
}

/// One order the checkout placed: all of one seller's listings.
#[derive(Serialize, ToSchema)]
pub(crate) struct CheckoutOrder {
    #[schema(value_type = uuid::Uuid)]
    order_id: OrderId,
    #[schema(value_type = uuid::Uuid)]
    seller_id: AccountId,
    #[schema(value_type = Vec<uuid::Uuid>)]
    listing_ids: Vec<ListingId>,
    #[schema(value_type = schemas::OrderStatus)]
    status: OrderStatus,
}

/// A completed checkout.
#[derive(Serialize, ToSchema)]
pub(crate) struct CheckoutReceipt {
    #[schema(value_type = uuid::Uuid)]
    checkout_id: CheckoutId,
    orders: Vec<CheckoutOrder>,
    position: u64,
}

/// The member's cart by seller, at current prices and with shipping fees.
#[utoipa::path(
    get, path = "/v1/cart", operation_id = "view_cart", tag = "cart", security(("bearer" = [])),
    params(DeliveryParams),
    responses(
        (status = 200, description = "The member's cart by seller, at current prices; only `on_sale` lines \
            count in the totals.", body = schemas::Cart),
        (status = 422, description = "- `validation_failed`: a `deliver_to` that is not `lat,lng`"),
    ),
)]
pub(crate) async fn view(
    state: web::Data<ApiState>,
    Authenticated(buyer): Authenticated,
    params: web::Query<DeliveryParams>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.carts.view(buyer, params.point()?).await?))
}

/// Put a listing in the cart (again: no change).
#[utoipa::path(
    put, path = "/v1/cart/items/{listing_id}", operation_id = "add_to_cart", tag = "cart", security(("bearer" = [])),
    params(("listing_id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The listing is in the cart (again: no change).", body = CartItemReceipt),
        (status = 404, description = "- `not_found`: no such listing"),
        (status = 409, description = "- `listing_not_available`: the listing is not on sale"),
        (status = 422, description = "- `buyer_is_seller`: the member's own listing\n\
            - `validation_failed`: the cart holds 30 listings already"),
    ),
)]
pub(crate) async fn add(
    state: web::Data<ApiState>,
    Authenticated(buyer): Authenticated,
    path: web::Path<ListingId>,
) -> Result<HttpResponse, ApiError> {
    let listing_id = path.into_inner();
    let receipt = state.carts.add(buyer, listing_id).await?;
    Ok(HttpResponse::Ok().json(CartItemReceipt { listing_id, in_cart: true, position: receipt.position }))
}

/// Take a listing out of the cart (again: no change).
#[utoipa::path(
    delete, path = "/v1/cart/items/{listing_id}", operation_id = "remove_from_cart", tag = "cart", security(("bearer" = [])),
    params(("listing_id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The listing is not in the cart (again: no change).",
            body = CartItemReceipt),
    ),
)]
pub(crate) async fn remove(
    state: web::Data<ApiState>,
    Authenticated(buyer): Authenticated,
    path: web::Path<ListingId>,
) -> Result<HttpResponse, ApiError> {
    let listing_id = path.into_inner();
    let receipt = state.carts.remove(buyer, listing_id).await?;
    Ok(HttpResponse::Ok().json(CartItemReceipt { listing_id, in_cart: false, position: receipt.position }))
}

/// Check the cart out: one order per seller, every listing reserved or none.
#[utoipa::path(
    post, path = "/v1/cart/checkout", operation_id = "checkout_cart", tag = "cart", security(("bearer" = [])),
    params(IdempotencyKey, DeliveryParams),
    responses(
        (status = 201, description = "One order per seller, each reserving all of that seller's listings, \
            which leave the cart; each order's shipping fee as the cart quotes it for `deliver_to`.",
            body = CheckoutReceipt),
        (status = 409, description = "- `listing_not_available`: a listing is no longer on sale (`detail` \
            names them); the orders already placed are cancelled"),
        (status = 422, description = "- `validation_failed`: the cart is empty, or a `deliver_to` that is \
            not `lat,lng`"),
    ),
)]
pub(crate) async fn checkout(
    state: web::Data<ApiState>,
    Authenticated(buyer): Authenticated,
    params: web::Query<DeliveryParams>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let context = context(&request, buyer, "checkout")?;
    let receipt = state.checkouts.checkout(buyer, params.point()?, &context).await?;
    let orders = receipt
        .orders
        .into_iter()
        .map(|order| CheckoutOrder {
            order_id: order.receipt.order_id,
            seller_id: order.seller_id,
            listing_ids: order.listing_ids,
            status: order.receipt.status,
        })
        .collect();
    Ok(HttpResponse::Created().json(CheckoutReceipt {
        checkout_id: receipt.checkout_id,
        orders,
        position: receipt.position,
    }))
}
