"""RSS stays flat over thousands of candle renders and saves, error paths included."""

from __future__ import annotations

import io

import numpy as np
import pytest

from kimsfinance import DataValidationError
from kimsfinance.plotting import (
    render_and_save,
    render_hollow_candles,
    render_ohlcv_chart,
    render_to_array,
    save_chart,
)
from kimsfinance.testing import assert_no_leak

N = 500
RNG = np.random.default_rng(3)
CLOSE = 100 + np.cumsum(RNG.normal(0, 1, N))
OHLC = {"open": CLOSE + 0.3, "high": CLOSE + 1, "low": CLOSE - 1, "close": CLOSE}
VOLUME = RNG.uniform(0, 1000, N)
SMALL = {"width": 300, "height": 200}


def test_render_ohlcv_chart_does_not_grow():
    assert_no_leak(lambda: render_ohlcv_chart(OHLC, VOLUME, **SMALL), iterations=3_000)


def test_render_hollow_candles_does_not_grow():
    assert_no_leak(lambda: render_hollow_candles(OHLC, VOLUME, **SMALL), iterations=3_000)


def test_render_to_array_does_not_grow_including_large_frames():
    assert_no_leak(lambda: render_to_array(OHLC, VOLUME, **SMALL), iterations=3_000)
    assert_no_leak(lambda: render_to_array(OHLC, VOLUME), iterations=300, warmup=30)


@pytest.mark.parametrize(
    "bad, error",
    [
        ({**OHLC, "low": OHLC["low"][:-1]}, DataValidationError),
        ({**OHLC, "close": np.array(["x"] * N)}, TypeError),
        ({k: np.array([]) for k in OHLC}, DataValidationError),
    ],
    ids=["length-mismatch", "bad-dtype", "empty"],
)
def test_error_paths_do_not_grow(bad, error):
    volume = VOLUME if len(bad["open"]) == N else np.array([])
    report = assert_no_leak(
        lambda: render_ohlcv_chart(bad, volume, **SMALL), iterations=3_000, expect=error
    )
    assert report.errors == report.iterations


def test_nan_input_does_not_grow():
    nan = {k: v.copy() for k, v in OHLC.items()}
    nan["high"][::7] = np.nan
    assert_no_leak(lambda: render_to_array(nan, VOLUME, **SMALL), iterations=2_000)


def test_bad_size_does_not_grow():
    report = assert_no_leak(
        lambda: render_to_array(OHLC, VOLUME, width=50), iterations=3_000, expect=ValueError
    )
    assert report.errors == report.iterations


@pytest.mark.parametrize("fmt", ["webp", "png", "jpeg", "bmp", "tiff"])
def test_save_chart_to_files_and_streams_does_not_grow(tmp_path, fmt):
    image = render_ohlcv_chart(OHLC, VOLUME, **SMALL)
    path = tmp_path / f"chart.{fmt}"
    assert_no_leak(lambda: save_chart(image, path, speed="fast"), iterations=1_000)
    assert_no_leak(lambda: save_chart(image, io.BytesIO(), format=fmt), iterations=1_000)


def test_render_and_save_does_not_grow(tmp_path):
    path = tmp_path / "chart.webp"
    assert_no_leak(
        lambda: render_and_save(OHLC, VOLUME, path, speed="fast", **SMALL), iterations=1_000
    )


def test_failed_saves_do_not_grow(tmp_path):
    image = render_ohlcv_chart(OHLC, VOLUME, **SMALL)
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    # The parent "directory" is a file, so every save fails.
    report = assert_no_leak(
        lambda: save_chart(image, blocker / "chart.png"), iterations=1_000, expect=OSError
    )
    assert report.errors == report.iterations
