//! Cart checkout as a saga against a real (SQLite, temporary) event store: one order per seller,
//! every listing reserved or none, compensation when a listing is taken, retries that repeat the
//! same checkout, and racing checkouts that never both win.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with expect/unwrap")]

use std::sync::Arc;

use jangteo_app::{
    Actor, AppError, Carts, Checkouts, CommandContext, DEFAULT_CACHE_CAPACITY, Listings, NewListing, Orders,
    UnitOfWork, process_manager::TradeProcessManager,
};
use jangteo_domain::{
    AccountId, Aggregate, Description, DomainEvent, ListingId, Money, Title,
    listing::{GeoPoint, ListingEvent, ListingState},
    order::{OrderEvent, OrderState, OrderStatus},
};
use jangteo_event_store::{EventStore, sqlite::SqliteEventStore};
use jangteo_payments::{PaymentGateway, simulated::SimulatedGateway};
use jangteo_shipping::fees::{DistanceFees, FeeTable};
use uuid::Uuid;

struct World {
    _dir: tempfile::TempDir,
    store: Arc<dyn EventStore>,
    uow: UnitOfWork,
    listings: Listings,
    orders: Orders,
    carts: Carts,
    checkouts: Checkouts,
    gateway: Arc<dyn PaymentGateway>,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> =
        Arc::new(SqliteEventStore::open(&dir.path().join("events.sqlite")).await.unwrap());
    let gateway: Arc<dyn PaymentGateway> = Arc::new(SimulatedGateway::new());
    let uow = UnitOfWork::new(Arc::clone(&store), DEFAULT_CACHE_CAPACITY);
    let orders = Orders::new(&uow, Arc::clone(&gateway));
    let carts = Carts::new(&uow, Arc::new(FeeTable::standard()));
    World {
        listings: Listings::new(&uow),
        checkouts: Checkouts::new(&uow, orders.clone(), carts.clone()),
        orders,
        carts,
        gateway,
        store,
        uow,
        _dir: dir,
    }
}

fn someone() -> AccountId {
    AccountId::from_uuid(Uuid::now_v7())
}

fn member(account: AccountId) -> CommandContext {
    CommandContext::new(Actor::Member(account))
}

async fn on_sale(world: &World, seller: AccountId, price: i64) -> ListingId {
    let listing = NewListing {
        title: Title::parse("중고 책").unwrap(),
        description: Description::parse("깨끗해요").unwrap(),
        price: Money::won(price).unwrap(),
        category_id: None,
        quantity: jangteo_domain::listing::Quantity::ONE,
        location: None,
    };
    let (listing_id, _) = world.listings.create(seller, listing).await.unwrap();
    world.listings.publish(seller, listing_id).await.unwrap();
    listing_id
}

async fn status(world: &World, listing_id: ListingId) -> &'static str {
    let mut state = ListingState::default();
    for recorded in world.store.read_stream(listing_id.as_uuid(), 0).await.unwrap() {
        let event =
            ListingEvent::from_payload(&recorded.event_type, recorded.schema_version, recorded.payload)
                .unwrap();
        state = state.evolve(&event);
    }
    match state {
        ListingState::Present(listing) => listing.status.name(),
        ListingState::Absent => "absent",
    }
}

async fn order(world: &World, order_id: jangteo_domain::OrderId) -> jangteo_domain::order::Order {
    let mut state = OrderState::default();
    for recorded in world.store.read_stream(order_id.as_uuid(), 0).await.unwrap() {
        let event = OrderEvent::from_payload(&recorded.event_type, recorded.schema_version, recorded.payload)
            .unwrap();
        state = state.evolve(&event);
    }
    match state {
        OrderState::Present(order) => order,
        OrderState::Absent => panic!("no order {order_id}"),
    }
}

/// Runs the process manager over the whole log, its own reactions included.
async fn react_to_everything(world: &World) {
    let manager = TradeProcessManager::new(&world.uow, Arc::clone(&world.gateway));
    let mut position = 0;
    loop {
        let batch = world.store.read_all(position, 10_000).await.unwrap();
        let Some(last) = batch.last() else { break };
        position = last.global_position;
        for event in &batch {
            manager.handle(event).await.unwrap();
        }
    }
}

#[tokio::test]
async fn a_cart_becomes_one_order_per_seller_and_a_retry_repeats_it() {
    let world = world().await;
    let (buyer, first_seller, second_seller) = (someone(), someone(), someone());
    let books = [on_sale(&world, first_seller, 12_000).await, on_sale(&world, first_seller, 8_000).await];
    let lamp = on_sale(&world, second_seller, 30_000).await;
    for listing_id in [books[0], lamp, books[1]] {
        world.carts.add(buyer, listing_id).await.unwrap();
    }
    world.carts.add(buyer, lamp).await.unwrap();
    let view = world.carts.view(buyer, None).await.unwrap();
    assert_eq!(view.groups.len(), 2);
    let books_group = view.groups.iter().find(|group| group.seller_id == first_seller).unwrap();
    assert_eq!(books_group.lines.len(), 2);
    assert_eq!(books_group.shipping_fee, Money::won(4_500).unwrap(), "two books: one medium parcel");
    assert_eq!(view.total, Money::won(12_000 + 8_000 + 4_500 + 30_000 + 3_500).unwrap());

    let context = member(buyer);
    let receipt = world.checkouts.checkout(buyer, None, &context).await.unwrap();
    assert_eq!(receipt.orders.len(), 2, "one order per seller");
    let books_order = receipt.orders.iter().find(|placed| placed.seller_id == first_seller).unwrap();
    let placed = order(&world, books_order.receipt.order_id).await;
    assert_eq!(placed.status, OrderStatus::Placed);
    assert_eq!(placed.listing_ids().collect::<Vec<_>>(), books);
    assert_eq!(placed.price, Money::won(24_500).unwrap(), "both books and one parcel");
    for listing_id in [books[0], books[1], lamp] {
        assert_eq!(status(&world, listing_id).await, "reserved");
    }
    assert!(
        world.carts.view(buyer, None).await.unwrap().groups.is_empty(),
        "the ordered listings left the cart"
    );

    // The same request again (a client retrying after a lost answer) repeats the checkout exactly.
    let head = world.store.head_position().await.unwrap();
    let retried = world.checkouts.checkout(buyer, None, &context).await.unwrap();
    assert_eq!(retried.checkout_id, receipt.checkout_id);
    let order_ids =
        |r: &jangteo_app::CheckoutReceipt| r.orders.iter().map(|o| o.receipt.order_id).collect::<Vec<_>>();
    assert_eq!(order_ids(&retried), order_ids(&receipt));
    assert_eq!(world.store.head_position().await.unwrap(), head, "nothing appended twice");
}

#[tokio::test]
async fn a_taken_listing_rolls_the_whole_checkout_back() {
    let world = world().await;
    let (buyer, rival) = (someone(), someone());
    let sellers = [someone(), someone(), someone()];
    let mut listings = Vec::new();
    for seller in sellers {
        listings.push(on_sale(&world, seller, 10_000).await);
    }
    for listing_id in &listings {
        world.carts.add(buyer, *listing_id).await.unwrap();
    }
    // Someone else buys one of them first.
    let taken = listings[1];
    world.orders.place(rival, taken, &member(rival)).await.unwrap();

    let context = member(buyer);
    let refused = world.checkouts.checkout(buyer, None, &context).await;
    match refused {
        Err(AppError::ListingsTaken(unavailable)) => assert_eq!(unavailable, [taken]),
        other => panic!("expected ListingsTaken, got {other:?}"),
    }
    react_to_everything(&world).await;
    let mut after = Vec::new();
    for listing_id in &listings {
        after.push(status(&world, *listing_id).await);
    }
    // Sellers are placed in seller order: whichever were placed before the taken one were
    // cancelled, and their listings are on sale again; none stays reserved for this buyer.
    for (listing_id, status) in listings.iter().zip(&after) {
        if *listing_id == taken {
            assert_eq!(*status, "reserved", "still the rival's");
        } else {
            assert_eq!(*status, "on_sale", "rolled back: {listing_id}");
        }
    }
    assert_eq!(world.carts.view(buyer, None).await.unwrap().groups.len(), 3, "the cart is kept");

    // The same request again: still refused, its compensation already done, nothing appended.
    let head = world.store.head_position().await.unwrap();
    let again = world.checkouts.checkout(buyer, None, &context).await;
    assert!(matches!(again, Err(AppError::ListingsTaken(_))), "{again:?}");
    assert_eq!(world.store.head_position().await.unwrap(), head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_checkouts_over_the_same_listings_never_both_win() {
    for round in 0..12 {
        let world = world().await;
        let (first, second) = (someone(), someone());
        let sellers = [someone(), someone(), someone()];
        let mut listings = Vec::new();
        for seller in sellers {
            listings.push(on_sale(&world, seller, 5_000).await);
        }
        // Both want every listing; the second lists them in another order.
        for listing_id in &listings {
            world.carts.add(first, *listing_id).await.unwrap();
        }
        for listing_id in listings.iter().rev() {
            world.carts.add(second, *listing_id).await.unwrap();
        }
        let race = |buyer: AccountId| {
            let checkouts = world.checkouts.clone();
            tokio::spawn(async move { checkouts.checkout(buyer, None, &member(buyer)).await })
        };
        let (a, b) = (race(first), race(second));
        let (a, b) = (a.await.unwrap(), b.await.unwrap());
        assert!(!(a.is_ok() && b.is_ok()), "round {round}: both checkouts won");
        for outcome in [&a, &b] {
            assert!(matches!(outcome, Ok(_) | Err(AppError::ListingsTaken(_))), "round {round}: {outcome:?}");
        }
        react_to_everything(&world).await;
        let winner = a.as_ref().ok().or(b.as_ref().ok());
        for listing_id in &listings {
            let status = status(&world, *listing_id).await;
            match winner {
                Some(_) => assert_eq!(status, "reserved", "round {round}: the winner holds every listing"),
                None => assert_eq!(status, "on_sale", "round {round}: both rolled back"),
            }
        }
    }
}

#[tokio::test]
async fn shipping_is_priced_by_where_the_parcel_goes() {
    let mut world = world().await;
    world.carts = Carts::new(&world.uow, Arc::new(DistanceFees::standard()));
    world.checkouts = Checkouts::new(&world.uow, world.orders.clone(), world.carts.clone());
    let (buyer, seller) = (someone(), someone());
    let in_busan = NewListing {
        title: Title::parse("부산 자전거").unwrap(),
        description: Description::parse("직거래 어려워요").unwrap(),
        price: Money::won(50_000).unwrap(),
        category_id: None,
        quantity: jangteo_domain::listing::Quantity::ONE,
        location: Some(GeoPoint::new(35.1796, 129.0756).unwrap()),
    };
    let (bike, _) = world.listings.create(seller, in_busan).await.unwrap();
    world.listings.publish(seller, bike).await.unwrap();
    world.carts.add(buyer, bike).await.unwrap();

    let fee = |view: jangteo_app::CartView| view.groups[0].shipping_fee.as_won();
    let seoul = GeoPoint::new(37.5663, 126.9779).ok();
    assert_eq!(fee(world.carts.view(buyer, None).await.unwrap()), 3_500, "no destination: the regional fee");
    assert_eq!(fee(world.carts.view(buyer, GeoPoint::new(35.1587, 129.1604).ok()).await.unwrap()), 3_500);
    assert_eq!(fee(world.carts.view(buyer, seoul).await.unwrap()), 4_500, "Busan to Seoul");
    assert_eq!(fee(world.carts.view(buyer, GeoPoint::new(33.4996, 126.5312).ok()).await.unwrap()), 7_500);

    // The checkout charges what the cart quoted.
    let receipt = world.checkouts.checkout(buyer, seoul, &member(buyer)).await.unwrap();
    let placed = order(&world, receipt.orders[0].receipt.order_id).await;
    assert_eq!(placed.shipping_fee.as_won(), 4_500);
    assert_eq!(placed.price.as_won(), 54_500);
}
