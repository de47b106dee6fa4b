//! Shipping fees: a table by carrier and parcel size ([`FeeTable`]), and the same priced by
//! where the parcel goes ([`DistanceFees`]): Korean couriers charge one rate within a region
//! (동일권), more between regions (타권), and an island surcharge for Jeju.

use std::collections::HashMap;

use jangteo_domain::{Carrier, Money, listing::GeoPoint};
use serde::{Deserialize, Serialize};

/// Parcel sizes as Korean couriers price them (sum of the three sides, and weight).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParcelSize {
    /// Up to 80 cm and 2 kg.
    Small,
    /// Up to 120 cm and 10 kg.
    Medium,
    /// Up to 160 cm and 20 kg.
    Large,
}

impl ParcelSize {
    pub const ALL: [ParcelSize; 3] = [ParcelSize::Small, ParcelSize::Medium, ParcelSize::Large];

    /// The parcel a bundle of `items` second-hand items is sent in, until listings carry their
    /// own sizes: one item small, two or three medium, more large.
    pub fn for_bundle(items: usize) -> Self {
        match items {
            0 | 1 => ParcelSize::Small,
            2 | 3 => ParcelSize::Medium,
            _ => ParcelSize::Large,
        }
    }
}

/// Where a parcel goes: the seller's point (the listing's place) and the buyer's, where known.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Route {
    pub from: Option<GeoPoint>,
    pub to: Option<GeoPoint>,
}

impl Route {
    /// The great-circle distance between the two ends, when both are known.
    pub fn distance_km(&self) -> Option<f64> {
        Some(self.from?.distance_km(self.to?))
    }

    /// Whether exactly one end is on Jeju: the parcel crosses the sea.
    pub fn crosses_to_jeju(&self) -> bool {
        match (self.from, self.to) {
            (Some(from), Some(to)) => on_jeju(from) != on_jeju(to),
            _ => false,
        }
    }
}

/// Jeju island (제주특별자치도), by its bounding box: nothing else of Korea lies in it.
fn on_jeju(point: GeoPoint) -> bool {
    (33.1..=33.6).contains(&point.lat()) && (126.1..=127.0).contains(&point.lng())
}

/// What sending a parcel costs.
pub trait ShippingFees: Send + Sync {
    /// The fee along `route`, or `None` when the carrier does not take parcels of that size.
    fn fee(&self, carrier: Carrier, size: ParcelSize, route: &Route) -> Option<Money>;
}

/// A fixed table of fees, in won.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeTable {
    fees: HashMap<(Carrier, ParcelSize), Money>,
}

impl FeeTable {
    /// A table from `(carrier, size, won)` rows; a later row for the same pair wins.
    pub fn from_rows(rows: impl IntoIterator<Item = (Carrier, ParcelSize, Money)>) -> Self {
        Self { fees: rows.into_iter().map(|(carrier, size, fee)| ((carrier, size), fee)).collect() }
    }

    /// Jangteo's default fees: the same by size for every carrier, in the range of Korean
    /// domestic parcel rates (3,500 / 4,500 / 6,500 won). Other tables are built with
    /// [`FeeTable::from_rows`].
    pub fn standard() -> Self {
        let by_size = [(ParcelSize::Small, 3_500), (ParcelSize::Medium, 4_500), (ParcelSize::Large, 6_500)];
        Self::from_rows(Carrier::ALL.into_iter().flat_map(|carrier| {
            by_size
                .into_iter()
                .filter_map(move |(size, won)| Money::won(won).ok().map(|fee| (carrier, size, fee)))
        }))
    }
}

impl ShippingFees for FeeTable {
    /// The same wherever the parcel goes.
    fn fee(&self, carrier: Carrier, size: ParcelSize, _route: &Route) -> Option<Money> {
        self.fees.get(&(carrier, size)).copied()
    }
}

/// Fees by distance: the table's fee within [`DistanceFees::REGION_KM`] (or where either end is
/// unknown), the table's fee and a surcharge farther, and the island surcharge on top when the
/// parcel crosses to or from Jeju.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistanceFees {
    within_region: FeeTable,
    between_regions: Money,
    jeju: Money,
}

impl DistanceFees {
    /// How far a parcel goes within one region (동일권): a metropolitan area's span.
    pub const REGION_KM: f64 = 50.0;

    pub fn new(within_region: FeeTable, between_regions: Money, jeju: Money) -> Self {
        Self { within_region, between_regions, jeju }
    }

    /// The standard table, 1,000 won more between regions (타권) and 3,000 won more to or from
    /// Jeju, in the range of Korean couriers' published rates.
    pub fn standard() -> Self {
        Self::new(
            FeeTable::standard(),
            Money::won(1_000).unwrap_or(Money::ZERO),
            Money::won(3_000).unwrap_or(Money::ZERO),
        )
    }
}

impl ShippingFees for DistanceFees {
    fn fee(&self, carrier: Carrier, size: ParcelSize, route: &Route) -> Option<Money> {
        let base = self.within_region.fee(carrier, size, route)?;
        let far = route.distance_km().is_some_and(|km| km > Self::REGION_KM);
        let surcharges = [(far, self.between_regions), (route.crosses_to_jeju(), self.jeju)];
        surcharges
            .into_iter()
            .filter(|(applies, _)| *applies)
            .try_fold(base, |fee, (_, surcharge)| fee.checked_add(surcharge))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_table_prices_every_carrier_and_size() {
        let table = FeeTable::standard();
        for carrier in Carrier::ALL {
            let fees: Vec<i64> = ParcelSize::ALL
                .iter()
                .filter_map(|size| table.fee(carrier, *size, &Route::default()))
                .map(Money::as_won)
                .collect();
            assert_eq!(fees, [3_500, 4_500, 6_500], "{carrier:?}");
        }
    }

    #[test]
    fn a_custom_row_overrides_and_missing_pairs_have_no_fee() {
        let Ok(fee) = Money::won(3_000) else { return };
        let table = FeeTable::from_rows([(Carrier::Epost, ParcelSize::Small, fee)]);
        assert_eq!(table.fee(Carrier::Epost, ParcelSize::Small, &Route::default()), Some(fee));
        assert_eq!(table.fee(Carrier::Lotte, ParcelSize::Small, &Route::default()), None);
    }

    fn point(lat: f64, lng: f64) -> Option<GeoPoint> {
        GeoPoint::new(lat, lng).ok()
    }

    #[test]
    fn distance_prices_a_parcel_by_where_it_goes() {
        let fees = DistanceFees::standard();
        let (gangnam, mapo) = (point(37.4979, 127.0276), point(37.5663, 126.9019));
        let (busan, jeju) = (point(35.1796, 129.0756), point(33.4996, 126.5312));
        let fee = |from, to| {
            fees.fee(Carrier::CjLogistics, ParcelSize::Small, &Route { from, to }).map(Money::as_won)
        };
        assert_eq!(fee(gangnam, mapo), Some(3_500), "within Seoul");
        assert_eq!(fee(gangnam, busan), Some(4_500), "Seoul to Busan: between regions");
        assert_eq!(fee(busan, jeju), Some(7_500), "to Jeju: between regions and across the sea");
        assert_eq!(fee(jeju, point(33.2541, 126.5600)), Some(3_500), "within Jeju");
        assert_eq!(fee(None, busan), Some(3_500), "an unknown end: the regional fee");
        assert_eq!(
            fees.fee(Carrier::CjLogistics, ParcelSize::Large, &Route { from: gangnam, to: busan })
                .map(Money::as_won),
            Some(7_500)
        );
    }
}
