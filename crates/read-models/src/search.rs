//! The listing search port: Korean-aware full text over title and description (words inside
//! compounds, spacing variants, 초성, one-keystroke typos, brand names in either script), with
//! filters on category, seller, price, status and distance, five sort orders, and autocomplete
//! from listing titles and popular past queries.
//!
//! Both adapters analyse text with `jangteo-korean-text`, so they find the same listings; how
//! they score them differs in detail (BM25 over different term statistics), never in which
//! listings match.

use async_trait::async_trait;
use jangteo_domain::{AccountId, CategoryId, ListingId, Money, listing::GeoPoint};

use crate::{ListingDocument, ListingStatusView, ReadModelError};

/// A search request.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    pub text: Option<String>,
    pub min_price: Option<Money>,
    pub max_price: Option<Money>,
    /// Listings in any of these statuses match; never empty (the API fills in the default).
    pub statuses: Vec<ListingStatusView>,
    /// Listings in any of these categories match; empty matches all. The application expands a
    /// category to its descendants before asking.
    pub category_ids: Vec<CategoryId>,
    /// Only this seller's listings.
    pub seller: Option<AccountId>,
    /// Only listings within a radius; listings without a location never match.
    pub near: Option<Nearby>,
    pub sort: SearchSort,
    pub limit: usize,
    pub offset: usize,
}

impl Default for SearchQuery {
    /// On-sale listings, newest first (relevance without text), 20 a page.
    fn default() -> Self {
        Self {
            text: None,
            min_price: None,
            max_price: None,
            statuses: vec![ListingStatusView::OnSale],
            category_ids: Vec::new(),
            seller: None,
            near: None,
            sort: SearchSort::Relevance,
            limit: 20,
            offset: 0,
        }
    }
}

/// A circle around a point: listings whose location is at most `radius_km` from `center`
/// (great-circle distance).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nearby {
    pub center: GeoPoint,
    pub radius_km: f64,
}

/// The order of the hits. Ties fall back to newest first, then to the listing id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SearchSort {
    /// Best match first: text relevance, raised for fresh listings and, with `near`, for close
    /// ones. Without text it is [`SearchSort::Newest`].
    #[default]
    Relevance,
    /// Newest first by [`ListingDocument::listed_position`], so a bump (끌올) moves a listing up.
    Newest,
    /// Closest first; without `near` it is [`SearchSort::Newest`].
    Distance,
    PriceAsc,
    PriceDesc,
}

/// One page of hits, and whether more follow.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage {
    pub hits: Vec<ListingDocument>,
    /// With `near`: each hit's distance from the centre in km, in the order of `hits`; empty
    /// without `near`.
    pub distances_km: Vec<f64>,
    pub has_more: bool,
}

/// One autocomplete proposal.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// What the search box would hold: the typed words with the last one completed.
    pub text: String,
    pub source: SuggestionSource,
    /// Higher is better: how many titles hold the completion, or how often the query was
    /// searched (a past query weighs more than a title, being what people actually look for).
    pub score: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestionSource {
    /// Completed from the words of listing titles.
    Title,
    /// A popular past query.
    Query,
}

impl SuggestionSource {
    pub fn as_str(self) -> &'static str {
        match self {
            SuggestionSource::Title => "title",
            SuggestionSource::Query => "query",
        }
    }
}

/// How many times a searched query counts against one title holding a completion.
pub const QUERY_WEIGHT: f64 = 2.0;

#[async_trait]
pub trait ListingSearch: Send + Sync + 'static {
    async fn search(&self, query: &SearchQuery) -> Result<SearchPage, ReadModelError>;

    /// Up to `limit` completions of `prefix` as typed so far (a keystroke prefix, so "아이ㅍ"
    /// and "아이포" complete to 아이폰; initials only complete by 초성), from the words of on-sale
    /// listings' titles and from popular past queries, best first.
    async fn suggest(&self, prefix: &str, limit: usize) -> Result<Vec<Suggestion>, ReadModelError>;

    /// Counts one search for `text` (normalised: case and spacing do not make another query),
    /// for [`ListingSearch::suggest`].
    async fn record_query(&self, text: &str) -> Result<(), ReadModelError>;

    /// The global position up to which the index reflects the log.
    async fn checkpoint(&self) -> Result<u64, ReadModelError>;

    /// Indexes (replacing by id) `upserts`, removes `deletes`, and stores `checkpoint`, atomically:
    /// after a crash the index and its checkpoint agree.
    async fn commit(
        &self,
        upserts: Vec<ListingDocument>,
        deletes: Vec<ListingId>,
        checkpoint: u64,
    ) -> Result<(), ReadModelError>;

    /// Empties the index and its checkpoint, so it can be rebuilt from 0. The query history is
    /// no projection of the log and stays.
    async fn reset(&self) -> Result<(), ReadModelError>;
}

/// The ranking factors both adapters apply on top of text relevance, so that their orders
/// agree where their scores do. The factor is a sum, as Elasticsearch's `function_score` sums
/// decay functions: `1 + 0.3 · 0.5^(age / 14 days) + 0.5 · 0.5^(distance / radius)`.
pub mod ranking {
    /// A listing listed (or bumped) now scores up to this much more than an old one.
    pub const FRESHNESS_WEIGHT: f64 = 0.3;
    /// The age at which the freshness boost has halved.
    pub const FRESHNESS_HALF_LIFE_DAYS: f64 = 14.0;
    /// With `near`, a listing at the centre scores up to this much more than a far one; the
    /// boost has halved at the edge of the circle.
    pub const DISTANCE_WEIGHT: f64 = 0.5;

    /// The factor of a listing `age_days` old and, with `near`, `distance_km` from the centre
    /// of a circle of `radius_km`.
    pub fn factor(age_days: f64, distance: Option<(f64, f64)>) -> f64 {
        let fresh = FRESHNESS_WEIGHT * 0.5_f64.powf(age_days.max(0.0) / FRESHNESS_HALF_LIFE_DAYS);
        let close = distance.map_or(0.0, |(distance_km, radius_km)| {
            DISTANCE_WEIGHT * 0.5_f64.powf(distance_km.max(0.0) / radius_km.max(0.001))
        });
        1.0 + fresh + close
    }
}

/// The suggestion text of a prefix and a completion: the typed text with its last, partly
/// typed, part replaced by the completion ("아이폰 15 프" + 프로 → "아이폰 15 프로").
pub(crate) fn completed_text(prefix: &str, typed_part: &str, completion: &str) -> String {
    let normalized = jangteo_korean_text::normalize_query(prefix);
    match normalized.strip_suffix(typed_part) {
        Some(head) => format!("{head}{completion}"),
        None => completion.to_owned(),
    }
}

/// What a typed prefix asks autocomplete for: the words before the last part (complete), and
/// the last part as keystrokes or initials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TypedPrefix {
    /// The complete words before the last part, as a query (`None` when there are none).
    pub head: Option<String>,
    /// The last part as typed (normalised).
    pub last: String,
    pub script: jangteo_korean_text::Script,
    /// The last part as keystrokes, or its initials when `choseong`.
    pub key: String,
    pub choseong: bool,
}

impl TypedPrefix {
    pub fn parse(prefix: &str) -> Option<Self> {
        let normalized = jangteo_korean_text::normalize_query(prefix);
        let words = jangteo_korean_text::words(&normalized);
        let last_word = words.last()?;
        let last = last_word.parts.last()?;
        // The words before the last part: what precedes its last occurrence (punctuation may
        // follow it, so it is not always a suffix).
        let head_len = normalized.rfind(last.text.as_str())?;
        let head = normalized.get(..head_len).unwrap_or_default().trim();
        let choseong = jangteo_korean_text::is_choseong(&last.text);
        let key = if choseong { last.text.clone() } else { jangteo_korean_text::keystrokes(&last.text) };
        Some(Self {
            head: (!head.is_empty()).then(|| head.to_owned()),
            last: last.text.clone(),
            script: last.script,
            key,
            choseong,
        })
    }

    /// The completion of the typed part within a title part, if the title part completes it.
    pub fn completion<'a>(&self, part: &'a jangteo_korean_text::Part) -> Option<&'a str> {
        jangteo_korean_text::completion(&part.text, part.script, &self.key, self.choseong)
    }
}

/// Merges title and query suggestions: one per text (the higher score, a query's source when
/// both), best first, then alphabetical, at most `limit`.
pub(crate) fn merge_suggestions(mut all: Vec<Suggestion>, limit: usize) -> Vec<Suggestion> {
    all.sort_by(|a, b| {
        b.score.total_cmp(&a.score).then_with(|| a.text.cmp(&b.text)).then_with(|| {
            // A query before a title of the same text and score.
            (a.source == SuggestionSource::Title).cmp(&(b.source == SuggestionSource::Title))
        })
    });
    let mut seen = std::collections::HashSet::new();
    all.retain(|suggestion| seen.insert(suggestion.text.clone()));
    all.truncate(limit);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_splits_into_complete_words_and_a_typed_part() {
        let typed = TypedPrefix::parse("아이폰 15 프").unwrap_or_else(|| panic!("a prefix"));
        assert_eq!(typed.head.as_deref(), Some("아이폰 15"));
        assert_eq!((typed.last.as_str(), typed.key.as_str(), typed.choseong), ("프", "ㅍㅡ", false));
        let initials = TypedPrefix::parse("ㅇㅇㅍ").unwrap_or_else(|| panic!("a prefix"));
        assert!(initials.choseong && initials.head.is_none());
        assert_eq!(TypedPrefix::parse("  "), None);
        // Punctuation after the last part, between multi-byte characters: no slicing inside one.
        let odd = TypedPrefix::parse("\u{9de8f}åû\u{35475})");
        assert!(odd.is_none_or(|typed| !typed.key.is_empty()));
        assert_eq!(completed_text("아이폰 15 프", "프", "프로"), "아이폰 15 프로");
        assert_eq!(completed_text("ㅇㅇㅍ", "ㅇㅇㅍ", "아이폰"), "아이폰");
    }

    #[test]
    fn suggestions_merge_by_text() {
        let title =
            |text: &str, score| Suggestion { text: text.into(), source: SuggestionSource::Title, score };
        let query =
            |text: &str, score| Suggestion { text: text.into(), source: SuggestionSource::Query, score };
        let merged =
            merge_suggestions(vec![title("아이폰", 3.0), query("아이폰", 4.0), title("아이패드", 1.0)], 5);
        assert_eq!(merged, vec![query("아이폰", 4.0), title("아이패드", 1.0)]);
        assert_eq!(merge_suggestions(vec![title("a", 1.0), title("b", 2.0)], 1), vec![title("b", 2.0)]);
    }

    #[test]
    fn ranking_factors() {
        assert!((ranking::factor(0.0, None) - 1.3).abs() < 1e-9);
        assert!((ranking::factor(14.0, None) - 1.15).abs() < 1e-9);
        assert!((ranking::factor(14.0, Some((5.0, 5.0))) - 1.4).abs() < 1e-9);
        assert!(ranking::factor(0.0, Some((0.0, 5.0))) > ranking::factor(0.0, Some((1.0, 5.0))));
    }
}
