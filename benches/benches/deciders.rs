//! The pure command path: rebuilding an order from its events and deciding the next command.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "benchmark set-up")]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use jangteo_domain::{
    AccountId, Aggregate, Carrier, DomainEvent, EscrowId, ListingId, Money, OrderId, PaymentMethod,
    TrackingNumber,
    order::{OrderCommand, OrderEvent, OrderState},
};
use uuid::Uuid;

fn shipped_order() -> (AccountId, Vec<OrderEvent>) {
    let buyer = AccountId::from_uuid(Uuid::from_u128(1));
    let events = vec![
        OrderEvent::OrderPlaced {
            order_id: OrderId::from_uuid(Uuid::from_u128(10)),
            buyer_id: buyer,
            seller_id: AccountId::from_uuid(Uuid::from_u128(2)),
            items: vec![jangteo_domain::order::OrderItem {
                listing_id: ListingId::from_uuid(Uuid::from_u128(20)),
                price: Money::won(950_000).unwrap(),
                units: 1,
            }],
            shipping_fee: Money::ZERO,
            price: Money::won(950_000).unwrap(),
        },
        OrderEvent::OrderPaid {
            escrow_id: EscrowId::from_uuid(Uuid::from_u128(30)),
            method: PaymentMethod::Card,
            amount: Money::won(950_000).unwrap(),
            payment: Some(jangteo_domain::GatewayPayment {
                gateway: jangteo_domain::Gateway::TossPayments,
                payment_key: jangteo_domain::PaymentKey::parse("tgen_20261126_abc").unwrap(),
            }),
        },
        OrderEvent::OrderShipped {
            carrier: Carrier::CjLogistics,
            tracking_number: TrackingNumber::parse("630612345678").unwrap(),
        },
    ];
    (buyer, events)
}

fn deciders(c: &mut Criterion) {
    let (buyer, events) = shipped_order();
    c.bench_function("order: replay 3 events + decide confirm", |b| {
        b.iter(|| {
            let state = OrderState::replay(black_box(&events));
            black_box(state.decide(OrderCommand::ConfirmReceipt { actor: buyer }))
        });
    });
    let stored: Vec<(String, serde_json::Value)> =
        events.iter().map(|e| (e.event_type().to_owned(), e.to_payload().unwrap())).collect();
    c.bench_function("order: decode 3 stored events + replay", |b| {
        b.iter(|| {
            let decoded: Vec<OrderEvent> = stored
                .iter()
                .map(|(event_type, payload)| {
                    OrderEvent::from_payload(event_type, 1, payload.clone()).unwrap()
                })
                .collect();
            black_box(OrderState::replay(&decoded))
        });
    });
}

criterion_group!(benches, deciders);
criterion_main!(benches);
