//! The Checkout aggregate: the saga that turns a cart into one order per seller, all or none.
//!
//! ```text
//! (absent) --start--> Started --complete--> Completed   (every seller's order placed)
//!                        +------fail------> Failed      (a listing was taken: the orders
//!                                                        already placed are cancelled)
//! ```
//! Each order reserves its seller's listings in one append, so a checkout holds every listing or
//! is compensated: the orders it placed before meeting a taken listing are cancelled, which puts
//! their listings back on sale. The saga's plan is recorded first, so a retried checkout (or an
//! operator after a crash) follows the same plan with the same order ids.

use serde::{Deserialize, Serialize};

use crate::{
    AccountId, Aggregate, CheckoutId, DomainError, DomainEvent, Kind, ListingId, OrderId, ValidationError,
    order::MAX_ORDER_ITEMS,
};

/// One seller's share of a checkout: the order that will hold their listings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutGroup {
    pub order_id: OrderId,
    pub seller_id: AccountId,
    pub listing_ids: Vec<ListingId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckoutStatus {
    Started,
    Completed,
    Failed,
}

impl CheckoutStatus {
    pub fn name(self) -> &'static str {
        match self {
            CheckoutStatus::Started => "started",
            CheckoutStatus::Completed => "completed",
            CheckoutStatus::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkout {
    pub checkout_id: CheckoutId,
    pub buyer_id: AccountId,
    pub groups: Vec<CheckoutGroup>,
    pub status: CheckoutStatus,
    /// Set when it failed: the listings that were no longer available.
    pub unavailable: Vec<ListingId>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "checkout", rename_all = "snake_case")]
pub enum CheckoutState {
    #[default]
    Absent,
    Present(Checkout),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckoutCommand {
    Start {
        checkout_id: CheckoutId,
        buyer_id: AccountId,
        groups: Vec<CheckoutGroup>,
    },
    /// Every group's order was placed.
    Complete,
    /// `unavailable` listings could not be reserved; `cancelled_orders` were placed before and
    /// are cancelled in compensation.
    Fail {
        unavailable: Vec<ListingId>,
        cancelled_orders: Vec<OrderId>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum CheckoutEvent {
    CheckoutStarted { checkout_id: CheckoutId, buyer_id: AccountId, groups: Vec<CheckoutGroup> },
    CheckoutCompleted { order_ids: Vec<OrderId> },
    CheckoutFailed { unavailable: Vec<ListingId>, cancelled_orders: Vec<OrderId> },
}

impl DomainEvent for CheckoutEvent {
    fn event_type(&self) -> &'static str {
        match self {
            CheckoutEvent::CheckoutStarted { .. } => "CheckoutStarted",
            CheckoutEvent::CheckoutCompleted { .. } => "CheckoutCompleted",
            CheckoutEvent::CheckoutFailed { .. } => "CheckoutFailed",
        }
    }
}

impl Aggregate for CheckoutState {
    type Command = CheckoutCommand;
    type Event = CheckoutEvent;

    const STREAM_TYPE: &'static str = "checkout";

    fn decide(&self, command: CheckoutCommand) -> Result<Vec<CheckoutEvent>, DomainError> {
        let (checkout, command) = match (self, command) {
            (CheckoutState::Absent, CheckoutCommand::Start { checkout_id, buyer_id, groups }) => {
                let listings: usize = groups.iter().map(|group| group.listing_ids.len()).sum();
                if groups.is_empty() || groups.iter().any(|group| group.listing_ids.is_empty()) {
                    return Err(ValidationError::new("cart", "is empty").into());
                }
                let mut seen = std::collections::BTreeSet::new();
                let distinct = groups.iter().flat_map(|group| &group.listing_ids).all(|id| seen.insert(*id));
                if !distinct || listings != seen.len() {
                    return Err(ValidationError::new("listing_ids", "must not repeat a listing").into());
                }
                if groups.iter().any(|group| group.listing_ids.len() > MAX_ORDER_ITEMS) {
                    return Err(
                        ValidationError::new("cart", "holds more than 20 listings of one seller").into()
                    );
                }
                if groups.iter().any(|group| group.seller_id == buyer_id) {
                    return Err(DomainError::BuyerIsSeller);
                }
                return Ok(vec![CheckoutEvent::CheckoutStarted { checkout_id, buyer_id, groups }]);
            }
            (CheckoutState::Present(_), CheckoutCommand::Start { .. }) => {
                return Err(DomainError::AlreadyExists(Kind::Checkout));
            }
            (CheckoutState::Absent, _) => return Err(DomainError::NotFound(Kind::Checkout)),
            (CheckoutState::Present(checkout), command) => (checkout, command),
        };
        let refused = |action| DomainError::InvalidTransition {
            kind: Kind::Checkout,
            action,
            status: checkout.status.name(),
        };
        match command {
            CheckoutCommand::Complete => match checkout.status {
                CheckoutStatus::Started => Ok(vec![CheckoutEvent::CheckoutCompleted {
                    order_ids: checkout.groups.iter().map(|group| group.order_id).collect(),
                }]),
                _ => Err(refused("complete")),
            },
            CheckoutCommand::Fail { unavailable, cancelled_orders } => match checkout.status {
                CheckoutStatus::Started => {
                    Ok(vec![CheckoutEvent::CheckoutFailed { unavailable, cancelled_orders }])
                }
                _ => Err(refused("fail")),
            },
            CheckoutCommand::Start { .. } => Err(DomainError::AlreadyExists(Kind::Checkout)),
        }
    }

    fn evolve(self, event: &CheckoutEvent) -> Self {
        match (self, event) {
            (_, CheckoutEvent::CheckoutStarted { checkout_id, buyer_id, groups }) => {
                CheckoutState::Present(Checkout {
                    checkout_id: *checkout_id,
                    buyer_id: *buyer_id,
                    groups: groups.clone(),
                    status: CheckoutStatus::Started,
                    unavailable: Vec::new(),
                })
            }
            (CheckoutState::Absent, _) => CheckoutState::Absent,
            (CheckoutState::Present(mut checkout), CheckoutEvent::CheckoutCompleted { .. }) => {
                checkout.status = CheckoutStatus::Completed;
                CheckoutState::Present(checkout)
            }
            (CheckoutState::Present(mut checkout), CheckoutEvent::CheckoutFailed { unavailable, .. }) => {
                checkout.status = CheckoutStatus::Failed;
                checkout.unavailable.clone_from(unavailable);
                CheckoutState::Present(checkout)
            }
        }
    }
}
