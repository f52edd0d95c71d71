//! `#[pyfunction]` wrappers for the indicators.

use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;

use super::columns::extract_column;
use super::run_released;
use crate::indicators::moving_average;

pub(super) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(sma, module)?)?;
    module.add_function(wrap_pyfunction!(ema, module)?)?;
    Ok(())
}

/// Simple moving average of `values` over `window` rows, NaN during the warm-up.
#[pyfunction]
fn sma<'py>(
    py: Python<'py>,
    values: &Bound<'py, PyAny>,
    window: usize,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let holder = extract_column("values", values)?;
    let column = holder.view();
    let result = run_released(py, || moving_average::sma(&column, window))?;
    Ok(result.into_pyarray(py))
}

/// Exponential moving average of `values` with `alpha = 2 / (span + 1)`, not adjusted.
#[pyfunction]
fn ema<'py>(
    py: Python<'py>,
    values: &Bound<'py, PyAny>,
    span: usize,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let holder = extract_column("values", values)?;
    let column = holder.view();
    let result = run_released(py, || moving_average::ema(&column, span))?;
    Ok(result.into_pyarray(py))
}
