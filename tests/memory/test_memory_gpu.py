"""The GPU engine's entry points keep RSS flat over thousands of calls: the refusals without a
GPU, the native GPU calls that fail and fall back to the CPU, the kernel set-up report, and
(with a GPU) the GPU aggregations themselves, whose device buffers are freed every call."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from kimsfinance import GPUNotAvailableError, _native, get_engine_info, gpu_available
from kimsfinance.ops import aggregations as agg
from kimsfinance.testing import assert_no_leak

COUNT = 2_000
RNG = np.random.default_rng(5)
TIMES = np.arange(COUNT, dtype=np.int64) * 1_000_000
TICKS = {
    "timestamp": TIMES.view("datetime64[ns]"),
    "price": 100 + np.cumsum(RNG.normal(0, 0.05, COUNT)),
    "volume": RNG.integers(1, 20, COUNT).astype(np.float64),
}
OHLCV = {
    "timestamp": TICKS["timestamp"],
    "open": TICKS["price"],
    "high": TICKS["price"] + 0.1,
    "low": TICKS["price"] - 0.1,
    "close": TICKS["price"],
    "volume": TICKS["volume"],
}
NAMES = ("timestamp", "price", "volume")

needs_gpu = pytest.mark.skipif(not gpu_available(), reason="needs a usable CUDA GPU")
without_gpu = pytest.mark.skipif(gpu_available(), reason="checks the refusals without a GPU")

REFUSALS = {
    "tick": lambda: agg.tick_to_ohlc(TICKS, 10, engine="gpu"),
    "volume": lambda: agg.volume_to_ohlc(TICKS, 50.0, engine="gpu"),
    "resample": lambda: agg.ohlc_resample(OHLCV, "1s", engine="gpu"),
    "native_tick": lambda: _native.tick_bars(
        TIMES,
        TICKS["price"],
        TICKS["volume"],
        tick_size=10,
        assume_sorted=False,
        names=NAMES,
        engine="gpu",
    ),
    "native_resample": lambda: _native.resample_bars(
        TIMES,
        OHLCV["open"],
        OHLCV["high"],
        OHLCV["low"],
        OHLCV["close"],
        None,
        every="1s",
        unit_nanoseconds=1,
        assume_sorted=True,
        timestamp_name="timestamp",
        engine="gpu",
    ),
}


@without_gpu
@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_engine_gpu_refusals_do_not_grow(name):
    report = assert_no_leak(
        REFUSALS[name], iterations=2_000, warmup=100, expect=GPUNotAvailableError
    )
    assert report.errors == report.iterations


@without_gpu
def test_native_fallbacks_to_the_cpu_do_not_grow():
    def fall_back():
        return _native.volume_bars(
            TIMES,
            TICKS["price"],
            TICKS["volume"],
            volume_size=40.0,
            assume_sorted=False,
            names=NAMES,
            engine="gpu",
            fall_back_to_cpu=True,
        )

    with warnings.catch_warnings():
        # The warnings registry would otherwise remember each distinct warning location.
        warnings.simplefilter("ignore", RuntimeWarning)
        assert_no_leak(fall_back, iterations=2_000, warmup=100)


def test_engine_reports_do_not_grow():
    assert_no_leak(
        lambda: (get_engine_info(), _native.cuda_kernel_info()), iterations=2_000, warmup=100
    )


@needs_gpu
@pytest.mark.parametrize(
    "call",
    [
        lambda: agg.tick_to_ohlc(TICKS, 10, engine="gpu"),
        lambda: agg.volume_to_ohlc(TICKS, 50.0, engine="gpu"),
        lambda: agg.ohlc_resample(OHLCV, "1s", engine="gpu"),
    ],
    ids=["tick", "volume", "resample"],
)
def test_gpu_aggregations_do_not_grow(call):
    assert_no_leak(call, iterations=2_000, warmup=100)
