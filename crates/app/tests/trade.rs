//! The application layer against a real (SQLite, temporary) event store: placing and paying are
//! atomic across aggregates, and the process manager's reactions apply once however often it
//! sees their cause.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with expect/unwrap")]

use std::sync::Arc;

use jangteo_app::{
    Actor, AppError, CommandContext, DEFAULT_CACHE_CAPACITY, DeadlinePolicy, Deadlines, Listings,
    ManualClock, NewListing, Orders, PaymentRequest, ShipmentTracking, UnitOfWork,
    process_manager::TradeProcessManager,
};
use jangteo_domain::{
    AccountId, CancelReason, Carrier, Description, DomainError, Gateway, ListingId, Money, PaymentMethod,
    Title, TrackingNumber,
};
use jangteo_event_store::{EventStore, sqlite::SqliteEventStore};
use jangteo_payments::{
    CancelPayment, PaymentError, PaymentGateway, PaymentKey, simulated::SimulatedGateway,
};
use jangteo_shipping::{CourierTracker, Tracking, TrackingError, TrackingEvent, TrackingStatus};
use uuid::Uuid;

struct World {
    dir: tempfile::TempDir,
    store: Arc<dyn EventStore>,
    uow: UnitOfWork,
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
    let uow = UnitOfWork::new(Arc::clone(&store), DEFAULT_CACHE_CAPACITY);
    World {
        listings: Listings::new(&uow),
        orders: Orders::new(&uow, Arc::clone(&gateway) as _),
        gateway,
        store,
        uow,
        dir,
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
        quantity: jangteo_domain::listing::Quantity::ONE,
        location: None,
    };
    let (listing_id, _) = world.listings.create(world.seller, listing).await.unwrap();
    world.listings.publish(world.seller, listing_id).await.unwrap();
    listing_id
}

fn member(account: AccountId) -> CommandContext {
    CommandContext::new(Actor::Member(account))
}

/// Runs the process manager over the whole log, its own reactions included, and returns how many
/// events the log then holds.
async fn react_to_everything(world: &World) -> u64 {
    let manager = TradeProcessManager::new(&world.uow, Arc::clone(&world.gateway) as _);
    let mut position = 0;
    loop {
        let batch = world.store.read_all(position, 10_000).await.unwrap();
        let Some(last) = batch.last() else { break };
        position = last.global_position;
        for event in &batch {
            manager.handle(event).await.unwrap();
        }
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
    assert_eq!(after_first, before + 3, "one ListingSold, one EscrowReleased, one SettlementScheduled");
    let after_second = react_to_everything(&world).await;
    assert_eq!(after_second, after_first, "handling the same events again appends nothing");

    let reactions = world.store.read_all(before, 10).await.unwrap();
    let types: Vec<&str> = reactions.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types, ["ListingSold", "EscrowReleased", "SettlementScheduled"]);
    assert!(reactions.iter().all(|e| e.metadata.actor_id.is_none() && e.metadata.causation_id.is_some()));

    // The whole trade, reactions included, shares one correlation id: the order's.
    let trade = world.store.read_all(published_at, 100).await.unwrap();
    assert_eq!(trade.len(), 9);
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
    assert_eq!(tracking.poll().await.unwrap(), 0, "still in transit, recorded once");
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
        .take(6)
        .rev()
        .map(|(event_type, actor)| (event_type.as_str(), actor.is_none()))
        .collect();
    assert_eq!(
        tail,
        [
            ("ShipmentProgressed", true),
            ("OrderDelivered", true),
            ("OrderCompleted", true),
            ("ListingSold", true),
            ("EscrowReleased", true),
            ("SettlementScheduled", true)
        ],
        "in transit and delivered as tracked, auto-confirmed by the system, then sold, paid out and settled"
    );
}

/// The event types of one trade (events correlated with the order), in log order.
async fn trade_events(world: &World, order_id: jangteo_domain::OrderId) -> Vec<(String, serde_json::Value)> {
    world
        .store
        .read_all(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|event| event.metadata.correlation_id == order_id.as_uuid())
        .map(|event| (event.event_type, event.payload))
        .collect()
}

/// Places, pays, ships and delivers an order; returns its id.
async fn delivered_order(world: &World) -> (ListingId, jangteo_domain::OrderId) {
    let listing_id = on_sale(world).await;
    let order = world.orders.place(world.buyer, listing_id, &member(world.buyer)).await.unwrap();
    let pay = PaymentRequest::new(PaymentMethod::Card);
    world.orders.pay(world.buyer, order.order_id, pay, &member(world.buyer)).await.unwrap();
    let tracking_number = TrackingNumber::parse("630612345678").unwrap();
    world
        .orders
        .ship(world.seller, order.order_id, Carrier::CjLogistics, tracking_number, &member(world.seller))
        .await
        .unwrap();
    world.orders.record_delivery(order.order_id, &CommandContext::new(Actor::System)).await.unwrap();
    (listing_id, order.order_id)
}

async fn dispute_agent(world: &World) -> AccountId {
    let identity = Arc::new(
        jangteo_identity::sqlite::SqliteIdentityStore::open(&world.dir.path().join("identity.sqlite"))
            .await
            .unwrap(),
    );
    let master = jangteo_identity::MasterKey::generate().unwrap().0;
    let vault = jangteo_identity::PersonalDataVault::open(identity.clone(), master).await.unwrap();
    let accounts = jangteo_app::Accounts::new(&world.uow, &vault, identity);
    let email = jangteo_domain::Email::parse("agent@jangteo.example").unwrap();
    let registration = jangteo_app::Registration {
        email: email.clone(),
        nickname: jangteo_domain::Nickname::parse("분쟁담당").unwrap(),
        password: jangteo_app::PlainPassword::parse("a long enough password").unwrap(),
        consents: jangteo_app::ConsentAnswers {
            terms: jangteo_domain::consent::ConsentVersion::parse(jangteo_app::FIRST_POLICY_VERSION).unwrap(),
            privacy: jangteo_domain::consent::ConsentVersion::parse(jangteo_app::FIRST_POLICY_VERSION)
                .unwrap(),
            marketing: true,
        },
    };
    accounts.register(registration).await.unwrap();
    accounts.grant_role(&email, jangteo_domain::account::AccountRole::DisputeAgent).await.unwrap()
}

#[tokio::test]
async fn a_dispute_freezes_the_escrow_until_staff_split_it() {
    let world = world().await;
    let disputes = jangteo_app::Disputes::new(&world.uow, jangteo_domain::order::ReturnPolicy::default());
    let (_, order_id) = delivered_order(&world).await;
    let reason = jangteo_domain::DisputeReason::parse("상품 설명과 달라요").unwrap();
    let opened = disputes.open_dispute(world.buyer, order_id, reason, &member(world.buyer)).await.unwrap();
    assert_eq!(opened.status, jangteo_domain::order::OrderStatus::Disputed);

    // Frozen: neither the buyer's confirmation nor the protection window can release the money.
    let confirm = world.orders.confirm_receipt(world.buyer, order_id, &member(world.buyer)).await;
    assert!(matches!(confirm, Err(AppError::Domain(DomainError::InvalidTransition { .. }))), "{confirm:?}");
    let auto = world.orders.auto_confirm(order_id, &CommandContext::new(Actor::System)).await;
    assert!(matches!(auto, Err(AppError::Domain(DomainError::InvalidTransition { .. }))), "{auto:?}");

    // Only dispute staff decide, and not the parties.
    let split = jangteo_domain::DisputeResolution::Split { refund: Money::won(15_000).unwrap() };
    let by_buyer = disputes.resolve_dispute(world.buyer, order_id, split, &member(world.buyer)).await;
    assert!(
        matches!(
            by_buyer,
            Err(AppError::Domain(DomainError::Forbidden(jangteo_domain::Forbidden::NotAgent)))
        ),
        "{by_buyer:?}"
    );
    let agent = dispute_agent(&world).await;
    let resolved = disputes.resolve_dispute(agent, order_id, split, &member(agent)).await.unwrap();
    assert_eq!(resolved.status, jangteo_domain::order::OrderStatus::Completed);
    react_to_everything(&world).await;
    react_to_everything(&world).await;

    let events = trade_events(&world, order_id).await;
    let names: Vec<&str> = events.iter().map(|(name, _)| name.as_str()).collect();
    let from_dispute = &names[names.iter().position(|n| *n == "DisputeOpened").unwrap()..];
    assert_eq!(
        from_dispute,
        [
            "DisputeOpened",
            "EscrowFrozen",
            "DisputeResolved",
            "ListingSold",
            "EscrowRefunded",
            "EscrowReleased",
            "SettlementScheduled"
        ],
        "frozen with the dispute; split by the resolution, once; the seller's part settled"
    );
    let amount = |name: &str, field: &str| {
        events.iter().find(|(n, _)| n == name).map(|(_, payload)| payload[field].as_i64().unwrap()).unwrap()
    };
    assert_eq!(amount("EscrowRefunded", "amount"), 15_000);
    assert_eq!(amount("EscrowReleased", "amount"), 25_000);
    assert_eq!(amount("SettlementScheduled", "gross"), 25_000);
    assert_eq!(amount("SettlementScheduled", "fee"), 875, "3.5 % of 25,000 won");
    assert_eq!(amount("SettlementScheduled", "payout"), 24_125);

    // The gateway gave back exactly the buyer's part: 25,000 won of the capture remain.
    let rest = world
        .gateway
        .cancel(&CancelPayment {
            payment_key: PaymentKey::parse(&format!("sim-{order_id}")).unwrap(),
            order_id,
            reason: "probe".to_owned(),
            amount: Some(Money::won(25_001).unwrap()),
            idempotency_key: "probe".to_owned(),
        })
        .await;
    assert!(matches!(rest, Err(PaymentError::NotRefundable(_))), "{rest:?}");
}

#[tokio::test]
async fn a_granted_return_refunds_in_full_and_puts_the_listing_back_on_sale() {
    let world = world().await;
    let disputes = jangteo_app::Disputes::new(&world.uow, jangteo_domain::order::ReturnPolicy::default());
    let (listing_id, order_id) = delivered_order(&world).await;

    let changed_mind = disputes
        .request_return(
            world.buyer,
            order_id,
            jangteo_domain::ReturnReason::ChangedMind,
            &member(world.buyer),
        )
        .await;
    assert!(
        matches!(changed_mind, Err(AppError::Domain(DomainError::ReturnNotAccepted))),
        "{changed_mind:?}"
    );
    disputes
        .request_return(world.buyer, order_id, jangteo_domain::ReturnReason::Damaged, &member(world.buyer))
        .await
        .unwrap();
    let full = Money::won(40_000).unwrap();
    let accepted = disputes.accept_return(world.seller, order_id, full, &member(world.seller)).await.unwrap();
    assert_eq!(accepted.status, jangteo_domain::order::OrderStatus::Refunded);
    react_to_everything(&world).await;

    let names: Vec<String> = trade_events(&world, order_id).await.into_iter().map(|(name, _)| name).collect();
    assert_eq!(
        names[names.len() - 4..],
        ["ReturnRequested", "RefundGranted", "ListingReservationReleased", "EscrowRefunded"]
    );
    let rival = AccountId::from_uuid(Uuid::now_v7());
    world.orders.place(rival, listing_id, &member(rival)).await.expect("the returned item is on sale again");
}

#[tokio::test]
async fn a_cooling_off_rule_accepts_returns_for_a_change_of_mind() {
    let world = world().await;
    let policy = jangteo_domain::order::ReturnPolicy { change_of_mind: true };
    let disputes = jangteo_app::Disputes::new(&world.uow, policy);
    let (_, order_id) = delivered_order(&world).await;
    let requested = disputes
        .request_return(
            world.buyer,
            order_id,
            jangteo_domain::ReturnReason::ChangedMind,
            &member(world.buyer),
        )
        .await
        .unwrap();
    assert_eq!(requested.status, jangteo_domain::order::OrderStatus::ReturnRequested);
    let part = Money::won(5_000).unwrap();
    let accepted = disputes.accept_return(world.seller, order_id, part, &member(world.seller)).await.unwrap();
    assert_eq!(
        accepted.status,
        jangteo_domain::order::OrderStatus::Completed,
        "a partial refund: the buyer keeps it"
    );
    react_to_everything(&world).await;
    let names: Vec<String> = trade_events(&world, order_id).await.into_iter().map(|(name, _)| name).collect();
    assert_eq!(
        names[names.len() - 5..],
        ["RefundGranted", "ListingSold", "EscrowRefunded", "EscrowReleased", "SettlementScheduled"]
    );
}

/// The buyer pays through the gateway without Jangteo's confirm call (a virtual-account deposit,
/// say): the simulated gateway captures it directly.
async fn captured_outside(
    world: &World,
    order_id: jangteo_domain::OrderId,
    key: &str,
    amount: i64,
) -> PaymentKey {
    let payment_key = PaymentKey::parse(key).unwrap();
    let capture = jangteo_payments::ConfirmPayment {
        payment_key: payment_key.clone(),
        order_id,
        amount: Money::won(amount).unwrap(),
        idempotency_key: format!("deposit-{key}"),
    };
    world.gateway.confirm(&capture).await.unwrap();
    payment_key
}

#[tokio::test]
async fn a_payment_notification_records_the_payment_once_however_often_it_arrives() {
    let world = world().await;
    let listing_id = on_sale(&world).await;
    let order = world.orders.place(world.buyer, listing_id, &member(world.buyer)).await.unwrap();
    let payment_key = captured_outside(&world, order.order_id, "deposit-1", 40_000).await;
    let notification = jangteo_app::PaymentNotification { order_id: order.order_id, payment_key };

    let first = world.orders.reconcile_payment(&notification, Gateway::TossPayments).await.unwrap();
    assert!(matches!(first, jangteo_app::NotificationOutcome::Recorded(_)), "{first:?}");
    let head = world.store.head_position().await.unwrap();
    let (second, third) = tokio::join!(
        world.orders.reconcile_payment(&notification, Gateway::TossPayments),
        world.orders.reconcile_payment(&notification, Gateway::TossPayments)
    );
    assert_eq!(second.unwrap(), jangteo_app::NotificationOutcome::AlreadyRecorded);
    assert_eq!(third.unwrap(), jangteo_app::NotificationOutcome::AlreadyRecorded);
    assert_eq!(world.store.head_position().await.unwrap(), head, "repeats append nothing");
    let names: Vec<String> =
        trade_events(&world, order.order_id).await.into_iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["ListingReserved", "OrderPlaced", "OrderPaid", "EscrowHeld"]);
}

#[tokio::test]
async fn a_forged_or_late_payment_notification_changes_nothing_and_late_money_goes_back() {
    let world = world().await;
    let first_listing = on_sale(&world).await;
    let second_listing = on_sale(&world).await;
    let first = world.orders.place(world.buyer, first_listing, &member(world.buyer)).await.unwrap();
    let second = world.orders.place(world.buyer, second_listing, &member(world.buyer)).await.unwrap();
    let payment_key = captured_outside(&world, first.order_id, "deposit-2", 40_000).await;
    let head = world.store.head_position().await.unwrap();

    // A notification naming a real payment for another order, or an unknown payment, is refused.
    let forged =
        jangteo_app::PaymentNotification { order_id: second.order_id, payment_key: payment_key.clone() };
    let refused = world.orders.reconcile_payment(&forged, Gateway::TossPayments).await;
    assert!(matches!(refused, Err(AppError::Payment(PaymentError::NotFound))), "{refused:?}");
    let unknown = jangteo_app::PaymentNotification {
        order_id: first.order_id,
        payment_key: PaymentKey::parse("never-captured").unwrap(),
    };
    let refused = world.orders.reconcile_payment(&unknown, Gateway::TossPayments).await;
    assert!(matches!(refused, Err(AppError::Payment(PaymentError::NotFound))), "{refused:?}");
    assert_eq!(world.store.head_position().await.unwrap(), head);

    // The order expired before the deposit was reported: the money goes back to the buyer.
    world
        .orders
        .expire(
            first.order_id,
            jangteo_domain::order::OrderDeadline::Payment,
            &CommandContext::new(Actor::System),
        )
        .await
        .unwrap();
    let late =
        jangteo_app::PaymentNotification { order_id: first.order_id, payment_key: payment_key.clone() };
    let outcome = world.orders.reconcile_payment(&late, Gateway::TossPayments).await.unwrap();
    assert!(matches!(outcome, jangteo_app::NotificationOutcome::Ignored(_)), "{outcome:?}");
    let snapshot = world.gateway.lookup(&payment_key, first.order_id).await.unwrap();
    assert_eq!(snapshot.state, jangteo_payments::PaymentState::Cancelled, "given back");
}

/// The simulated gateway, answering as KG Inicis' escrow through PortOne (the gateway payments
/// are recorded with).
struct EscrowPg(SimulatedGateway);

#[async_trait::async_trait]
impl PaymentGateway for EscrowPg {
    fn gateway(&self) -> jangteo_domain::Gateway {
        jangteo_domain::Gateway::PortOne
    }

    async fn confirm(
        &self,
        request: &jangteo_payments::ConfirmPayment,
    ) -> Result<jangteo_payments::ConfirmedPayment, PaymentError> {
        self.0.confirm(request).await
    }

    async fn cancel(
        &self,
        request: &CancelPayment,
    ) -> Result<jangteo_payments::CancelledPayment, PaymentError> {
        self.0.cancel(request).await
    }

    async fn lookup(
        &self,
        payment_key: &PaymentKey,
        order_id: jangteo_domain::OrderId,
    ) -> Result<jangteo_payments::PaymentSnapshot, PaymentError> {
        self.0.lookup(payment_key, order_id).await
    }
}

/// Records what the escrow PG was told.
#[derive(Default)]
struct Logistics(std::sync::Mutex<Vec<String>>);

#[async_trait::async_trait]
impl jangteo_payments::EscrowLogistics for Logistics {
    async fn register_shipment(
        &self,
        shipment: &jangteo_payments::EscrowShipment,
        _correction: bool,
    ) -> Result<(), PaymentError> {
        let line = format!(
            "shipped {} {} {}",
            shipment.order_id,
            shipment.carrier.id(),
            shipment.tracking_number.as_str()
        );
        self.0.lock().unwrap().push(line);
        Ok(())
    }

    async fn confirm_purchase(
        &self,
        order_id: jangteo_domain::OrderId,
    ) -> Result<chrono::DateTime<chrono::Utc>, PaymentError> {
        self.0.lock().unwrap().push(format!("confirmed {order_id}"));
        Ok(chrono::Utc::now())
    }
}

#[tokio::test]
async fn an_escrow_pg_hears_of_the_shipment_and_the_purchase_confirmation() {
    let world = world().await;
    let gateway: Arc<dyn PaymentGateway> = Arc::new(EscrowPg(SimulatedGateway::new()));
    let orders = Orders::new(&world.uow, Arc::clone(&gateway));
    let listing_id = on_sale(&world).await;
    let order_id = orders.place(world.buyer, listing_id, &member(world.buyer)).await.unwrap().order_id;
    orders
        .pay(world.buyer, order_id, PaymentRequest::new(PaymentMethod::Card), &member(world.buyer))
        .await
        .unwrap();
    let tracking_number = TrackingNumber::parse("630612345678").unwrap();
    orders
        .ship(world.seller, order_id, Carrier::Lotte, tracking_number, &member(world.seller))
        .await
        .unwrap();
    orders.confirm_receipt(world.buyer, order_id, &member(world.buyer)).await.unwrap();

    let logistics = Arc::new(Logistics::default());
    let manager =
        TradeProcessManager::new(&world.uow, gateway).with_escrow_logistics(Arc::clone(&logistics) as _);
    for event in world.store.read_all(0, 10_000).await.unwrap() {
        manager.handle(&event).await.unwrap();
    }
    assert_eq!(
        *logistics.0.lock().unwrap(),
        [format!("shipped {order_id} kr.lotte 630612345678"), format!("confirmed {order_id}")]
    );
    let names: Vec<String> = trade_events(&world, order_id).await.into_iter().map(|(name, _)| name).collect();
    assert!(names.ends_with(&["ListingSold".to_owned(), "EscrowReleased".to_owned()]), "{names:?}");
}
