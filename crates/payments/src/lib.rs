//! Payments: the gateway port the application confirms and cancels payments through, and its
//! adapters.
//!
//! A buyer authorises a payment with the gateway's own widget, which hands the client a payment
//! key; the server then *confirms* it for the order's amount, and later cancels all or part of it
//! for a refund. Every call carries an idempotency key derived from the command, so a retried
//! command or a retried HTTP call never charges or refunds twice.
//!
//! Adapters: [`simulated::SimulatedGateway`] (embedded profile and tests: approves, declines by
//! rule; always compiled), `toss::TossPayments` (Toss Payments' REST API, feature `toss`) and
//! `portone::PortOne` (KG Inicis escrow payments through PortOne V2, which also implements the
//! [`EscrowLogistics`] port; feature `portone`). Without those features the crate compiles no HTTP
//! client.

#[cfg(any(feature = "toss", feature = "portone"))]
mod http;
#[cfg(feature = "portone")]
pub mod portone;
mod retry;
pub mod simulated;
#[cfg(feature = "toss")]
pub mod toss;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
pub use jangteo_domain::PaymentKey;
use jangteo_domain::{Carrier, Money, OrderId, PaymentMethod, TrackingNumber};

pub use retry::RetryPolicy;

/// Capture an authorised payment for an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmPayment {
    pub payment_key: PaymentKey,
    pub order_id: OrderId,
    /// What the order costs; a gateway that reports another amount is refused.
    pub amount: Money,
    /// The same for every retry of one command.
    pub idempotency_key: String,
}

/// A captured payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmedPayment {
    pub payment_key: PaymentKey,
    pub amount: Money,
    /// The gateway's name for how the buyer paid (e.g. Toss' `카드`, `간편결제`).
    pub method: String,
    pub approved_at: DateTime<Utc>,
}

/// Give back all (`amount: None`) or part of a captured payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelPayment {
    pub payment_key: PaymentKey,
    /// The order paid for (PortOne names its payments by it).
    pub order_id: OrderId,
    pub reason: String,
    pub amount: Option<Money>,
    pub idempotency_key: String,
}

/// What a cancellation left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelledPayment {
    pub payment_key: PaymentKey,
    /// What this cancellation gave back.
    pub refunded: Money,
    /// What stays captured after it.
    pub remaining: Money,
}

/// Where a payment stands at the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentState {
    /// Captured, nothing given back.
    Captured,
    /// Captured, and part of it given back.
    PartiallyCancelled,
    /// Everything given back (or the payment was voided).
    Cancelled,
    /// Anything else (waiting for a deposit, aborted, expired), in the gateway's words.
    Other(String),
}

/// A payment as the gateway reports it now. Webhooks are checked against this, never trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentSnapshot {
    pub payment_key: PaymentKey,
    /// The order id the payment was made for, as the gateway holds it.
    pub order_id: String,
    pub state: PaymentState,
    /// What was captured.
    pub total: Money,
    /// What is still captured (total less what was given back).
    pub balance: Money,
    /// How the buyer paid, in Jangteo's terms.
    pub method: PaymentMethod,
}

/// Registering a shipment and confirming a purchase with an escrow PG (KG Inicis through
/// PortOne): the PG holds the money until the buyer confirms, so it must hear of both.
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

/// Why a gateway call failed. Only [`PaymentError::Unavailable`] is worth retrying later; the
/// rest are answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// The gateway refused: a declined card, an exceeded limit, an expired session.
    #[error("payment declined ({code}): {message}")]
    Declined { code: String, message: String },
    /// The gateway reports another amount or order than the one asked for: a tampered request.
    #[error("the gateway reports {reported} for this payment, the order costs {expected}")]
    AmountMismatch { expected: i64, reported: i64 },
    #[error("the gateway knows no such payment")]
    NotFound,
    /// Authorised but not captured yet: the buyer still has to pay into a virtual account. The
    /// gateway's notification records the payment when the money arrives.
    #[error("the payment waits for the buyer's deposit ({0})")]
    Pending(String),
    /// Already confirmed or cancelled, without an idempotency key that would have replayed it.
    #[error("the payment was already processed")]
    AlreadyProcessed,
    /// The payment was cancelled in full already: nothing left to give back.
    #[error("the payment was already refunded in full")]
    AlreadyRefunded,
    /// The gateway will not refund this (more than is left, or past its cancellation window):
    /// nothing was given back.
    #[error("the gateway refuses to refund: {0}")]
    NotRefundable(String),
    /// Timeouts, connection failures and the gateway's own errors, after every retry.
    #[error("the payment gateway is unavailable: {0}")]
    Unavailable(String),
    /// Our credentials were refused or our request malformed: an operator must look.
    #[error("the payment gateway refused our request: {0}")]
    Misconfigured(String),
}

impl PaymentError {
    /// A stable code for clients and logs.
    pub fn code(&self) -> &'static str {
        match self {
            PaymentError::Declined { .. } => "payment_declined",
            PaymentError::AmountMismatch { .. } => "amount_mismatch",
            PaymentError::NotFound => "payment_not_found",
            PaymentError::Pending(_) => "payment_pending",
            PaymentError::AlreadyProcessed => "payment_already_processed",
            PaymentError::AlreadyRefunded => "payment_already_refunded",
            PaymentError::NotRefundable(_) => "payment_not_refundable",
            PaymentError::Unavailable(_) => "payment_gateway_unavailable",
            PaymentError::Misconfigured(_) => "payment_gateway_misconfigured",
        }
    }
}

/// A payment gateway.
#[async_trait]
pub trait PaymentGateway: Send + Sync + 'static {
    /// Which gateway this is, as recorded with the payments it captures.
    fn gateway(&self) -> jangteo_domain::Gateway;

    /// Captures the authorised payment `request.payment_key` for `request.amount`.
    async fn confirm(&self, request: &ConfirmPayment) -> Result<ConfirmedPayment, PaymentError>;

    /// Cancels all or part of a captured payment.
    async fn cancel(&self, request: &CancelPayment) -> Result<CancelledPayment, PaymentError>;

    /// Reports the payment `payment_key` made for `order_id` as the gateway sees it now.
    async fn lookup(
        &self,
        payment_key: &PaymentKey,
        order_id: OrderId,
    ) -> Result<PaymentSnapshot, PaymentError>;
}
