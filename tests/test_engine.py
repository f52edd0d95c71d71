"""The engine model: GPU detection, engine selection, the "auto" threshold, and the errors.

Machines without a CUDA GPU (CI, the build hosts) exercise the "no GPU" answers directly and
the GPU branches through a stand-in driver; tests that need a real GPU skip without one.
"""

from __future__ import annotations

import numpy as np
import pytest

import kimsfinance
from kimsfinance import (
    ConfigurationError,
    EngineManager,
    GPUNotAvailableError,
    KimsFinanceError,
    _native,
    get_engine_info,
    gpu_available,
)
from kimsfinance.core import engine as engine_module
from kimsfinance.ops import aggregations as agg

needs_gpu = pytest.mark.skipif(not gpu_available(), reason="needs a usable CUDA GPU")

FAKE_DEVICE = {
    "driver_loaded": True,
    "driver_version": "12.4",
    "device_count": 1,
    "device_name": "Stand-in GPU",
    "reason": None,
}


@pytest.fixture
def usable_gpu(monkeypatch, restore_engine_state):
    """Pretends a CUDA device is present and the build's kernels compiled for it."""
    EngineManager.reset_gpu_cache()
    monkeypatch.setattr(_native, "cuda_driver_info", lambda: dict(FAKE_DEVICE))
    monkeypatch.setattr(_native, "CUDA_KERNELS", True)
    monkeypatch.setattr(
        _native,
        "cuda_kernel_info",
        lambda: {
            "available": True,
            "reason": None,
            "device_name": "Stand-in GPU",
            "compute_capability": "9.0",
            "nvrtc_version": "12.4",
        },
    )


def test_exports():
    from kimsfinance import core

    for name in ("EngineManager", "gpu_available", "get_engine_info"):
        assert getattr(kimsfinance, name) is getattr(core, name) is getattr(engine_module, name)
        assert name in kimsfinance.__all__ and name in core.__all__


def test_detection_answers_without_raising_and_agrees_with_the_driver():
    info = get_engine_info()
    driver = _native.cuda_driver_info()
    assert set(driver) == {
        "driver_loaded",
        "driver_version",
        "device_count",
        "device_name",
        "reason",
    }
    assert info["cpu_available"] is True
    assert info["cuda_driver_loaded"] == driver["driver_loaded"]
    assert info["cuda_device_count"] == driver["device_count"]
    assert gpu_available() == EngineManager.check_gpu_available() == info["gpu_available"]
    if not driver["driver_loaded"]:
        assert "CUDA driver" in driver["reason"]
        assert gpu_available() is False
    if not gpu_available():
        assert info["gpu_unavailable_reason"]


def test_a_build_without_cuda_kernels_cannot_use_a_present_device(
    monkeypatch, restore_engine_state
):
    EngineManager.reset_gpu_cache()
    monkeypatch.setattr(_native, "cuda_driver_info", lambda: dict(FAKE_DEVICE))
    monkeypatch.setattr(_native, "CUDA_KERNELS", False)
    assert gpu_available() is False
    assert "no CUDA kernels" in get_engine_info()["gpu_unavailable_reason"]
    with pytest.raises(GPUNotAvailableError, match="Stand-in GPU"):
        EngineManager.select_engine("gpu")


def test_the_probe_is_cached_until_reset(monkeypatch, restore_engine_state):
    calls = []

    def probe():
        calls.append(1)
        return dict(FAKE_DEVICE, driver_loaded=False, device_count=0, reason="stand-in")

    EngineManager.reset_gpu_cache()
    monkeypatch.setattr(_native, "cuda_driver_info", probe)
    for _ in range(5):
        EngineManager.check_gpu_available()
    assert len(calls) == 1
    EngineManager.reset_gpu_cache()
    EngineManager.check_gpu_available()
    assert len(calls) == 2


@pytest.mark.parametrize("engine", ["tpu", "GPU", "", None, 1, ("cpu",)])
def test_invalid_engines_are_configuration_errors(engine):
    with pytest.raises(ConfigurationError, match="Invalid engine"):
        EngineManager.select_engine(engine)
    assert issubclass(ConfigurationError, KimsFinanceError)


def test_cpu_is_always_cpu():
    assert EngineManager.select_engine("cpu", "aggregation", 10**9) == "cpu"


def test_without_a_gpu_auto_is_cpu_and_gpu_raises(monkeypatch, restore_engine_state):
    EngineManager.reset_gpu_cache()
    monkeypatch.setattr(
        _native,
        "cuda_driver_info",
        lambda: dict(FAKE_DEVICE, driver_loaded=False, device_count=0, reason="no driver here"),
    )
    kimsfinance.configure(gpu_min_rows=0)
    assert EngineManager.select_engine("auto", "aggregation", 10**9) == "cpu"
    with pytest.raises(GPUNotAvailableError, match="no driver here"):
        EngineManager.select_engine("gpu", "aggregation", 10**9)


def test_auto_uses_the_gpu_from_the_configured_threshold(usable_gpu):
    assert gpu_available() is True
    kimsfinance.configure(gpu_min_rows=50_000)
    assert EngineManager.select_engine("auto", "aggregation", 49_999) == "cpu"
    assert EngineManager.select_engine("auto", "aggregation", 50_000) == "gpu"
    # Without an operation or a size, "auto" never picks the GPU (as in the original).
    assert EngineManager.select_engine("auto") == "cpu"
    assert EngineManager.select_engine("auto", data_size=10**9) == "cpu"
    assert EngineManager.select_engine("gpu") == "gpu"
    kimsfinance.configure(gpu_min_rows=0)
    assert EngineManager.select_engine("auto", "aggregation", 0) == "gpu"
    info = get_engine_info()
    assert info["gpu_min_rows"] == 0 and info["gpu_unavailable_reason"] is None


def test_gpu_min_rows_is_validated():
    with pytest.raises(ValueError, match="gpu_min_rows"):
        kimsfinance.configure(gpu_min_rows=-1)


def test_get_info_keys():
    info = EngineManager.get_info()
    assert {
        "cpu_available",
        "gpu_available",
        "polars_gpu_available",
        "default_engine",
        "gpu_min_rows",
        "cuda_kernels",
        "cuda_driver_loaded",
        "cuda_driver_version",
        "cuda_device_count",
        "cuda_device_name",
        "gpu_unavailable_reason",
    } <= set(info)
    assert info["default_engine"] in ("auto", "cpu", "gpu")


def test_gpu_not_available_error_has_a_default_message():
    assert "GPU" in str(GPUNotAvailableError())


@needs_gpu
def test_gpu_results_equal_cpu_results():
    rng = np.random.default_rng(0)
    count = 1_000_000
    ticks = {
        "timestamp": np.arange(count, dtype=np.int64),
        "price": 100 + np.cumsum(rng.normal(0, 0.01, count)),
        "volume": rng.integers(1, 100, count).astype(np.float64),
    }
    assert agg.tick_to_ohlc(ticks, 100, engine="gpu").equals(
        agg.tick_to_ohlc(ticks, 100, engine="cpu")
    )
