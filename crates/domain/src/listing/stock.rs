//! A listing's units (실시간 재고): how many were put up, how many orders hold, how many are sold.
//!
//! Every event that moves units carries the stock after it, so the status a listing has after
//! the event follows from the event alone (one table, [`Stock::status`]), and an analyst reading
//! the stream sees the stock without replaying it.

use serde::{Deserialize, Serialize};

use crate::{AccountId, OrderId, ValidationError, listing::ListingStatus};

/// The most units one listing may offer.
pub const MAX_QUANTITY: u32 = 999;

/// How many units a listing offers: 1 to [`MAX_QUANTITY`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Quantity(u32);

impl Quantity {
    pub const ONE: Quantity = Quantity(1);

    pub fn new(units: u32) -> Result<Self, ValidationError> {
        if (1..=MAX_QUANTITY).contains(&units) {
            Ok(Self(units))
        } else {
            Err(ValidationError::new("quantity", "must be 1 to 999"))
        }
    }

    pub const fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Quantity {
    type Error = ValidationError;

    fn try_from(units: u32) -> Result<Self, Self::Error> {
        Self::new(units)
    }
}

impl From<Quantity> for u32 {
    fn from(quantity: Quantity) -> u32 {
        quantity.0
    }
}

/// The units of a listing after an event: `available + held + sold == quantity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stock {
    pub quantity: u32,
    /// Units any buyer may still order.
    pub available: u32,
    /// Units orders in progress hold.
    pub held: u32,
    pub sold: u32,
}

impl Stock {
    /// A listing's stock before any order.
    pub fn fresh(quantity: Quantity) -> Self {
        Stock { quantity: quantity.get(), available: quantity.get(), held: 0, sold: 0 }
    }

    /// The status of a listing on sale with this stock: sold once every unit is sold, reserved
    /// while orders hold all the rest, on sale while a unit is left.
    pub fn status(self) -> ListingStatus {
        if self.sold >= self.quantity {
            ListingStatus::Sold
        } else if self.available == 0 {
            ListingStatus::Reserved
        } else {
            ListingStatus::OnSale
        }
    }
}

/// Units one order holds (or bought).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    pub order_id: OrderId,
    pub buyer_id: AccountId,
    pub units: u32,
}
