"""Built-in sample data: a reproducible random-walk OHLCV series for demos and benchmarks."""

from __future__ import annotations

import numpy as np


def sample_ohlcv(n: int = 200, seed: int = 7, start: float = 100.0) -> tuple[dict, np.ndarray]:
    """Returns ``(ohlc, volume)`` for ``n`` candles of a seeded random walk.

    ``ohlc`` is a dict of float64 arrays keyed ``open``/``high``/``low``/``close``.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}.")
    rng = np.random.default_rng(seed)
    close = start + np.cumsum(rng.normal(0.0, 1.0, n))
    open_ = np.concatenate(([start], close[:-1])) + rng.normal(0.0, 0.2, n)
    spread = np.abs(rng.normal(0.0, 0.8, n))
    high = np.maximum(open_, close) + spread
    low = np.minimum(open_, close) - np.abs(rng.normal(0.0, 0.8, n))
    volume = rng.integers(1_000, 50_000, n).astype(np.float64)
    return {"open": open_, "high": high, "low": low, "close": close}, volume
