"""Aggregations keep RSS flat over thousands of calls (error paths included), and aggregating
one or ten million ticks costs no more memory than the output plus a tenth of the input."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import polars as pl
import pytest

from kimsfinance import ConfigurationError, DataValidationError, OperationNotSupportedError
from kimsfinance.ops import aggregations as agg
from kimsfinance.testing import assert_no_leak

COUNT = 2_000
RNG = np.random.default_rng(11)
TICKS = {
    "timestamp": (np.arange(COUNT, dtype=np.int64) * 1_000_000_000).astype("datetime64[ns]"),
    "price": 100 + np.cumsum(RNG.normal(0, 0.05, COUNT)),
    "volume": RNG.uniform(0, 10, COUNT),
}
FRAME = pl.DataFrame(TICKS)
SHUFFLED = FRAME.sample(fraction=1.0, shuffle=True, seed=2)
OHLCV = {
    "timestamp": TICKS["timestamp"],
    "open": TICKS["price"],
    "high": TICKS["price"] + 0.1,
    "low": TICKS["price"] - 0.1,
    "close": TICKS["price"],
    "volume": TICKS["volume"],
}

# Time-zone-aware rows take polars' own windows (a separate path).
ZONED = pl.DataFrame(OHLCV).with_columns(
    pl.col("timestamp").dt.replace_time_zone("UTC").dt.convert_time_zone("Europe/Berlin")
)

CALLS = {
    "tick": lambda: agg.tick_to_ohlc(TICKS, 50),
    "tick_polars_unsorted": lambda: agg.tick_to_ohlc(SHUFFLED, 50),
    "tick_lazy": lambda: agg.tick_to_ohlc(FRAME.lazy(), 50),
    "volume": lambda: agg.volume_to_ohlc(FRAME, 200.0),
    "range": lambda: agg.range_to_ohlc(TICKS, 0.2),
    "kagi": lambda: agg.kagi_to_ohlc(TICKS, reversal_pct=0.001),
    "line_break": lambda: agg.three_line_break_to_ohlc(TICKS),
    "resample": lambda: agg.ohlc_resample(OHLCV, "5m"),
    "resample_zoned": lambda: agg.ohlc_resample(ZONED, "5m"),
    "reductions": lambda: (
        agg.volume_sum(TICKS["volume"]),
        agg.volume_weighted_price(TICKS["price"], TICKS["volume"]),
        agg.rolling_mean(TICKS["price"], 20),
        agg.cumulative_sum(TICKS["volume"]),
    ),
    "group": lambda: agg.group_aggregation(FRAME.head(100), "volume", "price", "mean"),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_calls_do_not_grow(name):
    assert_no_leak(CALLS[name], iterations=2_000, warmup=100)


def bad(name: str, values) -> dict:
    return {**TICKS, name: values}


ERRORS = {
    "nan_price": (
        lambda: agg.tick_to_ohlc(bad("price", np.full(COUNT, np.nan)), 5),
        DataValidationError,
    ),
    "negative_volume": (
        lambda: agg.volume_to_ohlc(bad("volume", -TICKS["volume"] - 1), 5),
        DataValidationError,
    ),
    "missing_column": (lambda: agg.range_to_ohlc(FRAME.drop("price"), 1.0), ValueError),
    "text_prices": (
        lambda: agg.kagi_to_ohlc(bad("price", np.array(["x"] * COUNT)), 1.0),
        TypeError,
    ),
    "both_thresholds": (lambda: agg.kagi_to_ohlc(TICKS, 1.0, 0.1), ValueError),
    "bad_size": (lambda: agg.tick_to_ohlc(TICKS, 0), ValueError),
    "unsorted_refused": (
        lambda: agg.tick_to_ohlc(SHUFFLED, 5, assume_sorted=True),
        DataValidationError,
    ),
    "empty": (
        lambda: agg.three_line_break_to_ohlc({k: v[:0] for k, v in TICKS.items()}),
        DataValidationError,
    ),
    "calendar_timeframe": (lambda: agg.ohlc_resample(OHLCV, "1mo"), OperationNotSupportedError),
    "zoned_nan_price": (
        lambda: agg.ohlc_resample(ZONED.with_columns(high=pl.lit(float("nan"))), "5m"),
        DataValidationError,
    ),
    "bad_engine": (lambda: agg.tick_to_ohlc(TICKS, 5, engine="tpu"), ConfigurationError),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_paths_do_not_grow(name):
    call, error = ERRORS[name]
    report = assert_no_leak(call, iterations=2_000, warmup=100, expect=error)
    assert report.errors == report.iterations


# Runs in a fresh interpreter so that nothing else in the test session shapes the peak.
PEAK_SCRIPT = textwrap.dedent(
    """
    import gc, json, sys
    import numpy as np
    from kimsfinance.ops.aggregations import tick_to_ohlc
    from kimsfinance.testing import current_rss, peak_rss, reset_peak_rss

    count, tick_size = int(sys.argv[1]), 100
    rng = np.random.default_rng(0)
    # Built in place, so making the input never peaks above holding it.
    timestamps = np.arange(count, dtype=np.int64)
    timestamps *= 1_000_000
    price = rng.standard_normal(count)
    price *= 0.01
    np.cumsum(price, out=price)
    price += 100.0
    volume = rng.random(count)
    ticks = {"timestamp": timestamps.view("datetime64[ns]"), "price": price, "volume": volume}

    # Imports polars and sets up every lazy structure once.
    tick_to_ohlc({name: values[:1000] for name, values in ticks.items()}, tick_size)
    gc.collect()
    # Linux: forget the peak so far, so that the next reading belongs to this call.
    reset_peak_rss()
    before, peak_before = current_rss(), peak_rss()
    bars = tick_to_ohlc(ticks, tick_size)
    peak_after = peak_rss()
    print(json.dumps({
        "before": before,
        "peak_before": peak_before,
        "peak_after": peak_after,
        "input_bytes": timestamps.nbytes + price.nbytes + volume.nbytes,
        "output_bytes": int(bars.estimated_size()),
        "bars": bars.height,
    }))
    """
)


@pytest.mark.parametrize("count", [1_000_000, 10_000_000], ids=["1M", "10M"])
def test_peak_memory_of_ticks_is_the_output_plus_a_tenth_of_the_input(count):
    completed = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT, str(count)],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report["bars"] == count // 100
    # The earlier peak was reset (or, elsewhere, the input was built without temporaries), so
    # it cannot hide this call's.
    assert report["peak_before"] <= report["before"] + 8 * 2**20, report
    growth = report["peak_after"] - report["before"]
    limit = report["output_bytes"] + report["input_bytes"] // 10
    assert growth <= limit, (
        f"tick_to_ohlc on {count:,} ticks grew peak RSS by {growth / 2**20:.1f} MiB; the limit is "
        f"{limit / 2**20:.1f} MiB (output {report['output_bytes'] / 2**20:.1f} MiB + 10% of "
        f"{report['input_bytes'] / 2**20:.0f} MiB input)"
    )
