//! The port of the listing cache's writer: version floors and the checkpoint kept beside them.
//!
//! The cache itself is an adapter's business (`redis_cache`, behind the `redis` feature); the
//! projection that keeps it fresh needs only this, so it compiles no cache client.

use async_trait::async_trait;
use jangteo_domain::ListingId;

use crate::ReadModelError;

/// What the listing-cache projection writes. A floor says "nothing below this version of the
/// listing may be served any more"; raising one is idempotent and never lowers it.
#[async_trait]
pub trait ListingCacheFloors: Send + Sync + 'static {
    /// Makes every cached version of `listing_id` below `version` invalid. Returns whether the
    /// floor moved (false when the cache already held something at least as new).
    async fn invalidate_below(&self, listing_id: ListingId, version: u64) -> Result<bool, ReadModelError>;

    /// The checkpoint stored beside the cache under `name` (0 when there is none).
    async fn checkpoint(&self, name: &str) -> Result<u64, ReadModelError>;

    async fn save_checkpoint(&self, name: &str, position: u64) -> Result<(), ReadModelError>;
}
