//! Commit-to-read-model lag through Kafka, and the rebuild rate.
//!
//! The distributed path for real: event store → relay → Kafka-protocol broker (tansu) → projection
//! worker (consumer group on the log topic) → SQLite listing documents. It reports, as
//! percentiles, the time from a command's commit to the moment the worker's checkpoint covers
//! its position, one command at a time (no queueing) and under a burst; then the events/s of
//! rebuilding the read model from the log, as `jangteo rebuild` does.
//!
//! `cargo bench -p jangteo-benches --bench projection_lag`. PostgreSQL is used when reachable
//! (`JANGTEO_TEST_DATABASE_URL`), else the embedded SQLite store; `tansu` must be on the PATH
//! (`scripts/services.sh` installs it).

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "benchmark set-up")]

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use jangteo_app::{DEFAULT_CACHE_CAPACITY, Listings, NewListing, ProjectionProgress, ReadModel, UnitOfWork};
use jangteo_benches::report;
use jangteo_domain::{AccountId, Description, Money, Title};
use jangteo_event_store::{EventStore, postgres::PostgresEventStore, sqlite::SqliteEventStore};
use jangteo_event_stream::{KafkaLogSource, KafkaRelay, Topics, ensure_topics};
use jangteo_projections::{ListingDocumentsProjection, Projection, rebuild};
use jangteo_read_models::{DocumentStore, sqlite::SqliteDocumentStore};
use jangteo_test_support::{KafkaBroker, TestDatabase};
use uuid::Uuid;

const SEQUENTIAL: usize = 300;
const BURST: usize = 3_000;
const BURST_WRITERS: usize = 8;
const WAIT: Duration = Duration::from_secs(120);

fn new_listing(n: usize) -> NewListing {
    NewListing {
        title: Title::parse(&format!("중고 자전거 {n}")).unwrap(),
        description: Description::parse("한 번 탔어요").unwrap(),
        price: Money::won(150_000).unwrap(),
        category_id: None,
        quantity: jangteo_domain::listing::Quantity::ONE,
        location: None,
    }
}

async fn open_store(dir: &std::path::Path) -> (Arc<dyn EventStore>, Option<TestDatabase>, &'static str) {
    if let Some(database) = TestDatabase::create().await {
        let store = PostgresEventStore::connect(&database.url, 16).await.unwrap();
        store.migrate().await.unwrap();
        return (Arc::new(store), Some(database), "PostgreSQL");
    }
    let store = SqliteEventStore::open(&dir.join("events.sqlite")).await.unwrap();
    (Arc::new(store), None, "SQLite")
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; a filter argument that does not match skips the run.
    if std::env::args().skip(1).any(|arg| !arg.starts_with('-') && !"projection_lag".contains(&arg)) {
        return;
    }
    let broker = KafkaBroker::start().expect("tansu must be installed: bash scripts/services.sh");
    let dir = tempfile::tempdir().unwrap();
    let (store, database, backend) = open_store(dir.path()).await;
    let documents: Arc<dyn DocumentStore> =
        Arc::new(SqliteDocumentStore::open(&dir.path().join("read-models.sqlite")).await.unwrap());
    let projection: Arc<dyn Projection> = Arc::new(ListingDocumentsProjection::new(Arc::clone(&documents)));

    let topics = Topics::new(&format!("bench{}", Uuid::new_v4().simple()));
    ensure_topics(&broker.address, &topics, &["listing"], 1).await.unwrap();
    let relay = KafkaRelay::new(Arc::clone(&store), &broker.address, topics.clone()).unwrap();
    let relay = tokio::spawn(relay.run(Duration::from_millis(500), Duration::from_secs(1)));
    let mut progress = ProjectionProgress::new();
    let reporter = progress.register(projection.read_model(), 0);
    let source = Arc::new(KafkaLogSource::for_projection(&broker.address, &topics, projection.name()));
    let worker = tokio::spawn(jangteo_projections::run(
        Arc::clone(&projection),
        source,
        Arc::clone(&store),
        reporter,
        Duration::from_secs(1),
    ));

    let listings = Listings::new(&UnitOfWork::new(Arc::clone(&store), DEFAULT_CACHE_CAPACITY));
    let seller = AccountId::from_uuid(Uuid::now_v7());
    println!("event store: {backend}; broker: tansu (sqlite storage) on {}", broker.address);

    // Warm-up: topic metadata, consumer-group join, connection pools.
    for n in 0..20 {
        let (_, receipt) = listings.create(seller, new_listing(n)).await.unwrap();
        let position = receipt.position;
        progress.wait_for(&ReadModel::ALL, position, WAIT).await.unwrap();
    }

    // One command at a time: the lag a user sees on an idle system.
    let mut lags = Vec::with_capacity(SEQUENTIAL);
    for n in 0..SEQUENTIAL {
        let (_, receipt) = listings.create(seller, new_listing(n)).await.unwrap();
        let position = receipt.position;
        let committed = Instant::now();
        progress.wait_for(&ReadModel::ALL, position, WAIT).await.unwrap();
        lags.push(committed.elapsed());
    }
    report("commit-to-read-model lag, one command at a time", lags);

    // A burst from several writers: each command's lag while the pipeline is busy (a waiter per
    // command, started at its commit), the append rate, and the end-to-end rate.
    let started = Instant::now();
    let mut writer_tasks = Vec::new();
    for writer in 0..BURST_WRITERS {
        let listings = listings.clone();
        let progress = progress.clone();
        writer_tasks.push(tokio::spawn(async move {
            let mut own_waiters = Vec::new();
            for n in 0..BURST / BURST_WRITERS {
                let (_, receipt) = listings.create(seller, new_listing(writer * BURST + n)).await.unwrap();
                let committed = Instant::now();
                let progress = progress.clone();
                own_waiters.push(tokio::spawn(async move {
                    progress.wait_for(&ReadModel::ALL, receipt.position, WAIT).await.unwrap();
                    committed.elapsed()
                }));
            }
            (Instant::now(), own_waiters)
        }));
    }
    let mut appended_at = started;
    let mut waiters = Vec::new();
    for writer in writer_tasks {
        let (done, mut own) = writer.await.unwrap();
        appended_at = appended_at.max(done);
        waiters.append(&mut own);
    }
    let mut burst = Vec::new();
    for waiter in waiters {
        burst.push(waiter.await.unwrap());
    }
    let (appending, end_to_end) = (appended_at - started, started.elapsed());
    #[allow(clippy::cast_precision_loss)]
    let rate = |elapsed: Duration| burst.len() as f64 / elapsed.as_secs_f64();
    println!(
        "burst of {} commands from {BURST_WRITERS} writers: appended at {:.0} commands/s, projected at {:.0} commands/s end to end",
        burst.len(),
        rate(appending),
        rate(end_to_end),
    );
    report("commit-to-read-model lag under the burst", burst);

    worker.abort();
    relay.abort();

    // Rebuild: drop the read model and replay the whole log into it.
    let head = store.head_position().await.unwrap();
    let started = Instant::now();
    let applied = rebuild(projection.as_ref(), store.as_ref(), |_, _| {}).await.unwrap();
    let seconds = started.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let rate = applied as f64 / seconds;
    println!(
        "rebuild of listing_documents: {applied} events (head {head}) in {seconds:.2} s = {rate:.0} events/s"
    );

    if let Some(database) = database {
        drop(store);
        database.drop_database().await;
    }
}
