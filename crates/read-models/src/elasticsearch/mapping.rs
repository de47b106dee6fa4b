//! Index settings and mappings, and the indexed form of a listing.
//!
//! A listing is indexed as its document plus search fields that `jangteo-korean-text` computes,
//! the same analysis the tantivy index runs, so both find the same listings:
//! - `title_terms`, `description_terms`: words, Hangul syllable bigrams (bridging spaces),
//!   unigrams of one-syllable words, whole compounds, joined by spaces (`whitespace` analyzer);
//! - `title_keys`: the title's words as keystrokes (jamo) and their suffixes from each later
//!   syllable, cut into edge n-grams by the `korean_edge` analyzer; `title_choseong` likewise
//!   with initials. One difference from tantivy: the edge n-grams of a later syllable's suffix
//!   start at one keystroke here, at two there (tantivy's analysis is all in Rust); it only ever
//!   widens a fuzzy or autocomplete match by a single-jamo infix;
//! - `geo` (`geo_point`, from `location`), `listed_position` and `listed_at` (the bump included).
//!
//! Title and description also go through the `korean` analyzer: `nori` (Korean morphological
//! analysis, from the `analysis-nori` plugin) on the real Elasticsearch, so "아이폰을" finds
//! "아이폰" by the morphology too, or the built-in `cjk` bigrams where nori is missing (the
//! OpenSearch stand-in the tests run). The mapping is strict: a field the code does not know is
//! an error, not a silently guessed type.

use jangteo_korean_text as korean;
use serde_json::{Value, json};

use super::TextAnalyzer;
use crate::{ListingDocument, ReadModelError};

/// The longest edge n-gram, in keystrokes, as in the tantivy index.
const MAX_GRAM: usize = korean::MAX_GRAM;

/// The fields of the indexed form that are not the document's: left out of `_source` on reads.
pub(super) const SEARCH_FIELDS: [&str; 7] = [
    "title_terms",
    "description_terms",
    "title_keys",
    "title_choseong",
    "geo",
    "listed_position",
    "listed_at",
];

pub(super) fn listings(analyzer: TextAnalyzer) -> Value {
    let korean = match analyzer {
        TextAnalyzer::Nori => json!({
            "type": "custom",
            "tokenizer": "nori_tokenizer",
            "filter": ["nori_readingform", "lowercase", "nori_part_of_speech"]
        }),
        TextAnalyzer::Cjk => json!({ "type": "cjk" }),
    };
    json!({
        "settings": {
            "analysis": {
                "filter": {
                    "korean_edge": { "type": "edge_ngram", "min_gram": 1, "max_gram": MAX_GRAM }
                },
                "analyzer": {
                    "korean": korean,
                    "korean_edge": { "type": "custom", "tokenizer": "whitespace", "filter": ["korean_edge"] }
                }
            }
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "listing_id": { "type": "keyword" },
                "seller_id": { "type": "keyword" },
                "title": { "type": "text", "analyzer": "korean" },
                "description": { "type": "text", "analyzer": "korean" },
                "price": { "type": "long" },
                "category_id": { "type": "keyword" },
                "status": { "type": "keyword" },
                "version": { "type": "long" },
                "created_position": { "type": "long" },
                "created_at": { "type": "date" },
                "updated_at": { "type": "date" },
                "quantity": { "type": "integer" },
                "available": { "type": "integer" },
                "images": { "type": "object", "enabled": false },
                "location": {
                    "properties": { "lat": { "type": "double" }, "lng": { "type": "double" } }
                },
                "neighbourhood": { "type": "keyword" },
                "bumped_at": { "type": "date" },
                "bumped_position": { "type": "long" },
                "review": { "type": "object", "enabled": false },
                "title_terms": { "type": "text", "analyzer": "whitespace" },
                "description_terms": { "type": "text", "analyzer": "whitespace" },
                "title_keys": { "type": "text", "analyzer": "korean_edge", "search_analyzer": "whitespace" },
                "title_choseong": { "type": "text", "analyzer": "korean_edge", "search_analyzer": "whitespace" },
                "geo": { "type": "geo_point" },
                "listed_position": { "type": "long" },
                "listed_at": { "type": "date" }
            }
        }
    })
}

/// The search history: one document per normalised query, its id the query itself.
pub(super) fn queries() -> Value {
    json!({
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "query": { "type": "keyword" },
                "keys": { "type": "keyword" },
                "choseong": { "type": "keyword" },
                "count": { "type": "long" }
            }
        }
    })
}

pub(super) fn checkpoint() -> Value {
    json!({
        "mappings": {
            "dynamic": "strict",
            "properties": { "position": { "type": "long" } }
        }
    })
}

/// What is indexed of `document`: the document and the search fields.
pub(super) fn source(document: &ListingDocument) -> Result<Value, ReadModelError> {
    let mut source = serde_json::to_value(document)
        .map_err(|error| ReadModelError::Corrupt(format!("encoding a listing: {error}")))?;
    let Some(fields) = source.as_object_mut() else {
        return Err(ReadModelError::Corrupt("a listing did not encode as an object".to_owned()));
    };
    fields.insert("title_terms".to_owned(), json!(korean::text_terms(&document.title).join(" ")));
    fields.insert("description_terms".to_owned(), json!(korean::text_terms(&document.description).join(" ")));
    fields.insert("title_keys".to_owned(), json!(korean::keystroke_words(&document.title).join(" ")));
    fields.insert("title_choseong".to_owned(), json!(korean::choseong_words(&document.title).join(" ")));
    if let Some(location) = document.location {
        fields.insert("geo".to_owned(), json!({ "lat": location.lat(), "lon": location.lng() }));
    }
    fields.insert("listed_position".to_owned(), json!(document.listed_position()));
    let listed_at = document.bumped_at.unwrap_or(document.created_at).max(document.created_at);
    fields.insert("listed_at".to_owned(), json!(listed_at));
    Ok(source)
}
