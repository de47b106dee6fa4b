//! Hangul-aware text analysis for listing search, without a morphological dictionary.
//!
//! Pure functions of text, no IO: the search adapters (tantivy, Elasticsearch) index what
//! [`text_terms`], [`keystroke_terms`] and [`choseong_terms`] make of a title, and turn
//! [`parse_query`]'s [`Match`] tree into their own queries, so both find the same listings.
//!
//! - Words are split at spaces, punctuation and script changes ([`words`]): "아이폰15프로맥스" is
//!   아이폰 / 15 / 프로맥스, and the whole run is kept too.
//! - Hangul words are indexed as syllable bigrams, so a word is found inside a compound
//!   ("자전거" in "접이식자전거") and across a missing or extra space.
//! - Keystrokes ([`keystrokes`]): syllables decomposed into compatibility jamo, compound vowels
//!   and finals split, so one mistyped key is one edit; their edge n-grams serve autocomplete
//!   and one-edit fuzzy matching.
//! - 초성 ([`choseong`], [`is_choseong`]): "ㅇㅇㅍ" finds "아이폰".
//! - Synonyms ([`forms`]): brand names written in Hangul or Latin letters, applied at query time.

mod hangul;
mod query;
mod synonyms;
mod terms;
mod words;

pub use hangul::{
    choseong, compose, initial_of, is_choseong, is_consonant, is_hangul, is_syllable, keystrokes, syllable,
    syllable_parts,
};
pub use query::{FUZZY_MIN_KEYSTROKES, Match, Term, parse_query};
pub use synonyms::{forms, is_known, misspelt};
pub use terms::{
    MAX_GRAM, bigrams, choseong_terms, choseong_words, completion, keystroke_terms, keystroke_words,
    text_terms,
};
pub use words::{Part, Script, Word, normalize, normalize_query, words};
