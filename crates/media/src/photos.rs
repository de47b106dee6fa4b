//! The photo pipeline: an upload checked, stripped, hashed and thumbnailed on a blocking thread,
//! then its original and its thumbnail put into the object store under keys made from the
//! image's id.

use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::{ImageKind, MediaError, ObjectKey, ObjectStore, StoredObject, strip_metadata, thumbnail};

/// The content type of every thumbnail.
const THUMBNAIL_TYPE: &str = "image/jpeg";

/// What an ingested photo is, as the listing's event records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestedPhoto {
    pub image_id: Uuid,
    pub kind: ImageKind,
    /// SHA-256 of the stored (stripped) original, lowercase hex.
    pub sha256_hex: String,
    /// As shown, rotation applied.
    pub width: u32,
    pub height: u32,
    /// Of the stored (stripped) original, in bytes.
    pub size: u64,
    pub original_key: ObjectKey,
    /// The thumbnail's key; the original's for a HEIC photo, which has no thumbnail.
    pub thumbnail_key: ObjectKey,
}

/// Listing photos in an [`ObjectStore`]: `images/{id}.{jpg,png,webp,heic}` and
/// `images/{id}-thumb.jpg`.
#[derive(Clone)]
pub struct PhotoStore {
    objects: Arc<dyn ObjectStore>,
    /// Bounds the decodes running at once: each may take a few hundred megabytes.
    decodes: Arc<Semaphore>,
}

impl std::fmt::Debug for PhotoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhotoStore").field("objects", &self.objects.describe()).finish_non_exhaustive()
    }
}

impl PhotoStore {
    /// Photos in `objects`, as many decoded at once as the machine has cores.
    pub fn new(objects: Arc<dyn ObjectStore>) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Self { objects, decodes: Arc::new(Semaphore::new(cores)) }
    }

    pub fn objects(&self) -> &Arc<dyn ObjectStore> {
        &self.objects
    }

    pub fn original_key(image_id: Uuid, kind: ImageKind) -> ObjectKey {
        Self::key(&format!("images/{}.{}", image_id.hyphenated(), kind.extension()))
    }

    /// The thumbnail's key: `images/{id}-thumb.jpg`, but the original's for HEIC, which has
    /// no thumbnail. With [`Self::original_key`], what a listing's image id and kind (as its
    /// event records them) are served from.
    pub fn thumbnail_key(image_id: Uuid, kind: ImageKind) -> ObjectKey {
        match kind {
            ImageKind::Heic => Self::original_key(image_id, kind),
            ImageKind::Jpeg | ImageKind::Png | ImageKind::Webp => Self::generated_thumbnail_key(image_id),
        }
    }

    fn generated_thumbnail_key(image_id: Uuid) -> ObjectKey {
        Self::key(&format!("images/{}-thumb.jpg", image_id.hyphenated()))
    }

    fn key(key: &str) -> ObjectKey {
        // A hyphenated UUID and a fixed extension are always a valid key.
        ObjectKey::parse(key).unwrap_or_else(|error| unreachable!("{error}"))
    }

    /// Checks the upload (kind, size, pixels), strips its metadata, hashes it, makes its
    /// thumbnail, and stores both. Refusals ([`MediaError::is_refusal`]) store nothing; when
    /// the thumbnail cannot be stored, the original is removed again.
    pub async fn ingest(&self, image_id: Uuid, upload: Bytes) -> Result<IngestedPhoto, MediaError> {
        crate::sniff(&upload)?; // cheap, and spares a thread for what is not an image at all
        // The semaphore is never closed, so the permit is always had.
        let permit = Arc::clone(&self.decodes).acquire_owned().await.ok();
        let (clean, sha256_hex, thumbnail) = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let clean = strip_metadata(&upload)?;
            let digest = ring::digest::digest(&ring::digest::SHA256, &clean.bytes);
            let thumbnail = thumbnail(&clean)?;
            Ok::<_, MediaError>((clean, hex(digest.as_ref()), thumbnail))
        })
        .await
        .map_err(MediaError::Task)??;

        let original_key = Self::original_key(image_id, clean.kind);
        let size = clean.bytes.len() as u64;
        self.objects.put(&original_key, Bytes::from(clean.bytes), clean.kind.content_type()).await?;
        let thumbnail_key = match thumbnail {
            Some(thumbnail) => {
                let key = Self::generated_thumbnail_key(image_id);
                if let Err(error) = self.objects.put(&key, Bytes::from(thumbnail), THUMBNAIL_TYPE).await {
                    if let Err(cleanup) = self.objects.delete(&original_key).await {
                        tracing::warn!(key = %original_key, error = %cleanup, "an orphaned photo original");
                    }
                    return Err(error);
                }
                key
            }
            None => original_key.clone(),
        };
        Ok(IngestedPhoto {
            image_id,
            kind: clean.kind,
            sha256_hex,
            width: clean.width,
            height: clean.height,
            size,
            original_key,
            thumbnail_key,
        })
    }

    /// The object under `key` (an original or a thumbnail), or `None`.
    pub async fn open(&self, key: &ObjectKey) -> Result<Option<StoredObject>, MediaError> {
        self.objects.get(key).await
    }

    /// Removes the photo's original (whatever its kind) and its thumbnail; a photo already
    /// gone is no error.
    pub async fn remove(&self, image_id: Uuid) -> Result<(), MediaError> {
        for kind in ImageKind::ALL {
            self.objects.delete(&Self::original_key(image_id, kind)).await?;
        }
        self.objects.delete(&Self::generated_thumbnail_key(image_id)).await
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}
