//! A scored union that seeks its clauses instead of buffering them.
//!
//! Tantivy scores a `BooleanQuery` of `Should` clauses with its buffered union: at every seek
//! beyond its window it walks each clause through the next 4,096 documents, scoring all of them.
//! That is the fastest way to walk a whole union and the slowest way to skip through one. A
//! filtered search skips through its text query: the category, the radius and the price range
//! pick candidates hundreds of documents apart, and the text query's unions nest (the synonyms
//! of a word, then title, description and typo for each), so every candidate paid for a window at
//! every level. This union only moves the clauses that are behind the target, and scores only
//! the document it stands on. Walked from start to end it does a little more work per document
//! than the buffered one; a search's text query is rarely walked that way.

use tantivy::{
    DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term,
    query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight},
};

/// Documents matching any of the clauses, scored by the sum of the matching clauses' scores.
pub(super) struct SkippingUnion {
    clauses: Vec<Box<dyn Query>>,
}

impl SkippingUnion {
    pub(super) fn new(clauses: Vec<Box<dyn Query>>) -> Self {
        Self { clauses }
    }
}

impl Clone for SkippingUnion {
    fn clone(&self) -> Self {
        Self { clauses: self.clauses.iter().map(|clause| clause.as_ref().box_clone()).collect() }
    }
}

impl std::fmt::Debug for SkippingUnion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SkippingUnion").field(&self.clauses).finish()
    }
}

impl Query for SkippingUnion {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .clauses
            .iter()
            .map(|clause| clause.weight(enable_scoring))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(SkippingUnionWeight { weights }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for clause in &self.clauses {
            clause.query_terms(visitor);
        }
    }
}

struct SkippingUnionWeight {
    weights: Vec<Box<dyn Weight>>,
}

impl Weight for SkippingUnionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorers = Vec::with_capacity(self.weights.len());
        for weight in &self.weights {
            let scorer = weight.scorer(reader, boost)?;
            if scorer.doc() != TERMINATED {
                scorers.push(scorer);
            }
        }
        Ok(match scorers.len() {
            0 => Box::new(EmptyScorer),
            1 => scorers.swap_remove(0),
            _ => Box::new(SkippingUnionScorer::new(scorers)),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!("document #{doc} does not match")));
        }
        let mut explanation = Explanation::new("sum of the matching clauses", scorer.score());
        for weight in &self.weights {
            if let Ok(clause) = weight.explain(reader, doc) {
                explanation.add_detail(clause);
            }
        }
        Ok(explanation)
    }
}

/// Invariant: `doc` is the least `doc()` of the scorers, and every scorer is at `doc` or after it.
struct SkippingUnionScorer {
    scorers: Vec<Box<dyn Scorer>>,
    doc: DocId,
}

impl SkippingUnionScorer {
    fn new(scorers: Vec<Box<dyn Scorer>>) -> Self {
        let doc = scorers.iter().map(DocSet::doc).min().unwrap_or(TERMINATED);
        Self { scorers, doc }
    }

    /// Drops the exhausted scorers and stands on the least document of the others.
    fn settle(&mut self) -> DocId {
        self.scorers.retain(|scorer| scorer.doc() != TERMINATED);
        self.doc = self.scorers.iter().map(DocSet::doc).min().unwrap_or(TERMINATED);
        self.doc
    }
}

impl DocSet for SkippingUnionScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        let current = self.doc;
        for scorer in &mut self.scorers {
            if scorer.doc() == current {
                scorer.advance();
            }
        }
        self.settle()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for scorer in &mut self.scorers {
            if scorer.doc() < target {
                scorer.seek(target);
            }
        }
        self.settle()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    /// The largest clause's: a union holds at least as many, and tantivy's own union answers the
    /// same, so the intersection picks its leader as it would.
    fn size_hint(&self) -> u32 {
        self.scorers.iter().map(DocSet::size_hint).max().unwrap_or(0)
    }
}

impl Scorer for SkippingUnionScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        self.scorers.iter_mut().filter(|scorer| scorer.doc() == doc).map(Scorer::score).sum()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::{
        Index, TantivyDocument,
        collector::{Count, TopDocs},
        query::{BooleanQuery, Occur, QueryClone, TermQuery},
        schema::{IndexRecordOption, STRING, Schema},
    };

    use super::*;

    /// Finds what tantivy's own union finds, with the same scores, walked and skipped through.
    #[test]
    fn it_matches_and_scores_as_the_buffered_union() -> tantivy::Result<()> {
        let mut schema = Schema::builder();
        let word = schema.add_text_field("word", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000)?;
        for n in 0_u32..20_000 {
            let mut document = TantivyDocument::default();
            for (divisor, name) in [(3, "three"), (7, "seven"), (1_000, "thousand"), (20_001, "never")] {
                if n % divisor == 0 {
                    document.add_text(word, name);
                }
            }
            document.add_text(word, if n % 2 == 0 { "even" } else { "odd" });
            writer.add_document(document)?;
        }
        writer.commit()?;
        let searcher = index.reader()?.searcher();
        let term = |name: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(word, name), IndexRecordOption::WithFreqs))
        };
        let names = ["three", "seven", "thousand", "missing"];
        let ours = SkippingUnion::new(names.iter().map(|name| term(name)).collect());
        let theirs = BooleanQuery::new(names.iter().map(|name| (Occur::Should, term(name))).collect());
        // Alone (walked), and behind a sparse filter that leads the intersection (skipped).
        let walked: (Box<dyn Query>, Box<dyn Query>) = (ours.box_clone(), Box::new(theirs.clone()));
        let skipped = |union: Box<dyn Query>| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(vec![(Occur::Must, union), (Occur::Must, term("odd"))]))
        };
        for (ours, theirs) in [walked, (skipped(ours.box_clone()), skipped(Box::new(theirs)))] {
            let count = searcher.search(&theirs, &Count)?;
            assert_eq!(searcher.search(&ours, &Count)?, count);
            assert!(count > 1_000, "{count} matches");
            // Every match with its score, in document order: ties among equal scores may be
            // summed in another order, so the ranked lists could differ where scores are equal.
            let all = |query: &dyn Query| -> tantivy::Result<Vec<(tantivy::DocAddress, Score)>> {
                let mut hits: Vec<_> = searcher
                    .search(query, &TopDocs::with_limit(count))?
                    .into_iter()
                    .map(|(score, address)| (address, score))
                    .collect();
                hits.sort_by_key(|(address, _)| *address);
                Ok(hits)
            };
            let (found, expected) = (all(ours.as_ref())?, all(theirs.as_ref())?);
            assert_eq!(found.len(), expected.len());
            for ((address, score), (expected_address, expected_score)) in found.iter().zip(&expected) {
                assert_eq!(address, expected_address);
                assert!((score - expected_score).abs() < 1e-4, "{score} against {expected_score}");
            }
        }
        Ok(())
    }
}
