//! JPEG: the segments are copied but for the metadata ones (every APPn but JFIF's APP0, the
//! ICC profile's APP2 and Adobe's APP14, and comments), the entropy-coded data of each scan as
//! it is, up to the first image's EOI; what follows EOI is dropped, since phones append more
//! JPEGs there (MPF depth maps and HDR gain maps, each with an Exif block of its own, GPS
//! included). The size is the frame header's (SOFn).

use super::{Refusal, Stripped, TRUNCATED, be_u16, be_u32, end_of};

const SOS: u8 = 0xDA;
const EOI: u8 = 0xD9;
const APP1: u8 = 0xE1;
const EXIF_HEADER: &[u8] = b"Exif\0\0";
/// The Exif tag of the orientation.
const ORIENTATION_TAG: u16 = 0x0112;

pub(super) fn strip(input: &[u8]) -> Result<Stripped, Refusal> {
    let mut out = Vec::with_capacity(input.len());
    out.extend_from_slice(&input[..2]); // SOI, which sniffing saw
    let mut at = 2;
    let mut size = None;
    let mut orientation = 1;
    let mut scanned = false;
    loop {
        if input.get(at) != Some(&0xFF) {
            return Err("a segment does not start with a marker");
        }
        // Any number of 0xFF fill bytes may come before a marker.
        while input.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        let marker = *input.get(at + 1).ok_or(TRUNCATED)?;
        match marker {
            // TEM and RSTn stand alone, without a length.
            0x01 | 0xD0..=0xD7 => {
                out.extend_from_slice(&[0xFF, marker]);
                at += 2;
                continue;
            }
            EOI => {
                let (width, height) = size.ok_or("the image ends before its frame header")?;
                if !scanned {
                    return Err("the image ends before its first scan");
                }
                out.extend_from_slice(&[0xFF, EOI]);
                let turned = orientation >= 5;
                return Ok(Stripped { bytes: out, width, height, orientation, turned });
            }
            0xD8 | 0x00 => return Err("a marker out of place"),
            _ => {}
        }
        let length = be_u16(input, at + 2).ok_or(TRUNCATED)?;
        if length < 2 {
            return Err("a segment shorter than its length field");
        }
        let end = end_of(at + 2, length).ok_or(TRUNCATED)?;
        let segment = input.get(at..end).ok_or("a segment runs past the end of the file")?;
        let payload = &segment[4..];
        if marker == SOS {
            if size.is_none() {
                return Err("a scan before the frame header");
            }
            scanned = true;
            // The scan's header, then its entropy-coded data up to the next marker: a 0xFF
            // there is followed by 0x00 (a stuffed byte) or a restart marker, else it is one.
            let data_end = (end..input.len())
                .find(|&i| {
                    input[i] == 0xFF
                        && input.get(i + 1).is_some_and(|&next| !matches!(next, 0x00 | 0xD0..=0xD7))
                })
                .ok_or("the last scan has no end")?;
            out.extend_from_slice(&input[at..data_end]);
            at = data_end;
            continue;
        }
        if is_frame_header(marker) && size.is_none() {
            let height = be_u16(payload, 1).ok_or(TRUNCATED)?;
            let width = be_u16(payload, 3).ok_or(TRUNCATED)?;
            if height == 0 {
                // A height given later by a DNL segment: legal, but no camera writes it.
                return Err("the frame header gives no height");
            }
            size = Some((u32::from(width), u32::from(height)));
        }
        if marker == APP1 && payload.starts_with(EXIF_HEADER) && orientation == 1 {
            // The one Exif tag worth keeping: without it a phone's portrait photo lies sideways.
            orientation = exif_orientation(&payload[EXIF_HEADER.len()..]).unwrap_or(1);
            if orientation != 1 {
                out.extend_from_slice(&orientation_segment(orientation));
            }
        }
        if keeps(marker, payload) {
            out.extend_from_slice(segment);
        }
        at = end;
    }
}

/// SOF0–SOF15 but DHT (C4), JPG (C8) and DAC (CC), which share the range.
fn is_frame_header(marker: u8) -> bool {
    matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
}

/// Whether a segment before the first scan is kept.
fn keeps(marker: u8, payload: &[u8]) -> bool {
    match marker {
        0xE2 => payload.starts_with(b"ICC_PROFILE\0"),
        0xEE => payload.starts_with(b"Adobe"), // colour transform, needed to decode CMYK right
        0xE1 | 0xE3..=0xED | 0xEF | 0xFE => false, // Exif, XMP, maker notes, IPTC, comments
        // APP0 (JFIF / JFXX: density and a format marker, nothing personal), tables, frames.
        _ => true,
    }
}

/// The orientation tag (1–8) of IFD0 in an Exif TIFF structure, if there is a valid one.
fn exif_orientation(tiff: &[u8]) -> Option<u8> {
    let little = match tiff.get(..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let u16_at = |at: usize| {
        let bytes: [u8; 2] = tiff.get(at..at + 2)?.try_into().ok()?;
        Some(if little { u16::from_le_bytes(bytes) } else { u16::from_be_bytes(bytes) })
    };
    let u32_at = |at: usize| {
        if little {
            let bytes: [u8; 4] = tiff.get(at..at + 4)?.try_into().ok()?;
            Some(u32::from_le_bytes(bytes))
        } else {
            be_u32(tiff, at)
        }
    };
    if u16_at(2)? != 42 {
        return None;
    }
    let ifd = usize::try_from(u32_at(4)?).ok()?;
    let entries = u16_at(ifd)?;
    (0..usize::from(entries)).find_map(|index| {
        let entry = ifd.checked_add(2 + index * 12)?;
        // Type 3 is SHORT, stored in the first two bytes of the value field.
        (u16_at(entry)? == ORIENTATION_TAG && u16_at(entry + 2)? == 3)
            .then(|| u16_at(entry + 8))
            .flatten()
            .and_then(|value| u8::try_from(value).ok())
            .filter(|value| (1..=8).contains(value))
    })
}

/// An APP1 segment holding an Exif structure with the orientation as its only tag.
pub(crate) fn orientation_segment(orientation: u8) -> Vec<u8> {
    let mut tiff = Vec::with_capacity(26);
    tiff.extend_from_slice(b"MM\0\x2A\0\0\0\x08"); // big-endian, IFD0 right after the header
    tiff.extend_from_slice(&1_u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&ORIENTATION_TAG.to_be_bytes());
    tiff.extend_from_slice(&3_u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1_u32.to_be_bytes()); // one value
    tiff.extend_from_slice(&[0, orientation, 0, 0]);
    tiff.extend_from_slice(&0_u32.to_be_bytes()); // no next IFD
    let length = u16::try_from(2 + EXIF_HEADER.len() + tiff.len()).unwrap_or(u16::MAX);
    let mut segment = vec![0xFF, APP1];
    segment.extend_from_slice(&length.to_be_bytes());
    segment.extend_from_slice(EXIF_HEADER);
    segment.extend_from_slice(&tiff);
    segment
}
