"""Raster chart renderers: PIL images and numpy arrays drawn by the native core."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _native
from ._arguments import (
    color,
    ohlc_columns,
    positive_number,
    real_number,
    theme_name,
    whole_number,
)
from ._image import to_image

__all__ = [
    "render_ohlcv_chart",
    "render_hollow_candles",
    "render_to_array",
    "render_ohlc_bars",
    "render_line_chart",
    "render_renko_chart",
    "render_pnf_chart",
]

# The price columns of the charts that never read the open price.
_HIGH_LOW_CLOSE = ("high", "low", "close")


def _candle_arguments(
    *,
    width: int,
    height: int,
    theme: str,
    bg_color: Any,
    up_color: Any,
    down_color: Any,
    wick_width_ratio: float,
    enable_antialiasing: bool,
    show_grid: bool,
    use_batch_drawing: bool | None,
) -> dict[str, Any]:
    """The native keyword arguments of a candlestick chart (all but ``hollow``), normalised.

    Shared by the single-chart renderers and the batch renderers, which take the same keywords.
    """
    return {
        "width": width,
        "height": height,
        "theme": theme_name(theme),
        "bg_color": color("bg_color", bg_color),
        "up_color": color("up_color", up_color),
        "down_color": color("down_color", down_color),
        "wick_width_ratio": wick_width_ratio,
        "rgba": bool(enable_antialiasing),
        "show_grid": bool(show_grid),
        "batch": None if use_batch_drawing is None else bool(use_batch_drawing),
    }


def _candle_pixels(ohlc: Any, volume: Any, *, hollow: bool, **arguments: Any) -> np.ndarray:
    open_, high, low, close = ohlc_columns(ohlc)
    return _native.render_candles(
        open_, high, low, close, volume, hollow=hollow, **_candle_arguments(**arguments)
    )


def render_ohlcv_chart(
    ohlc: Any,
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
) -> Any:
    """Draws a candlestick chart with a volume panel and returns it as a PIL image.

    ``ohlc`` maps ``open``/``high``/``low``/``close`` (or ``Open``/...) to numpy arrays of any
    numeric dtype, polars or pandas Series, lists or tuples; ``volume`` is one such column.
    Arrays are read in place, never copied. ``enable_antialiasing=True`` gives an RGBA image,
    ``False`` an RGB one (the name is kept from the original library; neither mode smooths).
    ``use_batch_drawing`` picks between the original's two pixel roundings: ``None`` uses the
    batch form from 1,000 candles on.

    Candles with a NaN or infinite price are skipped and do not stretch the price axis; equal
    prices are drawn across the middle of the panel; all-zero volume draws no volume bars.
    """
    pixels = _candle_pixels(
        ohlc,
        volume,
        width=width,
        height=height,
        theme=theme,
        bg_color=bg_color,
        up_color=up_color,
        down_color=down_color,
        wick_width_ratio=wick_width_ratio,
        enable_antialiasing=enable_antialiasing,
        show_grid=show_grid,
        use_batch_drawing=use_batch_drawing,
        hollow=False,
    )
    return to_image(pixels)


def render_hollow_candles(
    ohlc: Any,
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
) -> Any:
    """Like :func:`render_ohlcv_chart`, but rising candles have hollow (outlined) bodies."""
    pixels = _candle_pixels(
        ohlc,
        volume,
        width=width,
        height=height,
        theme=theme,
        bg_color=bg_color,
        up_color=up_color,
        down_color=down_color,
        wick_width_ratio=wick_width_ratio,
        enable_antialiasing=enable_antialiasing,
        show_grid=show_grid,
        use_batch_drawing=use_batch_drawing,
        hollow=True,
    )
    return to_image(pixels)


def render_to_array(ohlc: Any, volume: Any, **render_kwargs: Any) -> np.ndarray:
    """Draws a candlestick chart and returns its pixels as a uint8 array.

    The shape is ``(H, W, 4)`` (RGBA) or ``(H, W, 3)`` with ``enable_antialiasing=False``. The
    array owns the buffer the native core drew into: nothing is copied, and it is writable.
    Keyword arguments are those of :func:`render_ohlcv_chart`.
    """
    options = dict(_CANDLE_DEFAULTS)
    unknown = set(render_kwargs) - set(options)
    if unknown:
        raise TypeError(f"render_to_array() got unexpected keyword arguments: {sorted(unknown)}.")
    options.update(render_kwargs)
    return _candle_pixels(ohlc, volume, hollow=False, **options)


_CANDLE_DEFAULTS: dict[str, Any] = {
    "width": 1920,
    "height": 1080,
    "theme": "classic",
    "bg_color": None,
    "up_color": None,
    "down_color": None,
    "wick_width_ratio": 0.1,
    "enable_antialiasing": True,
    "show_grid": True,
    "use_batch_drawing": None,
}


def _frame_arguments(
    *, width: int, height: int, theme: str, bg_color: Any, rgba: Any, show_grid: Any
) -> dict[str, Any]:
    """The keyword arguments every native renderer takes, normalised."""
    return {
        "width": width,
        "height": height,
        "theme": theme_name(theme),
        "bg_color": color("bg_color", bg_color),
        "rgba": bool(rgba),
        "show_grid": bool(show_grid),
    }


def render_ohlc_bars(
    ohlc: Any,
    volume: Any,
    width: int = 1920,
    height: int = 1080,
    theme: str = "classic",
    bg_color: str | None = None,
    up_color: str | None = None,
    down_color: str | None = None,
    enable_antialiasing: bool = True,
    show_grid: bool = True,
) -> Any:
    """Draws an OHLC bar chart with a volume panel and returns it as a PIL image.

    Each row is a vertical high-low line with the open as a tick to the left and the close as
    a tick to the right; rising bars (close >= open) are drawn first, then falling ones, all
    one pixel wide. Inputs, colours and ``enable_antialiasing`` (RGBA versus RGB output; no
    smoothing) are as for :func:`render_ohlcv_chart`, and so are the fixes of its edge cases:
    rows with a NaN or infinite price are skipped, equal prices are drawn across the middle,
    all-zero volume draws no volume bars.
    """
    open_, high, low, close = ohlc_columns(ohlc)
    arguments = _ohlc_bar_arguments(
        width=width,
        height=height,
        theme=theme,
        bg_color=bg_color,
        up_color=up_color,
        down_color=down_color,
        enable_antialiasing=enable_antialiasing,
        show_grid=show_grid,
    )
    return to_image(_native.render_ohlc_bars(open_, high, low, close, volume, **arguments))


def _ohlc_bar_arguments(
    *,
    width: int,
    height: int,
    theme: str,
    bg_color: Any,
    up_color: Any,
    down_color: Any,
    enable_antialiasing: bool,
    show_grid: bool,
) -> dict[str, Any]:
    """The native keyword arguments of an OHLC bar chart, normalised."""
    return {
        "up_color": color("up_color", up_color),
        "down_color": color("down_color", down_color),
        **_frame_arguments(
            width=width,
            height=height,
            theme=theme,
            bg_color=bg_color,
            rgba=enable_antialiasing,
            show_grid=show_grid,
        ),
    }


def render_line_chart(
    ohlc: Any,
    volume: Any,
    width: int = 1920,
    height: int = 1080,
    theme: str = "classic",
    bg_color: str | None = None,
    line_color: str | None = None,
    line_width: float = 2,
    fill_area: bool = False,
    enable_antialiasing: bool = True,
    show_grid: bool = True,
    *,
    antialias: bool = False,
) -> Any:
    """Draws the closing prices as a line over a volume panel and returns a PIL image.

    Only ``high``, ``low`` and ``close`` are read (``open`` may be missing). The line is drawn
    in ``line_color`` (default: the theme's rising colour), ``line_width`` pixels wide (0.1 to
    20), with rounded bends; the volume bars share its colour. ``fill_area=True`` also fills
    the area under the line with the line colour at alpha 50, in RGBA output only.

    ``antialias=True`` (an addition; the original had no smoothing, and its
    ``enable_antialiasing`` only picks RGBA versus RGB output) draws the line and area with
    real antialiasing, composited over the grid. By default the pixels are the original's.

    Differences from the original: a fractional ``line_width`` works (the original raised
    ``TypeError``): it is rounded half to even for the aliased line and used exactly when
    antialiased. Rows with a NaN or infinite high, low or close are left out (the line joins
    their neighbours) instead of throwing the chart off; equal prices are drawn across the
    middle of the panel.
    """
    high, low, close = ohlc_columns(ohlc, _HIGH_LOW_CLOSE)
    arguments = _line_arguments(
        width=width,
        height=height,
        theme=theme,
        bg_color=bg_color,
        line_color=line_color,
        line_width=line_width,
        fill_area=fill_area,
        enable_antialiasing=enable_antialiasing,
        show_grid=show_grid,
        antialias=antialias,
    )
    return to_image(_native.render_line_chart(high, low, close, volume, **arguments))


def _line_arguments(
    *,
    width: int,
    height: int,
    theme: str,
    bg_color: Any,
    line_color: Any,
    line_width: float,
    fill_area: bool,
    enable_antialiasing: bool,
    show_grid: bool,
    antialias: bool,
) -> dict[str, Any]:
    """The native keyword arguments of a line chart, normalised."""
    return {
        "line_color": color("line_color", line_color),
        "line_width": real_number("line_width", line_width),
        "fill_area": bool(fill_area),
        "antialias": bool(antialias),
        **_frame_arguments(
            width=width,
            height=height,
            theme=theme,
            bg_color=bg_color,
            rgba=enable_antialiasing,
            show_grid=show_grid,
        ),
    }


def render_renko_chart(
    ohlc: Any,
    volume: Any,
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
) -> Any:
    """Draws a Renko chart (see :func:`kimsfinance.data.calculate_renko_bricks`) as a PIL image.

    Only ``high``, ``low`` and ``close`` are read and ``volume`` is ignored, as in the
    original. ``box_size=None`` uses 0.75 times the median 14-row average true range, which
    needs at least 14 rows; ``reversal_boxes`` (1 to 10) bricks are needed to turn. No bricks
    gives a chart of plain background.

    Differences from the original: a ``box_size`` that is not a positive finite number, an
    automatic box size of 0 or NaN (flat data, NaN prices), and a box size so small that it
    would make more than ten million bricks raise ``ValueError`` instead of failing later or
    running out of memory.
    """
    high, low, close = ohlc_columns(ohlc, _HIGH_LOW_CLOSE)
    arguments = _renko_arguments(
        width=width,
        height=height,
        theme=theme,
        bg_color=bg_color,
        up_color=up_color,
        down_color=down_color,
        box_size=box_size,
        reversal_boxes=reversal_boxes,
        enable_antialiasing=enable_antialiasing,
        show_grid=show_grid,
    )
    return to_image(_native.render_renko_chart(high, low, close, **arguments))


def _renko_arguments(
    *,
    width: int,
    height: int,
    theme: str,
    bg_color: Any,
    up_color: Any,
    down_color: Any,
    box_size: float | None,
    reversal_boxes: int,
    enable_antialiasing: bool,
    show_grid: bool,
) -> dict[str, Any]:
    """The native keyword arguments of a Renko chart, normalised."""
    return {
        "up_color": color("up_color", up_color),
        "down_color": color("down_color", down_color),
        "box_size": positive_number("box_size", box_size),
        "reversal_boxes": whole_number("reversal_boxes", reversal_boxes),
        **_frame_arguments(
            width=width,
            height=height,
            theme=theme,
            bg_color=bg_color,
            rgba=enable_antialiasing,
            show_grid=show_grid,
        ),
    }


def render_pnf_chart(
    ohlc: Any,
    volume: Any,
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
    *,
    antialias: bool = False,
) -> Any:
    """Draws a Point & Figure chart (see :func:`kimsfinance.data.calculate_pnf_columns`).

    Only ``high``, ``low`` and ``close`` are read and ``volume`` is ignored, as in the
    original; the chart uses the full height. Rising columns are X marks in the up colour,
    falling ones O marks in the down colour. ``box_size=None`` uses the median 14-row average
    true range (1 % of the price range below 14 rows). No columns gives a plain background.

    ``antialias=True`` (an addition to the original) draws the marks with real antialiasing,
    composited over the grid; by default the pixels are the original's.

    Differences from the original: empty input draws a plain background (the original raised
    ``IndexError``); a ``box_size`` of 0 (``ZeroDivisionError`` in the original), negative,
    infinite or NaN, an automatic box size of 0 or NaN, and a box size that would make more than
    ten million boxes raise ``ValueError``.
    """
    high, low, close = ohlc_columns(ohlc, _HIGH_LOW_CLOSE)
    arguments = _pnf_arguments(
        width=width,
        height=height,
        theme=theme,
        bg_color=bg_color,
        up_color=up_color,
        down_color=down_color,
        box_size=box_size,
        reversal_boxes=reversal_boxes,
        enable_antialiasing=enable_antialiasing,
        show_grid=show_grid,
        antialias=antialias,
    )
    return to_image(_native.render_pnf_chart(high, low, close, **arguments))


def _pnf_arguments(
    *,
    width: int,
    height: int,
    theme: str,
    bg_color: Any,
    up_color: Any,
    down_color: Any,
    box_size: float | None,
    reversal_boxes: int,
    enable_antialiasing: bool,
    show_grid: bool,
    antialias: bool,
) -> dict[str, Any]:
    """The native keyword arguments of a Point & Figure chart, normalised."""
    return {
        "up_color": color("up_color", up_color),
        "down_color": color("down_color", down_color),
        "box_size": positive_number("box_size", box_size),
        "reversal_boxes": whole_number("reversal_boxes", reversal_boxes),
        "antialias": bool(antialias),
        **_frame_arguments(
            width=width,
            height=height,
            theme=theme,
            bg_color=bg_color,
            rgba=enable_antialiasing,
            show_grid=show_grid,
        ),
    }
