//! GPU detection: is a CUDA driver installed, and does it see a device?
//!
//! Owns: loading the CUDA driver library (`libcuda.so.1`, `nvcuda.dll`) at run time and asking
//! it for its version and devices. Nothing links against CUDA at build time, so the extension
//! builds and imports on machines without it; a missing or broken driver is reported as an
//! absent GPU, never as an error.
//!
//! Must never: unload the driver once it has been initialised (CUDA keeps threads and state
//! that outlive `cuInit`), or call into it while holding the GIL for long (the probe is a few
//! driver calls, done once and cached by the Python engine model).
//!
//! Limitations: this only detects a GPU. The aggregations have no CUDA kernels yet, so the
//! engine model treats a detected GPU as "not usable for aggregations" (see
//! `kimsfinance.core.engine`).

use std::ffi::{c_char, c_int, c_uint, CStr};
use std::sync::OnceLock;

use libloading::Library;

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
                match unsafe { Library::new(name) } {
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
