//! The listing-search contract: what both adapters find, filter, sort and suggest.

use std::time::Duration;

use jangteo_domain::{AccountId, CategoryId, Money, listing::GeoPoint};
use jangteo_read_models::{
    ListingDocument, ListingSearch, ListingStatusView, Nearby, SearchQuery, SearchSort, Suggestion,
    SuggestionSource,
};
use uuid::Uuid;

use crate::fixtures::listing;

pub fn query(text: Option<&str>) -> SearchQuery {
    SearchQuery { text: text.map(str::to_owned), limit: 10, ..SearchQuery::default() }
}

pub fn ids(hits: &[ListingDocument]) -> Vec<u128> {
    hits.iter().map(|hit| hit.listing_id.as_uuid().as_u128()).collect()
}

async fn found(index: &dyn ListingSearch, query: &SearchQuery) -> Vec<u128> {
    ids(&index.search(query).await.unwrap().hits)
}

async fn found_sorted(index: &dyn ListingSearch, text: &str) -> Vec<u128> {
    let mut found = found(index, &query(Some(text))).await;
    found.sort_unstable();
    found
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
    assert_eq!(found_sorted(index, "아이폰").await, vec![1, 3]);
    assert_eq!(found(index, &query(None)).await, vec![3, 2, 1]);
    let sold = SearchQuery { statuses: vec![ListingStatusView::Sold], ..query(Some("아이폰")) };
    assert_eq!(found(index, &sold).await, vec![4]);
    let either =
        SearchQuery { statuses: vec![ListingStatusView::Sold, ListingStatusView::Draft], ..query(None) };
    assert_eq!(found(index, &either).await, vec![5, 4]);

    // Inclusive price bounds.
    let priced = SearchQuery {
        min_price: Some(Money::won(10_000).unwrap()),
        max_price: Some(Money::won(800_000).unwrap()),
        ..query(None)
    };
    assert_eq!(found(index, &priced).await, vec![3, 2]);

    // Paging.
    let first = index.search(&SearchQuery { limit: 2, ..query(None) }).await.unwrap();
    assert_eq!((ids(&first.hits), first.has_more), (vec![3, 2], true));
    let second = index.search(&SearchQuery { limit: 2, offset: 2, ..query(None) }).await.unwrap();
    assert_eq!((ids(&second.hits), second.has_more), (vec![1], false));
    assert!(first.distances_km.is_empty(), "distances only with a centre");

    // Text a person types is never a syntax error.
    assert!(index.search(&query(Some("아이폰 AND ( \"unclosed"))).await.is_ok());

    // Hits are the stored documents, whole.
    let hits = index.search(&query(Some("갤럭시"))).await.unwrap().hits;
    assert_eq!(hits, vec![listings[1].clone()]);

    // Upserts replace, deletes remove, and the checkpoint moves with them.
    let withdrawn =
        ListingDocument { status: ListingStatusView::Withdrawn, version: 3, ..listings[0].clone() };
    index.commit(vec![withdrawn], vec![listings[1].listing_id], 15).await.unwrap();
    assert_eq!(found(index, &query(None)).await, vec![3]);
    assert_eq!(index.checkpoint().await.unwrap(), 15);

    // A commit with nothing to index still moves the checkpoint.
    index.commit(Vec::new(), Vec::new(), 16).await.unwrap();
    assert_eq!(index.checkpoint().await.unwrap(), 16);

    index.reset().await.unwrap();
    assert_eq!(index.checkpoint().await.unwrap(), 0);
    assert!(index.search(&query(None)).await.unwrap().hits.is_empty());
}

/// Korean text: compounds, spacing, 초성, typos, brand names in either script, particles.
pub async fn korean(index: &dyn ListingSearch) {
    let listings = vec![
        listing(1, "아이폰15프로맥스 256GB", 1_200_000, ListingStatusView::OnSale),
        listing(2, "접이식자전거 20인치", 150_000, ListingStatusView::OnSale),
        listing(3, "iPhone 14 Pro 128GB", 800_000, ListingStatusView::OnSale),
        listing(4, "캠핑 의자 2개", 40_000, ListingStatusView::OnSale),
        listing(5, "갤럭시 S24 울트라", 900_000, ListingStatusView::OnSale),
        listing(6, "닌텐도 스위치 OLED", 300_000, ListingStatusView::OnSale),
        listing(7, "에어팟 프로 2세대", 200_000, ListingStatusView::OnSale),
    ];
    index.commit(listings, Vec::new(), 7).await.unwrap();

    // A word inside a compound, and a brand in the other script.
    assert_eq!(found_sorted(index, "아이폰").await, vec![1, 3]);
    assert_eq!(found_sorted(index, "iphone").await, vec![1, 3]);
    assert_eq!(found_sorted(index, "자전거").await, vec![2]);
    assert_eq!(found_sorted(index, "bike").await, vec![2]);
    assert_eq!(found_sorted(index, "프로맥스").await, vec![1]);
    assert_eq!(found_sorted(index, "iphone 15 pro max").await, vec![1]);
    assert_eq!(found_sorted(index, "nintendo switch").await, vec![6]);
    assert_eq!(found_sorted(index, "airpods").await, vec![7]);
    // Spacing either way.
    assert_eq!(found_sorted(index, "캠핑의자").await, vec![4]);
    assert_eq!(found_sorted(index, "접이식 자전거").await, vec![2]);
    assert_eq!(found_sorted(index, "에어 팟").await, vec![7]);
    assert_eq!(found_sorted(index, "갤럭시s24").await, vec![5]);
    // 초성.
    assert_eq!(found_sorted(index, "ㅇㅇㅍ").await, vec![1, 7], "아이폰 and 에어팟");
    assert_eq!(found_sorted(index, "ㅈㅈㄱ").await, vec![2]);
    assert_eq!(found_sorted(index, "ㄴㅌㄷ ㅅㅇㅊ").await, vec![6]);
    // One keystroke off, on words of 4+ keystrokes; the exact match ranks first.
    assert_eq!(found_sorted(index, "닌텐더").await, vec![6]);
    assert_eq!(found_sorted(index, "자전가").await, vec![2]);
    assert_eq!(found_sorted(index, "갤럭사").await, vec![5]);
    assert_eq!(found_sorted(index, "iphnoe").await, vec![1, 3]);
    // A particle.
    assert_eq!(found_sorted(index, "자전거를").await, vec![2]);
    // Nothing for what is in no title.
    assert!(found_sorted(index, "냉장고").await.is_empty());
    index.reset().await.unwrap();
}

fn at(lat: f64, lng: f64) -> GeoPoint {
    GeoPoint::new(lat, lng).unwrap()
}

/// Category, seller and radius filters; the sort orders; distances.
pub async fn filters_and_sorts(index: &dyn ListingSearch) {
    let city_hall = at(37.5665, 126.978);
    let other_seller = AccountId::from_uuid(Uuid::from_u128(2000));
    let bikes = CategoryId::parse("sports/bicycles").unwrap();
    let located = |n, title: &str, price, point: Option<GeoPoint>| ListingDocument {
        location: point,
        ..listing(n, title, price, ListingStatusView::OnSale)
    };
    let listings = vec![
        // About 0.5 km, 3 km and 12 km from city hall; one without a location.
        located(1, "자전거 팝니다", 100_000, Some(at(37.5665, 126.9837))),
        located(2, "자전거 팔아요", 50_000, Some(at(37.5665, 127.0120))),
        ListingDocument {
            category_id: Some(bikes.clone()),
            seller_id: other_seller,
            ..located(3, "로드자전거", 700_000, Some(at(37.6745, 126.978)))
        },
        ListingDocument { category_id: Some(bikes.clone()), ..located(4, "아이폰 15", 900_000, None) },
        // Listed first, bumped last: the newest.
        ListingDocument {
            bumped_position: Some(50),
            bumped_at: Some(chrono::DateTime::from_timestamp(1_790_000_100, 0).unwrap()),
            ..located(5, "캠핑 의자", 30_000, Some(at(37.5665, 126.9780)))
        },
    ];
    index.commit(listings, Vec::new(), 50).await.unwrap();

    assert_eq!(found(index, &query(None)).await, vec![5, 4, 3, 2, 1], "a bump moves a listing up");
    let newest = SearchQuery { sort: SearchSort::Newest, ..query(Some("자전거")) };
    assert_eq!(found(index, &newest).await, vec![3, 2, 1]);

    let in_category = SearchQuery { category_ids: vec![bikes.clone()], ..query(None) };
    assert_eq!(found(index, &in_category).await, vec![4, 3]);
    let either = SearchQuery {
        category_ids: vec![bikes, CategoryId::parse("digital/phones").unwrap()],
        ..query(None)
    };
    assert_eq!(found(index, &either).await, vec![5, 4, 3, 2, 1]);
    let by_seller = SearchQuery { seller: Some(other_seller), ..query(None) };
    assert_eq!(found(index, &by_seller).await, vec![3]);

    let cheapest = SearchQuery { sort: SearchSort::PriceAsc, ..query(None) };
    assert_eq!(found(index, &cheapest).await, vec![5, 2, 1, 3, 4]);
    let dearest = SearchQuery { sort: SearchSort::PriceDesc, ..query(None) };
    assert_eq!(found(index, &dearest).await, vec![4, 3, 1, 2, 5]);

    // Within 5 km, closest first, with the distances; a listing without a location is never near.
    let near = |radius_km| Some(Nearby { center: city_hall, radius_km });
    let closest = SearchQuery { near: near(5.0), sort: SearchSort::Distance, ..query(None) };
    let page = index.search(&closest).await.unwrap();
    assert_eq!(ids(&page.hits), vec![5, 1, 2]);
    assert_eq!(page.distances_km.len(), 3);
    assert!(page.distances_km[0] < 0.01, "{:?}", page.distances_km);
    assert!((page.distances_km[1] - 0.5).abs() < 0.1, "{:?}", page.distances_km);
    assert!((page.distances_km[2] - 3.0).abs() < 0.2, "{:?}", page.distances_km);
    let wider = SearchQuery { near: near(20.0), sort: SearchSort::Distance, ..query(Some("자전거")) };
    assert_eq!(found(index, &wider).await, vec![1, 2, 3]);
    let tight = SearchQuery { near: near(0.3), ..query(None) };
    assert_eq!(found(index, &tight).await, vec![5]);
    // By relevance, equally good matches rank by distance.
    let relevant = SearchQuery { near: near(5.0), ..query(Some("자전거")) };
    assert_eq!(found(index, &relevant).await, vec![1, 2]);
    index.reset().await.unwrap();
}

fn texts(suggestions: &[Suggestion]) -> Vec<&str> {
    suggestions.iter().map(|suggestion| suggestion.text.as_str()).collect()
}

/// Autocomplete from on-sale titles and popular past queries.
pub async fn suggestions(index: &dyn ListingSearch) {
    let listings = vec![
        listing(1, "아이폰 15 프로", 900_000, ListingStatusView::OnSale),
        listing(2, "아이폰 케이스", 10_000, ListingStatusView::OnSale),
        listing(3, "아이패드 미니", 400_000, ListingStatusView::OnSale),
        listing(4, "접이식자전거", 150_000, ListingStatusView::OnSale),
        listing(5, "아이스박스", 20_000, ListingStatusView::Sold),
    ];
    index.commit(listings, Vec::new(), 5).await.unwrap();

    let typed = index.suggest("아이", 10).await.unwrap();
    assert!(texts(&typed).contains(&"아이폰") && texts(&typed).contains(&"아이패드"), "{typed:?}");
    assert!(!texts(&typed).contains(&"아이스박스"), "only on-sale titles complete: {typed:?}");
    let first = &typed[0];
    assert_eq!((first.text.as_str(), first.source), ("아이폰", SuggestionSource::Title), "two titles");
    // Half a syllable typed, initials, a word inside a compound, words before the typed part.
    assert!(texts(&index.suggest("아이ㅍ", 10).await.unwrap()).contains(&"아이폰"));
    assert!(texts(&index.suggest("ㅇㅇㅍ", 10).await.unwrap()).contains(&"아이폰"));
    assert!(texts(&index.suggest("자저", 10).await.unwrap()).contains(&"자전거"));
    assert_eq!(texts(&index.suggest("아이폰 ㅋ", 10).await.unwrap()), vec!["아이폰 케이스"]);
    assert_eq!(index.suggest("아이", 1).await.unwrap().len(), 1);
    assert!(index.suggest("  ", 10).await.unwrap().is_empty());

    // A query searched twice is suggested, whatever its case and spacing; once is not enough.
    index.record_query("갤럭시  S24").await.unwrap();
    index.record_query("갤럭시 s24").await.unwrap();
    index.record_query("갤럭시 폴드").await.unwrap();
    let mut popular = Vec::new();
    for _ in 0..20 {
        popular = index.suggest("갤럭", 10).await.unwrap();
        if !popular.is_empty() {
            break;
        }
        // Elasticsearch shows new documents to searches after a refresh.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(texts(&popular), vec!["갤럭시 s24"]);
    assert_eq!(popular[0].source, SuggestionSource::Query);
    // The history is no projection: a reset keeps it.
    index.reset().await.unwrap();
    assert_eq!(texts(&index.suggest("ㄱㄹ", 10).await.unwrap()), vec!["갤럭시 s24"]);
}
