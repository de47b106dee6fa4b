//! Favourite counts per listing, from `ListingFavourited` / `ListingUnfavourited`.

use std::{collections::HashMap, sync::Arc};

use async_trait::async_trait;
use jangteo_domain::{
    Aggregate, DomainEvent, ListingId,
    favourite::{FavouriteEvent, FavouriteState},
};
use jangteo_event_store::RecordedEvent;
use jangteo_read_models::{ListingCounters, ReadModel};

use crate::{Projection, ProjectionError};

pub struct ListingCountersProjection {
    counters: Arc<dyn ListingCounters>,
}

impl ListingCountersProjection {
    pub fn new(counters: Arc<dyn ListingCounters>) -> Self {
        Self { counters }
    }
}

#[async_trait]
impl Projection for ListingCountersProjection {
    fn read_model(&self) -> ReadModel {
        ReadModel::ListingCounters
    }

    async fn checkpoint(&self) -> Result<u64, ProjectionError> {
        Ok(self.counters.checkpoint().await?)
    }

    /// The favourite aggregate emits only real changes (adding twice appends nothing), so each
    /// event is exactly +1 or -1; the store applies a batch with its checkpoint atomically.
    async fn apply(&self, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let Some(last) = events.last() else { return Ok(()) };
        let mut deltas: HashMap<ListingId, i64> = HashMap::new();
        for event in events.iter().filter(|event| event.stream_type == FavouriteState::STREAM_TYPE) {
            match FavouriteEvent::from_payload(
                &event.event_type,
                event.schema_version,
                event.payload.clone(),
            )? {
                FavouriteEvent::ListingFavourited { listing_id, .. } => {
                    *deltas.entry(listing_id).or_default() += 1;
                }
                FavouriteEvent::ListingUnfavourited { listing_id, .. } => {
                    *deltas.entry(listing_id).or_default() -= 1;
                }
            }
        }
        let deltas = deltas.into_iter().filter(|(_, delta)| *delta != 0).collect();
        self.counters.commit(deltas, last.global_position).await?;
        Ok(())
    }

    async fn reset(&self) -> Result<(), ProjectionError> {
        Ok(self.counters.reset().await?)
    }
}
