//! The listing search port: full text over title and description, with price and status filters.

use async_trait::async_trait;
use jangteo_domain::{ListingId, Money};

use crate::{ListingDocument, ListingStatusView, ReadModelError};

/// A search request. `text: None` lists matching listings newest first; with text, best match first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchQuery {
    pub text: Option<String>,
    pub min_price: Option<Money>,
    pub max_price: Option<Money>,
    /// Listings in any of these statuses match; never empty (the API fills in the default).
    pub statuses: Vec<ListingStatusView>,
    pub limit: usize,
    pub offset: usize,
}

/// One page of hits, and whether more follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPage {
    pub hits: Vec<ListingDocument>,
    pub has_more: bool,
}

#[async_trait]
pub trait ListingSearch: Send + Sync + 'static {
    async fn search(&self, query: &SearchQuery) -> Result<SearchPage, ReadModelError>;

    /// The global position up to which the index reflects the log.
    async fn checkpoint(&self) -> Result<u64, ReadModelError>;

    /// Indexes (replacing by id) `upserts`, removes `deletes`, and stores `checkpoint`, atomically:
    /// after a crash the index and its checkpoint agree.
    async fn commit(
        &self,
        upserts: Vec<ListingDocument>,
        deletes: Vec<ListingId>,
        checkpoint: u64,
    ) -> Result<(), ReadModelError>;

    /// Empties the index and its checkpoint, so it can be rebuilt from 0.
    async fn reset(&self) -> Result<(), ReadModelError>;
}
