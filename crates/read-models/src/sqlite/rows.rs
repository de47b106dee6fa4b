//! Mapping documents to and from SQLite rows; enums are stored by name and parsed back strictly.

use chrono::{DateTime, Utc};
use jangteo_domain::{
    AccountId, CategoryId, ListingId, Money, OrderId,
    escrow::EscrowStatus,
    listing::{GeoPoint, ListingImage},
    order::OrderStatus,
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use sqlx::{Row, Sqlite, query::Query, sqlite::SqliteArguments, sqlite::SqliteRow};
use uuid::Uuid;

use crate::{
    FavouriteDocument, ListingDocument, ListingReview, ListingStatusView, OrderDocument, ReadModelError,
};

pub(super) const SELECT_LISTING: &str = "SELECT listing_id, seller_id, title, description, price, category_id, \
     status, version, created_position, created_at, updated_at, quantity, available, details \
     FROM listing_documents WHERE listing_id = $1";

pub(super) const LISTING_COLUMNS: &str = "listing_id, seller_id, title, description, price, category_id, \
     status, version, created_position, created_at, updated_at, quantity, available, details";

pub(super) const ORDER_COLUMNS: &str = "order_id, listing_id, buyer_id, seller_id, price, status, \
     escrow_status, version, escrow_version, created_at, updated_at, items, shipping_fee, escrow_refunded, \
     escrow_released, created_position";

pub(super) const SELECT_ORDER: &str = "SELECT order_id, listing_id, buyer_id, seller_id, price, status, \
     escrow_status, version, escrow_version, created_at, updated_at, items, shipping_fee, escrow_refunded, \
     escrow_released, created_position FROM order_documents \
     WHERE order_id = $1";

pub(super) const FAVOURITE_COLUMNS: &str =
    "account_id, listing_id, favourited, version, position, at, favourited_price";

pub(super) const UPSERT_FAVOURITE: &str = "INSERT INTO favourite_documents (account_id, listing_id, \
     favourited, version, position, at, favourited_price) VALUES ($1, $2, $3, $4, $5, $6, $7) \
     ON CONFLICT (account_id, listing_id) DO UPDATE SET favourited = excluded.favourited, \
     version = excluded.version, position = excluded.position, at = excluded.at, \
     favourited_price = excluded.favourited_price \
     WHERE excluded.version > favourite_documents.version";

pub(super) const UPSERT_LISTING: &str = "INSERT INTO listing_documents (listing_id, seller_id, title, \
     description, price, category_id, status, version, created_position, created_at, updated_at, quantity, \
     available, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
     ON CONFLICT (listing_id) DO UPDATE SET seller_id = excluded.seller_id, title = excluded.title, \
     description = excluded.description, price = excluded.price, category_id = excluded.category_id, \
     status = excluded.status, version = excluded.version, created_position = excluded.created_position, \
     created_at = excluded.created_at, updated_at = excluded.updated_at, quantity = excluded.quantity, \
     available = excluded.available, details = excluded.details \
     WHERE excluded.version > listing_documents.version";

pub(super) const UPSERT_ORDER: &str = "INSERT INTO order_documents (order_id, listing_id, buyer_id, \
     seller_id, price, status, escrow_status, version, escrow_version, created_at, updated_at, items, \
     shipping_fee, escrow_refunded, escrow_released, created_position) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
     ON CONFLICT (order_id) DO UPDATE SET listing_id = excluded.listing_id, buyer_id = excluded.buyer_id, \
     seller_id = excluded.seller_id, price = excluded.price, status = excluded.status, \
     escrow_status = excluded.escrow_status, version = excluded.version, \
     escrow_version = excluded.escrow_version, created_at = excluded.created_at, updated_at = excluded.updated_at, \
     items = excluded.items, shipping_fee = excluded.shipping_fee, \
     escrow_refunded = excluded.escrow_refunded, escrow_released = excluded.escrow_released, \
     created_position = excluded.created_position \
     WHERE (excluded.version, excluded.escrow_version) > (order_documents.version, order_documents.escrow_version)";

type SqliteQuery<'q> = Query<'q, Sqlite, SqliteArguments<'q>>;

pub(super) fn to_i64(value: u64) -> Result<i64, ReadModelError> {
    i64::try_from(value)
        .map_err(|_| ReadModelError::Corrupt(format!("{value} does not fit in a SQLite integer")))
}

pub(super) fn to_u64(value: i64) -> Result<u64, ReadModelError> {
    u64::try_from(value).map_err(|_| ReadModelError::Corrupt(format!("negative stored counter {value}")))
}

/// A unit enum's serde name (`on_sale`, `paid`, …).
fn enum_name<T: Serialize>(value: &T) -> Result<String, ReadModelError> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => Ok(name),
        _ => Err(ReadModelError::Corrupt("status does not serialize to a name".to_owned())),
    }
}

fn parse_enum<T: DeserializeOwned>(name: &str) -> Result<T, ReadModelError> {
    serde_json::from_value(serde_json::Value::String(name.to_owned()))
        .map_err(|_| ReadModelError::Corrupt(format!("unknown stored status {name:?}")))
}

fn uuid(row: &SqliteRow, column: &str) -> Result<Uuid, ReadModelError> {
    let text: String = row.try_get(column)?;
    Uuid::parse_str(&text).map_err(|_| ReadModelError::Corrupt(format!("{column} {text:?} is not a UUID")))
}

fn money(row: &SqliteRow, column: &str) -> Result<Money, ReadModelError> {
    let won: i64 = row.try_get(column)?;
    Money::won(won).map_err(|_| ReadModelError::Corrupt(format!("{column} {won} is not an amount")))
}

fn counter(row: &SqliteRow, column: &str) -> Result<u64, ReadModelError> {
    to_u64(row.try_get(column)?)
}

fn timestamp(row: &SqliteRow, column: &str) -> Result<DateTime<Utc>, ReadModelError> {
    Ok(row.try_get(column)?)
}

pub(super) fn bind_listing<'q>(
    query: SqliteQuery<'q>,
    document: &ListingDocument,
) -> Result<SqliteQuery<'q>, ReadModelError> {
    Ok(query
        .bind(document.listing_id.as_uuid().to_string())
        .bind(document.seller_id.as_uuid().to_string())
        .bind(document.title.clone())
        .bind(document.description.clone())
        .bind(document.price.as_won())
        .bind(document.category_id.as_ref().map(|c| c.as_str().to_owned()))
        .bind(document.status.as_str())
        .bind(to_i64(document.version)?)
        .bind(to_i64(document.created_position)?)
        .bind(document.created_at)
        .bind(document.updated_at)
        .bind(document.quantity)
        .bind(document.available)
        .bind(
            serde_json::to_string(&ListingDetails::of(document))
                .map_err(|error| ReadModelError::Corrupt(error.to_string()))?,
        ))
}

/// The parts of a listing document read only with the whole of it, kept as one JSON column.
#[derive(Serialize, Deserialize)]
struct ListingDetails {
    #[serde(default)]
    images: Vec<ListingImage>,
    #[serde(default)]
    location: Option<GeoPoint>,
    #[serde(default)]
    neighbourhood: Option<String>,
    #[serde(default)]
    bumped_at: Option<DateTime<Utc>>,
    #[serde(default)]
    bumped_position: Option<u64>,
    #[serde(default)]
    review: Option<ListingReview>,
}

impl ListingDetails {
    fn of(document: &ListingDocument) -> Self {
        ListingDetails {
            images: document.images.clone(),
            location: document.location,
            neighbourhood: document.neighbourhood.clone(),
            bumped_at: document.bumped_at,
            bumped_position: document.bumped_position,
            review: document.review.clone(),
        }
    }
}

pub(super) fn bind_order<'q>(
    query: SqliteQuery<'q>,
    document: &OrderDocument,
) -> Result<SqliteQuery<'q>, ReadModelError> {
    let escrow_status = document.escrow_status.as_ref().map(enum_name).transpose()?;
    Ok(query
        .bind(document.order_id.as_uuid().to_string())
        .bind(document.listing_id.as_uuid().to_string())
        .bind(document.buyer_id.as_uuid().to_string())
        .bind(document.seller_id.as_uuid().to_string())
        .bind(document.price.as_won())
        .bind(enum_name(&document.status)?)
        .bind(escrow_status)
        .bind(to_i64(document.version)?)
        .bind(to_i64(document.escrow_version)?)
        .bind(document.created_at)
        .bind(document.updated_at)
        .bind(
            serde_json::to_string(&document.items)
                .map_err(|error| ReadModelError::Corrupt(error.to_string()))?,
        )
        .bind(document.shipping_fee.as_won())
        .bind(document.escrow_refunded.as_won())
        .bind(document.escrow_released.as_won())
        .bind(to_i64(document.created_position)?))
}

pub(super) fn bind_favourite<'q>(
    query: SqliteQuery<'q>,
    document: &FavouriteDocument,
) -> Result<SqliteQuery<'q>, ReadModelError> {
    Ok(query
        .bind(document.account_id.as_uuid().to_string())
        .bind(document.listing_id.as_uuid().to_string())
        .bind(document.favourited)
        .bind(to_i64(document.version)?)
        .bind(to_i64(document.position)?)
        .bind(document.at)
        .bind(document.favourited_price.map(Money::as_won)))
}

pub(super) fn favourite_from_row(row: &SqliteRow) -> Result<FavouriteDocument, ReadModelError> {
    Ok(FavouriteDocument {
        account_id: AccountId::from_uuid(uuid(row, "account_id")?),
        listing_id: ListingId::from_uuid(uuid(row, "listing_id")?),
        favourited: row.try_get("favourited")?,
        version: counter(row, "version")?,
        position: counter(row, "position")?,
        at: timestamp(row, "at")?,
        favourited_price: row
            .try_get::<Option<i64>, _>("favourited_price")?
            .map(|won| {
                Money::won(won).map_err(|_| ReadModelError::Corrupt(format!("favourited price {won}")))
            })
            .transpose()?,
    })
}

pub(super) fn listing_from_row(row: &SqliteRow) -> Result<ListingDocument, ReadModelError> {
    let status: String = row.try_get("status")?;
    let category: Option<String> = row.try_get("category_id")?;
    let details: String = row.try_get("details")?;
    let details: ListingDetails = serde_json::from_str(&details)
        .map_err(|_| ReadModelError::Corrupt(format!("listing details {details:?}")))?;
    Ok(ListingDocument {
        listing_id: ListingId::from_uuid(uuid(row, "listing_id")?),
        seller_id: AccountId::from_uuid(uuid(row, "seller_id")?),
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        price: money(row, "price")?,
        category_id: category
            .map(|c| CategoryId::parse(&c).map_err(|_| ReadModelError::Corrupt(format!("category {c:?}"))))
            .transpose()?,
        status: ListingStatusView::parse(&status)
            .ok_or_else(|| ReadModelError::Corrupt(format!("unknown listing status {status:?}")))?,
        version: counter(row, "version")?,
        created_position: counter(row, "created_position")?,
        created_at: timestamp(row, "created_at")?,
        updated_at: timestamp(row, "updated_at")?,
        quantity: row.try_get("quantity")?,
        available: row.try_get("available")?,
        images: details.images,
        location: details.location,
        neighbourhood: details.neighbourhood,
        bumped_at: details.bumped_at,
        bumped_position: details.bumped_position,
        review: details.review,
    })
}

pub(super) fn order_from_row(row: &SqliteRow) -> Result<OrderDocument, ReadModelError> {
    let status: String = row.try_get("status")?;
    let escrow_status: Option<String> = row.try_get("escrow_status")?;
    let items: String = row.try_get("items")?;
    Ok(OrderDocument {
        order_id: OrderId::from_uuid(uuid(row, "order_id")?),
        listing_id: ListingId::from_uuid(uuid(row, "listing_id")?),
        items: serde_json::from_str(&items)
            .map_err(|_| ReadModelError::Corrupt(format!("order items {items:?}")))?,
        buyer_id: AccountId::from_uuid(uuid(row, "buyer_id")?),
        seller_id: AccountId::from_uuid(uuid(row, "seller_id")?),
        shipping_fee: money(row, "shipping_fee")?,
        price: money(row, "price")?,
        status: parse_enum::<OrderStatus>(&status)?,
        escrow_status: escrow_status.as_deref().map(parse_enum::<EscrowStatus>).transpose()?,
        escrow_refunded: money(row, "escrow_refunded")?,
        escrow_released: money(row, "escrow_released")?,
        version: counter(row, "version")?,
        escrow_version: counter(row, "escrow_version")?,
        created_position: counter(row, "created_position")?,
        created_at: timestamp(row, "created_at")?,
        updated_at: timestamp(row, "updated_at")?,
    })
}
