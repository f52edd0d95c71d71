"""Chart renderers and output helpers.

Every renderer validates its arguments, hands borrowed column views to the native core,
which draws with the GIL released, and wraps the pixels it gets back without copying them.
"""

from __future__ import annotations

from .batch import render_charts_parallel, render_ohlcv_charts
from .output import render_and_save, save_chart
from .raster import (
    render_hollow_candles,
    render_line_chart,
    render_ohlc_bars,
    render_ohlcv_chart,
    render_pnf_chart,
    render_renko_chart,
    render_to_array,
)
from .svg import (
    render_candlestick_svg,
    render_hollow_candles_svg,
    render_line_chart_svg,
    render_ohlc_bars_svg,
    render_pnf_chart_svg,
    render_renko_chart_svg,
)

__all__ = [
    "save_chart",
    "render_ohlcv_chart",
    "render_hollow_candles",
    "render_to_array",
    "render_and_save",
    "render_ohlc_bars",
    "render_line_chart",
    "render_renko_chart",
    "render_pnf_chart",
    "render_candlestick_svg",
    "render_ohlc_bars_svg",
    "render_line_chart_svg",
    "render_renko_chart_svg",
    "render_pnf_chart_svg",
    "render_hollow_candles_svg",
    "render_ohlcv_charts",
    "render_charts_parallel",
]
