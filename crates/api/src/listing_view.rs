//! A listing as the API shows it: the read model's document with its photos as URLs, its place
//! coarsened, and nothing of the photos' fingerprints (they serve fraud checks, not buyers).

use chrono::{DateTime, Utc};
use jangteo_domain::{
    AccountId, CategoryId, ImageId, ListingId, Money,
    listing::{ImageKind, ListingImage},
    moderation::ReviewReason,
};
use jangteo_read_models::{ListingDocument, ListingStatusView};
use serde::Serialize;
use utoipa::ToSchema;

use crate::openapi::schemas;

/// Decimal places of a shown coordinate: about a kilometre, a neighbourhood and not a door.
const SHOWN_GRID: f64 = 100.0;

/// A listing.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ListingView {
    #[schema(value_type = uuid::Uuid)]
    pub(crate) listing_id: ListingId,
    #[schema(value_type = uuid::Uuid)]
    pub(crate) seller_id: AccountId,
    pub(crate) title: String,
    pub(crate) description: String,
    /// Of one unit.
    #[schema(value_type = schemas::Won)]
    pub(crate) price: Money,
    /// A leaf of the category tree (`GET /v1/categories`).
    #[schema(value_type = Option<String>, required)]
    pub(crate) category_id: Option<CategoryId>,
    #[schema(value_type = schemas::ListingStatus)]
    pub(crate) status: ListingStatusView,
    /// Units put up.
    #[schema(minimum = 1, maximum = 999)]
    pub(crate) quantity: u32,
    /// Units any buyer may still order.
    #[schema(minimum = 0, maximum = 999)]
    pub(crate) available: u32,
    /// Cover first.
    pub(crate) images: Vec<ImageView>,
    /// Rounded to 0.01° (about a kilometre).
    #[schema(required)]
    pub(crate) location: Option<ShownLocation>,
    /// The neighbourhood (동네) the listing is in.
    #[schema(required)]
    pub(crate) neighbourhood: Option<String>,
    /// The last bump (끌올).
    #[schema(required)]
    pub(crate) bumped_at: Option<DateTime<Utc>>,
    /// Why the listing waits for review or was rejected (its seller's and admins' eyes only:
    /// such a listing is not public).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) review: Option<ReviewView>,
    /// From the point of a `near` search, in kilometres.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) distance_km: Option<f64>,
    /// The listing stream's version this view reflects.
    #[schema(minimum = 0)]
    pub(crate) version: u64,
    /// Global log position of the listing's creation.
    #[schema(minimum = 0)]
    pub(crate) created_position: u64,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

/// One photo: the original and its thumbnail (the original again where none could be made).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ImageView {
    #[schema(value_type = uuid::Uuid)]
    pub(crate) image_id: ImageId,
    pub(crate) url: String,
    pub(crate) thumbnail_url: String,
    pub(crate) width: u32,
    pub(crate) height: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ShownLocation {
    pub(crate) lat: f64,
    pub(crate) lng: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReviewView {
    /// Why the automatic rules sent it to review: `banned_words`, `phone_not_verified`,
    /// `reused_photo` (a photo of it is on another seller's listing).
    #[schema(value_type = Vec<String>)]
    pub(crate) reasons: Vec<ReviewReason>,
    /// The admin's reason, once rejected.
    #[schema(required)]
    pub(crate) rejection_reason: Option<String>,
}

impl ListingView {
    pub(crate) fn of(document: &ListingDocument) -> Self {
        Self {
            listing_id: document.listing_id,
            seller_id: document.seller_id,
            title: document.title.clone(),
            description: document.description.clone(),
            price: document.price,
            category_id: document.category_id.clone(),
            status: document.status,
            quantity: document.quantity,
            available: document.available,
            images: document
                .images
                .iter()
                .map(|image| ImageView {
                    image_id: image.image_id,
                    url: image_url(image),
                    thumbnail_url: thumbnail_url(image),
                    width: image.width,
                    height: image.height,
                })
                .collect(),
            location: document.location.map(|point| ShownLocation {
                lat: (point.lat() * SHOWN_GRID).round() / SHOWN_GRID,
                lng: (point.lng() * SHOWN_GRID).round() / SHOWN_GRID,
            }),
            neighbourhood: document.neighbourhood.clone(),
            bumped_at: document.bumped_at,
            review: document.review.as_ref().map(|review| ReviewView {
                reasons: review.reasons.clone(),
                rejection_reason: review.rejection_reason.clone(),
            }),
            distance_km: None,
            version: document.version,
            created_position: document.created_position,
            created_at: document.created_at,
            updated_at: document.updated_at,
        }
    }

    /// The view with the distance from a search's point, to 10 m.
    pub(crate) fn at_distance(mut self, distance_km: Option<f64>) -> Self {
        self.distance_km = distance_km.map(|km| (km * 100.0).round() / 100.0);
        self
    }
}

/// Where the API serves a photo's original (the photo store's file name).
pub(crate) fn image_url(image: &ListingImage) -> String {
    let extension = match image.kind {
        ImageKind::Jpeg => "jpg",
        ImageKind::Png => "png",
        ImageKind::Webp => "webp",
        ImageKind::Heic => "heic",
    };
    format!("/v1/images/{}.{extension}", image.image_id)
}

/// Where the API serves a photo's thumbnail: the original for HEIC, which no thumbnail is made of.
pub(crate) fn thumbnail_url(image: &ListingImage) -> String {
    match image.kind {
        ImageKind::Heic => image_url(image),
        ImageKind::Jpeg | ImageKind::Png | ImageKind::Webp => {
            format!("/v1/images/{}-thumb.jpg", image.image_id)
        }
    }
}
