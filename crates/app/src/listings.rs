//! Commands on listings, issued by their sellers.

use jangteo_domain::{
    AccountId, CategoryId, Description, ListingId, Money, Title,
    listing::{ListingCommand, ListingState},
};
use uuid::Uuid;

use crate::{Actor, AppError, CommandContext, CommandReceipt, UnitOfWork};

/// A listing to create, validated.
#[derive(Debug, Clone)]
pub struct NewListing {
    pub title: Title,
    pub description: Description,
    pub price: Money,
    pub category_id: Option<CategoryId>,
}

/// A partial edit; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ListingChanges {
    pub title: Option<Title>,
    pub description: Option<Description>,
    pub price: Option<Money>,
}

#[derive(Clone)]
pub struct Listings {
    uow: UnitOfWork,
}

impl Listings {
    pub fn new(uow: &UnitOfWork) -> Self {
        Self { uow: uow.clone() }
    }

    pub async fn create(
        &self,
        seller: AccountId,
        listing: NewListing,
    ) -> Result<(ListingId, CommandReceipt), AppError> {
        let listing_id = ListingId::from_uuid(Uuid::now_v7());
        let command = ListingCommand::Create {
            listing_id,
            seller_id: seller,
            title: listing.title,
            description: listing.description,
            price: listing.price,
            category_id: listing.category_id,
        };
        let receipt = self.run(seller, listing_id, &command).await?;
        Ok((listing_id, receipt))
    }

    pub async fn publish(&self, actor: AccountId, listing_id: ListingId) -> Result<CommandReceipt, AppError> {
        self.run(actor, listing_id, &ListingCommand::Publish { actor }).await
    }

    pub async fn edit(
        &self,
        actor: AccountId,
        listing_id: ListingId,
        changes: ListingChanges,
    ) -> Result<CommandReceipt, AppError> {
        let command = ListingCommand::Edit {
            actor,
            title: changes.title,
            description: changes.description,
            price: changes.price,
        };
        self.run(actor, listing_id, &command).await
    }

    pub async fn withdraw(
        &self,
        actor: AccountId,
        listing_id: ListingId,
    ) -> Result<CommandReceipt, AppError> {
        self.run(actor, listing_id, &ListingCommand::Withdraw { actor }).await
    }

    async fn run(
        &self,
        actor: AccountId,
        listing_id: ListingId,
        command: &ListingCommand,
    ) -> Result<CommandReceipt, AppError> {
        let context = CommandContext::new(Actor::Member(actor));
        let decided = self.uow.execute::<ListingState>(listing_id.as_uuid(), &context, command).await?;
        Ok(decided.receipt)
    }
}
