//! Thumbnails: the image picture (JPEG, PNG, WebP), turned upright by its orientation, scaled
//! down to fit within [`THUMBNAIL_EDGE`] on both sides, and encoded as JPEG. CPU work: call it
//! from a blocking thread.

use std::io::Cursor;

use image::{
    DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, Rgb, RgbImage, codecs::jpeg::JpegEncoder,
    imageops::FilterType,
};

use crate::{CleanImage, ImageKind, MediaError};

/// The longest side of a thumbnail, in pixels.
pub const THUMBNAIL_EDGE: u32 = 320;
/// The JPEG quality thumbnails are encoded at.
pub const THUMBNAIL_QUALITY: u8 = 80;
/// The most memory one decode may take: a [`crate::MAX_PIXELS`] image at 4 bytes a pixel.
const MAX_DECODE_ALLOC: u64 = crate::MAX_PIXELS * 4;

/// A JPEG thumbnail of the image, or `None` for HEIC, which cannot be picture here.
pub fn thumbnail(image: &CleanImage) -> Result<Option<Vec<u8>>, MediaError> {
    let format = match image.kind {
        ImageKind::Jpeg => ImageFormat::Jpeg,
        ImageKind::Png => ImageFormat::Png,
        ImageKind::Webp => ImageFormat::WebP,
        ImageKind::Heic => return Ok(None),
    };
    let undecodable = |source| MediaError::Undecodable { kind: image.kind, source };
    let mut reader = ImageReader::with_format(Cursor::new(&image.bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(undecodable)?;
    let turn = decoder.orientation().map_err(undecodable)?;
    let mut picture = DynamicImage::from_decoder(decoder).map_err(undecodable)?;
    picture.apply_orientation(turn);

    let (width, height) = fit(picture.width(), picture.height());
    let scaled = if (width, height) == (picture.width(), picture.height()) {
        picture
    } else {
        picture.resize_exact(width, height, FilterType::Triangle)
    };
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, THUMBNAIL_QUALITY)
        .encode_image(&on_white(&scaled))
        .map_err(undecodable)?;
    Ok(Some(out))
}

/// The size that fits within the thumbnail's edge with the aspect kept; never larger than the
/// image, and at least a pixel each way.
fn fit(width: u32, height: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= THUMBNAIL_EDGE {
        return (width, height);
    }
    let scale = |side: u32| {
        let scaled =
            (u64::from(side) * u64::from(THUMBNAIL_EDGE) + u64::from(longest) / 2) / u64::from(longest);
        u32::try_from(scaled).unwrap_or(THUMBNAIL_EDGE).max(1)
    };
    (scale(width), scale(height))
}

/// The image as RGB, transparent parts laid over white (JPEG has no alpha; dropping it would
/// show whatever colour the transparent pixels happen to hold, often black).
fn on_white(image: &DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |channel: u8| {
            let blended = (u16::from(channel) * u16::from(a) + 255 * (255 - u16::from(a)) + 127) / 255;
            u8::try_from(blended).unwrap_or(u8::MAX)
        };
        Rgb([over(r), over(g), over(b)])
    })
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn fitting_keeps_the_aspect_and_never_enlarges() {
        assert_eq!(fit(4000, 3000), (320, 240));
        assert_eq!(fit(3000, 4000), (240, 320));
        assert_eq!(fit(200, 100), (200, 100));
        assert_eq!(fit(10_000, 10), (320, 1));
    }
}
