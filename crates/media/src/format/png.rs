//! PNG: the chunks are copied but for eXIf and the text chunks (tEXt, zTXt, iTXt), up to and
//! including IEND; anything after IEND is dropped. The size is IHDR's.

use super::{PNG_SIGNATURE, Refusal, Stripped, TRUNCATED, be_u32, end_of};

/// Chunks that carry metadata: Exif, and text (which cameras and editors fill with XMP).
const DROPPED: [&[u8; 4]; 4] = [b"eXIf", b"tEXt", b"zTXt", b"iTXt"];

pub(super) fn strip(input: &[u8]) -> Result<Stripped, Refusal> {
    let mut out = Vec::with_capacity(input.len());
    out.extend_from_slice(PNG_SIGNATURE);
    let mut at = PNG_SIGNATURE.len();
    let mut size = None;
    loop {
        let length = be_u32(input, at).ok_or(TRUNCATED)?;
        // Length, type, data, CRC.
        let end = end_of(at + 8, length).and_then(|end| end.checked_add(4)).ok_or(TRUNCATED)?;
        let chunk = input.get(at..end).ok_or("a chunk runs past the end of the file")?;
        let kind = &chunk[4..8];
        let data = &chunk[8..chunk.len() - 4];
        if size.is_none() {
            if kind != b"IHDR" {
                return Err("the first chunk is not IHDR");
            }
            size = Some((be_u32(data, 0).ok_or(TRUNCATED)?, be_u32(data, 4).ok_or(TRUNCATED)?));
        }
        if !DROPPED.iter().any(|dropped| kind == dropped.as_slice()) {
            out.extend_from_slice(chunk);
        }
        if kind == b"IEND" {
            let (width, height) = size.ok_or(TRUNCATED)?;
            return Ok(Stripped { bytes: out, width, height, orientation: 1, turned: false });
        }
        at = end;
    }
}
