//! The embedded search index: tantivy, on disk under the data dir.
//!
//! The checkpoint is stored in the payload of the index commit that contains the documents, so
//! the index and its checkpoint can never disagree, whatever the moment of a crash. Tantivy is
//! blocking: every call runs on the blocking pool, and the single `IndexWriter` sits behind a
//! mutex that is never held across an `.await`.
//!
//! One process writes an index (tantivy's lock file enforces it); API instances of the
//! distributed profile open it read-only ([`TantivyListingSearch::open_reader`]) and pick up the
//! writer's commits whenever they read the checkpoint.

mod schema;

use std::{
    ops::Bound,
    path::Path,
    sync::{Arc, Mutex},
};

use async_trait::async_trait;
use jangteo_domain::ListingId;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term,
    collector::TopDocs,
    directory::MmapDirectory,
    query::{BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery},
    schema::{IndexRecordOption, Value},
};

use crate::{BackendError, ListingDocument, ListingSearch, ReadModelError, SearchPage, SearchQuery};

use self::schema::ListingFields;

/// Memory budget of the index writer; tantivy's minimum is 15 MB per indexing thread.
const WRITER_MEMORY: usize = 32 * 1024 * 1024;

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
}

impl std::fmt::Debug for TantivyListingSearch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TantivyListingSearch").finish_non_exhaustive()
    }
}

impl TantivyListingSearch {
    /// Opens the index in `dir`, creating it if the directory holds none.
    pub fn open(dir: &Path) -> Result<Self, ReadModelError> {
        std::fs::create_dir_all(dir).map_err(|error| ReadModelError::Search(BackendError::new(error)))?;
        let directory =
            MmapDirectory::open(dir).map_err(|error| ReadModelError::Search(BackendError::new(error)))?;
        let (schema, fields) = schema::build();
        Self::with_index(Index::open_or_create(directory, schema)?, fields)
    }

    /// Opens the index in `dir` for searching only, beside a writer in another process.
    pub fn open_reader(dir: &Path) -> Result<Self, ReadModelError> {
        std::fs::create_dir_all(dir).map_err(|error| ReadModelError::Search(BackendError::new(error)))?;
        let directory =
            MmapDirectory::open(dir).map_err(|error| ReadModelError::Search(BackendError::new(error)))?;
        let (schema, fields) = schema::build();
        let index = Index::open_or_create(directory, schema)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(Self { inner: Arc::new(Inner { index, reader, writer: None, fields }) })
    }

    /// An index in memory, for tests.
    pub fn in_ram() -> Result<Self, ReadModelError> {
        let (schema, fields) = schema::build();
        Self::with_index(Index::create_in_ram(schema), fields)
    }

    fn with_index(index: Index, fields: ListingFields) -> Result<Self, ReadModelError> {
        // One indexing thread: batches are small and the machine's cores belong to the API.
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(Self { inner: Arc::new(Inner { index, reader, writer: Some(Mutex::new(writer)), fields }) })
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
        let fields = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(text) = &query.text {
            let mut parser = QueryParser::for_index(&self.index, vec![fields.title, fields.description]);
            parser.set_conjunction_by_default();
            // Lenient: whatever a person types is a query, never a syntax error.
            let (parsed, _ignored) = parser.parse_query_lenient(text);
            clauses.push((Occur::Must, parsed));
        }
        if query.min_price.is_some() || query.max_price.is_some() {
            let bound = |price: Option<jangteo_domain::Money>| match price {
                Some(price) => Bound::Included(Term::from_field_u64(fields.price, won(price))),
                None => Bound::Unbounded,
            };
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(bound(query.min_price), bound(query.max_price))),
            ));
        }
        let statuses: Vec<(Occur, Box<dyn Query>)> = query
            .statuses
            .iter()
            .map(|status| {
                let term = Term::from_field_text(fields.status, status.as_str());
                (Occur::Should, Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>)
            })
            .collect();
        clauses.push((Occur::Must, Box::new(BooleanQuery::new(statuses))));
        let combined = BooleanQuery::new(clauses);

        let searcher = self.reader.searcher();
        let top = TopDocs::with_limit(query.limit + 1).and_offset(query.offset);
        let addresses: Vec<DocAddress> = if query.text.is_some() {
            searcher.search(&combined, &top)?.into_iter().map(|(_, address)| address).collect()
        } else {
            searcher
                .search(&combined, &top.order_by_fast_field::<u64>(schema::CREATED_POSITION, Order::Desc))?
                .into_iter()
                .map(|(_, address)| address)
                .collect()
        };
        let has_more = addresses.len() > query.limit;
        let hits = addresses
            .into_iter()
            .take(query.limit)
            .map(|address| {
                let stored: TantivyDocument = searcher.doc(address)?;
                let json =
                    stored.get_first(fields.document).and_then(|value| value.as_str()).ok_or_else(|| {
                        ReadModelError::Corrupt("indexed listing without its document".to_owned())
                    })?;
                serde_json::from_str::<ListingDocument>(json)
                    .map_err(|error| ReadModelError::Corrupt(format!("indexed listing document: {error}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SearchPage { hits, has_more })
    }
}

fn won(price: jangteo_domain::Money) -> u64 {
    // Money is never negative.
    u64::try_from(price.as_won()).unwrap_or(0)
}

#[async_trait]
impl ListingSearch for TantivyListingSearch {
    async fn search(&self, query: &SearchQuery) -> Result<SearchPage, ReadModelError> {
        let query = query.clone();
        self.blocking(move |inner| inner.search(&query)).await
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
