//! The GPU engine: detecting a CUDA driver, and the CUDA versions of the aggregations that
//! parallelise (tick bars, volume bars, time bars).
//!
//! Owns: loading the CUDA driver library (`libcuda.so.1`, `nvcuda.dll`) at run time and asking
//! it for its version and devices ([`probe`]); with the cargo feature `cuda` (on by default),
//! the one CUDA context, stream and NVRTC-compiled module of the process ([`device`]) and one
//! function per aggregation ([`tick_bars`], [`volume_bars`], [`resample`]) returning the same
//! [`Bars`] as its CPU twin, bit for bit. Nothing links against CUDA at build time (cudarc opens
//! the driver and NVRTC with dlopen), so the extension builds and imports on machines without
//! it; a missing or broken driver is reported as an absent GPU, never as an error at import.
//!
//! Must never: unload the driver once it has been initialised (CUDA keeps threads and state
//! that outlive `cuInit`), touch cudarc before [`probe`] has seen a device (cudarc panics when
//! it cannot load a library), or hold the GIL (the bindings call in with it released).
//!
//! Errors: [`Error::GpuNotAvailable`] when there is no usable device or this build has no
//! kernels, [`Error::GpuFailed`] when CUDA fails during a call; data errors are the CPU path's,
//! word for word. The Python engine model decides whether a failure falls back to the CPU.
//!
//! Limitations: range, Kagi and line-break bars stay on the CPU (see `bars.rs`); timestamps are
//! checked for order and missing values on the host by [`Rows::new`] before either engine runs.
//!
//! Testing without a GPU: `tests/test_gpu_kernels_emulated.py` runs `kernels.cu` as C++ under a
//! CPU model of CUDA's execution and compares with the CPU path; the `device` tests compile it
//! with NVRTC wherever that library loads (no device needed).
//!
//! TODO: these kernels have not yet run on a real GPU. The parity tests (`tests/test_gpu.py`,
//! the tests in `bars.rs`) and `benches/gpu_bench.py` skip or stop without one, so the cudarc
//! calls, the launches and the device's arithmetic are unverified, and so is the speed.

use std::ffi::{c_char, c_int, c_uint, CStr};
use std::sync::OnceLock;

use libloading::Library;

use crate::aggregate::rows::Rows;
use crate::aggregate::Bars;
use crate::errors;
#[cfg(not(feature = "cuda"))]
use crate::errors::Error;

#[cfg(feature = "cuda")]
mod bars;
#[cfg(feature = "cuda")]
pub mod device;

/// Whether this build has the CUDA kernels (the cargo feature `cuda`).
pub const KERNELS_BUILT: bool = cfg!(feature = "cuda");

/// What the GPU engine set up: the device and the compiler that built the kernels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelInfo {
    /// Name of device 0.
    pub device_name: String,
    /// Compute capability as (major, minor).
    pub compute_capability: (i32, i32),
    /// NVRTC's version as (major, minor).
    pub nvrtc_version: (i32, i32),
}

/// Sets the GPU engine up (once per process: context, stream, kernels compiled by NVRTC) and
/// says what it runs on, or why it cannot run.
pub fn kernel_status() -> std::result::Result<KernelInfo, String> {
    #[cfg(feature = "cuda")]
    {
        device::device()
            .map(|device| KernelInfo {
                device_name: device.info.name.clone(),
                compute_capability: device.info.compute_capability,
                nvrtc_version: device.info.nvrtc_version,
            })
            .map_err(|error| error.to_string())
    }
    #[cfg(not(feature = "cuda"))]
    {
        Err(NO_KERNELS.to_owned())
    }
}

#[cfg(not(feature = "cuda"))]
const NO_KERNELS: &str = "this build of kimsfinance has no CUDA kernels (built without the \
                          `cuda` feature)";

/// Tick bars on the GPU: the same bars as [`crate::aggregate::bars::tick_bars`].
pub fn tick_bars(ticks: &Rows<'_, 2>, tick_size: i64) -> errors::Result<Bars> {
    #[cfg(feature = "cuda")]
    return bars::tick_bars(ticks, tick_size);
    #[cfg(not(feature = "cuda"))]
    {
        let _ = (ticks, tick_size);
        Err(Error::GpuNotAvailable(NO_KERNELS.to_owned()))
    }
}

/// Volume bars on the GPU: the same bars as [`crate::aggregate::bars::volume_bars`].
pub fn volume_bars(ticks: &Rows<'_, 2>, volume_size: f64) -> errors::Result<Bars> {
    #[cfg(feature = "cuda")]
    return bars::volume_bars(ticks, volume_size);
    #[cfg(not(feature = "cuda"))]
    {
        let _ = (ticks, volume_size);
        Err(Error::GpuNotAvailable(NO_KERNELS.to_owned()))
    }
}

/// Time bars on the GPU: the same bars as [`crate::aggregate::resample::resample`].
pub fn resample<const N: usize>(
    rows: &Rows<'_, N>,
    every: &str,
    unit_nanoseconds: i64,
) -> errors::Result<Bars> {
    #[cfg(feature = "cuda")]
    return bars::resample(rows, every, unit_nanoseconds);
    #[cfg(not(feature = "cuda"))]
    {
        let _ = (rows, every, unit_nanoseconds);
        Err(Error::GpuNotAvailable(NO_KERNELS.to_owned()))
    }
}

/// What the CUDA driver reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CudaDriver {
    /// The driver's CUDA version as CUDA encodes it (12040 is 12.4).
    pub version: i32,
    /// Number of CUDA devices the driver sees.
    pub devices: i32,
    /// Name of device 0, when there is one.
    pub first_device: Option<String>,
}

#[cfg(target_os = "windows")]
const DRIVER_NAMES: &[&str] = &["nvcuda.dll"];
#[cfg(not(target_os = "windows"))]
const DRIVER_NAMES: &[&str] = &["libcuda.so.1", "libcuda.so"];

// CUDA's status code for success; every driver call returns one.
const CUDA_SUCCESS: c_int = 0;

type CuInit = unsafe extern "C" fn(flags: c_uint) -> c_int;
type CuDriverGetVersion = unsafe extern "C" fn(version: *mut c_int) -> c_int;
type CuDeviceGetCount = unsafe extern "C" fn(count: *mut c_int) -> c_int;
type CuDeviceGet = unsafe extern "C" fn(device: *mut c_int, ordinal: c_int) -> c_int;
type CuDeviceGetName =
    unsafe extern "C" fn(name: *mut c_char, length: c_int, device: c_int) -> c_int;

/// The driver library, loaded at most once per process and never unloaded.
fn driver_library() -> Result<&'static Library, String> {
    static DRIVER: OnceLock<Result<Library, String>> = OnceLock::new();
    DRIVER
        .get_or_init(|| {
            let mut reasons = Vec::new();
            for name in DRIVER_NAMES {
                // SAFETY: loading the CUDA driver runs its initialisers, which only set up the
                // library's own state; we keep it loaded for the life of the process.
                match unsafe { Library::new(*name) } {
                    Ok(library) => return Ok(library),
                    Err(error) => reasons.push(format!("{name}: {error}")),
                }
            }
            Err(format!(
                "no CUDA driver library could be loaded ({})",
                reasons.join("; ")
            ))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Asks the CUDA driver for its version and devices.
///
/// `Err` carries the reason no GPU is usable (no driver library, `cuInit` failed, ...); it is
/// information for `get_engine_info()`, not a failure of the caller.
pub fn probe() -> Result<CudaDriver, String> {
    let library = driver_library()?;
    let symbol_error =
        |name: &str, error: libloading::Error| format!("the CUDA driver has no {name} ({error})");
    // SAFETY: the signatures match the CUDA driver API (cuda.h), stable since CUDA 2; every
    // pointer handed over points to a live local of the right type and size.
    unsafe {
        let init = library
            .get::<CuInit>(b"cuInit\0")
            .map_err(|error| symbol_error("cuInit", error))?;
        let status = init(0);
        if status != CUDA_SUCCESS {
            return Err(format!("cuInit failed with CUDA error {status}"));
        }
        let get_version = library
            .get::<CuDriverGetVersion>(b"cuDriverGetVersion\0")
            .map_err(|error| symbol_error("cuDriverGetVersion", error))?;
        let mut version: c_int = 0;
        if get_version(&mut version) != CUDA_SUCCESS {
            version = 0;
        }
        let get_count = library
            .get::<CuDeviceGetCount>(b"cuDeviceGetCount\0")
            .map_err(|error| symbol_error("cuDeviceGetCount", error))?;
        let mut devices: c_int = 0;
        let status = get_count(&mut devices);
        if status != CUDA_SUCCESS {
            return Err(format!("cuDeviceGetCount failed with CUDA error {status}"));
        }
        let first_device = if devices > 0 {
            device_name(library, 0)
        } else {
            None
        };
        Ok(CudaDriver {
            version,
            devices,
            first_device,
        })
    }
}

/// Name of device `ordinal`, if the driver gives one.
///
/// # Safety
/// `cuInit` must have succeeded on `library`.
unsafe fn device_name(library: &Library, ordinal: c_int) -> Option<String> {
    let get_device = library.get::<CuDeviceGet>(b"cuDeviceGet\0").ok()?;
    let get_name = library.get::<CuDeviceGetName>(b"cuDeviceGetName\0").ok()?;
    let mut device: c_int = 0;
    if get_device(&mut device, ordinal) != CUDA_SUCCESS {
        return None;
    }
    let mut buffer = [0 as c_char; 256];
    if get_name(buffer.as_mut_ptr(), buffer.len() as c_int, device) != CUDA_SUCCESS {
        return None;
    }
    // The driver writes a NUL-terminated name that fits the buffer; the last byte is forced
    // to NUL anyway so a misbehaving driver cannot make us read past it.
    buffer[buffer.len() - 1] = 0;
    Some(
        CStr::from_ptr(buffer.as_ptr())
            .to_string_lossy()
            .into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probing_never_panics_and_explains_an_absent_gpu() {
        // On machines without CUDA (CI, this project's build hosts) the probe must report why;
        // with CUDA it must report at least the driver version.
        match probe() {
            Ok(driver) => assert!(driver.version > 0 && driver.devices >= 0),
            Err(reason) => assert!(!reason.is_empty()),
        }
        // A second probe reuses the loaded (or failed) library.
        let _ = probe();
    }
}
