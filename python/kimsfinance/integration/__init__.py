"""Integration with mplfinance and the process-wide configuration."""

from __future__ import annotations

from .adapter import activate, configure, deactivate, get_config, is_active
from .hooks import patch_plotting_functions, unpatch_plotting_functions

__all__ = [
    "activate",
    "deactivate",
    "is_active",
    "configure",
    "get_config",
    "patch_plotting_functions",
    "unpatch_plotting_functions",
]
