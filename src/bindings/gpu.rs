//! `#[pyfunction]` wrapper for GPU detection, used by `kimsfinance.core.engine`.

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::gpu;

pub(super) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(cuda_driver_info, module)?)?;
    // No aggregation has CUDA kernels yet; the engine model reads this to decide whether a
    // detected GPU can be used at all.
    module.add("CUDA_KERNELS", false)?;
    Ok(())
}

/// What the CUDA driver reports, as a dict: `driver_loaded`, `driver_version` ("12.4" or
/// None), `device_count`, `device_name` (device 0, or None) and `reason` (why no GPU is usable,
/// or None). Never raises: a missing driver is an answer, not an error.
#[pyfunction]
fn cuda_driver_info(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let probe = py.detach(gpu::probe);
    let info = PyDict::new(py);
    match probe {
        Ok(driver) => {
            let version = format!("{}.{}", driver.version / 1000, (driver.version % 1000) / 10);
            info.set_item("driver_loaded", true)?;
            info.set_item("driver_version", version)?;
            info.set_item("device_count", driver.devices)?;
            info.set_item("device_name", driver.first_device)?;
            let reason = (driver.devices == 0).then_some("the CUDA driver sees no device");
            info.set_item("reason", reason)?;
        }
        Err(reason) => {
            info.set_item("driver_loaded", false)?;
            info.set_item("driver_version", py.None())?;
            info.set_item("device_count", 0)?;
            info.set_item("device_name", py.None())?;
            info.set_item("reason", reason)?;
        }
    }
    Ok(info)
}
