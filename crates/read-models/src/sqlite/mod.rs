//! The embedded document store: listing and order documents in one SQLite file.
//!
//! One write connection (projections commit one at a time) and a small read pool; WAL lets
//! queries read while a projection writes.

mod rows;

use crate::ReadModel;
use std::{path::Path, time::Duration};

use async_trait::async_trait;
use jangteo_domain::{ListingId, OrderId};
use sqlx::{
    SqlitePool,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use crate::{DocumentStore, DocumentWrite, ListingDocument, OrderDocument, ReadModelError};

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
                    rows::bind_listing(sqlx::query(rows::UPSERT_LISTING), document)?
                        .execute(&mut *transaction)
                        .await?;
                }
                DocumentWrite::PutOrder(document) => {
                    rows::bind_order(sqlx::query(rows::UPSERT_ORDER), document)?
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
            }
            ReadModel::OrderDocuments => {
                sqlx::query("DELETE FROM order_documents").execute(&mut *transaction).await?;
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
