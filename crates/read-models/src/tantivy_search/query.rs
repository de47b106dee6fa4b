//! A [`SearchQuery`] as a tantivy query: the Korean match tree over the text fields, and the
//! filters as clauses that match without scoring.

use std::ops::Bound;

use jangteo_korean_text::{self as korean, Match};
use tantivy::{
    Term,
    query::{
        BooleanQuery, BoostQuery, ConstScoreQuery, EnableScoring, FuzzyTermQuery, Occur, Query, QueryClone,
        RangeQuery, TermQuery, TermSetQuery, Weight,
    },
    schema::IndexRecordOption,
};

use super::{geo, schema::ListingFields};
use crate::SearchQuery;

/// How much a match in the description weighs against one in the title.
const DESCRIPTION_BOOST: f32 = 0.3;
/// A typo-tolerant match is worth less than an exact one, so exact matches rank first.
const FUZZY_BOOST: f32 = 0.4;
/// A 초성 match: a constant, about one bigram's worth.
const CHOSEONG_BOOST: f32 = 1.0;

/// The whole query: text (scored) and filters (not scored).
pub(super) fn build(fields: &ListingFields, query: &SearchQuery) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if let Some(tree) = query.text.as_deref().and_then(korean::parse_query) {
        clauses.push((Occur::Must, text(fields, &tree)));
    }
    for filter in filters(fields, query) {
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(Unscored(filter)), 0.0))));
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

impl Query for Unscored {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let unscored = match enable_scoring {
            EnableScoring::Enabled { searcher, .. } => EnableScoring::disabled_from_searcher(searcher),
            disabled @ EnableScoring::Disabled { .. } => disabled,
        };
        self.0.weight(unscored)
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

/// The Korean match tree over title and description.
pub(super) fn text(fields: &ListingFields, tree: &Match) -> Box<dyn Query> {
    match tree {
        Match::All(branches) => Box::new(BooleanQuery::new(
            branches.iter().map(|branch| (Occur::Must, text(fields, branch))).collect(),
        )),
        Match::Any(branches) => Box::new(BooleanQuery::new(
            branches.iter().map(|branch| (Occur::Should, text(fields, branch))).collect(),
        )),
        Match::Choseong(initials) => Box::new(BoostQuery::new(
            Box::new(TermQuery::new(
                Term::from_field_text(fields.title_choseong, initials),
                IndexRecordOption::Basic,
            )),
            CHOSEONG_BOOST,
        )),
        Match::Term(term) => {
            let mut ways: Vec<(Occur, Box<dyn Query>)> = vec![
                (Occur::Should, grams(fields.title, &term.grams, Some(&term.word))),
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        grams(fields.description, &term.grams, None),
                        DESCRIPTION_BOOST,
                    )),
                ),
            ];
            if let Some(keys) = &term.fuzzy {
                let fuzzy = FuzzyTermQuery::new(Term::from_field_text(fields.title_keys, keys), 1, true);
                ways.push((Occur::Should, Box::new(BoostQuery::new(Box::new(fuzzy), FUZZY_BOOST))));
            }
            Box::new(BooleanQuery::new(ways))
        }
    }
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

fn filters(fields: &ListingFields, query: &SearchQuery) -> Vec<Box<dyn Query>> {
    let mut filters = vec![any_of(
        query.statuses.iter().map(|status| Term::from_field_text(fields.status, status.as_str())),
    )];
    if query.min_price.is_some() || query.max_price.is_some() {
        let bound = |price: Option<jangteo_domain::Money>| match price {
            Some(price) => Bound::Included(Term::from_field_u64(fields.price, super::won(price))),
            None => Bound::Unbounded,
        };
        filters.push(Box::new(RangeQuery::new(bound(query.min_price), bound(query.max_price))));
    }
    if !query.category_ids.is_empty() {
        filters.push(any_of(
            query
                .category_ids
                .iter()
                .map(|category| Term::from_field_text(fields.category, category.as_str())),
        ));
    }
    if let Some(seller) = query.seller {
        filters.push(any_of([Term::from_field_text(fields.seller, &seller.to_string())]));
    }
    if let Some(near) = query.near {
        // The exact distance is the collector's to check; this only narrows the candidates.
        if let Some(cells) = geo::covering(near.center, near.radius_km) {
            filters.push(any_of(cells.into_iter().map(|cell| Term::from_field_u64(fields.cells, cell))));
        }
    }
    filters
}
