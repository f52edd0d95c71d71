//! `#[pyfunction]` wrappers for the encoders and the atomic file writer.

use std::path::PathBuf;
use std::time::Instant;

use numpy::{PyReadonlyArray3, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use super::run_released;
use crate::encode::{encode, write_atomic, EncodeOptions, ImageFormat, Pixels, Speed};
use crate::errors::{Error, Result};
use crate::stats::{self, Engine, Event, Operation};

pub(super) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(encode_image, module)?)?;
    module.add_function(wrap_pyfunction!(save_image, module)?)?;
    module.add_function(wrap_pyfunction!(write_file_atomic, module)?)?;
    Ok(())
}

fn options(format: &str, speed: &str, quality: Option<u8>) -> Result<EncodeOptions> {
    let format = ImageFormat::from_name(format).ok_or_else(|| {
        Error::invalid(format!(
            "format must be one of png, webp, jpeg, bmp, tiff, got {format:?}."
        ))
    })?;
    let speed = Speed::from_name(speed).ok_or_else(|| {
        Error::invalid(format!(
            "speed must be one of fast, balanced, best, got {speed:?}."
        ))
    })?;
    Ok(EncodeOptions {
        format,
        speed,
        quality,
    })
}

/// Checks that `array` is a C-contiguous `(H, W, 3|4)` image and returns it as [`Pixels`].
fn pixels<'a>(array: &'a PyReadonlyArray3<'_, u8>) -> Result<Pixels<'a>> {
    let shape = array.shape();
    let data = array.as_slice().map_err(|_| {
        Error::invalid("pixels must be a C-contiguous (height, width, channels) uint8 array.")
    })?;
    let (height, width, channels) = (shape[0], shape[1], shape[2]);
    if channels != 3 && channels != 4 {
        return Err(Error::invalid(format!(
            "pixels must have 3 (RGB) or 4 (RGBA) channels, got {channels}."
        )));
    }
    let side = |value: usize, name: &str| {
        u32::try_from(value)
            .map_err(|_| Error::invalid(format!("pixels are too {name}: {value} rows or columns.")))
    };
    Ok(Pixels {
        data,
        width: side(width, "wide")?,
        height: side(height, "tall")?,
        channels: channels as u8,
    })
}

/// Encodes and reports the event to the stats interface.
fn encode_timed(pixels: Pixels<'_>, options: &EncodeOptions, out: &mut Vec<u8>) -> Result<()> {
    let started = Instant::now();
    encode(pixels, options, out)?;
    stats::record(Event {
        operation: Operation::Encode,
        engine: Engine::Cpu,
        duration: started.elapsed(),
        items: u64::from(pixels.width) * u64::from(pixels.height),
        bytes: out.len() as u64,
    });
    Ok(())
}

/// Encodes an `(H, W, 3|4)` uint8 array and returns the file's bytes.
#[pyfunction]
#[pyo3(signature = (pixels, format, speed = "balanced", quality = None))]
fn encode_image<'py>(
    py: Python<'py>,
    pixels: PyReadonlyArray3<'py, u8>,
    format: &str,
    speed: &str,
    quality: Option<u8>,
) -> PyResult<Bound<'py, PyBytes>> {
    let options = options(format, speed, quality)?;
    let image = self::pixels(&pixels)?;
    let bytes = run_released(py, || {
        let mut out = Vec::new();
        encode_timed(image, &options, &mut out)?;
        Ok(out)
    })?;
    Ok(PyBytes::new(py, &bytes))
}

/// Encodes an `(H, W, 3|4)` uint8 array and writes it to `path` atomically.
#[pyfunction]
#[pyo3(signature = (pixels, path, format, speed = "balanced", quality = None))]
fn save_image(
    py: Python<'_>,
    pixels: PyReadonlyArray3<'_, u8>,
    path: PathBuf,
    format: &str,
    speed: &str,
    quality: Option<u8>,
) -> PyResult<()> {
    let options = options(format, speed, quality)?;
    let image = self::pixels(&pixels)?;
    run_released(py, || {
        let mut out = Vec::new();
        encode_timed(image, &options, &mut out)?;
        write_atomic(&path, &out)
    })?;
    Ok(())
}

/// Writes `data` to `path` atomically (temporary file in the same folder, then rename).
#[pyfunction]
fn write_file_atomic(py: Python<'_>, path: PathBuf, data: &[u8]) -> PyResult<()> {
    run_released(py, || write_atomic(&path, data))?;
    Ok(())
}
