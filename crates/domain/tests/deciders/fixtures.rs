//! Fixed ids and values: no randomness, no clock.

use jangteo_domain::{
    AccountId, CancelReason, Carrier, Description, EscrowId, ListingId, Money, OrderId, Title, TrackingNumber,
};
use uuid::Uuid;

pub const SELLER: AccountId = AccountId::from_uuid(Uuid::from_u128(1));
pub const BUYER: AccountId = AccountId::from_uuid(Uuid::from_u128(2));
pub const STRANGER: AccountId = AccountId::from_uuid(Uuid::from_u128(3));
pub const LISTING: ListingId = ListingId::from_uuid(Uuid::from_u128(10));
pub const ORDER: OrderId = OrderId::from_uuid(Uuid::from_u128(20));
pub const OTHER_ORDER: OrderId = OrderId::from_uuid(Uuid::from_u128(21));
pub const ESCROW: EscrowId = EscrowId::from_uuid(Uuid::from_u128(30));

pub fn won(amount: i64) -> Money {
    Money::won(amount).unwrap()
}

pub fn title(text: &str) -> Title {
    Title::parse(text).unwrap()
}

pub fn description(text: &str) -> Description {
    Description::parse(text).unwrap()
}

pub fn tracking() -> TrackingNumber {
    TrackingNumber::parse("630612345678").unwrap()
}

pub fn reason() -> CancelReason {
    CancelReason::parse("마음이 바뀌었어요").unwrap()
}

pub const CARRIER: Carrier = Carrier::CjLogistics;

/// A payment captured by the simulated gateway.
pub fn gateway_payment() -> jangteo_domain::GatewayPayment {
    jangteo_domain::GatewayPayment {
        gateway: jangteo_domain::Gateway::Simulated,
        payment_key: jangteo_domain::PaymentKey::parse("sim-order-20").unwrap(),
    }
}
