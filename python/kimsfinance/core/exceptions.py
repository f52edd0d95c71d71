"""Exception classes of kimsfinance.

Every error the native core raises is one of these or a built-in ``ValueError``,
``TypeError`` or ``OSError``. The classes live in Python (not in the extension) so that
``DataValidationError`` can be both a ``KimsFinanceError`` and a ``ValueError``.
"""

from __future__ import annotations

__all__ = [
    "KimsFinanceError",
    "GPUNotAvailableError",
    "DataValidationError",
    "EngineError",
    "OperationNotSupportedError",
    "ConfigurationError",
]


class KimsFinanceError(Exception):
    """Base class of every kimsfinance-specific error."""

    __slots__ = ()


class GPUNotAvailableError(KimsFinanceError):
    """A GPU engine was requested but no usable CUDA device or driver was found."""

    __slots__ = ()

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "The GPU engine was requested but no usable CUDA GPU was found; "
            "use engine='cpu' or engine='auto'."
        )


class DataValidationError(KimsFinanceError, ValueError):
    """The input data cannot be used: mismatched lengths, empty, negative volume, ..."""

    __slots__ = ()


class EngineError(KimsFinanceError):
    """A computation or encoding engine failed."""

    __slots__ = ()


class OperationNotSupportedError(KimsFinanceError):
    """The requested operation is not supported for these arguments."""

    __slots__ = ()


class ConfigurationError(KimsFinanceError):
    """A configuration key or value is invalid."""

    __slots__ = ()
