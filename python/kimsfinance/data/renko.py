"""Renko bricks: fixed-size price boxes that appear only after a whole box of movement."""

from __future__ import annotations

from typing import Any

from .. import _native
from ..plotting._arguments import ohlc_columns, positive_number, whole_number

__all__ = ["calculate_renko_bricks"]


def calculate_renko_bricks(
    ohlc: Any, box_size: float | None = None, reversal_boxes: int = 1
) -> list[dict]:
    """The Renko bricks of ``ohlc`` as ``[{"price": float, "direction": 1 | -1}, ...]``.

    ``ohlc`` maps ``high``, ``low`` and ``close`` (or ``High``/...) to columns of any numeric
    dtype, read in place. Starting from the first close, each row adds whole up bricks from its
    high, or else whole down bricks from its low; a move against the current direction needs
    ``reversal_boxes`` bricks. A brick's price is its top (up) or bottom (down) edge. The
    result equals the original library's exactly.

    ``box_size=None`` uses 0.75 times the median 14-row average true range. Empty input gives
    ``[]``. Differences from the original: ``reversal_boxes`` outside 1..10, a ``box_size`` that
    is not a positive finite number, an automatic box size of 0 or NaN, fewer than 14 rows with
    ``box_size=None``, and a box size that would make more than ten million bricks raise
    ``ValueError`` (columns of different lengths raise ``DataValidationError``).
    """
    high, low, close = ohlc_columns(ohlc, ("high", "low", "close"))
    return _native.renko_bricks(
        high,
        low,
        close,
        box_size=positive_number("box_size", box_size),
        reversal_boxes=whole_number("reversal_boxes", reversal_boxes),
    )
