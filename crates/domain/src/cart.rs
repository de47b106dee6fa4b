//! The Cart aggregate: the listings a member means to buy, possibly from several sellers.
//!
//! A cart holds no prices: what a listing costs is read when the cart is shown or checked out.
//! Adding a listing that is in the cart already, or removing one that is not, changes nothing, so
//! a retried click is harmless. Checking out empties the cart of the listings that were ordered.

use serde::{Deserialize, Serialize};

use crate::{
    AccountId, Aggregate, CheckoutId, DomainError, DomainEvent, ListingId, ValidationError,
    listing::ListingStatus,
};

/// The most listings a cart holds.
pub const MAX_CART_ITEMS: usize = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartItem {
    pub listing_id: ListingId,
    pub seller_id: AccountId,
}

/// The listings in the cart, in the order they were added. An empty cart is a cart too.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartState {
    pub items: Vec<CartItem>,
}

impl CartState {
    pub fn contains(&self, listing_id: ListingId) -> bool {
        self.items.iter().any(|item| item.listing_id == listing_id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CartCommand {
    /// Adds a listing, as it stands now (`listing_status`): only what is on sale goes in.
    Add {
        buyer_id: AccountId,
        listing_id: ListingId,
        seller_id: AccountId,
        listing_status: ListingStatus,
    },
    Remove {
        listing_id: ListingId,
    },
    /// The listings of a checkout that placed its orders leave the cart.
    CheckOut {
        checkout_id: CheckoutId,
        listing_ids: Vec<ListingId>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum CartEvent {
    CartItemAdded { buyer_id: AccountId, listing_id: ListingId, seller_id: AccountId },
    CartItemRemoved { listing_id: ListingId },
    CartCheckedOut { checkout_id: CheckoutId, listing_ids: Vec<ListingId> },
}

impl DomainEvent for CartEvent {
    fn event_type(&self) -> &'static str {
        match self {
            CartEvent::CartItemAdded { .. } => "CartItemAdded",
            CartEvent::CartItemRemoved { .. } => "CartItemRemoved",
            CartEvent::CartCheckedOut { .. } => "CartCheckedOut",
        }
    }
}

impl Aggregate for CartState {
    type Command = CartCommand;
    type Event = CartEvent;

    const STREAM_TYPE: &'static str = "cart";

    fn decide(&self, command: CartCommand) -> Result<Vec<CartEvent>, DomainError> {
        match command {
            CartCommand::Add { buyer_id, listing_id, seller_id, listing_status } => {
                // A seller's own listing is refused whatever its status.
                if buyer_id == seller_id {
                    return Err(DomainError::BuyerIsSeller);
                }
                if listing_status != ListingStatus::OnSale {
                    return Err(DomainError::ListingNotAvailable { status: listing_status.name() });
                }
                if self.contains(listing_id) {
                    return Ok(Vec::new());
                }
                if self.items.len() >= MAX_CART_ITEMS {
                    return Err(ValidationError::new("cart", "holds at most 30 listings").into());
                }
                Ok(vec![CartEvent::CartItemAdded { buyer_id, listing_id, seller_id }])
            }
            CartCommand::Remove { listing_id } => {
                if self.contains(listing_id) {
                    Ok(vec![CartEvent::CartItemRemoved { listing_id }])
                } else {
                    Ok(Vec::new())
                }
            }
            CartCommand::CheckOut { checkout_id, listing_ids } => {
                if listing_ids.is_empty() {
                    return Err(ValidationError::new("cart", "is empty").into());
                }
                if !listing_ids.iter().all(|listing_id| self.contains(*listing_id)) {
                    return Err(ValidationError::new("listing_ids", "must all be in the cart").into());
                }
                Ok(vec![CartEvent::CartCheckedOut { checkout_id, listing_ids }])
            }
        }
    }

    fn evolve(mut self, event: &CartEvent) -> Self {
        match event {
            CartEvent::CartItemAdded { listing_id, seller_id, .. } => {
                self.items.push(CartItem { listing_id: *listing_id, seller_id: *seller_id });
            }
            CartEvent::CartItemRemoved { listing_id } => {
                self.items.retain(|item| item.listing_id != *listing_id);
            }
            CartEvent::CartCheckedOut { listing_ids, .. } => {
                self.items.retain(|item| !listing_ids.contains(&item.listing_id));
            }
        }
        self
    }
}
