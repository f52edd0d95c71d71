"""Raster chart renderers: PIL images and numpy arrays drawn by the native core."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _native
from ._arguments import color, ohlc_columns, theme_name
from ._image import to_image

__all__ = ["render_ohlcv_chart", "render_hollow_candles", "render_to_array"]


def _candle_pixels(
    ohlc: Any,
    volume: Any,
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
    hollow: bool,
) -> np.ndarray:
    open_, high, low, close = ohlc_columns(ohlc)
    return _native.render_candles(
        open_,
        high,
        low,
        close,
        volume,
        width=width,
        height=height,
        theme=theme_name(theme),
        bg_color=color("bg_color", bg_color),
        up_color=color("up_color", up_color),
        down_color=color("down_color", down_color),
        wick_width_ratio=wick_width_ratio,
        rgba=bool(enable_antialiasing),
        show_grid=bool(show_grid),
        batch=None if use_batch_drawing is None else bool(use_batch_drawing),
        hollow=hollow,
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
