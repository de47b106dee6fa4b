//! The backend-neutral steps of an append: checking the request's shape, checking each stream's
//! expected version and numbering the events. Both backends run the last two inside their write
//! transaction, after they hold the log lock, so the rules live here once.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    AppendOutcome, AppendRequest, EventMetadata, EventStoreError, GlobalPosition, RecordedEvent, StreamAppend,
};

/// Checks what can be checked without the database and returns the number of events to append.
pub(crate) fn validate(request: &AppendRequest) -> Result<u64, EventStoreError> {
    let invalid = |reason: String| Err(EventStoreError::InvalidAppend(reason));
    if request.streams.is_empty() {
        return invalid("an append needs at least one stream".to_owned());
    }
    let mut streams = HashSet::new();
    let mut event_ids = HashSet::new();
    let mut count: u64 = 0;
    for stream in &request.streams {
        if stream.stream_type.is_empty() {
            return invalid(format!("stream {} has an empty stream type", stream.stream_id));
        }
        if stream.events.is_empty() {
            // An empty stream append would create no event, so nothing would record the command.
            return invalid(format!("stream {} has no events", stream.stream_id));
        }
        if !streams.insert(stream.stream_id) {
            return invalid(format!("stream {} appears twice", stream.stream_id));
        }
        for event in &stream.events {
            if event.event_type.is_empty() {
                return invalid(format!("event {} has an empty event type", event.event_id));
            }
            if i32::try_from(event.schema_version).is_err() {
                return invalid(format!("event {} has schema version out of range", event.event_id));
            }
            if !event_ids.insert(event.event_id) {
                return invalid(format!("event id {} appears twice", event.event_id));
            }
            count += 1;
        }
    }
    let mut claims = HashSet::new();
    for claim in &request.claims {
        if claim.scope.is_empty() || claim.value.is_empty() {
            return invalid("a unique claim needs a scope and a value".to_owned());
        }
        if !claims.insert((claim.scope.as_str(), claim.value.as_str())) {
            return invalid(format!("{} is claimed twice in one append", claim.scope));
        }
    }
    Ok(count)
}

/// What the store knows about an existing stream when an append starts.
#[derive(Debug)]
pub(crate) struct StreamHead {
    pub stream_type: String,
    pub version: u64,
}

/// Checks one stream's expected version against its current head (`None`: the stream does not
/// exist) and returns the current version.
pub(crate) fn check_expected(
    stream: &StreamAppend,
    current: Option<&StreamHead>,
) -> Result<u64, EventStoreError> {
    let actual = current.map_or(0, |head| head.version);
    let expected = stream.expected_version.as_version();
    if actual != expected {
        return Err(EventStoreError::WrongExpectedVersion { stream_id: stream.stream_id, expected, actual });
    }
    if let Some(head) = current
        && head.stream_type != stream.stream_type
    {
        return Err(EventStoreError::InvalidAppend(format!(
            "stream {} is a {}, not a {}",
            stream.stream_id, head.stream_type, stream.stream_type
        )));
    }
    Ok(actual)
}

/// Turns the request's streams into the events to store: positions from `first_position` on, in
/// request order, and each stream's versions from its current version (`current_versions`, in the
/// same order as `streams`) plus one.
pub(crate) fn number_events(
    metadata: &EventMetadata,
    streams: Vec<StreamAppend>,
    current_versions: &[u64],
    first_position: GlobalPosition,
    recorded_at: DateTime<Utc>,
) -> Result<Vec<RecordedEvent>, EventStoreError> {
    let overflow = || EventStoreError::InvalidAppend("position or version overflow".to_owned());
    let mut events = Vec::new();
    let mut position = first_position;
    for (stream, &current) in streams.into_iter().zip(current_versions) {
        let mut version = current;
        for event in stream.events {
            version = version.checked_add(1).ok_or_else(overflow)?;
            events.push(RecordedEvent {
                global_position: position,
                event_id: event.event_id,
                stream_id: stream.stream_id,
                stream_type: stream.stream_type.clone(),
                version,
                event_type: event.event_type,
                schema_version: event.schema_version,
                payload: event.payload,
                metadata: metadata.clone(),
                recorded_at,
            });
            position = position.checked_add(1).ok_or_else(overflow)?;
        }
    }
    Ok(events)
}

/// The last event of each stream in `events` (as numbered by [`number_events`], where each
/// stream's events are adjacent): it carries the stream's new version.
pub(crate) fn stream_heads(events: &[RecordedEvent]) -> impl Iterator<Item = &RecordedEvent> {
    events.chunk_by(|a, b| a.stream_id == b.stream_id).filter_map(<[RecordedEvent]>::last)
}

/// The outcome of a stored command, from its events in position order.
pub(crate) fn outcome(
    command_id: Uuid,
    events: Vec<RecordedEvent>,
    duplicate: bool,
) -> Result<AppendOutcome, EventStoreError> {
    let last_position = events.last().map(|event| event.global_position).ok_or_else(|| {
        EventStoreError::Corrupt(format!("command {command_id} is recorded without events"))
    })?;
    Ok(AppendOutcome { command_id, events, last_position, duplicate })
}

/// Maps a failed insert into `events`: a second use of an event id is the caller's mistake, not a
/// database failure. (Versions cannot collide: they were checked under the log lock.)
pub(crate) fn event_insert_error(error: sqlx::Error) -> EventStoreError {
    if let Some(db) = error.as_database_error() {
        let on_event_id = db.constraint().is_some_and(|name| name.contains("event_id"))
            || db.message().contains("events.event_id");
        if db.is_unique_violation() && on_event_id {
            return EventStoreError::InvalidAppend("an event id of this append is already stored".to_owned());
        }
    }
    error.into()
}
