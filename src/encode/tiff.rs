//! TIFF through the pure-Rust `tiff` crate: Deflate with the horizontal predictor.
//!
//! The predictor stores each sample as the difference from the one to its left, which turns the
//! flat areas of a chart into runs of zeros; Deflate then packs them tightly. Every TIFF reader
//! in common use (libtiff, and so Pillow) supports both.

use std::io::Cursor;

use ::tiff::encoder::{colortype, Compression, DeflateLevel, Predictor, TiffEncoder};
use ::tiff::tags::{ExtraSamples, Tag};
use ::tiff::TiffError;

use super::{Pixels, Speed};
use crate::errors::{Error, Result};

/// Encodes an 8-bit RGB or RGBA TIFF into `out`, which must be empty.
pub(super) fn encode_tiff(pixels: &Pixels<'_>, speed: Speed, out: &mut Vec<u8>) -> Result<()> {
    let level = match speed {
        Speed::Fast => DeflateLevel::Fast,
        Speed::Balanced => DeflateLevel::Balanced,
        Speed::Best => DeflateLevel::Best,
    };
    let mut encoder = TiffEncoder::new(Cursor::new(&mut *out))
        .map_err(tiff_error)?
        .with_compression(Compression::Deflate(level))
        .with_predictor(Predictor::Horizontal);

    if pixels.channels == 4 {
        let mut image = encoder
            .new_image::<colortype::RGBA8>(pixels.width, pixels.height)
            .map_err(tiff_error)?;
        // Without this tag the fourth sample has no stated meaning and readers may ignore it;
        // "unassociated" is straight (not premultiplied) alpha, which is what the pixels hold.
        image
            .encoder()
            .write_tag(
                Tag::ExtraSamples,
                &[ExtraSamples::UnassociatedAlpha.to_u16()][..],
            )
            .map_err(tiff_error)?;
        image.write_data(pixels.data).map_err(tiff_error)
    } else {
        encoder
            .write_image::<colortype::RGB8>(pixels.width, pixels.height, pixels.data)
            .map_err(tiff_error)
    }
}

fn tiff_error(error: TiffError) -> Error {
    Error::Encode(format!("The TIFF encoder failed: {error}."))
}
