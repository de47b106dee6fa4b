//! The MongoDB document store (distributed profile): listing, order and favourite documents in
//! their own collections, with indexes for the member's pages: "a seller's listings", "a
//! member's orders" and "a member's favourites", newest first.
//!
//! MongoDB 7 standalone has no multi-document transactions, so a commit writes the documents
//! first and the checkpoint last. Every write is version-guarded (a filter on the stored
//! version, upserting): a replay after a crash between the two finds the newer document, the
//! upsert collides on `_id`, and the write is dropped. The checkpoint never runs ahead of the
//! documents.
//!
//! Every call is bounded in time: the driver's own server-selection and connect timeouts cover
//! finding and reaching a server, and each operation is wrapped in a deadline of its own, since
//! the Rust driver has no socket timeout (it ignores `socketTimeoutMS`).

use crate::ReadModel;
use std::{future::IntoFuture, time::Duration};

use async_trait::async_trait;
use jangteo_domain::{AccountId, ListingId, OrderId, listing::ImageDigest, order::OrderStatus};
use mongodb::{
    Client, Collection, Database, IndexModel,
    bson::{self, Bson, Document, doc},
    error::{ErrorKind, WriteFailure},
    options::ClientOptions,
};
use serde::{Serialize, de::DeserializeOwned};

use crate::{
    BackendError, DocumentStore, DocumentWrite, FavouriteDocument, ListingDocument, ListingStatusView,
    OrderDocument, OrderParty, PageRequest, ReadModelError,
};

const LISTINGS: &str = "listing_documents";
const ORDERS: &str = "order_documents";
const FAVOURITES: &str = "favourite_documents";
const CHECKPOINTS: &str = "projection_checkpoints";
/// MongoDB's duplicate-key error: here, a guarded upsert that met a newer document.
const DUPLICATE_KEY: i32 = 11000;
/// How long the driver looks for a usable server before an operation fails (its own default is
/// 30 s, longer than a query's caller waits).
const SERVER_SELECTION_TIMEOUT: Duration = Duration::from_secs(10);
/// How long opening one connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest one read or write of a document, a checkpoint or an index may take.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(30);
/// Emptying a collection or dropping the database (a reset before a rebuild) touches every
/// document, so it may take longer than one operation.
const BULK_TIMEOUT: Duration = Duration::from_secs(10 * 60);

#[derive(Clone, Debug)]
pub struct MongoDocumentStore {
    database: Database,
}

impl From<mongodb::error::Error> for ReadModelError {
    fn from(error: mongodb::error::Error) -> Self {
        ReadModelError::Documents(BackendError::new(error))
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
    ///
    /// The server-selection and connect timeouts above apply unless the URI sets its own
    /// (`serverSelectionTimeoutMS`, `connectTimeoutMS`).
    pub async fn connect(uri: &str, database: &str) -> Result<Self, ReadModelError> {
        // Parsing a `mongodb+srv://` URI resolves DNS records, so it is bounded too.
        let mut options =
            bounded("parsing the connection string", OPERATION_TIMEOUT, ClientOptions::parse(uri)).await?;
        options.server_selection_timeout.get_or_insert(SERVER_SELECTION_TIMEOUT);
        options.connect_timeout.get_or_insert(CONNECT_TIMEOUT);
        let client = Client::with_options(options)?;
        let store = Self { database: client.database(database) };
        store.create_indexes().await?;
        Ok(store)
    }

    /// Drops the whole database (tests and throwaway deployments).
    pub async fn drop_database(&self) -> Result<(), ReadModelError> {
        bounded("dropping the database", BULK_TIMEOUT, self.database.drop()).await
    }

    async fn create_indexes(&self) -> Result<(), ReadModelError> {
        let indexes = [
            (LISTINGS, doc! { "seller_id": 1, "created_position": -1 }),
            // Multikey: one entry per photo of a listing.
            (LISTINGS, doc! { "images.sha256": 1, "created_position": -1 }),
            (ORDERS, doc! { "buyer_id": 1, "created_position": -1 }),
            (ORDERS, doc! { "seller_id": 1, "created_position": -1 }),
            (FAVOURITES, doc! { "account_id": 1, "favourited": 1, "position": -1 }),
        ];
        for (collection, keys) in indexes {
            let index = IndexModel::builder().keys(keys).build();
            bounded("creating an index", OPERATION_TIMEOUT, self.collection(collection).create_index(index))
                .await?;
        }
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
        let stored = bounded(
            "reading a document",
            OPERATION_TIMEOUT,
            self.collection(collection).find_one(doc! { "_id": id }),
        )
        .await?;
        stored.map(decode).transpose()
    }

    /// One member's page: the documents matching `filter` whose `position` field is below the
    /// page's `before`, newest first, at most `limit`.
    async fn page<T: DeserializeOwned>(
        &self,
        collection: &str,
        mut filter: Document,
        position_field: &str,
        page: PageRequest,
    ) -> Result<Vec<T>, ReadModelError> {
        if let Some(before) = page.before {
            filter.insert(position_field, doc! { "$lt": position(before)? });
        }
        let collection = self.collection(collection);
        let found = async {
            let mut cursor = collection
                .find(filter)
                .sort(doc! { position_field: -1 })
                .limit(i64::from(page.limit))
                .await?;
            let mut documents = Vec::new();
            while cursor.advance().await? {
                documents.push(cursor.deserialize_current()?);
            }
            Ok(documents)
        };
        let documents = bounded("reading a page of documents", OPERATION_TIMEOUT, found).await?;
        documents.into_iter().map(decode).collect()
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
        let replacement = encode(id.clone(), document)?;
        let mut filter = doc! { "_id": id };
        filter.extend(newer_than);
        let collection = self.collection(collection);
        let replaced = collection.replace_one(filter, replacement).upsert(true);
        match within("writing a document", OPERATION_TIMEOUT, replaced).await? {
            Ok(_) => Ok(()),
            Err(error) if is_duplicate_key(&error) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }
}

/// A document as stored: its fields, and its id as `_id`.
fn encode<T: Serialize>(id: Bson, document: &T) -> Result<Document, ReadModelError> {
    let mut stored = bson::to_document(document)?;
    stored.insert("_id", id);
    Ok(stored)
}

fn decode<T: DeserializeOwned>(mut stored: Document) -> Result<T, ReadModelError> {
    stored.remove("_id");
    Ok(bson::from_document(stored)?)
}

/// Runs one driver call under `limit`; a call past it is dropped, and the driver closes the
/// connection it was using rather than reuse one with an answer still in flight.
async fn within<T>(
    operation: &'static str,
    limit: Duration,
    call: impl IntoFuture<Output = mongodb::error::Result<T>>,
) -> Result<mongodb::error::Result<T>, ReadModelError> {
    tokio::time::timeout(limit, call).await.map_err(|source| ReadModelError::TimedOut {
        service: "MongoDB",
        operation,
        limit,
        source,
    })
}

/// [`within`], with the driver's error converted.
async fn bounded<T>(
    operation: &'static str,
    limit: Duration,
    call: impl IntoFuture<Output = mongodb::error::Result<T>>,
) -> Result<T, ReadModelError> {
    Ok(within(operation, limit, call).await??)
}

fn is_duplicate_key(error: &mongodb::error::Error) -> bool {
    matches!(&*error.kind, ErrorKind::Write(WriteFailure::WriteError(write)) if write.code == DUPLICATE_KEY)
}

fn id_of<T: Serialize>(id: &T) -> Result<Bson, ReadModelError> {
    Ok(bson::to_bson(id)?)
}

/// A favourite's `_id`: its member and its listing.
fn favourite_id(account_id: AccountId, listing_id: ListingId) -> Bson {
    Bson::String(format!("{}:{}", account_id.as_uuid(), listing_id.as_uuid()))
}

fn party_field(party: OrderParty) -> &'static str {
    match party {
        OrderParty::Buyer => "buyer_id",
        OrderParty::Seller => "seller_id",
    }
}

/// `{field: {$in: names}}` added to `filter`, unless `names` is empty (every status).
fn with_statuses(mut filter: Document, field: &str, names: Vec<&'static str>) -> Document {
    if !names.is_empty() {
        filter.insert(field, doc! { "$in": names });
    }
    filter
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

    async fn favourite(
        &self,
        account_id: AccountId,
        listing_id: ListingId,
    ) -> Result<Option<FavouriteDocument>, ReadModelError> {
        self.find(FAVOURITES, favourite_id(account_id, listing_id)).await
    }

    async fn listings_of_seller(
        &self,
        seller_id: AccountId,
        statuses: &[ListingStatusView],
        page: PageRequest,
    ) -> Result<Vec<ListingDocument>, ReadModelError> {
        let names = statuses.iter().map(|status| status.as_str()).collect();
        let filter = with_statuses(doc! { "seller_id": id_of(&seller_id)? }, "status", names);
        self.page(LISTINGS, filter, "created_position", page).await
    }

    async fn listings_with_photo(
        &self,
        sha256: &ImageDigest,
        limit: u32,
    ) -> Result<Vec<ListingDocument>, ReadModelError> {
        let filter = doc! { "images.sha256": sha256.as_str() };
        self.page(LISTINGS, filter, "created_position", PageRequest { before: None, limit }).await
    }

    async fn orders_of(
        &self,
        member: AccountId,
        party: OrderParty,
        statuses: &[OrderStatus],
        page: PageRequest,
    ) -> Result<Vec<OrderDocument>, ReadModelError> {
        let names = statuses.iter().map(|status| status.name()).collect();
        let filter = with_statuses(doc! { party_field(party): id_of(&member)? }, "status", names);
        self.page(ORDERS, filter, "created_position", page).await
    }

    async fn count_orders(
        &self,
        member: AccountId,
        party: OrderParty,
        status: OrderStatus,
    ) -> Result<u64, ReadModelError> {
        let filter = doc! { party_field(party): id_of(&member)?, "status": status.name() };
        let orders = self.collection(ORDERS);
        let counted = orders.count_documents(filter);
        bounded("counting orders", OPERATION_TIMEOUT, counted).await
    }

    async fn favourites_of(
        &self,
        member: AccountId,
        page: PageRequest,
    ) -> Result<Vec<FavouriteDocument>, ReadModelError> {
        let filter = doc! { "account_id": id_of(&member)?, "favourited": true };
        self.page(FAVOURITES, filter, "position", page).await
    }

    async fn checkpoint(&self, projection: &str) -> Result<u64, ReadModelError> {
        let checkpoints = self.collection(CHECKPOINTS);
        let read = checkpoints.find_one(doc! { "_id": projection });
        let stored = bounded("reading a checkpoint", OPERATION_TIMEOUT, read).await?;
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
                DocumentWrite::PutFavourite(document) => {
                    let guard = doc! { "version": { "$lt": position(document.version)? } };
                    let id = favourite_id(document.account_id, document.listing_id);
                    self.put_guarded(FAVOURITES, id, document, guard).await?;
                }
            }
        }
        // `$max`: a stalled worker's late commit never moves the checkpoint back.
        let checkpoints = self.collection(CHECKPOINTS);
        let moved = checkpoints
            .update_one(doc! { "_id": projection }, doc! { "$max": { "position": position(checkpoint)? } })
            .upsert(true);
        bounded("storing a checkpoint", OPERATION_TIMEOUT, moved).await?;
        Ok(())
    }

    async fn reset(&self, model: ReadModel) -> Result<(), ReadModelError> {
        // Checkpoint first: a crash half-way leaves a store that is rebuilt from 0 anyway.
        let checkpoints = self.collection(CHECKPOINTS);
        let forgotten = checkpoints.delete_one(doc! { "_id": model.name() });
        bounded("deleting a checkpoint", OPERATION_TIMEOUT, forgotten).await?;
        let collection = match model {
            ReadModel::ListingDocuments => LISTINGS,
            ReadModel::OrderDocuments => ORDERS,
            ReadModel::FavouriteDocuments => FAVOURITES,
            // Kept in the search index, the cache or the counters: at most a checkpoint is here.
            ReadModel::ListingSearch | ReadModel::ListingCache | ReadModel::ListingCounters => return Ok(()),
        };
        bounded("emptying a collection", BULK_TIMEOUT, self.collection(collection).delete_many(doc! {}))
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use jangteo_domain::{AccountId, Money, escrow::EscrowStatus, order::OrderStatus};
    use uuid::Uuid;

    use super::*;
    use crate::ListingStatusView;

    #[test]
    fn documents_survive_the_trip_through_bson() -> Result<(), ReadModelError> {
        let at = DateTime::from_timestamp(1_790_000_000, 123_000_000).unwrap_or_default();
        let listing = ListingDocument {
            listing_id: ListingId::from_uuid(Uuid::from_u128(1)),
            seller_id: AccountId::from_uuid(Uuid::from_u128(2)),
            title: "아이폰 15".to_owned(),
            description: "상태 좋아요".to_owned(),
            price: Money::won(900_000).map_err(|e| ReadModelError::Corrupt(e.to_string()))?,
            category_id: None,
            status: ListingStatusView::Reserved,
            version: 4,
            created_position: 17,
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
        let stored = encode(id_of(&listing.listing_id)?, &listing)?;
        assert_eq!(stored.get_str("_id").ok(), Some(Uuid::from_u128(1).to_string().as_str()));
        assert_eq!(stored.get_i64("version").ok(), Some(4), "the guard compares numbers");
        assert_eq!(decode::<ListingDocument>(stored)?, listing);

        let order = OrderDocument {
            order_id: OrderId::from_uuid(Uuid::from_u128(3)),
            listing_id: listing.listing_id,
            items: vec![jangteo_domain::order::OrderItem {
                listing_id: listing.listing_id,
                price: listing.price,
                units: 1,
            }],
            buyer_id: AccountId::from_uuid(Uuid::from_u128(4)),
            seller_id: listing.seller_id,
            shipping_fee: Money::ZERO,
            price: listing.price,
            status: OrderStatus::Paid,
            escrow_status: Some(EscrowStatus::Held),
            escrow_refunded: Money::ZERO,
            escrow_released: Money::ZERO,
            version: 2,
            escrow_version: 1,
            created_position: 9,
            created_at: at,
            updated_at: at,
        };
        let stored = encode(id_of(&order.order_id)?, &order)?;
        assert_eq!(stored.get_i64("escrow_version").ok(), Some(1));
        assert_eq!(decode::<OrderDocument>(stored)?, order);
        Ok(())
    }
}
