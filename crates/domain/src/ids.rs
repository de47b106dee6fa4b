//! Typed identifiers. Ids are UUIDs (v7 when Jangteo creates them); the domain never mints them.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ValidationError;

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = ValidationError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s)
                    .map(Self)
                    .map_err(|_| ValidationError::new(stringify!($name), "is not a valid UUID"))
            }
        }
    };
}

/// Favourite stream ids are derived, not minted: the same (member, listing) pair is always the
/// same stream. The namespace is fixed forever.
const FAVOURITE_NAMESPACE: Uuid = Uuid::from_u128(0x6a61_6e67_7465_6f2d_6661_766f_7572_6974);

uuid_id!(
    /// A registered member: buyer and seller are roles an account plays in a trade.
    AccountId
);
uuid_id!(
    /// A listing (a thing put up for sale).
    ListingId
);
uuid_id!(
    /// One photo of a listing.
    ImageId
);
uuid_id!(
    /// An order: one buyer buying one listing.
    OrderId
);
uuid_id!(
    /// The escrow holding an order's payment until the buyer confirms receipt.
    EscrowId
);

/// A category slug such as `digital/phones`: lowercase ASCII letters, digits, `-` and `/`, at most
/// 64 characters; the category tree (`category.rs`) says which exist.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CategoryId(String);

impl CategoryId {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '/';
        if raw.is_empty() || raw.len() > 64 || !raw.chars().all(ok_char) {
            return Err(ValidationError::new(
                "category_id",
                "must be 1-64 characters of a-z, 0-9, '-' and '/'",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CategoryId {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CategoryId> for String {
    fn from(id: CategoryId) -> String {
        id.0
    }
}

uuid_id!(
    /// One member's favourite of one listing (a stream per pair).
    FavouriteId
);

impl FavouriteId {
    /// The stream of `account`'s favourite of `listing`.
    pub fn of(account: AccountId, listing: ListingId) -> Self {
        let mut name = [0_u8; 32];
        name[..16].copy_from_slice(account.as_uuid().as_bytes());
        name[16..].copy_from_slice(listing.as_uuid().as_bytes());
        Self(Uuid::new_v5(&FAVOURITE_NAMESPACE, &name))
    }
}

uuid_id!(
    /// A seller's payout for one escrow's release (the PRD's 정산 record).
    SettlementId
);

/// Settlement ids are derived from the escrow they pay out, so one release schedules one payout
/// however often the scheduling command is retried. The namespace is fixed forever.
const SETTLEMENT_NAMESPACE: Uuid = Uuid::from_u128(0x5e77_1e00_6a2b_4c1d_8f3e_9a0b_c4d5_e6f7);

impl SettlementId {
    /// The settlement paying out `escrow`'s release.
    pub fn of(escrow: EscrowId) -> Self {
        Self(Uuid::new_v5(&SETTLEMENT_NAMESPACE, escrow.as_uuid().as_bytes()))
    }
}

uuid_id!(
    /// A member's shopping cart (one per member).
    CartId
);

/// Cart stream ids are derived from their member, so a member's cart needs no lookup.
const CART_NAMESPACE: Uuid = Uuid::from_u128(0xca27_0000_4b1e_4d2a_9c3f_5e6a_7b8c_9d0e);

impl CartId {
    /// `account`'s cart.
    pub fn of(account: AccountId) -> Self {
        Self(Uuid::new_v5(&CART_NAMESPACE, account.as_uuid().as_bytes()))
    }
}

uuid_id!(
    /// One checkout of a cart: the saga that turns it into orders.
    CheckoutId
);

uuid_id!(
    /// The reviews of one trade: a stream per order.
    TradeReviewsId
);

const TRADE_REVIEWS_NAMESPACE: Uuid = Uuid::from_u128(0x7265_7669_6577_4a61_8e6f_5472_6164_6521);

impl TradeReviewsId {
    /// The reviews of `order`.
    pub fn of(order: OrderId) -> Self {
        Self(Uuid::new_v5(&TRADE_REVIEWS_NAMESPACE, order.as_uuid().as_bytes()))
    }
}
