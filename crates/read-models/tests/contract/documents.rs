//! The document-store contract.

use chrono::DateTime;
use jangteo_domain::{
    AccountId, ImageId, ListingId, Money, OrderId,
    escrow::EscrowStatus,
    listing::{ImageDigest, ImageKind, ListingImage},
    order::OrderStatus,
};
use jangteo_read_models::{
    DocumentStore, DocumentWrite, FAVOURITE_DOCUMENTS, FavouriteDocument, LISTING_DOCUMENTS, ListingDocument,
    ListingStatusView, ORDER_DOCUMENTS, OrderDocument, OrderParty, PageRequest, ReadModel,
};
use uuid::Uuid;

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

fn page(before: Option<u64>, limit: u32) -> PageRequest {
    PageRequest { before, limit }
}

fn account(n: u128) -> AccountId {
    AccountId::from_uuid(Uuid::from_u128(n))
}

/// The member's pages: a seller's listings by status, a member's orders as buyer or seller, the
/// member's favourites that are on; each newest first, a page below the previous one's last.
pub async fn member_pages(store: &dyn DocumentStore) {
    // A seller of the contract's own (the fixtures' listings are another's).
    let seller = account(1001);
    let listings: Vec<ListingDocument> = [
        (11, ListingStatusView::OnSale),
        (12, ListingStatusView::Draft),
        (13, ListingStatusView::Sold),
        (14, ListingStatusView::OnSale),
        (15, ListingStatusView::OnSale),
    ]
    .into_iter()
    .map(|(n, status)| ListingDocument { seller_id: seller, ..listing(n, "물건", 10_000, status) })
    .collect();
    let someone_elses = ListingDocument {
        seller_id: account(77),
        ..listing(16, "남의 물건", 1_000, ListingStatusView::OnSale)
    };
    let mut writes: Vec<DocumentWrite> = listings.iter().cloned().map(DocumentWrite::PutListing).collect();
    writes.push(DocumentWrite::PutListing(someone_elses));
    store.commit(LISTING_DOCUMENTS, writes, 20).await.unwrap();

    let ids = |documents: Vec<ListingDocument>| -> Vec<u64> {
        documents.iter().map(|d| d.created_position).collect()
    };
    let all = store.listings_of_seller(seller, &[], page(None, 10)).await.unwrap();
    assert_eq!(ids(all), vec![15, 14, 13, 12, 11], "every status, newest first, the seller's only");
    let on_sale = [ListingStatusView::OnSale];
    let first = store.listings_of_seller(seller, &on_sale, page(None, 2)).await.unwrap();
    assert_eq!(ids(first), vec![15, 14]);
    let second = store.listings_of_seller(seller, &on_sale, page(Some(14), 2)).await.unwrap();
    assert_eq!(ids(second), vec![11]);
    let sold_or_draft = [ListingStatusView::Sold, ListingStatusView::Draft];
    assert_eq!(
        ids(store.listings_of_seller(seller, &sold_or_draft, page(None, 10)).await.unwrap()),
        vec![13, 12]
    );
    assert!(store.listings_of_seller(account(5), &[], page(None, 10)).await.unwrap().is_empty());
    orders_pages(store).await;
    favourite_pages(store).await;
    photo_digests(store).await;
}

/// A photo's SHA-256 finds every listing carrying it, whoever sells it and whatever its status,
/// newest first; a listing that drops the photo is no longer found by it.
async fn photo_digests(store: &dyn DocumentStore) {
    let digest = |byte: char| ImageDigest::parse(&byte.to_string().repeat(64)).unwrap();
    let photo = |byte: char, n: u128| ListingImage {
        image_id: ImageId::from_uuid(Uuid::from_u128(n)),
        kind: ImageKind::Jpeg,
        sha256: digest(byte),
        width: 640,
        height: 480,
        size: 1_000,
    };
    let with_photos = |n: u128, seller: u128, images: Vec<ListingImage>, version: u64| ListingDocument {
        seller_id: account(seller),
        images,
        version,
        ..listing(n, "사진 있는 물건", 5_000, ListingStatusView::OnSale)
    };
    let writes = vec![
        DocumentWrite::PutListing(with_photos(41, 1, vec![photo('a', 1), photo('b', 2)], 1)),
        DocumentWrite::PutListing(with_photos(42, 2, vec![photo('a', 3)], 1)),
        DocumentWrite::PutListing(with_photos(43, 3, vec![photo('c', 4)], 1)),
    ];
    store.commit(LISTING_DOCUMENTS, writes, 43).await.unwrap();
    let found = |documents: Vec<ListingDocument>| -> Vec<u64> {
        documents.iter().map(|d| d.created_position).collect()
    };
    assert_eq!(found(store.listings_with_photo(&digest('a'), 10).await.unwrap()), vec![42, 41]);
    assert_eq!(found(store.listings_with_photo(&digest('a'), 1).await.unwrap()), vec![42]);
    assert_eq!(found(store.listings_with_photo(&digest('b'), 10).await.unwrap()), vec![41]);
    assert!(store.listings_with_photo(&digest('d'), 10).await.unwrap().is_empty());
    // The second listing drops its photo; an older write replayed does not bring it back.
    store
        .commit(LISTING_DOCUMENTS, vec![DocumentWrite::PutListing(with_photos(42, 2, vec![], 2))], 44)
        .await
        .unwrap();
    store
        .commit(
            LISTING_DOCUMENTS,
            vec![DocumentWrite::PutListing(with_photos(42, 2, vec![photo('a', 3)], 1))],
            45,
        )
        .await
        .unwrap();
    assert_eq!(found(store.listings_with_photo(&digest('a'), 10).await.unwrap()), vec![41]);
}

async fn orders_pages(store: &dyn DocumentStore) {
    // Orders (members of their own, 102 and 103): 21, 23 and 24 bought by 102 from 103, 22 the
    // other way.
    let bought = |n: u128, buyer: u128, seller: u128, status: OrderStatus| OrderDocument {
        order_id: OrderId::from_uuid(Uuid::from_u128(n)),
        buyer_id: account(buyer),
        seller_id: account(seller),
        status,
        ..order(n)
    };
    let orders = vec![
        bought(21, 102, 103, OrderStatus::Paid),
        bought(22, 103, 102, OrderStatus::Completed),
        bought(23, 102, 103, OrderStatus::Completed),
        bought(24, 102, 103, OrderStatus::Cancelled),
    ];
    store
        .commit(ORDER_DOCUMENTS, orders.into_iter().map(DocumentWrite::PutOrder).collect(), 30)
        .await
        .unwrap();
    let order_ids = |documents: Vec<OrderDocument>| -> Vec<u64> {
        documents.iter().map(|d| d.created_position).collect()
    };
    let as_buyer = store.orders_of(account(102), OrderParty::Buyer, &[], page(None, 10)).await.unwrap();
    assert_eq!(order_ids(as_buyer), vec![24, 23, 21]);
    let as_seller = store.orders_of(account(102), OrderParty::Seller, &[], page(None, 10)).await.unwrap();
    assert_eq!(order_ids(as_seller), vec![22]);
    let open = [OrderStatus::Paid, OrderStatus::Completed];
    assert_eq!(
        order_ids(store.orders_of(account(102), OrderParty::Buyer, &open, page(None, 1)).await.unwrap()),
        vec![23]
    );
    assert_eq!(
        order_ids(store.orders_of(account(102), OrderParty::Buyer, &open, page(Some(23), 10)).await.unwrap()),
        vec![21]
    );
    assert_eq!(store.count_orders(account(102), OrderParty::Buyer, OrderStatus::Completed).await.unwrap(), 1);
    assert_eq!(
        store.count_orders(account(102), OrderParty::Seller, OrderStatus::Completed).await.unwrap(),
        1
    );
    assert_eq!(
        store.count_orders(account(103), OrderParty::Seller, OrderStatus::Completed).await.unwrap(),
        1
    );
    assert_eq!(store.count_orders(account(9), OrderParty::Buyer, OrderStatus::Completed).await.unwrap(), 0);
}

async fn favourite_pages(store: &dyn DocumentStore) {
    // Favourites: on, off again (kept, guarded by version), on for another member.
    let at = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
    let favourite =
        |member: u128, listing_n: u128, favourited: bool, version: u64, position: u64| FavouriteDocument {
            account_id: account(member),
            listing_id: ListingId::from_uuid(Uuid::from_u128(listing_n)),
            favourited,
            version,
            position,
            at,
            // The price when favourited travels with the favourite while it is on.
            favourited_price: favourited
                .then(|| Money::won(9_000 + i64::try_from(listing_n).unwrap()).unwrap()),
        };
    let writes = vec![
        DocumentWrite::PutFavourite(favourite(2, 11, true, 1, 31)),
        DocumentWrite::PutFavourite(favourite(2, 14, true, 1, 32)),
        DocumentWrite::PutFavourite(favourite(2, 15, true, 1, 33)),
        DocumentWrite::PutFavourite(favourite(3, 11, true, 1, 34)),
    ];
    store.commit(FAVOURITE_DOCUMENTS, writes, 34).await.unwrap();
    store
        .commit(FAVOURITE_DOCUMENTS, vec![DocumentWrite::PutFavourite(favourite(2, 14, false, 2, 35))], 35)
        .await
        .unwrap();
    // A replay of the older "on" does not bring it back.
    store
        .commit(FAVOURITE_DOCUMENTS, vec![DocumentWrite::PutFavourite(favourite(2, 14, true, 1, 32))], 36)
        .await
        .unwrap();
    assert_eq!(
        store.favourite(account(2), ListingId::from_uuid(Uuid::from_u128(14))).await.unwrap(),
        Some(favourite(2, 14, false, 2, 35))
    );
    let positions =
        |documents: Vec<FavouriteDocument>| -> Vec<u64> { documents.iter().map(|d| d.position).collect() };
    assert_eq!(positions(store.favourites_of(account(2), page(None, 10)).await.unwrap()), vec![33, 31]);
    assert_eq!(positions(store.favourites_of(account(2), page(Some(33), 10)).await.unwrap()), vec![31]);
    assert_eq!(
        store.favourites_of(account(3), page(None, 10)).await.unwrap(),
        vec![favourite(3, 11, true, 1, 34)]
    );
    assert_eq!(store.checkpoint(FAVOURITE_DOCUMENTS).await.unwrap(), 36);

    store.reset(ReadModel::FavouriteDocuments).await.unwrap();
    assert!(store.favourites_of(account(2), page(None, 10)).await.unwrap().is_empty());
    assert_eq!(store.checkpoint(FAVOURITE_DOCUMENTS).await.unwrap(), 0);
}
