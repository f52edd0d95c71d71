//! `#[pyfunction]` wrappers of the batch engine ([`crate::batch`]).
//!
//! A batch call has three steps. With the GIL held it borrows every dataset's columns and
//! checks them, so that a bad dataset fails before any chart is drawn. Then it releases the GIL
//! and runs the engine on a separate thread while the calling thread waits for progress: each
//! time charts finish, and at least every [`SIGNAL_POLL`], it takes the GIL back to call the
//! progress callback and to let Python run its signal handlers, so Ctrl-C (or an exception
//! from the callback) stops the batch within a chart per worker. Last, with the GIL, it hands
//! the results to Python: pixels as numpy arrays (not copied), bytes as `bytes`.
//!
//! The chart options are built once, by the `*_spec` functions, from the same keyword
//! arguments and with the same checks as the single-chart renderers.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

use super::charts::{chart_frame, line_options};
use super::columns::{extract_column, ColumnHolder};
use super::render::{candle_options, into_array};
use crate::batch::{self, Batch, Control, FileTarget, Outcome, Output, Rendered};
use crate::encode::{EncodeOptions, ImageFormat, Speed};
use crate::errors::{Error, Result};
use crate::raster::chart::{ChartData, ChartSpec};
use crate::raster::pnf::PnfOptions;
use crate::raster::renko::RenkoOptions;
use crate::style::{Overrides, Rgba};

/// Longest time the calling thread goes without checking for Ctrl-C during a batch.
const SIGNAL_POLL: Duration = Duration::from_millis(100);

pub(super) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PyChartSpec>()?;
    module.add_function(wrap_pyfunction!(candle_spec, module)?)?;
    module.add_function(wrap_pyfunction!(ohlc_bars_spec, module)?)?;
    module.add_function(wrap_pyfunction!(line_spec, module)?)?;
    module.add_function(wrap_pyfunction!(renko_spec, module)?)?;
    module.add_function(wrap_pyfunction!(pnf_spec, module)?)?;
    module.add_function(wrap_pyfunction!(render_batch_pixels, module)?)?;
    module.add_function(wrap_pyfunction!(render_batch_bytes, module)?)?;
    module.add_function(wrap_pyfunction!(render_batch_files, module)?)?;
    Ok(())
}

/// A chart type with its options checked and resolved, ready to draw any number of charts.
#[pyclass(frozen, name = "ChartSpec", module = "kimsfinance._native")]
pub struct PyChartSpec {
    spec: ChartSpec,
}

#[pymethods]
impl PyChartSpec {
    /// Names of the columns each dataset gives, in order.
    #[getter]
    fn columns(&self) -> Vec<&'static str> {
        self.spec.columns().to_vec()
    }

    fn __repr__(&self) -> String {
        let size = self.spec.size();
        format!(
            "ChartSpec({} chart, {}x{})",
            self.spec.name(),
            size.width,
            size.height
        )
    }
}

/// The spec of a candlestick (or hollow-candle) chart; arguments as for `render_candles`.
#[pyfunction]
#[pyo3(signature = (
    *, width, height, theme, bg_color, up_color, down_color, wick_width_ratio, rgba, show_grid,
    batch, hollow
))]
#[allow(clippy::too_many_arguments)]
fn candle_spec(
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
) -> PyResult<PyChartSpec> {
    let overrides = Overrides {
        background: bg_color,
        up: up_color,
        down: down_color,
    };
    let options = candle_options(
        width,
        height,
        theme,
        overrides,
        wick_width_ratio,
        rgba,
        show_grid,
        batch,
        hollow,
    )?;
    Ok(PyChartSpec {
        spec: ChartSpec::Candles(options),
    })
}

/// The spec of an OHLC bar chart; arguments as for `render_ohlc_bars`.
#[pyfunction]
#[pyo3(signature = (
    *, width, height, theme, bg_color, up_color, down_color, rgba, show_grid
))]
#[allow(clippy::too_many_arguments)]
fn ohlc_bars_spec(
    width: i64,
    height: i64,
    theme: &str,
    bg_color: Option<Rgba>,
    up_color: Option<Rgba>,
    down_color: Option<Rgba>,
    rgba: bool,
    show_grid: bool,
) -> PyResult<PyChartSpec> {
    let overrides = Overrides {
        background: bg_color,
        up: up_color,
        down: down_color,
    };
    let frame = chart_frame(width, height, theme, overrides, rgba, show_grid)?;
    Ok(PyChartSpec {
        spec: ChartSpec::OhlcBars(frame),
    })
}

/// The spec of a line chart; arguments as for `render_line_chart`.
#[pyfunction]
#[pyo3(signature = (
    *, width, height, theme, bg_color, line_color, line_width, fill_area, rgba, show_grid,
    antialias
))]
#[allow(clippy::too_many_arguments)]
fn line_spec(
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
) -> PyResult<PyChartSpec> {
    let overrides = Overrides {
        background: bg_color,
        up: line_color,
        down: None,
    };
    let frame = chart_frame(width, height, theme, overrides, rgba, show_grid)?;
    Ok(PyChartSpec {
        spec: ChartSpec::Line(line_options(frame, line_width, fill_area, antialias)?),
    })
}

/// The spec of a Renko chart; arguments as for `render_renko_chart`. The box size and the
/// reversal count are checked when the first chart is drawn, as for a single chart.
#[pyfunction]
#[pyo3(signature = (
    *, width, height, theme, bg_color, up_color, down_color, box_size, reversal_boxes, rgba,
    show_grid
))]
#[allow(clippy::too_many_arguments)]
fn renko_spec(
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
) -> PyResult<PyChartSpec> {
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
    Ok(PyChartSpec {
        spec: ChartSpec::Renko(options),
    })
}

/// The spec of a Point & Figure chart; arguments as for `render_pnf_chart`. The box size and
/// the reversal count are checked when the first chart is drawn, as for a single chart.
#[pyfunction]
#[pyo3(signature = (
    *, width, height, theme, bg_color, up_color, down_color, box_size, reversal_boxes, rgba,
    show_grid, antialias
))]
#[allow(clippy::too_many_arguments)]
fn pnf_spec(
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
) -> PyResult<PyChartSpec> {
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
    Ok(PyChartSpec {
        spec: ChartSpec::Pnf(options),
    })
}

/// Draws every dataset and returns the pixels as a list of `(H, W, 4|3)` uint8 arrays.
///
/// Each dataset is a sequence of the columns `spec` reads, in order: open, high, low, close,
/// volume for candles and OHLC bars; high, low, close, volume for lines; high, low, close for
/// Renko and Point & Figure.
#[pyfunction]
#[pyo3(signature = (spec, datasets, *, num_workers = None, progress = None))]
fn render_batch_pixels<'py>(
    py: Python<'py>,
    spec: &Bound<'py, PyChartSpec>,
    datasets: Vec<Vec<Bound<'py, PyAny>>>,
    num_workers: Option<i64>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyList>> {
    let spec = &spec.get().spec;
    let results = run_batch(py, spec, &datasets, Output::Pixels, num_workers, progress)?;
    let mut arrays = Vec::with_capacity(results.len());
    for rendered in results {
        match rendered {
            Rendered::Pixels(canvas) => arrays.push(into_array(py, canvas)?),
            other => return Err(unexpected(&other).into()),
        }
    }
    PyList::new(py, arrays)
}

/// Draws and encodes every dataset (see [`render_batch_pixels`]) and returns the files'
/// bytes.
#[pyfunction]
#[pyo3(signature = (
    spec, datasets, *, format, speed, quality = None, num_workers = None, progress = None
))]
#[allow(clippy::too_many_arguments)]
fn render_batch_bytes<'py>(
    py: Python<'py>,
    spec: &Bound<'py, PyChartSpec>,
    datasets: Vec<Vec<Bound<'py, PyAny>>>,
    format: &str,
    speed: &str,
    quality: Option<u8>,
    num_workers: Option<i64>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyList>> {
    let spec = &spec.get().spec;
    let output = Output::Bytes(encoding(format, speed, quality)?);
    let results = run_batch(py, spec, &datasets, output, num_workers, progress)?;
    let mut files = Vec::with_capacity(results.len());
    for rendered in results {
        match rendered {
            Rendered::Bytes(bytes) => files.push(PyBytes::new(py, &bytes)),
            other => return Err(unexpected(&other).into()),
        }
    }
    PyList::new(py, files)
}

/// Draws every dataset (see [`render_batch_pixels`]) and writes chart `i` to `paths[i]` in
/// `formats[i]`, atomically, as soon as it is drawn.
#[pyfunction]
#[pyo3(signature = (
    spec, datasets, paths, formats, *, speed, quality = None, num_workers = None,
    progress = None
))]
#[allow(clippy::too_many_arguments)]
fn render_batch_files<'py>(
    py: Python<'py>,
    spec: &Bound<'py, PyChartSpec>,
    datasets: Vec<Vec<Bound<'py, PyAny>>>,
    paths: Vec<PathBuf>,
    formats: Vec<String>,
    speed: &str,
    quality: Option<u8>,
    num_workers: Option<i64>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<()> {
    if formats.len() != paths.len() {
        return Err(Error::invalid(format!(
            "formats has {} items but paths has {}.",
            formats.len(),
            paths.len()
        ))
        .into());
    }
    let targets = paths
        .into_iter()
        .zip(&formats)
        .map(|(path, format)| {
            Ok(FileTarget {
                path,
                encoding: encoding(format, speed, quality)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let spec = &spec.get().spec;
    run_batch(
        py,
        spec,
        &datasets,
        Output::Files(&targets),
        num_workers,
        progress,
    )?;
    Ok(())
}

/// Borrows and checks every dataset, runs the batch without the GIL while watching for
/// progress and Ctrl-C, and returns the results in input order.
fn run_batch<'py>(
    py: Python<'py>,
    spec: &ChartSpec,
    datasets: &[Vec<Bound<'py, PyAny>>],
    output: Output<'_>,
    num_workers: Option<i64>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Vec<Rendered>> {
    let threads = worker_count(num_workers)?;
    if let Some(callback) = &progress {
        if !callback.is_callable() {
            return Err(Error::wrong_type(format!(
                "progress must be a callable taking (done, total), got {}.",
                callback.get_type().name()?
            ))
            .into());
        }
    }

    let holders = borrow_columns(spec, datasets)?;
    let charts = holders
        .iter()
        .enumerate()
        .map(|(index, columns)| {
            let views = columns.iter().map(ColumnHolder::view).collect();
            spec.prepare(views)
                .map_err(|error| batch::for_dataset(index, error))
        })
        .collect::<Result<Vec<ChartData<'_>>>>()?;
    let batch = Batch {
        charts: &charts,
        spec,
        output,
    };
    batch.check()?;
    if charts.is_empty() {
        return Ok(Vec::new());
    }

    let progress = progress.map(Bound::unbind);
    let (outcome, interruption) = py.detach(|| run_watched(&batch, threads, progress.as_ref()));
    if let Some(error) = interruption {
        return Err(error);
    }
    match outcome? {
        Outcome::Finished(results) => Ok(results),
        Outcome::Cancelled => {
            Err(Error::Engine("The batch stopped before every chart was drawn.".into()).into())
        }
    }
}

/// Borrows the columns of every dataset, in the order `spec` reads them, with the GIL held.
fn borrow_columns<'py>(
    spec: &ChartSpec,
    datasets: &[Vec<Bound<'py, PyAny>>],
) -> Result<Vec<Vec<ColumnHolder<'py>>>> {
    let names = spec.columns();
    datasets
        .iter()
        .enumerate()
        .map(|(index, columns)| {
            spec.check_column_count(columns.len())
                .map_err(|error| batch::for_dataset(index, error))?;
            names
                .iter()
                .zip(columns)
                .map(|(name, column)| extract_column(name, column))
                .collect::<Result<Vec<_>>>()
                .map_err(|error| batch::for_dataset(index, error))
        })
        .collect()
}

/// Runs the engine on its own thread and watches it from this one (which holds no GIL).
///
/// Returns the engine's outcome and, when the watch stopped the batch, the Python exception
/// that stopped it (KeyboardInterrupt or the callback's), which wins over the outcome.
fn run_watched(
    batch: &Batch<'_>,
    threads: usize,
    progress: Option<&Py<PyAny>>,
) -> (Result<Outcome>, Option<PyErr>) {
    let cancel = AtomicBool::new(false);
    let (sender, receiver) = mpsc::channel();

    thread::scope(|scope| {
        let cancel = &cancel;
        let worker = thread::Builder::new()
            .name("kimsfinance-batch".into())
            .spawn_scoped(scope, move || {
                // The sender lives exactly as long as the engine: when it is dropped here, the
                // watcher sees the channel close and knows the batch is over.
                let sender = sender;
                let control = Control {
                    threads,
                    cancel,
                    progress: progress.is_some().then_some(&sender),
                };
                catch_panic(|| batch::run(batch, &control))
            });
        let worker = match worker {
            Ok(worker) => worker,
            Err(error) => {
                let error = Error::Engine(format!("Could not start the batch thread: {error}."));
                return (Err(error), None);
            }
        };

        let interruption = watch(&receiver, batch.charts.len(), cancel, progress);
        let outcome = worker.join().unwrap_or_else(|_| {
            Err(Error::Engine(
                "Internal error in the native core: the batch thread panicked.".into(),
            ))
        });
        (outcome, interruption)
    })
}

/// Waits for the engine to finish, calling `progress(done, total)` whenever charts have
/// finished and checking for signals at least every [`SIGNAL_POLL`].
///
/// Counts that arrive while Python is busy are reported together as the latest one, so a slow
/// callback never builds a backlog. When the callback or a signal handler raises, the cancel
/// flag stops the workers, this waits until the charts in flight are done, and returns the
/// exception.
fn watch(
    receiver: &Receiver<usize>,
    total: usize,
    cancel: &AtomicBool,
    progress: Option<&Py<PyAny>>,
) -> Option<PyErr> {
    let mut reported = 0;
    loop {
        let done = match receiver.recv_timeout(SIGNAL_POLL) {
            Ok(done) => receiver.try_iter().fold(done, usize::max),
            Err(RecvTimeoutError::Timeout) => reported,
            Err(RecvTimeoutError::Disconnected) => return None,
        };
        let checked = Python::attach(|py| -> PyResult<()> {
            py.check_signals()?;
            match progress {
                Some(callback) if done > reported => callback.call1(py, (done, total)).map(drop),
                _ => Ok(()),
            }
        });
        reported = reported.max(done);
        if let Err(error) = checked {
            cancel.store(true, Ordering::Relaxed);
            receiver.iter().for_each(drop);
            return Some(error);
        }
    }
}

/// The number of worker threads: `num_workers`, or one per available core.
fn worker_count(num_workers: Option<i64>) -> Result<usize> {
    match num_workers {
        None => Ok(thread::available_parallelism().map_or(1, |cores| cores.get())),
        Some(count) if count >= 1 => Ok(usize::try_from(count).unwrap_or(usize::MAX)),
        Some(count) => Err(Error::invalid(format!(
            "num_workers must be at least 1, got {count}."
        ))),
    }
}

/// Encoding options from the names the Python facade passes.
fn encoding(format: &str, speed: &str, quality: Option<u8>) -> Result<EncodeOptions> {
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

/// Runs `work`, turning a panic into an [`Error::Engine`] (the engine already catches panics
/// per chart; this covers the code around them).
fn catch_panic<T>(work: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|_| {
        Err(Error::Engine(
            "Internal error in the native core: the batch panicked.".into(),
        ))
    })
}

/// The error for a result of the wrong kind, which the engine never returns.
fn unexpected(rendered: &Rendered) -> Error {
    let kind = match rendered {
        Rendered::Pixels(_) => "pixels",
        Rendered::Bytes(_) => "bytes",
        Rendered::Written => "a written file",
    };
    Error::Engine(format!(
        "Internal error in the native core: the batch returned {kind} unexpectedly."
    ))
}
