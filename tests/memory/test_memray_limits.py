"""Allocation-level limits checked by pytest-memray, when it is installed and enabled.

memray sees every allocation of the Rust core because the crate keeps the system allocator.
These tests run as plain tests without ``--memray``; with ``python -m pytest --memray
tests/memory/test_memray_limits.py`` the markers make memray fail them if the renderers
leak or allocate more than the budget. CI runs them both ways.
"""

from __future__ import annotations

import numpy as np
import pytest

from kimsfinance.plotting import render_to_array, save_chart
from kimsfinance.plotting._image import to_image

pytest.importorskip("pytest_memray")

N = 10_000
CLOSE = 100 + np.cumsum(np.random.default_rng(5).normal(0, 1, N))
OHLC = {"open": CLOSE + 0.2, "high": CLOSE + 1, "low": CLOSE - 1, "close": CLOSE}
VOLUME = np.abs(CLOSE)


@pytest.mark.limit_leaks("64 KB")
def test_renders_leak_nothing():
    for _ in range(200):
        render_to_array(OHLC, VOLUME, width=400, height=300)


@pytest.mark.limit_memory("24 MB")
def test_one_full_hd_render_allocates_one_frame_not_input_copies():
    # The frame is 1920 x 1080 x 4 = 8.3 MB; a float64 copy of the five columns would add
    # another 0.4 MB each, and any per-candle storage would add far more.
    render_to_array(OHLC, VOLUME)


@pytest.mark.limit_leaks("64 KB")
def test_encoding_leaks_nothing(tmp_path):
    image = to_image(render_to_array(OHLC, VOLUME, width=400, height=300))
    for _ in range(100):
        save_chart(image, tmp_path / "chart.webp", speed="fast")
