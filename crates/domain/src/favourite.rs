//! The Favourite aggregate (찜): one member's interest in one listing.
//!
//! One stream per (member, listing) pair ([`FavouriteId::of`]), so taps from two devices are
//! ordered by that stream's version, and adding twice or removing what is not there appends
//! nothing: the listing's favourite count is the number of pairs that are on, never more.

use serde::{Deserialize, Serialize};

use crate::{AccountId, Aggregate, DomainError, DomainEvent, Forbidden, ListingId, listing::ListingStatus};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum FavouriteState {
    /// Never favourited, or favourited and removed again.
    #[default]
    Off,
    On {
        account_id: AccountId,
        listing_id: ListingId,
    },
}

/// What the listing looks like when a member favourites it; the application reads it from the
/// listing's stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FavouritedListing {
    pub listing_id: ListingId,
    pub seller_id: AccountId,
    pub status: ListingStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FavouriteCommand {
    Add { account_id: AccountId, listing: FavouritedListing },
    Remove { account_id: AccountId, listing_id: ListingId },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum FavouriteEvent {
    ListingFavourited { account_id: AccountId, listing_id: ListingId },
    ListingUnfavourited { account_id: AccountId, listing_id: ListingId },
}

impl DomainEvent for FavouriteEvent {
    fn event_type(&self) -> &'static str {
        match self {
            FavouriteEvent::ListingFavourited { .. } => "ListingFavourited",
            FavouriteEvent::ListingUnfavourited { .. } => "ListingUnfavourited",
        }
    }
}

impl Aggregate for FavouriteState {
    type Command = FavouriteCommand;
    type Event = FavouriteEvent;

    const STREAM_TYPE: &'static str = "favourite";

    fn decide(&self, command: FavouriteCommand) -> Result<Vec<FavouriteEvent>, DomainError> {
        match (self, command) {
            (FavouriteState::On { .. }, FavouriteCommand::Add { .. })
            | (FavouriteState::Off, FavouriteCommand::Remove { .. }) => Ok(Vec::new()),
            (FavouriteState::Off, FavouriteCommand::Add { account_id, listing }) => {
                if listing.seller_id == account_id {
                    return Err(DomainError::Forbidden(Forbidden::OwnListing));
                }
                match listing.status {
                    ListingStatus::Draft
                    | ListingStatus::PendingReview
                    | ListingStatus::Rejected
                    | ListingStatus::Withdrawn => {
                        Err(DomainError::ListingNotAvailable { status: listing.status.name() })
                    }
                    ListingStatus::OnSale | ListingStatus::Reserved | ListingStatus::Sold => {
                        Ok(vec![FavouriteEvent::ListingFavourited {
                            account_id,
                            listing_id: listing.listing_id,
                        }])
                    }
                }
            }
            (FavouriteState::On { .. }, FavouriteCommand::Remove { account_id, listing_id }) => {
                Ok(vec![FavouriteEvent::ListingUnfavourited { account_id, listing_id }])
            }
        }
    }

    fn evolve(self, event: &FavouriteEvent) -> Self {
        match event {
            FavouriteEvent::ListingFavourited { account_id, listing_id } => {
                FavouriteState::On { account_id: *account_id, listing_id: *listing_id }
            }
            FavouriteEvent::ListingUnfavourited { .. } => FavouriteState::Off,
        }
    }
}
