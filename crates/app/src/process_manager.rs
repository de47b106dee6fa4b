//! The trade process manager: carries an order's outcome over to its listing and escrow, and an
//! escrow's release over to the seller's settlement. What each order event asks is the domain's
//! trade table ([`trade::follow_up`]); this is where it meets the gateway and the log:
//!
//! * order completed -> listing sold, escrow released to the seller;
//! * order expired (not paid, or not shipped, in time) -> as a cancellation;
//! * order cancelled -> listing back on sale, and the escrow refunded if the buyer had paid: the
//!   payment is cancelled with its gateway first (idempotency key derived from the cancellation),
//!   then the escrow records the refund. A gateway that is down fails the batch, which is retried
//!   from the checkpoint; a payment the gateway already gave back counts as refunded;
//! * return granted or dispute resolved -> the refunded part is cancelled with the gateway (all of
//!   it, or a partial cancel), then the escrow settles: that part to the buyer, the rest to the
//!   seller. The listing goes back on sale when everything was refunded, and is sold otherwise;
//! * escrow released -> a settlement for the seller: the amount, the marketplace's fee and the
//!   payout date;
//! * with an escrow PG (KG Inicis through PortOne): order shipped -> the shipment is registered
//!   with the PG; order completed (or settled with money for the seller) -> the purchase is
//!   confirmed with the PG, before the escrow is released.
//!
//! It follows the global log with its own checkpoint (kept in the event store). Every command it
//! issues has an id derived from the event that caused it, so handling an event twice (after a
//! crash before the checkpoint, or in two processes at once) appends nothing the second time.
//! Placing and paying are not here: they change two aggregates in one transaction instead (see
//! [`crate::Orders`]) because the client must hear at once whether the listing was still free.

use std::{collections::HashMap, sync::Arc, time::Duration};

use futures::{StreamExt, TryStreamExt, stream};

use jangteo_domain::{
    Aggregate, DomainEvent, EscrowId, FeeRate, Gateway, GatewayPayment, SettlementId,
    escrow::{EscrowCommand, EscrowEvent, EscrowState},
    listing::{ListingCommand, ListingState},
    order::{Order, OrderEvent, OrderState},
    settlement::{SettlementCommand, SettlementState},
    trade::{self, ListingOutcome, Refund},
};
use jangteo_event_store::{LogTail, RecordedEvent};
use jangteo_payments::{CancelPayment, EscrowLogistics, EscrowShipment, PaymentError, PaymentGateway};
use uuid::Uuid;

use crate::{Actor, AppError, CommandContext, UnitOfWork, derived_ids::Reaction};

/// How many trades' reactions run at once.
const TRADES_AT_ONCE: usize = 32;

/// The checkpoint name of this process manager.
pub const NAME: &str = "trade_process_manager";

/// How sellers are paid: the marketplace's fee, and how long after the release the payout is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettlementPolicy {
    pub fee_rate: FeeRate,
    pub payout_delay_days: u32,
}

impl Default for SettlementPolicy {
    /// 3.5 % (the usual rate of Korean secure-payment services), paid out the next day.
    fn default() -> Self {
        Self { fee_rate: FeeRate::basis_points(350).unwrap_or(FeeRate::ZERO), payout_delay_days: 1 }
    }
}

#[derive(Clone)]
pub struct TradeProcessManager {
    uow: UnitOfWork,
    gateway: Arc<dyn PaymentGateway>,
    settlements: SettlementPolicy,
    escrow_logistics: Option<Arc<dyn EscrowLogistics>>,
}

impl TradeProcessManager {
    pub fn new(uow: &UnitOfWork, gateway: Arc<dyn PaymentGateway>) -> Self {
        Self { uow: uow.clone(), gateway, settlements: SettlementPolicy::default(), escrow_logistics: None }
    }

    /// Keeps an escrow PG informed of shipments and purchase confirmations of the payments it
    /// holds (PortOne's escrow payments).
    #[must_use]
    pub fn with_escrow_logistics(mut self, logistics: Arc<dyn EscrowLogistics>) -> Self {
        self.escrow_logistics = Some(logistics);
        self
    }

    #[must_use]
    pub fn with_settlement_policy(mut self, settlements: SettlementPolicy) -> Self {
        self.settlements = settlements;
        self
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

    /// Each batch is split by trade (the events' correlation id): one trade's events are handled
    /// in log order, different trades side by side, so their follow-up commands share commits
    /// instead of waiting for each other's. The checkpoint moves once the whole batch is handled.
    async fn follow(&self, poll_interval: Duration) -> Result<(), AppError> {
        let store = self.uow.store();
        let checkpoint = store.load_checkpoint(NAME).await?;
        let mut tail = LogTail::new(Arc::clone(store), checkpoint, poll_interval);
        loop {
            let batch = tail.next_batch().await?;
            // Each trade as the indices of its events in the batch, in log order.
            let mut trades: Vec<Vec<usize>> = Vec::new();
            let mut trade_of: HashMap<Uuid, usize> = HashMap::new();
            for (index, event) in batch.iter().enumerate() {
                let trade = *trade_of.entry(event.metadata.correlation_id).or_insert_with(|| {
                    trades.push(Vec::new());
                    trades.len() - 1
                });
                trades[trade].push(index);
            }
            let batch = &batch;
            stream::iter(trades)
                .map(|events| async move {
                    for index in events {
                        self.handle(&batch[index]).await?;
                    }
                    Ok::<(), AppError>(())
                })
                .buffer_unordered(TRADES_AT_ONCE)
                .try_collect::<()>()
                .await?;
            store.save_checkpoint(NAME, tail.position()).await?;
        }
    }

    /// Reacts to one event of the log. Errors are transient failures only.
    pub async fn handle(&self, event: &RecordedEvent) -> Result<(), AppError> {
        if event.stream_type == OrderState::STREAM_TYPE {
            self.on_order_event(event).await
        } else if event.stream_type == EscrowState::STREAM_TYPE {
            self.on_escrow_event(event).await
        } else {
            Ok(())
        }
    }

    async fn on_escrow_event(&self, event: &RecordedEvent) -> Result<(), AppError> {
        let escrow_event =
            EscrowEvent::from_payload(&event.event_type, event.schema_version, event.payload.clone())?;
        let EscrowEvent::EscrowReleased { order_id, seller_id, amount } = escrow_event else {
            return Ok(());
        };
        let delay = chrono::Days::new(u64::from(self.settlements.payout_delay_days));
        let payout_on =
            event.recorded_at.date_naive().checked_add_days(delay).unwrap_or(chrono::NaiveDate::MAX);
        let settlement_id = SettlementId::of(EscrowId::from_uuid(event.stream_id));
        let schedule = SettlementCommand::Schedule {
            settlement_id,
            order_id,
            seller_id,
            gross: amount,
            fee_rate: self.settlements.fee_rate,
            payout_on,
        };
        self.react::<SettlementState>(
            event,
            Reaction::SettlementScheduled,
            settlement_id.as_uuid(),
            &schedule,
        )
        .await
    }

    async fn on_order_event(&self, event: &RecordedEvent) -> Result<(), AppError> {
        let order_event =
            OrderEvent::from_payload(&event.event_type, event.schema_version, event.payload.clone())?;
        let shipped = matches!(order_event, OrderEvent::OrderShipped { .. });
        if !shipped && !trade::follows_the_commit(&order_event) {
            return Ok(());
        }
        // The order as of this event or later: its price, escrow and parties are fixed by now.
        let order = self.uow.at_least::<OrderState>(event.stream_id, event.version).await?;
        let OrderState::Present(order) = order else { return Ok(()) };
        if shipped {
            return self.register_escrow_shipment(event, &order).await;
        }
        let follow_up = trade::follow_up(&order, &order_event);
        if let Some(outcome) = follow_up.listings {
            self.close_listings(event, &order, outcome).await?;
        }
        let (Some(escrow_id), Some(command)) = (order.escrow_id, &follow_up.escrow) else {
            return Ok(());
        };
        let reaction = match command {
            EscrowCommand::Release => Reaction::EscrowReleased,
            EscrowCommand::Refund => Reaction::EscrowRefunded,
            EscrowCommand::Settle { .. } => Reaction::EscrowSettled,
            // Holding and freezing went into the order's own append.
            EscrowCommand::Hold { .. } | EscrowCommand::Freeze => return Ok(()),
        };
        let given_back = match (follow_up.gateway_refund(&order), &order.payment) {
            (Some(refund), Some(payment)) => self.give_back(event, &order, payment, refund).await?,
            // Nothing to give back, or paid before payment gateways: the money never left
            // Jangteo's books.
            _ => true,
        };
        if !given_back {
            return Ok(());
        }
        // The buyer's part is back (if any): an escrow PG may now settle with the seller.
        if follow_up.pays_seller(&order) {
            self.confirm_escrow_purchase(&order).await;
        }
        self.react::<EscrowState>(event, reaction, escrow_id.as_uuid(), command).await
    }

    /// The escrow PG holding the order's payment, if the deployment has one and the payment is
    /// held there.
    fn escrow_pg(&self, order: &Order) -> Option<&dyn EscrowLogistics> {
        let held_there = order.payment.as_ref().is_some_and(|payment| payment.gateway == Gateway::PortOne);
        self.escrow_logistics.as_deref().filter(|_| held_there)
    }

    /// Tells the escrow PG the seller shipped. A failure is logged for operators and the trade
    /// goes on: Jangteo's escrow holds the money, the PG's record follows it, and one PG error
    /// must not hold up every other trade's reactions.
    async fn register_escrow_shipment(&self, cause: &RecordedEvent, order: &Order) -> Result<(), AppError> {
        let (Some(logistics), Some(shipment)) = (self.escrow_pg(order), order.shipment.as_ref()) else {
            return Ok(());
        };
        let registration = EscrowShipment {
            order_id: order.order_id,
            carrier: shipment.carrier,
            tracking_number: shipment.tracking_number.clone(),
            sent_at: cause.recorded_at,
        };
        if let Err(error) = logistics.register_shipment(&registration, false).await {
            tracing::error!(order_id = %order.order_id, %error, "register the shipment with the escrow PG by hand");
        }
        Ok(())
    }

    /// Tells the escrow PG the purchase is confirmed, so it settles with the seller. A failure is
    /// logged for operators, as for shipments.
    async fn confirm_escrow_purchase(&self, order: &Order) {
        let Some(logistics) = self.escrow_pg(order) else { return };
        if let Err(error) = logistics.confirm_purchase(order.order_id).await {
            tracing::error!(order_id = %order.order_id, %error, "confirm the purchase with the escrow PG by hand");
        }
    }

    /// Marks every listing of the order sold, or puts it back on sale. Each listing's command id
    /// is derived from the cause and the listing.
    async fn close_listings(
        &self,
        cause: &RecordedEvent,
        order: &Order,
        outcome: ListingOutcome,
    ) -> Result<(), AppError> {
        let order_id = order.order_id;
        for listing_id in order.listing_ids() {
            let (reaction, command) = match outcome {
                ListingOutcome::Sold => {
                    (Reaction::ListingSold(listing_id), ListingCommand::MarkSold { order_id })
                }
                ListingOutcome::BackOnSale => {
                    (Reaction::ListingReleased(listing_id), ListingCommand::ReleaseReservation { order_id })
                }
            };
            self.react::<ListingState>(cause, reaction, listing_id.as_uuid(), &command).await?;
        }
        Ok(())
    }

    /// Cancels the order's payment (all of it, or `part`) with the gateway that captured it;
    /// returns whether the money went back. An outage or a rejected configuration is an error
    /// (the batch is retried, with the same idempotency key); any refusal of this refund is
    /// logged for operators and leaves the escrow held, so that the log never claims a refund
    /// that did not happen and one refusal never holds up the other trades.
    async fn give_back(
        &self,
        cause: &RecordedEvent,
        order: &Order,
        payment: &GatewayPayment,
        refund: Refund,
    ) -> Result<bool, AppError> {
        let part = match refund {
            Refund::All => None,
            Refund::Part(part) => Some(part),
        };
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
            reason: if part.is_some() { "partial refund" } else { "order refunded" }.to_owned(),
            amount: part,
            idempotency_key: format!("jangteo-refund-{}", cause.event_id),
        };
        match self.gateway.cancel(&cancel).await {
            // Already given back (an earlier attempt that crashed before the escrow recorded it).
            Ok(_) | Err(PaymentError::AlreadyRefunded) => Ok(true),
            // The simulated gateway forgets its captures when the process restarts.
            Err(PaymentError::NotFound) if payment.gateway == Gateway::Simulated => Ok(true),
            Err(error @ (PaymentError::Unavailable(_) | PaymentError::Misconfigured(_))) => Err(error.into()),
            Err(refusal) => cannot(&format!("the gateway refused: {refusal}")),
        }
    }

    async fn react<A>(
        &self,
        cause: &RecordedEvent,
        reaction: Reaction,
        stream_id: Uuid,
        command: &A::Command,
    ) -> Result<(), AppError>
    where
        A: Aggregate,
        A::Command: Clone + Sync,
    {
        let context = CommandContext {
            actor: Actor::System,
            command_id: reaction.command_id(cause.event_id),
            correlation_id: cause.metadata.correlation_id,
            causation_id: Some(cause.event_id),
        };
        match self.uow.react::<A>(stream_id, &context, command).await {
            Ok(_) => Ok(()),
            Err(AppError::Domain(refusal)) => {
                tracing::warn!(
                    %refusal, reaction = reaction.name(), cause = %cause.event_id, stream = %stream_id,
                    "process manager reaction refused by the domain; skipped"
                );
                Ok(())
            }
            Err(error) => Err(error),
        }
    }
}
