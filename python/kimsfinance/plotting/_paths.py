"""Checks on output paths before anything is written."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# Directories a chart is never written into (unless they contain the working directory).
_SYSTEM_DIRECTORIES = tuple(Path(p) for p in ("/etc", "/sys", "/proc", "/dev", "/root", "/boot"))


def checked_output_path(output_path: Any, argument: str = "output_path") -> Path:
    """Validates ``output_path`` and creates its parent directory; returns the absolute path.

    Rejects empty paths, paths with a ``..`` component, and paths inside system directories
    (``/etc``, ``/sys``, ``/proc``, ``/dev``, ``/root``, ``/boot``) unless they are inside the
    current working directory.
    """
    if not output_path:
        raise ValueError(f"{argument} must not be empty.")
    try:
        raw = Path(os.fspath(output_path))
    except TypeError:
        raise TypeError(
            f"{argument} must be a path or a writable binary file, "
            f"got {type(output_path).__name__}."
        ) from None
    if ".." in raw.parts:
        raise ValueError(f"{argument} must not contain '..' components, got {str(raw)!r}.")
    try:
        resolved = raw.resolve()
    except (OSError, RuntimeError) as error:
        raise ValueError(f"{argument} {str(raw)!r} cannot be resolved: {error}.") from None

    cwd = Path.cwd().resolve()
    if not resolved.is_relative_to(cwd):
        for system in _SYSTEM_DIRECTORIES:
            if resolved == system or resolved.is_relative_to(system):
                raise ValueError(
                    f"{argument} {str(resolved)!r} is inside the system directory {str(system)!r}."
                )
    resolved.parent.mkdir(parents=True, exist_ok=True)
    return resolved
