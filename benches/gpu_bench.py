"""CPU against GPU for the aggregations with CUDA kernels, to set ``gpu_min_rows`` from.

Times ``tick_to_ohlc``, ``volume_to_ohlc`` and ``ohlc_resample`` on both engines at sizes from
10,000 to 10,000,000 ticks (the median of several runs after a warm-up; the GPU's first call,
which compiles the kernels, is reported on its own), checks at every size that both engines
give the same frame, and prints for each operation the crossover: the smallest size from which
the GPU is faster at that size and every larger one.

    python benches/gpu_bench.py                # all sizes
    python benches/gpu_bench.py --sizes 1000000 10000000 --json gpu_bench.json

Without a usable GPU it says why and exits with status 2.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys
import time

import numpy as np

import kimsfinance
from kimsfinance.ops import aggregations as agg

SIZES = [10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000, 10_000_000]


def make_ticks(count: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    times = np.arange(count, dtype=np.int64) * 100_000_000  # ten ticks a second
    return {
        "timestamp": times.view("datetime64[ns]"),
        "price": 100 + np.cumsum(rng.normal(0, 0.01, count)),
        "volume": rng.integers(1, 100, count).astype(np.float64),
    }


def make_ohlcv(ticks: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    price = ticks["price"]
    return {
        "timestamp": ticks["timestamp"],
        "open": price,
        "high": price + 0.01,
        "low": price - 0.01,
        "close": price,
        "volume": ticks["volume"],
    }


OPERATIONS = {
    "tick_to_ohlc (100 ticks a bar)": lambda ticks, ohlcv, engine: agg.tick_to_ohlc(
        ticks, 100, engine=engine
    ),
    "volume_to_ohlc (5,000 a bar)": lambda ticks, ohlcv, engine: agg.volume_to_ohlc(
        ticks, 5_000.0, engine=engine
    ),
    "ohlc_resample (1 minute)": lambda ticks, ohlcv, engine: agg.ohlc_resample(
        ohlcv, "1m", engine=engine
    ),
}


def median_ms(call, repeats: int) -> float:
    call()  # warm-up: caches, page faults, lazy imports
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1e3)
    return statistics.median(times)


def crossover(rows: list[dict]) -> int | None:
    """The smallest size from which the GPU wins at every size measured."""
    found = None
    for row in sorted(rows, key=lambda row: row["rows"], reverse=True):
        if row["gpu_ms"] >= row["cpu_ms"]:
            break
        found = row["rows"]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args()

    info = kimsfinance.get_engine_info()
    if not info["gpu_available"]:
        print(f"No usable GPU: {info['gpu_unavailable_reason']}", file=sys.stderr)
        return 2
    print(
        f"device {info['cuda_device_name']} (compute {info['cuda_compute_capability']}), "
        f"driver CUDA {info['cuda_driver_version']}, NVRTC {info['cuda_nvrtc_version']}"
    )

    started = time.perf_counter()
    agg.tick_to_ohlc(make_ticks(10), 2, engine="gpu")
    print(
        f"first GPU call (includes any set-up not done yet): "
        f"{(time.perf_counter() - started) * 1e3:.1f} ms"
    )

    results: dict[str, list[dict]] = {name: [] for name in OPERATIONS}
    for count in options.sizes:
        ticks = make_ticks(count)
        ohlcv = make_ohlcv(ticks)
        repeats = options.repeats if count < 3_000_000 else max(3, options.repeats // 2)
        for name, operation in OPERATIONS.items():
            on_cpu = functools.partial(operation, ticks, ohlcv, "cpu")
            on_gpu = functools.partial(operation, ticks, ohlcv, "gpu")
            same = on_gpu().equals(on_cpu())
            cpu_ms = median_ms(on_cpu, repeats)
            gpu_ms = median_ms(on_gpu, repeats)
            results[name].append(
                {"rows": count, "cpu_ms": cpu_ms, "gpu_ms": gpu_ms, "identical": same}
            )
            print(
                f"{name:32} {count:>11,} rows  cpu {cpu_ms:9.2f} ms  gpu {gpu_ms:9.2f} ms  "
                f"x{cpu_ms / gpu_ms:5.2f}  {'identical' if same else 'DIFFERENT'}"
            )

    print()
    summary = {}
    for name, rows in results.items():
        point = crossover(rows)
        summary[name] = point
        where = f"from {point:,} rows" if point else "never, at the sizes measured"
        print(f"crossover {name:32} GPU faster {where}")
    all_identical = all(row["identical"] for rows in results.values() for row in rows)
    print(f"parity: {'every result identical' if all_identical else 'SOME RESULTS DIFFER'}")

    if options.json:
        with open(options.json, "w") as file:
            json.dump(
                {"engine_info": info, "results": results, "crossover": summary}, file, indent=2
            )
    return 0 if all_identical else 1


if __name__ == "__main__":
    sys.exit(main())
