//! A listing's photos: uploads checked, stripped of their metadata and stored (the media crate's
//! `PhotoStore`), then recorded on the listing with their fingerprint.
//!
//! The stored object comes first and the event second, so a listing never names a photo that is
//! not stored; a refused event (not the seller, ten photos already, a sold listing) removes the
//! object again. A photo removed from a listing is deleted from the store after its event.

use bytes::Bytes;
use jangteo_domain::{
    AccountId, DomainError, Forbidden, ImageId, ListingId, ValidationError,
    listing::{ImageDigest, ImageKind, ListingImage, ListingState, MAX_IMAGES},
};
use jangteo_media::{IngestedPhoto, ObjectKey, PhotoStore, StoredObject};
use uuid::Uuid;

use crate::{AppError, CommandReceipt, Listings};

#[derive(Clone)]
pub struct ListingPhotos {
    listings: Listings,
    photos: PhotoStore,
}

impl ListingPhotos {
    pub fn new(listings: Listings, photos: PhotoStore) -> Self {
        Self { listings, photos }
    }

    /// Stores `upload` as a photo of `listing_id`, last in its order.
    pub async fn upload(
        &self,
        actor: AccountId,
        listing_id: ListingId,
        upload: Bytes,
    ) -> Result<(ListingImage, CommandReceipt), AppError> {
        // Refuse early what the listing would refuse, before any decoding work.
        let ListingState::Present(listing) = self.listings.current(listing_id).await? else {
            return Err(AppError::NotFound);
        };
        if listing.seller_id != actor {
            return Err(DomainError::Forbidden(Forbidden::NotSeller).into());
        }
        if listing.images.len() >= MAX_IMAGES {
            return Err(
                DomainError::from(ValidationError::new("images", "a listing has at most 10 photos")).into()
            );
        }
        let image_id = ImageId::from_uuid(Uuid::now_v7());
        let stored = self.photos.ingest(image_id.as_uuid(), upload).await?;
        let image = listing_image(image_id, &stored)?;
        match self.listings.add_image(actor, listing_id, image.clone()).await {
            Ok(receipt) => Ok((image, receipt)),
            Err(refusal) => {
                if let Err(error) = self.photos.remove(image_id.as_uuid()).await {
                    tracing::warn!(%image_id, %error, "removing a photo the listing refused failed");
                }
                Err(refusal)
            }
        }
    }

    /// Takes the photo off the listing, then out of the store.
    pub async fn remove(
        &self,
        actor: AccountId,
        listing_id: ListingId,
        image_id: ImageId,
    ) -> Result<CommandReceipt, AppError> {
        let receipt = self.listings.remove_image(actor, listing_id, image_id).await?;
        if let Err(error) = self.photos.remove(image_id.as_uuid()).await {
            // The listing no longer shows it; the object is an orphan to sweep, not a failure.
            tracing::warn!(%image_id, %error, "deleting a removed photo's objects failed");
        }
        Ok(receipt)
    }

    /// A stored original or thumbnail by its file name (`{image_id}.{ext}`, `{image_id}-thumb.jpg`).
    pub async fn open(&self, file: &str) -> Result<StoredObject, AppError> {
        if !is_photo_file(file) {
            return Err(AppError::NotFound);
        }
        let key = ObjectKey::parse(&format!("images/{file}")).map_err(|_| AppError::NotFound)?;
        self.photos.open(&key).await?.ok_or(AppError::NotFound)
    }
}

/// Whether `file` is a name the photo store gives: a UUID, then `.jpg`, `.png`, `.webp`,
/// `.heic` or `-thumb.jpg`.
fn is_photo_file(file: &str) -> bool {
    let Some((id, suffix)) = file.split_at_checked(36) else { return false };
    Uuid::parse_str(id).is_ok() && matches!(suffix, ".jpg" | ".png" | ".webp" | ".heic" | "-thumb.jpg")
}

fn listing_image(image_id: ImageId, stored: &IngestedPhoto) -> Result<ListingImage, AppError> {
    let kind = match stored.kind {
        jangteo_media::ImageKind::Jpeg => ImageKind::Jpeg,
        jangteo_media::ImageKind::Png => ImageKind::Png,
        jangteo_media::ImageKind::Webp => ImageKind::Webp,
        jangteo_media::ImageKind::Heic => ImageKind::Heic,
    };
    let sha256 = ImageDigest::parse(&stored.sha256_hex)
        .map_err(|error| AppError::internal("a photo's digest", error))?;
    Ok(ListingImage { image_id, kind, sha256, width: stored.width, height: stored.height, size: stored.size })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_stores_file_names_are_served() {
        let id = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
        for suffix in [".jpg", ".png", ".webp", ".heic", "-thumb.jpg"] {
            assert!(is_photo_file(&format!("{id}{suffix}")), "{suffix}");
        }
        for file in ["../secrets", &format!("{id}.gif"), &format!("{id}.jpg/x"), "short.jpg", "", "가나다"]
        {
            assert!(!is_photo_file(file), "{file}");
        }
    }
}
