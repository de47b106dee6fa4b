//! Order commands (buyer and seller) and order queries (the two of them only).

use actix_web::{HttpRequest, HttpResponse, web};
use jangteo_app::{Actor, CommandContext, OrderReceipt, PaymentRequest};
use jangteo_domain::{
    AccountId, CancelReason, Carrier, ListingId, Money, OrderId, PaymentKey, PaymentMethod, TrackingNumber,
};
use serde::Deserialize;

use crate::{
    ApiError, ApiState,
    auth::Authenticated,
    consistency::{consistency_position, idempotency_key},
    routes::Fields,
};

/// The command context of a request: derived from its `Idempotency-Key` when it has one, so a
/// retried request is the same command.
pub(crate) fn context(
    request: &HttpRequest,
    actor: AccountId,
    operation: &str,
) -> Result<CommandContext, ApiError> {
    Ok(match idempotency_key(request)? {
        Some(key) => CommandContext::idempotent(Actor::Member(actor), operation, &key),
        None => CommandContext::new(Actor::Member(actor)),
    })
}

pub(crate) fn answer(mut builder: actix_web::HttpResponseBuilder, receipt: &OrderReceipt) -> HttpResponse {
    if receipt.receipt.duplicate {
        builder.insert_header(("Idempotent-Replayed", "true"));
    }
    builder.json(serde_json::json!({
        "order_id": receipt.order_id,
        "status": receipt.status,
        "position": receipt.receipt.position,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlaceBody {
    listing_id: ListingId,
}

pub(crate) async fn place(
    state: web::Data<ApiState>,
    Authenticated(buyer): Authenticated,
    body: web::Json<PlaceBody>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let context = context(&request, buyer, "place_order")?;
    let receipt = state.orders.place(buyer, body.listing_id, &context).await?;
    Ok(answer(HttpResponse::Created(), &receipt))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PayBody {
    method: PaymentMethod,
    /// The gateway's key of the payment the buyer authorised (Toss' `paymentKey`); not needed
    /// with the simulated gateway.
    payment_key: Option<String>,
    /// The amount the client shows the buyer; refused when it is not the order's.
    amount: Option<i64>,
}

pub(crate) async fn pay(
    state: web::Data<ApiState>,
    Authenticated(actor): Authenticated,
    path: web::Path<OrderId>,
    body: web::Json<PayBody>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let order_id = path.into_inner();
    let context = context(&request, actor, &format!("pay:{order_id}"))?;
    let body = body.into_inner();
    let mut fields = Fields::new();
    let payment_key = fields.check(body.payment_key.as_deref().map(PaymentKey::parse).transpose()).flatten();
    let claimed_amount = fields.check(body.amount.map(Money::won).transpose()).flatten();
    fields.finish()?;
    let payment = PaymentRequest { method: body.method, payment_key, claimed_amount };
    let receipt = state.orders.pay(actor, order_id, payment, &context).await?;
    Ok(answer(HttpResponse::Ok(), &receipt))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ShipBody {
    carrier: Carrier,
    tracking_number: String,
}

pub(crate) async fn ship(
    state: web::Data<ApiState>,
    Authenticated(actor): Authenticated,
    path: web::Path<OrderId>,
    body: web::Json<ShipBody>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let order_id = path.into_inner();
    let tracking_number = TrackingNumber::parse(&body.tracking_number)?;
    let context = context(&request, actor, &format!("ship:{order_id}"))?;
    let receipt = state.orders.ship(actor, order_id, body.carrier, tracking_number, &context).await?;
    Ok(answer(HttpResponse::Ok(), &receipt))
}

pub(crate) async fn confirm(
    state: web::Data<ApiState>,
    Authenticated(actor): Authenticated,
    path: web::Path<OrderId>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let order_id = path.into_inner();
    let context = context(&request, actor, &format!("confirm:{order_id}"))?;
    let receipt = state.orders.confirm_receipt(actor, order_id, &context).await?;
    Ok(answer(HttpResponse::Ok(), &receipt))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CancelBody {
    reason: String,
}

pub(crate) async fn cancel(
    state: web::Data<ApiState>,
    Authenticated(actor): Authenticated,
    path: web::Path<OrderId>,
    body: web::Json<CancelBody>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let order_id = path.into_inner();
    let reason = CancelReason::parse(&body.reason)?;
    let context = context(&request, actor, &format!("cancel:{order_id}"))?;
    let receipt = state.orders.cancel(actor, order_id, reason, &context).await?;
    Ok(answer(HttpResponse::Ok(), &receipt))
}

pub(crate) async fn get(
    state: web::Data<ApiState>,
    Authenticated(viewer): Authenticated,
    path: web::Path<OrderId>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let position = consistency_position(&request)?;
    let order = state.queries.order(viewer, path.into_inner(), position).await?;
    Ok(HttpResponse::Ok().json(order))
}

pub(crate) async fn timeline(
    state: web::Data<ApiState>,
    Authenticated(viewer): Authenticated,
    path: web::Path<OrderId>,
) -> Result<HttpResponse, ApiError> {
    let timeline = state.timelines.for_order(viewer, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(timeline))
}
