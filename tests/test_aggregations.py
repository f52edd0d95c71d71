"""Bars from ticks, OHLC resampling and the small aggregations.

Expected values come from three independent places: small inputs worked out by hand from the
algorithm descriptions (with the original's bugs fixed), polars itself for the bars it can
express (tick, volume and time bars), and plain-Python models of the range, Kagi and line-break
algorithms written from the same descriptions. Property tests check invariants on random
ticks, and every input type must give the same frame.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import polars as pl
import pytest

import kimsfinance
from kimsfinance import (
    ConfigurationError,
    DataValidationError,
    GPUNotAvailableError,
    OperationNotSupportedError,
)
from kimsfinance.integration import adapter
from kimsfinance.ops import aggregations as agg

SECOND = 1_000_000_000  # nanoseconds

BAR_COLUMNS = ["timestamp", "open", "high", "low", "close", "volume"]


def ticks_frame(count: int, seed: int = 0, *, float_volume: bool = False) -> pl.DataFrame:
    """A random walk of ``count`` ticks at irregular, strictly increasing times (ns)."""
    rng = np.random.default_rng(seed)
    gaps = rng.integers(1, 5 * SECOND, count)
    times = (np.int64(1_700_000_000) * SECOND + np.cumsum(gaps)).astype("datetime64[ns]")
    prices = 100 + np.round(np.cumsum(rng.normal(0, 0.05, count)), 4)
    volume = rng.uniform(0, 50, count) if float_volume else rng.integers(0, 100, count)
    return pl.DataFrame({"timestamp": times, "price": prices, "volume": volume})


def to_pandas(frame: pl.DataFrame) -> pd.DataFrame:
    """The frame as pandas, built from numpy (polars' own conversion needs pyarrow)."""
    columns = {}
    for name in frame.columns:
        series = pd.Series(frame[name].to_numpy())
        time_zone = getattr(frame.schema[name], "time_zone", None)
        if time_zone is not None:
            series = series.dt.tz_localize("UTC").dt.tz_convert(time_zone)
        columns[name] = series
    return pd.DataFrame(columns)


def bar_rows(frame: pl.DataFrame) -> list[tuple]:
    return [tuple(row) for row in frame.select(BAR_COLUMNS[1:]).rows()]


def hand_ticks(prices, volumes=None, times=None) -> dict[str, np.ndarray]:
    """A numpy mapping with second-spaced timestamps 1 s, 2 s, ..."""
    count = len(prices)
    times = np.arange(1, count + 1) if times is None else np.asarray(times)
    return {
        "timestamp": (times * SECOND).astype("datetime64[ns]"),
        "price": np.asarray(prices, dtype=np.float64),
        "volume": np.asarray([1.0] * count if volumes is None else volumes, dtype=np.float64),
    }


def seconds(frame: pl.DataFrame) -> list[int]:
    return (frame["timestamp"].cast(pl.Int64) // SECOND).to_list()


# --- hand-worked examples ------------------------------------------------------------------


def test_tick_bars_by_hand():
    data = hand_ticks([10, 12, 9, 11, 13], [1, 2, 3, 4, 5])
    bars = agg.tick_to_ohlc(data, 2)
    assert bars.columns == BAR_COLUMNS
    assert seconds(bars) == [1, 3, 5]
    assert bar_rows(bars) == [
        (10, 12, 10, 12, 3),
        (9, 11, 9, 11, 7),
        (13, 13, 13, 13, 5),
    ]


def test_volume_bars_by_hand():
    # Running totals 4, 10, 12, 15, 16, 30 with size 5: bar numbers 0, 2, 2, 3, 3, 6.
    data = hand_ticks([1, 2, 3, 4, 5, 6], [4, 6, 2, 3, 1, 14])
    bars = agg.volume_to_ohlc(data, 5)
    assert seconds(bars) == [1, 2, 4, 6]
    assert bar_rows(bars) == [(1, 1, 1, 1, 4), (2, 3, 2, 3, 8), (4, 5, 4, 5, 4), (6, 6, 6, 6, 14)]


def test_range_bars_by_hand_emit_the_last_bar_once():
    # The last tick completes the second bar: the original emitted that bar twice.
    data = hand_ticks([10, 11, 11, 12], [2, 3, 0, 5])
    bars = agg.range_to_ohlc(data, 1.0)
    assert seconds(bars) == [1, 3]
    assert bar_rows(bars) == [(10, 11, 10, 11, 5), (11, 12, 11, 12, 5)]
    assert bars.schema["volume"] == pl.Float64


def test_range_bars_keep_a_final_partial_bar():
    bars = agg.range_to_ohlc(hand_ticks([10, 10.5, 11, 11.2, 10.1, 10.4]), 1.0)
    assert bar_rows(bars) == [
        (10, 11, 10, 11, 3),
        (11.2, 11.2, 10.1, 10.1, 2),
        (10.4, 10.4, 10.4, 10.4, 1),
    ]


def test_kagi_by_hand_with_an_amount():
    # Up 10 -> 12, reversal at 10.8 (1.2 below 12), down to 10.5, reversal at 11.6, up to 11.8.
    data = hand_ticks([10, 11, 12, 11.5, 10.8, 10.5, 11.6, 11.8], [1, 2, 3, 4, 5, 6, 7, 8])
    lines = agg.kagi_to_ohlc(data, reversal_amount=1.0)
    assert seconds(lines) == [1, 5, 7]
    assert bar_rows(lines) == [
        (10, 12, 10, 12, 10),
        (12, 12, 10.5, 10.5, 11),
        (10.5, 11.8, 10.5, 11.8, 15),
    ]


def test_kagi_by_hand_with_a_fraction():
    # 10 % of 220 is 22: a fall to 199 does not reverse, a fall to 197 does.
    lines = agg.kagi_to_ohlc(hand_ticks([200, 220, 199, 197]), reversal_pct=0.1)
    assert bar_rows(lines) == [(200, 220, 197, 220, 3), (220, 220, 197, 197, 1)]


def test_three_line_break_by_hand():
    # Three up lines 10-11, 11-12, 12-13; 10.5 is above the lowest of them (10); 9.5 reverses
    # down from 12 (the last line's bottom); 12.5 is below the highest of the last three
    # lines (13); 14 reverses up from 12 (the down line's top).
    data = hand_ticks([10, 11, 12, 11.5, 13, 10.5, 9.5, 9.8, 12.5, 14])
    lines = agg.three_line_break_to_ohlc(data)
    assert seconds(lines) == [1, 3, 4, 6, 8]
    assert bar_rows(lines) == [
        (10, 11, 10, 11, 2),
        (11, 12, 11, 12, 1),
        (12, 13, 12, 13, 2),
        (12, 12, 9.5, 9.5, 2),
        (12, 14, 12, 14, 3),
    ]
    assert len(agg.three_line_break_to_ohlc(data, num_lines=1)) == 7


def test_resample_by_hand():
    times = np.array([0, 299, 300, 1_000]) * SECOND
    frame = {
        "timestamp": times.astype("datetime64[ns]"),
        "open": [1.0, 2.0, 3.0, 4.0],
        "high": [1.5, 5.0, 3.5, 4.5],
        "low": [0.9, 0.5, 2.5, 3.5],
        "close": [1.2, 2.5, 3.2, 4.2],
        "volume": [20, 10, 30, 40],
    }
    bars = agg.ohlc_resample(frame, "5m")
    assert seconds(bars) == [0, 300, 900]
    assert bar_rows(bars) == [(1, 5, 0.5, 2.5, 30), (3, 3.5, 2.5, 3.2, 30), (4, 4.5, 3.5, 4.2, 40)]


# --- against polars ------------------------------------------------------------------------


def polars_ticks_bars(frame: pl.DataFrame, bar: pl.Expr) -> pl.DataFrame:
    return (
        frame.sort("timestamp", maintain_order=True)
        .with_row_index("row")
        .with_columns(bar.alias("bar"))
        .group_by("bar", maintain_order=True)
        .agg(
            pl.col("timestamp").first(),
            pl.col("price").first().alias("open"),
            pl.col("price").max().alias("high"),
            pl.col("price").min().alias("low"),
            pl.col("price").last().alias("close"),
            pl.col("volume").sum(),
        )
        .sort("bar")
        .drop("bar")
    )


def assert_frames_equal(got: pl.DataFrame, want: pl.DataFrame, volume_rtol: float = 0) -> None:
    assert got.schema == want.schema
    if volume_rtol:
        np.testing.assert_allclose(got["volume"], want["volume"], rtol=volume_rtol)
        got, want = got.drop("volume"), want.drop("volume")
    assert got.equals(want), f"\n{got}\n!=\n{want}"


@pytest.mark.parametrize("size", [1, 7, 100, 5_000])
def test_tick_bars_equal_polars(size):
    frame = ticks_frame(20_000, seed=size)
    want = polars_ticks_bars(frame, pl.col("row") // size)
    assert_frames_equal(agg.tick_to_ohlc(frame, size), want)


@pytest.mark.parametrize("size", [1, 50, 777.5, 10_000])
def test_volume_bars_equal_polars(size):
    frame = ticks_frame(20_000, seed=int(size))
    bar = (pl.col("volume").cum_sum() / size).cast(pl.Int64)
    assert_frames_equal(agg.volume_to_ohlc(frame, size), polars_ticks_bars(frame, bar))


def test_float_volume_sums_match_polars_closely():
    frame = ticks_frame(20_000, seed=5, float_volume=True)
    assert_frames_equal(
        agg.tick_to_ohlc(frame, 64),
        polars_ticks_bars(frame, pl.col("row") // 64),
        volume_rtol=1e-12,
    )
    bar = (pl.col("volume").cum_sum() / 300.0).cast(pl.Int64)
    assert_frames_equal(
        agg.volume_to_ohlc(frame, 300.0), polars_ticks_bars(frame, bar), volume_rtol=1e-12
    )


def test_unsorted_ticks_with_ties_give_polars_stable_order():
    frame = ticks_frame(5_000, seed=9)
    # Coarse timestamps make many ties; shuffling then exercises the stable sort.
    frame = frame.with_columns(pl.col("timestamp").dt.truncate("1m"))
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=3)
    want = polars_ticks_bars(shuffled, pl.col("row") // 10)
    assert_frames_equal(agg.tick_to_ohlc(shuffled, 10), want)


def ohlcv_frame(count: int, seed: int) -> pl.DataFrame:
    ticks = ticks_frame(count, seed)
    close = ticks["price"].to_numpy()
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "timestamp": ticks["timestamp"],
            "open": close + rng.normal(0, 0.02, count),
            "high": close + 0.1,
            "low": close - 0.1,
            "close": close,
            "volume": ticks["volume"],
        }
    )


def polars_resample(frame: pl.DataFrame, every: str, column: str = "timestamp") -> pl.DataFrame:
    return (
        frame.sort(column)
        .group_by_dynamic(column, every=every)
        .agg(
            pl.col("open").first(),
            pl.col("high").max(),
            pl.col("low").min(),
            pl.col("close").last(),
            pl.col("volume").sum(),
        )
    )


@pytest.mark.parametrize(
    "every", ["30s", "1m", "5m", "7m", "90m", "1h30m", "2h", "4h", "1d", "3d", "1w", "2w"]
)
@pytest.mark.parametrize("unit", ["ns", "us", "ms"])
def test_resample_equals_polars_group_by_dynamic(every, unit):
    frame = ohlcv_frame(30_000, seed=len(every)).with_columns(
        pl.col("timestamp").dt.cast_time_unit(unit)
    )
    got = agg.ohlc_resample(frame, every)
    assert_frames_equal(got, polars_resample(frame, every))
    assert got.schema["timestamp"] == pl.Datetime(unit)


def zoned_frame(time_zone: str, seed: int) -> pl.DataFrame:
    """Rows every 7 minutes (in UTC) across the 2026 daylight-saving changes of Europe and the
    United States, with timestamps in ``time_zone``."""
    spans = [
        (datetime(2026, 3, 7), datetime(2026, 3, 30)),
        (datetime(2026, 10, 24), datetime(2026, 11, 2)),
    ]
    times = pl.concat(
        [pl.datetime_range(start, stop, "7m", eager=True, time_unit="ns") for start, stop in spans]
    )
    times = times.dt.replace_time_zone("UTC").dt.convert_time_zone(time_zone)
    count = len(times)
    rng = np.random.default_rng(seed)
    close = 100 + np.cumsum(rng.normal(0, 0.05, count))
    return pl.DataFrame(
        {
            "timestamp": times,
            "open": close + rng.normal(0, 0.02, count),
            "high": close + 0.1,
            "low": close - 0.1,
            "close": close,
            "volume": rng.integers(0, 100, count),
        }
    )


@pytest.mark.parametrize("every", ["7m", "45m", "1h", "2h", "1d", "1w"])
@pytest.mark.parametrize("time_zone", ["Europe/Berlin", "America/New_York", "Asia/Kolkata"])
def test_resample_of_zoned_timestamps_follows_local_time_as_polars_does(time_zone, every):
    # polars' own windows: local days and weeks, shorter windows from the local truncation of
    # the first row, which the daylight-saving changes in these rows shift against UTC.
    frame = zoned_frame(time_zone, seed=len(every))
    want = polars_resample(frame, every)
    assert want.schema["timestamp"] == pl.Datetime("ns", time_zone)
    assert_frames_equal(agg.ohlc_resample(frame, every), want)
    assert_frames_equal(agg.ohlc_resample(to_pandas(frame), every), want)
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=5)
    assert_frames_equal(agg.ohlc_resample(shuffled, every), want)


def test_resample_of_zoned_timestamps_checks_its_input_and_keeps_dtypes():
    frame = zoned_frame("Europe/Berlin", seed=1)
    # In UTC the windows are those of the naive timestamps.
    utc = frame.with_columns(pl.col("timestamp").dt.convert_time_zone("UTC"))
    naive = utc.with_columns(pl.col("timestamp").dt.replace_time_zone(None))
    got = agg.ohlc_resample(utc, "1h")
    assert_frames_equal(
        got.with_columns(pl.col("timestamp").dt.replace_time_zone(None)),
        agg.ohlc_resample(naive, "1h"),
    )
    narrow = frame.with_columns(
        pl.col("open", "high", "low", "close").cast(pl.Float32), pl.col("volume").cast(pl.Int16)
    )
    bars = agg.ohlc_resample(narrow, "1d")
    assert bars.schema["open"] == pl.Float32
    assert bars.schema["volume"] == pl.Int64  # polars widens small integer sums
    assert bars["volume"].sum() == frame["volume"].sum()
    without_volume = agg.ohlc_resample(frame.drop("volume"), "1d")
    assert without_volume.schema["volume"] == pl.Int32
    assert without_volume["volume"].to_list() == [0] * len(without_volume)

    with pytest.raises(DataValidationError, match="Column 'high' has the value NaN"):
        agg.ohlc_resample(frame.with_columns(high=pl.lit(float("nan"))), "1h")
    with pytest.raises(DataValidationError, match="volume"):
        agg.ohlc_resample(frame.with_columns(volume=pl.lit(-1)), "1h")
    with pytest.raises(OperationNotSupportedError, match="calendar"):
        agg.ohlc_resample(frame, "1mo")
    reversed_rows = frame.reverse()
    with pytest.raises(DataValidationError, match="not in ascending order"):
        agg.ohlc_resample(reversed_rows, "1h", assume_sorted=True)


def test_resample_of_zoned_timestamps_runs_on_the_cpu(monkeypatch):
    frame = zoned_frame("America/New_York", seed=2)
    want = polars_resample(frame, "1h")
    # As if a GPU were there and chosen: "auto" stays on the CPU, "gpu" is refused.
    monkeypatch.setattr(agg.EngineManager, "select_engine", staticmethod(lambda engine, *_: "gpu"))
    assert_frames_equal(agg.ohlc_resample(frame, "1h", engine="auto"), want)
    with pytest.raises(OperationNotSupportedError, match="CPU only"):
        agg.ohlc_resample(frame, "1h", engine="gpu")


def test_resample_sorts_unsorted_rows_and_keeps_the_column_name():
    frame = ohlcv_frame(3_000, seed=2).rename({"timestamp": "time"})
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=1)
    got = agg.ohlc_resample(shuffled, "15m", timestamp_col="time")
    assert got.columns[0] == "time"
    assert_frames_equal(got, polars_resample(frame, "15m", "time"))


def test_resample_of_dates_and_of_parsed_strings():
    days = pl.date_range(datetime(2024, 1, 1), datetime(2024, 3, 31), eager=True)
    count = len(days)
    frame = pl.DataFrame(
        {
            "timestamp": days,
            "open": np.arange(count, dtype=float),
            "high": np.arange(count, dtype=float) + 1,
            "low": np.arange(count, dtype=float) - 1,
            "close": np.arange(count, dtype=float) + 0.5,
            "volume": np.ones(count),
        }
    )
    assert_frames_equal(agg.ohlc_resample(frame, "1w"), polars_resample(frame, "1w"))

    parsed = frame.with_columns(pl.col("timestamp").cast(pl.Datetime("us")))
    text = parsed.with_columns(pl.col("timestamp").dt.strftime("%Y-%m-%d %H:%M:%S"))
    assert_frames_equal(agg.ohlc_resample(text, "2d"), polars_resample(parsed, "2d"))


def test_resample_without_volume_gives_int32_zeros():
    frame = ohlcv_frame(1_000, seed=4).drop("volume")
    got = agg.ohlc_resample(frame, "5m")
    assert got.schema["volume"] == pl.Int32
    assert got["volume"].to_list() == [0] * len(got)
    want = polars_resample(frame.with_columns(volume=pl.lit(0.0)), "5m")
    assert got.drop("volume").equals(want.drop("volume"))


# --- plain-Python models of the sequential algorithms --------------------------------------


def model_range(times, prices, volumes, size):
    bars, bar = [], None
    for time, price, volume in zip(times, prices, volumes):
        if bar is None:
            bar = [time, price, price, price, price, 0.0]
        bar[2], bar[3], bar[4] = max(bar[2], price), min(bar[3], price), price
        bar[5] += volume
        if bar[2] - bar[3] >= size:
            bars.append(tuple(bar))
            bar = None
    if bar is not None:
        bars.append(tuple(bar))
    return bars


def model_kagi(times, prices, volumes, amount=None, fraction=None):
    lines, direction = [], 0
    line = [times[0], prices[0], prices[0], prices[0], prices[0], volumes[0]]  # t,o,h,l,c,v
    for time, price, volume in zip(times[1:], prices[1:], volumes[1:]):
        line[2], line[3] = max(line[2], price), min(line[3], price)
        end = line[4]
        threshold = amount if amount is not None else abs(end) * fraction
        if direction == 0:
            line[5] += volume
            if price != line[1]:
                direction, line[4] = (1 if price > line[1] else -1), price
        elif (price - end) * direction > 0:
            line[4], line[5] = price, line[5] + volume
        elif (end - price) * direction >= threshold:
            lines.append(tuple(line))
            line = [time, end, max(end, price), min(end, price), price, volume]
            direction = -direction
        else:
            line[5] += volume
    if direction:
        lines.append(tuple(line))
    return lines


def model_line_break(times, prices, volumes, span):
    lines, pending = [], None
    reference = prices[0]
    for index, (time, price, volume) in enumerate(zip(times, prices, volumes)):
        pending = [time, 0.0] if pending is None else pending
        pending[1] += volume
        if index == 0:
            continue
        drawn = None
        if not lines:
            if price != reference:
                drawn = (reference, price)
        else:
            _, last_open, _, _, last_close, _ = lines[-1]
            recent = lines[-span:]
            if last_close > last_open:
                if price > last_close:
                    drawn = (last_close, price)
                elif price < min(line[3] for line in recent):
                    drawn = (last_open, price)
            elif price < last_close:
                drawn = (last_close, price)
            elif price > max(line[2] for line in recent):
                drawn = (last_open, price)
        if drawn is not None:
            open_, close = drawn
            lines.append((pending[0], open_, max(drawn), min(drawn), close, pending[1]))
            pending = None
    return lines


def columns_of(frame: pl.DataFrame):
    return (
        frame["timestamp"].cast(pl.Int64).to_list(),
        frame["price"].to_list(),
        frame["volume"].cast(pl.Float64).to_list(),
    )


def rows_with_time(frame: pl.DataFrame) -> list[tuple]:
    return [
        (row[0], *row[1:]) for row in frame.with_columns(pl.col("timestamp").cast(pl.Int64)).rows()
    ]


@pytest.mark.parametrize("seed", range(4))
def test_range_bars_equal_the_model(seed):
    frame = ticks_frame(5_000, seed)
    size = [0.05, 0.2, 0.5, 1.0][seed]
    assert rows_with_time(agg.range_to_ohlc(frame, size)) == model_range(*columns_of(frame), size)


@pytest.mark.parametrize("seed", range(4))
def test_kagi_equals_the_model(seed):
    frame = ticks_frame(5_000, seed)
    by_amount = agg.kagi_to_ohlc(frame, reversal_amount=0.1 * (seed + 1))
    assert rows_with_time(by_amount) == model_kagi(*columns_of(frame), amount=0.1 * (seed + 1))
    by_fraction = agg.kagi_to_ohlc(frame, reversal_pct=0.001 * (seed + 1))
    assert rows_with_time(by_fraction) == model_kagi(
        *columns_of(frame), fraction=0.001 * (seed + 1)
    )


@pytest.mark.parametrize("span", [1, 2, 3, 5])
def test_line_break_equals_the_model(span):
    frame = ticks_frame(5_000, seed=span)
    got = agg.three_line_break_to_ohlc(frame, num_lines=span)
    assert len(got) > 10
    assert rows_with_time(got) == model_line_break(*columns_of(frame), span)


# --- properties ----------------------------------------------------------------------------

BAR_FUNCTIONS = {
    "tick": lambda data: agg.tick_to_ohlc(data, 37),
    "volume": lambda data: agg.volume_to_ohlc(data, 1_500),
    "range": lambda data: agg.range_to_ohlc(data, 0.3),
    "kagi": lambda data: agg.kagi_to_ohlc(data, reversal_amount=0.25),
    "kagi_pct": lambda data: agg.kagi_to_ohlc(data, reversal_pct=0.002),
    "line_break": lambda data: agg.three_line_break_to_ohlc(data),
}
CONSERVE_VOLUME = {"tick", "volume", "range", "kagi", "kagi_pct"}


@pytest.mark.parametrize("name", sorted(BAR_FUNCTIONS))
@pytest.mark.parametrize("seed", range(5))
def test_bar_invariants(name, seed):
    frame = ticks_frame(3_000 + 997 * seed, seed, float_volume=seed % 2 == 1)
    bars = BAR_FUNCTIONS[name](frame)
    assert len(bars) > 0
    high, low = bars["high"].to_numpy(), bars["low"].to_numpy()
    top = np.maximum(bars["open"].to_numpy(), bars["close"].to_numpy())
    bottom = np.minimum(bars["open"].to_numpy(), bars["close"].to_numpy())
    assert np.all(high >= top) and np.all(top >= bottom) and np.all(bottom >= low)
    assert bars["timestamp"].is_sorted()
    assert bars["timestamp"].dtype == frame["timestamp"].dtype
    total = float(frame["volume"].sum())
    if name in CONSERVE_VOLUME:
        assert float(bars["volume"].sum()) == pytest.approx(total, rel=1e-12)
    else:
        assert float(bars["volume"].sum()) <= total * (1 + 1e-12)
    prices = frame["price"]
    assert high.max() <= prices.max() and low.min() >= prices.min()


@pytest.mark.parametrize("name", sorted(BAR_FUNCTIONS))
def test_order_of_rows_does_not_matter(name):
    frame = ticks_frame(4_000, seed=12)
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=8)
    assert BAR_FUNCTIONS[name](shuffled).equals(BAR_FUNCTIONS[name](frame))


# --- input types and dtypes ----------------------------------------------------------------


def all_input_kinds(frame: pl.DataFrame) -> dict[str, object]:
    return {
        "polars": frame,
        "lazy": frame.lazy(),
        "pandas": to_pandas(frame),
        "numpy": {name: frame[name].to_numpy() for name in frame.columns},
        "series": {name: frame[name] for name in frame.columns},
    }


@pytest.mark.parametrize("name", sorted(BAR_FUNCTIONS))
def test_every_input_kind_gives_the_same_frame(name):
    frame = ticks_frame(2_000, seed=21)
    results = {kind: BAR_FUNCTIONS[name](data) for kind, data in all_input_kinds(frame).items()}
    for kind, result in results.items():
        assert result.equals(results["polars"]), kind


def test_resample_accepts_every_input_kind():
    frame = ohlcv_frame(2_000, seed=3)
    want = polars_resample(frame, "10m")
    for kind, data in all_input_kinds(frame).items():
        assert agg.ohlc_resample(data, "10m").equals(want), kind


def test_lazy_frames_are_collected_with_only_the_needed_columns():
    frame = ticks_frame(500).with_columns(extra=pl.lit("unused"))
    assert agg.tick_to_ohlc(frame.lazy(), 10).equals(agg.tick_to_ohlc(frame, 10))


@pytest.mark.parametrize(
    "price_dtype, volume_dtype, want_volume",
    [
        (pl.Float64, pl.Int64, pl.Int64),
        (pl.Float32, pl.Float32, pl.Float32),
        (pl.Int32, pl.Int16, pl.Int64),
        (pl.Float64, pl.UInt32, pl.UInt32),
    ],
)
def test_tick_and_volume_bars_keep_polars_dtypes(price_dtype, volume_dtype, want_volume):
    frame = ticks_frame(1_000, seed=1).with_columns(
        (pl.col("price") * 100).cast(price_dtype), pl.col("volume").cast(volume_dtype)
    )
    for bars, bar in [
        (agg.tick_to_ohlc(frame, 16), pl.col("row") // 16),
        (agg.volume_to_ohlc(frame, 700), (pl.col("volume").cum_sum() / 700).cast(pl.Int64)),
    ]:
        assert bars.schema["open"] == price_dtype
        assert bars.schema["volume"] == want_volume
        assert_frames_equal(bars, polars_ticks_bars(frame, bar))


def test_time_zones_and_units_are_kept():
    frame = ticks_frame(300, seed=2).with_columns(
        pl.col("timestamp").dt.cast_time_unit("ms").dt.replace_time_zone("Asia/Kolkata")
    )
    bars = agg.tick_to_ohlc(frame, 50)
    assert bars.schema["timestamp"] == pl.Datetime("ms", "Asia/Kolkata")
    assert bars["timestamp"].to_list() == frame["timestamp"].gather_every(50).to_list()
    from_pandas = agg.kagi_to_ohlc(to_pandas(frame), reversal_amount=0.2)
    assert from_pandas.equals(agg.kagi_to_ohlc(frame, reversal_amount=0.2))


def test_integer_and_second_resolution_timestamps():
    data = hand_ticks([1, 2, 3, 4])
    data["timestamp"] = np.array([10, 20, 30, 40], dtype=np.int32)
    bars = agg.tick_to_ohlc(data, 2)
    assert bars["timestamp"].to_list() == [10, 30]
    seconds_data = {**data, "timestamp": np.array([10, 20, 30, 40], dtype="datetime64[s]")}
    bars = agg.range_to_ohlc(seconds_data, 1.0)
    assert bars["timestamp"].to_list() == [
        datetime(1970, 1, 1, 0, 0, 10),
        datetime(1970, 1, 1, 0, 0, 30),
    ]


def test_strided_and_integer_price_columns_are_read_in_place():
    wide = np.arange(20, dtype=np.float64)
    data = {
        "timestamp": np.arange(10, dtype=np.int64),
        "price": wide[::2],
        "volume": np.arange(10, dtype=np.uint8),
    }
    bars = agg.tick_to_ohlc(data, 5)
    assert bar_rows(bars) == [(0, 8, 0, 8, 10), (10, 18, 10, 18, 35)]


# --- bad input -----------------------------------------------------------------------------

GOOD = hand_ticks([10, 11, 12, 11, 10], [1, 2, 3, 4, 5])


def with_column(name, values):
    return {**GOOD, name: values}


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: agg.tick_to_ohlc({k: v for k, v in GOOD.items() if k != "price"}, 2),
            ValueError,
            "Column 'price' not found",
        ),
        (lambda: agg.tick_to_ohlc(GOOD, 2, volume_col="size"), ValueError, "'size' not found"),
        (
            lambda: agg.tick_to_ohlc(with_column("price", np.array(list("abcde"))), 2),
            TypeError,
            "Column 'price' must have a numeric dtype",
        ),
        (
            lambda: agg.tick_to_ohlc(with_column("price", np.array([True] * 5)), 2),
            TypeError,
            "numeric dtype",
        ),
        (
            lambda: agg.tick_to_ohlc(with_column("price", [1.0, np.nan, 2, 3, 4]), 2),
            DataValidationError,
            "Column 'price' has the value NaN at row 1",
        ),
        (
            lambda: agg.range_to_ohlc(with_column("price", [1.0, 2, 3, np.inf, 4]), 1),
            DataValidationError,
            "value inf at row 3",
        ),
        (
            lambda: agg.volume_to_ohlc(with_column("volume", [1.0, 2, -3, 4, 5]), 2),
            DataValidationError,
            "Column 'volume' has the value -3 at row 2",
        ),
        (
            lambda: agg.kagi_to_ohlc(with_column("volume", [1.0, 2, 3, 4, np.nan]), 1),
            DataValidationError,
            "value NaN at row 4",
        ),
        (
            lambda: agg.tick_to_ohlc(GOOD, 0),
            ValueError,
            "tick_size must be a positive whole number, got 0",
        ),
        (lambda: agg.tick_to_ohlc(GOOD, -4), ValueError, "got -4"),
        (
            lambda: agg.tick_to_ohlc(GOOD, 2.5),
            ValueError,
            "tick_size must be a whole number, got 2.5",
        ),
        (lambda: agg.tick_to_ohlc(GOOD, "2"), TypeError, "tick_size must be a whole number"),
        (lambda: agg.tick_to_ohlc(GOOD, True), TypeError, "tick_size"),
        (
            lambda: agg.volume_to_ohlc(GOOD, 0),
            ValueError,
            "volume_size must be a positive number, got 0",
        ),
        (lambda: agg.volume_to_ohlc(GOOD, float("nan")), ValueError, "volume_size"),
        (
            lambda: agg.range_to_ohlc(GOOD, -1.5),
            ValueError,
            "range_size must be a positive number, got -1.5",
        ),
        (lambda: agg.range_to_ohlc(GOOD, None), TypeError, "range_size must be a number"),
        (
            lambda: agg.kagi_to_ohlc(GOOD),
            ValueError,
            "exactly one of reversal_amount and reversal_pct; both are None",
        ),
        (lambda: agg.kagi_to_ohlc(GOOD, 1.0, 0.1), ValueError, "both were given"),
        (
            lambda: agg.kagi_to_ohlc(GOOD, reversal_pct=-0.1),
            ValueError,
            "reversal_pct must be a positive number, got -0.1",
        ),
        (
            lambda: agg.kagi_to_ohlc(GOOD, reversal_amount=0),
            ValueError,
            "reversal_amount must be a positive number, got 0",
        ),
        (
            lambda: agg.three_line_break_to_ohlc(GOOD, 0),
            ValueError,
            "num_lines must be a positive whole number, got 0",
        ),
        (lambda: agg.tick_to_ohlc(hand_ticks([]), 2), DataValidationError, "empty"),
        (
            lambda: agg.kagi_to_ohlc(pl.DataFrame(hand_ticks([])), reversal_amount=1),
            DataValidationError,
            "empty",
        ),
        (
            lambda: agg.tick_to_ohlc(with_column("price", [1.0, 2.0]), 2),
            DataValidationError,
            "Column 'price' has 2 values but column 'timestamp' has 5",
        ),
        (
            lambda: agg.tick_to_ohlc(with_column("price", np.ones((5, 2))), 2),
            DataValidationError,
            "one-dimensional",
        ),
        (
            lambda: agg.tick_to_ohlc(with_column("timestamp", np.arange(5.0)), 2),
            TypeError,
            "Column 'timestamp' must hold datetimes or integers, got dtype float64",
        ),
        (
            lambda: agg.tick_to_ohlc(
                with_column("timestamp", np.array(["2024-01-01", "x", "", "", ""])), 2
            ),
            ValueError,
            "could not be read as datetimes",
        ),
        (
            lambda: agg.tick_to_ohlc(
                with_column("timestamp", np.array([1, "NaT", 3, 4, 5], dtype="datetime64[s]")), 2
            ),
            DataValidationError,
            "missing timestamp (null or NaT) at row 1",
        ),
        (
            lambda: agg.tick_to_ohlc(
                with_column("timestamp", GOOD["timestamp"][::-1]), 2, assume_sorted=True
            ),
            DataValidationError,
            "not in ascending order: row 1",
        ),
        (
            lambda: agg.tick_to_ohlc(GOOD, 2, assume_sorted="yes"),
            TypeError,
            "assume_sorted must be True or False",
        ),
        (lambda: agg.tick_to_ohlc([1, 2, 3], 2), TypeError, "ticks|tick data"),
        (lambda: agg.tick_to_ohlc(GOOD, 2, price_col=3), TypeError, "Column names must be strings"),
        (
            lambda: agg.tick_to_ohlc(GOOD, 2, engine="tpu"),
            ConfigurationError,
            "Invalid engine 'tpu'",
        ),
        (lambda: agg.ohlc_resample(GOOD, "5m"), ValueError, "Column 'open' not found"),
    ],
)
def test_bad_input_is_a_clear_error(call, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_polars_nulls_are_reported_like_nan():
    frame = pl.DataFrame(GOOD).with_columns(
        pl.when(pl.int_range(pl.len()) == 2).then(None).otherwise(pl.col("price")).alias("price")
    )
    with pytest.raises(DataValidationError, match="Column 'price' has the value NaN at row 2"):
        agg.tick_to_ohlc(frame, 2)


RESAMPLE_GOOD = {
    "timestamp": (np.arange(6) * 60 * SECOND).astype("datetime64[ns]"),
    **{name: np.arange(6, dtype=float) for name in ("open", "high", "low", "close", "volume")},
}


@pytest.mark.parametrize(
    "timeframe, error, message",
    [
        ("5x", ValueError, "unknown unit"),
        ("", ValueError, "not a duration"),
        ("-5m", ValueError, "positive duration"),
        ("0m", ValueError, "positive duration"),
        ("1d12h", ValueError, "mixes weeks, days and shorter units"),
        ("1mo", OperationNotSupportedError, "calendar unit 'mo'"),
        ("2y", OperationNotSupportedError, "calendar unit 'y'"),
        ("10i", OperationNotSupportedError, "counts rows"),
        ("5ns", None, None),
        (5, TypeError, "timeframe must be a string"),
    ],
)
def test_resample_timeframes(timeframe, error, message):
    if error is None:
        assert len(agg.ohlc_resample(RESAMPLE_GOOD, timeframe)) == 6
        return
    with pytest.raises(error, match=message):
        agg.ohlc_resample(RESAMPLE_GOOD, timeframe)


def test_resample_refuses_what_it_cannot_window():
    integer_times = {**RESAMPLE_GOOD, "timestamp": np.arange(6)}
    with pytest.raises(TypeError, match="must hold datetimes, got dtype int64"):
        agg.ohlc_resample(integer_times, "5m")
    millis = {**RESAMPLE_GOOD, "timestamp": RESAMPLE_GOOD["timestamp"].astype("datetime64[ms]")}
    with pytest.raises(ValueError, match="not a whole number of the timestamps' unit"):
        agg.ohlc_resample(millis, "500us")
    with pytest.raises(DataValidationError, match="Column 'high' has the value NaN"):
        agg.ohlc_resample({**RESAMPLE_GOOD, "high": np.full(6, np.nan)}, "5m")
    with pytest.raises(ValueError, match="Column 'time' not found in df"):
        agg.ohlc_resample(RESAMPLE_GOOD, "5m", timestamp_col="time")


def test_engine_auto_never_fails_and_gpu_without_a_gpu_raises():
    frame = ticks_frame(2_000)
    ohlcv = ohlcv_frame(2_000, seed=1)
    calls = [
        lambda engine: agg.tick_to_ohlc(frame, 10, engine=engine),
        lambda engine: agg.volume_to_ohlc(frame, 100, engine=engine),
        lambda engine: agg.range_to_ohlc(frame, 0.5, engine=engine),
        lambda engine: agg.kagi_to_ohlc(frame, 0.5, engine=engine),
        lambda engine: agg.three_line_break_to_ohlc(frame, engine=engine),
        lambda engine: agg.ohlc_resample(ohlcv, "5m", engine=engine),
        lambda engine: agg.ohlc_resample(ohlcv.lazy(), "5m", engine=engine),
        lambda engine: agg.volume_sum(frame["volume"], engine=engine),
        lambda engine: agg.volume_weighted_price(frame["price"], frame["volume"], engine=engine),
        lambda engine: agg.rolling_sum(frame["price"], 5, engine=engine),
        lambda engine: agg.rolling_mean(frame["price"], 5, engine=engine),
        lambda engine: agg.cumulative_sum(frame["volume"], engine=engine),
        lambda engine: agg.group_aggregation(frame, "volume", "price", engine=engine),
    ]
    for call in calls:
        assert call("auto") is not None
        assert call("cpu") is not None
        with pytest.raises(ConfigurationError):
            call("GPU")
        if not kimsfinance.gpu_available():
            with pytest.raises(GPUNotAvailableError):
                call("gpu")


# --- small aggregations --------------------------------------------------------------------


def test_volume_sum_and_weighted_price():
    volume = np.array([1, 2, 1], dtype=np.int64)
    assert agg.volume_sum(volume) == 4.0
    assert agg.volume_sum([]) == 0.0
    assert agg.volume_sum(pl.Series([0.1] * 10)) == pytest.approx(1.0, abs=0)
    assert agg.volume_weighted_price([10.0, 20.0, 40.0], volume) == 22.5
    assert np.isnan(agg.volume_weighted_price([1.0, 2.0], [0, 0]))
    with pytest.raises(DataValidationError, match="volume has 2 values but prices has 3"):
        agg.volume_weighted_price([1.0, 2.0, 3.0], [1, 2])
    with pytest.raises(DataValidationError, match="value -1 at row 1"):
        agg.volume_sum(np.array([1.0, -1.0]))
    with pytest.raises(DataValidationError, match="empty"):
        agg.volume_weighted_price([], [])
    with pytest.raises(TypeError, match="volume must have a numeric dtype"):
        agg.volume_sum(np.array(["a"]))


@pytest.mark.parametrize("window", [1, 3, 20, 5_000])
def test_rolling_sum_and_mean_match_polars(window):
    values = np.random.default_rng(window).normal(100, 5, 3_000)
    values[700] = np.nan
    series = pl.Series(values).fill_nan(None)
    for ours, theirs in [
        (agg.rolling_sum(values, window), series.rolling_sum(window)),
        (agg.rolling_mean(pd.Series(values), window), series.rolling_mean(window)),
    ]:
        np.testing.assert_allclose(ours, theirs.to_numpy(), rtol=1e-12, equal_nan=True)
    with pytest.raises(ValueError, match="window must be a positive whole number, got 0"):
        agg.rolling_sum(values, 0)


def test_cumulative_sum_keeps_integers():
    ints = agg.cumulative_sum([1, 2, 3])
    assert ints.dtype == np.int64 and ints.tolist() == [1, 3, 6]
    floats = agg.cumulative_sum(np.array([0.5, np.nan, 1.0]))
    assert floats.dtype == np.float64 and floats[0] == 0.5 and np.isnan(floats[2])
    np.testing.assert_array_equal(
        agg.cumulative_sum(np.arange(100, dtype=np.int16)), np.cumsum(np.arange(100))
    )
    with pytest.raises(ValueError, match="overflows a 64-bit integer at row 1"):
        agg.cumulative_sum(np.array([2**62, 2**62], dtype=np.int64))


@pytest.mark.parametrize("func", ["sum", "mean", "min", "max", "count"])
def test_group_aggregation_matches_polars(func):
    frame = pl.DataFrame({"key": ["a", "b", "a", "c", "b"], "value": [1.0, 2.0, 3.0, 4.0, 5.0]})
    want = frame.group_by("key", maintain_order=True).agg(getattr(pl.col("value"), func)())
    for data in (frame, frame.lazy(), to_pandas(frame), frame.to_dict(as_series=False)):
        assert agg.group_aggregation(data, "key", "value", func).equals(want)


def test_group_aggregation_refuses_unknown_functions():
    with pytest.raises(ValueError, match="Unsupported aggregation function 'median'"):
        agg.group_aggregation({"k": [1], "v": [1.0]}, "k", "v", "median")


# --- exports and statistics ----------------------------------------------------------------


def test_exports_match_the_original():
    from kimsfinance import ops

    for name in (
        "volume_sum",
        "volume_weighted_price",
        "ohlc_resample",
        "rolling_sum",
        "rolling_mean",
        "cumulative_sum",
        "group_aggregation",
    ):
        assert getattr(kimsfinance, name) is getattr(agg, name)
        assert name in kimsfinance.__all__
    for name in ops.__all__:
        assert getattr(ops, name) is getattr(agg, name)
    assert "tick_to_ohlc" in ops.__all__ and "three_line_break_to_ohlc" in ops.__all__


def test_aggregations_are_reported_to_the_statistics():
    previous = adapter.get_config()["performance_tracking"]
    kimsfinance.configure(performance_tracking=True)
    try:
        adapter.reset_performance_stats()
        agg.tick_to_ohlc(GOOD, 2)
        agg.volume_sum(GOOD["volume"])
        stats = adapter.get_performance_stats()
        assert stats["operations"]["aggregate"]["count"] == 2
        assert stats["cpu_calls"] == 2
    finally:
        kimsfinance.configure(performance_tracking=previous)
        adapter.reset_performance_stats()
