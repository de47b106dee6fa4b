//! The PostgreSQL backend: the event log of the distributed profile, shared by several processes.
//!
//! `append.rs` holds the write transaction of a batch of commands (and the explanation of why the
//! log has no gaps); appends reach it through the group-commit writer or one by one (`CommitMode`);
//! `poller.rs` the task that wakes subscribers when other processes append; the reads are the
//! portable ones of `crate::queries`.

mod append;
mod poller;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Postgres};
use tokio::sync::{oneshot, watch};
use uuid::Uuid;

use self::append::PgBatchWriter;
use crate::group_commit::{Appender, CommitMode};
use crate::queries::Queries;
use crate::{AppendOutcome, AppendRequest, EventStore, EventStoreError, GlobalPosition, RecordedEvent, head};

/// How long a command waits for a connection before it is answered 503 + Retry-After: long enough
/// to ride out a burst, short enough that a saturated store does not pile requests up.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// The event store over a PostgreSQL database. Cloning is cheap and shares the pool and the
/// subscription channel.
#[derive(Clone)]
pub struct PostgresEventStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: PgPool,
    /// The group-commit writer's own connection (the pool itself when appending one by one).
    writer_pool: PgPool,
    appender: Appender<PgBatchWriter>,
    /// The newest committed position known to this handle.
    head: watch::Sender<GlobalPosition>,
    /// Set once the poller runs; dropping it (with the last handle) stops the poller.
    poller_stop: OnceLock<oneshot::Sender<()>>,
}

impl std::fmt::Debug for PostgresEventStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresEventStore").field("head", &*self.inner.head.borrow()).finish_non_exhaustive()
    }
}

impl PostgresEventStore {
    /// Connects a pool of at most `max_connections` to `url`. The schema is not touched: run
    /// [`PostgresEventStore::migrate`] (the `migrate` command) first.
    /// Appends are group-committed.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, EventStoreError> {
        Self::connect_with_mode(url, max_connections, CommitMode::default()).await
    }

    /// [`PostgresEventStore::connect`] with the given commit mode.
    pub async fn connect_with_mode(
        url: &str,
        max_connections: u32,
        mode: CommitMode,
    ) -> Result<Self, EventStoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect(url)
            .await?;
        Ok(Self::from_pool_with_mode(pool, mode))
    }

    /// Wraps an existing pool; appends are group-committed.
    pub fn from_pool(pool: PgPool) -> Self {
        Self::from_pool_with_mode(pool, CommitMode::default())
    }

    /// Wraps an existing pool with the given commit mode.
    ///
    /// Group commit's writer appends one batch at a time on a connection of its own (one more
    /// than the pool's), so that a commit never queues for a connection behind the reads, and
    /// skips the pool's ping before each use: a connection that died fails one batch, whose
    /// callers are answered with the error, and the next batch opens a new one.
    pub fn from_pool_with_mode(pool: PgPool, mode: CommitMode) -> Self {
        let (head, _) = watch::channel(0);
        let writer_pool = match mode {
            CommitMode::Grouped => PgPoolOptions::new()
                .max_connections(1)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .test_before_acquire(false)
                .connect_lazy_with((*pool.connect_options()).clone()),
            CommitMode::OneByOne => pool.clone(),
        };
        let appender = Appender::new(PgBatchWriter { pool: writer_pool.clone() }, mode, ACQUIRE_TIMEOUT);
        Self { inner: Arc::new(Inner { pool, writer_pool, appender, head, poller_stop: OnceLock::new() }) }
    }

    /// Brings the schema up to date. Safe to run from several processes at once: sqlx takes an
    /// advisory lock around the migrations.
    pub async fn migrate(&self) -> Result<(), EventStoreError> {
        sqlx::migrate!("../../event-store-migrations/postgres").run(&self.inner.pool).await?;
        Ok(())
    }

    /// Closes the pool, waiting for connections in use to be returned. Further calls fail.
    pub async fn close(&self) {
        self.inner.pool.close().await;
        self.inner.writer_pool.close().await;
    }
}

#[async_trait]
impl crate::LogMaintenance for PostgresEventStore {
    async fn rewrite_events(&self, rewrites: &[crate::EventRewrite]) -> Result<(), EventStoreError> {
        let mut transaction = self.inner.pool.begin().await?;
        // Transactional in PostgreSQL: the trigger is back in force at commit or rollback.
        sqlx::query("ALTER TABLE events DISABLE TRIGGER events_append_only")
            .execute(&mut *transaction)
            .await?;
        Postgres::rewrite_events(&mut transaction, rewrites).await?;
        sqlx::query("ALTER TABLE events ENABLE TRIGGER events_append_only")
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl EventStore for PostgresEventStore {
    async fn append(&self, request: AppendRequest) -> Result<AppendOutcome, EventStoreError> {
        let outcome = self.inner.appender.append(request).await?;
        head::publish(&self.inner.head, outcome.last_position);
        Ok(outcome)
    }

    async fn find_command(&self, command_id: Uuid) -> Result<Option<AppendOutcome>, EventStoreError> {
        Postgres::find_command(&self.inner.pool, command_id).await
    }

    async fn read_stream(
        &self,
        stream_id: Uuid,
        after_version: u64,
    ) -> Result<Vec<RecordedEvent>, EventStoreError> {
        Postgres::read_stream(&self.inner.pool, stream_id, after_version).await
    }

    async fn read_all(
        &self,
        after: GlobalPosition,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, EventStoreError> {
        Postgres::read_all(&self.inner.pool, after, limit).await
    }

    async fn head_position(&self) -> Result<GlobalPosition, EventStoreError> {
        Postgres::head_position(&self.inner.pool).await
    }

    async fn find_claim(&self, scope: &str, value: &str) -> Result<Option<Uuid>, EventStoreError> {
        Postgres::find_claim(&self.inner.pool, scope, value).await
    }

    async fn release_claims(&self, scope: &str, owner_stream_id: Uuid) -> Result<u64, EventStoreError> {
        Postgres::release_claims(&self.inner.pool, scope, owner_stream_id).await
    }

    async fn load_checkpoint(&self, subscriber: &str) -> Result<GlobalPosition, EventStoreError> {
        Postgres::load_checkpoint(&self.inner.pool, subscriber).await
    }

    async fn save_checkpoint(
        &self,
        subscriber: &str,
        position: GlobalPosition,
    ) -> Result<(), EventStoreError> {
        Postgres::save_checkpoint(&self.inner.pool, subscriber, position).await
    }

    fn subscribe(&self) -> watch::Receiver<GlobalPosition> {
        // Started on first use rather than in `from_pool`, which may run outside a runtime.
        poller::ensure_started(&self.inner);
        self.inner.head.subscribe()
    }
}
