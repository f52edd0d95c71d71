//! `#[pyfunction]` wrappers for the OHLC bar, line, Renko and Point & Figure charts and for the
//! Renko and Point & Figure transforms.
//!
//! Each wrapper borrows the columns, resolves the colours, releases the GIL for the work, and
//! hands back a numpy array (charts) or plain Python lists and dicts (transforms).

use std::time::Instant;

use numpy::PyArray3;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::columns::{extract_column, ColumnHolder};
use super::render::{into_array, OhlcvHolders};
use super::run_released;
use crate::errors::Result;
use crate::layout::ChartSize;
use crate::raster::frame::ChartFrame;
use crate::raster::line::{check_line_width, render_line, LineOptions, LineSeries};
use crate::raster::ohlc_bars::render_ohlc_bars as draw_ohlc_bars;
use crate::raster::pnf::{render_pnf, PnfOptions};
use crate::raster::renko::{render_renko, RenkoOptions};
use crate::raster::{Canvas, Channels};
use crate::stats::{self, Engine, Event, Operation};
use crate::style::{Overrides, Palette, Rgba};
use crate::transform::pnf::pnf_columns as build_pnf_columns;
use crate::transform::renko::renko_bricks as build_renko_bricks;
use crate::transform::PriceRows;

pub(super) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(render_ohlc_bars, module)?)?;
    module.add_function(wrap_pyfunction!(render_line_chart, module)?)?;
    module.add_function(wrap_pyfunction!(render_renko_chart, module)?)?;
    module.add_function(wrap_pyfunction!(render_pnf_chart, module)?)?;
    module.add_function(wrap_pyfunction!(renko_bricks, module)?)?;
    module.add_function(wrap_pyfunction!(pnf_columns, module)?)?;
    Ok(())
}

/// The frame of a chart from the arguments every renderer takes.
pub(super) fn chart_frame(
    width: i64,
    height: i64,
    theme: &str,
    overrides: Overrides,
    rgba: bool,
    show_grid: bool,
) -> Result<ChartFrame> {
    Ok(ChartFrame {
        size: ChartSize::new(width, height)?,
        palette: Palette::resolve(theme, overrides, rgba),
        channels: if rgba { Channels::Rgba } else { Channels::Rgb },
        show_grid,
    })
}

/// The options of a line chart, with the line width checked.
pub(super) fn line_options(
    frame: ChartFrame,
    line_width: f64,
    fill_area: bool,
    antialias: bool,
) -> Result<LineOptions> {
    Ok(LineOptions {
        frame,
        line_width: check_line_width(line_width)?,
        fill_area,
        antialias,
    })
}

/// Runs `draw` without the GIL, reports it to the statistics, and hands the pixels to numpy.
fn render_released<'py>(
    py: Python<'py>,
    items: usize,
    draw: impl FnOnce() -> Result<Canvas> + Send,
) -> PyResult<Bound<'py, PyArray3<u8>>> {
    let canvas = run_released(py, || {
        let started = Instant::now();
        let canvas = draw()?;
        stats::record(Event {
            operation: Operation::Render,
            engine: Engine::Cpu,
            duration: started.elapsed(),
            items: items as u64,
            bytes: canvas.pixels().len() as u64,
        });
        Ok(canvas)
    })?;
    Ok(into_array(py, canvas)?)
}

/// The high, low and close columns of a Renko or Point & Figure call, borrowed for its length.
struct PriceHolders<'py> {
    high: ColumnHolder<'py>,
    low: ColumnHolder<'py>,
    close: ColumnHolder<'py>,
}

impl<'py> PriceHolders<'py> {
    fn extract(
        high: &Bound<'py, PyAny>,
        low: &Bound<'py, PyAny>,
        close: &Bound<'py, PyAny>,
    ) -> Result<Self> {
        Ok(PriceHolders {
            high: extract_column("high", high)?,
            low: extract_column("low", low)?,
            close: extract_column("close", close)?,
        })
    }
}

/// Renders an OHLC bar chart and returns its pixels as a numpy array.
#[pyfunction]
#[pyo3(signature = (
    open, high, low, close, volume, *, width, height, theme, bg_color, up_color, down_color,
    rgba, show_grid
))]
#[allow(clippy::too_many_arguments)]
fn render_ohlc_bars<'py>(
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
    rgba: bool,
    show_grid: bool,
) -> PyResult<Bound<'py, PyArray3<u8>>> {
    let overrides = Overrides {
        background: bg_color,
        up: up_color,
        down: down_color,
    };
    let frame = chart_frame(width, height, theme, overrides, rgba, show_grid)?;
    let holders = OhlcvHolders::extract([
        ("open", open),
        ("high", high),
        ("low", low),
        ("close", close),
        ("volume", volume),
    ])?;
    let data = holders.view()?;
    render_released(py, data.len(), || Ok(draw_ohlc_bars(&data, &frame)))
}

/// Renders a line chart of the closing prices and returns its pixels as a numpy array.
#[pyfunction]
#[pyo3(signature = (
    high, low, close, volume, *, width, height, theme, bg_color, line_color, line_width,
    fill_area, rgba, show_grid, antialias
))]
#[allow(clippy::too_many_arguments)]
fn render_line_chart<'py>(
    py: Python<'py>,
    high: &Bound<'py, PyAny>,
    low: &Bound<'py, PyAny>,
    close: &Bound<'py, PyAny>,
    volume: &Bound<'py, PyAny>,
    width: i64,
    height: i64,
    theme: &str,
    bg_color: Option<Rgba>,
    line_color: Option<Rgba>,
    line_width: f64,
    fill_area: bool,
    rgba: bool,
    show_grid: bool,
    antialias: bool,
) -> PyResult<Bound<'py, PyArray3<u8>>> {
    let overrides = Overrides {
        background: bg_color,
        up: line_color,
        down: None,
    };
    let frame = chart_frame(width, height, theme, overrides, rgba, show_grid)?;
    let options = line_options(frame, line_width, fill_area, antialias)?;
    let holders = [
        extract_column("high", high)?,
        extract_column("low", low)?,
        extract_column("close", close)?,
        extract_column("volume", volume)?,
    ];
    let [high, low, close, volume] = &holders;
    let series = LineSeries::new(high.view(), low.view(), close.view(), volume.view())?;
    render_released(py, series.len(), || Ok(render_line(&series, &options)))
}

/// Renders a Renko chart and returns its pixels as a numpy array.
#[pyfunction]
#[pyo3(signature = (
    high, low, close, *, width, height, theme, bg_color, up_color, down_color, box_size,
    reversal_boxes, rgba, show_grid
))]
#[allow(clippy::too_many_arguments)]
fn render_renko_chart<'py>(
    py: Python<'py>,
    high: &Bound<'py, PyAny>,
    low: &Bound<'py, PyAny>,
    close: &Bound<'py, PyAny>,
    width: i64,
    height: i64,
    theme: &str,
    bg_color: Option<Rgba>,
    up_color: Option<Rgba>,
    down_color: Option<Rgba>,
    box_size: Option<f64>,
    reversal_boxes: i64,
    rgba: bool,
    show_grid: bool,
) -> PyResult<Bound<'py, PyArray3<u8>>> {
    let overrides = Overrides {
        background: bg_color,
        up: up_color,
        down: down_color,
    };
    let options = RenkoOptions {
        frame: chart_frame(width, height, theme, overrides, rgba, show_grid)?,
        box_size,
        reversal_boxes,
    };
    let holders = PriceHolders::extract(high, low, close)?;
    let (high, low, close) = (
        holders.high.view(),
        holders.low.view(),
        holders.close.view(),
    );
    let rows = PriceRows::new(&high, &low, &close)?;
    render_released(py, rows.len(), || render_renko(&rows, &options))
}

/// Renders a Point & Figure chart and returns its pixels as a numpy array.
#[pyfunction]
#[pyo3(signature = (
    high, low, close, *, width, height, theme, bg_color, up_color, down_color, box_size,
    reversal_boxes, rgba, show_grid, antialias
))]
#[allow(clippy::too_many_arguments)]
fn render_pnf_chart<'py>(
    py: Python<'py>,
    high: &Bound<'py, PyAny>,
    low: &Bound<'py, PyAny>,
    close: &Bound<'py, PyAny>,
    width: i64,
    height: i64,
    theme: &str,
    bg_color: Option<Rgba>,
    up_color: Option<Rgba>,
    down_color: Option<Rgba>,
    box_size: Option<f64>,
    reversal_boxes: i64,
    rgba: bool,
    show_grid: bool,
    antialias: bool,
) -> PyResult<Bound<'py, PyArray3<u8>>> {
    let overrides = Overrides {
        background: bg_color,
        up: up_color,
        down: down_color,
    };
    let options = PnfOptions {
        frame: chart_frame(width, height, theme, overrides, rgba, show_grid)?,
        box_size,
        reversal_boxes,
        antialias,
    };
    let holders = PriceHolders::extract(high, low, close)?;
    let (high, low, close) = (
        holders.high.view(),
        holders.low.view(),
        holders.close.view(),
    );
    let rows = PriceRows::new(&high, &low, &close)?;
    render_released(py, rows.len(), || render_pnf(&rows, &options))
}

/// The Renko bricks of `high`, `low` and `close` as a list of `{"price", "direction"}` dicts.
#[pyfunction]
#[pyo3(signature = (high, low, close, *, box_size, reversal_boxes))]
fn renko_bricks<'py>(
    py: Python<'py>,
    high: &Bound<'py, PyAny>,
    low: &Bound<'py, PyAny>,
    close: &Bound<'py, PyAny>,
    box_size: Option<f64>,
    reversal_boxes: i64,
) -> PyResult<Bound<'py, PyList>> {
    let holders = PriceHolders::extract(high, low, close)?;
    let (high, low, close) = (
        holders.high.view(),
        holders.low.view(),
        holders.close.view(),
    );
    let bricks = run_released(py, || {
        build_renko_bricks(&high, &low, &close, box_size, reversal_boxes)
    })?;

    let list = PyList::empty(py);
    for brick in bricks {
        let entry = PyDict::new(py);
        entry.set_item("price", brick.price)?;
        entry.set_item("direction", brick.direction.sign())?;
        list.append(entry)?;
    }
    Ok(list)
}

/// The Point & Figure columns of `high`, `low` and `close` as a list of
/// `{"type", "boxes", "start_idx"}` dicts.
#[pyfunction]
#[pyo3(signature = (high, low, close, *, box_size, reversal_boxes))]
fn pnf_columns<'py>(
    py: Python<'py>,
    high: &Bound<'py, PyAny>,
    low: &Bound<'py, PyAny>,
    close: &Bound<'py, PyAny>,
    box_size: Option<f64>,
    reversal_boxes: i64,
) -> PyResult<Bound<'py, PyList>> {
    let holders = PriceHolders::extract(high, low, close)?;
    let (high, low, close) = (
        holders.high.view(),
        holders.low.view(),
        holders.close.view(),
    );
    let columns = run_released(py, || {
        build_pnf_columns(&high, &low, &close, box_size, reversal_boxes)
    })?;

    let list = PyList::empty(py);
    for column in columns {
        let entry = PyDict::new(py);
        entry.set_item("type", column.kind.letter())?;
        entry.set_item("boxes", PyList::new(py, column.boxes)?)?;
        entry.set_item("start_idx", column.start_idx)?;
        list.append(entry)?;
    }
    Ok(list)
}
