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

impl ReadModelError {
    /// Whether the backend could not be reached or did not answer in time (a server down, a
    /// connection refused or dropped, a call past its deadline), rather than refusing or failing
    /// a call it took. Such a failure passes when the backend is back: callers answer "try again"
    /// rather than "internal error".
    pub fn is_unavailable(&self) -> bool {
        match self {
            ReadModelError::TimedOut { .. } => true,
            ReadModelError::Documents(error)
            | ReadModelError::Cache(error)
            | ReadModelError::SearchServer(error) => error.is_unreachable(),
            ReadModelError::Migration(_) | ReadModelError::Search(_) | ReadModelError::Corrupt(_) => false,
        }
    }
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

    /// Whether the driver failed to reach its server: the connection could not be made, broke, or
    /// timed out. Only the drivers whose feature is on are asked; anything else is not.
    fn is_unreachable(&self) -> bool {
        let error = &*self.0;
        #[cfg(feature = "redis")]
        if let Some(error) = error.downcast_ref::<redis::RedisError>() {
            return error.is_connection_refusal()
                || error.is_io_error()
                || error.is_timeout()
                || error.is_connection_dropped();
        }
        #[cfg(feature = "mongodb")]
        if let Some(error) = error.downcast_ref::<mongodb::error::Error>() {
            use mongodb::error::ErrorKind;
            return matches!(
                *error.kind,
                ErrorKind::ServerSelection { .. }
                    | ErrorKind::Io(_)
                    | ErrorKind::ConnectionPoolCleared { .. }
            );
        }
        #[cfg(feature = "elasticsearch")]
        if let Some(error) = error.downcast_ref::<elasticsearch::Error>() {
            // The transport's failure (reqwest's, below the client's error) is an I/O error
            // somewhere down its chain of causes: refused, reset, timed out.
            return error.is_timeout() || caused_by_io(error);
        }
        // Any other error (SQLite's, the adapters' own) is not a connection's failure.
        let _ = error;
        false
    }
}

/// Whether an I/O error is among `error`'s causes.
#[cfg(feature = "elasticsearch")]
fn caused_by_io(error: &(dyn Error + 'static)) -> bool {
    let mut cause = error.source();
    while let Some(current) = cause {
        if current.is::<std::io::Error>() {
            return true;
        }
        cause = current.source();
    }
    false
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

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, reason = "a failed expectation is a failed test")]

    use std::io;

    use super::*;

    fn refused() -> io::Error {
        io::Error::new(io::ErrorKind::ConnectionRefused, "connection refused")
    }

    #[test]
    fn a_backend_that_cannot_be_reached_is_unavailable() {
        let redis_down = ReadModelError::Cache(BackendError::new(redis::RedisError::from(refused())));
        assert!(redis_down.is_unavailable());
        let mongo_down = ReadModelError::Documents(BackendError::new(mongodb::error::Error::from(refused())));
        assert!(mongo_down.is_unavailable());
        let search_down =
            ReadModelError::SearchServer(BackendError::new(elasticsearch::Error::from(refused())));
        assert!(search_down.is_unavailable());
    }

    #[tokio::test]
    async fn a_call_past_its_deadline_is_unavailable() {
        let source = tokio::time::timeout(std::time::Duration::ZERO, std::future::pending::<()>())
            .await
            .expect_err("a pending future never finishes");
        let late = ReadModelError::TimedOut {
            service: "MongoDB",
            operation: "reading a document",
            limit: std::time::Duration::ZERO,
            source,
        };
        assert!(late.is_unavailable());
    }

    #[test]
    fn refusals_and_corruption_are_not_unavailability() {
        let refused_by_server = ReadModelError::Cache(BackendError::new(redis::RedisError::from((
            redis::ErrorKind::Parse,
            "bad",
        ))));
        assert!(!refused_by_server.is_unavailable());
        assert!(!ReadModelError::Corrupt("x".to_owned()).is_unavailable());
        assert!(!ReadModelError::Documents(BackendError::new("a constraint failed")).is_unavailable());
        // The local index is a file: a failure of it does not pass by waiting.
        assert!(!ReadModelError::Search(BackendError::new(refused())).is_unavailable());
    }
}
