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

    /// A batch's transaction failed for a reason shared by all its commands; the first caller
    /// gets the database's own error, the others this description of it.
    #[error("the append transaction failed: {0}")]
    TransactionFailed(String),

    #[error("database error: {0}")]
    Database(#[source] DatabaseError),

    #[error("migration error: {0}")]
    Migration(#[source] DatabaseError),
}

/// A database driver's failure: kept whole as the error's source (logs show it), but not part of
/// the port's types, so nothing above this crate depends on the driver.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct DatabaseError(pub(crate) Box<dyn std::error::Error + Send + Sync>);

impl DatabaseError {
    #[cfg(any(feature = "postgres", feature = "sqlite"))]
    fn driver(&self) -> Option<&sqlx::Error> {
        self.0.downcast_ref::<sqlx::Error>()
    }

    /// Every connection of the pool stayed busy for the whole acquire timeout.
    #[cfg(any(feature = "postgres", feature = "sqlite"))]
    fn is_pool_timeout(&self) -> bool {
        matches!(self.driver(), Some(sqlx::Error::PoolTimedOut))
    }

    /// Only a backend's driver reports a pool timeout, and without a backend there is none.
    #[cfg(not(any(feature = "postgres", feature = "sqlite")))]
    #[allow(clippy::unused_self, reason = "the same signature as with a backend")]
    fn is_pool_timeout(&self) -> bool {
        false
    }
}

#[cfg(any(feature = "postgres", feature = "sqlite"))]
impl From<sqlx::Error> for EventStoreError {
    fn from(error: sqlx::Error) -> Self {
        EventStoreError::Database(DatabaseError(Box::new(error)))
    }
}

#[cfg(any(feature = "postgres", feature = "sqlite"))]
impl From<sqlx::migrate::MigrateError> for EventStoreError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        EventStoreError::Migration(DatabaseError(Box::new(error)))
    }
}

impl EventStoreError {
    /// Whether one command of a batch may have caused this failure of the batch's transaction
    /// (then appending the commands one by one tells who): a malformed append, a taken claim, or a
    /// unique violation in the database.
    #[cfg(any(feature = "postgres", feature = "sqlite"))]
    pub(crate) fn may_be_one_commands_fault(&self) -> bool {
        match self {
            EventStoreError::InvalidAppend(_) | EventStoreError::ClaimTaken { .. } => true,
            EventStoreError::Database(error) => error
                .driver()
                .and_then(sqlx::Error::as_database_error)
                .is_some_and(sqlx::error::DatabaseError::is_unique_violation),
            _ => false,
        }
    }

    /// The same failure for another caller of the batch (errors cannot be cloned): saturation
    /// stays saturation, so every caller is answered 503.
    #[cfg(any(feature = "postgres", feature = "sqlite"))]
    pub(crate) fn for_another_caller(&self) -> EventStoreError {
        if self.is_saturated() {
            EventStoreError::Saturated
        } else {
            EventStoreError::TransactionFailed(self.to_string())
        }
    }

    /// Every connection stayed busy for the whole acquire timeout, or the writer's queue stayed
    /// full as long: the store is saturated, and
    /// the caller should come back shortly rather than wait in an ever longer queue.
    pub fn is_saturated(&self) -> bool {
        match self {
            EventStoreError::Saturated => true,
            EventStoreError::Database(error) => error.is_pool_timeout(),
            _ => false,
        }
    }

    /// The pool was closed: the store is shutting down.
    #[cfg(feature = "postgres")]
    pub(crate) fn is_pool_closed(&self) -> bool {
        matches!(self, EventStoreError::Database(error) if matches!(error.driver(), Some(sqlx::Error::PoolClosed)))
    }

    /// A connection that could not be had in time, as a saturated pool reports it (for tests of
    /// the answers to saturation).
    #[cfg(any(feature = "postgres", feature = "sqlite"))]
    pub fn pool_timed_out() -> Self {
        sqlx::Error::PoolTimedOut.into()
    }
}
