//! Photo fingerprints: which listings carry a photo, by its SHA-256 (from the listing
//! documents). The same bytes on listings of different sellers is the mark of a copied listing:
//! publishing such a listing sends it to review, and admins look a photo up.

use async_trait::async_trait;
use jangteo_domain::{AccountId, listing::ImageDigest};
use jangteo_read_models::ListingDocument;

use crate::{AppError, PhotoFingerprints, Queries, ReadModel};

/// The most listings one look-up answers with.
pub const MAX_LISTINGS_WITH_PHOTO: u32 = 100;

impl Queries {
    /// The listings, any status, carrying the photo `sha256`, newest first. For admins only:
    /// the caller checks the role ([`crate::Listings::ensure_admin`]).
    pub async fn listings_with_photo(
        &self,
        sha256: &ImageDigest,
        position: Option<u64>,
    ) -> Result<Vec<ListingDocument>, AppError> {
        self.catch_up(&[ReadModel::ListingDocuments], position).await?;
        Ok(self.documents().listings_with_photo(sha256, MAX_LISTINGS_WITH_PHOTO).await?)
    }
}

#[async_trait]
impl PhotoFingerprints for Queries {
    async fn used_by_others(&self, seller: AccountId, digests: &[ImageDigest]) -> Result<bool, AppError> {
        for digest in digests {
            let carrying = self.documents().listings_with_photo(digest, MAX_LISTINGS_WITH_PHOTO).await?;
            if carrying.iter().any(|listing| listing.seller_id != seller) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
