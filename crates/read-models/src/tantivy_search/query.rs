//! A [`SearchQuery`] as a tantivy query: the Korean match tree over the text fields, and the
//! filters as clauses that match without scoring.

use jangteo_korean_text::{self as korean, Match};
use tantivy::{
    Searcher, Term,
    query::{
        BooleanQuery, BoostQuery, ConstScoreQuery, EnableScoring, FuzzyTermQuery, Occur, Query, QueryClone,
        TermQuery, TermSetQuery, Weight,
    },
    schema::IndexRecordOption,
};

use super::{
    candidates::{AnyOf, Candidates, Filters},
    geo,
    schema::ListingFields,
    skipping_union::SkippingUnion,
};
use crate::SearchQuery;

/// How much a match in the description weighs against one in the title.
const DESCRIPTION_BOOST: f32 = 0.3;
/// A typo-tolerant match is worth less than an exact one, so exact matches rank first.
const FUZZY_BOOST: f32 = 0.4;
/// A 초성 match: a constant, about one bigram's worth.
const CHOSEONG_BOOST: f32 = 1.0;
/// A word whose rarest syllable pair this many titles hold is taken as typed, and gets no
/// typo-tolerant match: one edit away from a common word lie other common words (아이폰 →
/// 아이포드), which would only crowd the results, and reading their postings costs a search
/// over a million listings about a quarter of its time. A misspelt word has a rare pair.
const TYPO_TOLERANCE_BELOW: u64 = 64;

/// The whole query: text (scored) and filters (not scored).
pub(super) fn build(searcher: &Searcher, fields: &ListingFields, query: &SearchQuery) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if let Some(tree) = query.text.as_deref().and_then(korean::parse_query) {
        clauses.push((Occur::Must, text(searcher, fields, &tree, Within::TitleAndDescription)));
    }
    let mut filters = filters(fields, query);
    if filters.sets.len() == 1
        && filters.price.is_none()
        && let Some(status) = filters.sets.pop()
    {
        // The status alone matches most listings: sought by the text query, not gathered.
        let status = any_of(status.terms);
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(Unscored(status)), 0.0))));
    } else {
        clauses.push((Occur::Must, Box::new(Candidates::new(filters))));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// A filter's query, built with scoring disabled whatever the search asks. `ConstScoreQuery`
/// alone passes scoring on to the query it wraps, so a union of terms would be BM25-scored
/// document by document only for the constant to replace the score.
struct Unscored(Box<dyn Query>);

impl Clone for Unscored {
    fn clone(&self) -> Self {
        Self(self.0.box_clone())
    }
}

impl std::fmt::Debug for Unscored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Unscored").field(&self.0).finish()
    }
}

/// `enable_scoring` with scoring turned off, for a query whose score nobody reads.
fn unscored(enable_scoring: EnableScoring<'_>) -> EnableScoring<'_> {
    match enable_scoring {
        EnableScoring::Enabled { searcher, .. } => EnableScoring::disabled_from_searcher(searcher),
        disabled @ EnableScoring::Disabled { .. } => disabled,
    }
}

impl Query for Unscored {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        self.0.weight(unscored(enable_scoring))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

/// Where a text query looks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Within {
    /// Title and description, typos tolerated where a word is rare: a search.
    TitleAndDescription,
    /// The title alone, as typed: the words before a completion.
    Title,
}

/// The Korean match tree over the text fields.
pub(super) fn text(
    searcher: &Searcher,
    fields: &ListingFields,
    tree: &Match,
    within: Within,
) -> Box<dyn Query> {
    match tree {
        Match::All(branches) => Box::new(BooleanQuery::new(
            branches.iter().map(|branch| (Occur::Must, text(searcher, fields, branch, within))).collect(),
        )),
        Match::Any(branches) => Box::new(SkippingUnion::new(
            branches.iter().map(|branch| text(searcher, fields, branch, within)).collect(),
        )),
        Match::Choseong(initials) => Box::new(BoostQuery::new(
            Box::new(TermQuery::new(
                Term::from_field_text(fields.title_choseong, initials),
                IndexRecordOption::Basic,
            )),
            CHOSEONG_BOOST,
        )),
        Match::Term(term) if within == Within::Title => grams(fields.title, &term.grams, Some(&term.word)),
        Match::Term(term) => {
            let mut ways: Vec<Box<dyn Query>> = vec![
                grams(fields.title, &term.grams, Some(&term.word)),
                Box::new(BoostQuery::new(grams(fields.description, &term.grams, None), DESCRIPTION_BOOST)),
            ];
            if let Some(keys) = term.fuzzy.as_ref().filter(|_| rare_in_titles(searcher, fields, term)) {
                let fuzzy = FuzzyTermQuery::new(Term::from_field_text(fields.title_keys, keys), 1, true);
                ways.push(Box::new(BoostQuery::new(Box::new(fuzzy), FUZZY_BOOST)));
            }
            Box::new(SkippingUnion::new(ways))
        }
    }
}

/// Whether fewer than [`TYPO_TOLERANCE_BELOW`] titles hold the rarest of the word's grams (the
/// counts include deleted listings until a merge: a word may be taken as typed a little early).
fn rare_in_titles(searcher: &Searcher, fields: &ListingFields, term: &korean::Term) -> bool {
    term.grams.iter().any(|gram| {
        // A count that cannot be read keeps the tolerance: better a slower search than a miss.
        !matches!(
            searcher.doc_freq(&Term::from_field_text(fields.title, gram)),
            Ok(titles) if titles >= TYPO_TOLERANCE_BELOW
        )
    })
}

/// All of `grams` in `field`, and the whole word as a bonus where it was indexed.
fn grams(field: tantivy::schema::Field, grams: &[String], word: Option<&str>) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = grams
        .iter()
        .map(|gram| {
            let query: Box<dyn Query> =
                Box::new(TermQuery::new(Term::from_field_text(field, gram), IndexRecordOption::WithFreqs));
            (Occur::Must, query)
        })
        .collect();
    if let Some(word) = word.filter(|word| !grams.iter().any(|gram| gram == word)) {
        clauses.push((
            Occur::Should,
            Box::new(TermQuery::new(Term::from_field_text(field, word), IndexRecordOption::WithFreqs)),
        ));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Documents holding any of `terms`. One term is a term query, skipped through by the other
/// clauses; several are a term set, whose documents are gathered into a bitset once per segment
/// instead of a union merging dozens of postings (a radius is up to 469 H3 cells).
fn any_of(terms: impl IntoIterator<Item = Term>) -> Box<dyn Query> {
    let mut terms: Vec<Term> = terms.into_iter().collect();
    if terms.len() == 1
        && let Some(term) = terms.pop()
    {
        return Box::new(TermQuery::new(term, IndexRecordOption::Basic));
    }
    Box::new(TermSetQuery::new(terms))
}

fn filters(fields: &ListingFields, query: &SearchQuery) -> Filters {
    let statuses = query.statuses.iter().map(|status| Term::from_field_text(fields.status, status.as_str()));
    let mut filters = Filters {
        sets: vec![AnyOf { field: fields.status, terms: statuses.collect(), closed: true }],
        price: None,
        near: None,
    };
    if query.min_price.is_some() || query.max_price.is_some() {
        let won = |price: Option<jangteo_domain::Money>| price.map(super::won);
        filters.price = Some(won(query.min_price).unwrap_or(0)..=won(query.max_price).unwrap_or(u64::MAX));
    }
    if !query.category_ids.is_empty() {
        let terms = query
            .category_ids
            .iter()
            .map(|category| Term::from_field_text(fields.category, category.as_str()));
        filters.sets.push(AnyOf { field: fields.category, terms: terms.collect(), closed: false });
    }
    if let Some(seller) = query.seller {
        let terms = vec![Term::from_field_text(fields.seller, &seller.to_string())];
        filters.sets.push(AnyOf { field: fields.seller, terms, closed: false });
    }
    if let Some(near) = query.near {
        filters.near = Some(near);
        // The cells only narrow the candidates; the circle is checked exactly.
        if let Some(cells) = geo::covering(near.center, near.radius_km) {
            let terms = cells.into_iter().map(|cell| Term::from_field_u64(fields.cells, cell)).collect();
            filters.sets.push(AnyOf { field: fields.cells, terms, closed: false });
        }
    }
    filters
}
