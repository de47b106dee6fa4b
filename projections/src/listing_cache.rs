//! Keeps the listing cache fresh: every listing event raises its listing's floor, so no document
//! older than the event can be served from the cache afterwards. The cache (Redis, in the
//! deployment) is reached through the [`ListingCacheFloors`] port.

use std::{collections::HashMap, sync::Arc};

use async_trait::async_trait;
use jangteo_domain::{Aggregate, ListingId, listing::ListingState};
use jangteo_event_store::RecordedEvent;
use jangteo_read_models::{ListingCacheFloors, ReadModel};

use crate::{Projection, ProjectionError};

/// The checkpoint name of this projection (kept beside the cache).
pub const NAME: &str = ReadModel::ListingCache.name();

pub struct ListingCacheProjection {
    cache: Arc<dyn ListingCacheFloors>,
}

impl ListingCacheProjection {
    pub fn new(cache: Arc<dyn ListingCacheFloors>) -> Self {
        Self { cache }
    }
}

#[async_trait]
impl Projection for ListingCacheProjection {
    fn read_model(&self) -> ReadModel {
        ReadModel::ListingCache
    }

    async fn checkpoint(&self) -> Result<u64, ProjectionError> {
        Ok(self.cache.checkpoint(NAME).await?)
    }

    /// Raising a floor is idempotent and never lowers one, so the checkpoint may be written after
    /// the floors: a crash in between only raises the same floors again.
    async fn apply(&self, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let Some(last) = events.last() else { return Ok(()) };
        let mut newest: HashMap<ListingId, u64> = HashMap::new();
        for event in events.iter().filter(|event| event.stream_type == ListingState::STREAM_TYPE) {
            let version = newest.entry(ListingId::from_uuid(event.stream_id)).or_default();
            *version = (*version).max(event.version);
        }
        for (listing_id, version) in newest {
            self.cache.invalidate_below(listing_id, version).await?;
        }
        self.cache.save_checkpoint(NAME, last.global_position).await?;
        Ok(())
    }

    /// The cache needs no rebuild (entries expire); resetting only forgets the checkpoint, after
    /// which the floors are raised again from the start of the log.
    async fn reset(&self) -> Result<(), ProjectionError> {
        Ok(self.cache.save_checkpoint(NAME, 0).await?)
    }
}
