//! After delivery: return requests, granted refunds, disputes, and staff decisions on them.

use actix_web::{HttpRequest, HttpResponse, web};
use jangteo_domain::{DisputeReason, DisputeResolution, Money, OrderId, ReturnReason};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    ApiError, ApiState,
    auth::Authenticated,
    openapi::{headers::IdempotencyKey, schemas},
    routes::orders::{OrderReceiptBody, answer, context},
};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReturnRequestBody {
    #[schema(value_type = schemas::ReturnReason)]
    reason: ReturnReason,
}

/// Ask to send a delivered item back (buyer only).
#[utoipa::path(
    post, path = "/v1/orders/{order_id}/return-request", operation_id = "request_return", tag = "returns and disputes",
    security(("bearer" = [])),
    params(("order_id" = uuid::Uuid, Path), IdempotencyKey),
    request_body = ReturnRequestBody,
    responses(
        (status = 200, description = "The return is requested; the seller decides on the refund.",
            body = OrderReceiptBody,
            headers(("Idempotent-Replayed" = String, description = "`true` when this answers a repeated request"))),
        (status = 403, description = "- `forbidden`: not the buyer"),
        (status = 409, description = "- `invalid_state_transition`: the order is not delivered"),
        (status = 422, description = "- `return_not_accepted`: a change of mind where the cooling-off rule \
            does not allow it"),
    ),
)]
pub(crate) async fn request_return(
    state: web::Data<ApiState>,
    Authenticated(actor): Authenticated,
    path: web::Path<OrderId>,
    body: web::Json<ReturnRequestBody>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let order_id = path.into_inner();
    let context = context(&request, actor, &format!("request_return:{order_id}"))?;
    let receipt = state.disputes.request_return(actor, order_id, body.reason, &context).await?;
    Ok(answer(HttpResponse::Ok(), &receipt))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReturnAcceptanceBody {
    /// Won given back to the buyer: the whole price, or a part if the buyer keeps the item.
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    refund: i64,
}

/// Grant a requested return with a refund of all or part of the price (seller only).
#[utoipa::path(
    post, path = "/v1/orders/{order_id}/return-acceptance", operation_id = "accept_return", tag = "returns and disputes",
    security(("bearer" = [])),
    params(("order_id" = uuid::Uuid, Path), IdempotencyKey),
    request_body = ReturnAcceptanceBody,
    responses(
        (status = 200, description = "The return is granted: the whole price makes the order `refunded`, \
            a part `completed`.", body = OrderReceiptBody,
            headers(("Idempotent-Replayed" = String, description = "`true` when this answers a repeated request"))),
        (status = 403, description = "- `forbidden`: not the seller"),
        (status = 409, description = "- `invalid_state_transition`: no return is requested"),
        (status = 422, description = "- `validation_failed`: a refund of 0 won or over the price"),
    ),
)]
pub(crate) async fn accept_return(
    state: web::Data<ApiState>,
    Authenticated(actor): Authenticated,
    path: web::Path<OrderId>,
    body: web::Json<ReturnAcceptanceBody>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let order_id = path.into_inner();
    let refund = Money::won(body.refund)?;
    let context = context(&request, actor, &format!("accept_return:{order_id}"))?;
    let receipt = state.disputes.accept_return(actor, order_id, refund, &context).await?;
    Ok(answer(HttpResponse::Ok(), &receipt))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DisputeBody {
    /// 1–1000 characters.
    #[schema(min_length = 1, max_length = 1000, pattern = "\\S")]
    reason: String,
}

/// Open a dispute (buyer or seller): the escrow is frozen until staff decide.
#[utoipa::path(
    post, path = "/v1/orders/{order_id}/dispute", operation_id = "open_dispute", tag = "returns and disputes", security(("bearer" = [])),
    params(("order_id" = uuid::Uuid, Path), IdempotencyKey),
    request_body = DisputeBody,
    responses(
        (status = 201, description = "The dispute is open and the escrow frozen.", body = OrderReceiptBody,
            headers(("Idempotent-Replayed" = String, description = "`true` when this answers a repeated request"))),
        (status = 403, description = "- `forbidden`: neither the buyer nor the seller"),
        (status = 409, description = "- `invalid_state_transition`: not paid, shipped, delivered or with a \
            return request; or in dispute already"),
        (status = 422, description = "- `validation_failed`: an invalid reason"),
    ),
)]
pub(crate) async fn open_dispute(
    state: web::Data<ApiState>,
    Authenticated(actor): Authenticated,
    path: web::Path<OrderId>,
    body: web::Json<DisputeBody>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let order_id = path.into_inner();
    let reason = DisputeReason::parse(&body.reason)?;
    let context = context(&request, actor, &format!("open_dispute:{order_id}"))?;
    let receipt = state.disputes.open_dispute(actor, order_id, reason, &context).await?;
    Ok(answer(HttpResponse::Created(), &receipt))
}

/// Decide a dispute (dispute staff only, never on their own trade).
///
/// `{"decision": "refund_buyer" | "release_seller"}` or `{"decision": "split", "refund": <won>}`.
#[utoipa::path(
    post, path = "/v1/orders/{order_id}/dispute/resolution", operation_id = "resolve_dispute", tag = "returns and disputes",
    security(("bearer" = [])),
    params(("order_id" = uuid::Uuid, Path), IdempotencyKey),
    request_body = schemas::DisputeResolution,
    responses(
        (status = 200, description = "Decided: `refund_buyer` makes the order `refunded`, `release_seller` \
            and `split` `completed`.", body = OrderReceiptBody,
            headers(("Idempotent-Replayed" = String, description = "`true` when this answers a repeated request"))),
        (status = 403, description = "- `forbidden`: not dispute staff, or staff deciding their own trade"),
        (status = 409, description = "- `invalid_state_transition`: the order is not in dispute"),
        (status = 422, description = "- `validation_failed`: a split refunding all or nothing"),
    ),
)]
pub(crate) async fn resolve_dispute(
    state: web::Data<ApiState>,
    Authenticated(agent): Authenticated,
    path: web::Path<OrderId>,
    body: web::Json<DisputeResolution>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let order_id = path.into_inner();
    let context = context(&request, agent, &format!("resolve_dispute:{order_id}"))?;
    let receipt = state.disputes.resolve_dispute(agent, order_id, body.into_inner(), &context).await?;
    Ok(answer(HttpResponse::Ok(), &receipt))
}
