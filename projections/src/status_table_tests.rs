//! Property tests: a document's status is the replayed aggregate's, for any sequence of commands
//! the domain accepts. The projections take statuses from the domain's one table
//! (`OrderStatus::after`, `EscrowBalance::after`, `listing::status_after`); these tests pin that
//! they stay equal, with the escrow moved by the domain's trade table as the application moves it.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "a failed expectation is a failed test")]

use chrono::Utc;
use jangteo_domain::{
    AccountId, Aggregate, CancelReason, Carrier, CategoryId, Description, DisputeReason, DisputeResolution,
    DomainEvent, EscrowId, Gateway, GatewayPayment, ImageId, ListingId, Money, OrderId, PaymentKey,
    PaymentMethod, RejectionReason, ReturnReason, Title, TrackingNumber,
    escrow::EscrowState,
    listing::{
        GeoPoint, ImageDigest, ImageKind, ListingCommand, ListingDraft, ListingImage, ListingState, Quantity,
    },
    moderation::{ReviewReason, Screening},
    order::{OrderCommand, OrderDeadline, OrderItem, OrderState, ReturnPolicy, ShipmentStage},
    trade,
};
use jangteo_event_store::{ActorRole, EventMetadata, RecordedEvent};
use jangteo_read_models::ListingStatusView;
use proptest::prelude::*;
use uuid::Uuid;

const BUYER: AccountId = AccountId::from_uuid(Uuid::from_u128(1));
const SELLER: AccountId = AccountId::from_uuid(Uuid::from_u128(2));
const AGENT: AccountId = AccountId::from_uuid(Uuid::from_u128(3));

/// A stored form of a decided event, as a projection receives it.
fn recorded<E: DomainEvent>(stream_type: &str, stream_id: Uuid, version: u64, event: &E) -> RecordedEvent {
    RecordedEvent {
        global_position: version,
        event_id: Uuid::now_v7(),
        stream_id,
        stream_type: stream_type.to_owned(),
        version,
        event_type: event.event_type().to_owned(),
        schema_version: event.schema_version(),
        payload: event.to_payload().unwrap(),
        metadata: EventMetadata {
            actor_id: None,
            actor_role: ActorRole::System,
            command_id: Uuid::now_v7(),
            correlation_id: stream_id,
            causation_id: None,
        },
        recorded_at: Utc::now(),
    }
}

fn order_command(choice: u8, price: Money) -> OrderCommand {
    let part = Money::won(price.as_won() / 2).unwrap();
    match choice % 16 {
        0 => OrderCommand::Pay {
            actor: BUYER,
            escrow_id: EscrowId::from_uuid(Uuid::from_u128(9)),
            method: PaymentMethod::Card,
            amount: price,
            payment: GatewayPayment {
                gateway: Gateway::Simulated,
                payment_key: PaymentKey::parse("sim-1").unwrap(),
            },
        },
        1 => OrderCommand::Ship {
            actor: SELLER,
            carrier: Carrier::CjLogistics,
            tracking_number: TrackingNumber::parse("630612345678").unwrap(),
        },
        2 => OrderCommand::RecordTransit { stage: ShipmentStage::InTransit },
        3 => OrderCommand::RecordDelivery,
        4 => OrderCommand::ConfirmReceipt { actor: BUYER },
        5 => OrderCommand::AutoConfirm,
        6 => OrderCommand::Cancel { actor: BUYER, reason: CancelReason::parse("변심").unwrap() },
        7 => OrderCommand::Cancel { actor: SELLER, reason: CancelReason::parse("품절").unwrap() },
        8 => OrderCommand::Expire { deadline: OrderDeadline::Payment },
        9 => OrderCommand::Expire { deadline: OrderDeadline::Shipment },
        10 => OrderCommand::RequestReturn {
            actor: BUYER,
            reason: ReturnReason::NotAsDescribed,
            policy: ReturnPolicy { change_of_mind: false },
        },
        11 => OrderCommand::AcceptReturn { actor: SELLER, refund: price },
        12 => OrderCommand::AcceptReturn { actor: SELLER, refund: part },
        13 => OrderCommand::OpenDispute { actor: BUYER, reason: DisputeReason::parse("파손").unwrap() },
        14 => OrderCommand::ResolveDispute { agent: AGENT, resolution: DisputeResolution::RefundBuyer },
        _ => OrderCommand::ResolveDispute {
            agent: AGENT,
            resolution: DisputeResolution::Split { refund: part },
        },
    }
}

fn listing_command(choice: u8) -> ListingCommand {
    let order_id = OrderId::from_uuid(Uuid::from_u128(7 + u128::from(choice % 3)));
    let image_id = ImageId::from_uuid(Uuid::from_u128(20 + u128::from(choice % 2)));
    match choice % 14 {
        0 => ListingCommand::Publish { actor: SELLER, screening: Screening::Approved },
        1 => ListingCommand::Publish {
            actor: SELLER,
            screening: Screening::NeedsReview(vec![ReviewReason::BannedWords]),
        },
        2 => ListingCommand::Edit {
            actor: SELLER,
            title: Some(Title::parse("새 제목").unwrap()),
            description: None,
            price: Some(Money::won(12_000).unwrap()),
            category_id: Some(CategoryId::parse("bikes").unwrap()),
            quantity: Some(Quantity::new(u32::from(choice % 4) + 1).unwrap()),
            location: Some((GeoPoint::new(37.5665, 126.978).unwrap(), None)),
        },
        3 => ListingCommand::Reserve { order_id, buyer_id: BUYER, units: u32::from(choice % 2) + 1 },
        4 => ListingCommand::ReleaseReservation { order_id },
        5 => ListingCommand::MarkSold { order_id },
        6 => ListingCommand::Withdraw { actor: SELLER },
        7 => ListingCommand::Approve { admin: AGENT },
        8 => ListingCommand::Reject {
            admin: AGENT,
            reason: RejectionReason::parse("사진이 없어요").unwrap(),
        },
        9 => ListingCommand::Bump {
            actor: SELLER,
            at: Utc::now() + chrono::TimeDelta::days(i64::from(choice)),
        },
        10 => ListingCommand::AddImage {
            actor: SELLER,
            image: ListingImage {
                image_id,
                kind: ImageKind::Jpeg,
                sha256: ImageDigest::parse(&"ab".repeat(32)).unwrap(),
                width: 640,
                height: 480,
                size: 1_000,
            },
        },
        11 => ListingCommand::RemoveImage { actor: SELLER, image_id },
        12 => ListingCommand::ReorderImages {
            actor: SELLER,
            image_ids: vec![ImageId::from_uuid(Uuid::from_u128(21)), ImageId::from_uuid(Uuid::from_u128(20))],
        },
        _ => ListingCommand::Reserve { order_id, buyer_id: BUYER, units: 1 },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn order_documents_show_the_replayed_orders_and_escrows_status(choices in prop::collection::vec(any::<u8>(), 0..48)) {
        let order_id = OrderId::from_uuid(Uuid::from_u128(5));
        let price = Money::won(40_000).unwrap();
        let item = OrderItem { listing_id: ListingId::from_uuid(Uuid::from_u128(6)), price, units: 1 };
        let place = OrderCommand::Place {
            order_id, buyer_id: BUYER, seller_id: SELLER, items: vec![item], shipping_fee: Money::ZERO,
        };
        let mut state = OrderState::default();
        let mut escrow = EscrowState::default();
        let mut document = None;
        let (mut version, mut escrow_version) = (0, 0);
        let mut steps = vec![state.decide(place).unwrap()];
        for choice in &choices {
            // The first command from `choice` on that the order accepts now, so that every step
            // moves the order along and the deep paths (returns, disputes, refunds) are reached.
            let current = steps.iter().flatten().fold(OrderState::default(), OrderState::evolve);
            if let Some(events) = (0..16).find_map(|k| current.decide(order_command(choice.wrapping_add(k), price)).ok()) {
                steps.push(events);
            }
        }
        for events in steps {
            for event in events {
                version += 1;
                state = state.evolve(&event);
                let stored = recorded(OrderState::STREAM_TYPE, order_id.as_uuid(), version, &event);
                document = crate::order_documents::fold_order(document.clone(), &event, &stored).unwrap().or(document);
                let OrderState::Present(order) = &state else { panic!("an order event left no order") };
                prop_assert_eq!(document.as_ref().map(|d| d.status), Some(order.status), "after {}", stored.event_type);
                // The escrow's follow-ups, as the application carries them out.
                let Some(command) = trade::follow_up(order, &event).escrow else { continue };
                let escrow_id = order.escrow_id.expect("a paid order has an escrow").as_uuid();
                for escrow_event in escrow.decide(command).expect("the trade table's follow-ups are accepted") {
                    escrow_version += 1;
                    escrow = escrow.evolve(&escrow_event);
                    let stored = recorded(EscrowState::STREAM_TYPE, escrow_id, escrow_version, &escrow_event);
                    document = crate::order_documents::fold_escrow(document.clone(), &escrow_event, &stored)
                        .unwrap()
                        .or(document);
                    let (EscrowState::Present(held), Some(shown)) = (&escrow, &document) else {
                        panic!("an escrow event left no escrow")
                    };
                    prop_assert_eq!(shown.escrow_status, Some(held.status), "after {}", stored.event_type);
                    prop_assert_eq!((shown.escrow_refunded, shown.escrow_released), (held.refunded, held.released));
                }
            }
        }
    }

    #[test]
    fn listing_documents_show_the_replayed_listings_status(choices in prop::collection::vec(any::<u8>(), 0..48)) {
        let listing_id = ListingId::from_uuid(Uuid::from_u128(4));
        let create = ListingCommand::Create(Box::new(ListingDraft {
            listing_id,
            seller_id: SELLER,
            title: Title::parse("중고 자전거").unwrap(),
            description: Description::parse("").unwrap(),
            price: Money::won(10_000).unwrap(),
            category_id: None,
            quantity: Quantity::new(3).unwrap(),
            location: None,
            neighbourhood: None,
        }));
        let mut state = ListingState::default();
        let mut document = None;
        let mut version = 0;
        let mut steps = vec![state.decide(create).unwrap()];
        for choice in &choices {
            let current = steps.iter().flatten().fold(ListingState::default(), ListingState::evolve);
            if let Some(events) = (0..14).find_map(|k| current.decide(listing_command(choice.wrapping_add(k))).ok()) {
                steps.push(events);
            }
        }
        for events in steps {
            for event in events {
                version += 1;
                state = state.evolve(&event);
                let stored = recorded(ListingState::STREAM_TYPE, listing_id.as_uuid(), version, &event);
                document = crate::listing_documents::fold(document.clone(), &stored).unwrap().or(document);
                let ListingState::Present(listing) = &state else { panic!("a listing event left no listing") };
                let shown = document.as_ref().map(|d| d.status);
                prop_assert_eq!(shown, Some(ListingStatusView::from(&listing.status)), "after {}", stored.event_type);
                let Some(shown) = document.as_ref() else { panic!("no document") };
                prop_assert_eq!(shown.price, listing.price);
                prop_assert_eq!((shown.quantity, shown.available), (listing.stock.quantity, listing.stock.available));
                prop_assert_eq!(&shown.category_id, &listing.category_id);
                prop_assert_eq!(&shown.images, &listing.images);
                prop_assert_eq!(shown.location, listing.location);
                prop_assert_eq!(shown.bumped_at, listing.last_bumped_at);
            }
        }
    }
}
