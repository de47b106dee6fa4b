//! The embedded read-model adapters: SQLite documents and the tantivy listing index.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with expect/unwrap")]

use chrono::DateTime;
use jangteo_domain::{
    AccountId, CategoryId, ListingId, Money, OrderId, escrow::EscrowStatus, order::OrderStatus,
};
use jangteo_read_models::{
    DocumentStore, DocumentWrite, LISTING_DOCUMENTS, ListingDocument, ListingSearch, ListingStatusView,
    ORDER_DOCUMENTS, OrderDocument, SearchQuery, sqlite::SqliteDocumentStore,
    tantivy_search::TantivyListingSearch,
};
use uuid::Uuid;

fn listing(n: u128, title: &str, price: i64, status: ListingStatusView) -> ListingDocument {
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
    }
}

fn order(n: u128) -> OrderDocument {
    let at = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
    OrderDocument {
        order_id: OrderId::from_uuid(Uuid::from_u128(n)),
        listing_id: ListingId::from_uuid(Uuid::from_u128(1)),
        buyer_id: AccountId::from_uuid(Uuid::from_u128(2)),
        seller_id: AccountId::from_uuid(Uuid::from_u128(3)),
        price: Money::won(5_000).unwrap(),
        status: OrderStatus::Paid,
        escrow_status: Some(EscrowStatus::Held),
        version: 2,
        escrow_version: 1,
        created_at: at,
        updated_at: at,
    }
}

#[tokio::test]
async fn documents_round_trip_commit_with_their_checkpoint_and_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("read-models.sqlite");
    let store = SqliteDocumentStore::open(&path).await.unwrap();
    let phone = listing(1, "아이폰 15", 900_000, ListingStatusView::OnSale);
    store.commit(LISTING_DOCUMENTS, vec![DocumentWrite::PutListing(phone.clone())], 7).await.unwrap();
    store.commit(ORDER_DOCUMENTS, vec![DocumentWrite::PutOrder(order(9))], 8).await.unwrap();
    assert_eq!(store.listing(phone.listing_id).await.unwrap(), Some(phone.clone()));
    assert_eq!(store.order(order(9).order_id).await.unwrap(), Some(order(9)));
    assert_eq!(store.checkpoint(LISTING_DOCUMENTS).await.unwrap(), 7);

    // Upserts replace by id.
    let sold = ListingDocument { status: ListingStatusView::Sold, version: 3, ..phone.clone() };
    store.commit(LISTING_DOCUMENTS, vec![DocumentWrite::PutListing(sold.clone())], 9).await.unwrap();
    assert_eq!(store.listing(phone.listing_id).await.unwrap(), Some(sold.clone()));
    drop(store);

    let reopened = SqliteDocumentStore::open(&path).await.unwrap();
    assert_eq!(reopened.listing(phone.listing_id).await.unwrap(), Some(sold));
    assert_eq!(reopened.checkpoint(LISTING_DOCUMENTS).await.unwrap(), 9);

    // Resetting one projection leaves the other's documents and checkpoint alone.
    reopened.reset(LISTING_DOCUMENTS).await.unwrap();
    assert_eq!(reopened.listing(phone.listing_id).await.unwrap(), None);
    assert_eq!(reopened.checkpoint(LISTING_DOCUMENTS).await.unwrap(), 0);
    assert_eq!(reopened.order(order(9).order_id).await.unwrap(), Some(order(9)));
    assert_eq!(reopened.checkpoint(ORDER_DOCUMENTS).await.unwrap(), 8);
}

fn query(text: Option<&str>) -> SearchQuery {
    SearchQuery {
        text: text.map(str::to_owned),
        min_price: None,
        max_price: None,
        statuses: vec![ListingStatusView::OnSale],
        limit: 10,
        offset: 0,
    }
}

fn ids(hits: &[ListingDocument]) -> Vec<u128> {
    hits.iter().map(|hit| hit.listing_id.as_uuid().as_u128()).collect()
}

#[tokio::test]
async fn search_filters_orders_pages_and_keeps_its_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let index = TantivyListingSearch::open(dir.path()).unwrap();
    let listings = vec![
        listing(1, "아이폰 15 프로 팝니다", 900_000, ListingStatusView::OnSale),
        listing(2, "갤럭시 S24 울트라", 800_000, ListingStatusView::OnSale),
        listing(3, "아이폰 케이스", 10_000, ListingStatusView::OnSale),
        listing(4, "아이폰 13 미니", 300_000, ListingStatusView::Sold),
        listing(5, "캠핑 의자", 30_000, ListingStatusView::Draft),
    ];
    index.commit(listings.clone(), Vec::new(), 12).await.unwrap();

    // Korean words match whole; status filters; without text, newest first.
    assert_eq!(ids(&index.search(&query(Some("아이폰"))).await.unwrap().hits).len(), 2);
    assert_eq!(ids(&index.search(&query(None)).await.unwrap().hits), vec![3, 2, 1]);
    let sold = SearchQuery { statuses: vec![ListingStatusView::Sold], ..query(Some("아이폰")) };
    assert_eq!(ids(&index.search(&sold).await.unwrap().hits), vec![4]);

    // Inclusive price bounds.
    let priced = SearchQuery {
        min_price: Some(Money::won(10_000).unwrap()),
        max_price: Some(Money::won(800_000).unwrap()),
        ..query(None)
    };
    assert_eq!(ids(&index.search(&priced).await.unwrap().hits), vec![3, 2]);

    // Paging.
    let first = index.search(&SearchQuery { limit: 2, ..query(None) }).await.unwrap();
    assert_eq!((ids(&first.hits), first.has_more), (vec![3, 2], true));
    let second = index.search(&SearchQuery { limit: 2, offset: 2, ..query(None) }).await.unwrap();
    assert_eq!((ids(&second.hits), second.has_more), (vec![1], false));

    // Text a person types is never a syntax error.
    assert!(index.search(&query(Some("아이폰 AND ( \"unclosed"))).await.is_ok());

    // Upserts replace, deletes remove; the checkpoint is part of the commit.
    let withdrawn = ListingDocument { status: ListingStatusView::Withdrawn, ..listings[0].clone() };
    index.commit(vec![withdrawn], vec![listings[1].listing_id], 15).await.unwrap();
    assert_eq!(ids(&index.search(&query(None)).await.unwrap().hits), vec![3]);
    drop(index);
    let reopened = TantivyListingSearch::open(dir.path()).unwrap();
    assert_eq!(reopened.checkpoint().await.unwrap(), 15);
    reopened.reset().await.unwrap();
    assert_eq!(reopened.checkpoint().await.unwrap(), 0);
    assert!(reopened.search(&query(None)).await.unwrap().hits.is_empty());
}
