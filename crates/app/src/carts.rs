//! Members' carts: adding and removing listings, and the cart as shown, grouped by seller with
//! each seller's shipping fee (one parcel per seller).
//!
//! The cart is read from its stream and the listings from theirs: a cart is small, and a member
//! must see at once what they just added and what a listing costs now.

use std::{collections::BTreeMap, sync::Arc};

use async_trait::async_trait;
use jangteo_domain::{
    AccountId, Carrier, CartId, DomainError, ListingId, Money,
    cart::{CartCommand, CartState},
    listing::{GeoPoint, ListingState, ListingStatus},
};
use jangteo_event_store::AppendOutcome;
use jangteo_shipping::fees::{ParcelSize, Route, ShippingFees};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    Actor, AppError, CommandContext, CommandReceipt, UnitOfWork,
    unit_of_work::{Decision, Work},
};

/// The carrier whose fees carts quote, until buyers choose one at checkout.
pub const QUOTED_CARRIER: Carrier = Carrier::CjLogistics;

/// A listing in the cart as it is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CartLine {
    pub listing_id: ListingId,
    pub title: String,
    pub price: Money,
    /// `on_sale`, or why it cannot be bought now (`reserved`, `sold`, `withdrawn`, `draft`).
    pub status: &'static str,
}

/// One seller's listings in the cart: one order, one parcel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SellerGroup {
    pub seller_id: AccountId,
    pub lines: Vec<CartLine>,
    pub subtotal: Money,
    pub shipping_fee: Money,
    pub total: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CartView {
    pub groups: Vec<SellerGroup>,
    /// What checking out costs now: every group's total.
    pub total: Money,
}

#[derive(Clone)]
pub struct Carts {
    uow: UnitOfWork,
    fees: Arc<dyn ShippingFees>,
}

impl Carts {
    pub fn new(uow: &UnitOfWork, fees: Arc<dyn ShippingFees>) -> Self {
        Self { uow: uow.clone(), fees }
    }

    /// Adds an on-sale listing to `buyer`'s cart; adding it again changes nothing.
    pub async fn add(&self, buyer: AccountId, listing_id: ListingId) -> Result<CommandReceipt, AppError> {
        let context = CommandContext::new(Actor::Member(buyer));
        Ok(self.uow.run(&context, &AddToCart { buyer, listing_id }).await?.receipt)
    }

    /// Takes a listing out of `buyer`'s cart; taking it out again changes nothing.
    pub async fn remove(&self, buyer: AccountId, listing_id: ListingId) -> Result<CommandReceipt, AppError> {
        let context = CommandContext::new(Actor::Member(buyer));
        let command = CartCommand::Remove { listing_id };
        Ok(self.uow.execute::<CartState>(CartId::of(buyer).as_uuid(), &context, &command).await?.receipt)
    }

    /// `buyer`'s cart, grouped by seller, with current prices and shipping fees to `deliver_to`
    /// (the fees of the seller's region where it is not given).
    pub async fn view(&self, buyer: AccountId, deliver_to: Option<GeoPoint>) -> Result<CartView, AppError> {
        let cart = self.uow.current::<CartState>(CartId::of(buyer).as_uuid()).await?;
        let mut by_seller: BTreeMap<AccountId, Vec<CartLine>> = BTreeMap::new();
        let mut sent_from: BTreeMap<AccountId, GeoPoint> = BTreeMap::new();
        for item in &cart.items {
            let ListingState::Present(listing) =
                self.uow.current::<ListingState>(item.listing_id.as_uuid()).await?
            else {
                continue;
            };
            if let Some(point) = listing.location {
                sent_from.entry(item.seller_id).or_insert(point);
            }
            by_seller.entry(item.seller_id).or_default().push(CartLine {
                listing_id: item.listing_id,
                title: listing.title.as_str().to_owned(),
                price: listing.price,
                status: listing.status.name(),
            });
        }
        let mut groups = Vec::with_capacity(by_seller.len());
        let mut total = Money::ZERO;
        for (seller_id, lines) in by_seller {
            let on_sale = lines.iter().filter(|line| line.status == ListingStatus::OnSale.name());
            let subtotal = on_sale.clone().try_fold(Money::ZERO, |sum, line| sum.checked_add(line.price));
            let route = Route { from: sent_from.get(&seller_id).copied(), to: deliver_to };
            let shipping_fee = self.shipping_fee(on_sale.count(), &route);
            let group_total = subtotal.and_then(|subtotal| subtotal.checked_add(shipping_fee));
            let (Some(subtotal), Some(group_total)) = (subtotal, group_total) else {
                let too_much =
                    jangteo_domain::ValidationError::new("cart", "costs more than 1,000,000,000 won");
                return Err(DomainError::from(too_much).into());
            };
            total = total.checked_add(group_total).unwrap_or(total);
            groups.push(SellerGroup { seller_id, lines, subtotal, shipping_fee, total: group_total });
        }
        Ok(CartView { groups, total })
    }

    /// The fee for one seller's `listing_ids` in one parcel to `deliver_to`, from the first of
    /// them that has a place.
    pub(crate) async fn parcel_fee(
        &self,
        listing_ids: &[ListingId],
        deliver_to: Option<GeoPoint>,
    ) -> Result<Money, AppError> {
        let mut from = None;
        for listing_id in listing_ids {
            if let ListingState::Present(listing) =
                self.uow.current::<ListingState>(listing_id.as_uuid()).await?
            {
                from = listing.location;
                if from.is_some() {
                    break;
                }
            }
        }
        Ok(self.shipping_fee(listing_ids.len(), &Route { from, to: deliver_to }))
    }

    /// The fee for sending `items` listings in one parcel along `route` (nothing for no parcel).
    pub(crate) fn shipping_fee(&self, items: usize, route: &Route) -> Money {
        if items == 0 {
            return Money::ZERO;
        }
        self.fees.fee(QUOTED_CARRIER, ParcelSize::for_bundle(items), route).unwrap_or(Money::ZERO)
    }
}

/// Adding to a cart reads the listing (on sale? whose?) beside the member's cart stream.
struct AddToCart {
    buyer: AccountId,
    listing_id: ListingId,
}

#[async_trait]
impl Decision for AddToCart {
    type Output = ();

    fn contended_stream(&self) -> Option<Uuid> {
        Some(CartId::of(self.buyer).as_uuid())
    }

    async fn decide(&self, work: &mut Work<'_>) -> Result<(), AppError> {
        let ListingState::Present(listing) = work.load::<ListingState>(self.listing_id.as_uuid()).await?
        else {
            return Err(AppError::NotFound);
        };
        let add = CartCommand::Add {
            buyer_id: self.buyer,
            listing_id: self.listing_id,
            seller_id: listing.seller_id,
            listing_status: listing.status,
        };
        work.decide::<CartState>(CartId::of(self.buyer).as_uuid(), add).await?;
        Ok(())
    }

    async fn replayed(&self, _uow: &UnitOfWork, _outcome: &AppendOutcome) -> Result<(), AppError> {
        Ok(())
    }
}
