"""The bounded statistics object and the tracking of native operations."""

from __future__ import annotations

import sys
import threading
import warnings

import pytest

import kimsfinance
from kimsfinance import PerformanceStats
from kimsfinance.integration import adapter
from kimsfinance.plotting import render_to_array, save_chart


def test_original_example_counts_and_window():
    stats = adapter.BoundedPerformanceStats(max_entries=3)
    for index in range(5):
        stats.record("gpu" if index % 2 else "cpu", 5.0)
    result = stats.get_stats()
    expected = {
        "total_calls": 5,
        "gpu_calls": 2,
        "cpu_calls": 3,
        "time_saved_ms": 25.0,
        "speedup": 1.5,
        "total_tracked": 3,
        "max_entries": 3,
    }
    assert {k: result[k] for k in expected} == expected
    assert stats.copy() == result
    stats.reset()
    assert stats.get_stats()["total_calls"] == 0 and stats.get_stats()["speedup"] == 1.0


def test_percentiles_per_operation():
    stats = PerformanceStats(max_entries=1000)
    for millis in range(1, 101):
        stats.record_duration(float(millis))
    latency = stats.get_stats()["operations"]["external"]
    assert latency["count"] == 100
    assert (latency["p50_ms"], latency["p95_ms"], latency["p99_ms"]) == (50.0, 95.0, 99.0)
    assert latency["mean_ms"] == pytest.approx(50.5)


@pytest.mark.parametrize(
    "kwargs", [{"max_entries": 0}, {"max_entries": -1}, {"retention_hours": 0}]
)
def test_bad_construction_arguments(kwargs):
    with pytest.raises(ValueError):
        PerformanceStats(**kwargs)


def test_size_is_fixed_however_many_records():
    stats = PerformanceStats(max_entries=100)
    before = sys.getsizeof(stats)
    for _ in range(100_000):
        stats.record("cpu", 1.0)
    assert sys.getsizeof(stats) == before
    assert len(stats) == 100
    assert stats.get_stats()["total_calls"] == 100_000


def test_recording_from_many_threads_counts_every_call():
    stats = PerformanceStats(max_entries=50)

    def work():
        for _ in range(5_000):
            stats.record("cpu", 0.5)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    result = stats.get_stats()
    assert result["total_calls"] == 40_000
    assert result["time_saved_ms"] == pytest.approx(20_000.0)
    assert result["total_tracked"] == 50


def test_native_renders_and_encodes_feed_the_global_object_when_tracking(sample, tmp_path):
    ohlc, volume = sample
    adapter.reset_performance_stats()
    kimsfinance.configure(performance_tracking=False)
    render_to_array(ohlc, volume, width=200, height=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert adapter.get_performance_stats()["total_calls"] == 0
    kimsfinance.configure(performance_tracking=True)
    try:
        for _ in range(7):
            array = render_to_array(ohlc, volume, width=200, height=100)
        from kimsfinance.plotting._image import to_image

        save_chart(to_image(array), tmp_path / "chart.png")
        result = adapter.get_performance_stats()
    finally:
        kimsfinance.configure(performance_tracking=False)
    assert result["operations"]["render"]["count"] == 7
    assert result["operations"]["encode"]["count"] == 1
    assert result["total_calls"] == 8
    assert result["operations"]["render"]["p99_ms"] >= result["operations"]["render"]["p50_ms"] > 0


def test_stats_warn_when_tracking_is_off():
    kimsfinance.configure(performance_tracking=False)
    with pytest.warns(UserWarning, match="Performance tracking is off"):
        adapter.get_performance_stats()
