"""The statistics object stays the same size under millions of records, and the mplfinance
hooks and configuration calls leave nothing behind."""

from __future__ import annotations

import gc
import sys

import pytest

import kimsfinance
from kimsfinance import PerformanceStats
from kimsfinance.integration import adapter, hooks
from kimsfinance.testing import assert_no_leak, current_rss


def test_stats_object_is_bounded_over_millions_of_records():
    stats = PerformanceStats(max_entries=10_000)
    size = sys.getsizeof(stats)
    record = stats.record
    for _ in range(50_000):
        record("cpu", 1.0)
    gc.collect()
    before = current_rss()
    for _ in range(2_000_000):
        record("cpu", 1.0)
    gc.collect()
    assert current_rss() - before < 2 * 1024 * 1024
    assert sys.getsizeof(stats) == size
    assert stats.get_stats()["total_calls"] == 2_050_000
    assert len(stats) == 10_000


def test_tracked_renders_do_not_grow_the_global_stats(sample):
    from kimsfinance.plotting import render_to_array

    ohlc, volume = sample
    kimsfinance.configure(performance_tracking=True)
    try:
        assert_no_leak(
            lambda: render_to_array(ohlc, volume, width=200, height=100), iterations=20_000
        )
        assert adapter._performance_stats.get_stats()["total_tracked"] <= 10_000
    finally:
        kimsfinance.configure(performance_tracking=False)


def test_get_and_reset_stats_do_not_grow():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_no_leak(adapter.get_performance_stats, iterations=5_000)
    assert_no_leak(adapter.reset_performance_stats, iterations=5_000)


def test_configure_does_not_grow_including_errors():
    assert_no_leak(lambda: kimsfinance.configure(gpu_min_rows=10), iterations=5_000)
    report = assert_no_leak(
        lambda: kimsfinance.configure(bogus=1), iterations=5_000, expect=ValueError
    )
    assert report.errors == report.iterations


def test_activate_and_deactivate_ten_thousand_times():
    pytest.importorskip("mplfinance")

    def cycle():
        kimsfinance.activate()
        kimsfinance.deactivate()

    assert_no_leak(cycle, iterations=10_000, warmup=100)
    assert hooks._originals == {}
    assert not kimsfinance.is_active()
