"""Core types and exceptions of kimsfinance."""

from __future__ import annotations

from .engine import EngineManager, get_engine_info, gpu_available
from .exceptions import (
    ConfigurationError,
    DataValidationError,
    EngineError,
    GPUNotAvailableError,
    KimsFinanceError,
    OperationNotSupportedError,
)

__all__ = [
    "KimsFinanceError",
    "GPUNotAvailableError",
    "DataValidationError",
    "EngineError",
    "OperationNotSupportedError",
    "ConfigurationError",
    "EngineManager",
    "gpu_available",
    "get_engine_info",
]
