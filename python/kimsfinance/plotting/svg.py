"""SVG chart renderers: vector documents written by the native core.

Each function returns the document as a ``str`` (without an XML declaration) and, when
``output_path`` is given, also writes it to that file: ``.svgz`` files hold the document
gzip-compressed, any other name gets the text after ``<?xml version="1.0" encoding="utf-8" ?>``.
Files are written atomically (a temporary file in the same folder, then a rename), so a failed
write leaves no partial file behind.

Differences from the original library, which are fixes, shared by every function here:

* svgwrite is not needed; the native core writes the XML.
* ``width`` and ``height`` must be 100..8192 (``ValueError``), as for the raster charts, and
  the columns are checked the same way (different lengths or no rows raise
  ``DataValidationError``, non-numeric columns ``TypeError``, negative volume
  ``DataValidationError``).
* Rows with a NaN or infinite price are left out instead of putting ``nan`` into the document;
  equal prices are drawn across the middle of the price panel; all-zero volume draws no volume
  bars (the original divided by zero).
* Colour overrides accept what the raster charts accept ('#RGB', '#RRGGBB', '#RRGGBBAA', colour
  names, RGB(A) tuples). A translucent colour is written as ``#RRGGBB`` with a
  ``fill-opacity`` or ``stroke-opacity`` attribute (svgwrite rejected '#RRGGBBAA').
* An unknown ``theme`` warns and uses ``"classic"`` (the original fell back silently).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import _native
from ._arguments import (
    color,
    ohlc_columns,
    positive_number,
    real_number,
    theme_name,
    whole_number,
)
from ._paths import checked_output_path

__all__ = [
    "render_candlestick_svg",
    "render_hollow_candles_svg",
    "render_line_chart_svg",
    "render_ohlc_bars_svg",
    "render_pnf_chart_svg",
    "render_renko_chart_svg",
]

# The price columns of the charts that never read the open price.
_HIGH_LOW_CLOSE = ("high", "low", "close")


def render_candlestick_svg(
    ohlc: Any,
    volume: Any = None,
    width: int = 1920,
    height: int = 1080,
    theme: str = "classic",
    bg_color: str | None = None,
    up_color: str | None = None,
    down_color: str | None = None,
    show_grid: bool = True,
    output_path: Any = None,
) -> str:
    """Draws a candlestick chart as an SVG document and returns it.

    ``ohlc`` maps ``open``/``high``/``low``/``close`` (or ``Open``/...) to columns; ``volume``
    is one more column, or ``None`` for no volume panel (the prices then use the full height).
    Each candle is a wick ``<line>`` and a body ``<rect>`` (at least one pixel tall) in the
    ``<g id="candles">`` group, in the up colour when ``close >= open``; volume bars are
    half-transparent ``<rect>``\\ s in ``<g id="volume">``. See the module notes for
    ``output_path`` and for the fixes relative to the original.
    """
    return _candles(
        ohlc,
        volume,
        hollow=False,
        width=width,
        height=height,
        theme=theme,
        bg_color=bg_color,
        up_color=up_color,
        down_color=down_color,
        show_grid=show_grid,
        output_path=output_path,
    )


def render_hollow_candles_svg(
    ohlc: Any,
    volume: Any = None,
    width: int = 1920,
    height: int = 1080,
    theme: str = "classic",
    bg_color: str | None = None,
    up_color: str | None = None,
    down_color: str | None = None,
    show_grid: bool = True,
    output_path: Any = None,
) -> str:
    """Like :func:`render_candlestick_svg`, but rising bodies are outlines (``fill="none"``)
    with the wick showing through; falling bodies stay filled."""
    return _candles(
        ohlc,
        volume,
        hollow=True,
        width=width,
        height=height,
        theme=theme,
        bg_color=bg_color,
        up_color=up_color,
        down_color=down_color,
        show_grid=show_grid,
        output_path=output_path,
    )


def render_ohlc_bars_svg(
    ohlc: Any,
    volume: Any = None,
    width: int = 1920,
    height: int = 1080,
    theme: str = "classic",
    bg_color: str | None = None,
    up_color: str | None = None,
    down_color: str | None = None,
    show_grid: bool = True,
    output_path: Any = None,
) -> str:
    """Draws an OHLC bar chart as an SVG document and returns it.

    Each row is three one-pixel ``<line>``\\ s in ``<g id="ohlc_bars">``: high to low, the open
    as a tick to the left and the close as a tick to the right. Volume bars cover the middle
    half of each slot. Arguments as for :func:`render_candlestick_svg`.
    """
    path = _output_path(output_path)
    open_, high, low, close = ohlc_columns(ohlc)
    document = _native.render_ohlc_bars_svg(
        open_,
        high,
        low,
        close,
        volume,
        up_color=color("up_color", up_color),
        down_color=color("down_color", down_color),
        **_frame_arguments(width, height, theme, bg_color, show_grid),
    )
    return _written(document, path)


def render_line_chart_svg(
    ohlc: Any,
    volume: Any = None,
    width: int = 1920,
    height: int = 1080,
    theme: str = "classic",
    bg_color: str | None = None,
    line_color: str | None = None,
    line_width: float = 2,
    fill_area: bool = False,
    show_grid: bool = True,
    output_path: Any = None,
) -> str:
    """Draws the closing prices as a line and returns the SVG document.

    Only ``high``, ``low`` and ``close`` are read. The line is a ``<polyline>`` with round
    joins and caps, ``line_width`` (0.1 to 20) wide, in ``line_color`` (default: the theme's
    rising colour), drawn when at least two rows are drawable; ``fill_area=True`` adds a
    ``<polygon>`` under it at opacity 0.2. Rows with a NaN or infinite high, low or close are
    left out and the line joins their neighbours. Volume bars share the line colour.
    """
    path = _output_path(output_path)
    high, low, close = ohlc_columns(ohlc, _HIGH_LOW_CLOSE)
    document = _native.render_line_chart_svg(
        high,
        low,
        close,
        volume,
        line_color=color("line_color", line_color),
        line_width=real_number("line_width", line_width),
        fill_area=bool(fill_area),
        **_frame_arguments(width, height, theme, bg_color, show_grid),
    )
    return _written(document, path)


def render_renko_chart_svg(
    ohlc: Any,
    volume: Any = None,
    width: int = 1920,
    height: int = 1080,
    theme: str = "classic",
    bg_color: str | None = None,
    up_color: str | None = None,
    down_color: str | None = None,
    box_size: float | None = None,
    reversal_boxes: int = 1,
    show_grid: bool = True,
    output_path: Any = None,
) -> str:
    """Draws a Renko chart (see :func:`kimsfinance.data.calculate_renko_bricks`) as SVG.

    Bricks are ``<rect>``\\ s in ``<g id="bricks">`` in the upper 70 % of the document; the
    price axis spans the bricks widened by one box on each side. No bricks gives a document
    with only the background. When ``volume`` is given, each brick gets a placeholder volume
    bar half the volume panel tall, as in the original: bricks do not correspond to rows, so
    the volume values are not drawn (but the column is still checked: one non-negative value
    per row). ``box_size`` and ``reversal_boxes`` are checked as for
    :func:`render_renko_chart`.
    """
    path = _output_path(output_path)
    high, low, close = ohlc_columns(ohlc, _HIGH_LOW_CLOSE)
    document = _native.render_renko_chart_svg(
        high,
        low,
        close,
        volume,
        up_color=color("up_color", up_color),
        down_color=color("down_color", down_color),
        box_size=positive_number("box_size", box_size),
        reversal_boxes=whole_number("reversal_boxes", reversal_boxes),
        **_frame_arguments(width, height, theme, bg_color, show_grid),
    )
    return _written(document, path)


def render_pnf_chart_svg(
    ohlc: Any,
    volume: Any = None,
    width: int = 1920,
    height: int = 1080,
    theme: str = "classic",
    bg_color: str | None = None,
    up_color: str | None = None,
    down_color: str | None = None,
    box_size: float | None = None,
    reversal_boxes: int = 3,
    show_grid: bool = True,
    output_path: Any = None,
) -> str:
    """Draws a Point & Figure chart (see :func:`kimsfinance.data.calculate_pnf_columns`) as SVG.

    ``volume`` is ignored and the chart uses the full height. In ``<g id="pnf_symbols">``
    each X box is one ``<path>`` of two crossed strokes in the up colour and each O box a
    ``<circle>`` in the down colour, both 2 pixels wide; boxes are at least 10 pixels tall and
    the price axis spans the boxes widened by one box on each side. No columns gives a document
    with only the background. ``box_size`` and ``reversal_boxes`` are checked as for
    :func:`render_pnf_chart`.
    """
    path = _output_path(output_path)
    high, low, close = ohlc_columns(ohlc, _HIGH_LOW_CLOSE)
    document = _native.render_pnf_chart_svg(
        high,
        low,
        close,
        up_color=color("up_color", up_color),
        down_color=color("down_color", down_color),
        box_size=positive_number("box_size", box_size),
        reversal_boxes=whole_number("reversal_boxes", reversal_boxes),
        **_frame_arguments(width, height, theme, bg_color, show_grid),
    )
    return _written(document, path)


def _candles(
    ohlc: Any,
    volume: Any,
    *,
    hollow: bool,
    width: int,
    height: int,
    theme: str,
    bg_color: Any,
    up_color: Any,
    down_color: Any,
    show_grid: Any,
    output_path: Any,
) -> str:
    path = _output_path(output_path)
    open_, high, low, close = ohlc_columns(ohlc)
    document = _native.render_candles_svg(
        open_,
        high,
        low,
        close,
        volume,
        up_color=color("up_color", up_color),
        down_color=color("down_color", down_color),
        hollow=hollow,
        **_frame_arguments(width, height, theme, bg_color, show_grid),
    )
    return _written(document, path)


def _frame_arguments(
    width: Any, height: Any, theme: Any, bg_color: Any, show_grid: Any
) -> dict[str, Any]:
    """The keyword arguments every native SVG renderer takes, normalised."""
    return {
        "width": width,
        "height": height,
        "theme": theme_name(theme),
        "bg_color": color("bg_color", bg_color),
        "show_grid": bool(show_grid),
    }


def _output_path(output_path: Any) -> Path | None:
    """The checked absolute path to write to, or ``None`` when nothing is to be written.

    Checked before drawing, so a bad path fails fast.
    """
    if not output_path:
        return None
    return checked_output_path(output_path)


def _written(document: str, path: Path | None) -> str:
    """Writes ``document`` to ``path`` when there is one; returns the document."""
    if path is not None:
        _native.write_svg_file(document, str(path), compress=path.suffix.lower() == ".svgz")
    return document
