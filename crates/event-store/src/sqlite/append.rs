//! The SQLite append transaction: a batch of commands (one, or as many as group commit gathered),
//! each with its events over any number of streams, its unique claims and its idempotency record,
//! committed together.

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::{Sqlite, SqliteConnection, SqlitePool};

use crate::batch::{self, BatchPlan, Stored};
use crate::group_commit::BatchWriter;
use crate::plan::{self, StreamHead};
use crate::queries::Queries;
use crate::row;
use crate::{AppendOutcome, AppendRequest, EventStoreError, RecordedEvent};

/// The batch transaction over the single write connection.
#[derive(Clone)]
pub(super) struct SqliteBatchWriter {
    pub writer: SqlitePool,
}

type Answers = Vec<Result<AppendOutcome, EventStoreError>>;

impl BatchWriter for SqliteBatchWriter {
    /// Appends a batch of commands (one, or as many as group commit gathered).
    ///
    /// **This is what keeps the global log gap-free and in commit order.** `writer` has a single
    /// connection, so appends of this process run one after the other, and `BEGIN IMMEDIATE` takes
    /// SQLite's write lock before the first statement, so even another process (a CLI command on
    /// the same file) cannot interleave. Positions are read from `log_head` and raised inside that
    /// transaction: each batch's positions follow the previous commit's, are visible to readers
    /// only once committed, and a rollback hands them back. A reader of
    /// `WHERE global_position > $after ORDER BY global_position` therefore never skips an event.
    async fn append_batch(&self, requests: &[AppendRequest]) -> Result<Answers, EventStoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let head: i64 =
            sqlx::query_scalar("SELECT position FROM log_head WHERE id = 1").fetch_one(&mut *tx).await?;
        let head = row::stored_u64(head, "log_head position")?;
        // Taken under the write lock, so `recorded_at` follows position order as far as the clock
        // allows. Microseconds, like PostgreSQL, so both backends return the same value they store.
        let recorded_at = Utc::now().trunc_subsecs(6);

        // Everything below runs under the write lock: the checks cannot race another append.
        let stored = read_stored(&mut tx, requests).await?;
        let batch = batch::plan(requests, stored, head, recorded_at);
        if batch.writes_nothing() {
            tx.rollback().await?;
            return Ok(batch.answers);
        }
        insert_events(&mut tx, &batch.events).await?;
        write_bookkeeping(&mut tx, &batch, recorded_at).await?;
        tx.commit().await?;
        Ok(batch.answers)
    }
}

/// Reads the batch's stored commands, stream heads and claims. One statement per item: SQLite
/// runs in-process, so a round trip costs little and each statement is an indexed lookup.
async fn read_stored(
    connection: &mut SqliteConnection,
    requests: &[AppendRequest],
) -> Result<Stored, EventStoreError> {
    let mut stored = Stored::default();
    for command_id in Stored::command_ids(requests) {
        if let Some(outcome) = Sqlite::find_command(&mut *connection, command_id).await? {
            stored.commands.insert(command_id, outcome);
        }
    }
    for stream_id in Stored::stream_ids(requests) {
        let current: Option<(String, i64)> =
            sqlx::query_as("SELECT stream_type, version FROM streams WHERE stream_id = $1")
                .bind(stream_id)
                .fetch_optional(&mut *connection)
                .await?;
        if let Some((stream_type, version)) = current {
            stored
                .streams
                .insert(stream_id, StreamHead { stream_type, version: row::stored_u64(version, "version")? });
        }
    }
    for (scope, value) in Stored::claim_keys(requests) {
        if let Some(owner) = Sqlite::find_claim(&mut *connection, scope, value).await? {
            stored.claims.insert((scope.to_owned(), value.to_owned()), owner);
        }
    }
    Ok(stored)
}

/// Inserts the events one statement each: SQLite runs in-process, so a round trip costs no more
/// than a batch would, and the prepared statement is reused.
async fn insert_events(
    connection: &mut SqliteConnection,
    events: &[RecordedEvent],
) -> Result<(), EventStoreError> {
    for event in events {
        sqlx::query(
            "INSERT INTO events (global_position, event_id, stream_id, stream_type, version, \
                 event_type, schema_version, payload, actor_id, actor_role, command_id, \
                 correlation_id, causation_id, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(row::to_sql(event.global_position, "position")?)
        .bind(event.event_id)
        .bind(event.stream_id)
        .bind(event.stream_type.as_str())
        .bind(row::to_sql(event.version, "version")?)
        .bind(event.event_type.as_str())
        .bind(i64::from(event.schema_version))
        .bind(sqlx::types::Json(&event.payload))
        .bind(event.metadata.actor_id)
        .bind(event.metadata.actor_role.as_str())
        .bind(event.metadata.command_id)
        .bind(event.metadata.correlation_id)
        .bind(event.metadata.causation_id)
        .bind(event.recorded_at)
        .execute(&mut *connection)
        .await
        .map_err(plan::event_insert_error)?;
    }
    Ok(())
}

/// Moves each stream's head to its new version (creating the streams that did not exist), stores
/// the new claims and the command records, and raises the log head.
async fn write_bookkeeping(
    connection: &mut SqliteConnection,
    batch: &BatchPlan,
    recorded_at: DateTime<Utc>,
) -> Result<(), EventStoreError> {
    for head in &batch.stream_heads {
        sqlx::query(
            "INSERT INTO streams (stream_id, stream_type, version) VALUES ($1, $2, $3) \
             ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version",
        )
        .bind(head.stream_id)
        .bind(head.stream_type.as_str())
        .bind(row::to_sql(head.version, "version")?)
        .execute(&mut *connection)
        .await?;
    }
    for claim in &batch.claims {
        sqlx::query("INSERT INTO unique_claims (scope, value, owner_stream_id) VALUES ($1, $2, $3)")
            .bind(claim.scope.as_str())
            .bind(claim.value.as_str())
            .bind(claim.owner_stream_id)
            .execute(&mut *connection)
            .await?;
    }
    for command in &batch.commands {
        sqlx::query(
            "INSERT INTO commands (command_id, first_position, last_position, recorded_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(command.command_id)
        .bind(row::to_sql(command.first_position, "position")?)
        .bind(row::to_sql(command.last_position, "position")?)
        .bind(recorded_at)
        .execute(&mut *connection)
        .await?;
    }
    sqlx::query("UPDATE log_head SET position = $1 WHERE id = 1")
        .bind(row::to_sql(batch.head, "log_head position")?)
        .execute(&mut *connection)
        .await?;
    Ok(())
}
