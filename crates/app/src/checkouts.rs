//! Checkout: a cart becomes one order per seller, every listing reserved or none — a saga with
//! compensation, recorded in the log.
//!
//! 1. The plan is recorded (`CheckoutStarted`): the sellers' groups in seller order, each with the
//!    order id it will use. Ids are derived from the checkout, and the checkout's from the
//!    command, so a retried request follows the same plan with the same ids.
//! 2. Each group's order is placed: one append reserves all of that seller's listings.
//! 3. All placed: `CheckoutCompleted` and the cart loses the ordered listings, in one append.
//!    A listing taken by someone else: the orders already placed are cancelled (their listings
//!    go back on sale through the process manager) and `CheckoutFailed` names what was taken.
//!
//! Two checkouts racing for a listing cannot both succeed: its reservation is one optimistic
//! append, which one of them loses. Groups are placed in seller order in every checkout, so two
//! carts sharing listings meet at the same first contested seller. A process that dies mid-saga
//! leaves placed, unpaid orders: the retried request completes or compensates them, and without a
//! retry they expire with the payment window like any unpaid order.

use std::collections::BTreeMap;

use async_trait::async_trait;
use jangteo_domain::{
    AccountId, CancelReason, CartId, CheckoutId, DomainError, ListingId, OrderId,
    cart::{CartCommand, CartState},
    checkout::{CheckoutCommand, CheckoutGroup, CheckoutState, CheckoutStatus},
    listing::{GeoPoint, ListingState, ListingStatus},
};
use jangteo_event_store::AppendOutcome;
use uuid::Uuid;

use crate::{
    AppError, Carts, CommandContext, OrderReceipt, Orders, UnitOfWork,
    derived_ids::CheckoutStep,
    unit_of_work::{Decision, Work},
};

/// One order a checkout placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedOrder {
    pub seller_id: AccountId,
    pub listing_ids: Vec<ListingId>,
    pub receipt: OrderReceipt,
}

/// A completed checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutReceipt {
    pub checkout_id: CheckoutId,
    pub orders: Vec<PlacedOrder>,
    /// The log position of the checkout's last event.
    pub position: u64,
}

#[derive(Clone)]
pub struct Checkouts {
    uow: UnitOfWork,
    orders: Orders,
    carts: Carts,
}

impl Checkouts {
    pub fn new(uow: &UnitOfWork, orders: Orders, carts: Carts) -> Self {
        Self { uow: uow.clone(), orders, carts }
    }

    /// Checks out `buyer`'s cart, each parcel's shipping fee to `deliver_to` (the seller's
    /// region's fee where it is not given). Refused with [`AppError::ListingsTaken`] (after
    /// compensating) when any listing is no longer on sale.
    pub async fn checkout(
        &self,
        buyer: AccountId,
        deliver_to: Option<GeoPoint>,
        context: &CommandContext,
    ) -> Result<CheckoutReceipt, AppError> {
        let checkout_id = CheckoutId::from_uuid(CheckoutStep::Checkout.id(context.command_id));
        let context = CommandContext { correlation_id: checkout_id.as_uuid(), ..*context };
        let groups = match self.uow.current::<CheckoutState>(checkout_id.as_uuid()).await? {
            CheckoutState::Present(checkout) => match checkout.status {
                // Failed before: finish the compensation (a crash may have cut it short).
                CheckoutStatus::Failed => {
                    self.cancel_all(buyer, checkout_id, &checkout.groups, &context).await?;
                    return Err(AppError::ListingsTaken(checkout.unavailable));
                }
                CheckoutStatus::Started | CheckoutStatus::Completed => checkout.groups,
            },
            CheckoutState::Absent => self.plan(buyer, checkout_id, &context).await?,
        };

        let mut placed = Vec::with_capacity(groups.len());
        for group in &groups {
            let fee = self.carts.parcel_fee(&group.listing_ids, deliver_to).await?;
            let step = CommandContext {
                command_id: CheckoutStep::Place { order: group.order_id.as_uuid() }.id(checkout_id.as_uuid()),
                causation_id: Some(checkout_id.as_uuid()),
                ..context
            };
            match self.orders.place_bundle(buyer, group.order_id, &group.listing_ids, fee, &step).await {
                Ok(receipt) => placed.push(PlacedOrder {
                    seller_id: group.seller_id,
                    listing_ids: group.listing_ids.clone(),
                    receipt,
                }),
                // Refused (a listing taken, withdrawn or repriced past the limit): undo.
                Err(refusal @ (AppError::Domain(_) | AppError::NotFound)) => {
                    let unavailable = self.unavailable(&group.listing_ids, group.order_id).await?;
                    let cancelled: Vec<OrderId> = placed.iter().map(|order| order.receipt.order_id).collect();
                    self.fail(buyer, checkout_id, &groups, cancelled, unavailable.clone(), &context).await?;
                    return Err(if unavailable.is_empty() {
                        refusal
                    } else {
                        AppError::ListingsTaken(unavailable)
                    });
                }
                // Transient: the retried request goes on from here.
                Err(error) => return Err(error),
            }
        }
        match self.complete(buyer, checkout_id, &groups, &context).await {
            Ok(position) => Ok(CheckoutReceipt { checkout_id, orders: placed, position }),
            // A concurrent attempt of the same request failed it meanwhile: undo what this one placed.
            Err(AppError::Domain(DomainError::InvalidTransition { .. })) => {
                let failed = match self.uow.current::<CheckoutState>(checkout_id.as_uuid()).await? {
                    CheckoutState::Present(checkout) if checkout.status == CheckoutStatus::Failed => checkout,
                    _ => return Err(AppError::Contention),
                };
                self.cancel_all(buyer, checkout_id, &groups, &context).await?;
                Err(AppError::ListingsTaken(failed.unavailable))
            }
            Err(error) => Err(error),
        }
    }

    /// Records the plan: the cart's listings grouped by seller, in seller order.
    async fn plan(
        &self,
        buyer: AccountId,
        checkout_id: CheckoutId,
        context: &CommandContext,
    ) -> Result<Vec<CheckoutGroup>, AppError> {
        let cart = self.uow.current::<CartState>(CartId::of(buyer).as_uuid()).await?;
        let mut by_seller: BTreeMap<AccountId, Vec<ListingId>> = BTreeMap::new();
        for item in &cart.items {
            by_seller.entry(item.seller_id).or_default().push(item.listing_id);
        }
        let groups: Vec<CheckoutGroup> = by_seller
            .into_iter()
            .map(|(seller_id, listing_ids)| CheckoutGroup {
                order_id: OrderId::from_uuid(
                    CheckoutStep::Order { seller: seller_id.as_uuid() }.id(checkout_id.as_uuid()),
                ),
                seller_id,
                listing_ids,
            })
            .collect();
        let start = CheckoutCommand::Start { checkout_id, buyer_id: buyer, groups };
        // The plan as recorded: a concurrent copy of this request may have recorded its own
        // first (from the cart as it was then), and this one's answer must be that plan.
        let decided = self.uow.execute::<CheckoutState>(checkout_id.as_uuid(), context, &start).await?;
        match decided.output {
            CheckoutState::Present(checkout) => Ok(checkout.groups),
            CheckoutState::Absent => Err(AppError::NotFound),
        }
    }

    /// The listings of a group that are not on sale for this checkout's order.
    async fn unavailable(
        &self,
        listing_ids: &[ListingId],
        order_id: OrderId,
    ) -> Result<Vec<ListingId>, AppError> {
        let mut taken = Vec::new();
        for listing_id in listing_ids {
            let available = match self.uow.current::<ListingState>(listing_id.as_uuid()).await? {
                ListingState::Present(listing) => {
                    listing.hold_of(order_id).is_some() || listing.status == ListingStatus::OnSale
                }
                ListingState::Absent => false,
            };
            if !available {
                taken.push(*listing_id);
            }
        }
        Ok(taken)
    }

    /// Records the failure first, then cancels every order of the plan that was placed (their
    /// listings go back on sale): a retry of a failed checkout finishes the cancellations, and
    /// no attempt can complete a checkout once it has failed.
    async fn fail(
        &self,
        buyer: AccountId,
        checkout_id: CheckoutId,
        groups: &[CheckoutGroup],
        cancelled_orders: Vec<OrderId>,
        unavailable: Vec<ListingId>,
        context: &CommandContext,
    ) -> Result<(), AppError> {
        let fail = CheckoutCommand::Fail { unavailable, cancelled_orders };
        let step = CommandContext { command_id: CheckoutStep::Fail.id(checkout_id.as_uuid()), ..*context };
        match self.uow.execute::<CheckoutState>(checkout_id.as_uuid(), &step, &fail).await {
            // Failed by a concurrent attempt already: the cancellations below are the same.
            Ok(_) | Err(AppError::Domain(DomainError::InvalidTransition { .. })) => {}
            Err(error) => return Err(error),
        }
        self.cancel_all(buyer, checkout_id, groups, context).await
    }

    /// Cancels the order of every group, with ids derived from the checkout, so that repeating
    /// it changes nothing. An order that was never placed, or has moved on, is left alone.
    async fn cancel_all(
        &self,
        buyer: AccountId,
        checkout_id: CheckoutId,
        groups: &[CheckoutGroup],
        context: &CommandContext,
    ) -> Result<(), AppError> {
        let reason = CancelReason::parse("checkout failed: a listing in the cart was taken")
            .map_err(DomainError::from)?;
        for group in groups {
            let step = CommandContext {
                command_id: CheckoutStep::Cancel { order: group.order_id.as_uuid() }
                    .id(checkout_id.as_uuid()),
                causation_id: Some(checkout_id.as_uuid()),
                ..*context
            };
            match self.orders.cancel(buyer, group.order_id, reason.clone(), &step).await {
                Ok(_) | Err(AppError::NotFound) => {}
                Err(AppError::Domain(refusal)) => {
                    tracing::debug!(order_id = %group.order_id, %refusal, "checkout compensation: nothing to cancel");
                }
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    /// Records the completion and empties the cart of what was ordered, in one append.
    async fn complete(
        &self,
        buyer: AccountId,
        checkout_id: CheckoutId,
        groups: &[CheckoutGroup],
        context: &CommandContext,
    ) -> Result<u64, AppError> {
        let step =
            CommandContext { command_id: CheckoutStep::Complete.id(checkout_id.as_uuid()), ..*context };
        let listing_ids = groups.iter().flat_map(|group| group.listing_ids.iter().copied()).collect();
        let complete = CompleteCheckout { checkout_id, cart_id: CartId::of(buyer), listing_ids };
        Ok(self.uow.run(&step, &complete).await?.receipt.position)
    }
}

/// Completing a checkout: `CheckoutCompleted`, and the ordered listings out of the cart, in one
/// append. Listings the member took out of the cart meanwhile stay out.
struct CompleteCheckout {
    checkout_id: CheckoutId,
    cart_id: CartId,
    listing_ids: Vec<ListingId>,
}

#[async_trait]
impl Decision for CompleteCheckout {
    type Output = ();

    fn contended_stream(&self) -> Option<Uuid> {
        Some(self.cart_id.as_uuid())
    }

    async fn decide(&self, work: &mut Work<'_>) -> Result<(), AppError> {
        work.decide::<CheckoutState>(self.checkout_id.as_uuid(), CheckoutCommand::Complete).await?;
        let cart = work.load::<CartState>(self.cart_id.as_uuid()).await?;
        let still_in_cart: Vec<ListingId> =
            self.listing_ids.iter().copied().filter(|listing_id| cart.contains(*listing_id)).collect();
        if !still_in_cart.is_empty() {
            let check_out =
                CartCommand::CheckOut { checkout_id: self.checkout_id, listing_ids: still_in_cart };
            work.decide::<CartState>(self.cart_id.as_uuid(), check_out).await?;
        }
        Ok(())
    }

    async fn replayed(&self, _uow: &UnitOfWork, _outcome: &AppendOutcome) -> Result<(), AppError> {
        Ok(())
    }
}
