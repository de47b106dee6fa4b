//! The SQLite backend: the event log of the embedded profile, one file owned by one process.
//!
//! `append.rs` holds the write transaction of a batch of commands; appends reach it through the
//! group-commit writer or one by one (`CommitMode`). The reads are the portable ones of
//! `crate::queries`.
//! Writes go through a pool of exactly one connection and reads through a separate pool, so
//! readers never wait for a writer (WAL) and writers never race each other.

mod append;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};
use tokio::sync::watch;
use uuid::Uuid;

use self::append::SqliteBatchWriter;
use crate::group_commit::{Appender, CommitMode};
use crate::queries::Queries;
use crate::{AppendOutcome, AppendRequest, EventStore, EventStoreError, GlobalPosition, RecordedEvent, head};

/// How long a statement waits for another connection's lock (another process, or a checkpoint)
/// before it fails with `SQLITE_BUSY`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long an append waits for the single write connection; appenders queue here.
const WRITE_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);
const READ_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
const READ_CONNECTIONS: u32 = 4;

/// The event store in a SQLite file. Cloning is cheap and shares the pools and the subscription
/// channel; open the file once per process.
#[derive(Clone)]
pub struct SqliteEventStore {
    inner: Arc<Inner>,
}

struct Inner {
    /// Exactly one connection: appends are serialized here, before SQLite's own lock.
    writer: SqlitePool,
    appender: Appender<SqliteBatchWriter>,
    reader: SqlitePool,
    /// The newest committed position; every append goes through this process.
    head: watch::Sender<GlobalPosition>,
}

impl std::fmt::Debug for SqliteEventStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteEventStore").field("head", &*self.inner.head.borrow()).finish_non_exhaustive()
    }
}

impl SqliteEventStore {
    /// Opens (creating it and its folder if missing) the store at `path` and brings its schema up
    /// to date: the file belongs to this process, so there is no separate migration step to forget.
    /// Appends are group-committed.
    pub async fn open(path: &Path) -> Result<Self, EventStoreError> {
        Self::open_with_mode(path, CommitMode::default()).await
    }

    /// [`SqliteEventStore::open`] with the given commit mode.
    pub async fn open_with_mode(path: &Path, mode: CommitMode) -> Result<Self, EventStoreError> {
        if let Some(folder) = path.parent().filter(|folder| !folder.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(folder).await.map_err(sqlx::Error::Io)?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            // FULL syncs the WAL at every commit: an acknowledged append survives a power loss
            // (NORMAL, the usual WAL pairing, may lose the last commits).
            .synchronous(SqliteSynchronous::Full);
        // WAL lets readers run beside the writer; it is a property of the file, so the writer,
        // which opens first, sets it, and the readers find it.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(WRITE_ACQUIRE_TIMEOUT)
            .connect_with(options.clone().create_if_missing(true).journal_mode(SqliteJournalMode::Wal))
            .await?;
        sqlx::migrate!("../../event-store-migrations/sqlite").run(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(READ_CONNECTIONS)
            .acquire_timeout(READ_ACQUIRE_TIMEOUT)
            // `query_only` rather than a read-only open: opening a WAL file read-only depends on
            // its -wal/-shm files existing or being creatable; `query_only` still refuses writes.
            .connect_with(options.pragma("query_only", "ON"))
            .await?;
        let (head, _) = watch::channel(Sqlite::head_position(&reader).await?);
        let appender =
            Appender::new(SqliteBatchWriter { writer: writer.clone() }, mode, WRITE_ACQUIRE_TIMEOUT);
        Ok(Self { inner: Arc::new(Inner { writer, appender, reader, head }) })
    }

    /// Brings the schema up to date; [`SqliteEventStore::open`] already did, so this only matters
    /// to a caller that wants the step to be explicit (the `migrate` command).
    pub async fn migrate(&self) -> Result<(), EventStoreError> {
        sqlx::migrate!("../../event-store-migrations/sqlite").run(&self.inner.writer).await?;
        Ok(())
    }

    /// Closes both pools, waiting for connections in use to be returned. Further calls fail.
    pub async fn close(&self) {
        self.inner.writer.close().await;
        self.inner.reader.close().await;
    }
}

/// The update trigger of `0001_event_log.sql`, as the rewrite puts it back.
const NO_UPDATE_TRIGGER: &str = "CREATE TRIGGER events_no_update BEFORE UPDATE ON events \
     BEGIN SELECT RAISE(ABORT, 'events are append-only'); END";

#[async_trait]
impl crate::LogMaintenance for SqliteEventStore {
    async fn rewrite_events(&self, rewrites: &[crate::EventRewrite]) -> Result<(), EventStoreError> {
        let mut transaction = self.inner.writer.begin().await?;
        // DDL is transactional in SQLite: a failed rewrite leaves the trigger as it was.
        sqlx::query("DROP TRIGGER events_no_update").execute(&mut *transaction).await?;
        Sqlite::rewrite_events(&mut transaction, rewrites).await?;
        sqlx::query(NO_UPDATE_TRIGGER).execute(&mut *transaction).await?;
        transaction.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl EventStore for SqliteEventStore {
    async fn append(&self, request: AppendRequest) -> Result<AppendOutcome, EventStoreError> {
        let outcome = self.inner.appender.append(request).await?;
        head::publish(&self.inner.head, outcome.last_position);
        Ok(outcome)
    }

    async fn find_command(&self, command_id: Uuid) -> Result<Option<AppendOutcome>, EventStoreError> {
        Sqlite::find_command(&self.inner.reader, command_id).await
    }

    async fn read_stream(
        &self,
        stream_id: Uuid,
        after_version: u64,
    ) -> Result<Vec<RecordedEvent>, EventStoreError> {
        Sqlite::read_stream(&self.inner.reader, stream_id, after_version).await
    }

    async fn read_all(
        &self,
        after: GlobalPosition,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, EventStoreError> {
        Sqlite::read_all(&self.inner.reader, after, limit).await
    }

    async fn head_position(&self) -> Result<GlobalPosition, EventStoreError> {
        Sqlite::head_position(&self.inner.reader).await
    }

    async fn find_claim(&self, scope: &str, value: &str) -> Result<Option<Uuid>, EventStoreError> {
        Sqlite::find_claim(&self.inner.reader, scope, value).await
    }

    async fn release_claims(&self, scope: &str, owner_stream_id: Uuid) -> Result<u64, EventStoreError> {
        Sqlite::release_claims(&self.inner.writer, scope, owner_stream_id).await
    }

    async fn load_checkpoint(&self, subscriber: &str) -> Result<GlobalPosition, EventStoreError> {
        Sqlite::load_checkpoint(&self.inner.reader, subscriber).await
    }

    async fn save_checkpoint(
        &self,
        subscriber: &str,
        position: GlobalPosition,
    ) -> Result<(), EventStoreError> {
        // A write: it queues behind appends on the write connection like any other.
        Sqlite::save_checkpoint(&self.inner.writer, subscriber, position).await
    }

    fn subscribe(&self) -> watch::Receiver<GlobalPosition> {
        self.inner.head.subscribe()
    }
}
