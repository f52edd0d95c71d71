"""Type stubs for ``kimsfinance._native``, the Rust core.

These functions are the boundary the Python facade calls; users should prefer the public
functions in :mod:`kimsfinance.plotting` and :mod:`kimsfinance.data`, which validate and
normalise arguments first. Every function that draws or encodes releases the GIL.
"""

from collections.abc import Callable
from os import PathLike
from typing import Any

import numpy as np
import numpy.typing as npt

__version__: str

Rgba = tuple[int, int, int, int]
Pixels = npt.NDArray[np.uint8]

def theme_names() -> list[str]:
    """Names of the built-in themes."""

def render_candles(
    open: Any,
    high: Any,
    low: Any,
    close: Any,
    volume: Any,
    *,
    width: int,
    height: int,
    theme: str,
    bg_color: Rgba | None,
    up_color: Rgba | None,
    down_color: Rgba | None,
    wick_width_ratio: float,
    rgba: bool,
    show_grid: bool,
    batch: bool | None,
    hollow: bool,
) -> Pixels:
    """Candlestick (or hollow-candle) chart as an ``(H, W, 4|3)`` array owning Rust's buffer."""

def render_ohlc_bars(
    open: Any,
    high: Any,
    low: Any,
    close: Any,
    volume: Any,
    *,
    width: int,
    height: int,
    theme: str,
    bg_color: Rgba | None,
    up_color: Rgba | None,
    down_color: Rgba | None,
    rgba: bool,
    show_grid: bool,
) -> Pixels:
    """OHLC bar chart."""

def render_line_chart(
    high: Any,
    low: Any,
    close: Any,
    volume: Any,
    *,
    width: int,
    height: int,
    theme: str,
    bg_color: Rgba | None,
    line_color: Rgba | None,
    line_width: float,
    fill_area: bool,
    rgba: bool,
    show_grid: bool,
    antialias: bool,
) -> Pixels:
    """Line chart of the closes."""

def render_renko_chart(
    high: Any,
    low: Any,
    close: Any,
    *,
    width: int,
    height: int,
    theme: str,
    bg_color: Rgba | None,
    up_color: Rgba | None,
    down_color: Rgba | None,
    box_size: float | None,
    reversal_boxes: int,
    rgba: bool,
    show_grid: bool,
) -> Pixels:
    """Renko chart."""

def render_pnf_chart(
    high: Any,
    low: Any,
    close: Any,
    *,
    width: int,
    height: int,
    theme: str,
    bg_color: Rgba | None,
    up_color: Rgba | None,
    down_color: Rgba | None,
    box_size: float | None,
    reversal_boxes: int,
    rgba: bool,
    show_grid: bool,
    antialias: bool,
) -> Pixels:
    """Point and Figure chart."""

def renko_bricks(
    high: Any, low: Any, close: Any, *, box_size: float | None, reversal_boxes: int
) -> list[dict[str, Any]]:
    """Renko bricks as ``[{"price": float, "direction": 1 | -1}, ...]``."""

def pnf_columns(
    high: Any, low: Any, close: Any, *, box_size: float | None, reversal_boxes: int
) -> list[dict[str, Any]]:
    """Point and Figure columns as ``[{"type": "X" | "O", "boxes": [...], "start_idx": int}]``."""

class ChartSpec:
    """A chart type with its options checked and resolved, made by the ``*_spec`` functions
    and used by the ``render_batch_*`` functions for any number of charts."""

    @property
    def columns(self) -> list[str]:
        """Names of the columns each dataset gives, in order, e.g. ``["high", "low", "close"]``."""

def candle_spec(
    *,
    width: int,
    height: int,
    theme: str,
    bg_color: Rgba | None,
    up_color: Rgba | None,
    down_color: Rgba | None,
    wick_width_ratio: float,
    rgba: bool,
    show_grid: bool,
    batch: bool | None,
    hollow: bool,
) -> ChartSpec:
    """Candlestick (or hollow-candle) charts; arguments and checks as for ``render_candles``."""

def ohlc_bars_spec(
    *,
    width: int,
    height: int,
    theme: str,
    bg_color: Rgba | None,
    up_color: Rgba | None,
    down_color: Rgba | None,
    rgba: bool,
    show_grid: bool,
) -> ChartSpec:
    """OHLC bar charts; arguments as for ``render_ohlc_bars``."""

def line_spec(
    *,
    width: int,
    height: int,
    theme: str,
    bg_color: Rgba | None,
    line_color: Rgba | None,
    line_width: float,
    fill_area: bool,
    rgba: bool,
    show_grid: bool,
    antialias: bool,
) -> ChartSpec:
    """Line charts; arguments as for ``render_line_chart``."""

def renko_spec(
    *,
    width: int,
    height: int,
    theme: str,
    bg_color: Rgba | None,
    up_color: Rgba | None,
    down_color: Rgba | None,
    box_size: float | None,
    reversal_boxes: int,
    rgba: bool,
    show_grid: bool,
) -> ChartSpec:
    """Renko charts; box size and reversal count are checked as each chart is drawn."""

def pnf_spec(
    *,
    width: int,
    height: int,
    theme: str,
    bg_color: Rgba | None,
    up_color: Rgba | None,
    down_color: Rgba | None,
    box_size: float | None,
    reversal_boxes: int,
    rgba: bool,
    show_grid: bool,
    antialias: bool,
) -> ChartSpec:
    """Point and Figure charts; box size and reversal count are checked as each is drawn."""

# A dataset of a batch is a sequence of the columns its spec reads, in order: open, high, low,
# close, volume (candles, OHLC bars); high, low, close, volume (line); high, low, close (Renko,
# Point and Figure). Every batch function borrows all columns and checks every dataset before
# drawing, then draws without the GIL on ``num_workers`` native threads (None: one per core),
# calls ``progress(done, total)`` from the calling thread, and stops on Ctrl-C or when
# ``progress`` raises. Errors of one chart start with "dataset N: ".

def render_batch_pixels(
    spec: ChartSpec,
    datasets: list[tuple[Any, ...]],
    *,
    num_workers: int | None = None,
    progress: Callable[[int, int], Any] | None = None,
) -> list[Pixels]:
    """One ``(H, W, 4|3)`` array per dataset, in input order, each owning Rust's buffer."""

def render_batch_bytes(
    spec: ChartSpec,
    datasets: list[tuple[Any, ...]],
    *,
    format: str,
    speed: str,
    quality: int | None = None,
    num_workers: int | None = None,
    progress: Callable[[int, int], Any] | None = None,
) -> list[bytes]:
    """One encoded image (png, webp, jpeg, bmp or tiff) per dataset, in input order."""

def render_batch_files(
    spec: ChartSpec,
    datasets: list[tuple[Any, ...]],
    paths: list[str | PathLike[str]],
    formats: list[str],
    *,
    speed: str,
    quality: int | None = None,
    num_workers: int | None = None,
    progress: Callable[[int, int], Any] | None = None,
) -> None:
    """Writes chart ``i`` to ``paths[i]`` in ``formats[i]``, atomically, as soon as it is
    drawn; only one chart per worker is in memory at a time."""

def encode_image(
    pixels: Pixels, format: str, speed: str = "balanced", quality: int | None = None
) -> bytes:
    """Encodes a C-contiguous ``(H, W, 3|4)`` uint8 array as png, webp, jpeg, bmp or tiff."""

def save_image(
    pixels: Pixels,
    path: str | PathLike[str],
    format: str,
    speed: str = "balanced",
    quality: int | None = None,
) -> None:
    """Encodes and writes atomically (temporary file in the same folder, then rename)."""

def write_file_atomic(path: str | PathLike[str], data: bytes) -> None:
    """Writes ``data`` atomically."""

def render_candles_svg(
    open: Any,
    high: Any,
    low: Any,
    close: Any,
    volume: Any | None,
    *,
    width: int,
    height: int,
    theme: str,
    bg_color: Rgba | None,
    up_color: Rgba | None,
    down_color: Rgba | None,
    show_grid: bool,
    hollow: bool,
) -> str:
    """Candlestick (or hollow-candle) chart as an SVG document; ``volume=None``: no volume panel."""

def render_ohlc_bars_svg(
    open: Any,
    high: Any,
    low: Any,
    close: Any,
    volume: Any | None,
    *,
    width: int,
    height: int,
    theme: str,
    bg_color: Rgba | None,
    up_color: Rgba | None,
    down_color: Rgba | None,
    show_grid: bool,
) -> str:
    """OHLC bar chart as an SVG document."""

def render_line_chart_svg(
    high: Any,
    low: Any,
    close: Any,
    volume: Any | None,
    *,
    width: int,
    height: int,
    theme: str,
    bg_color: Rgba | None,
    line_color: Rgba | None,
    line_width: float,
    fill_area: bool,
    show_grid: bool,
) -> str:
    """Line chart of the closes as an SVG document."""

def render_renko_chart_svg(
    high: Any,
    low: Any,
    close: Any,
    volume: Any | None,
    *,
    width: int,
    height: int,
    theme: str,
    bg_color: Rgba | None,
    up_color: Rgba | None,
    down_color: Rgba | None,
    box_size: float | None,
    reversal_boxes: int,
    show_grid: bool,
) -> str:
    """Renko chart as an SVG document; ``volume`` only adds placeholder volume bars."""

def render_pnf_chart_svg(
    high: Any,
    low: Any,
    close: Any,
    *,
    width: int,
    height: int,
    theme: str,
    bg_color: Rgba | None,
    up_color: Rgba | None,
    down_color: Rgba | None,
    box_size: float | None,
    reversal_boxes: int,
    show_grid: bool,
) -> str:
    """Point and Figure chart as an SVG document."""

def write_svg_file(document: str, path: str | PathLike[str], *, compress: bool) -> None:
    """Writes an SVG document atomically: gzip level 9 when ``compress`` (``.svgz``), else
    the text after an XML declaration."""

def sma(values: Any, window: int) -> npt.NDArray[np.float64]:
    """Simple moving average (pandas' ``rolling(window).mean()``), NaN during the warm-up."""

def ema(values: Any, span: int) -> npt.NDArray[np.float64]:
    """Exponential moving average (pandas' ``ewm(span=span, adjust=False).mean()``)."""

# --- aggregations: each takes int64 timestamps (datetime64 viewed as int64, in the input's
# unit) and numeric columns read in place, releases the GIL, and returns the bars as
# (timestamps int64, open, high, low, close, volume float64) arrays owning Rust's buffers.
# ``assume_sorted=True`` refuses unsorted timestamps instead of sorting them; ``names`` are the
# timestamp, price and volume column names used in error messages. ``tick_bars``,
# ``volume_bars`` and ``resample_bars`` also take ``engine`` ("cpu" or "gpu", as the engine
# model chose it) and ``fall_back_to_cpu``: when set, a GPU failure warns (RuntimeWarning) and
# the CPU computes the bars; otherwise it raises (GPUNotAvailableError or EngineError).

Int64Array = npt.NDArray[np.int64]
Float64Array = npt.NDArray[np.float64]
BarArrays = tuple[Int64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array]

def tick_bars(
    timestamps: Int64Array,
    price: Any,
    volume: Any,
    *,
    tick_size: int,
    assume_sorted: bool,
    names: tuple[str, str, str],
    engine: str = "cpu",
    fall_back_to_cpu: bool = False,
) -> BarArrays:
    """Bars of ``tick_size`` ticks each (the last may hold fewer)."""

def volume_bars(
    timestamps: Int64Array,
    price: Any,
    volume: Any,
    *,
    volume_size: float,
    assume_sorted: bool,
    names: tuple[str, str, str],
    engine: str = "cpu",
    fall_back_to_cpu: bool = False,
) -> BarArrays:
    """Bars by running volume: tick ``i`` is in bar ``trunc(cum_volume_i / volume_size)``."""

def range_bars(
    timestamps: Int64Array,
    price: Any,
    volume: Any,
    *,
    range_size: float,
    assume_sorted: bool,
    names: tuple[str, str, str],
) -> BarArrays:
    """Range bars closing when ``high - low >= range_size``."""

def kagi_bars(
    timestamps: Int64Array,
    price: Any,
    volume: Any,
    *,
    reversal_amount: float | None,
    reversal_pct: float | None,
    assume_sorted: bool,
    names: tuple[str, str, str],
) -> BarArrays:
    """Kagi lines; exactly one of ``reversal_amount`` and ``reversal_pct`` must be given."""

def line_break_bars(
    timestamps: Int64Array,
    price: Any,
    volume: Any,
    *,
    num_lines: int,
    assume_sorted: bool,
    names: tuple[str, str, str],
) -> BarArrays:
    """N-line break lines."""

def resample_bars(
    timestamps: Int64Array,
    open: Any,
    high: Any,
    low: Any,
    close: Any,
    volume: Any | None,
    *,
    every: str,
    unit_nanoseconds: int,
    assume_sorted: bool,
    timestamp_name: str,
    engine: str = "cpu",
    fall_back_to_cpu: bool = False,
) -> BarArrays:
    """OHLC(V) rows in epoch-aligned windows of ``every`` ("5m", "1h30m", "1w", ...);
    ``unit_nanoseconds`` is the length of one timestamp unit. Volume is 0 without ``volume``."""

def volume_sum(volume: Any) -> float:
    """Total volume (compensated sum); volumes must be finite and not negative."""

def volume_weighted_price(prices: Any, volume: Any) -> float:
    """``sum(prices * volume) / sum(volume)``; NaN when the volume sums to zero."""

def rolling_sum(values: Any, window: int) -> Float64Array:
    """Sum of the last ``window`` values, NaN for the warm-up and windows holding a NaN."""

def rolling_mean(values: Any, window: int) -> Float64Array:
    """Mean of the last ``window`` values, with ``rolling_sum``'s NaN rules."""

def cumulative_sum(values: Any) -> Int64Array | Float64Array:
    """Running total: int64 for integer input (overflow raises), float64 for float input."""

# --- GPU detection and set-up

#: Whether this build has the CUDA kernels (the cargo feature ``cuda``, on by default).
CUDA_KERNELS: bool

def cuda_driver_info() -> dict[str, Any]:
    """What the CUDA driver (loaded at run time) reports: ``driver_loaded``,
    ``driver_version``, ``device_count``, ``device_name``, ``reason``. Never raises."""

def cuda_kernel_info() -> dict[str, Any]:
    """Sets the GPU engine up once per process (CUDA context, kernels compiled by NVRTC) and
    reports ``available``, ``reason``, ``device_name``, ``compute_capability`` and
    ``nvrtc_version``. Never raises; call it only once ``cuda_driver_info`` saw a device."""

class PerformanceStats:
    """Bounded, thread-safe performance statistics (ring buffer allocated once)."""

    def __init__(self, max_entries: int = 10_000, retention_hours: float = 24.0) -> None: ...
    def record(self, engine_used: str, time_saved_ms: float = 0.0) -> None: ...
    def record_duration(self, duration_ms: float, engine_used: str = "cpu") -> None: ...
    def get_stats(self) -> dict[str, Any]: ...
    def copy(self) -> dict[str, Any]: ...
    def reset(self) -> None: ...
    @property
    def max_entries(self) -> int: ...
    @property
    def retention_hours(self) -> float: ...
    def __len__(self) -> int: ...

def global_stats() -> PerformanceStats:
    """The process-wide statistics object fed by native operations when tracking is on."""

def set_tracking(enabled: bool) -> None:
    """Turns process-wide tracking of native operations on or off."""

def is_tracking() -> bool:
    """Whether native operations are being tracked."""

def _raise_panic_for_tests() -> None:
    """Panics inside the native core; the panic arrives as ``EngineError``."""
