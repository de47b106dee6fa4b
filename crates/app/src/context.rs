//! Who issues a command, and the ids that tie it to its cause.

use jangteo_domain::AccountId;
use jangteo_event_store::{ActorRole, AppendOutcome, EventMetadata, EventStore, EventStoreError};
use uuid::Uuid;

/// The one acting: a signed-in member, staff deciding a dispute, an admin giving a role, or
/// Jangteo itself (process managers, deadlines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Member(AccountId),
    Agent(AccountId),
    Admin(AccountId),
    System,
}

impl Actor {
    fn id(self) -> Option<Uuid> {
        match self {
            Actor::Member(account) | Actor::Agent(account) | Actor::Admin(account) => Some(account.as_uuid()),
            Actor::System => None,
        }
    }

    fn role(self) -> ActorRole {
        match self {
            Actor::Member(_) => ActorRole::User,
            Actor::Agent(_) => ActorRole::Agent,
            Actor::Admin(_) => ActorRole::Admin,
            Actor::System => ActorRole::System,
        }
    }
}

/// The envelope of one command: stored as metadata on every event it appends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandContext {
    pub actor: Actor,
    /// Unique per command; a retried command carries the same id and appends nothing new.
    pub command_id: Uuid,
    pub correlation_id: Uuid,
    pub causation_id: Option<Uuid>,
}

impl CommandContext {
    /// A fresh command by `actor` that starts its own correlation.
    pub fn new(actor: Actor) -> Self {
        let command_id = Uuid::now_v7();
        Self { actor, command_id, correlation_id: command_id, causation_id: None }
    }

    /// A command whose id is derived from a client's idempotency key, so that retries of the same
    /// request map to the same command id. The key is scoped to the acting member and the operation.
    pub fn idempotent(actor: Actor, operation: &str, key: &str) -> Self {
        let scope = format!("{}:{operation}:{key}", actor.id().unwrap_or_default());
        let command_id = Uuid::new_v5(&IDEMPOTENCY_NAMESPACE, scope.as_bytes());
        Self { actor, command_id, correlation_id: command_id, causation_id: None }
    }

    /// The stored outcome of this command if an earlier request may have carried it. A command
    /// minted by [`CommandContext::new`] carries a time-ordered random id (UUIDv7) that no earlier
    /// request can have had, so it costs no lookup; every id a retry repeats is derived from what
    /// it repeats (UUIDv5: an idempotency key, a cause, a saga step).
    pub(crate) async fn earlier_outcome(
        &self,
        store: &dyn EventStore,
    ) -> Result<Option<AppendOutcome>, EventStoreError> {
        if !self.may_repeat() {
            return Ok(None);
        }
        store.find_command(self.command_id).await
    }

    /// Whether another request may carry this command id again: every id but one minted by
    /// [`CommandContext::new`]. Only such commands are recorded by the store for idempotency.
    pub(crate) fn may_repeat(&self) -> bool {
        self.command_id.get_version() != Some(uuid::Version::SortRand)
    }

    pub(crate) fn metadata(&self) -> EventMetadata {
        EventMetadata {
            actor_id: self.actor.id(),
            actor_role: self.actor.role(),
            command_id: self.command_id,
            correlation_id: self.correlation_id,
            causation_id: self.causation_id,
        }
    }
}

/// Namespace for idempotency-key command ids (a fixed random UUID; never change it).
const IDEMPOTENCY_NAMESPACE: Uuid = Uuid::from_u128(0x3b6f_0c1e_8d2a_4f57_9a41_6e0d_52c7_b913);
