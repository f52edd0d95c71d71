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

import numpy as np

from kimsfinance._sample import sample_ohlcv
from kimsfinance.plotting import render_ohlcv_chart, render_to_array, save_chart


def median_ms(func: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``func`` in milliseconds, after one warm-up call."""
    func()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def frame_fill_ms(repeats: int) -> float:
    """Time to allocate and fill one 1920x1080 RGBA frame with numpy: the floor for a render."""
    return median_ms(lambda: np.full((1080, 1920, 4), 7, dtype=np.uint8), repeats)


def import_cost() -> tuple[float, float]:
    """Seconds and MiB of RSS that ``import kimsfinance`` costs in a fresh interpreter."""
    script = (
        "import time, resource; t = time.perf_counter(); import kimsfinance; "
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    seconds, kib = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(seconds), int(kib) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    repeats = 5 if args.quick else 30

    rows = []
    for count in (100, 1_000, 10_000, 100_000):
        ohlc, volume = sample_ohlcv(count)
        rows.append(
            (f"render_to_array, {count:,} candles, 1920x1080",
             median_ms(lambda: render_to_array(ohlc, volume), repeats))
        )
    ohlc, volume = sample_ohlcv(1_000)
    image = render_ohlcv_chart(ohlc, volume)
    for fmt, speed in (("webp", "fast"), ("webp", "balanced"), ("png", "fast"), ("png", "balanced")):
        rows.append(
            (f"render + save {fmt} '{speed}', 1,000 candles",
             median_ms(
                 lambda: save_chart(render_ohlcv_chart(ohlc, volume), io.BytesIO(), format=fmt,
                                    speed=speed),
                 max(3, repeats // 3),
             ))
        )
    del image
    rows.append(("numpy: fill one 1920x1080 RGBA frame", frame_fill_ms(repeats)))

    print("| operation | median ms |")
    print("|---|---:|")
    for name, value in rows:
        print(f"| {name} | {value:.2f} |")
    seconds, mib = import_cost()
    print(f"| `import kimsfinance` (fresh process) | {seconds * 1000:.0f} ms, {mib:.0f} MiB RSS |")


if __name__ == "__main__":
    main()
