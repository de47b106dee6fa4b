//! A [`SearchQuery`] as a tantivy query: the Korean match tree over the text fields, and the
//! filters as clauses that match without scoring.

use std::ops::Bound;

use jangteo_korean_text::{self as korean, Match};
use tantivy::{
    Term,
    query::{BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery},
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
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
    }
    Box::new(BooleanQuery::new(clauses))
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

fn any_of(terms: impl IntoIterator<Item = Term>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        terms
            .into_iter()
            .map(|term| {
                let query: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                (Occur::Should, query)
            })
            .collect(),
    ))
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
