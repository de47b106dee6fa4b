//! Projections against real embedded stores: idempotent under redelivery, and a rebuild from
//! position 0 equals the live read model.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with expect/unwrap")]

use std::sync::Arc;

use jangteo_app::{
    Actor, CommandContext, DEFAULT_CACHE_CAPACITY, ListingChanges, Listings, NewListing, Orders,
    PaymentRequest, UnitOfWork,
};
use jangteo_domain::{AccountId, Description, ListingId, Money, OrderId, PaymentMethod, Title};
use jangteo_event_store::{EventStore, sqlite::SqliteEventStore};
use jangteo_payments::simulated::SimulatedGateway;
use jangteo_projections::{
    FavouriteDocumentsProjection, ListingDocumentsProjection, ListingSearchProjection,
    OrderDocumentsProjection, Projection, catch_up, rebuild,
};
use jangteo_read_models::{
    DocumentStore, ListingSearch, ListingStatusView, SearchQuery, sqlite::SqliteDocumentStore,
    tantivy_search::TantivyListingSearch,
};
use uuid::Uuid;

mod feeds;
mod kafka;

struct World {
    _dir: tempfile::TempDir,
    store: Arc<dyn EventStore>,
    documents: Arc<dyn DocumentStore>,
    search: Arc<dyn ListingSearch>,
    seller: AccountId,
    listings: Vec<ListingId>,
    orders: Vec<OrderId>,
}

/// A log with several listings in every state and orders in several states.
async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> =
        Arc::new(SqliteEventStore::open(&dir.path().join("events.sqlite")).await.unwrap());
    let documents: Arc<dyn DocumentStore> =
        Arc::new(SqliteDocumentStore::open(&dir.path().join("read-models.sqlite")).await.unwrap());
    let search: Arc<dyn ListingSearch> =
        Arc::new(TantivyListingSearch::open(&dir.path().join("search")).unwrap());
    let uow = UnitOfWork::new(Arc::clone(&store), DEFAULT_CACHE_CAPACITY);
    let listings_service = Listings::new(&uow);
    let orders_service = Orders::new(&uow, Arc::new(SimulatedGateway::new()));
    let seller = AccountId::from_uuid(Uuid::now_v7());
    let buyer = AccountId::from_uuid(Uuid::now_v7());
    let context = || CommandContext::new(Actor::Member(buyer));
    let mut listings = Vec::new();
    let mut orders = Vec::new();
    for i in 0..12_i64 {
        let listing = NewListing {
            title: Title::parse(&format!("중고 노트북 {i}")).unwrap(),
            description: Description::parse("깨끗하게 썼어요").unwrap(),
            price: Money::won(100_000 + i * 10_000).unwrap(),
            category_id: None,
            quantity: jangteo_domain::listing::Quantity::ONE,
            location: None,
        };
        let (listing_id, _) = listings_service.create(seller, listing).await.unwrap();
        listings.push(listing_id);
        if i % 4 == 0 {
            continue; // stays a draft
        }
        listings_service.publish(seller, listing_id).await.unwrap();
        if i % 3 == 0 {
            let changes =
                ListingChanges { price: Some(Money::won(55_000).unwrap()), ..ListingChanges::default() };
            listings_service.edit(seller, listing_id, changes).await.unwrap();
        }
        if i % 2 == 1 {
            let order = orders_service.place(buyer, listing_id, &context()).await.unwrap();
            if i % 5 != 0 {
                orders_service
                    .pay(buyer, order.order_id, PaymentRequest::new(PaymentMethod::Card), &context())
                    .await
                    .unwrap();
            }
            orders.push(order.order_id);
        }
    }
    World { _dir: dir, store, documents, search, seller, listings, orders }
}

/// Another world over the same log and ids (the caller replaces its read models).
pub(crate) fn sharing_the_log(world: &World) -> World {
    World {
        _dir: tempfile::tempdir().unwrap(),
        store: Arc::clone(&world.store),
        documents: Arc::clone(&world.documents),
        search: Arc::clone(&world.search),
        seller: world.seller,
        listings: world.listings.clone(),
        orders: world.orders.clone(),
    }
}

fn projections(world: &World) -> Vec<Arc<dyn Projection>> {
    vec![
        Arc::new(ListingDocumentsProjection::new(Arc::clone(&world.documents))),
        Arc::new(OrderDocumentsProjection::new(Arc::clone(&world.documents))),
        Arc::new(FavouriteDocumentsProjection::new(Arc::clone(&world.documents))),
        Arc::new(ListingSearchProjection::new(Arc::clone(&world.search), Arc::clone(&world.store))),
    ]
}

/// Everything the read models hold, in a comparable form.
async fn snapshot(world: &World) -> (Vec<String>, Vec<String>, Vec<ListingId>) {
    let mut listings = Vec::new();
    for id in &world.listings {
        listings.push(format!("{:?}", world.documents.listing(*id).await.unwrap()));
    }
    let mut orders = Vec::new();
    for id in &world.orders {
        orders.push(format!("{:?}", world.documents.order(*id).await.unwrap()));
    }
    let query = SearchQuery {
        text: Some("노트북".to_owned()),
        min_price: None,
        max_price: None,
        statuses: ListingStatusView::ALL.to_vec(),
        limit: 100,
        offset: 0,
        ..SearchQuery::default()
    };
    let mut hits: Vec<_> =
        world.search.search(&query).await.unwrap().hits.into_iter().map(|d| d.listing_id).collect();
    hits.sort();
    (listings, orders, hits)
}

#[tokio::test]
async fn projections_reflect_the_log() {
    let world = world().await;
    for projection in projections(&world) {
        catch_up(projection.as_ref(), world.store.as_ref(), |_, _| {}).await.unwrap();
        assert_eq!(projection.checkpoint().await.unwrap(), world.store.head_position().await.unwrap());
    }
    let draft = world.documents.listing(world.listings[0]).await.unwrap().unwrap();
    assert_eq!(draft.status, ListingStatusView::Draft);
    let repriced = world.documents.listing(world.listings[3]).await.unwrap().unwrap();
    assert_eq!((repriced.status, repriced.price.as_won()), (ListingStatusView::Reserved, 55_000));
    assert_eq!(repriced.version, 4, "created, published, repriced, reserved");
    let paid = world.documents.order(world.orders[0]).await.unwrap().unwrap();
    assert_eq!(serde_json::to_value(paid.status).unwrap(), "paid");
    assert_eq!(serde_json::to_value(paid.escrow_status).unwrap(), "held");
    let (_, _, hits) = snapshot(&world).await;
    assert_eq!(hits.len(), 12);
}

#[tokio::test]
async fn redelivered_events_change_nothing() {
    let world = world().await;
    for projection in projections(&world) {
        catch_up(projection.as_ref(), world.store.as_ref(), |_, _| {}).await.unwrap();
    }
    let live = snapshot(&world).await;
    // Deliver the whole log again, in batches of different sizes: a consumer restarting from an
    // older offset does exactly this.
    let log = world.store.read_all(0, 10_000).await.unwrap();
    for projection in projections(&world) {
        for batch in log.chunks(7) {
            projection.apply(batch).await.unwrap();
        }
    }
    assert_eq!(snapshot(&world).await, live);
}

#[tokio::test]
async fn a_rebuilt_read_model_equals_the_live_one() {
    let world = world().await;
    for projection in projections(&world) {
        catch_up(projection.as_ref(), world.store.as_ref(), |_, _| {}).await.unwrap();
    }
    let live = snapshot(&world).await;
    for projection in projections(&world) {
        projection.reset().await.unwrap();
        assert_eq!(projection.checkpoint().await.unwrap(), 0);
    }
    assert_ne!(snapshot(&world).await, live, "the reset really dropped the read models");
    let head = world.store.head_position().await.unwrap();
    for projection in projections(&world) {
        let mut reported = 0;
        let applied = rebuild(projection.as_ref(), world.store.as_ref(), |position, _| reported = position)
            .await
            .unwrap();
        assert_eq!((applied, reported), (head, head));
    }
    assert_eq!(snapshot(&world).await, live);
}
