//! The embedded document store: listing, order and favourite documents in one SQLite file.
//!
//! One write connection (projections commit one at a time) and a small read pool; WAL lets
//! queries read while a projection writes.

mod rows;

use crate::ReadModel;
use std::{path::Path, time::Duration};

use async_trait::async_trait;
use jangteo_domain::{AccountId, ListingId, OrderId, listing::ImageDigest, order::OrderStatus};
use sqlx::{
    QueryBuilder, Sqlite, SqlitePool,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use crate::{
    DocumentStore, DocumentWrite, FavouriteDocument, ListingDocument, ListingStatusView, OrderDocument,
    OrderParty, PageRequest, ReadModelError,
};

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Reader connections. Each query holds one across two hops to and from the connection's worker
/// thread, and on busy cores those hops wait for a turn: with 4, listing reads queued behind one
/// another at about 1,000 a second (HTTP harness, 64 connections: p50 27 ms, against 7 ms with 16;
/// 64 readers gave no more and made the rest slower).
const READ_CONNECTIONS: u32 = 16;

#[derive(Clone, Debug)]
pub struct SqliteDocumentStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteDocumentStore {
    /// Opens (creating if missing) the document store at `path` and migrates it.
    pub async fn open(path: &Path) -> Result<Self, ReadModelError> {
        if let Some(folder) = path.parent().filter(|folder| !folder.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(folder).await.map_err(sqlx::Error::Io)?;
        }
        // Read models can be rebuilt from the log, so NORMAL durability is enough here: a lost
        // commit rolls the checkpoint back with it and is simply projected again.
        let options = SqliteConnectOptions::new()
            .filename(path)
            .busy_timeout(BUSY_TIMEOUT)
            .synchronous(SqliteSynchronous::Normal);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone().create_if_missing(true).journal_mode(SqliteJournalMode::Wal))
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(READ_CONNECTIONS)
            .connect_with(options.pragma("query_only", "ON"))
            .await?;
        Ok(Self { writer, reader })
    }
}

/// `SELECT <columns> FROM <table> WHERE <owner> = ? [AND <only>] [AND <status> IN (…)]
/// [AND <position> < ?] ORDER BY <position> DESC LIMIT ?`: one member's page, newest first.
struct MemberPage<'a> {
    columns: &'a str,
    table: &'a str,
    owner: &'a str,
    owner_id: AccountId,
    /// A fixed condition the rows must meet too.
    only: Option<&'a str>,
    status: Option<(&'a str, Vec<&'static str>)>,
    position: &'a str,
    page: PageRequest,
}

impl MemberPage<'_> {
    fn query(&self) -> Result<QueryBuilder<'_, Sqlite>, ReadModelError> {
        let mut query =
            QueryBuilder::new(format!("SELECT {} FROM {} WHERE {} = ", self.columns, self.table, self.owner));
        query.push_bind(self.owner_id.as_uuid().to_string());
        if let Some(condition) = self.only {
            query.push(format!(" AND {condition}"));
        }
        if let Some((column, names)) = self.status.as_ref().filter(|(_, names)| !names.is_empty()) {
            query.push(format!(" AND {column} IN ("));
            let mut separated = query.separated(", ");
            for name in names {
                separated.push_bind(*name);
            }
            query.push(")");
        }
        if let Some(before) = self.page.before {
            query.push(format!(" AND {} < ", self.position)).push_bind(rows::to_i64(before)?);
        }
        query.push(format!(" ORDER BY {} DESC LIMIT ", self.position)).push_bind(i64::from(self.page.limit));
        Ok(query)
    }
}

fn party_column(party: OrderParty) -> &'static str {
    match party {
        OrderParty::Buyer => "buyer_id",
        OrderParty::Seller => "seller_id",
    }
}

#[async_trait]
impl DocumentStore for SqliteDocumentStore {
    async fn listing(&self, listing_id: ListingId) -> Result<Option<ListingDocument>, ReadModelError> {
        let row = sqlx::query(rows::SELECT_LISTING)
            .bind(listing_id.as_uuid().to_string())
            .fetch_optional(&self.reader)
            .await?;
        row.map(|row| rows::listing_from_row(&row)).transpose()
    }

    async fn order(&self, order_id: OrderId) -> Result<Option<OrderDocument>, ReadModelError> {
        let row = sqlx::query(rows::SELECT_ORDER)
            .bind(order_id.as_uuid().to_string())
            .fetch_optional(&self.reader)
            .await?;
        row.map(|row| rows::order_from_row(&row)).transpose()
    }

    async fn favourite(
        &self,
        account_id: AccountId,
        listing_id: ListingId,
    ) -> Result<Option<FavouriteDocument>, ReadModelError> {
        let row = sqlx::query(&format!(
            "SELECT {} FROM favourite_documents WHERE account_id = $1 AND listing_id = $2",
            rows::FAVOURITE_COLUMNS
        ))
        .bind(account_id.as_uuid().to_string())
        .bind(listing_id.as_uuid().to_string())
        .fetch_optional(&self.reader)
        .await?;
        row.map(|row| rows::favourite_from_row(&row)).transpose()
    }

    async fn listings_of_seller(
        &self,
        seller_id: AccountId,
        statuses: &[ListingStatusView],
        page: PageRequest,
    ) -> Result<Vec<ListingDocument>, ReadModelError> {
        let page = MemberPage {
            columns: rows::LISTING_COLUMNS,
            table: "listing_documents",
            owner: "seller_id",
            owner_id: seller_id,
            only: None,
            status: Some(("status", statuses.iter().map(|status| status.as_str()).collect())),
            position: "created_position",
            page,
        };
        let found = page.query()?.build().fetch_all(&self.reader).await?;
        found.iter().map(rows::listing_from_row).collect()
    }

    async fn listings_with_photo(
        &self,
        sha256: &ImageDigest,
        limit: u32,
    ) -> Result<Vec<ListingDocument>, ReadModelError> {
        let found = sqlx::query(&format!(
            "SELECT {} FROM listing_documents WHERE listing_id IN \
             (SELECT listing_id FROM listing_photo_digests WHERE sha256 = $1) \
             ORDER BY created_position DESC LIMIT $2",
            rows::LISTING_COLUMNS
        ))
        .bind(sha256.as_str())
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        found.iter().map(rows::listing_from_row).collect()
    }

    async fn orders_of(
        &self,
        member: AccountId,
        party: OrderParty,
        statuses: &[OrderStatus],
        page: PageRequest,
    ) -> Result<Vec<OrderDocument>, ReadModelError> {
        let page = MemberPage {
            columns: rows::ORDER_COLUMNS,
            table: "order_documents",
            owner: party_column(party),
            owner_id: member,
            only: None,
            status: Some(("status", statuses.iter().map(|status| status.name()).collect())),
            position: "created_position",
            page,
        };
        let found = page.query()?.build().fetch_all(&self.reader).await?;
        found.iter().map(rows::order_from_row).collect()
    }

    async fn count_orders(
        &self,
        member: AccountId,
        party: OrderParty,
        status: OrderStatus,
    ) -> Result<u64, ReadModelError> {
        let count: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM order_documents WHERE {} = $1 AND status = $2",
            party_column(party)
        ))
        .bind(member.as_uuid().to_string())
        .bind(status.name())
        .fetch_one(&self.reader)
        .await?;
        rows::to_u64(count)
    }

    async fn favourites_of(
        &self,
        member: AccountId,
        page: PageRequest,
    ) -> Result<Vec<FavouriteDocument>, ReadModelError> {
        let page = MemberPage {
            columns: rows::FAVOURITE_COLUMNS,
            table: "favourite_documents",
            owner: "account_id",
            owner_id: member,
            only: Some("favourited = 1"),
            status: None,
            position: "position",
            page,
        };
        let found = page.query()?.build().fetch_all(&self.reader).await?;
        found.iter().map(rows::favourite_from_row).collect()
    }

    async fn checkpoint(&self, projection: &str) -> Result<u64, ReadModelError> {
        let position: Option<i64> =
            sqlx::query_scalar("SELECT position FROM projection_checkpoints WHERE projection = $1")
                .bind(projection)
                .fetch_optional(&self.reader)
                .await?;
        position.map_or(Ok(0), rows::to_u64)
    }

    async fn commit(
        &self,
        projection: &str,
        writes: Vec<DocumentWrite>,
        checkpoint: u64,
    ) -> Result<(), ReadModelError> {
        let mut transaction = self.writer.begin().await?;
        for write in &writes {
            match write {
                DocumentWrite::PutListing(document) => {
                    let written = rows::bind_listing(sqlx::query(rows::UPSERT_LISTING), document)?
                        .execute(&mut *transaction)
                        .await?;
                    // The photos' digests follow the document, only when it was written (the
                    // version guard may have kept a newer one).
                    if written.rows_affected() > 0 {
                        let listing_id = document.listing_id.as_uuid().to_string();
                        sqlx::query("DELETE FROM listing_photo_digests WHERE listing_id = $1")
                            .bind(&listing_id)
                            .execute(&mut *transaction)
                            .await?;
                        for image in &document.images {
                            sqlx::query(
                                "INSERT OR IGNORE INTO listing_photo_digests (sha256, listing_id) VALUES ($1, $2)",
                            )
                            .bind(image.sha256.as_str())
                            .bind(&listing_id)
                            .execute(&mut *transaction)
                            .await?;
                        }
                    }
                }
                DocumentWrite::PutOrder(document) => {
                    rows::bind_order(sqlx::query(rows::UPSERT_ORDER), document)?
                        .execute(&mut *transaction)
                        .await?;
                }
                DocumentWrite::PutFavourite(document) => {
                    rows::bind_favourite(sqlx::query(rows::UPSERT_FAVOURITE), document)?
                        .execute(&mut *transaction)
                        .await?;
                }
            }
        }
        sqlx::query(
            "INSERT INTO projection_checkpoints (projection, position) VALUES ($1, $2)
             ON CONFLICT (projection) DO UPDATE SET position = excluded.position",
        )
        .bind(projection)
        .bind(rows::to_i64(checkpoint)?)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn reset(&self, model: ReadModel) -> Result<(), ReadModelError> {
        let mut transaction = self.writer.begin().await?;
        match model {
            ReadModel::ListingDocuments => {
                sqlx::query("DELETE FROM listing_documents").execute(&mut *transaction).await?;
                sqlx::query("DELETE FROM listing_photo_digests").execute(&mut *transaction).await?;
            }
            ReadModel::OrderDocuments => {
                sqlx::query("DELETE FROM order_documents").execute(&mut *transaction).await?;
            }
            ReadModel::FavouriteDocuments => {
                sqlx::query("DELETE FROM favourite_documents").execute(&mut *transaction).await?;
            }
            // Kept in the search index, the cache or the counters: at most a checkpoint is here.
            ReadModel::ListingSearch | ReadModel::ListingCache | ReadModel::ListingCounters => {}
        }
        sqlx::query("DELETE FROM projection_checkpoints WHERE projection = $1")
            .bind(model.name())
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(())
    }
}
