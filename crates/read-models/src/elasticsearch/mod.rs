//! The Elasticsearch listing index (distributed profile): title and description analysed with
//! the Korean `nori` analyzer (or CJK bigrams, see [`TextAnalyzer`]), keyword and number fields
//! for the filters, bulk indexing.
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
    indices::{IndicesCreateParts, IndicesDeleteParts, IndicesExistsParts},
    params::{Refresh, VersionType},
};
use jangteo_domain::ListingId;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{BackendError, ListingDocument, ListingSearch, ReadModelError, SearchPage, SearchQuery};

/// The id of the checkpoint document in the checkpoint index.
const CHECKPOINT_ID: &str = "listing_search";
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
            analyzer,
        };
        search.create_indexes().await?;
        Ok(search)
    }

    /// Deletes the listings index and its checkpoint (tests and throwaway deployments).
    pub async fn delete_indexes(&self) -> Result<(), ReadModelError> {
        for name in [&self.checkpoint_index, &self.index] {
            let response = self.client.indices().delete(IndicesDeleteParts::Index(&[name])).send().await?;
            if response.status_code() != StatusCode::NOT_FOUND {
                success(response, "deleting an index").await?;
            }
        }
        Ok(())
    }

    async fn create_indexes(&self) -> Result<(), ReadModelError> {
        for (name, body) in
            [(&self.index, mapping::listings(self.analyzer)), (&self.checkpoint_index, mapping::checkpoint())]
        {
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

/// The search request body for `query`.
fn search_body(query: &SearchQuery) -> Value {
    let mut filters =
        vec![json!({ "terms": { "status": query.statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>() } })];
    if query.min_price.is_some() || query.max_price.is_some() {
        let mut range = serde_json::Map::new();
        if let Some(min) = query.min_price {
            range.insert("gte".to_owned(), json!(min.as_won()));
        }
        if let Some(max) = query.max_price {
            range.insert("lte".to_owned(), json!(max.as_won()));
        }
        filters.push(json!({ "range": { "price": range } }));
    }
    let mut bool_query = json!({ "filter": filters });
    let sort = match &query.text {
        Some(text) => {
            bool_query["must"] = json!([{ "multi_match": {
                "query": text,
                "fields": ["title^2", "description"],
                "operator": "and",
            } }]);
            json!(["_score", { "created_position": "desc" }])
        }
        None => json!([{ "created_position": "desc" }]),
    };
    json!({
        "from": query.offset,
        "size": query.limit + 1,
        "query": { "bool": bool_query },
        "sort": sort,
    })
}

#[async_trait]
impl ListingSearch for ElasticsearchListingSearch {
    async fn search(&self, query: &SearchQuery) -> Result<SearchPage, ReadModelError> {
        let response =
            self.client.search(SearchParts::Index(&[&self.index])).body(search_body(query)).send().await?;
        let body = success(response, "searching listings").await?;
        let hits = body["hits"]["hits"].as_array().cloned().unwrap_or_default();
        let has_more = hits.len() > query.limit;
        let hits = hits
            .into_iter()
            .take(query.limit)
            .map(|hit| {
                serde_json::from_value::<ListingDocument>(hit["_source"].clone())
                    .map_err(|error| ReadModelError::Corrupt(format!("indexed listing document: {error}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SearchPage { hits, has_more })
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
                let source = serde_json::to_value(document)
                    .map_err(|error| ReadModelError::Corrupt(format!("encoding a listing: {error}")))?;
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
        self.delete_indexes().await?;
        self.create_indexes().await
    }
}

#[cfg(test)]
mod tests {
    use jangteo_domain::Money;

    use super::*;
    use crate::ListingStatusView;

    #[test]
    fn text_queries_rank_by_score_and_filter_by_status_and_price() {
        let query = SearchQuery {
            text: Some("아이폰".to_owned()),
            min_price: Money::won(10_000).ok(),
            max_price: None,
            statuses: vec![ListingStatusView::OnSale],
            limit: 20,
            offset: 40,
        };
        let body = search_body(&query);
        assert_eq!(body["size"], 21, "one more than the page tells whether more follow");
        assert_eq!(body["from"], 40);
        assert_eq!(body["query"]["bool"]["must"][0]["multi_match"]["query"], "아이폰");
        assert_eq!(body["query"]["bool"]["filter"][0]["terms"]["status"], json!(["on_sale"]));
        assert_eq!(body["query"]["bool"]["filter"][1]["range"]["price"], json!({ "gte": 10_000 }));
        assert_eq!(body["sort"][0], "_score");
    }

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
            location: None,
            bumped_at: None,
            bumped_position: None,
        };
        let encoded = serde_json::to_value(&document).unwrap_or_default();
        let mut fields: Vec<&String> = encoded.as_object().map(|o| o.keys().collect()).unwrap_or_default();
        let mapping = mapping::listings(TextAnalyzer::Nori);
        let mut mapped: Vec<&String> =
            mapping["mappings"]["properties"].as_object().map(|o| o.keys().collect()).unwrap_or_default();
        fields.sort();
        mapped.sort();
        assert_eq!(fields, mapped);
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

    #[test]
    fn without_text_listings_come_newest_first() {
        let query = SearchQuery {
            text: None,
            min_price: None,
            max_price: None,
            statuses: vec![ListingStatusView::OnSale, ListingStatusView::Sold],
            limit: 10,
            offset: 0,
        };
        let body = search_body(&query);
        assert!(body["query"]["bool"].get("must").is_none());
        assert_eq!(body["sort"], json!([{ "created_position": "desc" }]));
        assert_eq!(body["query"]["bool"]["filter"].as_array().map(Vec::len), Some(1));
    }
}
