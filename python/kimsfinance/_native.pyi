"""Type stubs for ``kimsfinance._native``, the Rust core.

These functions are the boundary the Python facade calls; users should prefer the public
functions in :mod:`kimsfinance.plotting` and :mod:`kimsfinance.data`, which validate and
normalise arguments first. Every function that draws or encodes releases the GIL.
"""

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

def sma(values: Any, window: int) -> npt.NDArray[np.float64]:
    """Simple moving average (pandas' ``rolling(window).mean()``), NaN during the warm-up."""

def ema(values: Any, span: int) -> npt.NDArray[np.float64]:
    """Exponential moving average (pandas' ``ewm(span=span, adjust=False).mean()``)."""

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
