//! Documents the contracts write.

use chrono::DateTime;
use jangteo_domain::{
    AccountId, CategoryId, ListingId, Money, OrderId, escrow::EscrowStatus, order::OrderStatus,
};
use jangteo_read_models::{ListingDocument, ListingStatusView, OrderDocument};
use uuid::Uuid;

pub fn listing(n: u128, title: &str, price: i64, status: ListingStatusView) -> ListingDocument {
    let at = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
    ListingDocument {
        listing_id: ListingId::from_uuid(Uuid::from_u128(n)),
        seller_id: AccountId::from_uuid(Uuid::from_u128(1000)),
        title: title.to_owned(),
        description: format!("{title} 상세 설명"),
        price: Money::won(price).unwrap(),
        category_id: Some(CategoryId::parse("digital/phones").unwrap()),
        status,
        version: 2,
        created_position: u64::try_from(n).unwrap(),
        created_at: at,
        updated_at: at,
        quantity: 1,
        available: 1,
        images: Vec::new(),
        location: None,
        neighbourhood: None,
        bumped_at: None,
        bumped_position: None,
        review: None,
    }
}

pub fn order(n: u128) -> OrderDocument {
    let at = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
    OrderDocument {
        order_id: OrderId::from_uuid(Uuid::from_u128(n)),
        listing_id: ListingId::from_uuid(Uuid::from_u128(1)),
        items: vec![jangteo_domain::order::OrderItem {
            listing_id: ListingId::from_uuid(Uuid::from_u128(1)),
            price: Money::won(1_500).unwrap(),
            units: 1,
        }],
        buyer_id: AccountId::from_uuid(Uuid::from_u128(2)),
        seller_id: AccountId::from_uuid(Uuid::from_u128(3)),
        shipping_fee: Money::won(3_500).unwrap(),
        price: Money::won(5_000).unwrap(),
        status: OrderStatus::Paid,
        escrow_status: Some(EscrowStatus::Held),
        escrow_refunded: Money::ZERO,
        escrow_released: Money::ZERO,
        version: 2,
        escrow_version: 1,
        created_position: u64::try_from(n).unwrap(),
        created_at: at,
        updated_at: at,
    }
}
