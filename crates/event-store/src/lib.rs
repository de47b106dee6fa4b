//! The append-only event log: the [`EventStore`] port and its PostgreSQL and SQLite backends.
//!
//! The store knows nothing about the domain: payloads are JSON, stream ids are UUIDs and event types
//! are names. Everything the domain needs (upcasting, typed events) happens above this crate.
//!
//! Inside: `plan` holds the append rules both backends share (request checks, expected versions,
//! numbering), `queries` the SQL that reads the same on both, `row` the stored shape of an event
//! and its checked conversions; `batch` decides a batch of commands for one transaction and
//! `group_commit` runs the writer task that gathers concurrent appends into such batches;
//! `postgres` and `sqlite` hold what differs, chiefly each one's append transaction and how it
//! keeps the global log gap-free.
//!
//! Only the port compiles by default. Each backend is a cargo feature (`postgres`, `sqlite`), and
//! what the two share (the append rules, the batch decision, group commit, the portable SQL) comes
//! with either, so a crate that only needs the port (the application layer, projections) compiles
//! no database driver.

mod envelope;
mod error;
mod feed;
mod maintenance;
mod recent_log;
mod tail;

#[cfg(any(feature = "postgres", feature = "sqlite"))]
mod batch;
#[cfg(any(feature = "postgres", feature = "sqlite"))]
mod group_commit;
#[cfg(any(feature = "postgres", feature = "sqlite"))]
mod head;
#[cfg(any(feature = "postgres", feature = "sqlite"))]
mod plan;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(any(feature = "postgres", feature = "sqlite"))]
mod queries;
#[cfg(any(feature = "postgres", feature = "sqlite"))]
mod row;
#[cfg(feature = "sqlite")]
pub mod sqlite;

pub use envelope::{
    ActorRole, AppendOutcome, AppendRequest, EventMetadata, ExpectedVersion, NewEvent, RecordedEvent,
    StreamAppend, UniqueClaim,
};
pub use error::{DatabaseError, EventStoreError};
pub use feed::{EventFeed, FeedError, FeedSource, StoreTail};
#[cfg(any(feature = "postgres", feature = "sqlite"))]
pub use group_commit::CommitMode;
pub use maintenance::{ClaimRewrite, EventRewrite, LogMaintenance};
pub use recent_log::RecentLog;
pub use tail::LogTail;

use async_trait::async_trait;
use tokio::sync::watch;
use uuid::Uuid;

/// A position in the global log. Positions start at 1, are gap-free and follow commit order.
pub type GlobalPosition = u64;

/// The event log. Implementations guarantee:
///
/// * an append is one ACID transaction over all its streams: every event is stored or none;
/// * each stream's expected version is checked inside that transaction (optimistic concurrency);
/// * an append whose `command_id` was already stored appends nothing and returns the first outcome;
/// * global positions are assigned at commit, gap-free, so a reader of [`EventStore::read_all`]
///   never skips an event that commits late.
///
/// Concurrent appends may share one transaction ([`CommitMode::Grouped`]); each is still decided
/// and answered on its own, as if the appends had run one after another.
#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    /// Appends the events of one command atomically.
    async fn append(&self, request: AppendRequest) -> Result<AppendOutcome, EventStoreError>;

    /// Returns the outcome of an already stored command, if any (used to answer retried commands
    /// before deciding them again). It is the outcome a retried `append` would return, so its
    /// `duplicate` is `true`.
    async fn find_command(&self, command_id: Uuid) -> Result<Option<AppendOutcome>, EventStoreError>;

    /// Reads one stream in version order, starting after `after_version` (0 = from the start).
    async fn read_stream(
        &self,
        stream_id: Uuid,
        after_version: u64,
    ) -> Result<Vec<RecordedEvent>, EventStoreError>;

    /// Reads the global log in position order, events with position > `after`, at most `limit`.
    async fn read_all(
        &self,
        after: GlobalPosition,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, EventStoreError>;

    /// The position of the newest committed event (0 when the log is empty).
    async fn head_position(&self) -> Result<GlobalPosition, EventStoreError>;

    /// Looks up the stream that owns a unique claim (e.g. the account of an e-mail digest).
    async fn find_claim(&self, scope: &str, value: &str) -> Result<Option<Uuid>, EventStoreError>;

    /// Gives up every claim `owner_stream_id` holds in `scope` (an erased account's e-mail, so
    /// the address can sign up again); returns how many. The events stay as they are.
    async fn release_claims(&self, scope: &str, owner_stream_id: Uuid) -> Result<u64, EventStoreError>;

    /// Loads a subscriber's checkpoint (process managers keep theirs beside the log).
    async fn load_checkpoint(&self, subscriber: &str) -> Result<GlobalPosition, EventStoreError>;

    /// Stores a subscriber's checkpoint.
    async fn save_checkpoint(
        &self,
        subscriber: &str,
        position: GlobalPosition,
    ) -> Result<(), EventStoreError>;

    /// A receiver that is woken with the newest committed position after every append through this
    /// store handle, and at least every `poll_interval` when other processes write (PostgreSQL).
    fn subscribe(&self) -> watch::Receiver<GlobalPosition>;
}
