//! A listing's photos as the log records them: which image, what kind, how big, and the SHA-256
//! of its bytes (the same photo on another seller's listing is a fraud signal). The bytes
//! themselves live in the object store, under keys derived from the listing and image ids.

use serde::{Deserialize, Serialize};

use crate::{ImageId, ValidationError};

/// The most photos one listing shows (PRD: 다중 이미지 최대 10장).
pub const MAX_IMAGES: usize = 10;

/// The kinds of photo Jangteo takes, as sniffed from the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageKind {
    Jpeg,
    Png,
    Webp,
    Heic,
}

impl ImageKind {
    pub fn content_type(self) -> &'static str {
        match self {
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Png => "image/png",
            ImageKind::Webp => "image/webp",
            ImageKind::Heic => "image/heic",
        }
    }
}

/// A SHA-256 digest in lower-case hex.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ImageDigest(String);

impl ImageDigest {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        if raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValidationError::new("sha256", "must be 64 lower-case hex digits"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ImageDigest {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ImageDigest> for String {
    fn from(digest: ImageDigest) -> String {
        digest.0
    }
}

/// One photo of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingImage {
    pub image_id: ImageId,
    pub kind: ImageKind,
    /// Of the photo as uploaded.
    pub sha256: ImageDigest,
    pub width: u32,
    pub height: u32,
    /// Of the stored original, in bytes.
    pub size: u64,
}
