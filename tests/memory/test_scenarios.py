"""The four production scenarios of the memory analysis that started this project, as tests
with budgets. (The batch and parallel scenarios live in test_memory_batch.py, the aggregation
one in test_memory_aggregations.py, next to the features they exercise.)

Server soak: a 24/7 rendering server renders and encodes small charts continuously with
statistics tracking on. CI runs 200,000 charts; the longer run is manual::

    KIMSFINANCE_SOAK_CHARTS=1000000 python -m pytest tests/memory/test_scenarios.py -k soak
"""

from __future__ import annotations

import io
import os
import sys

import numpy as np

import kimsfinance
from kimsfinance.integration import adapter
from kimsfinance.plotting import render_ohlcv_chart, save_chart
from kimsfinance.testing import current_rss

MIB = 1024 * 1024
SOAK_CHARTS = int(os.environ.get("KIMSFINANCE_SOAK_CHARTS", "200000"))


def test_server_soak_render_and_encode_with_tracking():
    rng = np.random.default_rng(11)
    # A few different inputs, as a server sees different symbols.
    datasets = []
    for n in (60, 100, 250):
        close = 100 + np.cumsum(rng.normal(0, 1, n))
        ohlc = {"open": close + 0.2, "high": close + 1, "low": close - 1, "close": close}
        datasets.append((ohlc, rng.uniform(0, 1000, n)))
    stats = adapter._performance_stats
    size_before = sys.getsizeof(stats)
    kimsfinance.configure(performance_tracking=True)
    try:
        warmup = 5_000
        sink = io.BytesIO()
        for index in range(SOAK_CHARTS):
            if index == warmup:
                before = current_rss()
            ohlc, volume = datasets[index % len(datasets)]
            image = render_ohlcv_chart(ohlc, volume, width=300, height=200)
            sink.seek(0)
            sink.truncate()
            save_chart(image, sink, format="webp", speed="fast")
        growth = current_rss() - before
        result = stats.get_stats()
    finally:
        kimsfinance.configure(performance_tracking=False)
    assert growth < 2 * MIB, f"RSS grew {growth / MIB:.2f} MiB over {SOAK_CHARTS} charts"
    assert sys.getsizeof(stats) == size_before
    assert result["total_tracked"] <= result["max_entries"]
    assert result["operations"]["render"]["count"] > 0
    assert result["operations"]["encode"]["count"] > 0


def test_eight_python_threads_and_the_rust_pool_together():
    """8 Python threads each run batches on the Rust pool and single renders, over and over:
    RSS stays flat after warm-up and every result equals the serial one."""
    import threading

    from kimsfinance.plotting import render_charts_parallel, render_to_array

    rng = np.random.default_rng(12)
    close = 100 + np.cumsum(rng.normal(0, 1, 300))
    ohlc = {"open": close + 0.2, "high": close + 1, "low": close - 1, "close": close}
    volume = rng.uniform(0, 1000, 300)
    datasets = [{"ohlc": ohlc, "volume": volume}] * 8
    small = {"width": 240, "height": 160}
    serial_array = render_to_array(ohlc, volume, **small)
    serial_bytes = render_charts_parallel(datasets, num_workers=1, **small)
    mismatches = []

    def work(rounds: int) -> None:
        for _ in range(rounds):
            if not np.array_equal(render_to_array(ohlc, volume, **small), serial_array):
                mismatches.append("array")
            if render_charts_parallel(datasets, num_workers=2, **small) != serial_bytes:
                mismatches.append("batch")

    def run_threads(rounds: int) -> None:
        threads = [threading.Thread(target=work, args=(rounds,)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
            assert not thread.is_alive(), "a rendering thread hung"

    run_threads(20)
    before = current_rss()
    run_threads(150)
    growth = current_rss() - before
    assert mismatches == []
    assert growth < 4 * MIB, f"RSS grew {growth / MIB:.2f} MiB over 1,200 threaded rounds"
