//! The decider shape every aggregate follows.

use serde::{Serialize, de::DeserializeOwned};

use crate::DomainError;

/// An event-sourced aggregate as a pair of pure functions over its state.
///
/// The state is the aggregate's whole memory: it is rebuilt by folding [`Aggregate::evolve`] over the
/// stream's events, starting from `Default`. `evolve` must accept every event `decide` can emit
/// (events are facts, they never fail to apply).
pub trait Aggregate: Default + Clone + Serialize {
    type Command;
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
}
