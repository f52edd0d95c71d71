"""Shared fixtures, and the ``memory`` mark for every test under ``tests/memory``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import random_ohlcv

import kimsfinance
from kimsfinance.core.engine import EngineManager

MEMORY_DIR = Path(__file__).parent / "memory"


def pytest_collection_modifyitems(items):
    for item in items:
        if MEMORY_DIR in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.memory)


@pytest.fixture
def sample():
    """A 120-candle random walk."""
    return random_ohlcv(np.random.default_rng(1234), 120)


@pytest.fixture
def restore_engine_state():
    """Puts the GPU threshold and the engine's probe cache back after a test changes them."""
    rows = kimsfinance.get_config()["gpu_min_rows"]
    yield
    kimsfinance.configure(gpu_min_rows=rows)
    EngineManager.reset_gpu_cache()
