//! The Python binding layer: converts arguments, releases the GIL, calls the pure core, and
//! wraps the result. No drawing or number crunching happens here.

mod aggregate;
mod batch;
mod charts;
mod columns;
mod encode;
mod gpu;
mod indicators;
mod render;
mod stats;
mod svg;

use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::prelude::*;

use crate::errors::{Error, Result};

/// Registers every native function and constant on the `kimsfinance._native` module.
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    render::register(module)?;
    batch::register(module)?;
    charts::register(module)?;
    encode::register(module)?;
    svg::register(module)?;
    stats::register(module)?;
    indicators::register(module)?;
    aggregate::register(module)?;
    gpu::register(module)?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

/// Runs `work` with the GIL released, turning a Rust panic into an [`Error::Engine`] so that
/// Python sees an ordinary exception instead of a `PanicException` (which `except Exception`
/// does not catch).
pub(crate) fn run_released<T, F>(py: Python<'_>, work: F) -> Result<T>
where
    T: Send,
    F: FnOnce() -> Result<T> + Send,
{
    py.detach(|| {
        catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|payload| {
            let message = payload
                .downcast_ref::<&str>()
                .map(|text| text.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(Error::Engine(format!(
                "Internal error in the native core: {message}"
            )))
        })
    })
}
