//! The CloudEvents 1.0 envelope (structured content mode, JSON event format).
//!
//! Standard attributes: `id` = event id, `source` = `urn:jangteo:<stream_type>`, `type` =
//! `jangteo.<stream_type>.<EventType>.v<schema_version>`, `subject` = stream id, `time` = commit
//! time, `dataschema` = the `$id` of the payload's JSON Schema in `docs/events/`. Jangteo's
//! extension attributes (lower-case letters only, as the spec requires) carry the rest of the
//! envelope: position, version, who and why.

use chrono::{DateTime, Utc};
use jangteo_event_store::{ActorRole, EventMetadata, RecordedEvent};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One event as it travels on the stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloudEvent {
    pub specversion: String,
    pub id: Uuid,
    pub source: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub subject: String,
    pub time: DateTime<Utc>,
    pub datacontenttype: String,
    pub dataschema: String,
    pub data: serde_json::Value,
    /// Gap-free position in the global log: the order to apply events in, and the replay cursor.
    pub globalposition: u64,
    pub streamtype: String,
    pub eventtype: String,
    pub schemaversion: u32,
    pub streamversion: u64,
    pub actorid: Option<Uuid>,
    pub actorrole: ActorRole,
    pub commandid: Uuid,
    pub correlationid: Uuid,
    pub causationid: Option<Uuid>,
}

/// A message that is not a Jangteo CloudEvent.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("not a CloudEvents 1.0 JSON event: {0}")]
    Json(#[from] serde_json::Error),
    #[error("unsupported specversion {0}")]
    SpecVersion(String),
    #[error("subject {0} is not a stream id")]
    Subject(String),
}

impl CloudEvent {
    pub const SPEC_VERSION: &'static str = "1.0";

    pub fn from_recorded(event: &RecordedEvent) -> Self {
        Self {
            specversion: Self::SPEC_VERSION.to_owned(),
            id: event.event_id,
            source: format!("urn:jangteo:{}", event.stream_type),
            kind: format!("jangteo.{}.{}.v{}", event.stream_type, event.event_type, event.schema_version),
            subject: event.stream_id.to_string(),
            time: event.recorded_at,
            datacontenttype: "application/json".to_owned(),
            dataschema: format!("urn:jangteo:event:{}:v{}", event.event_type, event.schema_version),
            data: event.payload.clone(),
            globalposition: event.global_position,
            streamtype: event.stream_type.clone(),
            eventtype: event.event_type.clone(),
            schemaversion: event.schema_version,
            streamversion: event.version,
            actorid: event.metadata.actor_id,
            actorrole: event.metadata.actor_role,
            commandid: event.metadata.command_id,
            correlationid: event.metadata.correlation_id,
            causationid: event.metadata.causation_id,
        }
    }

    /// The message body.
    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(self)
    }

    /// Reads a message body back into the event it was made from.
    pub fn decode(body: &[u8]) -> Result<RecordedEvent, DecodeError> {
        let event: CloudEvent = serde_json::from_slice(body)?;
        if event.specversion != Self::SPEC_VERSION {
            return Err(DecodeError::SpecVersion(event.specversion));
        }
        let stream_id =
            Uuid::parse_str(&event.subject).map_err(|_| DecodeError::Subject(event.subject.clone()))?;
        Ok(RecordedEvent {
            global_position: event.globalposition,
            event_id: event.id,
            stream_id,
            stream_type: event.streamtype,
            version: event.streamversion,
            event_type: event.eventtype,
            schema_version: event.schemaversion,
            payload: event.data,
            metadata: EventMetadata {
                actor_id: event.actorid,
                actor_role: event.actorrole,
                command_id: event.commandid,
                correlation_id: event.correlationid,
                causation_id: event.causationid,
            },
            recorded_at: event.time,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Topics;

    fn recorded() -> RecordedEvent {
        RecordedEvent {
            global_position: 42,
            event_id: Uuid::from_u128(1),
            stream_id: Uuid::from_u128(2),
            stream_type: "order".to_owned(),
            version: 3,
            event_type: "OrderShipped".to_owned(),
            schema_version: 1,
            payload: serde_json::json!({"carrier": "kr.cjlogistics", "tracking_number": "630612345678"}),
            metadata: EventMetadata {
                actor_id: Some(Uuid::from_u128(7)),
                actor_role: ActorRole::User,
                command_id: Uuid::from_u128(8),
                correlation_id: Uuid::from_u128(2),
                causation_id: None,
            },
            recorded_at: DateTime::from_timestamp(1_790_000_000, 123_000).unwrap_or_default(),
        }
    }

    #[test]
    fn encoding_is_lossless() {
        let event = recorded();
        let body = CloudEvent::from_recorded(&event).to_json().unwrap_or_default();
        assert_eq!(CloudEvent::decode(&body).ok(), Some(event));
    }

    #[test]
    fn the_envelope_follows_cloudevents_1_0() {
        let body = CloudEvent::from_recorded(&recorded()).to_json().unwrap_or_default();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        for required in ["specversion", "id", "source", "type"] {
            assert!(json[required].is_string(), "{required} is required: {json}");
        }
        assert_eq!(json["specversion"], "1.0");
        assert_eq!(json["type"], "jangteo.order.OrderShipped.v1");
        assert_eq!(json["subject"], Uuid::from_u128(2).to_string());
        assert_eq!(json["dataschema"], "urn:jangteo:event:OrderShipped:v1");
        assert_eq!(json["time"], "2026-09-21T14:13:20.000123Z");
        // Attribute names: lower-case ASCII letters and digits only (spec section 3.1.1).
        for name in json.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()).unwrap_or_default() {
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()), "{name}");
        }
    }

    #[test]
    fn foreign_messages_are_refused() {
        assert!(CloudEvent::decode(b"not json").is_err());
        let mut json: serde_json::Value =
            serde_json::from_slice(&CloudEvent::from_recorded(&recorded()).to_json().unwrap_or_default())
                .unwrap_or_default();
        json["specversion"] = "0.3".into();
        let body = serde_json::to_vec(&json).unwrap_or_default();
        assert!(matches!(CloudEvent::decode(&body), Err(DecodeError::SpecVersion(_))));
    }

    #[test]
    fn topics_are_per_stream_type_and_keys_per_stream() {
        let topics = Topics::default();
        assert_eq!(topics.for_event(&recorded()), "jangteo.order");
        assert_eq!(Topics::new("prod.jangteo.").for_stream_type("listing"), "prod.jangteo.listing");
        assert_eq!(Topics::key(&recorded()), Uuid::from_u128(2).to_string());
    }
}
