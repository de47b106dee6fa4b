//! The member's cart and its checkout.

use actix_web::{HttpRequest, HttpResponse, web};
use jangteo_domain::ListingId;

use crate::{ApiError, ApiState, auth::Authenticated, routes::orders::context};

/// `GET /v1/cart`: the cart grouped by seller, with current prices and shipping fees.
pub(crate) async fn view(
    state: web::Data<ApiState>,
    Authenticated(buyer): Authenticated,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.carts.view(buyer).await?))
}

/// `PUT /v1/cart/items/{listing_id}`.
pub(crate) async fn add(
    state: web::Data<ApiState>,
    Authenticated(buyer): Authenticated,
    path: web::Path<ListingId>,
) -> Result<HttpResponse, ApiError> {
    let listing_id = path.into_inner();
    let receipt = state.carts.add(buyer, listing_id).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "listing_id": listing_id, "in_cart": true, "position": receipt.position,
    })))
}

/// `DELETE /v1/cart/items/{listing_id}`.
pub(crate) async fn remove(
    state: web::Data<ApiState>,
    Authenticated(buyer): Authenticated,
    path: web::Path<ListingId>,
) -> Result<HttpResponse, ApiError> {
    let listing_id = path.into_inner();
    let receipt = state.carts.remove(buyer, listing_id).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "listing_id": listing_id, "in_cart": false, "position": receipt.position,
    })))
}

/// `POST /v1/cart/checkout`: one order per seller, every listing reserved or none.
pub(crate) async fn checkout(
    state: web::Data<ApiState>,
    Authenticated(buyer): Authenticated,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let context = context(&request, buyer, "checkout")?;
    let receipt = state.checkouts.checkout(buyer, &context).await?;
    let orders: Vec<serde_json::Value> = receipt
        .orders
        .iter()
        .map(|order| {
            serde_json::json!({
                "order_id": order.receipt.order_id,
                "seller_id": order.seller_id,
                "listing_ids": order.listing_ids,
                "status": order.receipt.status,
            })
        })
        .collect();
    Ok(HttpResponse::Created().json(serde_json::json!({
        "checkout_id": receipt.checkout_id,
        "orders": orders,
        "position": receipt.position,
    })))
}
