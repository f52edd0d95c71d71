"""kimsfinance: fast, leak-free financial charts, drawn by a Rust core.

A drop-in replacement for the Python ``kimsfinance`` package. Heavy optional libraries
(polars, pandas, Pillow) are imported only when a function needs them.
"""

from __future__ import annotations

from . import _native
from ._native import PerformanceStats
from .core import (
    ConfigurationError,
    DataValidationError,
    EngineError,
    GPUNotAvailableError,
    KimsFinanceError,
    OperationNotSupportedError,
)
from .core.engine import EngineManager, get_engine_info, gpu_available
from .integration import activate, configure, deactivate, get_config, is_active
from .ops.aggregations import (
    cumulative_sum,
    group_aggregation,
    ohlc_resample,
    rolling_mean,
    rolling_sum,
    volume_sum,
    volume_weighted_price,
)

__version__: str = _native.__version__
version = __version__

__all__ = [
    "__version__",
    "version",
    "info",
    "activate",
    "deactivate",
    "is_active",
    "configure",
    "get_config",
    "PerformanceStats",
    "KimsFinanceError",
    "GPUNotAvailableError",
    "DataValidationError",
    "EngineError",
    "OperationNotSupportedError",
    "ConfigurationError",
    "EngineManager",
    "gpu_available",
    "get_engine_info",
    "volume_sum",
    "volume_weighted_price",
    "ohlc_resample",
    "rolling_sum",
    "rolling_mean",
    "cumulative_sum",
    "group_aggregation",
]


def info() -> dict:
    """Version and build facts, for bug reports."""
    return {"version": __version__, "native_module": _native.__name__, "engine": "rust"}
