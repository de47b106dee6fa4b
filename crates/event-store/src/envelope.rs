//! The event envelope: what an appender hands in and what a reader gets back.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::GlobalPosition;

/// Who acted: a signed-in user, the system itself (process managers, deadlines), dispute staff
/// or an admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorRole {
    User,
    System,
    Agent,
    Admin,
}

impl ActorRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorRole::User => "user",
            ActorRole::System => "system",
            ActorRole::Agent => "agent",
            ActorRole::Admin => "admin",
        }
    }

    /// Parses the stored name; unknown names are an error rather than a silent default.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "user" => Some(ActorRole::User),
            "system" => Some(ActorRole::System),
            "agent" => Some(ActorRole::Agent),
            "admin" => Some(ActorRole::Admin),
            _ => None,
        }
    }
}

/// Who did it, on behalf of which command, and what caused it. Stored with every event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventMetadata {
    /// The acting account; `None` for the system.
    pub actor_id: Option<Uuid>,
    pub actor_role: ActorRole,
    pub command_id: Uuid,
    /// Groups every event of one business transaction (e.g. an order and its follow-ups).
    pub correlation_id: Uuid,
    /// The event (or request) that directly caused this command; `None` for a user's own request.
    pub causation_id: Option<Uuid>,
}

/// One event to append, already serialized by the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub event_id: Uuid,
    pub event_type: String,
    pub schema_version: u32,
    pub payload: serde_json::Value,
}

/// What the appender expects a stream's current version to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// The stream must not exist yet.
    NoStream,
    /// The stream's newest event must have exactly this version (versions start at 1).
    Exact(u64),
}

impl ExpectedVersion {
    /// The version the stream must currently have: 0 for a stream that does not exist.
    pub fn as_version(self) -> u64 {
        match self {
            ExpectedVersion::NoStream => 0,
            ExpectedVersion::Exact(v) => v,
        }
    }

    /// `NoStream` for version 0, `Exact(v)` otherwise.
    pub fn from_version(version: u64) -> Self {
        if version == 0 { ExpectedVersion::NoStream } else { ExpectedVersion::Exact(version) }
    }
}

/// The events one command appends to one stream.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamAppend {
    pub stream_id: Uuid,
    pub stream_type: String,
    pub expected_version: ExpectedVersion,
    pub events: Vec<NewEvent>,
}

/// A value that must be unique within a scope (e.g. an account's e-mail digest), claimed atomically
/// with the append. A second claim of the same value fails the whole append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UniqueClaim {
    pub scope: String,
    pub value: String,
    pub owner_stream_id: Uuid,
}

/// One command's worth of appends: one or more streams, committed together or not at all.
#[derive(Debug, Clone, PartialEq)]
pub struct AppendRequest {
    pub metadata: EventMetadata,
    pub streams: Vec<StreamAppend>,
    pub claims: Vec<UniqueClaim>,
    /// Whether this command id may arrive again (it derives from a client's idempotency key, a
    /// cause or a saga step): the store then records the command, and a repeat is answered with
    /// this outcome instead of applying twice. A command with an id minted for it alone (never
    /// sent again) is not recorded, and `find_command` does not know it.
    pub repeatable: bool,
}

/// The result of an append. For a retried command it is the first append's result, with
/// `duplicate` set.
#[derive(Debug, Clone, PartialEq)]
pub struct AppendOutcome {
    pub command_id: Uuid,
    /// The events as stored, in position order.
    pub events: Vec<RecordedEvent>,
    /// The position of the last event appended (the one to wait for to read one's own writes).
    pub last_position: GlobalPosition,
    pub duplicate: bool,
}

/// An event as stored in the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedEvent {
    pub global_position: GlobalPosition,
    pub event_id: Uuid,
    pub stream_id: Uuid,
    pub stream_type: String,
    pub version: u64,
    pub event_type: String,
    pub schema_version: u32,
    pub payload: serde_json::Value,
    pub metadata: EventMetadata,
    pub recorded_at: DateTime<Utc>,
}
