//! The Elasticsearch listing index (distributed profile): the same Korean analysis as the
//! tantivy index (`jangteo-korean-text`'s terms in search fields, [`mapping`]), with nori (or
//! CJK bigrams, see [`TextAnalyzer`]) beside it, keyword and number fields for the filters, a
//! `geo_point` for the radius, bulk indexing, and the search history in an index of its own.
//!
//! Elasticsearch has no transaction over a bulk request and the checkpoint document, so a commit
//! indexes first (waiting for a refresh, so searches see it) and stores the checkpoint last.
//! Documents are indexed with external versioning (`version` = the listing stream's version):
//! a replay after a crash in between is refused with 409 per document and ignored, so it can
//! never roll a listing back.
//!
//! Every request is bounded by the transport's timeout, so a node that accepts connections but
//! does not answer fails the call instead of holding a projection or a query forever.

mod mapping;
mod query;

use std::{str::FromStr, time::Duration};

use async_trait::async_trait;
use elasticsearch::{
    BulkOperation, BulkOperations, BulkParts, Elasticsearch, GetParts, IndexParts, SearchParts,
    auth::Credentials,
    http::{
        StatusCode, Url,
        response::Response,
        transport::{SingleNodeConnectionPool, TransportBuilder},
    },
    indices::{IndicesCreateParts, IndicesDeleteParts, IndicesExistsParts, IndicesGetMappingParts},
    params::{Refresh, VersionType},
};
use jangteo_domain::ListingId;
use serde::Deserialize;
use serde_json::{Value, json};

use jangteo_korean_text as korean;

use crate::{
    BackendError, ListingDocument, ListingSearch, ListingStatusView, ReadModelError, SearchPage, SearchQuery,
    Suggestion, SuggestionSource,
    search::{QUERY_WEIGHT, TypedPrefix, completed_text, merge_suggestions},
};

/// The id of the checkpoint document in the checkpoint index.
const CHECKPOINT_ID: &str = "listing_search";
/// How many matching titles autocomplete reads for completions.
const SUGGESTION_TITLES: usize = 64;
/// A query searched fewer times is never suggested (as in the tantivy index's history).
const MIN_SUGGESTED_COUNT: u64 = 2;
/// Longer queries are not counted.
const MAX_QUERY_CHARS: usize = 60;
/// Tries of a count's read-modify-write against concurrent counts of the same query.
const COUNT_TRIES: usize = 5;
/// The longest one request may take, from connecting until its response body is read. A bulk
/// request waits for a refresh (1 s by default), so this leaves it ample room.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How the title and description are split into words. It is fixed when the index is created:
/// changing it takes `jangteo rebuild --projection listing_search`, which creates the index anew.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextAnalyzer {
    /// Korean morphological analysis (the `analysis-nori` plugin): a particle or an ending
    /// attached to a word ("아이폰을") still finds the word.
    #[default]
    Nori,
    /// The built-in `cjk` analyzer (overlapping two-letter grams), for a server without nori,
    /// such as the OpenSearch stand-in the tests run: "아이폰" finds "아이폰 15", but "아이폰을"
    /// does not, since its last gram "폰을" is in no listing.
    Cjk,
}

impl TextAnalyzer {
    pub fn as_str(self) -> &'static str {
        match self {
            TextAnalyzer::Nori => "nori",
            TextAnalyzer::Cjk => "cjk",
        }
    }
}

impl FromStr for TextAnalyzer {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "nori" => Ok(TextAnalyzer::Nori),
            "cjk" => Ok(TextAnalyzer::Cjk),
            other => Err(format!("{other} is not one of nori, cjk")),
        }
    }
}

#[derive(Clone, Debug)]
pub struct ElasticsearchListingSearch {
    client: Elasticsearch,
    /// The listings index, e.g. `jangteo-listings`.
    index: String,
    /// Where the checkpoint lives: `<index>-checkpoint`.
    checkpoint_index: String,
    /// The search history: `<index>-queries`.
    queries_index: String,
    /// The analyzer of the listings index, when this handle creates it.
    analyzer: TextAnalyzer,
}

impl From<elasticsearch::Error> for ReadModelError {
    fn from(error: elasticsearch::Error) -> Self {
        ReadModelError::SearchServer(BackendError::new(error))
    }
}

impl ElasticsearchListingSearch {
    /// Connects to the node at `url` and creates `index` (with its mapping, analysing text with
    /// `analyzer`) if it does not exist. User and password in the URL become basic
    /// authentication.
    pub async fn connect(url: &str, index: &str, analyzer: TextAnalyzer) -> Result<Self, ReadModelError> {
        let mut url = Url::parse(url).map_err(elasticsearch::Error::from)?;
        // Credentials travel as a header of their own: left in the URL as well, reqwest would
        // send a second Authorization header.
        let credentials = match url.password() {
            Some(password) if !url.username().is_empty() => {
                let credentials = Credentials::Basic(url.username().to_owned(), password.to_owned());
                if url.set_username("").and_then(|()| url.set_password(None)).is_err() {
                    return Err(ReadModelError::Search(BackendError::new(format!(
                        "{url} cannot carry credentials"
                    ))));
                }
                Some(credentials)
            }
            _ => None,
        };
        let mut transport =
            TransportBuilder::new(SingleNodeConnectionPool::new(url)).timeout(REQUEST_TIMEOUT);
        if let Some(credentials) = credentials {
            transport = transport.auth(credentials);
        }
        let transport = transport.build().map_err(elasticsearch::Error::from)?;
        let search = Self {
            client: Elasticsearch::new(transport),
            index: index.to_owned(),
            checkpoint_index: format!("{index}-checkpoint"),
            queries_index: format!("{index}-queries"),
            analyzer,
        };
        search.create_indexes().await?;
        search.warn_of_an_older_mapping().await;
        Ok(search)
    }

    /// An index created before the Korean search fields refuses every listing now indexed
    /// (its mapping is strict): say so loudly. `jangteo rebuild --projection listing_search`
    /// resets it, which creates it anew; connecting still succeeds so that the rebuild can run.
    async fn warn_of_an_older_mapping(&self) {
        let Ok(response) =
            self.client.indices().get_mapping(IndicesGetMappingParts::Index(&[&self.index])).send().await
        else {
            return;
        };
        let Ok(body) = body_of(response).await else { return };
        let current = mapping::listings(self.analyzer);
        let Some(expected) = current["mappings"]["properties"].as_object() else { return };
        let missing: Vec<&String> = expected
            .keys()
            .filter(|field| body[&self.index]["mappings"]["properties"].get(field.as_str()).is_none())
            .collect();
        if !missing.is_empty() {
            tracing::error!(
                index = self.index,
                ?missing,
                "the listings index predates these fields and refuses new listings: \
                 run `jangteo rebuild --projection listing_search`"
            );
        }
    }

    /// Deletes the listings index, its checkpoint and the search history (tests and throwaway
    /// deployments).
    pub async fn delete_indexes(&self) -> Result<(), ReadModelError> {
        self.delete(&[&self.queries_index, &self.checkpoint_index, &self.index]).await
    }

    async fn delete(&self, names: &[&String]) -> Result<(), ReadModelError> {
        for name in names {
            let response = self.client.indices().delete(IndicesDeleteParts::Index(&[name])).send().await?;
            if response.status_code() != StatusCode::NOT_FOUND {
                success(response, "deleting an index").await?;
            }
        }
        Ok(())
    }

    async fn create_indexes(&self) -> Result<(), ReadModelError> {
        for (name, body) in [
            (&self.index, mapping::listings(self.analyzer)),
            (&self.checkpoint_index, mapping::checkpoint()),
            (&self.queries_index, mapping::queries()),
        ] {
            let exists = self.client.indices().exists(IndicesExistsParts::Index(&[name])).send().await?;
            if exists.status_code() == StatusCode::OK {
                continue;
            }
            let created =
                self.client.indices().create(IndicesCreateParts::Index(name)).body(body).send().await?;
            // Another instance may have created it in the meantime.
            if !created.status_code().is_success() {
                let error = body_of(created).await?;
                if error["error"]["type"] != "resource_already_exists_exception" {
                    return Err(ReadModelError::Search(BackendError::new(format!(
                        "creating index {name}: {error}"
                    ))));
                }
            }
        }
        Ok(())
    }
}

/// The JSON body of a response, or the error it carries.
async fn body_of(response: Response) -> Result<Value, ReadModelError> {
    Ok(response.json::<Value>().await?)
}

async fn success(response: Response, what: &str) -> Result<Value, ReadModelError> {
    let status = response.status_code();
    let body = body_of(response).await?;
    if status.is_success() {
        Ok(body)
    } else {
        Err(ReadModelError::Search(BackendError::new(format!("{what}: {status} {body}"))))
    }
}

#[async_trait]
impl ListingSearch for ElasticsearchListingSearch {
    async fn search(&self, query: &SearchQuery) -> Result<SearchPage, ReadModelError> {
        let response =
            self.client.search(SearchParts::Index(&[&self.index])).body(query::body(query)).send().await?;
        let body = success(response, "searching listings").await?;
        let hits = documents(&body)?;
        let has_more = hits.len() > query.limit;
        let hits: Vec<ListingDocument> = hits.into_iter().take(query.limit).collect();
        let distances_km = match query.near {
            Some(near) => hits
                .iter()
                .map(|hit| hit.location.map_or(f64::INFINITY, |at| at.distance_km(near.center)))
                .collect(),
            None => Vec::new(),
        };
        Ok(SearchPage { hits, distances_km, has_more })
    }

    async fn suggest(&self, prefix: &str, limit: usize) -> Result<Vec<Suggestion>, ReadModelError> {
        let Some(typed) = TypedPrefix::parse(prefix) else { return Ok(Vec::new()) };
        let mut all = self.popular_queries(prefix, &typed, limit).await?;
        all.extend(self.title_completions(prefix, &typed, limit).await?);
        Ok(merge_suggestions(all, limit))
    }

    async fn record_query(&self, text: &str) -> Result<(), ReadModelError> {
        let query = korean::normalize_query(text);
        if query.is_empty() || query.chars().count() > MAX_QUERY_CHARS {
            return Ok(());
        }
        // A read-modify-write guarded by the document's sequence number (the OpenSearch
        // stand-in runs no update scripts); a concurrent count of the same query retries.
        for _ in 0..COUNT_TRIES {
            let response = self.client.get(GetParts::IndexId(&self.queries_index, &query)).send().await?;
            let written = if response.status_code() == StatusCode::NOT_FOUND {
                let document = json!({
                    "query": query,
                    "keys": korean::keystrokes(&query),
                    "choseong": korean::choseong(&query),
                    "count": 1,
                });
                self.client
                    .index(IndexParts::IndexId(&self.queries_index, &query))
                    .op_type(elasticsearch::params::OpType::Create)
                    .body(document)
                    .send()
                    .await?
            } else {
                let current = success(response, "reading a query count").await?;
                let mut document = current["_source"].clone();
                document["count"] = json!(document["count"].as_u64().unwrap_or(0) + 1);
                let (Some(seq_no), Some(primary_term)) =
                    (current["_seq_no"].as_i64(), current["_primary_term"].as_i64())
                else {
                    return Err(ReadModelError::Corrupt(format!(
                        "query count without a sequence number: {current}"
                    )));
                };
                self.client
                    .index(IndexParts::IndexId(&self.queries_index, &query))
                    .if_seq_no(seq_no)
                    .if_primary_term(primary_term)
                    .body(document)
                    .send()
                    .await?
            };
            if written.status_code() != StatusCode::CONFLICT {
                success(written, "counting a query").await?;
                return Ok(());
            }
        }
        tracing::warn!(query, "a query count lost {COUNT_TRIES} races in a row; not counted");
        Ok(())
    }

    async fn checkpoint(&self) -> Result<u64, ReadModelError> {
        let response =
            self.client.get(GetParts::IndexId(&self.checkpoint_index, CHECKPOINT_ID)).send().await?;
        if response.status_code() == StatusCode::NOT_FOUND {
            return Ok(0);
        }
        let body = success(response, "reading the search checkpoint").await?;
        body["_source"]["position"]
            .as_u64()
            .ok_or_else(|| ReadModelError::Corrupt(format!("search checkpoint: {body}")))
    }

    async fn commit(
        &self,
        upserts: Vec<ListingDocument>,
        deletes: Vec<ListingId>,
        checkpoint: u64,
    ) -> Result<(), ReadModelError> {
        if !upserts.is_empty() || !deletes.is_empty() {
            let mut operations = BulkOperations::new();
            for document in &upserts {
                let version = i64::try_from(document.version)
                    .map_err(|_| ReadModelError::Corrupt(format!("listing version {}", document.version)))?;
                let source = mapping::source(document)?;
                operations.push(
                    BulkOperation::index(source)
                        .id(document.listing_id.to_string())
                        .version(version)
                        .version_type(VersionType::External),
                )?;
            }
            for listing_id in &deletes {
                operations.push(BulkOperation::<Value>::delete(listing_id.to_string()))?;
            }
            let response = self
                .client
                .bulk(BulkParts::Index(&self.index))
                .body(vec![operations])
                .refresh(Refresh::WaitFor)
                .send()
                .await?;
            let body = success(response, "bulk indexing listings").await?;
            if body["errors"].as_bool().unwrap_or(false) {
                let failed: Vec<&Value> = body["items"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|item| item.as_object().and_then(|item| item.values().next()))
                    .filter(|result| {
                        let status = result["status"].as_u64().unwrap_or(500);
                        // 409: the index holds this version or a newer one (a replay); 404: deleted already.
                        !(200..300).contains(&status) && status != 409 && status != 404
                    })
                    .collect();
                if !failed.is_empty() {
                    return Err(ReadModelError::Search(BackendError::new(format!(
                        "bulk indexing failed for {failed:?}"
                    ))));
                }
            }
        }
        // Versioned by the position itself: a stalled worker's late commit (an older position)
        // is refused with 409 and never moves the checkpoint back.
        let version = i64::try_from(checkpoint)
            .map_err(|_| ReadModelError::Corrupt(format!("checkpoint {checkpoint} out of range")))?;
        let response = self
            .client
            .index(IndexParts::IndexId(&self.checkpoint_index, CHECKPOINT_ID))
            .body(json!({ "position": checkpoint }))
            .version(version)
            .version_type(VersionType::External)
            .refresh(Refresh::WaitFor)
            .send()
            .await?;
        if response.status_code() == StatusCode::CONFLICT {
            return Ok(());
        }
        success(response, "storing the search checkpoint").await?;
        Ok(())
    }

    async fn reset(&self) -> Result<(), ReadModelError> {
        // The search history is no projection of the log: it stays.
        self.delete(&[&self.checkpoint_index, &self.index]).await?;
        self.create_indexes().await
    }
}

/// The listing documents of a search response's hits.
fn documents(body: &Value) -> Result<Vec<ListingDocument>, ReadModelError> {
    body["hits"]["hits"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|hit| {
            serde_json::from_value::<ListingDocument>(hit["_source"].clone())
                .map_err(|error| ReadModelError::Corrupt(format!("indexed listing document: {error}")))
        })
        .collect()
}

impl ElasticsearchListingSearch {
    /// Past queries completing the typed prefix, searched at least twice, most searched first.
    async fn popular_queries(
        &self,
        prefix: &str,
        typed: &TypedPrefix,
        limit: usize,
    ) -> Result<Vec<Suggestion>, ReadModelError> {
        let by_prefix = if typed.choseong && typed.head.is_none() {
            json!({ "prefix": { "choseong": typed.key } })
        } else {
            json!({ "prefix": { "keys": korean::keystrokes(&korean::normalize_query(prefix)) } })
        };
        let body = json!({
            "size": limit,
            "query": { "bool": { "filter": [by_prefix, { "range": { "count": { "gte": MIN_SUGGESTED_COUNT } } }] } },
            "sort": [{ "count": "desc" }, { "query": "asc" }],
        });
        let response =
            self.client.search(SearchParts::Index(&[&self.queries_index])).body(body).send().await?;
        let body = success(response, "searching past queries").await?;
        #[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
        let found = body["hits"]["hits"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|hit| {
                let source = &hit["_source"];
                Some(Suggestion {
                    text: source["query"].as_str()?.to_owned(),
                    source: SuggestionSource::Query,
                    score: source["count"].as_u64()? as f64 * QUERY_WEIGHT,
                })
            })
            .collect();
        Ok(found)
    }

    /// Completions of the typed part in on-sale titles (that match the words before it),
    /// counted by the titles holding them, among the best-matching [`SUGGESTION_TITLES`].
    async fn title_completions(
        &self,
        prefix: &str,
        typed: &TypedPrefix,
        limit: usize,
    ) -> Result<Vec<Suggestion>, ReadModelError> {
        let field = if typed.choseong { "title_choseong" } else { "title_keys" };
        let mut must = vec![json!({ "term": { field: typed.key } })];
        if let Some(tree) = typed.head.as_deref().and_then(korean::parse_query) {
            must.push(query::text(&tree));
        }
        let body = json!({
            "size": SUGGESTION_TITLES,
            "query": { "bool": {
                "must": must,
                "filter": [{ "term": { "status": ListingStatusView::OnSale.as_str() } }],
            } },
            "_source": { "excludes": mapping::SEARCH_FIELDS },
        });
        let response = self.client.search(SearchParts::Index(&[&self.index])).body(body).send().await?;
        let body = success(response, "completing from titles").await?;
        let mut counts: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
        for document in documents(&body)? {
            let mut seen = std::collections::HashSet::new();
            for word in korean::words(&document.title) {
                for part in &word.parts {
                    if let Some(completion) = typed.completion(part)
                        && seen.insert(completion.to_owned())
                    {
                        *counts.entry(completion.to_owned()).or_insert(0) += 1;
                    }
                }
            }
        }
        let mut counts: Vec<(String, u32)> = counts.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(counts
            .into_iter()
            .take(limit)
            .map(|(completion, count)| Suggestion {
                text: completed_text(prefix, &typed.last, &completion),
                source: SuggestionSource::Title,
                score: f64::from(count),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use jangteo_domain::Money;

    use super::*;

    #[test]
    fn the_strict_mapping_names_every_field_of_a_listing_document() {
        let at = chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default();
        let Ok(price) = Money::won(1_000) else { return };
        let document = ListingDocument {
            listing_id: ListingId::from_uuid(uuid::Uuid::from_u128(1)),
            seller_id: jangteo_domain::AccountId::from_uuid(uuid::Uuid::from_u128(2)),
            title: "의자".to_owned(),
            description: "튼튼해요".to_owned(),
            price,
            category_id: None,
            status: ListingStatusView::OnSale,
            version: 1,
            created_position: 1,
            created_at: at,
            updated_at: at,
            quantity: 1,
            available: 1,
            images: Vec::new(),
            location: None,
            neighbourhood: None,
            bumped_at: None,
            bumped_position: None,
            review: None,
        };
        let Ok(located) = jangteo_domain::listing::GeoPoint::new(37.5, 127.0) else { return };
        let document = ListingDocument { location: Some(located), ..document };
        let indexed = mapping::source(&document).unwrap_or_default();
        let fields: Vec<&String> = indexed.as_object().map(|o| o.keys().collect()).unwrap_or_default();
        let mapping = mapping::listings(TextAnalyzer::Nori);
        let mapped = &mapping["mappings"]["properties"];
        for field in &fields {
            assert!(mapped.get(field.as_str()).is_some(), "{field} is mapped");
        }
        for field in mapping::SEARCH_FIELDS {
            assert!(fields.iter().any(|f| *f == field), "{field} is indexed");
        }
        // What a hit reads back, with the search fields left out, is the document.
        let mut read = indexed.clone();
        for field in mapping::SEARCH_FIELDS {
            read.as_object_mut().map(|o| o.remove(field));
        }
        assert_eq!(serde_json::from_value::<ListingDocument>(read).ok(), Some(document));
    }

    #[test]
    fn the_analyzer_is_chosen_by_name_and_shapes_the_index() {
        assert_eq!("nori".parse(), Ok(TextAnalyzer::Nori));
        assert_eq!("cjk".parse(), Ok(TextAnalyzer::Cjk));
        assert!("kuromoji".parse::<TextAnalyzer>().is_err());
        assert_eq!(TextAnalyzer::default(), TextAnalyzer::Nori);
        let analyzer =
            |choice| mapping::listings(choice)["settings"]["analysis"]["analyzer"]["korean"].clone();
        assert_eq!(analyzer(TextAnalyzer::Nori)["tokenizer"], "nori_tokenizer");
        assert_eq!(analyzer(TextAnalyzer::Cjk), json!({ "type": "cjk" }));
        let nori = mapping::listings(TextAnalyzer::Nori);
        let cjk = mapping::listings(TextAnalyzer::Cjk);
        assert_eq!(nori["mappings"], cjk["mappings"], "only the analysis differs");
    }
}
