//! The feed port: where a consumer of the global log gets its events from.
//!
//! Two feeds exist: the in-process [`crate::LogTail`] (embedded profile) and a Kafka consumer
//! (distributed profile, in `jangteo-event-stream`). Consumers such as the projection runner are
//! written once against this trait.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;

use crate::{EventStore, EventStoreError, GlobalPosition, LogTail, RecentLog, RecordedEvent};

/// A failure of a feed's transport.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("event store: {0}")]
    Store(#[from] EventStoreError),
    #[error("event transport: {0}")]
    Transport(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// A source of global-log events for one consumer.
///
/// A feed delivers events in global-position order, but may deliver an event again (after a
/// restart, or when a publisher re-sent it) and may skip positions it never received (a topic's
/// retention ran out). Consumers drop what they already applied and fill gaps from the store.
#[async_trait]
pub trait EventFeed: Send {
    /// The next events, waiting until at least one exists.
    async fn next_batch(&mut self) -> Result<Vec<RecordedEvent>, FeedError>;

    /// Tells the feed that everything up to `position` is durably applied, so it may forget it
    /// (a Kafka feed commits its consumer-group offsets here).
    async fn applied(&mut self, position: GlobalPosition) -> Result<(), FeedError>;
}

#[async_trait]
impl EventFeed for LogTail {
    async fn next_batch(&mut self) -> Result<Vec<RecordedEvent>, FeedError> {
        Ok(LogTail::next_batch(self).await?)
    }

    async fn applied(&mut self, _position: GlobalPosition) -> Result<(), FeedError> {
        // The log itself is the source; the consumer's checkpoint is all the state there is.
        Ok(())
    }
}

/// Opens a feed that delivers the log after a position. A feed may start earlier than asked
/// (a consumer group resumes from its committed offsets): consumers drop what they applied.
#[async_trait]
pub trait FeedSource: Send + Sync {
    async fn open(&self, after: GlobalPosition) -> Result<Box<dyn EventFeed>, FeedError>;
}

/// The embedded profile's feed source: in-process tails of the event store, sharing a window of
/// the newest events, so that the store is read once for all of them when they keep pace.
pub struct StoreTail {
    store: Arc<dyn EventStore>,
    poll_interval: Duration,
    recent: Arc<RecentLog>,
}

impl StoreTail {
    pub fn new(store: Arc<dyn EventStore>, poll_interval: Duration) -> Self {
        Self { store, poll_interval, recent: Arc::default() }
    }
}

#[async_trait]
impl FeedSource for StoreTail {
    async fn open(&self, after: GlobalPosition) -> Result<Box<dyn EventFeed>, FeedError> {
        let tail =
            LogTail::sharing(Arc::clone(&self.store), after, self.poll_interval, Arc::clone(&self.recent));
        Ok(Box::new(tail))
    }
}
