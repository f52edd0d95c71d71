"""The original's high-level API module: batch and parallel chart rendering.

``render_charts_parallel`` and ``render_ohlcv_charts`` are the same functions as in
:mod:`kimsfinance.plotting`, importable from here as in the original library.
"""

from __future__ import annotations

from ..plotting.batch import render_charts_parallel, render_ohlcv_charts

__all__ = ["render_charts_parallel", "render_ohlcv_charts"]
