//! The statements that read the same on PostgreSQL and SQLite (sqlx numbers `$N` parameters on
//! both), written once over any sqlx database: reads, claim lookups and checkpoints.
//! What differs between the backends, the append transaction's locking and writes, stays in each
//! backend's `append.rs`.

use chrono::{DateTime, Utc};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, FromRow, IntoArguments, Type};
use uuid::Uuid;

use crate::row::{self, EVENT_COLUMNS, EventRow};
use crate::{AppendOutcome, EventStoreError, GlobalPosition, RecordedEvent, plan};

/// The portable queries, implemented below for every database that can bind and decode the
/// store's column types (PostgreSQL and SQLite). A trait with a blanket impl states those bounds
/// once instead of on every function. Call as `Postgres::read_all(&pool, ..)`.
pub(crate) trait Queries: Database {
    async fn read_stream<'e>(
        executor: impl Executor<'e, Database = Self>,
        stream_id: Uuid,
        after_version: u64,
    ) -> Result<Vec<RecordedEvent>, EventStoreError>;

    async fn read_all<'e>(
        executor: impl Executor<'e, Database = Self>,
        after: GlobalPosition,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, EventStoreError>;

    /// The stored outcome of a command, marked as a duplicate: whoever asks is about to answer a
    /// retry. The append transaction calls it too, under the log lock.
    async fn find_command<'e>(
        executor: impl Executor<'e, Database = Self>,
        command_id: Uuid,
    ) -> Result<Option<AppendOutcome>, EventStoreError>;

    /// The committed head. Appenders raise `log_head` only inside their transaction, so readers
    /// see the position of the newest committed event.
    async fn head_position<'e>(
        executor: impl Executor<'e, Database = Self>,
    ) -> Result<GlobalPosition, EventStoreError>;

    async fn find_claim<'e>(
        executor: impl Executor<'e, Database = Self>,
        scope: &str,
        value: &str,
    ) -> Result<Option<Uuid>, EventStoreError>;

    async fn release_claims<'e>(
        executor: impl Executor<'e, Database = Self>,
        scope: &str,
        owner_stream_id: Uuid,
    ) -> Result<u64, EventStoreError>;

    /// A subscriber that never saved a checkpoint starts from the beginning (0).
    async fn load_checkpoint<'e>(
        executor: impl Executor<'e, Database = Self>,
        subscriber: &str,
    ) -> Result<GlobalPosition, EventStoreError>;

    /// The statements of `LogMaintenance::rewrite_events`, inside the caller's transaction
    /// (which lifts the append-only trigger its backend's way around them).
    async fn rewrite_events(
        connection: &mut Self::Connection,
        rewrites: &[crate::EventRewrite],
    ) -> Result<(), EventStoreError>;

    /// Overwrites the checkpoint; moving it back is allowed (a rebuild starts again from 0).
    async fn save_checkpoint<'e>(
        executor: impl Executor<'e, Database = Self>,
        subscriber: &str,
        position: GlobalPosition,
    ) -> Result<(), EventStoreError>;
}

impl<DB> Queries for DB
where
    DB: Database,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> i32: Encode<'q, DB> + Type<DB>,
    for<'q> sqlx::types::Json<&'q serde_json::Value>: Encode<'q, DB> + Type<DB>,
    for<'q> Uuid: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> DateTime<Utc>: Encode<'q, DB> + Type<DB>,
    for<'r> EventRow: FromRow<'r, DB::Row>,
    usize: ColumnIndex<DB::Row>,
{
    async fn rewrite_events(
        connection: &mut Self::Connection,
        rewrites: &[crate::EventRewrite],
    ) -> Result<(), EventStoreError> {
        for rewrite in rewrites {
            sqlx::query("UPDATE events SET schema_version = $1, payload = $2 WHERE global_position = $3")
                .bind(i32::try_from(rewrite.schema_version).unwrap_or(i32::MAX))
                .bind(sqlx::types::Json(&rewrite.payload))
                .bind(row::to_sql(rewrite.global_position, "position")?)
                .execute(&mut *connection)
                .await?;
            for claim in &rewrite.claims {
                sqlx::query("UPDATE unique_claims SET value = $1 WHERE scope = $2 AND value = $3")
                    .bind(claim.new_value.as_str())
                    .bind(claim.scope.as_str())
                    .bind(claim.old_value.as_str())
                    .execute(&mut *connection)
                    .await?;
            }
        }
        Ok(())
    }

    async fn read_stream<'e>(
        executor: impl Executor<'e, Database = Self>,
        stream_id: Uuid,
        after_version: u64,
    ) -> Result<Vec<RecordedEvent>, EventStoreError> {
        let rows: Vec<EventRow> = sqlx::query_as(&format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND version > $2 ORDER BY version"
        ))
        .bind(stream_id)
        .bind(row::saturating_sql(after_version))
        .fetch_all(executor)
        .await?;
        row::into_events(rows)
    }

    async fn read_all<'e>(
        executor: impl Executor<'e, Database = Self>,
        after: GlobalPosition,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, EventStoreError> {
        let rows: Vec<EventRow> = sqlx::query_as(&format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE global_position > $1 \
             ORDER BY global_position LIMIT $2"
        ))
        .bind(row::saturating_sql(after))
        .bind(row::saturating_limit(limit))
        .fetch_all(executor)
        .await?;
        row::into_events(rows)
    }

    async fn find_command<'e>(
        executor: impl Executor<'e, Database = Self>,
        command_id: Uuid,
    ) -> Result<Option<AppendOutcome>, EventStoreError> {
        // Through `commands` and its primary key, then the command's position range (a command's
        // events are contiguous in the log): the log needs no index on `events.command_id`,
        // which every append would otherwise maintain.
        let rows: Vec<EventRow> = sqlx::query_as(&format!(
            "SELECT {EVENT_COLUMNS} FROM (SELECT e.* FROM commands c \
                 JOIN events e ON e.global_position BETWEEN c.first_position AND c.last_position \
                 WHERE c.command_id = $1) AS stored ORDER BY global_position"
        ))
        .bind(command_id)
        .fetch_all(executor)
        .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        plan::outcome(command_id, row::into_events(rows)?, true).map(Some)
    }

    async fn head_position<'e>(
        executor: impl Executor<'e, Database = Self>,
    ) -> Result<GlobalPosition, EventStoreError> {
        let position: i64 =
            sqlx::query_scalar("SELECT position FROM log_head WHERE id = 1").fetch_one(executor).await?;
        row::stored_u64(position, "log_head position")
    }

    async fn find_claim<'e>(
        executor: impl Executor<'e, Database = Self>,
        scope: &str,
        value: &str,
    ) -> Result<Option<Uuid>, EventStoreError> {
        let owner =
            sqlx::query_scalar("SELECT owner_stream_id FROM unique_claims WHERE scope = $1 AND value = $2")
                .bind(scope)
                .bind(value)
                .fetch_optional(executor)
                .await?;
        Ok(owner)
    }

    async fn release_claims<'e>(
        executor: impl Executor<'e, Database = Self>,
        scope: &str,
        owner_stream_id: Uuid,
    ) -> Result<u64, EventStoreError> {
        let released: Vec<Uuid> = sqlx::query_scalar(
            "DELETE FROM unique_claims WHERE scope = $1 AND owner_stream_id = $2 RETURNING owner_stream_id",
        )
        .bind(scope)
        .bind(owner_stream_id)
        .fetch_all(executor)
        .await?;
        Ok(u64::try_from(released.len()).unwrap_or(u64::MAX))
    }

    async fn load_checkpoint<'e>(
        executor: impl Executor<'e, Database = Self>,
        subscriber: &str,
    ) -> Result<GlobalPosition, EventStoreError> {
        let position: Option<i64> =
            sqlx::query_scalar("SELECT position FROM subscriber_checkpoints WHERE subscriber = $1")
                .bind(subscriber)
                .fetch_optional(executor)
                .await?;
        position.map_or(Ok(0), |position| row::stored_u64(position, "checkpoint"))
    }

    async fn save_checkpoint<'e>(
        executor: impl Executor<'e, Database = Self>,
        subscriber: &str,
        position: GlobalPosition,
    ) -> Result<(), EventStoreError> {
        sqlx::query(
            "INSERT INTO subscriber_checkpoints (subscriber, position) VALUES ($1, $2) \
             ON CONFLICT (subscriber) DO UPDATE SET position = excluded.position",
        )
        .bind(subscriber)
        .bind(row::to_sql(position, "checkpoint")?)
        .execute(executor)
        .await?;
        Ok(())
    }
}
