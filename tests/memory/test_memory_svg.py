"""RSS stays flat over thousands of SVG renders and SVG file writes, error paths included."""

from __future__ import annotations

import numpy as np
import pytest

from kimsfinance import DataValidationError
from kimsfinance.plotting import (
    render_candlestick_svg,
    render_hollow_candles_svg,
    render_line_chart_svg,
    render_ohlc_bars_svg,
    render_pnf_chart_svg,
    render_renko_chart_svg,
)
from kimsfinance.testing import assert_no_leak

N = 500
RNG = np.random.default_rng(5)
CLOSE = 100 + np.cumsum(RNG.normal(0, 1, N))
OHLC = {"open": CLOSE + 0.3, "high": CLOSE + 1, "low": CLOSE - 1, "close": CLOSE}
VOLUME = RNG.uniform(0, 1000, N)
SHORT = {key: values.copy() for key, values in OHLC.items()}
SHORT["low"] = SHORT["low"][:-1]
TEXT = {key: np.array(["x"] * N) for key in OHLC}
SMALL = {"width": 300, "height": 200}
ITERATIONS = 2_000
WARMUP = 200

RENDERS = {
    "candles": lambda: render_candlestick_svg(OHLC, VOLUME, **SMALL),
    "candles_no_volume": lambda: render_candlestick_svg(OHLC, None, **SMALL),
    "candles_translucent": lambda: render_candlestick_svg(
        OHLC, VOLUME, up_color="#00FF0080", **SMALL
    ),
    "hollow": lambda: render_hollow_candles_svg(OHLC, VOLUME, **SMALL),
    "ohlc_bars": lambda: render_ohlc_bars_svg(OHLC, VOLUME, **SMALL),
    "line": lambda: render_line_chart_svg(OHLC, VOLUME, fill_area=True, **SMALL),
    "line_no_volume": lambda: render_line_chart_svg(OHLC, None, **SMALL),
    "renko_auto": lambda: render_renko_chart_svg(OHLC, VOLUME, **SMALL),
    "renko_box": lambda: render_renko_chart_svg(OHLC, None, box_size=0.5, **SMALL),
    "pnf_auto": lambda: render_pnf_chart_svg(OHLC, VOLUME, **SMALL),
    "pnf_box": lambda: render_pnf_chart_svg(OHLC, None, box_size=0.5, **SMALL),
}

FAILURES = {
    "candles_length_mismatch": (
        lambda: render_candlestick_svg(SHORT, VOLUME, **SMALL),
        DataValidationError,
    ),
    "candles_bad_dtype": (lambda: render_candlestick_svg(TEXT, VOLUME, **SMALL), TypeError),
    "candles_bad_size": (lambda: render_candlestick_svg(OHLC, VOLUME, width=50), ValueError),
    "hollow_length_mismatch": (
        lambda: render_hollow_candles_svg(SHORT, None, **SMALL),
        DataValidationError,
    ),
    "ohlc_bad_dtype": (lambda: render_ohlc_bars_svg(TEXT, None, **SMALL), TypeError),
    "ohlc_negative_volume": (
        lambda: render_ohlc_bars_svg(OHLC, -VOLUME, **SMALL),
        DataValidationError,
    ),
    "line_length_mismatch": (
        lambda: render_line_chart_svg(SHORT, VOLUME, **SMALL),
        DataValidationError,
    ),
    "line_bad_width": (
        lambda: render_line_chart_svg(OHLC, VOLUME, line_width=50, **SMALL),
        ValueError,
    ),
    "renko_length_mismatch": (
        lambda: render_renko_chart_svg(SHORT, VOLUME, box_size=1, **SMALL),
        DataValidationError,
    ),
    "renko_bad_box_size": (
        lambda: render_renko_chart_svg(OHLC, VOLUME, box_size=-1, **SMALL),
        ValueError,
    ),
    "pnf_bad_dtype": (lambda: render_pnf_chart_svg(TEXT, None, **SMALL), TypeError),
    "pnf_bad_reversal": (
        lambda: render_pnf_chart_svg(OHLC, None, box_size=1, reversal_boxes=0, **SMALL),
        ValueError,
    ),
}


@pytest.mark.parametrize("name", sorted(RENDERS))
def test_svg_renders_do_not_grow(name):
    assert_no_leak(RENDERS[name], iterations=ITERATIONS, warmup=WARMUP)


@pytest.mark.parametrize("name", sorted(FAILURES))
def test_svg_error_paths_do_not_grow(name):
    render, error = FAILURES[name]
    report = assert_no_leak(render, iterations=ITERATIONS, warmup=WARMUP, expect=error)
    assert report.errors == report.iterations


@pytest.mark.parametrize("suffix", [".svg", ".svgz"])
def test_svg_files_do_not_grow(tmp_path, suffix):
    path = tmp_path / f"chart{suffix}"
    assert_no_leak(
        lambda: render_candlestick_svg(OHLC, VOLUME, output_path=path, **SMALL),
        iterations=ITERATIONS,
        warmup=WARMUP,
    )


def test_failed_svg_writes_do_not_grow(tmp_path):
    blocker = tmp_path / "chart.svgz"
    blocker.mkdir()
    report = assert_no_leak(
        lambda: render_ohlc_bars_svg(OHLC, VOLUME, output_path=blocker, **SMALL),
        iterations=ITERATIONS,
        warmup=WARMUP,
        expect=OSError,
    )
    assert report.errors == report.iterations
    assert [entry.name for entry in tmp_path.iterdir()] == ["chart.svgz"]
