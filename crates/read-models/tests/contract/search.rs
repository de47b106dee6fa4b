//! The listing-search contract.

use jangteo_domain::Money;
use jangteo_read_models::{ListingDocument, ListingSearch, ListingStatusView, SearchQuery};

use crate::fixtures::listing;

pub fn query(text: Option<&str>) -> SearchQuery {
    SearchQuery {
        text: text.map(str::to_owned),
        min_price: None,
        max_price: None,
        statuses: vec![ListingStatusView::OnSale],
        limit: 10,
        offset: 0,
    }
}

pub fn ids(hits: &[ListingDocument]) -> Vec<u128> {
    hits.iter().map(|hit| hit.listing_id.as_uuid().as_u128()).collect()
}

pub async fn contract(index: &dyn ListingSearch) {
    assert_eq!(index.checkpoint().await.unwrap(), 0);
    assert!(index.search(&query(None)).await.unwrap().hits.is_empty());

    let listings = vec![
        listing(1, "아이폰 15 프로 팝니다", 900_000, ListingStatusView::OnSale),
        listing(2, "갤럭시 S24 울트라", 800_000, ListingStatusView::OnSale),
        listing(3, "아이폰 케이스", 10_000, ListingStatusView::OnSale),
        listing(4, "아이폰 13 미니", 300_000, ListingStatusView::Sold),
        listing(5, "캠핑 의자", 30_000, ListingStatusView::Draft),
    ];
    index.commit(listings.clone(), Vec::new(), 12).await.unwrap();
    assert_eq!(index.checkpoint().await.unwrap(), 12);

    // Words match; status filters; without text, newest first.
    let mut found = ids(&index.search(&query(Some("아이폰"))).await.unwrap().hits);
    found.sort_unstable();
    assert_eq!(found, vec![1, 3]);
    assert_eq!(ids(&index.search(&query(None)).await.unwrap().hits), vec![3, 2, 1]);
    let sold = SearchQuery { statuses: vec![ListingStatusView::Sold], ..query(Some("아이폰")) };
    assert_eq!(ids(&index.search(&sold).await.unwrap().hits), vec![4]);
    let either =
        SearchQuery { statuses: vec![ListingStatusView::Sold, ListingStatusView::Draft], ..query(None) };
    assert_eq!(ids(&index.search(&either).await.unwrap().hits), vec![5, 4]);

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

    // Hits are the stored documents, whole.
    let hits = index.search(&query(Some("갤럭시"))).await.unwrap().hits;
    assert_eq!(hits, vec![listings[1].clone()]);

    // Upserts replace, deletes remove, and the checkpoint moves with them.
    let withdrawn =
        ListingDocument { status: ListingStatusView::Withdrawn, version: 3, ..listings[0].clone() };
    index.commit(vec![withdrawn], vec![listings[1].listing_id], 15).await.unwrap();
    assert_eq!(ids(&index.search(&query(None)).await.unwrap().hits), vec![3]);
    assert_eq!(index.checkpoint().await.unwrap(), 15);

    // A commit with nothing to index still moves the checkpoint.
    index.commit(Vec::new(), Vec::new(), 16).await.unwrap();
    assert_eq!(index.checkpoint().await.unwrap(), 16);

    index.reset().await.unwrap();
    assert_eq!(index.checkpoint().await.unwrap(), 0);
    assert!(index.search(&query(None)).await.unwrap().hits.is_empty());
}
