//! WebP: the RIFF chunks are copied but for EXIF and XMP, whose flags in VP8X are cleared, and
//! the RIFF size is written anew; anything after the RIFF chunk is dropped. The size is VP8X's
//! canvas, or the bitstream's (VP8 lossy, VP8L lossless) in the simple format.

use super::{Refusal, Stripped, TRUNCATED, end_of, le_u16, le_u24, le_u32};

/// The VP8X flag bits of an EXIF and an XMP chunk.
const EXIF_FLAG: u8 = 0x08;
const XMP_FLAG: u8 = 0x04;

pub(super) fn strip(input: &[u8]) -> Result<Stripped, Refusal> {
    let riff_size = le_u32(input, 4).ok_or(TRUNCATED)?;
    let riff_end = end_of(8, riff_size).ok_or(TRUNCATED)?;
    let body = input.get(..riff_end).ok_or("the file is shorter than its RIFF size")?;
    let mut out = Vec::with_capacity(body.len());
    out.extend_from_slice(b"RIFF\0\0\0\0WEBP");
    let mut at = 12;
    let mut size = None;
    while at < body.len() {
        let fourcc = body.get(at..at + 4).ok_or(TRUNCATED)?;
        let length = le_u32(body, at + 4).ok_or(TRUNCATED)?;
        let data_end = end_of(at + 8, length).ok_or(TRUNCATED)?;
        let data = body.get(at + 8..data_end).ok_or("a chunk runs past the end of the file")?;
        // Chunks are padded to an even length; a writer that left the last pad out is forgiven.
        let end = (data_end + (data_end - at) % 2).min(body.len());
        if size.is_none() {
            size = Some(match fourcc {
                b"VP8X" => (le_u24(data, 4).ok_or(TRUNCATED)? + 1, le_u24(data, 7).ok_or(TRUNCATED)? + 1),
                b"VP8L" => lossless_size(data)?,
                b"VP8 " => lossy_size(data)?,
                _ => return Err("the first chunk is not VP8X, VP8L or VP8"),
            });
        }
        match fourcc {
            b"EXIF" | b"XMP " => {}
            b"VP8X" => {
                let start = out.len();
                out.extend_from_slice(&body[at..end]);
                if let Some(flags) = out.get_mut(start + 8) {
                    *flags &= !(EXIF_FLAG | XMP_FLAG);
                }
            }
            _ => out.extend_from_slice(&body[at..end]),
        }
        at = end;
    }
    let (width, height) = size.ok_or("no image chunk")?;
    let riff_size = u32::try_from(out.len() - 8).map_err(|_| TRUNCATED)?;
    out[4..8].copy_from_slice(&riff_size.to_le_bytes());
    Ok(Stripped { bytes: out, width, height, orientation: 1, turned: false })
}

/// VP8L: a signature byte, then width − 1 and height − 1 in 14 bits each.
fn lossless_size(data: &[u8]) -> Result<(u32, u32), Refusal> {
    if data.first() != Some(&0x2F) {
        return Err("a VP8L chunk without its signature");
    }
    let bits = le_u32(data, 1).ok_or(TRUNCATED)?;
    Ok(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
}

/// VP8: a 3-byte frame tag, the start code 9D 01 2A, then width and height in 14 bits each
/// (the top two bits are a scale the decoder does not apply).
fn lossy_size(data: &[u8]) -> Result<(u32, u32), Refusal> {
    if data.get(3..6) != Some(&[0x9D, 0x01, 0x2A]) {
        return Err("a VP8 chunk without its start code");
    }
    let width = le_u16(data, 6).ok_or(TRUNCATED)? & 0x3FFF;
    let height = le_u16(data, 8).ok_or(TRUNCATED)? & 0x3FFF;
    Ok((u32::from(width), u32::from(height)))
}
