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
