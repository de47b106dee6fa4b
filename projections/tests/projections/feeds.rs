//! The runner on a feed that misbehaves as Kafka may: repeats, positions missing (an expired
//! retention, a skipped foreign message), batches that start before the checkpoint.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};

use async_trait::async_trait;
use jangteo_app::{ProjectionProgress, ReadModel};
use jangteo_event_store::{EventFeed, FeedError, FeedSource, GlobalPosition, RecordedEvent};
use jangteo_projections::{ListingDocumentsProjection, Projection, catch_up};
use tokio::sync::Notify;

use crate::{World, kafka::Recorded, sharing_the_log, snapshot, world};

/// Hands out scripted batches, then waits forever.
struct ScriptedFeed {
    batches: VecDeque<Vec<RecordedEvent>>,
}

#[async_trait]
impl EventFeed for ScriptedFeed {
    async fn next_batch(&mut self) -> Result<Vec<RecordedEvent>, FeedError> {
        match self.batches.pop_front() {
            Some(batch) => Ok(batch),
            None => std::future::pending().await,
        }
    }

    async fn applied(&mut self, _position: GlobalPosition) -> Result<(), FeedError> {
        Ok(())
    }
}

struct Script(Mutex<Option<Vec<Vec<RecordedEvent>>>>);

#[async_trait]
impl FeedSource for Script {
    async fn open(&self, _after: GlobalPosition) -> Result<Box<dyn EventFeed>, FeedError> {
        let batches = self.0.lock().unwrap().take().unwrap_or_default();
        Ok(Box::new(ScriptedFeed { batches: batches.into() }))
    }
}

#[tokio::test]
async fn repeats_are_dropped_and_missing_positions_are_read_from_the_store() {
    let world = world().await;
    let log = world.store.read_all(0, 10_000).await.unwrap();
    let head = log.last().unwrap().global_position;
    assert!(head > 20, "the world has enough events to cut up");
    let at = |range: std::ops::Range<usize>| log[range].to_vec();
    // Positions 1..=5, then 3..=8 again, then a hole (9..=14 never delivered), then the rest
    // with its first event repeated.
    let script = vec![at(0..5), at(2..8), at(14..16), [at(15..16), at(16..log.len())].concat()];

    let dir = tempfile::tempdir().unwrap();
    let documents: Arc<dyn jangteo_read_models::DocumentStore> = Arc::new(
        jangteo_read_models::sqlite::SqliteDocumentStore::open(&dir.path().join("docs.sqlite"))
            .await
            .unwrap(),
    );
    let applied = Arc::new(Mutex::new(Vec::new()));
    let projection = Arc::new(Recorded {
        inner: Arc::new(ListingDocumentsProjection::new(Arc::clone(&documents))),
        applied: Arc::clone(&applied),
        die_after: None,
        died: Arc::new(Notify::new()),
    });
    let mut progress = ProjectionProgress::new();
    let reporter = progress.register(projection.read_model(), 0);
    let source = Arc::new(Script(Mutex::new(Some(script))));
    let task = tokio::spawn(jangteo_projections::run(
        projection,
        source,
        Arc::clone(&world.store),
        reporter,
        Duration::from_millis(100),
    ));
    progress.wait_for(&ReadModel::ALL, head, Duration::from_secs(30)).await.unwrap();
    task.abort();

    assert_eq!(*applied.lock().unwrap(), (1..=head).collect::<Vec<_>>(), "each position once, in order");
    let fed = World { documents, ..sharing_the_log(&world) };
    let reference = ListingDocumentsProjection::new(Arc::clone(&world.documents));
    catch_up(&reference, world.store.as_ref(), |_, _| {}).await.unwrap();
    let (fed_listings, _, _) = snapshot(&fed).await;
    let (reference_listings, _, _) = snapshot(&world).await;
    assert_eq!(fed_listings, reference_listings);
}
