//! Lossless WebP: our own palette writer (or the pure-Rust `image-webp` encoder) when speed
//! matters, libwebp when size does.
//!
//! [`Speed::Fast`] writes images of at most 256 colours, which charts nearly always are, with
//! [`super::vp8l`], and any other image with `image-webp`, which has a single, fast setting.
//! [`Speed::Balanced`] and [`Speed::Best`] go through libwebp (C code compiled into the extension
//! by `libwebp-sys`), whose lossless encoder searches much harder for a small file, as Pillow
//! does for the original library.

use std::ffi::{c_int, c_void};

use image_webp::{ColorType, WebPEncoder};
use libwebp_sys::{
    WebPConfig, WebPEncode, WebPPicture, WebPPictureFree, WebPPictureImportRGB,
    WebPPictureImportRGBA, WebPValidateConfig,
};

use super::{check_max_dimension, ImageFormat, Pixels, Speed};
use crate::errors::{Error, Result};

/// The largest width or height libwebp accepts (the format stores 14 bits, but libwebp keeps one
/// value back); `image-webp` would take one more, but the limit must not depend on the speed.
const MAX_DIMENSION: u32 = 16383;

/// Encodes lossless WebP into `out`, which must be empty.
///
/// `quality` (1..=100) is libwebp's lossless effort and overrides the one implied by `speed`;
/// [`Speed::Fast`] has no effort setting and ignores it.
pub(super) fn encode_webp(
    pixels: &Pixels<'_>,
    speed: Speed,
    quality: Option<u8>,
    out: &mut Vec<u8>,
) -> Result<()> {
    check_max_dimension(pixels, ImageFormat::WebP, MAX_DIMENSION)?;
    match speed {
        // Measured with `cargo bench --bench render -- webp_fast`: 2.5 ms against 6.3 ms for
        // `image-webp` on a 1,000-candle 1920x1080 chart, 90 us against 180 us at 300x200, and
        // files about half the size.
        Speed::Fast if super::vp8l::encode_paletted(pixels, out) => Ok(()),
        // TODO: images of more than 256 colours (antialiased charts, photos) still go to
        // `image-webp`, two to three times slower than our writer on charts. Teaching `vp8l.rs`
        // to write plain ARGB literals with a colour cache would make them fast too.
        Speed::Fast => encode_with_image_webp(pixels, out),
        // Measured on 800x600 to 1920x1080 charts: method 4 with effort 75, libwebp's own lossless
        // default, takes 10-60 ms and makes files about half the size of `image-webp`'s. Only
        // method 6 with effort 100 (the original's "best") searches much further: 0.5-2 s for
        // files up to 12% smaller again.
        Speed::Balanced => encode_with_libwebp(pixels, 4, quality.unwrap_or(75), out),
        Speed::Best => encode_with_libwebp(pixels, 6, quality.unwrap_or(100), out),
    }?;

    if pixels.channels == 4 {
        mark_alpha_used(out);
    }
    Ok(())
}

fn encode_with_image_webp(pixels: &Pixels<'_>, out: &mut Vec<u8>) -> Result<()> {
    let color = if pixels.channels == 4 {
        ColorType::Rgba8
    } else {
        ColorType::Rgb8
    };
    WebPEncoder::new(&mut *out)
        .encode(pixels.data, pixels.width, pixels.height, color)
        .map_err(|error| Error::Encode(format!("The WebP encoder failed: {error}.")))
}

/// Frees libwebp's copy of the pixels however the encoding ends.
struct PictureGuard(WebPPicture);

impl Drop for PictureGuard {
    fn drop(&mut self) {
        // SAFETY: the picture was initialised by `WebPPicture::new`; freeing an initialised
        // picture that owns nothing is a no-op, and it is never used again.
        unsafe { WebPPictureFree(&mut self.0) }
    }
}

fn encode_with_libwebp(
    pixels: &Pixels<'_>,
    method: c_int,
    effort: u8,
    out: &mut Vec<u8>,
) -> Result<()> {
    let config = lossless_config(method, effort)?;

    let picture = WebPPicture::new().map_err(|()| {
        Error::Encode("libwebp could not initialise a picture (library version mismatch).".into())
    })?;
    let mut picture = PictureGuard(picture);
    // The lossless encoder works on ARGB words; asking for them up front avoids a YUV detour.
    picture.0.use_argb = 1;
    // No overflow: width and height are at most MAX_DIMENSION, so even a 4-byte-per-pixel row
    // stride fits in a c_int.
    picture.0.width = pixels.width as c_int;
    picture.0.height = pixels.height as c_int;
    let stride = (pixels.width * u32::from(pixels.channels)) as c_int;

    // SAFETY: `data` holds exactly height rows of `stride` bytes (checked by `encode`), and the
    // import only reads it, copying into memory owned by the picture.
    let imported = unsafe {
        if pixels.channels == 4 {
            WebPPictureImportRGBA(&mut picture.0, pixels.data.as_ptr(), stride)
        } else {
            WebPPictureImportRGB(&mut picture.0, pixels.data.as_ptr(), stride)
        }
    };
    if imported == 0 {
        return Err(Error::Encode(format!(
            "libwebp could not allocate a {}x{} picture.",
            pixels.width, pixels.height
        )));
    }

    picture.0.writer = Some(append_to_vec);
    picture.0.custom_ptr = (out as *mut Vec<u8>).cast::<c_void>();
    // SAFETY: config and picture are initialised and valid; `custom_ptr` points to `out`, which
    // outlives this call and is not touched by anything else until it returns.
    let encoded = unsafe { WebPEncode(&config, &mut picture.0) };
    if encoded == 0 {
        return Err(Error::Encode(format!(
            "libwebp could not encode the image: {:?}.",
            picture.0.error_code
        )));
    }
    Ok(())
}

fn lossless_config(method: c_int, effort: u8) -> Result<WebPConfig> {
    let mut config = WebPConfig::new().map_err(|()| {
        Error::Encode(
            "libwebp could not initialise its settings (library version mismatch).".into(),
        )
    })?;
    config.lossless = 1;
    config.method = method;
    config.quality = f32::from(effort);
    // Without this libwebp rewrites the colour of fully transparent pixels to compress better,
    // and the file would no longer decode to the caller's pixels.
    config.exact = 1;

    // SAFETY: `config` is a fully initialised WebPConfig.
    if unsafe { WebPValidateConfig(&config) } == 0 {
        return Err(Error::Encode(format!(
            "libwebp rejected lossless method {method} with effort {effort}."
        )));
    }
    Ok(config)
}

/// libwebp's output callback: appends each piece of the file to the caller's `Vec<u8>`, so the
/// file is never assembled in a second buffer.
///
/// Returns 0, which makes libwebp stop with a write error, when the memory cannot be reserved;
/// it must never panic, since a panic cannot cross back into C.
unsafe extern "C" fn append_to_vec(
    data: *const u8,
    data_size: usize,
    picture: *const WebPPicture,
) -> c_int {
    if data_size == 0 {
        return 1;
    }
    // SAFETY: libwebp passes the picture given to WebPEncode, whose `custom_ptr` is the
    // exclusive `&mut Vec<u8>` set by `encode_with_libwebp`, and `data_size` readable bytes.
    let (out, bytes) = unsafe {
        let out = &mut *(*picture).custom_ptr.cast::<Vec<u8>>();
        (out, std::slice::from_raw_parts(data, data_size))
    };
    if out.try_reserve(bytes.len()).is_err() {
        return 0;
    }
    out.extend_from_slice(bytes);
    1
}

/// Sets the "alpha is used" bit of a simple lossless WebP file.
///
/// libwebp clears that bit when every pixel happens to be opaque, and decoders such as Pillow
/// then return an RGB image. Charts are usually opaque, so RGBA in would often come back as RGB,
/// unlike with `image-webp`, which always sets the bit for RGBA. The bit is only a hint in the
/// format, so setting it changes no pixel. Files in another layout are left as they are.
fn mark_alpha_used(file: &mut [u8]) {
    // RIFF header (12 bytes), "VP8L" chunk header (8 bytes), then the 0x2f signature byte and a
    // little-endian 32-bit field: 14 bits width - 1, 14 bits height - 1, then the alpha bit.
    const ALPHA_BYTE: usize = 20 + 1 + 3;
    const ALPHA_BIT: u8 = 1 << 4;
    if file.len() > ALPHA_BYTE && &file[12..16] == b"VP8L" && file[20] == 0x2f {
        file[ALPHA_BYTE] |= ALPHA_BIT;
    }
}
