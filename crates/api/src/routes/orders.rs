//! Order commands (buyer and seller) and order queries (the two of them only).

use actix_web::{HttpRequest, HttpResponse, web};
use jangteo_app::{Actor, CommandContext, OrderReceipt, PaymentRequest};
use jangteo_domain::{
    AccountId, CancelReason, Carrier, ListingId, Money, OrderId, PaymentKey, PaymentMethod, TrackingNumber,
    listing::Quantity, order::OrderStatus,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    ApiError, ApiState,
    auth::Authenticated,
    consistency::{consistency_position, idempotency_key},
    openapi::{
        headers::{ConsistencyPosition, IdempotencyKey},
        schemas,
    },
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

/// An order command's answer.
#[derive(Serialize, ToSchema)]
#[schema(as = OrderReceipt)]
pub(crate) struct OrderReceiptBody {
    #[schema(value_type = uuid::Uuid)]
    order_id: OrderId,
    /// The order's status after the command.
    #[schema(value_type = schemas::OrderStatus)]
    status: OrderStatus,
    /// The global log position of the command's last event.
    position: u64,
}

pub(crate) fn answer(mut builder: actix_web::HttpResponseBuilder, receipt: &OrderReceipt) -> HttpResponse {
    if receipt.receipt.duplicate {
        builder.insert_header(("Idempotent-Replayed", "true"));
    }
    builder.json(OrderReceiptBody {
        order_id: receipt.order_id,
        status: receipt.status,
        position: receipt.receipt.position,
    })
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlaceBody {
    #[schema(value_type = uuid::Uuid)]
    listing_id: ListingId,
    /// Units of the listing, 1 to what it has available (default 1).
    #[schema(minimum = 1, maximum = 999)]
    quantity: Option<u32>,
}

/// Order units of one listing at its price (no shipping fee); they are held for the order, and
/// the listing is reserved once no unit is left.
#[utoipa::path(
    post, path = "/v1/orders", operation_id = "place_order", tag = "orders", security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = PlaceBody,
    responses(
        (status = 201, description = "The order is placed for one listing at its price, no shipping fee; \
            the listing is reserved.", body = OrderReceiptBody, headers(("Idempotent-Replayed" = String,
            description = "`true` when this answers a repeated request"))),
        (status = 404, description = "- `not_found`: no such listing"),
        (status = 409, description = "- `listing_not_available`: the listing is not on sale, or has fewer \
            units available than asked"),
        (status = 422, description = "- `buyer_is_seller`: the member's own listing\n- `validation_failed`: \
            a quantity out of 1–999"),
    ),
)]

pub(crate) async fn place(
    state: web::Data<ApiState>,
    Authenticated(buyer): Authenticated,
    body: web::Json<PlaceBody>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let context = context(&request, buyer, "place_order")?;
    let units = body.quantity.unwrap_or(1);
    Quantity::new(units)?;
    let receipt = state.orders.place_units(buyer, body.listing_id, units, &context).await?;
    Ok(answer(HttpResponse::Created(), &receipt))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PayBody {
    #[schema(value_type = schemas::PaymentMethod)]
    method: PaymentMethod,
    /// The gateway's key of the payment the buyer authorised (Toss' `paymentKey`); not needed
    /// with the simulated gateway.
    #[schema(pattern = "^[!-~]{1,200}$")]
    payment_key: Option<String>,
    /// The amount the client shows the buyer; refused when it is not the order's.
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    amount: Option<i64>,
}

/// Pay an order (buyer only): the gateway captures the amount and escrow holds it.
#[utoipa::path(
    post, path = "/v1/orders/{order_id}/payment", operation_id = "pay_order", tag = "orders", security(("bearer" = [])),
    params(("order_id" = uuid::Uuid, Path), IdempotencyKey),
    request_body = PayBody,
    responses(
        (status = 200, description = "The gateway captured the order's amount; the money is held in escrow.",
            body = OrderReceiptBody,
            headers(("Idempotent-Replayed" = String, description = "`true` when this answers a repeated request"))),
        (status = 402, description = "- `payment_declined`: the gateway refused the payment"),
        (status = 403, description = "- `forbidden`: not the buyer"),
        (status = 409, description = "- `invalid_state_transition`: the order is not waiting for payment\n\
            - `payment_pending`: the gateway waits for the buyer's deposit into a virtual account\n\
            - `payment_already_processed`: the gateway has processed this payment already"),
        (status = 422, description = "- `amount_mismatch`: `amount` (or the gateway's capture) is not the \
            order's\n- `payment_not_found`: the gateway knows no such payment\n- `validation_failed`: an \
            invalid `payment_key` or `amount`"),
        (status = 503, description = "- `payment_gateway_unavailable`: the gateway did not answer, after retries"),
    ),
)]

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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ShipBody {
    #[schema(value_type = schemas::Carrier)]
    carrier: Carrier,
    /// 8–20 letters or digits (dashes are left out).
    #[schema(pattern = "^[A-Za-z0-9-]{8,40}$")]
    tracking_number: String,
}

/// Ship an order with a tracking number (seller only).
#[utoipa::path(
    post, path = "/v1/orders/{order_id}/shipment", operation_id = "ship_order", tag = "orders", security(("bearer" = [])),
    params(("order_id" = uuid::Uuid, Path), IdempotencyKey),
    request_body = ShipBody,
    responses(
        (status = 200, description = "The order is shipped.", body = OrderReceiptBody,
            headers(("Idempotent-Replayed" = String, description = "`true` when this answers a repeated request"))),
        (status = 403, description = "- `forbidden`: not the seller"),
        (status = 409, description = "- `invalid_state_transition`: the order is not paid"),
        (status = 422, description = "- `validation_failed`: an invalid tracking number"),
    ),
)]

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

/// Confirm receipt (buyer only): the listing is sold and the escrow released.
#[utoipa::path(
    post, path = "/v1/orders/{order_id}/confirmation", operation_id = "confirm_order", tag = "orders", security(("bearer" = [])),
    params(("order_id" = uuid::Uuid, Path), IdempotencyKey),
    responses(
        (status = 200, description = "The order is completed: the listing is sold and the escrow released.",
            body = OrderReceiptBody,
            headers(("Idempotent-Replayed" = String, description = "`true` when this answers a repeated request"))),
        (status = 403, description = "- `forbidden`: not the buyer"),
        (status = 409, description = "- `invalid_state_transition`: neither shipped, delivered nor with a \
            return request; or in dispute"),
    ),
)]
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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CancelBody {
    /// 1–500 characters, in the member's words.
    #[schema(min_length = 1, max_length = 500, pattern = "\\S")]
    reason: String,
}

/// Cancel an order before shipment (buyer or seller): the listing is on sale again, paid money refunded.
#[utoipa::path(
    post, path = "/v1/orders/{order_id}/cancellation", operation_id = "cancel_order", tag = "orders", security(("bearer" = [])),
    params(("order_id" = uuid::Uuid, Path), IdempotencyKey),
    request_body = CancelBody,
    responses(
        (status = 200, description = "The order is cancelled: the listing is on sale again and paid money \
            refunded.", body = OrderReceiptBody,
            headers(("Idempotent-Replayed" = String, description = "`true` when this answers a repeated request"))),
        (status = 403, description = "- `forbidden`: neither the buyer nor the seller"),
        (status = 409, description = "- `invalid_state_transition`: the order is shipped already"),
        (status = 422, description = "- `validation_failed`: an invalid reason"),
    ),
)]

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

/// An order, for its buyer and seller.
#[utoipa::path(
    get, path = "/v1/orders/{order_id}", operation_id = "get_order", tag = "orders", security(("bearer" = [])),
    params(("order_id" = uuid::Uuid, Path), ConsistencyPosition),
    responses(
        (status = 200, description = "The order, for its buyer and seller.", body = schemas::Order),
        (status = 404, description = "- `not_found`: no such order, or neither the buyer's nor the seller's"),
    ),
)]
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

/// The trade's history, replayed from the event store (the parties and dispute staff).
#[utoipa::path(
    get, path = "/v1/orders/{order_id}/timeline", operation_id = "order_timeline", tag = "orders", security(("bearer" = [])),
    params(("order_id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The trade's events in log order, for the parties and dispute staff.",
            body = schemas::Timeline),
        (status = 404, description = "- `not_found`: no such order, or not visible to this member"),
    ),
)]
pub(crate) async fn timeline(
    state: web::Data<ApiState>,
    Authenticated(viewer): Authenticated,
    path: web::Path<OrderId>,
) -> Result<HttpResponse, ApiError> {
    let timeline = state.timelines.for_order(viewer, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(timeline))
}
