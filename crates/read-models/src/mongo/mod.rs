//! The MongoDB document store (distributed profile): listing and order documents in their own
//! collections, with indexes for "a seller's listings" and "an account's orders".
//!
//! MongoDB 7 standalone has no multi-document transactions, so a commit writes the documents
//! first and the checkpoint last. Every write is version-guarded (a filter on the stored
//! version, upserting): a replay after a crash between the two finds the newer document, the
//! upsert collides on `_id`, and the write is dropped. The checkpoint never runs ahead of the
//! documents.

use async_trait::async_trait;
use jangteo_domain::{ListingId, OrderId};
use mongodb::{
    Client, Collection, Database, IndexModel,
    bson::{self, Bson, Document, doc},
    error::{ErrorKind, WriteFailure},
};
use serde::{Serialize, de::DeserializeOwned};

use crate::{
    DocumentStore, DocumentWrite, LISTING_DOCUMENTS, ListingDocument, ORDER_DOCUMENTS, OrderDocument,
    ReadModelError,
};

const LISTINGS: &str = "listing_documents";
const ORDERS: &str = "order_documents";
const CHECKPOINTS: &str = "projection_checkpoints";
/// MongoDB's duplicate-key error: here, a guarded upsert that met a newer document.
const DUPLICATE_KEY: i32 = 11000;

#[derive(Clone, Debug)]
pub struct MongoDocumentStore {
    database: Database,
}

impl From<mongodb::error::Error> for ReadModelError {
    fn from(error: mongodb::error::Error) -> Self {
        ReadModelError::Documents(error.to_string())
    }
}

impl From<bson::ser::Error> for ReadModelError {
    fn from(error: bson::ser::Error) -> Self {
        ReadModelError::Corrupt(format!("encoding a document: {error}"))
    }
}

impl From<bson::de::Error> for ReadModelError {
    fn from(error: bson::de::Error) -> Self {
        ReadModelError::Corrupt(format!("stored document: {error}"))
    }
}

impl MongoDocumentStore {
    /// Connects to `uri` (`mongodb://…`), uses `database`, and creates the indexes.
    pub async fn connect(uri: &str, database: &str) -> Result<Self, ReadModelError> {
        let client = Client::with_uri_str(uri).await?;
        let store = Self { database: client.database(database) };
        store.create_indexes().await?;
        Ok(store)
    }

    async fn create_indexes(&self) -> Result<(), ReadModelError> {
        let listings = self.collection(LISTINGS);
        listings
            .create_index(IndexModel::builder().keys(doc! { "seller_id": 1, "created_position": -1 }).build())
            .await?;
        let orders = self.collection(ORDERS);
        orders
            .create_index(IndexModel::builder().keys(doc! { "buyer_id": 1, "created_at": -1 }).build())
            .await?;
        orders
            .create_index(IndexModel::builder().keys(doc! { "seller_id": 1, "created_at": -1 }).build())
            .await?;
        Ok(())
    }

    fn collection(&self, name: &str) -> Collection<Document> {
        self.database.collection(name)
    }

    async fn find<T: DeserializeOwned>(
        &self,
        collection: &str,
        id: Bson,
    ) -> Result<Option<T>, ReadModelError> {
        let Some(mut stored) = self.collection(collection).find_one(doc! { "_id": id }).await? else {
            return Ok(None);
        };
        stored.remove("_id");
        Ok(Some(bson::from_document(stored)?))
    }

    /// Upserts `document` under `id` unless the stored one matches no part of `newer_than`
    /// (the version guard).
    async fn put_guarded<T: Serialize>(
        &self,
        collection: &str,
        id: Bson,
        document: &T,
        newer_than: Document,
    ) -> Result<(), ReadModelError> {
        let mut replacement = bson::to_document(document)?;
        replacement.insert("_id", id.clone());
        let mut filter = doc! { "_id": id };
        filter.extend(newer_than);
        match self.collection(collection).replace_one(filter, replacement).upsert(true).await {
            Ok(_) => Ok(()),
            Err(error) if is_duplicate_key(&error) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }
}

fn is_duplicate_key(error: &mongodb::error::Error) -> bool {
    matches!(&*error.kind, ErrorKind::Write(WriteFailure::WriteError(write)) if write.code == DUPLICATE_KEY)
}

fn id_of<T: Serialize>(id: &T) -> Result<Bson, ReadModelError> {
    Ok(bson::to_bson(id)?)
}

fn position(value: u64) -> Result<i64, ReadModelError> {
    i64::try_from(value).map_err(|_| ReadModelError::Corrupt(format!("{value} does not fit in a BSON long")))
}

#[async_trait]
impl DocumentStore for MongoDocumentStore {
    async fn listing(&self, listing_id: ListingId) -> Result<Option<ListingDocument>, ReadModelError> {
        self.find(LISTINGS, id_of(&listing_id)?).await
    }

    async fn order(&self, order_id: OrderId) -> Result<Option<OrderDocument>, ReadModelError> {
        self.find(ORDERS, id_of(&order_id)?).await
    }

    async fn checkpoint(&self, projection: &str) -> Result<u64, ReadModelError> {
        let stored = self.collection(CHECKPOINTS).find_one(doc! { "_id": projection }).await?;
        let Some(stored) = stored else { return Ok(0) };
        let value = stored
            .get_i64("position")
            .map_err(|error| ReadModelError::Corrupt(format!("checkpoint of {projection}: {error}")))?;
        u64::try_from(value)
            .map_err(|_| ReadModelError::Corrupt(format!("checkpoint {value} of {projection}")))
    }

    async fn commit(
        &self,
        projection: &str,
        writes: Vec<DocumentWrite>,
        checkpoint: u64,
    ) -> Result<(), ReadModelError> {
        for write in &writes {
            match write {
                DocumentWrite::PutListing(document) => {
                    let version = position(document.version)?;
                    let guard = doc! { "version": { "$lt": version } };
                    self.put_guarded(LISTINGS, id_of(&document.listing_id)?, document, guard).await?;
                }
                DocumentWrite::PutOrder(document) => {
                    let (version, escrow_version) =
                        (position(document.version)?, position(document.escrow_version)?);
                    let guard = doc! { "$or": [
                        { "version": { "$lt": version } },
                        { "version": version, "escrow_version": { "$lt": escrow_version } },
                    ] };
                    self.put_guarded(ORDERS, id_of(&document.order_id)?, document, guard).await?;
                }
            }
        }
        self.collection(CHECKPOINTS)
            .replace_one(
                doc! { "_id": projection },
                doc! { "_id": projection, "position": position(checkpoint)? },
            )
            .upsert(true)
            .await?;
        Ok(())
    }

    async fn reset(&self, projection: &str) -> Result<(), ReadModelError> {
        // Checkpoint first: a crash half-way leaves a store that is rebuilt from 0 anyway.
        self.collection(CHECKPOINTS).delete_one(doc! { "_id": projection }).await?;
        match projection {
            LISTING_DOCUMENTS => {
                self.collection(LISTINGS).delete_many(doc! {}).await?;
            }
            ORDER_DOCUMENTS => {
                self.collection(ORDERS).delete_many(doc! {}).await?;
            }
            _ => {}
        }
        Ok(())
    }
}
