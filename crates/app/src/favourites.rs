//! Favourites (찜): a member marks a listing, or unmarks it.

use std::sync::Arc;

use jangteo_domain::{
    AccountId, FavouriteId, ListingId,
    favourite::{FavouriteCommand, FavouriteState, FavouritedListing},
    listing::ListingState,
};
use jangteo_event_store::EventStore;

use crate::{
    Actor, AppError, CommandContext, CommandReceipt,
    command::{Executed, execute, load},
};

#[derive(Clone)]
pub struct Favourites {
    store: Arc<dyn EventStore>,
}

impl Favourites {
    pub fn new(store: Arc<dyn EventStore>) -> Self {
        Self { store }
    }

    /// Marks `listing_id` as a favourite of `member`; marking it again changes nothing.
    pub async fn add(&self, member: AccountId, listing_id: ListingId) -> Result<CommandReceipt, AppError> {
        let listing = match load::<ListingState>(self.store.as_ref(), listing_id.as_uuid()).await?.state {
            ListingState::Present(listing) => listing,
            ListingState::Absent => return Err(AppError::NotFound),
        };
        let listing = FavouritedListing { listing_id, seller_id: listing.seller_id, status: listing.status };
        self.run(member, listing_id, &FavouriteCommand::Add { account_id: member, listing }).await
    }

    /// Unmarks it; unmarking what is not marked changes nothing.
    pub async fn remove(&self, member: AccountId, listing_id: ListingId) -> Result<CommandReceipt, AppError> {
        self.run(member, listing_id, &FavouriteCommand::Remove { account_id: member, listing_id }).await
    }

    async fn run(
        &self,
        member: AccountId,
        listing_id: ListingId,
        command: &FavouriteCommand,
    ) -> Result<CommandReceipt, AppError> {
        let context = CommandContext::new(Actor::Member(member));
        let stream = FavouriteId::of(member, listing_id).as_uuid();
        let Executed { receipt, .. } =
            execute::<FavouriteState>(self.store.as_ref(), stream, &context, command).await?;
        Ok(receipt)
    }
}
