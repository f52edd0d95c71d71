"""Every chart entry point, fed the four kinds of bad input thousands of times, answers the same
way each time and keeps RSS flat: a non-numeric column (TypeError), columns of different
lengths and empty input (DataValidationError, where the chart type rejects it) and a NaN price
(drawn without that candle, never an error)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from kimsfinance import DataValidationError, plotting
from kimsfinance.data.pnf import calculate_pnf_columns
from kimsfinance.data.renko import calculate_renko_bricks
from kimsfinance.testing import assert_no_leak

ROWS = 60
RNG = np.random.default_rng(21)
CLOSE = 100 + np.cumsum(RNG.normal(0, 1, ROWS))
GOOD = {"open": CLOSE + 0.3, "high": CLOSE + 1, "low": CLOSE - 1, "close": CLOSE}
VOLUME = RNG.uniform(0, 1000, ROWS)
WITH_NAN = {**GOOD, "close": np.where(np.arange(ROWS) == 7, np.nan, CLOSE)}

BAD_INPUTS = {
    "text_column": ({**GOOD, "high": (CLOSE + 1).astype(str)}, VOLUME),
    "length_mismatch": ({**GOOD, "low": GOOD["low"][:-1]}, VOLUME),
    "empty": ({name: values[:0] for name, values in GOOD.items()}, VOLUME[:0]),
    "nan_price": (WITH_NAN, VOLUME),
}

RENDERERS = [
    "render_ohlcv_chart",
    "render_ohlc_bars",
    "render_hollow_candles",
    "render_line_chart",
    "render_renko_chart",
    "render_pnf_chart",
    "render_to_array",
    "render_candlestick_svg",
    "render_ohlc_bars_svg",
    "render_hollow_candles_svg",
    "render_line_chart_svg",
    "render_renko_chart_svg",
    "render_pnf_chart_svg",
]
TRANSFORMS = {
    "calculate_renko_bricks": lambda ohlc, volume: calculate_renko_bricks(ohlc, box_size=1.0),
    "calculate_pnf_columns": lambda ohlc, volume: calculate_pnf_columns(ohlc, box_size=1.0),
}
# Renko and Point & Figure have no candles to lay out: empty input is no bricks or columns (a
# blank chart), as in the original, not an error.
EMPTY_IS_BLANK = {
    "render_renko_chart",
    "render_pnf_chart",
    "render_renko_chart_svg",
    "render_pnf_chart_svg",
    "calculate_renko_bricks",
    "calculate_pnf_columns",
}


def _call(name: str, ohlc: dict, volume: np.ndarray) -> object:
    if name in TRANSFORMS:
        return TRANSFORMS[name](ohlc, volume)
    return getattr(plotting, name)(ohlc, volume, width=120, height=100)


def _expected(name: str, case: str) -> type[BaseException] | None:
    if case == "text_column":
        return TypeError
    if case == "length_mismatch":
        return DataValidationError
    if case == "empty" and name not in EMPTY_IS_BLANK:
        return DataValidationError
    return None


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
@pytest.mark.parametrize("name", [*RENDERERS, *TRANSFORMS])
def test_bad_input_answers_the_same_every_time_without_growth(name, case):
    ohlc, volume = BAD_INPUTS[case]
    error = _expected(name, case)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if error is None:
            assert _call(name, ohlc, volume) is not None
        else:
            with pytest.raises(error):
                _call(name, ohlc, volume)
        report = assert_no_leak(
            lambda: _call(name, ohlc, volume),
            iterations=2_000,
            warmup=50,
            expect=error or (),
        )
    assert report.errors == (report.iterations if error is not None else 0)
