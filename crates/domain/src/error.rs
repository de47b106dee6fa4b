//! Why the domain refuses a command. Each refusal has a stable machine-readable code.

use std::fmt;

/// A value that failed validation: which field, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {reason}")]
pub struct ValidationError {
    pub field: &'static str,
    pub reason: &'static str,
}

impl ValidationError {
    pub const fn new(field: &'static str, reason: &'static str) -> Self {
        Self { field, reason }
    }
}

/// A refusal by an aggregate. These are business answers, not failures of the system.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),

    /// The aggregate the command is about does not exist.
    #[error("{0} does not exist")]
    NotFound(Kind),

    /// A create command for an aggregate that already exists.
    #[error("{0} already exists")]
    AlreadyExists(Kind),

    /// The actor is not allowed to do this to this aggregate.
    #[error("{0}")]
    Forbidden(Forbidden),

    /// A buyer tried to buy their own listing.
    #[error("a seller cannot buy their own listing")]
    BuyerIsSeller,

    /// The listing cannot take an order in its current state.
    #[error("the listing is {status}, not on sale")]
    ListingNotAvailable { status: &'static str },

    /// The command is not allowed in the aggregate's current state.
    #[error("cannot {action} a {kind} that is {status}")]
    InvalidTransition { kind: Kind, action: &'static str, status: &'static str },

    /// An amount does not match the one the aggregate expects.
    #[error("amount {given} does not match the expected {expected}")]
    AmountMismatch { expected: i64, given: i64 },

    /// The marketplace's cooling-off rule does not cover this return.
    #[error("returns for a change of mind are not accepted here")]
    ReturnNotAccepted,

    /// A listing bumped (끌올) again before a day has passed since the last bump.
    #[error("the listing can be bumped again at {next_at}")]
    BumpTooSoon { next_at: chrono::DateTime<chrono::Utc> },

    /// A change the category tree cannot take.
    #[error("{0}")]
    Category(CategoryRefusal),

    /// A trade reviewed after its review window closed.
    #[error("the trade could be reviewed until {closed_at}")]
    ReviewWindowClosed { closed_at: chrono::DateTime<chrono::Utc> },
}

impl DomainError {
    /// A stable code for clients and logs; never changes once published.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Invalid(_) => "validation_failed",
            DomainError::NotFound(_) => "not_found",
            DomainError::AlreadyExists(_) => "already_exists",
            DomainError::Forbidden(_) => "forbidden",
            DomainError::BuyerIsSeller => "buyer_is_seller",
            DomainError::ListingNotAvailable { .. } => "listing_not_available",
            DomainError::InvalidTransition { .. } => "invalid_state_transition",
            DomainError::AmountMismatch { .. } => "amount_mismatch",
            DomainError::ReturnNotAccepted => "return_not_accepted",
            DomainError::BumpTooSoon { .. } => "bump_too_soon",
            DomainError::Category(refusal) => refusal.code(),
            DomainError::ReviewWindowClosed { .. } => "review_window_closed",
        }
    }
}

/// Which aggregate a refusal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Account,
    Listing,
    Order,
    Escrow,
    Settlement,
    Checkout,
    Category,
    Image,
    Review,
    ReviewReply,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Account => "account",
            Kind::Listing => "listing",
            Kind::Order => "order",
            Kind::Escrow => "escrow",
            Kind::Settlement => "settlement",
            Kind::Checkout => "checkout",
            Kind::Category => "category",
            Kind::Image => "image",
            Kind::Review => "review",
            Kind::ReviewReply => "reply to the review",
        })
    }
}

/// Who may not do what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forbidden {
    NotSeller,
    NotBuyer,
    NotParticipant,
    /// A seller favouriting their own listing.
    OwnListing,
    /// Staff deciding a dispute on a trade they take part in.
    OwnTrade,
    /// A member without the dispute-agent role deciding a dispute.
    NotAgent,
    /// A member who is not an admin giving a role.
    NotAdmin,
}

impl fmt::Display for Forbidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Forbidden::NotSeller => "only the seller may do this",
            Forbidden::NotBuyer => "only the buyer may do this",
            Forbidden::NotParticipant => "only the buyer or the seller may do this",
            Forbidden::OwnListing => "a seller cannot favourite their own listing",
            Forbidden::OwnTrade => "staff cannot decide a dispute on their own trade",
            Forbidden::NotAgent => "only dispute staff may do this",
            Forbidden::NotAdmin => "only an admin may do this",
        })
    }
}

/// Why the category tree refuses a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CategoryRefusal {
    /// The tree has three levels; a new or moved category would make a fourth.
    TooDeep,
    /// A category cannot move under itself or one of its descendants.
    Cycle,
    /// Another category under the same parent has this name.
    NameTaken,
    /// A category with categories under it cannot be retired.
    HasChildren,
    /// The category was retired: nothing goes under it, no listing goes in it.
    Retired,
    /// A listing goes in a category with none under it.
    NotLeaf,
    /// No category has this id.
    Unknown,
    /// The default tree is planted only in an empty tree.
    AlreadySeeded,
}

impl CategoryRefusal {
    pub fn code(self) -> &'static str {
        match self {
            CategoryRefusal::TooDeep => "category_too_deep",
            CategoryRefusal::Cycle => "category_cycle",
            CategoryRefusal::NameTaken => "category_name_taken",
            CategoryRefusal::HasChildren => "category_has_children",
            CategoryRefusal::Retired => "category_retired",
            CategoryRefusal::NotLeaf => "category_not_leaf",
            CategoryRefusal::Unknown => "unknown_category",
            CategoryRefusal::AlreadySeeded => "category_tree_seeded",
        }
    }
}

impl fmt::Display for CategoryRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CategoryRefusal::TooDeep => "categories go three levels deep at most",
            CategoryRefusal::Cycle => "a category cannot move under itself or its descendants",
            CategoryRefusal::NameTaken => "a category under the same parent has this name",
            CategoryRefusal::HasChildren => "a category with categories under it cannot be retired",
            CategoryRefusal::Retired => "the category is retired",
            CategoryRefusal::NotLeaf => "a listing goes in a category with no categories under it",
            CategoryRefusal::Unknown => "no such category",
            CategoryRefusal::AlreadySeeded => "the category tree is not empty",
        })
    }
}
