//! Images built in the tests: encoded with `image`, with metadata spliced in by hand, and a HEIC
//! box structure written byte by byte (no HEVC data: nothing here decodes it).

use image::{
    ImageEncoder, RgbImage, RgbaImage,
    codecs::{jpeg::JpegEncoder, png::PngEncoder, webp::WebPEncoder},
};

/// A gradient, so the encoders have something to code.
pub fn rgb(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    })
}

pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90).encode_image(&rgb(width, height)).unwrap();
    out
}

/// A PNG with an alpha channel, half of it transparent.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let image = RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([200, (y % 256) as u8, 10, if x < width / 2 { 0 } else { 255 }])
    });
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(image.as_raw(), width, height, image::ExtendedColorType::Rgba8)
        .unwrap();
    out
}

/// A lossless WebP in the simple format (RIFF, WEBP, one VP8L chunk).
pub fn webp_simple(width: u32, height: u32) -> Vec<u8> {
    let image = rgb(width, height);
    let mut out = Vec::new();
    WebPEncoder::new_lossless(&mut out)
        .write_image(image.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// A 4-byte latitude the GPS IFD holds, to look for in the output: 37°33′59″ N, Seoul.
pub const LATITUDE: [u32; 6] = [37, 1, 33, 1, 59, 1];

/// An Exif TIFF structure (little-endian) with an orientation tag when given and a GPS IFD
/// holding `N` and `latitude` (three rationals).
pub fn exif_tiff(orientation: Option<u16>, latitude: [u32; 6]) -> Vec<u8> {
    let entries: u16 = if orientation.is_some() { 2 } else { 1 };
    let gps_offset = 8 + 2 + u32::from(entries) * 12 + 4;
    let mut tiff = b"II\x2A\0\x08\0\0\0".to_vec();
    tiff.extend_from_slice(&entries.to_le_bytes());
    if let Some(orientation) = orientation {
        tiff.extend_from_slice(&0x0112_u16.to_le_bytes());
        tiff.extend_from_slice(&3_u16.to_le_bytes());
        tiff.extend_from_slice(&1_u32.to_le_bytes());
        tiff.extend_from_slice(&orientation.to_le_bytes());
        tiff.extend_from_slice(&[0, 0]);
    }
    tiff.extend_from_slice(&0x8825_u16.to_le_bytes()); // GPSInfo IFD pointer
    tiff.extend_from_slice(&4_u16.to_le_bytes()); // LONG
    tiff.extend_from_slice(&1_u32.to_le_bytes());
    tiff.extend_from_slice(&gps_offset.to_le_bytes());
    tiff.extend_from_slice(&0_u32.to_le_bytes());
    // The GPS IFD: latitude reference and latitude.
    let rationals_offset = gps_offset + 2 + 2 * 12 + 4;
    tiff.extend_from_slice(&2_u16.to_le_bytes());
    tiff.extend_from_slice(&1_u16.to_le_bytes()); // GPSLatitudeRef
    tiff.extend_from_slice(&2_u16.to_le_bytes()); // ASCII
    tiff.extend_from_slice(&2_u32.to_le_bytes());
    tiff.extend_from_slice(b"N\0\0\0");
    tiff.extend_from_slice(&2_u16.to_le_bytes()); // GPSLatitude
    tiff.extend_from_slice(&5_u16.to_le_bytes()); // RATIONAL
    tiff.extend_from_slice(&3_u32.to_le_bytes());
    tiff.extend_from_slice(&rationals_offset.to_le_bytes());
    tiff.extend_from_slice(&0_u32.to_le_bytes());
    for value in latitude {
        tiff.extend_from_slice(&value.to_le_bytes());
    }
    tiff
}

/// The latitude as it lies in the TIFF structure, to search the output for.
pub fn latitude_bytes(latitude: [u32; 6]) -> Vec<u8> {
    latitude.iter().flat_map(|value| value.to_le_bytes()).collect()
}

/// The JPEG with an APP1 Exif segment (and an APP1 XMP one) right after SOI.
pub fn jpeg_with_exif(jpeg: &[u8], tiff: &[u8]) -> Vec<u8> {
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(tiff);
    let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><exif:GPSLatitude>37,33.98N</exif:GPSLatitude></x:xmpmeta>";
    let mut out = jpeg[..2].to_vec();
    for payload in [exif.as_slice(), xmp.as_slice()] {
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
        out.extend_from_slice(payload);
    }
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// CRC-32 (ISO 3309), as PNG's chunks carry.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFF_u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

pub fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
    chunk.extend_from_slice(kind);
    chunk.extend_from_slice(data);
    let crc = crc32(&chunk[4..]);
    chunk.extend_from_slice(&crc.to_be_bytes());
    chunk
}

/// The PNG with eXIf and tEXt chunks after IHDR (signature 8 bytes, IHDR 25).
pub fn png_with_exif(png: &[u8], tiff: &[u8]) -> Vec<u8> {
    let mut out = png[..33].to_vec();
    out.extend_from_slice(&png_chunk(b"eXIf", tiff));
    out.extend_from_slice(&png_chunk(b"tEXt", b"Comment\0taken at home"));
    out.extend_from_slice(&png[33..]);
    out
}

fn riff_chunk(fourcc: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = fourcc.to_vec();
    chunk.extend_from_slice(&u32::try_from(data.len()).unwrap().to_le_bytes());
    chunk.extend_from_slice(data);
    if data.len() % 2 == 1 {
        chunk.push(0);
    }
    chunk
}

/// The simple WebP in the extended format: VP8X (with `flags`), its image chunk, then `extra`
/// chunks (EXIF, XMP) after it, as the specification orders them.
pub fn webp_extended(
    simple: &[u8],
    width: u32,
    height: u32,
    flags: u8,
    extra: &[(&[u8; 4], &[u8])],
) -> Vec<u8> {
    let mut vp8x = vec![flags, 0, 0, 0];
    vp8x.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    vp8x.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    let mut body = b"WEBP".to_vec();
    body.extend_from_slice(&riff_chunk(b"VP8X", &vp8x));
    body.extend_from_slice(&simple[12..]);
    for (fourcc, data) in extra {
        body.extend_from_slice(&riff_chunk(fourcc, data));
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&u32::try_from(body.len()).unwrap().to_le_bytes());
    out.extend_from_slice(&body);
    out
}

fn bmff(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = u32::try_from(body.len() + 8).unwrap().to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out
}

fn full_box(kind: &[u8; 4], version: u8, flags: u32, body: &[u8]) -> Vec<u8> {
    let mut content = vec![version];
    content.extend_from_slice(&flags.to_be_bytes()[1..]);
    content.extend_from_slice(body);
    bmff(kind, &content)
}

fn infe(id: u16, kind: &[u8; 4], content_type: Option<&str>) -> Vec<u8> {
    let mut body = id.to_be_bytes().to_vec();
    body.extend_from_slice(&0_u16.to_be_bytes()); // protection index
    body.extend_from_slice(kind);
    body.push(0); // empty name
    if let Some(content_type) = content_type {
        body.extend_from_slice(content_type.as_bytes());
        body.push(0);
    }
    full_box(b"infe", 2, 0, &body)
}

/// A HEIC file: item 1 the (fake) image, item 2 its Exif, item 3 its XMP, all in `mdat`;
/// `ispe` `width`×`height` and, when given, `irot` quarter turns, associated with item 1.
pub struct Heic {
    pub bytes: Vec<u8>,
    /// Where the Exif and XMP items' bytes are in the file.
    pub exif: std::ops::Range<usize>,
    pub xmp: std::ops::Range<usize>,
    pub image: std::ops::Range<usize>,
}

pub fn heic(width: u32, height: u32, quarter_turns: Option<u8>, tiff: &[u8]) -> Heic {
    heic_laid_out(width, height, quarter_turns, tiff, false)
}

/// As [`heic`], but with `iloc` version 1 and base offsets, and the Exif and XMP items in the
/// `meta` box's `idat` (construction method 1) rather than in `mdat`.
pub fn heic_in_idat(width: u32, height: u32, tiff: &[u8]) -> Heic {
    heic_laid_out(width, height, None, tiff, true)
}

fn heic_laid_out(width: u32, height: u32, quarter_turns: Option<u8>, tiff: &[u8], in_idat: bool) -> Heic {
    let image_data = vec![0xAB_u8; 64]; // stands for the HEVC stream
    let mut exif_data = 6_u32.to_be_bytes().to_vec(); // offset to the TIFF header
    exif_data.extend_from_slice(b"Exif\0\0");
    exif_data.extend_from_slice(tiff);
    let xmp_data = b"<x:xmpmeta><exif:GPSLatitude>37,33.98N</exif:GPSLatitude></x:xmpmeta>".to_vec();

    let mut compatible = b"heic".to_vec();
    compatible.extend_from_slice(&0_u32.to_be_bytes());
    compatible.extend_from_slice(b"mif1heic");
    let ftyp = bmff(b"ftyp", &compatible);

    let meta = |mdat_data_start: u32| {
        let mut hdlr = 0_u32.to_be_bytes().to_vec();
        hdlr.extend_from_slice(b"pict");
        hdlr.extend_from_slice(&[0; 12]);
        hdlr.push(0);
        let mut iinf = 3_u16.to_be_bytes().to_vec();
        iinf.extend_from_slice(&infe(1, b"hvc1", None));
        iinf.extend_from_slice(&infe(2, b"Exif", None));
        iinf.extend_from_slice(&infe(3, b"mime", Some("application/rdf+xml")));
        let lengths =
            [image_data.len(), exif_data.len(), xmp_data.len()].map(|length| u32::try_from(length).unwrap());
        let iloc = if in_idat {
            // iloc v1: offsets, lengths and base offsets of 4 bytes; item 1 in mdat by its base
            // offset, items 2 and 3 in idat (construction method 1), offsets from its start.
            let mut iloc = vec![0x44, 0x40];
            iloc.extend_from_slice(&3_u16.to_be_bytes());
            let placements = [(1_u16, 0_u16, mdat_data_start, 0), (2, 1, 0, 0), (3, 1, 0, lengths[1])];
            for ((id, method, base, offset), length) in
                placements.into_iter().zip([lengths[0], lengths[1], lengths[2]])
            {
                iloc.extend_from_slice(&id.to_be_bytes());
                iloc.extend_from_slice(&method.to_be_bytes());
                iloc.extend_from_slice(&0_u16.to_be_bytes()); // data reference index
                iloc.extend_from_slice(&base.to_be_bytes());
                iloc.extend_from_slice(&1_u16.to_be_bytes()); // one extent
                iloc.extend_from_slice(&offset.to_be_bytes());
                iloc.extend_from_slice(&length.to_be_bytes());
            }
            full_box(b"iloc", 1, 0, &iloc)
        } else {
            // iloc v0: offsets and lengths of 4 bytes, no base offset.
            let mut iloc = vec![0x44, 0x00];
            iloc.extend_from_slice(&3_u16.to_be_bytes());
            let mut offset = mdat_data_start;
            for (id, length) in [1_u16, 2, 3].into_iter().zip(lengths) {
                iloc.extend_from_slice(&id.to_be_bytes());
                iloc.extend_from_slice(&0_u16.to_be_bytes()); // data reference index
                iloc.extend_from_slice(&1_u16.to_be_bytes()); // one extent
                iloc.extend_from_slice(&offset.to_be_bytes());
                iloc.extend_from_slice(&length.to_be_bytes());
                offset += length;
            }
            full_box(b"iloc", 0, 0, &iloc)
        };
        let mut ispe = width.to_be_bytes().to_vec();
        ispe.extend_from_slice(&height.to_be_bytes());
        let mut ipco = full_box(b"ispe", 0, 0, &ispe);
        let mut associations = vec![0x81]; // essential, property 1
        if let Some(turns) = quarter_turns {
            ipco.extend_from_slice(&bmff(b"irot", &[turns]));
            associations.push(0x82);
        }
        let mut ipma = 1_u32.to_be_bytes().to_vec();
        ipma.extend_from_slice(&1_u16.to_be_bytes());
        ipma.push(u8::try_from(associations.len()).unwrap());
        ipma.extend_from_slice(&associations);
        let mut iprp = bmff(b"ipco", &ipco);
        iprp.extend_from_slice(&full_box(b"ipma", 0, 0, &ipma));

        let mut body = full_box(b"hdlr", 0, 0, &hdlr);
        body.extend_from_slice(&full_box(b"pitm", 0, 0, &1_u16.to_be_bytes()));
        body.extend_from_slice(&full_box(b"iinf", 0, 0, &iinf));
        body.extend_from_slice(&iloc);
        body.extend_from_slice(&bmff(b"iprp", &iprp));
        if in_idat {
            let mut idat = exif_data.clone();
            idat.extend_from_slice(&xmp_data);
            body.extend_from_slice(&bmff(b"idat", &idat));
        }
        full_box(b"meta", 0, 0, &body)
    };
    // The meta box's length does not depend on the offsets in it.
    let meta_len = meta(0).len();
    let data_start = ftyp.len() + meta_len + 8;
    let mut bytes = ftyp.clone();
    bytes.extend_from_slice(&meta(u32::try_from(data_start).unwrap()));
    let mut mdat = image_data.clone();
    if !in_idat {
        mdat.extend_from_slice(&exif_data);
        mdat.extend_from_slice(&xmp_data);
    }
    bytes.extend_from_slice(&bmff(b"mdat", &mdat));
    let image = data_start..data_start + image_data.len();
    // In idat, the items are the last bytes of the meta box (idat is its last child).
    let metadata_start =
        if in_idat { ftyp.len() + meta_len - exif_data.len() - xmp_data.len() } else { image.end };
    let exif = metadata_start..metadata_start + exif_data.len();
    let xmp = exif.end..exif.end + xmp_data.len();
    Heic { bytes, exif, xmp, image }
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}
