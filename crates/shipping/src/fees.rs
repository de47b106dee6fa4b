//! Shipping fees: a table by carrier and parcel size. Distance-based fees need the buyer's and
//! seller's regions, which arrive with the location features; [`ShippingFees`] is the port they
//! will implement too.

use std::collections::HashMap;

use jangteo_domain::{Carrier, Money};
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

/// What sending a parcel costs.
pub trait ShippingFees: Send + Sync {
    /// The fee, or `None` when the carrier does not take parcels of that size.
    fn fee(&self, carrier: Carrier, size: ParcelSize) -> Option<Money>;
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
    fn fee(&self, carrier: Carrier, size: ParcelSize) -> Option<Money> {
        self.fees.get(&(carrier, size)).copied()
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
                .filter_map(|size| table.fee(carrier, *size))
                .map(Money::as_won)
                .collect();
            assert_eq!(fees, [3_500, 4_500, 6_500], "{carrier:?}");
        }
    }

    #[test]
    fn a_custom_row_overrides_and_missing_pairs_have_no_fee() {
        let Ok(fee) = Money::won(3_000) else { return };
        let table = FeeTable::from_rows([(Carrier::Epost, ParcelSize::Small, fee)]);
        assert_eq!(table.fee(Carrier::Epost, ParcelSize::Small), Some(fee));
        assert_eq!(table.fee(Carrier::Lotte, ParcelSize::Small), None);
    }
}
