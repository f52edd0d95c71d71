"""Renko bricks and Point & Figure columns: equal to the original's, float for float.

``tests/data/transforms.json`` holds the original's results for recorded inputs; ``oracle.py``
models the original (checked against those results) so random inputs can be compared too,
including the automatic box sizes from the 14-row average true range.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import oracle
import pytest
from helpers import random_ohlcv

from kimsfinance import DataValidationError
from kimsfinance.data import calculate_pnf_columns, calculate_renko_bricks

DATA = Path(__file__).parent / "data"
RECORDED = json.loads((DATA / "transforms.json").read_text())
TRANSFORMS = {
    "calculate_renko_bricks": (calculate_renko_bricks, oracle.renko_bricks),
    "calculate_pnf_columns": (calculate_pnf_columns, oracle.pnf_columns),
}


def _inputs(name: str) -> dict[str, np.ndarray]:
    with np.load(DATA / f"{name}.npz") as npz:
        return {key: npz[key] for key in npz.files}


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_recorded_results_are_reproduced_exactly(name):
    recorded = RECORDED[name]
    transform, _ = TRANSFORMS[recorded["function"]]
    result = transform(
        _inputs(name), box_size=recorded["box_size"], reversal_boxes=recorded["reversal_boxes"]
    )
    assert len(result) == len(recorded["result"])
    # Dict equality compares the float prices exactly, bit for bit.
    assert result == recorded["result"]


def _random_rows(seed: int) -> tuple[dict, dict]:
    rng = np.random.default_rng(seed)
    n = int(rng.choice([14, 15, 40, 200, 1000, 5000]))
    ohlc, _ = random_ohlcv(rng, n)
    options = {
        "box_size": [None, 0.25, 1.0, 3.0, float(rng.uniform(0.1, 2.0))][rng.integers(0, 5)],
        "reversal_boxes": int(rng.integers(1, 11)),
    }
    return ohlc, options


@pytest.mark.parametrize("seed", range(40))
def test_renko_equals_the_model_on_random_input(seed):
    ohlc, options = _random_rows(seed)
    expected = oracle.renko_bricks(ohlc["high"], ohlc["low"], ohlc["close"], **options)
    assert calculate_renko_bricks(ohlc, **options) == expected


@pytest.mark.parametrize("seed", range(100, 140))
def test_pnf_equals_the_model_on_random_input(seed):
    ohlc, options = _random_rows(seed)
    expected = oracle.pnf_columns(ohlc["high"], ohlc["low"], ohlc["close"], **options)
    assert calculate_pnf_columns(ohlc, **options) == expected


@pytest.mark.parametrize("n", [1, 2, 5, 13])
def test_short_pnf_input_uses_one_percent_of_the_range(n):
    ohlc, _ = random_ohlcv(np.random.default_rng(n), n)
    expected = oracle.pnf_columns(ohlc["high"], ohlc["low"], ohlc["close"])
    assert calculate_pnf_columns(ohlc) == expected


def test_documented_renko_example():
    ohlc = {
        "high": [101.0, 104.0, 106.0, 104.0],
        "low": [99.0, 101.0, 104.0, 102.0],
        "close": [100.0, 103.0, 105.0, 102.0],
    }
    bricks = calculate_renko_bricks(ohlc, box_size=2)
    assert bricks == [
        {"price": 102.0, "direction": 1},
        {"price": 104.0, "direction": 1},
        {"price": 106.0, "direction": 1},
        {"price": 104.0, "direction": -1},
        {"price": 102.0, "direction": -1},
    ]


def test_documented_pnf_example():
    close = np.array([100, 101, 103, 106, 104, 101, 99, 100, 103, 107], dtype=float)
    columns = calculate_pnf_columns(
        {"high": close + 0.5, "low": close - 0.5, "close": close}, box_size=1, reversal_boxes=3
    )
    assert [(c["type"], c["boxes"][0], c["boxes"][-1], c["start_idx"]) for c in columns] == [
        ("X", 101.0, 106.0, 1),
        ("O", 105.0, 99.0, 5),
        ("X", 100.0, 107.0, 8),
    ]


def test_result_types_are_plain_python():
    ohlc, _ = random_ohlcv(np.random.default_rng(5), 100)
    brick = calculate_renko_bricks(ohlc)[0]
    assert type(brick["price"]) is float and type(brick["direction"]) is int
    column = calculate_pnf_columns(ohlc)[0]
    assert type(column["type"]) is str and type(column["start_idx"]) is int
    assert type(column["boxes"]) is list and type(column["boxes"][0]) is float


def test_any_numeric_input_gives_the_same_result():
    polars = pytest.importorskip("polars")
    ohlc, _ = random_ohlcv(np.random.default_rng(6), 300)
    as_int = {key: np.round(values * 10).astype(np.int32) for key, values in ohlc.items()}
    expected = calculate_renko_bricks({k: v.astype(float) for k, v in as_int.items()}, box_size=5)
    assert calculate_renko_bricks(as_int, box_size=5) == expected
    assert (
        calculate_renko_bricks({k: v.tolist() for k, v in as_int.items()}, box_size=5) == expected
    )
    assert calculate_renko_bricks(polars.DataFrame(as_int), box_size=5) == expected
    capitalised = {key.capitalize(): values for key, values in as_int.items()}
    assert calculate_renko_bricks(capitalised, box_size=5) == expected


def test_empty_input_gives_no_bricks_and_no_columns():
    empty = {key: np.array([]) for key in ("high", "low", "close")}
    assert calculate_renko_bricks(empty) == []
    # The original raised IndexError here.
    assert calculate_pnf_columns(empty) == []


@pytest.mark.parametrize("transform", [calculate_renko_bricks, calculate_pnf_columns])
@pytest.mark.parametrize("box_size", [0, -2.0, float("nan"), float("inf")])
def test_bad_box_size_names_the_value(transform, box_size):
    ohlc, _ = random_ohlcv(np.random.default_rng(7), 50)
    with pytest.raises(ValueError, match=r"box_size must be a positive number, got"):
        transform(ohlc, box_size=box_size)


@pytest.mark.parametrize("transform", [calculate_renko_bricks, calculate_pnf_columns])
@pytest.mark.parametrize("reversal_boxes", [0, 11])
def test_reversal_boxes_outside_one_to_ten_names_the_value(transform, reversal_boxes):
    ohlc, _ = random_ohlcv(np.random.default_rng(8), 50)
    with pytest.raises(
        ValueError, match=f"reversal_boxes must be between 1 and 10, got {reversal_boxes}"
    ):
        transform(ohlc, box_size=1.0, reversal_boxes=reversal_boxes)


def test_automatic_renko_box_needs_fourteen_rows():
    ohlc, _ = random_ohlcv(np.random.default_rng(9), 13)
    with pytest.raises(ValueError, match="box_size=None needs at least 14 rows.*got 13"):
        calculate_renko_bricks(ohlc)


def test_flat_or_nan_data_has_no_automatic_box_size():
    flat = {key: np.full(20, 3.0) for key in ("high", "low", "close")}
    for transform in (calculate_renko_bricks, calculate_pnf_columns):
        with pytest.raises(ValueError, match="automatic box size of 0"):
            transform(flat)
    nan = {key: np.full(20, np.nan) for key in ("high", "low", "close")}
    with pytest.raises(ValueError, match="automatic box size of NaN"):
        calculate_renko_bricks(nan)


def test_tiny_box_is_refused_instead_of_exhausting_memory():
    ohlc = {"high": [1.0, 1e9], "low": [1.0, 1.0], "close": [1.0, 1.0]}
    with pytest.raises(ValueError, match="too small for these prices"):
        calculate_renko_bricks(ohlc, box_size=1e-3)
    with pytest.raises(ValueError, match="too small for these prices"):
        calculate_pnf_columns(ohlc, box_size=1e-3)


def test_columns_of_different_lengths_name_the_column():
    ohlc = {"high": [1.0, 2.0, 3.0], "low": [1.0, 2.0], "close": [1.0, 2.0, 3.0]}
    with pytest.raises(DataValidationError, match="low has 2 values but high has 3"):
        calculate_renko_bricks(ohlc, box_size=1.0)
    with pytest.raises(DataValidationError, match="low has 2 values but high has 3"):
        calculate_pnf_columns(ohlc, box_size=1.0)


def test_missing_column_and_wrong_types_are_named():
    with pytest.raises(DataValidationError, match="no 'close' column"):
        calculate_pnf_columns({"high": [1.0], "low": [1.0]})
    with pytest.raises(TypeError, match="box_size must be a number or None"):
        calculate_renko_bricks({"high": [1.0], "low": [1.0], "close": [1.0]}, box_size="1")
    with pytest.raises(TypeError, match="reversal_boxes must be a whole number"):
        calculate_renko_bricks({"high": [1.0], "low": [1.0], "close": [1.0]}, reversal_boxes=None)
