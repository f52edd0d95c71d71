//! PNG through the pure-Rust `png` crate.

use ::png::{BitDepth, ColorType, Compression, Encoder, Filter};

use super::Pixels;
use super::Speed;
use crate::errors::{Error, Result};

/// Encodes 8-bit RGB or RGBA PNG into `out`, which must be empty.
pub(super) fn encode_png(pixels: &Pixels<'_>, speed: Speed, out: &mut Vec<u8>) -> Result<()> {
    let mut encoder = Encoder::new(&mut *out, pixels.width, pixels.height);
    encoder.set_color(if pixels.channels == 4 { ColorType::Rgba } else { ColorType::Rgb });
    encoder.set_depth(BitDepth::Eight);

    // `set_compression` also picks a filter, so the filter is set after it. Charts are large flat
    // areas crossed by thin lines: the Up filter turns every row of a flat area into zeros, which
    // fdeflate compresses very well at almost no cost; adaptive filtering (per row, the filter
    // with the smallest output) only pays off with zlib's slower, stronger levels.
    let (compression, filter) = match speed {
        Speed::Fast => (Compression::Fast, Filter::Up),
        Speed::Balanced => (Compression::Balanced, Filter::Adaptive),
        Speed::Best => (Compression::High, Filter::Adaptive),
    };
    encoder.set_compression(compression);
    encoder.set_filter(filter);

    let mut writer = encoder.write_header().map_err(png_error)?;
    writer.write_image_data(pixels.data).map_err(png_error)?;
    writer.finish().map_err(png_error)
}

fn png_error(error: ::png::EncodingError) -> Error {
    Error::Encode(format!("The PNG encoder failed: {error}."))
}
