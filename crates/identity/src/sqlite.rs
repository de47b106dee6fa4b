//! The identity store of the embedded profile: a SQLite file of its own beside the event log,
//! with `secure_delete` on, so a destroyed data key is overwritten on disk.

use std::{path::Path, time::Duration};

use sqlx::{
    Sqlite,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECTIONS: u32 = 8;

crate::sql::identity_store_on!(Sqlite);

/// The identity store in a SQLite file.
pub type SqliteIdentityStore = SqlIdentityStore<Sqlite>;

impl SqlIdentityStore<Sqlite> {
    /// Opens (creating it and its folder if missing) the store at `path`, schema up to date.
    pub async fn open(path: &Path) -> Result<Self, IdentityError> {
        if let Some(folder) = path.parent().filter(|folder| !folder.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(folder).await.map_err(sqlx::Error::Io)?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            .pragma("secure_delete", "ON");
        let pool = SqlitePoolOptions::new()
            .max_connections(CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Self { pool })
    }
}
