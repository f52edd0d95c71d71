"""Process-wide configuration, activation of the mplfinance hooks, and performance statistics.

State is guarded by one re-entrant lock. Messages go to the ``"kimsfinance"`` logger; they are
also written to standard output only when ``verbose=True`` is asked for (the original printed
by default, which a library should not do).
"""

from __future__ import annotations

import logging
import sys
import threading
import warnings
from typing import Any

from .. import _native

__all__ = [
    "activate",
    "deactivate",
    "is_active",
    "configure",
    "get_config",
    "get_performance_stats",
    "reset_performance_stats",
    "BoundedPerformanceStats",
    "MAX_STATS_ENTRIES",
    "STATS_RETENTION_HOURS",
]

logger = logging.getLogger("kimsfinance")

#: The bounded statistics class (kept under the original's name).
BoundedPerformanceStats = _native.PerformanceStats

MAX_STATS_ENTRIES = 10_000
STATS_RETENTION_HOURS = 24

ENGINES = ("auto", "cpu", "gpu")

_lock = threading.RLock()
_is_active = False
_config: dict[str, Any] = {
    "default_engine": "auto",
    # An estimate, not yet measured on a GPU: see kimsfinance.core.engine.
    "gpu_min_rows": 1_000_000,
    "strict_mode": False,
    "performance_tracking": False,
    "verbose": False,
}
# The statistics object the native core feeds when tracking is on.
_performance_stats = _native.global_stats()


def _say(message: str, verbose: bool | None) -> None:
    logger.info(message)
    if verbose if verbose is not None else _config["verbose"]:
        sys.stdout.write(message + "\n")


def _check_engine(engine: Any) -> str:
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {list(ENGINES)}, got {engine!r}.")
    return engine


def activate(*, engine: str = "auto", strict: bool = False, verbose: bool | None = None) -> None:
    """Replaces mplfinance's moving-average and EMA plotting helpers with native ones.

    Requires mplfinance (``ImportError`` otherwise). Calling it while active changes nothing.
    With ``strict=True`` a failure inside a replacement is raised instead of falling back to
    mplfinance's own code with a warning.
    """
    global _is_active
    _check_engine(engine)
    with _lock:
        if _is_active:
            _say("kimsfinance is already active.", verbose)
            return
        try:
            import mplfinance  # noqa: F401
        except ImportError:
            raise ImportError(
                "activate() needs mplfinance, which is not installed: pip install mplfinance"
            ) from None
        from . import hooks

        hooks.patch_plotting_functions({**_config, "default_engine": engine, "strict_mode": strict})
        _config["default_engine"] = engine
        _config["strict_mode"] = bool(strict)
        _is_active = True
        if engine == "gpu":
            # The moving averages behind the hooks always run on the CPU: they are far too
            # cheap for a GPU transfer to pay off.
            warnings.warn(
                "engine='gpu' was asked for, but the mplfinance hooks compute on the CPU.",
                UserWarning,
                stacklevel=2,
            )
        _say(f"kimsfinance activated (engine: {engine}).", verbose)


def deactivate(*, verbose: bool | None = None) -> None:
    """Puts mplfinance's own helpers back; keeps no reference to mplfinance or the hooks."""
    global _is_active
    with _lock:
        if not _is_active:
            _say("kimsfinance is not active.", verbose)
            return
        from . import hooks

        hooks.unpatch_plotting_functions()
        _is_active = False
        _say("kimsfinance deactivated; mplfinance's own functions are restored.", verbose)


def is_active() -> bool:
    """Whether the mplfinance hooks are installed."""
    return _is_active


def _validated(key: str, value: Any) -> Any:
    if key == "default_engine":
        return _check_engine(value)
    if key == "gpu_min_rows":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"gpu_min_rows must be a non-negative integer, got {value!r}.")
        return value
    if key in ("strict_mode", "performance_tracking", "verbose"):
        if not isinstance(value, bool):
            raise ValueError(f"{key} must be True or False, got {value!r}.")
        return value
    raise ValueError(f"Unknown configuration key {key!r}; valid keys are {sorted(_config)}.")


def configure(**kwargs: Any) -> None:
    """Updates the configuration; every key and value is checked before any is applied.

    Keys: ``default_engine`` ("auto", "cpu", "gpu"), ``gpu_min_rows`` (non-negative int: the
    row count from which ``engine="auto"`` uses a usable GPU; default 1,000,000, an estimate not
    yet measured on a GPU, see :mod:`kimsfinance.core.engine`),
    ``strict_mode``, ``performance_tracking`` (turns native statistics on or off) and
    ``verbose`` (booleans).
    """
    checked = {key: _validated(key, value) for key, value in kwargs.items()}
    with _lock:
        _config.update(checked)
        if "performance_tracking" in checked:
            _native.set_tracking(checked["performance_tracking"])
    _say(f"Configuration updated: {checked}", None)


def get_config() -> dict[str, Any]:
    """A copy of the configuration."""
    with _lock:
        return dict(_config)


def get_performance_stats() -> dict[str, Any]:
    """Statistics of native operations; warns when tracking is off (they are then frozen)."""
    if not _config["performance_tracking"]:
        warnings.warn(
            "Performance tracking is off, so these statistics are not being updated; "
            "turn it on with configure(performance_tracking=True).",
            UserWarning,
            stacklevel=2,
        )
    return _performance_stats.get_stats()


def reset_performance_stats() -> None:
    """Forgets all recorded statistics."""
    _performance_stats.reset()
    _say("Performance statistics reset.", None)


def _track_operation(engine_used: str, time_saved_ms: float = 0.0) -> None:
    """Records one call when tracking is on (kept for code written against the original)."""
    if _config["performance_tracking"]:
        _performance_stats.record(engine_used, time_saved_ms)
