"""Replacements for mplfinance's moving-average (``mav``) and EMA plotting helpers.

``patch_plotting_functions`` swaps ``mplfinance.plotting._plot_mav`` and ``_plot_ema`` for
functions that compute the averages in Rust and draw and return exactly what mplfinance's own
would. The replacements are closures made at patch time; ``unpatch_plotting_functions`` puts
the originals back and drops every reference to them and to mplfinance, so nothing of either
stays alive.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _native

__all__ = ["patch_plotting_functions", "unpatch_plotting_functions"]

# mplfinance draws at most this many moving averages of each kind.
_MAX_AVERAGES = 7
_HOOKED = {"_plot_mav": "mav", "_plot_ema": "ema"}

_lock = threading.RLock()
_originals: dict[str, Callable[..., Any]] = {}


def patch_plotting_functions(config: dict[str, Any] | None = None) -> None:
    """Installs the native helpers into ``mplfinance.plotting`` (once; later calls do nothing)."""
    try:
        import mplfinance.plotting as plotting
    except ImportError:
        raise ImportError(
            "The mplfinance hooks need mplfinance (pip install mplfinance)."
        ) from None
    strict = bool((config or {}).get("strict_mode", False))
    with _lock:
        for name, kind in _HOOKED.items():
            if name in _originals:
                continue
            original = getattr(plotting, name)
            _originals[name] = original
            setattr(plotting, name, _replacement(kind, original, strict))


def unpatch_plotting_functions() -> None:
    """Restores mplfinance's own helpers."""
    with _lock:
        if not _originals:
            warnings.warn("No mplfinance functions are patched.", UserWarning, stacklevel=2)
            return
        try:
            import mplfinance.plotting as plotting
        except ImportError:
            warnings.warn("mplfinance cannot be imported to restore it.", UserWarning, stacklevel=2)
            _originals.clear()
            return
        for name, original in _originals.items():
            setattr(plotting, name, original)
        _originals.clear()


def _replacement(kind: str, original: Callable[..., Any], strict: bool) -> Callable[..., Any]:
    def plot_averages(ax, config, xdates, prices, apmav=None, apwidth=None):
        try:
            return _plot_averages(kind, ax, config, xdates, prices, apmav)
        except Exception as error:
            if strict:
                raise
            warnings.warn(
                f"kimsfinance could not draw the {kind} lines ({error}); using mplfinance's.",
                RuntimeWarning,
                stacklevel=2,
            )
            return original(ax, config, xdates, prices, apmav, apwidth)

    plot_averages.__name__ = plot_averages.__qualname__ = f"kimsfinance_plot_{kind}"
    return plot_averages


def _plot_averages(kind, ax, config, xdates, prices, apmav):
    """Draws one line per requested period and returns the lines' values, as mplfinance does."""
    periods = config[kind] if apmav is None else apmav
    if periods is None:
        return []
    shifts = None
    if isinstance(periods, dict):
        shifts, periods = periods["shift"], periods["period"]
    if isinstance(periods, int):
        periods = (periods,)
    periods = tuple(periods)[:_MAX_AVERAGES]

    values = np.asarray(prices, dtype=np.float64)
    average = _native.sma if kind == "mav" else _native.ema
    colours = config["_ma_color_cycle"]
    line_width = config["_width_config"]["line_width"]
    lines = []
    for index, period in enumerate(periods):
        line = average(values, int(period))
        if shifts is not None:
            line = _shifted(line, int(shifts[index]))
        style = {"linewidth": line_width}
        if colours:
            style["color"] = next(colours)
        ax.plot(xdates, line, **style)
        lines.append(line)
    return lines


def _shifted(values: np.ndarray, periods: int) -> np.ndarray:
    """``values`` moved ``periods`` rows later (earlier if negative), NaN where emptied."""
    shifted = np.full_like(values, np.nan)
    if periods > 0:
        shifted[periods:] = values[:-periods]
    elif periods < 0:
        shifted[:periods] = values[-periods:]
    else:
        shifted[:] = values
    return shifted
