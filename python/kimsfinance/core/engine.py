"""The engine model: which engine, ``"cpu"`` or ``"gpu"``, runs a computation.

Every computing function takes ``engine="auto" | "cpu" | "gpu"``:

* ``"cpu"`` always runs on the CPU.
* ``"gpu"`` runs on the GPU, or raises :class:`GPUNotAvailableError` when no usable GPU is
  present. It never silently falls back.
* ``"auto"`` picks the GPU only when one is usable *and* the input has at least
  ``gpu_min_rows`` rows (``kimsfinance.configure(gpu_min_rows=...)``, default 10,000), since
  below that copying the data to the device costs more than it saves. It never raises for lack
  of a GPU.
* Anything else raises :class:`ConfigurationError`.

A GPU is *usable* when the CUDA driver (loaded at run time by the native core; nothing links
against CUDA, so a machine without it simply reports no GPU) sees at least one device **and**
this build has CUDA kernels for the operation. No build has CUDA kernels yet: the streaming
CPU aggregations are memory-bound and already run at a few milliseconds per million rows, so
the GPU path is left for later. Until then :func:`gpu_available` is ``False`` everywhere, and
:func:`get_engine_info` tells why (driver missing, no device, or no kernels).

The driver probe runs once per process and is cached; :meth:`EngineManager.reset_gpu_cache`
forgets it (for example after a driver was installed).
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar, Literal

from .. import _native
from .exceptions import ConfigurationError, GPUNotAvailableError

__all__ = ["ENGINES", "EngineManager", "get_engine_info", "gpu_available"]

#: The accepted values of every ``engine`` argument.
ENGINES = ("cpu", "gpu", "auto")


class EngineManager:
    """Process-wide GPU detection and engine selection (all methods are classmethods)."""

    _lock: ClassVar[threading.Lock] = threading.Lock()
    _driver: ClassVar[dict[str, Any] | None] = None

    @classmethod
    def _driver_info(cls) -> dict[str, Any]:
        """What the CUDA driver reported, probed once and cached."""
        driver = cls._driver
        if driver is None:
            with cls._lock:
                driver = cls._driver
                if driver is None:
                    driver = dict(_native.cuda_driver_info())
                    cls._driver = driver
        return driver

    @classmethod
    def _unusable_reason(cls) -> str | None:
        """Why no GPU can be used, or ``None`` when one can."""
        driver = cls._driver_info()
        if not driver["driver_loaded"] or driver["device_count"] == 0:
            return driver["reason"]
        if not _native.CUDA_KERNELS:
            return (
                f"a CUDA device ({driver['device_name']}) is present, but this build of "
                "kimsfinance has no CUDA kernels; the computation runs on the CPU"
            )
        return None

    @classmethod
    def check_gpu_available(cls) -> bool:
        """Whether a GPU can run kimsfinance computations (cached after the first call)."""
        return cls._unusable_reason() is None

    @classmethod
    def reset_gpu_cache(cls) -> None:
        """Forgets the cached GPU probe, so the next check asks the driver again."""
        with cls._lock:
            cls._driver = None

    @classmethod
    def select_engine(
        cls, engine: Any, operation: str | None = None, data_size: int | None = None
    ) -> Literal["cpu", "gpu"]:
        """The engine that runs ``operation`` on ``data_size`` rows when ``engine`` is asked for.

        ``"auto"`` chooses the GPU only when both ``operation`` and ``data_size`` are given,
        ``data_size >= gpu_min_rows`` and a GPU is usable; otherwise the CPU.
        """
        if not isinstance(engine, str) or engine not in ENGINES:
            raise ConfigurationError(
                f"Invalid engine {engine!r}; use one of {', '.join(map(repr, ENGINES))}."
            )
        if engine == "cpu":
            return "cpu"
        if engine == "gpu":
            reason = cls._unusable_reason()
            if reason is not None:
                raise GPUNotAvailableError(
                    f"engine='gpu' was requested but no GPU can be used: {reason}. "
                    "Use engine='cpu' or engine='auto'."
                )
            return "gpu"
        if operation is None or data_size is None or data_size < _gpu_min_rows():
            return "cpu"
        return "gpu" if cls.check_gpu_available() else "cpu"

    @classmethod
    def get_info(cls) -> dict[str, Any]:
        """Engines, GPU facts and the ``"auto"`` threshold, for bug reports and logs."""
        from ..integration.adapter import get_config

        driver = cls._driver_info()
        config = get_config()
        return {
            "cpu_available": True,
            "gpu_available": cls.check_gpu_available(),
            # kimsfinance never asks polars for its GPU engine.
            "polars_gpu_available": False,
            "default_engine": config["default_engine"],
            "gpu_min_rows": config["gpu_min_rows"],
            "cuda_kernels": bool(_native.CUDA_KERNELS),
            "cuda_driver_loaded": driver["driver_loaded"],
            "cuda_driver_version": driver["driver_version"],
            "cuda_device_count": driver["device_count"],
            "cuda_device_name": driver["device_name"],
            "gpu_unavailable_reason": cls._unusable_reason(),
        }


def _gpu_min_rows() -> int:
    # Imported here: the integration package imports this one.
    from ..integration.adapter import get_config

    return int(get_config()["gpu_min_rows"])


def gpu_available() -> bool:
    """Whether a GPU can run kimsfinance computations."""
    return EngineManager.check_gpu_available()


def get_engine_info() -> dict[str, Any]:
    """Engines, GPU facts and the ``"auto"`` threshold (see :meth:`EngineManager.get_info`)."""
    return EngineManager.get_info()
