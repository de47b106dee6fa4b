//! A document store that answers listing reads from the Redis cache when it can.

use crate::ReadModel;
use std::sync::Arc;

use async_trait::async_trait;
use jangteo_domain::{AccountId, ListingId, OrderId, listing::ImageDigest, order::OrderStatus};

use super::RedisListingCache;
use crate::{
    DocumentStore, DocumentWrite, FavouriteDocument, ListingDocument, ListingStatusView, OrderDocument,
    OrderParty, PageRequest, ReadModelError,
};

/// Wraps a document store: listing reads try the cache first and fill it on a miss; everything
/// else goes straight through. A cache failure is logged and the read served from the store.
///
/// For queries only: a projection must read the store itself, since the cache may trail it.
pub struct CachedDocumentStore {
    inner: Arc<dyn DocumentStore>,
    cache: RedisListingCache,
}

impl CachedDocumentStore {
    pub fn new(inner: Arc<dyn DocumentStore>, cache: RedisListingCache) -> Self {
        Self { inner, cache }
    }
}

#[async_trait]
impl DocumentStore for CachedDocumentStore {
    async fn listing(&self, listing_id: ListingId) -> Result<Option<ListingDocument>, ReadModelError> {
        match self.cache.get(listing_id).await {
            Ok(Some(document)) => return Ok(Some(document)),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "listing cache unavailable; reading the document store"),
        }
        let document = self.inner.listing(listing_id).await?;
        if let Some(document) = &document
            && let Err(error) = self.cache.fill(document).await
        {
            tracing::warn!(%error, "could not fill the listing cache");
        }
        Ok(document)
    }

    async fn order(&self, order_id: OrderId) -> Result<Option<OrderDocument>, ReadModelError> {
        self.inner.order(order_id).await
    }

    async fn favourite(
        &self,
        account_id: AccountId,
        listing_id: ListingId,
    ) -> Result<Option<FavouriteDocument>, ReadModelError> {
        self.inner.favourite(account_id, listing_id).await
    }

    async fn listings_of_seller(
        &self,
        seller_id: AccountId,
        statuses: &[ListingStatusView],
        page: PageRequest,
    ) -> Result<Vec<ListingDocument>, ReadModelError> {
        self.inner.listings_of_seller(seller_id, statuses, page).await
    }

    async fn listings_with_photo(
        &self,
        sha256: &ImageDigest,
        limit: u32,
    ) -> Result<Vec<ListingDocument>, ReadModelError> {
        self.inner.listings_with_photo(sha256, limit).await
    }

    async fn orders_of(
        &self,
        member: AccountId,
        party: OrderParty,
        statuses: &[OrderStatus],
        page: PageRequest,
    ) -> Result<Vec<OrderDocument>, ReadModelError> {
        self.inner.orders_of(member, party, statuses, page).await
    }

    async fn count_orders(
        &self,
        member: AccountId,
        party: OrderParty,
        status: OrderStatus,
    ) -> Result<u64, ReadModelError> {
        self.inner.count_orders(member, party, status).await
    }

    async fn favourites_of(
        &self,
        member: AccountId,
        page: PageRequest,
    ) -> Result<Vec<FavouriteDocument>, ReadModelError> {
        self.inner.favourites_of(member, page).await
    }

    async fn checkpoint(&self, projection: &str) -> Result<u64, ReadModelError> {
        self.inner.checkpoint(projection).await
    }

    async fn commit(
        &self,
        projection: &str,
        writes: Vec<DocumentWrite>,
        checkpoint: u64,
    ) -> Result<(), ReadModelError> {
        self.inner.commit(projection, writes, checkpoint).await
    }

    async fn reset(&self, model: ReadModel) -> Result<(), ReadModelError> {
        self.inner.reset(model).await
    }
}
