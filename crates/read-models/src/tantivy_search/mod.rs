//! The embedded search index: tantivy, on disk under the data dir, with Korean analysis
//! (`jangteo-korean-text` as tantivy tokenizers, [`schema`]), H3 cells for distance ([`geo`]),
//! one collector for every sort order ([`collector`]) and the search history beside it
//! ([`history`]).
//!
//! The checkpoint is stored in the payload of the index commit that contains the documents, so
//! the index and its checkpoint can never disagree, whatever the moment of a crash. Tantivy is
//! blocking: every call runs on the blocking pool, and the single `IndexWriter` sits behind a
//! mutex that is never held across an `.await`.
//!
//! One process writes an index (tantivy's lock file enforces it); API instances of the
//! distributed profile open it read-only ([`TantivyListingSearch::open_reader`]) and pick up the
//! writer's commits whenever they read the checkpoint.
//!
//! An index written with an older schema is emptied when the writer opens it: its checkpoint
//! goes back to 0 with it, and the projection rebuilds it from the log.

mod candidates;
mod collector;
mod geo;
mod history;
mod query;
mod schema;
mod skipping_union;

use std::{
    collections::HashMap,
    path::Path,
    sync::{Arc, Mutex},
};

use async_trait::async_trait;
use jangteo_domain::ListingId;
use jangteo_korean_text as korean;
use tantivy::{
    DocSet, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term,
    directory::MmapDirectory,
    query::{BooleanQuery, EnableScoring, Occur, Query, TermQuery},
    schema::{IndexRecordOption, Value},
};

use crate::{
    BackendError, ListingDocument, ListingSearch, ListingStatusView, ReadModelError, SearchPage, SearchQuery,
    SearchSort, Suggestion, SuggestionSource,
    search::{TypedPrefix, completed_text, merge_suggestions},
};

use self::{collector::Ranking, history::QueryHistory, schema::ListingFields};

/// Memory budget of the index writer; tantivy's minimum is 15 MB per indexing thread.
const WRITER_MEMORY: usize = 32 * 1024 * 1024;
/// The most completion terms one prefix scan reads, so that a one-keystroke prefix stays fast.
const MAX_COMPLETION_TERMS: usize = 20_000;
/// The most threads one index searches its segments on.
const MAX_SEARCH_THREADS: usize = 8;
/// With words before the typed part, how many matching titles are read for completions.
const HEAD_TITLES: usize = 64;

#[derive(Clone)]
pub struct TantivyListingSearch {
    inner: Arc<Inner>,
}

struct Inner {
    index: Index,
    reader: IndexReader,
    /// `None` for a read-only handle.
    writer: Option<Mutex<IndexWriter>>,
    fields: ListingFields,
    history: QueryHistory,
}

impl std::fmt::Debug for TantivyListingSearch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TantivyListingSearch").finish_non_exhaustive()
    }
}

fn io(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> ReadModelError {
    ReadModelError::Search(BackendError::new(error))
}

impl TantivyListingSearch {
    /// Opens the index in `dir`, creating it if the directory holds none, and emptying it if it
    /// was written with another schema (the projection then rebuilds it from 0).
    pub fn open(dir: &Path) -> Result<Self, ReadModelError> {
        std::fs::create_dir_all(dir).map_err(io)?;
        let (schema, fields) = schema::build();
        if stale_schema(dir, &schema)? {
            tracing::warn!(dir = %dir.display(), "the search index has an older schema: emptied for a rebuild");
            clear_index_files(dir)?;
        }
        let directory = MmapDirectory::open(dir).map_err(io)?;
        let index = Index::open_or_create(directory, schema)?;
        Self::with_index(index, fields, QueryHistory::open(dir)?)
    }

    /// Opens the index in `dir` for searching only, beside a writer in another process.
    pub fn open_reader(dir: &Path) -> Result<Self, ReadModelError> {
        std::fs::create_dir_all(dir).map_err(io)?;
        let (schema, fields) = schema::build();
        if stale_schema(dir, &schema)? {
            return Err(io(
                "the search index has an older schema; the writer empties and rebuilds it at start",
            ));
        }
        let directory = MmapDirectory::open(dir).map_err(io)?;
        let mut index = Index::open_or_create(directory, schema)?;
        prepare(&mut index)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let history = QueryHistory::open(dir)?;
        Ok(Self { inner: Arc::new(Inner { index, reader, writer: None, fields, history }) })
    }

    /// An index in memory, for tests.
    pub fn in_ram() -> Result<Self, ReadModelError> {
        let (schema, fields) = schema::build();
        Self::with_index(Index::create_in_ram(schema), fields, QueryHistory::in_memory())
    }

    fn with_index(
        mut index: Index,
        fields: ListingFields,
        history: QueryHistory,
    ) -> Result<Self, ReadModelError> {
        prepare(&mut index)?;
        // One indexing thread: batches are small and the machine's cores belong to the API.
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(Self {
            inner: Arc::new(Inner { index, reader, writer: Some(Mutex::new(writer)), fields, history }),
        })
    }

    /// Saves the search history now (it is otherwise saved at most once a second, and when the
    /// last handle is dropped).
    pub async fn flush_history(&self) -> Result<(), ReadModelError> {
        self.blocking(|inner| inner.history.flush()).await
    }

    async fn blocking<T, F>(&self, work: F) -> Result<T, ReadModelError>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> Result<T, ReadModelError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || work(&inner)).await.map_err(|error| {
            ReadModelError::Search(BackendError::new(format!("search task failed: {error}")))
        })?
    }
}

/// What an opened index needs before use: the Korean tokenizers (they are not stored in the
/// index), and search threads, one per core, so that one search's segments are searched at once.
fn prepare(index: &mut Index) -> Result<(), ReadModelError> {
    schema::register_tokenizers(index);
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    if cores > 1 {
        index.set_multithread_executor(cores.min(MAX_SEARCH_THREADS))?;
    }
    Ok(())
}

/// Whether `dir` holds an index whose schema is not `schema`.
fn stale_schema(dir: &Path, schema: &tantivy::schema::Schema) -> Result<bool, ReadModelError> {
    let directory = MmapDirectory::open(dir).map_err(io)?;
    if !Index::exists(&directory).map_err(io)? {
        return Ok(false);
    }
    Ok(Index::open(directory)?.schema() != *schema)
}

/// Removes the index's files from `dir`, leaving everything else (the search history).
fn clear_index_files(dir: &Path) -> Result<(), ReadModelError> {
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ours = name.ends_with(".idx")
            || name.ends_with(".pos")
            || name.ends_with(".term")
            || name.ends_with(".store")
            || name.ends_with(".fast")
            || name.ends_with(".fieldnorm")
            || name.ends_with(".del")
            || name == "meta.json"
            || name == ".managed.json";
        if ours && entry.file_type().map_err(io)?.is_file() {
            std::fs::remove_file(entry.path()).map_err(io)?;
        }
    }
    Ok(())
}

impl Inner {
    fn commit_with_checkpoint(
        &self,
        writer: &mut IndexWriter,
        checkpoint: u64,
    ) -> Result<(), ReadModelError> {
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&checkpoint.to_string());
        prepared.commit()?;
        // Manual reload: a search that starts after `commit` returns sees the commit.
        self.reader.reload()?;
        Ok(())
    }

    fn lock_writer(&self) -> Result<std::sync::MutexGuard<'_, IndexWriter>, ReadModelError> {
        self.writer
            .as_ref()
            .ok_or_else(|| {
                ReadModelError::Search(BackendError::new("this search index handle is read-only"))
            })?
            .lock()
            .map_err(|_| {
                ReadModelError::Search(BackendError::new("the index writer was poisoned by a panic"))
            })
    }

    fn search(&self, query: &SearchQuery) -> Result<SearchPage, ReadModelError> {
        let has_text = query.text.as_deref().and_then(korean::parse_query).is_some();
        let sort = match query.sort {
            SearchSort::Relevance if !has_text => SearchSort::Newest,
            SearchSort::Distance if query.near.is_none() => SearchSort::Newest,
            sort => sort,
        };
        let ranking = Ranking {
            sort,
            near: query.near,
            keep: query.offset + query.limit + 1,
            now: chrono::Utc::now().timestamp(),
        };
        let searcher = self.reader.searcher();
        let ranked = searcher.search(query::build(&searcher, &self.fields, query).as_ref(), &ranking)?;
        let has_more = ranked.matched > query.offset + query.limit;
        let hits = ranked
            .hits
            .into_iter()
            .skip(query.offset)
            .take(query.limit)
            .map(|address| self.stored(&searcher, address))
            .collect::<Result<Vec<_>, _>>()?;
        let distances_km = match query.near {
            Some(near) => hits
                .iter()
                .map(|hit| hit.location.map_or(f64::INFINITY, |at| at.distance_km(near.center)))
                .collect(),
            None => Vec::new(),
        };
        Ok(SearchPage { hits, distances_km, has_more })
    }

    fn stored(
        &self,
        searcher: &Searcher,
        address: tantivy::DocAddress,
    ) -> Result<ListingDocument, ReadModelError> {
        let stored: TantivyDocument = searcher.doc(address)?;
        let json = stored
            .get_first(self.fields.document)
            .and_then(|value| value.as_str())
            .ok_or_else(|| ReadModelError::Corrupt("indexed listing without its document".to_owned()))?;
        serde_json::from_str::<ListingDocument>(json)
            .map_err(|error| ReadModelError::Corrupt(format!("indexed listing document: {error}")))
    }

    fn suggest(&self, prefix: &str, limit: usize) -> Result<Vec<Suggestion>, ReadModelError> {
        let Some(typed) = TypedPrefix::parse(prefix) else { return Ok(Vec::new()) };
        let mut all = self.history.suggest(prefix, &typed, limit)?;
        let titles = match &typed.head {
            None => self.completions(&typed)?,
            Some(head) => self.completions_after(head, &typed)?,
        };
        let mut titles: Vec<(String, u32)> = titles.into_iter().collect();
        titles.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        all.extend(titles.into_iter().take(limit).map(|(completion, count)| Suggestion {
            text: completed_text(prefix, &typed.last, &completion),
            source: SuggestionSource::Title,
            score: f64::from(count),
        }));
        Ok(merge_suggestions(all, limit))
    }

    /// Completions of a lone typed part: a prefix scan of the completion terms, counted by the
    /// titles holding them.
    fn completions(&self, typed: &TypedPrefix) -> Result<HashMap<String, u32>, ReadModelError> {
        let field =
            if typed.choseong { self.fields.completion_choseong } else { self.fields.completion_keys };
        let mut counts: HashMap<String, u32> = HashMap::new();
        let start = typed.key.as_bytes().to_vec();
        // UTF-8 never holds 0xFF: every term starting with the key sorts below key + 0xFF.
        let mut end = start.clone();
        end.push(0xFF);
        // Document frequencies count deleted documents until a merge; a segment with deletions
        // has its postings read, so a withdrawn listing's words stop completing at once.
        for segment in self.reader.searcher().segment_readers() {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted.terms().range().ge(&start).lt(&end).into_stream().map_err(io)?;
            let mut scanned = 0;
            while scanned < MAX_COMPLETION_TERMS && stream.advance() {
                scanned += 1;
                let Ok(term) = std::str::from_utf8(stream.key()) else { continue };
                let Some((_, word)) = term.split_once(schema::COMPLETION_SEPARATOR) else { continue };
                let count = match segment.alive_bitset() {
                    None => stream.value().doc_freq,
                    Some(alive) => {
                        let term = Term::from_field_text(field, term);
                        let mut alive_docs = 0;
                        if let Some(mut postings) =
                            inverted.read_postings(&term, IndexRecordOption::Basic).map_err(io)?
                        {
                            let mut doc = postings.doc();
                            while doc != tantivy::TERMINATED {
                                if alive.is_alive(doc) {
                                    alive_docs += 1;
                                }
                                doc = postings.advance();
                            }
                        }
                        alive_docs
                    }
                };
                if count > 0 {
                    *counts.entry(word.to_owned()).or_insert(0) += count;
                }
            }
        }
        Ok(counts)
    }

    /// Completions of the typed part in on-sale titles that match the words before it.
    fn completions_after(
        &self,
        head: &str,
        typed: &TypedPrefix,
    ) -> Result<HashMap<String, u32>, ReadModelError> {
        let mut counts: HashMap<String, u32> = HashMap::new();
        let Some(tree) = korean::parse_query(head) else { return Ok(counts) };
        let (field, key) = if typed.choseong {
            (self.fields.title_choseong, &typed.key)
        } else {
            (self.fields.title_keys, &typed.key)
        };
        let on_sale = Term::from_field_text(self.fields.status, ListingStatusView::OnSale.as_str());
        let searcher = self.reader.searcher();
        let clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, query::text(&searcher, &self.fields, &tree, query::Within::Title)),
            (
                Occur::Must,
                Box::new(TermQuery::new(Term::from_field_text(field, key), IndexRecordOption::Basic)),
            ),
            (Occur::Must, Box::new(TermQuery::new(on_sale, IndexRecordOption::Basic))),
        ];
        // The first titles found: a sample is enough to rank the completions, and walking every
        // match of a common word (tens of thousands for 아이폰) costs more than the rest of
        // the suggestion. Unscored, and stopped as soon as the sample is full.
        let query = BooleanQuery::new(clauses);
        let weight = query.weight(EnableScoring::disabled_from_searcher(&searcher))?;
        let mut hits = Vec::with_capacity(HEAD_TITLES);
        'segments: for (ordinal, segment) in (0_u32..).zip(searcher.segment_readers()) {
            let mut matches = weight.scorer(segment, 1.0)?;
            let alive = segment.alive_bitset();
            let mut doc = matches.doc();
            while doc != tantivy::TERMINATED {
                if alive.is_none_or(|alive| alive.is_alive(doc)) {
                    hits.push(tantivy::DocAddress::new(ordinal, doc));
                    if hits.len() == HEAD_TITLES {
                        break 'segments;
                    }
                }
                doc = matches.advance();
            }
        }
        for address in hits {
            let title = self.stored(&searcher, address)?.title;
            let mut seen = std::collections::HashSet::new();
            for word in korean::words(&title) {
                for part in &word.parts {
                    if let Some(completion) = typed.completion(part)
                        && seen.insert(completion.to_owned())
                    {
                        *counts.entry(completion.to_owned()).or_insert(0) += 1;
                    }
                }
            }
        }
        Ok(counts)
    }
}

pub(super) fn won(price: jangteo_domain::Money) -> u64 {
    // Money is never negative.
    u64::try_from(price.as_won()).unwrap_or(0)
}

#[async_trait]
impl ListingSearch for TantivyListingSearch {
    async fn search(&self, query: &SearchQuery) -> Result<SearchPage, ReadModelError> {
        let query = query.clone();
        self.blocking(move |inner| inner.search(&query)).await
    }

    async fn suggest(&self, prefix: &str, limit: usize) -> Result<Vec<Suggestion>, ReadModelError> {
        let prefix = prefix.to_owned();
        self.blocking(move |inner| inner.suggest(&prefix, limit)).await
    }

    async fn record_query(&self, text: &str) -> Result<(), ReadModelError> {
        let text = text.to_owned();
        self.blocking(move |inner| inner.history.record(&text)).await
    }

    async fn checkpoint(&self) -> Result<u64, ReadModelError> {
        self.blocking(|inner| {
            let metas = inner.index.load_metas()?;
            if inner.writer.is_none() {
                // Another process writes: reload after reading the checkpoint, so searches see at
                // least the commit that carried it.
                inner.reader.reload()?;
            }
            match metas.payload {
                None => Ok(0),
                Some(payload) => payload.parse().map_err(|_| {
                    ReadModelError::Corrupt(format!("index checkpoint {payload:?} is not a position"))
                }),
            }
        })
        .await
    }

    async fn commit(
        &self,
        upserts: Vec<ListingDocument>,
        deletes: Vec<ListingId>,
        checkpoint: u64,
    ) -> Result<(), ReadModelError> {
        self.blocking(move |inner| {
            let fields = &inner.fields;
            let mut writer = inner.lock_writer()?;
            for document in &upserts {
                writer
                    .delete_term(Term::from_field_text(fields.listing_id, &document.listing_id.to_string()));
                writer.add_document(fields.to_tantivy(document)?)?;
            }
            for listing_id in &deletes {
                writer.delete_term(Term::from_field_text(fields.listing_id, &listing_id.to_string()));
            }
            inner.commit_with_checkpoint(&mut writer, checkpoint)
        })
        .await
    }

    async fn reset(&self) -> Result<(), ReadModelError> {
        self.blocking(|inner| {
            let mut writer = inner.lock_writer()?;
            writer.delete_all_documents()?;
            inner.commit_with_checkpoint(&mut writer, 0)
        })
        .await
    }
}
