//! The filters of a search, intersected once per segment into the list of candidates, so that
//! the intersection with the text query walks the fewest documents.
//!
//! Tantivy's intersection leads with its two clauses of smallest size hint and leapfrogs
//! between them. A filter's hint is the size of its own set (every listing of 16 leaf
//! categories, every listing within a radius' cells), larger than the text query's, so the
//! text query was walked and scored document by document while the filters only confirmed.
//! Together the filters are selective (a category, a price range and 5 km hold a few thousand
//! of a million listings). Gathered first, they lead with an exact count, and the text query is
//! only sought at them.
//!
//! They are gathered as bitsets ANDed a word (64 listings) at a time, not as an intersection of
//! iterators seeking each other: a parent category and a radius hold a third of the index each,
//! and seeking through them listing by listing cost more than the text query. Each set is built
//! from its terms' postings. The status is the exception to "fewest postings first": on sale is
//! most of an index, so when the other statuses hold fewer listings, those are gathered and
//! taken away instead. The price is then checked on the survivors from its column, and the
//! radius exactly: its H3 cells cover several times the circle's area (more for a small
//! radius, whose disk has a margin of whole rings), so the survivors are checked against the
//! circle (the latitude first, which rules most out alone) before the text query is sought at
//! them.

use std::ops::RangeInclusive;

use jangteo_domain::listing::GeoPoint;
use tantivy::{
    DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term,
    query::{EnableScoring, Explanation, Query, Scorer, Weight},
    schema::{Field, IndexRecordOption},
};

use super::{
    geo,
    schema::{LAT, LNG, PRICE},
};
use crate::Nearby;

/// Listings holding any of `terms`, all of one field.
#[derive(Debug, Clone)]
pub(super) struct AnyOf {
    pub field: Field,
    pub terms: Vec<Term>,
    /// The field holds one of a few values in every listing (the status): the listings holding
    /// none of `terms` can be gathered and taken away instead, when they are fewer.
    pub closed: bool,
}

/// What a search keeps: every set, the price range, and the circle.
#[derive(Debug, Clone, Default)]
pub(super) struct Filters {
    pub sets: Vec<AnyOf>,
    pub price: Option<RangeInclusive<u64>>,
    /// The exact circle; its cells are one of `sets`.
    pub near: Option<Nearby>,
}

/// The documents passing `filters`, scored 0 whatever scoring the search asks for.
#[derive(Debug, Clone)]
pub(super) struct Candidates {
    filters: Filters,
}

impl Candidates {
    pub(super) fn new(filters: Filters) -> Self {
        Self { filters }
    }
}

impl Query for Candidates {
    fn weight(&self, _enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(CandidatesWeight { filters: self.filters.clone() }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for term in self.filters.sets.iter().flat_map(|set| &set.terms) {
            visitor(term, false);
        }
    }
}

struct CandidatesWeight {
    filters: Filters,
}

impl Weight for CandidatesWeight {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut docs = match self.gather(reader)? {
            Some(bits) => bits.docs(),
            // No set at all: every listing of the segment is a candidate.
            None => (0..reader.max_doc()).collect(),
        };
        let fast = reader.fast_fields();
        if let Some(range) = &self.filters.price {
            let price = fast.u64(PRICE)?;
            docs.retain(|doc| price.first(*doc).is_some_and(|won| range.contains(&won)));
        }
        if let Some(near) = self.filters.near {
            match (fast.column_opt::<f64>(LAT)?, fast.column_opt::<f64>(LNG)?) {
                (Some(lat), Some(lng)) => docs.retain(|doc| {
                    let Some(at_lat) = lat.first(*doc) else { return false };
                    if geo::latitude_gap_km(at_lat, near.center) > near.radius_km {
                        return false;
                    }
                    lng.first(*doc)
                        .and_then(|at_lng| GeoPoint::new(at_lat, at_lng).ok())
                        .is_some_and(|point| point.distance_km(near.center) <= near.radius_km)
                }),
                // A segment where no listing has a place has none within the radius.
                _ => docs.clear(),
            }
        }
        Ok(Box::new(CandidateDocs::new(docs)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!("document #{doc} fails a filter")));
        }
        Ok(Explanation::new("passes every filter", 0.0))
    }
}

/// A set's postings in one segment, and how many listings they hold.
struct SetPostings {
    /// Gathered and taken away rather than kept (the complement of a closed set).
    take_away: bool,
    infos: Vec<tantivy::postings::TermInfo>,
    size: u64,
}

impl CandidatesWeight {
    /// The listings of the segment in every set; `None` when there are no sets.
    fn gather(&self, reader: &SegmentReader) -> tantivy::Result<Option<DocBits>> {
        let mut sets = Vec::with_capacity(self.filters.sets.len());
        for set in &self.filters.sets {
            sets.push((set.field, postings_of(reader, set)?));
        }
        // The fewest postings first: each set after it only clears bits.
        sets.sort_by_key(|(_, postings)| (postings.take_away, postings.size));
        let mut gathered: Option<DocBits> = None;
        for (field, postings) in sets {
            let index = reader.inverted_index(field)?;
            let mut bits = DocBits::empty(reader.max_doc());
            for info in &postings.infos {
                let mut block = index.read_block_postings_from_terminfo(info, IndexRecordOption::Basic)?;
                loop {
                    let docs = block.docs();
                    if docs.is_empty() {
                        break;
                    }
                    for doc in docs {
                        bits.insert(*doc);
                    }
                    block.advance();
                }
            }
            gathered = Some(match gathered {
                None if postings.take_away => {
                    let mut every = DocBits::full(reader.max_doc());
                    every.and_not(&bits);
                    every
                }
                None => bits,
                Some(mut so_far) if postings.take_away => {
                    so_far.and_not(&bits);
                    so_far
                }
                Some(mut so_far) => {
                    so_far.and(&bits);
                    so_far
                }
            });
        }
        Ok(gathered)
    }
}

/// The postings to read for `set` in the segment: its terms', or for a closed set whose other
/// terms hold fewer listings, those others' (to take away).
fn postings_of(reader: &SegmentReader, set: &AnyOf) -> tantivy::Result<SetPostings> {
    let index = reader.inverted_index(set.field)?;
    let mut infos = Vec::with_capacity(set.terms.len());
    for term in &set.terms {
        infos.extend(index.get_term_info(term)?);
    }
    let size = infos.iter().map(|info| u64::from(info.doc_freq)).sum();
    if set.closed {
        let wanted: Vec<&[u8]> = set.terms.iter().map(Term::serialized_value_bytes).collect();
        let mut others = Vec::new();
        let mut stream = index.terms().stream()?;
        while stream.advance() {
            if !wanted.contains(&stream.key()) {
                others.push(stream.value().clone());
            }
        }
        let others_size: u64 = others.iter().map(|info| u64::from(info.doc_freq)).sum();
        if others_size < size {
            return Ok(SetPostings { take_away: true, infos: others, size: others_size });
        }
    }
    Ok(SetPostings { take_away: false, infos, size })
}

/// A set of a segment's documents, one bit each.
struct DocBits {
    words: Vec<u64>,
    max_doc: DocId,
}

impl DocBits {
    fn empty(max_doc: DocId) -> Self {
        Self { words: vec![0; max_doc.div_ceil(64) as usize], max_doc }
    }

    fn full(max_doc: DocId) -> Self {
        let mut bits = Self { words: vec![u64::MAX; max_doc.div_ceil(64) as usize], max_doc };
        // No bit past the last document.
        if let Some(last) = bits.words.last_mut()
            && !max_doc.is_multiple_of(64)
        {
            *last = (1_u64 << (max_doc % 64)) - 1;
        }
        bits
    }

    fn insert(&mut self, doc: DocId) {
        if let Some(word) = self.words.get_mut((doc / 64) as usize) {
            *word |= 1 << (doc % 64);
        }
    }

    fn and(&mut self, other: &DocBits) {
        self.words.iter_mut().zip(&other.words).for_each(|(word, theirs)| *word &= theirs);
    }

    fn and_not(&mut self, other: &DocBits) {
        self.words.iter_mut().zip(&other.words).for_each(|(word, theirs)| *word &= !theirs);
    }

    /// The documents, in order.
    fn docs(&self) -> Vec<DocId> {
        let mut docs = Vec::new();
        for (at, word) in (0_u32..).zip(&self.words) {
            let mut rest = *word;
            while rest != 0 {
                docs.push(at * 64 + rest.trailing_zeros());
                rest &= rest - 1;
            }
        }
        debug_assert!(docs.last().is_none_or(|doc| *doc < self.max_doc));
        docs
    }
}

/// Sorted document ids; a seek gallops forward from where the last one stopped.
struct CandidateDocs {
    docs: Vec<DocId>,
    at: usize,
}

impl CandidateDocs {
    fn new(docs: Vec<DocId>) -> Self {
        Self { docs, at: 0 }
    }
}

impl DocSet for CandidateDocs {
    fn advance(&mut self) -> DocId {
        self.at = (self.at + 1).min(self.docs.len());
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let rest = self.docs.get(self.at..).unwrap_or_default();
        // Galloping: the end of the first doubling step past the target bounds the binary search.
        let mut bound = 1;
        while bound < rest.len() && rest[bound] < target {
            bound *= 2;
        }
        let window = &rest[..bound.min(rest.len())];
        self.at += window.partition_point(|doc| *doc < target);
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.at).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        u32::try_from(self.docs.len() - self.at).unwrap_or(u32::MAX)
    }
}

impl Scorer for CandidateDocs {
    fn score(&mut self) -> Score {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeking_lands_on_the_first_document_at_or_after_the_target() {
        let docs: Vec<DocId> = (0..1_000).map(|n| n * 3 + 1).collect();
        for target in [0, 1, 2, 4, 5, 299, 300, 1_500, 2_998, 2_999] {
            let mut candidates = CandidateDocs::new(docs.clone());
            let expected = docs.iter().copied().find(|doc| *doc >= target).unwrap_or(TERMINATED);
            assert_eq!(candidates.seek(target), expected, "target {target}");
        }
        let mut candidates = CandidateDocs::new(docs.clone());
        assert_eq!(candidates.seek(10), 10);
        assert_eq!(candidates.seek(10), 10, "a seek to the current document stays");
        assert_eq!(candidates.advance(), 13);
        assert_eq!(candidates.seek(3_000), TERMINATED);
        assert_eq!(candidates.advance(), TERMINATED);
        assert_eq!(CandidateDocs::new(Vec::new()).doc(), TERMINATED);
    }

    #[test]
    fn bitsets_keep_what_both_hold_and_take_away_what_the_other_holds() {
        for max_doc in [0, 1, 63, 64, 65, 200] {
            let every = DocBits::full(max_doc);
            assert_eq!(every.docs(), (0..max_doc).collect::<Vec<_>>(), "full of {max_doc}");
        }
        let mut threes = DocBits::empty(200);
        (0..200).filter(|doc| doc % 3 == 0).for_each(|doc| threes.insert(doc));
        let mut fives = DocBits::empty(200);
        (0..200).filter(|doc| doc % 5 == 0).for_each(|doc| fives.insert(doc));
        let mut both = DocBits::empty(200);
        (0..200).filter(|doc| doc % 3 == 0).for_each(|doc| both.insert(doc));
        both.and(&fives);
        assert_eq!(both.docs(), (0..200).filter(|doc| doc % 15 == 0).collect::<Vec<_>>());
        threes.and_not(&fives);
        assert_eq!(threes.docs(), (0..200).filter(|doc| doc % 3 == 0 && doc % 5 != 0).collect::<Vec<_>>());
    }
}
