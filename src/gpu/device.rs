//! The CUDA device as the aggregations use it: one context on device 0, one stream, and one
//! module compiled by NVRTC from `kernels.cu`, set up on first use and kept for the process.
//!
//! Owns: opening the driver and NVRTC through cudarc (dynamically loaded, so nothing is needed
//! at build time), compiling the kernels, serialising GPU jobs, and turning every CUDA failure
//! (including a panic inside cudarc, which it raises when a library cannot be loaded) into
//! [`Error::GpuFailed`] or [`Error::GpuNotAvailable`].
//!
//! Must never: be touched before the driver probe found a device (cudarc panics when it cannot
//! load a library), keep more than the one context and module, or hold device memory after a
//! job (every buffer is freed when its job returns).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, OnceLock};

use cudarc::driver::{
    CudaContext, CudaFunction, CudaModule, CudaSlice, CudaStream, DeviceRepr, LaunchConfig,
    PushKernelArg, ValidAsZeroBits,
};
use cudarc::nvrtc::{compile_ptx_with_opts, CompileOptions};

use crate::errors::{Error, Result};

/// The kernel source, embedded so that the wheel needs no files besides the extension.
pub const KERNEL_SOURCE: &str = include_str!("kernels.cu");

/// Threads per block of the row-parallel kernels.
pub const BLOCK_THREADS: u32 = 256;

/// Threads of the one-block scans; must equal `SCAN_THREADS` in `kernels.cu`.
pub const SCAN_THREADS: u32 = 1024;

/// Blocks of the grid-stride kernels: enough to fill a large GPU, few enough that the grid is
/// cheap to launch for small inputs.
const MAX_STRIDE_BLOCKS: u64 = 4096;

/// The compiled kernels and what they run on.
pub struct Device {
    stream: Arc<CudaStream>,
    // Kept so the functions' module outlives them; never unloaded (see the module docs).
    _module: Arc<CudaModule>,
    kernels: Kernels,
    /// What was set up, for `get_engine_info()`.
    pub info: DeviceInfo,
}

/// Facts about the device and the compiler, reported by `get_engine_info()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// Name of device 0.
    pub name: String,
    /// Compute capability as (major, minor).
    pub compute_capability: (i32, i32),
    /// NVRTC's version as (major, minor).
    pub nvrtc_version: (i32, i32),
}

struct Kernels {
    first_invalid_row: CudaFunction,
    volume_chunk_totals: CudaFunction,
    scan_volume_totals: CudaFunction,
    volume_bar_starts: CudaFunction,
    volume_bar_starts_in_order: CudaFunction,
    window_bar_starts: CudaFunction,
    count_bar_starts: CudaFunction,
    scan_bar_counts: CudaFunction,
    write_bar_starts: CudaFunction,
    reduce_bars: CudaFunction,
}

/// The device, set up once. A failed setup is remembered too: retrying NVRTC on every call
/// would cost a compile each time, and a driver or NVRTC installed later needs a new process.
fn cached() -> &'static std::result::Result<Device, String> {
    static DEVICE: OnceLock<std::result::Result<Device, String>> = OnceLock::new();
    DEVICE.get_or_init(|| guarded(set_up).unwrap_or_else(|panic| Err(panic.to_string())))
}

/// The device, or why there is none.
pub fn device() -> Result<&'static Device> {
    cached()
        .as_ref()
        .map_err(|reason| Error::GpuNotAvailable(reason.clone()))
}

/// Runs `job` on the device, one job at a time (the module and the stream are shared), with
/// any panic inside cudarc reported as a GPU failure.
pub fn run<T>(job: impl FnOnce(&Device) -> Result<T>) -> Result<T> {
    static JOBS: Mutex<()> = Mutex::new(());
    let device = device()?;
    // A job that panicked left nothing behind that the next one could trip over (its buffers
    // were freed while unwinding), so a poisoned lock is simply taken over.
    let _turn = JOBS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    guarded(|| job(device))
        .and_then(|result| result)
        .map_err(|error| match error {
            Error::GpuNotAvailable(reason) => Error::GpuFailed(reason),
            other => other,
        })
}

/// Calls `work`, turning a panic into a GPU failure.
fn guarded<T>(work: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(work)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|text| text.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        Error::GpuFailed(format!("the CUDA library failed: {message}"))
    })
}

fn set_up() -> std::result::Result<Device, String> {
    let driver = super::probe()?;
    if driver.devices == 0 {
        return Err("the CUDA driver sees no device".to_owned());
    }
    // cudarc panics when it cannot open a library, so ask first.
    // SAFETY: these only try to open the libraries by name; nothing is called in them.
    if !unsafe { cudarc::driver::sys::is_culib_present() } {
        return Err("the CUDA driver library could not be loaded".to_owned());
    }
    if !unsafe { cudarc::nvrtc::sys::is_culib_present() } {
        return Err(
            "NVRTC (libnvrtc, the CUDA run-time compiler) could not be loaded; \
                    install the CUDA toolkit or `pip install nvidia-cuda-nvrtc-cu12` and put \
                    its lib folder on the library path"
                .to_owned(),
        );
    }
    let context = CudaContext::new(0).map_err(|error| format!("no CUDA context: {error}"))?;
    let name = context
        .name()
        .unwrap_or_else(|_| "unknown device".to_owned());
    let compute_capability = context
        .compute_capability()
        .map_err(|error| format!("the device has no compute capability: {error}"))?;
    let nvrtc_version = nvrtc_version();
    let ptx = compile_kernels().map_err(|error| format!("the kernels did not compile: {error}"))?;
    // TODO: PTX from an NVRTC newer than the driver is refused (the driver cannot read its PTX
    // version); that is reported here, and "auto" then stays on the CPU, but no older PTX
    // target is tried, and this has not been checked against real driver/NVRTC pairs.
    let module = context
        .load_module(ptx)
        .map_err(|error| format!("the driver refused the compiled kernels: {error}"))?;
    let load = |name: &str| {
        module
            .load_function(name)
            .map_err(|error| format!("the kernel {name} is missing: {error}"))
    };
    let kernels = Kernels {
        first_invalid_row: load("first_invalid_row")?,
        volume_chunk_totals: load("volume_chunk_totals")?,
        scan_volume_totals: load("scan_volume_totals")?,
        volume_bar_starts: load("volume_bar_starts")?,
        volume_bar_starts_in_order: load("volume_bar_starts_in_order")?,
        window_bar_starts: load("window_bar_starts")?,
        count_bar_starts: load("count_bar_starts")?,
        scan_bar_counts: load("scan_bar_counts")?,
        write_bar_starts: load("write_bar_starts")?,
        reduce_bars: load("reduce_bars")?,
    };
    Ok(Device {
        stream: context.default_stream(),
        _module: module,
        kernels,
        info: DeviceInfo {
            name,
            compute_capability,
            nvrtc_version,
        },
    })
}

/// Compiles `kernels.cu` to PTX for the default virtual architecture, which the driver
/// finishes for whatever device it runs on.
pub fn compile_kernels() -> std::result::Result<cudarc::nvrtc::Ptx, String> {
    let options = CompileOptions {
        // A fused multiply-add rounds once where the CPU rounds twice.
        fmad: Some(false),
        prec_div: Some(true),
        name: Some("kimsfinance_kernels.cu".to_owned()),
        ..Default::default()
    };
    guarded(|| compile_ptx_with_opts(KERNEL_SOURCE, options))
        .map_err(|error| error.to_string())?
        .map_err(|error| error.to_string())
}

/// NVRTC's version, or (0, 0) when it does not say.
pub fn nvrtc_version() -> (i32, i32) {
    let (mut major, mut minor) = (0, 0);
    // SAFETY: both pointers point to live locals; the library was found present.
    let status = unsafe { cudarc::nvrtc::sys::nvrtcVersion(&mut major, &mut minor) };
    if status == cudarc::nvrtc::sys::nvrtcResult::NVRTC_SUCCESS {
        (major, minor)
    } else {
        (0, 0)
    }
}

/// Wraps a CUDA driver error with what was being done.
fn failed(what: &str) -> impl FnOnce(cudarc::driver::DriverError) -> Error + '_ {
    move |error| Error::GpuFailed(format!("the GPU failed while {what}: {error}"))
}

/// Kernel arguments for one launch; `launch` consumes them.
pub(super) struct Launch<'a> {
    args: cudarc::driver::LaunchArgs<'a>,
    name: &'static str,
}

impl<'a> Launch<'a> {
    /// Adds an argument (a device buffer or a plain value).
    pub fn arg<T>(mut self, value: &'a T) -> Self
    where
        cudarc::driver::LaunchArgs<'a>: PushKernelArg<&'a T>,
    {
        self.args.arg(value);
        self
    }

    /// Launches on `blocks` blocks of `threads` threads.
    pub fn launch(mut self, blocks: u64, threads: u32) -> Result<()> {
        let blocks = u32::try_from(blocks.max(1)).map_err(|_| {
            Error::GpuFailed(format!(
                "{} would need {blocks} blocks, more than a grid holds",
                self.name
            ))
        })?;
        let config = LaunchConfig {
            grid_dim: (blocks, 1, 1),
            block_dim: (threads, 1, 1),
            shared_mem_bytes: 0,
        };
        // SAFETY: every launch in `gpu::bars` passes the arguments its kernel declares, in
        // order and of the declared types, with buffers at least as long as the counts passed.
        unsafe { self.args.launch(config) }
            .map(|_| ())
            .map_err(failed(self.name))
    }
}

impl Device {
    /// Copies `values` to a new device buffer.
    pub fn upload<T: DeviceRepr>(&self, values: &[T]) -> Result<CudaSlice<T>> {
        self.stream
            .clone_htod(values)
            .map_err(failed("copying the input to the device"))
    }

    /// Copies `values` into `buffer` from element `offset` on.
    pub fn upload_at<T: DeviceRepr>(
        &self,
        values: &[T],
        buffer: &mut CudaSlice<T>,
        offset: usize,
    ) -> Result<()> {
        let mut target = buffer.slice_mut(offset..offset + values.len());
        self.stream
            .memcpy_htod(values, &mut target)
            .map_err(failed("copying the input to the device"))
    }

    /// A zeroed device buffer of `len` elements (at least one, so it is never null).
    pub fn zeros<T: DeviceRepr + ValidAsZeroBits>(&self, len: usize) -> Result<CudaSlice<T>> {
        self.stream
            .alloc_zeros(len.max(1))
            .map_err(failed("allocating device memory"))
    }

    /// The device buffer's contents, copied back.
    pub fn download<T: DeviceRepr>(&self, buffer: &CudaSlice<T>) -> Result<Vec<T>> {
        self.stream
            .clone_dtoh(buffer)
            .map_err(failed("copying the result from the device"))
    }

    /// Starts a launch of the kernel chosen by `pick`.
    pub(super) fn kernel(&self, pick: fn(&Device) -> (&CudaFunction, &'static str)) -> Launch<'_> {
        let (function, name) = pick(self);
        Launch {
            args: self.stream.launch_builder(function),
            name,
        }
    }

    /// Blocks for a grid-stride kernel over `count` rows.
    pub fn stride_blocks(count: u64) -> u64 {
        count
            .div_ceil(u64::from(BLOCK_THREADS))
            .clamp(1, MAX_STRIDE_BLOCKS)
    }
}

/// The kernels by name, for [`Device::kernel`].
pub(super) mod kernel {
    use super::{CudaFunction, Device};

    macro_rules! pickers {
        ($($name:ident),*) => {$(
            pub fn $name(device: &Device) -> (&CudaFunction, &'static str) {
                (&device.kernels.$name, stringify!($name))
            }
        )*};
    }

    pickers!(
        first_invalid_row,
        volume_chunk_totals,
        scan_volume_totals,
        volume_bar_starts,
        volume_bar_starts_in_order,
        window_bar_starts,
        count_bar_starts,
        scan_bar_counts,
        write_bar_starts,
        reduce_bars
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kernel names that `set_up` loads.
    const KERNEL_NAMES: [&str; 10] = [
        "first_invalid_row",
        "volume_chunk_totals",
        "scan_volume_totals",
        "volume_bar_starts",
        "volume_bar_starts_in_order",
        "window_bar_starts",
        "count_bar_starts",
        "scan_bar_counts",
        "write_bar_starts",
        "reduce_bars",
    ];

    #[test]
    fn the_kernel_source_compiles_wherever_nvrtc_loads() {
        // NVRTC needs no GPU, only its library (the CUDA toolkit, or the pip package
        // nvidia-cuda-nvrtc-cu12 with its lib folder on LD_LIBRARY_PATH). Without it there is
        // nothing to check here; the engine reports the missing library instead.
        // SAFETY: only opens the library by name.
        if !unsafe { cudarc::nvrtc::sys::is_culib_present() } {
            return;
        }
        let ptx = compile_kernels().unwrap().to_src();
        for name in KERNEL_NAMES {
            assert!(
                ptx.contains(&format!(".entry {name}(")),
                "{name} is not in the PTX"
            );
        }
        assert!(nvrtc_version().0 >= 11);
    }

    #[test]
    fn the_scan_width_matches_the_kernel_source() {
        assert!(KERNEL_SOURCE.contains(&format!("#define SCAN_THREADS {SCAN_THREADS}")));
    }

    #[test]
    fn without_a_device_the_engine_says_why_and_never_panics() {
        match device() {
            Ok(device) => assert!(!device.info.name.is_empty()),
            Err(error) => {
                assert!(matches!(error, Error::GpuNotAvailable(_)));
                assert!(!error.to_string().is_empty());
                // The failure is remembered, and a job reports it without running.
                assert!(run(|_| Ok(())).is_err());
            }
        }
    }
}
