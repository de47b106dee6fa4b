//! HEIC (ISO-BMFF / HEIF): the `meta` box is read — `iinf` for the items, `iloc` for where
//! their bytes are, `iprp` for the primary item's size (`ispe`) and rotation (`irot`) — and
//! the bytes of every `Exif` item and XMP item (`mime`, `application/rdf+xml`) are
//! overwritten with zeros where they lie. Nothing moves, so every offset in the file stays
//! valid; the zeroed item reads as an empty, broken Exif block, which readers skip.

use std::ops::Range;

use super::{Refusal, Stripped, TRUNCATED, be_u16, be_u32, be_u64, end_of};

/// A box: its type and where its contents (after the header) lie in the file.
struct Bmff {
    kind: [u8; 4],
    body: Range<usize>,
}

/// The boxes inside `range` of `input`, in order.
fn boxes(input: &[u8], range: Range<usize>) -> Result<Vec<Bmff>, Refusal> {
    let mut found = Vec::new();
    let mut at = range.start;
    while at < range.end {
        let size = be_u32(input, at).ok_or(TRUNCATED)?;
        let kind: [u8; 4] = input.get(at + 4..at + 8).ok_or(TRUNCATED)?.try_into().map_err(|_| TRUNCATED)?;
        let (header, end) = match size {
            0 => (8, range.end), // to the end of the enclosing box
            1 => (16, end_of(at, be_u64(input, at + 8).ok_or(TRUNCATED)?).ok_or(TRUNCATED)?),
            size => (8, end_of(at, size).ok_or(TRUNCATED)?),
        };
        if end > range.end || end < at + header {
            return Err("a box runs past its container");
        }
        found.push(Bmff { kind, body: at + header..end });
        at = end;
    }
    Ok(found)
}

/// The item information of `iinf`: item id, item type, and the content type of `mime` items.
struct Item {
    id: u32,
    kind: [u8; 4],
    content_type: Vec<u8>,
}

/// Where an item's bytes are, by `iloc`.
struct Location {
    id: u32,
    construction_method: u32,
    base_offset: u64,
    extents: Vec<(u64, u64)>,
}

pub(super) fn strip(input: &[u8]) -> Result<Stripped, Refusal> {
    let top = boxes(input, 0..input.len())?;
    let meta = top.iter().find(|b| &b.kind == b"meta").ok_or("no meta box")?;
    // `meta` is a full box: version and flags come first.
    let children = boxes(input, meta.body.start + 4..meta.body.end)?;
    let child = |kind: &[u8; 4]| children.iter().find(|b| &b.kind == kind);

    let items = match child(b"iinf") {
        Some(iinf) => item_infos(input, &iinf.body)?,
        None => Vec::new(),
    };
    let locations = match child(b"iloc") {
        Some(iloc) => item_locations(input, &iloc.body)?,
        None => Vec::new(),
    };
    let idat_start = child(b"idat").map(|idat| idat.body.start);

    let mut out = input.to_vec();
    for item in items.iter().filter(|item| is_metadata(item)) {
        let Some(location) = locations.iter().find(|location| location.id == item.id) else { continue };
        let base = match location.construction_method {
            0 => location.base_offset,
            1 => {
                let idat = idat_start.ok_or("an item in idat without an idat box")?;
                location.base_offset.checked_add(idat as u64).ok_or(TRUNCATED)?
            }
            _ => return Err("a metadata item built from other items"),
        };
        for &(offset, length) in &location.extents {
            if length == 0 {
                return Err("a metadata item of unstated length");
            }
            let start =
                base.checked_add(offset).and_then(|start| usize::try_from(start).ok()).ok_or(TRUNCATED)?;
            let end = end_of(start, length).ok_or(TRUNCATED)?;
            out.get_mut(start..end).ok_or("a metadata item lies past the end of the file")?.fill(0);
        }
    }

    let primary = match child(b"pitm") {
        Some(pitm) => primary_item(input, &pitm.body)?,
        None => None,
    };
    let (width, height, turned) = match child(b"iprp") {
        Some(iprp) => primary_size(input, &iprp.body, primary)?,
        None => return Err("no item properties (iprp)"),
    };
    Ok(Stripped { bytes: out, width, height, orientation: 1, turned })
}

/// Exif, and XMP, which HEIF carries as a `mime` item of type `application/rdf+xml`.
fn is_metadata(item: &Item) -> bool {
    &item.kind == b"Exif" || (&item.kind == b"mime" && item.content_type.starts_with(b"application/rdf+xml"))
}

fn item_infos(input: &[u8], body: &Range<usize>) -> Result<Vec<Item>, Refusal> {
    let version = *input.get(body.start).ok_or(TRUNCATED)?;
    let entries_at = body.start + 4 + if version == 0 { 2 } else { 4 };
    let mut items = Vec::new();
    for infe in boxes(input, entries_at..body.end)?.iter().filter(|b| &b.kind == b"infe") {
        let data = &input[infe.body.clone()];
        let version = *data.first().ok_or(TRUNCATED)?;
        // Versions 0 and 1 predate item types; they name no Exif item.
        if version < 2 {
            continue;
        }
        let (id, rest) = if version == 2 {
            (u32::from(be_u16(data, 4).ok_or(TRUNCATED)?), 6)
        } else {
            (be_u32(data, 4).ok_or(TRUNCATED)?, 8)
        };
        // Then the protection index (2 bytes), the type, the name and, for `mime`, the type.
        let kind: [u8; 4] =
            data.get(rest + 2..rest + 6).ok_or(TRUNCATED)?.try_into().map_err(|_| TRUNCATED)?;
        let strings = data.get(rest + 6..).unwrap_or_default();
        let content_type = strings.split(|byte| *byte == 0).nth(1).unwrap_or_default().to_vec();
        items.push(Item { id, kind, content_type });
    }
    Ok(items)
}

fn item_locations(input: &[u8], body: &Range<usize>) -> Result<Vec<Location>, Refusal> {
    let data = &input[body.clone()];
    let version = *data.first().ok_or(TRUNCATED)?;
    if version > 2 {
        return Err("an iloc box of an unknown version");
    }
    let sizes = be_u16(data, 4).ok_or(TRUNCATED)?;
    let offset_size = usize::from(sizes >> 12);
    let length_size = usize::from((sizes >> 8) & 0xF);
    let base_offset_size = usize::from((sizes >> 4) & 0xF);
    let index_size = if version == 0 { 0 } else { usize::from(sizes & 0xF) };
    let mut at = 6;
    let read_u32 = |at: &mut usize, wide: bool| -> Result<u32, Refusal> {
        let value = if wide { be_u32(data, *at) } else { be_u16(data, *at).map(u32::from) };
        *at += if wide { 4 } else { 2 };
        value.ok_or(TRUNCATED)
    };
    let read_sized = |at: &mut usize, size: usize| -> Result<u64, Refusal> {
        let value = match size {
            0 => Some(0),
            4 => be_u32(data, *at).map(u64::from),
            8 => be_u64(data, *at),
            _ => return Err("an iloc field of an unknown width"),
        };
        *at += size;
        value.ok_or(TRUNCATED)
    };
    let count = read_u32(&mut at, version == 2)?;
    let mut locations = Vec::new();
    for _ in 0..count {
        let id = read_u32(&mut at, version == 2)?;
        let construction_method = if version == 0 { 0 } else { read_u32(&mut at, false)? & 0xF };
        at += 2; // data reference index: 0, this file
        let base_offset = read_sized(&mut at, base_offset_size)?;
        let extent_count = read_u32(&mut at, false)?;
        let mut extents = Vec::new();
        for _ in 0..extent_count {
            if index_size > 0 {
                read_sized(&mut at, index_size)?;
            }
            let offset = read_sized(&mut at, offset_size)?;
            let length = read_sized(&mut at, length_size)?;
            extents.push((offset, length));
        }
        locations.push(Location { id, construction_method, base_offset, extents });
    }
    Ok(locations)
}

fn primary_item(input: &[u8], body: &Range<usize>) -> Result<Option<u32>, Refusal> {
    let data = &input[body.clone()];
    Ok(Some(match *data.first().ok_or(TRUNCATED)? {
        0 => u32::from(be_u16(data, 4).ok_or(TRUNCATED)?),
        _ => be_u32(data, 4).ok_or(TRUNCATED)?,
    }))
}

/// The primary item's `ispe` (width, height) and whether its `irot` turns it a quarter; the
/// first `ispe` when no primary item or association is given.
fn primary_size(
    input: &[u8],
    body: &Range<usize>,
    primary: Option<u32>,
) -> Result<(u32, u32, bool), Refusal> {
    let children = boxes(input, body.clone())?;
    let ipco = children.iter().find(|b| &b.kind == b"ipco").ok_or("no item properties (ipco)")?;
    let properties = boxes(input, ipco.body.clone())?;
    let ispe = |property: &Bmff| -> Result<(u32, u32), Refusal> {
        let data = &input[property.body.clone()];
        Ok((be_u32(data, 4).ok_or(TRUNCATED)?, be_u32(data, 8).ok_or(TRUNCATED)?))
    };
    let associated = match (primary, children.iter().find(|b| &b.kind == b"ipma")) {
        (Some(primary), Some(ipma)) => associations(input, &ipma.body, primary)?,
        _ => Vec::new(),
    };
    let mut size = None;
    let mut turned = false;
    // Property indices are 1-based; 0 means none.
    for property in
        associated.iter().filter_map(|index| index.checked_sub(1)).filter_map(|i| properties.get(i))
    {
        match &property.kind {
            b"ispe" => size = Some(ispe(property)?),
            b"irot" => {
                // Quarter turns anticlockwise; one or three swap the sides.
                turned = input.get(property.body.start).is_some_and(|angle| angle & 1 == 1);
            }
            _ => {}
        }
    }
    let (width, height) = match size {
        Some(size) => size,
        None => ispe(properties.iter().find(|b| &b.kind == b"ispe").ok_or("no image size (ispe)")?)?,
    };
    Ok((width, height, turned))
}

/// The property indices `ipma` associates with the item.
fn associations(input: &[u8], body: &Range<usize>, item: u32) -> Result<Vec<usize>, Refusal> {
    let data = &input[body.clone()];
    let version = *data.first().ok_or(TRUNCATED)?;
    let wide_index = data.get(3).ok_or(TRUNCATED)? & 1 == 1;
    let count = be_u32(data, 4).ok_or(TRUNCATED)?;
    let mut at = 8;
    for _ in 0..count {
        let id = if version < 1 {
            let id = be_u16(data, at).map(u32::from);
            at += 2;
            id
        } else {
            let id = be_u32(data, at);
            at += 4;
            id
        }
        .ok_or(TRUNCATED)?;
        let associations = usize::from(*data.get(at).ok_or(TRUNCATED)?);
        at += 1;
        let mut indices = Vec::with_capacity(associations);
        for _ in 0..associations {
            // The top bit says whether the property is essential; the rest is the index.
            if wide_index {
                indices.push(usize::from(be_u16(data, at).ok_or(TRUNCATED)? & 0x7FFF));
                at += 2;
            } else {
                indices.push(usize::from(data.get(at).ok_or(TRUNCATED)? & 0x7F));
                at += 1;
            }
        }
        if id == item {
            return Ok(indices);
        }
    }
    Ok(Vec::new())
}
