//! The filters of a search, intersected once per segment into the list of candidates, so that
//! the intersection with the text query walks the fewest documents.
//!
//! Tantivy's intersection leads with its two clauses of smallest size hint and leapfrogs
//! between them. A filter's hint is the size of its own set (every listing of 16 leaf
//! categories, every listing within a radius' cells), larger than the text query's, so the
//! text query was walked and scored document by document while the filters only confirmed.
//! Together the filters are selective (a category, a price range and 5 km hold a few thousand
//! of a million listings), and cheap to intersect (bitsets and fast-field columns, unscored).
//! Gathered first, they lead with an exact count, and the text query is only sought at them.
//!
//! A radius is gathered exactly: its H3 cells cover several times the circle's area (more for a
//! small radius, whose disk has a margin of whole rings), so the gathered listings are checked
//! against the circle before the text query is sought at them.

use jangteo_domain::listing::GeoPoint;
use tantivy::{
    DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term,
    query::{EnableScoring, Explanation, Query, QueryClone, Scorer, Weight},
};

use super::{
    query::unscored,
    schema::{LAT, LNG},
};
use crate::Nearby;

/// The documents matching every filter, and within `near` when there is one, scored 0,
/// whatever scoring the search asks for.
pub(super) struct Candidates {
    filters: Box<dyn Query>,
    near: Option<Nearby>,
}

impl Candidates {
    /// `filters`: one query matching the documents that pass every filter (for a radius, a
    /// prefilter holding every listing within it).
    pub(super) fn new(filters: Box<dyn Query>, near: Option<Nearby>) -> Self {
        Self { filters, near }
    }
}

impl Clone for Candidates {
    fn clone(&self) -> Self {
        Self { filters: self.filters.box_clone(), near: self.near }
    }
}

impl std::fmt::Debug for Candidates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Candidates").field(&self.filters).finish()
    }
}

impl Query for Candidates {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        // A filter's score is never read: built unscored, a union of terms is not BM25-scored
        // document by document.
        let filters = self.filters.weight(unscored(enable_scoring))?;
        Ok(Box::new(CandidatesWeight { filters, near: self.near }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.filters.query_terms(visitor);
    }
}

struct CandidatesWeight {
    filters: Box<dyn Weight>,
    near: Option<Nearby>,
}

impl Weight for CandidatesWeight {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut docs = Vec::new();
        self.filters.for_each_no_score(reader, &mut |batch| docs.extend_from_slice(batch))?;
        if let Some(near) = self.near {
            let fast = reader.fast_fields();
            match (fast.column_opt::<f64>(LAT)?, fast.column_opt::<f64>(LNG)?) {
                (Some(lat), Some(lng)) => docs.retain(|doc| {
                    let point = lat.first(*doc).zip(lng.first(*doc));
                    point
                        .and_then(|(lat, lng)| GeoPoint::new(lat, lng).ok())
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
}
