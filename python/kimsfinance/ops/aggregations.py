"""Bars from ticks (tick, volume, range, Kagi, line break), OHLC resampling, and small
aggregations.

Every bar function runs in the native core in one streaming pass over the caller's columns,
read in place: numpy arrays directly, polars and pandas columns through ``Series.to_numpy()``
(no copy for numeric columns without nulls and for datetime columns). A ``polars.LazyFrame``
is collected with polars' default engine, keeping only the columns needed.

Inputs (``ticks`` / ``df``): a polars DataFrame or LazyFrame, a pandas DataFrame, or a mapping
of column names to arrays. Timestamps may be datetimes (any unit; time zones are kept), strings
polars can parse, or (except for :func:`ohlc_resample`) integers. Rows are aggregated in time
order: already sorted timestamps are detected in one pass and read as they are; unsorted ones
are sorted once (equal timestamps keep their input order) through a permutation of 16 bytes per
row (timestamp and row index), never a copy of the columns. ``assume_sorted=True`` forbids that
sort: unsorted timestamps then raise ``DataValidationError``.

Outputs are polars DataFrames with columns ``timestamp, open, high, low, close, volume``
(:func:`ohlc_resample` names the first column after ``timestamp_col``); timestamps keep their
dtype. Bad input raises (never a partial result), naming the argument or column and the value:
missing columns (``ValueError``), non-numeric prices or volumes (``TypeError``), NaN or infinite
prices, negative or NaN volumes, missing timestamps, empty input (``DataValidationError``, a
``ValueError``), non-positive sizes (``ValueError``).

``engine`` follows :mod:`kimsfinance.core.engine`: an invalid value raises
``ConfigurationError`` and ``"gpu"`` without a usable GPU raises ``GPUNotAvailableError``.
:func:`tick_to_ohlc`, :func:`volume_to_ohlc` and :func:`ohlc_resample` have CUDA kernels that
give the CPU's results bit for bit; ``"auto"`` uses them from ``gpu_min_rows`` rows on, and falls
back to the CPU with a ``RuntimeWarning`` if the GPU fails. Range, Kagi and line-break bars and
the small aggregations always run on the CPU (a range or Kagi bar depends on where the previous
one ended, so the rows cannot be shared out among GPU threads).
"""

from __future__ import annotations

import numbers
import operator
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _native
from ..core.engine import EngineManager
from ..core.exceptions import DataValidationError

__all__ = [
    "cumulative_sum",
    "group_aggregation",
    "kagi_to_ohlc",
    "ohlc_resample",
    "range_to_ohlc",
    "rolling_mean",
    "rolling_sum",
    "three_line_break_to_ohlc",
    "tick_to_ohlc",
    "volume_sum",
    "volume_to_ohlc",
    "volume_weighted_price",
]

_OPERATION = "aggregation"

# Nanoseconds per numpy datetime64 unit.
_UNIT_NANOSECONDS = {
    "ns": 1,
    "us": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
    "D": 86_400_000_000_000,
    "W": 604_800_000_000_000,
}
_POLARS_TIME_UNITS = ("ns", "us", "ms")
_AGGREGATIONS = ("sum", "mean", "min", "max", "count")


def _polars():
    try:
        import polars
    except ImportError:
        raise ImportError(
            "kimsfinance's aggregations return polars DataFrames and need polars: "
            "pip install polars"
        ) from None
    return polars


# --- reading the input ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    """One input column as a numpy array (a view where possible) and what it was."""

    values: np.ndarray
    #: The polars dtype of the column when the input was polars, else ``None``.
    polars_dtype: Any = None
    #: The time zone of a time-zone-aware datetime column (its values are then UTC).
    time_zone: str | None = None


def _is_instance(value: Any, module: str, *names: str) -> bool:
    """``isinstance`` against classes of an optional library, without importing it."""
    library = sys.modules.get(module)
    return library is not None and isinstance(
        value, tuple(getattr(library, name) for name in names)
    )


def _read_columns(
    data: Any, argument: str, required: Sequence[str], optional: Sequence[str] = ()
) -> dict[str, _Column]:
    """The ``required`` columns (and whichever ``optional`` ones exist) of ``data``."""
    for name in (*required, *optional):
        if not isinstance(name, str):
            raise TypeError(f"Column names must be strings, got {name!r}.")

    if _is_instance(data, "polars", "LazyFrame"):
        present = data.collect_schema().names()
        _check_present(present, required, argument)
        wanted = [name for name in dict.fromkeys((*required, *optional)) if name in present]
        data = data.select(wanted).collect()
    if _is_instance(data, "polars", "DataFrame"):
        _check_present(data.columns, required, argument)
        series = {
            name: data.get_column(name) for name in (*required, *optional) if name in data.columns
        }
        return {name: _from_series(one) for name, one in series.items()}
    if _is_instance(data, "pandas", "DataFrame"):
        _check_present(list(data.columns), required, argument)
        return {
            name: _from_pandas(name, data[name])
            for name in (*required, *optional)
            if name in data.columns
        }
    if isinstance(data, Mapping):
        _check_present(list(data.keys()), required, argument)
        return {name: _from_value(data[name]) for name in (*required, *optional) if name in data}
    raise TypeError(
        f"{argument} must be a polars DataFrame or LazyFrame, a pandas DataFrame, or a mapping "
        f"of column names to arrays, got {type(data).__name__}."
    )


def _check_present(columns: Sequence[Any], required: Sequence[str], argument: str) -> None:
    for name in required:
        if name not in columns:
            shown = ", ".join(repr(column) for column in list(columns)[:12])
            raise ValueError(f"Column {name!r} not found in {argument} (its columns: {shown}).")


def _from_series(series: Any) -> _Column:
    """A polars Series, read in place when polars can (numeric without nulls, datetimes)."""
    dtype = series.dtype
    return _Column(series.to_numpy(), dtype, getattr(dtype, "time_zone", None))


def _from_pandas(name: str, series: Any) -> _Column:
    if getattr(series, "ndim", 1) != 1:
        raise DataValidationError(f"Column {name!r} appears more than once in the DataFrame.")
    time_zone = getattr(series.dtype, "tz", None)
    if time_zone is not None:
        # Time-zone-aware pandas columns convert to objects; as UTC they stay datetime64.
        return _Column(series.dt.tz_convert(None).to_numpy(), None, str(time_zone))
    return _Column(series.to_numpy())


def _from_value(value: Any) -> _Column:
    if _is_instance(value, "polars", "Series"):
        return _from_series(value)
    if _is_instance(value, "pandas", "Series"):
        return _from_pandas(str(value.name), value)
    return _Column(np.asarray(value))


@dataclass(frozen=True)
class _Timestamps:
    """Timestamps as int64 (a view of datetime64 data) and how to rebuild them."""

    values: np.ndarray
    #: numpy datetime64 unit ("ns", "us", ...), or ``None`` for integer timestamps.
    unit: str | None
    polars_dtype: Any
    time_zone: str | None

    def series(self, name: str, values: np.ndarray) -> Any:
        """Output timestamps (int64 in the input's unit) as a polars Series of the input's
        dtype."""
        pl = _polars()
        if self.polars_dtype is not None:
            return pl.Series(name, values).cast(self.polars_dtype)
        if self.unit is None:
            return pl.Series(name, values)
        if self.unit in _POLARS_TIME_UNITS:
            series = pl.Series(name, values).cast(pl.Datetime(self.unit))
        elif self.unit == "D":
            series = pl.Series(name, values).cast(pl.Date)
        else:
            # polars has no second, minute, hour or week resolution; milliseconds hold them.
            series = pl.Series(
                name, values.view(f"datetime64[{self.unit}]").astype("datetime64[ms]")
            )
        if self.time_zone is not None:
            series = series.dt.replace_time_zone("UTC").dt.convert_time_zone(self.time_zone)
        return series


def _timestamps(column: _Column, name: str, *, allow_integers: bool) -> _Timestamps:
    values = column.values
    if values.ndim != 1:
        raise DataValidationError(
            f"Column {name!r} must be one-dimensional, got an array of shape {values.shape}."
        )
    kind = values.dtype.kind
    if kind in "OUS":
        return _parsed_timestamps(column, name)
    if kind == "M":
        unit, count = np.datetime_data(values.dtype)
        if unit not in _UNIT_NANOSECONDS or count != 1:
            raise TypeError(
                f"Column {name!r} has the datetime dtype {values.dtype}, which is not supported; "
                "use a unit of ns, us, ms, s, m, h, D or W."
            )
        return _Timestamps(values.view(np.int64), unit, column.polars_dtype, column.time_zone)
    if kind in "iu" and allow_integers:
        return _Timestamps(values.astype(np.int64, copy=False), None, column.polars_dtype, None)
    wanted = "datetimes or integers" if allow_integers else "datetimes"
    raise TypeError(f"Column {name!r} must hold {wanted}, got dtype {values.dtype}.")


def _parsed_timestamps(column: _Column, name: str) -> _Timestamps:
    """Strings (or Python datetimes) converted once with polars, as the original did."""
    pl = _polars()
    try:
        series = pl.Series(name, column.values)
        if series.dtype == pl.String:
            series = series.str.to_datetime()
    except (pl.exceptions.PolarsError, TypeError, ValueError) as error:
        raise ValueError(f"Column {name!r} could not be read as datetimes: {error}") from None
    if not isinstance(series.dtype, (pl.Datetime, pl.Date)):
        raise TypeError(f"Column {name!r} must hold datetimes, got {series.dtype}.")
    return _timestamps(_from_series(series), name, allow_integers=False)


# --- checking arguments --------------------------------------------------------------------


def _whole_number(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a whole number, got {value!r}.")
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        if float(value).is_integer():
            return int(value)
        raise ValueError(f"{name} must be a whole number, got {value!r}.")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be a whole number, got {value!r}.") from None


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}.")
    return float(value)


def _optional_number(name: str, value: Any) -> float | None:
    return None if value is None else _number(name, value)


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


def _run_on_cpu(engine: Any, rows: int) -> None:
    """Validates ``engine`` for a computation that has no GPU version; raises when a GPU is
    demanded but unusable, as every engine argument does."""
    EngineManager.select_engine(engine, _OPERATION, rows)


def _placement(engine: Any, rows: int) -> dict[str, Any]:
    """The native ``engine`` and ``fall_back_to_cpu`` keywords for ``rows`` rows: the engine
    model's choice, and whether a GPU failure may fall back to the CPU (only under "auto")."""
    chosen = EngineManager.select_engine(engine, _OPERATION, rows)
    return {"engine": chosen, "fall_back_to_cpu": engine == "auto"}


# --- building the output -------------------------------------------------------------------


def _sum_dtype(dtype: Any) -> Any:
    """The dtype polars gives the sum of a column of ``dtype``: small integers widen to Int64."""
    pl = _polars()
    if dtype in (pl.Int8, pl.Int16, pl.UInt8, pl.UInt16, pl.Boolean):
        return pl.Int64
    return dtype


def _polars_dtype(column: _Column) -> Any:
    if column.polars_dtype is not None:
        return column.polars_dtype
    return _polars().Series(np.empty(0, dtype=column.values.dtype)).dtype


def _frame(
    arrays: tuple[np.ndarray, ...],
    timestamps: _Timestamps,
    timestamp_name: str = "timestamp",
    price_dtype: Any = None,
    volume_dtype: Any = None,
) -> Any:
    """The native output arrays as a polars DataFrame (numeric columns without copying)."""
    pl = _polars()
    times, open_, high, low, close, volume = arrays
    prices = [
        pl.Series(name, values)
        for name, values in (("open", open_), ("high", high), ("low", low), ("close", close))
    ]
    if price_dtype is not None and price_dtype != pl.Float64:
        prices = [series.cast(price_dtype) for series in prices]
    volume_series = pl.Series("volume", volume)
    if volume_dtype is not None and volume_dtype != pl.Float64:
        volume_series = volume_series.cast(volume_dtype)
    return pl.DataFrame([timestamps.series(timestamp_name, times), *prices, volume_series])


@dataclass(frozen=True)
class _Ticks:
    timestamps: _Timestamps
    price: _Column
    volume: _Column
    names: tuple[str, str, str]
    #: The native engine keywords (see ``_placement``).
    placement: dict[str, Any]

    def native_columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.timestamps.values, self.price.values, self.volume.values


def _read_ticks(
    ticks: Any, timestamp_col: Any, price_col: Any, volume_col: Any, engine: Any
) -> _Ticks:
    columns = _read_columns(ticks, "ticks", (timestamp_col, price_col, volume_col))
    timestamps = _timestamps(columns[timestamp_col], timestamp_col, allow_integers=True)
    return _Ticks(
        timestamps,
        columns[price_col],
        columns[volume_col],
        (timestamp_col, price_col, volume_col),
        _placement(engine, len(timestamps.values)),
    )


# --- bars from ticks -----------------------------------------------------------------------


def tick_to_ohlc(
    ticks: Any,
    tick_size: int,
    *,
    timestamp_col: str = "timestamp",
    price_col: str = "price",
    volume_col: str = "volume",
    engine: str = "auto",
    assume_sorted: bool = False,
) -> Any:
    """OHLCV bars of ``tick_size`` consecutive ticks (in time order); the last may hold fewer.

    Per bar: ``timestamp`` of its first tick, ``open`` first price, ``high``/``low`` the
    extremes, ``close`` last price, ``volume`` the sum. Prices keep their dtype; volume takes
    the dtype polars gives its sum (small integers widen to Int64). Float volumes are added in
    time order, so a sum can differ from polars' pairwise sum in the last bit.
    """
    size = _whole_number("tick_size", tick_size)
    data = _read_ticks(ticks, timestamp_col, price_col, volume_col, engine)
    arrays = _native.tick_bars(
        *data.native_columns(),
        tick_size=size,
        assume_sorted=_flag("assume_sorted", assume_sorted),
        names=data.names,
        **data.placement,
    )
    return _frame(
        arrays,
        data.timestamps,
        price_dtype=_polars_dtype(data.price),
        volume_dtype=_sum_dtype(_polars_dtype(data.volume)),
    )


def volume_to_ohlc(
    ticks: Any,
    volume_size: float,
    *,
    timestamp_col: str = "timestamp",
    price_col: str = "price",
    volume_col: str = "volume",
    engine: str = "auto",
    assume_sorted: bool = False,
) -> Any:
    """OHLCV bars of about ``volume_size`` traded volume each.

    Tick ``i`` (in time order) belongs to bar ``trunc(V_i / volume_size)`` where ``V_i`` is the
    running volume total including tick ``i``: the tick that brings the total to exactly
    ``k * volume_size`` opens bar ``k``. Ticks are never split, so bars hold roughly (not
    exactly) ``volume_size``, and no empty bars are made. Columns and dtypes as
    :func:`tick_to_ohlc`.
    """
    size = _number("volume_size", volume_size)
    data = _read_ticks(ticks, timestamp_col, price_col, volume_col, engine)
    arrays = _native.volume_bars(
        *data.native_columns(),
        volume_size=size,
        assume_sorted=_flag("assume_sorted", assume_sorted),
        names=data.names,
        **data.placement,
    )
    return _frame(
        arrays,
        data.timestamps,
        price_dtype=_polars_dtype(data.price),
        volume_dtype=_sum_dtype(_polars_dtype(data.volume)),
    )


def range_to_ohlc(
    ticks: Any,
    range_size: float,
    *,
    timestamp_col: str = "timestamp",
    price_col: str = "price",
    volume_col: str = "volume",
    engine: str = "auto",
    assume_sorted: bool = False,
) -> Any:
    """Range bars: each bar closes at the first tick that makes ``high - low >= range_size``.

    A bar opens at a tick (its timestamp and price) and absorbs the following ticks until its
    range is reached; the next tick opens a new bar. Bars can exceed ``range_size`` when prices
    gap. A final bar that did not reach the range is kept. Prices and volume are Float64.

    Fixed from the original: a bar closed by the very last tick is emitted once (the original
    emitted it twice), and a final partial bar is kept even when its volume is zero (the
    original dropped it, using "volume > 0" to mean "has ticks"); empty input raises
    ``DataValidationError`` instead of ``IndexError``; timestamps keep their datetime dtype.
    """
    size = _number("range_size", range_size)
    data = _read_ticks(ticks, timestamp_col, price_col, volume_col, engine)
    arrays = _native.range_bars(
        *data.native_columns(),
        range_size=size,
        assume_sorted=_flag("assume_sorted", assume_sorted),
        names=data.names,
    )
    return _frame(arrays, data.timestamps)


def kagi_to_ohlc(
    ticks: Any,
    reversal_amount: float | None = None,
    reversal_pct: float | None = None,
    *,
    timestamp_col: str = "timestamp",
    price_col: str = "price",
    volume_col: str = "volume",
    engine: str = "auto",
    assume_sorted: bool = False,
) -> Any:
    """Kagi lines as OHLCV rows; give exactly one of ``reversal_amount`` (a price distance)
    and ``reversal_pct`` (a fraction of the line's end price: 0.02 is 2 %).

    The first line starts at the first tick and takes its direction from the first different
    price. Each later price first widens the current line's high/low; then a price beyond the
    line's end in its direction extends it, a price at least the threshold against the end
    starts a new line the other way (from the old end to this price, with only this tick's
    volume), and any other price just adds its volume. Row = one line: ``timestamp`` of its
    first tick, ``open`` start, ``close`` end, ``high``/``low`` every price it saw, ``volume``.
    A last line without a direction (all prices equal) is not emitted. Float64 prices and
    volume; timestamps keep their dtype (the original cast them to microseconds).
    """
    amount = _optional_number("reversal_amount", reversal_amount)
    fraction = _optional_number("reversal_pct", reversal_pct)
    if (amount is None) == (fraction is None):
        which = "both are None" if amount is None else "both were given"
        raise ValueError(
            f"Give exactly one of reversal_amount and reversal_pct; {which} "
            f"(reversal_amount={reversal_amount!r}, reversal_pct={reversal_pct!r})."
        )
    data = _read_ticks(ticks, timestamp_col, price_col, volume_col, engine)
    arrays = _native.kagi_bars(
        *data.native_columns(),
        reversal_amount=amount,
        reversal_pct=fraction,
        assume_sorted=_flag("assume_sorted", assume_sorted),
        names=data.names,
    )
    return _frame(arrays, data.timestamps)


def three_line_break_to_ohlc(
    ticks: Any,
    num_lines: int = 3,
    *,
    timestamp_col: str = "timestamp",
    price_col: str = "price",
    volume_col: str = "volume",
    engine: str = "auto",
    assume_sorted: bool = False,
) -> Any:
    """N-line break lines (three-line break for ``num_lines=3``) as OHLCV rows.

    The first price is the reference; the first line runs from it to the first different
    price. Then, after an up line, a price above its close draws an up line from that close;
    a price below the lowest low of the last ``num_lines`` lines (all lines while there are
    fewer) draws a down line from the last line's open (its bottom). After a down line, the
    mirror image: below its close continues down; above the highest high of the last
    ``num_lines`` lines reverses up from the last line's open (its top). Other prices draw
    nothing. Row = one line: ``open``/``close`` its ends, ``high``/``low`` its top and bottom,
    ``timestamp`` the first tick since the previous line, ``volume`` the ticks from there up to
    the one that drew it. Ticks after the last line drawn belong to no line.

    Fixed from the original, which never drew a second line and always returned one row
    spanning all ticks. Empty input raises ``DataValidationError``.
    """
    lines = _whole_number("num_lines", num_lines)
    data = _read_ticks(ticks, timestamp_col, price_col, volume_col, engine)
    arrays = _native.line_break_bars(
        *data.native_columns(),
        num_lines=lines,
        assume_sorted=_flag("assume_sorted", assume_sorted),
        names=data.names,
    )
    return _frame(arrays, data.timestamps)


# --- time bars -----------------------------------------------------------------------------


def ohlc_resample(
    df: Any,
    timeframe: str,
    *,
    timestamp_col: str = "timestamp",
    engine: str = "auto",
    assume_sorted: bool = False,
) -> Any:
    """OHLCV rows resampled to ``timeframe`` windows, like polars' ``group_by_dynamic``.

    ``timeframe`` is any positive fixed duration in polars' notation: "30s", "7m", "1h30m",
    "2h", "1d", "1w" (units ns, us, ms, s, m, h, d, w). Windows are ``[start, start + every)``
    labelled by their start, aligned to the Unix epoch (weeks start on Mondays, as in polars),
    and empty windows are left out. Per window: ``open`` first, ``high`` max, ``low`` min,
    ``close`` last, ``volume`` sum (a column of Int32 zeros when ``df`` has no ``volume``
    column, as in the original). Columns ``open``, ``high``, ``low``, ``close`` are required;
    the first output column is named ``timestamp_col``. String timestamps are parsed.

    Time-zone-aware timestamps are resampled by polars' own ``group_by_dynamic``, as in the
    original: windows of days and weeks are local calendar days and weeks, shorter windows
    start at the local truncation of the first timestamp and then follow every
    ``timeframe``, so across a daylight-saving change they can differ from UTC-aligned ones.
    That path checks its input like the others but runs on the CPU only, with the copies
    polars makes (``engine="gpu"`` raises ``OperationNotSupportedError``).

    Fixed from the original: any fixed duration works, not only eight; ``engine="auto"`` never
    fails (the original passed ``engine=None`` to polars). Calendar units ("1mo", "1q", "1y")
    raise ``OperationNotSupportedError``.
    """
    if not isinstance(timeframe, str):
        raise TypeError(f"timeframe must be a string such as '5m', got {timeframe!r}.")
    if not isinstance(timestamp_col, str):
        raise TypeError(f"timestamp_col must be a string, got {timestamp_col!r}.")
    prices = ("open", "high", "low", "close")
    columns = _read_columns(df, "df", (timestamp_col, *prices), ("volume",))
    timestamps = _timestamps(columns[timestamp_col], timestamp_col, allow_integers=False)
    placement = _placement(engine, len(timestamps.values))
    zoned = timestamps.time_zone is not None
    if zoned and placement["engine"] == "gpu":
        if engine == "gpu":
            from ..core.exceptions import OperationNotSupportedError

            raise OperationNotSupportedError(
                f"Column {timestamp_col!r} has the time zone {timestamps.time_zone!r}; "
                "resampling time-zone-aware timestamps runs on the CPU only "
                "(engine='cpu' or 'auto')."
            )
        placement = {"engine": "cpu", "fall_back_to_cpu": False}
    volume = columns.get("volume")
    # For zoned timestamps this pass only checks the input (same checks and messages as for
    # naive ones, and the cheap part): their windows are polars' own, below.
    arrays = _native.resample_bars(
        timestamps.values,
        *(columns[name].values for name in prices),
        None if volume is None else volume.values,
        every=timeframe,
        unit_nanoseconds=_UNIT_NANOSECONDS[timestamps.unit],
        assume_sorted=_flag("assume_sorted", assume_sorted),
        timestamp_name=timestamp_col,
        **placement,
    )
    pl = _polars()
    price_dtype = _polars_dtype(columns["open"])
    if zoned:
        return _resample_in_time_zone(columns, timestamps, timeframe, timestamp_col, price_dtype)
    if volume is None:
        frame = _frame(arrays, timestamps, timestamp_col, price_dtype, pl.Float64)
        return frame.with_columns(pl.lit(0, dtype=pl.Int32).alias("volume"))
    return _frame(arrays, timestamps, timestamp_col, price_dtype, _sum_dtype(_polars_dtype(volume)))


def _resample_in_time_zone(
    columns: dict[str, _Column],
    timestamps: _Timestamps,
    timeframe: str,
    timestamp_col: str,
    price_dtype: Any,
) -> Any:
    """``ohlc_resample`` of checked, time-zone-aware columns by polars' ``group_by_dynamic``,
    with the column dtypes of the native path."""
    pl = _polars()
    times = timestamps.series(timestamp_col, timestamps.values)
    prices = ("open", "high", "low", "close")
    volume = columns.get("volume")
    frame = pl.DataFrame(
        [
            times,
            *(pl.Series(name, columns[name].values) for name in prices),
            *([] if volume is None else [pl.Series("volume", volume.values)]),
        ]
    )
    if not times.is_sorted():
        frame = frame.sort(timestamp_col, maintain_order=True)
    aggregations = [
        pl.col("open").first(),
        pl.col("high").max(),
        pl.col("low").min(),
        pl.col("close").last(),
    ]
    if volume is not None:
        aggregations.append(pl.col("volume").sum())
    bars = frame.group_by_dynamic(timestamp_col, every=timeframe).agg(aggregations)
    bars = bars.with_columns(pl.col(prices).cast(price_dtype))
    if volume is None:
        return bars.with_columns(pl.lit(0, dtype=pl.Int32).alias("volume"))
    return bars.with_columns(pl.col("volume").cast(_sum_dtype(_polars_dtype(volume))))


# --- small aggregations --------------------------------------------------------------------


def _array(data: Any) -> Any:
    """numpy arrays and Series go to the native core as they are; sequences become arrays
    once, so integer lists stay integers."""
    if isinstance(data, (list, tuple)):
        return np.asarray(data)
    return data


def _length(data: Any) -> int:
    try:
        return len(data)
    except TypeError:
        return 0


def volume_sum(volume: Any, *, engine: str = "auto") -> float:
    """Total of ``volume`` as a float (0.0 when empty), summed with compensation so long
    columns do not drift. Volumes must be finite and not negative (``DataValidationError``)."""
    _run_on_cpu(engine, _length(volume))
    return _native.volume_sum(_array(volume))


def volume_weighted_price(prices: Any, volume: Any, *, engine: str = "auto") -> float:
    """``sum(prices * volume) / sum(volume)``; NaN when the volume sums to zero.

    Columns of different lengths, empty input, non-finite prices and negative or NaN volumes
    raise ``DataValidationError``.
    """
    _run_on_cpu(engine, _length(prices))
    return _native.volume_weighted_price(_array(prices), _array(volume))


def rolling_sum(data: Any, window: int, *, engine: str = "auto") -> np.ndarray:
    """Sum of the last ``window`` values at each row as float64: NaN for the first
    ``window - 1`` rows and wherever the window holds a NaN (polars' ``rolling_sum``)."""
    size = _whole_number("window", window)
    _run_on_cpu(engine, _length(data))
    return _native.rolling_sum(_array(data), size)


def rolling_mean(data: Any, window: int, *, engine: str = "auto") -> np.ndarray:
    """Mean of the last ``window`` values at each row, with :func:`rolling_sum`'s NaN rules."""
    size = _whole_number("window", window)
    _run_on_cpu(engine, _length(data))
    return _native.rolling_mean(_array(data), size)


def cumulative_sum(data: Any, *, engine: str = "auto") -> np.ndarray:
    """Running total: int64 for integer input, float64 for float input (NaN propagates).

    Differences from the original's ``np.cumsum``: an integer overflow raises ``ValueError``
    instead of wrapping around, float32 input gives float64, and unsigned input gives int64.
    """
    _run_on_cpu(engine, _length(data))
    return _native.cumulative_sum(_array(data))


def group_aggregation(
    df: Any, group_col: str, agg_col: str, agg_func: str = "sum", *, engine: str = "auto"
) -> Any:
    """``agg_func`` ("sum", "mean", "min", "max" or "count") of ``agg_col`` per value of
    ``group_col``, as a polars DataFrame with those two columns.

    Grouping keys can be of any type, so this one runs on polars' own group-by. Groups come in
    order of first appearance (the original's order was unspecified).
    """
    if agg_func not in _AGGREGATIONS:
        raise ValueError(
            f"Unsupported aggregation function {agg_func!r}; use one of "
            f"{', '.join(map(repr, _AGGREGATIONS))}."
        )
    pl = _polars()
    if _is_instance(df, "polars", "LazyFrame"):
        _check_present(df.collect_schema().names(), (group_col, agg_col), "df")
        frame = df.select(list(dict.fromkeys((group_col, agg_col)))).collect()
    elif _is_instance(df, "polars", "DataFrame"):
        _check_present(df.columns, (group_col, agg_col), "df")
        frame = df
    else:
        columns = _read_columns(df, "df", (group_col, agg_col))
        frame = pl.DataFrame({name: column.values for name, column in columns.items()})
    _run_on_cpu(engine, frame.height)
    aggregate = getattr(pl.col(agg_col), agg_func)()
    return frame.group_by(group_col, maintain_order=True).agg(aggregate.alias(agg_col))
