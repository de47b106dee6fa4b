//! Errors of the read-model layer.

#[derive(Debug, thiserror::Error)]
pub enum ReadModelError {
    #[error("document database error: {0}")]
    Database(#[from] sqlx::Error),

    #[error("document database migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),

    /// A document database other than SQLite (MongoDB).
    #[error("document database error: {0}")]
    Documents(String),

    #[error("cache error: {0}")]
    Cache(String),

    #[error("search index error: {0}")]
    Search(String),

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
