"""Data transforms behind the Renko and Point & Figure charts."""

from __future__ import annotations

from .pnf import calculate_pnf_columns
from .renko import calculate_renko_bricks

__all__ = ["calculate_pnf_columns", "calculate_renko_bricks"]
