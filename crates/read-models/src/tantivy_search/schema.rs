//! The listing index schema, and the Korean tokenizers its text fields are analysed with.
//!
//! Tokenizers are not stored in the index: [`register_tokenizers`] runs on every open.

use jangteo_korean_text as korean;
use tantivy::{
    Index, TantivyDocument,
    schema::{
        FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
    },
    tokenizer::{Token, TokenStream, Tokenizer},
};

use super::geo;
use crate::{BackendError, ListingDocument, ListingStatusView, ReadModelError};

pub(super) const LISTED_POSITION: &str = "listed_position";
pub(super) const LISTED_AT: &str = "listed_at";
pub(super) const PRICE: &str = "price";
pub(super) const LAT: &str = "lat";
pub(super) const LNG: &str = "lng";

/// Tokenizer names, as the schema refers to them.
const TEXT: &str = "korean_text";
const KEYSTROKES: &str = "korean_keystrokes";
const CHOSEONG: &str = "korean_choseong";

/// Between a completion key and its word in the completion fields: below every printable
/// character, so the terms of one key sort together.
pub(super) const COMPLETION_SEPARATOR: char = '\u{1}';

/// Handles of the schema's fields.
#[derive(Clone, Copy)]
pub(super) struct ListingFields {
    /// The update key: an upsert deletes by it, then adds.
    pub listing_id: Field,
    /// Words, Hangul syllable bigrams, unigrams of one-syllable words, whole compounds
    /// (`korean_text`); BM25 with term frequencies.
    pub title: Field,
    pub description: Field,
    /// Edge n-grams of the title's words as keystrokes, from every syllable: the one-edit fuzzy
    /// query runs against them.
    pub title_keys: Field,
    /// Edge n-grams of the title's 초성.
    pub title_choseong: Field,
    /// `keystrokes \u{1} word` for every word (and every suffix from a syllable on) of an
    /// on-sale listing's title: autocomplete scans the term dictionary by prefix, its document
    /// frequency is how many titles hold the word.
    pub completion_keys: Field,
    /// `초성 \u{1} word`, likewise.
    pub completion_choseong: Field,
    pub price: Field,
    pub status: Field,
    pub category: Field,
    pub seller: Field,
    /// [`ListingDocument::listed_position`]: newest first, bumps included.
    pub listed_position: Field,
    /// When it was listed or last bumped, in seconds: the freshness factor.
    pub listed_at: Field,
    pub lat: Field,
    pub lng: Field,
    /// H3 cells of the location at [`geo::RESOLUTIONS`].
    pub cells: Field,
    /// The whole document as JSON, so a hit needs no second lookup.
    pub document: Field,
}

fn analysed(tokenizer: &str, record: IndexRecordOption) -> TextOptions {
    TextOptions::default()
        .set_indexing_options(TextFieldIndexing::default().set_tokenizer(tokenizer).set_index_option(record))
}

pub(super) fn build() -> (Schema, ListingFields) {
    let mut builder = Schema::builder();
    let fields = ListingFields {
        listing_id: builder.add_text_field("listing_id", STRING | STORED),
        title: builder.add_text_field("title", analysed(TEXT, IndexRecordOption::WithFreqs)),
        description: builder.add_text_field("description", analysed(TEXT, IndexRecordOption::WithFreqs)),
        title_keys: builder.add_text_field("title_keys", analysed(KEYSTROKES, IndexRecordOption::Basic)),
        title_choseong: builder
            .add_text_field("title_choseong", analysed(CHOSEONG, IndexRecordOption::Basic)),
        completion_keys: builder.add_text_field("completion_keys", STRING),
        completion_choseong: builder.add_text_field("completion_choseong", STRING),
        price: builder.add_u64_field(PRICE, INDEXED | FAST),
        status: builder.add_text_field("status", STRING),
        category: builder.add_text_field("category", STRING),
        seller: builder.add_text_field("seller", STRING),
        listed_position: builder.add_u64_field(LISTED_POSITION, INDEXED | FAST),
        listed_at: builder.add_i64_field(LISTED_AT, FAST),
        lat: builder.add_f64_field(LAT, FAST),
        lng: builder.add_f64_field(LNG, FAST),
        cells: builder.add_u64_field("h3_cells", INDEXED),
        document: builder.add_text_field("document", STORED),
    };
    (builder.build(), fields)
}

/// Registers the Korean tokenizers the schema names with `index`.
pub(super) fn register_tokenizers(index: &Index) {
    let tokenizers = index.tokenizers();
    tokenizers.register(TEXT, KoreanTokenizer(korean::text_terms));
    tokenizers.register(KEYSTROKES, KoreanTokenizer(korean::keystroke_terms));
    tokenizers.register(CHOSEONG, KoreanTokenizer(korean::choseong_terms));
}

/// A tantivy tokenizer over one of `jangteo-korean-text`'s analyses. Terms carry no offsets
/// (nothing highlights) and one position each.
#[derive(Clone, Copy)]
pub(super) struct KoreanTokenizer(fn(&str) -> Vec<String>);

pub(super) struct Terms {
    terms: std::vec::IntoIter<String>,
    token: Token,
}

impl Tokenizer for KoreanTokenizer {
    type TokenStream<'a> = Terms;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Terms {
        Terms { terms: (self.0)(text).into_iter(), token: Token { position: usize::MAX, ..Token::default() } }
    }
}

impl TokenStream for Terms {
    fn advance(&mut self) -> bool {
        match self.terms.next() {
            Some(term) => {
                self.token.text = term;
                self.token.position = self.token.position.wrapping_add(1);
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// The completion terms of a title: `key \u{1} word` for every word part and every suffix of a
/// Hangul part from a syllable on, by keystrokes and by 초성.
pub(super) fn completion_terms(title: &str) -> (Vec<String>, Vec<String>) {
    let mut keys = Vec::new();
    let mut initials = Vec::new();
    for word in korean::words(title) {
        for part in &word.parts {
            let starts: Vec<usize> = match part.script {
                korean::Script::Hangul => part.text.char_indices().map(|(at, _)| at).collect(),
                _ => vec![0],
            };
            for start in starts {
                let suffix = &part.text[start..];
                keys.push(format!("{}{COMPLETION_SEPARATOR}{suffix}", korean::keystrokes(suffix)));
                let choseong = korean::choseong(suffix);
                if part.script == korean::Script::Hangul && !choseong.is_empty() {
                    initials.push(format!("{choseong}{COMPLETION_SEPARATOR}{suffix}"));
                }
            }
        }
    }
    keys.sort();
    keys.dedup();
    initials.sort();
    initials.dedup();
    (keys, initials)
}

impl ListingFields {
    pub(super) fn to_tantivy(self, document: &ListingDocument) -> Result<TantivyDocument, ReadModelError> {
        let json = serde_json::to_string(document).map_err(|error| {
            ReadModelError::Search(BackendError::new(format!("serializing a listing: {error}")))
        })?;
        let mut indexed = TantivyDocument::default();
        indexed.add_text(self.listing_id, document.listing_id.to_string());
        indexed.add_text(self.title, &document.title);
        indexed.add_text(self.description, &document.description);
        indexed.add_text(self.title_keys, &document.title);
        indexed.add_text(self.title_choseong, &document.title);
        // Only what is for sale is worth completing to.
        if document.status == ListingStatusView::OnSale {
            let (keys, initials) = completion_terms(&document.title);
            for key in keys {
                indexed.add_text(self.completion_keys, key);
            }
            for key in initials {
                indexed.add_text(self.completion_choseong, key);
            }
        }
        indexed.add_u64(self.price, u64::try_from(document.price.as_won()).unwrap_or(0));
        indexed.add_text(self.status, document.status.as_str());
        if let Some(category) = &document.category_id {
            indexed.add_text(self.category, category.as_str());
        }
        indexed.add_text(self.seller, document.seller_id.to_string());
        indexed.add_u64(self.listed_position, document.listed_position());
        indexed.add_i64(self.listed_at, listed_at(document).timestamp());
        if let Some(location) = document.location {
            indexed.add_f64(self.lat, location.lat());
            indexed.add_f64(self.lng, location.lng());
            for cell in geo::cells_of(location) {
                indexed.add_u64(self.cells, cell);
            }
        }
        indexed.add_text(self.document, json);
        Ok(indexed)
    }
}

/// When a listing was listed, or last bumped.
pub(super) fn listed_at(document: &ListingDocument) -> chrono::DateTime<chrono::Utc> {
    document.bumped_at.unwrap_or(document.created_at).max(document.created_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_terms_hold_every_suffix() {
        let (keys, initials) = completion_terms("접이식자전거 iPhone");
        assert!(keys.contains(&format!("ㅈㅏㅈㅓㄴㄱㅓ{COMPLETION_SEPARATOR}자전거")));
        assert!(keys.contains(&format!("iphone{COMPLETION_SEPARATOR}iphone")));
        assert!(initials.contains(&format!("ㅈㅇㅅㅈㅈㄱ{COMPLETION_SEPARATOR}접이식자전거")));
        assert!(!initials.iter().any(|term| term.contains("iphone")));
    }

    #[test]
    fn the_tokenizer_yields_the_analysis() {
        let mut tokenizer = KoreanTokenizer(korean::text_terms);
        let mut stream = tokenizer.token_stream("자전거 15");
        let mut seen = Vec::new();
        while stream.advance() {
            seen.push((stream.token().text.clone(), stream.token().position));
        }
        assert_eq!(
            seen,
            vec![("자전거".into(), 0), ("자전".into(), 1), ("전거".into(), 2), ("15".into(), 3)]
        );
    }
}
