//! Order: placed → paid → shipped → delivered → completed, cancelled before shipment, expired,
//! returned after delivery, or disputed and resolved by staff.

use jangteo_domain::{
    AccountId, DisputeReason, DisputeResolution as R, DomainError, Forbidden, Kind, PaymentMethod,
    ReturnReason, ValidationError,
    order::{
        OrderCommand as C, OrderDeadline as D, OrderEvent as E, OrderItem, OrderState, ReturnPolicy,
        ShipmentStage,
    },
};
use uuid::Uuid;

use crate::{
    fixtures::{
        BUYER, CARRIER, ESCROW, LISTING, ORDER, SELLER, STRANGER, gateway_payment, reason, tracking, won,
    },
    support::{Case, run},
};

fn placed_event() -> E {
    E::OrderPlaced {
        order_id: ORDER,
        buyer_id: BUYER,
        seller_id: SELLER,
        items: vec![item()],
        shipping_fee: won(0),
        price: won(900_000),
    }
}

fn paid_event() -> E {
    E::OrderPaid {
        escrow_id: ESCROW,
        method: PaymentMethod::Card,
        amount: won(900_000),
        payment: Some(gateway_payment()),
    }
}

fn placed() -> Vec<E> {
    vec![placed_event()]
}

fn paid() -> Vec<E> {
    vec![placed_event(), paid_event()]
}

fn shipped() -> Vec<E> {
    vec![placed_event(), paid_event(), E::OrderShipped { carrier: CARRIER, tracking_number: tracking() }]
}

fn completed() -> Vec<E> {
    let mut events = shipped();
    events.push(E::OrderCompleted {});
    events
}

fn cancelled() -> Vec<E> {
    vec![placed_event(), E::OrderCancelled { cancelled_by: BUYER, reason: reason(), refund_due: false }]
}

/// Items of listings numbered `ids`, at 900,000 won each.
fn bundle(ids: &[u128]) -> Vec<OrderItem> {
    ids.iter()
        .map(|id| OrderItem {
            listing_id: jangteo_domain::ListingId::from_uuid(Uuid::from_u128(*id)),
            price: won(900_000),
            units: 1,
        })
        .collect()
}

fn item() -> OrderItem {
    OrderItem { listing_id: LISTING, price: won(900_000), units: 1 }
}

fn place(buyer: jangteo_domain::AccountId) -> C {
    C::Place {
        order_id: ORDER,
        buyer_id: buyer,
        seller_id: SELLER,
        items: vec![item()],
        shipping_fee: won(0),
    }
}

fn pay(actor: jangteo_domain::AccountId, amount: i64) -> C {
    C::Pay {
        actor,
        escrow_id: ESCROW,
        method: PaymentMethod::Card,
        amount: won(amount),
        payment: gateway_payment(),
    }
}

fn ship(actor: jangteo_domain::AccountId) -> C {
    C::Ship { actor, carrier: CARRIER, tracking_number: tracking() }
}

fn cancel(actor: jangteo_domain::AccountId) -> C {
    C::Cancel { actor, reason: reason() }
}

fn refused(action: &'static str, status: &'static str) -> Result<Vec<E>, DomainError> {
    Err(DomainError::InvalidTransition { kind: Kind::Order, action, status })
}

/// Staff who decide disputes (not a party to the trade).
const AGENT: AccountId = AccountId::from_uuid(Uuid::from_u128(4));

fn delivered() -> Vec<E> {
    [shipped(), vec![E::OrderDelivered {}]].concat()
}

fn return_requested() -> Vec<E> {
    [delivered(), vec![E::ReturnRequested { reason: ReturnReason::Damaged }]].concat()
}

fn grievance() -> DisputeReason {
    DisputeReason::parse("사진과 다른 물건이 왔어요").unwrap()
}

fn disputed_after(before: Vec<E>, by: AccountId) -> Vec<E> {
    [before, vec![E::DisputeOpened { opened_by: by, reason: grievance() }]].concat()
}

fn request_return(actor: AccountId, reason: ReturnReason, change_of_mind: bool) -> C {
    C::RequestReturn { actor, reason, policy: ReturnPolicy { change_of_mind } }
}

fn open_dispute(actor: AccountId) -> C {
    C::OpenDispute { actor, reason: grievance() }
}

fn resolve(agent: AccountId, resolution: R) -> C {
    C::ResolveDispute { agent, resolution }
}

#[test]
fn return_and_dispute_decisions() {
    let split = |refund: i64| R::Split { refund: won(refund) };
    let invalid_split = || {
        Err(ValidationError::new("refund", "a split refunds more than 0 won and less than the amount paid")
            .into())
    };
    let invalid_refund =
        || Err(ValidationError::new("refund", "must be between 1 won and the amount paid").into());
    run::<OrderState>(vec![
        Case {
            name: "buyer asks to return a damaged item",
            given: delivered(),
            when: request_return(BUYER, ReturnReason::Damaged, false),
            then: Ok(vec![E::ReturnRequested { reason: ReturnReason::Damaged }]),
        },
        Case {
            name: "change of mind without a cooling-off rule",
            given: delivered(),
            when: request_return(BUYER, ReturnReason::ChangedMind, false),
            then: Err(DomainError::ReturnNotAccepted),
        },
        Case {
            name: "change of mind under a cooling-off rule",
            given: delivered(),
            when: request_return(BUYER, ReturnReason::ChangedMind, true),
            then: Ok(vec![E::ReturnRequested { reason: ReturnReason::ChangedMind }]),
        },
        Case {
            name: "seller asks for a return",
            given: delivered(),
            when: request_return(SELLER, ReturnReason::Damaged, true),
            then: Err(DomainError::Forbidden(Forbidden::NotBuyer)),
        },
        Case {
            name: "return before delivery",
            given: shipped(),
            when: request_return(BUYER, ReturnReason::Damaged, true),
            then: refused("request a return of", "shipped"),
        },
        Case {
            name: "return after completion (the protection window ran out)",
            given: completed(),
            when: request_return(BUYER, ReturnReason::NotAsDescribed, true),
            then: refused("request a return of", "completed"),
        },
        Case {
            name: "return requested twice",
            given: return_requested(),
            when: request_return(BUYER, ReturnReason::Damaged, true),
            then: refused("request a return of", "return_requested"),
        },
        Case {
            name: "no auto-confirmation while a return is requested",
            given: return_requested(),
            when: C::AutoConfirm,
            then: refused("auto-confirm", "return_requested"),
        },
        Case {
            name: "buyer confirms after all: the request is withdrawn",
            given: return_requested(),
            when: C::ConfirmReceipt { actor: BUYER },
            then: Ok(vec![E::OrderCompleted {}]),
        },
        Case {
            name: "seller grants a full refund",
            given: return_requested(),
            when: C::AcceptReturn { actor: SELLER, refund: won(900_000) },
            then: Ok(vec![E::RefundGranted { granted_by: SELLER, amount: won(900_000) }]),
        },
        Case {
            name: "seller grants a partial refund",
            given: return_requested(),
            when: C::AcceptReturn { actor: SELLER, refund: won(100_000) },
            then: Ok(vec![E::RefundGranted { granted_by: SELLER, amount: won(100_000) }]),
        },
        Case {
            name: "refund above the price",
            given: return_requested(),
            when: C::AcceptReturn { actor: SELLER, refund: won(900_001) },
            then: invalid_refund(),
        },
        Case {
            name: "refund of nothing",
            given: return_requested(),
            when: C::AcceptReturn { actor: SELLER, refund: won(0) },
            then: invalid_refund(),
        },
        Case {
            name: "buyer grants their own return",
            given: return_requested(),
            when: C::AcceptReturn { actor: BUYER, refund: won(900_000) },
            then: Err(DomainError::Forbidden(Forbidden::NotSeller)),
        },
        Case {
            name: "accept a return nobody asked for",
            given: delivered(),
            when: C::AcceptReturn { actor: SELLER, refund: won(900_000) },
            then: refused("accept a return of", "delivered"),
        },
        Case {
            name: "accept a return twice",
            given: [return_requested(), vec![E::RefundGranted { granted_by: SELLER, amount: won(900_000) }]]
                .concat(),
            when: C::AcceptReturn { actor: SELLER, refund: won(900_000) },
            then: refused("accept a return of", "refunded"),
        },
        Case {
            name: "buyer disputes a paid order",
            given: paid(),
            when: open_dispute(BUYER),
            then: Ok(vec![E::DisputeOpened { opened_by: BUYER, reason: grievance() }]),
        },
        Case {
            name: "seller disputes a delivered order",
            given: delivered(),
            when: open_dispute(SELLER),
            then: Ok(vec![E::DisputeOpened { opened_by: SELLER, reason: grievance() }]),
        },
        Case {
            name: "buyer escalates a return request",
            given: return_requested(),
            when: open_dispute(BUYER),
            then: Ok(vec![E::DisputeOpened { opened_by: BUYER, reason: grievance() }]),
        },
        Case {
            name: "a stranger disputes",
            given: paid(),
            when: open_dispute(STRANGER),
            then: Err(DomainError::Forbidden(Forbidden::NotParticipant)),
        },
        Case {
            name: "dispute an unpaid order",
            given: placed(),
            when: open_dispute(BUYER),
            then: refused("open a dispute on", "placed"),
        },
        Case {
            name: "dispute a completed order",
            given: completed(),
            when: open_dispute(BUYER),
            then: refused("open a dispute on", "completed"),
        },
        Case {
            name: "dispute twice",
            given: disputed_after(paid(), BUYER),
            when: open_dispute(SELLER),
            then: refused("open a dispute on", "disputed"),
        },
        Case {
            name: "no auto-confirmation while disputed",
            given: disputed_after(delivered(), BUYER),
            when: C::AutoConfirm,
            then: refused("auto-confirm", "disputed"),
        },
        Case {
            name: "no confirmation while disputed",
            given: disputed_after(delivered(), BUYER),
            when: C::ConfirmReceipt { actor: BUYER },
            then: refused("confirm receipt of", "disputed"),
        },
        Case {
            name: "no cancellation while disputed",
            given: disputed_after(paid(), BUYER),
            when: cancel(SELLER),
            then: refused("cancel", "disputed"),
        },
        Case {
            name: "no shipment expiry while disputed",
            given: disputed_after(paid(), BUYER),
            when: C::Expire { deadline: D::Shipment },
            then: refused("expire", "disputed"),
        },
        Case {
            name: "staff refund the buyer",
            given: disputed_after(delivered(), BUYER),
            when: resolve(AGENT, R::RefundBuyer),
            then: Ok(vec![E::DisputeResolved { resolved_by: AGENT, resolution: R::RefundBuyer }]),
        },
        Case {
            name: "staff release to the seller",
            given: disputed_after(delivered(), BUYER),
            when: resolve(AGENT, R::ReleaseSeller),
            then: Ok(vec![E::DisputeResolved { resolved_by: AGENT, resolution: R::ReleaseSeller }]),
        },
        Case {
            name: "staff split",
            given: disputed_after(delivered(), SELLER),
            when: resolve(AGENT, split(300_000)),
            then: Ok(vec![E::DisputeResolved { resolved_by: AGENT, resolution: split(300_000) }]),
        },
        Case {
            name: "a split of nothing",
            given: disputed_after(delivered(), SELLER),
            when: resolve(AGENT, split(0)),
            then: invalid_split(),
        },
        Case {
            name: "a split of everything",
            given: disputed_after(delivered(), SELLER),
            when: resolve(AGENT, split(900_000)),
            then: invalid_split(),
        },
        Case {
            name: "a party resolves their own dispute",
            given: disputed_after(delivered(), BUYER),
            when: resolve(BUYER, R::RefundBuyer),
            then: Err(DomainError::Forbidden(Forbidden::OwnTrade)),
        },
        Case {
            name: "resolve an undisputed order",
            given: delivered(),
            when: resolve(AGENT, R::ReleaseSeller),
            then: refused("resolve a dispute on", "delivered"),
        },
        Case {
            name: "resolve twice",
            given: [
                disputed_after(delivered(), BUYER),
                vec![E::DisputeResolved { resolved_by: AGENT, resolution: R::ReleaseSeller }],
            ]
            .concat(),
            when: resolve(AGENT, R::RefundBuyer),
            then: refused("resolve a dispute on", "completed"),
        },
        Case {
            name: "dispute after a full refund",
            given: [
                disputed_after(delivered(), BUYER),
                vec![E::DisputeResolved { resolved_by: AGENT, resolution: R::RefundBuyer }],
            ]
            .concat(),
            when: open_dispute(SELLER),
            then: refused("open a dispute on", "refunded"),
        },
    ]);
}

fn forbidden(why: Forbidden) -> Result<Vec<E>, DomainError> {
    Err(DomainError::Forbidden(why))
}

#[test]
fn order_decisions() {
    run::<OrderState>(vec![
        Case { name: "place", given: vec![], when: place(BUYER), then: Ok(placed()) },
        Case {
            name: "place a bundle of one seller's listings with shipping",
            given: vec![],
            when: C::Place {
                order_id: ORDER,
                buyer_id: BUYER,
                seller_id: SELLER,
                items: bundle(&[10, 11]),
                shipping_fee: won(3_500),
            },
            then: Ok(vec![E::OrderPlaced {
                order_id: ORDER,
                buyer_id: BUYER,
                seller_id: SELLER,
                items: bundle(&[10, 11]),
                shipping_fee: won(3_500),
                price: won(2 * 900_000 + 3_500),
            }]),
        },
        Case {
            name: "place nothing",
            given: vec![],
            when: C::Place {
                order_id: ORDER,
                buyer_id: BUYER,
                seller_id: SELLER,
                items: vec![],
                shipping_fee: won(0),
            },
            then: Err(ValidationError::new("items", "must hold 1 to 20 listings").into()),
        },
        Case {
            name: "place a listing twice in one order",
            given: vec![],
            when: C::Place {
                order_id: ORDER,
                buyer_id: BUYER,
                seller_id: SELLER,
                items: bundle(&[10, 10]),
                shipping_fee: won(0),
            },
            then: Err(ValidationError::new("items", "must not repeat a listing").into()),
        },
        Case {
            name: "place more than twenty listings",
            given: vec![],
            when: C::Place {
                order_id: ORDER,
                buyer_id: BUYER,
                seller_id: SELLER,
                items: bundle(&(100..121).collect::<Vec<_>>()),
                shipping_fee: won(0),
            },
            then: Err(ValidationError::new("items", "must hold 1 to 20 listings").into()),
        },
        Case {
            name: "place a bundle costing more than Money::MAX",
            given: vec![],
            when: C::Place {
                order_id: ORDER,
                buyer_id: BUYER,
                seller_id: SELLER,
                items: vec![
                    OrderItem { listing_id: LISTING, price: won(1_000_000_000), units: 1 },
                    OrderItem {
                        listing_id: jangteo_domain::ListingId::from_uuid(Uuid::from_u128(11)),
                        price: won(1),
                        units: 1,
                    },
                ],
                shipping_fee: won(0),
            },
            then: Err(ValidationError::new("items", "must cost at most 1,000,000,000 won in total").into()),
        },
        Case {
            name: "place one's own listing",
            given: vec![],
            when: place(SELLER),
            then: Err(DomainError::BuyerIsSeller),
        },
        Case {
            name: "place twice",
            given: placed(),
            when: place(BUYER),
            then: Err(DomainError::AlreadyExists(Kind::Order)),
        },
        Case {
            name: "pay an absent order",
            given: vec![],
            when: pay(BUYER, 900_000),
            then: Err(DomainError::NotFound(Kind::Order)),
        },
        Case {
            name: "ship an absent order",
            given: vec![],
            when: ship(SELLER),
            then: Err(DomainError::NotFound(Kind::Order)),
        },
        Case { name: "pay", given: placed(), when: pay(BUYER, 900_000), then: Ok(vec![paid_event()]) },
        Case {
            name: "expire unpaid",
            given: placed(),
            when: C::Expire { deadline: D::Payment },
            then: Ok(vec![E::OrderExpired { deadline: D::Payment, refund_due: false }]),
        },
        Case {
            name: "payment deadline of a paid order",
            given: paid(),
            when: C::Expire { deadline: D::Payment },
            then: Err(DomainError::InvalidTransition { kind: Kind::Order, action: "expire", status: "paid" }),
        },
        Case {
            name: "expire paid but not shipped: refund",
            given: paid(),
            when: C::Expire { deadline: D::Shipment },
            then: Ok(vec![E::OrderExpired { deadline: D::Shipment, refund_due: true }]),
        },
        Case {
            name: "shipment deadline of a shipped order",
            given: shipped(),
            when: C::Expire { deadline: D::Shipment },
            then: Err(DomainError::InvalidTransition {
                kind: Kind::Order,
                action: "expire",
                status: "shipped",
            }),
        },
        Case {
            name: "shipment deadline of an unpaid order",
            given: placed(),
            when: C::Expire { deadline: D::Shipment },
            then: Err(DomainError::InvalidTransition {
                kind: Kind::Order,
                action: "expire",
                status: "placed",
            }),
        },
        Case {
            name: "picked up",
            given: shipped(),
            when: C::RecordTransit { stage: ShipmentStage::PickedUp },
            then: Ok(vec![E::ShipmentProgressed { stage: ShipmentStage::PickedUp }]),
        },
        Case {
            name: "further along",
            given: [shipped(), vec![E::ShipmentProgressed { stage: ShipmentStage::PickedUp }]].concat(),
            when: C::RecordTransit { stage: ShipmentStage::OutForDelivery },
            then: Ok(vec![E::ShipmentProgressed { stage: ShipmentStage::OutForDelivery }]),
        },
        Case {
            name: "a stage already passed: nothing new",
            given: [shipped(), vec![E::ShipmentProgressed { stage: ShipmentStage::InTransit }]].concat(),
            when: C::RecordTransit { stage: ShipmentStage::PickedUp },
            then: Ok(vec![]),
        },
        Case {
            name: "a late scan after delivery: nothing new",
            given: [shipped(), vec![E::OrderDelivered {}]].concat(),
            when: C::RecordTransit { stage: ShipmentStage::InTransit },
            then: Ok(vec![]),
        },
        Case {
            name: "transit of an unshipped order",
            given: paid(),
            when: C::RecordTransit { stage: ShipmentStage::InTransit },
            then: refused("record the transit of", "paid"),
        },
        Case {
            name: "delivered",
            given: shipped(),
            when: C::RecordDelivery,
            then: Ok(vec![E::OrderDelivered {}]),
        },
        Case {
            name: "delivered again: nothing new",
            given: [shipped(), vec![E::OrderDelivered {}]].concat(),
            when: C::RecordDelivery,
            then: Ok(vec![]),
        },
        Case {
            name: "delivery of an unshipped order",
            given: paid(),
            when: C::RecordDelivery,
            then: Err(DomainError::InvalidTransition {
                kind: Kind::Order,
                action: "record the delivery of",
                status: "paid",
            }),
        },
        Case {
            name: "confirm a delivered order",
            given: [shipped(), vec![E::OrderDelivered {}]].concat(),
            when: C::ConfirmReceipt { actor: BUYER },
            then: Ok(vec![E::OrderCompleted {}]),
        },
        Case {
            name: "auto-confirm after the protection window",
            given: [shipped(), vec![E::OrderDelivered {}]].concat(),
            when: C::AutoConfirm,
            then: Ok(vec![E::OrderCompleted {}]),
        },
        Case {
            name: "auto-confirm before delivery",
            given: shipped(),
            when: C::AutoConfirm,
            then: Err(DomainError::InvalidTransition {
                kind: Kind::Order,
                action: "auto-confirm",
                status: "shipped",
            }),
        },
        Case {
            name: "cancel a delivered order",
            given: [shipped(), vec![E::OrderDelivered {}]].concat(),
            when: C::Cancel { actor: BUYER, reason: reason() },
            then: Err(DomainError::InvalidTransition {
                kind: Kind::Order,
                action: "cancel",
                status: "delivered",
            }),
        },
        Case {
            name: "expire an absent order",
            given: vec![],
            when: C::Expire { deadline: D::Payment },
            then: Err(DomainError::NotFound(Kind::Order)),
        },
        Case {
            name: "pay an expired order",
            given: [placed(), vec![E::OrderExpired { deadline: D::Payment, refund_due: false }]].concat(),
            when: pay(BUYER, 900_000),
            then: Err(DomainError::InvalidTransition {
                kind: Kind::Order,
                action: "pay",
                status: "cancelled",
            }),
        },
        Case {
            name: "pay by the seller",
            given: placed(),
            when: pay(SELLER, 900_000),
            then: forbidden(Forbidden::NotBuyer),
        },
        Case {
            name: "pay by a stranger",
            given: placed(),
            when: pay(STRANGER, 900_000),
            then: forbidden(Forbidden::NotBuyer),
        },
        Case {
            name: "pay the wrong amount",
            given: placed(),
            when: pay(BUYER, 899_999),
            then: Err(DomainError::AmountMismatch { expected: 900_000, given: 899_999 }),
        },
        Case { name: "pay twice", given: paid(), when: pay(BUYER, 900_000), then: refused("pay", "paid") },
        Case {
            name: "pay a cancelled order",
            given: cancelled(),
            when: pay(BUYER, 900_000),
            then: refused("pay", "cancelled"),
        },
        Case {
            name: "ship after payment",
            given: paid(),
            when: ship(SELLER),
            then: Ok(vec![E::OrderShipped { carrier: CARRIER, tracking_number: tracking() }]),
        },
        Case {
            name: "ship by the buyer",
            given: paid(),
            when: ship(BUYER),
            then: forbidden(Forbidden::NotSeller),
        },
        Case {
            name: "ship before payment",
            given: placed(),
            when: ship(SELLER),
            then: refused("ship", "placed"),
        },
        Case { name: "ship twice", given: shipped(), when: ship(SELLER), then: refused("ship", "shipped") },
        Case {
            name: "confirm receipt",
            given: shipped(),
            when: C::ConfirmReceipt { actor: BUYER },
            then: Ok(vec![E::OrderCompleted {}]),
        },
        Case {
            name: "confirm by the seller",
            given: shipped(),
            when: C::ConfirmReceipt { actor: SELLER },
            then: forbidden(Forbidden::NotBuyer),
        },
        Case {
            name: "confirm before shipment",
            given: paid(),
            when: C::ConfirmReceipt { actor: BUYER },
            then: refused("confirm receipt of", "paid"),
        },
        Case {
            name: "confirm twice",
            given: completed(),
            when: C::ConfirmReceipt { actor: BUYER },
            then: refused("confirm receipt of", "completed"),
        },
        Case {
            name: "buyer cancels before payment",
            given: placed(),
            when: cancel(BUYER),
            then: Ok(vec![E::OrderCancelled { cancelled_by: BUYER, reason: reason(), refund_due: false }]),
        },
        Case {
            name: "seller cancels after payment: refund due",
            given: paid(),
            when: cancel(SELLER),
            then: Ok(vec![E::OrderCancelled { cancelled_by: SELLER, reason: reason(), refund_due: true }]),
        },
        Case {
            name: "a stranger cancels",
            given: paid(),
            when: cancel(STRANGER),
            then: forbidden(Forbidden::NotParticipant),
        },
        Case {
            name: "cancel after shipment",
            given: shipped(),
            when: cancel(BUYER),
            then: refused("cancel", "shipped"),
        },
        Case {
            name: "cancel after completion",
            given: completed(),
            when: cancel(BUYER),
            then: refused("cancel", "completed"),
        },
        Case {
            name: "cancel twice",
            given: cancelled(),
            when: cancel(SELLER),
            then: refused("cancel", "cancelled"),
        },
    ]);
}
