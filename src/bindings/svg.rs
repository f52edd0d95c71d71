//! `#[pyfunction]` wrappers for the SVG charts and the SVG file writer.
//!
//! Each wrapper borrows the columns, resolves the colours, builds the document with the GIL
//! released and returns it as a Python `str`. A missing volume column becomes a column of zeros
//! that repeats one value (stride 0), so nothing is allocated per row for it.

use std::path::PathBuf;
use std::time::Instant;

use numpy::ndarray::{ArrayView1, ShapeBuilder};
use pyo3::prelude::*;

use super::columns::{extract_column, ColumnHolder};
use super::render::OhlcvHolders;
use super::run_released;
use crate::encode::write_atomic;
use crate::errors::{Error, Result};
use crate::input::{check_not_negative, Column, Ohlcv};
use crate::layout::ChartSize;
use crate::raster::candles::BodyStyle;
use crate::raster::line::{check_line_width, LineSeries};
use crate::stats::{self, Engine, Event, Operation};
use crate::style::{Overrides, Palette, Rgba};
use crate::svg::charts::{
    candles_svg, line_svg, ohlc_bars_svg, pnf_svg, renko_svg, BoxSvgOptions, CandleSvgOptions,
    LineSvgOptions, SvgFrame,
};
use crate::svg::svg_file_bytes;
use crate::transform::PriceRows;

pub(super) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(render_candles_svg, module)?)?;
    module.add_function(wrap_pyfunction!(render_ohlc_bars_svg, module)?)?;
    module.add_function(wrap_pyfunction!(render_line_chart_svg, module)?)?;
    module.add_function(wrap_pyfunction!(render_renko_chart_svg, module)?)?;
    module.add_function(wrap_pyfunction!(render_pnf_chart_svg, module)?)?;
    module.add_function(wrap_pyfunction!(write_svg_file, module)?)?;
    Ok(())
}

/// The one zero every missing volume column repeats.
static NO_VOLUME: [f64; 1] = [0.0];

/// `len` zeros without allocating them: one value seen through a stride of 0.
fn zero_volume<'a>(len: usize) -> Result<Column<'a>> {
    ArrayView1::from_shape((len,).strides((0,)), &NO_VOLUME[..])
        .map(Column::F64)
        .map_err(|error| Error::Engine(format!("Could not stand in for volume: {error}.")))
}

/// The price columns of a candle or OHLC chart and, when given, its volume column, borrowed
/// for the length of one call.
enum CandleHolders<'py> {
    WithVolume(OhlcvHolders<'py>),
    PricesOnly([ColumnHolder<'py>; 4]),
}

impl<'py> CandleHolders<'py> {
    fn extract(
        [open, high, low, close]: [&Bound<'py, PyAny>; 4],
        volume: Option<&Bound<'py, PyAny>>,
    ) -> Result<Self> {
        Ok(match volume {
            Some(volume) => CandleHolders::WithVolume(OhlcvHolders::extract([
                ("open", open),
                ("high", high),
                ("low", low),
                ("close", close),
                ("volume", volume),
            ])?),
            None => CandleHolders::PricesOnly([
                extract_column("open", open)?,
                extract_column("high", high)?,
                extract_column("low", low)?,
                extract_column("close", close)?,
            ]),
        })
    }

    fn has_volume(&self) -> bool {
        matches!(self, CandleHolders::WithVolume(_))
    }

    fn view(&self) -> Result<Ohlcv<'_>> {
        match self {
            CandleHolders::WithVolume(holders) => holders.view(),
            CandleHolders::PricesOnly([open, high, low, close]) => {
                let open = open.view();
                let volume = zero_volume(open.len())?;
                Ohlcv::new(open, high.view(), low.view(), close.view(), volume)
            }
        }
    }
}

/// The frame of an SVG chart from the arguments every SVG renderer takes.
fn svg_frame(
    width: i64,
    height: i64,
    theme: &str,
    overrides: Overrides,
    show_grid: bool,
    volume: bool,
) -> Result<SvgFrame> {
    Ok(SvgFrame {
        size: ChartSize::new(width, height)?,
        // Translucent overrides keep their alpha; the SVG writes it as an opacity.
        palette: Palette::resolve(theme, overrides, true),
        show_grid,
        volume,
    })
}

/// Runs `build` without the GIL and reports it to the statistics.
fn build_released(
    py: Python<'_>,
    items: usize,
    build: impl FnOnce() -> Result<String> + Send,
) -> PyResult<String> {
    let document = run_released(py, || {
        let started = Instant::now();
        let document = build()?;
        stats::record(Event {
            operation: Operation::Render,
            engine: Engine::Cpu,
            duration: started.elapsed(),
            items: items as u64,
            bytes: document.len() as u64,
        });
        Ok(document)
    })?;
    Ok(document)
}

/// Renders a candlestick (or hollow-candle) chart as an SVG document.
#[pyfunction]
#[pyo3(signature = (
    open, high, low, close, volume, *, width, height, theme, bg_color, up_color, down_color,
    show_grid, hollow
))]
#[allow(clippy::too_many_arguments)]
fn render_candles_svg<'py>(
    py: Python<'py>,
    open: &Bound<'py, PyAny>,
    high: &Bound<'py, PyAny>,
    low: &Bound<'py, PyAny>,
    close: &Bound<'py, PyAny>,
    volume: Option<&Bound<'py, PyAny>>,
    width: i64,
    height: i64,
    theme: &str,
    bg_color: Option<Rgba>,
    up_color: Option<Rgba>,
    down_color: Option<Rgba>,
    show_grid: bool,
    hollow: bool,
) -> PyResult<String> {
    let overrides = Overrides {
        background: bg_color,
        up: up_color,
        down: down_color,
    };
    let frame = svg_frame(width, height, theme, overrides, show_grid, volume.is_some())?;
    let options = CandleSvgOptions {
        frame,
        body: if hollow {
            BodyStyle::HollowRising
        } else {
            BodyStyle::Filled
        },
    };
    let holders = CandleHolders::extract([open, high, low, close], volume)?;
    debug_assert_eq!(holders.has_volume(), frame.volume);
    let data = holders.view()?;
    build_released(py, data.len(), || Ok(candles_svg(&data, &options)))
}

/// Renders an OHLC bar chart as an SVG document.
#[pyfunction]
#[pyo3(signature = (
    open, high, low, close, volume, *, width, height, theme, bg_color, up_color, down_color,
    show_grid
))]
#[allow(clippy::too_many_arguments)]
fn render_ohlc_bars_svg<'py>(
    py: Python<'py>,
    open: &Bound<'py, PyAny>,
    high: &Bound<'py, PyAny>,
    low: &Bound<'py, PyAny>,
    close: &Bound<'py, PyAny>,
    volume: Option<&Bound<'py, PyAny>>,
    width: i64,
    height: i64,
    theme: &str,
    bg_color: Option<Rgba>,
    up_color: Option<Rgba>,
    down_color: Option<Rgba>,
    show_grid: bool,
) -> PyResult<String> {
    let overrides = Overrides {
        background: bg_color,
        up: up_color,
        down: down_color,
    };
    let frame = svg_frame(width, height, theme, overrides, show_grid, volume.is_some())?;
    let holders = CandleHolders::extract([open, high, low, close], volume)?;
    let data = holders.view()?;
    build_released(py, data.len(), || Ok(ohlc_bars_svg(&data, &frame)))
}

/// Renders a line chart of the closing prices as an SVG document.
#[pyfunction]
#[pyo3(signature = (
    high, low, close, volume, *, width, height, theme, bg_color, line_color, line_width,
    fill_area, show_grid
))]
#[allow(clippy::too_many_arguments)]
fn render_line_chart_svg<'py>(
    py: Python<'py>,
    high: &Bound<'py, PyAny>,
    low: &Bound<'py, PyAny>,
    close: &Bound<'py, PyAny>,
    volume: Option<&Bound<'py, PyAny>>,
    width: i64,
    height: i64,
    theme: &str,
    bg_color: Option<Rgba>,
    line_color: Option<Rgba>,
    line_width: f64,
    fill_area: bool,
    show_grid: bool,
) -> PyResult<String> {
    let overrides = Overrides {
        background: bg_color,
        up: line_color,
        down: None,
    };
    let options = LineSvgOptions {
        frame: svg_frame(width, height, theme, overrides, show_grid, volume.is_some())?,
        line_width: check_line_width(line_width)?,
        fill_area,
    };
    let high = extract_column("high", high)?;
    let low = extract_column("low", low)?;
    let close = extract_column("close", close)?;
    let volume = volume
        .map(|volume| extract_column("volume", volume))
        .transpose()?;
    let close = close.view();
    let volume = match &volume {
        Some(holder) => holder.view(),
        None => zero_volume(close.len())?,
    };
    let series = LineSeries::new(high.view(), low.view(), close, volume)?;
    build_released(py, series.len(), || Ok(line_svg(&series, &options)))
}

/// Renders a Renko chart as an SVG document. `volume`, when given, only switches on the
/// placeholder volume bars; it must still have one non-negative value per row.
#[pyfunction]
#[pyo3(signature = (
    high, low, close, volume, *, width, height, theme, bg_color, up_color, down_color, box_size,
    reversal_boxes, show_grid
))]
#[allow(clippy::too_many_arguments)]
fn render_renko_chart_svg<'py>(
    py: Python<'py>,
    high: &Bound<'py, PyAny>,
    low: &Bound<'py, PyAny>,
    close: &Bound<'py, PyAny>,
    volume: Option<&Bound<'py, PyAny>>,
    width: i64,
    height: i64,
    theme: &str,
    bg_color: Option<Rgba>,
    up_color: Option<Rgba>,
    down_color: Option<Rgba>,
    box_size: Option<f64>,
    reversal_boxes: i64,
    show_grid: bool,
) -> PyResult<String> {
    let overrides = Overrides {
        background: bg_color,
        up: up_color,
        down: down_color,
    };
    let options = BoxSvgOptions {
        frame: svg_frame(width, height, theme, overrides, show_grid, volume.is_some())?,
        box_size,
        reversal_boxes,
    };
    let (high, low, close) = (
        extract_column("high", high)?,
        extract_column("low", low)?,
        extract_column("close", close)?,
    );
    let (high, low, close) = (high.view(), low.view(), close.view());
    let rows = PriceRows::new(&high, &low, &close)?;
    if let Some(volume) = volume {
        let volume = extract_column("volume", volume)?;
        check_volume_rows(&volume.view(), rows.len())?;
    }
    build_released(py, rows.len(), || renko_svg(&rows, &options))
}

/// Renders a Point & Figure chart as an SVG document (there is no volume panel).
#[pyfunction]
#[pyo3(signature = (
    high, low, close, *, width, height, theme, bg_color, up_color, down_color, box_size,
    reversal_boxes, show_grid
))]
#[allow(clippy::too_many_arguments)]
fn render_pnf_chart_svg<'py>(
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
    show_grid: bool,
) -> PyResult<String> {
    let overrides = Overrides {
        background: bg_color,
        up: up_color,
        down: down_color,
    };
    let options = BoxSvgOptions {
        frame: svg_frame(width, height, theme, overrides, show_grid, false)?,
        box_size,
        reversal_boxes,
    };
    let (high, low, close) = (
        extract_column("high", high)?,
        extract_column("low", low)?,
        extract_column("close", close)?,
    );
    let (high, low, close) = (high.view(), low.view(), close.view());
    let rows = PriceRows::new(&high, &low, &close)?;
    build_released(py, rows.len(), || pnf_svg(&rows, &options))
}

/// Writes an SVG document to `path` atomically: gzip-compressed when `compress` (`.svgz`),
/// else as text after an XML declaration.
#[pyfunction]
#[pyo3(signature = (document, path, *, compress))]
fn write_svg_file(py: Python<'_>, document: &str, path: PathBuf, compress: bool) -> PyResult<()> {
    run_released(py, || {
        let bytes = svg_file_bytes(document, compress)?;
        write_atomic(&path, &bytes)
    })?;
    Ok(())
}

/// Checks that a Renko chart's volume column has one non-negative value per row.
fn check_volume_rows(volume: &Column<'_>, rows: usize) -> Result<()> {
    if volume.len() != rows {
        return Err(Error::data(format!(
            "volume has {} values but high has {rows}.",
            volume.len()
        )));
    }
    check_not_negative("volume", volume)
}
