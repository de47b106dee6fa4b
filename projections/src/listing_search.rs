//! The listing search index: what `GET /v1/listings?q=` searches.

use std::{collections::BTreeSet, sync::Arc, time::Duration};

use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt, stream};
use jangteo_domain::{Aggregate, ListingId, listing::ListingState};
use jangteo_event_store::{EventStore, RecordedEvent};
use jangteo_read_models::{ListingDocument, ListingSearch, ReadModel};

use crate::{Projection, ProjectionError, listing_documents::fold};

/// The least time between two commits of the index: searches trail the log by at most about this
/// much more, and a burst of listings becomes a few large segments instead of many small ones.
const SEARCH_COMMIT_INTERVAL: Duration = Duration::from_millis(200);

/// How many listing streams one batch reads at once.
const STREAMS_AT_ONCE: usize = 8;

/// Indexes each touched listing's document as of the end of the batch.
///
/// The index cannot be read back cheaply document by document, so for each listing a batch touches,
/// the projection folds that listing's stream from the log up to the batch's last position, with
/// the same fold as the listing documents. Rebuilding therefore yields exactly the live index.
pub struct ListingSearchProjection {
    search: Arc<dyn ListingSearch>,
    store: Arc<dyn EventStore>,
}

impl ListingSearchProjection {
    pub fn new(search: Arc<dyn ListingSearch>, store: Arc<dyn EventStore>) -> Self {
        Self { search, store }
    }
}

#[async_trait]
impl Projection for ListingSearchProjection {
    fn read_model(&self) -> ReadModel {
        ReadModel::ListingSearch
    }

    async fn checkpoint(&self) -> Result<u64, ProjectionError> {
        Ok(self.search.checkpoint().await?)
    }

    /// Each commit writes an index segment; at most five a second keeps merging in check.
    fn min_commit_interval(&self) -> Duration {
        SEARCH_COMMIT_INTERVAL
    }

    async fn apply(&self, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let Some(last) = events.last() else { return Ok(()) };
        let touched: BTreeSet<ListingId> = events
            .iter()
            .filter(|event| event.stream_type == ListingState::STREAM_TYPE)
            .map(|event| ListingId::from_uuid(event.stream_id))
            .collect();
        // One read per touched listing, several at once: a busy batch touches hundreds.
        let upto = last.global_position;
        let upserts: Vec<Option<ListingDocument>> = stream::iter(touched)
            .map(|listing_id| async move {
                let mut document = None;
                for event in self.store.read_stream(listing_id.as_uuid(), 0).await? {
                    if event.global_position > upto {
                        break;
                    }
                    if let Some(next) = fold(document.clone(), &event)? {
                        document = Some(next);
                    }
                }
                Ok::<_, ProjectionError>(document)
            })
            .buffer_unordered(STREAMS_AT_ONCE)
            .try_collect()
            .await?;
        self.search.commit(upserts.into_iter().flatten().collect(), Vec::new(), upto).await?;
        Ok(())
    }

    async fn reset(&self) -> Result<(), ProjectionError> {
        Ok(self.search.reset().await?)
    }
}
