//! KG Inicis escrow payments through PortOne V2 (포트원), whose REST API fronts the PG.
//!
//! A PortOne payment is completed by the buyer's browser; the server then looks it up and checks
//! it (`GET /payments/{paymentId}`: `status` `PAID`, `amount.total`), which is what "confirm"
//! means here. Cancellation is `POST /payments/{paymentId}/cancel` with `{reason, amount?}`.
//! Escrow-registered payments also need the seller's shipment registered with the PG
//! (`POST /payments/{paymentId}/escrow/logistics` with `logistics: {company, invoiceNumber,
//! sentAt}`, `PATCH` to correct it) and the buyer's purchase confirmation passed on
//! (`POST /payments/{paymentId}/escrow/complete`): the [`EscrowLogistics`] port.
//!
//! Every request carries `Authorization: PortOne <API secret>`; errors are `{type, message}`.
//! Jangteo uses the order id as PortOne's `paymentId`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use jangteo_domain::{Carrier, Money, OrderId, PaymentMethod, TrackingNumber};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    CancelPayment, CancelledPayment, ConfirmPayment, ConfirmedPayment, PaymentError, PaymentGateway,
    PaymentKey, PaymentSnapshot, PaymentState, RetryPolicy, retry::Verdict,
};

/// PortOne's production API.
pub const API_BASE: &str = "https://api.portone.io";

/// Registering a shipment and confirming a purchase with an escrow PG.
#[async_trait]
pub trait EscrowLogistics: Send + Sync + 'static {
    /// Tells the PG the seller shipped (`correction`: replaces a registration made before).
    async fn register_shipment(
        &self,
        shipment: &EscrowShipment,
        correction: bool,
    ) -> Result<(), PaymentError>;

    /// Tells the PG the buyer confirmed the purchase, so it settles with the seller.
    async fn confirm_purchase(&self, order_id: OrderId) -> Result<DateTime<Utc>, PaymentError>;
}

/// A shipment as the escrow PG wants it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscrowShipment {
    pub order_id: OrderId,
    pub carrier: Carrier,
    pub tracking_number: TrackingNumber,
    pub sent_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct PortOne {
    http: reqwest::Client,
    base_url: String,
    api_secret: String,
    retry: RetryPolicy,
}

/// PortOne's courier codes.
fn company(carrier: Carrier) -> &'static str {
    match carrier {
        Carrier::CjLogistics => "CJ",
        Carrier::Lotte => "LOTTE",
        Carrier::Hanjin => "HANJIN",
        Carrier::Epost => "EPOST",
        Carrier::Logen => "LOGEN",
    }
}

#[derive(Debug, Deserialize)]
struct PortOneError {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    message: String,
}

impl PortOne {
    pub fn new(base_url: &str, api_secret: &str, retry: RetryPolicy) -> Result<Self, PaymentError> {
        let http = retry.http_client()?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_secret: api_secret.to_owned(),
            retry,
        })
    }

    /// Sends one request, retrying timeouts, lost connections, 5xx and PG errors; returns the
    /// JSON answer.
    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Value, PaymentError> {
        let url = format!("{}{path}", self.base_url);
        let build = || {
            let request = self
                .http
                .request(method.clone(), &url)
                .header("Authorization", format!("PortOne {}", self.api_secret));
            match body {
                Some(body) => request.json(body),
                None => request,
            }
        };
        self.retry.send("PortOne", build, classify).await
    }
}

fn classify(status: StatusCode, body: &str) -> Verdict {
    let PortOneError { kind, message } = serde_json::from_str(body)
        .unwrap_or_else(|_| PortOneError { kind: String::new(), message: body.to_owned() });
    if status.is_server_error() || kind == "PG_PROVIDER" {
        return Verdict::Retry(format!("{status} {kind}: {message}"));
    }
    Verdict::Fail(match kind.as_str() {
        "UNAUTHORIZED" | "FORBIDDEN" => PaymentError::Misconfigured(format!("{kind}: {message}")),
        "PAYMENT_NOT_FOUND" => PaymentError::NotFound,
        "PAYMENT_ALREADY_CANCELLED" => PaymentError::AlreadyRefunded,
        "CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN" | "CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT" => {
            PaymentError::NotRefundable(format!("{kind}: {message}"))
        }
        _ if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN => {
            PaymentError::Misconfigured(format!("{status} {kind}: {message}"))
        }
        _ => PaymentError::Declined { code: kind, message },
    })
}

fn money(amount: i64) -> Result<Money, PaymentError> {
    Money::won(amount)
        .map_err(|error| PaymentError::Unavailable(format!("PortOne reported {amount}: {error}")))
}

#[async_trait]
impl PaymentGateway for PortOne {
    fn gateway(&self) -> jangteo_domain::Gateway {
        jangteo_domain::Gateway::PortOne
    }

    /// Looks the payment up and accepts it only if it is paid, for this order, for the amount.
    async fn confirm(&self, request: &ConfirmPayment) -> Result<ConfirmedPayment, PaymentError> {
        let payment_id = request.order_id.to_string();
        let payment = self.call(Method::GET, &format!("/payments/{payment_id}"), None).await?;
        let status = payment["status"].as_str().unwrap_or_default();
        if status == "VIRTUAL_ACCOUNT_ISSUED" {
            return Err(PaymentError::Pending(status.to_owned()));
        }
        if status != "PAID" {
            return Err(PaymentError::Declined {
                code: format!("PAYMENT_{status}"),
                message: "the payment is not paid".to_owned(),
            });
        }
        let total = payment["amount"]["total"].as_i64().unwrap_or(-1);
        if total != request.amount.as_won() || payment["id"].as_str() != Some(payment_id.as_str()) {
            return Err(PaymentError::AmountMismatch { expected: request.amount.as_won(), reported: total });
        }
        let approved_at = payment["paidAt"]
            .as_str()
            .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
            .map_or_else(Utc::now, |at| at.with_timezone(&Utc));
        Ok(ConfirmedPayment {
            payment_key: request.payment_key.clone(),
            amount: money(total)?,
            method: payment["method"]["type"].as_str().unwrap_or_default().to_owned(),
            approved_at,
        })
    }

    /// PortOne takes no idempotency key, so the key travels in the cancellation's reason: an
    /// earlier attempt of the same request is found among the payment's cancellations and
    /// answered from there, and `currentCancellableAmount` makes a concurrent duplicate fail
    /// instead of refunding twice.
    async fn cancel(&self, request: &CancelPayment) -> Result<CancelledPayment, PaymentError> {
        let payment_id = request.order_id.to_string();
        let before = self.call(Method::GET, &format!("/payments/{payment_id}"), None).await?;
        let balance = (before["amount"]["total"].as_i64().unwrap_or(0)
            - before["amount"]["cancelled"].as_i64().unwrap_or(0))
        .max(0);
        let tag = format!("[{}]", request.idempotency_key);
        let earlier = before["cancellations"].as_array().and_then(|cancellations| {
            cancellations.iter().find(|c| c["reason"].as_str().is_some_and(|reason| reason.ends_with(&tag)))
        });
        if let Some(earlier) = earlier {
            return Ok(CancelledPayment {
                payment_key: request.payment_key.clone(),
                refunded: money(earlier["totalAmount"].as_i64().unwrap_or(0))?,
                remaining: money(balance)?,
            });
        }
        let mut body = json!({
            "reason": format!("{} {tag}", request.reason),
            "currentCancellableAmount": balance,
        });
        if let Some(amount) = request.amount {
            body["amount"] = json!(amount.as_won());
        }
        let answer = self.call(Method::POST, &format!("/payments/{payment_id}/cancel"), Some(&body)).await?;
        let refunded = answer["cancellation"]["totalAmount"].as_i64().unwrap_or(0);
        Ok(CancelledPayment {
            payment_key: request.payment_key.clone(),
            refunded: money(refunded)?,
            remaining: money((balance - refunded).max(0))?,
        })
    }

    async fn lookup(
        &self,
        payment_key: &PaymentKey,
        order_id: OrderId,
    ) -> Result<PaymentSnapshot, PaymentError> {
        let payment_id = order_id.to_string();
        // PortOne names payments by the merchant's id (the order id): the key must be that name.
        if payment_key.as_str() != payment_id {
            return Err(PaymentError::NotFound);
        }
        let payment = self.call(Method::GET, &format!("/payments/{payment_id}"), None).await?;
        let total = payment["amount"]["total"].as_i64().unwrap_or(0);
        let cancelled = payment["amount"]["cancelled"].as_i64().unwrap_or(0);
        let state = match payment["status"].as_str().unwrap_or_default() {
            "PAID" => PaymentState::Captured,
            "PARTIAL_CANCELLED" => PaymentState::PartiallyCancelled,
            "CANCELLED" => PaymentState::Cancelled,
            other => PaymentState::Other(other.to_owned()),
        };
        Ok(PaymentSnapshot {
            payment_key: payment_key.clone(),
            order_id: payment["id"].as_str().unwrap_or_default().to_owned(),
            state,
            total: money(total)?,
            balance: money((total - cancelled).max(0))?,
            method: match payment["method"]["type"].as_str().unwrap_or_default() {
                "PaymentMethodTransfer" | "PaymentMethodVirtualAccount" => PaymentMethod::BankTransfer,
                _ => PaymentMethod::Card,
            },
        })
    }
}

#[async_trait]
impl EscrowLogistics for PortOne {
    async fn register_shipment(
        &self,
        shipment: &EscrowShipment,
        correction: bool,
    ) -> Result<(), PaymentError> {
        let body = json!({
            "logistics": {
                "company": company(shipment.carrier),
                "invoiceNumber": shipment.tracking_number.as_str(),
                "sentAt": shipment.sent_at.to_rfc3339(),
            },
        });
        let method = if correction { Method::PATCH } else { Method::POST };
        let path = format!("/payments/{}/escrow/logistics", shipment.order_id);
        self.call(method, &path, Some(&body)).await?;
        Ok(())
    }

    async fn confirm_purchase(&self, order_id: OrderId) -> Result<DateTime<Utc>, PaymentError> {
        let answer = self
            .call(
                Method::POST,
                &format!("/payments/{order_id}/escrow/complete"),
                Some(&json!({ "fromStore": true })),
            )
            .await?;
        Ok(answer["completedAt"]
            .as_str()
            .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
            .map_or_else(Utc::now, |at| at.with_timezone(&Utc)))
    }
}
