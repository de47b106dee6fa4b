//! The listing search index: what `GET /v1/listings?q=` searches.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, Mutex},
    time::Duration,
};

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

/// Listings whose indexed document is kept in memory; past it the memory starts afresh.
const KEPT_DOCUMENTS: usize = 50_000;

/// Indexes each touched listing's document as of the end of the batch.
///
/// The index cannot be read back cheaply document by document, so the projection keeps the
/// documents it last indexed in memory: a batch holds every event after the checkpoint, so a
/// listing whose kept document is one version short of the batch's first event for it is folded
/// from there, with no read. Any other listing (after a start, a rebuild, or one evicted) has its
/// stream folded from the log up to the batch's last position, with the same fold as the listing
/// documents. Rebuilding therefore yields exactly the live index.
pub struct ListingSearchProjection {
    search: Arc<dyn ListingSearch>,
    store: Arc<dyn EventStore>,
    /// As committed: written only after the index took the batch.
    indexed: Mutex<HashMap<ListingId, ListingDocument>>,
}

impl ListingSearchProjection {
    pub fn new(search: Arc<dyn ListingSearch>, store: Arc<dyn EventStore>) -> Self {
        Self { search, store, indexed: Mutex::new(HashMap::new()) }
    }

    /// The kept document of each listing that `first_versions` can be folded onto.
    fn kept(&self, first_versions: &BTreeMap<ListingId, u64>) -> HashMap<ListingId, ListingDocument> {
        let Ok(indexed) = self.indexed.lock() else { return HashMap::new() };
        first_versions
            .iter()
            .filter_map(|(listing_id, first)| {
                let document = indexed.get(listing_id)?;
                (document.version + 1 == *first).then(|| (*listing_id, document.clone()))
            })
            .collect()
    }

    fn keep(&self, documents: &[ListingDocument]) {
        if let Ok(mut indexed) = self.indexed.lock() {
            if indexed.len() + documents.len() > KEPT_DOCUMENTS {
                indexed.clear();
            }
            for document in documents {
                indexed.insert(document.listing_id, document.clone());
            }
        }
    }

    /// `listing_id`'s document from its stream, up to `upto`.
    async fn folded_from_log(
        &self,
        listing_id: ListingId,
        upto: u64,
    ) -> Result<Option<ListingDocument>, ProjectionError> {
        let mut document = None;
        for event in self.store.read_stream(listing_id.as_uuid(), 0).await? {
            if event.global_position > upto {
                break;
            }
            if let Some(next) = fold(document.clone(), &event)? {
                document = Some(next);
            }
        }
        Ok(document)
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
        let mut touched: BTreeMap<ListingId, Vec<&RecordedEvent>> = BTreeMap::new();
        for event in events.iter().filter(|event| event.stream_type == ListingState::STREAM_TYPE) {
            touched.entry(ListingId::from_uuid(event.stream_id)).or_default().push(event);
        }
        let first_versions: BTreeMap<ListingId, u64> =
            touched.iter().filter_map(|(id, events)| Some((*id, events.first()?.version))).collect();
        let mut kept = self.kept(&first_versions);
        let upto = last.global_position;
        let mut upserts = Vec::with_capacity(touched.len());
        let mut unknown = Vec::new();
        for (listing_id, listing_events) in &touched {
            let Some(mut document) = kept.remove(listing_id) else {
                unknown.push(*listing_id);
                continue;
            };
            for event in listing_events {
                if let Some(next) = fold(Some(document.clone()), event)? {
                    document = next;
                }
            }
            upserts.push(document);
        }
        // One read per listing not kept, several at once: a busy batch after a start touches
        // hundreds.
        let read: Vec<Option<ListingDocument>> = stream::iter(unknown)
            .map(|listing_id| self.folded_from_log(listing_id, upto))
            .buffer_unordered(STREAMS_AT_ONCE)
            .try_collect()
            .await?;
        upserts.extend(read.into_iter().flatten());
        self.search.commit(upserts.clone(), Vec::new(), upto).await?;
        self.keep(&upserts);
        Ok(())
    }

    async fn reset(&self) -> Result<(), ProjectionError> {
        if let Ok(mut indexed) = self.indexed.lock() {
            indexed.clear();
        }
        Ok(self.search.reset().await?)
    }
}
