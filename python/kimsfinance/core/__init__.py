"""Core types and exceptions of kimsfinance."""

from __future__ import annotations

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
]
