"""RSS stays flat over thousands of OHLC bar, line, Renko and Point & Figure renders and
transforms, error paths included."""

from __future__ import annotations

import numpy as np
import pytest

from kimsfinance import DataValidationError
from kimsfinance.data import calculate_pnf_columns, calculate_renko_bricks
from kimsfinance.plotting import (
    render_line_chart,
    render_ohlc_bars,
    render_pnf_chart,
    render_renko_chart,
)
from kimsfinance.testing import assert_no_leak

N = 500
RNG = np.random.default_rng(4)
CLOSE = 100 + np.cumsum(RNG.normal(0, 1, N))
OHLC = {"open": CLOSE + 0.3, "high": CLOSE + 1, "low": CLOSE - 1, "close": CLOSE}
VOLUME = RNG.uniform(0, 1000, N)
SHORT = {key: values.copy() for key, values in OHLC.items()}
SHORT["low"] = SHORT["low"][:-1]
SMALL = {"width": 300, "height": 200}
ITERATIONS = 2_000
WARMUP = 200

RENDERS = {
    "ohlc_bars": lambda: render_ohlc_bars(OHLC, VOLUME, **SMALL),
    "line": lambda: render_line_chart(OHLC, VOLUME, line_width=6, fill_area=True, **SMALL),
    "line_antialiased": lambda: render_line_chart(
        OHLC, VOLUME, line_width=2.5, fill_area=True, antialias=True, **SMALL
    ),
    "renko_auto": lambda: render_renko_chart(OHLC, VOLUME, **SMALL),
    "renko_box": lambda: render_renko_chart(OHLC, VOLUME, box_size=0.5, **SMALL),
    "pnf_auto": lambda: render_pnf_chart(OHLC, VOLUME, **SMALL),
    "pnf_antialiased": lambda: render_pnf_chart(OHLC, VOLUME, antialias=True, **SMALL),
    "renko_bricks": lambda: calculate_renko_bricks(OHLC),
    "pnf_columns": lambda: calculate_pnf_columns(OHLC, box_size=0.5),
}

FAILURES = {
    "ohlc_bars_length_mismatch": (
        lambda: render_ohlc_bars(SHORT, VOLUME, **SMALL),
        DataValidationError,
    ),
    "line_bad_width": (
        lambda: render_line_chart(OHLC, VOLUME, line_width=50, **SMALL),
        ValueError,
    ),
    "line_length_mismatch": (
        lambda: render_line_chart(SHORT, VOLUME, **SMALL),
        DataValidationError,
    ),
    "renko_bad_box_size": (
        lambda: render_renko_chart(OHLC, VOLUME, box_size=-1, **SMALL),
        ValueError,
    ),
    "renko_too_short_for_auto_box": (
        lambda: render_renko_chart({k: v[:5] for k, v in OHLC.items()}, None, **SMALL),
        ValueError,
    ),
    "pnf_bad_box_size": (
        lambda: render_pnf_chart(OHLC, VOLUME, box_size=0, **SMALL),
        ValueError,
    ),
    "pnf_length_mismatch": (
        lambda: render_pnf_chart(SHORT, VOLUME, **SMALL),
        DataValidationError,
    ),
    "renko_bricks_bad_reversal": (
        lambda: calculate_renko_bricks(OHLC, box_size=1.0, reversal_boxes=0),
        ValueError,
    ),
    "pnf_columns_length_mismatch": (
        lambda: calculate_pnf_columns(SHORT, box_size=1.0),
        DataValidationError,
    ),
    "pnf_columns_tiny_box": (
        lambda: calculate_pnf_columns(OHLC, box_size=1e-9),
        ValueError,
    ),
}


@pytest.mark.parametrize("name", sorted(RENDERS))
def test_renders_and_transforms_do_not_grow(name):
    assert_no_leak(RENDERS[name], iterations=ITERATIONS, warmup=WARMUP)


@pytest.mark.parametrize("name", sorted(FAILURES))
def test_error_paths_do_not_grow(name):
    call, error = FAILURES[name]
    report = assert_no_leak(call, iterations=ITERATIONS, warmup=WARMUP, expect=error)
    assert report.errors == report.iterations
