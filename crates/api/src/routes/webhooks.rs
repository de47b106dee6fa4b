//! Payment webhooks. Toss Payments posts `{eventType, createdAt, data}` and retries up to seven
//! times until it gets a 2xx; the body is not signed, so it only names the payment and the order,
//! and the application asks the gateway where the payment really stands.

use actix_web::{HttpResponse, web};
use jangteo_app::{NotificationOutcome, PaymentNotification};
use jangteo_domain::{Gateway, OrderId, PaymentKey};
use serde::Deserialize;

use crate::{ApiError, ApiState};

/// The envelope of a Toss notification; unknown fields are ignored (Toss adds fields over time).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TossNotification {
    event_type: String,
    #[allow(dead_code, reason = "part of the documented envelope; the gateway's own record is what counts")]
    created_at: Option<String>,
    data: TossNotificationData,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TossNotificationData {
    payment_key: String,
    order_id: String,
}

/// `POST /v1/webhooks/toss`.
pub(crate) async fn toss(
    state: web::Data<ApiState>,
    body: web::Json<TossNotification>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    if body.event_type != "PAYMENT_STATUS_CHANGED" {
        return Ok(HttpResponse::Ok().json(serde_json::json!({ "outcome": "ignored" })));
    }
    let payment_key = PaymentKey::parse(&body.data.payment_key)?;
    let order_id: OrderId = body.data.order_id.parse()?;
    let notification = PaymentNotification { order_id, payment_key };
    let answer = match state.orders.reconcile_payment(&notification, Gateway::TossPayments).await? {
        NotificationOutcome::Recorded(receipt) => serde_json::json!({
            "outcome": "recorded",
            "order_id": order_id,
            "status": receipt.status,
            "position": receipt.receipt.position,
        }),
        NotificationOutcome::AlreadyRecorded => {
            serde_json::json!({ "outcome": "already_recorded", "order_id": order_id })
        }
        NotificationOutcome::Ignored(why) => {
            serde_json::json!({ "outcome": "ignored", "order_id": order_id, "detail": why })
        }
    };
    Ok(HttpResponse::Ok().json(answer))
}
