//! The trade process manager: carries an order's outcome over to its listing and escrow.
//!
//! * order completed -> listing sold, escrow released to the seller;
//! * order expired (not paid, or not shipped, in time) -> as a cancellation;
//! * order cancelled -> listing back on sale, and the escrow refunded if the buyer had paid: the
//!   payment is cancelled with its gateway first (idempotency key derived from the cancellation),
//!   then the escrow records the refund. A gateway that is down fails the batch, which is retried
//!   from the checkpoint; a payment the gateway already gave back counts as refunded.
//!
//! It follows the global log with its own checkpoint (kept in the event store). Every command it
//! issues has an id derived from the event that caused it, so handling an event twice (after a
//! crash before the checkpoint, or in two processes at once) appends nothing the second time.
//! Placing and paying are not here: they change two aggregates in one transaction instead (see
//! [`crate::Orders`]) because the client must hear at once whether the listing was still free.

use std::{sync::Arc, time::Duration};

use jangteo_domain::{
    DomainEvent, Gateway, GatewayPayment,
    escrow::{EscrowCommand, EscrowState},
    listing::{ListingCommand, ListingState},
    order::{Order, OrderEvent, OrderState},
};
use jangteo_event_store::{EventStore, LogTail, RecordedEvent};
use jangteo_payments::{CancelPayment, PaymentError, PaymentGateway};
use uuid::Uuid;

use crate::{
    Actor, AppError, CommandContext,
    command::{execute, load},
};

/// The checkpoint name of this process manager.
pub const NAME: &str = "trade_process_manager";

/// Namespace of the command ids this process manager derives (a fixed random UUID).
const REACTION_NAMESPACE: Uuid = Uuid::from_u128(0x9c1d_5e2b_7f40_4a8e_b3c6_0d9a_e1f2_4b57);

#[derive(Clone)]
pub struct TradeProcessManager {
    store: Arc<dyn EventStore>,
    gateway: Arc<dyn PaymentGateway>,
}

impl TradeProcessManager {
    pub fn new(store: Arc<dyn EventStore>, gateway: Arc<dyn PaymentGateway>) -> Self {
        Self { store, gateway }
    }

    /// Follows the log forever from the stored checkpoint. Transient failures are retried after
    /// `retry_delay` from the last checkpoint; domain refusals are logged and skipped, since a
    /// reaction that the domain refuses will never be accepted later.
    pub async fn run(self, poll_interval: Duration, retry_delay: Duration) {
        loop {
            match self.follow(poll_interval).await {
                Ok(()) => return,
                Err(error) => {
                    tracing::error!(%error, "trade process manager failed; retrying from its checkpoint");
                    tokio::time::sleep(retry_delay).await;
                }
            }
        }
    }

    async fn follow(&self, poll_interval: Duration) -> Result<(), AppError> {
        let checkpoint = self.store.load_checkpoint(NAME).await?;
        let mut tail = LogTail::new(Arc::clone(&self.store), checkpoint, poll_interval);
        loop {
            let batch = tail.next_batch().await?;
            for event in &batch {
                self.handle(event).await?;
            }
            self.store.save_checkpoint(NAME, tail.position()).await?;
        }
    }

    /// Reacts to one event of the log. Errors are transient failures only.
    pub async fn handle(&self, event: &RecordedEvent) -> Result<(), AppError> {
        if event.stream_type != <OrderState as jangteo_domain::Aggregate>::STREAM_TYPE {
            return Ok(());
        }
        let order_event =
            OrderEvent::from_payload(&event.event_type, event.schema_version, event.payload.clone())?;
        let refund_due = match order_event {
            OrderEvent::OrderCompleted {} => None,
            OrderEvent::OrderCancelled { refund_due, .. } | OrderEvent::OrderExpired { refund_due, .. } => {
                Some(refund_due)
            }
            _ => return Ok(()),
        };
        let OrderState::Present(order) =
            load::<OrderState>(self.store.as_ref(), event.stream_id).await?.state
        else {
            return Ok(());
        };
        let listing_stream = order.listing_id.as_uuid();
        match refund_due {
            None => {
                let sold = ListingCommand::MarkSold { order_id: order.order_id };
                self.react::<ListingState>(event, "listing_sold", listing_stream, &sold).await?;
                if let Some(escrow_id) = order.escrow_id {
                    let release = EscrowCommand::Release;
                    self.react::<EscrowState>(event, "escrow_released", escrow_id.as_uuid(), &release)
                        .await?;
                }
            }
            Some(refund_due) => {
                let release = ListingCommand::ReleaseReservation { order_id: order.order_id };
                self.react::<ListingState>(event, "listing_released", listing_stream, &release).await?;
                if let (true, Some(escrow_id)) = (refund_due, order.escrow_id) {
                    let given_back = match &order.payment {
                        Some(payment) => self.give_back(event, &order, payment).await?,
                        // Paid before payment gateways: the money never left Jangteo's books.
                        None => true,
                    };
                    if given_back {
                        let refund = EscrowCommand::Refund;
                        self.react::<EscrowState>(event, "escrow_refunded", escrow_id.as_uuid(), &refund)
                            .await?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Cancels the order's payment with the gateway that captured it; returns whether the money
    /// went back. An outage is an error (the batch is retried, with the same idempotency key);
    /// a refund this deployment cannot make is logged for operators and leaves the escrow held,
    /// so that the log never claims a refund that did not happen.
    async fn give_back(
        &self,
        cause: &RecordedEvent,
        order: &Order,
        payment: &GatewayPayment,
    ) -> Result<bool, AppError> {
        let cannot = |why: &str| {
            tracing::error!(
                order_id = %order.order_id,
                gateway = ?payment.gateway,
                payment_key = payment.payment_key.as_str(),
                why,
                "refund it by hand; the escrow stays held until then"
            );
            Ok(false)
        };
        if payment.gateway != self.gateway.gateway() {
            return cannot("the payment was captured by a gateway this deployment is not configured for");
        }
        let cancel = CancelPayment {
            payment_key: payment.payment_key.clone(),
            order_id: order.order_id,
            reason: "order cancelled".to_owned(),
            amount: None,
            idempotency_key: format!("jangteo-refund-{}", cause.event_id),
        };
        match self.gateway.cancel(&cancel).await {
            // Already given back (an earlier attempt that crashed before the escrow recorded it).
            Ok(_) | Err(PaymentError::AlreadyRefunded) => Ok(true),
            // The simulated gateway forgets its captures when the process restarts.
            Err(PaymentError::NotFound) if payment.gateway == Gateway::Simulated => Ok(true),
            Err(PaymentError::NotFound) => cannot("the gateway knows no such payment"),
            Err(PaymentError::Declined { code, message }) => {
                cannot(&format!("the gateway refused: {code} {message}"))
            }
            Err(error) => Err(error.into()),
        }
    }

    async fn react<A>(
        &self,
        cause: &RecordedEvent,
        reaction: &str,
        stream_id: Uuid,
        command: &A::Command,
    ) -> Result<(), AppError>
    where
        A: jangteo_domain::Aggregate,
        A::Command: Clone,
    {
        let mut seed = cause.event_id.as_bytes().to_vec();
        seed.extend_from_slice(reaction.as_bytes());
        let context = CommandContext {
            actor: Actor::System,
            command_id: Uuid::new_v5(&REACTION_NAMESPACE, &seed),
            correlation_id: cause.metadata.correlation_id,
            causation_id: Some(cause.event_id),
        };
        match execute::<A>(self.store.as_ref(), stream_id, &context, command).await {
            Ok(_) => Ok(()),
            Err(AppError::Domain(refusal)) => {
                tracing::warn!(
                    %refusal, reaction, cause = %cause.event_id, stream = %stream_id,
                    "process manager reaction refused by the domain; skipped"
                );
                Ok(())
            }
            Err(error) => Err(error),
        }
    }
}
