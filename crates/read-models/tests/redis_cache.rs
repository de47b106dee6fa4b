//! The Redis listing cache against a real Redis: it never serves a document older than the newest
//! invalidation, whatever order fills and invalidations arrive in. Prints `SKIPPED (redis
//! unreachable)` without a server, unless `JANGTEO_REQUIRE_SERVICES=1`.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with expect/unwrap")]

use std::time::Duration;

use chrono::DateTime;
use jangteo_domain::{AccountId, ListingId, Money};
use jangteo_read_models::{
    ListingCacheFloors, ListingDocument, ListingStatusView, redis_cache::RedisListingCache,
};
use uuid::Uuid;

async fn cache() -> Option<RedisListingCache> {
    let url = jangteo_test_support::redis_url()?;
    // A prefix of its own, so parallel tests and earlier runs never share keys.
    let prefix = format!("jangteo-test-{}", Uuid::new_v4().simple());
    Some(
        RedisListingCache::connect(&url, &prefix, Duration::from_secs(60))
            .await
            .expect("connecting to the test Redis"),
    )
}

fn document(listing_id: ListingId, version: u64) -> ListingDocument {
    let at = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
    ListingDocument {
        listing_id,
        seller_id: AccountId::from_uuid(Uuid::from_u128(1)),
        title: format!("캠핑 의자 v{version}"),
        description: String::new(),
        price: Money::won(10_000).unwrap(),
        category_id: None,
        status: ListingStatusView::OnSale,
        version,
        created_position: 1,
        created_at: at,
        updated_at: at,
        quantity: 1,
        available: 1,
        images: Vec::new(),
        location: None,
        neighbourhood: None,
        bumped_at: None,
        bumped_position: None,
        review: None,
    }
}

#[tokio::test]
async fn a_filled_document_reads_back() {
    let Some(cache) = cache().await else { return };
    let id = ListingId::from_uuid(Uuid::now_v7());
    assert_eq!(cache.get(id).await.unwrap(), None);
    assert!(cache.fill(&document(id, 2)).await.unwrap());
    assert_eq!(cache.get(id).await.unwrap(), Some(document(id, 2)));
}

#[tokio::test]
async fn an_older_document_never_replaces_a_newer_one() {
    let Some(cache) = cache().await else { return };
    let id = ListingId::from_uuid(Uuid::now_v7());
    assert!(cache.fill(&document(id, 5)).await.unwrap());
    assert!(!cache.fill(&document(id, 4)).await.unwrap());
    assert!(!cache.fill(&document(id, 5)).await.unwrap(), "the same version is already there");
    assert_eq!(cache.get(id).await.unwrap().map(|d| d.version), Some(5));
    assert!(cache.fill(&document(id, 6)).await.unwrap());
    assert_eq!(cache.get(id).await.unwrap().map(|d| d.version), Some(6));
}

/// The race the floor exists for: the invalidation for version 3 arrives, then a reader that read
/// the document store just before it caught up tries to fill version 2.
#[tokio::test]
async fn a_stale_fill_after_an_invalidation_is_refused() {
    let Some(cache) = cache().await else { return };
    let id = ListingId::from_uuid(Uuid::now_v7());
    assert!(cache.fill(&document(id, 2)).await.unwrap());
    assert!(cache.invalidate_below(id, 3).await.unwrap());
    assert_eq!(cache.get(id).await.unwrap(), None, "version 2 is no longer served");
    assert!(!cache.fill(&document(id, 2)).await.unwrap(), "the late, stale fill is refused");
    assert_eq!(cache.get(id).await.unwrap(), None);
    assert!(cache.fill(&document(id, 3)).await.unwrap(), "the caught-up document is accepted");
    assert_eq!(cache.get(id).await.unwrap().map(|d| d.version), Some(3));
}

#[tokio::test]
async fn invalidations_are_idempotent_and_never_lower_the_floor() {
    let Some(cache) = cache().await else { return };
    let id = ListingId::from_uuid(Uuid::now_v7());
    assert!(cache.invalidate_below(id, 7).await.unwrap());
    assert!(!cache.invalidate_below(id, 7).await.unwrap(), "redelivery changes nothing");
    assert!(!cache.invalidate_below(id, 4).await.unwrap(), "an older event changes nothing");
    assert!(!cache.fill(&document(id, 6)).await.unwrap());
    assert!(cache.fill(&document(id, 7)).await.unwrap());
    assert!(!cache.invalidate_below(id, 7).await.unwrap(), "the document at the floor stays");
    assert_eq!(cache.get(id).await.unwrap().map(|d| d.version), Some(7));
}

#[tokio::test]
async fn checkpoints_round_trip() {
    let Some(cache) = cache().await else { return };
    assert_eq!(cache.checkpoint("listing_cache").await.unwrap(), 0);
    cache.save_checkpoint("listing_cache", 42).await.unwrap();
    assert_eq!(cache.checkpoint("listing_cache").await.unwrap(), 42);
}
