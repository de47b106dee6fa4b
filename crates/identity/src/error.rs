//! Errors of the identity layer.

/// What can go wrong keeping keys, credentials and sessions.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("identity database error: {0}")]
    Database(#[source] DatabaseError),

    #[error("identity schema migration failed: {0}")]
    Migration(#[source] DatabaseError),

    /// A wrapped key does not open under the master key: the store was written under another one.
    #[error(
        "a stored key does not open under this master key (JANGTEO_MASTER_KEY, or master-key in the \
         data dir): the store was written under another one"
    )]
    WrongMasterKey,

    /// A sealed value does not open under its owner's key: it was altered, or sealed for another
    /// member or field.
    #[error("a sealed {field} does not open under its owner's key")]
    Tampered { field: &'static str },

    /// The member has no data key (never registered here, or erased).
    #[error("the member has no data key")]
    NoDataKey,

    /// The master key given in the configuration is not 32 bytes of hex or base64.
    #[error("the master key must be 32 bytes, written as 64 hex digits or base64")]
    InvalidMasterKey,

    /// The system's random generator failed.
    #[error("the system random generator failed")]
    Random,

    /// A stored row could not be read back.
    #[error("corrupt identity record: {0}")]
    Corrupt(String),
}

/// A database driver's failure, kept whole as the source without making the driver part of the
/// port's types.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct DatabaseError(pub(crate) Box<dyn std::error::Error + Send + Sync>);

#[cfg(any(feature = "postgres", feature = "sqlite"))]
impl From<sqlx::Error> for IdentityError {
    fn from(error: sqlx::Error) -> Self {
        IdentityError::Database(DatabaseError(Box::new(error)))
    }
}

#[cfg(any(feature = "postgres", feature = "sqlite"))]
impl From<sqlx::migrate::MigrateError> for IdentityError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        IdentityError::Migration(DatabaseError(Box::new(error)))
    }
}
