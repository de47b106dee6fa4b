//! Payment notifications (webhooks): a gateway tells Jangteo that a payment changed, for instance
//! a virtual-account deposit arriving after the buyer left the page, or a retry of a notification
//! already handled (Toss retries up to 7 times).
//!
//! A notification is only a hint. Its body is never trusted: Jangteo asks the gateway where the
//! payment stands and acts on that answer. A payment captured for an order still waiting for it
//! is recorded as the buyer's payment (the order paid and the escrow held, in one append), with a
//! command id derived from the order and the payment key, so however often the notification
//! arrives, and from however many instances at once, the payment is recorded once. A captured
//! payment the order cannot take (it expired meanwhile, or was paid another way) is given back.

use jangteo_domain::{
    DomainError, EscrowId, Gateway, GatewayPayment, OrderId, PaymentKey, order::OrderState,
};
use jangteo_payments::{PaymentError, PaymentState};
use uuid::Uuid;

use crate::{Actor, AppError, CommandContext, OrderReceipt, Orders};

/// Namespace of the command ids of payments recorded from notifications (a fixed random UUID).
const NOTIFICATION_NAMESPACE: Uuid = Uuid::from_u128(0x7d2e_4a90_1c3b_4f6e_a5d8_93b0_6e1f_c247);

/// What a notification names: the payment and the order it is said to be for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentNotification {
    pub order_id: OrderId,
    pub payment_key: PaymentKey,
}

/// What Jangteo did about a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotificationOutcome {
    /// The payment was recorded: the order is paid and its money held.
    Recorded(OrderReceipt),
    /// The order already holds this payment: nothing changed.
    AlreadyRecorded,
    /// Nothing to do (the payment is not captured, or the order no longer waits for it).
    Ignored(&'static str),
}

impl Orders {
    /// Handles a payment notification sent by gateway `from` by asking the gateway, never the
    /// notification, where the payment stands. Notifications from a gateway this deployment does
    /// not use are refused (the simulated gateway stands in for every gateway).
    pub async fn reconcile_payment(
        &self,
        notification: &PaymentNotification,
        from: Gateway,
    ) -> Result<NotificationOutcome, AppError> {
        let configured = self.gateway().gateway();
        if configured != from && configured != Gateway::Simulated {
            return Err(PaymentError::NotFound.into());
        }
        let PaymentNotification { order_id, payment_key } = notification;
        let OrderState::Present(order) = self.uow().current::<OrderState>(order_id.as_uuid()).await? else {
            return Err(AppError::NotFound);
        };
        let snapshot = self.gateway().lookup(payment_key, *order_id).await?;
        if snapshot.order_id != order_id.to_string() {
            // A real payment, but for another order: the notification was forged or garbled.
            return Err(PaymentError::NotFound.into());
        }
        let captured = GatewayPayment { gateway: self.gateway().gateway(), payment_key: payment_key.clone() };
        if order.payment.as_ref() == Some(&captured) {
            return Ok(NotificationOutcome::AlreadyRecorded);
        }
        if snapshot.state != PaymentState::Captured {
            return Ok(NotificationOutcome::Ignored("the payment is not captured"));
        }
        if snapshot.total != order.price {
            return Err(PaymentError::AmountMismatch {
                expected: order.price.as_won(),
                reported: snapshot.total.as_won(),
            }
            .into());
        }
        let mut seed = order_id.as_uuid().as_bytes().to_vec();
        seed.extend_from_slice(payment_key.as_str().as_bytes());
        let command_id = Uuid::new_v5(&NOTIFICATION_NAMESPACE, &seed);
        let context = CommandContext {
            actor: Actor::System,
            command_id,
            correlation_id: order_id.as_uuid(),
            causation_id: None,
        };
        let escrow_id = EscrowId::from_uuid(Uuid::new_v5(&NOTIFICATION_NAMESPACE, command_id.as_bytes()));
        match self
            .record_capture(*order_id, escrow_id, order.buyer_id, snapshot.method, &captured, &context)
            .await
        {
            Ok(receipt) => Ok(NotificationOutcome::Recorded(receipt)),
            Err(AppError::Domain(refusal)) => {
                self.give_back_unrecorded(notification, &refusal).await;
                Ok(NotificationOutcome::Ignored("the order can no longer be paid; the payment is given back"))
            }
            Err(error) => Err(error),
        }
    }

    /// A payment that arrived for an order that cannot take it any more (it expired meanwhile)
    /// goes back to the buyer.
    async fn give_back_unrecorded(&self, notification: &PaymentNotification, refusal: &DomainError) {
        let PaymentNotification { order_id, payment_key } = notification;
        let reason = format!("the order cannot be paid any more: {refusal}");
        let idempotency_key = format!("jangteo-unrecorded-{order_id}-{}", payment_key.as_str());
        self.give_back_capture(payment_key, *order_id, &reason, idempotency_key).await;
    }
}
