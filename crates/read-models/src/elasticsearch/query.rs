//! A [`SearchQuery`] as an Elasticsearch request body: the Korean match tree over the search
//! fields (the same tree the tantivy index runs), filters in `filter` context (`geo_distance`
//! for the radius), `function_score` for freshness and distance, and the sort orders
//! (`_geo_distance` for closest first).

use jangteo_korean_text::{self as korean, Match};
use serde_json::{Value, json};

use super::mapping::SEARCH_FIELDS;
use crate::{SearchQuery, SearchSort, search::ranking};

/// As in the tantivy index: a description match, a typo-tolerant match, a 초성 match.
const DESCRIPTION_BOOST: f64 = 0.3;
const FUZZY_BOOST: f64 = 0.4;
const CHOSEONG_BOOST: f64 = 1.0;
/// A match by the `korean` analyzer (nori's morphology, or cjk bigrams), beside the bigrams.
const ANALYZER_BOOST: f64 = 0.5;

/// The Korean match tree over the title and description search fields.
pub(super) fn text(tree: &Match) -> Value {
    match tree {
        Match::All(branches) => json!({ "bool": { "must": branches.iter().map(text).collect::<Vec<_>>() } }),
        Match::Any(branches) => json!({ "bool": {
            "should": branches.iter().map(text).collect::<Vec<_>>(),
            "minimum_should_match": 1,
        } }),
        Match::Choseong(initials) => {
            json!({ "term": { "title_choseong": { "value": initials, "boost": CHOSEONG_BOOST } } })
        }
        Match::Term(term) => {
            let grams = |field: &str| -> Vec<Value> {
                term.grams.iter().map(|gram| json!({ "term": { field: gram } })).collect()
            };
            let mut title = json!({ "bool": { "must": grams("title_terms") } });
            if !term.grams.contains(&term.word) {
                title["bool"]["should"] = json!([{ "term": { "title_terms": term.word } }]);
            }
            let mut ways = vec![
                title,
                json!({ "bool": { "must": grams("description_terms"), "boost": DESCRIPTION_BOOST } }),
                json!({ "match": { "title": {
                    "query": term.word, "operator": "and", "boost": ANALYZER_BOOST
                } } }),
            ];
            if let Some(keys) = &term.fuzzy {
                ways.push(json!({ "fuzzy": { "title_keys": {
                    "value": keys, "fuzziness": 1, "transpositions": true, "boost": FUZZY_BOOST
                } } }));
            }
            json!({ "bool": { "should": ways, "minimum_should_match": 1 } })
        }
    }
}

fn filters(query: &SearchQuery) -> Vec<Value> {
    let statuses: Vec<&str> = query.statuses.iter().map(|status| status.as_str()).collect();
    let mut filters = vec![json!({ "terms": { "status": statuses } })];
    if query.min_price.is_some() || query.max_price.is_some() {
        let mut range = serde_json::Map::new();
        if let Some(min) = query.min_price {
            range.insert("gte".to_owned(), json!(min.as_won()));
        }
        if let Some(max) = query.max_price {
            range.insert("lte".to_owned(), json!(max.as_won()));
        }
        filters.push(json!({ "range": { "price": range } }));
    }
    if !query.category_ids.is_empty() {
        let categories: Vec<&str> =
            query.category_ids.iter().map(jangteo_domain::CategoryId::as_str).collect();
        filters.push(json!({ "terms": { "category_id": categories } }));
    }
    if let Some(seller) = query.seller {
        filters.push(json!({ "term": { "seller_id": seller.to_string() } }));
    }
    if let Some(near) = query.near {
        filters.push(json!({ "geo_distance": {
            "distance": format!("{}km", near.radius_km),
            "geo": { "lat": near.center.lat(), "lon": near.center.lng() },
        } }));
    }
    filters
}

/// The search request body for `query`.
pub(super) fn body(query: &SearchQuery) -> Value {
    let tree = query.text.as_deref().and_then(korean::parse_query);
    let sort = match query.sort {
        SearchSort::Relevance if tree.is_none() => SearchSort::Newest,
        SearchSort::Distance if query.near.is_none() => SearchSort::Newest,
        sort => sort,
    };
    let mut bool_query = json!({ "filter": filters(query) });
    if let Some(tree) = &tree {
        bool_query["must"] = json!([text(tree)]);
    }
    let mut search = json!({ "bool": bool_query });
    let newest = json!({ "listed_position": "desc" });
    let sort = match sort {
        SearchSort::Relevance => {
            search = function_score(&search, query);
            json!(["_score", newest])
        }
        SearchSort::Newest => json!([newest]),
        SearchSort::Distance => {
            let center = query.near.map(|near| json!({ "lat": near.center.lat(), "lon": near.center.lng() }));
            json!([{ "_geo_distance": { "geo": center, "order": "asc", "unit": "km" } }, newest])
        }
        SearchSort::PriceAsc => json!([{ "price": "asc" }, newest]),
        SearchSort::PriceDesc => json!([{ "price": "desc" }, newest]),
    };
    json!({
        "from": query.offset,
        "size": query.limit + 1,
        "query": search,
        "sort": sort,
        "_source": { "excludes": SEARCH_FIELDS },
        "track_total_hits": false,
    })
}

/// Relevance times [`ranking::factor`]: `1 + freshness + closeness`, each a decay function.
fn function_score(search: &Value, query: &SearchQuery) -> Value {
    let mut functions = vec![
        json!({ "filter": { "match_all": {} }, "weight": 1.0 }),
        json!({
            "exp": { "listed_at": {
                "origin": "now",
                "scale": format!("{}d", ranking::FRESHNESS_HALF_LIFE_DAYS),
                "decay": 0.5,
            } },
            "weight": ranking::FRESHNESS_WEIGHT,
        }),
    ];
    if let Some(near) = query.near {
        functions.push(json!({
            "exp": { "geo": {
                "origin": { "lat": near.center.lat(), "lon": near.center.lng() },
                "scale": format!("{}km", near.radius_km.max(0.001)),
                "decay": 0.5,
            } },
            "weight": ranking::DISTANCE_WEIGHT,
        }));
    }
    json!({ "function_score": {
        "query": search,
        "functions": functions,
        "score_mode": "sum",
        "boost_mode": "multiply",
    } })
}

#[cfg(test)]
mod tests {
    use jangteo_domain::{Money, listing::GeoPoint};

    use super::*;
    use crate::{ListingStatusView, Nearby};

    #[test]
    fn text_queries_rank_by_score_and_filter_by_status_and_price() {
        let query = SearchQuery {
            text: Some("자전거".to_owned()),
            min_price: Money::won(10_000).ok(),
            limit: 20,
            offset: 40,
            ..SearchQuery::default()
        };
        let body = body(&query);
        assert_eq!(body["size"], 21, "one more than the page tells whether more follow");
        assert_eq!(body["from"], 40);
        let scored = &body["query"]["function_score"];
        let inner = &scored["query"]["bool"];
        let ways = &inner["must"][0]["bool"]["should"];
        assert_eq!(ways[0]["bool"]["should"][0]["bool"]["must"][0]["term"]["title_terms"], "자전");
        assert_eq!(inner["filter"][0]["terms"]["status"], json!(["on_sale"]));
        assert_eq!(inner["filter"][1]["range"]["price"], json!({ "gte": 10_000 }));
        assert_eq!(scored["functions"].as_array().map(Vec::len), Some(2));
        assert_eq!(body["sort"][0], "_score");
    }

    #[test]
    fn without_text_listings_come_newest_first() {
        let query = SearchQuery {
            statuses: vec![ListingStatusView::OnSale, ListingStatusView::Sold],
            ..SearchQuery::default()
        };
        let body = body(&query);
        assert!(body["query"]["bool"].get("must").is_none());
        assert_eq!(body["sort"], json!([{ "listed_position": "desc" }]));
        assert_eq!(body["query"]["bool"]["filter"].as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn a_radius_filters_by_geo_distance_and_sorts_by_it() {
        let Ok(center) = GeoPoint::new(37.5665, 126.978) else { return };
        let query = SearchQuery {
            near: Some(Nearby { center, radius_km: 3.0 }),
            sort: SearchSort::Distance,
            ..SearchQuery::default()
        };
        let body = body(&query);
        let geo = &body["query"]["bool"]["filter"][1]["geo_distance"];
        assert_eq!(geo["distance"], "3km");
        assert_eq!(geo["geo"], json!({ "lat": 37.567, "lon": 126.978 }));
        assert_eq!(body["sort"][0]["_geo_distance"]["order"], "asc");
    }

    #[test]
    fn choseong_asks_the_initials_field() {
        let Some(tree) = korean::parse_query("ㅇㅇㅍ") else { return };
        assert_eq!(text(&tree), json!({ "term": { "title_choseong": { "value": "ㅇㅇㅍ", "boost": 1.0 } } }));
    }
}
