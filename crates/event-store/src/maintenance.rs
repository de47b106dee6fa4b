//! Maintenance of the log: the one way a stored event may change, for a documented migration
//! that must remove what the log must no longer hold (personal data written in the clear before
//! it was sealed). Nothing on the command path uses it; the append-only triggers stay in force
//! for every other statement, and are lifted only inside the rewrite's own transaction.

use async_trait::async_trait;

use crate::{EventStoreError, GlobalPosition};

/// One stored event's new payload, and the unique claims that change with it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRewrite {
    pub global_position: GlobalPosition,
    pub schema_version: u32,
    pub payload: serde_json::Value,
    pub claims: Vec<ClaimRewrite>,
}

/// A unique claim whose value is replaced (an e-mail digest by its blind index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRewrite {
    pub scope: String,
    pub old_value: String,
    pub new_value: String,
}

#[async_trait]
pub trait LogMaintenance: Send + Sync + 'static {
    /// Replaces the payloads and claims of `rewrites` in one transaction: all of them or none.
    /// Positions, ids, streams, versions and metadata stay as they were.
    async fn rewrite_events(&self, rewrites: &[EventRewrite]) -> Result<(), EventStoreError>;
}
