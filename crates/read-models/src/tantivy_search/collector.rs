//! One collector for every sort order: it reads the fast fields of each matching listing, drops
//! those outside the radius (exact haversine), computes the sort key and keeps the best
//! `offset + limit + 1` in a bounded heap per segment.
//!
//! Once the heap is full, a listing that cannot beat its worst entry is dropped before the
//! expensive parts of its key (the haversine distance, the ranking factor's powers) are
//! computed: its upper bound is checked first. The count of matches then stops being exact, which
//! nobody reads: it only decides `has_more`, and a full heap holds one more than the page.

use std::{cmp::Ordering, collections::BinaryHeap};

use jangteo_domain::listing::GeoPoint;
use tantivy::{
    DocAddress, DocId, Score, SegmentOrdinal, SegmentReader,
    collector::{Collector, SegmentCollector},
    columnar::Column,
};

use super::{
    geo,
    schema::{LAT, LISTED_AT, LISTED_POSITION, LNG, PRICE},
};
use crate::{Nearby, SearchSort, search::ranking};

/// What to collect.
pub(super) struct Ranking {
    /// The effective order: never `Relevance` without text, never `Distance` without `near`.
    pub sort: SearchSort,
    pub near: Option<Nearby>,
    /// How many of the best to keep.
    pub keep: usize,
    /// "Now", in seconds, for the freshness factor.
    pub now: i64,
}

/// The best hits, best first, and how many listings matched in all.
pub(super) struct Ranked {
    pub hits: Vec<DocAddress>,
    pub matched: usize,
}

/// A hit and its key; greater is better.
#[derive(Clone, Copy)]
pub(super) struct Entry {
    primary: f64,
    listed_position: u64,
    address: DocAddress,
}

impl Entry {
    fn cmp_key(&self, other: &Self) -> Ordering {
        self.primary
            .total_cmp(&other.primary)
            .then(self.listed_position.cmp(&other.listed_position))
            // The earlier document wins a full tie, so the order is stable.
            .then(other.address.cmp(&self.address))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp_key(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
/// Reversed, so that the `BinaryHeap` is a min-heap whose top is the worst kept hit.
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        other.cmp_key(self)
    }
}

pub(super) struct SegmentRanking {
    sort: SearchSort,
    near: Option<Nearby>,
    keep: usize,
    now: i64,
    segment: SegmentOrdinal,
    listed_position: Column<u64>,
    listed_at: Column<i64>,
    price: Column<u64>,
    location: Option<(Column<f64>, Column<f64>)>,
    /// The ranking factor of a listing listed now at the centre: no listing's is higher.
    best_factor: f64,
    heap: BinaryHeap<Entry>,
    matched: usize,
}

impl Collector for Ranking {
    type Fruit = Ranked;
    type Child = SegmentRanking;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentRanking> {
        let fast = reader.fast_fields();
        let location = match (fast.column_opt::<f64>(LAT)?, fast.column_opt::<f64>(LNG)?) {
            (Some(lat), Some(lng)) => Some((lat, lng)),
            _ => None,
        };
        Ok(SegmentRanking {
            sort: self.sort,
            near: self.near,
            keep: self.keep,
            now: self.now,
            segment,
            listed_position: fast.u64(LISTED_POSITION)?,
            listed_at: fast.i64(LISTED_AT)?,
            price: fast.u64(PRICE)?,
            location,
            best_factor: ranking::factor(0.0, self.near.map(|near| (0.0, near.radius_km))),
            heap: BinaryHeap::with_capacity(self.keep + 1),
            matched: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.sort == SearchSort::Relevance
    }

    fn merge_fruits(&self, fruits: Vec<(Vec<Entry>, usize)>) -> tantivy::Result<Ranked> {
        let matched = fruits.iter().map(|(_, matched)| matched).sum();
        let mut all: Vec<Entry> = fruits.into_iter().flat_map(|(entries, _)| entries).collect();
        all.sort_by(|a, b| b.cmp_key(a));
        all.truncate(self.keep);
        Ok(Ranked { hits: all.into_iter().map(|entry| entry.address).collect(), matched })
    }
}

impl SegmentRanking {
    /// The listing's place, if it has one.
    fn point(&self, doc: DocId) -> Option<GeoPoint> {
        let (lat, lng) = self.location.as_ref()?;
        GeoPoint::new(lat.first(doc)?, lng.first(doc)?).ok()
    }

    /// The kept hit that a new one must beat, once the heap is full.
    fn worst(&self) -> Option<&Entry> {
        if self.heap.len() < self.keep { None } else { self.heap.peek() }
    }
}

impl SegmentCollector for SegmentRanking {
    type Fruit = (Vec<Entry>, usize);

    fn collect(&mut self, doc: DocId, score: Score) {
        let address = DocAddress::new(self.segment, doc);
        let listed_position = self.listed_position.first(doc).unwrap_or(0);
        #[allow(clippy::cast_precision_loss, reason = "prices far below 2^52")]
        let price = |ranking: &Self| ranking.price.first(doc).unwrap_or(0) as f64;
        // What the key is at best, from what is cheap to read: a listing whose best cannot beat
        // the worst kept hit is not worth its distance.
        let best = match self.sort {
            SearchSort::Relevance => f64::from(score) * self.best_factor,
            // Newest has no primary key; the distance is not known yet, and at best 0.
            SearchSort::Newest | SearchSort::Distance => 0.0,
            SearchSort::PriceAsc => -price(self),
            SearchSort::PriceDesc => price(self),
        };
        let hopeless = |best: f64, worst: Option<&Entry>| {
            worst.is_some_and(|worst| {
                Entry { primary: best, listed_position, address }.cmp_key(worst) == Ordering::Less
            })
        };
        if hopeless(best, self.worst()) {
            return;
        }
        let distance = match self.near {
            Some(near) => {
                let Some(point) = self.point(doc) else { return };
                let closest = geo::latitude_gap_km(point.lat(), near.center);
                if closest > near.radius_km
                    || (self.sort == SearchSort::Distance && hopeless(-closest, self.worst()))
                {
                    return;
                }
                match point.distance_km(near.center) {
                    distance if distance <= near.radius_km => Some(distance),
                    _ => return,
                }
            }
            None => None,
        };
        self.matched += 1;
        #[allow(clippy::cast_precision_loss, reason = "seconds far below 2^52")]
        let primary = match self.sort {
            SearchSort::Relevance => {
                let age_days = (self.now - self.listed_at.first(doc).unwrap_or(self.now)) as f64 / 86_400.0;
                let circle = self.near.zip(distance).map(|(near, distance)| (distance, near.radius_km));
                f64::from(score) * ranking::factor(age_days, circle)
            }
            SearchSort::Distance => -distance.unwrap_or(f64::MAX),
            SearchSort::Newest | SearchSort::PriceAsc | SearchSort::PriceDesc => best,
        };
        let entry = Entry { primary, listed_position, address };
        if self.heap.len() < self.keep {
            self.heap.push(entry);
        } else if let Some(mut worst) = self.heap.peek_mut()
            && entry.cmp_key(&worst) == Ordering::Greater
        {
            *worst = entry;
        }
    }

    fn harvest(self) -> (Vec<Entry>, usize) {
        (self.heap.into_vec(), self.matched)
    }
}

#[cfg(test)]
mod tests {
    use jangteo_domain::{AccountId, ListingId, Money};
    use uuid::Uuid;

    use super::*;
    use crate::{
        ListingDocument, ListingSearch, ListingStatusView, SearchQuery, tantivy_search::TantivyListingSearch,
    };

    fn point(lat: f64, lng: f64) -> GeoPoint {
        GeoPoint::new(lat, lng).unwrap_or_else(|error| panic!("{error}"))
    }

    /// Listing `n`: a distinct price and position, a place on a grid around city hall, every
    /// seventh bumped past the others.
    fn listing(n: u64) -> ListingDocument {
        let at = chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default();
        #[allow(clippy::cast_precision_loss, reason = "small grid steps")]
        let (row, column) = ((n % 17) as f64, (n / 17) as f64);
        ListingDocument {
            listing_id: ListingId::from_uuid(Uuid::from_u128(u128::from(n))),
            seller_id: AccountId::from_uuid(Uuid::from_u128(1)),
            title: format!("자전거 {n}"),
            description: String::new(),
            price: Money::won(i64::try_from((n * 7_919) % 1_000 * 1_000 + n).unwrap_or(0))
                .unwrap_or(Money::ZERO),
            category_id: None,
            status: ListingStatusView::OnSale,
            version: 1,
            created_position: n,
            created_at: at,
            updated_at: at,
            quantity: 1,
            available: 1,
            images: Vec::new(),
            location: Some(point(37.52 + row * 0.006, 126.93 + column * 0.007)),
            neighbourhood: None,
            bumped_at: None,
            bumped_position: n.is_multiple_of(7).then_some(1_000 + n),
            review: None,
        }
    }

    #[tokio::test]
    async fn pruning_a_full_heap_keeps_what_sorting_every_match_would() {
        let index = TantivyListingSearch::in_ram().unwrap_or_else(|error| panic!("{error}"));
        let listings: Vec<ListingDocument> = (1..=300).map(listing).collect();
        index.commit(listings.clone(), Vec::new(), 1).await.unwrap_or_else(|error| panic!("{error}"));
        let near = Nearby { center: point(37.5665, 126.978), radius_km: 3.0 };
        for sort in [SearchSort::Newest, SearchSort::Distance, SearchSort::PriceAsc, SearchSort::PriceDesc] {
            for with_near in [true, false] {
                let mut expected: Vec<(f64, u64, u64)> = listings
                    .iter()
                    .filter_map(|listing| {
                        let distance = listing.location.map(|at| at.distance_km(near.center));
                        if with_near && distance.is_none_or(|distance| distance > near.radius_km) {
                            return None;
                        }
                        #[allow(clippy::cast_precision_loss, reason = "small prices")]
                        let price = listing.price.as_won() as f64;
                        let primary = match sort {
                            SearchSort::Distance if with_near => -distance.unwrap_or(f64::MAX),
                            SearchSort::PriceAsc => -price,
                            SearchSort::PriceDesc => price,
                            _ => 0.0,
                        };
                        Some((primary, listing.listed_position(), listing.created_position))
                    })
                    .collect();
                expected.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
                assert!(expected.len() > 30, "{} within the radius", expected.len());
                for (offset, limit) in [(0, 1), (0, 3), (7, 5), (0, 20)] {
                    let query = SearchQuery {
                        near: with_near.then_some(near),
                        sort,
                        offset,
                        limit,
                        ..SearchQuery::default()
                    };
                    let page = index.search(&query).await.unwrap_or_else(|error| panic!("{error}"));
                    let found: Vec<u64> = page.hits.iter().map(|hit| hit.created_position).collect();
                    let wanted: Vec<u64> =
                        expected.iter().skip(offset).take(limit).map(|(_, _, created)| *created).collect();
                    assert_eq!(found, wanted, "{sort:?}, near {with_near}, offset {offset}, limit {limit}");
                    assert_eq!(page.has_more, expected.len() > offset + limit);
                }
            }
        }
    }
}
