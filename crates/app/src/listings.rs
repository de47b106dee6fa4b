//! Commands on listings: their sellers create, edit, publish, bump and illustrate them; admins
//! approve or reject what the automatic moderation rules sent to review.

use std::sync::Arc;

use async_trait::async_trait;
use jangteo_domain::{
    AccountId, AreaName, CategoryId, Description, DomainError, Forbidden, ImageId, ListingId, Money,
    RejectionReason, Title,
    account::{AccountRole, AccountState},
    listing::{GeoPoint, ImageDigest, ListingCommand, ListingDraft, ListingImage, ListingState, Quantity},
    moderation::{ModerationPolicy, Submission},
};
use jangteo_event_store::AppendOutcome;
use uuid::Uuid;

use crate::{
    Actor, AppError, Categories, Clock, CommandContext, CommandReceipt, Roles, SystemClock, UnitOfWork,
    unit_of_work::{Decision, Work},
};

/// A listing to create, validated.
#[derive(Debug, Clone)]
pub struct NewListing {
    pub title: Title,
    pub description: Description,
    /// Of one unit.
    pub price: Money,
    pub category_id: Option<CategoryId>,
    pub quantity: Quantity,
    pub location: Option<GeoPoint>,
}

/// A partial edit; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ListingChanges {
    pub title: Option<Title>,
    pub description: Option<Description>,
    pub price: Option<Money>,
    pub category_id: Option<CategoryId>,
    pub quantity: Option<Quantity>,
    pub location: Option<GeoPoint>,
}

/// Finds the neighbourhood (동네) a point lies in, for a listing's location. The geocoder port's
/// adapters live with the wiring; without one a listing has a point and no neighbourhood name.
#[async_trait]
pub trait NeighbourhoodNamer: Send + Sync + 'static {
    async fn neighbourhood_of(&self, point: GeoPoint) -> Result<Option<AreaName>, AppError>;
}

/// Which listings carry a photo, by its SHA-256 (a read model): a photo already on another
/// seller's listing sends a listing to review. Read at publish, so a copy published in the same
/// instant as its original may slip through; moderation also sees it later in the admin query.
#[async_trait]
pub trait PhotoFingerprints: Send + Sync + 'static {
    /// Whether any of `digests` is on a listing of a seller other than `seller`.
    async fn used_by_others(&self, seller: AccountId, digests: &[ImageDigest]) -> Result<bool, AppError>;
}

#[derive(Clone)]
pub struct Listings {
    uow: UnitOfWork,
    categories: Categories,
    roles: Roles,
    policy: Arc<ModerationPolicy>,
    clock: Arc<dyn Clock>,
    namer: Option<Arc<dyn NeighbourhoodNamer>>,
    fingerprints: Option<Arc<dyn PhotoFingerprints>>,
}

impl Listings {
    /// Listings approved automatically unless configured otherwise ([`Listings::with_moderation`]),
    /// on the system clock.
    pub fn new(uow: &UnitOfWork) -> Self {
        Self {
            uow: uow.clone(),
            categories: Categories::new(uow),
            roles: Roles::new(uow),
            policy: Arc::new(ModerationPolicy::default()),
            clock: Arc::new(SystemClock),
            namer: None,
            fingerprints: None,
        }
    }

    /// The automatic-approval rules a publish is screened by.
    #[must_use]
    pub fn with_moderation(mut self, policy: ModerationPolicy) -> Self {
        self.policy = Arc::new(policy);
        self
    }

    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    #[must_use]
    pub fn with_neighbourhoods(mut self, namer: Arc<dyn NeighbourhoodNamer>) -> Self {
        self.namer = Some(namer);
        self
    }

    /// Publishes screen photos against other sellers' listings.
    #[must_use]
    pub fn with_photo_fingerprints(mut self, fingerprints: Arc<dyn PhotoFingerprints>) -> Self {
        self.fingerprints = Some(fingerprints);
        self
    }

    /// Creates a draft. Its category, if it has one, must be a live leaf of the tree (a retire
    /// racing the creation may leave it in a category retired a moment before: such a listing
    /// is still found by the category's ancestors).
    pub async fn create(
        &self,
        seller: AccountId,
        listing: NewListing,
    ) -> Result<(ListingId, CommandReceipt), AppError> {
        if let Some(category_id) = &listing.category_id {
            self.categories.check_listing_category(category_id).await?;
        }
        let neighbourhood = match listing.location {
            Some(point) => self.neighbourhood_of(point).await?,
            None => None,
        };
        let listing_id = ListingId::from_uuid(Uuid::now_v7());
        let command = ListingCommand::Create(Box::new(ListingDraft {
            listing_id,
            seller_id: seller,
            title: listing.title,
            description: listing.description,
            price: listing.price,
            category_id: listing.category_id,
            quantity: listing.quantity,
            location: listing.location,
            neighbourhood,
        }));
        let receipt = self.run(Actor::Member(seller), listing_id, &command).await?;
        Ok((listing_id, receipt))
    }

    /// Publishes a draft (or a rejected listing, edited): on sale at once if the moderation
    /// rules pass, otherwise into the review queue.
    pub async fn publish(&self, actor: AccountId, listing_id: ListingId) -> Result<CommandReceipt, AppError> {
        let context = CommandContext::new(Actor::Member(actor));
        let publish = PublishListing {
            actor,
            listing_id,
            policy: &self.policy,
            fingerprints: self.fingerprints.as_deref(),
        };
        Ok(self.uow.run(&context, &publish).await?.receipt)
    }

    pub async fn edit(
        &self,
        actor: AccountId,
        listing_id: ListingId,
        changes: ListingChanges,
    ) -> Result<CommandReceipt, AppError> {
        if let Some(category_id) = &changes.category_id {
            self.categories.check_listing_category(category_id).await?;
        }
        let location = match changes.location {
            Some(point) => Some((point, self.neighbourhood_of(point).await?)),
            None => None,
        };
        let command = ListingCommand::Edit {
            actor,
            title: changes.title,
            description: changes.description,
            price: changes.price,
            category_id: changes.category_id,
            quantity: changes.quantity,
            location,
        };
        self.run(Actor::Member(actor), listing_id, &command).await
    }

    pub async fn withdraw(
        &self,
        actor: AccountId,
        listing_id: ListingId,
    ) -> Result<CommandReceipt, AppError> {
        self.run(Actor::Member(actor), listing_id, &ListingCommand::Withdraw { actor }).await
    }

    /// 끌올: at most once a day, the listing sorts as new again.
    pub async fn bump(&self, actor: AccountId, listing_id: ListingId) -> Result<CommandReceipt, AppError> {
        let command = ListingCommand::Bump { actor, at: self.clock.now() };
        self.run(Actor::Member(actor), listing_id, &command).await
    }

    /// Adds a stored photo (see the media store) to the listing, last.
    pub async fn add_image(
        &self,
        actor: AccountId,
        listing_id: ListingId,
        image: ListingImage,
    ) -> Result<CommandReceipt, AppError> {
        self.run(Actor::Member(actor), listing_id, &ListingCommand::AddImage { actor, image }).await
    }

    pub async fn remove_image(
        &self,
        actor: AccountId,
        listing_id: ListingId,
        image_id: ImageId,
    ) -> Result<CommandReceipt, AppError> {
        self.run(Actor::Member(actor), listing_id, &ListingCommand::RemoveImage { actor, image_id }).await
    }

    pub async fn reorder_images(
        &self,
        actor: AccountId,
        listing_id: ListingId,
        image_ids: Vec<ImageId>,
    ) -> Result<CommandReceipt, AppError> {
        self.run(Actor::Member(actor), listing_id, &ListingCommand::ReorderImages { actor, image_ids }).await
    }

    /// An admin puts a listing waiting for review on sale.
    pub async fn approve(&self, admin: AccountId, listing_id: ListingId) -> Result<CommandReceipt, AppError> {
        self.ensure_admin(admin).await?;
        self.run(Actor::Admin(admin), listing_id, &ListingCommand::Approve { admin }).await
    }

    /// An admin turns a listing waiting for review down; its seller may edit and publish again.
    pub async fn reject(
        &self,
        admin: AccountId,
        listing_id: ListingId,
        reason: RejectionReason,
    ) -> Result<CommandReceipt, AppError> {
        self.ensure_admin(admin).await?;
        self.run(Actor::Admin(admin), listing_id, &ListingCommand::Reject { admin, reason }).await
    }

    /// The listing as the log holds it now (for the photo routes, which need its images).
    pub async fn current(&self, listing_id: ListingId) -> Result<ListingState, AppError> {
        self.uow.current::<ListingState>(listing_id.as_uuid()).await
    }

    /// Refuses anyone but an admin (read from the account's stream, never from a token).
    pub async fn ensure_admin(&self, account: AccountId) -> Result<(), AppError> {
        if self.roles.role_of(account).await? != AccountRole::Admin {
            return Err(DomainError::Forbidden(Forbidden::NotAdmin).into());
        }
        Ok(())
    }

    async fn neighbourhood_of(&self, point: GeoPoint) -> Result<Option<AreaName>, AppError> {
        match &self.namer {
            Some(namer) => namer.neighbourhood_of(point).await,
            None => Ok(None),
        }
    }

    async fn run(
        &self,
        actor: Actor,
        listing_id: ListingId,
        command: &ListingCommand,
    ) -> Result<CommandReceipt, AppError> {
        let context = CommandContext::new(actor);
        let decided = self.uow.execute::<ListingState>(listing_id.as_uuid(), &context, command).await?;
        Ok(decided.receipt)
    }
}

/// Publishing screens the listing's text and its seller's phone verification with the
/// moderation rules, then hands the verdict to the listing's decider.
struct PublishListing<'a> {
    actor: AccountId,
    listing_id: ListingId,
    policy: &'a ModerationPolicy,
    fingerprints: Option<&'a dyn PhotoFingerprints>,
}

#[async_trait]
impl Decision for PublishListing<'_> {
    type Output = ();

    fn contended_stream(&self) -> Option<Uuid> {
        Some(self.listing_id.as_uuid())
    }

    async fn decide(&self, work: &mut Work<'_>) -> Result<(), AppError> {
        let ListingState::Present(listing) = work.load::<ListingState>(self.listing_id.as_uuid()).await?
        else {
            return Err(AppError::NotFound);
        };
        let phone_verified = match work.load::<AccountState>(listing.seller_id.as_uuid()).await? {
            AccountState::Present(seller) => seller.phone_verified,
            AccountState::Absent | AccountState::Erased { .. } => false,
        };
        let photo_reused = match self.fingerprints {
            Some(fingerprints) if !listing.images.is_empty() => {
                let digests: Vec<ImageDigest> =
                    listing.images.iter().map(|image| image.sha256.clone()).collect();
                fingerprints.used_by_others(listing.seller_id, &digests).await?
            }
            _ => false,
        };
        let screening = self.policy.screen(&Submission {
            title: listing.title.as_str(),
            description: listing.description.as_str(),
            phone_verified,
            photo_reused,
        });
        work.decide::<ListingState>(
            self.listing_id.as_uuid(),
            ListingCommand::Publish { actor: self.actor, screening },
        )
        .await?;
        Ok(())
    }

    async fn replayed(&self, _uow: &UnitOfWork, _outcome: &AppendOutcome) -> Result<(), AppError> {
        Ok(())
    }
}
