"""Measures the memory figures of the four production scenarios for README.md.

Run: ``python benches/memory_scenarios.py [--charts N]``. Each scenario runs in a fresh
process so that peaks do not mix; prints a Markdown table.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import textwrap

# Ticks built in place (no temporaries), then one warm-up call, so the reset peak belongs to
# the measured call alone.
AGGREGATION = """
    import gc, numpy as np
    from kimsfinance.ops.aggregations import tick_to_ohlc
    from kimsfinance.testing import current_rss, peak_rss, reset_peak_rss
    price = np.random.default_rng(4).normal(0, 0.01, TICKS)
    np.cumsum(price, out=price)
    price += 100
    ticks = {"timestamp": np.arange(TICKS, dtype=np.int64).view("datetime64[ms]"), "price": price,
             "volume": np.ones(TICKS)}
    inputs = sum(a.nbytes for a in ticks.values())
    tick_to_ohlc({name: values[:1000] for name, values in ticks.items()}, 1000)
    gc.collect()
    reset_peak_rss()
    before = max(current_rss(), peak_rss())
    bars = tick_to_ohlc(ticks, 1000)
    print(f"{(peak_rss() - before) / 2**20:.1f} MiB peak growth; inputs "
          f"{inputs / 2**20:.0f} MiB, output {bars.estimated_size() / 2**20:.2f} MiB")
"""

SCENARIOS = {
    "server soak: render + WebP, tracking on (RSS growth after 5,000-chart warm-up)": """
        import io, numpy as np, kimsfinance
        from kimsfinance.plotting import render_ohlcv_chart, save_chart
        from kimsfinance.testing import current_rss
        rng = np.random.default_rng(1)
        close = 100 + np.cumsum(rng.normal(0, 1, 100))
        ohlc = {"open": close, "high": close + 1, "low": close - 1, "close": close}
        volume = rng.uniform(0, 1000, 100)
        kimsfinance.configure(performance_tracking=True)
        sink = io.BytesIO()
        for index in range(CHARTS):
            if index == 5000:
                before = current_rss()
            sink.seek(0); sink.truncate()
            save_chart(render_ohlcv_chart(ohlc, volume, width=300, height=200), sink,
                       format="webp", speed="fast")
        print(f"{(current_rss() - before) / 2**20:+.2f} MiB over {CHARTS - 5000:,} charts")
    """,
    "batch: 100 charts of 50K candles to WebP files (peak RSS growth vs inputs)": """
        import tempfile, numpy as np
        from kimsfinance.plotting import render_charts_parallel
        from kimsfinance.testing import current_rss, peak_rss, reset_peak_rss
        rng = np.random.default_rng(2)
        datasets = []
        for _ in range(100):
            close = 100 + np.cumsum(rng.normal(0, 1, 50_000))
            datasets.append({"ohlc": {"open": close, "high": close + 1, "low": close - 1,
                                      "close": close}, "volume": rng.uniform(0, 1, 50_000)})
        inputs = 100 * 4 * 50_000 * 8 + 100 * 50_000 * 8
        with tempfile.TemporaryDirectory() as folder:
            paths = [f"{folder}/{i}.webp" for i in range(100)]
            render_charts_parallel(datasets[:2], paths[:2], num_workers=2)  # warm-up
            reset_peak_rss()
            before = max(current_rss(), peak_rss())
            render_charts_parallel(datasets, paths, num_workers=2)
            growth = peak_rss() - before
        print(f"{growth / 2**20:.1f} MiB peak growth; inputs {inputs / 2**20:.0f} MiB, "
              f"2 workers x 8 MiB frames")
    """,
    "parallel: 8 Python threads x 200 renders each, twice, 1920x1080 (RSS growth)": """
        import threading, numpy as np
        from kimsfinance.plotting import render_to_array
        from kimsfinance.testing import current_rss
        close = 100 + np.cumsum(np.random.default_rng(3).normal(0, 1, 5000))
        ohlc = {"open": close, "high": close + 1, "low": close - 1, "close": close}
        volume = np.abs(close)
        def work():
            for _ in range(200):
                render_to_array(ohlc, volume)
        def run_threads():
            threads = [threading.Thread(target=work) for _ in range(8)]
            for t in threads: t.start()
            for t in threads: t.join()
        work()
        start = current_rss()
        run_threads()
        first = current_rss()
        run_threads()
        print(f"{(first - start) / 2**20:+.1f} MiB over the first 1,600 renders (8 frames of "
              f"7.9 MiB in flight), then {(current_rss() - first) / 2**20:+.2f} MiB over the next "
              f"1,600")
    """,
    "aggregation: tick_to_ohlc on 1M ticks, 1,000 per bar (peak RSS growth)": (
        "TICKS = 1_000_000" + textwrap.dedent(AGGREGATION)
    ),
    "aggregation: tick_to_ohlc on 10M ticks, 1,000 per bar (peak RSS growth)": (
        "TICKS = 10_000_000" + textwrap.dedent(AGGREGATION)
    ),
    "hooks: activate/deactivate 10,000 times (RSS growth)": """
        import kimsfinance
        from kimsfinance.testing import measure_rss
        def cycle():
            kimsfinance.activate(); kimsfinance.deactivate()
        report = measure_rss(cycle, iterations=10_000)
        print(f"{report.growth / 2**20:+.2f} MiB")
    """,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--charts", type=int, default=200_000, help="server soak length")
    args = parser.parse_args()
    print("| scenario | measured |")
    print("|---|---|")
    for name, body in SCENARIOS.items():
        script = f"CHARTS = {args.charts}\n" + textwrap.dedent(body)
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        outcome = result.stdout.strip() or f"failed: {result.stderr.strip().splitlines()[-1:]}"
        print(f"| {name} | {outcome} |")


if __name__ == "__main__":
    main()
