//! The Order aggregate: one buyer buying one listing.
//!
//! ```text
//! Placed --pay--> Paid --ship--> Shipped --delivered--> Delivered --auto_confirm--> Completed
//!   |  |           |                |                      |
//!   |  |           |                +--confirm_receipt-----+--confirm_receipt--> Completed
//!   |  +--cancel---+--cancel--> Cancelled                  |
//!   +--expire (not paid in time)--> Cancelled <--expire (paid, not shipped in time)-- Paid
//!
//! Delivered --request_return--> ReturnRequested --accept_return--> Refunded (all) | Completed (part)
//! Paid | Shipped | Delivered | ReturnRequested --open_dispute--> Disputed
//! Disputed --resolve_dispute--> Refunded (refund buyer) | Completed (release seller, split)
//! ```
//! While a return is requested or a dispute is open, the buyer-protection window does not run
//! out: auto-confirmation applies to `Delivered` orders only.
//! An order buys one or more listings of one seller (a cart's checkout bundles a seller's listings
//! into one parcel). Placing an order and reserving its listings are decided together and appended
//! in one transaction (see the application layer), so an order exists only for listings it holds.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{
    AccountId, Aggregate, CancelReason, Carrier, DisputeReason, DisputeResolution, DomainError, DomainEvent,
    EscrowId, EventCodecError, Forbidden, GatewayPayment, Kind, ListingId, Money, OrderId, PaymentMethod,
    ReturnReason, TrackingNumber, ValidationError, listing::Listing,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Placed,
    Paid,
    Shipped,
    /// The courier delivered it; the buyer-protection window runs.
    Delivered,
    Completed,
    Cancelled,
    /// The buyer asked to send the item back; the seller decides on the refund.
    ReturnRequested,
    /// A party asked staff to decide; the escrow is frozen.
    Disputed,
    /// Everything paid went back to the buyer after shipment (a return or a dispute).
    Refunded,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 9] = [
        OrderStatus::Placed,
        OrderStatus::Paid,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Completed,
        OrderStatus::Cancelled,
        OrderStatus::ReturnRequested,
        OrderStatus::Disputed,
        OrderStatus::Refunded,
    ];

    pub fn name(self) -> &'static str {
        match self {
            OrderStatus::Placed => "placed",
            OrderStatus::Paid => "paid",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::ReturnRequested => "return_requested",
            OrderStatus::Disputed => "disputed",
            OrderStatus::Refunded => "refunded",
        }
    }
}

/// The parcel an order was sent in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipment {
    pub carrier: Carrier,
    pub tracking_number: TrackingNumber,
    /// How far the courier has reported it, before delivery.
    #[serde(default)]
    pub stage: Option<ShipmentStage>,
}

/// How far a shipped parcel has come before its delivery, as the courier reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShipmentStage {
    PickedUp,
    InTransit,
    OutForDelivery,
}

/// One listing of an order: `units` of it, at `price` for all of them (the listing's price
/// when the order was placed, times the units).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OrderItem {
    pub listing_id: ListingId,
    pub price: Money,
    /// Orders placed before listings had quantities bought one unit.
    #[serde(default = "one_unit")]
    pub units: u32,
}

fn one_unit() -> u32 {
    1
}

/// The most listings one order bundles.
pub const MAX_ORDER_ITEMS: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub order_id: OrderId,
    pub items: Vec<OrderItem>,
    pub buyer_id: AccountId,
    pub seller_id: AccountId,
    pub shipping_fee: Money,
    /// What the buyer pays: the items and the shipping fee.
    pub price: Money,
    pub status: OrderStatus,
    /// Set once paid: the escrow holding the buyer's money.
    pub escrow_id: Option<EscrowId>,
    /// Set once paid through a gateway: where refunds go.
    pub payment: Option<GatewayPayment>,
    pub shipment: Option<Shipment>,
}

impl Order {
    /// The listings this order holds.
    pub fn listing_ids(&self) -> impl Iterator<Item = ListingId> + '_ {
        self.items.iter().map(|item| item.listing_id)
    }

    pub fn is_participant(&self, account: AccountId) -> bool {
        account == self.buyer_id || account == self.seller_id
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "order", rename_all = "snake_case")]
pub enum OrderState {
    #[default]
    Absent,
    Present(Order),
}

/// The cooling-off rule in force when a buyer asks for a return. The 전자상거래법 gives buyers of
/// businesses a right of withdrawal; between private persons it is the marketplace's choice, so
/// it is configuration, passed in with the command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReturnPolicy {
    /// Whether a buyer may return an item because they changed their mind.
    pub change_of_mind: bool,
}

/// The steps of a trade that have a deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderDeadline {
    /// The buyer pays within the payment window after placing the order.
    Payment,
    /// The seller ships within the shipping window after payment.
    Shipment,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderCommand {
    /// Places an order for listings of one seller, at their current prices, plus shipping.
    Place {
        order_id: OrderId,
        buyer_id: AccountId,
        seller_id: AccountId,
        items: Vec<OrderItem>,
        shipping_fee: Money,
    },
    /// Records the buyer's payment, which goes into `escrow_id`; `payment` is where the gateway
    /// captured it.
    Pay {
        actor: AccountId,
        escrow_id: EscrowId,
        method: PaymentMethod,
        amount: Money,
        payment: GatewayPayment,
    },
    Ship {
        actor: AccountId,
        carrier: Carrier,
        tracking_number: TrackingNumber,
    },
    ConfirmReceipt {
        actor: AccountId,
    },
    Cancel {
        actor: AccountId,
        reason: CancelReason,
    },
    /// Jangteo gives up on an order whose step was not done in time (issued by the system).
    Expire {
        deadline: OrderDeadline,
    },
    /// The courier reports the parcel further along (issued by the system from tracking).
    RecordTransit {
        stage: ShipmentStage,
    },
    /// The courier reports the parcel delivered (issued by the system from tracking).
    RecordDelivery,
    /// The buyer neither confirmed nor objected within the buyer-protection window after
    /// delivery: the order completes (issued by the system).
    AutoConfirm,
    /// The buyer asks to send a delivered item back, under the marketplace's `policy`.
    RequestReturn {
        actor: AccountId,
        reason: ReturnReason,
        policy: ReturnPolicy,
    },
    /// The seller grants the requested return with a refund of `refund` (all of the price, or a
    /// part if the buyer keeps the item at a discount).
    AcceptReturn {
        actor: AccountId,
        refund: Money,
    },
    /// The buyer or the seller asks staff to decide; the escrow is frozen meanwhile.
    OpenDispute {
        actor: AccountId,
        reason: DisputeReason,
    },
    /// Staff decide a dispute. `agent` holds the dispute-agent role (checked by the application).
    ResolveDispute {
        agent: AccountId,
        resolution: DisputeResolution,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum OrderEvent {
    /// Schema version 2 bundles `items` and adds `shipping_fee`; version 1 (one listing, no
    /// shipping fee) reads back as one item.
    OrderPlaced {
        order_id: OrderId,
        buyer_id: AccountId,
        seller_id: AccountId,
        items: Vec<OrderItem>,
        shipping_fee: Money,
        /// The total: items and shipping.
        price: Money,
    },
    /// Schema version 2 added `payment`; version 1 events read back with `payment: null`.
    OrderPaid {
        escrow_id: EscrowId,
        method: PaymentMethod,
        amount: Money,
        payment: Option<GatewayPayment>,
    },
    OrderShipped {
        carrier: Carrier,
        tracking_number: TrackingNumber,
    },
    /// The courier picked the parcel up, carries it, or is out delivering it.
    ShipmentProgressed {
        stage: ShipmentStage,
    },
    /// The courier delivered the parcel: the buyer-protection window starts.
    OrderDelivered {},
    OrderCompleted {},
    /// A step was not done in time: not paid (nothing to refund), or paid and not shipped (the
    /// buyer is refunded). The listing goes back on sale.
    OrderExpired {
        deadline: OrderDeadline,
        refund_due: bool,
    },
    OrderCancelled {
        cancelled_by: AccountId,
        reason: CancelReason,
        /// Whether money had been paid and must go back to the buyer.
        refund_due: bool,
    },
    ReturnRequested {
        reason: ReturnReason,
    },
    /// The seller granted a return: `amount` goes back to the buyer, the rest to the seller.
    RefundGranted {
        granted_by: AccountId,
        amount: Money,
    },
    DisputeOpened {
        opened_by: AccountId,
        reason: DisputeReason,
    },
    DisputeResolved {
        resolved_by: AccountId,
        resolution: DisputeResolution,
    },
}

impl OrderEvent {
    /// What an event that ends a paid trade gives back to the buyer: `Some(refund)` for a granted
    /// return or a resolved dispute (the rest goes to the seller), `None` for any other event.
    pub fn settlement_refund(&self, price: Money) -> Option<Money> {
        match self {
            OrderEvent::RefundGranted { amount, .. } => Some(*amount),
            OrderEvent::DisputeResolved { resolution, .. } => Some(match resolution {
                DisputeResolution::RefundBuyer => price,
                DisputeResolution::ReleaseSeller => Money::ZERO,
                DisputeResolution::Split { refund } => *refund,
            }),
            _ => None,
        }
    }
}

impl DomainEvent for OrderEvent {
    fn event_type(&self) -> &'static str {
        match self {
            OrderEvent::OrderPlaced { .. } => "OrderPlaced",
            OrderEvent::OrderPaid { .. } => "OrderPaid",
            OrderEvent::OrderShipped { .. } => "OrderShipped",
            OrderEvent::ShipmentProgressed { .. } => "ShipmentProgressed",
            OrderEvent::OrderDelivered {} => "OrderDelivered",
            OrderEvent::OrderCompleted {} => "OrderCompleted",
            OrderEvent::OrderExpired { .. } => "OrderExpired",
            OrderEvent::OrderCancelled { .. } => "OrderCancelled",
            OrderEvent::ReturnRequested { .. } => "ReturnRequested",
            OrderEvent::RefundGranted { .. } => "RefundGranted",
            OrderEvent::DisputeOpened { .. } => "DisputeOpened",
            OrderEvent::DisputeResolved { .. } => "DisputeResolved",
        }
    }

    fn schema_version(&self) -> u32 {
        match self {
            OrderEvent::OrderPaid { .. } | OrderEvent::OrderPlaced { .. } => 2,
            _ => 1,
        }
    }

    /// `OrderPaid` v1 (before payment gateways) had no `payment`: it reads back as `null`.
    /// `OrderPlaced` v1 held one `listing_id` at `price` and no shipping fee.
    fn upcast(event_type: &str, schema_version: u32, payload: Value) -> Result<Value, EventCodecError> {
        match (event_type, schema_version) {
            ("OrderPlaced", 1) => match payload {
                Value::Object(mut fields) => {
                    let listing_id = fields.remove("listing_id").unwrap_or(Value::Null);
                    let price = fields.get("price").cloned().unwrap_or(Value::Null);
                    fields.insert(
                        "items".to_owned(),
                        serde_json::json!([{ "listing_id": listing_id, "price": price }]),
                    );
                    fields.insert("shipping_fee".to_owned(), Value::from(0));
                    Ok(Value::Object(fields))
                }
                _ => Err(EventCodecError::NotAnObject),
            },
            ("OrderPaid", 1) => match payload {
                Value::Object(mut fields) => {
                    fields.insert("payment".to_owned(), Value::Null);
                    Ok(Value::Object(fields))
                }
                _ => Err(EventCodecError::NotAnObject),
            },
            // Current versions: version 2 of the two that changed, version 1 of the rest.
            ("OrderPaid" | "OrderPlaced", 2) => Ok(payload),
            ("OrderPaid" | "OrderPlaced", _) => Err(EventCodecError::UnknownSchemaVersion {
                event_type: event_type.to_owned(),
                schema_version,
            }),
            (_, 1) => Ok(payload),
            _ => Err(EventCodecError::UnknownSchemaVersion {
                event_type: event_type.to_owned(),
                schema_version,
            }),
        }
    }
}

/// The seller and the items of an order for `units` of each of `listings`, at their current
/// prices. An order holds the listings of one seller only: one parcel, one escrow, one payee.
pub fn bundle<'a>(
    listings: impl IntoIterator<Item = &'a Listing>,
    units: u32,
) -> Result<(AccountId, Vec<OrderItem>), DomainError> {
    let mut seller = None;
    let mut items = Vec::new();
    for listing in listings {
        if *seller.get_or_insert(listing.seller_id) != listing.seller_id {
            return Err(ValidationError::new("listing_ids", "must all belong to one seller").into());
        }
        let price = listing.price.times(units).ok_or_else(|| {
            ValidationError::new("quantity", "must cost at most 1,000,000,000 won in total")
        })?;
        items.push(OrderItem { listing_id: listing.listing_id, price, units });
    }
    let seller = seller.ok_or_else(|| ValidationError::new("items", "must hold 1 to 20 listings"))?;
    Ok((seller, items))
}

/// What an order of `items` costs with `shipping_fee`; refuses an empty, oversized or repeating
/// bundle.
fn total(items: &[OrderItem], shipping_fee: Money) -> Result<Money, DomainError> {
    let invalid = |reason| DomainError::from(ValidationError::new("items", reason));
    if items.is_empty() || items.len() > MAX_ORDER_ITEMS {
        return Err(invalid("must hold 1 to 20 listings"));
    }
    let mut seen = std::collections::BTreeSet::new();
    if !items.iter().all(|item| seen.insert(item.listing_id)) {
        return Err(invalid("must not repeat a listing"));
    }
    items
        .iter()
        .try_fold(shipping_fee, |sum, item| sum.checked_add(item.price))
        .ok_or_else(|| invalid("must cost at most 1,000,000,000 won in total"))
}

fn transition(action: &'static str, status: OrderStatus) -> DomainError {
    DomainError::InvalidTransition { kind: Kind::Order, action, status: status.name() }
}

impl Aggregate for OrderState {
    type Command = OrderCommand;
    type Event = OrderEvent;

    const STREAM_TYPE: &'static str = "order";

    fn decide(&self, command: OrderCommand) -> Result<Vec<OrderEvent>, DomainError> {
        match (self, command) {
            (
                OrderState::Absent,
                OrderCommand::Place { order_id, buyer_id, seller_id, items, shipping_fee },
            ) => {
                if buyer_id == seller_id {
                    return Err(DomainError::BuyerIsSeller);
                }
                let price = total(&items, shipping_fee)?;
                Ok(vec![OrderEvent::OrderPlaced {
                    order_id,
                    buyer_id,
                    seller_id,
                    items,
                    shipping_fee,
                    price,
                }])
            }
            (OrderState::Present(_), OrderCommand::Place { .. }) => {
                Err(DomainError::AlreadyExists(Kind::Order))
            }
            (OrderState::Absent, _) => Err(DomainError::NotFound(Kind::Order)),
            (OrderState::Present(order), command) => decide_existing(order, command),
        }
    }

    fn evolve(self, event: &OrderEvent) -> Self {
        let mut order = match (self, event) {
            (_, OrderEvent::OrderPlaced { order_id, buyer_id, seller_id, items, shipping_fee, price }) => {
                return OrderState::Present(Order {
                    order_id: *order_id,
                    items: items.clone(),
                    buyer_id: *buyer_id,
                    seller_id: *seller_id,
                    shipping_fee: *shipping_fee,
                    price: *price,
                    status: OrderStatus::Placed,
                    escrow_id: None,
                    payment: None,
                    shipment: None,
                });
            }
            (OrderState::Absent, _) => return OrderState::Absent,
            (OrderState::Present(order), _) => order,
        };
        order.status = order.status.after(event, order.price);
        match event {
            OrderEvent::OrderPaid { escrow_id, payment, .. } => {
                order.escrow_id = Some(*escrow_id);
                order.payment.clone_from(payment);
            }
            OrderEvent::OrderShipped { carrier, tracking_number } => {
                order.shipment = Some(Shipment {
                    carrier: *carrier,
                    tracking_number: tracking_number.clone(),
                    stage: None,
                });
            }
            OrderEvent::ShipmentProgressed { stage } => {
                if let Some(shipment) = order.shipment.as_mut() {
                    shipment.stage = Some(*stage);
                }
            }
            OrderEvent::OrderPlaced { .. }
            | OrderEvent::OrderDelivered {}
            | OrderEvent::OrderCompleted {}
            | OrderEvent::OrderExpired { .. }
            | OrderEvent::OrderCancelled { .. }
            | OrderEvent::ReturnRequested { .. }
            | OrderEvent::DisputeOpened { .. }
            | OrderEvent::RefundGranted { .. }
            | OrderEvent::DisputeResolved { .. } => {}
        }
        OrderState::Present(order)
    }
}

impl OrderStatus {
    /// The one table of order statuses: the status after `event`, for an order costing `price`.
    /// `OrderState::evolve` and the order documents both take it from here.
    #[must_use]
    pub fn after(self, event: &OrderEvent, price: Money) -> OrderStatus {
        match event {
            OrderEvent::OrderPlaced { .. } => OrderStatus::Placed,
            OrderEvent::OrderPaid { .. } => OrderStatus::Paid,
            OrderEvent::OrderShipped { .. } => OrderStatus::Shipped,
            OrderEvent::ShipmentProgressed { .. } => self,
            OrderEvent::OrderDelivered {} => OrderStatus::Delivered,
            OrderEvent::OrderCompleted {} => OrderStatus::Completed,
            OrderEvent::OrderExpired { .. } | OrderEvent::OrderCancelled { .. } => OrderStatus::Cancelled,
            OrderEvent::ReturnRequested { .. } => OrderStatus::ReturnRequested,
            OrderEvent::DisputeOpened { .. } => OrderStatus::Disputed,
            // Settled: all of the price back to the buyer is a refund, anything less completes.
            OrderEvent::RefundGranted { .. } | OrderEvent::DisputeResolved { .. } => {
                if event.settlement_refund(price) == Some(price) {
                    OrderStatus::Refunded
                } else {
                    OrderStatus::Completed
                }
            }
        }
    }
}

fn decide_existing(order: &Order, command: OrderCommand) -> Result<Vec<OrderEvent>, DomainError> {
    let status = order.status;
    match command {
        OrderCommand::Place { .. } => Err(DomainError::AlreadyExists(Kind::Order)),
        OrderCommand::Pay { actor, escrow_id, method, amount, payment } => {
            if actor != order.buyer_id {
                return Err(DomainError::Forbidden(Forbidden::NotBuyer));
            }
            if status != OrderStatus::Placed {
                return Err(transition("pay", status));
            }
            if amount != order.price {
                return Err(DomainError::AmountMismatch {
                    expected: order.price.as_won(),
                    given: amount.as_won(),
                });
            }
            Ok(vec![OrderEvent::OrderPaid { escrow_id, method, amount, payment: Some(payment) }])
        }
        OrderCommand::Ship { actor, carrier, tracking_number } => {
            if actor != order.seller_id {
                return Err(DomainError::Forbidden(Forbidden::NotSeller));
            }
            if status != OrderStatus::Paid {
                return Err(transition("ship", status));
            }
            Ok(vec![OrderEvent::OrderShipped { carrier, tracking_number }])
        }
        OrderCommand::ConfirmReceipt { actor } => {
            if actor != order.buyer_id {
                return Err(DomainError::Forbidden(Forbidden::NotBuyer));
            }
            // Confirming while a return is requested withdraws the request.
            if !matches!(status, OrderStatus::Shipped | OrderStatus::Delivered | OrderStatus::ReturnRequested)
            {
                return Err(transition("confirm receipt of", status));
            }
            Ok(vec![OrderEvent::OrderCompleted {}])
        }
        OrderCommand::RecordTransit { stage } => match status {
            // Only forward: a scan reported late, or again, adds nothing.
            OrderStatus::Shipped
                if order
                    .shipment
                    .as_ref()
                    .and_then(|shipment| shipment.stage)
                    .is_none_or(|seen| seen < stage) =>
            {
                Ok(vec![OrderEvent::ShipmentProgressed { stage }])
            }
            OrderStatus::Shipped
            | OrderStatus::Delivered
            | OrderStatus::Completed
            | OrderStatus::ReturnRequested
            | OrderStatus::Disputed
            | OrderStatus::Refunded => Ok(Vec::new()),
            _ => Err(transition("record the transit of", status)),
        },
        OrderCommand::RecordDelivery => match status {
            OrderStatus::Shipped => Ok(vec![OrderEvent::OrderDelivered {}]),
            // Tracking reports a delivery again: nothing new.
            OrderStatus::Delivered | OrderStatus::Completed => Ok(Vec::new()),
            _ => Err(transition("record the delivery of", status)),
        },
        OrderCommand::AutoConfirm => match status {
            OrderStatus::Delivered => Ok(vec![OrderEvent::OrderCompleted {}]),
            _ => Err(transition("auto-confirm", status)),
        },
        OrderCommand::Expire { deadline } => match (deadline, status) {
            (OrderDeadline::Payment, OrderStatus::Placed) => {
                Ok(vec![OrderEvent::OrderExpired { deadline, refund_due: false }])
            }
            (OrderDeadline::Shipment, OrderStatus::Paid) => {
                Ok(vec![OrderEvent::OrderExpired { deadline, refund_due: true }])
            }
            _ => Err(transition("expire", status)),
        },
        command @ (OrderCommand::RequestReturn { .. }
        | OrderCommand::AcceptReturn { .. }
        | OrderCommand::OpenDispute { .. }
        | OrderCommand::ResolveDispute { .. }) => decide_return_or_dispute(order, command),
        OrderCommand::Cancel { actor, reason } => {
            if !order.is_participant(actor) {
                return Err(DomainError::Forbidden(Forbidden::NotParticipant));
            }
            match status {
                OrderStatus::Placed | OrderStatus::Paid => Ok(vec![OrderEvent::OrderCancelled {
                    cancelled_by: actor,
                    reason,
                    refund_due: status == OrderStatus::Paid,
                }]),
                _ => Err(transition("cancel", status)),
            }
        }
    }
}

/// Returns and disputes: the paths where people, not the happy path, decide where the money goes.
fn decide_return_or_dispute(order: &Order, command: OrderCommand) -> Result<Vec<OrderEvent>, DomainError> {
    let status = order.status;
    match command {
        OrderCommand::RequestReturn { actor, reason, policy } => {
            if actor != order.buyer_id {
                return Err(DomainError::Forbidden(Forbidden::NotBuyer));
            }
            if status != OrderStatus::Delivered {
                return Err(transition("request a return of", status));
            }
            if reason == ReturnReason::ChangedMind && !policy.change_of_mind {
                return Err(DomainError::ReturnNotAccepted);
            }
            Ok(vec![OrderEvent::ReturnRequested { reason }])
        }
        OrderCommand::AcceptReturn { actor, refund } => {
            if actor != order.seller_id {
                return Err(DomainError::Forbidden(Forbidden::NotSeller));
            }
            if status != OrderStatus::ReturnRequested {
                return Err(transition("accept a return of", status));
            }
            if refund == Money::ZERO || refund > order.price {
                return Err(
                    ValidationError::new("refund", "must be between 1 won and the amount paid").into()
                );
            }
            Ok(vec![OrderEvent::RefundGranted { granted_by: actor, amount: refund }])
        }
        OrderCommand::OpenDispute { actor, reason } => {
            if !order.is_participant(actor) {
                return Err(DomainError::Forbidden(Forbidden::NotParticipant));
            }
            match status {
                OrderStatus::Paid
                | OrderStatus::Shipped
                | OrderStatus::Delivered
                | OrderStatus::ReturnRequested => {
                    Ok(vec![OrderEvent::DisputeOpened { opened_by: actor, reason }])
                }
                _ => Err(transition("open a dispute on", status)),
            }
        }
        OrderCommand::ResolveDispute { agent, resolution } => {
            if order.is_participant(agent) {
                return Err(DomainError::Forbidden(Forbidden::OwnTrade));
            }
            if status != OrderStatus::Disputed {
                return Err(transition("resolve a dispute on", status));
            }
            if let DisputeResolution::Split { refund } = resolution
                && (refund == Money::ZERO || refund >= order.price)
            {
                return Err(ValidationError::new(
                    "refund",
                    "a split refunds more than 0 won and less than the amount paid",
                )
                .into());
            }
            Ok(vec![OrderEvent::DisputeResolved { resolved_by: agent, resolution }])
        }
        _ => Err(transition("decide", status)),
    }
}
