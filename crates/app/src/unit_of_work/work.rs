//! One attempt at a command: the streams it loaded, at which versions, and what it decided.

use std::{any::Any, collections::HashSet, sync::Arc};

use jangteo_domain::{Aggregate, DomainEvent};
use jangteo_event_store::{
    AppendRequest, EventMetadata, ExpectedVersion, NewEvent, StreamAppend, UniqueClaim,
};
use uuid::Uuid;

use super::{UnitOfWork, cache::CachedState};
use crate::AppError;

/// A stream as one attempt saw it.
struct Slot {
    stream_id: Uuid,
    stream_type: &'static str,
    /// The version the decision saw; the append expects it.
    version: u64,
    /// Taken from the cache without a read, so not yet confirmed by the log.
    unconfirmed: bool,
    /// The state after the events decided so far.
    state: Arc<dyn Any + Send + Sync>,
    /// The events decided for this stream, serialized.
    events: Vec<NewEvent>,
}

/// What a [`super::Decision`] works with: it loads aggregates and decides commands on them here;
/// the unit of work appends the result with the versions it saw.
pub(crate) struct Work<'u> {
    uow: &'u UnitOfWork,
    /// Streams found stale in an earlier attempt: read from the log, not taken from the cache.
    refresh: &'u HashSet<Uuid>,
    slots: Vec<Slot>,
    claims: Vec<UniqueClaim>,
}

impl<'u> Work<'u> {
    pub(super) fn new(uow: &'u UnitOfWork, refresh: &'u HashSet<Uuid>) -> Self {
        Self { uow, refresh, slots: Vec::new(), claims: Vec::new() }
    }

    /// The aggregate of `stream_id` (the empty state if the stream does not exist yet). A stream
    /// of another type is [`AppError::NotFound`]: ids are global, and an order route must not load
    /// a listing as an order.
    pub async fn load<A: Aggregate>(&mut self, stream_id: Uuid) -> Result<A, AppError> {
        let index = self.slot::<A>(stream_id).await?;
        Ok(state_of::<A>(&self.slots[index])?.clone())
    }

    /// Decides `command` on the aggregate of `stream_id` and keeps its events for the append.
    /// Returns the state after them. A decision that changes nothing is fine: the stream is then
    /// only read.
    pub async fn decide<A: Aggregate>(
        &mut self,
        stream_id: Uuid,
        command: A::Command,
    ) -> Result<A, AppError> {
        let index = self.slot::<A>(stream_id).await?;
        Ok(self.decide_in::<A>(index, command)?.0)
    }

    /// As [`Work::decide`], returning the events decided too, for a decision whose follow-ups
    /// go into the same append.
    pub async fn decide_with_events<A: Aggregate>(
        &mut self,
        stream_id: Uuid,
        command: A::Command,
    ) -> Result<(A, Vec<A::Event>), AppError> {
        let index = self.slot::<A>(stream_id).await?;
        self.decide_in::<A>(index, command)
    }

    /// Decides `command` on a stream this command creates (its id is fresh or derived), without
    /// reading it: the append expects the stream not to exist. If it turned out to exist (a
    /// retry found it), the next attempt reads it like any other.
    pub async fn decide_new<A: Aggregate>(
        &mut self,
        stream_id: Uuid,
        command: A::Command,
    ) -> Result<A, AppError> {
        if self.refresh.contains(&stream_id) || self.position(stream_id).is_some() {
            return self.decide::<A>(stream_id, command).await;
        }
        self.slots.push(Slot {
            stream_id,
            stream_type: A::STREAM_TYPE,
            version: 0,
            unconfirmed: true,
            state: Arc::new(A::default()),
            events: Vec::new(),
        });
        Ok(self.decide_in::<A>(self.slots.len() - 1, command)?.0)
    }

    /// Claims a unique value atomically with the append (a second claim fails the whole append
    /// with `ClaimTaken`).
    pub fn claim(&mut self, claim: UniqueClaim) {
        self.claims.push(claim);
    }

    fn decide_in<A: Aggregate>(
        &mut self,
        index: usize,
        command: A::Command,
    ) -> Result<(A, Vec<A::Event>), AppError> {
        let slot = &mut self.slots[index];
        let current = state_of::<A>(slot)?.clone();
        let events = current.decide(command)?;
        if events.is_empty() {
            return Ok((current, events));
        }
        for event in &events {
            slot.events.push(NewEvent {
                event_id: Uuid::now_v7(),
                event_type: event.event_type().to_owned(),
                schema_version: event.schema_version(),
                payload: event.to_payload()?,
            });
        }
        let after = events.iter().fold(current, A::evolve);
        slot.state = Arc::new(after.clone());
        Ok((after, events))
    }

    fn position(&self, stream_id: Uuid) -> Option<usize> {
        self.slots.iter().position(|slot| slot.stream_id == stream_id)
    }

    /// The slot of `stream_id`, loading it on first use: from the cache when it has a copy and
    /// the stream was not found stale, else from the log (and then cached).
    async fn slot<A: Aggregate>(&mut self, stream_id: Uuid) -> Result<usize, AppError> {
        if let Some(index) = self.position(stream_id) {
            if self.slots[index].stream_type != A::STREAM_TYPE {
                return Err(AppError::NotFound);
            }
            return Ok(index);
        }
        let (loaded, unconfirmed) = match self.uow.cache().get(stream_id) {
            Some(cached) if !self.refresh.contains(&stream_id) => (cached, true),
            // Found stale before (or not cached): read what follows the copy, if there is one.
            base => (self.uow.up_to_date::<A>(stream_id, base).await?, false),
        };
        if loaded.stream_type != A::STREAM_TYPE {
            return Err(AppError::NotFound);
        }
        self.slots.push(Slot {
            stream_id,
            stream_type: loaded.stream_type,
            version: loaded.version,
            unconfirmed,
            state: loaded.state,
            events: Vec::new(),
        });
        Ok(self.slots.len() - 1)
    }

    /// Streams taken from the cache that the append will not confirm (every one when `all`,
    /// else those only read). Each is brought up to date from the log; the stale ones are returned
    /// (and their fresh state is cached for the next attempt).
    pub(super) async fn stale_copies(&self, all: bool) -> Result<Vec<Uuid>, AppError> {
        let mut stale = Vec::new();
        for slot in &self.slots {
            if !slot.unconfirmed || (!all && !slot.events.is_empty()) {
                continue;
            }
            if self.uow.is_stale(slot.stream_id, slot.version).await? {
                stale.push(slot.stream_id);
            }
        }
        Ok(stale)
    }

    /// Whether the attempt decided any event.
    pub(super) fn appends_nothing(&self) -> bool {
        self.slots.iter().all(|slot| slot.events.is_empty())
    }

    /// The append of what was decided, each stream expecting the version the decision saw;
    /// streams only read are left out. Also returns the states to cache once it commits.
    pub(super) fn into_append(
        self,
        metadata: EventMetadata,
        repeatable: bool,
    ) -> (AppendRequest, Vec<(Uuid, CachedState)>) {
        let mut streams = Vec::with_capacity(self.slots.len());
        let mut after = Vec::with_capacity(self.slots.len());
        for slot in self.slots.into_iter().filter(|slot| !slot.events.is_empty()) {
            let version = slot.version + slot.events.len() as u64;
            after.push((
                slot.stream_id,
                CachedState { stream_type: slot.stream_type, version, state: slot.state },
            ));
            streams.push(StreamAppend {
                stream_id: slot.stream_id,
                stream_type: slot.stream_type.to_owned(),
                expected_version: ExpectedVersion::from_version(slot.version),
                events: slot.events,
            });
        }
        (AppendRequest { metadata, streams, claims: self.claims, repeatable }, after)
    }
}

fn state_of<A: Aggregate>(slot: &Slot) -> Result<&A, AppError> {
    // One stream type is one aggregate type, and the slot's type was checked when it was loaded.
    slot.state.downcast_ref::<A>().ok_or(AppError::NotFound)
}
