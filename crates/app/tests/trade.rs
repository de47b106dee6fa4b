//! The application layer against a real (SQLite, temporary) event store: placing and paying are
//! atomic across aggregates, and the process manager's reactions apply once however often it
//! sees their cause.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with expect/unwrap")]

use std::sync::Arc;

use jangteo_app::{
    Actor, AppError, CommandContext, DeadlinePolicy, Deadlines, Listings, ManualClock, NewListing, Orders,
    PaymentRequest, ShipmentTracking, process_manager::TradeProcessManager,
};
use jangteo_domain::{
    AccountId, CancelReason, Carrier, Description, DomainError, ListingId, Money, PaymentMethod, Title,
    TrackingNumber,
};
use jangteo_event_store::{EventStore, sqlite::SqliteEventStore};
use jangteo_payments::{
    CancelPayment, PaymentError, PaymentGateway, PaymentKey, simulated::SimulatedGateway,
};
use jangteo_shipping::{CourierTracker, Tracking, TrackingError, TrackingEvent, TrackingStatus};
use uuid::Uuid;

struct World {
    _dir: tempfile::TempDir,
    store: Arc<dyn EventStore>,
    listings: Listings,
    orders: Orders,
    gateway: Arc<SimulatedGateway>,
    seller: AccountId,
    buyer: AccountId,
}

async fn world() -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let store: Arc<dyn EventStore> =
        Arc::new(SqliteEventStore::open(&dir.path().join("events.sqlite")).await.expect("open store"));
    let gateway = Arc::new(SimulatedGateway::new());
    World {
        listings: Listings::new(Arc::clone(&store)),
        orders: Orders::new(Arc::clone(&store), Arc::clone(&gateway) as _),
        gateway,
        store,
        _dir: dir,
        seller: AccountId::from_uuid(Uuid::now_v7()),
        buyer: AccountId::from_uuid(Uuid::now_v7()),
    }
}

async fn on_sale(world: &World) -> ListingId {
    let listing = NewListing {
        title: Title::parse("캠핑 의자 2개").unwrap(),
        description: Description::parse("한 번 사용").unwrap(),
        price: Money::won(40_000).unwrap(),
        category_id: None,
    };
    let (listing_id, _) = world.listings.create(world.seller, listing).await.unwrap();
    world.listings.publish(world.seller, listing_id).await.unwrap();
    listing_id
}

fn member(account: AccountId) -> CommandContext {
    CommandContext::new(Actor::Member(account))
}

/// Runs the process manager over the whole log and returns how many events the log then holds.
async fn react_to_everything(world: &World) -> u64 {
    let manager = TradeProcessManager::new(Arc::clone(&world.store), Arc::clone(&world.gateway) as _);
    for event in world.store.read_all(0, 10_000).await.unwrap() {
        manager.handle(&event).await.unwrap();
    }
    world.store.head_position().await.unwrap()
}

#[tokio::test]
async fn completion_sells_the_listing_and_releases_the_escrow_exactly_once() {
    let world = world().await;
    let listing_id = on_sale(&world).await;
    let published_at = world.store.head_position().await.unwrap();
    let order = world.orders.place(world.buyer, listing_id, &member(world.buyer)).await.unwrap();
    world
        .orders
        .pay(world.buyer, order.order_id, PaymentRequest::new(PaymentMethod::Card), &member(world.buyer))
        .await
        .unwrap();
    let tracking = TrackingNumber::parse("123456789012").unwrap();
    world
        .orders
        .ship(world.seller, order.order_id, Carrier::Hanjin, tracking, &member(world.seller))
        .await
        .unwrap();
    world.orders.confirm_receipt(world.buyer, order.order_id, &member(world.buyer)).await.unwrap();
    let before = world.store.head_position().await.unwrap();

    let after_first = react_to_everything(&world).await;
    assert_eq!(after_first, before + 2, "one ListingSold and one EscrowReleased");
    let after_second = react_to_everything(&world).await;
    assert_eq!(after_second, after_first, "handling the same events again appends nothing");

    let reactions = world.store.read_all(before, 10).await.unwrap();
    let types: Vec<&str> = reactions.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types, ["ListingSold", "EscrowReleased"]);
    assert!(reactions.iter().all(|e| e.metadata.actor_id.is_none() && e.metadata.causation_id.is_some()));

    // The whole trade, reactions included, shares one correlation id: the order's.
    let trade = world.store.read_all(published_at, 100).await.unwrap();
    assert_eq!(trade.len(), 8);
    assert!(trade.iter().all(|e| e.metadata.correlation_id == order.order_id.as_uuid()));
}

#[tokio::test]
async fn cancelling_a_paid_order_reopens_the_listing_and_refunds() {
    let world = world().await;
    let listing_id = on_sale(&world).await;
    let order = world.orders.place(world.buyer, listing_id, &member(world.buyer)).await.unwrap();
    world
        .orders
        .pay(world.buyer, order.order_id, PaymentRequest::new(PaymentMethod::KakaoPay), &member(world.buyer))
        .await
        .unwrap();
    let reason = CancelReason::parse("단순 변심").unwrap();
    world.orders.cancel(world.buyer, order.order_id, reason, &member(world.buyer)).await.unwrap();
    let before = world.store.head_position().await.unwrap();
    react_to_everything(&world).await;
    let types: Vec<String> =
        world.store.read_all(before, 10).await.unwrap().into_iter().map(|e| e.event_type).collect();
    assert_eq!(types, ["ListingReservationReleased", "EscrowRefunded"]);

    // The gateway gave the money back: nothing is left there to refund.
    let leftover = CancelPayment {
        payment_key: PaymentKey::parse(&format!("sim-{}", order.order_id)).unwrap(),
        order_id: order.order_id,
        reason: "test".to_owned(),
        amount: None,
        idempotency_key: "probe".to_owned(),
    };
    assert_eq!(world.gateway.cancel(&leftover).await, Err(PaymentError::AlreadyRefunded));

    // Back on sale: another buyer can order it now.
    let other = AccountId::from_uuid(Uuid::now_v7());
    world.orders.place(other, listing_id, &member(other)).await.expect("the listing is on sale again");
}

#[tokio::test]
async fn a_reserved_listing_refuses_a_second_order_and_a_retry_returns_the_first() {
    let world = world().await;
    let listing_id = on_sale(&world).await;
    let context = CommandContext::idempotent(Actor::Member(world.buyer), "place_order", "key-1");
    let first = world.orders.place(world.buyer, listing_id, &context).await.unwrap();
    let head = world.store.head_position().await.unwrap();
    let retry = world.orders.place(world.buyer, listing_id, &context).await.unwrap();
    assert_eq!(retry.order_id, first.order_id);
    assert!(retry.receipt.duplicate);
    assert_eq!(world.store.head_position().await.unwrap(), head, "a retry appends nothing");

    let rival = AccountId::from_uuid(Uuid::now_v7());
    let refused = world.orders.place(rival, listing_id, &member(rival)).await;
    assert!(matches!(
        refused,
        Err(AppError::Domain(DomainError::ListingNotAvailable { status: "reserved" }))
    ));
}

#[tokio::test]
async fn concurrent_orders_for_one_listing_have_one_winner() {
    let world = world().await;
    for _ in 0..10 {
        let listing_id = on_sale(&world).await;
        let attempts = (0..8).map(|_| {
            let orders = world.orders.clone();
            let buyer = AccountId::from_uuid(Uuid::now_v7());
            tokio::spawn(async move { orders.place(buyer, listing_id, &member(buyer)).await })
        });
        let results: Vec<_> = futures_join(attempts).await;
        let winners = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(winners, 1);
        assert!(
            results
                .iter()
                .filter_map(|r| r.as_ref().err())
                .all(|e| matches!(e, AppError::Domain(DomainError::ListingNotAvailable { .. })))
        );
    }
}

async fn futures_join<T: Send + 'static>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut results = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        results.push(handle.await.expect("task"));
    }
    results
}

#[tokio::test]
async fn orders_expire_once_when_their_windows_run_out() {
    let world = world().await;
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    let unpaid_listing = on_sale(&world).await;
    let paid_listing = on_sale(&world).await;
    let unpaid = world.orders.place(world.buyer, unpaid_listing, &member(world.buyer)).await.unwrap();
    let paid = world.orders.place(world.buyer, paid_listing, &member(world.buyer)).await.unwrap();
    world
        .orders
        .pay(world.buyer, paid.order_id, PaymentRequest::new(PaymentMethod::Card), &member(world.buyer))
        .await
        .unwrap();
    let scheduler = || {
        Deadlines::new(
            Arc::clone(&world.store),
            world.orders.clone(),
            Arc::clone(&clock) as _,
            DeadlinePolicy::default(),
        )
    };
    // Two schedulers (as after a restart, or two processes) see the same deadlines.
    let (mut first, mut second) = (scheduler(), scheduler());
    first.catch_up().await.unwrap();
    second.catch_up().await.unwrap();

    clock.advance(chrono::TimeDelta::minutes(29));
    assert_eq!(first.fire_due().await.unwrap(), 0, "not due yet");
    clock.advance(chrono::TimeDelta::minutes(2));
    assert_eq!(first.fire_due().await.unwrap(), 1, "only the unpaid order");
    second.fire_due().await.unwrap();

    let expired: Vec<_> = world
        .store
        .read_all(0, 1_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|event| event.event_type == "OrderExpired")
        .collect();
    assert_eq!(expired.len(), 1, "fired twice, expired once");
    assert_eq!(expired[0].stream_id, unpaid.order_id.as_uuid());
    assert_eq!(expired[0].metadata.actor_id, None, "the system did it");
    assert!(expired[0].metadata.causation_id.is_some(), "because of the placement");

    // A scheduler started afresh reads the expiry from the log and fires nothing.
    let mut restarted = scheduler();
    restarted.catch_up().await.unwrap();
    assert_eq!(restarted.fire_due().await.unwrap(), 0);

    // The process manager puts the listing back on sale.
    react_to_everything(&world).await;
    let other = AccountId::from_uuid(Uuid::now_v7());
    world.orders.place(other, unpaid_listing, &member(other)).await.expect("on sale again");

    // The paid order is not shipped within the shipping window: it expires and is refunded.
    restarted.catch_up().await.unwrap();
    clock.advance(chrono::TimeDelta::days(5));
    let before = world.store.head_position().await.unwrap();
    assert!(restarted.fire_due().await.unwrap() >= 1);
    react_to_everything(&world).await;
    let after: Vec<(String, uuid::Uuid)> = world
        .store
        .read_all(before, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|event| event.metadata.correlation_id == paid.order_id.as_uuid())
        .map(|event| (event.event_type, event.stream_id))
        .collect();
    let types: Vec<&str> = after.iter().map(|(event_type, _)| event_type.as_str()).collect();
    assert_eq!(types, ["OrderExpired", "ListingReservationReleased", "EscrowRefunded"]);
}

/// A courier that says "delivered" for every parcel once told so.
struct Courier(std::sync::atomic::AtomicBool);

#[async_trait::async_trait]
impl CourierTracker for Courier {
    async fn track(&self, _: Carrier, _: &TrackingNumber) -> Result<Tracking, TrackingError> {
        let status = if self.0.load(std::sync::atomic::Ordering::SeqCst) {
            TrackingStatus::Delivered
        } else {
            TrackingStatus::InTransit
        };
        Ok(Tracking {
            events: vec![TrackingEvent { time: chrono::Utc::now(), status, description: String::new() }],
        })
    }
}

#[tokio::test]
async fn a_delivered_order_completes_by_itself_after_the_protection_window() {
    let world = world().await;
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    let listing_id = on_sale(&world).await;
    let order = world.orders.place(world.buyer, listing_id, &member(world.buyer)).await.unwrap();
    world
        .orders
        .pay(world.buyer, order.order_id, PaymentRequest::new(PaymentMethod::Card), &member(world.buyer))
        .await
        .unwrap();
    let tracking_number = TrackingNumber::parse("630612345678").unwrap();
    world
        .orders
        .ship(world.seller, order.order_id, Carrier::CjLogistics, tracking_number, &member(world.seller))
        .await
        .unwrap();

    let courier = Arc::new(Courier(std::sync::atomic::AtomicBool::new(false)));
    let mut tracking =
        ShipmentTracking::new(Arc::clone(&world.store), world.orders.clone(), Arc::clone(&courier) as _);
    tracking.catch_up().await.unwrap();
    assert_eq!(tracking.poll().await.unwrap(), 0, "still in transit");
    courier.0.store(true, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(tracking.poll().await.unwrap(), 1);
    assert_eq!(tracking.poll().await.unwrap(), 0, "recorded once");

    let mut deadlines = Deadlines::new(
        Arc::clone(&world.store),
        world.orders.clone(),
        Arc::clone(&clock) as _,
        DeadlinePolicy::default(),
    );
    deadlines.catch_up().await.unwrap();
    clock.advance(chrono::TimeDelta::days(2));
    assert_eq!(deadlines.fire_due().await.unwrap(), 0, "the buyer still has time to object");
    clock.advance(chrono::TimeDelta::days(1) + chrono::TimeDelta::seconds(1));
    assert_eq!(deadlines.fire_due().await.unwrap(), 1);
    react_to_everything(&world).await;

    let trade: Vec<(String, Option<uuid::Uuid>)> = world
        .store
        .read_all(0, 1_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|event| event.metadata.correlation_id == order.order_id.as_uuid())
        .map(|event| (event.event_type, event.metadata.actor_id))
        .collect();
    let tail: Vec<(&str, bool)> = trade
        .iter()
        .rev()
        .take(4)
        .rev()
        .map(|(event_type, actor)| (event_type.as_str(), actor.is_none()))
        .collect();
    assert_eq!(
        tail,
        [("OrderDelivered", true), ("OrderCompleted", true), ("ListingSold", true), ("EscrowReleased", true)],
        "delivered and auto-confirmed by the system, then sold and paid out"
    );
}
