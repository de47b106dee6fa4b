//! The stored shape of an event, shared by both backends, and the checked integer conversions
//! between the domain's unsigned numbers and SQL's signed `BIGINT`/`INTEGER`.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{ActorRole, EventMetadata, EventStoreError, RecordedEvent};

/// The columns of `events` in the order [`EventRow`] reads them; both schemas use the same names.
pub(crate) const EVENT_COLUMNS: &str = "global_position, event_id, stream_id, stream_type, version, \
     event_type, schema_version, payload, actor_id, actor_role, command_id, correlation_id, \
     causation_id, recorded_at";

/// One row of `events` exactly as the database returns it. Nothing here is trusted yet: the
/// conversion into [`RecordedEvent`] checks every signed number and the actor role.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct EventRow {
    global_position: i64,
    event_id: Uuid,
    stream_id: Uuid,
    stream_type: String,
    version: i64,
    event_type: String,
    schema_version: i32,
    payload: sqlx::types::Json<serde_json::Value>,
    actor_id: Option<Uuid>,
    actor_role: String,
    command_id: Uuid,
    correlation_id: Uuid,
    causation_id: Option<Uuid>,
    recorded_at: DateTime<Utc>,
}

impl TryFrom<EventRow> for RecordedEvent {
    type Error = EventStoreError;

    fn try_from(row: EventRow) -> Result<Self, Self::Error> {
        let actor_role = ActorRole::parse(&row.actor_role).ok_or_else(|| {
            EventStoreError::Corrupt(format!(
                "event {} has unknown actor role {:?}",
                row.event_id, row.actor_role
            ))
        })?;
        Ok(RecordedEvent {
            global_position: stored_u64(row.global_position, "global_position")?,
            event_id: row.event_id,
            stream_id: row.stream_id,
            stream_type: row.stream_type,
            version: stored_u64(row.version, "version")?,
            event_type: row.event_type,
            schema_version: u32::try_from(row.schema_version).map_err(|_| {
                EventStoreError::Corrupt(format!("negative schema_version {}", row.schema_version))
            })?,
            payload: row.payload.0,
            metadata: EventMetadata {
                actor_id: row.actor_id,
                actor_role,
                command_id: row.command_id,
                correlation_id: row.correlation_id,
                causation_id: row.causation_id,
            },
            recorded_at: row.recorded_at,
        })
    }
}

/// Converts rows into events, failing on the first corrupt one.
pub(crate) fn into_events(rows: Vec<EventRow>) -> Result<Vec<RecordedEvent>, EventStoreError> {
    rows.into_iter().map(RecordedEvent::try_from).collect()
}

/// Reads a stored signed number that must not be negative (positions, versions).
pub(crate) fn stored_u64(value: i64, column: &str) -> Result<u64, EventStoreError> {
    u64::try_from(value).map_err(|_| EventStoreError::Corrupt(format!("negative {column} {value}")))
}

/// Converts a number the store is about to write. Positions and versions cannot realistically
/// exceed `i64::MAX`, but a value that did must fail the append rather than wrap around.
pub(crate) fn to_sql(value: u64, what: &str) -> Result<i64, EventStoreError> {
    i64::try_from(value)
        .map_err(|_| EventStoreError::InvalidAppend(format!("{what} {value} is out of range")))
}

/// Converts a caller's lower bound or limit for a query. A bound past `i64::MAX` cannot match a
/// stored row anyway, so saturating keeps the query's meaning without an error.
pub(crate) fn saturating_sql(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// [`saturating_sql`] for `usize` limits.
pub(crate) fn saturating_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}
