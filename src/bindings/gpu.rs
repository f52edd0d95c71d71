//! `#[pyfunction]` wrappers for GPU detection and the GPU engine's set-up, used by
//! `kimsfinance.core.engine`.

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::gpu;

pub(super) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(cuda_driver_info, module)?)?;
    module.add_function(wrap_pyfunction!(cuda_kernel_info, module)?)?;
    // Whether this build has CUDA kernels at all (the cargo feature `cuda`); whether they can
    // run here is `cuda_kernel_info()`.
    module.add("CUDA_KERNELS", gpu::KERNELS_BUILT)?;
    Ok(())
}

/// Sets the GPU engine up (once per process: CUDA context on device 0, kernels compiled by
/// NVRTC) and reports it as a dict: `available`, `reason` (why not, or None), `device_name`,
/// `compute_capability` ("9.0") and `nvrtc_version` ("12.4"), the last three None when not
/// available. Never raises. Call it only after `cuda_driver_info()` saw a device: it is the
/// first call that opens NVRTC, and compiling the kernels takes a moment.
#[pyfunction]
fn cuda_kernel_info(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let status = py.detach(gpu::kernel_status);
    let info = PyDict::new(py);
    match status {
        Ok(kernels) => {
            let (major, minor) = kernels.compute_capability;
            let (nvrtc_major, nvrtc_minor) = kernels.nvrtc_version;
            info.set_item("available", true)?;
            info.set_item("reason", py.None())?;
            info.set_item("device_name", kernels.device_name)?;
            info.set_item("compute_capability", format!("{major}.{minor}"))?;
            info.set_item("nvrtc_version", format!("{nvrtc_major}.{nvrtc_minor}"))?;
        }
        Err(reason) => {
            info.set_item("available", false)?;
            info.set_item("reason", reason)?;
            for key in ["device_name", "compute_capability", "nvrtc_version"] {
                info.set_item(key, py.None())?;
            }
        }
    }
    Ok(info)
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
