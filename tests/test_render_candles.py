"""Candlestick rendering: pixel parity with the original library, and its edge cases fixed."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from helpers import load_case, random_ohlcv, reference_cases

from kimsfinance.plotting import render_hollow_candles, render_ohlcv_chart, render_to_array


@pytest.mark.parametrize(
    "case", reference_cases("render_ohlcv_chart"), ids=lambda case: case["case"]
)
def test_candles_match_the_original_pixel_for_pixel(case):
    ohlc, volume, expected = load_case(case)
    image = render_ohlcv_chart(ohlc, volume, **case["kwargs"])
    assert image.mode == case["mode"]
    np.testing.assert_array_equal(np.asarray(image), expected)


@pytest.mark.parametrize(
    "case", reference_cases("render_hollow_candles"), ids=lambda case: case["case"]
)
def test_hollow_candles_match_the_original_pixel_for_pixel(case):
    ohlc, volume, expected = load_case(case)
    image = render_hollow_candles(ohlc, volume, **case["kwargs"])
    np.testing.assert_array_equal(np.asarray(image), expected)


def test_render_to_array_owns_its_buffer_and_matches_the_image(sample):
    ohlc, volume = sample
    array = render_to_array(ohlc, volume, width=400, height=300)
    assert array.shape == (300, 400, 4) and array.dtype == np.uint8
    assert (
        array.flags["C_CONTIGUOUS"] and array.flags["WRITEABLE"] and array.flags["OWNDATA"] is False
    )
    # The base is the Rust-owned buffer, not another numpy array that was copied from.
    assert not isinstance(array.base, np.ndarray) or array.base.base is not None
    image = render_ohlcv_chart(ohlc, volume, width=400, height=300)
    np.testing.assert_array_equal(np.asarray(image), array)
    rgb = render_to_array(ohlc, volume, width=400, height=300, enable_antialiasing=False)
    assert rgb.shape == (300, 400, 3)
    np.testing.assert_array_equal(rgb, array[..., :3])


def test_rgba_image_shares_the_native_buffer(sample):
    ohlc, volume = sample
    image = render_ohlcv_chart(ohlc, volume, width=400, height=300)
    assert image.mode == "RGBA" and image.readonly
    # Writing through PIL copies first, so the image stays correct and becomes writable.
    image.putpixel((0, 0), (1, 2, 3, 4))
    assert image.getpixel((0, 0)) == (1, 2, 3, 4)


def test_unknown_theme_warns_and_uses_classic(sample):
    ohlc, volume = sample
    with pytest.warns(UserWarning, match="Unknown theme 'neon'"):
        unknown = render_to_array(ohlc, volume, width=300, height=200, theme="neon")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        classic = render_to_array(ohlc, volume, width=300, height=200, theme="classic")
    np.testing.assert_array_equal(unknown, classic)


def test_colour_overrides_accept_short_hex_names_and_alpha(sample):
    ohlc, volume = sample
    array = render_to_array(
        ohlc,
        volume,
        width=300,
        height=200,
        bg_color="#123",
        up_color="blue",
        down_color="#FF000080",
        show_grid=False,
    )
    assert tuple(array[0, -1]) == (0x11, 0x22, 0x33, 255)
    colours = {tuple(p) for p in array.reshape(-1, 4)}
    assert (0, 0, 255, 255) in colours and (255, 0, 0, 128) in colours
    with pytest.raises(ValueError, match="up_color must be a colour"):
        render_to_array(ohlc, volume, width=300, height=200, up_color="#GGHHII")


def test_grid_is_semi_transparent_in_rgba_and_opaque_in_rgb(sample):
    ohlc, volume = sample
    rgba = render_to_array(ohlc, volume, width=300, height=200)
    rgb = render_to_array(ohlc, volume, width=300, height=200, enable_antialiasing=False)
    grid_row = (1 * int(200 * 0.7)) // 10
    assert tuple(rgba[grid_row, -1]) == (51, 51, 51, 64)
    assert tuple(rgb[grid_row, -1]) == (51, 51, 51)


def _nan_free_rows(ohlc, volume, keep):
    return {k: v[keep] for k, v in ohlc.items()}, volume[keep]


def test_nan_candle_is_skipped_and_does_not_stretch_the_axis():
    rng = np.random.default_rng(21)
    ohlc, volume = random_ohlcv(rng, 50)
    with_nan = {k: v.copy() for k, v in ohlc.items()}
    with_nan["high"][10] = np.nan
    with_nan["low"][30] = -np.inf
    image = render_to_array(with_nan, volume, width=500, height=300)
    # Same scale as the chart without those two candles' prices: compare the price panel of
    # a chart where those candles are replaced by copies of a neighbour's extremes is not
    # possible, so check directly: the axis spans the finite candles only.
    finite = np.ones(50, bool)
    finite[[10, 30]] = False
    top_row = np.nonzero((image[: int(300 * 0.7) + 1] != image[0, -1]).any(axis=(1, 2)))[0]
    assert top_row.min() == 0  # the highest finite high reaches the top
    # The skipped candles' columns show background (no wick, body or volume) where no grid is.
    reference = render_to_array(with_nan, volume, width=500, height=300, show_grid=False)
    slot = 500 / 51
    for index in (10, 30):
        x = int(index * slot + 0.1 * slot) + 1
        assert (reference[:, x] == reference[0, -1]).all()
    assert finite.sum() == 48


def test_flat_prices_draw_candles_across_the_middle():
    n = 20
    flat = np.full(n, 42.0)
    image = render_to_array(
        {"open": flat, "high": flat, "low": flat, "close": flat},
        np.ones(n),
        width=420,
        height=300,
        show_grid=False,
    )
    price_height = int(300 * 0.7)
    middle = price_height // 2
    green = np.all(image[:price_height] == (0, 255, 0, 255), axis=2)
    assert set(np.nonzero(green.any(axis=1))[0]) == {middle}
    assert green[middle].sum() > n * 10


def test_zero_volume_draws_no_volume_bars(sample):
    ohlc, volume = sample
    image = render_to_array(ohlc, np.zeros_like(volume), width=400, height=300, show_grid=False)
    volume_panel = image[int(300 * 0.7) + 1 :]
    assert (volume_panel == image[-1, -1]).all()
    assert tuple(image[-1, -1]) == (0, 0, 0, 255)


def test_batch_and_sequential_roundings_both_available(sample):
    ohlc, volume = sample
    batch = render_to_array(ohlc, volume, width=640, height=480, use_batch_drawing=True)
    sequential = render_to_array(ohlc, volume, width=640, height=480, use_batch_drawing=False)
    default = render_to_array(ohlc, volume, width=640, height=480)
    np.testing.assert_array_equal(default, sequential)  # fewer than 1000 candles
    assert (batch != sequential).any()


def test_single_candle_renders_in_the_first_half():
    one = {"open": [1.0], "high": [2.0], "low": [0.5], "close": [1.5]}
    image = render_to_array(one, [10.0], width=200, height=100, show_grid=False)
    painted = np.nonzero((image != image[0, -1]).any(axis=(0, 2)))[0]
    assert painted.min() >= 0 and painted.max() < 100
