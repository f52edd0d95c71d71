//! `#[pyfunction]` wrappers for the aggregations: borrow the columns, release the GIL, run the
//! streaming algorithm, report to [`crate::stats`], and hand the output vectors to numpy
//! without copying. The Python facade (`kimsfinance.ops.aggregations`) turns the arrays into a
//! polars DataFrame.

use std::time::Instant;

use numpy::{IntoPyArray, PyArray1, PyArrayMethods, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;

use super::columns::{extract_column, ColumnHolder};
use super::run_released;
use crate::aggregate::kagi::{kagi_lines, Reversal};
use crate::aggregate::rows::{Field, Rows, Sorting, Timestamps};
use crate::aggregate::{bars, line_break, range, reduce, resample, Bars};
use crate::errors::{Error, Result};
use crate::gpu;
use crate::input::Column;
use crate::stats::{self, Engine, Event, Operation};

pub(super) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(tick_bars, module)?)?;
    module.add_function(wrap_pyfunction!(volume_bars, module)?)?;
    module.add_function(wrap_pyfunction!(range_bars, module)?)?;
    module.add_function(wrap_pyfunction!(kagi_bars, module)?)?;
    module.add_function(wrap_pyfunction!(line_break_bars, module)?)?;
    module.add_function(wrap_pyfunction!(resample_bars, module)?)?;
    module.add_function(wrap_pyfunction!(volume_sum, module)?)?;
    module.add_function(wrap_pyfunction!(volume_weighted_price, module)?)?;
    module.add_function(wrap_pyfunction!(rolling_sum, module)?)?;
    module.add_function(wrap_pyfunction!(rolling_mean, module)?)?;
    module.add_function(wrap_pyfunction!(cumulative_sum, module)?)?;
    Ok(())
}

/// Bars as numpy arrays: timestamps (int64, the input's unit), open, high, low, close, volume.
type BarArrays<'py> = (
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
);

/// Column names as the caller spelled them: timestamp, price, volume.
type TickNames = (String, String, String);

fn into_arrays(py: Python<'_>, bars: Bars) -> BarArrays<'_> {
    (
        bars.timestamp.into_pyarray(py),
        bars.open.into_pyarray(py),
        bars.high.into_pyarray(py),
        bars.low.into_pyarray(py),
        bars.close.into_pyarray(py),
        bars.volume.into_pyarray(py),
    )
}

/// Borrows the timestamp column, which the facade passes as int64 (datetime64 viewed in place).
fn borrow_timestamps<'py>(
    name: &str,
    value: &Bound<'py, PyAny>,
) -> Result<PyReadonlyArray1<'py, i64>> {
    let array = value.cast::<PyArray1<i64>>().map_err(|_| {
        Error::wrong_type(format!(
            "Column '{name}' must be given as a one-dimensional int64 array (datetime64 values \
             viewed as int64)."
        ))
    })?;
    array.try_readonly().map_err(|error| {
        Error::invalid(format!(
            "Column '{name}' is being written by Rust code: {error}."
        ))
    })
}

fn borrow_values<'py>(name: &str, value: &Bound<'py, PyAny>) -> Result<ColumnHolder<'py>> {
    extract_column(&format!("Column '{name}'"), value)
}

fn sorting(assume_sorted: bool) -> Sorting {
    if assume_sorted {
        Sorting::RequireSorted
    } else {
        Sorting::SortIfNeeded
    }
}

/// Where an aggregation runs, as the Python engine model chose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    Cpu,
    /// On the GPU; when it fails and `fall_back` is set, on the CPU after all.
    Gpu {
        fall_back: bool,
    },
}

impl Placement {
    fn parse(engine: &str, fall_back: bool) -> Result<Placement> {
        match engine {
            "cpu" => Ok(Placement::Cpu),
            "gpu" => Ok(Placement::Gpu { fall_back }),
            other => Err(Error::Configuration(format!(
                "engine must be 'cpu' or 'gpu' here (the facade resolves 'auto'), got {other:?}."
            ))),
        }
    }
}

/// Bars, the engine that made them, and why the GPU was given up when it was.
struct Computed {
    bars: Bars,
    engine: Engine,
    gave_up_gpu: Option<String>,
}

/// Runs `algorithm` on the placement's engine. Only a GPU failure (no usable device, or CUDA
/// failing mid-call) can fall back; a data error is the same on either engine and is raised.
fn on_engine(placement: Placement, algorithm: impl Fn(Engine) -> Result<Bars>) -> Result<Computed> {
    let on_cpu = |gave_up_gpu| {
        algorithm(Engine::Cpu).map(|bars| Computed {
            bars,
            engine: Engine::Cpu,
            gave_up_gpu,
        })
    };
    match placement {
        Placement::Cpu => on_cpu(None),
        Placement::Gpu { fall_back } => match algorithm(Engine::Gpu) {
            Ok(bars) => Ok(Computed {
                bars,
                engine: Engine::Gpu,
                gave_up_gpu: None,
            }),
            Err(error @ (Error::GpuFailed(_) | Error::GpuNotAvailable(_))) if fall_back => {
                on_cpu(Some(error.to_string()))
            }
            Err(error) => Err(error),
        },
    }
}

/// Hands the bars to numpy, first warning when the GPU was given up for the CPU.
fn finish(py: Python<'_>, computed: Computed) -> PyResult<BarArrays<'_>> {
    if let Some(reason) = computed.gave_up_gpu {
        let message = format!("The GPU engine failed, so the CPU computed this instead: {reason}");
        // A reason from CUDA holds no NUL byte; should one appear, the warning says less.
        let message = std::ffi::CString::new(message)
            .unwrap_or_else(|_| c"The GPU engine failed; the CPU computed this instead.".into());
        let category = py.get_type::<pyo3::exceptions::PyRuntimeWarning>();
        // Level 2 points the warning at the caller of the kimsfinance function.
        PyErr::warn(py, &category, &message, 2)?;
    }
    Ok(into_arrays(py, computed.bars))
}

fn record(started: Instant, rows: usize, computed: &Computed) {
    let bars = &computed.bars;
    stats::record(Event {
        operation: Operation::Aggregate,
        engine: computed.engine,
        duration: started.elapsed(),
        items: rows as u64,
        bytes: bars.byte_size() as u64,
    });
}

/// Borrows the tick columns and runs `algorithm` over them with the GIL released, on the
/// engine `placement` names (algorithms without a GPU version ignore the engine they get).
fn run_on_ticks<'py>(
    py: Python<'py>,
    (timestamps, price, volume): (&Bound<'py, PyAny>, &Bound<'py, PyAny>, &Bound<'py, PyAny>),
    names: &TickNames,
    assume_sorted: bool,
    placement: Placement,
    algorithm: impl Fn(&Rows<'_, 2>, Engine) -> Result<Bars> + Send + Sync,
) -> PyResult<BarArrays<'py>> {
    let (time_name, price_name, volume_name) = names;
    let times = borrow_timestamps(time_name, timestamps)?;
    let prices = borrow_values(price_name, price)?;
    let volumes = borrow_values(volume_name, volume)?;
    let (time_view, price_view, volume_view) = (times.as_array(), prices.view(), volumes.view());

    let computed = run_released(py, || {
        let started = Instant::now();
        let rows = Rows::new(
            Timestamps {
                name: time_name,
                values: time_view,
            },
            [
                Field::price(price_name, price_view),
                Field::volume(volume_name, volume_view),
            ],
            sorting(assume_sorted),
        )?;
        let computed = on_engine(placement, |engine| algorithm(&rows, engine))?;
        record(started, rows.len(), &computed);
        Ok(computed)
    })?;
    finish(py, computed)
}

/// Bars of `tick_size` ticks each, on `engine` ("cpu" or "gpu"; a GPU failure falls back to
/// the CPU with a warning when `fall_back_to_cpu`).
#[pyfunction]
#[pyo3(signature = (timestamps, price, volume, *, tick_size, assume_sorted, names, engine="cpu", fall_back_to_cpu=false))]
#[allow(clippy::too_many_arguments)] // one per Python keyword
fn tick_bars<'py>(
    py: Python<'py>,
    timestamps: &Bound<'py, PyAny>,
    price: &Bound<'py, PyAny>,
    volume: &Bound<'py, PyAny>,
    tick_size: i64,
    assume_sorted: bool,
    names: TickNames,
    engine: &str,
    fall_back_to_cpu: bool,
) -> PyResult<BarArrays<'py>> {
    let placement = Placement::parse(engine, fall_back_to_cpu)?;
    run_on_ticks(
        py,
        (timestamps, price, volume),
        &names,
        assume_sorted,
        placement,
        |rows, engine| match engine {
            Engine::Cpu => bars::tick_bars(rows, tick_size),
            Engine::Gpu => gpu::tick_bars(rows, tick_size),
        },
    )
}

/// Bars of about `volume_size` traded volume each, on `engine` (as [`tick_bars`]).
#[pyfunction]
#[pyo3(signature = (timestamps, price, volume, *, volume_size, assume_sorted, names, engine="cpu", fall_back_to_cpu=false))]
#[allow(clippy::too_many_arguments)] // one per Python keyword
fn volume_bars<'py>(
    py: Python<'py>,
    timestamps: &Bound<'py, PyAny>,
    price: &Bound<'py, PyAny>,
    volume: &Bound<'py, PyAny>,
    volume_size: f64,
    assume_sorted: bool,
    names: TickNames,
    engine: &str,
    fall_back_to_cpu: bool,
) -> PyResult<BarArrays<'py>> {
    let placement = Placement::parse(engine, fall_back_to_cpu)?;
    run_on_ticks(
        py,
        (timestamps, price, volume),
        &names,
        assume_sorted,
        placement,
        |rows, engine| match engine {
            Engine::Cpu => bars::volume_bars(rows, volume_size),
            Engine::Gpu => gpu::volume_bars(rows, volume_size),
        },
    )
}

/// Range bars of `range_size`.
#[pyfunction]
#[pyo3(signature = (timestamps, price, volume, *, range_size, assume_sorted, names))]
fn range_bars<'py>(
    py: Python<'py>,
    timestamps: &Bound<'py, PyAny>,
    price: &Bound<'py, PyAny>,
    volume: &Bound<'py, PyAny>,
    range_size: f64,
    assume_sorted: bool,
    names: TickNames,
) -> PyResult<BarArrays<'py>> {
    run_on_ticks(
        py,
        (timestamps, price, volume),
        &names,
        assume_sorted,
        // Sequential by nature (each bar starts where the last one ended): CPU only.
        Placement::Cpu,
        |rows, _| range::range_bars(rows, range_size),
    )
}

/// Kagi lines with exactly one of `reversal_amount` and `reversal_pct`.
#[pyfunction]
#[pyo3(signature = (timestamps, price, volume, *, reversal_amount, reversal_pct, assume_sorted, names))]
#[allow(clippy::too_many_arguments)] // one per Python keyword; grouping them would only rename
fn kagi_bars<'py>(
    py: Python<'py>,
    timestamps: &Bound<'py, PyAny>,
    price: &Bound<'py, PyAny>,
    volume: &Bound<'py, PyAny>,
    reversal_amount: Option<f64>,
    reversal_pct: Option<f64>,
    assume_sorted: bool,
    names: TickNames,
) -> PyResult<BarArrays<'py>> {
    // Checked before the data is read, so a bad threshold is reported first.
    let reversal = Reversal::from_options(reversal_amount, reversal_pct)?;
    run_on_ticks(
        py,
        (timestamps, price, volume),
        &names,
        assume_sorted,
        // Sequential by nature (each bar starts where the last one ended): CPU only.
        Placement::Cpu,
        |rows, _| kagi_lines(rows, reversal),
    )
}

/// N-line break lines.
#[pyfunction]
#[pyo3(signature = (timestamps, price, volume, *, num_lines, assume_sorted, names))]
fn line_break_bars<'py>(
    py: Python<'py>,
    timestamps: &Bound<'py, PyAny>,
    price: &Bound<'py, PyAny>,
    volume: &Bound<'py, PyAny>,
    num_lines: i64,
    assume_sorted: bool,
    names: TickNames,
) -> PyResult<BarArrays<'py>> {
    run_on_ticks(
        py,
        (timestamps, price, volume),
        &names,
        assume_sorted,
        // Sequential by nature (each bar starts where the last one ended): CPU only.
        Placement::Cpu,
        |rows, _| line_break::line_break(rows, num_lines),
    )
}

/// OHLC(V) rows resampled into windows of `every`; `unit_nanoseconds` is the length of one
/// timestamp unit. Without `volume` the volume column is all zeros.
#[pyfunction]
#[pyo3(signature = (timestamps, open, high, low, close, volume, *, every, unit_nanoseconds, assume_sorted, timestamp_name, engine="cpu", fall_back_to_cpu=false))]
#[allow(clippy::too_many_arguments)] // one per column and keyword of the Python call
fn resample_bars<'py>(
    py: Python<'py>,
    timestamps: &Bound<'py, PyAny>,
    open: &Bound<'py, PyAny>,
    high: &Bound<'py, PyAny>,
    low: &Bound<'py, PyAny>,
    close: &Bound<'py, PyAny>,
    volume: Option<&Bound<'py, PyAny>>,
    every: &str,
    unit_nanoseconds: i64,
    assume_sorted: bool,
    timestamp_name: &str,
    engine: &str,
    fall_back_to_cpu: bool,
) -> PyResult<BarArrays<'py>> {
    let placement = Placement::parse(engine, fall_back_to_cpu)?;
    let times = borrow_timestamps(timestamp_name, timestamps)?;
    let holders = [
        borrow_values("open", open)?,
        borrow_values("high", high)?,
        borrow_values("low", low)?,
        borrow_values("close", close)?,
    ];
    let volume_holder = volume
        .map(|volume| borrow_values("volume", volume))
        .transpose()?;
    let time_view = times.as_array();
    let [open, high, low, close]: [Column<'_>; 4] =
        std::array::from_fn(|index| holders[index].view());
    let volume = volume_holder.as_ref().map(ColumnHolder::view);

    let computed = run_released(py, || {
        let started = Instant::now();
        let timestamps = Timestamps {
            name: timestamp_name,
            values: time_view,
        };
        let prices = [
            Field::price("open", open),
            Field::price("high", high),
            Field::price("low", low),
            Field::price("close", close),
        ];
        let (computed, count) = match volume {
            Some(volume) => {
                let [open, high, low, close] = prices;
                let fields = [open, high, low, close, Field::volume("volume", volume)];
                let rows = Rows::new(timestamps, fields, sorting(assume_sorted))?;
                (
                    resample_on(placement, &rows, every, unit_nanoseconds)?,
                    rows.len(),
                )
            }
            None => {
                let rows = Rows::new(timestamps, prices, sorting(assume_sorted))?;
                (
                    resample_on(placement, &rows, every, unit_nanoseconds)?,
                    rows.len(),
                )
            }
        };
        record(started, count, &computed);
        Ok(computed)
    })?;
    finish(py, computed)
}

fn resample_on<const N: usize>(
    placement: Placement,
    rows: &Rows<'_, N>,
    every: &str,
    unit_nanoseconds: i64,
) -> Result<Computed> {
    on_engine(placement, |engine| match engine {
        Engine::Cpu => resample::resample(rows, every, unit_nanoseconds),
        Engine::Gpu => gpu::resample(rows, every, unit_nanoseconds),
    })
}

/// Runs a one-column reduction with the GIL released and reports it.
fn run_reduction<T: Send>(
    py: Python<'_>,
    rows: usize,
    work: impl FnOnce() -> Result<T> + Send,
) -> Result<T> {
    run_released(py, || {
        let started = Instant::now();
        let result = work()?;
        stats::record(Event {
            operation: Operation::Aggregate,
            engine: Engine::Cpu,
            duration: started.elapsed(),
            items: rows as u64,
            bytes: 0,
        });
        Ok(result)
    })
}

/// Total volume.
#[pyfunction]
fn volume_sum(py: Python<'_>, volume: &Bound<'_, PyAny>) -> PyResult<f64> {
    let holder = extract_column("volume", volume)?;
    let column = holder.view();
    Ok(run_reduction(py, column.len(), || {
        reduce::volume_sum(&column)
    })?)
}

/// Volume-weighted average price.
#[pyfunction]
fn volume_weighted_price(
    py: Python<'_>,
    prices: &Bound<'_, PyAny>,
    volume: &Bound<'_, PyAny>,
) -> PyResult<f64> {
    let price_holder = extract_column("prices", prices)?;
    let volume_holder = extract_column("volume", volume)?;
    let (prices, volume) = (price_holder.view(), volume_holder.view());
    Ok(run_reduction(py, prices.len(), || {
        reduce::volume_weighted_price(&prices, &volume)
    })?)
}

/// Rolling sum over full windows, NaN warm-up.
#[pyfunction]
fn rolling_sum<'py>(
    py: Python<'py>,
    values: &Bound<'py, PyAny>,
    window: i64,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let holder = extract_column("data", values)?;
    let column = holder.view();
    let sums = run_reduction(py, column.len(), || reduce::rolling_sum(&column, window))?;
    Ok(sums.into_pyarray(py))
}

/// Rolling mean over full windows, NaN warm-up.
#[pyfunction]
fn rolling_mean<'py>(
    py: Python<'py>,
    values: &Bound<'py, PyAny>,
    window: i64,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let holder = extract_column("data", values)?;
    let column = holder.view();
    let means = run_reduction(py, column.len(), || reduce::rolling_mean(&column, window))?;
    Ok(means.into_pyarray(py))
}

/// Running total: int64 for integer input, float64 for float input.
#[pyfunction]
fn cumulative_sum<'py>(py: Python<'py>, values: &Bound<'py, PyAny>) -> PyResult<Py<PyAny>> {
    let holder = extract_column("data", values)?;
    let column = holder.view();
    if matches!(column, Column::F64(_) | Column::F32(_)) {
        let sums = run_reduction(py, column.len(), || {
            Ok(reduce::cumulative_sum_float(&column))
        })?;
        Ok(sums.into_pyarray(py).into_any().unbind())
    } else {
        let sums = run_reduction(py, column.len(), || reduce::cumulative_sum_integer(&column))?;
        Ok(sums.into_pyarray(py).into_py_any(py)?)
    }
}
