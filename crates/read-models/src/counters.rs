//! The listing counters port: how many people viewed and favourited a listing (the hot numbers
//! of a listing page, and what "popular" is made of).
//!
//! Favourites come from the log (`ListingFavourited` / `ListingUnfavourited`), so their counts are
//! a projection with a checkpoint. Views are counted as they happen and are not in the log: there
//! are far too many, and a lost one harms no one.

use std::{collections::HashMap, sync::Mutex};

use async_trait::async_trait;
use jangteo_domain::ListingId;

use crate::{BackendError, ReadModelError};

/// A listing's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListingCounts {
    pub views: u64,
    pub favourites: u64,
}

#[async_trait]
pub trait ListingCounters: Send + Sync + 'static {
    async fn counts(&self, listing_id: ListingId) -> Result<ListingCounts, ReadModelError>;

    /// Counts one view of the listing.
    async fn record_view(&self, listing_id: ListingId) -> Result<(), ReadModelError>;

    /// The global position up to which favourite counts reflect the log.
    async fn checkpoint(&self) -> Result<u64, ReadModelError>;

    /// Adds `favourite_deltas` to the favourite counts and moves the checkpoint, atomically. A
    /// commit whose checkpoint is not beyond the stored one is a replay and changes nothing.
    async fn commit(
        &self,
        favourite_deltas: Vec<(ListingId, i64)>,
        checkpoint: u64,
    ) -> Result<(), ReadModelError>;

    /// Forgets the favourite counts and the checkpoint (views are not in the log and stay).
    async fn reset(&self) -> Result<(), ReadModelError>;
}

/// Counters in process memory, for the embedded profile: favourites are projected again from
/// the log at every start; views start again from zero.
#[derive(Debug, Default)]
pub struct InMemoryListingCounters {
    state: Mutex<CountersState>,
}

#[derive(Debug, Default)]
struct CountersState {
    views: HashMap<ListingId, u64>,
    favourites: HashMap<ListingId, i64>,
    checkpoint: u64,
}

impl InMemoryListingCounters {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, CountersState>, ReadModelError> {
        self.state
            .lock()
            .map_err(|_| ReadModelError::Cache(BackendError::new("counters poisoned by a panic")))
    }
}

#[async_trait]
impl ListingCounters for InMemoryListingCounters {
    async fn counts(&self, listing_id: ListingId) -> Result<ListingCounts, ReadModelError> {
        let state = self.lock()?;
        Ok(ListingCounts {
            views: state.views.get(&listing_id).copied().unwrap_or(0),
            favourites: state
                .favourites
                .get(&listing_id)
                .map_or(0, |count| u64::try_from(*count).unwrap_or(0)),
        })
    }

    async fn record_view(&self, listing_id: ListingId) -> Result<(), ReadModelError> {
        *self.lock()?.views.entry(listing_id).or_default() += 1;
        Ok(())
    }

    async fn checkpoint(&self) -> Result<u64, ReadModelError> {
        Ok(self.lock()?.checkpoint)
    }

    async fn commit(
        &self,
        favourite_deltas: Vec<(ListingId, i64)>,
        checkpoint: u64,
    ) -> Result<(), ReadModelError> {
        let mut state = self.lock()?;
        if checkpoint <= state.checkpoint {
            return Ok(());
        }
        for (listing_id, delta) in favourite_deltas {
            *state.favourites.entry(listing_id).or_default() += delta;
        }
        state.checkpoint = checkpoint;
        Ok(())
    }

    async fn reset(&self) -> Result<(), ReadModelError> {
        let mut state = self.lock()?;
        state.favourites.clear();
        state.checkpoint = 0;
        Ok(())
    }
}
