//! The SQLite append transaction: one command's events over any number of streams, with its
//! unique claims and its idempotency record, committed together or not at all.

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::{Sqlite, SqliteConnection, SqlitePool};

use crate::plan::{self, StreamHead};
use crate::queries::Queries;
use crate::row;
use crate::{AppendOutcome, AppendRequest, EventMetadata, EventStoreError, RecordedEvent, StreamAppend};

/// Appends one command.
///
/// **This is what keeps the global log gap-free and in commit order.** `writer` has a single
/// connection, so appends of this process run one after the other, and `BEGIN IMMEDIATE` takes
/// SQLite's write lock before the first statement, so even another process (a CLI command on the
/// same file) cannot interleave. Positions are read from `log_head` and raised inside that
/// transaction: each append's positions follow the previous commit's, are visible to readers only
/// once committed, and a rollback hands them back. A reader of
/// `WHERE global_position > $after ORDER BY global_position` therefore never skips an event.
pub(super) async fn append(
    writer: &SqlitePool,
    request: AppendRequest,
) -> Result<AppendOutcome, EventStoreError> {
    let count = plan::validate(&request)?;
    let AppendRequest { metadata, streams, claims } = request;

    let mut tx = writer.begin_with("BEGIN IMMEDIATE").await?;
    let head: i64 =
        sqlx::query_scalar("UPDATE log_head SET position = position + $1 WHERE id = 1 RETURNING position")
            .bind(row::to_sql(count, "event count")?)
            .fetch_one(&mut *tx)
            .await?;
    let first_position = row::stored_u64(head, "log_head position")?
        .checked_sub(count)
        .ok_or_else(|| EventStoreError::Corrupt(format!("log_head {head} is below {count}")))?
        + 1;
    // Taken under the write lock, so `recorded_at` follows position order as far as the clock
    // allows. Microseconds, like PostgreSQL, so both backends return the same value they store.
    let recorded_at = Utc::now().trunc_subsecs(6);

    // Everything below runs under the write lock: the checks cannot race another append.
    if let Some(outcome) = Sqlite::find_command(&mut *tx, metadata.command_id).await? {
        tx.rollback().await?;
        return Ok(outcome);
    }
    let current_versions = check_versions(&mut tx, &streams).await?;
    for claim in &claims {
        Sqlite::claim(&mut tx, claim).await?;
    }
    let events = plan::number_events(&metadata, streams, &current_versions, first_position, recorded_at)?;
    insert_events(&mut tx, &metadata, recorded_at, &events).await?;
    update_streams(&mut tx, &events).await?;
    let outcome = plan::outcome(metadata.command_id, events, false)?;
    Sqlite::record_command(&mut *tx, &outcome, recorded_at).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Checks every expected version; returns the current versions in request order.
async fn check_versions(
    connection: &mut SqliteConnection,
    streams: &[StreamAppend],
) -> Result<Vec<u64>, EventStoreError> {
    let mut versions = Vec::with_capacity(streams.len());
    for stream in streams {
        let current: Option<(String, i64)> =
            sqlx::query_as("SELECT stream_type, version FROM streams WHERE stream_id = $1")
                .bind(stream.stream_id)
                .fetch_optional(&mut *connection)
                .await?;
        let current = match current {
            Some((stream_type, version)) => {
                Some(StreamHead { stream_type, version: row::stored_u64(version, "version")? })
            }
            None => None,
        };
        versions.push(plan::check_expected(stream, current.as_ref())?);
    }
    Ok(versions)
}

/// Inserts the events one statement each: SQLite runs in-process, so a round trip costs no more
/// than a batch would, and the prepared statement is reused.
async fn insert_events(
    connection: &mut SqliteConnection,
    metadata: &EventMetadata,
    recorded_at: DateTime<Utc>,
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
        .bind(metadata.actor_id)
        .bind(metadata.actor_role.as_str())
        .bind(metadata.command_id)
        .bind(metadata.correlation_id)
        .bind(metadata.causation_id)
        .bind(recorded_at)
        .execute(&mut *connection)
        .await
        .map_err(plan::event_insert_error)?;
    }
    Ok(())
}

/// Moves each stream's head to its new version, creating the streams that did not exist.
async fn update_streams(
    connection: &mut SqliteConnection,
    events: &[RecordedEvent],
) -> Result<(), EventStoreError> {
    for last in plan::stream_heads(events) {
        sqlx::query(
            "INSERT INTO streams (stream_id, stream_type, version) VALUES ($1, $2, $3) \
             ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version",
        )
        .bind(last.stream_id)
        .bind(last.stream_type.as_str())
        .bind(row::to_sql(last.version, "version")?)
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}
