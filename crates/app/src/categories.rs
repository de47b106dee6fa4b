//! The category tree: planted once with the default tree, changed by admins, read by everyone.
//!
//! The tree is read straight from its one stream (through the aggregate cache, topped up with the
//! stream's newest events), not from a read model: it is a few hundred small entries that change
//! a few times a year, so its stream is its own read model, and every API instance sees an
//! admin's change at its next read.

use jangteo_domain::{
    AccountId, CategoryId, DomainError, Forbidden,
    account::AccountRole,
    category::{CategoryCommand, CategoryNames, CategoryTreeState, NewCategory, TREE_STREAM_ID},
};
use uuid::Uuid;

use crate::{Actor, AppError, CommandContext, CommandReceipt, Roles, UnitOfWork, category_seed};

/// The command id of planting the default tree: fixed, so that processes starting together
/// plant it once.
const SEED_COMMAND_ID: Uuid = Uuid::from_u128(0x5eed_ca7e_9091_4c2d_9e1f_0a1b_2c3d_4e5f);

#[derive(Clone)]
pub struct Categories {
    uow: UnitOfWork,
    roles: Roles,
}

impl Categories {
    pub fn new(uow: &UnitOfWork) -> Self {
        Self { uow: uow.clone(), roles: Roles::new(uow) }
    }

    /// The tree as the log holds it now.
    pub async fn tree(&self) -> Result<CategoryTreeState, AppError> {
        self.uow.current::<CategoryTreeState>(TREE_STREAM_ID).await
    }

    /// Plants the default tree if the tree has never had a category. Returns whether this call
    /// planted it.
    pub async fn plant_default_tree(&self) -> Result<bool, AppError> {
        if !self.tree().await?.is_empty() {
            return Ok(false);
        }
        let categories = category_seed::default_tree().map_err(DomainError::from)?;
        let context = CommandContext {
            actor: Actor::System,
            command_id: SEED_COMMAND_ID,
            correlation_id: SEED_COMMAND_ID,
            causation_id: None,
        };
        let command = CategoryCommand::Seed { categories };
        let decided = self.uow.execute::<CategoryTreeState>(TREE_STREAM_ID, &context, &command).await?;
        Ok(!decided.receipt.duplicate)
    }

    /// `category_id` and every category under it, for a search by category. Empty if there is
    /// no such category.
    pub async fn with_descendants(&self, category_id: &CategoryId) -> Result<Vec<CategoryId>, AppError> {
        Ok(self.tree().await?.with_descendants(category_id))
    }

    /// Whether a listing may go in `category_id` (a live leaf). A cached tree that says yes is
    /// believed; one that says no is checked against the log first.
    pub async fn check_listing_category(&self, category_id: &CategoryId) -> Result<(), AppError> {
        self.uow
            .check::<CategoryTreeState, ()>(TREE_STREAM_ID, |tree| {
                tree.check_listing_category(category_id).map_err(AppError::from)
            })
            .await
    }

    pub async fn create(&self, admin: AccountId, category: NewCategory) -> Result<CommandReceipt, AppError> {
        self.run(admin, CategoryCommand::Create(category)).await
    }

    pub async fn rename(
        &self,
        admin: AccountId,
        category_id: CategoryId,
        names: CategoryNames,
    ) -> Result<CommandReceipt, AppError> {
        self.run(admin, CategoryCommand::Rename { category_id, names }).await
    }

    pub async fn move_under(
        &self,
        admin: AccountId,
        category_id: CategoryId,
        parent_id: Option<CategoryId>,
    ) -> Result<CommandReceipt, AppError> {
        self.run(admin, CategoryCommand::Move { category_id, parent_id }).await
    }

    pub async fn retire(
        &self,
        admin: AccountId,
        category_id: CategoryId,
    ) -> Result<CommandReceipt, AppError> {
        self.run(admin, CategoryCommand::Retire { category_id }).await
    }

    async fn run(&self, admin: AccountId, command: CategoryCommand) -> Result<CommandReceipt, AppError> {
        if self.roles.role_of(admin).await? != AccountRole::Admin {
            return Err(DomainError::Forbidden(Forbidden::NotAdmin).into());
        }
        let context = CommandContext::new(Actor::Admin(admin));
        let decided = self.uow.execute::<CategoryTreeState>(TREE_STREAM_ID, &context, &command).await?;
        Ok(decided.receipt)
    }
}
