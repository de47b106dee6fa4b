//! The listing-counters contract.

use jangteo_domain::ListingId;
use jangteo_read_models::{ListingCounters, ListingCounts};
use uuid::Uuid;

pub async fn contract(counters: &dyn ListingCounters) {
    let (phone, chair) = (ListingId::from_uuid(Uuid::now_v7()), ListingId::from_uuid(Uuid::now_v7()));
    assert_eq!(counters.counts(phone).await.unwrap(), ListingCounts::default());
    assert_eq!(counters.checkpoint().await.unwrap(), 0);

    // Views count one by one, per listing.
    for _ in 0..3 {
        counters.record_view(phone).await.unwrap();
    }
    counters.record_view(chair).await.unwrap();
    assert_eq!(counters.counts(phone).await.unwrap().views, 3);
    assert_eq!(counters.counts(chair).await.unwrap().views, 1);

    // Favourite deltas move with the checkpoint.
    counters.commit(vec![(phone, 2), (chair, 1)], 5).await.unwrap();
    counters.commit(vec![(phone, -1)], 8).await.unwrap();
    assert_eq!(counters.counts(phone).await.unwrap(), ListingCounts { views: 3, favourites: 1 });
    assert_eq!(counters.counts(chair).await.unwrap().favourites, 1);
    assert_eq!(counters.checkpoint().await.unwrap(), 8);

    // A replayed commit (checkpoint not beyond the stored one) changes nothing.
    counters.commit(vec![(phone, -1)], 8).await.unwrap();
    counters.commit(vec![(phone, 5)], 6).await.unwrap();
    assert_eq!(counters.counts(phone).await.unwrap().favourites, 1);
    assert_eq!(counters.checkpoint().await.unwrap(), 8);

    // A reset forgets what came from the log, not the views.
    counters.reset().await.unwrap();
    assert_eq!(counters.counts(phone).await.unwrap(), ListingCounts { views: 3, favourites: 0 });
    assert_eq!(counters.checkpoint().await.unwrap(), 0);
}
