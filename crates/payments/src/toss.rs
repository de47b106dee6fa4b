//! Toss Payments (토스페이먼츠), through its REST API v1.
//!
//! - confirm: `POST /v1/payments/confirm` with `{paymentKey, orderId, amount}`;
//! - cancel: `POST /v1/payments/{paymentKey}/cancel` with `{cancelReason, cancelAmount?}` (no
//!   amount: the whole balance);
//! - lookup: `GET /v1/payments/{paymentKey}` (how webhooks are verified);
//! - every request: `Authorization: Basic base64(<secret key>:)` and an `Idempotency-Key`;
//! - answers: the Payment object (`status`, `totalAmount`, `balanceAmount`, `method`,
//!   `approvedAt`, `cancels`), or an error `{code, message}` with a 4xx/5xx status.
//!
//! Timeouts, connection failures and 5xx are retried with the same idempotency key (Toss answers
//! a repeated key with the first result); everything else is an answer and mapped to
//! [`PaymentError`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use jangteo_domain::{Money, OrderId, PaymentMethod};
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::json;

use crate::{
    CancelPayment, CancelledPayment, ConfirmPayment, ConfirmedPayment, PaymentError, PaymentGateway,
    PaymentKey, PaymentSnapshot, PaymentState, RetryPolicy, http::Verdict,
};

/// Toss' production API; tests point the adapter at a local server instead.
pub const API_BASE: &str = "https://api.tosspayments.com";

#[derive(Debug, Clone)]
pub struct TossPayments {
    http: reqwest::Client,
    base_url: String,
    secret_key: String,
    retry: RetryPolicy,
}

impl TossPayments {
    /// An adapter calling `base_url` (normally [`API_BASE`]) with the merchant's secret key
    /// (`test_sk_…` or `live_sk_…`).
    pub fn new(base_url: &str, secret_key: &str, retry: RetryPolicy) -> Result<Self, PaymentError> {
        let http = retry.http_client()?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            secret_key: secret_key.to_owned(),
            retry,
        })
    }

    /// Posts `body` to `path`, retrying what may pass; returns the Payment object.
    async fn post(
        &self,
        path: &str,
        body: &serde_json::Value,
        idempotency_key: &str,
    ) -> Result<TossPayment, PaymentError> {
        let url = format!("{}{path}", self.base_url);
        let build = || {
            self.http
                .post(&url)
                .basic_auth(&self.secret_key, Some(""))
                .header("Idempotency-Key", idempotency_key)
                .json(body)
        };
        self.retry.send("Toss Payments", build, classify).await
    }

    /// Reads the Payment object at `path`, retrying what may pass.
    async fn get(&self, path: &str) -> Result<TossPayment, PaymentError> {
        let url = format!("{}{path}", self.base_url);
        let build = || self.http.get(&url).basic_auth(&self.secret_key, Some(""));
        self.retry.send("Toss Payments", build, classify).await
    }
}

/// An error body of Toss' API.
#[derive(Debug, Deserialize)]
struct TossError {
    code: String,
    message: String,
}

/// Toss' error codes, sorted into what Jangteo does about them.
fn classify(status: StatusCode, body: &str) -> Verdict {
    let TossError { code, message } = serde_json::from_str(body)
        .unwrap_or_else(|_| TossError { code: String::new(), message: body.to_owned() });
    match code.as_str() {
        "UNAUTHORIZED_KEY" | "INVALID_API_KEY" | "FORBIDDEN_REQUEST" => {
            Verdict::Fail(PaymentError::Misconfigured(format!("{code}: {message}")))
        }
        "NOT_FOUND_PAYMENT" | "NOT_FOUND_PAYMENT_SESSION" => Verdict::Fail(PaymentError::NotFound),
        "ALREADY_PROCESSED_PAYMENT" => Verdict::Fail(PaymentError::AlreadyProcessed),
        "ALREADY_CANCELED_PAYMENT" => Verdict::Fail(PaymentError::AlreadyRefunded),
        "NOT_CANCELABLE_AMOUNT" | "NOT_CANCELABLE_PAYMENT" => {
            Verdict::Fail(PaymentError::NotRefundable(format!("{code}: {message}")))
        }
        "PROVIDER_ERROR"
        | "FAILED_INTERNAL_SYSTEM_PROCESSING"
        | "FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING"
        | "UNKNOWN_PAYMENT_ERROR" => Verdict::Retry(format!("{code}: {message}")),
        _ if status.is_server_error() => Verdict::Retry(format!("{status} {code}: {message}")),
        _ if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN => {
            Verdict::Fail(PaymentError::Misconfigured(format!("{status} {code}: {message}")))
        }
        _ => Verdict::Fail(PaymentError::Declined { code, message }),
    }
}

/// The fields of Toss' Payment object Jangteo reads.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TossPayment {
    payment_key: String,
    order_id: String,
    total_amount: i64,
    balance_amount: i64,
    #[serde(default)]
    status: String,
    method: Option<String>,
    #[serde(default)]
    easy_pay: Option<TossEasyPay>,
    approved_at: Option<DateTime<Utc>>,
    #[serde(default)]
    cancels: Option<Vec<TossCancel>>,
}

impl TossPayment {
    /// Toss' `method` (and, for 간편결제, its provider) in Jangteo's terms.
    fn jangteo_method(&self) -> PaymentMethod {
        let provider = self.easy_pay.as_ref().map_or("", |easy_pay| easy_pay.provider.as_str());
        match (self.method.as_deref().unwrap_or_default(), provider) {
            ("가상계좌" | "계좌이체", _) => PaymentMethod::BankTransfer,
            ("간편결제", "카카오페이") => PaymentMethod::KakaoPay,
            ("간편결제", "네이버페이") => PaymentMethod::NaverPay,
            ("간편결제", _) => PaymentMethod::TossPay,
            _ => PaymentMethod::Card,
        }
    }
}

#[derive(Debug, Deserialize)]
struct TossEasyPay {
    provider: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TossCancel {
    cancel_amount: i64,
}

fn money(amount: i64) -> Result<Money, PaymentError> {
    Money::won(amount).map_err(|error| PaymentError::Unavailable(format!("Toss reported {amount}: {error}")))
}

#[async_trait]
impl PaymentGateway for TossPayments {
    fn gateway(&self) -> jangteo_domain::Gateway {
        jangteo_domain::Gateway::TossPayments
    }

    async fn confirm(&self, request: &ConfirmPayment) -> Result<ConfirmedPayment, PaymentError> {
        let order_id = request.order_id.to_string();
        let body = json!({
            "paymentKey": request.payment_key.as_str(),
            "orderId": order_id,
            "amount": request.amount.as_won(),
        });
        let payment = self.post("/v1/payments/confirm", &body, &request.idempotency_key).await?;
        // A virtual account is confirmed before the buyer pays into it: not money yet.
        if payment.status != "DONE" {
            return Err(PaymentError::Pending(payment.status));
        }
        // Never trust a capture for another order or amount than the one asked for.
        if payment.order_id != order_id
            || payment.payment_key != request.payment_key.as_str()
            || payment.total_amount != request.amount.as_won()
        {
            return Err(PaymentError::AmountMismatch {
                expected: request.amount.as_won(),
                reported: payment.total_amount,
            });
        }
        Ok(ConfirmedPayment {
            payment_key: request.payment_key.clone(),
            amount: money(payment.total_amount)?,
            method: payment.method.unwrap_or_default(),
            approved_at: payment.approved_at.unwrap_or_else(Utc::now),
        })
    }

    async fn cancel(&self, request: &CancelPayment) -> Result<CancelledPayment, PaymentError> {
        let mut body = json!({ "cancelReason": request.reason });
        if let Some(amount) = request.amount {
            body["cancelAmount"] = json!(amount.as_won());
        }
        let path = format!("/v1/payments/{}/cancel", request.payment_key.as_str());
        let payment = self.post(&path, &body, &request.idempotency_key).await?;
        let refunded = payment
            .cancels
            .as_deref()
            .and_then(<[TossCancel]>::last)
            .map_or(0, |cancel| cancel.cancel_amount);
        let payment_key = PaymentKey::parse(&payment.payment_key).map_err(|error| {
            PaymentError::Unavailable(format!("Toss reported a payment key that is not one: {error}"))
        })?;
        Ok(CancelledPayment {
            payment_key,
            refunded: money(refunded)?,
            remaining: money(payment.balance_amount)?,
        })
    }

    async fn lookup(
        &self,
        payment_key: &PaymentKey,
        _order_id: OrderId,
    ) -> Result<PaymentSnapshot, PaymentError> {
        let payment = self.get(&format!("/v1/payments/{}", payment_key.as_str())).await?;
        if payment.payment_key != payment_key.as_str() {
            return Err(PaymentError::NotFound);
        }
        let state = match payment.status.as_str() {
            "DONE" => PaymentState::Captured,
            "PARTIAL_CANCELED" => PaymentState::PartiallyCancelled,
            "CANCELED" => PaymentState::Cancelled,
            other => PaymentState::Other(other.to_owned()),
        };
        let method = payment.jangteo_method();
        Ok(PaymentSnapshot {
            payment_key: payment_key.clone(),
            order_id: payment.order_id,
            state,
            total: money(payment.total_amount)?,
            balance: money(payment.balance_amount)?,
            method,
        })
    }
}
