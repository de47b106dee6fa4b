//! A listing's photos: upload (multipart), remove, reorder, and the stored files served back.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, http::header, web};
use bytes::BytesMut;
use futures::StreamExt;
use jangteo_domain::{ImageId, ListingId, ValidationError};
use jangteo_media::MAX_IMAGE_BYTES;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    ApiError, ApiState,
    auth::Authenticated,
    listing_view::{image_url, thumbnail_url},
};

/// The answer to an upload.
#[derive(Serialize, ToSchema)]
pub(crate) struct PhotoAdded {
    #[schema(value_type = uuid::Uuid)]
    image_id: ImageId,
    url: String,
    thumbnail_url: String,
    width: u32,
    height: u32,
    position: u64,
}

/// The multipart form of an upload: one file part named `image`.
#[derive(ToSchema)]
#[allow(dead_code, reason = "describes the form for the OpenAPI document only")]
pub(crate) struct PhotoForm {
    /// JPEG, PNG, WebP or HEIC, at most 10 MB; recognised by its bytes, not its name.
    #[schema(value_type = String, format = Binary)]
    image: Vec<u8>,
}

/// Add a photo to a listing (seller only; at most 10). The photo is recognised by its bytes,
/// stripped of its metadata (the place it was taken above all), fingerprinted and thumbnailed.
#[utoipa::path(
    post, path = "/v1/listings/{listing_id}/images", operation_id = "add_listing_photo", tag = "listings",
    security(("bearer" = [])),
    params(("listing_id" = uuid::Uuid, Path)),
    request_body(content = PhotoForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The photo is the listing's last.", body = PhotoAdded),
        (status = 403, description = "- `forbidden`: not the seller"),
        (status = 404, description = "- `not_found`: no such listing"),
        (status = 409, description = "- `invalid_state_transition`: the listing is reserved, sold or withdrawn"),
        (status = 413, description = "- `image_too_large`: over 10 MB"),
        (status = 415, description = "- `unsupported_image`: not a JPEG, PNG, WebP or HEIC image"),
        (status = 422, description = "- `invalid_image`: a broken or oversized image\n- `validation_failed`: \
            ten photos already, or no `image` part"),
    ),
)]
pub(crate) async fn add(
    state: web::Data<ApiState>,
    Authenticated(seller): Authenticated,
    path: web::Path<ListingId>,
    mut form: Multipart,
) -> Result<HttpResponse, ApiError> {
    let listing_id = path.into_inner();
    let mut upload = None;
    while let Some(part) = form.next().await {
        let mut part = part.map_err(|error| ApiError::InvalidBody(error.to_string()))?;
        if part.name() != Some("image") {
            // Other fields are read past, not stored.
            while let Some(chunk) = part.next().await {
                chunk.map_err(|error| ApiError::InvalidBody(error.to_string()))?;
            }
            continue;
        }
        let mut bytes = BytesMut::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|error| ApiError::InvalidBody(error.to_string()))?;
            if bytes.len() + chunk.len() > MAX_IMAGE_BYTES {
                return Err(jangteo_app::AppError::Photo(jangteo_media::MediaError::TooLarge {
                    size: bytes.len() + chunk.len(),
                    limit: MAX_IMAGE_BYTES,
                })
                .into());
            }
            bytes.extend_from_slice(&chunk);
        }
        upload = Some(bytes.freeze());
        break;
    }
    let Some(upload) = upload else {
        return Err(ValidationError::new("image", "must be a file part of the multipart form").into());
    };
    let (image, receipt) = state.photos.upload(seller, listing_id, upload).await?;
    Ok(HttpResponse::Created().json(PhotoAdded {
        image_id: image.image_id,
        url: image_url(&image),
        thumbnail_url: thumbnail_url(&image),
        width: image.width,
        height: image.height,
        position: receipt.position,
    }))
}

/// A photo command's answer.
#[derive(Serialize, ToSchema)]
pub(crate) struct PhotosChanged {
    #[schema(value_type = uuid::Uuid)]
    listing_id: ListingId,
    position: u64,
}

/// Remove a photo from a listing (seller only); its files are deleted.
#[utoipa::path(
    delete, path = "/v1/listings/{listing_id}/images/{image_id}", operation_id = "remove_listing_photo",
    tag = "listings", security(("bearer" = [])),
    params(("listing_id" = uuid::Uuid, Path), ("image_id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The photo is gone from the listing.", body = PhotosChanged),
        (status = 403, description = "- `forbidden`: not the seller"),
        (status = 404, description = "- `not_found`: no such listing"),
        (status = 409, description = "- `invalid_state_transition`: the listing is reserved, sold or withdrawn"),
        (status = 422, description = "- `validation_failed`: the listing has no such photo"),
    ),
)]
pub(crate) async fn remove(
    state: web::Data<ApiState>,
    Authenticated(seller): Authenticated,
    path: web::Path<(ListingId, ImageId)>,
) -> Result<HttpResponse, ApiError> {
    let (listing_id, image_id) = path.into_inner();
    let receipt = state.photos.remove(seller, listing_id, image_id).await?;
    Ok(HttpResponse::Ok().json(PhotosChanged { listing_id, position: receipt.position }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OrderBody {
    /// Every photo of the listing, once each, cover first.
    #[schema(value_type = Vec<uuid::Uuid>, max_items = 10)]
    image_ids: Vec<ImageId>,
}

/// Put a listing's photos in a new order (seller only); the first is the cover.
#[utoipa::path(
    put, path = "/v1/listings/{listing_id}/images/order", operation_id = "reorder_listing_photos",
    tag = "listings", security(("bearer" = [])),
    params(("listing_id" = uuid::Uuid, Path)),
    request_body = OrderBody,
    responses(
        (status = 200, description = "The photos are in the given order.", body = PhotosChanged),
        (status = 403, description = "- `forbidden`: not the seller"),
        (status = 404, description = "- `not_found`: no such listing"),
        (status = 409, description = "- `invalid_state_transition`: the listing is reserved, sold or withdrawn"),
        (status = 422, description = "- `validation_failed`: not every photo of the listing exactly once"),
    ),
)]
pub(crate) async fn reorder(
    state: web::Data<ApiState>,
    Authenticated(seller): Authenticated,
    path: web::Path<ListingId>,
    body: web::Json<OrderBody>,
) -> Result<HttpResponse, ApiError> {
    let listing_id = path.into_inner();
    let image_ids = body.into_inner().image_ids;
    let receipt = state.listings.reorder_images(seller, listing_id, image_ids).await?;
    Ok(HttpResponse::Ok().json(PhotosChanged { listing_id, position: receipt.position }))
}

/// A listing photo's file: the original (`{image_id}.{jpg,png,webp,heic}`) or its thumbnail
/// (`{image_id}-thumb.jpg`), as the listing's `images` link them (no token needed).
#[utoipa::path(
    get, path = "/v1/images/{file}", operation_id = "photo_file", tag = "listings",
    params(("file" = String, Path, description = "`{image_id}.jpg`, `.png`, `.webp`, `.heic` or `-thumb.jpg`")),
    responses(
        (status = 200, description = "The stored image.", content_type = "image/*", body = Vec<u8>),
        (status = 404, description = "- `not_found`: no such file"),
    ),
)]
pub(crate) async fn file(
    state: web::Data<ApiState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let stored = state.photos.open(&path.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .content_type(stored.content_type)
        // A file under an id never changes: a new photo gets a new id.
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(stored.bytes))
}
