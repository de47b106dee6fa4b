//! Errors of the read-model layer. The adapters' own errors (sqlx, MongoDB, Elasticsearch, Redis,
//! tantivy) are kept whole as sources, but behind [`BackendError`], so nothing above this crate
//! depends on a driver's types, and the enum is the same whichever adapter features are on. The
//! conversions from a driver's error exist only with its feature.

use std::error::Error;

#[derive(Debug, thiserror::Error)]
pub enum ReadModelError {
    /// The document store (SQLite or MongoDB) refused or failed a call.
    #[error("document database error: {0}")]
    Documents(#[source] BackendError),

    #[error("document database migration error: {0}")]
    Migration(#[source] BackendError),

    #[error("cache error: {0}")]
    Cache(#[source] BackendError),

    /// The search index (tantivy) failed, or the search server refused a request.
    #[error("search index error: {0}")]
    Search(#[source] BackendError),

    /// Elasticsearch could not be reached, or its answer could not be read (including a request
    /// that ran past the client's timeout).
    #[error("search server error: {0}")]
    SearchServer(#[source] BackendError),

    /// A call to a read-model server did not finish in time, so the caller is not held forever
    /// by a server that accepts connections but does not answer.
    #[error("{service} did not answer {operation} within {limit:?}")]
    TimedOut {
        service: &'static str,
        operation: &'static str,
        limit: std::time::Duration,
        #[source]
        source: tokio::time::error::Elapsed,
    },

    #[error("stored read model is corrupt: {0}")]
    Corrupt(String),
}

/// A backend's failure: the driver's error itself, or what the adapter found wrong.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct BackendError(Box<dyn Error + Send + Sync>);

impl BackendError {
    pub(crate) fn new(error: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        Self(error.into())
    }

    /// The driver's error, for callers that must tell its kinds apart (a timeout, say).
    pub fn downcast_ref<T: Error + 'static>(&self) -> Option<&T> {
        self.0.downcast_ref::<T>()
    }
}

#[cfg(feature = "sqlite")]
impl From<sqlx::Error> for ReadModelError {
    fn from(error: sqlx::Error) -> Self {
        ReadModelError::Documents(BackendError::new(error))
    }
}

#[cfg(feature = "sqlite")]
impl From<sqlx::migrate::MigrateError> for ReadModelError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        ReadModelError::Migration(BackendError::new(error))
    }
}

#[cfg(feature = "tantivy")]
impl From<tantivy::TantivyError> for ReadModelError {
    fn from(error: tantivy::TantivyError) -> Self {
        ReadModelError::Search(BackendError::new(error))
    }
}

#[cfg(feature = "redis")]
impl From<redis::RedisError> for ReadModelError {
    fn from(error: redis::RedisError) -> Self {
        ReadModelError::Cache(BackendError::new(error))
    }
}
