//! Stored form of events and states: names, round trips, upcasting, validation on read.

use jangteo_domain::{
    AreaName, DomainEvent, EventCodecError,
    account::AccountEvent,
    escrow::EscrowEvent,
    listing::{GeoPoint, ListingEvent, Quantity},
    order::OrderEvent,
};
use serde_json::json;

use crate::{
    fixtures::{BUYER, ESCROW, LISTING, ORDER, SELLER, description, title, won},
    listing::one,
};

fn round_trip<E: DomainEvent + PartialEq + std::fmt::Debug>(event: &E) {
    let tagged = serde_json::to_value(event).unwrap();
    assert_eq!(tagged["event_type"], event.event_type(), "the serde tag is the stored name");
    let payload = event.to_payload().unwrap();
    assert!(payload.is_object());
    let back = E::from_payload(event.event_type(), event.schema_version(), payload).unwrap();
    assert_eq!(&back, event);
}

#[test]
fn every_event_round_trips_under_its_name() {
    let listing_events = [
        ListingEvent::ListingCreated {
            listing_id: LISTING,
            seller_id: SELLER,
            title: title("자전거"),
            description: description(""),
            price: won(100),
            category_id: None,
            quantity: Quantity::ONE,
            location: Some(GeoPoint::new(37.5665, 126.978).unwrap()),
            neighbourhood: Some(AreaName::parse("역삼동").unwrap()),
        },
        ListingEvent::ListingPublished {},
        ListingEvent::ListingDetailsChanged { title: Some(title("새 자전거")), description: None },
        ListingEvent::ListingPriceChanged { old_price: won(100), new_price: won(90) },
        ListingEvent::ListingReserved { order_id: ORDER, buyer_id: BUYER, units: 1, stock: one(0, 1, 0) },
        ListingEvent::ListingReservationReleased { order_id: ORDER, units: 1, stock: one(1, 0, 0) },
        ListingEvent::ListingSold { order_id: ORDER, buyer_id: BUYER, units: 1, stock: one(0, 0, 1) },
        ListingEvent::ListingWithdrawn {},
    ];
    listing_events.iter().for_each(round_trip);
    let order_events = [
        OrderEvent::OrderPlaced {
            order_id: ORDER,
            buyer_id: BUYER,
            seller_id: SELLER,
            items: vec![jangteo_domain::order::OrderItem { listing_id: LISTING, price: won(1), units: 1 }],
            shipping_fee: won(3_500),
            price: won(3_501),
        },
        OrderEvent::OrderPaid {
            escrow_id: ESCROW,
            method: jangteo_domain::PaymentMethod::NaverPay,
            amount: won(1),
            payment: Some(crate::fixtures::gateway_payment()),
        },
        OrderEvent::OrderShipped {
            carrier: jangteo_domain::Carrier::Epost,
            tracking_number: crate::fixtures::tracking(),
        },
        OrderEvent::OrderDelivered {},
        OrderEvent::OrderCompleted {},
        OrderEvent::OrderExpired {
            deadline: jangteo_domain::order::OrderDeadline::Shipment,
            refund_due: true,
        },
        OrderEvent::OrderCancelled {
            cancelled_by: BUYER,
            reason: crate::fixtures::reason(),
            refund_due: true,
        },
    ];
    order_events.iter().for_each(round_trip);
    let escrow_events = [
        EscrowEvent::EscrowHeld {
            escrow_id: ESCROW,
            order_id: ORDER,
            buyer_id: BUYER,
            seller_id: SELLER,
            amount: won(1),
        },
        EscrowEvent::EscrowReleased { order_id: ORDER, seller_id: SELLER, amount: won(1) },
        EscrowEvent::EscrowRefunded { order_id: ORDER, buyer_id: BUYER, amount: won(1) },
    ];
    escrow_events.iter().for_each(round_trip);
}

#[test]
fn stored_payloads_are_validated_on_read() {
    let negative_price = json!({
        "listing_id": LISTING, "seller_id": SELLER, "title": "자전거", "description": "", "price": -1,
        "category_id": null
    });
    assert!(matches!(
        ListingEvent::from_payload("ListingCreated", 1, negative_price),
        Err(EventCodecError::Json(_))
    ));
    assert!(ListingEvent::from_payload("NoSuchEvent", 1, json!({})).is_err());
}

#[test]
fn version_1_listing_events_read_back_as_one_unit_with_no_place() {
    let created = json!({
        "listing_id": LISTING, "seller_id": SELLER, "title": "자전거", "description": "", "price": 100,
        "category_id": null
    });
    let Ok(ListingEvent::ListingCreated { quantity, location, neighbourhood, .. }) =
        ListingEvent::from_payload("ListingCreated", 1, created)
    else {
        panic!("a v1 creation reads back");
    };
    assert_eq!((quantity, location, neighbourhood), (Quantity::ONE, None, None));
    let reserved = json!({ "order_id": ORDER, "buyer_id": BUYER });
    assert_eq!(
        ListingEvent::from_payload("ListingReserved", 1, reserved.clone()).unwrap(),
        ListingEvent::ListingReserved { order_id: ORDER, buyer_id: BUYER, units: 1, stock: one(0, 1, 0) }
    );
    assert_eq!(
        ListingEvent::from_payload("ListingSold", 1, reserved).unwrap(),
        ListingEvent::ListingSold { order_id: ORDER, buyer_id: BUYER, units: 1, stock: one(0, 0, 1) }
    );
    assert_eq!(
        ListingEvent::from_payload("ListingReservationReleased", 1, json!({ "order_id": ORDER })).unwrap(),
        ListingEvent::ListingReservationReleased { order_id: ORDER, units: 1, stock: one(1, 0, 0) }
    );
    assert!(ListingEvent::from_payload("ListingPublished", 2, json!({})).is_err());
    assert!(ListingEvent::from_payload("ListingSold", 3, json!({})).is_err());
}

#[test]
fn order_paid_version_1_reads_back_without_a_gateway_payment() {
    let stored_v1 = json!({ "escrow_id": ESCROW, "method": "card", "amount": 5_000 });
    let event = OrderEvent::from_payload("OrderPaid", 1, stored_v1).unwrap();
    assert_eq!(
        event,
        OrderEvent::OrderPaid {
            escrow_id: ESCROW,
            method: jangteo_domain::PaymentMethod::Card,
            amount: won(5_000),
            payment: None
        }
    );
    assert_eq!(event.schema_version(), 2, "new events are written at version 2");
    assert!(OrderEvent::from_payload("OrderPaid", 3, json!({})).is_err());
}

#[test]
fn order_placed_version_1_reads_back_as_a_one_item_order_without_shipping() {
    let stored_v1 = json!({
        "order_id": ORDER, "listing_id": LISTING, "buyer_id": BUYER, "seller_id": SELLER, "price": 9_000
    });
    let event = OrderEvent::from_payload("OrderPlaced", 1, stored_v1).unwrap();
    assert_eq!(
        event,
        OrderEvent::OrderPlaced {
            order_id: ORDER,
            buyer_id: BUYER,
            seller_id: SELLER,
            items: vec![jangteo_domain::order::OrderItem {
                listing_id: LISTING,
                price: won(9_000),
                units: 1
            }],
            shipping_fee: won(0),
            price: won(9_000),
        }
    );
    assert_eq!(event.schema_version(), 2);
}

#[test]
fn unknown_schema_versions_are_refused_not_guessed() {
    assert_eq!(
        ListingEvent::from_payload("ListingPublished", 2, json!({})),
        Err(EventCodecError::UnknownSchemaVersion {
            event_type: "ListingPublished".to_owned(),
            schema_version: 2
        })
    );
}

#[test]
fn account_registrations_of_v1_are_refused_for_the_migration_to_rewrite() {
    let clear = json!({
        "account_id": SELLER,
        "email": "kim@example.com",
        "nickname": "김장터",
        "password_hash": "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
    });
    assert_eq!(
        AccountEvent::from_payload("AccountRegistered", 1, clear),
        Err(EventCodecError::Rewritten { event_type: "AccountRegistered".to_owned(), schema_version: 1 })
    );
}

#[test]
fn sealed_values_are_refused_in_the_clear() {
    assert!(jangteo_domain::SealedText::parse("kim@example.com").is_err());
    assert!(jangteo_domain::SealedText::parse("v1.").is_err());
    assert!(jangteo_domain::SealedText::parse("v1.a+b/c=").is_err());
    assert!(jangteo_domain::SealedText::parse("v1.AbC-_9").is_ok());
}
