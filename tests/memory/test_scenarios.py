"""The four production scenarios of the memory analysis that started this project, as tests
with budgets: a server soak, a batch of 50K-candle charts, 8 Python threads with the Rust pool
(here), and aggregating 1M and 10M ticks (in test_memory_aggregations.py, next to the other
aggregation tests).

Server soak: a 24/7 rendering server renders and encodes small charts continuously with
statistics tracking on. CI runs 200,000 charts; the longer run is manual::

    KIMSFINANCE_SOAK_CHARTS=1000000 python -m pytest tests/memory/test_scenarios.py -k soak
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

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


# Runs in a fresh interpreter so that the peak belongs to the batch alone.
BATCH_SCRIPT = textwrap.dedent(
    """
    import gc, json, sys, tempfile
    from pathlib import Path

    import numpy as np
    from kimsfinance.plotting import render_charts_parallel
    from kimsfinance.testing import current_rss, peak_rss, reset_peak_rss

    charts, candles, workers, fmt = (int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]),
                                     sys.argv[4])
    rng = np.random.default_rng(5)
    datasets = []
    for _ in range(charts):
        close = 100 + np.cumsum(rng.normal(0, 1, candles))
        spread = rng.uniform(0.1, 2, candles)
        ohlc = {"open": close + spread / 3, "high": close + spread, "low": close - spread,
                "close": close}
        datasets.append({"ohlc": ohlc, "volume": rng.uniform(0, 1000, candles)})
    input_bytes = sum(
        column.nbytes for data in datasets for column in (*data["ohlc"].values(), data["volume"])
    )
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        # Warm-up: the pool's threads and the allocator's arenas exist before the measurement.
        warm = [folder / f"warm{index}.{fmt}" for index in range(workers)]
        render_charts_parallel(datasets[:workers], warm, num_workers=workers)
        gc.collect()
        reset_peak_rss()
        before = current_rss()
        paths = [folder / f"chart{index:04}.{fmt}" for index in range(charts)]
        render_charts_parallel(datasets, paths, num_workers=workers, speed="fast")
        peak = peak_rss()
        written = sum(path.stat().st_size > 0 for path in paths)
    print(json.dumps({"before": before, "peak": peak, "input_bytes": input_bytes,
                      "written": written}))
    """
)


@pytest.mark.parametrize("output_format", ["webp", "png"])
@pytest.mark.parametrize("workers", [1, 2])
def test_batch_of_50k_candle_charts_peaks_at_the_frames_in_flight(workers, output_format):
    """100 charts of 50,000 candles (191 MiB of input) rendered to 1920x1080 files: the peak
    grows by the frames the workers hold, never by a copy of the inputs or by finished charts.

    Each worker holds its reused frame and, while encoding, one frame-sized working buffer of
    the encoder, so the budget is two frames per worker plus 10% of the inputs.
    """
    charts, candles = 100, 50_000
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            BATCH_SCRIPT,
            str(charts),
            str(candles),
            str(workers),
            output_format,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report["written"] == charts
    frame_bytes = 1920 * 1080 * 4
    growth = report["peak"] - report["before"]
    limit = workers * 2 * frame_bytes + report["input_bytes"] // 10
    assert growth <= limit, (
        f"peak RSS grew by {growth / MIB:.1f} MiB rendering {charts} charts of {candles:,} "
        f"candles on {workers} workers; the budget is {limit / MIB:.1f} MiB (2 frames per "
        f"worker + 10% of {report['input_bytes'] / MIB:.0f} MiB of input)"
    )
