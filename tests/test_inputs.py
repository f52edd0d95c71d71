"""The input layer: every accepted container and dtype draws the same pixels; bad input raises."""

from __future__ import annotations

import numpy as np
import pytest

from kimsfinance import DataValidationError
from kimsfinance.plotting import render_to_array

SIZE = {"width": 320, "height": 200}


def _render(ohlc, volume, **kwargs):
    return render_to_array(ohlc, volume, **SIZE, **kwargs)


def _integer_sample(rng: np.random.Generator, n: int = 80):
    """Integer-valued prices, so that every dtype represents them exactly."""
    close = 1000 + np.cumsum(rng.integers(-9, 10, n))
    open_ = close + rng.integers(-5, 6, n)
    high = np.maximum(open_, close) + rng.integers(0, 6, n)
    low = np.minimum(open_, close) - rng.integers(0, 6, n)
    volume = rng.integers(0, 250, n)
    ohlc = {"open": open_, "high": high, "low": low, "close": close}
    return {k: v.astype(np.float64) for k, v in ohlc.items()}, volume.astype(np.float64)


@pytest.mark.parametrize(
    "dtype",
    [np.float64, np.float32, np.int64, np.int32, np.int16, np.uint64, np.uint32, np.uint16],
)
def test_every_numeric_dtype_draws_the_float64_pixels(dtype):
    ohlc, volume = _integer_sample(np.random.default_rng(5))
    expected = _render(ohlc, volume)
    converted = {k: v.astype(dtype) for k, v in ohlc.items()}
    np.testing.assert_array_equal(_render(converted, volume.astype(dtype)), expected)


def test_float32_prices_draw_like_their_float64_values():
    rng = np.random.default_rng(6)
    ohlc32 = {k: (100 + rng.normal(0, 3, 90)).astype(np.float32) for k in ("open", "close")}
    ohlc32["high"] = np.maximum(ohlc32["open"], ohlc32["close"]) + np.float32(0.5)
    ohlc32["low"] = np.minimum(ohlc32["open"], ohlc32["close"]) - np.float32(0.5)
    volume = rng.uniform(0, 100, 90).astype(np.float32)
    as64 = {k: v.astype(np.float64) for k, v in ohlc32.items()}
    np.testing.assert_array_equal(_render(ohlc32, volume), _render(as64, volume.astype(np.float64)))


def test_strided_and_reversed_views_are_read_in_place():
    ohlc, volume = _integer_sample(np.random.default_rng(7))
    expected = _render(ohlc, volume)
    # Every other row of a wider buffer, and a reversed view of a reversed copy.
    wide = {k: np.repeat(v, 2)[::2] for k, v in ohlc.items()}
    assert all(not v.flags["C_CONTIGUOUS"] for v in wide.values())
    reversed_twice = {k: v[::-1].copy()[::-1] for k, v in ohlc.items()}
    np.testing.assert_array_equal(_render(wide, np.repeat(volume, 2)[::2]), expected)
    np.testing.assert_array_equal(_render(reversed_twice, volume), expected)


def test_column_of_a_2d_array_is_read_in_place():
    ohlc, volume = _integer_sample(np.random.default_rng(8))
    table = np.column_stack([ohlc[k] for k in ("open", "high", "low", "close")])
    columns = {k: table[:, i] for i, k in enumerate(("open", "high", "low", "close"))}
    np.testing.assert_array_equal(_render(columns, volume), _render(ohlc, volume))


def test_lists_tuples_and_capitalised_keys():
    ohlc, volume = _integer_sample(np.random.default_rng(9))
    expected = _render(ohlc, volume)
    as_lists = {k.capitalize(): list(v) for k, v in ohlc.items()}
    np.testing.assert_array_equal(_render(as_lists, tuple(volume)), expected)


def test_polars_and_pandas_series():
    pl = pytest.importorskip("polars")
    pd = pytest.importorskip("pandas")
    ohlc, volume = _integer_sample(np.random.default_rng(10))
    expected = _render(ohlc, volume)
    polars_frame = pl.DataFrame(ohlc)
    np.testing.assert_array_equal(_render(polars_frame, pl.Series(volume)), expected)
    pandas_frame = pd.DataFrame(ohlc)
    np.testing.assert_array_equal(_render(pandas_frame, pd.Series(volume)), expected)
    # Integer pandas columns, capitalised as pandas users often have them.
    pandas_ints = pd.DataFrame({k.capitalize(): v.astype(np.int64) for k, v in ohlc.items()})
    np.testing.assert_array_equal(_render(pandas_ints, pd.Series(volume)), expected)


def test_length_mismatch_names_columns_and_lengths():
    ohlc, volume = _integer_sample(np.random.default_rng(11))
    ohlc["low"] = ohlc["low"][:-1]
    with pytest.raises(DataValidationError, match=r"low has 79 values but open has 80"):
        _render(ohlc, volume)
    ohlc, volume = _integer_sample(np.random.default_rng(11))
    with pytest.raises(DataValidationError, match=r"volume has 79 values but open has 80"):
        _render(ohlc, volume[:-1])


def test_empty_input_is_a_data_validation_error():
    empty = np.array([], dtype=np.float64)
    with pytest.raises(DataValidationError, match="empty"):
        _render({k: empty for k in ("open", "high", "low", "close")}, empty)


def test_data_validation_error_is_also_a_value_error():
    assert issubclass(DataValidationError, ValueError)


@pytest.mark.parametrize(
    "bad",
    [
        np.array(["a", "b"]),
        np.array([True, False]),
        np.array([1, 2], dtype=object),
        np.array(["2024-01-01", "2024-01-02"], dtype="datetime64[D]"),
        ["a", "b"],
        {"not": "a column"},
        3.5,
    ],
    ids=["str", "bool", "object", "datetime", "list-of-str", "dict", "scalar"],
)
def test_non_numeric_columns_are_type_errors_naming_the_column(bad):
    good = np.array([1.0, 2.0])
    ohlc = {"open": good, "high": good + 1, "low": good - 1, "close": bad}
    with pytest.raises(TypeError, match="close"):
        _render(ohlc, good)


def test_two_dimensional_column_is_rejected():
    good = np.array([1.0, 2.0])
    ohlc = {"open": np.ones((2, 2)), "high": good, "low": good, "close": good}
    with pytest.raises(DataValidationError, match=r"open must be one-dimensional"):
        _render(ohlc, good)


def test_negative_volume_is_rejected_with_index_and_value():
    ohlc, volume = _integer_sample(np.random.default_rng(12))
    volume[17] = -3
    with pytest.raises(DataValidationError, match=r"volume\[17\] is -3"):
        _render(ohlc, volume)


def test_missing_column_is_named():
    good = np.array([1.0, 2.0])
    with pytest.raises(DataValidationError, match="'close'"):
        _render({"open": good, "high": good, "low": good}, good)


@pytest.mark.parametrize("side", ["width", "height"])
@pytest.mark.parametrize("value", [99, 8193, 0, -5])
def test_size_outside_range_is_a_value_error(side, value):
    ohlc, volume = _integer_sample(np.random.default_rng(13), 10)
    kwargs = {**SIZE, side: value}
    with pytest.raises(
        ValueError, match=rf"{side} must be between 100 and 8192 pixels, got {value}"
    ):
        render_to_array(ohlc, volume, **kwargs)


def test_float16_and_big_endian_arrays_are_converted_once():
    ohlc, volume = _integer_sample(np.random.default_rng(14))
    expected = _render(ohlc, volume)
    big_endian = {k: v.astype(">f8") for k, v in ohlc.items()}
    np.testing.assert_array_equal(_render(big_endian, volume.astype(np.float16)), expected)
