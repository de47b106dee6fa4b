//! Search quality on the labelled set in `benches/search-quality` (what it is and how it is
//! labelled: its README): every title into a tantivy index, every query searched, recall@10
//! and precision@10 per kind of query printed (`--nocapture`), and generous floors asserted
//! that only a broken analyzer would miss. The figures are in docs/search.md.
//!
//! recall@10 = relevant listings among the first 10 / min(10, relevant listings);
//! precision@10 = relevant listings among the first 10 / listings returned (at most 10), 0 when
//! nothing is returned.

use std::{collections::BTreeMap, path::PathBuf, time::Instant};

use jangteo_domain::CategoryId;
use jangteo_read_models::{
    ListingDocument, ListingSearch, ListingStatusView, tantivy_search::TantivyListingSearch,
};
use serde::Deserialize;

use crate::{fixtures::listing, search};

#[derive(Deserialize)]
struct Labelled {
    id: u128,
    title: String,
    category: String,
}

#[derive(Deserialize)]
struct LabelledQuery {
    query: String,
    kind: String,
    relevant: Vec<u128>,
}

fn lines<T: for<'a> Deserialize<'a>>(name: &str) -> Vec<T> {
    let path: PathBuf =
        [env!("CARGO_MANIFEST_DIR"), "..", "..", "benches", "search-quality", name].iter().collect();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[derive(Default)]
struct Sums {
    queries: usize,
    recall: f64,
    precision: f64,
    misses: Vec<String>,
}

#[tokio::test]
async fn search_quality() {
    let corpus: Vec<Labelled> = lines("corpus.jsonl");
    let queries: Vec<LabelledQuery> = lines("queries.jsonl");
    let documents: Vec<ListingDocument> = corpus
        .iter()
        .map(|labelled| ListingDocument {
            description: String::new(),
            category_id: CategoryId::parse(&labelled.category).ok(),
            ..listing(labelled.id, &labelled.title, 10_000, ListingStatusView::OnSale)
        })
        .collect();
    let index = TantivyListingSearch::in_ram().unwrap();
    index.commit(documents, Vec::new(), 1).await.unwrap();

    let mut by_kind: BTreeMap<String, Sums> = BTreeMap::new();
    let mut slowest = std::time::Duration::ZERO;
    let started = Instant::now();
    for labelled in &queries {
        let asked = Instant::now();
        let hits = search::ids(&index.search(&search::query(Some(&labelled.query))).await.unwrap().hits);
        slowest = slowest.max(asked.elapsed());
        let relevant_found = hits.iter().filter(|id| labelled.relevant.contains(id)).count();
        #[allow(clippy::cast_precision_loss, reason = "small counts")]
        let (recall, precision) = (
            relevant_found as f64 / labelled.relevant.len().min(10) as f64,
            if hits.is_empty() { 0.0 } else { relevant_found as f64 / hits.len() as f64 },
        );
        for kind in [labelled.kind.as_str(), "all"] {
            let sums = by_kind.entry(kind.to_owned()).or_default();
            sums.queries += 1;
            sums.recall += recall;
            sums.precision += precision;
            if kind != "all" && recall < 0.5 {
                sums.misses
                    .push(format!("{} (recall {recall:.2}, precision {precision:.2})", labelled.query));
            }
        }
    }
    let elapsed = started.elapsed();

    println!("search quality on {} listings, {} queries (tantivy):", corpus.len(), queries.len());
    println!("{:<10} {:>7} {:>10} {:>13}", "kind", "queries", "recall@10", "precision@10");
    let mut means = BTreeMap::new();
    for (kind, sums) in &by_kind {
        #[allow(clippy::cast_precision_loss, reason = "small counts")]
        let (recall, precision) = (sums.recall / sums.queries as f64, sums.precision / sums.queries as f64);
        println!("{kind:<10} {:>7} {recall:>10.3} {precision:>13.3}", sums.queries);
        if !sums.misses.is_empty() {
            println!("           recall below 0.5: {}", sums.misses.join(", "));
        }
        means.insert(kind.clone(), (recall, precision));
    }
    println!(
        "{} searches in {:.1} ms (debug build), slowest {:.2} ms",
        queries.len(),
        elapsed.as_secs_f64() * 1000.0,
        slowest.as_secs_f64() * 1000.0
    );

    // Autocomplete: every query's first one, two and three syllables (or letters), after each
    // query was searched twice, so both sources answer.
    for labelled in &queries {
        index.record_query(&labelled.query).await.unwrap();
        index.record_query(&labelled.query).await.unwrap();
    }
    let prefixes: Vec<String> = queries
        .iter()
        .flat_map(|labelled| (1..=3).map(|n| labelled.query.chars().take(n).collect::<String>()))
        .collect();
    let mut slowest = std::time::Duration::ZERO;
    let started = Instant::now();
    let mut answered = 0;
    for prefix in &prefixes {
        let asked = Instant::now();
        if !index.suggest(prefix, 10).await.unwrap().is_empty() {
            answered += 1;
        }
        slowest = slowest.max(asked.elapsed());
    }
    #[allow(clippy::cast_precision_loss, reason = "small counts")]
    let mean = started.elapsed().as_secs_f64() * 1000.0 / prefixes.len() as f64;
    println!(
        "{} suggestions ({answered} non-empty): mean {mean:.2} ms, slowest {:.2} ms (debug build)",
        prefixes.len(),
        slowest.as_secs_f64() * 1000.0
    );

    // Floors a working analyzer clears with room; an analyzer that lost bigrams, 초성, typos or
    // synonyms falls through one of them.
    let (recall, precision) = means["all"];
    assert!(recall >= 0.8, "overall recall@10 {recall:.3}");
    assert!(precision >= 0.7, "overall precision@10 {precision:.3}");
    for kind in ["plain", "compound", "spacing", "choseong", "typo", "brand"] {
        let (recall, _) = means[kind];
        assert!(recall >= 0.6, "{kind} recall@10 {recall:.3}");
    }
}
