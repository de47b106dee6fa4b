//! Money in Korean won. Won has no minor unit, so an amount is a whole number of won.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// A non-negative amount of won, at most [`Money::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Money(i64);

impl Money {
    /// One billion won: far above any second-hand item, small enough that sums never overflow.
    pub const MAX: i64 = 1_000_000_000;
    pub const ZERO: Money = Money(0);

    pub fn won(amount: i64) -> Result<Self, ValidationError> {
        if (0..=Self::MAX).contains(&amount) {
            Ok(Self(amount))
        } else {
            Err(ValidationError::new("price", "must be between 0 and 1,000,000,000 won"))
        }
    }

    pub const fn as_won(self) -> i64 {
        self.0
    }

    /// `self - other`, or `None` when `other` is larger.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).filter(|rest| *rest >= 0).map(Money)
    }

    /// `self + other`, or `None` past [`Money::MAX`].
    pub fn checked_add(self, other: Money) -> Option<Money> {
        Money::won(self.0 + other.0).ok()
    }

    /// `units` times `self`, or `None` past [`Money::MAX`].
    pub fn times(self, units: u32) -> Option<Money> {
        self.0.checked_mul(i64::from(units)).and_then(|total| Money::won(total).ok())
    }
}

/// A fee as a share of an amount, in basis points (1/100 of a percent): 350 is 3.5 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct FeeRate(u16);

impl FeeRate {
    pub const ZERO: FeeRate = FeeRate(0);

    pub fn basis_points(points: u16) -> Result<Self, ValidationError> {
        if points <= 10_000 {
            Ok(Self(points))
        } else {
            Err(ValidationError::new("fee_rate", "must be at most 10,000 basis points (100 %)"))
        }
    }

    pub const fn as_basis_points(self) -> u16 {
        self.0
    }

    /// The fee on `amount`, rounded down to the won: the seller never pays a fraction more.
    pub fn fee_on(self, amount: Money) -> Money {
        // At most 1e9 × 1e4: far inside i64.
        Money(amount.0 * i64::from(self.0) / 10_000)
    }
}

impl TryFrom<u16> for FeeRate {
    type Error = ValidationError;

    fn try_from(value: u16) -> Result<Self, Self::Error> {
        Self::basis_points(value)
    }
}

impl From<FeeRate> for u16 {
    fn from(rate: FeeRate) -> u16 {
        rate.0
    }
}

impl TryFrom<i64> for Money {
    type Error = ValidationError;

    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::won(value)
    }
}

impl From<Money> for i64 {
    fn from(money: Money) -> i64 {
        money.0
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "₩{}", self.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test expectations")]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_enforced() {
        assert!(Money::won(-1).is_err());
        assert!(Money::won(Money::MAX + 1).is_err());
        assert_eq!(Money::won(15_000).map(Money::as_won), Ok(15_000));
    }

    #[test]
    fn fees_round_down_to_the_won() {
        let rate = FeeRate::basis_points(350).unwrap();
        assert_eq!(rate.fee_on(Money::won(10_000).unwrap()), Money::won(350).unwrap());
        assert_eq!(rate.fee_on(Money::won(999).unwrap()), Money::won(34).unwrap());
        assert_eq!(FeeRate::basis_points(0).unwrap().fee_on(Money::won(5).unwrap()), Money::ZERO);
        assert!(FeeRate::basis_points(10_001).is_err());
    }

    #[test]
    fn subtraction_never_goes_negative() {
        let ten = Money::won(10).unwrap();
        assert_eq!(ten.checked_sub(Money::won(3).unwrap()), Money::won(7).ok());
        assert_eq!(Money::won(3).unwrap().checked_sub(ten), None);
    }

    #[test]
    fn deserializing_rejects_negative_amounts() {
        assert!(serde_json::from_str::<Money>("-5").is_err());
        assert_eq!(serde_json::from_str::<Money>("5").ok(), Money::won(5).ok());
    }
}
