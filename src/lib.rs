//! kimsfinance-rs: the native core behind the `kimsfinance` Python package.
//!
//! Data flows through the stages in this order, one module each:
//! [`input`] (borrowed column views) → [`layout`] (shared geometry) → [`raster`] (pixels) →
//! [`encode`] (image files), or from [`layout`] → [`svg`] (vector documents). [`transform`]
//! turns rows into Renko bricks and Point & Figure columns before layout; [`batch`] runs many
//! charts through raster and encode on the rayon pool. [`aggregate`] turns ticks into bars and
//! [`indicators`] computes moving averages, both from borrowed columns; [`gpu`] finds a CUDA
//! device at run time. [`style`] holds colours and themes, [`stats`] receives timing events,
//! [`errors`] is the one error type, and [`bindings`] is the only module that knows about
//! Python.

pub mod aggregate;
pub mod batch;
pub mod encode;
pub mod errors;
pub mod gpu;
pub mod indicators;
pub mod input;
pub mod layout;
pub mod raster;
pub mod stats;
pub mod style;
pub mod svg;
pub mod transform;

mod bindings;
#[cfg(test)]
mod test_support;

use pyo3::prelude::*;

/// The `kimsfinance._native` extension module.
#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    bindings::register(module)
}
