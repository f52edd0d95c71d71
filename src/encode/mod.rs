//! Encoding stage: turns a finished raster into the bytes of an image file, and writes files.
//!
//! This stage owns the choice of codec and its settings for each [`ImageFormat`] and [`Speed`],
//! the compositing of transparent pixels onto white for JPEG, and the atomic file write. It takes
//! the pixels by shared borrow and must never modify, copy or premultiply them as a whole; at most
//! a codec makes its own working copy. It writes into the caller's `Vec<u8>` so that a caller who
//! saves many charts reuses one buffer, and it keeps no state between calls. It knows nothing of
//! Python: the binding layer releases the GIL around [`encode`] and [`write_atomic`].
//!
//! Lossless formats (PNG, WebP, BMP, TIFF) decode back to exactly the input pixels, including the
//! colour of fully transparent pixels. JPEG has no alpha channel, so RGBA input is composited onto
//! a white background first, as the original Python library did.

mod atomic_write;
mod bmp;
mod jpeg;
mod png;
mod tiff;
mod vp8l;
mod webp;

pub use atomic_write::write_atomic;

use crate::errors::{Error, Result};

/// An image file format that [`encode`] can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// Portable Network Graphics, lossless.
    Png,
    /// WebP, always written lossless.
    WebP,
    /// JPEG, lossy and without alpha.
    Jpeg,
    /// Windows bitmap, uncompressed.
    Bmp,
    /// TIFF with Deflate compression.
    Tiff,
}

impl ImageFormat {
    /// From a format name or file extension, case-insensitive: "png", "webp", "jpg"/"jpeg",
    /// "bmp", "tif"/"tiff". A leading dot is not accepted; `None` for anything else.
    pub fn from_name(name: &str) -> Option<ImageFormat> {
        match name.to_ascii_lowercase().as_str() {
            "png" => Some(ImageFormat::Png),
            "webp" => Some(ImageFormat::WebP),
            "jpg" | "jpeg" => Some(ImageFormat::Jpeg),
            "bmp" => Some(ImageFormat::Bmp),
            "tif" | "tiff" => Some(ImageFormat::Tiff),
            _ => None,
        }
    }

    /// The canonical lower-case name: "png", "webp", "jpeg", "bmp" or "tiff".
    pub fn name(&self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::WebP => "webp",
            ImageFormat::Jpeg => "jpeg",
            ImageFormat::Bmp => "bmp",
            ImageFormat::Tiff => "tiff",
        }
    }
}

/// How much time the encoder may spend to make the file smaller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speed {
    /// Fastest encoding, larger files.
    Fast,
    /// A middle ground, the default of the Python API.
    Balanced,
    /// Smallest files, slowest encoding.
    Best,
}

impl Speed {
    /// From "fast", "balanced" or "best" (case-insensitive); `None` for anything else.
    pub fn from_name(name: &str) -> Option<Speed> {
        match name.to_ascii_lowercase().as_str() {
            "fast" => Some(Speed::Fast),
            "balanced" => Some(Speed::Balanced),
            "best" => Some(Speed::Best),
            _ => None,
        }
    }
}

/// What to encode to, and how hard to try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodeOptions {
    /// The file format.
    pub format: ImageFormat,
    /// The time/size trade-off; ignored by JPEG and BMP.
    pub speed: Speed,
    /// 1..=100. For JPEG the image quality (default 95). For WebP, which is always lossless, the
    /// compression effort, overriding the one implied by `speed` (not used by [`Speed::Fast`]).
    /// Ignored by the other formats.
    pub quality: Option<u8>,
}

/// Borrowed straight (non-premultiplied) pixels, row-major, no padding. channels is 3 (RGB) or 4
/// (RGBA).
#[derive(Debug, Clone, Copy)]
pub struct Pixels<'a> {
    /// `width * height * channels` bytes, top row first.
    pub data: &'a [u8],
    /// Width in pixels, at least 1.
    pub width: u32,
    /// Height in pixels, at least 1.
    pub height: u32,
    /// 3 for RGB, 4 for RGBA.
    pub channels: u8,
}

/// Encodes into `out` (cleared first; the caller reuses the Vec across calls so encoders should
/// write into it rather than allocate a fresh one where the crate allows).
///
/// Fails with [`Error::InvalidValue`] when the pixel buffer does not match its dimensions, when
/// the image is too large for the format, or when `quality` is outside 1..=100, and with
/// [`Error::Encode`] when a codec fails. `out` holds no meaningful bytes after an error.
pub fn encode(pixels: Pixels<'_>, options: &EncodeOptions, out: &mut Vec<u8>) -> Result<()> {
    validate_pixels(&pixels)?;
    if let Some(quality) = options.quality {
        if !(1..=100).contains(&quality) {
            return Err(Error::invalid(format!(
                "quality must be between 1 and 100, got {quality}."
            )));
        }
    }

    out.clear();
    match options.format {
        ImageFormat::Png => png::encode_png(&pixels, options.speed, out),
        ImageFormat::WebP => webp::encode_webp(&pixels, options.speed, options.quality, out),
        ImageFormat::Jpeg => jpeg::encode_jpeg(&pixels, options.quality, out),
        ImageFormat::Bmp => bmp::encode_bmp(&pixels, out),
        ImageFormat::Tiff => tiff::encode_tiff(&pixels, options.speed, out),
    }
}

/// Checks what every format needs: 3 or 4 channels, a non-empty image, and a buffer whose length
/// matches the dimensions exactly (codecs index into it without further checks).
fn validate_pixels(pixels: &Pixels<'_>) -> Result<()> {
    if pixels.channels != 3 && pixels.channels != 4 {
        return Err(Error::invalid(format!(
            "channels must be 3 (RGB) or 4 (RGBA), got {}.",
            pixels.channels
        )));
    }
    if pixels.width == 0 || pixels.height == 0 {
        return Err(Error::invalid(format!(
            "The image must be at least 1x1 pixels, got width {} and height {}.",
            pixels.width, pixels.height
        )));
    }

    let expected = u64::from(pixels.width) * u64::from(pixels.height) * u64::from(pixels.channels);
    if pixels.data.len() as u64 != expected {
        return Err(Error::invalid(format!(
            "The pixel buffer has {} bytes but width {} x height {} x {} channels needs {expected}.",
            pixels.data.len(),
            pixels.width,
            pixels.height,
            pixels.channels
        )));
    }
    Ok(())
}

/// Rejects images wider or taller than `max` pixels, which `format` cannot store.
fn check_max_dimension(pixels: &Pixels<'_>, format: ImageFormat, max: u32) -> Result<()> {
    if pixels.width > max || pixels.height > max {
        return Err(Error::invalid(format!(
            "{} images can be at most {max}x{max} pixels, got width {} and height {}.",
            format.name(),
            pixels.width,
            pixels.height
        )));
    }
    Ok(())
}

/// Blends one colour channel of a straight-alpha pixel onto white, rounding to nearest.
///
/// Gives the same bytes as Pillow's `Image.new("RGB", size, "white").paste(rgba, mask=alpha)`,
/// which the original library used before saving JPEG: (51, alpha 64) becomes 204.
pub(crate) fn composite_on_white(channel: u8, alpha: u8) -> u8 {
    let channel = u32::from(channel);
    let alpha = u32::from(alpha);
    // 255 is odd, so an exact half never occurs and +127 rounds to nearest like Pillow's +128.
    ((channel * alpha + 255 * (255 - alpha) + 127) / 255) as u8
}

#[cfg(test)]
mod tests;
