"""Runtime properties: the GIL is released, inputs are not copied, panics become exceptions."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import kimsfinance
from kimsfinance import _native
from kimsfinance.core import (
    ConfigurationError,
    DataValidationError,
    EngineError,
    GPUNotAvailableError,
    KimsFinanceError,
    OperationNotSupportedError,
)
from kimsfinance.plotting import render_to_array


def test_python_threads_run_while_a_chart_renders():
    n = 3_000_000
    close = np.linspace(100, 200, n)
    ohlc = {"open": close, "high": close + 1, "low": close - 1, "close": close}
    volume = np.ones(n)
    done = threading.Event()
    ticks = 0

    def render():
        render_to_array(ohlc, volume, width=4000, height=3000)
        done.set()

    worker = threading.Thread(target=render)
    worker.start()
    while not done.is_set():
        ticks += 1
    worker.join()
    # With the GIL held for the whole render, this loop could only run in the short moments
    # before and after the native call.
    assert ticks > 10_000


def test_a_rust_panic_is_an_ordinary_exception():
    with pytest.raises(EngineError, match="deliberate panic"):
        _native._raise_panic_for_tests()
    # The interpreter is still fine afterwards.
    assert render_to_array(
        {"open": [1.0], "high": [2.0], "low": [0.0], "close": [1.5]}, [1.0], width=100, height=100
    ).shape == (100, 100, 4)


def test_exception_hierarchy():
    for cls in (
        GPUNotAvailableError,
        DataValidationError,
        EngineError,
        OperationNotSupportedError,
        ConfigurationError,
    ):
        assert issubclass(cls, KimsFinanceError)
        assert getattr(kimsfinance, cls.__name__) is cls
    assert issubclass(DataValidationError, ValueError)


def test_ten_million_candles_render_without_copying_the_input():
    """Peak RSS growth while rendering stays under a quarter of the input's size."""
    script = textwrap.dedent(
        """
        import numpy as np
        from kimsfinance.testing import current_rss, peak_rss, reset_peak_rss
        from kimsfinance.plotting import render_to_array
        n = 10_000_000
        close = 100 + np.cumsum(np.random.default_rng(1).normal(0, 1, n))
        ohlc = {"open": close + 0.5, "high": close + 1.0, "low": close - 1.0, "close": close}
        volume = np.abs(close)
        inputs = sum(a.nbytes for a in ohlc.values()) + volume.nbytes
        render_to_array(ohlc, volume, width=200, height=100)  # load everything once
        assert reset_peak_rss()
        before = current_rss()
        image = render_to_array(ohlc, volume, width=1920, height=1080)
        growth = peak_rss() - before
        print(inputs, growth, image.nbytes)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    inputs, growth, image_bytes = map(int, result.stdout.split())
    assert inputs == 5 * 80_000_000
    assert growth < 0.25 * inputs, f"peak grew by {growth} bytes for {inputs} bytes of input"
    # Strided (every other value of a 20M-row buffer) and float32 input are not copied either.


def test_strided_float32_input_is_not_copied():
    script = textwrap.dedent(
        """
        import numpy as np
        from kimsfinance.testing import current_rss, peak_rss, reset_peak_rss
        from kimsfinance.plotting import render_to_array
        n = 5_000_000
        base = (100 + np.cumsum(np.random.default_rng(2).normal(0, 1, 2 * n))).astype(np.float32)
        close = base[::2]
        ohlc = {"open": close, "high": base[1::2] + 2, "low": close - 2, "close": close}
        volume = np.abs(base[::2])
        render_to_array(ohlc, volume, width=200, height=100)
        assert reset_peak_rss()
        before = current_rss()
        render_to_array(ohlc, volume, width=1920, height=1080)
        print(base.nbytes, peak_rss() - before)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    base_bytes, growth = map(int, result.stdout.split())
    # A float64 copy of the five columns would be 5 * 8 * n = 200 MB.
    assert growth < 0.25 * base_bytes, f"peak grew by {growth} bytes"


def test_import_is_light():
    script = (
        "import sys, kimsfinance; "
        "print(sorted(m for m in ('polars', 'pandas', 'PIL') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
