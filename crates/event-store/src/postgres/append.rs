//! The PostgreSQL append transaction: a batch of commands (one, or as many as group commit
//! gathered), each with its events over any number of streams, its unique claims and its
//! idempotency record, committed together.

use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::batch::{self, BatchPlan, Stored};
use crate::group_commit::BatchWriter;
use crate::plan::{self, StreamHead};
use crate::row::{self, EVENT_COLUMNS, EventRow};
use crate::{AppendOutcome, AppendRequest, EventStoreError, GlobalPosition};

/// Opens the append transaction and takes the log lock, in one round trip.
///
/// READ COMMITTED whatever the server's default: after waiting for the log lock, each following
/// statement must see what the previous appender committed (a REPEATABLE READ snapshot taken
/// before the wait would not).
///
/// The two timeouts keep one stuck appender from stopping every other: a waiter gives up on the
/// log lock after `lock_timeout`, and the server ends a session that holds the lock while its
/// client has gone silent (a partitioned process) after `idle_in_transaction_session_timeout`.
///
/// **The last statement is what keeps the global log gap-free and in commit order.** `FOR UPDATE`
/// takes the row lock on the log's single head row, and PostgreSQL holds a row lock until the
/// transaction ends. So the next appender waits here until this transaction has committed or
/// rolled back, and its next statement reads the head as this one left it:
///
/// * positions are handed out one transaction at a time, and each transaction's positions are
///   visible before the next transaction can even obtain its own: a reader's
///   `WHERE global_position > $after ORDER BY global_position` can never see position n + 1 while
///   n is still uncommitted, which is how a `BIGSERIAL` log loses late commits;
/// * the head moves only in [`write`], in the same transaction as the events, so a rollback
///   leaves it where it was and the log has no holes.
///
/// The price is that appends to the whole log are serialized from here to commit. Group commit
/// pays it once per batch instead of once per command, and the transaction stays short: a fixed
/// number of statements whatever the batch's size (four round trips: this, [`read_stored`],
/// [`write`] and the commit).
const BEGIN_AND_LOCK: &str = "BEGIN ISOLATION LEVEL READ COMMITTED; \
     SET LOCAL lock_timeout = '10s'; \
     SET LOCAL idle_in_transaction_session_timeout = '10s'; \
     SELECT 1 FROM log_head WHERE id = 1 FOR UPDATE";

/// The batch transaction over a pool.
#[derive(Clone)]
pub(super) struct PgBatchWriter {
    pub pool: PgPool,
}

type Answers = Vec<Result<AppendOutcome, EventStoreError>>;

impl BatchWriter for PgBatchWriter {
    async fn append_batch(&self, requests: &[AppendRequest]) -> Result<Answers, EventStoreError> {
        let mut tx = self.pool.begin_with(BEGIN_AND_LOCK).await?;

        // Everything below runs under the log lock, so no other append can interleave between
        // these reads and the commit: the batch's checks are race-free without retries. On an
        // error, dropping `tx` rolls back (sqlx flushes the ROLLBACK as the connection returns to
        // the pool) and frees the lock.
        let (stored, head, recorded_at) = read_stored(&mut tx, requests).await?;
        let batch = batch::plan(requests, stored, head, recorded_at);
        if batch.writes_nothing() {
            tx.rollback().await?;
            return Ok(batch.answers);
        }
        write(&mut tx, &batch, recorded_at).await?;
        tx.commit().await?;
        Ok(batch.answers)
    }
}

/// A row of [`read_stored`]'s first statement: kind, id, stream type, a number (position or
/// version) and the time.
type BatchReadRow = (i32, Option<Uuid>, Option<String>, i64, Option<DateTime<Utc>>);

/// Reads, in one statement, the log's head and the time to record (the database's
/// `clock_timestamp()`, taken under the lock, so `recorded_at` follows position order as far as
/// one clock allows, whichever process appends), the heads of the batch's streams that exist, and
/// which of its commands are stored already. Only then, and only if there are any, the stored
/// commands' events and the batch's claims, one statement each.
///
/// A stream's head is its last event, found through the `(stream_id, version)` index: there is no
/// table of heads to keep up to date in every append (migration 0003 dropped it). No row locks are
/// needed: every appender holds the log lock.
async fn read_stored(
    tx: &mut Transaction<'static, Postgres>,
    requests: &[AppendRequest],
) -> Result<(Stored, GlobalPosition, DateTime<Utc>), EventStoreError> {
    let mut stored = Stored::default();
    let command_ids = Stored::command_ids(requests);

    // One row for the head (kind 0), one per existing stream (1), one per stored command (2).
    let rows: Vec<BatchReadRow> = sqlx::query_as(
        "SELECT 0, NULL::uuid, NULL::text, position, clock_timestamp() FROM log_head WHERE id = 1 \
         UNION ALL SELECT 1, h.stream_id, h.stream_type, h.version, NULL FROM UNNEST($1::uuid[]) AS s(id) \
             CROSS JOIN LATERAL (SELECT stream_id, stream_type, version FROM events \
                 WHERE stream_id = s.id ORDER BY version DESC LIMIT 1) AS h \
         UNION ALL SELECT 2, command_id, NULL, first_position, NULL FROM commands WHERE command_id = ANY($2)",
    )
    .bind(Stored::stream_ids(requests))
    .bind(&command_ids)
    .fetch_all(&mut **tx)
    .await?;
    let mut head = None;
    let mut stored_commands = Vec::new();
    for (kind, id, stream_type, number, at) in rows {
        match (kind, id, stream_type, at) {
            (0, _, _, Some(at)) => head = Some((row::stored_u64(number, "log_head position")?, at)),
            (1, Some(stream_id), Some(stream_type), _) => {
                let version = row::stored_u64(number, "version")?;
                stored.streams.insert(stream_id, StreamHead { stream_type, version });
            }
            (2, Some(command_id), _, _) => stored_commands.push(command_id),
            _ => {
                return Err(EventStoreError::Corrupt(format!(
                    "unexpected row of kind {kind} reading a batch"
                )));
            }
        }
    }
    let Some((head, recorded_at)) = head else {
        return Err(EventStoreError::Corrupt("the log head row is missing".to_owned()));
    };

    if !stored_commands.is_empty() {
        // Through `commands` and its primary key, then the events' position range: a plan that
        // stays an index lookup however large the log grows.
        let rows: Vec<EventRow> = sqlx::query_as(&format!(
            "SELECT {EVENT_COLUMNS} FROM (SELECT e.* FROM commands c \
                 JOIN events e ON e.global_position BETWEEN c.first_position AND c.last_position \
                 WHERE c.command_id = ANY($1)) AS stored ORDER BY global_position"
        ))
        .bind(stored_commands)
        .fetch_all(&mut **tx)
        .await?;
        stored.add_command_events(row::into_events(rows)?)?;
    }

    let keys = Stored::claim_keys(requests);
    if !keys.is_empty() {
        let (scopes, values): (Vec<&str>, Vec<&str>) = keys.into_iter().unzip();
        let rows: Vec<(String, String, Uuid)> = sqlx::query_as(
            "SELECT c.scope, c.value, c.owner_stream_id FROM unique_claims c \
             JOIN UNNEST($1::text[], $2::text[]) AS k(scope, value) USING (scope, value)",
        )
        .bind(scopes)
        .bind(values)
        .fetch_all(&mut **tx)
        .await?;
        for (scope, value, owner) in rows {
            stored.claims.insert((scope, value), owner);
        }
    }
    Ok((stored, head, recorded_at))
}

/// Writes a planned batch: the events, the new claims, the command records and the log head, in
/// one statement. The per-row columns travel as arrays.
async fn write(
    tx: &mut Transaction<'static, Postgres>,
    batch: &BatchPlan,
    recorded_at: DateTime<Utc>,
) -> Result<(), EventStoreError> {
    let events = EventColumns::of(batch)?;
    let claims = ClaimColumns::of(batch);
    let commands = CommandColumns::of(batch)?;

    // Data-modifying CTEs all run, whether or not the outer query reads them. No `pg_notify`:
    // nothing listens (other processes poll the head, `poller.rs`), and a notifying transaction
    // takes PostgreSQL's global notification lock at commit.
    sqlx::query(
        "WITH new_events AS ( \
             INSERT INTO events (global_position, event_id, stream_id, stream_type, version, event_type, \
                 schema_version, payload, actor_id, actor_role, command_id, correlation_id, causation_id, \
                 recorded_at) \
             SELECT e.*, $13 FROM UNNEST($1::bigint[], $2::uuid[], $3::uuid[], $4::text[], $5::bigint[], \
                 $6::text[], $7::int[], $8::jsonb[], $9::uuid[], $10::text[], $11::uuid[], $12::uuid[], \
                 $14::uuid[]) AS e), \
         new_claims AS ( \
             INSERT INTO unique_claims (scope, value, owner_stream_id) \
             SELECT * FROM UNNEST($15::text[], $16::text[], $17::uuid[])), \
         new_commands AS ( \
             INSERT INTO commands (command_id, first_position, last_position, recorded_at) \
             SELECT c.*, $13 FROM UNNEST($18::uuid[], $19::bigint[], $20::bigint[]) AS c), \
         new_head AS ( \
             UPDATE log_head SET position = $21 WHERE id = 1 RETURNING position) \
         SELECT position FROM new_head",
    )
    .bind(events.positions)
    .bind(events.event_ids)
    .bind(events.stream_ids)
    .bind(events.stream_types)
    .bind(events.versions)
    .bind(events.event_types)
    .bind(events.schema_versions)
    .bind(events.payloads)
    .bind(events.actor_ids)
    .bind(events.actor_roles)
    .bind(events.command_ids)
    .bind(events.correlation_ids)
    .bind(recorded_at)
    .bind(events.causation_ids)
    .bind(claims.scopes)
    .bind(claims.values)
    .bind(claims.owners)
    .bind(commands.ids)
    .bind(commands.firsts)
    .bind(commands.lasts)
    .bind(row::to_sql(batch.head, "log_head position")?)
    .execute(&mut **tx)
    .await
    .map_err(plan::event_insert_error)?;
    Ok(())
}

/// The batch's events as one array per column.
struct EventColumns<'a> {
    positions: Vec<i64>,
    event_ids: Vec<Uuid>,
    stream_ids: Vec<Uuid>,
    stream_types: Vec<&'a str>,
    versions: Vec<i64>,
    event_types: Vec<&'a str>,
    schema_versions: Vec<i32>,
    payloads: Vec<&'a serde_json::Value>,
    actor_ids: Vec<Option<Uuid>>,
    actor_roles: Vec<&'static str>,
    command_ids: Vec<Uuid>,
    correlation_ids: Vec<Uuid>,
    causation_ids: Vec<Option<Uuid>>,
}

impl<'a> EventColumns<'a> {
    fn of(batch: &'a BatchPlan) -> Result<Self, EventStoreError> {
        let n = batch.events.len();
        let mut columns = EventColumns {
            positions: Vec::with_capacity(n),
            event_ids: Vec::with_capacity(n),
            stream_ids: Vec::with_capacity(n),
            stream_types: Vec::with_capacity(n),
            versions: Vec::with_capacity(n),
            event_types: Vec::with_capacity(n),
            schema_versions: Vec::with_capacity(n),
            payloads: Vec::with_capacity(n),
            actor_ids: Vec::with_capacity(n),
            actor_roles: Vec::with_capacity(n),
            command_ids: Vec::with_capacity(n),
            correlation_ids: Vec::with_capacity(n),
            causation_ids: Vec::with_capacity(n),
        };
        for event in &batch.events {
            columns.positions.push(row::to_sql(event.global_position, "position")?);
            columns.event_ids.push(event.event_id);
            columns.stream_ids.push(event.stream_id);
            columns.stream_types.push(&event.stream_type);
            columns.versions.push(row::to_sql(event.version, "version")?);
            columns.event_types.push(&event.event_type);
            // Checked by `plan::validate`.
            columns.schema_versions.push(
                i32::try_from(event.schema_version)
                    .map_err(|_| EventStoreError::InvalidAppend("schema version out of range".to_owned()))?,
            );
            columns.payloads.push(&event.payload);
            columns.actor_ids.push(event.metadata.actor_id);
            columns.actor_roles.push(event.metadata.actor_role.as_str());
            columns.command_ids.push(event.metadata.command_id);
            columns.correlation_ids.push(event.metadata.correlation_id);
            columns.causation_ids.push(event.metadata.causation_id);
        }
        Ok(columns)
    }
}

struct ClaimColumns<'a> {
    scopes: Vec<&'a str>,
    values: Vec<&'a str>,
    owners: Vec<Uuid>,
}

impl<'a> ClaimColumns<'a> {
    fn of(batch: &'a BatchPlan) -> Self {
        ClaimColumns {
            scopes: batch.claims.iter().map(|claim| claim.scope.as_str()).collect(),
            values: batch.claims.iter().map(|claim| claim.value.as_str()).collect(),
            owners: batch.claims.iter().map(|claim| claim.owner_stream_id).collect(),
        }
    }
}

struct CommandColumns {
    ids: Vec<Uuid>,
    firsts: Vec<i64>,
    lasts: Vec<i64>,
}

impl CommandColumns {
    fn of(batch: &BatchPlan) -> Result<Self, EventStoreError> {
        let mut columns = CommandColumns { ids: Vec::new(), firsts: Vec::new(), lasts: Vec::new() };
        for command in &batch.commands {
            columns.ids.push(command.command_id);
            columns.firsts.push(row::to_sql(command.first_position, "position")?);
            columns.lasts.push(row::to_sql(command.last_position, "position")?);
        }
        Ok(columns)
    }
}
