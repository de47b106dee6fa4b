//! Payment webhooks. Toss Payments posts `{eventType, createdAt, data}` and retries up to seven
//! times until it gets a 2xx; the body is not signed, so it only names the payment and the order,
//! and the application asks the gateway where the payment really stands.

use actix_web::{HttpResponse, web};
use jangteo_app::{NotificationOutcome, PaymentNotification};
use jangteo_domain::{Gateway, OrderId, PaymentKey, order::OrderStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{ApiError, ApiState, openapi::schemas};

/// The envelope of a Toss notification; unknown fields are ignored (Toss adds fields over time).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TossNotification {
    /// Only `PAYMENT_STATUS_CHANGED` is read; any other is answered `ignored`.
    #[schema(examples("PAYMENT_STATUS_CHANGED"))]
    event_type: String,
    #[allow(dead_code, reason = "part of the documented envelope; the gateway's own record is what counts")]
    created_at: Option<String>,
    data: TossNotificationData,
}

/// The payment the notification is about; the rest of Toss' payment object is not read.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TossNotificationData {
    #[schema(pattern = "^[!-~]{1,200}$")]
    payment_key: String,
    /// The Jangteo order id the payment was made for.
    #[schema(format = Uuid)]
    order_id: String,
}

/// What the notification changed.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Outcome {
    /// The captured payment is recorded: the order is paid.
    Recorded,
    /// The order holds this payment already; nothing changed.
    AlreadyRecorded,
    /// Nothing to do (another event type, a payment not captured, an order no longer waiting).
    Ignored,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct WebhookAnswer {
    outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<uuid::Uuid>)]
    order_id: Option<OrderId>,
    /// The order's status, when the payment was recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<schemas::OrderStatus>)]
    status: Option<OrderStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<u64>,
    /// Why it was ignored.
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'static str>,
}

impl WebhookAnswer {
    fn new(outcome: Outcome, order_id: Option<OrderId>) -> Self {
        Self { outcome, order_id, status: None, position: None, detail: None }
    }
}

/// Toss Payments' notification of a payment's status change (no bearer token).
///
/// Only the payment key and order id are read; Jangteo asks the gateway where the payment stands
/// and never trusts the body.
#[utoipa::path(
    post, path = "/v1/webhooks/toss", operation_id = "toss_webhook", tag = "webhooks",
    request_body = TossNotification,
    responses(
        (status = 200, description = "The notification is taken: Jangteo asked the gateway where the \
            payment stands and acted on its answer.", body = WebhookAnswer),
        (status = 404, description = "- `not_found`: no such order"),
        (status = 422, description = "- `payment_not_found`: the gateway knows no such payment for this \
            order (or Toss is not this deployment's gateway)\n- `amount_mismatch`: the gateway captured \
            another amount\n- `validation_failed`: a malformed payment key or order id"),
    ),
)]
pub(crate) async fn toss(
    state: web::Data<ApiState>,
    body: web::Json<TossNotification>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    if body.event_type != "PAYMENT_STATUS_CHANGED" {
        return Ok(HttpResponse::Ok().json(WebhookAnswer::new(Outcome::Ignored, None)));
    }
    let payment_key = PaymentKey::parse(&body.data.payment_key)?;
    let order_id: OrderId = body.data.order_id.parse()?;
    let notification = PaymentNotification { order_id, payment_key };
    let answer = match state.orders.reconcile_payment(&notification, Gateway::TossPayments).await? {
        NotificationOutcome::Recorded(receipt) => WebhookAnswer {
            status: Some(receipt.status),
            position: Some(receipt.receipt.position),
            ..WebhookAnswer::new(Outcome::Recorded, Some(order_id))
        },
        NotificationOutcome::AlreadyRecorded => WebhookAnswer::new(Outcome::AlreadyRecorded, Some(order_id)),
        NotificationOutcome::Ignored(why) => {
            WebhookAnswer { detail: Some(why), ..WebhookAnswer::new(Outcome::Ignored, Some(order_id)) }
        }
    };
    Ok(HttpResponse::Ok().json(answer))
}
