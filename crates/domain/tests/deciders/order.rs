//! Order: placed → paid → shipped → completed, or cancelled before shipment.

use jangteo_domain::{
    DomainError, Forbidden, Kind, PaymentMethod,
    order::{OrderCommand as C, OrderDeadline as D, OrderEvent as E, OrderState},
};

use crate::{
    fixtures::{
        BUYER, CARRIER, ESCROW, LISTING, ORDER, SELLER, STRANGER, gateway_payment, reason, tracking, won,
    },
    support::{Case, run},
};

fn placed_event() -> E {
    E::OrderPlaced {
        order_id: ORDER,
        listing_id: LISTING,
        buyer_id: BUYER,
        seller_id: SELLER,
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

fn place(buyer: jangteo_domain::AccountId) -> C {
    C::Place { order_id: ORDER, listing_id: LISTING, buyer_id: buyer, seller_id: SELLER, price: won(900_000) }
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

fn forbidden(why: Forbidden) -> Result<Vec<E>, DomainError> {
    Err(DomainError::Forbidden(why))
}

#[test]
fn order_decisions() {
    run::<OrderState>(vec![
        Case { name: "place", given: vec![], when: place(BUYER), then: Ok(placed()) },
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
