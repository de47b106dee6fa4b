//! Queries: read models only, optionally after waiting for the reader's own writes.

use std::{sync::Arc, time::Duration};

use jangteo_domain::{AccountId, ListingId, OrderId};
use jangteo_read_models::{
    DocumentStore, ListingCounters, ListingCounts, ListingDocument, ListingSearch, ListingStatusView,
    OrderDocument, SearchQuery, Suggestion,
};

use crate::{AppError, ProjectionProgress, ReadModel};

#[derive(Debug, Clone, PartialEq)]
pub struct ListingPage {
    pub items: Vec<ListingDocument>,
    /// With a `near` search: each item's distance from its centre in km, in the order of `items`.
    pub distances_km: Vec<f64>,
    /// The offset of the next page, if there is one.
    pub next_offset: Option<usize>,
}

/// A listing page: the document and its counters (`None` when the counters cannot be read: they
/// never keep a listing from being shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingView {
    pub listing: ListingDocument,
    pub counts: Option<ListingCounts>,
}

#[derive(Clone)]
pub struct Queries {
    documents: Arc<dyn DocumentStore>,
    search: Arc<dyn ListingSearch>,
    counters: Arc<dyn ListingCounters>,
    progress: ProjectionProgress,
    consistency_timeout: Duration,
}

impl Queries {
    pub fn new(
        documents: Arc<dyn DocumentStore>,
        search: Arc<dyn ListingSearch>,
        counters: Arc<dyn ListingCounters>,
        progress: ProjectionProgress,
        consistency_timeout: Duration,
    ) -> Self {
        Self { documents, search, counters, progress, consistency_timeout }
    }

    pub fn progress(&self) -> &ProjectionProgress {
        &self.progress
    }

    pub(crate) fn documents(&self) -> &dyn DocumentStore {
        self.documents.as_ref()
    }

    /// Waits (bounded) until the read models a query reads reflect the log up to `position`;
    /// the others may trail (a lagging search index does not hold up an order's page).
    pub async fn catch_up(&self, reads: &[ReadModel], position: Option<u64>) -> Result<(), AppError> {
        match position {
            Some(position) if position > 0 => {
                Ok(self.progress.wait_for(reads, position, self.consistency_timeout).await?)
            }
            _ => Ok(()),
        }
    }

    /// A listing with its counters; drafts and withdrawn listings are visible to their seller
    /// only. A view by anyone but the seller is counted.
    pub async fn listing(
        &self,
        viewer: Option<AccountId>,
        listing_id: ListingId,
        position: Option<u64>,
    ) -> Result<ListingView, AppError> {
        // The document (read through the cache where there is one) and its counts.
        let reads = [ReadModel::ListingDocuments, ReadModel::ListingCache, ReadModel::ListingCounters];
        self.catch_up(&reads, position).await?;
        let listing = self.documents.listing(listing_id).await?.ok_or(AppError::NotFound)?;
        let by_seller = viewer == Some(listing.seller_id);
        if !listing.status.is_public() && !by_seller {
            return Err(AppError::NotFound);
        }
        if !by_seller && let Err(error) = self.counters.record_view(listing_id).await {
            tracing::warn!(%listing_id, %error, "counting a view failed");
        }
        let counts = match self.counters.counts(listing_id).await {
            Ok(counts) => Some(counts),
            Err(error) => {
                tracing::warn!(%listing_id, %error, "reading the listing counters failed");
                None
            }
        };
        Ok(ListingView { listing, counts })
    }

    /// An order, for its buyer and seller only.
    pub async fn order(
        &self,
        viewer: AccountId,
        order_id: OrderId,
        position: Option<u64>,
    ) -> Result<OrderDocument, AppError> {
        self.catch_up(&[ReadModel::OrderDocuments], position).await?;
        let order = self.documents.order(order_id).await?.ok_or(AppError::NotFound)?;
        if viewer == order.buyer_id || viewer == order.seller_id {
            Ok(order)
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Searches public listings: statuses other than on sale, reserved and sold are dropped, and
    /// no status at all means "on sale".
    pub async fn search(
        &self,
        mut query: SearchQuery,
        position: Option<u64>,
    ) -> Result<ListingPage, AppError> {
        self.catch_up(&[ReadModel::ListingSearch], position).await?;
        query.statuses.retain(|status| status.is_public());
        if query.statuses.is_empty() {
            query.statuses.push(ListingStatusView::OnSale);
        }
        let page = self.search.search(&query).await?;
        // A first page of a text search counts toward the popular queries that autocomplete
        // proposes; off the answer's path, and a failure to count is no failure to search.
        if let Some(text) = query.text.clone().filter(|_| query.offset == 0) {
            let search = Arc::clone(&self.search);
            tokio::spawn(async move {
                if let Err(error) = search.record_query(&text).await {
                    tracing::warn!(%error, "recording a search query failed");
                }
            });
        }
        let next_offset = page.has_more.then_some(query.offset + page.hits.len());
        Ok(ListingPage { items: page.hits, distances_km: page.distances_km, next_offset })
    }

    /// Listings in `query.statuses` whatever they are (the review queue: `pending_review`,
    /// `rejected`), newest first. For admins only: the caller
    /// checks the role ([`crate::Listings::ensure_admin`]).
    pub async fn review_queue(
        &self,
        query: SearchQuery,
        position: Option<u64>,
    ) -> Result<ListingPage, AppError> {
        self.catch_up(&[ReadModel::ListingSearch], position).await?;
        let page = self.search.search(&query).await?;
        let next_offset = page.has_more.then_some(query.offset + page.hits.len());
        Ok(ListingPage { items: page.hits, distances_km: page.distances_km, next_offset })
    }

    /// Autocomplete: completions of what is typed so far, from listing titles and popular
    /// past queries.
    pub async fn suggest(&self, prefix: &str, limit: usize) -> Result<Vec<Suggestion>, AppError> {
        Ok(self.search.suggest(prefix, limit).await?)
    }
}
