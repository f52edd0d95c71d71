"""Test data helpers: the original library's reference outputs and random chart inputs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data"


def reference_cases(function: str) -> list[dict]:
    """Index entries of the reference outputs made by ``function`` in the original library."""
    cases = json.loads((DATA / "index.json").read_text())
    return [case for case in cases if case["function"] == function]


def load_case(case: dict) -> tuple[dict, np.ndarray, np.ndarray]:
    """``(ohlc, volume, expected_pixels)`` of a reference case."""
    from PIL import Image

    arrays = np.load(DATA / f"{case['case']}.npz")
    ohlc = {key: arrays[key] for key in ("open", "high", "low", "close")}
    expected = np.array(Image.open(DATA / f"{case['case']}.png"))
    return ohlc, arrays["volume"], expected


def random_ohlcv(rng: np.random.Generator, n: int) -> tuple[dict, np.ndarray]:
    """A random walk of ``n`` candles with realistic OHLC relations."""
    close = 100 + np.cumsum(rng.normal(0, 1, n))
    open_ = close + rng.normal(0, 0.7, n)
    high = np.maximum(open_, close) + np.abs(rng.normal(0, 0.5, n))
    low = np.minimum(open_, close) - np.abs(rng.normal(0, 0.5, n))
    # Some exact dojis, which count as rising candles.
    doji = rng.random(n) < 0.05
    close[doji] = open_[doji]
    volume = rng.uniform(0, 10_000, n)
    return {"open": open_, "high": high, "low": low, "close": close}, volume
