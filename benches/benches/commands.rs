//! The command path without HTTP, on PostgreSQL: buyers place and pay orders through the
//! application layer (load the streams, decide, append; paying also captures with the simulated
//! gateway), 64 at a time, with a pool of 32 — the shape of the reference figures for other event
//! stores (load + commit per command). Reports commands/s and per-command latency percentiles,
//! with group commit and with one transaction per command.
//!
//! `cargo bench -p jangteo-benches --bench commands` (PostgreSQL on `JANGTEO_TEST_DATABASE_URL`;
//! skipped when unreachable).

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "benchmark set-up")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use futures::{StreamExt, stream};
use jangteo_app::{
    Actor, CommandContext, DEFAULT_CACHE_CAPACITY, Listings, NewListing, Orders, PaymentRequest, UnitOfWork,
};
use jangteo_benches::report;
use jangteo_domain::{AccountId, Description, ListingId, Money, PaymentMethod, Title};
use jangteo_event_store::{CommitMode, EventStore, postgres::PostgresEventStore};
use jangteo_payments::simulated::SimulatedGateway;
use jangteo_test_support::TestDatabase;
use uuid::Uuid;

const BUYERS: usize = 64;
const POOL: u32 = 32;
const ORDERS: usize = 15_000;

/// Seeds through a unit of work of its own, so the measured run starts with a cold cache (its
/// listings were put on sale by another process, as it were).
async fn seed(store: &Arc<dyn EventStore>) -> Vec<ListingId> {
    let listings = Listings::new(&UnitOfWork::new(Arc::clone(store), 0));
    let seller = AccountId::from_uuid(Uuid::now_v7());
    stream::iter(0..ORDERS)
        .map(|n| {
            let listings = &listings;
            async move {
                let listing = NewListing {
                    title: Title::parse(&format!("카메라 {n}")).unwrap(),
                    description: Description::parse("상태 좋아요").unwrap(),
                    price: Money::won(90_000).unwrap(),
                    category_id: None,
                    quantity: jangteo_domain::listing::Quantity::ONE,
                    location: None,
                };
                let (listing_id, _) = listings.create(seller, listing).await.unwrap();
                listings.publish(seller, listing_id).await.unwrap();
                listing_id
            }
        })
        .buffer_unordered(BUYERS)
        .collect()
        .await
}

async fn run(mode: CommitMode, cache_capacity: usize, label: &str) {
    let Some(database) = TestDatabase::create().await else { return };
    let store = PostgresEventStore::connect_with_mode(&database.url, POOL, mode).await.unwrap();
    store.migrate().await.unwrap();
    let store: Arc<dyn EventStore> = Arc::new(store);
    let listings = Arc::new(seed(&store).await);
    let uow = UnitOfWork::new(Arc::clone(&store), cache_capacity);
    let orders = Orders::new(&uow, Arc::new(SimulatedGateway::new()));

    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let buyers: Vec<_> = (0..BUYERS)
        .map(|_| {
            let (orders, listings, next) = (orders.clone(), Arc::clone(&listings), Arc::clone(&next));
            tokio::spawn(async move {
                let buyer = AccountId::from_uuid(Uuid::now_v7());
                let (mut placing, mut paying) = (Vec::new(), Vec::new());
                while let Some(&listing_id) = listings.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let context = CommandContext::new(Actor::Member(buyer));
                    let sent = Instant::now();
                    let placed = orders.place(buyer, listing_id, &context).await.unwrap();
                    placing.push(sent.elapsed());
                    let context = CommandContext::new(Actor::Member(buyer));
                    let sent = Instant::now();
                    let payment = PaymentRequest::new(PaymentMethod::Card);
                    orders.pay(buyer, placed.order_id, payment, &context).await.unwrap();
                    paying.push(sent.elapsed());
                }
                (placing, paying)
            })
        })
        .collect();
    let (mut placing, mut paying) = (Vec::new(), Vec::new());
    for buyer in buyers {
        let (placed, paid) = buyer.await.unwrap();
        placing.extend(placed);
        paying.extend(paid);
    }
    let elapsed = started.elapsed();
    let commands = placing.len() + paying.len();
    #[allow(clippy::cast_precision_loss, reason = "a count of thousands")]
    let rate = commands as f64 / elapsed.as_secs_f64().max(f64::EPSILON);
    println!(
        "{label}: {commands} commands in {:.2} s = {rate:.0} commands/s ({BUYERS} buyers, pool {POOL})",
        elapsed.as_secs_f64(),
    );
    report(&format!("{label}, place order"), placing);
    report(&format!("{label}, pay order"), paying);
    let stats = uow.stats();
    println!(
        "{label}: aggregate cache {} hits, {} misses; {} retries",
        stats.cache_hits, stats.cache_misses, stats.retries
    );
    drop((orders, store));
    database.drop_database().await;
}

#[tokio::main]
async fn main() {
    run(CommitMode::Grouped, DEFAULT_CACHE_CAPACITY, "group commit, aggregate cache").await;
    run(CommitMode::Grouped, 0, "group commit, no cache").await;
    run(CommitMode::OneByOne, DEFAULT_CACHE_CAPACITY, "one by one, aggregate cache").await;
}
