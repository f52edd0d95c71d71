"""RSS stays flat over thousands of batch calls (bytes, files and images, error paths
included), and a file batch keeps only one chart per worker in memory however long it is."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from kimsfinance import DataValidationError
from kimsfinance.plotting import render_charts_parallel, render_ohlcv_charts
from kimsfinance.testing import assert_no_leak

N = 200
RNG = np.random.default_rng(9)
CLOSE = 100 + np.cumsum(RNG.normal(0, 1, N))
OHLC = {"open": CLOSE + 0.3, "high": CLOSE + 1, "low": CLOSE - 1, "close": CLOSE}
VOLUME = RNG.uniform(0, 1000, N)
DATASETS = [{"ohlc": OHLC, "volume": VOLUME}] * 4
SMALL = {"width": 300, "height": 200}
ITERATIONS = 2_000
WARMUP = 200

SHORT = {**OHLC, "low": OHLC["low"][:-1]}
# A price this far away makes a 0.5 box need more than ten million Renko bricks, which the
# renderer refuses while drawing (after the batch has started).
FAR = {key: np.append(values[:-1], 1e8) for key, values in OHLC.items()}


class Stop(Exception):
    pass


def stop(done: int, total: int) -> None:
    raise Stop


@pytest.mark.parametrize("output_format", ["png", "webp"])
def test_bytes_batches_do_not_grow(output_format):
    assert_no_leak(
        lambda: render_charts_parallel(
            DATASETS, output_format=output_format, num_workers=2, **SMALL
        ),
        iterations=ITERATIONS,
        warmup=WARMUP,
    )


def test_image_batches_do_not_grow():
    assert_no_leak(
        lambda: render_ohlcv_charts(DATASETS, chart_type="line", num_workers=2, **SMALL),
        iterations=ITERATIONS,
        warmup=WARMUP,
    )


def test_file_batches_do_not_grow(tmp_path):
    paths = [tmp_path / f"chart{index}.webp" for index in range(len(DATASETS))]
    # Every file is flushed to disk, so fewer calls keep the test short.
    assert_no_leak(
        lambda: render_charts_parallel(DATASETS, paths, num_workers=4, **SMALL),
        iterations=500,
        warmup=50,
    )


def test_progress_callbacks_do_not_grow():
    def progress(done: int, total: int) -> None:
        assert 1 <= done <= total

    assert_no_leak(
        lambda: render_ohlcv_charts(DATASETS, progress=progress, **SMALL),
        iterations=ITERATIONS,
        warmup=WARMUP,
    )


@pytest.mark.parametrize(
    "call, error",
    [
        (
            lambda: render_ohlcv_charts([*DATASETS, {"ohlc": SHORT, "volume": VOLUME}]),
            DataValidationError,
        ),
        (lambda: render_charts_parallel([*DATASETS, {"ohlc": OHLC}]), KeyError),
        (lambda: render_charts_parallel(DATASETS, executor_type="bogus"), ValueError),
        (
            lambda: render_charts_parallel(
                [*DATASETS, {"ohlc": FAR, "volume": VOLUME}],
                chart_type="renko",
                box_size=0.5,
                **SMALL,
            ),
            ValueError,
        ),
        (lambda: render_ohlcv_charts(DATASETS, progress=stop, **SMALL), Stop),
    ],
    ids=["bad-dataset", "missing-key", "bad-executor", "fails-while-drawing", "callback-raises"],
)
def test_error_paths_do_not_grow(call, error):
    report = assert_no_leak(call, iterations=ITERATIONS, warmup=WARMUP, expect=error)
    assert report.errors == report.iterations


def test_failed_file_batches_do_not_grow(tmp_path):
    (tmp_path / "taken.png").mkdir()
    paths = [tmp_path / "a.png", tmp_path / "taken.png"]
    report = assert_no_leak(
        lambda: render_charts_parallel(DATASETS[:2], paths, num_workers=1, **SMALL),
        iterations=500,
        warmup=50,
        expect=OSError,
    )
    assert report.errors == report.iterations


STREAMING_SCRIPT = textwrap.dedent(
    """
    import sys, tempfile
    from pathlib import Path

    import numpy as np
    from kimsfinance.plotting import render_charts_parallel
    from kimsfinance.testing import peak_rss

    count = int(sys.argv[1])
    close = 100 + np.cumsum(np.random.default_rng(1).normal(0, 1, 100))
    ohlc = {"open": close + 0.3, "high": close + 1, "low": close - 1, "close": close}
    volume = np.linspace(1, 1000, 100)
    datasets = [{"ohlc": ohlc, "volume": volume}] * count
    with tempfile.TemporaryDirectory() as folder:
        paths = [Path(folder) / f"c{index:05}.webp" for index in range(count)]
        render_charts_parallel(datasets, paths, num_workers=2, width=300, height=200)
        assert all(path.stat().st_size > 0 for path in paths)
    print(peak_rss())
    """
)


def peak_rss_of_file_batch(count: int) -> int:
    result = subprocess.run(
        [sys.executable, "-c", STREAMING_SCRIPT, str(count)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return int(result.stdout.split()[-1])


def test_file_batches_stream_peak_memory_does_not_grow_with_the_chart_count():
    small = peak_rss_of_file_batch(200)
    large = peak_rss_of_file_batch(2_000)
    # Keeping the charts would cost 1,800 x 240 KB (about 410 MiB) of pixels more.
    growth_mib = (large - small) / 2**20
    assert growth_mib < 10, f"peak RSS grew by {growth_mib:.1f} MiB from 200 to 2,000 charts"
