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

fn record(started: Instant, rows: usize, bars: &Bars) {
    stats::record(Event {
        operation: Operation::Aggregate,
        engine: Engine::Cpu,
        duration: started.elapsed(),
        items: rows as u64,
        bytes: bars.byte_size() as u64,
    });
}

/// Borrows the tick columns and runs `algorithm` over them with the GIL released.
fn run_on_ticks<'py>(
    py: Python<'py>,
    (timestamps, price, volume): (&Bound<'py, PyAny>, &Bound<'py, PyAny>, &Bound<'py, PyAny>),
    names: &TickNames,
    assume_sorted: bool,
    algorithm: impl FnOnce(&Rows<'_, 2>) -> Result<Bars> + Send,
) -> PyResult<BarArrays<'py>> {
    let (time_name, price_name, volume_name) = names;
    let times = borrow_timestamps(time_name, timestamps)?;
    let prices = borrow_values(price_name, price)?;
    let volumes = borrow_values(volume_name, volume)?;
    let (time_view, price_view, volume_view) = (times.as_array(), prices.view(), volumes.view());

    let bars = run_released(py, || {
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
        let bars = algorithm(&rows)?;
        record(started, rows.len(), &bars);
        Ok(bars)
    })?;
    Ok(into_arrays(py, bars))
}

/// Bars of `tick_size` ticks each.
#[pyfunction]
#[pyo3(signature = (timestamps, price, volume, *, tick_size, assume_sorted, names))]
fn tick_bars<'py>(
    py: Python<'py>,
    timestamps: &Bound<'py, PyAny>,
    price: &Bound<'py, PyAny>,
    volume: &Bound<'py, PyAny>,
    tick_size: i64,
    assume_sorted: bool,
    names: TickNames,
) -> PyResult<BarArrays<'py>> {
    run_on_ticks(
        py,
        (timestamps, price, volume),
        &names,
        assume_sorted,
        |rows| bars::tick_bars(rows, tick_size),
    )
}

/// Bars of about `volume_size` traded volume each.
#[pyfunction]
#[pyo3(signature = (timestamps, price, volume, *, volume_size, assume_sorted, names))]
fn volume_bars<'py>(
    py: Python<'py>,
    timestamps: &Bound<'py, PyAny>,
    price: &Bound<'py, PyAny>,
    volume: &Bound<'py, PyAny>,
    volume_size: f64,
    assume_sorted: bool,
    names: TickNames,
) -> PyResult<BarArrays<'py>> {
    run_on_ticks(
        py,
        (timestamps, price, volume),
        &names,
        assume_sorted,
        |rows| bars::volume_bars(rows, volume_size),
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
        |rows| range::range_bars(rows, range_size),
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
        |rows| kagi_lines(rows, reversal),
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
        |rows| line_break::line_break(rows, num_lines),
    )
}

/// OHLC(V) rows resampled into windows of `every`; `unit_nanoseconds` is the length of one
/// timestamp unit. Without `volume` the volume column is all zeros.
#[pyfunction]
#[pyo3(signature = (timestamps, open, high, low, close, volume, *, every, unit_nanoseconds, assume_sorted, timestamp_name))]
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
) -> PyResult<BarArrays<'py>> {
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

    let bars = run_released(py, || {
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
        let (bars, count) = match volume {
            Some(volume) => {
                let [open, high, low, close] = prices;
                let fields = [open, high, low, close, Field::volume("volume", volume)];
                let rows = Rows::new(timestamps, fields, sorting(assume_sorted))?;
                (
                    resample::resample(&rows, every, unit_nanoseconds)?,
                    rows.len(),
                )
            }
            None => {
                let rows = Rows::new(timestamps, prices, sorting(assume_sorted))?;
                (
                    resample::resample(&rows, every, unit_nanoseconds)?,
                    rows.len(),
                )
            }
        };
        record(started, count, &bars);
        Ok(bars)
    })?;
    Ok(into_arrays(py, bars))
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
