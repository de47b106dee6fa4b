//! Commands on orders: placing (which reserves the listing), paying (which fills the escrow),
//! shipping, confirming receipt and cancelling.

use std::sync::Arc;

use async_trait::async_trait;
use jangteo_domain::{
    AccountId, Aggregate, CancelReason, Carrier, DomainError, DomainEvent, EscrowId, GatewayPayment,
    ListingId, Money, OrderId, PaymentKey, PaymentMethod, TrackingNumber,
    escrow::{EscrowCommand, EscrowState},
    listing::{ListingCommand, ListingState},
    order::{self, OrderCommand, OrderDeadline, OrderEvent, OrderState, OrderStatus},
    trade,
};
use jangteo_event_store::AppendOutcome;
use jangteo_payments::{CancelPayment, ConfirmPayment, PaymentError, PaymentGateway};
use uuid::Uuid;

use crate::{
    AppError, CommandContext, CommandReceipt, UnitOfWork,
    unit_of_work::{Decision, Work},
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
    uow: UnitOfWork,
    gateway: Arc<dyn PaymentGateway>,
}

impl Orders {
    pub fn new(uow: &UnitOfWork, gateway: Arc<dyn PaymentGateway>) -> Self {
        Self { uow: uow.clone(), gateway }
    }

    pub(crate) fn uow(&self) -> &UnitOfWork {
        &self.uow
    }

    pub(crate) fn gateway(&self) -> &dyn PaymentGateway {
        self.gateway.as_ref()
    }

    /// Places an order for one unit of a listing at its current price.
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
        self.place_units(buyer, listing_id, 1, context).await
    }

    /// Places an order for `units` of a listing with several in stock: the units are held in the
    /// same append as the order, so racing buyers never hold more than the stock between them.
    pub async fn place_units(
        &self,
        buyer: AccountId,
        listing_id: ListingId,
        units: u32,
        context: &CommandContext,
    ) -> Result<OrderReceipt, AppError> {
        let order_id = OrderId::from_uuid(Uuid::now_v7());
        let context = &trade_context(context, order_id);
        let place =
            PlaceOrder { buyer, order_id, listing_ids: &[listing_id], units, shipping_fee: Money::ZERO };
        let decided = self.uow.run(context, &place).await?;
        Ok(OrderReceipt { order_id: decided.output, status: OrderStatus::Placed, receipt: decided.receipt })
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
        let context = &trade_context(context, order_id);
        let place = PlaceOrder { buyer, order_id, listing_ids, units: 1, shipping_fee };
        let decided = self.uow.run(context, &place).await?;
        Ok(OrderReceipt { order_id: decided.output, status: OrderStatus::Placed, receipt: decided.receipt })
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
        if let Some(outcome) = context.earlier_outcome(self.uow.store().as_ref()).await? {
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
        let payable = |state: &OrderState| {
            let OrderState::Present(order) = state else {
                return Err(AppError::NotFound);
            };
            let amount = payment.claimed_amount.unwrap_or(order.price);
            let pay = OrderCommand::Pay {
                actor,
                escrow_id,
                method: payment.method,
                amount,
                payment: captured.clone(),
            };
            state.decide(pay)?;
            Ok(order.price)
        };
        let price = match self.uow.check::<OrderState, _>(order_id.as_uuid(), payable).await {
            Ok(price) => price,
            // A concurrent retry of this very request may have paid the order meanwhile.
            Err(refusal @ (AppError::Domain(_) | AppError::NotFound)) => {
                return match context.earlier_outcome(self.uow.store().as_ref()).await? {
                    Some(outcome) => self.status_after(order_id, &outcome).await,
                    None => Err(refusal),
                };
            }
            Err(error) => return Err(error),
        };

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

        match self.record_capture(order_id, escrow_id, actor, payment.method, &captured, context).await {
            Err(AppError::Domain(refusal)) => {
                self.void(&confirmation, "the order changed while the payment was captured").await;
                Err(refusal.into())
            }
            answer => answer,
        }
    }

    /// Records a captured payment: the order paid (by `buyer`) and its money held in a new
    /// escrow, in one append. A domain refusal (the order can no longer be paid) is for the caller
    /// to give the capture back; if a concurrent request recorded this very payment, its outcome
    /// stands.
    pub(crate) async fn record_capture(
        &self,
        order_id: OrderId,
        escrow_id: EscrowId,
        buyer: AccountId,
        method: PaymentMethod,
        captured: &GatewayPayment,
        context: &CommandContext,
    ) -> Result<OrderReceipt, AppError> {
        let record = RecordCapture { order_id, escrow_id, buyer, method, captured };
        let decided = self.uow.run(context, &record).await?;
        let (status, duplicate) = match decided.output {
            Capture::Recorded(status) => (status, decided.receipt.duplicate),
            Capture::HeldAlready(status) => (status, true),
        };
        let receipt = CommandReceipt { duplicate, ..decided.receipt };
        Ok(OrderReceipt { order_id, status, receipt })
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
        run_order_command(&self.uow, order_id, context, command).await
    }

    async fn status_after(
        &self,
        order_id: OrderId,
        outcome: &AppendOutcome,
    ) -> Result<OrderReceipt, AppError> {
        let status = status_of(&self.uow, order_id).await?;
        Ok(OrderReceipt { order_id, status, receipt: CommandReceipt::from_outcome(outcome) })
    }
}

/// Runs one command on one order, in the trade's correlation.
pub(crate) async fn run_order_command(
    uow: &UnitOfWork,
    order_id: OrderId,
    context: &CommandContext,
    command: &OrderCommand,
) -> Result<OrderReceipt, AppError> {
    let context = trade_context(context, order_id);
    let decided = uow.execute::<OrderState>(order_id.as_uuid(), &context, command).await?;
    match decided.output {
        OrderState::Present(order) => {
            Ok(OrderReceipt { order_id, status: order.status, receipt: decided.receipt })
        }
        OrderState::Absent => Err(AppError::NotFound),
    }
}

/// The order's status as the log holds it now.
pub(crate) async fn status_of(uow: &UnitOfWork, order_id: OrderId) -> Result<OrderStatus, AppError> {
    match uow.current::<OrderState>(order_id.as_uuid()).await? {
        OrderState::Present(order) => Ok(order.status),
        OrderState::Absent => Err(AppError::NotFound),
    }
}

/// Every command of one trade carries the order id as its correlation id, so the trade's events
/// (and the process manager's reactions, which inherit it) can be gathered by one id.
pub(crate) fn trade_context(context: &CommandContext, order_id: OrderId) -> CommandContext {
    CommandContext { correlation_id: order_id.as_uuid(), ..*context }
}

/// The order a retried placement placed first, from its stored events. The same key used for
/// other listings is a client error, not a silent success.
fn placed_from_outcome(outcome: &AppendOutcome, listing_ids: &[ListingId]) -> Result<OrderId, AppError> {
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
            return Ok(order_id);
        }
    }
    Err(AppError::IdempotencyKeyReused)
}

/// Placing an order: every listing reserved for it and the order created, in one append that
/// expects each listing's version, so of two racing buyers exactly one commits.
struct PlaceOrder<'a> {
    buyer: AccountId,
    order_id: OrderId,
    listing_ids: &'a [ListingId],
    /// Of each listing.
    units: u32,
    shipping_fee: Money,
}

#[async_trait]
impl Decision for PlaceOrder<'_> {
    type Output = OrderId;

    fn contended_stream(&self) -> Option<Uuid> {
        self.listing_ids.first().map(ListingId::as_uuid)
    }

    async fn decide(&self, work: &mut Work<'_>) -> Result<OrderId, AppError> {
        let mut listings = Vec::with_capacity(self.listing_ids.len());
        for listing_id in self.listing_ids {
            match work.load::<ListingState>(listing_id.as_uuid()).await? {
                ListingState::Present(listing) => listings.push(listing),
                ListingState::Absent => return Err(AppError::NotFound),
            }
        }
        let (seller_id, items) = order::bundle(listings.iter().map(AsRef::as_ref), self.units)?;
        for listing_id in self.listing_ids {
            let reserve =
                ListingCommand::Reserve { order_id: self.order_id, buyer_id: self.buyer, units: self.units };
            work.decide::<ListingState>(listing_id.as_uuid(), reserve).await?;
        }
        let place = OrderCommand::Place {
            order_id: self.order_id,
            buyer_id: self.buyer,
            seller_id,
            items,
            shipping_fee: self.shipping_fee,
        };
        work.decide_new::<OrderState>(self.order_id.as_uuid(), place).await?;
        Ok(self.order_id)
    }

    async fn replayed(&self, _uow: &UnitOfWork, outcome: &AppendOutcome) -> Result<OrderId, AppError> {
        placed_from_outcome(outcome, self.listing_ids)
    }
}

/// What recording a capture found.
enum Capture {
    /// The order is paid with it now, and its money held.
    Recorded(OrderStatus),
    /// The order held this very payment already (a concurrent request recorded it).
    HeldAlready(OrderStatus),
}

/// The escrow follow-ups that go into the order's own append ([`trade::follow_up`]): holding the
/// paid price in a new escrow, freezing it when a dispute opens. The others follow the order's
/// commit, through the process manager.
pub(crate) async fn decide_escrow_with_the_order(
    work: &mut Work<'_>,
    order: &OrderState,
    events: &[OrderEvent],
) -> Result<(), AppError> {
    let OrderState::Present(order) = order else { return Ok(()) };
    for event in events {
        match trade::follow_up(order, event).escrow {
            Some(hold @ EscrowCommand::Hold { escrow_id, .. }) => {
                work.decide_new::<EscrowState>(escrow_id.as_uuid(), hold).await?;
            }
            Some(EscrowCommand::Freeze) => {
                if let Some(escrow_id) = order.escrow_id {
                    work.decide::<EscrowState>(escrow_id.as_uuid(), EscrowCommand::Freeze).await?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Recording a captured payment: the order paid and a new escrow holding its price, in one append.
struct RecordCapture<'a> {
    order_id: OrderId,
    escrow_id: EscrowId,
    buyer: AccountId,
    method: PaymentMethod,
    captured: &'a GatewayPayment,
}

#[async_trait]
impl Decision for RecordCapture<'_> {
    type Output = Capture;

    fn contended_stream(&self) -> Option<Uuid> {
        Some(self.order_id.as_uuid())
    }

    async fn decide(&self, work: &mut Work<'_>) -> Result<Capture, AppError> {
        let OrderState::Present(order) = work.load::<OrderState>(self.order_id.as_uuid()).await? else {
            return Err(AppError::NotFound);
        };
        let pay = OrderCommand::Pay {
            actor: self.buyer,
            escrow_id: self.escrow_id,
            method: self.method,
            amount: order.price,
            payment: self.captured.clone(),
        };
        let (paid, events) = match work.decide_with_events::<OrderState>(self.order_id.as_uuid(), pay).await {
            Ok(decided) => decided,
            Err(AppError::Domain(_)) if order.payment.as_ref() == Some(self.captured) => {
                return Ok(Capture::HeldAlready(order.status));
            }
            Err(refusal) => return Err(refusal),
        };
        decide_escrow_with_the_order(work, &paid, &events).await?;
        Ok(Capture::Recorded(OrderStatus::Paid))
    }

    async fn replayed(&self, uow: &UnitOfWork, _outcome: &AppendOutcome) -> Result<Capture, AppError> {
        Ok(Capture::Recorded(status_of(uow, self.order_id).await?))
    }
}
