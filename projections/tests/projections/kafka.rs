//! The distributed feed for real: relay → Kafka-protocol broker (tansu) → projection worker →
//! read model, through a relay crash that re-sends a batch and a worker that dies mid-stream.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use async_trait::async_trait;
use jangteo_app::{
    DEFAULT_CACHE_CAPACITY, ListingChanges, Listings, ProjectionProgress, ReadModel, UnitOfWork,
};
use jangteo_domain::Money;
use jangteo_event_store::RecordedEvent;
use jangteo_event_stream::{KafkaLogSource, KafkaRelay, Topics, ensure_topics};
use jangteo_projections::{
    FavouriteDocumentsProjection, ListingDocumentsProjection, ListingSearchProjection,
    OrderDocumentsProjection, Projection, ProjectionError, catch_up,
};
use jangteo_read_models::{
    DocumentStore, ListingSearch, sqlite::SqliteDocumentStore, tantivy_search::TantivyListingSearch,
};
use jangteo_test_support::KafkaBroker;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::{World, sharing_the_log, snapshot, world};

const WAIT: Duration = Duration::from_secs(60);
const STREAM_TYPES: [&str; 4] = ["account", "listing", "order", "escrow"];

/// Wraps a projection, records every position it is asked to apply, and can be made to die
/// after applying part of a batch: the worker's process crashing between two commits.
pub(crate) struct Recorded {
    pub(crate) inner: Arc<dyn Projection>,
    pub(crate) applied: Arc<Mutex<Vec<u64>>>,
    /// Dies after applying the events up to this position.
    pub(crate) die_after: Option<u64>,
    pub(crate) died: Arc<Notify>,
}

#[async_trait]
impl Projection for Recorded {
    fn read_model(&self) -> ReadModel {
        self.inner.read_model()
    }

    async fn checkpoint(&self) -> Result<u64, ProjectionError> {
        self.inner.checkpoint().await
    }

    async fn apply(&self, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let cut = self.die_after.map_or(events.len(), |limit| {
            events.iter().take_while(|event| event.global_position <= limit).count()
        });
        if cut > 0 {
            self.inner.apply(&events[..cut]).await?;
            self.applied.lock().unwrap().extend(events[..cut].iter().map(|event| event.global_position));
        }
        if cut < events.len() {
            // Dead: the rest of the batch is never applied and the feed never hears back.
            self.died.notify_one();
            std::future::pending::<()>().await;
        }
        Ok(())
    }

    async fn reset(&self) -> Result<(), ProjectionError> {
        self.inner.reset().await
    }
}

/// Read models of the worker under test, beside the world's own (the reference).
async fn worker_world(world: &World) -> (tempfile::TempDir, World) {
    let dir = tempfile::tempdir().unwrap();
    let documents: Arc<dyn DocumentStore> =
        Arc::new(SqliteDocumentStore::open(&dir.path().join("read-models.sqlite")).await.unwrap());
    let search: Arc<dyn ListingSearch> =
        Arc::new(TantivyListingSearch::open(&dir.path().join("search")).unwrap());
    (dir, World { documents, search, ..sharing_the_log(world) })
}

fn projections_of(world: &World) -> Vec<Arc<dyn Projection>> {
    vec![
        Arc::new(ListingDocumentsProjection::new(Arc::clone(&world.documents))),
        Arc::new(OrderDocumentsProjection::new(Arc::clone(&world.documents))),
        Arc::new(FavouriteDocumentsProjection::new(Arc::clone(&world.documents))),
        Arc::new(ListingSearchProjection::new(Arc::clone(&world.search), Arc::clone(&world.store))),
    ]
}

/// Starts one worker task per projection, fed by Kafka; returns the tasks and their progress.
fn start_workers(
    world: &World,
    broker: &str,
    topics: &Topics,
    applied: &[Arc<Mutex<Vec<u64>>>],
    die_after: Option<u64>,
    died: &Arc<Notify>,
) -> (Vec<tokio::task::JoinHandle<()>>, ProjectionProgress) {
    let mut progress = ProjectionProgress::new();
    let mut tasks = Vec::new();
    for (projection, applied) in projections_of(world).into_iter().zip(applied) {
        let source = Arc::new(KafkaLogSource::for_projection(broker, topics, projection.name()));
        let reporter = progress.register(projection.read_model(), 0);
        let recorded = Arc::new(Recorded {
            inner: projection,
            applied: Arc::clone(applied),
            die_after,
            died: Arc::clone(died),
        });
        tasks.push(tokio::spawn(jangteo_projections::run(
            recorded,
            source,
            Arc::clone(&world.store),
            reporter,
            Duration::from_millis(200),
        )));
    }
    (tasks, progress)
}

#[tokio::test]
async fn a_kafka_fed_worker_absorbs_relay_duplicates_and_a_crash_mid_stream() {
    let Some(broker) = KafkaBroker::start() else { return };
    let world = world().await;
    let topics = Topics::new(&format!("p{}", Uuid::new_v4().simple()));
    ensure_topics(&broker.address, &topics, &STREAM_TYPES, 2).await.unwrap();
    let relay = KafkaRelay::new(Arc::clone(&world.store), &broker.address, topics.clone()).unwrap();

    // The relay crashed after the broker acknowledged the first events but before its
    // checkpoint moved: the next run publishes them again.
    let first = world.store.read_all(0, 10).await.unwrap();
    relay.publish(&first).await.unwrap();
    let head = world.store.head_position().await.unwrap();
    assert_eq!(relay.catch_up().await.unwrap(), head);

    let (_dir, worker) = worker_world(&world).await;
    let applied: Vec<Arc<Mutex<Vec<u64>>>> = projections_of(&world).iter().map(|_| Arc::default()).collect();
    let died = Arc::new(Notify::new());
    let midway = head / 2;

    // First worker: every projection dies after applying half the log.
    let (tasks, _) = start_workers(&worker, &broker.address, &topics, &applied, Some(midway), &died);
    for _ in 0..tasks.len() {
        tokio::time::timeout(WAIT, died.notified()).await.expect("the first worker never got midway");
    }
    for task in tasks {
        task.abort();
        let _ = task.await;
    }
    for projection in projections_of(&worker) {
        assert_eq!(projection.checkpoint().await.unwrap(), midway, "{} died midway", projection.name());
    }

    // Meanwhile the log grows; the relay publishes it.
    let listings = Listings::new(&UnitOfWork::new(Arc::clone(&world.store), DEFAULT_CACHE_CAPACITY));
    let changes = ListingChanges { price: Some(Money::won(77_000).unwrap()), ..ListingChanges::default() };
    listings.edit(world.seller, world.listings[2], changes).await.unwrap();
    let head = world.store.head_position().await.unwrap();
    relay.catch_up().await.unwrap();

    // Second worker, same consumer groups: it resumes where the first one committed.
    let (tasks, progress) = start_workers(&worker, &broker.address, &topics, &applied, None, &died);
    progress.wait_for(&ReadModel::ALL, head, WAIT).await.expect("the second worker never reached the head");
    for task in tasks {
        task.abort();
    }

    // Every position applied exactly once, across both workers and the duplicates.
    let expected: Vec<u64> = (1..=head).collect();
    for (projection, applied) in projections_of(&worker).iter().zip(&applied) {
        assert_eq!(*applied.lock().unwrap(), expected, "{} applied each event once", projection.name());
    }
    // And the read models equal those built in-process from the log itself.
    for projection in projections_of(&world) {
        catch_up(projection.as_ref(), world.store.as_ref(), |_, _| {}).await.unwrap();
    }
    assert_eq!(snapshot(&worker).await, snapshot(&world).await);
    let repriced = worker.documents.listing(world.listings[2]).await.unwrap().unwrap();
    assert_eq!(repriced.price.as_won(), 77_000);
}
