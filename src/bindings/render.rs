//! `#[pyfunction]` wrappers for the renderers.

use std::time::Instant;

use numpy::ndarray::Array3;
use numpy::{IntoPyArray, PyArray3};
use pyo3::prelude::*;

use super::columns::{extract_column, ColumnHolder};
use super::run_released;
use crate::errors::{Error, Result};
use crate::input::Ohlcv;
use crate::layout::ChartSize;
use crate::raster::candles::{render_candles as draw_candles, BodyStyle, CandleOptions};
use crate::raster::{Canvas, Channels};
use crate::stats::{self, Engine, Event, Operation};
use crate::style::{Overrides, Palette, Rgba, THEMES};

pub(super) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(render_candles, module)?)?;
    module.add_function(wrap_pyfunction!(theme_names, module)?)?;
    module.add_function(wrap_pyfunction!(_raise_panic_for_tests, module)?)?;
    Ok(())
}

/// The five columns of a chart, borrowed for the length of one call.
pub(super) struct OhlcvHolders<'py> {
    columns: [ColumnHolder<'py>; 5],
}

impl<'py> OhlcvHolders<'py> {
    pub(super) fn extract(columns: [(&str, &Bound<'py, PyAny>); 5]) -> Result<Self> {
        let [open, high, low, close, volume] = columns;
        Ok(OhlcvHolders {
            columns: [
                extract_column(open.0, open.1)?,
                extract_column(high.0, high.1)?,
                extract_column(low.0, low.1)?,
                extract_column(close.0, close.1)?,
                extract_column(volume.0, volume.1)?,
            ],
        })
    }

    pub(super) fn view(&self) -> Result<Ohlcv<'_>> {
        let [open, high, low, close, volume] = &self.columns;
        Ohlcv::new(
            open.view(),
            high.view(),
            low.view(),
            close.view(),
            volume.view(),
        )
    }
}

/// Hands the canvas's pixels to numpy as an `(H, W, C)` uint8 array, without copying them.
pub(super) fn into_array(py: Python<'_>, canvas: Canvas) -> Result<Bound<'_, PyArray3<u8>>> {
    let shape = (
        canvas.height() as usize,
        canvas.width() as usize,
        canvas.channels() as usize,
    );
    let array = Array3::from_shape_vec(shape, canvas.into_pixels())
        .map_err(|error| Error::Engine(format!("Pixel buffer has the wrong size: {error}.")))?;
    Ok(array.into_pyarray(py))
}

/// The options of a candlestick (or hollow-candle) chart, checked: the size, and a wick width
/// ratio that is a non-negative number.
#[allow(clippy::too_many_arguments)]
pub(super) fn candle_options(
    width: i64,
    height: i64,
    theme: &str,
    overrides: Overrides,
    wick_width_ratio: f64,
    rgba: bool,
    show_grid: bool,
    batch: Option<bool>,
    hollow: bool,
) -> Result<CandleOptions> {
    let size = ChartSize::new(width, height)?;
    if !wick_width_ratio.is_finite() || wick_width_ratio < 0.0 {
        return Err(Error::invalid(format!(
            "wick_width_ratio must be a non-negative number, got {wick_width_ratio}."
        )));
    }
    Ok(CandleOptions {
        size,
        palette: Palette::resolve(theme, overrides, rgba),
        channels: if rgba { Channels::Rgba } else { Channels::Rgb },
        show_grid,
        wick_width_ratio,
        batch,
        body: if hollow {
            BodyStyle::HollowRising
        } else {
            BodyStyle::Filled
        },
    })
}

/// Renders a candlestick (or hollow-candle) chart and returns its pixels as a numpy array.
#[pyfunction]
#[pyo3(signature = (
    open, high, low, close, volume, *, width, height, theme, bg_color, up_color, down_color,
    wick_width_ratio, rgba, show_grid, batch, hollow
))]
#[allow(clippy::too_many_arguments)]
fn render_candles<'py>(
    py: Python<'py>,
    open: &Bound<'py, PyAny>,
    high: &Bound<'py, PyAny>,
    low: &Bound<'py, PyAny>,
    close: &Bound<'py, PyAny>,
    volume: &Bound<'py, PyAny>,
    width: i64,
    height: i64,
    theme: &str,
    bg_color: Option<Rgba>,
    up_color: Option<Rgba>,
    down_color: Option<Rgba>,
    wick_width_ratio: f64,
    rgba: bool,
    show_grid: bool,
    batch: Option<bool>,
    hollow: bool,
) -> PyResult<Bound<'py, PyArray3<u8>>> {
    let options = candle_options(
        width,
        height,
        theme,
        Overrides {
            background: bg_color,
            up: up_color,
            down: down_color,
        },
        wick_width_ratio,
        rgba,
        show_grid,
        batch,
        hollow,
    )?;
    let holders = OhlcvHolders::extract([
        ("open", open),
        ("high", high),
        ("low", low),
        ("close", close),
        ("volume", volume),
    ])?;
    let data = holders.view()?;

    let canvas = run_released(py, || {
        let started = Instant::now();
        let canvas = draw_candles(&data, &options);
        stats::record(Event {
            operation: Operation::Render,
            engine: Engine::Cpu,
            duration: started.elapsed(),
            items: data.len() as u64,
            bytes: canvas.pixels().len() as u64,
        });
        Ok(canvas)
    })?;
    Ok(into_array(py, canvas)?)
}

/// Names of the built-in themes.
#[pyfunction]
fn theme_names() -> Vec<&'static str> {
    THEMES.iter().map(|(name, _)| *name).collect()
}

/// Panics inside the native core, to prove that a panic reaches Python as an exception.
#[pyfunction]
fn _raise_panic_for_tests(py: Python<'_>) -> PyResult<()> {
    run_released(py, || -> Result<()> {
        panic!("deliberate panic for tests")
    })?;
    Ok(())
}
