//! Listing photos: what an uploaded image is, made safe to publish, and where it is kept.
//!
//! * [`format`](mod@format): the image's kind sniffed from its bytes (JPEG, PNG, WebP, HEIC;
//!   nothing else), at most [`MAX_IMAGE_BYTES`], its size read from its headers, and its metadata stripped
//!   **losslessly**: the original is never re-encoded, only the segments, chunks or items that
//!   carry Exif (the GPS position among them), XMP or text are taken out ([`strip_metadata`]).
//!   A JPEG keeps its Exif orientation, rewritten as the only tag of a new Exif segment, so a
//!   phone's upright photo stays upright; PNG and WebP lose theirs with the rest (rare there).
//!   A JPEG ends at its first image's EOI: the MPF images phones append (depth maps, HDR gain
//!   maps) go, with the Exif blocks of their own.
//!   HEIC keeps its box layout: its Exif and XMP items are overwritten with zeros in place, so
//!   every offset in the file stays valid (rewriting `iloc` would be a larger, riskier change).
//! * [`thumbnail`]: a JPEG (quality 80) fitting within 320×320, aspect kept, decoded with the
//!   `image` crate (JPEG, PNG and WebP codecs only). HEIC cannot be decoded here (no HEVC
//!   decoder in pure Rust): a HEIC photo has no thumbnail, and its thumbnail key is the original.
//!   Browsers other than Safari do not show HEIC at all.
//! * [`ObjectStore`], the port where the bytes go, with two adapters: [`LocalDirStore`] (the
//!   embedded profile's: a directory) and, behind the feature `s3`, `s3::S3Store` (S3-compatible
//!   storage over the `object_store` crate, configured by `JANGTEO_S3_*`).
//! * [`PhotoStore`] puts them together: `ingest` checks, strips, hashes (SHA-256 of the stripped
//!   bytes, so one photo hashes the same whatever metadata it came with), thumbnails and stores.
//!
//! **This crate never keeps an uploaded byte it has not sniffed and stripped.**

use async_trait::async_trait;
use bytes::Bytes;

pub mod format;
mod key;
mod local;
mod photos;
#[cfg(feature = "s3")]
pub mod s3;
mod thumbnail;

pub use format::{CleanImage, ImageKind, MAX_IMAGE_BYTES, MAX_PIXELS, sniff, strip_metadata};
pub use key::ObjectKey;
pub use local::LocalDirStore;
pub use photos::{IngestedPhoto, PhotoStore};
pub use thumbnail::{THUMBNAIL_EDGE, THUMBNAIL_QUALITY, thumbnail};

/// An object as it was stored: its bytes and the content type it was put with.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredObject {
    pub bytes: Bytes,
    pub content_type: String,
}

impl std::fmt::Debug for StoredObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredObject")
            .field("bytes", &self.bytes.len())
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// Where photos' bytes are kept, by key. `put` overwrites; `delete` of a missing key succeeds.
#[async_trait]
pub trait ObjectStore: Send + Sync + 'static {
    async fn put(&self, key: &ObjectKey, bytes: Bytes, content_type: &str) -> Result<(), MediaError>;

    /// The object, or `None` when there is none under the key.
    async fn get(&self, key: &ObjectKey) -> Result<Option<StoredObject>, MediaError>;

    async fn delete(&self, key: &ObjectKey) -> Result<(), MediaError>;

    /// What the adapter is, for the start-up log.
    fn describe(&self) -> String;
}

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// More bytes than [`MAX_IMAGE_BYTES`]; checked before anything is parsed.
    #[error("the image is {size} bytes, more than the {limit} allowed")]
    TooLarge { size: usize, limit: usize },
    /// Not a JPEG, PNG, WebP or HEIC image, by its bytes.
    #[error("not a JPEG, PNG, WebP or HEIC image")]
    UnsupportedFormat,
    /// The bytes start as an image of that kind but their structure is broken.
    #[error("the {kind} image is malformed: {reason}")]
    Malformed { kind: ImageKind, reason: &'static str },
    /// More pixels than [`MAX_PIXELS`], by its headers, so it is not decoded.
    #[error("the image is {width}×{height}, more than {limit} pixels")]
    TooManyPixels { width: u32, height: u32, limit: u64 },
    /// The headers were fine but the image data does not decode.
    #[error("the {kind} image cannot be decoded")]
    Undecodable {
        kind: ImageKind,
        #[source]
        source: image::ImageError,
    },
    /// Not a key [`ObjectKey::parse`] accepts.
    #[error("not a valid object key: {0:?}")]
    InvalidKey(String),
    /// `JANGTEO_S3_*` is missing or not usable.
    #[error("the S3 configuration is not usable: {0}")]
    Config(String),
    /// The S3 client cannot be built from the configuration.
    #[error("the S3 client cannot be built")]
    Client(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The store could not be read or written (a file, the S3 service).
    #[error("the object store failed on {key}")]
    Storage {
        key: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The thread that did the CPU work panicked or was cancelled.
    #[error("the image work did not finish")]
    Task(#[source] tokio::task::JoinError),
}

impl MediaError {
    /// Whether the upload itself is at fault (a 4xx), rather than the storage (a 5xx).
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Self::TooLarge { .. }
                | Self::UnsupportedFormat
                | Self::Malformed { .. }
                | Self::TooManyPixels { .. }
                | Self::Undecodable { .. }
        )
    }

    pub(crate) fn storage(
        key: &ObjectKey,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self::Storage { key: key.as_str().to_owned(), source: source.into() }
    }
}
