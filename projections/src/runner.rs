//! Running a projection: from its checkpoint, batch by batch, reporting progress.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use jangteo_app::ProgressReporter;
use jangteo_event_store::{EventStore, LogTail, RecordedEvent};

use crate::ProjectionError;

/// One read model's folding of the log.
#[async_trait]
pub trait Projection: Send + Sync + 'static {
    /// The projection's name; also its checkpoint key.
    fn name(&self) -> &'static str;

    /// The global position up to which the read model reflects the log.
    async fn checkpoint(&self) -> Result<u64, ProjectionError>;

    /// Applies a batch of consecutive log events and moves the checkpoint to the last one, in one
    /// atomic commit. Events the read model already reflects are skipped.
    async fn apply(&self, events: &[RecordedEvent]) -> Result<(), ProjectionError>;

    /// Drops the read model and its checkpoint.
    async fn reset(&self) -> Result<(), ProjectionError>;
}

/// Runs `projection` forever. After a failure it waits `retry_delay` and resumes from its stored
/// checkpoint, so a failed batch is retried whole.
pub async fn run(
    projection: Arc<dyn Projection>,
    store: Arc<dyn EventStore>,
    reporter: ProgressReporter,
    poll_interval: Duration,
    retry_delay: Duration,
) {
    loop {
        if let Err(error) = follow(projection.as_ref(), &store, &reporter, poll_interval).await {
            tracing::error!(projection = projection.name(), %error, "projection failed; retrying from its checkpoint");
            tokio::time::sleep(retry_delay).await;
        }
    }
}

async fn follow(
    projection: &dyn Projection,
    store: &Arc<dyn EventStore>,
    reporter: &ProgressReporter,
    poll_interval: Duration,
) -> Result<(), ProjectionError> {
    let checkpoint = projection.checkpoint().await?;
    reporter.report(checkpoint);
    let mut tail = LogTail::new(Arc::clone(store), checkpoint, poll_interval);
    loop {
        let batch = tail.next_batch().await?;
        projection.apply(&batch).await?;
        tracing::debug!(projection = projection.name(), position = tail.position(), "projected");
        reporter.report(tail.position());
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
