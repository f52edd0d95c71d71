"""The CUDA path of the aggregations: tick bars, volume bars and time bars.

Without a GPU (CI, the build hosts) these tests check the clean answers: ``engine="gpu"``
raises ``GPUNotAvailableError`` saying why, ``"auto"`` computes on the CPU, a GPU failure under
``"auto"`` warns and falls back (exercised through the native entry points, which fail for
real here), and ``get_engine_info`` says what is missing. With a usable GPU the parity tests
run: GPU bars must equal CPU bars exactly, on sorted and unsorted ticks, float32 columns,
fractional volumes (the exact-order slow path) and sizes around the kernels' block and chunk
widths.
"""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl
import pytest

import kimsfinance
from kimsfinance import (
    ConfigurationError,
    DataValidationError,
    EngineManager,
    GPUNotAvailableError,
    _native,
    get_engine_info,
    gpu_available,
)
from kimsfinance.ops import aggregations as agg

needs_gpu = pytest.mark.skipif(
    not gpu_available(),
    reason="needs a usable CUDA GPU (driver, device and NVRTC): "
    + str(get_engine_info()["gpu_unavailable_reason"]),
)
without_gpu = pytest.mark.skipif(gpu_available(), reason="checks the answers without a GPU")

FAKE_DEVICE = {
    "driver_loaded": True,
    "driver_version": "12.4",
    "device_count": 1,
    "device_name": "Stand-in GPU",
    "reason": None,
}
FAKE_KERNELS = {
    "available": True,
    "reason": None,
    "device_name": "Stand-in GPU",
    "compute_capability": "9.0",
    "nvrtc_version": "12.4",
}


def make_ticks(count: int, *, seed: int = 0, fractional: bool = False, shuffle: bool = False):
    """Ticks with repeated timestamps (milliseconds), a random-walk price, and whole or
    fractional volumes."""
    rng = np.random.default_rng(seed)
    times = 1_700_000_000_000 + np.cumsum(rng.integers(0, 3, count)) * 250
    volume = rng.integers(1, 50, count).astype(np.float64)
    if fractional:
        volume *= 0.1
    ticks = {
        "timestamp": times.astype("datetime64[ms]"),
        "price": 100 + np.cumsum(rng.normal(0, 0.05, count)),
        "volume": volume,
    }
    if shuffle:
        order = rng.permutation(count)
        ticks = {name: values[order] for name, values in ticks.items()}
    return ticks


def make_ohlcv(count: int, *, seed: int = 0, fractional: bool = False) -> dict:
    ticks = make_ticks(count, seed=seed, fractional=fractional)
    price = ticks["price"]
    return {
        "timestamp": ticks["timestamp"],
        "open": price,
        "high": price + 0.05,
        "low": price - 0.05,
        "close": price[::-1].copy(),
        "volume": ticks["volume"],
    }


def native_ticks(count: int = 1_000) -> tuple:
    ticks = make_ticks(count)
    return ticks["timestamp"].view(np.int64), ticks["price"], ticks["volume"]


@pytest.fixture
def stand_in_gpu(monkeypatch, restore_engine_state):
    """The engine model believes a GPU is usable; the native core still has none, so every
    GPU call fails for real inside the native core."""
    EngineManager.reset_gpu_cache()
    monkeypatch.setattr(_native, "cuda_driver_info", lambda: dict(FAKE_DEVICE))
    monkeypatch.setattr(_native, "cuda_kernel_info", lambda: dict(FAKE_KERNELS))


# --- without a GPU -------------------------------------------------------------------------


def test_this_build_has_the_cuda_kernels():
    assert _native.CUDA_KERNELS is True
    assert get_engine_info()["cuda_kernels"] is True


@without_gpu
def test_engine_info_says_why_there_is_no_gpu():
    info = get_engine_info()
    assert info["gpu_available"] is False
    assert info["gpu_unavailable_reason"]
    if not info["cuda_driver_loaded"]:
        assert "CUDA driver" in info["gpu_unavailable_reason"]
        # Never tried without a device.
        assert info["cuda_kernels_ready"] is None
        assert info["cuda_nvrtc_version"] is None


@without_gpu
def test_kernel_set_up_without_a_device_reports_the_reason_and_never_raises():
    for _ in range(3):
        kernels = _native.cuda_kernel_info()
        assert kernels["available"] is False
        assert kernels["reason"]
        assert kernels["device_name"] is None


@without_gpu
@pytest.mark.parametrize(
    "call",
    [
        lambda: agg.tick_to_ohlc(make_ticks(100), 10, engine="gpu"),
        lambda: agg.volume_to_ohlc(make_ticks(100), 50.0, engine="gpu"),
        lambda: agg.ohlc_resample(make_ohlcv(100), "1s", engine="gpu"),
        lambda: agg.range_to_ohlc(make_ticks(100), 0.5, engine="gpu"),
    ],
    ids=["tick", "volume", "resample", "range"],
)
def test_engine_gpu_without_a_gpu_raises_and_says_why(call):
    with pytest.raises(GPUNotAvailableError, match="engine='gpu' was requested") as caught:
        call()
    assert "engine='cpu' or engine='auto'" in str(caught.value)
    assert str(get_engine_info()["gpu_unavailable_reason"]) in str(caught.value)


@without_gpu
def test_auto_without_a_gpu_gives_the_cpu_results(restore_engine_state):
    kimsfinance.configure(gpu_min_rows=0)
    ticks, ohlcv = make_ticks(5_000), make_ohlcv(5_000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pairs = [
            (agg.tick_to_ohlc(ticks, 7), agg.tick_to_ohlc(ticks, 7, engine="cpu")),
            (agg.volume_to_ohlc(ticks, 99.0), agg.volume_to_ohlc(ticks, 99.0, engine="cpu")),
            (agg.ohlc_resample(ohlcv, "1s"), agg.ohlc_resample(ohlcv, "1s", engine="cpu")),
        ]
    for auto, cpu in pairs:
        assert auto.equals(cpu)


@without_gpu
def test_native_gpu_call_without_a_device_raises_gpu_not_available():
    times, price, volume = native_ticks()
    names = ("timestamp", "price", "volume")
    with pytest.raises(GPUNotAvailableError, match="CUDA driver"):
        _native.tick_bars(
            times, price, volume, tick_size=5, assume_sorted=False, names=names, engine="gpu"
        )


@without_gpu
def test_native_gpu_failure_with_fallback_warns_and_gives_the_cpu_bars():
    times, price, volume = native_ticks()
    names = ("timestamp", "price", "volume")
    common = {"assume_sorted": False, "names": names}
    cpu = _native.volume_bars(times, price, volume, volume_size=77.0, **common)
    with pytest.warns(RuntimeWarning, match="The GPU engine failed, so the CPU computed"):
        fallen_back = _native.volume_bars(
            times, price, volume, volume_size=77.0, engine="gpu", fall_back_to_cpu=True, **common
        )
    for got, expected in zip(fallen_back, cpu, strict=True):
        np.testing.assert_array_equal(got, expected)


def test_native_engine_must_be_cpu_or_gpu():
    times, price, volume = native_ticks(10)
    with pytest.raises(ConfigurationError, match="engine must be 'cpu' or 'gpu'.*'auto'"):
        _native.tick_bars(
            times,
            price,
            volume,
            tick_size=5,
            assume_sorted=False,
            names=("t", "p", "v"),
            engine="auto",
        )


@without_gpu
def test_data_errors_do_not_fall_back_and_match_the_cpu_message():
    times, price, volume = native_ticks(50)
    volume = volume.copy()
    volume[17] = -1.0
    names = ("timestamp", "price", "volume")
    with pytest.raises(DataValidationError) as on_cpu:
        _native.tick_bars(times, price, volume, tick_size=5, assume_sorted=False, names=names)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(DataValidationError) as on_gpu_or_cpu:
            _native.tick_bars(
                times,
                price,
                volume,
                tick_size=5,
                assume_sorted=False,
                names=names,
                engine="gpu",
                fall_back_to_cpu=True,
            )
    assert str(on_gpu_or_cpu.value) == str(on_cpu.value)


def test_a_stand_in_gpu_under_auto_falls_back_with_a_warning(stand_in_gpu):
    # The engine model picks the GPU; the native core has none and says so; "auto" warns and
    # answers from the CPU.
    kimsfinance.configure(gpu_min_rows=1_000)
    ticks = make_ticks(2_000)
    assert EngineManager.select_engine("auto", "aggregation", 2_000) == "gpu"
    with pytest.warns(RuntimeWarning, match="GPU engine failed"):
        auto = agg.tick_to_ohlc(ticks, 10)
    assert auto.equals(agg.tick_to_ohlc(ticks, 10, engine="cpu"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # Below the threshold "auto" never tries the GPU.
        small = agg.tick_to_ohlc(make_ticks(999), 10)
    assert small.height == 100


def test_a_stand_in_gpu_under_gpu_raises_instead(stand_in_gpu):
    if gpu_available():
        pytest.skip("a real GPU answers instead of failing")
    with pytest.raises(GPUNotAvailableError):
        agg.ohlc_resample(make_ohlcv(100), "1s", engine="gpu")


def test_a_device_whose_kernels_failed_is_not_usable(monkeypatch, restore_engine_state):
    EngineManager.reset_gpu_cache()
    monkeypatch.setattr(_native, "cuda_driver_info", lambda: dict(FAKE_DEVICE))
    monkeypatch.setattr(
        _native,
        "cuda_kernel_info",
        lambda: dict(FAKE_KERNELS, available=False, reason="NVRTC could not be loaded"),
    )
    assert gpu_available() is False
    reason = get_engine_info()["gpu_unavailable_reason"]
    assert "Stand-in GPU" in reason and "NVRTC could not be loaded" in reason
    assert get_engine_info()["cuda_kernels_ready"] is False
    with pytest.raises(GPUNotAvailableError, match="NVRTC"):
        agg.tick_to_ohlc(make_ticks(10), 2, engine="gpu")


def test_the_kernel_set_up_is_asked_once_until_reset(monkeypatch, restore_engine_state):
    calls = []

    def kernel_info():
        calls.append(1)
        return dict(FAKE_KERNELS)

    EngineManager.reset_gpu_cache()
    monkeypatch.setattr(_native, "cuda_driver_info", lambda: dict(FAKE_DEVICE))
    monkeypatch.setattr(_native, "cuda_kernel_info", kernel_info)
    for _ in range(5):
        assert gpu_available() is True
    get_engine_info()
    assert len(calls) == 1
    EngineManager.reset_gpu_cache()
    gpu_available()
    assert len(calls) == 2


def test_the_default_threshold_is_documented_as_an_estimate():
    from kimsfinance.core import engine
    from kimsfinance.integration import adapter

    assert adapter._config["gpu_min_rows"] >= 0
    assert "default 1,000,000" in engine.__doc__
    assert "not a measurement" in engine.__doc__
    assert "gpu_bench.py" in engine.__doc__


# --- with a GPU: parity --------------------------------------------------------------------

# Around the kernels' widths: 32 rows per chunk thread, 256 threads per block, 1024 threads
# per scan, 65,536 rows per staged copy.
SIZES = [
    1,
    2,
    31,
    32,
    33,
    255,
    256,
    257,
    1_023,
    1_024,
    1_025,
    8_191,
    8_193,
    65_535,
    65_537,
    32_769 * 32,
]


def assert_same(gpu: pl.DataFrame, cpu: pl.DataFrame) -> None:
    assert gpu.schema == cpu.schema
    assert gpu.height == cpu.height
    for name in cpu.columns:
        left, right = gpu.get_column(name).to_numpy(), cpu.get_column(name).to_numpy()
        np.testing.assert_array_equal(left, right, err_msg=name)


@needs_gpu
@pytest.mark.parametrize("count", SIZES)
@pytest.mark.parametrize("shuffle", [False, True], ids=["sorted", "unsorted"])
def test_gpu_tick_bars_equal_cpu_bars(count, shuffle):
    ticks = make_ticks(count, seed=count, shuffle=shuffle)
    for size in (1, 3, 32, 100, 4_096):
        assert_same(
            agg.tick_to_ohlc(ticks, size, engine="gpu"),
            agg.tick_to_ohlc(ticks, size, engine="cpu"),
        )


@needs_gpu
@pytest.mark.parametrize("count", SIZES)
@pytest.mark.parametrize("fractional", [False, True], ids=["whole", "fractional"])
def test_gpu_volume_bars_equal_cpu_bars(count, fractional):
    ticks = make_ticks(count, seed=count, fractional=fractional)
    for size in (1.0, 10.0, 99.9, 5_000.0):
        assert_same(
            agg.volume_to_ohlc(ticks, size, engine="gpu"),
            agg.volume_to_ohlc(ticks, size, engine="cpu"),
        )


@needs_gpu
@pytest.mark.parametrize("count", SIZES)
def test_gpu_time_bars_equal_cpu_bars(count):
    ohlcv = make_ohlcv(count, seed=count)
    without_volume = {name: values for name, values in ohlcv.items() if name != "volume"}
    for every in ("1s", "7s", "1m", "1h", "1w"):
        assert_same(
            agg.ohlc_resample(ohlcv, every, engine="gpu"),
            agg.ohlc_resample(ohlcv, every, engine="cpu"),
        )
    assert_same(
        agg.ohlc_resample(without_volume, "1m", engine="gpu"),
        agg.ohlc_resample(without_volume, "1m", engine="cpu"),
    )


@needs_gpu
def test_gpu_bars_of_converted_columns_equal_cpu_bars():
    ticks = make_ticks(100_003, seed=5)
    ticks = {
        **ticks,
        "price": ticks["price"].astype(np.float32),
        "volume": ticks["volume"].astype(np.int32),
    }
    assert_same(
        agg.volume_to_ohlc(ticks, 500.0, engine="gpu"),
        agg.volume_to_ohlc(ticks, 500.0, engine="cpu"),
    )
    strided = {name: np.repeat(values, 2)[::2] for name, values in make_ticks(10_001).items()}
    assert_same(
        agg.tick_to_ohlc(strided, 9, engine="gpu"), agg.tick_to_ohlc(strided, 9, engine="cpu")
    )


@needs_gpu
def test_gpu_reports_bad_data_like_the_cpu():
    ticks = make_ticks(10_000)
    ticks["price"] = ticks["price"].copy()
    ticks["price"][6_789] = np.nan
    with pytest.raises(DataValidationError) as on_cpu:
        agg.tick_to_ohlc(ticks, 10, engine="cpu")
    with pytest.raises(DataValidationError) as on_gpu:
        agg.tick_to_ohlc(ticks, 10, engine="gpu")
    assert str(on_gpu.value) == str(on_cpu.value)


@needs_gpu
def test_engine_info_reports_the_ready_kernels():
    info = get_engine_info()
    assert info["gpu_available"] is True
    assert info["cuda_kernels_ready"] is True
    assert info["cuda_nvrtc_version"] and info["cuda_compute_capability"]
    assert info["gpu_unavailable_reason"] is None
