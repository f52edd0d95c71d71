"""The test oracle (``tests/oracle.py``) reproduces the original kimsfinance exactly.

Every recorded case in ``tests/data`` is re-drawn by the oracle and compared array to array
with the original's image, and the oracle's Renko bricks and Point & Figure columns are
compared with the original's. Only once these pass can the oracle stand in for the original
when the Rust renderer is tested on random inputs.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import oracle
import pytest
from PIL import Image

DATA = Path(__file__).parent / "data"
CASES = json.loads((DATA / "index.json").read_text())
TRANSFORMS = json.loads((DATA / "transforms.json").read_text())
TRANSFORM_FUNCTIONS = {
    "calculate_renko_bricks": oracle.renko_bricks,
    "calculate_pnf_columns": oracle.pnf_columns,
}


def load_inputs(name: str) -> dict[str, np.ndarray]:
    """The recorded input arrays of one case."""
    with np.load(DATA / f"{name}.npz") as npz:
        return {key: npz[key] for key in npz.files}


def differing_pixels(actual: np.ndarray, expected: np.ndarray, limit: int = 10) -> str:
    """Name the first differing (row, column) pixels, so a failure says where to look."""
    if actual.shape != expected.shape:
        return f"shape {actual.shape} != {expected.shape}"
    rows, cols = np.nonzero(np.any(actual != expected, axis=-1))
    shown = ", ".join(
        f"({r},{c}) got {actual[r, c].tolist()} want {expected[r, c].tolist()}"
        for r, c in zip(rows[:limit], cols[:limit])
    )
    return f"{len(rows)} pixels differ: {shown}"


@pytest.mark.parametrize("case", CASES, ids=[case["case"] for case in CASES])
def test_oracle_draws_the_reference_image(case: dict) -> None:
    """The oracle draws exactly the original's pixels, alpha channel included."""
    inputs = load_inputs(case["case"])
    render = oracle.RENDERERS[case["function"]]

    image = render(
        inputs["open"], inputs["high"], inputs["low"], inputs["close"], inputs["volume"],
        **case["kwargs"],
    )  # fmt: skip

    expected = np.array(Image.open(DATA / f"{case['case']}.png"))
    actual = np.array(image)
    assert image.mode == case["mode"]
    assert actual.shape == expected.shape
    np.testing.assert_array_equal(actual, expected, err_msg=differing_pixels(actual, expected))


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_oracle_transform_matches_reference(name: str) -> None:
    """Bricks and columns equal the original's, float prices bit for bit."""
    recorded = TRANSFORMS[name]
    inputs = load_inputs(name)
    transform = TRANSFORM_FUNCTIONS[recorded["function"]]

    result = transform(
        inputs["high"], inputs["low"], inputs["close"],
        recorded["box_size"], recorded["reversal_boxes"],
    )  # fmt: skip

    assert len(result) == len(recorded["result"])
    assert result == recorded["result"]


def test_renko_bricks_follow_documented_example() -> None:
    """Box 2: up bricks 102, 104, 106, then a one-box reversal gives 104, 102."""
    highs = [101.0, 104.0, 106.0, 104.0]
    lows = [99.0, 101.0, 104.0, 102.0]
    closes = [100.0, 103.0, 105.0, 102.0]

    bricks = oracle.renko_bricks(highs, lows, closes, box_size=2.0)

    assert [(b["price"], b["direction"]) for b in bricks] == [
        (102.0, 1), (104.0, 1), (106.0, 1), (104.0, -1), (102.0, -1),
    ]  # fmt: skip


def test_pnf_columns_follow_documented_example() -> None:
    """Box 1, reversal 3: X 101..106 from row 1, O 105..99 from row 5, X 100..107 from row 8."""
    closes = np.array([100, 101, 103, 106, 104, 101, 99, 100, 103, 107], dtype=np.float64)

    columns = oracle.pnf_columns(closes + 0.5, closes - 0.5, closes, box_size=1.0)

    assert [(c["type"], c["boxes"][0], c["boxes"][-1], c["start_idx"]) for c in columns] == [
        ("X", 101.0, 106.0, 1), ("O", 105.0, 99.0, 5), ("X", 100.0, 107.0, 8),
    ]  # fmt: skip


def test_atr_is_bit_identical_to_polars_ewm() -> None:
    """The automatic box size rests on the polars ATR; the oracle's must equal it bit for bit."""
    pl = pytest.importorskip("polars")
    rng = np.random.default_rng(20240601)
    for _ in range(20):
        n = int(rng.integers(14, 3000))
        close = 100 + np.cumsum(rng.normal(0, rng.uniform(0.01, 5), n))
        high = close + rng.random(n) * 3
        low = close - rng.random(n) * 3
        prev_close = pl.col("close").shift(1)
        true_range = pl.max_horizontal(
            pl.col("high") - pl.col("low"),
            (pl.col("high") - prev_close).abs(),
            (pl.col("low") - prev_close).abs(),
        )
        frame = pl.DataFrame({"high": high, "low": low, "close": close})

        expected = frame.select(true_range.ewm_mean(span=27, adjust=False)).to_series()

        np.testing.assert_array_equal(oracle.atr(high, low, close), expected.to_numpy())


def test_atr_needs_fourteen_rows() -> None:
    """Fewer rows than the period is an error, which makes auto-box Renko fail on short data."""
    values = np.arange(13, dtype=np.float64)
    with pytest.raises(ValueError, match="must be >= period"):
        oracle.atr(values + 1, values, values)


def random_walk(n: int, seed: int) -> dict[str, np.ndarray]:
    """A small OHLCV random walk for the degenerate-input checks below."""
    rng = np.random.default_rng(seed)
    close = 100 + np.cumsum(rng.normal(size=n))
    open_ = np.concatenate([[close[0]], close[:-1]])
    return {
        "open": open_,
        "high": np.maximum(open_, close) + rng.random(n),
        "low": np.minimum(open_, close) - rng.random(n),
        "close": close,
        "volume": rng.random(n) * 1000 + 1,
    }


@pytest.mark.parametrize("batch", [False, True])
def test_flat_prices_leave_price_panel_empty(batch: bool) -> None:
    """A zero price range yields NaN coordinates: nothing in the price panel, volume still drawn."""
    data = random_walk(30, seed=1)
    flat = np.full(30, 100.0)

    image = oracle.candles(
        flat, flat, flat, flat, data["volume"], width=300, height=200, show_grid=False,
        use_batch_drawing=batch,
    )  # fmt: skip

    pixels = np.array(image)
    background = np.array([0, 0, 0, 255])
    assert np.all(pixels[:140] == background)
    assert np.any(pixels[140:] != background)


@pytest.mark.parametrize("batch", [False, True])
def test_all_zero_volume_bars_cover_full_height(batch: bool) -> None:
    """Zero max volume makes NaN bar heights, which the original turns into full-height bars."""
    data = random_walk(30, seed=2)

    image = oracle.candles(
        data["open"], data["high"], data["low"], data["close"], np.zeros(30),
        width=300, height=200, show_grid=False, use_batch_drawing=batch,
    )  # fmt: skip

    first_bar_column = np.array(image)[:, 2]
    assert np.all(np.any(first_bar_column != np.array([0, 0, 0, 255]), axis=-1))


def test_rgba_grid_pixel_is_written_unblended() -> None:
    """The classic grid lands as (51, 51, 51, 64): RGBA writes replace pixels, never blend."""
    data = random_walk(40, seed=3)

    image = oracle.candles(
        data["open"], data["high"], data["low"], data["close"], data["volume"],
        width=400, height=300,
    )  # fmt: skip

    row = (1 * int(300 * 0.7)) // 10
    assert np.array(image)[row, 399].tolist() == [51, 51, 51, 64]
