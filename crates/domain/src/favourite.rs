//! The Favourite aggregate (찜): one member's interest in one listing.
//!
//! One stream per (member, listing) pair ([`FavouriteId::of`]), so taps from two devices are
//! ordered by that stream's version, and adding twice or removing what is not there appends
//! nothing: the listing's favourite count is the number of pairs that are on, never more.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{
    AccountId, Aggregate, DomainError, DomainEvent, EventCodecError, Forbidden, ListingId, Money,
    listing::ListingStatus,
};

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
    /// Its price (of one unit) now: what a later price drop is measured against.
    pub price: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FavouriteCommand {
    Add { account_id: AccountId, listing: FavouritedListing },
    Remove { account_id: AccountId, listing_id: ListingId },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum FavouriteEvent {
    /// v2 added `price`, the listing's price when it was favourited (`null` in v1 events).
    ListingFavourited {
        account_id: AccountId,
        listing_id: ListingId,
        price: Option<Money>,
    },
    ListingUnfavourited {
        account_id: AccountId,
        listing_id: ListingId,
    },
}

impl DomainEvent for FavouriteEvent {
    fn event_type(&self) -> &'static str {
        match self {
            FavouriteEvent::ListingFavourited { .. } => "ListingFavourited",
            FavouriteEvent::ListingUnfavourited { .. } => "ListingUnfavourited",
        }
    }

    fn schema_version(&self) -> u32 {
        match self {
            FavouriteEvent::ListingFavourited { .. } => 2,
            FavouriteEvent::ListingUnfavourited { .. } => 1,
        }
    }

    /// `ListingFavourited` v1 did not record the price: it reads as `null`, and such a
    /// favourite shows no price drop.
    fn upcast(event_type: &str, schema_version: u32, payload: Value) -> Result<Value, EventCodecError> {
        match (event_type, schema_version) {
            ("ListingFavourited", 1) => match payload {
                Value::Object(mut object) => {
                    object.insert("price".to_owned(), Value::Null);
                    Ok(Value::Object(object))
                }
                _ => Err(EventCodecError::NotAnObject),
            },
            ("ListingFavourited", 2) | ("ListingUnfavourited", 1) => Ok(payload),
            _ => Err(EventCodecError::UnknownSchemaVersion {
                event_type: event_type.to_owned(),
                schema_version,
            }),
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
                            price: Some(listing.price),
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
            FavouriteEvent::ListingFavourited { account_id, listing_id, .. } => {
                FavouriteState::On { account_id: *account_id, listing_id: *listing_id }
            }
            FavouriteEvent::ListingUnfavourited { .. } => FavouriteState::Off,
        }
    }
}
