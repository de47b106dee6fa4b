//! The decider shape every aggregate follows.

use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

use crate::DomainError;

/// An event-sourced aggregate as a pair of pure functions over its state.
///
/// The state is the aggregate's whole memory: it is rebuilt by folding [`Aggregate::evolve`] over the
/// stream's events, starting from `Default`. `evolve` must accept every event `decide` can emit
/// (events are facts, they never fail to apply).
pub trait Aggregate: Default + Clone + Serialize + Send + Sync + 'static {
    type Command: Clone + Send + Sync;
    type Event: DomainEvent;

    /// The stream type under which this aggregate's events are stored.
    const STREAM_TYPE: &'static str;

    /// Decides what happens when `command` meets the current state.
    fn decide(&self, command: Self::Command) -> Result<Vec<Self::Event>, DomainError>;

    /// Applies one event to the state.
    #[must_use]
    fn evolve(self, event: &Self::Event) -> Self;

    /// Folds a sequence of events onto the empty state.
    fn replay<'a>(events: impl IntoIterator<Item = &'a Self::Event>) -> Self
    where
        Self::Event: 'a,
    {
        events.into_iter().fold(Self::default(), Self::evolve)
    }
}

/// An event type of one aggregate. Serialized adjacently tagged as
/// `{"event_type": "...", "data": {...}}`, so the tag is the stored event type name.
pub trait DomainEvent: Clone + Serialize + DeserializeOwned {
    /// The stored name of this event, e.g. `ListingCreated`.
    fn event_type(&self) -> &'static str;

    /// The schema version new events of this type are written with.
    fn schema_version(&self) -> u32 {
        1
    }

    /// The event's fields, as stored in the log's payload (the `data` half of the serialized form).
    fn to_payload(&self) -> Result<Value, EventCodecError> {
        match serde_json::to_value(self) {
            Ok(Value::Object(mut tagged)) => {
                Ok(tagged.remove("data").unwrap_or_else(|| Value::Object(serde_json::Map::new())))
            }
            Ok(_) => Err(EventCodecError::NotAnObject),
            Err(error) => Err(EventCodecError::Json(error.to_string())),
        }
    }

    /// Rebuilds an event from its stored parts, upcasting older schema versions first.
    fn from_payload(event_type: &str, schema_version: u32, payload: Value) -> Result<Self, EventCodecError> {
        let payload = Self::upcast(event_type, schema_version, payload)?;
        let tagged = serde_json::json!({ "event_type": event_type, "data": payload });
        serde_json::from_value(tagged).map_err(|error| EventCodecError::Json(error.to_string()))
    }

    /// Turns a payload of an older schema version into the current one. Stored events are never
    /// rewritten; old shapes are converted here, on read. Every event is at version 1 so far.
    fn upcast(event_type: &str, schema_version: u32, payload: Value) -> Result<Value, EventCodecError> {
        if schema_version == 1 {
            Ok(payload)
        } else {
            Err(EventCodecError::UnknownSchemaVersion { event_type: event_type.to_owned(), schema_version })
        }
    }
}

/// A stored event that cannot be turned back into a domain event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventCodecError {
    #[error("event does not serialize to an object")]
    NotAnObject,
    #[error("{event_type} has unknown schema version {schema_version}")]
    UnknownSchemaVersion { event_type: String, schema_version: u32 },
    /// A version that only ever held what must not stay in the log, rewritten by a maintenance
    /// migration (`jangteo migrate`) rather than read.
    #[error("{event_type} v{schema_version} must be rewritten by `jangteo migrate` before it is read")]
    Rewritten { event_type: String, schema_version: u32 },
    #[error("event JSON does not match its type: {0}")]
    Json(String),
}
