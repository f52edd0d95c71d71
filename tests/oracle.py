"""Test oracle: a pure Python model of what the original kimsfinance draws.

This module is test-only. It re-implements, from the public behaviour description of the
original Python library (our API catalogue, sections 4.1-4.7 and 9), the raster drawing of
every chart type with Pillow's ``ImageDraw`` and numpy, so that tests can generate the
expected pixels for *random* inputs (any row count, size, theme and colour overrides) and
compare the Rust renderer against them. No code of the original was consulted or copied.

``tests/test_oracle_matches_reference.py`` checks the model against the original's recorded
outputs in ``tests/data``: every recorded image is reproduced exactly. Points the description
left open, and what the recorded images settled (a different choice changes pixels there):

* Candle x: ``x_end = trunc(x_start + bar_width)`` and ``x_center = trunc(x_start +
  bar_width / 2)`` use the already *truncated* ``x_start``; OHLC ticks likewise use the
  truncated ``x_center`` (``trunc(x_center -/+ 0.4 * slot)``); line-chart volume bars use
  ``trunc(x_start + 0.8 * slot)`` on the truncated start, and so does Renko's ``x_end``.
* ``scaled(p) = (p - min) / range * ch``, evaluated left to right; ``(p - min) * (ch / range)``
  moves a pixel in the recorded images, other orders were not told apart by them.
* Vertical grid lines sit at ``trunc(i * slot)`` (rounding instead changes pixels).
* Hollow bullish bodies are a 1-px outline with no fill, so the wick shows through.
* Batch mode draws every bullish candle (index order) before every bearish one.
* P&F box centre is the box price itself; X lines and O ellipse outlines are 2 px wide.
* Auto box sizes use the ATR seeded with row 0's ``high - low``; alpha ``1/14`` (not
  ``2/15``, not Wilder's SMA-seeded form) is what the recorded P&F image needs.

Within one candle the wick, body and volume bar share a colour, so their order never shows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image, ImageDraw

# Theme table: hex strings (RGB mode hands these to Pillow unchanged) and the RGBA tuples the
# original pre-computes for RGBA mode (grid alpha 64, everything else opaque).
THEMES: dict[str, dict[str, str]] = {
    "classic": {"bg": "#000000", "up": "#00FF00", "down": "#FF0000", "grid": "#333333"},
    "modern": {"bg": "#1E1E1E", "up": "#26A69A", "down": "#EF5350", "grid": "#424242"},
    "tradingview": {"bg": "#131722", "up": "#089981", "down": "#F23645", "grid": "#2A2E39"},
    "light": {"bg": "#FFFFFF", "up": "#26A69A", "down": "#EF5350", "grid": "#E0E0E0"},
}
GRID_ALPHA = 64
LINE_FILL_ALPHA = 50
ATR_PERIOD = 14
BATCH_THRESHOLD = 1000


def hex_to_rgba(color: str, alpha: int = 255) -> tuple[int, int, int, int]:
    """Convert ``#RRGGBB`` (given alpha) or ``#RRGGBBAA`` (own alpha) to an RGBA tuple."""
    digits = color.lstrip("#")
    if len(digits) not in (6, 8):
        raise ValueError(
            f"Invalid hex color format: {color!r}. Expected format: '#RRGGBB' or '#RRGGBBAA' "
            "(e.g., '#FF0000')"
        )
    r, g, b = (int(digits[k : k + 2], 16) for k in (0, 2, 4))
    if len(digits) == 8:
        alpha = int(digits[6:8], 16)
    return (r, g, b, alpha)


def resolve_colors(theme: str, overrides: dict[str, str | None], rgba: bool) -> dict[str, Any]:
    """Pick theme colours and apply falsy-means-absent overrides, in the mode's colour form.

    RGBA mode works with tuples (theme grid at alpha 64, overrides through ``hex_to_rgba``);
    RGB mode passes the hex strings, and any override string, straight to Pillow.
    """
    table = THEMES.get(theme, THEMES["classic"])
    colors: dict[str, Any] = {}
    for role, hex_color in table.items():
        if rgba:
            colors[role] = hex_to_rgba(hex_color, GRID_ALPHA if role == "grid" else 255)
        else:
            colors[role] = hex_color
    for role, override in overrides.items():
        if override:
            colors[role] = hex_to_rgba(override) if rgba else override
    return colors


def new_canvas(width: int, height: int, bg: Any, rgba: bool) -> tuple[Image.Image, Any]:
    """Create the canvas and a non-blending drawer in the canvas's own mode."""
    img = Image.new("RGBA" if rgba else "RGB", (width, height), bg)
    return img, ImageDraw.Draw(img)


def validate_size(width: int, height: int) -> None:
    """Reject sizes the original rejects (100..8192 on both axes)."""
    if not 100 <= width <= 8192:
        raise ValueError(f"width must be between 100 and 8192 pixels, got {width}")
    if not 100 <= height <= 8192:
        raise ValueError(f"height must be between 100 and 8192 pixels, got {height}")


def as_arrays(*arrays: Any) -> list[np.ndarray]:
    """Turn the inputs into numpy arrays without changing their dtype (as the original does)."""
    return [np.asarray(a) for a in arrays]


def price_scale(low: np.ndarray, high: np.ndarray) -> tuple[float, float]:
    """Return ``(price_min, price_range)`` from plain NaN-propagating min/max."""
    price_min = np.min(low)
    price_max = np.max(high)
    return price_min, price_max - price_min


def scaled(price: np.ndarray, price_min: float, price_range: float, ch: int) -> np.ndarray:
    """Distance of ``price`` above the lowest low in pixels, before any rounding."""
    return (price - price_min) / price_range * ch


def to_int(values: Any, dtype: type = np.int64) -> np.ndarray:
    """Truncate toward zero like numpy's ``astype(int)``.

    NaN and out-of-range values become the integer type's minimum, as numpy does on x86; the
    original then hands such huge negative coordinates to Pillow, which is how its degenerate
    inputs (flat prices, all-zero volume, NaN prices) get their documented looks.
    """
    with np.errstate(invalid="ignore"):
        return np.asarray(values, dtype=np.float64).astype(dtype)


def y_batch(price: np.ndarray, price_min: float, price_range: float, ch: int) -> np.ndarray:
    """Batch rounding ``trunc(ch - scaled(p))``, cast straight to int32 like the original."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return to_int(ch - scaled(price, price_min, price_range, ch), np.int32)


def y_sequential(price: np.ndarray, price_min: float, price_range: float, ch: int) -> np.ndarray:
    """Sequential rounding ``ch - trunc(scaled(p))``; int64 subtraction wraps like numpy's."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.int64(ch) - to_int(scaled(price, price_min, price_range, ch))


def volume_tops(volume: np.ndarray, vh: int, height: int) -> np.ndarray:
    """Top row ``H - trunc(volume / max(volume) * vh)`` of each bottom-anchored volume bar.

    All-zero volume makes every height NaN; the wrapped int64 subtraction then yields a huge
    negative top, so each bar covers the whole image height, as the original's do.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        heights = to_int(volume / np.max(volume) * vh)
    return np.int64(height) - heights


def draw_grid(draw: Any, width: int, ch: int, n: int, slot_width: float, color: Any) -> None:
    """Shared background grid of candles, OHLC bars, line and hollow charts."""
    for i in range(1, 10):
        y = (i * ch) // 10
        draw.line([(0, y), (width, y)], fill=color, width=1)
    step = max(1, n // 20)
    for i in range(0, n, step):
        x = int(i * slot_width)
        draw.line([(x, 0), (x, ch)], fill=color, width=1)


# ---------------------------------------------------------------------------------------------
# Candlesticks and hollow candles
# ---------------------------------------------------------------------------------------------


def _candle_geometry(n: int, width: int, wick_width_ratio: float) -> dict[str, Any]:
    """Slot x positions and wick width shared by candles and hollow candles."""
    candle_width = width / (n + 1)
    spacing = candle_width * 0.2
    bar_width = candle_width - spacing
    idx = np.arange(n, dtype=np.float64)
    x_start = to_int(idx * candle_width + spacing / 2)
    # Both derive from the truncated start, not the exact one (the reference images say so).
    x_end = to_int(x_start + bar_width)
    x_center = to_int(x_start + bar_width / 2)
    wick = max(1, min(int(bar_width * wick_width_ratio), int(bar_width * 0.1)))
    return {
        "candle_width": candle_width,
        "x_start": x_start,
        "x_end": x_end,
        "x_center": x_center,
        "wick": wick,
    }


def _render_candle_family(
    open_: Any,
    high: Any,
    low: Any,
    close: Any,
    volume: Any,
    *,
    hollow_bodies: bool,
    width: int,
    height: int,
    theme: str,
    bg_color: str | None,
    up_color: str | None,
    down_color: str | None,
    wick_width_ratio: float,
    enable_antialiasing: bool,
    show_grid: bool,
    use_batch_drawing: bool | None,
) -> Image.Image:
    """Draw candlesticks (filled) or hollow candles; they differ only in the bullish body."""
    validate_size(width, height)
    open_, high, low, close, volume = as_arrays(open_, high, low, close, volume)
    rgba = enable_antialiasing
    colors = resolve_colors(theme, {"bg": bg_color, "up": up_color, "down": down_color}, rgba)
    img, draw = new_canvas(width, height, colors["bg"], rgba)

    n = len(close)
    ch = int(height * 0.7)
    vh = int(height * 0.3)
    price_min, price_range = price_scale(low, high)
    geo = _candle_geometry(n, width, wick_width_ratio)

    if use_batch_drawing is None:
        use_batch_drawing = n >= BATCH_THRESHOLD
    to_y = y_batch if use_batch_drawing else y_sequential
    y_open = to_y(open_, price_min, price_range, ch)
    y_high = to_y(high, price_min, price_range, ch)
    y_low = to_y(low, price_min, price_range, ch)
    y_close = to_y(close, price_min, price_range, ch)
    vol_top = volume_tops(volume, vh, height)
    # A NaN close compares False, so that candle is bearish.
    bullish = close >= open_

    if show_grid:
        draw_grid(draw, width, ch, n, geo["candle_width"], colors["grid"])

    if use_batch_drawing:
        order = np.concatenate([np.flatnonzero(bullish), np.flatnonzero(~bullish)])
    else:
        order = np.arange(n)

    for i in order:
        up = bool(bullish[i])
        color = colors["up"] if up else colors["down"]
        x_start = int(geo["x_start"][i])
        x_end = int(geo["x_end"][i])
        x_center = int(geo["x_center"][i])
        draw.line(
            [(x_center, int(y_high[i])), (x_center, int(y_low[i]))],
            fill=color,
            width=geo["wick"],
        )
        body_top = int(min(y_open[i], y_close[i]))
        body_bottom = int(max(y_open[i], y_close[i]))
        if hollow_bodies and up:
            draw.rectangle(
                [x_start, body_top, x_end, body_bottom], fill=None, outline=color, width=1
            )
        elif hollow_bodies:
            draw.rectangle(
                [x_start, body_top, x_end, body_bottom], fill=color, outline=color, width=1
            )
        else:
            draw.rectangle([x_start, body_top, x_end, body_bottom], fill=color)
        draw.rectangle([x_start, int(vol_top[i]), x_end, height], fill=color)
    return img


def candles(
    open_: Any,
    high: Any,
    low: Any,
    close: Any,
    volume: Any,
    width: int = 1920,
    height: int = 1080,
    theme: str = "classic",
    bg_color: str | None = None,
    up_color: str | None = None,
    down_color: str | None = None,
    wick_width_ratio: float = 0.1,
    enable_antialiasing: bool = True,
    show_grid: bool = True,
    use_batch_drawing: bool | None = None,
) -> Image.Image:
    """Expected image of ``render_ohlcv_chart`` (spec 4.1, 4.2)."""
    return _render_candle_family(
        open_, high, low, close, volume, hollow_bodies=False, width=width, height=height,
        theme=theme, bg_color=bg_color, up_color=up_color, down_color=down_color,
        wick_width_ratio=wick_width_ratio, enable_antialiasing=enable_antialiasing,
        show_grid=show_grid, use_batch_drawing=use_batch_drawing,
    )  # fmt: skip


def hollow(
    open_: Any,
    high: Any,
    low: Any,
    close: Any,
    volume: Any,
    width: int = 1920,
    height: int = 1080,
    theme: str = "classic",
    bg_color: str | None = None,
    up_color: str | None = None,
    down_color: str | None = None,
    wick_width_ratio: float = 0.1,
    enable_antialiasing: bool = True,
    show_grid: bool = True,
    use_batch_drawing: bool | None = None,
) -> Image.Image:
    """Expected image of ``render_hollow_candles`` (spec 4.5)."""
    return _render_candle_family(
        open_, high, low, close, volume, hollow_bodies=True, width=width, height=height,
        theme=theme, bg_color=bg_color, up_color=up_color, down_color=down_color,
        wick_width_ratio=wick_width_ratio, enable_antialiasing=enable_antialiasing,
        show_grid=show_grid, use_batch_drawing=use_batch_drawing,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# OHLC bars
# ---------------------------------------------------------------------------------------------


def ohlc_bars(
    open_: Any,
    high: Any,
    low: Any,
    close: Any,
    volume: Any,
    width: int = 1920,
    height: int = 1080,
    theme: str = "classic",
    bg_color: str | None = None,
    up_color: str | None = None,
    down_color: str | None = None,
    enable_antialiasing: bool = True,
    show_grid: bool = True,
) -> Image.Image:
    """Expected image of ``render_ohlc_bars`` (spec 4.3)."""
    validate_size(width, height)
    open_, high, low, close, volume = as_arrays(open_, high, low, close, volume)
    rgba = enable_antialiasing
    colors = resolve_colors(theme, {"bg": bg_color, "up": up_color, "down": down_color}, rgba)
    img, draw = new_canvas(width, height, colors["bg"], rgba)

    n = len(close)
    ch = int(height * 0.7)
    vh = int(height * 0.3)
    price_min, price_range = price_scale(low, high)
    bar_width = width / (n + 1)
    tick = bar_width * 0.4
    idx = np.arange(n, dtype=np.float64)
    x_center = to_int((idx + 0.5) * bar_width)
    # Ticks hang off the truncated centre, not the exact one (the reference images say so).
    x_left = to_int(x_center - tick)
    x_right = to_int(x_center + tick)
    vol_left = to_int((idx + 0.25) * bar_width)
    vol_right = to_int((idx + 0.75) * bar_width)
    y_open = y_batch(open_, price_min, price_range, ch)
    y_high = y_batch(high, price_min, price_range, ch)
    y_low = y_batch(low, price_min, price_range, ch)
    y_close = y_batch(close, price_min, price_range, ch)
    vol_top = volume_tops(volume, vh, height)
    bullish = close >= open_

    if show_grid:
        draw_grid(draw, width, ch, n, bar_width, colors["grid"])

    for i in np.concatenate([np.flatnonzero(bullish), np.flatnonzero(~bullish)]):
        color = colors["up"] if bullish[i] else colors["down"]
        xc = int(x_center[i])
        draw.line([(xc, int(y_high[i])), (xc, int(y_low[i]))], fill=color, width=1)
        draw.line([(int(x_left[i]), int(y_open[i])), (xc, int(y_open[i]))], fill=color, width=1)
        draw.line([(xc, int(y_close[i])), (int(x_right[i]), int(y_close[i]))], fill=color, width=1)
        draw.rectangle([int(vol_left[i]), int(vol_top[i]), int(vol_right[i]), height], fill=color)
    return img


# ---------------------------------------------------------------------------------------------
# Line chart
# ---------------------------------------------------------------------------------------------


def line(
    open_: Any,
    high: Any,
    low: Any,
    close: Any,
    volume: Any,
    width: int = 1920,
    height: int = 1080,
    theme: str = "classic",
    bg_color: str | None = None,
    line_color: str | None = None,
    line_width: int = 2,
    fill_area: bool = False,
    enable_antialiasing: bool = True,
    show_grid: bool = True,
) -> Image.Image:
    """Expected image of ``render_line_chart`` (spec 4.4); ``open_`` is accepted but unused."""
    validate_size(width, height)
    if not 0.1 <= line_width <= 20.0:
        raise ValueError(f"line_width must be between 0.1 and 20.0, got {line_width}")
    high, low, close, volume = as_arrays(high, low, close, volume)
    rgba = enable_antialiasing
    colors = resolve_colors(theme, {"bg": bg_color, "up": line_color}, rgba)
    color = colors["up"]
    img, draw = new_canvas(width, height, colors["bg"], rgba)

    n = len(close)
    ch = int(height * 0.7)
    vh = int(height * 0.3)
    price_min, price_range = price_scale(low, high)
    spacing = width / (n + 1)
    idx = np.arange(n, dtype=np.float64)
    xs = to_int((idx + 0.5) * spacing)
    ys = y_batch(close, price_min, price_range, ch)
    points = [(int(x), int(y)) for x, y in zip(xs, ys)]
    vol_top = volume_tops(volume, vh, height)
    vol_left = to_int(idx * spacing + spacing * 0.1)
    vol_right = to_int(vol_left + spacing * 0.8)

    if show_grid:
        draw_grid(draw, width, ch, n, spacing, colors["grid"])

    # The translucent area goes under the line (drawing it after changes the reference image);
    # RGB mode has no alpha to give it, so the original skips it there.
    if fill_area and rgba:
        fill = (color[0], color[1], color[2], LINE_FILL_ALPHA)
        draw.polygon(points + [(points[-1][0], ch), (points[0][0], ch)], fill=fill)
    if n >= 2:
        draw.line(points, fill=color, width=line_width, joint="curve")
    for i in range(n):
        draw.rectangle([int(vol_left[i]), int(vol_top[i]), int(vol_right[i]), height], fill=color)
    return img


# ---------------------------------------------------------------------------------------------
# ATR and the Renko / Point & Figure transforms
# ---------------------------------------------------------------------------------------------


def atr(high: Any, low: Any, close: Any, period: int = ATR_PERIOD) -> np.ndarray:
    """Polars-style ATR: true range smoothed by an EWM with alpha ``1/period``, no warm-up.

    Row 0's true range is ``high - low`` (its previous-close terms are null and ignored). The
    EWM (adjust=False) is seeded with that first true range and then updated the way polars'
    ``ewm_mean`` does it, ``mean += (tr - mean) * (alpha / ((1 - alpha) + alpha))``; this
    form and ``(1 - alpha) * mean + alpha * tr`` differ in the last bit, and the median of
    the result sets the automatic Renko / P&F box size.
    """
    high, low, close = (np.asarray(a, dtype=np.float64) for a in (high, low, close))
    n = len(close)
    if n < period:
        raise ValueError(f"Data length ({n}) must be >= period ({period})")
    prev_close = np.concatenate([[np.nan], close[:-1]])
    # fmax skips the NaN prev-close terms of row 0, like polars' max_horizontal skips nulls.
    true_range = np.fmax(np.fmax(high - low, np.abs(high - prev_close)), np.abs(low - prev_close))

    # Polars turns span 2*period-1 into alpha = 2/(span+1), which is 1/period exactly.
    alpha = 2.0 / ((2 * period - 1) + 1)
    gain = alpha / ((1.0 - alpha) + alpha)
    out = np.empty(n)
    mean = true_range[0]
    out[0] = mean
    for i in range(1, n):
        mean = mean + (true_range[i] - mean) * gain
        out[i] = mean
    return out


def renko_bricks(
    high: Any, low: Any, close: Any, box_size: float | None = None, reversal_boxes: int = 1
) -> list[dict[str, Any]]:
    """Renko bricks as the original builds them (spec 9.1)."""
    high, low, close = as_arrays(high, low, close)
    if len(close) == 0:
        return []
    if box_size is None:
        box_size = float(np.median(atr(high, low, close))) * 0.75
    if box_size <= 0:
        raise ValueError(f"box_size must be positive, got {box_size}")

    bricks: list[dict[str, Any]] = []
    ref = float(close[0])
    direction = None
    for h, lo in zip(high.tolist(), low.tolist()):
        up_move = h - ref
        if up_move >= box_size:
            count = int(up_move / box_size)
            if not (direction == -1 and count < reversal_boxes):
                for _ in range(count):
                    ref += box_size
                    bricks.append({"price": ref, "direction": 1})
                direction = 1
                continue
        down_move = ref - lo
        if down_move >= box_size:
            count = int(down_move / box_size)
            if not (direction == 1 and count < reversal_boxes):
                for _ in range(count):
                    ref -= box_size
                    bricks.append({"price": ref, "direction": -1})
                direction = -1
    return bricks


def pnf_auto_box_size(high: np.ndarray, low: np.ndarray, close: np.ndarray) -> float:
    """Automatic P&F box: median ATR-14, or 1 % of the price range for short inputs."""
    if len(close) >= ATR_PERIOD:
        return float(np.median(atr(high, low, close)))
    price_range = float(np.max(high) - np.min(low))
    return price_range * 0.01 if price_range != 0 else 1.0


def pnf_columns(
    high: Any, low: Any, close: Any, box_size: float | None = None, reversal_boxes: int = 3
) -> list[dict[str, Any]]:
    """Point & Figure columns as the original builds them (spec 9.2)."""
    high, low, close = as_arrays(high, low, close)
    if box_size is None:
        box_size = pnf_auto_box_size(high, low, close)

    columns: list[dict[str, Any]] = []
    ref = round(float(close[0]) / box_size) * box_size
    current: dict[str, Any] | None = None
    for i, (h, lo) in enumerate(zip(high.tolist(), low.tolist())):
        up_boxes = int((h - ref) / box_size)
        down_boxes = int((ref - lo) / box_size)
        if current is None or current["type"] == "X":
            if up_boxes > 0:
                if current is None:
                    current = {"type": "X", "boxes": [], "start_idx": i}
                for _ in range(up_boxes):
                    ref += box_size
                    current["boxes"].append(ref)
            elif down_boxes >= reversal_boxes:
                if current is not None and current["boxes"]:
                    columns.append(current)
                current = {"type": "O", "boxes": [], "start_idx": i}
                if columns:
                    ref = columns[-1]["boxes"][-1]
                for _ in range(down_boxes):
                    ref -= box_size
                    current["boxes"].append(ref)
        else:
            if down_boxes > 0:
                for _ in range(down_boxes):
                    ref -= box_size
                    current["boxes"].append(ref)
            elif up_boxes >= reversal_boxes:
                if current["boxes"]:
                    columns.append(current)
                current = {"type": "X", "boxes": [], "start_idx": i}
                if columns:
                    ref = columns[-1]["boxes"][-1]
                for _ in range(up_boxes):
                    ref += box_size
                    current["boxes"].append(ref)
    if current is not None and current["boxes"]:
        columns.append(current)
    return columns


# ---------------------------------------------------------------------------------------------
# Renko and Point & Figure charts
# ---------------------------------------------------------------------------------------------


def _validate_box_args(box_size: float | None, reversal_boxes: int) -> None:
    """Box-size and reversal checks of the renko/pnf renderers."""
    if box_size is not None and box_size <= 0:
        raise ValueError(f"box_size must be positive, got {box_size}")
    if not 1 <= reversal_boxes <= 10:
        raise ValueError(f"reversal_boxes must be between 1 and 10, got {reversal_boxes}")


def renko(
    open_: Any,
    high: Any,
    low: Any,
    close: Any,
    volume: Any = None,
    width: int = 1920,
    height: int = 1080,
    theme: str = "classic",
    bg_color: str | None = None,
    up_color: str | None = None,
    down_color: str | None = None,
    box_size: float | None = None,
    reversal_boxes: int = 1,
    enable_antialiasing: bool = True,
    show_grid: bool = True,
) -> Image.Image:
    """Expected image of ``render_renko_chart`` (spec 4.6); ``open_``/``volume`` are unused."""
    validate_size(width, height)
    _validate_box_args(box_size, reversal_boxes)
    high, low, close = as_arrays(high, low, close)
    rgba = enable_antialiasing
    colors = resolve_colors(theme, {"bg": bg_color, "up": up_color, "down": down_color}, rgba)
    img, draw = new_canvas(width, height, colors["bg"], rgba)

    bricks = renko_bricks(high, low, close, box_size, reversal_boxes)
    if not bricks:
        return img
    explicit_box = box_size is not None
    if box_size is None:
        box_size = float(np.median(atr(high, low, close))) * 0.75

    ch = int(height * 0.7)
    prices = np.array([b["price"] for b in bricks], dtype=np.float64)
    price_min = float(np.min(prices))
    price_max = float(np.max(prices))
    if explicit_box:
        price_min -= box_size
        price_max += box_size
    price_range = price_max - price_min
    if price_range == 0:
        price_range = 1.0
    brick_height = max(int(box_size / price_range * ch), 1)

    nb = len(bricks)
    brick_width = width / (nb + 1)
    spacing = brick_width * 0.2

    if show_grid:
        for i in range(1, 10):
            y = int(i * ch / 10)
            draw.line([(0, y), (width, y)], fill=colors["grid"], width=1)
        lines = min(20, nb // 10 + 1)
        if lines > 1:
            for i in range(lines):
                x = int(i * (nb / lines) * brick_width)
                draw.line([(x, 0), (x, height)], fill=colors["grid"], width=1)

    for i, brick in enumerate(bricks):
        x_start = int(i * brick_width + spacing / 2)
        x_end = int(x_start + brick_width * 0.8)
        y = int(ch - (brick["price"] - price_min) / price_range * ch)
        if brick["direction"] == 1:
            top, bottom, color = y, y + brick_height, colors["up"]
        else:
            top, bottom, color = y - brick_height, y, colors["down"]
        draw.rectangle([x_start, top, x_end, bottom], fill=color)
    return img


def pnf(
    open_: Any,
    high: Any,
    low: Any,
    close: Any,
    volume: Any = None,
    width: int = 1920,
    height: int = 1080,
    theme: str = "classic",
    bg_color: str | None = None,
    up_color: str | None = None,
    down_color: str | None = None,
    box_size: float | None = None,
    reversal_boxes: int = 3,
    enable_antialiasing: bool = True,
    show_grid: bool = True,
) -> Image.Image:
    """Expected image of ``render_pnf_chart`` (spec 4.7); ``open_``/``volume`` are unused."""
    validate_size(width, height)
    _validate_box_args(box_size, reversal_boxes)
    high, low, close = as_arrays(high, low, close)
    rgba = enable_antialiasing
    colors = resolve_colors(theme, {"bg": bg_color, "up": up_color, "down": down_color}, rgba)
    img, draw = new_canvas(width, height, colors["bg"], rgba)

    columns = pnf_columns(high, low, close, box_size, reversal_boxes)
    if not columns:
        return img
    explicit_box = box_size is not None
    if box_size is None:
        box_size = pnf_auto_box_size(high, low, close)

    all_boxes = np.array([p for c in columns for p in c["boxes"]], dtype=np.float64)
    price_min = float(np.min(all_boxes))
    price_max = float(np.max(all_boxes))
    if explicit_box:
        price_min -= box_size
        price_max += box_size
    price_range = price_max - price_min
    if price_range == 0:
        price_range = 1.0

    nc = len(columns)
    column_width = width / (nc + 1)
    box_width = int(column_width * 0.8)
    box_height = max(int(box_size / price_range * height), 10)
    half_w = box_width // 2
    half_h = box_height // 2

    if show_grid:
        for i in range(1, 10):
            y = int(i * height / 10)
            draw.line([(0, y), (width, y)], fill=colors["grid"], width=1)
        for c in range(nc + 1):
            x = int(c * column_width)
            draw.line([(x, 0), (x, height)], fill=colors["grid"], width=1)

    for c, column in enumerate(columns):
        x_start = int(c * column_width)
        x_center = int(x_start + column_width / 2)
        for price in column["boxes"]:
            y = int(height - (price - price_min) / price_range * height)
            left, right = x_center - half_w, x_center + half_w
            top, bottom = y - half_h, y + half_h
            if column["type"] == "X":
                draw.line([(left, top), (right, bottom)], fill=colors["up"], width=2)
                draw.line([(left, bottom), (right, top)], fill=colors["up"], width=2)
            else:
                draw.ellipse([left, top, right, bottom], outline=colors["down"], width=2)
    return img


# Which oracle function models which original entry point.
RENDERERS = {
    "render_ohlcv_chart": candles,
    "render_hollow_candles": hollow,
    "render_ohlc_bars": ohlc_bars,
    "render_line_chart": line,
    "render_renko_chart": renko,
    "render_pnf_chart": pnf,
}
