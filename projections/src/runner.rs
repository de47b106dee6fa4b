//! Running a projection: from its checkpoint, batch by batch, reporting progress.

use std::{sync::Arc, time::Duration};

use tokio::time::Instant;

use async_trait::async_trait;
use jangteo_event_store::{EventStore, FeedSource, GlobalPosition, RecordedEvent};
use jangteo_read_models::{ProgressReporter, ReadModel};

use crate::ProjectionError;

/// One read model's folding of the log.
#[async_trait]
pub trait Projection: Send + Sync + 'static {
    /// The read model this projection keeps.
    fn read_model(&self) -> ReadModel;

    /// The projection's name; also its checkpoint key.
    fn name(&self) -> &'static str {
        self.read_model().name()
    }

    /// The global position up to which the read model reflects the log.
    async fn checkpoint(&self) -> Result<u64, ProjectionError>;

    /// Applies a batch of consecutive log events and moves the checkpoint to the last one, in one
    /// atomic commit. Events the read model already reflects are skipped.
    async fn apply(&self, events: &[RecordedEvent]) -> Result<(), ProjectionError>;

    /// Drops the read model and its checkpoint.
    async fn reset(&self) -> Result<(), ProjectionError>;

    /// The least time between two commits. A read model whose commit is costly whatever its size
    /// (a search index writes a segment per commit, and merges them later) gathers what arrives in
    /// the meantime into one larger batch instead of falling behind under load.
    fn min_commit_interval(&self) -> Duration {
        Duration::ZERO
    }
}

/// Runs `projection` forever on the feed `source` opens. After a failure it waits
/// `retry_delay`, reopens the feed and resumes from the stored checkpoint, so a failed batch is
/// retried whole. `store` fills any positions the feed skipped.
pub async fn run(
    projection: Arc<dyn Projection>,
    source: Arc<dyn FeedSource>,
    store: Arc<dyn EventStore>,
    reporter: ProgressReporter,
    retry_delay: Duration,
) {
    loop {
        if let Err(error) = follow(projection.as_ref(), source.as_ref(), store.as_ref(), &reporter).await {
            tracing::error!(projection = projection.name(), %error, "projection failed; retrying from its checkpoint");
            tokio::time::sleep(retry_delay).await;
        }
    }
}

async fn follow(
    projection: &dyn Projection,
    source: &dyn FeedSource,
    store: &dyn EventStore,
    reporter: &ProgressReporter,
) -> Result<(), ProjectionError> {
    let mut checkpoint = projection.checkpoint().await?;
    reporter.report(checkpoint);
    let mut feed = source.open(checkpoint).await?;
    // Delivered by the feed but not applied yet (what a capped gap fill left over).
    let mut pending: Vec<RecordedEvent> = Vec::new();
    let mut next_commit = Instant::now();
    loop {
        if pending.is_empty() {
            tokio::time::sleep_until(next_commit).await;
            pending = feed.next_batch().await?;
            // Another worker of this projection may have moved the checkpoint while this one
            // stood by (a consumer-group rebalance hands the partition over).
            checkpoint = checkpoint.max(projection.checkpoint().await?);
        }
        let (batch, rest) =
            contiguous_batch(projection.name(), store, checkpoint, std::mem::take(&mut pending)).await?;
        pending = rest;
        let Some(last) = batch.last().map(|event| event.global_position) else {
            // Only redeliveries: nothing to apply, but the feed may forget them.
            feed.applied(checkpoint).await?;
            continue;
        };
        let applying = Instant::now();
        projection.apply(&batch).await?;
        let took = applying.elapsed();
        // A batch of hundreds already spreads the commit's cost; pausing after one would only cap
        // how fast a projection that is behind catches up. The interval runs from the start of
        // this commit, not its end: commits stay that far apart, and an event that arrives while
        // one is written waits for the rest of the interval only, not for the commit's time again.
        next_commit = if batch.len() < PACED_BELOW {
            applying + projection.min_commit_interval()
        } else {
            Instant::now()
        };
        checkpoint = last;
        feed.applied(checkpoint).await?;
        tracing::debug!(
            projection = projection.name(),
            position = checkpoint,
            events = batch.len(),
            took_ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
            "projected"
        );
        reporter.report(checkpoint);
    }
}

/// Batches smaller than this are followed by the projection's `min_commit_interval`.
const PACED_BELOW: usize = 256;

/// The most events a gap fill reads from the store into one batch.
const GAP_FILL_LIMIT: usize = 512;

/// Turns what a feed delivered into the next batch to apply: consecutive positions right after
/// `checkpoint`, and what is left for the batch after. Events at or below the checkpoint are
/// dropped (redeliveries, a relay's re-sent batch). A gap (positions the feed never delivered:
/// an expired retention, a skipped foreign message) is filled from the event store, which holds
/// every position, at most [`GAP_FILL_LIMIT`] events at a time.
async fn contiguous_batch(
    projection: &str,
    store: &dyn EventStore,
    checkpoint: GlobalPosition,
    delivered: Vec<RecordedEvent>,
) -> Result<(Vec<RecordedEvent>, Vec<RecordedEvent>), ProjectionError> {
    let mut batch: Vec<RecordedEvent> = Vec::with_capacity(delivered.len());
    let mut delivered = delivered.into_iter();
    while let Some(event) = delivered.next() {
        let expected = batch.last().map_or(checkpoint, |last| last.global_position) + 1;
        if event.global_position < expected {
            continue;
        }
        if event.global_position > expected {
            let missing = usize::try_from(event.global_position - expected).unwrap_or(usize::MAX);
            let filled = store.read_all(expected - 1, missing.min(GAP_FILL_LIMIT)).await?;
            if filled.is_empty() {
                return Err(ProjectionError::Inconsistent(format!(
                    "the feed delivered position {} but the log ends before {expected}",
                    event.global_position
                )));
            }
            tracing::info!(
                projection,
                from = expected,
                count = filled.len(),
                "filled a gap in the feed from the event store"
            );
            batch.extend(filled.into_iter().filter(|filled| filled.global_position < event.global_position));
            if batch.last().is_some_and(|last| last.global_position + 1 < event.global_position) {
                // The gap is wider than one fill: apply this much, the rest comes next time.
                let rest = std::iter::once(event).chain(delivered).collect();
                return Ok((batch, rest));
            }
        }
        batch.push(event);
    }
    Ok((batch, Vec::new()))
}

/// Follows the checkpoint of a projection that another process runs, for queries in this one:
/// an API instance of the distributed profile reads the workers' progress this way.
pub async fn watch_checkpoint(
    projection: Arc<dyn Projection>,
    reporter: ProgressReporter,
    interval: Duration,
) {
    loop {
        match projection.checkpoint().await {
            Ok(position) => reporter.report(position),
            Err(error) => {
                tracing::warn!(projection = projection.name(), %error, "reading a checkpoint failed");
            }
        }
        tokio::time::sleep(interval).await;
    }
}

/// Applies the log to `projection` until it reaches the log's head as it was when called, and
/// returns the number of events read. `on_progress(position, head)` is called after each batch.
pub async fn catch_up(
    projection: &dyn Projection,
    store: &dyn EventStore,
    mut on_progress: impl FnMut(u64, u64),
) -> Result<u64, ProjectionError> {
    let head = store.head_position().await?;
    let mut position = projection.checkpoint().await?;
    let mut applied = 0;
    while position < head {
        let batch = store.read_all(position, 512).await?;
        let Some(last) = batch.last() else { break };
        position = last.global_position;
        projection.apply(&batch).await?;
        applied += batch.len() as u64;
        on_progress(position, head);
    }
    Ok(applied)
}

/// Drops the read model and projects the whole log into it again.
pub async fn rebuild(
    projection: &dyn Projection,
    store: &dyn EventStore,
    on_progress: impl FnMut(u64, u64),
) -> Result<u64, ProjectionError> {
    projection.reset().await?;
    catch_up(projection, store, on_progress).await
}
