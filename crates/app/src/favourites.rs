//! Favourites (찜): a member marks a listing, or unmarks it.

use async_trait::async_trait;
use jangteo_domain::{
    AccountId, FavouriteId, ListingId,
    favourite::{FavouriteCommand, FavouriteState, FavouritedListing},
    listing::ListingState,
};
use jangteo_event_store::AppendOutcome;
use uuid::Uuid;

use crate::{
    Actor, AppError, CommandContext, CommandReceipt, UnitOfWork,
    unit_of_work::{Decision, Work},
};

#[derive(Clone)]
pub struct Favourites {
    uow: UnitOfWork,
}

impl Favourites {
    pub fn new(uow: &UnitOfWork) -> Self {
        Self { uow: uow.clone() }
    }

    /// Marks `listing_id` as a favourite of `member`; marking it again changes nothing.
    pub async fn add(&self, member: AccountId, listing_id: ListingId) -> Result<CommandReceipt, AppError> {
        let context = CommandContext::new(Actor::Member(member));
        let add =
            AddFavourite { member, listing_id, stream_id: FavouriteId::of(member, listing_id).as_uuid() };
        Ok(self.uow.run(&context, &add).await?.receipt)
    }

    /// Unmarks it; unmarking what is not marked changes nothing.
    pub async fn remove(&self, member: AccountId, listing_id: ListingId) -> Result<CommandReceipt, AppError> {
        let context = CommandContext::new(Actor::Member(member));
        let stream = FavouriteId::of(member, listing_id).as_uuid();
        let command = FavouriteCommand::Remove { account_id: member, listing_id };
        Ok(self.uow.execute::<FavouriteState>(stream, &context, &command).await?.receipt)
    }
}

/// Marking a favourite reads the listing (who sells it, whether it can be marked) beside the
/// member's favourite stream.
struct AddFavourite {
    member: AccountId,
    listing_id: ListingId,
    stream_id: Uuid,
}

#[async_trait]
impl Decision for AddFavourite {
    type Output = ();

    fn contended_stream(&self) -> Option<Uuid> {
        Some(self.stream_id)
    }

    async fn decide(&self, work: &mut Work<'_>) -> Result<(), AppError> {
        let ListingState::Present(listing) = work.load::<ListingState>(self.listing_id.as_uuid()).await?
        else {
            return Err(AppError::NotFound);
        };
        let listing = FavouritedListing {
            listing_id: self.listing_id,
            seller_id: listing.seller_id,
            status: listing.status,
            price: listing.price,
        };
        work.decide::<FavouriteState>(
            self.stream_id,
            FavouriteCommand::Add { account_id: self.member, listing },
        )
        .await?;
        Ok(())
    }

    async fn replayed(&self, _uow: &UnitOfWork, _outcome: &AppendOutcome) -> Result<(), AppError> {
        Ok(())
    }
}
