//! A gateway that needs no network, for the embedded profile and tests. It approves every
//! payment except those whose amount ends in 13 won (a stand-in for a declined card), keeps what
//! it captured in memory, and honours idempotency keys and partial refunds like a real gateway.

use std::{collections::HashMap, sync::Mutex};

use async_trait::async_trait;
use chrono::Utc;
use jangteo_domain::{Money, OrderId};

use crate::{
    CancelPayment, CancelledPayment, ConfirmPayment, ConfirmedPayment, PaymentError, PaymentGateway,
    PaymentKey, PaymentSnapshot, PaymentState,
};

/// The decline rule: amounts whose last two digits are 13.
const DECLINED_ENDING: i64 = 13;

#[derive(Debug, Default)]
pub struct SimulatedGateway {
    state: Mutex<Ledger>,
}

#[derive(Debug, Default)]
struct Ledger {
    /// Captured payments: the order, the amount captured, the amount refunded so far.
    payments: HashMap<PaymentKey, (OrderId, Money, i64)>,
    /// Answers already given, by idempotency key.
    confirmations: HashMap<String, Result<ConfirmedPayment, PaymentError>>,
    cancellations: HashMap<String, Result<CancelledPayment, PaymentError>>,
}

impl SimulatedGateway {
    pub fn new() -> Self {
        Self::default()
    }

    fn ledger(&self) -> Result<std::sync::MutexGuard<'_, Ledger>, PaymentError> {
        self.state.lock().map_err(|_| PaymentError::Unavailable("simulated gateway poisoned".to_owned()))
    }
}

fn won(amount: i64) -> Result<Money, PaymentError> {
    Money::won(amount).map_err(|error| PaymentError::Unavailable(error.to_string()))
}

#[async_trait]
impl PaymentGateway for SimulatedGateway {
    fn gateway(&self) -> jangteo_domain::Gateway {
        jangteo_domain::Gateway::Simulated
    }

    async fn confirm(&self, request: &ConfirmPayment) -> Result<ConfirmedPayment, PaymentError> {
        let mut ledger = self.ledger()?;
        if let Some(answer) = ledger.confirmations.get(&request.idempotency_key) {
            return answer.clone();
        }
        let answer = if request.amount.as_won() % 100 == DECLINED_ENDING {
            Err(PaymentError::Declined {
                code: "REJECT_CARD_PAYMENT".to_owned(),
                message: "simulated decline: amounts ending in 13 won are refused".to_owned(),
            })
        } else if ledger.payments.contains_key(&request.payment_key) {
            Err(PaymentError::AlreadyProcessed)
        } else {
            ledger.payments.insert(request.payment_key.clone(), (request.order_id, request.amount, 0));
            Ok(ConfirmedPayment {
                payment_key: request.payment_key.clone(),
                amount: request.amount,
                method: "simulated".to_owned(),
                approved_at: Utc::now(),
            })
        };
        ledger.confirmations.insert(request.idempotency_key.clone(), answer.clone());
        answer
    }

    async fn cancel(&self, request: &CancelPayment) -> Result<CancelledPayment, PaymentError> {
        let mut ledger = self.ledger()?;
        if let Some(answer) = ledger.cancellations.get(&request.idempotency_key) {
            return answer.clone();
        }
        let answer = match ledger.payments.get_mut(&request.payment_key) {
            None => Err(PaymentError::NotFound),
            Some((_, captured, refunded)) => {
                let left = captured.as_won() - *refunded;
                let wanted = request.amount.map_or(left, Money::as_won);
                if left == 0 {
                    Err(PaymentError::AlreadyRefunded)
                } else if wanted > left || wanted <= 0 {
                    Err(PaymentError::NotRefundable(format!("{wanted} won asked, {left} won left")))
                } else {
                    *refunded += wanted;
                    Ok(CancelledPayment {
                        payment_key: request.payment_key.clone(),
                        refunded: won(wanted)?,
                        remaining: won(left - wanted)?,
                    })
                }
            }
        };
        ledger.cancellations.insert(request.idempotency_key.clone(), answer.clone());
        answer
    }

    async fn lookup(
        &self,
        payment_key: &PaymentKey,
        _order_id: OrderId,
    ) -> Result<PaymentSnapshot, PaymentError> {
        let ledger = self.ledger()?;
        let (order_id, captured, refunded) =
            ledger.payments.get(payment_key).ok_or(PaymentError::NotFound)?;
        let balance = captured.as_won() - refunded;
        let state = match (*refunded, balance) {
            (0, _) => PaymentState::Captured,
            (_, 0) => PaymentState::Cancelled,
            _ => PaymentState::PartiallyCancelled,
        };
        Ok(PaymentSnapshot {
            payment_key: payment_key.clone(),
            order_id: order_id.to_string(),
            state,
            total: *captured,
            balance: won(balance)?,
            method: jangteo_domain::PaymentMethod::Card,
        })
    }
}

#[cfg(test)]
mod tests {
    use jangteo_domain::OrderId;

    use super::*;

    fn confirm(key: &str, amount: i64, idempotency: &str) -> Option<ConfirmPayment> {
        Some(ConfirmPayment {
            payment_key: PaymentKey::parse(key).ok()?,
            order_id: OrderId::from_uuid(uuid::Uuid::nil()),
            amount: Money::won(amount).ok()?,
            idempotency_key: idempotency.to_owned(),
        })
    }

    fn cancel(key: &str, amount: Option<i64>, idempotency: &str) -> Option<CancelPayment> {
        Some(CancelPayment {
            payment_key: PaymentKey::parse(key).ok()?,
            order_id: OrderId::from_uuid(uuid::Uuid::nil()),
            reason: "구매자 변심".to_owned(),
            amount: match amount {
                Some(amount) => Some(Money::won(amount).ok()?),
                None => None,
            },
            idempotency_key: idempotency.to_owned(),
        })
    }

    #[tokio::test]
    async fn approves_declines_by_rule_and_replays_by_idempotency_key() {
        let gateway = SimulatedGateway::new();
        let Some(request) = confirm("pay-1", 10_000, "c-1") else { return };
        let first = gateway.confirm(&request).await;
        assert_eq!(first.as_ref().map(|p| p.amount.as_won()), Ok(10_000));
        assert_eq!(gateway.confirm(&request).await, first, "a retry gets the first answer");
        let Some(again) = confirm("pay-1", 10_000, "c-2") else { return };
        assert_eq!(gateway.confirm(&again).await, Err(PaymentError::AlreadyProcessed));
        let Some(declined) = confirm("pay-2", 10_013, "c-3") else { return };
        assert!(matches!(gateway.confirm(&declined).await, Err(PaymentError::Declined { .. })));
    }

    #[tokio::test]
    async fn refunds_in_parts_never_beyond_what_was_captured() {
        let gateway = SimulatedGateway::new();
        let Some(request) = confirm("pay-1", 10_000, "c-1") else { return };
        assert!(gateway.confirm(&request).await.is_ok());
        let Some(part) = cancel("pay-1", Some(3_000), "r-1") else { return };
        let refunded = gateway.cancel(&part).await;
        assert_eq!(
            refunded.as_ref().map(|r| (r.refunded.as_won(), r.remaining.as_won())),
            Ok((3_000, 7_000))
        );
        assert_eq!(gateway.cancel(&part).await, refunded, "a retried refund refunds once");
        let Some(too_much) = cancel("pay-1", Some(8_000), "r-2") else { return };
        assert!(matches!(gateway.cancel(&too_much).await, Err(PaymentError::NotRefundable(_))));
        let Some(rest) = cancel("pay-1", None, "r-3") else { return };
        assert_eq!(gateway.cancel(&rest).await.map(|r| r.refunded.as_won()), Ok(7_000));
        let Some(again) = cancel("pay-1", None, "r-5") else { return };
        assert_eq!(gateway.cancel(&again).await, Err(PaymentError::AlreadyRefunded));
        let Some(unknown) = cancel("pay-9", None, "r-4") else { return };
        assert_eq!(gateway.cancel(&unknown).await, Err(PaymentError::NotFound));
    }
}
