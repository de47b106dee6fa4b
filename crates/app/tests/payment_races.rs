//! Payments racing each other and the order: many payments of one order capture and record once,
//! a cancellation that lands while the gateway captures gets the capture given back, and a
//! notification naming another amount records nothing.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with expect/unwrap")]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use futures::future::join_all;
use jangteo_app::{
    Actor, AppError, CommandContext, DEFAULT_CACHE_CAPACITY, Listings, NewListing, Orders,
    PaymentNotification, PaymentRequest, UnitOfWork,
};
use jangteo_domain::{
    AccountId, CancelReason, Description, DomainError, Gateway, Money, OrderId, PaymentKey, PaymentMethod,
    Title,
};
use jangteo_event_store::{EventStore, sqlite::SqliteEventStore};
use jangteo_payments::{
    CancelPayment, CancelledPayment, ConfirmPayment, ConfirmedPayment, PaymentError, PaymentGateway,
    PaymentSnapshot, simulated::SimulatedGateway,
};
use tokio::sync::Semaphore;
use uuid::Uuid;

/// The simulated gateway, with captures that wait for the test's go-ahead and a record of every
/// cancellation asked for.
struct HeldGateway {
    inner: SimulatedGateway,
    /// A capture takes one permit before it proceeds; the test adds them.
    go_ahead: Semaphore,
    /// Released once per capture that has started.
    started: Semaphore,
    cancels: Mutex<Vec<CancelPayment>>,
}

#[async_trait]
impl PaymentGateway for HeldGateway {
    fn gateway(&self) -> Gateway {
        self.inner.gateway()
    }

    async fn confirm(&self, request: &ConfirmPayment) -> Result<ConfirmedPayment, PaymentError> {
        self.started.add_permits(1);
        self.go_ahead.acquire().await.unwrap().forget();
        self.inner.confirm(request).await
    }

    async fn cancel(&self, request: &CancelPayment) -> Result<CancelledPayment, PaymentError> {
        self.cancels.lock().unwrap().push(request.clone());
        self.inner.cancel(request).await
    }

    async fn lookup(
        &self,
        payment_key: &PaymentKey,
        order_id: OrderId,
    ) -> Result<PaymentSnapshot, PaymentError> {
        self.inner.lookup(payment_key, order_id).await
    }
}

struct World {
    _dir: tempfile::TempDir,
    store: Arc<dyn EventStore>,
    orders: Orders,
    gateway: Arc<HeldGateway>,
    buyer: AccountId,
    order_id: OrderId,
}

/// A placed order for a fresh listing, with payments going through a held gateway.
async fn placed_order(go_ahead: usize) -> World {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> =
        Arc::new(SqliteEventStore::open(&dir.path().join("events.sqlite")).await.unwrap());
    let gateway = Arc::new(HeldGateway {
        inner: SimulatedGateway::new(),
        go_ahead: Semaphore::new(go_ahead),
        started: Semaphore::new(0),
        cancels: Mutex::new(Vec::new()),
    });
    let uow = UnitOfWork::new(Arc::clone(&store), DEFAULT_CACHE_CAPACITY);
    let listings = Listings::new(&uow);
    let orders = Orders::new(&uow, Arc::clone(&gateway) as _);
    let (seller, buyer) = (AccountId::from_uuid(Uuid::now_v7()), AccountId::from_uuid(Uuid::now_v7()));
    let listing = NewListing {
        title: Title::parse("게이밍 모니터").unwrap(),
        description: Description::parse("").unwrap(),
        price: Money::won(210_000).unwrap(),
        category_id: None,
        quantity: jangteo_domain::listing::Quantity::ONE,
        location: None,
    };
    let (listing_id, _) = listings.create(seller, listing).await.unwrap();
    listings.publish(seller, listing_id).await.unwrap();
    let placed = orders.place(buyer, listing_id, &CommandContext::new(Actor::Member(buyer))).await.unwrap();
    World { _dir: dir, store, orders, gateway, buyer, order_id: placed.order_id }
}

async fn count(world: &World, event_type: &str) -> usize {
    world
        .store
        .read_all(0, 10_000)
        .await
        .unwrap()
        .iter()
        .filter(|event| event.event_type == event_type)
        .count()
}

#[tokio::test]
async fn eight_concurrent_payments_of_one_order_capture_and_record_once() {
    let world = placed_order(8).await;
    let payments = (0..8).map(|_| {
        let context = CommandContext::new(Actor::Member(world.buyer));
        let orders = world.orders.clone();
        let (buyer, order_id) = (world.buyer, world.order_id);
        async move { orders.pay(buyer, order_id, PaymentRequest::new(PaymentMethod::Card), &context).await }
    });
    let answers = join_all(payments).await;
    let fresh =
        answers.iter().filter(|answer| answer.as_ref().is_ok_and(|paid| !paid.receipt.duplicate)).count();
    for answer in &answers {
        let paid = answer.as_ref().expect("every payment of the same capture is answered as paid");
        assert_eq!(paid.status, jangteo_domain::order::OrderStatus::Paid);
    }
    assert_eq!(fresh, 1, "one payment recorded, the others found it recorded");
    assert_eq!((count(&world, "OrderPaid").await, count(&world, "EscrowHeld").await), (1, 1));
    assert!(world.gateway.cancels.lock().unwrap().is_empty(), "nothing to give back");
}

#[tokio::test]
async fn a_cancellation_while_the_gateway_captures_gets_the_capture_given_back() {
    let world = placed_order(0).await;
    let paying = tokio::spawn({
        let orders = world.orders.clone();
        let (buyer, order_id) = (world.buyer, world.order_id);
        async move {
            let context = CommandContext::new(Actor::Member(buyer));
            orders.pay(buyer, order_id, PaymentRequest::new(PaymentMethod::Card), &context).await
        }
    });
    // The capture has started (the order looked payable); the buyer cancels before it returns.
    world.gateway.started.acquire().await.unwrap().forget();
    let reason = CancelReason::parse("다른 곳에서 샀어요").unwrap();
    let context = CommandContext::new(Actor::Member(world.buyer));
    world.orders.cancel(world.buyer, world.order_id, reason, &context).await.unwrap();
    world.gateway.go_ahead.add_permits(1);

    let refused = paying.await.unwrap();
    assert!(
        matches!(refused, Err(AppError::Domain(DomainError::InvalidTransition { .. }))),
        "the payment is refused: {refused:?}"
    );
    let cancels = world.gateway.cancels.lock().unwrap().clone();
    assert_eq!(cancels.len(), 1, "the capture is given back once: {cancels:?}");
    assert_eq!(cancels[0].amount, None, "all of it");
    assert!(cancels[0].idempotency_key.ends_with("-void"), "{}", cancels[0].idempotency_key);
    assert_eq!(count(&world, "OrderPaid").await, 0);
    assert_eq!(count(&world, "EscrowHeld").await, 0);
}

#[tokio::test]
async fn a_notification_for_another_amount_records_nothing() {
    let world = placed_order(1).await;
    // A real capture of the right key but another amount, made outside Jangteo.
    let key = PaymentKey::parse(&format!("sim-{}", world.order_id)).unwrap();
    let capture = ConfirmPayment {
        payment_key: key.clone(),
        order_id: world.order_id,
        amount: Money::won(1_000).unwrap(),
        idempotency_key: "outside".to_owned(),
    };
    world.gateway.confirm(&capture).await.unwrap();
    let notification = PaymentNotification { order_id: world.order_id, payment_key: key };
    let refused = world.orders.reconcile_payment(&notification, Gateway::Simulated).await;
    assert!(
        matches!(
            refused,
            Err(AppError::Payment(PaymentError::AmountMismatch { expected: 210_000, reported: 1_000 }))
        ),
        "{refused:?}"
    );
    assert_eq!(count(&world, "OrderPaid").await, 0);
}
