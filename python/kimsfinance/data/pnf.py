"""Point & Figure columns: alternating columns of rising X boxes and falling O boxes."""

from __future__ import annotations

from typing import Any

from .. import _native
from ..plotting._arguments import ohlc_columns, positive_number, whole_number

__all__ = ["calculate_pnf_columns"]


def calculate_pnf_columns(
    ohlc: Any, box_size: float | None = None, reversal_boxes: int = 3
) -> list[dict]:
    """The Point & Figure columns of ``ohlc``.

    Returns ``[{"type": "X" | "O", "boxes": [float, ...], "start_idx": int}, ...]``: X boxes
    ascending, O boxes descending, ``start_idx`` the row that started the column. The
    reference price starts at the first close rounded to a whole box; a column grows by any
    number of boxes and turns after ``reversal_boxes`` boxes the other way. The result equals
    the original library's exactly.

    ``box_size=None`` uses the median 14-row average true range, or 1 % of the price range for
    fewer than 14 rows. Differences from the original: empty input gives ``[]`` (the original
    raised ``IndexError``); a ``box_size`` of 0 (``ZeroDivisionError`` in the original),
    negative (the original silently returned no columns), infinite or NaN, ``reversal_boxes``
    outside 1..10, an automatic box size of 0 or NaN, and a box size that would make more than
    ten million boxes raise ``ValueError``.
    """
    high, low, close = ohlc_columns(ohlc, ("high", "low", "close"))
    return _native.pnf_columns(
        high,
        low,
        close,
        box_size=positive_number("box_size", box_size),
        reversal_boxes=whole_number("reversal_boxes", reversal_boxes),
    )
