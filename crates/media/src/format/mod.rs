//! Image formats: sniffing from the bytes, the size from the headers, and lossless stripping of
//! metadata, one module per format. Nothing here decodes pixels.

mod heic;
mod jpeg;
mod png;
mod webp;

use crate::MediaError;

/// The largest image accepted, in bytes: 10 MB.
pub const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;

/// The most pixels an image may have (by its headers), so that decoding it for a thumbnail
/// stays within a few hundred megabytes: 120 million, which a 108-megapixel phone photo fits.
pub const MAX_PIXELS: u64 = 120_000_000;

/// The kinds of image a listing may show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageKind {
    Jpeg,
    Png,
    Webp,
    Heic,
}

impl ImageKind {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Heic => "image/heic",
        }
    }

    /// The file extension of its objects' keys.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Heic => "heic",
        }
    }

    pub const ALL: [Self; 4] = [Self::Jpeg, Self::Png, Self::Webp, Self::Heic];
}

impl std::fmt::Display for ImageKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
            Self::Webp => "WebP",
            Self::Heic => "HEIC",
        })
    }
}

/// An image with its metadata taken out, and its size as it is shown (a JPEG's or HEIC's
/// rotation applied: a portrait phone photo stored sideways is `width < height` here).
#[derive(Clone, PartialEq, Eq)]
pub struct CleanImage {
    pub kind: ImageKind,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// The Exif orientation (1–8) a JPEG kept; 1 for everything else.
    pub orientation: u8,
}

impl std::fmt::Debug for CleanImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CleanImage")
            .field("kind", &self.kind)
            .field("bytes", &self.bytes.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .field("orientation", &self.orientation)
            .finish()
    }
}

/// What a format module found: the stripped bytes and the stored size, with the rotation
/// still to apply.
struct Stripped {
    bytes: Vec<u8>,
    width: u32,
    height: u32,
    orientation: u8,
    /// Whether width and height swap when shown (Exif orientations 5–8, HEIC `irot` 90/270).
    turned: bool,
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
/// The `ftyp` brands of HEIF images (HEVC-coded and the generic image/sequence brands).
const HEIF_BRANDS: [&[u8; 4]; 9] =
    [b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"mif1", b"msf1"];
/// AVIF is HEIF too, and says `mif1` as well; it is not one of the kinds accepted.
const AVIF_BRANDS: [&[u8; 4]; 2] = [b"avif", b"avis"];

/// The kind of image the bytes are, from their first bytes; too large is refused first.
pub fn sniff(bytes: &[u8]) -> Result<ImageKind, MediaError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(MediaError::TooLarge { size: bytes.len(), limit: MAX_IMAGE_BYTES });
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(ImageKind::Jpeg);
    }
    if bytes.starts_with(PNG_SIGNATURE) {
        return Ok(ImageKind::Png);
    }
    if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        return Ok(ImageKind::Webp);
    }
    if bytes.get(4..8) == Some(b"ftyp") && is_heif(bytes) {
        return Ok(ImageKind::Heic);
    }
    Err(MediaError::UnsupportedFormat)
}

/// Whether an ISO-BMFF file's `ftyp` box names a HEIF brand, and no AVIF one.
fn is_heif(bytes: &[u8]) -> bool {
    let Some(size) = be_u32(bytes, 0) else { return false };
    let Some(ftyp) = usize::try_from(size).ok().and_then(|size| bytes.get(..size)) else { return false };
    if ftyp.len() < 16 {
        return false;
    }
    // The major brand, then (after the minor version) the compatible brands.
    let brands: Vec<&[u8]> = std::iter::once(&ftyp[8..12]).chain(ftyp[16..].chunks_exact(4)).collect();
    let named =
        |wanted: &[&[u8; 4]]| brands.iter().any(|brand| wanted.iter().any(|w| *brand == w.as_slice()));
    named(&HEIF_BRANDS) && !named(&AVIF_BRANDS)
}

/// Sniffs the image, reads its size and takes its metadata out, without decoding it.
pub fn strip_metadata(bytes: &[u8]) -> Result<CleanImage, MediaError> {
    let kind = sniff(bytes)?;
    let malformed = |reason| MediaError::Malformed { kind, reason };
    let stripped = match kind {
        ImageKind::Jpeg => jpeg::strip(bytes),
        ImageKind::Png => png::strip(bytes),
        ImageKind::Webp => webp::strip(bytes),
        ImageKind::Heic => heic::strip(bytes),
    }
    .map_err(malformed)?;
    if stripped.width == 0 || stripped.height == 0 {
        return Err(malformed("the image has no pixels"));
    }
    let pixels = u64::from(stripped.width) * u64::from(stripped.height);
    if pixels > MAX_PIXELS {
        return Err(MediaError::TooManyPixels {
            width: stripped.width,
            height: stripped.height,
            limit: MAX_PIXELS,
        });
    }
    let (width, height) =
        if stripped.turned { (stripped.height, stripped.width) } else { (stripped.width, stripped.height) };
    Ok(CleanImage { kind, bytes: stripped.bytes, width, height, orientation: stripped.orientation })
}

/// Why a format module refused the bytes, for [`MediaError::Malformed`].
type Refusal = &'static str;

const TRUNCATED: Refusal = "the file ends inside a header";

fn be_u16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(bytes.get(at..at.checked_add(2)?)?.try_into().ok()?))
}

fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn be_u64(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.get(at..at.checked_add(8)?)?.try_into().ok()?))
}

fn le_u16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at.checked_add(2)?)?.try_into().ok()?))
}

fn le_u32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

/// A 24-bit little-endian number, as WebP's VP8X writes the canvas size.
fn le_u24(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(3)?)?;
    Some(u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16)
}

/// `at + length` as an end offset, `None` on overflow.
fn end_of(at: usize, length: impl TryInto<usize>) -> Option<usize> {
    at.checked_add(length.try_into().ok()?)
}
