"""Argument normalisation shared by the plotting functions.

Everything here only checks and converts arguments into the plain values the native core
takes; no drawing happens in Python.
"""

from __future__ import annotations

import numbers
import operator
import warnings
from collections.abc import Mapping
from typing import Any

from .. import _native
from ..core.exceptions import DataValidationError

_THEMES = frozenset(_native.theme_names())

Rgba = tuple[int, int, int, int]


def theme_name(theme: Any) -> str:
    """Returns ``theme`` if it is a known theme, else warns and returns ``"classic"``."""
    if isinstance(theme, str) and theme in _THEMES:
        return theme
    warnings.warn(
        f"Unknown theme {theme!r}; using 'classic'. Known themes: {sorted(_THEMES)}.",
        UserWarning,
        stacklevel=3,
    )
    return "classic"


def color(name: str, value: Any) -> Rgba | None:
    """Parses a colour override; ``None`` or ``""`` mean "use the theme colour".

    Accepts what Pillow's colour parser accepts ('#RGB', '#RRGGBB', '#RRGGBBAA', 'red',
    'rgb(1,2,3)', ...) and tuples of 3 or 4 integers in 0..255.
    """
    if value is None or (isinstance(value, str) and value == ""):
        return None
    if isinstance(value, str):
        from PIL import ImageColor

        try:
            parsed = ImageColor.getrgb(value)
        except ValueError:
            raise ValueError(
                f"{name} must be a colour such as '#26A69A' or '#26A69A80', got {value!r}."
            ) from None
    elif isinstance(value, (tuple, list)) and len(value) in (3, 4):
        parsed = tuple(value)
        if not all(isinstance(c, int) and 0 <= c <= 255 for c in parsed):
            raise ValueError(f"{name} components must be integers in 0..255, got {value!r}.")
    else:
        raise TypeError(f"{name} must be a colour string or an RGB(A) tuple, got {value!r}.")
    return (*parsed, 255) if len(parsed) == 3 else tuple(parsed)  # type: ignore[return-value]


def ohlc_columns(
    ohlc: Any, keys: tuple[str, ...] = ("open", "high", "low", "close")
) -> tuple[Any, ...]:
    """The columns of ``ohlc`` named by ``keys`` (lower-case or capitalised).

    Charts that do not read the open price ask only for ``("high", "low", "close")``, so a
    mapping without an ``open`` column works for them, as in the original library.
    """
    if not isinstance(ohlc, Mapping) and not hasattr(ohlc, "__getitem__"):
        raise TypeError(
            f"ohlc must be a mapping with {', '.join(repr(key) for key in keys)} columns, "
            f"got {type(ohlc).__name__}."
        )
    return tuple(_column(ohlc, key) for key in keys)


def whole_number(name: str, value: Any) -> int:
    """``value`` as an ``int``: integers (numpy's included) and floats with no fraction.

    The original compared ``reversal_boxes`` as a number, so ``3.0`` must keep working.
    """
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a whole number, got {value!r}.")
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        if float(value).is_integer():
            return int(value)
        raise ValueError(f"{name} must be a whole number between 1 and 10, got {value!r}.")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be a whole number, got {value!r}.") from None


def real_number(name: str, value: Any) -> float:
    """``value`` (an int, a float or a numpy scalar; not a bool) as a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}.")
    return float(value)


def positive_number(name: str, value: Any) -> float | None:
    """``None``, or ``value`` as a float; the native core checks that it is finite and > 0."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number or None, got {value!r}.")
    return float(value)


def _column(ohlc: Any, key: str) -> Any:
    for candidate in (key, key.capitalize()):
        try:
            present = candidate in ohlc
        except TypeError:
            present = False
        if present:
            return ohlc[candidate]
    raise DataValidationError(f"ohlc has no '{key}' column (nor '{key.capitalize()}').")
