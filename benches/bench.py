"""Whole-call benchmarks from Python: what users of kimsfinance see.

Run: ``python benches/bench.py`` (add ``--quick`` for fewer repetitions). Prints a Markdown
table of median times per call; the README's figures come from this script.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial

import numpy as np

from kimsfinance import plotting
from kimsfinance._sample import sample_ohlcv
from kimsfinance.plotting import (
    render_charts_parallel,
    render_ohlcv_chart,
    render_ohlcv_charts,
    render_to_array,
    save_chart,
)


def run_times(func: Callable[[], object], repeats: int) -> list[float]:
    """Wall times of ``repeats`` calls of ``func`` in seconds, after one warm-up call."""
    func()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return times


def median_ms(func: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``func`` in milliseconds, after one warm-up call."""
    return statistics.median(run_times(func, repeats)) * 1000


def render_and_encode(ohlc: dict, volume: np.ndarray, fmt: str, speed: str) -> None:
    """Renders a candlestick chart and encodes it into memory, as ``save_chart`` does."""
    save_chart(render_ohlcv_chart(ohlc, volume), io.BytesIO(), format=fmt, speed=speed)


def frame_fill_ms(repeats: int) -> float:
    """Time to allocate and fill one 1920x1080 RGBA frame with numpy: the floor for a render."""
    return median_ms(lambda: np.full((1080, 1920, 4), 7, dtype=np.uint8), repeats)


def small_chart_vs_fill(repeats: int) -> tuple[float, float]:
    """Median ms of ``render_to_array`` on 100 candles and of one numpy frame fill, timed in
    alternation so that both see the same machine load."""
    ohlc, volume = sample_ohlcv(100)
    render = partial(render_to_array, ohlc, volume)

    def fill() -> object:
        return np.full((1080, 1920, 4), 7, dtype=np.uint8)

    render(), fill()
    render_times, fill_times = [], []
    for _ in range(repeats):
        for func, times in ((render, render_times), (fill, fill_times)):
            started = time.perf_counter()
            func()
            times.append(time.perf_counter() - started)
    return statistics.median(render_times) * 1000, statistics.median(fill_times) * 1000


def import_cost() -> tuple[float, float]:
    """Seconds and MiB of RSS that ``import kimsfinance`` costs in a fresh interpreter."""
    # Current RSS, not ru_maxrss: Linux keeps the peak across exec, so a child started from
    # this (large) benchmark process would report the parent's peak.
    script = (
        "import time; t = time.perf_counter(); import kimsfinance; "
        "elapsed = time.perf_counter() - t; "
        "kib = [l for l in open('/proc/self/status') if l.startswith('VmRSS')][0].split()[1]; "
        "print(elapsed, kib)"
    )
    seconds, kib = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(seconds), int(kib) / 1024


RASTER_CHARTS = (
    "render_ohlcv_chart",
    "render_ohlc_bars",
    "render_hollow_candles",
    "render_line_chart",
    "render_renko_chart",
    "render_pnf_chart",
)
SVG_CHARTS = (
    "render_candlestick_svg",
    "render_ohlc_bars_svg",
    "render_hollow_candles_svg",
    "render_line_chart_svg",
    "render_renko_chart_svg",
    "render_pnf_chart_svg",
)


def chart_type_rows(repeats: int) -> list[tuple[str, str]]:
    """Every raster chart type at 1K and 100K candles (1920x1080), with its time relative to
    the candlestick chart of the same data, and every SVG chart type at 10K candles."""
    rows = []
    for count in (1_000, 100_000):
        ohlc, volume = sample_ohlcv(count)
        times = {
            name: median_ms(partial(getattr(plotting, name), ohlc, volume), repeats)
            for name in RASTER_CHARTS
        }
        candle = times["render_ohlcv_chart"]
        for name, elapsed in times.items():
            rows.append(
                (
                    f"{name}, {count:,} candles, 1920x1080",
                    f"{elapsed:.2f} ms ({elapsed / candle:.2f}x candlestick)",
                )
            )
    ohlc, volume = sample_ohlcv(10_000)
    for name in SVG_CHARTS:
        render = getattr(plotting, name)
        elapsed = median_ms(partial(render, ohlc, volume), max(3, repeats // 3))
        rows.append((f"{name}, 10,000 candles (SVG text)", f"{elapsed:.2f} ms"))
    return rows


BATCH_CHARTS = 1_000
BATCH_SIZE = {"width": 300, "height": 200}


def batch_rows(repeats: int) -> list[tuple[str, str]]:
    """Charts per second for 1,000 charts of 100 candles at 300x200, in a loop and in batches.

    Each rate comes from the median time of ``repeats`` whole runs of the 1,000 charts; the
    rate of the fastest run follows in brackets, because on a shared 2-core machine the median
    of a two-thread run moves with whatever else is running.
    """
    datasets = []
    for seed in range(BATCH_CHARTS):
        ohlc, volume = sample_ohlcv(100, seed=seed)
        datasets.append({"ohlc": ohlc, "volume": volume})

    def rates(func: Callable[[], object]) -> tuple[float, float]:
        times = run_times(func, repeats)
        return BATCH_CHARTS / statistics.median(times), BATCH_CHARTS / min(times)

    def render_loop(render: Callable[..., object]) -> Callable[[], None]:
        def loop() -> None:
            for dataset in datasets:
                render(dataset["ohlc"], dataset["volume"], **BATCH_SIZE)

        return loop

    def webp_loop() -> None:
        for dataset in datasets:
            image = render_ohlcv_chart(dataset["ohlc"], dataset["volume"], **BATCH_SIZE)
            save_chart(image, io.BytesIO(), format="webp", speed="fast")

    def image_batch(workers: int) -> Callable[[], object]:
        return lambda: render_ohlcv_charts(datasets, num_workers=workers, **BATCH_SIZE)

    def webp_batch(workers: int) -> Callable[[], object]:
        return lambda: render_charts_parallel(
            datasets, num_workers=workers, speed="fast", output_format="webp", **BATCH_SIZE
        )

    def kept_frames() -> object:
        return [np.full((200, 300, 4), 7, dtype=np.uint8) for _ in range(BATCH_CHARTS)]

    def shown(measured: tuple[float, float], unit: str = "charts/s") -> str:
        return f"{measured[0]:,.0f} {unit} (fastest run {measured[1]:,.0f})"

    label = "1,000 charts x 100 candles, 300x200"
    parallel = {workers: rates(webp_batch(workers)) for workers in (1, 2)}
    speedups = (parallel[2][0] / parallel[1][0], parallel[2][1] / parallel[1][1])
    return [
        (
            f"render_ohlcv_chart in a Python loop, {label}",
            shown(rates(render_loop(render_ohlcv_chart))),
        ),
        (f"render_to_array in a Python loop, {label}", shown(rates(render_loop(render_to_array)))),
        (f"render_ohlcv_charts (images kept), {label}, 1 worker", shown(rates(image_batch(1)))),
        (f"render_ohlcv_charts (images kept), {label}, 2 workers", shown(rates(image_batch(2)))),
        ("numpy: fill and keep 1,000 300x200 RGBA frames", shown(rates(kept_frames), "frames/s")),
        (f"render + save webp 'fast' in a Python loop, {label}", shown(rates(webp_loop))),
        (f"render_charts_parallel webp 'fast' bytes, {label}, 1 worker", shown(parallel[1])),
        (
            f"render_charts_parallel webp 'fast' bytes, {label}, 2 workers",
            f"{shown(parallel[2])}; {speedups[0]:.2f}x 1 worker (fastest runs {speedups[1]:.2f}x)",
        ),
    ]


AGGREGATION_TICKS = 1_000_000

# One fresh interpreter per operation, so each peak-RSS reading belongs to that operation
# alone. Prints the median milliseconds and the peak RSS growth of one call, in bytes.
AGGREGATION_SCRIPT = """
import gc, statistics, sys, time
import numpy as np, polars as pl
from kimsfinance.ops import aggregations as agg
from kimsfinance.testing import peak_rss

name, count, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(0)
price = rng.standard_normal(count)
price *= 0.01
np.cumsum(price, out=price)
price += 100.0
times = np.arange(count, dtype=np.int64)
times *= 1_000_000_000
frame = pl.DataFrame({
    "timestamp": times.view("datetime64[ns]"),
    "price": price,
    "volume": rng.integers(1, 100, count).astype(np.float64),
})
if name == "ohlc_resample":
    frame = frame.select(
        "timestamp", open="price", high=pl.col("price") + 0.01, low=pl.col("price") - 0.01,
        close="price", volume="volume",
    )
calls = {
    "tick_to_ohlc": lambda data: agg.tick_to_ohlc(data, 100),
    "volume_to_ohlc": lambda data: agg.volume_to_ohlc(data, 5_000),
    "ohlc_resample": lambda data: agg.ohlc_resample(data, "5m"),
    "range_to_ohlc": lambda data: agg.range_to_ohlc(data, 0.5),
    "kagi_to_ohlc": lambda data: agg.kagi_to_ohlc(data, reversal_amount=0.5),
}
call = calls[name]
call(frame.head(1_000))
gc.collect()
try:
    # Linux: forget the peak so far (building the frame), so the next one is this call's.
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
except OSError:
    pass
# Right after the reset the peak equals the current RSS; reading both through peak_rss keeps
# one source of truth for the difference.
before = peak_rss()
call(frame)
growth = peak_rss() - before
times_ms = []
for _ in range(repeats):
    started = time.perf_counter()
    call(frame)
    times_ms.append((time.perf_counter() - started) * 1000)
print(statistics.median(times_ms), min(times_ms), growth)
"""


def aggregation_rows(repeats: int) -> list[tuple[str, str]]:
    """Median (and fastest) time and peak RSS growth of the bar aggregations on 1M ticks in a
    polars frame (24 MB: datetime, price, volume; ``ohlc_resample`` gets 1M one-second OHLCV
    rows)."""
    settings = {
        "tick_to_ohlc": "100 ticks per bar",
        "volume_to_ohlc": "volume 5,000 per bar",
        "ohlc_resample": "to 5 minutes",
        "range_to_ohlc": "range 0.5",
        "kagi_to_ohlc": "reversal 0.5",
    }
    rows = []
    for name, setting in settings.items():
        output = subprocess.run(
            [sys.executable, "-c", AGGREGATION_SCRIPT, name, str(AGGREGATION_TICKS), str(repeats)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        median, fastest, growth = float(output[0]), float(output[1]), int(output[2])
        # The fastest run is shown too: on a shared machine the median moves with the load.
        rows.append(
            (
                f"{name}, {AGGREGATION_TICKS:,} ticks (polars frame), {setting}",
                f"{median:.2f} ms (fastest {fastest:.2f}), peak RSS +{growth / 2**20:.1f} MiB",
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    repeats = 5 if args.quick else 30

    rows = []
    # Single renders are quick, so they get ten times the repeats: their medians are then
    # steady even when the other core is busy now and then.
    for count in (100, 1_000, 10_000, 100_000):
        ohlc, volume = sample_ohlcv(count)
        rows.append(
            (
                f"render_to_array, {count:,} candles, 1920x1080",
                median_ms(partial(render_to_array, ohlc, volume), repeats * 10),
            )
        )
    ohlc, volume = sample_ohlcv(1_000)
    image = render_ohlcv_chart(ohlc, volume)
    for fmt, speed in (
        ("webp", "fast"),
        ("webp", "balanced"),
        ("png", "fast"),
        ("png", "balanced"),
    ):
        rows.append(
            (
                f"render + save {fmt} '{speed}', 1,000 candles",
                median_ms(
                    partial(render_and_encode, ohlc, volume, fmt, speed), max(3, repeats // 3)
                ),
            )
        )
    del image
    rows.append(("numpy: fill one 1920x1080 RGBA frame", frame_fill_ms(repeats * 10)))

    print("| operation | median ms |")
    print("|---|---:|")
    for name, value in rows:
        print(f"| {name} | {value:.3f} |")
    chart, fill = small_chart_vs_fill(repeats * 10)
    print(
        f"| render_to_array, 100 candles, and a numpy frame fill, alternating | "
        f"{chart:.3f} vs {fill:.3f} ({chart / fill:.2f}x) |"
    )
    seconds, mib = import_cost()
    print(f"| `import kimsfinance` (fresh process) | {seconds * 1000:.0f} ms, {mib:.0f} MiB RSS |")
    for name, text in chart_type_rows(repeats):
        print(f"| {name} | {text} |")
    for name, text in batch_rows(max(3, repeats // 6)):
        print(f"| {name} | {text} |")
    for name, text in aggregation_rows(repeats):
        print(f"| {name} | {text} |")


if __name__ == "__main__":
    main()
