"""Computations on price data: bars from ticks, OHLC resampling and aggregations.

The names exported here are the aggregation functions the original ``kimsfinance.ops``
exported. ``rolling_sum``, ``rolling_mean``, ``cumulative_sum`` and ``group_aggregation`` live
in :mod:`kimsfinance.ops.aggregations` (and ``rolling_sum``/``rolling_mean``/``cumulative_sum``/
``group_aggregation`` at the top level, as in the original); the original's separate NumPy
``kimsfinance.ops.rolling_sum``/``rolling_mean`` (with ``min_periods``) are not provided.
"""

from __future__ import annotations

from .aggregations import (
    kagi_to_ohlc,
    ohlc_resample,
    range_to_ohlc,
    three_line_break_to_ohlc,
    tick_to_ohlc,
    volume_sum,
    volume_to_ohlc,
    volume_weighted_price,
)

__all__ = [
    "kagi_to_ohlc",
    "ohlc_resample",
    "range_to_ohlc",
    "three_line_break_to_ohlc",
    "tick_to_ohlc",
    "volume_sum",
    "volume_to_ohlc",
    "volume_weighted_price",
]
