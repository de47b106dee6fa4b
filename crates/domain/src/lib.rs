//! Jangteo's domain: the marketplace's rules as pure functions.
//!
//! Every aggregate is a decider: [`Aggregate::decide`] turns a command and the current state into new
//! events or a refusal, and [`Aggregate::evolve`] folds an event into the state. Both are pure and
//! total: time, ids and the acting user arrive inside the command, never from a global, and this crate
//! never performs IO.

pub mod account;
mod aggregate;
pub mod cart;
pub mod category;
pub mod checkout;
pub mod consent;
mod edit;
mod error;
pub mod escrow;
pub mod favourite;
mod ids;
pub mod listing;
pub mod moderation;
mod money;
pub mod order;
pub mod registry;
pub mod review;
pub mod settlement;
mod text;
pub mod trade;
mod values;

pub use aggregate::{Aggregate, DomainEvent, EventCodecError};
pub use edit::Edit;
pub use error::{CategoryRefusal, DomainError, Forbidden, Kind, ValidationError};
pub use ids::{
    AccountId, CartId, CategoryId, CheckoutId, EscrowId, FavouriteId, ImageId, ListingId, OrderId,
    SettlementId, TradeReviewsId,
};
pub use money::{FeeRate, Money};
pub use text::has_control_characters;
pub use values::{
    AreaName, CancelReason, Carrier, CategoryName, Description, DisputeReason, DisputeResolution, Email,
    Gateway, GatewayPayment, Nickname, PasswordHash, PaymentKey, PaymentMethod, PhoneNumber, PostalAddress,
    RejectionReason, ReturnReason, ReviewComment, ReviewReply, SealedText, Title, TrackingNumber,
};
