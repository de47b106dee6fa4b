//! Errors of the event-store layer.

use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum EventStoreError {
    /// A stream's version was not the expected one: somebody else appended first.
    #[error("stream {stream_id} is at version {actual}, expected {expected}")]
    WrongExpectedVersion { stream_id: Uuid, expected: u64, actual: u64 },

    /// A unique claim is already owned by another stream.
    #[error("{scope} is already claimed")]
    ClaimTaken { scope: String },

    /// The request itself is malformed (no events, duplicate stream in one request, ...).
    #[error("invalid append: {0}")]
    InvalidAppend(String),

    /// A stored row could not be read back (corrupt or unknown data).
    #[error("corrupt stored event: {0}")]
    Corrupt(String),

    /// The appends queued for the writer did not get a place within the store's patience.
    #[error("the event store is saturated")]
    Saturated,

    /// The group-commit writer is gone (the store is shutting down).
    #[error("the event store's writer has stopped")]
    WriterStopped,

    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),

    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

impl EventStoreError {
    /// Every connection stayed busy for the whole acquire timeout, or the writer's queue stayed
    /// full as long: the store is saturated, and
    /// the caller should come back shortly rather than wait in an ever longer queue.
    pub fn is_saturated(&self) -> bool {
        matches!(self, EventStoreError::Saturated | EventStoreError::Database(sqlx::Error::PoolTimedOut))
    }
}
