//! The PostgreSQL append transaction: one command's events over any number of streams, with its
//! unique claims and its idempotency record, committed together or not at all.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use super::NOTIFY_CHANNEL;
use crate::plan::{self, StreamHead};
use crate::queries::Queries;
use crate::row;
use crate::{
    AppendOutcome, AppendRequest, EventMetadata, EventStoreError, GlobalPosition, RecordedEvent, StreamAppend,
};

/// Opens the append transaction.
///
/// READ COMMITTED whatever the server's default: after waiting for the log lock, each following
/// statement must see what the previous appender committed (a REPEATABLE READ snapshot taken
/// before the wait would not, and its UPDATE would fail with a serialization error instead).
///
/// The two timeouts keep one stuck appender from stopping every other: a waiter gives up on the
/// log lock after `lock_timeout`, and the server ends a session that holds the lock while its
/// client has gone silent (a partitioned process) after `idle_in_transaction_session_timeout`.
const BEGIN: &str = "BEGIN ISOLATION LEVEL READ COMMITTED; \
     SET LOCAL lock_timeout = '10s'; \
     SET LOCAL idle_in_transaction_session_timeout = '10s'";

pub(super) async fn append(pool: &PgPool, request: AppendRequest) -> Result<AppendOutcome, EventStoreError> {
    let count = plan::validate(&request)?;
    let AppendRequest { metadata, streams, claims } = request;

    let mut tx = pool.begin_with(BEGIN).await?;

    let (first_position, recorded_at) = reserve_positions(&mut tx, count).await?;

    // Everything below runs under the log lock, so no other append can interleave between these
    // checks and the commit: they are race-free without retries. On an error, dropping `tx` rolls
    // back (sqlx flushes the ROLLBACK as the connection returns to the pool) and frees the lock.
    if let Some(outcome) = Postgres::find_command(&mut *tx, metadata.command_id).await? {
        // The rollback gives the reserved positions back: the next appender reuses them.
        tx.rollback().await?;
        return Ok(outcome);
    }
    let current_versions = check_versions(&mut tx, &streams).await?;
    for claim in &claims {
        Postgres::claim(&mut tx, claim).await?;
    }
    let events = plan::number_events(&metadata, streams, &current_versions, first_position, recorded_at)?;
    insert_events(&mut tx, &metadata, recorded_at, &events).await?;
    update_streams(&mut tx, &events).await?;

    let outcome = plan::outcome(metadata.command_id, events, false)?;
    Postgres::record_command(&mut *tx, &outcome, recorded_at).await?;
    // Delivered at commit, and only if the transaction commits.
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(NOTIFY_CHANNEL)
        .bind(outcome.last_position.to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Reserves `count` positions and returns the first one, with the time to record.
///
/// **This is what keeps the global log gap-free and in commit order.** `UPDATE log_head` takes the
/// row lock on the log's single head row, and PostgreSQL holds a row lock until the transaction
/// ends. So the next appender's `UPDATE` waits here until this transaction has committed or rolled
/// back, and then reads the head as this one left it:
///
/// * positions are handed out one transaction at a time, and each transaction's positions are
///   visible before the next transaction can even obtain its own: a reader's
///   `WHERE global_position > $after ORDER BY global_position` can never see position n + 1 while
///   n is still uncommitted, which is how a `BIGSERIAL` log loses late commits;
/// * a rollback also rolls back the increment, so the next appender reuses those numbers and the
///   log has no holes.
///
/// The price is that appends to the whole log are serialized from here to commit; that is why this
/// runs after the request was validated and why the transaction stays short.
///
/// The time is the database's `clock_timestamp()` taken under the lock, so `recorded_at` follows
/// position order as far as one clock allows, whichever process appends.
async fn reserve_positions(
    tx: &mut Transaction<'static, Postgres>,
    count: u64,
) -> Result<(GlobalPosition, DateTime<Utc>), EventStoreError> {
    let (head, recorded_at): (i64, DateTime<Utc>) = sqlx::query_as(
        "UPDATE log_head SET position = position + $1 WHERE id = 1 \
         RETURNING position, clock_timestamp()",
    )
    .bind(row::to_sql(count, "event count")?)
    .fetch_one(&mut **tx)
    .await?;
    let first = row::stored_u64(head, "log_head position")?
        .checked_sub(count)
        .ok_or_else(|| EventStoreError::Corrupt(format!("log_head {head} is below {count}")))?;
    Ok((first + 1, recorded_at))
}

/// Reads (and row-locks) the streams' heads and checks every expected version; returns the
/// current versions in request order. The `log_head` lock already keeps other appenders out;
/// `FOR UPDATE` also keeps out anything else that would write `streams`.
async fn check_versions(
    tx: &mut Transaction<'static, Postgres>,
    streams: &[StreamAppend],
) -> Result<Vec<u64>, EventStoreError> {
    let ids: Vec<Uuid> = streams.iter().map(|stream| stream.stream_id).collect();
    let rows: Vec<(Uuid, String, i64)> = sqlx::query_as(
        "SELECT stream_id, stream_type, version FROM streams WHERE stream_id = ANY($1) FOR UPDATE",
    )
    .bind(&ids)
    .fetch_all(&mut **tx)
    .await?;
    let mut heads = HashMap::with_capacity(rows.len());
    for (stream_id, stream_type, version) in rows {
        heads.insert(stream_id, StreamHead { stream_type, version: row::stored_u64(version, "version")? });
    }
    streams.iter().map(|stream| plan::check_expected(stream, heads.get(&stream.stream_id))).collect()
}

/// Inserts all events in one statement: the per-event columns as arrays, the command's metadata
/// (the same for every event) as scalars.
async fn insert_events(
    tx: &mut Transaction<'static, Postgres>,
    metadata: &EventMetadata,
    recorded_at: DateTime<Utc>,
    events: &[RecordedEvent],
) -> Result<(), EventStoreError> {
    let mut positions = Vec::with_capacity(events.len());
    let mut versions = Vec::with_capacity(events.len());
    let mut schema_versions = Vec::with_capacity(events.len());
    for event in events {
        positions.push(row::to_sql(event.global_position, "position")?);
        versions.push(row::to_sql(event.version, "version")?);
        // Checked by `plan::validate`.
        schema_versions.push(
            i32::try_from(event.schema_version)
                .map_err(|_| EventStoreError::InvalidAppend("schema version out of range".to_owned()))?,
        );
    }
    let event_ids: Vec<Uuid> = events.iter().map(|event| event.event_id).collect();
    let stream_ids: Vec<Uuid> = events.iter().map(|event| event.stream_id).collect();
    let stream_types: Vec<&str> = events.iter().map(|event| event.stream_type.as_str()).collect();
    let event_types: Vec<&str> = events.iter().map(|event| event.event_type.as_str()).collect();
    let payloads: Vec<&serde_json::Value> = events.iter().map(|event| &event.payload).collect();

    sqlx::query(
        "INSERT INTO events (global_position, event_id, stream_id, stream_type, version, event_type, \
             schema_version, payload, actor_id, actor_role, command_id, correlation_id, causation_id, \
             recorded_at) \
         SELECT e.global_position, e.event_id, e.stream_id, e.stream_type, e.version, e.event_type, \
             e.schema_version, e.payload, $9, $10, $11, $12, $13, $14 \
         FROM UNNEST($1::bigint[], $2::uuid[], $3::uuid[], $4::text[], $5::bigint[], $6::text[], \
             $7::int[], $8::jsonb[]) \
             AS e(global_position, event_id, stream_id, stream_type, version, event_type, \
             schema_version, payload)",
    )
    .bind(positions)
    .bind(event_ids)
    .bind(stream_ids)
    .bind(stream_types)
    .bind(versions)
    .bind(event_types)
    .bind(schema_versions)
    .bind(payloads)
    .bind(metadata.actor_id)
    .bind(metadata.actor_role.as_str())
    .bind(metadata.command_id)
    .bind(metadata.correlation_id)
    .bind(metadata.causation_id)
    .bind(recorded_at)
    .execute(&mut **tx)
    .await
    .map_err(plan::event_insert_error)?;
    Ok(())
}

/// Moves each stream's head to its new version, creating the streams that did not exist.
async fn update_streams(
    tx: &mut Transaction<'static, Postgres>,
    events: &[RecordedEvent],
) -> Result<(), EventStoreError> {
    let mut ids = Vec::new();
    let mut types = Vec::new();
    let mut versions = Vec::new();
    for last in plan::stream_heads(events) {
        ids.push(last.stream_id);
        types.push(last.stream_type.as_str());
        versions.push(row::to_sql(last.version, "version")?);
    }
    sqlx::query(
        "INSERT INTO streams (stream_id, stream_type, version) \
         SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::bigint[]) \
         ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version",
    )
    .bind(ids)
    .bind(types)
    .bind(versions)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
