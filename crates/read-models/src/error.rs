//! Errors of the read-model layer.

#[derive(Debug, thiserror::Error)]
pub enum ReadModelError {
    #[error("document database error: {0}")]
    Database(#[from] sqlx::Error),

    #[error("document database migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),

    /// MongoDB refused or failed a call (boxed: the driver's error is large).
    #[error("document database error: {0}")]
    Documents(#[source] Box<mongodb::error::Error>),

    #[error("cache error: {0}")]
    Cache(String),

    #[error("search index error: {0}")]
    Search(String),

    /// Elasticsearch could not be reached, or its answer could not be read (including a request
    /// that ran past the client's timeout).
    #[error("search server error: {0}")]
    SearchServer(#[source] elasticsearch::Error),

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

impl From<tantivy::TantivyError> for ReadModelError {
    fn from(error: tantivy::TantivyError) -> Self {
        ReadModelError::Search(error.to_string())
    }
}

impl From<redis::RedisError> for ReadModelError {
    fn from(error: redis::RedisError) -> Self {
        ReadModelError::Cache(error.to_string())
    }
}
