//! Windows bitmaps, written directly: the format is a fixed header followed by raw pixels.
//!
//! RGB becomes the classic 24-bit file (BITMAPINFOHEADER, BGR, rows padded to 4 bytes). RGBA
//! becomes a 32-bit file with a BITMAPV4HEADER whose bit masks name the alpha byte: the plain
//! 32-bit layout that Pillow writes for RGBA has no alpha mask, so readers, Pillow included,
//! drop the alpha channel. Rows are stored bottom-up, the orientation every reader supports.

use super::Pixels;
use crate::errors::{Error, Result};

const FILE_HEADER_LEN: u32 = 14;
const INFO_HEADER_LEN: u32 = 40;
const V4_HEADER_LEN: u32 = 108;

/// Uncompressed pixels.
const BI_RGB: u32 = 0;
/// Uncompressed pixels whose channels are given by the header's bit masks.
const BI_BITFIELDS: u32 = 3;
/// The colour space tag: the ASCII bytes of "sRGB" read as a big-endian number, 0x73524742.
const LCS_SRGB: u32 = u32::from_be_bytes(*b"sRGB");

/// 96 dots per inch, the resolution Pillow writes by default, in pixels per metre.
const PIXELS_PER_METRE: i32 = 3780;

/// Encodes a BMP file into `out`, which must be empty.
pub(super) fn encode_bmp(pixels: &Pixels<'_>, out: &mut Vec<u8>) -> Result<()> {
    let layout = Layout::new(pixels)?;
    out.reserve(layout.file_len as usize);

    write_file_header(out, &layout);
    write_info_header(out, pixels, &layout);

    let pixel_start = out.len();
    out.resize(layout.file_len as usize, 0);
    write_rows(&mut out[pixel_start..], pixels, &layout);
    Ok(())
}

/// Sizes and offsets of one file, all known before any byte is written.
struct Layout {
    header_len: u32,
    /// Stored bytes per row including the padding to a multiple of 4.
    row_stride: usize,
    image_len: u32,
    file_len: u32,
}

impl Layout {
    fn new(pixels: &Pixels<'_>) -> Result<Layout> {
        // Width and height are signed 32-bit fields; the file size is unsigned 32-bit.
        let too_large = || {
            Error::invalid(format!(
                "A {}x{} image with {} channels is too large for a BMP file (4 GiB at most).",
                pixels.width, pixels.height, pixels.channels
            ))
        };
        if i32::try_from(pixels.width).is_err() || i32::try_from(pixels.height).is_err() {
            return Err(too_large());
        }

        let header_len = FILE_HEADER_LEN
            + if pixels.channels == 4 {
                V4_HEADER_LEN
            } else {
                INFO_HEADER_LEN
            };
        let row_bytes = u64::from(pixels.width) * u64::from(pixels.channels);
        let row_stride = row_bytes.div_ceil(4) * 4;
        let image_len = row_stride * u64::from(pixels.height);
        let file_len = u64::from(header_len) + image_len;
        let file_len = u32::try_from(file_len).map_err(|_| too_large())?;

        Ok(Layout {
            header_len,
            row_stride: row_stride as usize,
            // Both fit: image_len < file_len, which fits in u32.
            image_len: image_len as u32,
            file_len,
        })
    }
}

fn write_file_header(out: &mut Vec<u8>, layout: &Layout) {
    out.extend_from_slice(b"BM");
    out.extend_from_slice(&layout.file_len.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // two reserved 16-bit fields
    out.extend_from_slice(&layout.header_len.to_le_bytes()); // where the pixels start
}

fn write_info_header(out: &mut Vec<u8>, pixels: &Pixels<'_>, layout: &Layout) {
    let with_alpha = pixels.channels == 4;
    let header_len = if with_alpha {
        V4_HEADER_LEN
    } else {
        INFO_HEADER_LEN
    };

    out.extend_from_slice(&header_len.to_le_bytes());
    // Layout::new checked that both fit in i32; a positive height means bottom-up rows.
    out.extend_from_slice(&(pixels.width as i32).to_le_bytes());
    out.extend_from_slice(&(pixels.height as i32).to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // colour planes, always 1
    out.extend_from_slice(&(u16::from(pixels.channels) * 8).to_le_bytes());
    out.extend_from_slice(&(if with_alpha { BI_BITFIELDS } else { BI_RGB }).to_le_bytes());
    out.extend_from_slice(&layout.image_len.to_le_bytes());
    out.extend_from_slice(&PIXELS_PER_METRE.to_le_bytes());
    out.extend_from_slice(&PIXELS_PER_METRE.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes()); // palette size: none
    out.extend_from_slice(&0u32.to_le_bytes()); // important colours: all

    if with_alpha {
        // Masks of the little-endian 32-bit pixel whose bytes are B, G, R, A.
        for mask in [0x00ff_0000u32, 0x0000_ff00, 0x0000_00ff, 0xff00_0000] {
            out.extend_from_slice(&mask.to_le_bytes());
        }
        out.extend_from_slice(&LCS_SRGB.to_le_bytes());
        // The colour space end points (9 values) and gammas (3 values) are unused for sRGB.
        out.extend_from_slice(&[0; 48]);
    }
}

/// Writes the pixels bottom-up as BGR or BGRA into `image`, which is zeroed and exactly
/// `row_stride * height` bytes, so padding needs no writing.
fn write_rows(image: &mut [u8], pixels: &Pixels<'_>, layout: &Layout) {
    let channels = usize::from(pixels.channels);
    let row_bytes = pixels.width as usize * channels;
    let source_rows = pixels.data.chunks_exact(row_bytes).rev();
    let stored_rows = image.chunks_exact_mut(layout.row_stride);

    for (source, stored) in source_rows.zip(stored_rows) {
        for (from, to) in source
            .chunks_exact(channels)
            .zip(stored.chunks_exact_mut(channels))
        {
            to[0] = from[2];
            to[1] = from[1];
            to[2] = from[0];
            if channels == 4 {
                to[3] = from[3];
            }
        }
    }
}
