//! The document-store contract.

use jangteo_domain::{Money, escrow::EscrowStatus, order::OrderStatus};
use jangteo_read_models::{
    DocumentStore, DocumentWrite, LISTING_DOCUMENTS, ListingDocument, ListingStatusView, ORDER_DOCUMENTS,
    OrderDocument, ReadModel,
};

use crate::fixtures::{listing, order};

/// What the contract leaves in a store, for comparing across a reopen.
pub async fn everything(
    store: &dyn DocumentStore,
) -> (Option<ListingDocument>, Option<OrderDocument>, u64, u64) {
    (
        store.listing(listing(1, "", 1, ListingStatusView::Draft).listing_id).await.unwrap(),
        store.order(order(9).order_id).await.unwrap(),
        store.checkpoint(LISTING_DOCUMENTS).await.unwrap(),
        store.checkpoint(ORDER_DOCUMENTS).await.unwrap(),
    )
}

pub async fn contract(store: &dyn DocumentStore) {
    // Empty: nothing, checkpoints at 0.
    let phone = listing(1, "아이폰 15", 900_000, ListingStatusView::OnSale);
    assert_eq!(store.listing(phone.listing_id).await.unwrap(), None);
    assert_eq!(store.checkpoint(LISTING_DOCUMENTS).await.unwrap(), 0);

    // Round trip, with the checkpoint.
    store.commit(LISTING_DOCUMENTS, vec![DocumentWrite::PutListing(phone.clone())], 7).await.unwrap();
    store.commit(ORDER_DOCUMENTS, vec![DocumentWrite::PutOrder(order(9))], 8).await.unwrap();
    assert_eq!(store.listing(phone.listing_id).await.unwrap(), Some(phone.clone()));
    assert_eq!(store.order(order(9).order_id).await.unwrap(), Some(order(9)));
    assert_eq!(store.checkpoint(LISTING_DOCUMENTS).await.unwrap(), 7);
    assert_eq!(store.checkpoint(ORDER_DOCUMENTS).await.unwrap(), 8);

    // A newer version replaces the document.
    let sold = ListingDocument { status: ListingStatusView::Sold, version: 3, ..phone.clone() };
    store.commit(LISTING_DOCUMENTS, vec![DocumentWrite::PutListing(sold.clone())], 9).await.unwrap();
    assert_eq!(store.listing(phone.listing_id).await.unwrap(), Some(sold.clone()));

    // A replayed older version does not roll it back, but the checkpoint still moves.
    store.commit(LISTING_DOCUMENTS, vec![DocumentWrite::PutListing(phone.clone())], 10).await.unwrap();
    assert_eq!(store.listing(phone.listing_id).await.unwrap(), Some(sold.clone()));
    assert_eq!(store.checkpoint(LISTING_DOCUMENTS).await.unwrap(), 10);

    // An order moves on either of its two versions: the escrow's alone is enough.
    let released = OrderDocument {
        status: OrderStatus::Completed,
        escrow_status: Some(EscrowStatus::Released),
        version: 4,
        escrow_version: 2,
        ..order(9)
    };
    let escrow_only = OrderDocument {
        escrow_status: Some(EscrowStatus::Released),
        escrow_released: Money::won(5_000).unwrap(),
        escrow_version: 2,
        ..order(9)
    };
    store.commit(ORDER_DOCUMENTS, vec![DocumentWrite::PutOrder(escrow_only.clone())], 11).await.unwrap();
    assert_eq!(store.order(order(9).order_id).await.unwrap(), Some(escrow_only));
    store.commit(ORDER_DOCUMENTS, vec![DocumentWrite::PutOrder(released.clone())], 12).await.unwrap();
    store.commit(ORDER_DOCUMENTS, vec![DocumentWrite::PutOrder(order(9))], 13).await.unwrap();
    assert_eq!(store.order(order(9).order_id).await.unwrap(), Some(released.clone()));

    // Resetting one projection leaves the other's documents and checkpoint alone.
    store.reset(ReadModel::ListingDocuments).await.unwrap();
    assert_eq!(store.listing(phone.listing_id).await.unwrap(), None);
    assert_eq!(store.checkpoint(LISTING_DOCUMENTS).await.unwrap(), 0);
    assert_eq!(store.order(order(9).order_id).await.unwrap(), Some(released));
    assert_eq!(store.checkpoint(ORDER_DOCUMENTS).await.unwrap(), 13);

    // After a reset, any version is written again (a rebuild starts from version 1).
    store.commit(LISTING_DOCUMENTS, vec![DocumentWrite::PutListing(phone.clone())], 2).await.unwrap();
    assert_eq!(store.listing(phone.listing_id).await.unwrap(), Some(phone));
}
