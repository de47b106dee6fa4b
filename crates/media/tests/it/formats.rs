//! Sniffing, size limits, metadata stripping and thumbnails, on images built in the test.

use jangteo_media::{ImageKind, MAX_IMAGE_BYTES, MediaError, sniff, strip_metadata, thumbnail};

use crate::fixtures::{self, LATITUDE, contains, latitude_bytes};

#[test]
fn each_accepted_format_is_sniffed_from_its_bytes() {
    let heic = fixtures::heic(8, 8, None, &fixtures::exif_tiff(None, LATITUDE));
    for (bytes, kind) in [
        (fixtures::jpeg(8, 8), ImageKind::Jpeg),
        (fixtures::png(8, 8), ImageKind::Png),
        (fixtures::webp_simple(8, 8), ImageKind::Webp),
        (heic.bytes, ImageKind::Heic),
    ] {
        assert_eq!(sniff(&bytes).unwrap(), kind);
    }
}

#[test]
fn text_an_avif_and_an_empty_upload_are_refused() {
    let mut avif = 24_u32.to_be_bytes().to_vec();
    avif.extend_from_slice(b"ftypavif\0\0\0\0mif1miaf");
    for bytes in [b"a listing description, not a photo\n".as_slice(), &avif, b""] {
        assert!(matches!(sniff(bytes), Err(MediaError::UnsupportedFormat)), "{bytes:?}");
        assert!(matches!(strip_metadata(bytes), Err(MediaError::UnsupportedFormat)));
    }
}

#[test]
fn an_upload_over_ten_megabytes_is_refused_before_it_is_parsed() {
    // A JPEG's first bytes, then 11 MB of nothing: refused for its size, not its structure.
    let mut blob = vec![0_u8; 11 * 1024 * 1024];
    blob[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
    let refused = strip_metadata(&blob).unwrap_err();
    assert!(
        matches!(refused, MediaError::TooLarge { size, limit } if size == blob.len() && limit == MAX_IMAGE_BYTES),
        "{refused:?}"
    );
    assert!(refused.is_refusal());
    let mut at_limit = fixtures::jpeg(8, 8);
    at_limit.resize(MAX_IMAGE_BYTES, 0); // trailing bytes after EOI, still within the limit
    assert_eq!(sniff(&at_limit).unwrap(), ImageKind::Jpeg);
}

#[test]
fn a_jpeg_loses_its_exif_and_xmp_and_comes_out_as_it_was_encoded() {
    let plain = fixtures::jpeg(64, 48);
    let tagged = fixtures::jpeg_with_exif(&plain, &fixtures::exif_tiff(None, LATITUDE));
    assert!(contains(&tagged, &latitude_bytes(LATITUDE)));

    let clean = strip_metadata(&tagged).unwrap();
    assert_eq!(clean.kind, ImageKind::Jpeg);
    assert!(!contains(&clean.bytes, &latitude_bytes(LATITUDE)), "the GPS position is gone");
    assert!(!contains(&clean.bytes, b"Exif\0\0") && !contains(&clean.bytes, b"xmpmeta"));
    assert_eq!(clean.bytes, plain, "nothing but the metadata segments was touched");
    assert_eq!((clean.width, clean.height, clean.orientation), (64, 48, 1));
    let decoded = image::load_from_memory(&clean.bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (64, 48));
}

#[test]
fn a_jpeg_keeps_its_orientation_alone_and_is_measured_as_shown() {
    let plain = fixtures::jpeg(64, 48);
    // 6: the camera was held upright, the pixels lie turned a quarter.
    let tagged = fixtures::jpeg_with_exif(&plain, &fixtures::exif_tiff(Some(6), LATITUDE));
    let clean = strip_metadata(&tagged).unwrap();
    assert!(!contains(&clean.bytes, &latitude_bytes(LATITUDE)));
    assert_eq!((clean.width, clean.height, clean.orientation), (48, 64, 6));
    assert_eq!(
        clean.bytes.len(),
        plain.len() + 36,
        "one small Exif segment (36 bytes): the orientation alone"
    );
    // Stripping again changes nothing: the kept segment is all the Exif there is.
    assert_eq!(strip_metadata(&clean.bytes).unwrap().bytes, clean.bytes);
    // The thumbnail is upright, as the photo is shown.
    let thumb = image::load_from_memory(&thumbnail(&clean).unwrap().unwrap()).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (48, 64));
}

#[test]
fn what_follows_a_jpegs_end_is_dropped_with_the_exif_it_carries() {
    // Phones append further JPEGs after the first one's EOI (MPF depth maps, gain maps), each
    // with an Exif block of its own.
    let plain = fixtures::jpeg(32, 32);
    let mut upload = fixtures::jpeg_with_exif(&plain, &fixtures::exif_tiff(None, LATITUDE));
    upload.extend_from_slice(&fixtures::jpeg_with_exif(
        &fixtures::jpeg(8, 8),
        &fixtures::exif_tiff(None, LATITUDE),
    ));
    let clean = strip_metadata(&upload).unwrap();
    assert_eq!(clean.bytes, plain);
    assert_eq!((clean.width, clean.height), (32, 32));
}

#[test]
fn a_progressive_jpeg_keeps_all_its_scans() {
    // A hand-made progressive layout: two scans with a table between them, an APP1 among them.
    let plain = fixtures::jpeg(16, 16);
    let sos = plain.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
    let eoi = plain.len() - 2;
    let mut upload = plain[..eoi].to_vec();
    upload.extend_from_slice(&[0xFF, 0xE1, 0x00, 0x08, b'E', b'x', b'i', b'f', 0, 0]);
    upload.extend_from_slice(&plain[sos..]);
    let clean = strip_metadata(&upload).unwrap();
    let mut expected = plain[..eoi].to_vec();
    expected.extend_from_slice(&plain[sos..]);
    assert_eq!(clean.bytes, expected, "both scans kept, the APP1 between them dropped");
}

#[test]
fn a_broken_jpeg_is_refused_as_malformed() {
    let plain = fixtures::jpeg(16, 16);
    let truncated = &plain[..40];
    let refused = strip_metadata(truncated).unwrap_err();
    assert!(matches!(refused, MediaError::Malformed { kind: ImageKind::Jpeg, .. }), "{refused:?}");
    assert!(refused.is_refusal());
}

#[test]
fn a_png_loses_its_exif_and_text_chunks() {
    let plain = fixtures::png(30, 20);
    let tagged = fixtures::png_with_exif(&plain, &fixtures::exif_tiff(Some(6), LATITUDE));
    // The png crate reads it, chunks and checksums, before the strip as after.
    image::load_from_memory(&tagged).unwrap();

    let clean = strip_metadata(&tagged).unwrap();
    assert_eq!(clean.kind, ImageKind::Png);
    assert!(!contains(&clean.bytes, &latitude_bytes(LATITUDE)));
    assert!(!contains(&clean.bytes, b"eXIf") && !contains(&clean.bytes, b"taken at home"));
    assert_eq!(clean.bytes, plain);
    assert_eq!((clean.width, clean.height, clean.orientation), (30, 20, 1));
    image::load_from_memory(&clean.bytes).unwrap();
}

#[test]
fn a_webp_loses_its_exif_and_xmp_chunks_and_their_flags() {
    let simple = fixtures::webp_simple(40, 30);
    let exif = fixtures::exif_tiff(None, LATITUDE);
    let xmp = b"<x:xmpmeta>37,33.98N</x:xmpmeta>"; // odd length: padded
    let tagged = fixtures::webp_extended(&simple, 40, 30, 0x08 | 0x04, &[(b"EXIF", &exif), (b"XMP ", xmp)]);
    image::load_from_memory(&tagged).unwrap();

    let clean = strip_metadata(&tagged).unwrap();
    assert_eq!(clean.kind, ImageKind::Webp);
    assert!(!contains(&clean.bytes, &latitude_bytes(LATITUDE)) && !contains(&clean.bytes, b"xmpmeta"));
    assert_eq!(
        clean.bytes,
        fixtures::webp_extended(&simple, 40, 30, 0, &[]),
        "flags cleared, RIFF size anew"
    );
    assert_eq!((clean.width, clean.height), (40, 30));
    let decoded = image::load_from_memory(&clean.bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (40, 30));
}

#[test]
fn a_simple_webp_is_measured_from_its_bitstream_and_kept_as_it_is() {
    let simple = fixtures::webp_simple(33, 17);
    let clean = strip_metadata(&simple).unwrap();
    assert_eq!(clean.bytes, simple);
    assert_eq!((clean.width, clean.height), (33, 17));
}

/// The Exif and XMP items zeroed, every other byte as it was, the size read.
fn assert_zeroed_in_place(heic: &fixtures::Heic, width: u32, height: u32) {
    assert!(contains(&heic.bytes[heic.exif.clone()], &latitude_bytes(LATITUDE)));
    let clean = strip_metadata(&heic.bytes).unwrap();
    assert_eq!(clean.kind, ImageKind::Heic);
    assert_eq!(clean.bytes.len(), heic.bytes.len(), "nothing moves");
    assert!(clean.bytes[heic.exif.clone()].iter().all(|byte| *byte == 0));
    assert!(clean.bytes[heic.xmp.clone()].iter().all(|byte| *byte == 0));
    assert!(!contains(&clean.bytes, &latitude_bytes(LATITUDE)));
    // Everything else, the image's own data among it, is as it was.
    for (at, (before, after)) in heic.bytes.iter().zip(&clean.bytes).enumerate() {
        if !heic.exif.contains(&at) && !heic.xmp.contains(&at) {
            assert_eq!(before, after, "byte {at} changed");
        }
    }
    assert_eq!(clean.bytes[heic.image.clone()], heic.bytes[heic.image.clone()]);
    assert_eq!((clean.width, clean.height), (width, height));
    assert!(thumbnail(&clean).unwrap().is_none(), "HEIC is not decoded here");
}

#[test]
fn a_heic_has_its_exif_and_xmp_items_zeroed_in_place() {
    let heic = fixtures::heic(4032, 3024, None, &fixtures::exif_tiff(Some(1), LATITUDE));
    assert_zeroed_in_place(&heic, 4032, 3024);
}

#[test]
fn a_heic_with_its_metadata_in_idat_has_it_zeroed_there() {
    let heic = fixtures::heic_in_idat(640, 480, &fixtures::exif_tiff(None, LATITUDE));
    assert_eq!(
        &heic.bytes[heic.exif.start + 4..heic.exif.start + 10],
        b"Exif\0\0",
        "the fixture's own layout"
    );
    assert_zeroed_in_place(&heic, 640, 480);
}

#[test]
fn a_heic_turned_a_quarter_is_measured_as_shown() {
    let heic = fixtures::heic(4032, 3024, Some(1), &fixtures::exif_tiff(None, LATITUDE));
    let clean = strip_metadata(&heic.bytes).unwrap();
    assert_eq!((clean.width, clean.height), (3024, 4032));
}

#[test]
fn a_heic_whose_items_lie_past_its_end_is_malformed() {
    let heic = fixtures::heic(64, 64, None, &fixtures::exif_tiff(None, LATITUDE));
    let cut = &heic.bytes[..heic.exif.start + 2];
    let refused = strip_metadata(cut).unwrap_err();
    assert!(matches!(refused, MediaError::Malformed { kind: ImageKind::Heic, .. }), "{refused:?}");
}

#[test]
fn thumbnails_fit_within_320_keeping_the_aspect_and_never_grow() {
    let cases = [
        (fixtures::jpeg(640, 480), (320, 240)),
        (fixtures::png(100, 50), (100, 50)),
        (fixtures::webp_simple(1000, 200), (320, 64)),
    ];
    for (bytes, expected) in cases {
        let clean = strip_metadata(&bytes).unwrap();
        let thumb = thumbnail(&clean).unwrap().unwrap();
        assert_eq!(sniff(&thumb).unwrap(), ImageKind::Jpeg);
        let decoded = image::load_from_memory(&thumb).unwrap();
        assert_eq!((decoded.width(), decoded.height()), expected, "{:?}", clean.kind);
    }
}

#[test]
fn a_transparent_png_is_thumbnailed_over_white() {
    let clean = strip_metadata(&fixtures::png(100, 50)).unwrap();
    let thumb = image::load_from_memory(&thumbnail(&clean).unwrap().unwrap()).unwrap().to_rgb8();
    let [r, g, b] = thumb.get_pixel(5, 25).0; // in the transparent left half
    assert!(r > 240 && g > 240 && b > 240, "{r} {g} {b}");
}

#[test]
fn a_png_whose_pixels_are_broken_is_undecodable() {
    let mut png = fixtures::png(64, 64);
    // Overwrite the compressed data (IDAT starts after IHDR) with junk; the chunks still parse.
    let idat = png.windows(4).position(|window| window == b"IDAT").unwrap() + 4;
    for byte in &mut png[idat + 2..idat + 40] {
        *byte = 0x5A;
    }
    let clean = strip_metadata(&png).unwrap();
    let refused = thumbnail(&clean).unwrap_err();
    assert!(matches!(refused, MediaError::Undecodable { kind: ImageKind::Png, .. }), "{refused:?}");
}

#[test]
fn no_truncation_or_corruption_of_an_accepted_image_panics() {
    let tiff = fixtures::exif_tiff(Some(6), LATITUDE);
    let simple = fixtures::webp_simple(20, 10);
    let samples = [
        fixtures::jpeg_with_exif(&fixtures::jpeg(24, 16), &tiff),
        fixtures::png_with_exif(&fixtures::png(12, 8), &tiff),
        fixtures::webp_extended(&simple, 20, 10, 0x0C, &[(b"EXIF", &tiff), (b"VP8X", &[0; 10])]),
        fixtures::heic(64, 48, Some(1), &tiff).bytes,
        fixtures::heic_in_idat(64, 48, &tiff).bytes,
    ];
    // A fixed linear congruential sequence: the same corruptions on every run.
    let mut state = 0x2545_F491_4F6C_DD1D_u64;
    let mut next = move || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    for sample in &samples {
        for cut in 0..sample.len() {
            let _ = strip_metadata(&sample[..cut]);
        }
        for _ in 0..2_000 {
            let mut corrupted = sample.clone();
            for _ in 0..=next() % 4 {
                let at = next() % corrupted.len();
                corrupted[at] = (next() % 256) as u8;
            }
            if let Ok(clean) = strip_metadata(&corrupted) {
                let _ = thumbnail(&clean);
            }
        }
    }
}
