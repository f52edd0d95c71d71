"""The engine model: which engine, ``"cpu"`` or ``"gpu"``, runs a computation.

Every computing function takes ``engine="auto" | "cpu" | "gpu"``:

* ``"cpu"`` always runs on the CPU.
* ``"gpu"`` runs on the GPU, or raises :class:`GPUNotAvailableError` when no usable GPU is
  present; a CUDA failure during the call raises :class:`EngineError`. It never silently falls
  back.
* ``"auto"`` picks the GPU only when one is usable *and* the input has at least
  ``gpu_min_rows`` rows (``kimsfinance.configure(gpu_min_rows=...)``, default 1,000,000), since
  below that copying the data to the device costs more than it saves. It never raises for lack
  of a GPU, and when the GPU fails during a call it warns (``RuntimeWarning``) and computes on
  the CPU.
* Anything else raises :class:`ConfigurationError`.

Only tick bars, volume bars and :func:`~kimsfinance.ops.aggregations.ohlc_resample` have CUDA
kernels; their results equal the CPU's bit for bit. Range, Kagi and line-break bars and the
small reductions run on the CPU whatever the engine (each range or Kagi bar depends on where
the previous one ended, so their rows cannot be split among threads).

A GPU is *usable* when the CUDA driver (loaded at run time by the native core; nothing links
against CUDA, so a machine without it simply reports no GPU) sees at least one device, this
build has the CUDA kernels (the cargo feature ``cuda``, on by default), and NVRTC (the CUDA
run-time compiler, part of the CUDA toolkit or the ``nvidia-cuda-nvrtc-cu12`` wheel) compiled
them for that device. :func:`get_engine_info` tells which of these is missing.

The default threshold is an estimate, not a measurement: the CPU path takes about 2 to 5 ms per
million rows, and copying a million ticks (24 MB) to a device over PCIe takes about as long, so
the GPU cannot win on small inputs. TODO: measure the crossover on a real GPU with
``benches/gpu_bench.py`` and set the default from it; no GPU was at hand when this was written.

The driver probe and the kernel set-up run once per process and are cached;
:meth:`EngineManager.reset_gpu_cache` forgets the Python side's answers (for example after a
driver was installed). The native set-up itself (CUDA context, compiled kernels) is kept for
the life of the process, including a failed one.
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
    _kernels: ClassVar[dict[str, Any] | None] = None

    @classmethod
    def _driver_info(cls) -> dict[str, Any]:
        """What the CUDA driver reported, probed once and cached."""
        return cls._probed_once("_driver", _native.cuda_driver_info)

    @classmethod
    def _kernel_info(cls) -> dict[str, Any]:
        """The native GPU engine's set-up (context, NVRTC-compiled kernels), done once and
        cached; only asked for once the driver has shown a device."""
        return cls._probed_once("_kernels", _native.cuda_kernel_info)

    @classmethod
    def _probed_once(cls, attribute: str, probe: Any) -> dict[str, Any]:
        """The cached result of ``probe()`` in class attribute ``attribute``, probing under
        the lock the first time (the probes load CUDA libraries, once per process)."""
        result = getattr(cls, attribute)
        if result is None:
            with cls._lock:
                result = getattr(cls, attribute)
                if result is None:
                    result = dict(probe())
                    setattr(cls, attribute, result)
        return result

    @classmethod
    def _unusable_reason(cls) -> str | None:
        """Why no GPU can be used, or ``None`` when one can."""
        driver = cls._driver_info()
        if not driver["driver_loaded"] or driver["device_count"] == 0:
            return driver["reason"]
        if not _native.CUDA_KERNELS:
            return (
                f"a CUDA device ({driver['device_name']}) is present, but this build of "
                "kimsfinance has no CUDA kernels (built without the 'cuda' feature); the "
                "computation runs on the CPU"
            )
        kernels = cls._kernel_info()
        if not kernels["available"]:
            return f"a CUDA device ({driver['device_name']}) is present, but {kernels['reason']}"
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
            cls._kernels = None

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
        """Engines, GPU facts and the ``"auto"`` threshold, for bug reports and logs.

        ``cuda_kernels`` says whether this build has the CUDA kernels, ``cuda_kernels_ready``
        whether they compiled and loaded on this machine's device (``None`` when no device was
        found, so they were never tried), ``cuda_nvrtc_version`` and
        ``cuda_compute_capability`` what they were compiled with and for, and
        ``gpu_unavailable_reason`` why the GPU is not used (``None`` when it is usable).
        """
        from ..integration.adapter import get_config

        driver = cls._driver_info()
        config = get_config()
        device_seen = bool(driver["driver_loaded"] and driver["device_count"])
        kernels = cls._kernel_info() if device_seen and _native.CUDA_KERNELS else None
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
            "cuda_kernels_ready": None if kernels is None else kernels["available"],
            "cuda_nvrtc_version": None if kernels is None else kernels["nvrtc_version"],
            "cuda_compute_capability": (None if kernels is None else kernels["compute_capability"]),
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
