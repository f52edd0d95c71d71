//! The `PerformanceStats` Python class and the switch for process-wide tracking.

use std::sync::Arc;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::Error;
use crate::stats::{self, Engine, Operation, StatsWindow};

pub(super) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PerformanceStats>()?;
    module.add_function(wrap_pyfunction!(global_stats, module)?)?;
    module.add_function(wrap_pyfunction!(set_tracking, module)?)?;
    module.add_function(wrap_pyfunction!(is_tracking, module)?)?;
    Ok(())
}

/// Bounded, thread-safe performance statistics: a ring buffer of recent events allocated once,
/// a retention window, lifetime counters and per-operation latency percentiles.
#[pyclass(module = "kimsfinance", frozen, name = "PerformanceStats")]
pub struct PerformanceStats {
    window: Arc<StatsWindow>,
}

fn engine_from_name(engine: &str) -> Engine {
    if engine == "gpu" {
        Engine::Gpu
    } else {
        Engine::Cpu
    }
}

#[pymethods]
impl PerformanceStats {
    /// Keeps at most `max_entries` events, none older than `retention_hours`.
    #[new]
    #[pyo3(signature = (max_entries = stats::DEFAULT_CAPACITY as i64, retention_hours = 24.0))]
    fn new(max_entries: i64, retention_hours: f64) -> PyResult<Self> {
        if !(retention_hours.is_finite() && retention_hours > 0.0) {
            return Err(Error::invalid(format!(
                "retention_hours must be a positive number, got {retention_hours}."
            ))
            .into());
        }
        let capacity = usize::try_from(max_entries).map_err(|_| {
            Error::invalid(format!(
                "max_entries must be between 1 and {}, got {max_entries}.",
                stats::MAX_CAPACITY
            ))
        })?;
        let retention = Duration::from_secs_f64(retention_hours * 3600.0);
        Ok(PerformanceStats {
            window: Arc::new(StatsWindow::new(capacity, retention)?),
        })
    }

    /// Records one call that ran on `engine_used` ("gpu" counts as GPU, anything else as CPU),
    /// optionally saving `time_saved_ms` compared with the original (only positive values
    /// count).
    #[pyo3(signature = (engine_used, time_saved_ms = 0.0))]
    fn record(&self, py: Python<'_>, engine_used: &str, time_saved_ms: f64) {
        let engine = engine_from_name(engine_used);
        let window = &self.window;
        py.detach(|| window.push(Operation::External, engine, Duration::ZERO, time_saved_ms));
    }

    /// Records one timed operation (`duration_ms` milliseconds) under the name "external".
    #[pyo3(signature = (duration_ms, engine_used = "cpu"))]
    fn record_duration(&self, py: Python<'_>, duration_ms: f64, engine_used: &str) -> PyResult<()> {
        if !(duration_ms.is_finite() && duration_ms >= 0.0) {
            return Err(Error::invalid(format!(
                "duration_ms must be a non-negative number, got {duration_ms}."
            ))
            .into());
        }
        let engine = engine_from_name(engine_used);
        let duration = Duration::from_secs_f64(duration_ms / 1000.0);
        let window = &self.window;
        py.detach(|| window.push(Operation::External, engine, duration, 0.0));
        Ok(())
    }

    /// The statistics as a dict: `total_calls`, `gpu_calls`, `cpu_calls`, `time_saved_ms`,
    /// `speedup`, `total_tracked`, `max_entries` (the original's keys), plus `operations`:
    /// per operation the retained `count` and `mean_ms`, `p50_ms`, `p95_ms`, `p99_ms`.
    fn get_stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let window = &self.window;
        let (totals, retained, latencies) =
            py.detach(|| (window.totals(), window.retained(), window.latencies()));
        let speedup = if totals.total_calls == 0 {
            1.0
        } else {
            1.0 + totals.time_saved_ms / (totals.total_calls as f64 * 10.0)
        };
        let result = PyDict::new(py);
        result.set_item("total_calls", totals.total_calls)?;
        result.set_item("gpu_calls", totals.gpu_calls)?;
        result.set_item("cpu_calls", totals.cpu_calls)?;
        result.set_item("time_saved_ms", totals.time_saved_ms)?;
        result.set_item("speedup", speedup)?;
        result.set_item("total_tracked", retained)?;
        result.set_item("max_entries", window.capacity())?;
        let operations = PyDict::new(py);
        for (operation, latency) in latencies {
            let entry = PyDict::new(py);
            entry.set_item("count", latency.count)?;
            entry.set_item("mean_ms", latency.mean_ms)?;
            entry.set_item("p50_ms", latency.p50_ms)?;
            entry.set_item("p95_ms", latency.p95_ms)?;
            entry.set_item("p99_ms", latency.p99_ms)?;
            operations.set_item(operation.name(), entry)?;
        }
        result.set_item("operations", operations)?;
        Ok(result)
    }

    /// Same as [`PerformanceStats::get_stats`] (the original's name for a snapshot).
    fn copy<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.get_stats(py)
    }

    /// Forgets every event and counter.
    fn reset(&self) {
        self.window.reset();
    }

    /// Most events kept.
    #[getter]
    fn max_entries(&self) -> usize {
        self.window.capacity()
    }

    /// Retention window in hours.
    #[getter]
    fn retention_hours(&self) -> f64 {
        self.window.retention().as_secs_f64() / 3600.0
    }

    /// Events currently retained.
    fn __len__(&self) -> usize {
        self.window.retained()
    }

    /// Memory held by the object: fixed at construction, whatever the number of records.
    fn __sizeof__(&self) -> usize {
        std::mem::size_of::<StatsWindow>()
            + self.window.capacity() * std::mem::size_of::<[u64; 5]>()
    }
}

/// The process-wide statistics object that native operations feed when tracking is on.
#[pyfunction]
fn global_stats() -> PerformanceStats {
    PerformanceStats {
        window: Arc::clone(stats::global()),
    }
}

/// Turns process-wide tracking of native operations on or off.
#[pyfunction]
fn set_tracking(enabled: bool) {
    stats::set_enabled(enabled);
}

/// Whether native operations are being tracked.
#[pyfunction]
fn is_tracking() -> bool {
    stats::is_enabled()
}
