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
//! Every answer is read into a typed struct holding the fields Jangteo relies on; an answer
//! without one of them (an amount above all) is an error, never a silent zero.
//!
//! Every request carries `Authorization: PortOne <API secret>`; errors are `{type, message}`.
//! Jangteo uses the order id as PortOne's `paymentId`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use jangteo_domain::{Carrier, Money, OrderId, PaymentMethod};
use reqwest::{Method, StatusCode};
use serde::{Deserialize, de::DeserializeOwned};
use serde_json::{Value, json};

use crate::{
    CancelPayment, CancelledPayment, ConfirmPayment, ConfirmedPayment, EscrowLogistics, EscrowShipment,
    PaymentError, PaymentGateway, PaymentKey, PaymentSnapshot, PaymentState, RetryPolicy, http::Verdict,
};

/// PortOne's production API.
pub const API_BASE: &str = "https://api.portone.io";

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

/// A payment as `GET /payments/{paymentId}` answers it (the fields Jangteo reads).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payment {
    status: String,
    id: String,
    amount: PaymentAmount,
    /// Absent until the buyer chose how to pay.
    #[serde(default)]
    method: Option<PaymentMethodType>,
    #[serde(default)]
    paid_at: Option<DateTime<Utc>>,
    /// Present once anything was cancelled.
    #[serde(default)]
    cancellations: Vec<Cancellation>,
}

#[derive(Debug, Deserialize)]
struct PaymentAmount {
    total: i64,
    cancelled: i64,
}

#[derive(Debug, Deserialize)]
struct PaymentMethodType {
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cancellation {
    total_amount: i64,
    #[serde(default)]
    reason: String,
}

/// The answer to `POST /payments/{paymentId}/cancel`.
#[derive(Debug, Deserialize)]
struct CancelAnswer {
    cancellation: Cancellation,
}

/// The answer to `POST /payments/{paymentId}/escrow/complete`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EscrowCompleted {
    completed_at: DateTime<Utc>,
}

impl Payment {
    /// What is still captured: the total less what was cancelled.
    fn balance(&self) -> i64 {
        (self.amount.total - self.amount.cancelled).max(0)
    }

    fn method_type(&self) -> &str {
        self.method.as_ref().map_or("", |method| method.kind.as_str())
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

    /// Sends one request, retrying timeouts, lost connections, 5xx and PG errors; reads the
    /// answer as `T`.
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<T, PaymentError> {
        let answer = self.send(method, path, body).await?;
        serde_json::from_value(answer).map_err(|error| {
            PaymentError::Unavailable(format!(
                "PortOne answered {path} without a field Jangteo needs: {error}"
            ))
        })
    }

    async fn payment(&self, payment_id: &str) -> Result<Payment, PaymentError> {
        self.call(Method::GET, &format!("/payments/{payment_id}"), None).await
    }

    async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Value, PaymentError> {
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
        let payment = self.payment(&payment_id).await?;
        if payment.status == "VIRTUAL_ACCOUNT_ISSUED" {
            return Err(PaymentError::Pending(payment.status));
        }
        if payment.status != "PAID" {
            return Err(PaymentError::Declined {
                code: format!("PAYMENT_{}", payment.status),
                message: "the payment is not paid".to_owned(),
            });
        }
        let total = payment.amount.total;
        if total != request.amount.as_won() || payment.id != payment_id {
            return Err(PaymentError::AmountMismatch { expected: request.amount.as_won(), reported: total });
        }
        Ok(ConfirmedPayment {
            payment_key: request.payment_key.clone(),
            amount: money(total)?,
            method: payment.method_type().to_owned(),
            approved_at: payment.paid_at.unwrap_or_else(Utc::now),
        })
    }

    /// PortOne takes no idempotency key, so the key travels in the cancellation's reason: an
    /// earlier attempt of the same request is found among the payment's cancellations and
    /// answered from there, and `currentCancellableAmount` makes a concurrent duplicate fail
    /// instead of refunding twice.
    async fn cancel(&self, request: &CancelPayment) -> Result<CancelledPayment, PaymentError> {
        let payment_id = request.order_id.to_string();
        let before = self.payment(&payment_id).await?;
        let balance = before.balance();
        let tag = format!("[{}]", request.idempotency_key);
        if let Some(earlier) = before.cancellations.iter().find(|c| c.reason.ends_with(&tag)) {
            return Ok(CancelledPayment {
                payment_key: request.payment_key.clone(),
                refunded: money(earlier.total_amount)?,
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
        let answer: CancelAnswer =
            self.call(Method::POST, &format!("/payments/{payment_id}/cancel"), Some(&body)).await?;
        let refunded = answer.cancellation.total_amount;
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
        let payment = self.payment(&payment_id).await?;
        let state = match payment.status.as_str() {
            "PAID" => PaymentState::Captured,
            "PARTIAL_CANCELLED" => PaymentState::PartiallyCancelled,
            "CANCELLED" => PaymentState::Cancelled,
            other => PaymentState::Other(other.to_owned()),
        };
        let method = match payment.method_type() {
            "PaymentMethodTransfer" | "PaymentMethodVirtualAccount" => PaymentMethod::BankTransfer,
            _ => PaymentMethod::Card,
        };
        Ok(PaymentSnapshot {
            payment_key: payment_key.clone(),
            state,
            total: money(payment.amount.total)?,
            balance: money(payment.balance())?,
            method,
            order_id: payment.id,
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
        self.send(method, &path, Some(&body)).await?;
        Ok(())
    }

    async fn confirm_purchase(&self, order_id: OrderId) -> Result<DateTime<Utc>, PaymentError> {
        let answer: EscrowCompleted = self
            .call(
                Method::POST,
                &format!("/payments/{order_id}/escrow/complete"),
                Some(&json!({ "fromStore": true })),
            )
            .await?;
        Ok(answer.completed_at)
    }
}
