//! Errors of projection workers.

use jangteo_domain::EventCodecError;
use jangteo_event_store::{EventStoreError, FeedError};
use jangteo_read_models::ReadModelError;

#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error("event store: {0}")]
    Store(#[from] EventStoreError),
    #[error("feed: {0}")]
    Feed(#[from] FeedError),
    #[error("read model: {0}")]
    ReadModel(#[from] ReadModelError),
    #[error("stored event cannot be decoded: {0}")]
    Codec(#[from] EventCodecError),
    /// The log contradicts the read model (e.g. an event for a document that was never created).
    #[error("inconsistent log: {0}")]
    Inconsistent(String),
}
