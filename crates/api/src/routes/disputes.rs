//! After delivery: return requests, granted refunds, disputes, and staff decisions on them.

use actix_web::{HttpRequest, HttpResponse, web};
use jangteo_domain::{DisputeReason, DisputeResolution, Money, OrderId, ReturnReason};
use serde::Deserialize;

use crate::{
    ApiError, ApiState,
    auth::Authenticated,
    routes::orders::{answer, context},
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReturnRequestBody {
    reason: ReturnReason,
}

/// The buyer asks to send a delivered item back.
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReturnAcceptanceBody {
    /// Won given back to the buyer: the whole price, or a part if the buyer keeps the item.
    refund: i64,
}

/// The seller grants the requested return with a refund.
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DisputeBody {
    reason: String,
}

/// The buyer or the seller opens a dispute; the escrow is frozen until staff decide.
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

/// Staff decide a dispute: `{"decision": "refund_buyer" | "release_seller"}` or
/// `{"decision": "split", "refund": <won>}`.
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
