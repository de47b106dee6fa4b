//! Commands on orders: placing (which reserves the listing), paying (which fills the escrow),
//! shipping, confirming receipt and cancelling.

use std::sync::Arc;

use jangteo_domain::{
    AccountId, Aggregate, CancelReason, Carrier, DomainError, DomainEvent, EscrowId, GatewayPayment,
    ListingId, Money, OrderId, PaymentKey, PaymentMethod, TrackingNumber,
    escrow::{EscrowCommand, EscrowState},
    listing::{ListingCommand, ListingState},
    order::{OrderCommand, OrderDeadline, OrderEvent, OrderItem, OrderState, OrderStatus},
};
use jangteo_event_store::{AppendOutcome, AppendRequest, EventStore, EventStoreError};
use jangteo_payments::{CancelPayment, ConfirmPayment, PaymentError, PaymentGateway};
use uuid::Uuid;

use crate::{
    AppError, CommandContext, CommandReceipt,
    command::{Executed, MAX_ATTEMPTS, execute, load, stream_append},
};

/// The answer to an order command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderReceipt {
    pub order_id: OrderId,
    pub status: OrderStatus,
    pub receipt: CommandReceipt,
}

/// Namespace of the gateway idempotency keys of captures (a fixed random UUID).
const CAPTURE_NAMESPACE: Uuid = Uuid::from_u128(0x2f6c_81d4_5a3e_4c09_9e27_b8d1_0c4a_7e63);

/// How the buyer pays an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRequest {
    pub method: PaymentMethod,
    /// The gateway's key of the payment the buyer authorised; `None` with the simulated gateway.
    pub payment_key: Option<PaymentKey>,
    /// The amount the client believes it pays; refused when it is not the order's.
    pub claimed_amount: Option<Money>,
}

impl PaymentRequest {
    /// A payment by `method`, with no gateway key (the simulated gateway) and no claimed amount.
    pub fn new(method: PaymentMethod) -> Self {
        Self { method, payment_key: None, claimed_amount: None }
    }
}

#[derive(Clone)]
pub struct Orders {
    store: Arc<dyn EventStore>,
    gateway: Arc<dyn PaymentGateway>,
}

impl Orders {
    pub fn new(store: Arc<dyn EventStore>, gateway: Arc<dyn PaymentGateway>) -> Self {
        Self { store, gateway }
    }

    pub(crate) fn store(&self) -> &dyn EventStore {
        self.store.as_ref()
    }

    pub(crate) fn gateway(&self) -> &dyn PaymentGateway {
        self.gateway.as_ref()
    }

    /// Places an order for a listing at its current price.
    ///
    /// The listing's reservation and the order's creation are decided together and appended in one
    /// transaction that expects the listing stream's version: of two buyers racing for one listing,
    /// exactly one append succeeds; the other re-decides against the reserved listing and is refused
    /// with `ListingNotAvailable`. A retried command (same idempotency key) returns the first order.
    pub async fn place(
        &self,
        buyer: AccountId,
        listing_id: ListingId,
        context: &CommandContext,
    ) -> Result<OrderReceipt, AppError> {
        let order_id = OrderId::from_uuid(Uuid::now_v7());
        self.place_bundle(buyer, order_id, &[listing_id], Money::ZERO, context).await
    }

    /// Places `order_id` for several listings of one seller, with a shipping fee: every listing is
    /// reserved in the same append as the order, or none is. A listing that is not on sale refuses
    /// the whole order with `ListingNotAvailable`; listings of several sellers are refused.
    pub(crate) async fn place_bundle(
        &self,
        buyer: AccountId,
        order_id: OrderId,
        listing_ids: &[ListingId],
        shipping_fee: Money,
        context: &CommandContext,
    ) -> Result<OrderReceipt, AppError> {
        let store = self.store.as_ref();
        if let Some(outcome) = context.earlier_outcome(store).await? {
            return placed_from_outcome(&outcome, listing_ids);
        }
        let context = &trade_context(context, order_id);
        for _ in 0..MAX_ATTEMPTS {
            let mut streams = Vec::with_capacity(listing_ids.len() + 1);
            let mut items = Vec::with_capacity(listing_ids.len());
            let mut seller = None;
            for listing_id in listing_ids {
                let listing = load::<ListingState>(store, listing_id.as_uuid()).await?;
                let ListingState::Present(current) = &listing.state else {
                    return Err(AppError::NotFound);
                };
                if *seller.get_or_insert(current.seller_id) != current.seller_id {
                    let reason = "must all belong to one seller";
                    return Err(DomainError::from(jangteo_domain::ValidationError::new(
                        "listing_ids",
                        reason,
                    ))
                    .into());
                }
                items.push(OrderItem { listing_id: *listing_id, price: current.price });
                let reserved = listing.state.decide(ListingCommand::Reserve { order_id, buyer_id: buyer })?;
                streams.push(stream_append::<ListingState>(
                    listing_id.as_uuid(),
                    listing.version,
                    &reserved,
                )?);
            }
            let Some(seller_id) = seller else {
                let reason = "must hold 1 to 20 listings";
                return Err(DomainError::from(jangteo_domain::ValidationError::new("items", reason)).into());
            };
            let order_events = OrderState::default().decide(OrderCommand::Place {
                order_id,
                buyer_id: buyer,
                seller_id,
                items,
                shipping_fee,
            })?;
            streams.push(stream_append::<OrderState>(order_id.as_uuid(), 0, &order_events)?);
            let request = AppendRequest { metadata: context.metadata(), streams, claims: Vec::new() };
            match store.append(request).await {
                Ok(outcome) if outcome.duplicate => return placed_from_outcome(&outcome, listing_ids),
                Ok(outcome) => {
                    return Ok(OrderReceipt {
                        order_id,
                        status: OrderStatus::Placed,
                        receipt: CommandReceipt::from_outcome(&outcome),
                    });
                }
                Err(EventStoreError::WrongExpectedVersion { .. }) => {}
                Err(error) => return Err(error.into()),
            }
        }
        Err(AppError::Contention)
    }

    /// Captures the buyer's payment with the gateway, then records it and puts the money into a
    /// new escrow, in one transaction: an order is never paid without its money being held.
    ///
    /// The amount is the order's; a client that states another one (`claimed_amount`) is refused
    /// before any money moves. The gateway call carries the command id as its idempotency key, so
    /// a retried request captures once, with or without its `Idempotency-Key`. If the order changed
    /// while the gateway was capturing (cancelled by the seller, say) and can no longer be paid,
    /// the capture is cancelled again; if another request recorded this very payment meanwhile,
    /// its outcome stands.
    pub async fn pay(
        &self,
        actor: AccountId,
        order_id: OrderId,
        payment: PaymentRequest,
        context: &CommandContext,
    ) -> Result<OrderReceipt, AppError> {
        let store = self.store.as_ref();
        if let Some(outcome) = context.earlier_outcome(store).await? {
            return self.status_after(order_id, &outcome).await;
        }
        let escrow_id = EscrowId::from_uuid(Uuid::now_v7());
        let context = &trade_context(context, order_id);
        let payment_key = match payment.payment_key {
            Some(key) => key,
            // The simulated gateway has no widget to hand out keys: one per order will do.
            None => PaymentKey::parse(&format!("sim-{order_id}")).map_err(DomainError::from)?,
        };
        let captured = GatewayPayment { gateway: self.gateway.gateway(), payment_key };

        // Decide first: no money moves for an order that cannot be paid, or a tampered amount.
        let loaded = load::<OrderState>(store, order_id.as_uuid()).await?;
        let OrderState::Present(order) = &loaded.state else {
            return Err(AppError::NotFound);
        };
        let price = order.price;
        let pay = |amount| OrderCommand::Pay {
            actor,
            escrow_id,
            method: payment.method,
            amount,
            payment: captured.clone(),
        };
        loaded.state.decide(pay(payment.claimed_amount.unwrap_or(price)))?;

        // One key per (order, gateway payment), not per request: a client retrying without its
        // Idempotency-Key still captures once, and gets the first capture back.
        let mut seed = order_id.as_uuid().as_bytes().to_vec();
        seed.extend_from_slice(captured.payment_key.as_str().as_bytes());
        let confirmation = ConfirmPayment {
            payment_key: captured.payment_key.clone(),
            order_id,
            amount: price,
            idempotency_key: format!("jangteo-pay-{}", Uuid::new_v5(&CAPTURE_NAMESPACE, &seed)),
        };
        self.gateway.confirm(&confirmation).await?;

        match self.record_capture(order_id, escrow_id, actor, payment.method, &captured, context).await? {
            Ok(receipt) => Ok(receipt),
            Err(refusal) => {
                self.void(&confirmation, "the order changed while the payment was captured").await;
                Err(refusal.into())
            }
        }
    }

    /// Records a captured payment: the order paid (by `buyer`) and its money held in a new
    /// escrow, in one append. The inner error is the domain's refusal (the order can no longer
    /// be paid), for the caller to give the capture back; if a concurrent request recorded this
    /// very payment, its outcome stands.
    pub(crate) async fn record_capture(
        &self,
        order_id: OrderId,
        escrow_id: EscrowId,
        buyer: AccountId,
        method: PaymentMethod,
        captured: &GatewayPayment,
        context: &CommandContext,
    ) -> Result<Result<OrderReceipt, DomainError>, AppError> {
        let store = self.store.as_ref();
        for _ in 0..MAX_ATTEMPTS {
            let loaded = load::<OrderState>(store, order_id.as_uuid()).await?;
            let OrderState::Present(order) = &loaded.state else {
                return Err(AppError::NotFound);
            };
            let hold = EscrowCommand::Hold {
                escrow_id,
                order_id,
                buyer_id: order.buyer_id,
                seller_id: order.seller_id,
                amount: order.price,
            };
            let pay = OrderCommand::Pay {
                actor: buyer,
                escrow_id,
                method,
                amount: order.price,
                payment: captured.clone(),
            };
            let order_events = match loaded.state.decide(pay) {
                Ok(events) => events,
                // A concurrent request recorded this very payment: it is ours to keep.
                Err(_) if order.payment.as_ref() == Some(captured) => {
                    let position = store.head_position().await?;
                    let receipt = CommandReceipt { position, duplicate: true };
                    return Ok(Ok(OrderReceipt { order_id, status: order.status, receipt }));
                }
                Err(refusal) => return Ok(Err(refusal)),
            };
            let escrow_events = EscrowState::default().decide(hold)?;
            let request = AppendRequest {
                metadata: context.metadata(),
                streams: vec![
                    stream_append::<OrderState>(order_id.as_uuid(), loaded.version, &order_events)?,
                    stream_append::<EscrowState>(escrow_id.as_uuid(), 0, &escrow_events)?,
                ],
                claims: Vec::new(),
            };
            match store.append(request).await {
                Ok(outcome) => return self.status_after(order_id, &outcome).await.map(Ok),
                Err(EventStoreError::WrongExpectedVersion { .. }) => {}
                Err(error) => return Err(error.into()),
            }
        }
        // The capture stays: a retry captures with the same key, gets it back and records it.
        Err(AppError::Contention)
    }

    /// Gives a capture back that could not be recorded.
    async fn void(&self, confirmation: &ConfirmPayment, reason: &str) {
        let idempotency_key = format!("{}-void", confirmation.idempotency_key);
        self.give_back_capture(&confirmation.payment_key, confirmation.order_id, reason, idempotency_key)
            .await;
    }

    /// Cancels a whole capture that no order holds. A failure here leaves money captured without
    /// an order paid: it is logged loudly for operators, with the payment key.
    pub(crate) async fn give_back_capture(
        &self,
        payment_key: &PaymentKey,
        order_id: OrderId,
        reason: &str,
        idempotency_key: String,
    ) {
        let cancel = CancelPayment {
            payment_key: payment_key.clone(),
            order_id,
            reason: reason.to_owned(),
            amount: None,
            idempotency_key,
        };
        if let Err(error) = self.gateway.cancel(&cancel).await
            && error != PaymentError::AlreadyRefunded
        {
            tracing::error!(
                %order_id,
                payment_key = payment_key.as_str(),
                %error,
                "a captured payment could not be recorded nor given back; refund it by hand"
            );
        }
    }

    pub async fn ship(
        &self,
        actor: AccountId,
        order_id: OrderId,
        carrier: Carrier,
        tracking_number: TrackingNumber,
        context: &CommandContext,
    ) -> Result<OrderReceipt, AppError> {
        self.run(order_id, context, &OrderCommand::Ship { actor, carrier, tracking_number }).await
    }

    pub async fn confirm_receipt(
        &self,
        actor: AccountId,
        order_id: OrderId,
        context: &CommandContext,
    ) -> Result<OrderReceipt, AppError> {
        self.run(order_id, context, &OrderCommand::ConfirmReceipt { actor }).await
    }

    pub async fn cancel(
        &self,
        actor: AccountId,
        order_id: OrderId,
        reason: CancelReason,
        context: &CommandContext,
    ) -> Result<OrderReceipt, AppError> {
        self.run(order_id, context, &OrderCommand::Cancel { actor, reason }).await
    }

    /// Gives up on an order whose step was not done in time (issued by [`crate::Deadlines`]).
    pub async fn expire(
        &self,
        order_id: OrderId,
        deadline: OrderDeadline,
        context: &CommandContext,
    ) -> Result<OrderReceipt, AppError> {
        self.run(order_id, context, &OrderCommand::Expire { deadline }).await
    }

    /// Records how far the courier has brought the parcel (issued by [`crate::ShipmentTracking`]).
    pub async fn record_transit(
        &self,
        order_id: OrderId,
        stage: jangteo_domain::order::ShipmentStage,
        context: &CommandContext,
    ) -> Result<OrderReceipt, AppError> {
        self.run(order_id, context, &OrderCommand::RecordTransit { stage }).await
    }

    /// Records that the courier delivered the parcel (issued by [`crate::ShipmentTracking`]).
    pub async fn record_delivery(
        &self,
        order_id: OrderId,
        context: &CommandContext,
    ) -> Result<OrderReceipt, AppError> {
        self.run(order_id, context, &OrderCommand::RecordDelivery).await
    }

    /// Completes a delivered order whose buyer-protection window ran out (issued by
    /// [`crate::Deadlines`]).
    pub async fn auto_confirm(
        &self,
        order_id: OrderId,
        context: &CommandContext,
    ) -> Result<OrderReceipt, AppError> {
        self.run(order_id, context, &OrderCommand::AutoConfirm).await
    }

    async fn run(
        &self,
        order_id: OrderId,
        context: &CommandContext,
        command: &OrderCommand,
    ) -> Result<OrderReceipt, AppError> {
        run_order_command(self.store.as_ref(), order_id, context, command).await
    }

    async fn status_after(
        &self,
        order_id: OrderId,
        outcome: &AppendOutcome,
    ) -> Result<OrderReceipt, AppError> {
        status_after(self.store.as_ref(), order_id, outcome).await
    }
}

/// Runs one command on one order, in the trade's correlation.
pub(crate) async fn run_order_command(
    store: &dyn EventStore,
    order_id: OrderId,
    context: &CommandContext,
    command: &OrderCommand,
) -> Result<OrderReceipt, AppError> {
    let context = trade_context(context, order_id);
    let Executed { state, receipt } =
        execute::<OrderState>(store, order_id.as_uuid(), &context, command).await?;
    match state {
        OrderState::Present(order) => Ok(OrderReceipt { order_id, status: order.status, receipt }),
        OrderState::Absent => Err(AppError::NotFound),
    }
}

/// The order's status once `outcome` is in the log.
pub(crate) async fn status_after(
    store: &dyn EventStore,
    order_id: OrderId,
    outcome: &AppendOutcome,
) -> Result<OrderReceipt, AppError> {
    match load::<OrderState>(store, order_id.as_uuid()).await?.state {
        OrderState::Present(order) => Ok(OrderReceipt {
            order_id,
            status: order.status,
            receipt: CommandReceipt::from_outcome(outcome),
        }),
        OrderState::Absent => Err(AppError::NotFound),
    }
}

/// Every command of one trade carries the order id as its correlation id, so the trade's events
/// (and the process manager's reactions, which inherit it) can be gathered by one id.
pub(crate) fn trade_context(context: &CommandContext, order_id: OrderId) -> CommandContext {
    CommandContext { correlation_id: order_id.as_uuid(), ..*context }
}

/// Answers a retried placement from the first one's stored events. The same key used for another
/// listing is a client error, not a silent success.
fn placed_from_outcome(outcome: &AppendOutcome, listing_ids: &[ListingId]) -> Result<OrderReceipt, AppError> {
    for recorded in &outcome.events {
        if recorded.stream_type != OrderState::STREAM_TYPE {
            continue;
        }
        let event = OrderEvent::from_payload(
            &recorded.event_type,
            recorded.schema_version,
            recorded.payload.clone(),
        )?;
        if let OrderEvent::OrderPlaced { order_id, items, .. } = event {
            if !items.iter().map(|item| item.listing_id).eq(listing_ids.iter().copied()) {
                return Err(AppError::IdempotencyKeyReused);
            }
            return Ok(OrderReceipt {
                order_id,
                status: OrderStatus::Placed,
                receipt: CommandReceipt::from_outcome(outcome),
            });
        }
    }
    Err(AppError::IdempotencyKeyReused)
}
