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
mod tests {
    use super::*;

    #[test]
    fn bounds_are_enforced() {
        assert!(Money::won(-1).is_err());
        assert!(Money::won(Money::MAX + 1).is_err());
        assert_eq!(Money::won(15_000).map(Money::as_won), Ok(15_000));
    }

    #[test]
    fn deserializing_rejects_negative_amounts() {
        assert!(serde_json::from_str::<Money>("-5").is_err());
        assert_eq!(serde_json::from_str::<Money>("5").ok(), Money::won(5).ok());
    }
}
